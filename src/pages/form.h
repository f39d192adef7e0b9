/* form.h - what the public forms of Actueel share (the question form,
 * the subscription form): their protection against cross-site posts,
 * fields, errors shown next to the fields, and the page around them.
 *
 * A public form rides no session, so what must be stopped is a post from
 * another site.  Browsers name the page's origin on every form POST, and
 * a same-origin Origin suffices; without an Origin the double-submit
 * token must match: the loket_csrf cookie (path /actueel) and the hidden
 * field `csrf`.
 *
 * Errors: a summary on top linking to the fields, and each error next to
 * its field, tied to the control with aria-describedby and aria-invalid
 * (WCAG 2.1: 3.3.1, 3.3.3).  Everything typed comes back escaped.
 */
#ifndef LK_PAGES_FORM_H
#define LK_PAGES_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/session.h"
#include "http/server.h"
#include "util/buf.h"

/* The browser's form token into `out`; a new one (and its cookie) when it
 * has none or `fresh`. */
void lk_form_token(lk_req *req, char out[LK_SESSION_ID_LEN + 1], bool fresh);
/* True if the POST may be acted on: same origin, and with no Origin
 * header the token `given` equals the cookie. */
bool lk_form_token_ok(lk_req *req, const char *given);

/* The urlencoded field `name` of the body into `out`; "" when missing or
 * malformed. */
void lk_form_field(lk_req *req, const char *name, char *out, size_t size);

/* The label, hint (trusted markup, may be NULL) and error (text, may be
 * NULL) of the field whose control has id `id`; the error's id is
 * "<id>-fout", the hint's "<id>-uitleg". */
void lk_form_field_head(lk_buf *b, const char *id, const char *label,
                        const char *hint, const char *error);
/* aria-describedby (hint and error) and aria-invalid of a control. */
void lk_form_described(lk_buf *b, const char *id, bool hint, bool error);
/* Opens the input wrapper and an <input> of class `cls` (marked invalid
 * with `error`), up to the end of its class attribute; the caller adds the
 * rest and closes with "></p>". */
void lk_form_control(lk_buf *b, const char *cls, bool error);
/* Opens the error summary (role=alert) with `summary` (text). */
void lk_form_summary_begin(lk_buf *b, const char *summary);
/* A line of the summary linking to control `id`; nothing when `msg` is
 * NULL. */
void lk_form_summary_item(lk_buf *b, const char *id, const char *msg);
void lk_form_summary_end(lk_buf *b);
/* The honeypot field `website`: hidden from people and screen readers,
 * filled in by robots that fill in every field.  `id_prefix` makes its
 * id unique on the page. */
void lk_form_honeypot(lk_buf *b, const char *id_prefix);

/* Answers `status` with `body` (taken over) inside the page layout, not
 * cached. */
void lk_form_page(lk_req *req, int status, const char *title, lk_buf *body);

#endif
