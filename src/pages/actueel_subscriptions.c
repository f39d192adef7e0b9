/* actueel_subscriptions.c - subscribing to Actueel notices by postcode
 * (see actueel_subscriptions.h). */
#include "pages/actueel_subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h"
#include "core/contact_address.h"
#include "core/ratelimit.h"
#include "core/subscription.h"
#include "http/cookie.h"
#include "http/problem.h"
#include "pages/form.h"
#include "util/clock.h"
#include "util/html.h"

#define POSTCODE_FIELD_MAX 32
#define EMAIL_FIELD_MAX (LK_ADDRESS_MAX * 2 + 1)

/* ---- the form ----------------------------------------------------------- */

struct sform {
  const char *summary; /* about the whole form, or NULL */
  const char *postcode, *email;
  const char *postcode_error, *email_error;
};

static void intro(lk_buf *b) {
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                 "href=\"/actueel\">Alle meldingen</a></p>\n"
                 "<h1 class=\"utrecht-heading-1\">E-mail bij meldingen in "
                 "uw buurt</h1>\n<p class=\"utrecht-paragraph\">Ontvang een "
                 "e-mail als er een calamiteit, wegafsluiting, storing of "
                 "evenement is in uw postcodegebied. U krijgt eerst een "
                 "e-mail om uw aanmelding te bevestigen. Afmelden kan met "
                 "één klik onder elk bericht.</p>\n");
}

static void form_html(lk_buf *b, const char *tok, const struct sform *f) {
  if (f->summary != NULL || f->postcode_error != NULL ||
      f->email_error != NULL) {
    lk_form_summary_begin(b, f->summary != NULL ? f->summary
                                                : "Controleer het formulier.");
    lk_form_summary_item(b, "abonnement-postcode", f->postcode_error);
    lk_form_summary_item(b, "abonnement-email", f->email_error);
    lk_form_summary_end(b);
  }
  lk_buf_puts(b, "<form class=\"utrecht-form\" method=\"post\" "
                 "action=\"/actueel/abonneren\" novalidate>\n"
                 "<input type=\"hidden\" name=\"csrf\" value=\"");
  lk_html_attr(b, tok);
  lk_buf_puts(b, "\">\n");

  lk_form_field_head(b, "abonnement-postcode", "Postcode",
                     "Vier cijfers (1234) voor een hele wijk, of vier cijfers "
                     "en twee letters (1234 AB) voor uw straat.",
                     f->postcode_error);
  lk_form_control(b, "utrecht-textbox", f->postcode_error != NULL);
  lk_buf_puts(b, " id=\"abonnement-postcode\" "
                 "name=\"postcode\" type=\"text\" autocomplete=\"postal-code\" "
                 "required maxlength=\"7\" size=\"8\" value=\"");
  lk_html_attr(b, f->postcode != NULL ? f->postcode : "");
  lk_buf_putc(b, '"');
  lk_form_described(b, "abonnement-postcode", true, f->postcode_error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");

  lk_form_field_head(b, "abonnement-email", "E-mailadres", NULL,
                     f->email_error);
  lk_form_control(b, "utrecht-textbox", f->email_error != NULL);
  lk_buf_puts(b, " id=\"abonnement-email\" "
                 "name=\"email\" type=\"email\" autocomplete=\"email\" "
                 "spellcheck=\"false\" required maxlength=\"254\" value=\"");
  lk_html_attr(b, f->email != NULL ? f->email : "");
  lk_buf_putc(b, '"');
  lk_form_described(b, "abonnement-email", false, f->email_error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");

  lk_form_honeypot(b, "abonnement-website");
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                 "button utrecht-button--primary-action\" type=\"submit\">"
                 "Aanmelden</button></p>\n</form>\n");
}

static void form_page(lk_req *req, int status, const struct sform *f) {
  char tok[LK_SESSION_ID_LEN + 1];
  lk_buf b = LK_BUF_INIT;
  bool errors =
      f->summary != NULL || f->postcode_error != NULL || f->email_error != NULL;

  lk_form_token(req, "/actueel", tok, false);
  intro(&b);
  form_html(&b, tok, f);
  lk_form_page(req, status,
               errors ? "Fout: E-mail bij meldingen" : "E-mail bij meldingen",
               &b);
}

static void subscribe_form(lk_req *req) {
  struct sform f = {0};

  form_page(req, 200, &f);
}

/* ---- POST /actueel/abonneren ----------------------------------------------
 */

struct subscribe_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_sub_subscribe_op op;
};

