/* initiatives_edit.c - what organisers and followers post on
 * /initiatieven: create and edit, status changes, news, follow,
 * co-organisers and images.  Every form carries the resident session's
 * CSRF token (api/participant.h); who may do what is decided by the
 * domain inside the write (core/initiative.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h" /* lk_api_retry_seconds */
#include "core/ids.h"
#include "core/ratelimit.h"
#include "http/problem.h"
#include "pages/contact_internal.h" /* lk_contact_upload */
#include "pages/form.h"
#include "pages/initiatives_internal.h"
#include "pages/matching.h" /* lk_matching_post_limit */
#include "util/clock.h"
#include "util/html.h"

#define FIELD_MAX 12000

/* ---- the initiative form ------------------------------------------------ */

/* What was typed, kept for the form when it comes back with errors. */
struct typed {
  char title[512], summary[2048], description[FIELD_MAX];
  char theme[64], neighbourhood[64], organisation[64];
  char address[512], lat[32], lon[32];
  char start[16], end[16], website[512], version[24];
};

struct errors {
  const char *f[12][2]; /* field, message */
  int n;
  const char *summary;
};

static const char *error_of(const struct errors *e, const char *field) {
  for (int i = 0; i < e->n; i++)
    if (strcmp(e->f[i][0], field) == 0)
      return e->f[i][1];
  return NULL;
}

static void text_field(lk_buf *b, const char *id, const char *name,
                       const char *label, const char *hint, const char *value,
                       const char *type, int max, const struct errors *e,
                       const char *efield) {
  const char *err = error_of(e, efield);

  lk_form_field_head(b, id, label, hint, err);
  lk_form_control(b, "utrecht-textbox", err != NULL);
  lk_buf_puts(b, " id=\"");
  lk_html_attr(b, id);
  lk_buf_puts(b, "\" name=\"");
  lk_html_attr(b, name);
  lk_buf_printf(b, "\" type=\"%s\" maxlength=\"%d\" value=\"", type, max);
  lk_html_attr(b, value);
  lk_buf_putc(b, '"');
  lk_form_described(b, id, hint != NULL, err != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");
}

static void area_field(lk_buf *b, const char *id, const char *name,
                       const char *label, const char *hint, const char *value,
                       int max, const struct errors *e, const char *efield) {
  const char *err = error_of(e, efield);

  lk_form_field_head(b, id, label, hint, err);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><textarea "
                 "class=\"utrecht-textarea");
  if (err != NULL)
    lk_buf_puts(b, " utrecht-textarea--invalid");
  lk_buf_puts(b, "\" id=\"");
  lk_html_attr(b, id);
  lk_buf_puts(b, "\" name=\"");
  lk_html_attr(b, name);
  lk_buf_printf(b, "\" rows=\"6\" maxlength=\"%d\"", max);
  lk_form_described(b, id, hint != NULL, err != NULL);
  lk_buf_putc(b, '>');
  lk_html_txt(b, value);
  lk_buf_puts(b, "</textarea></p>\n</div>\n");
}

struct org_options {
  lk_buf *b;
  const char *selected;
};

static void org_option(const lk_p_org_row *o, void *ud) {
  struct org_options *c = ud;

  lk_buf_puts(c->b, "<option value=\"");
  lk_html_attr(c->b, o->id);
  lk_buf_putc(c->b, '"');
  if (strcmp(o->id, c->selected) == 0)
    lk_buf_puts(c->b, " selected");
  lk_buf_putc(c->b, '>');
  lk_html_txt(c->b, o->name);
  lk_buf_puts(c->b, "</option>");
}

