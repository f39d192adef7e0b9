/* initiatives_account.c - resident accounts on /initiatieven: register,
 * log in by mailed link, log out, profile and organisations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h" /* lk_api_secure */
#include "core/paccount.h"
#include "core/ratelimit.h"
#include "http/cookie.h"
#include "http/problem.h"
#include "pages/form.h"
#include "pages/initiatives_internal.h"
#include "util/clock.h"
#include "util/html.h"

#define FORM_PATH "/initiatieven"
#define EMAIL_FIELD_MAX 512
#define NAME_FIELD_MAX 256

/* ---- register and log in ------------------------------------------------ */

struct aform {
  bool register_;
  const char *summary;
  const char *email, *name, *next;
  const char *email_error, *name_error;
};

static void account_form(lk_req *req, int status, const struct aform *f) {
  char tok[LK_SESSION_ID_LEN + 1];
  lk_buf b = LK_BUF_INIT;
  bool errors =
      f->summary != NULL || f->email_error != NULL || f->name_error != NULL;
  const char *title = f->register_ ? "Account maken" : "Inloggen";
  char full[64];

  lk_form_token(req, FORM_PATH, tok, false);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n");
  if (f->register_)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Met een account kunt u "
                    "een initiatief starten, initiatieven volgen en "
                    "meedoen. U heeft geen wachtwoord nodig: wij sturen u "
                    "een e-mail met een link. Met die link bevestigt u uw "
                    "e-mailadres en bent u meteen ingelogd.</p>\n");
  else
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">U heeft geen wachtwoord "
                    "nodig. Vul uw e-mailadres in; wij sturen u een e-mail "
                    "met een link waarmee u inlogt. Nog geen account? <a "
                    "class=\"utrecht-link\" href=\"/initiatieven/"
                    "registreren\">Maak een account</a>.</p>\n");
  if (errors) {
    lk_form_summary_begin(&b, f->summary != NULL ? f->summary
                                                 : "Controleer het "
                                                   "formulier.");
    lk_form_summary_item(&b, "account-email", f->email_error);
    lk_form_summary_item(&b, "account-naam", f->name_error);
    lk_form_summary_end(&b);
  }
  lk_buf_printf(&b,
                "<form class=\"utrecht-form\" method=\"post\" action=\""
                "/initiatieven/%s\" novalidate>\n<input type=\"hidden\" "
                "name=\"csrf\" value=\"",
                f->register_ ? "registreren" : "inloggen");
  lk_html_attr(&b, tok);
  lk_buf_puts(&b, "\">\n<input type=\"hidden\" name=\"next\" value=\"");
  lk_html_attr(&b, f->next != NULL ? f->next : "");
  lk_buf_puts(&b, "\">\n");
  lk_form_field_head(&b, "account-email", "E-mailadres", NULL, f->email_error);
  lk_form_control(&b, "utrecht-textbox", f->email_error != NULL);
  lk_buf_puts(&b, " id=\"account-email\" name=\"email\" type=\"email\" "
                  "autocomplete=\"email\" spellcheck=\"false\" required "
                  "maxlength=\"254\" value=\"");
  lk_html_attr(&b, f->email != NULL ? f->email : "");
  lk_buf_putc(&b, '"');
  lk_form_described(&b, "account-email", false, f->email_error != NULL);
  lk_buf_puts(&b, "></p>\n</div>\n");
  if (f->register_) {
    lk_form_field_head(&b, "account-naam", "Uw naam",
                       "Deze naam ziet iedereen bij uw initiatieven en "
                       "berichten. Een voornaam is genoeg.",
                       f->name_error);
    lk_form_control(&b, "utrecht-textbox", f->name_error != NULL);
    lk_buf_puts(&b, " id=\"account-naam\" name=\"naam\" type=\"text\" "
                    "autocomplete=\"nickname\" required maxlength=\"100\" "
                    "value=\"");
    lk_html_attr(&b, f->name != NULL ? f->name : "");
    lk_buf_putc(&b, '"');
    lk_form_described(&b, "account-naam", true, f->name_error != NULL);
    lk_buf_puts(&b, "></p>\n</div>\n");
  }
  lk_form_honeypot(&b, "account-website");
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                  "button utrecht-button--primary-action\" type=\"submit\">"
                  "Stuur mij de link</button></p>\n</form>\n");
  snprintf(full, sizeof(full), "%s%s", errors ? "Fout: " : "", title);
  lk_ip_respond(req, status, full, NULL, &b);
}

