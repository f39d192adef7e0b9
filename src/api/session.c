/* session.c - /api/v1/session, and the session half of authentication.
 *
 * A session cookie is looked up in the store on every request (one read
 * on a pooled connection, joining the account and its medewerker actor),
 * so a log-out, a password change or a disabled account holds for the
 * very next request, also when the CLI made the change.
 */
#include "api/session.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/ratelimit.h"
#include "core/user.h"
#include "http/cookie.h"
#include "http/json.h"
#include "http/problem.h"
#include "pages/login.h"
#include "util/clock.h"
#include "util/log.h"

/* ---- configuration -------------------------------------------------- */

void lk_api_session_config(lk_req *req, lk_session_config *cfg) {
  lk_app *app = lk_req_app(req);

  cfg->idle_ms = app->session_idle_ms > 0 ? app->session_idle_ms
                                          : LK_SESSION_IDLE_DEFAULT_MS;
  cfg->absolute_ms = app->session_absolute_ms > 0
                         ? app->session_absolute_ms
                         : LK_SESSION_ABSOLUTE_DEFAULT_MS;
}

/* The first item of a comma-separated header, into `out`. */
static void first_item(const char *h, char *out, size_t size) {
  size_t n;

  while (*h == ' ' || *h == '\t')
    h++;
  n = strcspn(h, ", \t");
  if (n >= size)
    n = 0;
  memcpy(out, h, n);
  out[n] = '\0';
}

bool lk_api_secure(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *proto;
  char first[16];

  if (app->secure_cookies)
    return true;
  if (!app->trust_proxy)
    return false;
  proto = lk_req_header(req, "X-Forwarded-Proto");
  if (proto == NULL)
    return false;
  first_item(proto, first, sizeof(first));
  return strcasecmp(first, "https") == 0;
}

/* ---- who is calling ----------------------------------------------------- */

int lk_api_session_principal(lk_req *req, lk_principal *p,
                             lk_session_row *row) {
  lk_store *store = lk_req_app(req)->store;
  char id[LK_SESSION_ID_LEN + 2]; /* room to notice one too long */
  char hash[65];
  lk_session_config cfg;
  lk_session_row r;
  int64_t now;
  int rc;

  rc = lk_req_cookie(req, LK_SESSION_COOKIE, id, sizeof(id));
  if (rc == LK_COOKIE_NONE)
    return LK_API_SESSION_NONE;
  if (rc != LK_COOKIE_FOUND || lk_session_digest(id, hash) != 0)
    return LK_API_SESSION_ENDED;
  rc = lk_store_session_get(store, hash, &r);
  if (rc == LK_STORE_NOTFOUND)
    return LK_API_SESSION_ENDED;
  if (rc != 0)
    return rc;
  lk_api_session_config(req, &cfg);
  now = lk_clock_real_ms();
  if (lk_session_check(&r, &cfg, now) != LK_SESSION_ACTIVE)
    return LK_API_SESSION_ENDED;
  /* Best effort: a lost touch only makes the idle time-out come sooner. */
  if (lk_session_needs_touch(&r, &cfg, now))
    (void)lk_session_touch_submit(store, hash);
  memset(p, 0, sizeof(*p));
  snprintf(p->actor, sizeof(p->actor), "user:%s", r.user.id);
  snprintf(p->role, sizeof(p->role), "%s", r.user.role);
  snprintf(p->user_id, sizeof(p->user_id), "%s", r.user.id);
  snprintf(p->actor_id, sizeof(p->actor_id), "%s", r.actor_id);
  p->confidential = lk_session_has_scope(r.user.role, "confidential");
  if (row != NULL)
    *row = r;
  return 0;
}

static bool method_is_safe(const char *m) {
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
         strcmp(m, "OPTIONS") == 0;
}

static void session_ended(lk_req *req) {
  lk_api_session_cookie_clear(req);
  lk_req_problem(req, 401, "session-expired", "Session ended",
                 "the session has expired or ended; log in again", NULL);
}