static void form_render(lk_req *req, int status, const lk_participant *p,
                        const char *id, const struct typed *t,
                        const struct errors *e) {
  lk_buf b = LK_BUF_INIT;
  struct org_options oo = {&b, t->organisation};
  const char *err;
  int rc;
  bool edit = id != NULL;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_buf_puts(&b, edit ? "Initiatief bewerken" : "Initiatief starten");
  lk_buf_puts(&b, "</h1>\n");
  if (!edit)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Uw initiatief wordt "
                    "eerst als concept bewaard. Niemand anders ziet het tot "
                    "u het indient om te publiceren.</p>\n");
  if (e->n > 0 || e->summary != NULL) {
    static const char *const order[][2] = {
        {"title", "init-titel"},
        {"summary", "init-samenvatting"},
        {"description", "init-beschrijving"},
        {"theme", "init-thema"},
        {"neighbourhood", "init-wijk"},
        {"organisation", "init-organisatie"},
        {"address", "init-adres"},
        {"location", "init-breedte"},
        {"startDate", "init-start"},
        {"endDate", "init-eind"},
        {"website", "init-website"},
    };

    lk_form_summary_begin(&b, e->summary != NULL ? e->summary
                                                 : "Controleer het "
                                                   "formulier.");
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
      lk_form_summary_item(&b, order[i][1], error_of(e, order[i][0]));
    lk_form_summary_end(&b);
  }
  lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" action=\"");
  if (edit) {
    lk_buf_puts(&b, "/initiatieven/");
    lk_html_attr(&b, id);
    lk_buf_puts(&b, "/bewerken");
  } else {
    lk_buf_puts(&b, "/initiatieven/nieuw");
  }
  lk_buf_puts(&b, "\" novalidate>\n");
  lk_participant_csrf_field(&b, p);
  lk_buf_puts(&b, "<input type=\"hidden\" name=\"versie\" value=\"");
  lk_html_attr(&b, t->version);
  lk_buf_puts(&b, "\">\n");
  text_field(&b, "init-titel", "titel", "Titel", NULL, t->title, "text", 150, e,
             "title");
  area_field(&b, "init-samenvatting", "samenvatting", "Samenvatting",
             "In één of twee zinnen: wat gaat u doen? Nodig om te "
             "publiceren.",
             t->summary, 500, e, "summary");
  area_field(&b, "init-beschrijving", "beschrijving", "Beschrijving",
             "Vertel meer: waarom, voor wie, wat is er nodig?", t->description,
             10000, e, "description");
  rc = lk_ip_select(&b, req, "init-thema", "thema", "Thema", false, t->theme,
                    error_of(e, "theme"));
  if (rc == 0)
    rc = lk_ip_select(&b, req, "init-wijk", "wijk", "Wijk", true,
                      t->neighbourhood, error_of(e, "neighbourhood"));
  err = error_of(e, "organisation");
  lk_form_field_head(&b, "init-organisatie", "Namens organisatie",
                     "Alleen organisaties waarvan u lid bent (toevoegen via "
                     "Mijn account).",
                     err);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__input\"><select "
                  "class=\"utrecht-select utrecht-select--html-select\" "
                  "id=\"init-organisatie\" name=\"organisatie\"");
  lk_form_described(&b, "init-organisatie", true, err != NULL);
  lk_buf_puts(&b, "><option value=\"\">Geen: op eigen naam</option>");
  if (rc == 0) {
    int n = lk_store_p_orgs_of(lk_req_app(req)->store, p->account_id,
                               org_option, &oo);

    rc = n < 0 ? n : 0;
  }
  lk_buf_puts(&b, "</select></p>\n</div>\n");
  text_field(&b, "init-adres", "adres", "Adres of plek",
             "Bijvoorbeeld: Oudegracht 100 of het grasveld bij de "
             "Merelstraat.",
             t->address, "text", 200, e, "address");
  lk_buf_puts(&b, "<fieldset class=\"utrecht-form-fieldset\"><legend "
                  "class=\"utrecht-form-fieldset__legend\">Plek op de kaart "
                  "(niet verplicht)</legend>");
  text_field(&b, "init-breedte", "lat", "Breedtegraad",
             "In graden, bijvoorbeeld 52.0907.", t->lat, "text", 20, e,
             "location");
  text_field(&b, "init-lengte", "lon", "Lengtegraad",
             "In graden, bijvoorbeeld 5.1214.", t->lon, "text", 20, e,
             "location");
  lk_buf_puts(&b, "</fieldset>\n");
  text_field(&b, "init-start", "start", "Startdatum",
             "Bijvoorbeeld 2026-05-30.", t->start, "date", 10, e, "startDate");
  text_field(&b, "init-eind", "eind", "Einddatum", "Bijvoorbeeld 2026-05-30.",
             t->end, "date", 10, e, "endDate");
  text_field(&b, "init-website", "website", "Website",
             "Een link die begint met https://", t->website, "url", 300, e,
             "website");
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                  "button utrecht-button--primary-action\" type=\"submit\">"
                  "Opslaan</button></p>\n</form>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_ip_respond(
      req, status,
      e->n > 0 || e->summary != NULL
          ? (edit ? "Fout: Initiatief bewerken" : "Fout: Initiatief starten")
          : (edit ? "Initiatief bewerken" : "Initiatief starten"),
      p, &b);
}