static void register_page(lk_req *req) {
  struct aform f = {true, NULL, NULL, NULL, NULL, NULL, NULL};

  f.next = lk_req_query(req, "next");
  account_form(req, 200, &f);
}

static void login_page(lk_req *req) {
  struct aform f = {false, NULL, NULL, NULL, NULL, NULL, NULL};

  f.next = lk_req_query(req, "next");
  account_form(req, 200, &f);
}

struct link_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_pacc_link_op op;
};

/* The one answer to every accepted form: it never tells whether the
 * address has an account. */
static void check_mail(lk_req *req) {
  lk_ip_message(req, 200, "Bekijk uw e-mail",
                "Wij hebben een e-mail gestuurd met een link, als dit "
                "e-mailadres bij ons bekend is of net is aangemeld. De link "
                "werkt één keer. Geen e-mail ontvangen? Kijk ook in de map "
                "met ongewenste e-mail.",
                NULL);
}

static void link_asked(lk_req *req, int status) {
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  check_mail(req);
}

static void ask_link(lk_req *req, bool register_) {
  lk_app *app = lk_req_app(req);
  char tok[LK_SESSION_ID_LEN + 2], hp[64], next[LK_PS_NEXT_MAX + 2];
  char email[EMAIL_FIELD_MAX], name[NAME_FIELD_MAX];
  char client[LK_CLIENT_ADDRESS_MAX + 1];
  struct aform f = {register_, NULL, NULL, NULL, NULL, NULL, NULL};
  struct link_ctx *ctx;
  lk_invalid why;
  int rc;

  lk_form_field(req, "csrf", tok, sizeof(tok));
  lk_form_field(req, "website", hp, sizeof(hp));
  lk_form_field(req, "email", email, sizeof(email));
  lk_form_field(req, "naam", name, sizeof(name));
  lk_form_field(req, "next", next, sizeof(next));
  f.email = email;
  f.name = name;
  f.next = next;
  if (!lk_req_is_form(req) || !lk_form_token_ok(req, tok)) {
    f.summary = "Controleer uw gegevens en verstuur het formulier opnieuw.";
    account_form(req, 403, &f);
    return;
  }
  if (hp[0] != '\0') {
    check_mail(req); /* a robot learns nothing */
    return;
  }
  if (app->p_links_by_client != NULL) {
    int64_t retry;

    lk_req_client_address(req, app->trust_proxy, client, sizeof(client));
    retry = lk_ratelimit_hit(app->p_links_by_client, client, NULL);
    if (retry > 0) {
      char secs[24];

      snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry));
      lk_req_add_header(req, "Retry-After", secs);
      lk_ip_message(req, 429, "Te veel aanvragen",
                    "Er zijn vanaf uw internetverbinding te veel links "
                    "aangevraagd. Probeer het later opnieuw.",
                    NULL);
      return;
    }
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_pacc_link_prepare(&ctx->op, email, register_ ? name : NULL, next,
                            app->public_url, lk_req_id(req), &why);
  if (rc != 0) {
    if (strcmp(why.field, "email") == 0)
      f.email_error = lk_ip_field_error("email");
    else
      f.name_error = lk_ip_field_error("displayName");
    /* Both fields are shown at once when both are wrong. */
    if (register_ && f.name_error == NULL && lk_pacc_name_ok(name) != 0)
      f.name_error = lk_ip_field_error("displayName");
    account_form(req, 422, &f);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_pacc_link_apply, &ctx->op, link_asked);
}

static void register_submit(lk_req *req) {
  ask_link(req, true);
}
static void login_submit(lk_req *req) {
  ask_link(req, false);
}

/* ---- following the link ------------------------------------------------- */

static void link_invalid(lk_req *req) {
  lk_ip_message(req, 404, "Link ongeldig",
                "Deze link is ongeldig, al gebruikt of verlopen. Vraag een "
                "nieuwe link aan via Inloggen.",
                NULL);
}

