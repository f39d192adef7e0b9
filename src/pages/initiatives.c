/* initiatives.c - /initiatieven: the list, one initiative, the open-data
 * export, images, and what the page files share (initiatives.h). */
#include "pages/initiatives.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "core/ids.h"
#include "http/problem.h"
#include "pages/actueel.h" /* lk_actueel_local */
#include "pages/form.h"
#include "pages/initiatives_internal.h"
#include "pages/layout.h"
#include "store/attachments.h" /* lk_store_dir */
#include "util/html.h"

#define PAGE_SIZE 20
#define SLOT_MAX 4

static const char *const months[12] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

/* ---- sections of other modules ------------------------------------------ */

static lk_init_section_fn slots[LK_INIT_SLOTS][SLOT_MAX];

int lk_initiative_section(lk_init_slot slot, lk_init_section_fn fn) {
  if ((int)slot < 0 || slot >= LK_INIT_SLOTS)
    return -1;
  for (int i = 0; i < SLOT_MAX; i++)
    if (slots[slot][i] == NULL || slots[slot][i] == fn) {
      slots[slot][i] = fn;
      return 0;
    }
  return -1;
}

static void render_slot(lk_buf *b, lk_req *req, lk_init_slot slot,
                        const lk_init_view *v) {
  for (int i = 0; i < SLOT_MAX && slots[slot][i] != NULL; i++)
    slots[slot][i](b, req, v);
}

/* ---- shared ------------------------------------------------------------- */

static void nav(lk_buf *b, const lk_participant *p) {
  lk_buf_puts(b, "<nav class=\"loket-pnav\" aria-label=\"Initiatieven\">"
                 "<ul class=\"utrecht-unordered-list loket-pnav__list\">"
                 "<li><a class=\"utrecht-link\" href=\"/initiatieven\">"
                 "Alle initiatieven</a></li><li><a class=\"utrecht-link\" "
                 "href=\"/initiatieven/kaart\">Kaart</a></li>");
  if (p != NULL) {
    lk_buf_puts(b, "<li><a class=\"utrecht-link\" href=\"/initiatieven/"
                   "nieuw\">Initiatief starten</a></li><li><a "
                   "class=\"utrecht-link\" href=\"/initiatieven/mijn\">Mijn "
                   "account (");
    lk_html_txt(b, p->display_name);
    lk_buf_puts(b, ")</a></li><li><form method=\"post\" action=\"/"
                   "initiatieven/uitloggen\" class=\"loket-inline-form\">");
    lk_participant_csrf_field(b, p);
    lk_buf_puts(b, "<button class=\"utrecht-button utrecht-button--"
                   "secondary-action\" type=\"submit\">Uitloggen</button>"
                   "</form></li>");
  } else {
    lk_buf_puts(b, "<li><a class=\"utrecht-link\" href=\"/initiatieven/"
                   "inloggen\">Inloggen</a></li><li><a class=\"utrecht-link\" "
                   "href=\"/initiatieven/registreren\">Account maken</a>"
                   "</li>");
  }
  lk_buf_puts(b, "</ul></nav>\n");
}

void lk_ip_respond(lk_req *req, int status, const char *title,
                   const lk_participant *p, lk_buf *body) {
  lk_buf b = LK_BUF_INIT;

  nav(&b, p);
  if (lk_buf_ok(body))
    lk_buf_append(&b, body->data, body->len);
  lk_buf_free(body);
  lk_form_page(req, status, title, &b);
}

void lk_ip_date(lk_buf *b, int64_t ms) {
  struct tm tm;

  lk_actueel_local(ms, &tm);
  lk_buf_printf(b, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900);
}

void lk_ip_day(lk_buf *b, const char *ymd) {
  int m;

  if (strlen(ymd) != 10) {
    lk_html_txt(b, ymd);
    return;
  }
  m = (ymd[5] - '0') * 10 + (ymd[6] - '0');
  if (m < 1 || m > 12) {
    lk_html_txt(b, ymd);
    return;
  }
  lk_buf_printf(b, "%d %s %.4s", (ymd[8] - '0') * 10 + (ymd[9] - '0'),
                months[m - 1], ymd);
}

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
  lk_buf_puts(o->b, "</option>");
}