static void typed_read(lk_req *req, struct typed *t) {
  lk_form_field(req, "titel", t->title, sizeof(t->title));
  lk_form_field(req, "samenvatting", t->summary, sizeof(t->summary));
  lk_form_field(req, "beschrijving", t->description, sizeof(t->description));
  lk_form_field(req, "thema", t->theme, sizeof(t->theme));
  lk_form_field(req, "wijk", t->neighbourhood, sizeof(t->neighbourhood));
  lk_form_field(req, "organisatie", t->organisation, sizeof(t->organisation));
  lk_form_field(req, "adres", t->address, sizeof(t->address));
  lk_form_field(req, "lat", t->lat, sizeof(t->lat));
  lk_form_field(req, "lon", t->lon, sizeof(t->lon));
  lk_form_field(req, "start", t->start, sizeof(t->start));
  lk_form_field(req, "eind", t->end, sizeof(t->end));
  lk_form_field(req, "website", t->website, sizeof(t->website));
  lk_form_field(req, "versie", t->version, sizeof(t->version));
  lk_form_unix_newlines(t->summary);
  lk_form_unix_newlines(t->description);
}

static void typed_input(const struct typed *t, lk_init_input *in) {
  in->title = t->title;
  in->summary = t->summary;
  in->description = t->description;
  in->theme = t->theme;
  in->neighbourhood = t->neighbourhood;
  in->organisation = t->organisation;
  in->address = t->address;
  in->lat = t->lat;
  in->lon = t->lon;
  in->start_date = t->start;
  in->end_date = t->end;
  in->website = t->website;
}

static void typed_from_row(struct typed *t, const lk_initiative_row *r) {
  memset(t, 0, sizeof(*t));
  snprintf(t->title, sizeof(t->title), "%s", r->title);
  snprintf(t->summary, sizeof(t->summary), "%s", r->summary);
  snprintf(t->description, sizeof(t->description), "%s", r->description);
  snprintf(t->theme, sizeof(t->theme), "%s", r->theme_id);
  snprintf(t->neighbourhood, sizeof(t->neighbourhood), "%s",
           r->neighbourhood_id);
  snprintf(t->organisation, sizeof(t->organisation), "%s", r->organisation_id);
  snprintf(t->address, sizeof(t->address), "%s", r->address);
  if (r->has_point) {
    snprintf(t->lat, sizeof(t->lat), "%.6f", r->lat);
    snprintf(t->lon, sizeof(t->lon), "%.6f", r->lon);
  }
  snprintf(t->start, sizeof(t->start), "%s", r->start_date);
  snprintf(t->end, sizeof(t->end), "%s", r->end_date);
  snprintf(t->website, sizeof(t->website), "%s", r->website);
  snprintf(t->version, sizeof(t->version), "%lld", (long long)r->version);
}

struct save_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_init_save_op op;
  lk_participant p;
  struct typed t;
};

