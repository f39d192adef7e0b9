/* users.c - /api/v1/users: staff accounts, managed by an administrator
 * (a session with the admin role, or a token with the admin scope). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h"
#include "core/session.h"
#include "core/user.h"
#include "http/json.h"
#include "http/problem.h"
#include "store/sessions.h"

/* lk_api_prepare_failed(), knowing that core/user.c calls the display
 * name "name" and the API "displayName". */
static void prepare_failed(lk_req *req, int rc, const lk_invalid *why) {
  lk_invalid w = *why;

  if (rc == LK_EINVALID && strcmp(w.field, "name") == 0)
    w.field = "displayName";
  lk_api_prepare_failed(req, rc, &w);
}

static void respond_user(lk_req *req, int status, const lk_user_row *u) {
  lk_buf b = LK_BUF_INIT;

  lk_user_json(&b, u);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, status, "application/json", &b);
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_USER_ID_LEN + 1];
};

static void list_one(const lk_user_row *u, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_user_json(lc->b, u);
  memcpy(lc->last, u->id, sizeof(lc->last));
}

void lk_api_users_list(lk_req *req) {
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_user_list(lk_req_app(req)->store, after ? after : "", limit,
                          list_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

void lk_api_users_get(lk_req *req) {
  lk_user_row u;
  int rc;

  if (lk_api_auth(req, "admin") != 0)
    return;
  rc = lk_store_user_get(lk_req_app(req)->store, lk_req_param(req, "id"), &u);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  respond_user(req, 200, &u);
}

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_user_add_op op;
};

static void created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_api_location(req, "users", ctx->op.user.id);
  respond_user(req, 201, &ctx->op.user);
}

void lk_api_users_create(lk_req *req) {
  static const char *const allowed[] = {"email", "displayName", "role",
                                        "password", NULL};
  struct create_ctx *ctx;
  const char *email;
  const char *name;
  const char *role;
  const char *password;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "email", true, &email) != 0 ||
      lk_json_string(req, body, "displayName", false, &name) != 0 ||
      lk_json_string(req, body, "role", true, &role) != 0 ||
      lk_json_string(req, body, "password", true, &password) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_user_add_prepare(&ctx->op, lk_req_actor(req), email, role,
                           name != NULL ? name : "", password, &why);
  json_decref(body);
  if (rc != 0) {
    prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_user_add_apply, &ctx->op, created);
}

struct update_ctx {
  lk_api_write aw;
  lk_user_update_op op;
};

static void updated(lk_req *req, int status) {
  struct update_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_user(req, 200, &ctx->op.user);
}

void lk_api_users_update(lk_req *req) {
  static const char *const allowed[] = {"role", "displayName", "disabled",
                                        NULL};
  struct update_ctx *ctx;
  const char *role;
  const char *name;
  json_t *disabled;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "role", false, &role) != 0 ||
      lk_json_string(req, body, "displayName", false, &name) != 0) {
    json_decref(body);
    return;
  }
  disabled = json_object_get(body, "disabled");
  if (disabled != NULL && !json_is_boolean(disabled)) {
    json_decref(body);
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be true or false", "/disabled");
    return;
  }
  if (json_object_size(body) == 0) {
    json_decref(body);
    lk_req_problem(req, 422, "invalid-body", "Invalid body",
                   "give at least one of role, displayName and disabled", NULL);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_user_update_prepare(&ctx->op, lk_req_actor(req),
                              lk_req_principal(req)->user_id,
                              lk_req_param(req, "id"), role, name,
                              disabled == NULL         ? -1
                              : json_is_true(disabled) ? 1
                                                       : 0,
                              &why);
  json_decref(body);
  if (rc == LK_EINVALID) {
    prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_user_update_apply, &ctx->op, updated);
}