int lk_ip_options(lk_buf *b, lk_req *req, bool neighbourhoods,
                  const char *selected, const char *empty) {
  lk_store *s = lk_req_app(req)->store;
  struct options o = {b, selected};
  int rc;

  if (empty != NULL) {
    lk_buf_puts(b, "<option value=\"\">");
    lk_html_txt(b, empty);
    lk_buf_puts(b, "</option>");
  }
  rc = neighbourhoods ? lk_store_p_neighbourhoods(s, option, &o)
                      : lk_store_p_themes(s, option, &o);
  return rc < 0 ? rc : 0;
}

int lk_ip_select(lk_buf *b, lk_req *req, const char *id, const char *name,
                 const char *label, bool neighbourhoods, const char *selected,
                 const char *error) {
  int rc;

  lk_form_field_head(b, id, label, NULL, error);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><select "
                 "class=\"utrecht-select utrecht-select--html-select");
  if (error != NULL)
    lk_buf_puts(b, " utrecht-select--invalid");
  lk_buf_puts(b, "\" id=\"");
  lk_html_attr(b, id);
  lk_buf_puts(b, "\" name=\"");
  lk_html_attr(b, name);
  lk_buf_putc(b, '"');
  lk_form_described(b, id, false, error != NULL);
  lk_buf_putc(b, '>');
  rc = lk_ip_options(b, req, neighbourhoods, selected, "Kies ...");
  lk_buf_puts(b, "</select></p>\n</div>\n");
  return rc;
}

void lk_ip_message(lk_req *req, int status, const char *title, const char *text,
                   const lk_participant *p) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\" role=\"status\">");
  lk_html_txt(&b, text);
  lk_buf_puts(&b, "</p>\n<p class=\"utrecht-paragraph\"><a class=\"utrecht-"
                  "link\" href=\"/initiatieven\">Naar alle initiatieven</a>"
                  "</p>\n");
  lk_ip_respond(req, status, title, p, &b);
}

void lk_ip_redirect(lk_req *req, const char *location) {
  lk_req_add_header(req, "Location", location);
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond(req, 303, "text/plain; charset=utf-8", "", 0);
}

const char *lk_ip_data_dir(lk_req *req) {
  return lk_store_dir(lk_req_app(req)->store);
}