static void link_page(lk_req *req) {
  const char *token = lk_req_query(req, "token");
  char digest[65];
  lk_p_link_row l;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (token == NULL || lk_pacc_token_digest(token, digest) != 0) {
    link_invalid(req);
    return;
  }
  rc = lk_store_p_link_get(lk_req_app(req)->store, NULL, digest, &l);
  /* An expired link says so now, not only after its button is pressed. */
  if (rc == LK_STORE_NOTFOUND ||
      (rc == 0 && (l.used_at != 0 || l.expires_at <= lk_clock_real_ms()))) {
    link_invalid(req);
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  /* A mail scanner fetches this page; only the button's POST logs in. */
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_buf_puts(&b, strcmp(l.purpose, "confirm") == 0 ? "E-mailadres bevestigen"
                                                    : "Inloggen");
  lk_buf_puts(&b, "</h1>\n<form class=\"utrecht-form\" method=\"post\" "
                  "action=\"/initiatieven/link\">\n<input type=\"hidden\" "
                  "name=\"token\" value=\"");
  lk_html_attr(&b, token);
  lk_buf_puts(&b, "\">\n<p class=\"utrecht-paragraph\"><button "
                  "class=\"utrecht-button utrecht-button--primary-action\" "
                  "type=\"submit\">");
  lk_buf_puts(&b, strcmp(l.purpose, "confirm") == 0 ? "Bevestig en log in"
                                                    : "Log in");
  lk_buf_puts(&b, "</button></p>\n</form>\n");
  lk_req_add_header(req, "X-Robots-Tag", "noindex");
  lk_ip_respond(req, 200,
                strcmp(l.purpose, "confirm") == 0 ? "E-mailadres bevestigen"
                                                  : "Inloggen",
                NULL, &b);
}

struct use_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_pacc_use_op op;
};

