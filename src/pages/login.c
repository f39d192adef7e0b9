/* login.c - /login and /logout, server-rendered in Dutch.
 *
 * The pages work without JavaScript and carry no inline script or style.
 * Every error is shown next to its field and tied to it with
 * aria-describedby, the title starts with "Fout:" while there are errors
 * (so a screen reader says so first), and a summary at the top links to
 * the fields.  The password is never written back into the page; the
 * e-mail address is.
 */
#include "pages/login.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h"
#include "core/ids.h"
#include "core/session.h"
#include "http/cookie.h"
#include "http/problem.h"
#include "pages/layout.h"

bool lk_login_next_ok(const char *next) {
  size_t n = strlen(next);

  if (n == 0 || n > LK_NEXT_MAX || next[0] != '/')
    return false;
  if (next[1] == '/' || next[1] == '\\')
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)next[i];

    if (c <= 0x20 || c >= 0x7f || c == '\\')
      return false;
  }
  return true;
}

/* ---- the pre-session token ---------------------------------------------- */

static void login_cookie(lk_req *req, const char *value, bool clear) {
  lk_cookie_attrs a = {
      .secure = lk_api_secure(req), .clear = clear, .path = "/login"};

  lk_req_set_cookie(req, LK_LOGIN_CSRF_COOKIE, value, &a);
}

/* The token of the browser's loket_csrf cookie, or a new one (then set). */
static void login_token(lk_req *req, char token[LK_SESSION_ID_LEN + 1],
                        bool fresh) {
  char have[LK_SESSION_ID_LEN + 2];

  if (!fresh &&
      lk_req_cookie(req, LK_LOGIN_CSRF_COOKIE, have, sizeof(have)) ==
          LK_COOKIE_FOUND &&
      lk_session_id_valid(have)) {
    memcpy(token, have, LK_SESSION_ID_LEN + 1);
    return;
  }
  lk_session_id_new(token);
  login_cookie(req, token, false);
}

/* ---- the form ----------------------------------------------------------- */

struct form {
  const char *email;          /* typed so far, kept on error */
  const char *next;           /* where to go after log-in, or NULL */
  const char *token;          /* the double-submit token */
  const char *summary;        /* a message about the whole form, or NULL */
  const char *email_error;    /* next to the e-mail field */
  const char *password_error; /* next to the password field */
  bool both_invalid;          /* the password error concerns both fields */
};

static void error_text(lk_buf *b, const char *id, const char *msg) {
  lk_buf_puts(b, "<p class=\"utrecht-form-field-error-message utrecht-form-"
                 "field__error-message\" id=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\">");
  lk_html_txt(b, msg);
  lk_buf_puts(b, "</p>\n");
}

/* aria-invalid and aria-describedby of an input, for error `id`. */
static void input_error(lk_buf *b, const char *id) {
  lk_buf_puts(b, " aria-invalid=\"true\" aria-describedby=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\"");
}

static void summary(lk_buf *b, const struct form *f) {
  lk_buf_puts(b, "<div class=\"utrecht-alert utrecht-alert--error\" "
                 "role=\"alert\" id=\"foutmelding\">\n<div class=\"utrecht-"
                 "alert__content\"><div class=\"utrecht-alert__message\">\n");
  if (f->summary != NULL) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">");
    lk_html_txt(b, f->summary);
    lk_buf_puts(b, "</p>\n");
  }
  if (f->email_error != NULL || f->password_error != NULL) {
    lk_buf_puts(b, "<ul class=\"utrecht-unordered-list\">\n");
    if (f->email_error != NULL) {
      lk_buf_puts(b, "<li><a class=\"utrecht-link\" href=\"#email\">");
      lk_html_txt(b, f->email_error);
      lk_buf_puts(b, "</a></li>\n");
    }
    if (f->password_error != NULL) {
      lk_buf_puts(b, "<li><a class=\"utrecht-link\" href=\"#wachtwoord\">");
      lk_html_txt(b, f->password_error);
      lk_buf_puts(b, "</a></li>\n");
    }
    lk_buf_puts(b, "</ul>\n");
  }
  lk_buf_puts(b, "</div></div>\n</div>\n");
}

/* The start of a text field's wrapper, marked invalid with an error. */
static void field_open(lk_buf *b, bool invalid) {
  lk_buf_puts(b, invalid ? "<div class=\"utrecht-form-field utrecht-form-"
                           "field--text utrecht-form-field--invalid\">\n"
                         : "<div class=\"utrecht-form-field utrecht-form-"
                           "field--text\">\n");
}

