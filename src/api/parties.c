/* parties.c - GET /api/v1/parties, /parties/{id} and /parties/{id}/timeline:
 * finding a resident, the resident card and the resident's history. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/residents.h"
#include "core/resident.h"
#include "http/json.h"
#include "http/problem.h"

lk_viewer lk_api_viewer(lk_req *req) {
  const lk_principal *p = lk_req_principal(req);

  return (lk_viewer){p->actor, lk_req_id(req), p->confidential};
}

static void respond_json(lk_req *req, int rc, lk_buf *b) {
  if (rc != 0) {
    lk_buf_free(b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", b);
}

void lk_api_parties_find(lk_req *req) {
  lk_party_query *q;
  lk_viewer v;
  lk_invalid why;
  lk_buf b = LK_BUF_INIT;
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 ||
      lk_api_limit(req, 20, LK_PARTY_FIND_MAX, &limit) != 0)
    return;
  v = lk_api_viewer(req);
  q = malloc(sizeof(*q));
  if (q == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_party_query_prepare(
      q, lk_req_query(req, "email"), lk_req_query(req, "phone"),
      lk_req_query(req, "bsn"), lk_req_query(req, "name"),
      lk_req_query(req, "after"), limit, v.confidential, &why);
  if (rc == LK_EINVALID) {
    free(q);
    lk_api_bad_param(req, &why);
    return;
  }
  rc = lk_resident_find(lk_req_app(req)->store, &v, q, &b);
  free(q);
  respond_json(req, rc, &b);
}

/* A card whose BSN is revealed waits in here for its log entry to
 * commit. */
struct reveal_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_reveal_op op;
  lk_buf body;
};

static void reveal_free(void *arg) {
  struct reveal_ctx *ctx = arg;

  lk_buf_free(&ctx->body);
  free(ctx);
}

static void revealed(lk_req *req, int status) {
  struct reveal_ctx *ctx = lk_req_data(req);

  /* No durable log entry, no BSN. */
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", &ctx->body);
}

static void card_revealed(lk_req *req, const lk_viewer *v, const char *id,
                          const char *reason) {
  struct reveal_ctx *ctx;
  lk_invalid why;
  int rc;

  ctx = lk_api_data(req, sizeof(*ctx), reveal_free);
  if (ctx == NULL)
    return;
  if (lk_resident_reveal_prepare(&ctx->op, v, id, reason, &why) != 0) {
    lk_req_problem(req, 422,
                   reason == NULL || reason[0] == '\0' ? "missing-field"
                                                       : "invalid-field",
                   "Invalid input", why.reason, "/reason");
    return;
  }
  rc = lk_resident_card(lk_req_app(req)->store, v, id, true, &ctx->body);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_resident_reveal_apply, &ctx->op, revealed);
}

void lk_api_party_card(lk_req *req) {
  const char *reveal = lk_req_query(req, "reveal");
  const char *id = lk_req_param(req, "id");
  lk_buf b = LK_BUF_INIT;
  lk_viewer v;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  v = lk_api_viewer(req);
  /* Revealing writes (the processing log, with the caller's reason), so
   * it is a POST: a cross-site link must not write it in someone's name. */
  if (reveal != NULL) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "reveal with POST /api/v1/parties/{id}/reveal "
                   "{\"field\":\"bsn\",\"reason\":\"...\"}",
                   "reveal");
    return;
  }
  rc = lk_resident_card(lk_req_app(req)->store, &v, id, false, &b);
  respond_json(req, rc, &b);
}

/* POST /api/v1/parties/{id}/reveal {"field":"bsn","reason":"..."}: the
 * card with the BSN unmasked, once the reveal-bsn log row is durable. */
void lk_api_party_reveal(lk_req *req) {
  static const char *const allowed[] = {"field", "reason", NULL};
  const char *field;
  const char *reason;
  json_t *body;
  lk_viewer v;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "field", true, &field) != 0 ||
      lk_json_string(req, body, "reason", false, &reason) != 0) {
    json_decref(body);
    return;
  }
  if (strcmp(field, "bsn") != 0) {
    json_decref(body);
    lk_req_problem(req, 422, "invalid-field", "Invalid input",
                   "the only field to reveal is bsn", "/field");
    return;
  }
  v = lk_api_viewer(req);
  card_revealed(req, &v, lk_req_param(req, "id"), reason);
  json_decref(body);
}

void lk_api_party_timeline(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  lk_invalid why;
  lk_viewer v;
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 ||
      lk_api_limit(req, 50, LK_TIMELINE_MAX, &limit) != 0)
    return;
  v = lk_api_viewer(req);
  rc = lk_resident_timeline(lk_req_app(req)->store, &v, lk_req_param(req, "id"),
                            lk_req_query(req, "after"), limit, &b, &why);
  if (rc == LK_EINVALID) {
    lk_api_bad_param(req, &why);
    return;
  }
  respond_json(req, rc, &b);
}

static const lk_api_route routes[] = {
    {"GET", "/api/v1/parties", lk_api_parties_find, 0},
    {"GET", "/api/v1/parties/{id}", lk_api_party_card, 0},
    {"GET", "/api/v1/parties/{id}/timeline", lk_api_party_timeline, 0},
    {"POST", "/api/v1/parties/{id}/reveal", lk_api_party_reveal, 0},
    {"GET", "/api/v1/processing-log", lk_api_proclog_list, 0},
};

int lk_residents_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