static const char *const field_errors[][2] = {
    {"title", "Vul een titel in van 3 tot 150 tekens op één regel."},
    {"summary", "De samenvatting is te lang (ten hoogste 500 tekens)."},
    {"description", "De beschrijving is te lang (ten hoogste 10.000 tekens)."},
    {"theme", "Kies een thema uit de lijst."},
    {"neighbourhood", "Kies een wijk uit de lijst."},
    {"organisation", "Kies een organisatie waarvan u lid bent."},
    {"address", "Het adres is te lang (ten hoogste 200 tekens)."},
    {"location", "Vul breedtegraad en lengtegraad allebei in (in graden, "
                 "zoals 52.0907 en 5.1214), of laat ze allebei leeg."},
    {"startDate", "Vul een datum in zoals 2026-05-30."},
    {"endDate", "Vul een datum in zoals 2026-05-30, niet vóór de startdatum."},
    {"website", "Vul een link in die begint met https:// of http://."},
    {"email", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."},
    {"displayName", "Vul een naam in van 2 tot 100 tekens."},
    {"reason", "Vul een reden in (ten hoogste 1.000 tekens)."},
    {"body", "Vul een bericht in (ten hoogste 5.000 tekens)."},
    {"image", "Kies een afbeelding (PNG, JPEG, GIF of WebP) van ten hoogste "
              "5 MB."},
    {"alt", "Beschrijf wat er op de afbeelding staat (1 tot 300 tekens)."},
    {"name", "Vul een naam in van 2 tot 100 tekens."},
    {"kvk", "Een KVK-nummer heeft acht cijfers."},
};

const char *lk_ip_field_error(const char *field) {
  for (size_t i = 0; i < sizeof(field_errors) / sizeof(field_errors[0]); i++)
    if (field != NULL && strcmp(field, field_errors[i][0]) == 0)
      return field_errors[i][1];
  return "Controleer dit veld.";
}

/* The viewer, or NULL; answers and returns -1 on a store error. */
static int viewer(lk_req *req, lk_participant *p, const lk_participant **out) {
  int rc = lk_participant_get(req, p);

  if (rc < 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  *out = rc == 0 ? p : NULL;
  return 0;
}

/* ---- the list ----------------------------------------------------------- */

struct list_ctx {
  lk_buf *b;
  int n;
  int64_t last_published;
  char last_id[LK_PS_ID_LEN + 1];
};

static void card(const lk_initiative_row *r, void *ud) {
  struct list_ctx *c = ud;
  lk_buf *b = c->b;

  c->n++;
  c->last_published = r->published_at;
  snprintf(c->last_id, sizeof(c->last_id), "%s", r->id);
  lk_buf_puts(b, "<li class=\"loket-initiative\"><h2 class=\"utrecht-heading-"
                 "3\"><a class=\"utrecht-link\" href=\"/initiatieven/");
  lk_html_attr(b, r->id);
  lk_buf_puts(b, "\">");
  lk_html_txt(b, r->title);
  lk_buf_puts(b, "</a></h2><p class=\"utrecht-paragraph loket-muted\">");
  lk_html_txt(b, lk_init_status_label(r->status));
  if (r->theme_name[0] != '\0') {
    lk_buf_puts(b, " · ");
    lk_html_txt(b, r->theme_name);
  }
  if (r->neighbourhood_name[0] != '\0') {
    lk_buf_puts(b, " · ");
    lk_html_txt(b, r->neighbourhood_name);
  }
  lk_buf_printf(b, " · %lld %s · %lld %s", (long long)r->followers_count,
                r->followers_count == 1 ? "volger" : "volgers",
                (long long)r->participants_count,
                r->participants_count == 1 ? "deelnemer" : "deelnemers");
  lk_buf_puts(b, "</p><p class=\"utrecht-paragraph\">");
  lk_html_txt(b, r->summary);
  lk_buf_puts(b, "</p></li>\n");
}

static void query_value(const char *name, lk_req *req, char *out, size_t size) {
  const char *v = lk_req_query(req, name);

  snprintf(out, size, "%s", v != NULL ? v : "");
}

/* Reads ?thema=&wijk=&status=&na= into `f`.  Returns 0, or -1 when a
 * value cannot be one (then the list is empty rather than an error). */
static int read_filter(lk_req *req, lk_initiative_filter *f) {
  char na[80];
  char *dot, *end;

  memset(f, 0, sizeof(*f));
  query_value("thema", req, f->theme, sizeof(f->theme));
  query_value("wijk", req, f->neighbourhood, sizeof(f->neighbourhood));
  query_value("status", req, f->status, sizeof(f->status));
  query_value("na", req, na, sizeof(na));
  if (f->status[0] != '\0' &&
      (!lk_init_status_valid(f->status) || strcmp(f->status, "draft") == 0 ||
       strcmp(f->status, "prescreening") == 0))
    return -1;
  if (na[0] != '\0') {
    dot = strchr(na, '.');
    if (dot == NULL || !lk_uuid_valid(dot + 1))
      return -1;
    *dot = '\0';
    f->after_published = strtoll(na, &end, 10);
    if (*end != '\0' || f->after_published <= 0)
      return -1;
    snprintf(f->after_id, sizeof(f->after_id), "%s", dot + 1);
  }
  return 0;
}

static void status_options(lk_buf *b, const char *selected) {
  static const char *const st[] = {"published", "running", "completed",
                                   "stopped"};

  lk_buf_puts(b, "<option value=\"\">Alle</option>");
  for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
    lk_buf_printf(b, "<option value=\"%s\"%s>", st[i],
                  strcmp(selected, st[i]) == 0 ? " selected" : "");
    lk_html_txt(b, lk_init_status_label(st[i]));
    lk_buf_puts(b, "</option>");
  }
}

static void filter_form(lk_buf *b, lk_req *req, const lk_initiative_filter *f,
                        const char *action) {
  lk_buf_puts(b, "<form class=\"utrecht-form loket-filters\" method=\"get\" "
                 "action=\"");
  lk_html_attr(b, action);
  lk_buf_puts(b, "\"><fieldset class=\"utrecht-form-fieldset\"><legend "
                 "class=\"utrecht-form-fieldset__legend\">Filteren</legend>"
                 "<p class=\"utrecht-form-field\"><label class=\"utrecht-"
                 "form-label\" for=\"filter-thema\">Thema</label> <select "
                 "class=\"utrecht-select utrecht-select--html-select\" "
                 "id=\"filter-thema\" name=\"thema\">");
  lk_ip_options(b, req, false, f->theme, "Alle thema's");
  lk_buf_puts(b, "</select></p><p class=\"utrecht-form-field\"><label "
                 "class=\"utrecht-form-label\" for=\"filter-wijk\">Wijk"
                 "</label> <select class=\"utrecht-select utrecht-select--"
                 "html-select\" id=\"filter-wijk\" name=\"wijk\">");
  lk_ip_options(b, req, true, f->neighbourhood, "Alle wijken");
  lk_buf_puts(b, "</select></p><p class=\"utrecht-form-field\"><label "
                 "class=\"utrecht-form-label\" for=\"filter-status\">Status"
                 "</label> <select class=\"utrecht-select utrecht-select--"
                 "html-select\" id=\"filter-status\" name=\"status\">");
  status_options(b, f->status);
  lk_buf_puts(b, "</select></p><p class=\"utrecht-paragraph\"><button "
                 "class=\"utrecht-button utrecht-button--primary-action\" "
                 "type=\"submit\">Filteren</button></p></fieldset></form>\n");
}

/* "?thema=..&wijk=..&status=..&" of the filter, for links. */
static void filter_query(lk_buf *b, const lk_initiative_filter *f) {
  lk_buf_puts(b, "?thema=");
  lk_html_url(b, f->theme);
  lk_buf_puts(b, "&amp;wijk=");
  lk_html_url(b, f->neighbourhood);
  lk_buf_puts(b, "&amp;status=");
  lk_html_url(b, f->status);
}

static void list_page(lk_req *req) {
  lk_participant pv;
  const lk_participant *p;
  lk_initiative_filter f;
  lk_buf b = LK_BUF_INIT;
  struct list_ctx c = {&b, 0, 0, ""};
  bool valid;
  int rc = 0;

  if (viewer(req, &pv, &p) != 0)
    return;
  valid = read_filter(req, &f) == 0;
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Initiatieven in de stad"
                  "</h1>\n<p class=\"utrecht-paragraph\">Wat bewoners, "
                  "ondernemers en organisaties in de stad beginnen. Doe "
                  "mee, volg een initiatief of start er zelf een. Bekijk ze "
                  "ook <a class=\"utrecht-link\" href=\"/initiatieven/kaart");
  filter_query(&b, &f);
  lk_buf_puts(&b, "\">op de kaart</a>, of download ze als open data (<a "
                  "class=\"utrecht-link\" href=\"/initiatieven/export.json\">"
                  "JSON</a>, <a class=\"utrecht-link\" href=\"/initiatieven/"
                  "export.csv\">CSV</a>).</p>\n");
  filter_form(&b, req, &f, "/initiatieven");
  lk_buf_puts(&b, "<ul class=\"loket-initiatives\" aria-label=\"Gevonden "
                  "initiatieven\">\n");
  if (valid)
    rc = lk_store_initiatives_public(lk_req_app(req)->store, &f, PAGE_SIZE,
                                     card, &c);
  lk_buf_puts(&b, "</ul>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (c.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\" role=\"status\">Geen "
                    "initiatieven gevonden met deze filters.</p>\n");
  lk_buf_puts(&b, "<nav class=\"loket-pager\" aria-label=\"Paginering\">"
                  "<p class=\"utrecht-paragraph\">");
  if (f.after_published != 0) {
    lk_buf_puts(&b, "<a class=\"utrecht-link\" href=\"/initiatieven");
    filter_query(&b, &f);
    lk_buf_puts(&b, "\">Eerste pagina</a> ");
  }
  if (c.n == PAGE_SIZE) {
    lk_buf_puts(&b, "<a class=\"utrecht-link\" rel=\"next\" "
                    "href=\"/initiatieven");
    filter_query(&b, &f);
    lk_buf_printf(&b, "&amp;na=%lld.", (long long)c.last_published);
    lk_html_attr(&b, c.last_id);
    lk_buf_puts(&b, "\">Volgende pagina</a>");
  }
  lk_buf_puts(&b, "</p></nav>\n");
  lk_ip_respond(req, 200, "Initiatieven", p, &b);
}

