/* cookie.h - the name=value pairs a browser sends (cookies and form
 * fields), the cookies Loket sets, and who the client is.
 *
 * Cookies: RFC 6265 pairs separated by ";".  A name that appears more than
 * once is refused (LK_COOKIE_DUPLICATE) rather than guessed at: a second
 * cookie of the same name is what an attacker on a sibling domain plants to
 * fix a session or defeat a double-submit token ("cookie tossing"), and the
 * browser's order says nothing about which one is ours.
 *
 * Form fields: application/x-www-form-urlencoded bodies, percent- and
 * plus-decoded; a field whose value decodes to a NUL or is longer than the
 * caller's buffer is refused.
 */
#ifndef LK_COOKIE_H
#define LK_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/server.h"
#include "util/buf.h"

#define LK_COOKIE_FOUND 1
#define LK_COOKIE_NONE 0
#define LK_COOKIE_DUPLICATE (-2) /* the name appears more than once */
#define LK_COOKIE_MALFORMED (-3) /* bad characters, or too long */

/* Looks for cookie `name` in the Cookie header value `header` and copies
 * its value (quotes removed) into `out` of `size` bytes.  Returns
 * LK_COOKIE_FOUND, LK_COOKIE_NONE, LK_COOKIE_DUPLICATE or
 * LK_COOKIE_MALFORMED (then `out` is ""). */
int lk_cookie_find(const char *header, const char *name, char *out,
                   size_t size);
/* The same over every Cookie header of the request. */
int lk_req_cookie(lk_req *req, const char *name, char *out, size_t size);

typedef struct lk_cookie_attrs {
  bool secure;      /* add Secure (only over TLS) */
  bool clear;       /* tell the browser to forget it (Max-Age=0) */
  const char *path; /* NULL for "/" */
  const char *same; /* SameSite value; NULL for "Lax" */
} lk_cookie_attrs;

/* Appends a Set-Cookie value: name=value; Path; HttpOnly; SameSite;
 * Secure when asked; Max-Age=0 when clearing.  `name` and `value` must be
 * cookie-safe already (Loket's own ids). */
void lk_cookie_format(lk_buf *b, const char *name, const char *value,
                      const lk_cookie_attrs *a);
/* Adds the Set-Cookie header to the response of `req`. */
void lk_req_set_cookie(lk_req *req, const char *name, const char *value,
                       const lk_cookie_attrs *a);

/* Looks for field `name` in the urlencoded `body` of `len` bytes and
 * decodes its first value into `out`.  Returns LK_COOKIE_FOUND,
 * LK_COOKIE_NONE or LK_COOKIE_MALFORMED (then `out` is ""). */
int lk_form_find(const char *body, size_t len, const char *name, char *out,
                 size_t size);
/* True if the request body is application/x-www-form-urlencoded. */
bool lk_req_is_form(lk_req *req);

/* The client's address: the peer of the connection, or, when
 * `trust_proxy`, the last address of X-Forwarded-For (the one our proxy
 * added) if there is one.  "" if unknown. */
void lk_req_client_address(lk_req *req, bool trust_proxy, char *out,
                           size_t size);

#endif
