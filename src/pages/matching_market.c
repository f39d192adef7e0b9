/* matching_market.c - /initiatieven/aanbod-en-vraag: the list of offers
 * and needs with filters, the post form, one offer or need, and
 * /initiatieven/mijn/matches (see matching.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/matching.h"
#include "http/problem.h"
#include "pages/matching_internal.h"
#include "store/participation.h"

#define PAGE_SIZE 20
#define BASE "/initiatieven/aanbod-en-vraag"

/* ---- choices --------------------------------------------------------------
 */

struct options {
  lk_buf *b;
  const char *selected;
};

static void option(const lk_p_place_row *r, void *ud) {
  struct options *o = ud;

  lk_buf_puts(o->b, "<option value=\"");
  lk_html_attr(o->b, r->id);
  lk_buf_putc(o->b, '"');
  if (o->selected != NULL && strcmp(o->selected, r->id) == 0)
    lk_buf_puts(o->b, " selected");
  lk_buf_putc(o->b, '>');
  lk_html_txt(o->b, r->name);
  lk_buf_puts(o->b, "</option>\n");
}

/* A <select> of themes or neighbourhoods, with an empty first choice. */
static void place_select(lk_buf *b, lk_store *s, bool themes, const char *id,
                         const char *name, const char *empty,
                         const char *selected, bool error) {
  struct options o = {b, selected};

  lk_buf_puts(b, "<select class=\"utrecht-select\" id=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\" name=\"");
  lk_buf_puts(b, name);
  lk_buf_putc(b, '"');
  if (error)
    lk_buf_puts(b, " aria-invalid=\"true\"");
  lk_buf_puts(b, ">\n<option value=\"\">");
  lk_buf_puts(b, empty);
  lk_buf_puts(b, "</option>\n");
  if (themes)
    lk_store_p_themes(s, option, &o);
  else
    lk_store_p_neighbourhoods(s, option, &o);
  lk_buf_puts(b, "</select>\n");
}

static void fixed_select(lk_buf *b, const char *id, const char *name,
                         const char *const (*opts)[2], size_t n,
                         const char *selected) {
  lk_buf_puts(b, "<select class=\"utrecht-select\" id=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\" name=\"");
  lk_buf_puts(b, name);
  lk_buf_puts(b, "\">\n");
  for (size_t i = 0; i < n; i++) {
    lk_buf_puts(b, "<option value=\"");
    lk_buf_puts(b, opts[i][0]);
    lk_buf_putc(b, '"');
    if (selected != NULL && strcmp(selected, opts[i][0]) == 0)
      lk_buf_puts(b, " selected");
    lk_buf_putc(b, '>');
    lk_buf_puts(b, opts[i][1]);
    lk_buf_puts(b, "</option>\n");
  }
  lk_buf_puts(b, "</select>\n");
}

static const char *const kind_opts[][2] = {
    {"", "Aanbod en vraag"}, {"offer", "Aanbod"}, {"need", "Vraag"}};
static const char *const category_opts[][2] = {{"tools", "Gereedschap"},
                                               {"skills", "Vaardigheden"},
                                               {"space", "Ruimte"},
                                               {"time", "Tijd"},
                                               {"other", "Overig"}};

/* ---- one listing in a list ------------------------------------------------
 */

