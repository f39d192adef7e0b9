/* form.c - the parts every public form shares; see form.h. */
#include "pages/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "http/cookie.h"
#include "util/html.h"

/* ---- protection --------------------------------------------------------- */

void lk_form_token(lk_req *req, const char *path,
                   char out[LK_SESSION_ID_LEN + 1], bool fresh) {
  char have[LK_SESSION_ID_LEN + 2];
  lk_cookie_attrs a = {.secure = lk_api_secure(req), .path = path};

  if (!fresh &&
      lk_req_cookie(req, LK_LOGIN_CSRF_COOKIE, have, sizeof(have)) ==
          LK_COOKIE_FOUND &&
      lk_session_id_valid(have)) {
    memcpy(out, have, LK_SESSION_ID_LEN + 1);
    return;
  }
  lk_session_id_new(out);
  lk_req_set_cookie(req, LK_LOGIN_CSRF_COOKIE, out, &a);
}

/* The forms ride no session, so what must be stopped is a POST from
 * another site.  Browsers name the page's origin on every form POST, and
 * a same-origin Origin suffices (a publicly cached page cannot carry a
 * token, and a resident must not have to send twice).  Without an Origin
 * the double-submit token must match. */
bool lk_form_token_ok(lk_req *req, const char *given) {
  char have[LK_SESSION_ID_LEN + 2];

  if (!lk_api_same_origin(req))
    return false;
  if (lk_req_header(req, "Origin") != NULL)
    return true;
  if (lk_req_cookie(req, LK_LOGIN_CSRF_COOKIE, have, sizeof(have)) !=
          LK_COOKIE_FOUND ||
      !lk_session_id_valid(have))
    return false;
  return lk_secret_equal(have, given);
}

/* ---- markup ------------------------------------------------------------- */

void lk_form_error_text(lk_buf *b, const char *id, const char *msg) {
  lk_buf_puts(b, "<p class=\"utrecht-form-field-error-message utrecht-form-"
                 "field__error-message\" id=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\">");
  lk_html_txt(b, msg);
  lk_buf_puts(b, "</p>\n");
}

void lk_form_field_head(lk_buf *b, const char *id, const char *label,
                        const char *hint, const char *error) {
  lk_buf_puts(b, error != NULL ? "<div class=\"utrecht-form-field utrecht-form-"
                                 "field--text utrecht-form-field--invalid\">"
                               : "<div class=\"utrecht-form-field utrecht-form-"
                                 "field--text\">");
  lk_buf_puts(b, "\n<p class=\"utrecht-form-field__label\"><label "
                 "class=\"utrecht-form-label\" for=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\">");
  lk_buf_puts(b, label);
  lk_buf_puts(b, "</label></p>\n");
  if (hint != NULL) {
    lk_buf_printf(b,
                  "<p class=\"utrecht-form-field-description utrecht-"
                  "form-field__description\" id=\"%s-uitleg\">%s</p>\n",
                  id, hint);
  }
  if (error != NULL) {
    char eid[48];

    snprintf(eid, sizeof(eid), "%s-fout", id);
    lk_form_error_text(b, eid, error);
  }
}

void lk_form_described(lk_buf *b, const char *id, bool hint, bool error) {
  if (!hint && !error)
    return;
  lk_buf_puts(b, " aria-describedby=\"");
  if (hint)
    lk_buf_printf(b, "%s-uitleg", id);
  if (error)
    lk_buf_printf(b, "%s%s-fout", hint ? " " : "", id);
  lk_buf_putc(b, '"');
  if (error)
    lk_buf_puts(b, " aria-invalid=\"true\"");
}

void lk_form_control(lk_buf *b, const char *cls, bool error) {
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><input class=\"");
  lk_buf_puts(b, cls);
  if (error)
    lk_buf_puts(b, " utrecht-textbox--invalid");
  lk_buf_putc(b, '"');
}

void lk_form_summary_item(lk_buf *b, const char *id, const char *msg) {
  if (msg == NULL)
    return;
  lk_buf_printf(b, "<li><a class=\"utrecht-link\" href=\"#%s\">", id);
  lk_html_txt(b, msg);
  lk_buf_puts(b, "</a></li>\n");
}

void lk_form_summary_begin(lk_buf *b, const char *summary) {
  lk_buf_puts(b, "<div class=\"utrecht-alert utrecht-alert--error\" "
                 "role=\"alert\" id=\"foutmelding\">\n<div class=\"utrecht-"
                 "alert__content\"><div class=\"utrecht-alert__message\">\n"
                 "<p class=\"utrecht-paragraph\">");
  lk_html_txt(b, summary != NULL ? summary : "Controleer het formulier.");
  lk_buf_puts(b, "</p>\n<ul class=\"utrecht-unordered-list\">\n");
}

void lk_form_summary_end(lk_buf *b) {
  lk_buf_puts(b, "</ul>\n</div></div>\n</div>\n");
}

void lk_form_honeypot(lk_buf *b, const char *id) {
  lk_buf_printf(b,
                "<div class=\"loket-hp\" aria-hidden=\"true\" hidden>"
                "<label for=\"%s\">Website</label>"
                "<input id=\"%s\" name=\"website\" type=\"text\" "
                "tabindex=\"-1\" autocomplete=\"off\" value=\"\"></div>\n",
                id, id);
}

/* ---- reading ------------------------------------------------------------ */

void lk_form_unix_newlines(char *s) {
  char *w = s;

  for (const char *r = s; *r != '\0'; r++)
    if (!(r[0] == '\r' && r[1] == '\n'))
      *w++ = *r == '\r' ? '\n' : *r;
  *w = '\0';
}

size_t lk_form_chars(const char *s) {
  size_t n = 0;

  for (; *s != '\0'; s++)
    if (((unsigned char)*s & 0xc0) != 0x80)
      n++;
  return n;
}

int lk_form_body_open(lk_req *req, lk_form_body *f) {
  const char *type = lk_req_header(req, "Content-Type");

  memset(f, 0, sizeof(*f));
  f->body = lk_req_body(req, &f->len);
  if (lk_multipart_is(type)) {
    f->mp = malloc(sizeof(*f->mp));
    if (f->mp == NULL)
      return -1;
    f->ok = lk_multipart_parse(type, f->body, f->len, f->mp) == 0;
    if (!f->ok)
      f->mp->n = 0;
    return 0;
  }
  f->ok = lk_req_is_form(req);
  return 0;
}

void lk_form_body_close(lk_form_body *f) {
  free(f->mp);
  f->mp = NULL;
}

void lk_form_value(const lk_form_body *f, const char *name, char *out,
                   size_t size) {
  const lk_part *p;

  out[0] = '\0';
  if (!f->ok || f->body == NULL)
    return;
  if (f->mp == NULL) {
    if (lk_form_find(f->body, f->len, name, out, size) != LK_COOKIE_FOUND)
      out[0] = '\0';
    return;
  }
  p = lk_multipart_get(f->mp, name);
  if (p == NULL || p->is_file || p->len >= size ||
      memchr(p->data, '\0', p->len) != NULL)
    return;
  memcpy(out, p->data, p->len);
  out[p->len] = '\0';
}

const lk_part *lk_form_file(const lk_form_body *f, const char *name) {
  const lk_part *p;

  if (f->mp == NULL)
    return NULL;
  p = lk_multipart_get(f->mp, name);
  return p != NULL && p->is_file ? p : NULL;
}