/* ---- one initiative ----------------------------------------------------- */

struct page_ctx {
  lk_buf *b;
  int n;
  bool organiser;
};

static void organiser_item(const lk_p_person *o, void *ud) {
  struct page_ctx *c = ud;

  lk_buf_puts(c->b, c->n++ == 0 ? "" : ", ");
  lk_html_txt(c->b, o->display_name);
}

static void image_item(const lk_initiative_image_row *r, void *ud) {
  struct page_ctx *c = ud;

  if (c->n++ == 0)
    lk_buf_puts(c->b, "<div class=\"loket-images\">");
  lk_buf_puts(c->b, "<figure class=\"loket-image\"><img src=\"/initiatieven/"
                    "afbeelding/");
  lk_html_attr(c->b, r->id);
  lk_buf_puts(c->b, "\" alt=\"");
  lk_html_attr(c->b, r->alt);
  lk_buf_puts(c->b, "\" loading=\"lazy\"></figure>");
}

static void update_item(const lk_initiative_update_row *u, void *ud) {
  struct page_ctx *c = ud;

  c->n++;
  lk_buf_puts(c->b, "<article class=\"loket-update\"><h3 class=\"utrecht-"
                    "heading-3\">");
  lk_html_txt(c->b, u->title);
  lk_buf_puts(c->b, "</h3><p class=\"utrecht-paragraph loket-muted\">");
  lk_ip_date(c->b, u->created_at);
  lk_buf_puts(c->b, " door ");
  lk_html_txt(c->b, u->author_name);
  lk_buf_puts(c->b, "</p>");
  if (u->hidden_at != 0) {
    lk_buf_puts(c->b, "<p class=\"utrecht-paragraph\"><strong>Verborgen door "
                      "de moderatie:</strong> ");
    lk_html_txt(c->b, u->hidden_reason);
    lk_buf_puts(c->b, "</p>");
  }
  lk_buf_puts(c->b, "<p class=\"utrecht-paragraph loket-text\">");
  lk_html_txt(c->b, u->body);
  lk_buf_puts(c->b, "</p></article>\n");
}