/* The one answer to every accepted form: it never says whether the
 * address was subscribed already. */
static void check_mail(lk_req *req) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Bekijk uw e-mail</h1>\n"
                  "<p class=\"utrecht-alert\" role=\"status\" "
                  "id=\"abonnement-ontvangen\">Als dit adres nog niet was "
                  "aangemeld voor deze postcode, ontvangt u binnen enkele "
                  "minuten een e-mail met een link om uw aanmelding te "
                  "bevestigen.</p>\n<p class=\"utrecht-paragraph\">Geen "
                  "e-mail ontvangen? Kijk ook in de map met ongewenste "
                  "e-mail.</p>\n<p class=\"utrecht-paragraph\"><a "
                  "class=\"utrecht-link\" href=\"/actueel\">Terug naar "
                  "Actueel</a></p>\n");
  lk_form_page(req, 200, "Bekijk uw e-mail", &b);
}

static void subscribed(lk_req *req, int status) {
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  check_mail(req);
}

static void too_many(lk_req *req, int64_t retry_ms) {
  char secs[24];
  lk_buf b = LK_BUF_INIT;

  snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry_ms));
  lk_req_add_header(req, "Retry-After", secs);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Te veel aanmeldingen</h1>"
                  "\n<p class=\"utrecht-paragraph\">Er zijn vanaf uw "
                  "internetverbinding te veel aanmeldingen verstuurd. "
                  "Probeer het later opnieuw.</p>\n");
  lk_form_page(req, 429, "Te veel aanmeldingen", &b);
}

static void subscribe(lk_req *req) {
  lk_app *app = lk_req_app(req);
  char tok[LK_SESSION_ID_LEN + 2], hp[64];
  char postcode[POSTCODE_FIELD_MAX], email[EMAIL_FIELD_MAX];
  char client[LK_CLIENT_ADDRESS_MAX + 1];
  struct sform f = {0};
  struct subscribe_ctx *ctx;
  lk_invalid why;
  int64_t retry;
  bool may_send;
  int rc;

  lk_form_field(req, "csrf", tok, sizeof(tok));
  lk_form_field(req, "website", hp, sizeof(hp));
  lk_form_field(req, "postcode", postcode, sizeof(postcode));
  lk_form_field(req, "email", email, sizeof(email));
  f.postcode = postcode;
  f.email = email;
  if (!lk_req_is_form(req) || !lk_form_token_ok(req, tok)) {
    f.summary = "Controleer uw gegevens en klik nogmaals op Aanmelden.";
    form_page(req, 403, &f);
    return;
  }
  if (hp[0] != '\0') {
    /* A robot: answered as if accepted, so it learns nothing. */
    check_mail(req);
    return;
  }
  lk_req_client_address(req, app->trust_proxy, client, sizeof(client));
  retry = lk_ratelimit_hit(app->subscribe_by_client, client, NULL);
  if (retry > 0) {
    too_many(req, retry);
    return;
  }
  {
    char pc[LK_SUB_POSTCODE_MAX + 1], key[LK_SUB_EMAIL_MAX + 1];
    char typed[LK_SUB_EMAIL_MAX + 1];

    if (lk_sub_postcode(postcode, pc) != 0)
      f.postcode_error = "Vul een postcode in zoals 1234 of 1234 AB.";
    if (lk_sub_email(email, typed, key) != 0)
      f.email_error = "Vul een geldig e-mailadres in, zoals "
                      "naam@voorbeeld.nl.";
    if (f.postcode_error != NULL || f.email_error != NULL) {
      form_page(req, 422, &f);
      return;
    }
    /* Counted per address whether or not it is subscribed, so the limit
     * tells nothing either; past it the answer is the same, only no
     * mail goes out. */
    may_send = lk_ratelimit_hit(app->subscribe_by_address, key, NULL) == 0;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_sub_subscribe_prepare(&ctx->op, app->sub_key, email, postcode,
                                may_send, lk_req_id(req), &why);
  if (rc != 0) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field", NULL, NULL);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_sub_subscribe_apply, &ctx->op, subscribed);
}

/* ---- confirm and unsubscribe ----------------------------------------------
 */

struct token_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_sub_token_op op;
};