static void listing_card(lk_buf *b, const lk_mx_listing_row *r, bool own) {
  lk_buf_puts(b, "<li class=\"utrecht-unordered-list__item\">\n"
                 "<h2 class=\"utrecht-heading-3\"><a class=\"utrecht-link\" "
                 "href=\"" BASE "/");
  lk_html_attr(b, r->id);
  lk_buf_puts(b, "\">");
  lk_html_txt(b, r->title);
  lk_buf_puts(b, "</a></h2>\n<p class=\"utrecht-paragraph\">");
  lk_buf_puts(b, lk_mx_kind_nl(r->kind));
  lk_buf_puts(b, " &middot; ");
  lk_buf_puts(b, lk_mx_category_nl(r->category));
  lk_buf_puts(b, " &middot; thema ");
  lk_html_txt(b, r->theme_id);
  if (r->neighbourhood_id[0] != '\0') {
    lk_buf_puts(b, " &middot; wijk ");
    lk_html_txt(b, r->neighbourhood_id);
  }
  if (r->starts_at != 0 || r->ends_at != 0) {
    lk_buf_puts(b, " &middot; ");
    if (r->starts_at != 0) {
      lk_buf_puts(b, "vanaf ");
      lk_mxp_time(b, r->starts_at);
    }
    if (r->ends_at != 0) {
      lk_buf_puts(b, r->starts_at != 0 ? " tot " : "tot ");
      lk_mxp_time(b, r->ends_at);
    }
  }
  lk_buf_puts(b, "</p>\n");
  if (own && r->hidden_at != 0) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><strong>Verborgen door "
                   "de gemeente.</strong> Reden: ");
    lk_html_txt(b, r->hidden_reason);
    lk_buf_puts(b, "</p>\n");
  } else if (own && strcmp(r->state, "closed") == 0) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">Gesloten.</p>\n");
  }
  lk_buf_puts(b, "</li>\n");
}

/* ---- GET /initiatieven/aanbod-en-vraag ------------------------------------
 */

struct list_ctx {
  lk_buf *b;
  int n;
  int64_t last;
};

static void list_one(const lk_mx_listing_row *r, void *ud) {
  struct list_ctx *c = ud;

  listing_card(c->b, r, false);
  c->n++;
  c->last = r->seq;
}

static const char *query_id(lk_req *req, const char *name) {
  const char *v = lk_req_query(req, name);

  return v != NULL && lk_mxp_id_ok(v) ? v : "";
}

static void market_list(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  const char *kind = query_id(req, "soort");
  lk_mx_listing_filter f = {kind, query_id(req, "thema"), query_id(req, "wijk"),
                            0};
  const char *before = lk_req_query(req, "voor");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx c = {&b, 0, 0};
  int rc;

  if (strcmp(kind, "offer") != 0 && strcmp(kind, "need") != 0)
    f.kind = "";
  if (before != NULL) {
    char *end;

    f.before_seq = strtoll(before, &end, 10);
    if (*end != '\0' || f.before_seq < 0)
      f.before_seq = 0;
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven\">Initiatieven</a></p>\n"
                  "<h1 class=\"utrecht-heading-1\">Aanbod en vraag</h1>\n"
                  "<p class=\"utrecht-paragraph\">Buurtbewoners en "
                  "organisaties bieden gereedschap, vaardigheden, ruimte of "
                  "tijd aan, of vragen erom. Contact loopt via dit platform: "
                  "uw e-mailadres wordt niet gedeeld.</p>\n");
  lk_mxp_notice(&b, req);
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"" BASE "/nieuw\">Plaats aanbod of vraag</a> "
                  "&middot; <a class=\"utrecht-link\" href=\"/initiatieven/"
                  "mijn/matches\">Mijn matches</a> &middot; <a "
                  "class=\"utrecht-link\" href=\"/initiatieven/berichten\">"
                  "Mijn berichten</a></p>\n"
                  "<form class=\"utrecht-form\" method=\"get\" action=\"" BASE
                  "\">\n<div class=\"utrecht-form-field\"><p "
                  "class=\"utrecht-form-field__label\"><label "
                  "class=\"utrecht-form-label\" for=\"filter-soort\">Soort"
                  "</label></p>\n");
  fixed_select(&b, "filter-soort", "soort", kind_opts, 3, f.kind);
  lk_buf_puts(&b, "</div>\n<div class=\"utrecht-form-field\"><p "
                  "class=\"utrecht-form-field__label\"><label "
                  "class=\"utrecht-form-label\" for=\"filter-thema\">Thema"
                  "</label></p>\n");
  place_select(&b, s, true, "filter-thema", "thema", "Alle thema's", f.theme,
               false);
  lk_buf_puts(&b, "</div>\n<div class=\"utrecht-form-field\"><p "
                  "class=\"utrecht-form-field__label\"><label "
                  "class=\"utrecht-form-label\" for=\"filter-wijk\">Wijk"
                  "</label></p>\n");
  place_select(&b, s, false, "filter-wijk", "wijk", "Alle wijken",
               f.neighbourhood, false);
  lk_buf_puts(&b, "</div>\n<p class=\"utrecht-paragraph\"><button "
                  "class=\"utrecht-button utrecht-button--secondary-action\" "
                  "type=\"submit\">Filteren</button></p>\n</form>\n"
                  "<ul class=\"utrecht-unordered-list\" id=\"aanbod-en-vraag"
                  "\">\n");
  rc = lk_store_mx_listing_list(s, &f, PAGE_SIZE, list_one, &c);
  lk_buf_puts(&b, "</ul>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (c.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Er is nog geen aanbod "
                    "of vraag die bij deze filters past.</p>\n");
  if (c.n == PAGE_SIZE) {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                    "href=\"" BASE "?soort=");
    lk_html_attr(&b, f.kind);
    lk_buf_puts(&b, "&amp;thema=");
    lk_html_attr(&b, f.theme);
    lk_buf_puts(&b, "&amp;wijk=");
    lk_html_attr(&b, f.neighbourhood);
    lk_buf_printf(&b, "&amp;voor=%lld\">Oudere berichten</a></p>\n",
                  (long long)c.last);
  }
  lk_form_page(req, 200, "Aanbod en vraag", &b);
}