static void fact(lk_buf *b, const char *key, const char *value) {
  if (value[0] == '\0')
    return;
  lk_buf_puts(b, "<div class=\"utrecht-data-list__item\"><dt class=\"utrecht-"
                 "data-list__item-key\">");
  lk_html_txt(b, key);
  lk_buf_puts(b, "</dt><dd class=\"utrecht-data-list__item-value\">");
  lk_html_txt(b, value);
  lk_buf_puts(b, "</dd></div>");
}

static void follow_form(lk_buf *b, const lk_initiative_row *r,
                        const lk_participant *p, bool following) {
  lk_buf_puts(b, "<section aria-labelledby=\"volgen-kop\"><h2 id=\"volgen-"
                 "kop\" class=\"utrecht-heading-2\">Volgen</h2>");
  if (p == NULL) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                   "href=\"/initiatieven/inloggen?next=/initiatieven/");
    lk_html_attr(b, r->id);
    lk_buf_puts(b, "\">Log in</a> om dit initiatief te volgen en een "
                   "e-mail te krijgen bij nieuws.</p></section>\n");
    return;
  }
  lk_buf_puts(b, "<form method=\"post\" action=\"/initiatieven/");
  lk_html_attr(b, r->id);
  lk_buf_puts(b, "/volgen\">");
  lk_participant_csrf_field(b, p);
  lk_buf_printf(b,
                "<input type=\"hidden\" name=\"volgen\" value=\"%s\">"
                "<p class=\"utrecht-paragraph\">%s</p><p class=\"utrecht-"
                "paragraph\"><button class=\"utrecht-button utrecht-button--"
                "%s-action\" type=\"submit\">%s</button></p></form>"
                "</section>\n",
                following ? "0" : "1",
                following ? "U volgt dit initiatief en krijgt een e-mail bij "
                            "nieuws."
                          : "Krijg een e-mail als er nieuws is.",
                following ? "secondary" : "primary",
                following ? "Niet meer volgen" : "Volgen");
}