int lk_api_session_auth(lk_req *req, const char *scope) {
  lk_principal p;
  int rc = lk_api_session_principal(req, &p, NULL);

  if (rc == LK_API_SESSION_NONE)
    return rc;
  if (rc == LK_API_SESSION_ENDED) {
    session_ended(req);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  lk_req_set_principal(req, &p);
  if (!method_is_safe(lk_req_method(req))) {
    if (!lk_api_same_origin(req)) {
      lk_req_problem(req, 403, "cross-origin", "Forbidden",
                     "the request came from another site", NULL);
      return -1;
    }
    if (!lk_api_csrf_valid(req)) {
      lk_req_problem(req, 403, "csrf", "Forbidden",
                     "send the session's CSRF token as X-CSRF-Token", NULL);
      return -1;
    }
  }
  if (!lk_session_has_scope(p.role, scope)) {
    char detail[96];

    snprintf(detail, sizeof(detail), "the role \"%s\" lacks the scope \"%s\"",
             p.role, scope);
    lk_req_problem(req, 403, "insufficient-scope", "Forbidden", detail, NULL);
    return -1;
  }
  return 0;
}

/* ---- cross-site requests ------------------------------------------------ */

/* "host:port" equal to "host:port", ignoring case and a default port. */
static bool authority_equal(const char *a, size_t alen, const char *b,
                            const char *default_port) {
  size_t blen = strlen(b);
  size_t dlen = strlen(default_port);

  if (alen > dlen && memcmp(a + alen - dlen, default_port, dlen) == 0)
    alen -= dlen;
  if (blen > dlen && strcmp(b + blen - dlen, default_port) == 0)
    blen -= dlen;
  return alen == blen && strncasecmp(a, b, alen) == 0;
}

bool lk_api_same_origin(lk_req *req) {
  const char *site = lk_req_header(req, "Sec-Fetch-Site");
  const char *origin = lk_req_header(req, "Origin");
  const char *host = NULL;
  const char *auth;
  bool https;
  char fwd[256];

  /* same-site is refused too: a sibling subdomain is another party. */
  if (site != NULL && (strcasecmp(site, "cross-site") == 0 ||
                       strcasecmp(site, "same-site") == 0))
    return false;
  if (origin == NULL)
    return true;
  if (strncasecmp(origin, "https://", 8) == 0) {
    https = true;
    auth = origin + 8;
  } else if (strncasecmp(origin, "http://", 7) == 0) {
    https = false;
    auth = origin + 7;
  } else {
    return false; /* "null" (a sandboxed or privacy-sensitive context), ... */
  }
  if (lk_api_secure(req) && !https)
    return false;
  if (lk_req_app(req)->trust_proxy) {
    const char *xfh = lk_req_header(req, "X-Forwarded-Host");

    if (xfh != NULL) {
      first_item(xfh, fwd, sizeof(fwd));
      if (fwd[0] != '\0')
        host = fwd;
    }
  }
  if (host == NULL)
    host = lk_req_header(req, "Host");
  if (host == NULL || auth[0] == '\0' || strpbrk(auth, "/?#@ ") != NULL)
    return false;
  return authority_equal(auth, strlen(auth), host, https ? ":443" : ":80");
}

int lk_api_csrf_token(lk_req *req, char out[LK_CSRF_TOKEN_LEN + 1]) {
  char id[LK_SESSION_ID_LEN + 2];

  if (lk_req_cookie(req, LK_SESSION_COOKIE, id, sizeof(id)) !=
          LK_COOKIE_FOUND ||
      !lk_session_id_valid(id))
    return -1;
  lk_session_csrf_token(id, out);
  return 0;
}

bool lk_api_csrf_valid(lk_req *req) {
  char want[LK_CSRF_TOKEN_LEN + 1];
  char field[LK_CSRF_TOKEN_LEN + 2];
  const char *given;

  if (!lk_api_same_origin(req) || lk_api_csrf_token(req, want) != 0)
    return false;
  given = lk_req_header(req, "X-CSRF-Token");
  if (given == NULL && lk_req_is_form(req)) {
    size_t len;
    const char *body = lk_req_body(req, &len);

    if (lk_form_find(body, len, "csrf", field, sizeof(field)) ==
        LK_COOKIE_FOUND)
      given = field;
  }
  return given != NULL && lk_secret_equal(want, given);
}

/* ---- cookies ------------------------------------------------------------ */

void lk_api_session_cookie(lk_req *req, const lk_session_login_op *op) {
  lk_cookie_attrs a = {.secure = lk_api_secure(req)};

  /* No Max-Age: the browser forgets it when it closes, the server when
   * a time-out passes. */
  lk_req_set_cookie(req, LK_SESSION_COOKIE, op->id, &a);
}

void lk_api_session_cookie_clear(lk_req *req) {
  lk_cookie_attrs a = {.secure = lk_api_secure(req), .clear = true};

  lk_req_set_cookie(req, LK_SESSION_COOKIE, "", &a);
}

long lk_api_retry_seconds(int64_t retry_ms) {
  return retry_ms <= 0 ? 1 : (long)((retry_ms + 999) / 1000);
}

/* ---- log-in ---------------------------------------------------------- */

/* The rate-limit key of an e-mail address: its lower-case form. */
static void account_key(lk_buf *b, const char *email) {
  lk_buf_puts(b, "account:");
  for (const char *p = email; *p != '\0'; p++)
    lk_buf_putc(b, (char)tolower((unsigned char)*p));
}

/* The rate-limit key of an address: IPv6 clients are limited per /64,
 * the block one subscriber usually gets. */
static void address_key(lk_buf *b, const char *address) {
  struct in6_addr a6;
  char text[INET6_ADDRSTRLEN];

  lk_buf_puts(b, "address:");
  if (strchr(address, ':') != NULL && inet_pton(AF_INET6, address, &a6) == 1 &&
      !IN6_IS_ADDR_V4MAPPED(&a6)) {
    memset(a6.s6_addr + 8, 0, 8);
    if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL) {
      lk_buf_puts(b, text);
      lk_buf_puts(b, "/64");
      return;
    }
  }
  lk_buf_puts(b, address);
}

