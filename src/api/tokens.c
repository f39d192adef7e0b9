/* tokens.c - /api/v1/tokens: API tokens, managed by an admin token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/token.h"
#include "http/json.h"
#include "http/problem.h"

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_token_create_op op;
};

static void created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;
  char location[64];

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_token_json(&b, &ctx->op.token);
  /* The secret is shown this once and never again. */
  b.len--; /* drop the closing brace */
  lk_buf_puts(&b, ",\"token\":");
  lk_buf_json_str(&b, ctx->op.secret);
  lk_buf_puts(&b, "}\n");
  snprintf(location, sizeof(location), "/api/v1/tokens/%s", ctx->op.token.id);
  lk_req_add_header(req, "Location", location);
  lk_req_respond_buf(req, 201, "application/json", &b);
}

/* Joins the "scopes" array into the space-separated form, or answers 422. */
static int scopes_member(lk_req *req, json_t *body, char *out, size_t size) {
  json_t *arr = json_object_get(body, "scopes");
  size_t i;
  json_t *v;
  size_t len = 0;

  out[0] = '\0';
  if (arr == NULL)
    return 1; /* default */
  if (!json_is_array(arr)) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be an array of scope names", "/scopes");
    return -1;
  }
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    size_t n;

    if (s == NULL) {
      lk_req_problem(req, 422, "invalid-field", "Invalid field",
                     "must be an array of scope names", "/scopes");
      return -1;
    }
    n = strlen(s);
    if (n == 0 || len + n + 2 > size || strchr(s, ' ') != NULL) {
      lk_req_problem(
          req, 422, "invalid-field", "Invalid field",
          "must list distinct scopes among api, events, confidential and admin",
          "/scopes");
      return -1;
    }
    if (len > 0)
      out[len++] = ' ';
    memcpy(out + len, s, n + 1);
    len += n;
  }
  return 0;
}

void lk_api_tokens_create(lk_req *req) {
  static const char *const allowed[] = {"name", "scopes", NULL};
  struct create_ctx *ctx;
  char scopes[LK_SCOPES_MAX + 8];
  const char *name;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "name", true, &name) != 0) {
    json_decref(body);
    return;
  }
  rc = scopes_member(req, body, scopes, sizeof(scopes));
  if (rc < 0) {
    json_decref(body);
    return;
  }
  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    json_decref(body);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_set_data(req, ctx, free);
  rc = lk_token_create_prepare(&ctx->op, lk_req_actor(req), name,
                               rc == 1 ? NULL : scopes, &why);
  json_decref(body);
  if (rc == LK_EINVALID) {
    char field[32];

    snprintf(field, sizeof(field), "/%s", why.field);
    lk_req_problem(req, 422, "invalid-field", "Invalid field", why.reason,
                   field);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_token_create_apply, &ctx->op, created);
}

void lk_api_tokens_get(lk_req *req) {
  lk_token_row t;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_api_auth(req, "admin") != 0)
    return;
  rc = lk_store_token_get(lk_req_app(req)->store, lk_req_param(req, "id"), &t);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_token_json(&b, &t);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_TOKEN_ID_LEN + 1];
};

static void list_one(const lk_token_row *t, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_token_json(lc->b, t);
  memcpy(lc->last, t->id, sizeof(lc->last));
}

void lk_api_tokens_list(lk_req *req) {
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_token_list(lk_req_app(req)->store, after ? after : "", limit,
                           list_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

struct revoke_ctx {
  lk_api_write aw;
  lk_token_revoke_op op;
};

static void revoked(lk_req *req, int status) {
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_req_respond(req, 204, NULL, "", 0);
}

void lk_api_tokens_revoke(lk_req *req) {
  struct revoke_ctx *ctx;
  lk_invalid why;

  if (lk_api_auth(req, "admin") != 0)
    return;
  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_set_data(req, ctx, free);
  if (lk_token_revoke_prepare(&ctx->op, lk_req_actor(req),
                              lk_req_param(req, "id"), &why) != 0) {
    /* A malformed id names no token. */
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_token_revoke_apply, &ctx->op, revoked);
}