static void saved(lk_req *req, int status) {
  struct save_ctx *ctx = lk_req_data(req);
  char loc[80];

  if (status == LK_EINVALID || status == LK_STORE_CONFLICT ||
      status == LK_INIT_EBADTRANSITION) {
    struct errors e = {0};

    if (status == LK_EINVALID) {
      e.f[0][0] = ctx->op.why.field;
      e.f[0][1] = lk_ip_field_error(ctx->op.why.field);
      e.n = 1;
    } else if (status == LK_STORE_CONFLICT) {
      e.summary = "Iemand anders heeft dit initiatief intussen gewijzigd. "
                  "Laad de pagina opnieuw en breng uw wijziging nog eens "
                  "aan.";
    } else {
      e.summary = "Dit initiatief kan in deze fase niet worden bewerkt.";
    }
    form_render(req, status == LK_EINVALID ? 422 : 409, &ctx->p,
                ctx->op.create ? NULL : ctx->op.r.id, &ctx->t, &e);
    return;
  }
  if (status == LK_STORE_NOTFOUND) {
    lk_req_not_found(req);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  snprintf(loc, sizeof(loc), "/initiatieven/%s", ctx->op.r.id);
  lk_ip_redirect(req, loc);
}

static void save(lk_req *req, const char *id) {
  struct save_ctx *ctx;
  lk_init_input in = {0};
  lk_invalid why, all[12];
  char *end;
  int64_t version = 0;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_participant_page_auth(req, &ctx->p, true) != 0)
    return;
  if (id != NULL && !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  typed_read(req, &ctx->t);
  typed_input(&ctx->t, &in);
  if (id != NULL) {
    version = strtoll(ctx->t.version, &end, 10);
    if (*end != '\0' || version <= 0)
      version = -1; /* never matches: answered as a conflict */
  }
  if (lk_init_fields(&ctx->op.r, &in, &why, all, 12) != 0) {
    struct errors e = {0};

    for (int i = 0; i < 11 && all[i].field != NULL; i++) {
      e.f[e.n][0] = all[i].field;
      e.f[e.n][1] = lk_ip_field_error(all[i].field);
      e.n++;
    }
    form_render(req, 422, &ctx->p, id, &ctx->t, &e);
    return;
  }
  if (lk_init_save_prepare(&ctx->op, ctx->p.account_id, id, &in, version,
                           lk_clock_real_ms(), lk_req_id(req), &why) != 0) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field", NULL, NULL);
    return;
  }
  /* A new initiative counts against the posting limit; an edit does not. */
  if (id == NULL &&
      lk_matching_post_limit(req, "initiative", ctx->p.account_id) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_init_save_apply, &ctx->op, saved);
}