static void initiative_page(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *id = lk_req_param(req, "id");
  lk_participant pv;
  const lk_participant *p;
  lk_initiative_row *r;
  char role[8] = "";
  bool organiser = false, following = false;
  lk_buf b = LK_BUF_INIT;
  struct page_ctx c = {&b, 0, false};
  lk_init_view v;
  int rc;

  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  if (viewer(req, &pv, &p) != 0)
    return;
  r = malloc(sizeof(*r));
  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_initiative_get(app->store, NULL, id, r);
  if (rc == 0 && p != NULL) {
    int rr =
        lk_store_initiative_role(app->store, NULL, id, p->account_id, role);

    if (rr != 0 && rr != LK_STORE_NOTFOUND)
      rc = rr;
    organiser = rr == 0;
  }
  if (rc == 0 && !organiser && !lk_init_public(r))
    rc = LK_STORE_NOTFOUND; /* a draft or hidden one: as unknown */
  if (rc == 0 && p != NULL && lk_init_public(r))
    rc = lk_store_initiative_is_follower(app->store, id, p->account_id,
                                         &following);
  if (rc != 0) {
    free(r);
    if (rc == LK_STORE_NOTFOUND)
      lk_req_not_found(req);
    else
      lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven\">Alle initiatieven</a></p>\n"
                  "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, r->title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph loket-status\">"
                  "<strong>");
  lk_html_txt(&b, lk_init_status_label(r->status));
  lk_buf_puts(&b, "</strong>");
  if (r->status_reason[0] != '\0' &&
      (strcmp(r->status, "stopped") == 0 || organiser)) {
    lk_buf_puts(&b, ": ");
    lk_html_txt(&b, r->status_reason);
  }
  lk_buf_puts(&b, "</p>\n");
  if (r->hidden_at != 0) {
    lk_buf_puts(&b, "<div class=\"utrecht-alert\" role=\"status\"><p "
                    "class=\"utrecht-paragraph\">Dit initiatief is verborgen "
                    "door de moderatie. Reden: ");
    lk_html_txt(&b, r->hidden_reason);
    lk_buf_puts(&b, "</p></div>\n");
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph loket-lead\">");
  lk_html_txt(&b, r->summary);
  lk_buf_puts(&b, "</p>\n");
  rc = lk_store_initiative_images(app->store, id, image_item, &c);
  if (c.n > 0)
    lk_buf_puts(&b, "</div>\n");
  lk_buf_puts(&b, "<dl class=\"utrecht-data-list loket-facts\">");
  fact(&b, "Thema", r->theme_name);
  fact(&b, "Wijk", r->neighbourhood_name);
  fact(&b, "Adres", r->address);
  if (r->start_date[0] != '\0') {
    lk_buf when = LK_BUF_INIT;

    lk_ip_day(&when, r->start_date);
    if (r->end_date[0] != '\0' && strcmp(r->end_date, r->start_date) != 0) {
      lk_buf_puts(&when, " tot en met ");
      lk_ip_day(&when, r->end_date);
    }
    fact(&b, "Wanneer", lk_buf_ok(&when) ? when.data : "");
    lk_buf_free(&when);
  }
  fact(&b, "Organisatie", r->organisation_name);
  lk_buf_puts(&b, "<div class=\"utrecht-data-list__item\"><dt "
                  "class=\"utrecht-data-list__item-key\">Organisatoren</dt>"
                  "<dd class=\"utrecht-data-list__item-value\">");
  c.n = 0;
  if (rc >= 0)
    rc = lk_store_initiative_organisers(app->store, id, organiser_item, &c);
  lk_buf_puts(&b, "</dd></div>");
  if (r->website[0] != '\0') {
    lk_buf_puts(&b, "<div class=\"utrecht-data-list__item\"><dt "
                    "class=\"utrecht-data-list__item-key\">Website</dt><dd "
                    "class=\"utrecht-data-list__item-value\"><a "
                    "class=\"utrecht-link\" rel=\"nofollow ugc\" href=\"");
    lk_html_attr(&b, r->website);
    lk_buf_puts(&b, "\">");
    lk_html_txt(&b, r->website);
    lk_buf_puts(&b, "</a></dd></div>");
  }
  lk_buf_printf(&b,
                "<div class=\"utrecht-data-list__item\"><dt class=\"utrecht-"
                "data-list__item-key\">Volgers</dt><dd class=\"utrecht-data-"
                "list__item-value\">%lld</dd></div><div class=\"utrecht-data-"
                "list__item\"><dt class=\"utrecht-data-list__item-key\">"
                "Deelnemers</dt><dd class=\"utrecht-data-list__item-value\">"
                "%lld</dd></div></dl>\n",
                (long long)r->followers_count,
                (long long)r->participants_count);
  if (r->description[0] != '\0') {
    lk_buf_puts(&b, "<section aria-labelledby=\"over-kop\"><h2 id=\"over-"
                    "kop\" class=\"utrecht-heading-2\">Over dit initiatief"
                    "</h2><p class=\"utrecht-paragraph loket-text\">");
    lk_html_txt(&b, r->description);
    lk_buf_puts(&b, "</p></section>\n");
  }
  v.r = r;
  v.viewer = p;
  v.organiser = organiser;
  /* ---- section of "facilitation": what the municipality contributes -- */
  lk_buf_puts(&b, "<!-- sectie: facilitatie -->\n");
  render_slot(&b, req, LK_INIT_SLOT_FACILITATION, &v);
  /* ---- section of "matching": doe mee, needs, offers ----------------- */
  lk_buf_puts(&b, "<!-- sectie: meedoen -->\n");
  render_slot(&b, req, LK_INIT_SLOT_MATCHING, &v);
  if (lk_init_public(r))
    follow_form(&b, r, p, following);
  lk_buf_puts(&b, "<section aria-labelledby=\"nieuws-kop\"><h2 id=\"nieuws-"
                  "kop\" class=\"utrecht-heading-2\">Nieuws</h2>\n");
  c.n = 0;
  if (rc >= 0)
    rc = lk_store_initiative_updates(app->store, id, organiser, 20, update_item,
                                     &c);
  if (c.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Nog geen nieuws.</p>\n");
  lk_buf_puts(&b, "</section>\n");
  if (organiser)
    lk_ip_organiser_panel(&b, r, p, strcmp(role, "owner") == 0);
  if (rc < 0) {
    free(r);
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  {
    char title[LK_PS_TITLE_MAX + 1];

    snprintf(title, sizeof(title), "%s", r->title);
    free(r);
    lk_ip_respond(req, 200, title, p, &b);
  }
}

/* ---- images ------------------------------------------------------------- */

static void image(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *id = lk_req_param(req, "id");
  lk_initiative_image_row img;
  lk_initiative_row *r;
  char path[4096];
  struct stat st;
  int fd, rc;

  if (id == NULL || !lk_uuid_valid(id) ||
      lk_store_initiative_image_get(app->store, id, &img) != 0 ||
      img.hidden_at != 0) {
    lk_req_not_found(req);
    return;
  }
  r = malloc(sizeof(*r));
  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_initiative_get(app->store, NULL, img.initiative_id, r);
  if (rc == 0 && !lk_init_public(r)) {
    /* Before publication only its organisers see its images. */
    lk_participant p;
    char role[8];

    if (lk_participant_get(req, &p) != 0 ||
        lk_store_initiative_role(app->store, NULL, r->id, p.account_id, role) !=
            0)
      rc = LK_STORE_NOTFOUND;
  }
  free(r);
  if (rc != 0 || lk_init_image_path(lk_ip_data_dir(req), img.sha256, path,
                                    sizeof(path)) != 0) {
    lk_req_not_found(req);
    return;
  }
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0)
      close(fd);
    lk_req_not_found(req);
    return;
  }
  lk_req_add_header(req, "Cache-Control", "private, max-age=3600");
  lk_req_add_header(req, "Content-Security-Policy", "default-src 'none'");
  lk_req_respond_fd(req, 200, img.media_type, fd, (uint64_t)st.st_size);
}

