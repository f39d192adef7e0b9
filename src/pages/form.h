/* form.h - what the public forms share (the question form on /actueel,
 * the contact form, the status page's reply): the markup of fields with
 * their errors, the protection of a POST that rides no session, and
 * reading the fields of urlencoded and multipart bodies alike.
 *
 * Markup: a field is a utrecht-form-field with its label, an optional
 * hint (id "<id>-uitleg") and error ("<id>-fout"), tied to the control
 * with aria-describedby and aria-invalid; a summary on top links to the
 * fields in error.  Every text goes through lk_html_txt/lk_html_attr.
 *
 * Protection: a POST is taken when its Origin (and Sec-Fetch-Site) says
 * it comes from this site; without an Origin it needs the double-submit
 * token (cookie loket_csrf on the form's path plus the field `csrf`).
 */
#ifndef LK_PAGES_FORM_H
#define LK_PAGES_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/session.h"
#include "http/multipart.h"
#include "http/server.h"
#include "util/buf.h"

/* ---- protection --------------------------------------------------------- */

/* The double-submit token of this browser for forms under `path` into
 * `out`: the cookie's when it has a valid one and not `fresh`, else a new
 * one, set as a cookie. */
void lk_form_token(lk_req *req, const char *path,
                   char out[LK_SESSION_ID_LEN + 1], bool fresh);
/* True if the POST is same-origin and either names its Origin or sends
 * `given` equal to its loket_csrf cookie. */
bool lk_form_token_ok(lk_req *req, const char *given);

/* ---- markup ------------------------------------------------------------- */

/* An error message element with id `id`. */
void lk_form_error_text(lk_buf *b, const char *id, const char *msg);
/* Opens the field `id`: wrapper, label (markup: a literal), the hint
 * (a literal, or NULL) and the error (escaped, or NULL). */
void lk_form_field_head(lk_buf *b, const char *id, const char *label,
                        const char *hint, const char *error);
/* aria-describedby (hint and error) and aria-invalid of a control. */
void lk_form_described(lk_buf *b, const char *id, bool hint, bool error);
/* Opens the wrapper and the <input> of a text control, up to its class. */
void lk_form_control(lk_buf *b, const char *cls, bool error);
/* A summary line linking to field `id`; nothing when `msg` is NULL. */
void lk_form_summary_item(lk_buf *b, const char *id, const char *msg);
/* Opens the error summary (role alert) with `summary` above its list. */
void lk_form_summary_begin(lk_buf *b, const char *summary);
void lk_form_summary_end(lk_buf *b);
/* The honeypot field `website`: hidden from people and screen readers,
 * filled in by robots that fill in every field. */
void lk_form_honeypot(lk_buf *b, const char *id);

/* ---- reading ------------------------------------------------------------ */

/* CR LF and lone CR become LF, in place: browsers send CR LF in a
 * textarea; the domain keeps LF. */
void lk_form_unix_newlines(char *s);
/* Characters (not bytes) of UTF-8 text. */
size_t lk_form_chars(const char *s);

/* The fields of a POST body, urlencoded or multipart/form-data. */
typedef struct lk_form_body {
  const char *body;
  size_t len;
  lk_multipart *mp; /* NULL for urlencoded */
  bool ok;          /* a form body that could be read */
} lk_form_body;

/* Reads the request's body.  Returns 0, or -1 when out of memory (then
 * nothing is to be freed).  A body of another type or a malformed one
 * gives ok = false and empty fields. */
int lk_form_body_open(lk_req *req, lk_form_body *f);
void lk_form_body_close(lk_form_body *f);
/* Field `name` into `out` ("" when missing, malformed, holding a NUL, or
 * longer than `size` - 1). */
void lk_form_value(const lk_form_body *f, const char *name, char *out,
                   size_t size);
/* The file part `name` (a multipart body only), or NULL. */
const lk_part *lk_form_file(const lk_form_body *f, const char *name);

#endif