static void create_page(lk_req *req) {
  lk_participant p;
  struct typed *t;
  struct errors e = {0};

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  t = calloc(1, sizeof(*t));
  if (t == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  form_render(req, 200, &p, NULL, t, &e);
  free(t);
}

static void create_submit(lk_req *req) {
  save(req, NULL);
}

/* The initiative of the path if the viewer organises it; answers 404
 * otherwise (also for someone else's) and returns -1. */
static int organised(lk_req *req, const lk_participant *p,
                     lk_initiative_row *r) {
  lk_store *s = lk_req_app(req)->store;
  const char *id = lk_req_param(req, "id");
  char role[8];
  int rc;

  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return -1;
  }
  rc = lk_store_initiative_role(s, NULL, id, p->account_id, role);
  if (rc == 0)
    rc = lk_store_initiative_get(s, NULL, id, r);
  if (rc == LK_STORE_NOTFOUND) {
    lk_req_not_found(req);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  return 0;
}

static void edit_page(lk_req *req) {
  lk_participant p;
  lk_initiative_row *r;
  struct typed *t;
  struct errors e = {0};

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  r = malloc(sizeof(*r));
  t = malloc(sizeof(*t));
  if (r == NULL || t == NULL) {
    free(r);
    free(t);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (organised(req, &p, r) == 0) {
    typed_from_row(t, r);
    if (!lk_init_editable(r->status))
      e.summary = "Dit initiatief kan in deze fase niet worden bewerkt.";
    form_render(req, 200, &p, r->id, t, &e);
  }
  free(r);
  free(t);
}

static void edit_submit(lk_req *req) {
  save(req, lk_req_param(req, "id"));
}

/* ---- the organiser panel on the initiative page ------------------------- */

static void action_form(lk_buf *b, const lk_initiative_row *r,
                        const lk_participant *p, const char *action,
                        const char *label, bool reason) {
  lk_buf_puts(b, "<form class=\"utrecht-form loket-action\" method=\"post\" "
                 "action=\"/initiatieven/");
  lk_html_attr(b, r->id);
  lk_buf_puts(b, "/status\">");
  lk_participant_csrf_field(b, p);
  lk_buf_printf(b, "<input type=\"hidden\" name=\"actie\" value=\"%s\">",
                action);
  if (reason) {
    lk_buf_printf(b,
                  "<div class=\"utrecht-form-field\"><p class=\"utrecht-form-"
                  "field__label\"><label class=\"utrecht-form-label\" "
                  "for=\"reden-%s\">Reden (iedereen ziet deze)</label></p>"
                  "<p class=\"utrecht-form-field__input\"><textarea "
                  "class=\"utrecht-textarea\" id=\"reden-%s\" name=\"reden\" "
                  "rows=\"2\" maxlength=\"1000\"></textarea></p></div>",
                  action, action);
  }
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                 "button utrecht-button--secondary-action\" type=\"submit\">");
  lk_html_txt(b, label);
  lk_buf_puts(b, "</button></p></form>\n");
}

void lk_ip_organiser_panel(lk_buf *b, const lk_initiative_row *r,
                           const lk_participant *p, bool owner) {
  bool draft = strcmp(r->status, "draft") == 0;
  bool live =
      strcmp(r->status, "published") == 0 || strcmp(r->status, "running") == 0;

  lk_buf_puts(b, "<section class=\"loket-organiser\" aria-labelledby=\"org-"
                 "kop\"><h2 id=\"org-kop\" class=\"utrecht-heading-2\">Voor "
                 "organisatoren</h2>\n");
  if (lk_init_editable(r->status)) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                   "href=\"/initiatieven/");
    lk_html_attr(b, r->id);
    lk_buf_puts(b, "/bewerken\">Initiatief bewerken</a></p>\n");
  }
  if (draft)
    action_form(b, r, p, "submit", "Indienen om te publiceren", false);
  if (strcmp(r->status, "prescreening") == 0)
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">De gemeente bekijkt uw "
                   "initiatief voordat het wordt gepubliceerd.</p>\n");
  if (strcmp(r->status, "published") == 0)
    action_form(b, r, p, "start", "Het initiatief is begonnen", false);
  if (live) {
    action_form(b, r, p, "complete", "Het initiatief is afgerond", false);
    action_form(b, r, p, "stop", "Stoppen met dit initiatief", true);
  }
  if (r->published_at != 0 && strcmp(r->status, "prescreening") != 0) {
    lk_buf_puts(b, "<h3 class=\"utrecht-heading-3\">Nieuws plaatsen</h3>"
                   "<p class=\"utrecht-paragraph\">Volgers krijgen het per "
                   "e-mail.</p><form class=\"utrecht-form\" method=\"post\" "
                   "action=\"/initiatieven/");
    lk_html_attr(b, r->id);
    lk_buf_puts(b, "/nieuws\">");
    lk_participant_csrf_field(b, p);
    lk_buf_puts(b, "<div class=\"utrecht-form-field\"><p class=\"utrecht-"
                   "form-field__label\"><label class=\"utrecht-form-label\" "
                   "for=\"nieuws-titel\">Kop</label></p><p class=\"utrecht-"
                   "form-field__input\"><input class=\"utrecht-textbox "
                   "utrecht-textbox--html-input\" id=\"nieuws-titel\" "
                   "name=\"titel\" type=\"text\" maxlength=\"150\"></p>"
                   "</div><div class=\"utrecht-form-field\"><p class=\""
                   "utrecht-form-field__label\"><label class=\"utrecht-form-"
                   "label\" for=\"nieuws-bericht\">Bericht</label></p><p "
                   "class=\"utrecht-form-field__input\"><textarea "
                   "class=\"utrecht-textarea\" id=\"nieuws-bericht\" "
                   "name=\"bericht\" rows=\"5\" maxlength=\"5000\"></textarea>"
                   "</p></div><p class=\"utrecht-paragraph\"><button "
                   "class=\"utrecht-button utrecht-button--primary-action\" "
                   "type=\"submit\">Nieuws plaatsen</button></p></form>\n");
  }
  if (lk_init_editable(r->status) && r->images_count < LK_INIT_IMAGES_MAX) {
    lk_buf_puts(b, "<h3 class=\"utrecht-heading-3\">Afbeelding toevoegen</h3>"
                   "<form class=\"utrecht-form\" method=\"post\" "
                   "enctype=\"multipart/form-data\" action=\"/initiatieven/");
    lk_html_attr(b, r->id);
    lk_buf_puts(b, "/afbeeldingen\">");
    lk_participant_csrf_field(b, p);
    lk_buf_puts(b, "<div class=\"utrecht-form-field\"><p class=\"utrecht-"
                   "form-field__label\"><label class=\"utrecht-form-label\" "
                   "for=\"afbeelding-bestand\">Afbeelding (PNG, JPEG, GIF of "
                   "WebP, ten hoogste 5 MB)</label></p><p class=\"utrecht-"
                   "form-field__input\"><input class=\"utrecht-textbox\" "
                   "id=\"afbeelding-bestand\" name=\"afbeelding\" "
                   "type=\"file\" accept=\"image/png,image/jpeg,image/gif,"
                   "image/webp\"></p></div><div class=\"utrecht-form-field\">"
                   "<p class=\"utrecht-form-field__label\"><label "
                   "class=\"utrecht-form-label\" for=\"afbeelding-alt\">Wat "
                   "staat erop? (voor wie de afbeelding niet kan zien)"
                   "</label></p><p class=\"utrecht-form-field__input\"><input "
                   "class=\"utrecht-textbox utrecht-textbox--html-input\" "
                   "id=\"afbeelding-alt\" name=\"alt\" type=\"text\" "
                   "maxlength=\"300\"></p></div><p class=\"utrecht-"
                   "paragraph\"><button class=\"utrecht-button utrecht-"
                   "button--secondary-action\" type=\"submit\">Afbeelding "
                   "toevoegen</button></p></form>\n");
  }
  if (owner) {
    lk_buf_puts(b, "<h3 class=\"utrecht-heading-3\">Mede-organisator "
                   "toevoegen</h3><form class=\"utrecht-form\" "
                   "method=\"post\" action=\"/initiatieven/");
    lk_html_attr(b, r->id);
    lk_buf_puts(b, "/organisatoren\">");
    lk_participant_csrf_field(b, p);
    lk_buf_puts(b, "<div class=\"utrecht-form-field\"><p class=\"utrecht-"
                   "form-field__label\"><label class=\"utrecht-form-label\" "
                   "for=\"coorg-email\">E-mailadres van de mede-organisator "
                   "(die al een account heeft)</label></p><p "
                   "class=\"utrecht-form-field__input\"><input "
                   "class=\"utrecht-textbox utrecht-textbox--html-input\" "
                   "id=\"coorg-email\" name=\"email\" type=\"email\" "
                   "autocomplete=\"off\" maxlength=\"254\"></p></div><p "
                   "class=\"utrecht-paragraph\"><button class=\"utrecht-"
                   "button utrecht-button--secondary-action\" type=\"submit\">"
                   "Toevoegen</button></p></form>\n");
  }
  lk_buf_puts(b, "</section>\n");
}