static void link_invalid(lk_req *req) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Link ongeldig</h1>\n"
                  "<p class=\"utrecht-paragraph\">Deze link is ongeldig, al "
                  "gebruikt of verlopen. U kunt zich opnieuw <a "
                  "class=\"utrecht-link\" href=\"/actueel/abonneren\">"
                  "aanmelden</a>.</p>\n");
  lk_form_page(req, 404, "Link ongeldig", &b);
}

/* The token of the request: the form field, else ?token=. */
static void request_token(lk_req *req, char *out, size_t size) {
  const char *q;

  lk_form_field(req, "token", out, size);
  if (out[0] != '\0')
    return;
  q = lk_req_query(req, "token");
  snprintf(out, size, "%s", q != NULL ? q : "");
}

/* A page with one button that POSTs `token` to `action`. */
static void button_page(lk_req *req, const char *title, const char *text,
                        const char *action, const char *token,
                        const char *button) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\">");
  lk_html_txt(&b, text);
  lk_buf_puts(&b, "</p>\n<form class=\"utrecht-form\" method=\"post\" "
                  "action=\"");
  lk_html_attr(&b, action);
  lk_buf_puts(&b, "\">\n<input type=\"hidden\" name=\"token\" value=\"");
  lk_html_attr(&b, token);
  lk_buf_puts(&b, "\">\n<p class=\"utrecht-paragraph\"><button "
                  "class=\"utrecht-button utrecht-button--primary-action\" "
                  "type=\"submit\">");
  lk_html_txt(&b, button);
  lk_buf_puts(&b, "</button></p>\n</form>\n");
  lk_form_page(req, 200, title, &b);
}

static void done_page(lk_req *req, const char *title, const char *text) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-alert\" role=\"status\">");
  lk_html_txt(&b, text);
  lk_buf_puts(&b, "</p>\n<p class=\"utrecht-paragraph\"><a class=\"utrecht-"
                  "link\" href=\"/actueel\">Naar Actueel</a></p>\n");
  lk_form_page(req, 200, title, &b);
}

/* The subscription the request's link names, looked up by the digest of
 * its token (copied to `token`).  Returns 0, or -1 after answering: a
 * malformed link and an unknown one get the same page. */
