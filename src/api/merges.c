/* merges.c - /api/v1/party-merges: merging two parties and inspecting
 * merges (supervisors). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/teams.h"
#include "core/ids.h"
#include "core/merge.h"
#include "core/proclog.h"
#include "http/json.h"
#include "http/problem.h"

struct merge_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_merge_op op;
};

static void merge_ctx_free(void *p) {
  struct merge_ctx *ctx = p;

  lk_merge_op_free(&ctx->op);
  free(ctx);
}

static void merged(lk_req *req, int status) {
  struct merge_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status == LK_STORE_CONFLICT && ctx->op.why.field != NULL) {
    char field[32];

    snprintf(field, sizeof(field), "/%s", ctx->op.why.field);
    lk_req_problem(req, 409, "party-merged", "Conflict", ctx->op.why.reason,
                   field);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_merge_json(&b, &ctx->op.merge, ctx->op.moved.data);
  lk_buf_putc(&b, '\n');
  lk_api_location(req, "party-merges", ctx->op.merge.id);
  lk_req_respond_buf(req, 201, "application/json", &b);
}

void lk_api_merges_create(lk_req *req) {
  static const char *const allowed[] = {"survivorId", "mergedId", "reason",
                                        NULL};
  const lk_principal *p;
  struct merge_ctx *ctx;
  const char *survivor;
  const char *merged_id;
  const char *reason;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "survivorId", true, &survivor) != 0 ||
      lk_json_string(req, body, "mergedId", true, &merged_id) != 0 ||
      lk_json_string(req, body, "reason", true, &reason) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), merge_ctx_free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  p = lk_req_principal(req);
  rc = lk_merge_prepare(&ctx->op, p->actor, p->confidential, lk_req_id(req),
                        survivor, merged_id, reason, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_merge_apply, &ctx->op, merged);
}

/* Logs the caller's read of the merge's two parties.  Returns 0, or
 * answers and returns -1: data is not shown unless its reading is
 * logged. */
static int log_read(lk_req *req, const lk_merge_row *m) {
  lk_proclog_entry e = {0};
  char resource[64];
  int rc = 0;

  snprintf(resource, sizeof(resource), "party-merges/%s", m->id);
  e.actor = lk_req_actor(req);
  e.operation = "read";
  e.activity = "party-merge";
  e.resource = resource;
  e.request_id = lk_req_id(req);
  for (int i = 0; i < 2 && rc == 0; i++) {
    e.party_id = i == 0 ? m->survivor_id : m->merged_id;
    rc = lk_proclog_read(lk_req_app(req)->store, &e);
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc == LK_STORE_CLOSED ? rc : LK_STORE_IO);
    return -1;
  }
  return 0;
}

void lk_api_merges_get(lk_req *req) {
  lk_merge_row m;
  lk_buf b = LK_BUF_INIT;
  char *moved = NULL;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  rc = lk_store_merge_get(lk_req_app(req)->store, lk_req_param(req, "id"),
                          lk_req_principal(req)->confidential, &m, &moved);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  if (log_read(req, &m) != 0) {
    free(moved);
    return;
  }
  lk_merge_json(&b, &m, moved);
  free(moved);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

struct list_ctx {
  lk_req *req;
  lk_buf *b;
  int n;
  int failed;
  int64_t last;
};

static void list_one(const lk_merge_row *m, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->failed == 0 && log_read(lc->req, m) != 0)
    lc->failed = 1;
  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_merge_json(lc->b, m, NULL);
  lc->last = m->seq;
}

void lk_api_merges_list(lk_req *req) {
  const char *party = lk_req_query(req, "partyId");
  const char *after = lk_req_query(req, "after");
  const lk_principal *p;
  lk_party_brief brief;
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.req = req, .b = &b};
  long long cursor = 0;
  char *end;
  int limit;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  p = lk_req_principal(req);
  if (after != NULL) {
    errno = 0;
    cursor = strtoll(after, &end, 10);
    if (errno != 0 || end == after || *end != '\0' || cursor < 0) {
      lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                     "must be the next value of a previous page", "after");
      return;
    }
  }
  if (party != NULL) {
    /* An unknown party, or one the caller may not see, is a 404, not an
     * empty list. */
    rc = lk_uuid_valid(party)
             ? lk_store_party_brief_read(lk_req_app(req)->store, party, &brief)
             : LK_STORE_NOTFOUND;
    if (rc == 0 && brief.confidential && !p->confidential)
      rc = LK_STORE_NOTFOUND;
    if (rc != 0) {
      lk_req_problem_store(req, rc);
      return;
    }
  }
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_merge_list(lk_req_app(req)->store, party ? party : "",
                           p->confidential, cursor, limit, list_one, &lc);
  if (lc.failed) {
    lk_buf_free(&b); /* log_read has answered */
    return;
  }
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "],\"next\":");
  if (rc == limit)
    lk_buf_printf(&b, "\"%lld\"", (long long)lc.last);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, "}\n");
  lk_req_respond_buf(req, 200, "application/json", &b);
}