/* ---- posts from the initiative page ------------------------------------- */

/* Answers a write of an organiser form: back to the page, or an error
 * page naming the problem. */
static void back_or_error(lk_req *req, int status, const char *id,
                          const lk_invalid *why, const lk_participant *p) {
  char loc[80];

  if (status == 0) {
    snprintf(loc, sizeof(loc), "/initiatieven/%s", id);
    lk_ip_redirect(req, loc);
    return;
  }
  if (status == LK_STORE_NOTFOUND) {
    lk_req_not_found(req);
    return;
  }
  if (status == LK_EINVALID) {
    lk_ip_message(req, 422, "Fout: controleer uw invoer",
                  lk_ip_field_error(why != NULL ? why->field : NULL), p);
    return;
  }
  if (status == LK_INIT_EBADTRANSITION || status == LK_INIT_EFORBIDDEN ||
      status == LK_STORE_CONFLICT) {
    lk_ip_message(req, 409, "Dat kan nu niet",
                  "Dit kan in de huidige fase van het initiatief niet (meer). "
                  "Ga terug en laad de pagina opnieuw.",
                  p);
    return;
  }
  lk_req_problem_store(req, status);
}

struct status_ctx {
  lk_api_write aw;
  lk_init_status_op op;
  lk_participant p;
};