/* Takes back what an attempt counted: it turned out to be no guess. */
static void login_uncount(lk_app *app, lk_api_login *l, bool account_too) {
  if (account_too && app->login_by_account != NULL)
    lk_ratelimit_forgive(app->login_by_account, l->account_key,
                         l->account_stamp);
  if (app->login_by_address != NULL)
    lk_ratelimit_forgive(app->login_by_address, l->address_key,
                         l->address_stamp);
}

static void free_secret(char **s) {
  if (*s != NULL) {
    sodium_memzero(*s, strlen(*s));
    free(*s);
    *s = NULL;
  }
}

/* The password check: on a worker thread, or inline without one. */
static void login_work(lk_work *w) {
  lk_api_login *l =
      (lk_api_login *)(void *)((char *)w - offsetof(lk_api_login, work));

  l->rc = lk_user_check_password(lk_req_app(l->req)->store, l->email,
                                 l->password, &l->user);
  free_secret(&l->password);
  if (l->queued)
    lk_req_resume(l->req);
}

/* Back on a server thread: settle the counts and prepare the session. */
static void login_finish(lk_req *req) {
  lk_api_login *l = lk_req_data(req);
  lk_app *app = lk_req_app(req);
  char old[LK_SESSION_ID_LEN + 2];
  lk_session_config cfg;
  int rc = l->rc;

  if (rc == LK_STORE_NOTFOUND) {
    lk_log(LK_LOG_WARN, "log-in refused", "id", lk_req_id(req), "remote",
           l->address, NULL);
    rc = LK_LOGIN_REFUSED;
  } else if (rc == LK_LOGIN_BUSY) {
    login_uncount(app, l, true);
  } else {
    /* A success (or our own failure) is no guess: it does not count. */
    if (app->login_by_account != NULL)
      lk_ratelimit_reset(app->login_by_account, l->account_key);
    login_uncount(app, l, false);
  }
  if (rc == 0) {
    lk_api_session_config(req, &cfg);
    /* The session the browser had before (or was given by an attacker)
     * ends with this log-in. */
    lk_req_cookie(req, LK_SESSION_COOKIE, old, sizeof(old));
    lk_session_login_prepare(&l->op, &l->user, old[0] != '\0' ? old : NULL,
                             l->address, &cfg);
  }
  free(l->email);
  free(l->account_key);
  free(l->address_key);
  l->email = l->account_key = l->address_key = NULL;
  l->then(req, rc);
}