/* ---- open data ---------------------------------------------------------- */

struct export_ctx {
  lk_buf *b;
  bool csv;
  int n;
  int64_t last_published;
  char last_id[LK_PS_ID_LEN + 1];
};

static void csv_field(lk_buf *b, const char *s) {
  /* RFC 4180 quoting; a leading = + - @ (or tab, CR, LF, which a
   * spreadsheet skips before such a sign: a summary may start with them)
   * is prefixed with ' so that a spreadsheet does not run a formula. */
  lk_buf_putc(b, '"');
  if (s[0] != '\0' && strchr("=+-@\t\r\n", s[0]) != NULL)
    lk_buf_putc(b, '\'');
  for (; *s != '\0'; s++) {
    if (*s == '"')
      lk_buf_putc(b, '"');
    lk_buf_putc(b, *s);
  }
  lk_buf_putc(b, '"');
}

static void export_row(const lk_initiative_row *r, void *ud) {
  struct export_ctx *c = ud;
  lk_buf *b = c->b;
  char num[64];

  c->last_published = r->published_at;
  snprintf(c->last_id, sizeof(c->last_id), "%s", r->id);
  if (!c->csv) {
    if (c->n++ > 0)
      lk_buf_putc(b, ',');
    lk_init_json(b, r, false);
    return;
  }
  c->n++;
  csv_field(b, r->id);
  lk_buf_putc(b, ',');
  csv_field(b, r->title);
  lk_buf_putc(b, ',');
  csv_field(b, r->summary);
  lk_buf_putc(b, ',');
  csv_field(b, r->theme_id);
  lk_buf_putc(b, ',');
  csv_field(b, r->neighbourhood_id);
  lk_buf_putc(b, ',');
  csv_field(b, r->organisation_name);
  lk_buf_putc(b, ',');
  csv_field(b, r->address);
  lk_buf_putc(b, ',');
  if (r->has_point)
    lk_buf_printf(b, "%.6f,%.6f,", r->lat, r->lon);
  else
    lk_buf_puts(b, ",,");
  csv_field(b, r->start_date);
  lk_buf_putc(b, ',');
  csv_field(b, r->end_date);
  lk_buf_putc(b, ',');
  csv_field(b, r->website);
  lk_buf_putc(b, ',');
  csv_field(b, r->status);
  snprintf(num, sizeof(num), ",%lld,%lld,%lld\r\n", (long long)r->published_at,
           (long long)r->followers_count, (long long)r->participants_count);
  lk_buf_puts(b, num);
}