/* The start of an <input> in its wrapper, up to its class attribute. */
static void input_open(lk_buf *b, bool invalid) {
  lk_buf_puts(b, invalid ? "<p class=\"utrecht-form-field__input\"><input "
                           "class=\"utrecht-textbox utrecht-textbox--invalid\""
                         : "<p class=\"utrecht-form-field__input\"><input "
                           "class=\"utrecht-textbox\"");
}

static void render(lk_req *req, int status, const struct form *f) {
  bool errors =
      f->summary != NULL || f->email_error != NULL || f->password_error != NULL;
  const char *email_err_id = f->email_error != NULL ? "email-fout"
                             : f->both_invalid      ? "wachtwoord-fout"
                                                    : NULL;
  lk_buf b = LK_BUF_INIT;

  lk_page_begin(&b, errors ? "Fout: Inloggen" : "Inloggen");
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Inloggen</h1>\n");
  if (errors)
    summary(&b, f);
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Log in met het "
                  "e-mailadres en wachtwoord van uw account als "
                  "medewerker.</p>\n"
                  "<form class=\"utrecht-form\" method=\"post\" "
                  "action=\"/login\">\n"
                  "<input type=\"hidden\" name=\"csrf\" value=\"");
  lk_html_attr(&b, f->token);
  lk_buf_puts(&b, "\">\n");
  if (f->next != NULL) {
    lk_buf_puts(&b, "<input type=\"hidden\" name=\"next\" value=\"");
    lk_html_attr(&b, f->next);
    lk_buf_puts(&b, "\">\n");
  }

  field_open(&b, email_err_id != NULL);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__label\"><label "
                  "class=\"utrecht-form-label\" for=\"email\">E-mailadres"
                  "</label></p>\n");
  if (f->email_error != NULL)
    error_text(&b, "email-fout", f->email_error);
  input_open(&b, email_err_id != NULL);
  lk_buf_puts(&b, " id=\"email\" "
                  "name=\"email\" type=\"email\" autocomplete=\"username\" "
                  "spellcheck=\"false\" required value=\"");
  lk_html_attr(&b, f->email != NULL ? f->email : "");
  lk_buf_putc(&b, '"');
  if (email_err_id != NULL)
    input_error(&b, email_err_id);
  lk_buf_puts(&b, "></p>\n</div>\n");

  field_open(&b, f->password_error != NULL);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__label\"><label "
                  "class=\"utrecht-form-label\" for=\"wachtwoord\">Wachtwoord"
                  "</label></p>\n");
  if (f->password_error != NULL)
    error_text(&b, "wachtwoord-fout", f->password_error);
  input_open(&b, f->password_error != NULL);
  lk_buf_puts(&b, " id=\"wachtwoord\" "
                  "name=\"password\" type=\"password\" "
                  "autocomplete=\"current-password\" required");
  if (f->password_error != NULL)
    input_error(&b, "wachtwoord-fout");
  lk_buf_puts(&b, "></p>\n</div>\n"
                  "<p class=\"utrecht-button-group\"><button "
                  "class=\"utrecht-button utrecht-button--primary-action "
                  "utrecht-button--submit\" type=\"submit\">Inloggen"
                  "</button></p>\n</form>\n");
  lk_page_end(&b);
  lk_req_respond_buf(req, status, "text/html; charset=utf-8", &b);
}

void lk_page_login(lk_req *req) {
  const char *next = lk_req_query(req, "next");
  char token[LK_SESSION_ID_LEN + 1];
  struct form f = {0};

  login_token(req, token, false);
  f.token = token;
  f.next = next != NULL && lk_login_next_ok(next) ? next : NULL;
  render(req, 200, &f);
}

/* ---- POST /login ------------------------------------------------------ */

#define EMAIL_FIELD_MAX 1024

struct login_ctx {
  lk_api_login login; /* first: see lk_api_login_start */
  char next[LK_NEXT_MAX + 1];
  char email[EMAIL_FIELD_MAX + 1];
  char token[LK_SESSION_ID_LEN + 2];
};

static void redirect(lk_req *req, const char *location) {
  lk_buf b = LK_BUF_INIT;

  lk_req_add_header(req, "Location", location);
  lk_page_begin(&b, "Doorsturen");
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"");
  lk_html_url(&b, location);
  lk_buf_puts(&b, "\">Ga verder</a></p>");
  lk_page_end(&b);
  lk_req_respond_buf(req, 303, "text/html; charset=utf-8", &b);
}

static void logged_in(lk_req *req, int status) {
  struct login_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_api_session_cookie(req, &ctx->login.op);
  login_cookie(req, "", true); /* from now on the session's token */
  redirect(req, ctx->next[0] != '\0' ? ctx->next : LK_LOGIN_DEFAULT_NEXT);
}

