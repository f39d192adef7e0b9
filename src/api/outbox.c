/* outbox.c - /api/v1/outbox: the outgoing messages, for supervisors.
 *
 * A row is shown without its payload (it may hold residents' addresses)
 * and without its lease owner; credentials are never in a row at all.
 */
#include "api/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/ids.h"
#include "core/outbox.h"
#include "http/problem.h"
#include "http/server.h"

static void outbox_list(lk_req *req);
static void outbox_retry(lk_req *req);

static const lk_api_route routes[] = {
    {"GET", "/api/v1/outbox", outbox_list, 0},
    {"POST", "/api/v1/outbox/{id}/retry", outbox_retry, 0},
};

int lk_outbox_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_OUTBOX_ID_LEN + 1];
};

static void row_one(const lk_outbox_row *r, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_outbox_row_json(lc->b, r);
  snprintf(lc->last, sizeof(lc->last), "%s", r->id);
}

static int bad_param(lk_req *req, const char *name, const char *reason) {
  lk_invalid why = {name, reason};

  lk_api_bad_param(req, &why);
  return -1;
}

/* ?state=, ?kind= and ?after=, each "" when absent.  0, or -1 after
 * answering 400. */
static int list_params(lk_req *req, const char **state, const char **kind,
                       const char **after) {
  *state = lk_req_query(req, "state");
  *kind = lk_req_query(req, "kind");
  *after = lk_req_query(req, "after");
  if (*state == NULL)
    *state = "";
  if (*kind == NULL)
    *kind = "";
  if (*after == NULL)
    *after = "";
  if ((*state)[0] != '\0' && strcmp(*state, "pending") != 0 &&
      strcmp(*state, "sent") != 0 && strcmp(*state, "failed") != 0)
    return bad_param(req, "state", "must be pending, sent or failed");
  if (strlen(*kind) > LK_OUTBOX_KIND_MAX)
    return bad_param(req, "kind", "is too long");
  if ((*after)[0] != '\0' && !lk_uuid_valid(*after))
    return bad_param(req, "after", "is not an outbox id");
  return 0;
}

static void outbox_list(lk_req *req) {
  const char *state, *kind, *after;
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_api_limit(req, 20, 100, &limit) != 0 ||
      list_params(req, &state, &kind, &after) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_outbox_list(lk_req_app(req)->store, state, kind, after, limit,
                            row_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

struct retry_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_outbox_retry_op op;
};

static void retried(lk_req *req, int status) {
  struct retry_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "not-failed", "Conflict",
                   "only a message that has failed can be retried", NULL);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_outbox_row_json(&b, &ctx->op.row);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static void outbox_retry(lk_req *req) {
  struct retry_ctx *ctx;
  lk_invalid why;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_outbox_retry_prepare(&ctx->op, lk_req_actor(req),
                               lk_req_param(req, "id"), &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_outbox_retry_apply, &ctx->op, retried);
}