static void status_done(lk_req *req, int status) {
  struct status_ctx *ctx = lk_req_data(req);

  back_or_error(req, status, ctx->op.id, &ctx->op.why, &ctx->p);
}

static void status_submit(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *id = lk_req_param(req, "id");
  char action[16], reason[LK_PS_REASON_MAX * 2];
  struct status_ctx *ctx;
  lk_init_action a;
  lk_invalid why;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL || lk_participant_page_auth(req, &ctx->p, true) != 0)
    return;
  lk_form_field(req, "actie", action, sizeof(action));
  lk_form_field(req, "reden", reason, sizeof(reason));
  lk_form_unix_newlines(reason);
  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  if (lk_init_action_parse(action, &a) != 0) {
    back_or_error(req, LK_INIT_EFORBIDDEN, id, NULL, &ctx->p);
    return;
  }
  if (lk_init_status_prepare(&ctx->op, id, ctx->p.account_id, ctx->p.actor,
                             false, app->participation_prescreen, a, reason,
                             &why) != 0) {
    back_or_error(req, LK_EINVALID, id, &why, &ctx->p);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_init_status_apply, &ctx->op, status_done);
}

struct post_ctx {
  lk_api_write aw;
  lk_init_post_op op;
  lk_participant p;
};

static void posted(lk_req *req, int status) {
  struct post_ctx *ctx = lk_req_data(req);

  back_or_error(req, status, ctx->op.u.initiative_id, NULL, &ctx->p);
}

static void news_submit(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *id = lk_req_param(req, "id");
  char title[512], body[LK_PS_UPDATE_BODY_MAX * 2];
  struct post_ctx *ctx;
  lk_invalid why;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL || lk_participant_page_auth(req, &ctx->p, true) != 0)
    return;
  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  lk_form_field(req, "titel", title, sizeof(title));
  lk_form_field(req, "bericht", body, sizeof(body));
  lk_form_unix_newlines(body);
  if (lk_init_post_prepare(&ctx->op, id, ctx->p.account_id, title, body,
                           app->public_url, lk_clock_real_ms(), &why) != 0) {
    back_or_error(req, LK_EINVALID, id, &why, &ctx->p);
    return;
  }
  if (lk_matching_post_limit(req, "update", ctx->p.account_id) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_init_post_apply, &ctx->op, posted);
}

struct follow_ctx {
  lk_api_write aw;
  lk_init_follow_op op;
  lk_participant p;
};

static void followed(lk_req *req, int status) {
  struct follow_ctx *ctx = lk_req_data(req);

  back_or_error(req, status, ctx->op.id, NULL, &ctx->p);
}

static void follow_submit(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  char v[4];
  struct follow_ctx *ctx;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL || lk_participant_page_auth(req, &ctx->p, true) != 0)
    return;
  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  lk_form_field(req, "volgen", v, sizeof(v));
  snprintf(ctx->op.id, sizeof(ctx->op.id), "%s", id);
  snprintf(ctx->op.account_id, sizeof(ctx->op.account_id), "%s",
           ctx->p.account_id);
  ctx->op.follow = strcmp(v, "0") != 0;
  lk_api_submit(req, &ctx->aw, lk_init_follow_apply, &ctx->op, followed);
}

struct coorg_ctx {
  lk_api_write aw;
  lk_init_coorg_op op;
  lk_participant p;
};

static void coorg_done(lk_req *req, int status) {
  struct coorg_ctx *ctx = lk_req_data(req);

  if (status == LK_EINVALID) {
    lk_ip_message(req, 422, "Fout: geen account gevonden",
                  "Er is geen bevestigd account met dit e-mailadres. Vraag "
                  "de mede-organisator eerst een account te maken.",
                  &ctx->p);
    return;
  }
  back_or_error(req, status, ctx->op.id, &ctx->op.why, &ctx->p);
}