/* A form field into a buffer of `size`; "" when missing or malformed. */
static void field(lk_req *req, const char *name, char *out, size_t size) {
  size_t len;
  const char *body = lk_req_body(req, &len);

  if (lk_form_find(body, len, name, out, size) != LK_COOKIE_FOUND)
    out[0] = '\0';
}

/* Checks the double-submit token and the origin of the form. */
static bool form_token_ok(lk_req *req, const char *given) {
  char have[LK_SESSION_ID_LEN + 2];

  if (!lk_api_same_origin(req))
    return false;
  if (lk_req_cookie(req, LK_LOGIN_CSRF_COOKIE, have, sizeof(have)) !=
          LK_COOKIE_FOUND ||
      !lk_session_id_valid(have))
    return false;
  return lk_secret_equal(have, given);
}

/* The form again, after a failed attempt. */
static void login_checked(lk_req *req, int rc) {
  struct login_ctx *ctx = lk_req_data(req);
  struct form f = {0};
  char text[128];

  f.email = ctx->email;
  f.next = ctx->next[0] != '\0' ? ctx->next : NULL;
  f.token = ctx->token;
  if (rc == LK_LOGIN_LIMITED || rc == LK_LOGIN_BUSY) {
    long secs =
        rc == LK_LOGIN_BUSY ? 1 : lk_api_retry_seconds(ctx->login.retry_ms);
    long mins = (secs + 59) / 60;

    snprintf(text, sizeof(text), "%ld", secs);
    lk_req_add_header(req, "Retry-After", text);
    if (rc == LK_LOGIN_BUSY)
      snprintf(text, sizeof(text),
               "Het is even te druk. Probeer het over een paar seconden "
               "opnieuw.");
    else
      snprintf(text, sizeof(text),
               "Te veel mislukte pogingen om in te loggen. Probeer het over "
               "%ld %s opnieuw.",
               mins, mins == 1 ? "minuut" : "minuten");
    f.summary = text;
    render(req, rc == LK_LOGIN_BUSY ? 503 : 429, &f);
    return;
  }
  if (rc == LK_LOGIN_REFUSED) {
    f.password_error = "Het e-mailadres of het wachtwoord is onjuist.";
    f.both_invalid = true;
    render(req, 422, &f);
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_submit(req, &ctx->login.aw, lk_session_login_apply, &ctx->login.op,
                logged_in);
}

void lk_page_login_submit(lk_req *req) {
  char token[LK_SESSION_ID_LEN + 2];
  char email[EMAIL_FIELD_MAX + 1];
  char next[LK_NEXT_MAX + 2];
  char *password;
  size_t len;
  struct login_ctx *ctx;
  struct form f = {0};

  if (!lk_req_is_form(req)) {
    lk_req_problem(req, 415, "unsupported-media-type", "Unsupported media type",
                   "send the form as application/x-www-form-urlencoded", NULL);
    return;
  }
  field(req, "csrf", token, sizeof(token));
  field(req, "email", email, sizeof(email));
  field(req, "next", next, sizeof(next));
  f.email = email;
  f.next = lk_login_next_ok(next) ? next : NULL;
  if (!form_token_ok(req, token)) {
    login_token(req, token, true);
    f.token = token;
    f.summary = "Het formulier is verlopen. Vul het opnieuw in en probeer "
                "het nog eens.";
    render(req, 403, &f);
    return;
  }
  f.token = token;
  lk_req_body(req, &len);
  password = malloc(len + 1);
  ctx = calloc(1, sizeof(*ctx));
  if (password == NULL || ctx == NULL) {
    free(password);
    free(ctx);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_set_data(req, ctx, free);
  field(req, "password", password, len + 1);
  if (email[0] == '\0')
    f.email_error = "Vul uw e-mailadres in.";
  if (password[0] == '\0')
    f.password_error = "Vul uw wachtwoord in.";
  if (f.email_error != NULL || f.password_error != NULL) {
    free(password);
    render(req, 422, &f);
    return;
  }
  snprintf(ctx->email, sizeof(ctx->email), "%s", email);
  snprintf(ctx->token, sizeof(ctx->token), "%s", token);
  if (f.next != NULL)
    snprintf(ctx->next, sizeof(ctx->next), "%s", f.next);
  lk_api_login_start(req, &ctx->login, email, password, login_checked);
  sodium_memzero(password, len + 1);
  free(password);
}

/* ---- POST /logout ----------------------------------------------------- */

struct logout_ctx {
  lk_api_write aw;
  lk_session_logout_op op;
};

static void logged_out(lk_req *req, int status) {
  if (status != 0 && status != LK_STORE_NOTFOUND) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_api_session_cookie_clear(req);
  redirect(req, "/login");
}

/* A 403 page for a form that failed the CSRF check or a role too low. */
static void forbidden(lk_req *req, const char *title, const char *text) {
  lk_buf b = LK_BUF_INIT;

  lk_page_begin(&b, title);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\">");
  lk_html_txt(&b, text);
  lk_buf_puts(&b, "</p>\n");
  lk_page_logout_form(&b, req);
  lk_page_end(&b);
  lk_req_respond_buf(req, 403, "text/html; charset=utf-8", &b);
}

void lk_page_logout(lk_req *req) {
  struct logout_ctx *ctx;
  char id[LK_SESSION_ID_LEN + 2];
  lk_principal p;
  int rc = lk_api_session_principal(req, &p, NULL);

  if (rc == LK_API_SESSION_NONE || rc == LK_API_SESSION_ENDED) {
    lk_api_session_cookie_clear(req);
    redirect(req, "/login");
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_set_principal(req, &p);
  if (!lk_api_csrf_valid(req)) {
    forbidden(req, "Uitloggen is niet gelukt",
              "Het formulier is verlopen of kwam niet van deze site. "
              "Gebruik de knop hieronder om uit te loggen.");
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  lk_req_cookie(req, LK_SESSION_COOKIE, id, sizeof(id));
  lk_session_logout_prepare(&ctx->op, p.actor, id);
  lk_api_submit(req, &ctx->aw, lk_session_logout_apply, &ctx->op, logged_out);
}

/* ---- for other pages ------------------------------------------------------
 */

static int role_rank(const char *role) {
  if (strcmp(role, "admin") == 0)
    return 3;
  if (strcmp(role, "supervisor") == 0)
    return 2;
  return strcmp(role, "agent") == 0 ? 1 : 0;
}

/* Appends `s` percent-encoded for a query value. */
static void query_escape(lk_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";

  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || *p == '/' || *p == '-' || *p == '_' ||
        *p == '.' || *p == '~') {
      lk_buf_putc(b, (char)*p);
    } else {
      lk_buf_putc(b, '%');
      lk_buf_putc(b, hex[*p >> 4]);
      lk_buf_putc(b, hex[*p & 15]);
    }
  }
}

int lk_page_auth(lk_req *req, const char *role) {
  const char *m = lk_req_method(req);
  bool safe = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
  lk_principal p;
  int rc = lk_api_session_principal(req, &p, NULL);

  if (rc == LK_API_SESSION_NONE || rc == LK_API_SESSION_ENDED) {
    lk_buf to = LK_BUF_INIT;

    if (rc == LK_API_SESSION_ENDED)
      lk_api_session_cookie_clear(req);
    lk_buf_puts(&to, "/login");
    if (safe && lk_login_next_ok(lk_req_path(req))) {
      lk_buf_puts(&to, "?next=");
      query_escape(&to, lk_req_path(req));
    }
    if (lk_buf_ok(&to))
      redirect(req, to.data);
    else
      lk_req_problem_store(req, LK_STORE_NOMEM);
    lk_buf_free(&to);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  lk_req_set_principal(req, &p);
  if (!safe && !lk_api_csrf_valid(req)) {
    forbidden(req, "Het formulier is verlopen",
              "Het formulier is verlopen of kwam niet van deze site. Ga "
              "terug, laad de pagina opnieuw en probeer het nog eens.");
    return -1;
  }
  if (role_rank(p.role) < role_rank(role)) {
    forbidden(req, "Geen toegang",
              "Uw rol geeft geen toegang tot deze pagina.");
    return -1;
  }
  return 0;
}

void lk_page_csrf_field(lk_buf *b, lk_req *req) {
  char token[LK_CSRF_TOKEN_LEN + 1];

  if (lk_api_csrf_token(req, token) != 0)
    return;
  lk_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
  lk_html_attr(b, token);
  lk_buf_puts(b, "\">");
}

void lk_page_logout_form(lk_buf *b, lk_req *req) {
  char token[LK_CSRF_TOKEN_LEN + 1];

  if (lk_api_csrf_token(req, token) != 0)
    return;
  lk_buf_puts(b, "<form class=\"loket-logout\" method=\"post\" "
                 "action=\"/logout\">");
  lk_page_csrf_field(b, req);
  lk_buf_puts(b, "<button class=\"utrecht-button "
                 "utrecht-button--secondary-action\" type=\"submit\">"
                 "Uitloggen</button></form>\n");
}
