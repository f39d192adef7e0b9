/* login.h - the log-in page, log-out, and what other pages need of
 * sessions.
 *
 * GET /login shows the form; POST /login checks it and redirects (303) to
 * the `next` field when that is a local path, else to /agent.  The form is
 * protected before any session exists by a double-submit token: a random
 * value in the cookie loket_csrf (HttpOnly, Path=/login) that must come
 * back as the hidden field `csrf`, plus the Origin check.  POST /logout
 * (field `csrf` = the session's CSRF token) ends the session and
 * redirects to /login.
 *
 * Pages of other modules authenticate with lk_page_auth() and put
 * lk_page_csrf_field() in every form that changes something.
 */
#ifndef LK_PAGES_LOGIN_H
#define LK_PAGES_LOGIN_H

#include <stdbool.h>

#include "http/server.h"
#include "util/buf.h"

#define LK_LOGIN_DEFAULT_NEXT "/agent"
#define LK_NEXT_MAX 512

void lk_page_login(lk_req *req);
void lk_page_login_submit(lk_req *req);
void lk_page_logout(lk_req *req);

/* True if `next` is safe to redirect to after log-in: a local path that
 * starts with "/" but not "//" or "/\" (which browsers read as another
 * host), of visible ASCII without backslashes, at most LK_NEXT_MAX bytes. */
bool lk_login_next_ok(const char *next);

/* Authenticates a page request with the session cookie and checks that the
 * staff member has at least `role` ("agent" < "supervisor" < "admin").
 * Returns 0 with the principal set.  Otherwise it has answered and returns
 * -1: without a valid session a 303 to /login (with `next` = this path for
 * GET and HEAD), a 403 page when a form lacks the CSRF token or comes from
 * another site, or when the role is too low. */
int lk_page_auth(lk_req *req, const char *role);
/* Appends the hidden `csrf` field of the request's session (nothing when
 * there is no session cookie). */
void lk_page_csrf_field(lk_buf *b, lk_req *req);
/* Appends the log-out form: a button posting to /logout. */
void lk_page_logout_form(lk_buf *b, lk_req *req);

#endif