static void coorg_submit(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  char email[512];
  struct coorg_ctx *ctx;
  lk_invalid why;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL || lk_participant_page_auth(req, &ctx->p, true) != 0)
    return;
  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  lk_form_field(req, "email", email, sizeof(email));
  if (lk_init_coorg_prepare(&ctx->op, id, ctx->p.account_id, email, &why) !=
      0) {
    back_or_error(req, LK_EINVALID, id, &why, &ctx->p);
    return;
  }
  /* The answer tells whether an address has a confirmed account: bound
   * such look-ups per account, with the budget of link requests. */
  if (lk_req_app(req)->p_links_by_client != NULL) {
    char key[sizeof(ctx->p.account_id) + 8];
    int64_t retry;

    snprintf(key, sizeof(key), "coorg:%s", ctx->p.account_id);
    retry = lk_ratelimit_hit(lk_req_app(req)->p_links_by_client, key, NULL);
    if (retry > 0) {
      char secs[24];

      snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry));
      lk_req_add_header(req, "Retry-After", secs);
      lk_ip_message(req, 429, "Te veel aanvragen",
                    "U heeft te vaak een mede-organisator toegevoegd. "
                    "Probeer het later opnieuw.",
                    &ctx->p);
      return;
    }
  }
  lk_api_submit(req, &ctx->aw, lk_init_coorg_apply, &ctx->op, coorg_done);
}

/* ---- images ------------------------------------------------------------- */

struct image_ctx {
  lk_contact_upload up; /* first: its write */
  lk_init_image_op op;
  lk_participant p;
};

static void image_done(lk_req *req) {
  struct image_ctx *ctx = lk_req_data(req);

  back_or_error(req, ctx->up.status, ctx->op.img.initiative_id, NULL, &ctx->p);
}

static void image_submit(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *id = lk_req_param(req, "id");
  struct image_ctx *ctx;
  lk_form_body f;
  const lk_part *part;
  char alt[LK_PS_ALT_MAX * 2];
  lk_invalid why;
  int rc;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL || lk_participant_page_auth(req, &ctx->p, true) != 0)
    return;
  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  if (lk_form_body_open(req, &f) != 0) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_value(&f, "alt", alt, sizeof(alt));
  part = lk_form_file(&f, "afbeelding");
  rc = lk_init_image_prepare(
      &ctx->op, id, ctx->p.account_id, part != NULL ? part->data : NULL,
      part != NULL ? part->len : 0, alt, lk_clock_real_ms(), &why);
  if (rc == 0) {
    /* The bytes stay in the request's body while the request lives. */
    ctx->up.data = part->data;
    ctx->up.len = part->len;
  }
  lk_form_body_close(&f);
  if (rc != 0) {
    back_or_error(req, LK_EINVALID, id, &why, &ctx->p);
    return;
  }
  ctx->up.req = req;
  ctx->up.store = app->store;
  ctx->up.has_file = true;
  snprintf(ctx->up.att.row.sha256, sizeof(ctx->up.att.row.sha256), "%s",
           ctx->op.img.sha256);
  lk_req_suspend(req, image_done);
  lk_contact_upload_start(&ctx->up, lk_init_image_apply, &ctx->op);
}

int lk_ip_edit_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/initiatieven/nieuw", create_page, 0},
      {"POST", "/initiatieven/nieuw", create_submit, 0},
      {"GET", "/initiatieven/{id}/bewerken", edit_page, 0},
      {"POST", "/initiatieven/{id}/bewerken", edit_submit, 0},
      {"POST", "/initiatieven/{id}/status", status_submit, 0},
      {"POST", "/initiatieven/{id}/nieuws", news_submit, 0},
      {"POST", "/initiatieven/{id}/volgen", follow_submit, 0},
      {"POST", "/initiatieven/{id}/organisatoren", coorg_submit, 0},
      {"POST", "/initiatieven/{id}/afbeeldingen", image_submit,
       LK_ROUTE_UPLOAD},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