/* ---- the post form ----------------------------------------------------------
 */

struct pform {
  const char *kind, *category, *theme, *neighbourhood, *title, *body;
  const char *from, *from_time, *until, *until_time;
  const char *err_kind, *err_theme, *err_title, *err_body, *err_time;
  const char *err_place;
};

static void text_field(lk_buf *b, const char *id, const char *name,
                       const char *label, const char *value, const char *error,
                       const char *type) {
  lk_form_field_head(b, id, label, NULL, error);
  lk_form_control(b, "utrecht-textbox", error != NULL);
  lk_buf_puts(b, " id=\"");
  lk_buf_puts(b, id);
  lk_buf_puts(b, "\" name=\"");
  lk_buf_puts(b, name);
  lk_buf_puts(b, "\" type=\"");
  lk_buf_puts(b, type);
  lk_buf_puts(b, "\" value=\"");
  lk_html_attr(b, value != NULL ? value : "");
  lk_buf_putc(b, '"');
  lk_form_described(b, id, false, error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");
}

static void labelled(lk_buf *b, const char *id, const char *label,
                     const char *error) {
  lk_form_field_head(b, id, label, NULL, error);
}

static void post_form(lk_req *req, int status, const lk_participant *p,
                      const struct pform *f) {
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  bool errors = f->err_kind != NULL || f->err_theme != NULL ||
                f->err_title != NULL || f->err_body != NULL ||
                f->err_time != NULL || f->err_place != NULL;

  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"" BASE "\">Aanbod en vraag</a></p>\n"
                  "<h1 class=\"utrecht-heading-1\">Plaats aanbod of vraag"
                  "</h1>\n");
  if (errors) {
    lk_form_summary_begin(&b, "Controleer het formulier.");
    lk_form_summary_item(&b, "post-soort", f->err_kind);
    lk_form_summary_item(&b, "post-thema", f->err_theme);
    lk_form_summary_item(&b, "post-wijk", f->err_place);
    lk_form_summary_item(&b, "post-titel", f->err_title);
    lk_form_summary_item(&b, "post-tekst", f->err_body);
    lk_form_summary_item(&b, "post-vanaf", f->err_time);
    lk_form_summary_end(&b);
  }
  lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" action=\"" BASE
                  "\" novalidate>\n");
  lk_participant_csrf_field(&b, p);
  labelled(&b, "post-soort", "Wat plaatst u?", f->err_kind);
  fixed_select(&b, "post-soort", "soort", kind_opts + 1, 2, f->kind);
  lk_buf_puts(&b, "</div>\n");
  labelled(&b, "post-categorie", "Soort hulp", NULL);
  fixed_select(&b, "post-categorie", "categorie", category_opts, 5,
               f->category);
  lk_buf_puts(&b, "</div>\n");
  labelled(&b, "post-thema", "Thema", f->err_theme);
  place_select(&b, s, true, "post-thema", "thema", "Kies een thema", f->theme,
               f->err_theme != NULL);
  lk_buf_puts(&b, "</div>\n");
  labelled(&b, "post-wijk", "Wijk (niet verplicht)", f->err_place);
  place_select(&b, s, false, "post-wijk", "wijk", "Geen wijk", f->neighbourhood,
               f->err_place != NULL);
  lk_buf_puts(&b, "</div>\n");
  text_field(&b, "post-titel", "titel", "Titel", f->title, f->err_title,
             "text");
  lk_form_field_head(&b, "post-tekst", "Beschrijving", NULL, f->err_body);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__input\"><textarea "
                  "class=\"utrecht-textarea");
  if (f->err_body != NULL)
    lk_buf_puts(&b, " utrecht-textarea--invalid");
  lk_buf_puts(&b, "\" id=\"post-tekst\" name=\"tekst\" rows=\"6\"");
  lk_form_described(&b, "post-tekst", false, f->err_body != NULL);
  lk_buf_putc(&b, '>');
  lk_html_txt(&b, f->body != NULL ? f->body : "");
  lk_buf_puts(&b, "</textarea></p>\n</div>\n");
  text_field(&b, "post-vanaf", "vanaf", "Vanaf datum (niet verplicht)", f->from,
             f->err_time, "date");
  text_field(&b, "post-vanaf-tijd", "vanaf_tijd", "Vanaf tijd", f->from_time,
             NULL, "time");
  text_field(&b, "post-tot", "tot", "Tot datum (niet verplicht)", f->until,
             NULL, "date");
  text_field(&b, "post-tot-tijd", "tot_tijd", "Tot tijd", f->until_time, NULL,
             "time");
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><button "
                  "class=\"utrecht-button utrecht-button--primary-action\" "
                  "type=\"submit\">Plaatsen</button></p>\n</form>\n");
  lk_form_page(
      req, status,
      errors ? "Fout: Plaats aanbod of vraag" : "Plaats aanbod of vraag", &b);
}