void lk_api_login_start(lk_req *req, lk_api_login *l, const char *email,
                        const char *password,
                        void (*then)(lk_req *req, int rc)) {
  lk_app *app = lk_req_app(req);
  lk_buf akey = LK_BUF_INIT;
  lk_buf bkey = LK_BUF_INIT;
  int64_t wait = 0;

  l->req = req;
  l->then = then;
  lk_req_client_address(req, app->trust_proxy, l->address, sizeof(l->address));
  account_key(&akey, email);
  address_key(&bkey, l->address);
  l->account_key = lk_buf_steal(&akey);
  l->address_key = lk_buf_steal(&bkey);
  l->email = strdup(email);
  l->password = strdup(password);
  if (l->account_key == NULL || l->address_key == NULL || l->email == NULL ||
      l->password == NULL) {
    free_secret(&l->password);
    free(l->email);
    free(l->account_key);
    free(l->address_key);
    l->email = l->account_key = l->address_key = NULL;
    then(req, LK_STORE_NOMEM);
    return;
  }
  /* Counted before the check, so parallel guesses cannot outrun it. */
  if (app->login_by_account != NULL)
    wait = lk_ratelimit_hit(app->login_by_account, l->account_key,
                            &l->account_stamp);
  if (wait == 0 && app->login_by_address != NULL) {
    wait = lk_ratelimit_hit(app->login_by_address, l->address_key,
                            &l->address_stamp);
    if (wait > 0 && app->login_by_account != NULL)
      lk_ratelimit_forgive(app->login_by_account, l->account_key,
                           l->account_stamp);
  }
  if (wait > 0) {
    lk_log(LK_LOG_WARN, "log-in rate limited", "id", lk_req_id(req), "remote",
           l->address, NULL);
    l->retry_ms = wait;
    free_secret(&l->password);
    free(l->email);
    free(l->account_key);
    free(l->address_key);
    l->email = l->account_key = l->address_key = NULL;
    then(req, LK_LOGIN_LIMITED);
    return;
  }
  l->work.fn = login_work;
  if (app->hasher == NULL) {
    login_work(&l->work);
    login_finish(req);
    return;
  }
  l->queued = true;
  lk_req_suspend(req, login_finish);
  if (lk_worker_submit(app->hasher, &l->work) != 0) {
    l->queued = false;
    free_secret(&l->password);
    l->rc = LK_LOGIN_BUSY;
    lk_req_resume(req);
  }
}

/* ---- handlers --------------------------------------------------------- */

/* {"user":{...},"csrfToken":...,"expiresAt":...} for session `id`. */
static void session_json(lk_buf *b, const lk_session_row *r, const char *id) {
  char csrf[LK_CSRF_TOKEN_LEN + 1];

  lk_session_csrf_token(id, csrf);
  lk_buf_puts(b, "{\"user\":{\"id\":");
  lk_buf_json_str(b, r->user.id);
  lk_buf_puts(b, ",\"email\":");
  lk_buf_json_str(b, r->user.email);
  lk_buf_puts(b, ",\"displayName\":");
  lk_buf_json_str(b, r->user.display_name);
  lk_buf_puts(b, ",\"role\":");
  lk_buf_json_str(b, r->user.role);
  lk_buf_puts(b, ",\"actorId\":");
  if (r->actor_id[0] != '\0')
    lk_buf_json_str(b, r->actor_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, "},\"csrfToken\":");
  lk_buf_json_str(b, csrf);
  lk_buf_printf(b, ",\"createdAt\":%lld,\"expiresAt\":%lld",
                (long long)r->created_at, (long long)r->expires_at);
}

/* Answers with the session `op` has just stored, and its cookie. */
static void respond_new_session(lk_req *req, int status,
                                const lk_session_login_op *op,
                                const char *extra) {
  lk_session_row r;
  lk_buf b = LK_BUF_INIT;
  int rc = lk_store_session_get(lk_req_app(req)->store, op->id_hash, &r);

  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_session_cookie(req, op);
  session_json(&b, &r, op->id);
  if (extra != NULL)
    lk_buf_puts(&b, extra);
  lk_buf_puts(&b, "}\n");
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void too_many(lk_req *req, int64_t retry_ms) {
  char secs[24];

  snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry_ms));
  lk_req_add_header(req, "Retry-After", secs);
  lk_req_problem(req, 429, "too-many-attempts", "Too many attempts",
                 "too many log-in attempts; wait before trying again", NULL);
}

static void busy(lk_req *req) {
  lk_req_add_header(req, "Retry-After", "1");
  lk_req_problem(req, 503, "busy", "Service unavailable",
                 "too many log-ins at once; retry shortly", NULL);
}

static void logged_in(lk_req *req, int status) {
  lk_api_login *l = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_req_add_header(req, "Location", "/api/v1/session");
  respond_new_session(req, 201, &l->op, NULL);
}

