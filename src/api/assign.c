/* assign.c - assigning conversations by hand:
 * POST /api/v1/conversations/{id}/assignment and .../claim. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/teams.h"
#include "core/assign.h"
#include "http/json.h"
#include "http/problem.h"

struct assign_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_assign_op op;
};

/* 409 naming who has the conversation now, as extra members of the
 * problem (assigneeId, assigneeName, version) so a client can show it. */
static void taken(lk_req *req, const lk_assign_op *op) {
  bool version = op->expect_version > 0 && op->kind != LK_ASSIGN_CLAIM;
  lk_buf b = LK_BUF_INIT;
  char detail[LK_ACTOR_NAME_MAX + 96];

  if (op->holder_id[0] == '\0')
    snprintf(detail, sizeof(detail),
             "the conversation changed since version %lld and is unassigned",
             (long long)op->expect_version);
  else
    snprintf(detail, sizeof(detail), "the conversation is assigned to %s",
             op->holder_name[0] != '\0' ? op->holder_name : op->holder_id);
  lk_buf_puts(&b, "{\"type\":\"urn:loket:problem:");
  lk_buf_puts(&b, version ? "version-mismatch" : "already-assigned");
  lk_buf_puts(&b, "\",\"title\":\"Conflict\",\"status\":409,\"detail\":");
  lk_buf_json_str(&b, detail);
  lk_buf_puts(&b, ",\"assigneeId\":");
  if (op->holder_id[0] != '\0')
    lk_buf_json_str(&b, op->holder_id);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, ",\"assigneeName\":");
  if (op->holder_id[0] != '\0')
    lk_buf_json_str(&b, op->holder_name);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, ",\"instance\":");
  lk_buf_json_str(&b, lk_req_path(req));
  lk_buf_puts(&b, ",\"requestId\":");
  lk_buf_json_str(&b, lk_req_id(req));
  lk_buf_puts(&b, "}\n");
  lk_req_respond_buf(req, 409, "application/problem+json", &b);
}

static void assign_done(lk_req *req, int status) {
  struct assign_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status == LK_STORE_CONFLICT) {
    taken(req, &ctx->op);
    return;
  }
  if (status == LK_EINVALID) {
    lk_api_invalid(req, &ctx->op.why);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_assign_json(&b, &ctx->op);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static struct assign_ctx *new_ctx(lk_req *req) {
  struct assign_ctx *ctx = lk_api_data(req, sizeof(*ctx), free);

  if (ctx == NULL)
    return NULL;
  return ctx;
}

static void prepared(lk_req *req, struct assign_ctx *ctx, int rc,
                     const lk_invalid *why) {
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_assign_apply, &ctx->op, assign_done);
}

void lk_api_conversations_assign(lk_req *req) {
  static const char *const allowed[] = {"assigneeId", "teamId", "version",
                                        NULL};
  const lk_principal *p;
  struct assign_ctx *ctx;
  const char *assignee;
  const char *team;
  long long version = 0;
  bool has_version;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string_or_null(req, body, "assigneeId", true, &assignee) != 0 ||
      lk_json_string(req, body, "teamId", false, &team) != 0 ||
      lk_json_int(req, body, "version", false, 1, INT64_MAX, &version,
                  &has_version) != 0) {
    json_decref(body);
    return;
  }
  ctx = new_ctx(req);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  p = lk_req_principal(req);
  rc =
      lk_assign_prepare(&ctx->op, p->actor, p->confidential,
                        lk_req_param(req, "id"), assignee, team, version, &why);
  json_decref(body);
  prepared(req, ctx, rc, &why);
}

void lk_api_conversations_claim(lk_req *req) {
  static const char *const allowed[] = {"agentId", NULL};
  const lk_principal *p;
  struct assign_ctx *ctx;
  const char *agent = NULL;
  lk_invalid why;
  json_t *body = NULL;
  size_t len = 0;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  p = lk_req_principal(req);
  /* A staff member claims for themself; a system (a token, no actor)
   * claims on behalf of the agent it names. */
  lk_req_body(req, &len);
  if (len > 0) {
    if (lk_req_json(req, &body) != 0)
      return;
    if (lk_json_only(req, body, allowed) != 0 ||
        lk_json_string(req, body, "agentId", false, &agent) != 0) {
      json_decref(body);
      return;
    }
  }
  if (p->actor_id[0] != '\0' && agent != NULL &&
      strcmp(agent, p->actor_id) != 0) {
    json_decref(body);
    lk_req_problem(req, 403, "not-yours", "Forbidden",
                   "staff claim conversations for themselves; assign it "
                   "instead",
                   "/agentId");
    return;
  }
  if (agent == NULL)
    agent = p->actor_id;
  ctx = new_ctx(req);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_claim_prepare(&ctx->op, p->actor, p->confidential,
                        lk_req_param(req, "id"), agent, &why);
  json_decref(body);
  prepared(req, ctx, rc, &why);
}