static void market_new(lk_req *req) {
  lk_participant p;
  struct pform f = {.kind = "offer", .category = "tools"};

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  post_form(req, 200, &p, &f);
}

struct post_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_mx_listing_op op;
};

static void posted(lk_req *req, int status) {
  struct post_ctx *ctx = lk_req_data(req);
  char path[128];

  if (status != 0) {
    lk_mxp_failed(req, status, "Dit thema of deze wijk bestaat niet.");
    return;
  }
  snprintf(path, sizeof(path), BASE "/%s?melding=geplaatst", ctx->op.r.id);
  lk_mxp_redirect(req, path);
}

struct post_fields {
  char kind[8], category[8], theme[48], neighbourhood[48];
  char title[LK_MX_TITLE_MAX * 2], body[LK_MX_BODY_MAX * 2];
  char from[16], from_time[8], until[16], until_time[8];
};

static void market_post(lk_req *req) {
  lk_participant p;
  lk_form_body fb;
  struct post_fields *v;
  struct pform f = {0};
  struct post_ctx *ctx;
  lk_mx_listing_input in = {0};
  lk_invalid why;
  int rc;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  v = calloc(1, sizeof(*v));
  if (v == NULL || lk_form_body_open(req, &fb) != 0) {
    free(v);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_value(&fb, "soort", v->kind, sizeof(v->kind));
  lk_form_value(&fb, "categorie", v->category, sizeof(v->category));
  lk_form_value(&fb, "thema", v->theme, sizeof(v->theme));
  lk_form_value(&fb, "wijk", v->neighbourhood, sizeof(v->neighbourhood));
  lk_form_value(&fb, "titel", v->title, sizeof(v->title));
  lk_form_value(&fb, "tekst", v->body, sizeof(v->body));
  lk_form_value(&fb, "vanaf", v->from, sizeof(v->from));
  lk_form_value(&fb, "vanaf_tijd", v->from_time, sizeof(v->from_time));
  lk_form_value(&fb, "tot", v->until, sizeof(v->until));
  lk_form_value(&fb, "tot_tijd", v->until_time, sizeof(v->until_time));
  lk_form_body_close(&fb);
  lk_form_unix_newlines(v->body);
  f.kind = v->kind;
  f.category = v->category;
  f.theme = v->theme;
  f.neighbourhood = v->neighbourhood;
  f.title = v->title;
  f.body = v->body;
  f.from = v->from;
  f.from_time = v->from_time;
  f.until = v->until;
  f.until_time = v->until_time;
  in.kind = v->kind;
  in.category = v->category;
  in.theme = v->theme;
  in.neighbourhood = v->neighbourhood;
  in.title = v->title;
  in.body = v->body;
  if (lk_mxp_parse_time(v->from, v->from_time, &in.starts_at) != 0 ||
      lk_mxp_parse_time(v->until, v->until_time, &in.ends_at) != 0)
    f.err_time = "Vul een datum in zoals 2026-12-05 en een tijd zoals 10:00.";
  ctx = f.err_time == NULL ? lk_api_data(req, sizeof(*ctx), free) : NULL;
  if (f.err_time == NULL && ctx == NULL) {
    free(v);
    return;
  }
  rc = f.err_time != NULL
           ? LK_EINVALID
           : lk_mx_listing_prepare(&ctx->op, p.account_id, &in,
                                   lk_mxp_base_url(req), lk_req_id(req), &why);
  if (rc != 0) {
    if (f.err_time == NULL) {
      const char *fld = why.field;

      if (strcmp(fld, "kind") == 0 || strcmp(fld, "category") == 0)
        f.err_kind = "Kies aanbod of vraag en een soort hulp.";
      else if (strcmp(fld, "theme") == 0)
        f.err_theme = "Kies een thema.";
      else if (strcmp(fld, "title") == 0)
        f.err_title = "Vul een titel in van hoogstens 200 tekens, op één "
                      "regel.";
      else if (strcmp(fld, "body") == 0)
        f.err_body = "Vul een beschrijving in van hoogstens 4000 tekens.";
      else if (strcmp(fld, "ends_at") == 0 || strcmp(fld, "starts_at") == 0)
        f.err_time = "De einddatum moet na de begindatum liggen.";
      else
        f.err_place = "Kies een wijk uit de lijst.";
    }
    post_form(req, 422, &p, &f);
    free(v);
    return;
  }
  free(v);
  if (lk_matching_post_limit(req, "listing", p.account_id) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_mx_listing_apply, &ctx->op, posted);
}

/* ---- GET /initiatieven/aanbod-en-vraag/{id} -------------------------------
 */

static void message_form(lk_buf *b, const lk_participant *p, const char *id) {
  lk_buf_puts(b, "<h2 class=\"utrecht-heading-2\">Reageer</h2>\n"
                 "<form class=\"utrecht-form\" method=\"post\" action=\"" BASE
                 "/");
  lk_html_attr(b, id);
  lk_buf_puts(b, "/bericht\">\n");
  lk_participant_csrf_field(b, p);
  lk_form_field_head(b, "bericht-tekst", "Uw bericht",
                     "De ander ziet uw naam, niet uw e-mailadres.", NULL);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><textarea "
                 "class=\"utrecht-textarea\" id=\"bericht-tekst\" "
                 "name=\"tekst\" rows=\"4\"");
  lk_form_described(b, "bericht-tekst", true, false);
  lk_buf_puts(b, "></textarea></p>\n</div>\n<p class=\"utrecht-paragraph\">"
                 "<button class=\"utrecht-button utrecht-button--primary-"
                 "action\" type=\"submit\">Verstuur</button></p>\n</form>\n");
}