static void login_checked(lk_req *req, int rc) {
  lk_api_login *l = lk_req_data(req);

  if (rc == LK_LOGIN_LIMITED) {
    too_many(req, l->retry_ms);
    return;
  }
  if (rc == LK_LOGIN_REFUSED) {
    lk_req_problem(req, 401, "invalid-credentials", "Log-in failed",
                   "the e-mail address or the password is wrong", NULL);
    return;
  }
  if (rc == LK_LOGIN_BUSY) {
    busy(req);
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_submit(req, &l->aw, lk_session_login_apply, &l->op, logged_in);
}

void lk_api_session_create(lk_req *req) {
  static const char *const allowed[] = {"email", "password", NULL};
  lk_api_login *l;
  const char *email;
  const char *password;
  json_t *body;

  if (!lk_api_same_origin(req)) {
    lk_req_problem(req, 403, "cross-origin", "Forbidden",
                   "the request came from another site", NULL);
    return;
  }
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "email", true, &email) != 0 ||
      lk_json_string(req, body, "password", true, &password) != 0) {
    json_decref(body);
    return;
  }
  l = lk_api_data(req, sizeof(*l), free);
  if (l == NULL) {
    json_decref(body);
    return;
  }
  lk_api_login_start(req, l, email, password, login_checked);
  json_decref(body);
}

void lk_api_session_get(lk_req *req) {
  char id[LK_SESSION_ID_LEN + 2];
  lk_session_row r;
  lk_principal p;
  lk_buf b = LK_BUF_INIT;
  int rc = lk_api_session_principal(req, &p, &r);

  if (rc == LK_API_SESSION_NONE) {
    lk_req_problem(req, 401, "unauthenticated", "Authentication required",
                   "there is no session; log in first", NULL);
    return;
  }
  if (rc == LK_API_SESSION_ENDED) {
    session_ended(req);
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_set_principal(req, &p);
  lk_req_cookie(req, LK_SESSION_COOKIE, id, sizeof(id));
  session_json(&b, &r, id);
  lk_buf_puts(&b, "}\n");
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* Token callers have no session to end or password to change. */
static int need_session(lk_req *req) {
  if (lk_req_principal(req)->user_id[0] != '\0')
    return 0;
  lk_req_problem(req, 403, "session-required", "Forbidden",
                 "this needs a staff member's session, not an API token", NULL);
  return -1;
}

struct logout_ctx {
  lk_api_write aw;
  lk_session_logout_op op;
};

static void logged_out(lk_req *req, int status) {
  /* Already gone (a parallel log-out) is what was asked for. */
  if (status != 0 && status != LK_STORE_NOTFOUND) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_api_session_cookie_clear(req);
  lk_req_respond(req, 204, NULL, "", 0);
}

void lk_api_session_delete(lk_req *req) {
  struct logout_ctx *ctx;
  char id[LK_SESSION_ID_LEN + 2];

  if (lk_api_auth(req, "api") != 0 || need_session(req) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  lk_req_cookie(req, LK_SESSION_COOKIE, id, sizeof(id));
  if (lk_session_logout_prepare(&ctx->op, lk_req_actor(req), id) != 0) {
    session_ended(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_session_logout_apply, &ctx->op, logged_out);
}

struct password_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_password_change_op op;
  lk_work work;
  lk_req *req;
  bool queued;
  char actor[LK_NAME_MAX + 1];
  char email[LK_EMAIL_MAX + 1];
  char address[LK_CLIENT_ADDRESS_MAX + 1];
  char *current;
  char *fresh;
  char *key; /* the account's rate-limit key */
  lk_session_config cfg;
  lk_invalid why;
  int rc;
};

static void password_changed(lk_req *req, int status) {
  struct password_ctx *ctx = lk_req_data(req);
  char extra[48];

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  snprintf(extra, sizeof(extra), ",\"sessionsEnded\":%lld",
           (long long)ctx->op.ended);
  respond_new_session(req, 200, &ctx->op.session, extra);
}

/* Both argon2id runs, on a worker thread or inline: check the current
 * password, hash the new one. */
static void password_work(lk_work *w) {
  struct password_ctx *ctx =
      (struct password_ctx *)(void *)((char *)w -
                                      offsetof(struct password_ctx, work));
  lk_user_row u;

  ctx->rc = lk_user_check_password(lk_req_app(ctx->req)->store, ctx->email,
                                   ctx->current, &u);
  if (ctx->rc == 0)
    ctx->rc = lk_password_change_prepare(&ctx->op, ctx->actor, &u, ctx->fresh,
                                         ctx->address, &ctx->cfg, &ctx->why);
  free_secret(&ctx->current);
  free_secret(&ctx->fresh);
  if (ctx->queued)
    lk_req_resume(ctx->req);
}

static void password_checked(lk_req *req) {
  struct password_ctx *ctx = lk_req_data(req);
  lk_app *app = lk_req_app(req);
  int rc = ctx->rc;

  if (rc != LK_STORE_NOTFOUND && rc != LK_LOGIN_BUSY &&
      app->login_by_account != NULL)
    lk_ratelimit_reset(app->login_by_account, ctx->key);
  free(ctx->key);
  ctx->key = NULL;
  if (rc == LK_STORE_NOTFOUND) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "is not the current password", "/currentPassword");
    return;
  }
  if (rc == LK_LOGIN_BUSY) {
    busy(req);
    return;
  }
  if (rc == LK_EINVALID) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field", ctx->why.reason,
                   "/newPassword");
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_password_change_apply, &ctx->op,
                password_changed);
}

