/* common.c - authentication, suspended writes and paging for handlers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/session.h"
#include "core/token.h"
#include "core/token_cache.h"
#include "http/problem.h"

int lk_api_auth(lk_req *req, const char *scope) {
  const char *h = lk_req_header(req, "Authorization");
  const char *secret = NULL;
  lk_principal p = {0};
  lk_token_row t;
  int rc;

  /* Without an Authorization header a browser's session may speak. */
  if (h == NULL) {
    rc = lk_api_session_auth(req, scope);
    if (rc != LK_API_SESSION_NONE)
      return rc;
  }
  /* Authentication schemes are case-insensitive (RFC 9110, 11.1). */
  if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
    secret = h + 7;
  else if (h != NULL && strncasecmp(h, "Token ", 6) == 0)
    secret = h + 6;
  if (secret == NULL) {
    lk_req_add_header(req, "WWW-Authenticate", "Bearer realm=\"loket\"");
    lk_req_problem(req, 401, "unauthenticated", "Authentication required",
                   "send an API token as Authorization: Bearer <token>, or "
                   "log in for a session",
                   NULL);
    return -1;
  }
  while (*secret == ' ')
    secret++;
  rc = lk_token_cache_verify(lk_req_app(req)->tokens, secret, &t);
  if (rc == LK_STORE_NOTFOUND) {
    lk_req_add_header(req, "WWW-Authenticate",
                      "Bearer realm=\"loket\", error=\"invalid_token\"");
    lk_req_problem(req, 401, "invalid-token", "Invalid token",
                   "the token is unknown or has been revoked", NULL);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  snprintf(p.actor, sizeof(p.actor), "token:%s", t.id);
  snprintf(p.role, sizeof(p.role), "%s",
           lk_token_has_scope(&t, "admin") ? "admin" : "system");
  p.confidential = lk_token_has_scope(&t, "confidential");
  lk_req_set_principal(req, &p);
  if (!lk_token_has_scope(&t, scope)) {
    char detail[96];

    snprintf(detail, sizeof(detail), "this token lacks the scope \"%s\"",
             scope);
    lk_req_problem(req, 403, "insufficient-scope", "Forbidden", detail, NULL);
    return -1;
  }
  return 0;
}

static int role_rank(const char *role) {
  if (strcmp(role, "admin") == 0)
    return 3;
  if (strcmp(role, "supervisor") == 0)
    return 2;
  if (strcmp(role, "agent") == 0 || strcmp(role, "system") == 0)
    return 1;
  return 0;
}

int lk_api_auth_role(lk_req *req, const char *scope, const char *role) {
  char detail[96];

  if (lk_api_auth(req, scope) != 0)
    return -1;
  if (role_rank(lk_req_principal(req)->role) >= role_rank(role))
    return 0;
  snprintf(detail, sizeof(detail), "this needs the role \"%s\"", role);
  lk_req_problem(req, 403, "insufficient-role", "Forbidden", detail, NULL);
  return -1;
}

static int write_apply(lk_tx *tx, void *arg) {
  lk_api_write *aw = arg;

  return aw->apply(tx, aw->op);
}

static void write_done(int status, void *arg) {
  lk_api_write *aw = arg;

  aw->status = status;
  lk_req_resume(aw->req);
}

static void write_resumed(lk_req *req) {
  lk_api_write *aw = lk_req_data(req);

  aw->then(req, aw->status);
}

void lk_api_submit(lk_req *req, lk_api_write *aw, lk_write_fn apply, void *op,
                   void (*then)(lk_req *req, int status)) {
  int rc;

  aw->req = req;
  aw->apply = apply;
  aw->op = op;
  aw->then = then;
  aw->w.apply = write_apply;
  aw->w.done = write_done;
  aw->w.arg = aw;
  lk_req_suspend(req, write_resumed);
  rc = lk_store_submit(lk_req_app(req)->store, &aw->w);
  if (rc != 0) {
    aw->status = rc;
    lk_req_resume(req);
  }
}

int lk_api_limit(lk_req *req, int def, int max, int *out) {
  const char *s = lk_req_query(req, "limit");
  char detail[64];
  long v;
  char *end;

  if (s == NULL) {
    *out = def;
    return 0;
  }
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max) {
    snprintf(detail, sizeof(detail), "must be an integer from 1 to %d", max);
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter", detail,
                   "limit");
    return -1;
  }
  *out = (int)v;
  return 0;
}

void *lk_api_data(lk_req *req, size_t size, void (*free_fn)(void *)) {
  void *data = calloc(1, size);

  if (data == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return NULL;
  }
  lk_req_set_data(req, data, free_fn);
  return data;
}

void lk_api_invalid(lk_req *req, const lk_invalid *why) {
  char field[64];

  /* Core names fields "name" or, nested, "/area/radius": one slash. */
  snprintf(field, sizeof(field), "%s%s", why->field[0] == '/' ? "" : "/",
           why->field);
  lk_req_problem(req, 422, "invalid-field", "Invalid field", why->reason,
                 field);
}

void lk_api_bad_param(lk_req *req, const lk_invalid *why) {
  lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                 why->reason, why->field);
}

void lk_api_prepare_failed(lk_req *req, int rc, const lk_invalid *why) {
  if (rc == LK_EINVALID && strcmp(why->field, "id") == 0)
    lk_req_problem_store(req, LK_STORE_NOTFOUND); /* names nothing */
  else if (rc == LK_EINVALID)
    lk_api_invalid(req, why);
  else
    lk_req_problem_store(req, rc);
}

int lk_api_add_routes(lk_router *r, const lk_api_route *routes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int rc = lk_router_add(r, routes[i].method, routes[i].pattern,
                           routes[i].handler, routes[i].flags);

    if (rc != 0)
      return rc;
  }
  return 0;
}

void lk_api_location(lk_req *req, const char *collection, const char *id) {
  char location[128];

  snprintf(location, sizeof(location), "/api/v1/%s/%s", collection, id);
  lk_req_add_header(req, "Location", location);
}

void lk_api_list_end(lk_req *req, lk_buf *b, int rc, int limit,
                     const char *last) {
  if (rc < 0) {
    lk_buf_free(b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(b, "],\"next\":");
  if (rc == limit)
    lk_buf_json_str(b, last);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, "}\n");
  lk_req_respond_buf(req, 200, "application/json", b);
}