static void market_one(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_participant p;
  bool logged_in;
  lk_mx_listing_row *r;
  lk_buf b = LK_BUF_INIT;
  bool own;
  int rc;

  if (!lk_mxp_id_ok(id)) {
    lk_req_not_found(req);
    return;
  }
  rc = lk_participant_get(req, &p);
  if (rc < 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  logged_in = rc == 0;
  r = malloc(sizeof(*r));
  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_mx_listing_get(lk_req_app(req)->store, NULL, id, r);
  own = rc == 0 && logged_in && strcmp(r->account_id, p.account_id) == 0;
  /* Hidden: its author sees it with the reason; anyone else gets what an
   * unknown id gets. */
  if (rc == 0 && r->hidden_at != 0 && !own)
    rc = LK_STORE_NOTFOUND;
  if (rc != 0) {
    free(r);
    lk_mxp_failed(req, rc, NULL);
    return;
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"" BASE "\">Aanbod en vraag</a></p>\n");
  lk_mxp_notice(&b, req);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, r->title);
  lk_buf_puts(&b, "</h1>\n<ul class=\"utrecht-unordered-list\">\n");
  listing_card(&b, r, own);
  lk_buf_puts(&b, "</ul>\n<div class=\"utrecht-paragraph loket-pre\">");
  lk_html_txt(&b, r->body);
  lk_buf_puts(&b, "</div>\n");
  if (own) {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Dit is uw eigen bericht. "
                    "Reacties vindt u bij <a class=\"utrecht-link\" "
                    "href=\"/initiatieven/berichten\">Mijn berichten</a>."
                    "</p>\n");
    if (strcmp(r->state, "open") == 0) {
      lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" "
                      "action=\"" BASE "/");
      lk_html_attr(&b, r->id);
      lk_buf_puts(&b, "/sluiten\">\n");
      lk_participant_csrf_field(&b, &p);
      lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><button "
                      "class=\"utrecht-button utrecht-button--secondary-"
                      "action\" type=\"submit\">Sluiten</button></p>\n"
                      "</form>\n");
    }
  } else if (strcmp(r->state, "open") != 0) {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Dit bericht is gesloten."
                    "</p>\n");
  } else if (logged_in) {
    message_form(&b, &p, r->id);
  } else {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                    "href=\"" LK_P_LOGIN_PATH "?next=" BASE "/");
    lk_html_attr(&b, r->id);
    lk_buf_puts(&b, "\">Inloggen om te reageren</a></p>\n");
  }
  if (!own)
    lk_mxp_report_link(&b, "listing", r->id);
  {
    char title[LK_MX_TITLE_MAX + 1];

    snprintf(title, sizeof(title), "%s", r->title);
    free(r);
    lk_form_page(req, 200, title, &b);
  }
}