static void link_used(lk_req *req, int status) {
  struct use_ctx *ctx = lk_req_data(req);
  lk_cookie_attrs a = {0};

  if (status == LK_STORE_NOTFOUND) {
    link_invalid(req);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  a.secure = lk_api_secure(req);
  lk_req_set_cookie(req, LK_P_COOKIE, ctx->op.id, &a);
  lk_ip_redirect(req, ctx->op.link.next_path[0] != '\0' ? ctx->op.link.next_path
                                                        : "/initiatieven/mijn");
}

static void link_use(lk_req *req) {
  char token[LK_PACC_TOKEN_MAX + 8], old[LK_SESSION_ID_LEN + 2];
  struct use_ctx *ctx;
  bool has_old;

  lk_form_field(req, "token", token, sizeof(token));
  has_old =
      lk_req_cookie(req, LK_P_COOKIE, old, sizeof(old)) == LK_COOKIE_FOUND;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  /* The token is the authority here (a mail program may open the link in
   * a fresh browser), but the POST must still come from this site. */
  if (!lk_api_same_origin(req) ||
      lk_pacc_use_prepare(&ctx->op, token, has_old ? old : NULL,
                          lk_req_id(req)) != 0) {
    link_invalid(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_pacc_use_apply, &ctx->op, link_used);
}

/* ---- log out ------------------------------------------------------------ */

struct logout_ctx {
  lk_api_write aw;
  lk_psess_logout_op op;
};

static void logged_out(lk_req *req, int status) {
  lk_cookie_attrs a = {0};

  if (status != 0 && status != LK_STORE_NOTFOUND) {
    lk_req_problem_store(req, status);
    return;
  }
  a.secure = lk_api_secure(req);
  a.clear = true;
  lk_req_set_cookie(req, LK_P_COOKIE, "", &a);
  lk_ip_redirect(req, "/initiatieven");
}

static void logout(lk_req *req) {
  lk_participant p;
  char id[LK_SESSION_ID_LEN + 2];
  struct logout_ctx *ctx;

  if (lk_participant_page_auth(req, &p, false) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_req_cookie(req, LK_P_COOKIE, id, sizeof(id)) != LK_COOKIE_FOUND ||
      lk_session_digest(id, ctx->op.id_hash) != 0) {
    logged_out(req, 0);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_psess_logout_apply, &ctx->op, logged_out);
}

/* ---- my account --------------------------------------------------------- */

struct mine_ctx {
  lk_buf *b;
  int n;
};

static void my_initiative(const lk_initiative_row *r, void *ud) {
  struct mine_ctx *c = ud;

  c->n++;
  lk_buf_puts(c->b, "<li><a class=\"utrecht-link\" href=\"/initiatieven/");
  lk_html_attr(c->b, r->id);
  lk_buf_puts(c->b, "\">");
  lk_html_txt(c->b, r->title);
  lk_buf_puts(c->b, "</a> (");
  lk_html_txt(c->b, lk_init_status_label(r->status));
  lk_buf_puts(c->b, ")</li>");
}

static void my_org(const lk_p_org_row *o, void *ud) {
  struct mine_ctx *c = ud;

  c->n++;
  lk_buf_puts(c->b, "<li>");
  lk_html_txt(c->b, o->name);
  lk_buf_puts(c->b, strcmp(o->role, "admin") == 0 ? " (beheerder)" : "");
  lk_buf_puts(c->b, "</li>");
}

struct mine_form {
  const char *name, *name_error;
  const char *org, *org_error;
  const char *done;
};

static void mine_render(lk_req *req, int status, const lk_participant *p,
                        const struct mine_form *f) {
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  struct mine_ctx c = {&b, 0};
  int rc;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Mijn account</h1>\n");
  if (f->done != NULL) {
    lk_buf_puts(&b, "<p class=\"utrecht-alert\" role=\"status\">");
    lk_html_txt(&b, f->done);
    lk_buf_puts(&b, "</p>\n");
  }
  if (f->name_error != NULL || f->org_error != NULL) {
    lk_form_summary_begin(&b, "Controleer het formulier.");
    lk_form_summary_item(&b, "profiel-naam", f->name_error);
    lk_form_summary_item(&b, "organisatie-naam", f->org_error);
    lk_form_summary_end(&b);
  }
  lk_buf_puts(&b, "<section aria-labelledby=\"mijn-kop\"><h2 id=\"mijn-kop\" "
                  "class=\"utrecht-heading-2\">Mijn initiatieven</h2><ul "
                  "class=\"utrecht-unordered-list\">");
  rc = lk_store_initiatives_of(s, p->account_id, my_initiative, &c);
  lk_buf_puts(&b, "</ul>");
  if (c.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">U organiseert nog geen "
                    "initiatieven.</p>");
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/nieuw\">Start een initiatief</a></p>"
                  "</section>\n<section aria-labelledby=\"profiel-kop\"><h2 "
                  "id=\"profiel-kop\" class=\"utrecht-heading-2\">Profiel"
                  "</h2><form class=\"utrecht-form\" method=\"post\" "
                  "action=\"/initiatieven/mijn/profiel\" novalidate>");
  lk_participant_csrf_field(&b, p);
  lk_form_field_head(&b, "profiel-naam", "Uw naam",
                     "Deze naam ziet iedereen bij uw initiatieven.",
                     f->name_error);
  lk_form_control(&b, "utrecht-textbox", f->name_error != NULL);
  lk_buf_puts(&b, " id=\"profiel-naam\" name=\"naam\" type=\"text\" "
                  "autocomplete=\"nickname\" required maxlength=\"100\" "
                  "value=\"");
  lk_html_attr(&b, f->name != NULL ? f->name : p->display_name);
  lk_buf_putc(&b, '"');
  lk_form_described(&b, "profiel-naam", true, f->name_error != NULL);
  lk_buf_puts(&b, "></p>\n</div>\n<p class=\"utrecht-paragraph\"><button "
                  "class=\"utrecht-button utrecht-button--primary-action\" "
                  "type=\"submit\">Naam opslaan</button></p></form>"
                  "</section>\n<section aria-labelledby=\"org-kop\"><h2 "
                  "id=\"org-kop\" class=\"utrecht-heading-2\">Mijn "
                  "organisaties</h2><ul class=\"utrecht-unordered-list\">");
  c.n = 0;
  if (rc >= 0)
    rc = lk_store_p_orgs_of(s, p->account_id, my_org, &c);
  lk_buf_puts(&b, "</ul>");
  if (c.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Start u initiatieven "
                    "namens een vereniging, stichting of bedrijf? Voeg die "
                    "organisatie hier toe.</p>");
  lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" "
                  "action=\"/initiatieven/mijn/organisaties\" novalidate>");
  lk_participant_csrf_field(&b, p);
  lk_form_field_head(&b, "organisatie-naam", "Naam van de organisatie", NULL,
                     f->org_error);
  lk_form_control(&b, "utrecht-textbox", f->org_error != NULL);
  lk_buf_puts(&b, " id=\"organisatie-naam\" name=\"organisatie\" "
                  "type=\"text\" autocomplete=\"organization\" "
                  "maxlength=\"100\" value=\"");
  lk_html_attr(&b, f->org != NULL ? f->org : "");
  lk_buf_putc(&b, '"');
  lk_form_described(&b, "organisatie-naam", false, f->org_error != NULL);
  lk_buf_puts(&b, "></p>\n</div>\n<p class=\"utrecht-paragraph\"><button "
                  "class=\"utrecht-button utrecht-button--secondary-action\" "
                  "type=\"submit\">Organisatie toevoegen</button></p></form>"
                  "</section>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_ip_respond(req, status,
                f->name_error != NULL || f->org_error != NULL
                    ? "Fout: Mijn account"
                    : "Mijn account",
                p, &b);
}