/* Every public initiative, in pages of 100 from one reader each. */
static void export(lk_req *req, bool csv) {
  lk_store *s = lk_req_app(req)->store;
  lk_initiative_filter f;
  lk_buf b = LK_BUF_INIT;
  struct export_ctx c = {&b, csv, 0, 0, ""};
  int rc, n = 0;

  memset(&f, 0, sizeof(f));
  if (csv)
    lk_buf_puts(&b, "id,title,summary,theme,neighbourhood,organisation,"
                    "address,lat,lon,start_date,end_date,website,status,"
                    "published_at,followers,participants\r\n");
  else
    lk_buf_puts(&b, "{\"license\":\"CC0-1.0\",\"items\":[");
  do {
    int before = c.n;

    rc = lk_store_initiatives_public(s, &f, 100, export_row, &c);
    n = c.n - before;
    f.after_published = c.last_published;
    snprintf(f.after_id, sizeof(f.after_id), "%s", c.last_id);
  } while (rc >= 0 && n == 100 && lk_buf_ok(&b));
  if (rc < 0 || !lk_buf_ok(&b)) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc < 0 ? rc : LK_STORE_NOMEM);
    return;
  }
  if (!csv)
    lk_buf_puts(&b, "]}");
  lk_req_add_header(req, "Cache-Control", "public, max-age=300");
  lk_req_add_header(req, "Access-Control-Allow-Origin", "*");
  if (csv)
    lk_req_add_header(req, "Content-Disposition",
                      "attachment; filename=\"initiatieven.csv\"");
  lk_req_respond_buf(req, 200,
                     csv ? "text/csv; charset=utf-8" : "application/json", &b);
}

static void export_json(lk_req *req) {
  export(req, false);
}
static void export_csv(lk_req *req) {
  export(req, true);
}

int lk_initiatives_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/initiatieven", list_page, 0},
      {"GET", "/initiatieven/kaart", lk_ip_map, 0},
      {"GET", "/initiatieven/export.json", export_json, 0},
      {"GET", "/initiatieven/export.csv", export_csv, 0},
      {"GET", "/initiatieven/afbeelding/{id}", image, 0},
  };
  static const lk_api_route tail[] = {
      {"GET", "/initiatieven/{id}", initiative_page, 0},
  };
  int rc = lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));

  if (rc == 0)
    rc = lk_ip_account_routes(r);
  if (rc == 0)
    rc = lk_ip_edit_routes(r);
  if (rc == 0)
    rc = lk_api_add_routes(r, tail, sizeof(tail) / sizeof(tail[0]));
  return rc;
}