/* ---- POST .../{id}/sluiten -------------------------------------------------
 */

struct close_ctx {
  lk_api_write aw;
  lk_mx_close_op op;
};

static void closed(lk_req *req, int status) {
  struct close_ctx *ctx = lk_req_data(req);
  char path[128];

  if (status != 0) {
    lk_mxp_failed(req, status, NULL);
    return;
  }
  snprintf(path, sizeof(path), BASE "/%s?melding=gesloten", ctx->op.id);
  lk_mxp_redirect(req, path);
}

static void market_close(lk_req *req) {
  lk_participant p;
  struct close_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_mx_close_prepare(&ctx->op, p.account_id, lk_req_param(req, "id"),
                          lk_req_id(req), &why) != 0) {
    lk_req_not_found(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_mx_close_apply, &ctx->op, closed);
}

/* ---- GET /initiatieven/mijn/matches -----------------------------------------
 */

struct mine_ctx {
  lk_buf *b;
  int n;
};

static void mine_one(const lk_mx_listing_row *r, void *ud) {
  struct mine_ctx *c = ud;

  listing_card(c->b, r, true);
  c->n++;
}

static void match_one(const lk_mx_match_row *m, const lk_mx_listing_row *o,
                      void *ud) {
  struct mine_ctx *c = ud;
  static const char *const words[][2] = {{"theme", "zelfde thema"},
                                         {"category", "zelfde soort hulp"},
                                         {"place", "dichtbij"},
                                         {"time", "tijden passen"}};

  lk_buf_puts(c->b, "<li class=\"utrecht-unordered-list__item\"><a "
                    "class=\"utrecht-link\" href=\"" BASE "/");
  lk_html_attr(c->b, o->id);
  lk_buf_puts(c->b, "\">");
  lk_html_txt(c->b, o->title);
  lk_buf_puts(c->b, "</a> (");
  lk_buf_puts(c->b, lk_mx_kind_nl(o->kind));
  lk_buf_printf(c->b, ", score %d:", m->score);
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
    if (strstr(m->reasons, words[i][0]) != NULL) {
      lk_buf_putc(c->b, ' ');
      lk_buf_puts(c->b, words[i][1]);
    }
  lk_buf_puts(c->b, ") bij uw ");
  lk_buf_puts(c->b, strcmp(o->kind, "offer") == 0 ? "vraag" : "aanbod");
  lk_buf_puts(c->b, "</li>\n");
  c->n++;
}