static int link_row(lk_req *req,
                    int (*lookup)(lk_store *, lk_tx *, const char *,
                                  lk_subscription_row *),
                    char *token, size_t size, lk_subscription_row *r) {
  char digest[65];
  int rc;

  request_token(req, token, size);
  if (lk_sub_token_digest(token, digest) != 0) {
    link_invalid(req);
    return -1;
  }
  rc = lookup(lk_req_app(req)->store, NULL, digest, r);
  if (rc == LK_STORE_NOTFOUND) {
    link_invalid(req);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  return 0;
}

/* Answers a token write that failed; a link used up meanwhile is as
 * unknown.  Returns 0 if `status` is, else -1 after answering. */
static int token_failed(lk_req *req, int status) {
  if (status == LK_STORE_NOTFOUND) {
    link_invalid(req);
    return -1;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return -1;
  }
  return 0;
}

static void confirm_page(lk_req *req) {
  char token[LK_SUB_TOKEN_MAX + 8];
  lk_subscription_row r;

  if (link_row(req, lk_store_subscription_by_confirm, token, sizeof(token),
               &r) != 0)
    return;
  if (!lk_sub_confirm_open(&r, lk_clock_real_ms())) {
    link_invalid(req); /* expired: as if unknown */
    return;
  }
  {
    char text[200];

    snprintf(text, sizeof(text),
             "Klik op de knop om e-mail te ontvangen over meldingen in "
             "postcode %s.",
             r.postcode);
    button_page(req, "Aanmelding bevestigen", text,
                "/actueel/abonneren/bevestigen", token,
                "Aanmelding bevestigen");
  }
}

static void confirmed(lk_req *req, int status) {
  struct token_ctx *ctx = lk_req_data(req);
  char text[200];

  if (token_failed(req, status) != 0)
    return;
  snprintf(text, sizeof(text),
           "Uw aanmelding is bevestigd. U ontvangt voortaan een e-mail bij "
           "meldingen in postcode %s.",
           ctx->op.r.postcode);
  done_page(req, "Aanmelding bevestigd", text);
}

/* Starts the write `apply` for the request's token, answering in `then`. */
static void token_write(lk_req *req, lk_write_fn apply,
                        void (*then)(lk_req *, int)) {
  char token[LK_SUB_TOKEN_MAX + 8];
  struct token_ctx *ctx;

  request_token(req, token, sizeof(token));
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_sub_token_prepare(&ctx->op, token, lk_req_id(req)) != 0) {
    link_invalid(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, apply, &ctx->op, then);
}

static void confirm(lk_req *req) {
  token_write(req, lk_sub_confirm_apply, confirmed);
}

static void unsubscribe_page(lk_req *req) {
  char token[LK_SUB_TOKEN_MAX + 8], action[128];
  lk_subscription_row r;

  if (link_row(req, lk_store_subscription_by_unsubscribe, token, sizeof(token),
               &r) != 0)
    return;
  if (strcmp(r.state, "unsubscribed") == 0) {
    done_page(req, "Afgemeld",
              "U bent afgemeld en ontvangt geen e-mail "
              "meer over meldingen in deze postcode.");
    return;
  }
  /* The token also in the URL, as the one-click POST of RFC 8058 has it. */
  snprintf(action, sizeof(action), "/actueel/afmelden?token=%s", token);
  {
    char text[200];

    snprintf(text, sizeof(text),
             "Klik op de knop om geen e-mail meer te ontvangen over "
             "meldingen in postcode %s, en ook niet over andere postcodes "
             "waarvoor dit e-mailadres is aangemeld.",
             r.postcode);
    button_page(req, "Afmelden", text, action, token, "Afmelden");
  }
}

static void unsubscribed(lk_req *req, int status) {
  struct token_ctx *ctx = lk_req_data(req);
  char text[256];

  if (token_failed(req, status) != 0)
    return;
  if (ctx->op.already) {
    done_page(req, "Afgemeld",
              "U bent afgemeld en ontvangt geen e-mail meer "
              "over meldingen in deze postcode.");
    return;
  }
  /* Every postcode of the address ended: say which. */
  snprintf(text, sizeof(text),
           "U bent afgemeld. U ontvangt op dit e-mailadres geen e-mail meer "
           "over meldingen in %s %s.",
           ctx->op.ended > 1 ? "postcodes" : "postcode", ctx->op.postcodes);
  done_page(req, "Afgemeld", text);
}

static void unsubscribe(lk_req *req) {
  token_write(req, lk_sub_unsubscribe_apply, unsubscribed);
}

int lk_actueel_subscription_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/actueel/abonneren", subscribe_form, 0},
      {"POST", "/actueel/abonneren", subscribe, 0},
      {"GET", "/actueel/abonneren/bevestigen", confirm_page, 0},
      {"POST", "/actueel/abonneren/bevestigen", confirm, 0},
      {"GET", "/actueel/afmelden", unsubscribe_page, 0},
      {"POST", "/actueel/afmelden", unsubscribe, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