static void mine(lk_req *req) {
  lk_participant p;
  struct mine_form f = {0};
  const char *done = lk_req_query(req, "klaar");

  if (lk_participant_page_auth(req, &p, false) != 0)
    return;
  if (done != NULL && strcmp(done, "naam") == 0)
    f.done = "Uw naam is opgeslagen.";
  else if (done != NULL && strcmp(done, "organisatie") == 0)
    f.done = "De organisatie is toegevoegd.";
  mine_render(req, 200, &p, &f);
}

struct rename_ctx {
  lk_api_write aw;
  lk_pacc_rename_op op;
};

static void renamed(lk_req *req, int status) {
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_ip_redirect(req, "/initiatieven/mijn?klaar=naam");
}

static void rename_submit(lk_req *req) {
  lk_participant p;
  char name[NAME_FIELD_MAX];
  struct rename_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  lk_form_field(req, "naam", name, sizeof(name));
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_pacc_rename_prepare(&ctx->op, p.account_id, name, lk_req_id(req),
                             &why) != 0) {
    struct mine_form f = {0};

    f.name = name;
    f.name_error = lk_ip_field_error("displayName");
    mine_render(req, 422, &p, &f);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_pacc_rename_apply, &ctx->op, renamed);
}

struct org_ctx {
  lk_api_write aw;
  lk_porg_create_op op;
};

static void org_created(lk_req *req, int status) {
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_ip_redirect(req, "/initiatieven/mijn?klaar=organisatie");
}

static void org_create(lk_req *req) {
  lk_participant p;
  char name[NAME_FIELD_MAX];
  struct org_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  lk_form_field(req, "organisatie", name, sizeof(name));
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_porg_create_prepare(&ctx->op, p.account_id, name, "", "", "",
                             lk_clock_real_ms(), &why) != 0) {
    struct mine_form f = {0};

    f.org = name;
    f.org_error = lk_ip_field_error("name");
    mine_render(req, 422, &p, &f);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_porg_create_apply, &ctx->op, org_created);
}

int lk_ip_account_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/initiatieven/registreren", register_page, 0},
      {"POST", "/initiatieven/registreren", register_submit, 0},
      {"GET", "/initiatieven/inloggen", login_page, 0},
      {"POST", "/initiatieven/inloggen", login_submit, 0},
      {"GET", "/initiatieven/link", link_page, LK_ROUTE_SECRET_PATH},
      {"POST", "/initiatieven/link", link_use, 0},
      {"POST", "/initiatieven/uitloggen", logout, 0},
      {"GET", "/initiatieven/mijn", mine, 0},
      {"POST", "/initiatieven/mijn/profiel", rename_submit, 0},
      {"POST", "/initiatieven/mijn/organisaties", org_create, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