static void my_matches(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  lk_participant p;
  lk_buf b = LK_BUF_INIT;
  struct mine_ctx c = {&b, 0};
  int rc;

  if (lk_participant_page_auth(req, &p, false) != 0)
    return;
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"" BASE "\">Aanbod en vraag</a></p>\n"
                  "<h1 class=\"utrecht-heading-1\">Mijn matches</h1>\n"
                  "<p class=\"utrecht-paragraph\">Een match is aanbod dat "
                  "past bij een vraag: zelfde thema en soort hulp, dichtbij, "
                  "en tijden die overlappen.</p>\n"
                  "<h2 class=\"utrecht-heading-2\">Voorgestelde matches</h2>"
                  "\n<ul class=\"utrecht-unordered-list\" id=\"matches\">\n");
  rc = lk_store_mx_matches_of(s, p.account_id, 50, match_one, &c);
  lk_buf_puts(&b, "</ul>\n");
  if (rc == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Nog geen matches.</p>\n");
  c.n = 0;
  lk_buf_puts(&b, "<h2 class=\"utrecht-heading-2\">Mijn aanbod en vraag</h2>"
                  "\n<ul class=\"utrecht-unordered-list\" id=\"mijn-aanbod-"
                  "en-vraag\">\n");
  if (rc >= 0)
    rc = lk_store_mx_listing_mine(s, p.account_id, 50, mine_one, &c);
  lk_buf_puts(&b, "</ul>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_form_page(req, 200, "Mijn matches", &b);
}

int lk_mxp_market_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", BASE, market_list, 0},
      {"POST", BASE, market_post, 0},
      {"GET", BASE "/nieuw", market_new, 0},
      {"GET", BASE "/{id}", market_one, 0},
      {"POST", BASE "/{id}/sluiten", market_close, 0},
      {"GET", "/initiatieven/mijn/matches", my_matches, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
