/* session.h - staff sessions over HTTP.
 *
 * Endpoints: POST/GET/DELETE /api/v1/session (log-in, who am I, log-out),
 * POST /api/v1/session/password, and account management under
 * /api/v1/users; the HTML pages /login and /logout (pages/login.h) share
 * the helpers below.  lk_api_auth() (api.h) calls lk_api_session_auth()
 * when a request has no Authorization header.
 *
 * A browser proves a state-changing request (POST, PUT, PATCH, DELETE) is
 * its own in two ways, both required: its Origin (or Sec-Fetch-Site) is
 * not another site, and it sends the session's CSRF token as the header
 * X-CSRF-Token or the form field `csrf`.  See docs/sessions.md.
 */
#ifndef LK_API_SESSION_H
#define LK_API_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "core/session.h"
#include "http/router.h"
#include "http/server.h"
#include "util/worker.h"

#define LK_SESSION_COOKIE "loket_session"
#define LK_LOGIN_CSRF_COOKIE "loket_csrf" /* before log-in: double submit */

/* Registers the session, account, /login and /logout routes.  Returns 0
 * or a negative errno. */
int lk_session_routes(lk_router *r);

/* The session time-outs the server runs with. */
void lk_api_session_config(lk_req *req, lk_session_config *cfg);
/* True if cookies set on this request need Secure: --secure-cookies, or a
 * trusted proxy says X-Forwarded-Proto: https. */
bool lk_api_secure(lk_req *req);

#define LK_API_SESSION_NONE 1  /* no session cookie */
#define LK_API_SESSION_ENDED 2 /* unknown, expired or disabled */

/* Looks up the request's session cookie.  Returns 0 and fills *p (and
 * *row, may be NULL) for an active session, LK_API_SESSION_NONE,
 * LK_API_SESSION_ENDED, or a negative LK_STORE_* code.  Answers nothing;
 * moves the session's last activity when due. */
int lk_api_session_principal(lk_req *req, lk_principal *p, lk_session_row *row);
/* The session part of lk_api_auth(): authenticates with the session
 * cookie, checks CSRF on state-changing methods and that the role grants
 * `scope`.  Returns 0 (principal set), LK_API_SESSION_NONE (no cookie:
 * nothing answered), or -1 after answering 401/403. */
int lk_api_session_auth(lk_req *req, const char *scope);

/* True unless Origin or Sec-Fetch-Site shows that another site made the
 * request.  A request without either (curl, old browsers) passes. */
bool lk_api_same_origin(lk_req *req);
/* True if the request is same-origin and carries the CSRF token of its
 * session (header X-CSRF-Token, or form field `csrf` in a urlencoded
 * body). */
bool lk_api_csrf_valid(lk_req *req);
/* The CSRF token of the request's session cookie into `out`.  Returns 0,
 * or -1 if the request has no well-formed session cookie. */
int lk_api_csrf_token(lk_req *req, char out[LK_CSRF_TOKEN_LEN + 1]);

/* ---- log-in, shared by the JSON API and the HTML form ------------------ */

#define LK_LOGIN_LIMITED 1 /* too many attempts: see retry_ms */
#define LK_LOGIN_REFUSED 2 /* wrong address or password, or disabled */
#define LK_LOGIN_BUSY 3    /* too many password checks queued: answer 503 */

/* A log-in attempt in progress.  It must be the first member of the
 * request's data (lk_req_data), zeroed, since it begins with the write
 * that stores the session. */
typedef struct lk_api_login {
  lk_api_write aw;        /* first: see lk_api_submit */
  lk_session_login_op op; /* ready when the attempt succeeded */
  int64_t retry_ms;       /* with LK_LOGIN_LIMITED */
  /* private */
  lk_work work;
  lk_req *req;
  bool queued; /* the check runs on the worker, which resumes req */
  char *email;
  char *password;
  char *account_key;
  char *address_key;
  int64_t account_stamp;
  int64_t address_stamp;
  char address[LK_CLIENT_ADDRESS_MAX + 1];
  lk_user_row user;
  int rc;
  void (*then)(lk_req *req, int rc);
} lk_api_login;

/* Starts a log-in attempt: the rate limits per account and per client
 * address first, then the password check (argon2id, about 0.1 s) on the
 * hashing worker while the request is suspended.  Calls then(req, rc) on
 * a server thread with 0 (l->op is prepared for lk_session_login_apply():
 * a fresh id; the session cookie the browser sent is ended with it),
 * LK_LOGIN_LIMITED (l->retry_ms), LK_LOGIN_REFUSED, LK_LOGIN_BUSY or a
 * negative LK_STORE_* code.  The outcome never depends on whether the
 * account exists. */
void lk_api_login_start(lk_req *req, lk_api_login *l, const char *email,
                        const char *password,
                        void (*then)(lk_req *req, int rc));
/* Adds the Set-Cookie of the session `op` made. */
void lk_api_session_cookie(lk_req *req, const lk_session_login_op *op);
/* Adds a Set-Cookie that makes the browser forget its session cookie. */
void lk_api_session_cookie_clear(lk_req *req);
/* Seconds for Retry-After from milliseconds, rounded up. */
long lk_api_retry_seconds(int64_t retry_ms);

/* Handlers (session.c, users.c). */
void lk_api_session_create(lk_req *req);
void lk_api_session_get(lk_req *req);
void lk_api_session_delete(lk_req *req);
void lk_api_session_password(lk_req *req);
void lk_api_users_list(lk_req *req);
void lk_api_users_create(lk_req *req);
void lk_api_users_get(lk_req *req);
void lk_api_users_update(lk_req *req);

#endif