void lk_api_session_password(lk_req *req) {
  static const char *const allowed[] = {"currentPassword", "newPassword", NULL};
  lk_app *app = lk_req_app(req);
  struct password_ctx *ctx;
  const char *current;
  const char *fresh;
  lk_user_row self;
  lk_buf key = LK_BUF_INIT;
  int64_t wait = 0;
  json_t *body;
  size_t flen;
  int rc;

  if (lk_api_auth(req, "api") != 0 || need_session(req) != 0)
    return;
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "currentPassword", true, &current) != 0 ||
      lk_json_string(req, body, "newPassword", true, &fresh) != 0) {
    json_decref(body);
    return;
  }
  /* Cheap checks before any argon2id. */
  flen = strlen(fresh);
  if (flen < LK_PASSWORD_MIN || flen > LK_PASSWORD_MAX) {
    json_decref(body);
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be 12 to 1024 characters long", "/newPassword");
    return;
  }
  rc = lk_store_user_get(app->store, lk_req_principal(req)->user_id, &self);
  ctx = rc == 0 ? calloc(1, sizeof(*ctx)) : NULL;
  if (ctx == NULL) {
    json_decref(body);
    lk_req_problem_store(req, rc != 0 ? rc : LK_STORE_NOMEM);
    return;
  }
  lk_req_set_data(req, ctx, free);
  ctx->req = req;
  snprintf(ctx->actor, sizeof(ctx->actor), "%s", lk_req_actor(req));
  snprintf(ctx->email, sizeof(ctx->email), "%s", self.email);
  lk_req_client_address(req, app->trust_proxy, ctx->address,
                        sizeof(ctx->address));
  lk_api_session_config(req, &ctx->cfg);
  account_key(&key, self.email);
  ctx->key = lk_buf_steal(&key);
  ctx->current = strdup(current);
  ctx->fresh = strdup(fresh);
  json_decref(body);
  if (ctx->key == NULL || ctx->current == NULL || ctx->fresh == NULL) {
    free_secret(&ctx->current);
    free_secret(&ctx->fresh);
    free(ctx->key);
    ctx->key = NULL;
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  /* A stolen session must not become a way to guess the password. */
  if (app->login_by_account != NULL)
    wait = lk_ratelimit_hit(app->login_by_account, ctx->key, NULL);
  if (wait > 0) {
    free_secret(&ctx->current);
    free_secret(&ctx->fresh);
    free(ctx->key);
    ctx->key = NULL;
    too_many(req, wait);
    return;
  }
  ctx->work.fn = password_work;
  if (app->hasher == NULL) {
    password_work(&ctx->work);
    password_checked(req);
    return;
  }
  ctx->queued = true;
  lk_req_suspend(req, password_checked);
  if (lk_worker_submit(app->hasher, &ctx->work) != 0) {
    ctx->queued = false;
    free_secret(&ctx->current);
    free_secret(&ctx->fresh);
    ctx->rc = LK_LOGIN_BUSY;
    lk_req_resume(req);
  }
}

/* ---- routes ------------------------------------------------------------- */

static const lk_api_route routes[] = {
    {"POST", "/api/v1/session", lk_api_session_create, 0},
    {"GET", "/api/v1/session", lk_api_session_get, 0},
    {"DELETE", "/api/v1/session", lk_api_session_delete, 0},
    {"POST", "/api/v1/session/password", lk_api_session_password, 0},
    {"GET", "/api/v1/users", lk_api_users_list, 0},
    {"POST", "/api/v1/users", lk_api_users_create, 0},
    {"GET", "/api/v1/users/{id}", lk_api_users_get, 0},
    {"PATCH", "/api/v1/users/{id}", lk_api_users_update, 0},
    {"GET", "/login", lk_page_login, 0},
    {"POST", "/login", lk_page_login_submit, 0},
    {"POST", "/logout", lk_page_logout, 0},
};

int lk_session_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
