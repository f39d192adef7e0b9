/* facilitation.c - what the municipality facilitated (public, per
 * neighbourhood and per initiative) and the organisers' page to ask for a
 * room, crew hours or a budget (pages/facilitation.h). */
#include "pages/facilitation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/facilitation.h"
#include "api/participant.h"
#include "app.h"
#include "core/facilitation.h"
#include "core/ids.h"
#include "core/proclog.h"
#include "http/problem.h"
#include "pages/form.h"
#include "pages/initiatives.h"
#include "pages/layout.h"
#include "pages/meetings.h"
#include "util/clock.h"
#include "util/html.h"

#define REQUESTS_SHOWN 50 /* requests on the organisers' page */
#define HISTORY_SHOWN 50
#define ROOMS_SHOWN 100
#define AREAS_SHOWN 500

/* ---- shared ----------------------------------------------------------------
 */

static const char *kind_nl(const char *kind) {
  if (strcmp(kind, "room") == 0)
    return "Zaal";
  if (strcmp(kind, "crew") == 0)
    return "Uren buitendienst";
  return "Budget";
}

static const char *status_nl(const char *status) {
  static const char *const map[][2] = {
      {"submitted", "Ingediend"}, {"in_review", "In behandeling"},
      {"granted", "Toegekend"},   {"partly_granted", "Deels toegekend"},
      {"declined", "Afgewezen"},  {"withdrawn", "Ingetrokken"},
      {"paid", "Uitbetaald"},
  };

  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (strcmp(status, map[i][0]) == 0)
      return map[i][1];
  return status;
}

/* Copies `src` into `dst` of `size` bytes, cut short when longer (the
 * checks that follow refuse what was too long). */
static void copy(char *dst, size_t size, const char *src) {
  size_t n = strnlen(src, size - 1);

  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void not_found(lk_req *req) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Pagina niet gevonden</h1>"
                  "\n<p class=\"utrecht-paragraph\">Deze pagina bestaat niet "
                  "(meer). <a class=\"utrecht-link\" href=\"/initiatieven\">"
                  "Naar alle initiatieven</a></p>\n");
  lk_form_page(req, 404, "Pagina niet gevonden", &b);
}

static void redirect(lk_req *req, const char *location) {
  lk_req_add_header(req, "Location", location);
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond(req, 303, "text/html; charset=utf-8", "", 0);
}

/* ---- the initiative page's section -----------------------------------------
 */

struct meet_ctx {
  lk_buf *b;
  int n;
};

static void meeting_item(const lk_meeting_row *m, void *ud) {
  struct meet_ctx *mc = ud;

  if (m->cancelled_at != 0)
    return;
  if (mc->n++ == 0)
    lk_buf_puts(mc->b, "<ul class=\"utrecht-unordered-list\">\n");
  lk_buf_puts(mc->b, "<li class=\"utrecht-unordered-list__item\"><a "
                     "class=\"utrecht-link\" href=\"/initiatieven/"
                     "bijeenkomsten/");
  lk_html_attr(mc->b, m->id);
  lk_buf_puts(mc->b, "\">");
  lk_html_txt(mc->b, m->title);
  lk_buf_puts(mc->b, "</a>: ");
  lk_fac_span_nl(mc->b, m->starts_at, m->ends_at);
  lk_buf_printf(mc->b, " (%d van %d plaatsen vrij)</li>\n",
                m->capacity - m->registered, m->capacity);
}

/* "3 zaalreserveringen (7 uur), 12 uur buitendienst en € 250,00". */
static void totals_nl(lk_buf *b, const lk_fac_totals *t) {
  lk_buf_puts(b, "<ul class=\"utrecht-unordered-list\">\n");
  lk_buf_printf(b,
                "<li class=\"utrecht-unordered-list__item\">Zalen: %d %s "
                "(%lld uur en %lld minuten)</li>\n",
                t->rooms, t->rooms == 1 ? "reservering" : "reserveringen",
                (long long)(t->room_ms / 3600000),
                (long long)(t->room_ms / 60000 % 60));
  lk_buf_printf(b,
                "<li class=\"utrecht-unordered-list__item\">Buitendienst: "
                "%lld uur</li>\n",
                (long long)t->hours);
  lk_buf_puts(b, "<li class=\"utrecht-unordered-list__item\">Budget: ");
  lk_fac_euro(b, t->cents);
  lk_buf_puts(b, " toegekend, waarvan ");
  lk_fac_euro(b, t->paid_cents);
  lk_buf_puts(b, " uitbetaald</li>\n</ul>\n");
}

void lk_facilitation_section(lk_buf *b, lk_store *s, const char *initiative_id,
                             bool organiser) {
  lk_fac_totals t;
  lk_buf part = LK_BUF_INIT;
  struct meet_ctx mc = {&part, 0};

  if (lk_store_fac_totals_initiative(s, initiative_id, &t) != 0)
    return;
  lk_buf_puts(&part, "<section aria-labelledby=\"gemeente-bijdrage\">\n"
                     "<h2 class=\"utrecht-heading-2\" id=\"gemeente-bijdrage\">"
                     "Bijdrage van de gemeente</h2>\n");
  if (t.requests == 0)
    lk_buf_puts(&part, "<p class=\"utrecht-paragraph\">De gemeente heeft "
                       "(nog) niets bijgedragen aan dit initiatief.</p>\n");
  else
    totals_nl(&part, &t);
  lk_buf_puts(&part, "<h2 class=\"utrecht-heading-2\" id=\"bijeenkomsten\">"
                     "Bijeenkomsten</h2>\n");
  if (lk_store_meeting_list(s, initiative_id, lk_clock_real_ms(), 20,
                            meeting_item, &mc) < 0) {
    lk_buf_free(&part);
    return;
  }
  if (mc.n > 0)
    lk_buf_puts(&part, "</ul>\n");
  else
    lk_buf_puts(&part, "<p class=\"utrecht-paragraph\">Er staan geen "
                       "bijeenkomsten gepland.</p>\n");
  if (organiser) {
    lk_buf_puts(&part, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link"
                       "\" href=\"/initiatieven/");
    lk_html_attr(&part, initiative_id);
    lk_buf_puts(&part, "/faciliteiten\">Zaal, uren buitendienst of budget "
                       "aanvragen</a> · <a class=\"utrecht-link\" "
                       "href=\"/initiatieven/");
    lk_html_attr(&part, initiative_id);
    lk_buf_puts(&part, "/bijeenkomsten\">Bijeenkomst organiseren</a></p>\n");
  }
  lk_buf_puts(&part, "</section>\n");
  if (lk_buf_ok(&part))
    lk_buf_append(b, part.data, part.len);
  lk_buf_free(&part);
}

/* ---- /initiatieven/gefaciliteerd -------------------------------------------
 */

struct area_row {
  char id[LK_FAC_REF_MAX + 1];
  lk_fac_totals t;
};

struct areas {
  struct area_row *rows;
  int n, cap;
};

static void area_collect(const char *nb, const lk_fac_totals *t, void *ud) {
  struct areas *a = ud;

  if (a->n >= a->cap)
    return;
  snprintf(a->rows[a->n].id, sizeof(a->rows[a->n].id), "%s", nb);
  a->rows[a->n].t = *t;
  a->n++;
}

/* ?jaar=YYYY, else this year; -1 when malformed. */
static int year_of(lk_req *req) {
  const char *q = lk_req_query(req, "jaar");
  int y;

  if (q == NULL || q[0] == '\0')
    return lk_fac_year(lk_clock_real_ms());
  if (lk_fac_parse_int(q, 2999, &y) != 0 || y < 2000)
    return -1;
  return y;
}

static int load_areas(lk_req *req, int year, struct areas *a) {
  a->cap = AREAS_SHOWN;
  a->n = 0;
  a->rows = calloc((size_t)a->cap, sizeof(*a->rows));
  if (a->rows == NULL)
    return LK_STORE_NOMEM;
  return lk_store_fac_totals_year(lk_req_app(req)->store, year, a->cap,
                                  area_collect, a);
}

static void area_name(lk_store *s, const char *id, char *name, size_t size) {
  if (id[0] == '\0' || lk_store_fac_neighbourhood_name(s, id, name, size) != 0)
    snprintf(name, size, "%s", id[0] != '\0' ? id : "Geen wijk");
}

static void summary_html(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  struct areas a;
  lk_fac_totals sum = {0};
  lk_buf b = LK_BUF_INIT;
  char name[LK_FAC_NAME_MAX + 1];
  char title[64];
  int year = year_of(req);
  int rc;

  if (year < 0) {
    not_found(req);
    return;
  }
  rc = load_areas(req, year, &a);
  if (rc < 0) {
    free(a.rows);
    lk_req_problem_store(req, rc);
    return;
  }
  snprintf(title, sizeof(title), "Wat de gemeente faciliteerde in %d", year);
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven\">Alle initiatieven</a></p>\n"
                  "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\">Initiatieven van "
                  "bewoners kunnen de gemeente vragen om een zaal, uren van "
                  "de buitendienst of een klein budget. Hieronder staat wat "
                  "de gemeente per wijk heeft toegekend.</p>\n");
  if (a.n == 0) {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">In dit jaar is nog "
                    "niets toegekend.</p>\n");
  } else {
    lk_buf_puts(&b, "<div class=\"loket-table-scroll\" role=\"region\" "
                    "aria-labelledby=\"toegekend-per-wijk\" tabindex=\"0\">"
                    "<table class=\"utrecht-table\">\n<caption "
                    "id=\"toegekend-per-wijk\" "
                    "class=\"utrecht-table__caption\">Toegekend per wijk"
                    "</caption>\n<thead class=\"utrecht-table__header\">"
                    "<tr class=\"utrecht-table__row\">"
                    "<th class=\"utrecht-table__header-cell\" scope=\"col\">"
                    "Wijk</th>"
                    "<th class=\"utrecht-table__header-cell\" scope=\"col\">"
                    "Zaalreserveringen</th>"
                    "<th class=\"utrecht-table__header-cell\" scope=\"col\">"
                    "Uren in zalen</th>"
                    "<th class=\"utrecht-table__header-cell\" scope=\"col\">"
                    "Uren buitendienst</th>"
                    "<th class=\"utrecht-table__header-cell\" scope=\"col\">"
                    "Budget toegekend</th>"
                    "<th class=\"utrecht-table__header-cell\" scope=\"col\">"
                    "Waarvan uitbetaald</th></tr></thead>\n"
                    "<tbody class=\"utrecht-table__body\">\n");
    for (int i = 0; i < a.n; i++) {
      const lk_fac_totals *t = &a.rows[i].t;

      area_name(s, a.rows[i].id, name, sizeof(name));
      lk_buf_puts(&b, "<tr class=\"utrecht-table__row\"><th "
                      "class=\"utrecht-table__header-cell\" scope=\"row\">");
      lk_html_txt(&b, name);
      lk_buf_printf(&b,
                    "</th><td class=\"utrecht-table__cell\">%d</td>"
                    "<td class=\"utrecht-table__cell\">%lld,%lld</td>"
                    "<td class=\"utrecht-table__cell\">%lld</td>"
                    "<td class=\"utrecht-table__cell\">",
                    t->rooms, (long long)(t->room_ms / 3600000),
                    (long long)(t->room_ms / 360000 % 10), (long long)t->hours);
      lk_fac_euro(&b, t->cents);
      lk_buf_puts(&b, "</td><td class=\"utrecht-table__cell\">");
      lk_fac_euro(&b, t->paid_cents);
      lk_buf_puts(&b, "</td></tr>\n");
      sum.rooms += t->rooms;
      sum.room_ms += t->room_ms;
      sum.hours += t->hours;
      sum.cents += t->cents;
      sum.paid_cents += t->paid_cents;
    }
    lk_buf_printf(&b,
                  "</tbody>\n<tfoot><tr class=\"utrecht-table__row\"><th "
                  "class=\"utrecht-table__header-cell\" scope=\"row\">Totaal"
                  "</th><td class=\"utrecht-table__cell\">%d</td>"
                  "<td class=\"utrecht-table__cell\">%lld,%lld</td>"
                  "<td class=\"utrecht-table__cell\">%lld</td>"
                  "<td class=\"utrecht-table__cell\">",
                  sum.rooms, (long long)(sum.room_ms / 3600000),
                  (long long)(sum.room_ms / 360000 % 10), (long long)sum.hours);
    lk_fac_euro(&b, sum.cents);
    lk_buf_puts(&b, "</td><td class=\"utrecht-table__cell\">");
    lk_fac_euro(&b, sum.paid_cents);
    lk_buf_puts(&b, "</td></tr></tfoot>\n</table></div>\n");
  }
  lk_buf_printf(&b,
                "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                "href=\"/initiatieven/gefaciliteerd?jaar=%d\">Vorig jaar "
                "(%d)</a></p>\n<p class=\"utrecht-paragraph\">Open data: "
                "<a class=\"utrecht-link\" href=\"/initiatieven/"
                "gefaciliteerd.csv?jaar=%d\">CSV</a> · <a "
                "class=\"utrecht-link\" href=\"/initiatieven/"
                "gefaciliteerd.json?jaar=%d\">JSON</a></p>\n",
                year - 1, year - 1, year, year);
  free(a.rows);
  lk_form_page(req, 200, title, &b);
}

/* A CSV field: quoted when it holds a separator, quote or line break;
 * a leading = + - @ tab CR or LF is prefixed with ' so spreadsheets do
 * not run it. */
static void csv_field(lk_buf *b, const char *s) {
  bool quote = strpbrk(s, ",\";\r\n") != NULL;

  if (quote)
    lk_buf_putc(b, '"');
  if (s[0] != '\0' && strchr("=+-@\t\r\n", s[0]) != NULL)
    lk_buf_putc(b, '\'');
  for (const char *p = s; *p != '\0'; p++) {
    if (*p == '"')
      lk_buf_putc(b, '"');
    lk_buf_putc(b, *p);
  }
  if (quote)
    lk_buf_putc(b, '"');
}

static void summary_data(lk_req *req, bool csv) {
  lk_store *s = lk_req_app(req)->store;
  struct areas a;
  lk_buf b = LK_BUF_INIT;
  char name[LK_FAC_NAME_MAX + 1];
  int year = year_of(req);
  int rc;

  if (year < 0) {
    lk_invalid why = {"jaar", "must be a year from 2000 to 2999"};

    lk_api_bad_param(req, &why);
    return;
  }
  rc = load_areas(req, year, &a);
  if (rc < 0) {
    free(a.rows);
    lk_req_problem_store(req, rc);
    return;
  }
  if (csv)
    lk_buf_puts(&b, "jaar,wijk_id,wijk,zaalreserveringen,zaalminuten,"
                    "uren_buitendienst,budget_toegekend_centen,"
                    "budget_uitbetaald_centen\r\n");
  else
    lk_buf_printf(&b, "{\"year\":%d,\"neighbourhoods\":[", year);
  for (int i = 0; i < a.n; i++) {
    const lk_fac_totals *t = &a.rows[i].t;

    area_name(s, a.rows[i].id, name, sizeof(name));
    if (csv) {
      lk_buf_printf(&b, "%d,", year);
      csv_field(&b, a.rows[i].id);
      lk_buf_putc(&b, ',');
      csv_field(&b, name);
      lk_buf_printf(&b, ",%d,%lld,%lld,%lld,%lld\r\n", t->rooms,
                    (long long)(t->room_ms / 60000), (long long)t->hours,
                    (long long)t->cents, (long long)t->paid_cents);
      continue;
    }
    if (i > 0)
      lk_buf_putc(&b, ',');
    lk_buf_puts(&b, "{\"neighbourhoodId\":");
    lk_buf_json_str(&b, a.rows[i].id);
    lk_buf_puts(&b, ",\"name\":");
    lk_buf_json_str(&b, name);
    lk_buf_puts(&b, ",\"granted\":");
    lk_fac_totals_json(&b, t);
    lk_buf_putc(&b, '}');
  }
  if (!csv)
    lk_buf_puts(&b, "]}\n");
  free(a.rows);
  lk_req_add_header(req, "Cache-Control", "public, max-age=60");
  lk_req_add_header(req, "Access-Control-Allow-Origin", "*");
  lk_req_respond_buf(
      req, 200,
      csv ? "text/csv; charset=utf-8; header=present" : "application/json", &b);
}

static void summary_csv(lk_req *req) {
  summary_data(req, true);
}
static void summary_json(lk_req *req) {
  summary_data(req, false);
}

/* ---- /initiatieven/{id}/faciliteiten ---------------------------------------
 */

/* The form's state: what was typed and what is wrong. */
struct rform {
  const char *kind; /* the form that was sent, or NULL */
  const char *summary;
  char purpose[LK_FAC_PURPOSE_MAX * 2 + 1];
  char room[LK_FAC_ID_LEN + 2];
  char date[16], from[8], to[8], until[16];
  char attendees[12], hours[12], amount[24];
  const char *purpose_error, *room_error, *date_error, *time_error;
  const char *attendees_error, *hours_error, *amount_error;
};

struct page_ctx {
  lk_buf *b;
  lk_store *s;
  int n;
  const lk_participant *p;
  const char *initiative;
};

static void history_item(const lk_fac_history_row *h, void *ud) {
  lk_buf *b = ud;

  lk_buf_puts(b, "<li class=\"utrecht-unordered-list__item\">");
  lk_fac_date_nl(b, h->at);
  lk_buf_puts(b, " ");
  lk_fac_time_nl(b, h->at);
  lk_buf_puts(b, ": ");
  lk_html_txt(b, status_nl(h->action));
  lk_buf_puts(b, strncmp(h->actor, "p:", 2) == 0 ? " door de organisator"
                                                 : " door de gemeente");
  if (strcmp(h->action, "paid") == 0 && h->amount_cents > 0) {
    lk_buf_puts(b, " (");
    lk_fac_euro(b, h->amount_cents);
    lk_buf_puts(b, ")");
  }
  if (h->note[0] != '\0') {
    lk_buf_puts(b, ". Toelichting: <q>");
    lk_html_txt(b, h->note);
    lk_buf_puts(b, "</q>");
  }
  lk_buf_puts(b, "</li>\n");
}

static void request_item(const lk_fac_request_row *r, void *ud) {
  struct page_ctx *pc = ud;
  lk_buf *b = pc->b;
  char room_name[LK_FAC_NAME_MAX + 1] = "";
  lk_room_row room;

  pc->n++;
  lk_buf_puts(b, "<li class=\"utrecht-unordered-list__item\" id=\"aanvraag-");
  lk_html_attr(b, r->id);
  lk_buf_puts(b, "\"><h3 class=\"utrecht-heading-3\">");
  lk_html_txt(b, kind_nl(r->kind));
  lk_buf_puts(b, ": ");
  lk_html_txt(b, status_nl(r->status));
  lk_buf_puts(b, "</h3>\n<p class=\"utrecht-paragraph\">");
  lk_html_txt(b, r->purpose);
  lk_buf_puts(b, "</p>\n<p class=\"utrecht-paragraph\">");
  if (strcmp(r->kind, "room") == 0) {
    if (lk_store_room_get(pc->s, r->room_id, &room) == 0)
      snprintf(room_name, sizeof(room_name), "%s", room.name);
    lk_html_txt(b, room_name);
    lk_buf_puts(b, ", ");
    lk_fac_span_nl(b, r->starts_at, r->ends_at);
    lk_buf_printf(b, ", %d personen", r->attendees);
  } else if (strcmp(r->kind, "crew") == 0) {
    lk_buf_printf(b, "%d uur gevraagd", r->hours);
    if (r->granted_hours > 0)
      lk_buf_printf(b, ", %d uur toegekend", r->granted_hours);
    lk_buf_puts(b, ", van ");
    lk_fac_date_nl(b, r->starts_at);
    lk_buf_puts(b, " tot ");
    lk_fac_date_nl(b, r->ends_at);
  } else {
    lk_fac_euro(b, r->amount_cents);
    lk_buf_puts(b, " gevraagd");
    if (r->granted_cents > 0) {
      lk_buf_puts(b, ", ");
      lk_fac_euro(b, r->granted_cents);
      lk_buf_puts(b, " toegekend, waarvan ");
      lk_fac_euro(b, r->paid_cents);
      lk_buf_puts(b, " uitbetaald");
    }
  }
  lk_buf_puts(b, "</p>\n");
  if (r->reason[0] != '\0') {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">Reden van de gemeente: ");
    lk_html_txt(b, r->reason);
    lk_buf_puts(b, "</p>\n");
  }
  lk_buf_puts(b, "<details><summary>Geschiedenis</summary>\n"
                 "<ul class=\"utrecht-unordered-list\">\n");
  lk_store_fac_history(pc->s, r->id, HISTORY_SHOWN, history_item, b);
  lk_buf_puts(b, "</ul></details>\n");
  if (lk_fac_open(r->status)) {
    lk_buf_puts(b, "<form method=\"post\" action=\"/initiatieven/");
    lk_html_attr(b, pc->initiative);
    lk_buf_puts(b, "/faciliteiten/");
    lk_html_attr(b, r->id);
    lk_buf_puts(b, "/intrekken\">");
    lk_participant_csrf_field(b, pc->p);
    lk_buf_puts(b, "<button class=\"utrecht-button "
                   "utrecht-button--secondary-action\" type=\"submit\">"
                   "Aanvraag intrekken<span class=\"utrecht-visually-hidden\">"
                   ": ");
    lk_html_txt(b, kind_nl(r->kind));
    lk_buf_puts(b, "</span></button></form>\n");
  }
  lk_buf_puts(b, "</li>\n");
}

static void room_option(const lk_room_row *r, void *ud) {
  struct page_ctx *pc = ud;

  if (!r->active)
    return;
  lk_buf_puts(pc->b, "<option value=\"");
  lk_html_attr(pc->b, r->id);
  lk_buf_puts(pc->b, "\">");
  lk_html_txt(pc->b, r->name);
  if (r->location[0] != '\0') {
    lk_buf_puts(pc->b, ", ");
    lk_html_txt(pc->b, r->location);
  }
  lk_buf_printf(pc->b, " (tot %d personen, open %02d:%02d-%02d:%02d)",
                r->capacity, r->opens / 60, r->opens % 60, r->closes / 60,
                r->closes % 60);
  lk_buf_puts(pc->b, "</option>\n");
  pc->n++;
}

/* A text input of form `form` (its id prefix). */
static void input(lk_buf *b, const char *form, const char *name,
                  const char *label, const char *hint, const char *type,
                  const char *value, const char *error) {
  char id[64];

  snprintf(id, sizeof(id), "%s-%s", form, name);
  lk_form_field_head(b, id, label, hint, error);
  lk_form_control(b, "utrecht-textbox", error != NULL);
  lk_buf_printf(b, " id=\"%s\" name=\"%s\" type=\"%s\" value=\"", id, name,
                type);
  lk_html_attr(b, value);
  lk_buf_putc(b, '"');
  lk_form_described(b, id, hint != NULL, error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");
}

static void purpose_field(lk_buf *b, const char *form, const struct rform *f,
                          bool mine) {
  char id[64];
  const char *error = mine ? f->purpose_error : NULL;

  snprintf(id, sizeof(id), "%s-doel", form);
  lk_form_field_head(b, id, "Waarvoor is het?", NULL, error);
  lk_buf_printf(b,
                "<p class=\"utrecht-form-field__input\"><textarea "
                "class=\"utrecht-textarea%s\" id=\"%s\" name=\"doel\" "
                "rows=\"4\" maxlength=\"2000\"",
                error != NULL ? " utrecht-textarea--invalid" : "", id);
  lk_form_described(b, id, false, error != NULL);
  lk_buf_puts(b, ">");
  lk_html_txt(b, mine ? f->purpose : "");
  lk_buf_puts(b, "</textarea></p>\n</div>\n");
}

static void summary_box(lk_buf *b, const char *form, const struct rform *f) {
  char id[64];

  if (f->summary == NULL)
    return;
  lk_form_summary_begin(b, f->summary);
#define ITEM(name, err)                                                        \
  snprintf(id, sizeof(id), "%s-%s", form, name);                               \
  lk_form_summary_item(b, id, err)
  ITEM("doel", f->purpose_error);
  ITEM("zaal", f->room_error);
  ITEM("datum", f->date_error);
  ITEM("van", f->time_error);
  ITEM("personen", f->attendees_error);
  ITEM("uren", f->hours_error);
  ITEM("bedrag", f->amount_error);
#undef ITEM
  lk_form_summary_end(b);
}

static void form_open(lk_buf *b, const char *initiative, const char *kind,
                      const lk_participant *p) {
  lk_buf_puts(b, "<form class=\"utrecht-form\" method=\"post\" "
                 "action=\"/initiatieven/");
  lk_html_attr(b, initiative);
  lk_buf_printf(b,
                "/faciliteiten\" novalidate>\n<input type=\"hidden\" "
                "name=\"soort\" value=\"%s\">\n",
                kind);
  lk_participant_csrf_field(b, p);
}

static void form_close(lk_buf *b, const char *button) {
  lk_buf_printf(b,
                "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                "button utrecht-button--primary-action\" type=\"submit\">"
                "%s</button></p>\n</form>\n",
                button);
}

static void forms_html(lk_buf *b, lk_store *s, const char *initiative,
                       const lk_participant *p, const struct rform *f) {
  static const struct rform empty;
  bool room = f->kind != NULL && strcmp(f->kind, "room") == 0;
  bool crew = f->kind != NULL && strcmp(f->kind, "crew") == 0;
  bool budget = f->kind != NULL && strcmp(f->kind, "budget") == 0;
  const struct rform *rf = room ? f : &empty;
  const struct rform *cf = crew ? f : &empty;
  const struct rform *bf = budget ? f : &empty;
  struct page_ctx pc = {.b = b, .s = s};

  lk_buf_puts(b, "<h2 class=\"utrecht-heading-2\" id=\"zaal\">Een zaal "
                 "aanvragen</h2>\n");
  summary_box(b, "zaal", rf);
  form_open(b, initiative, "room", p);
  purpose_field(b, "zaal", f, room);
  lk_form_field_head(b, "zaal-zaal", "Zaal", NULL, rf->room_error);
  lk_buf_printf(b,
                "<p class=\"utrecht-form-field__input\"><select "
                "class=\"utrecht-select%s\" id=\"zaal-zaal\" name=\"zaal\"",
                rf->room_error != NULL ? " utrecht-select--invalid" : "");
  lk_form_described(b, "zaal-zaal", false, rf->room_error != NULL);
  lk_buf_puts(b, ">\n");
  lk_store_room_list(s, "", ROOMS_SHOWN, room_option, &pc);
  lk_buf_puts(b, "</select></p>\n</div>\n");
  input(b, "zaal", "datum", "Datum", "Bijvoorbeeld 2026-12-14.", "date",
        rf->date, rf->date_error);
  input(b, "zaal", "van", "Van", "Bijvoorbeeld 19:30.", "time", rf->from,
        rf->time_error);
  input(b, "zaal", "tot", "Tot", NULL, "time", rf->to, NULL);
  input(b, "zaal", "personen", "Aantal personen", NULL, "text", rf->attendees,
        rf->attendees_error);
  form_close(b, "Zaal aanvragen");

  lk_buf_puts(b, "<h2 class=\"utrecht-heading-2\" id=\"buitendienst\">Uren "
                 "van de buitendienst aanvragen</h2>\n");
  summary_box(b, "buitendienst", cf);
  form_open(b, initiative, "crew", p);
  purpose_field(b, "buitendienst", f, crew);
  input(b, "buitendienst", "uren", "Aantal uren", "Hoogstens 200 uur.", "text",
        cf->hours, cf->hours_error);
  input(b, "buitendienst", "datum", "Datum of eerste dag",
        "Bijvoorbeeld 2026-12-14.", "date", cf->date, cf->date_error);
  input(b, "buitendienst", "totdatum", "Laatste dag (bij een periode)", NULL,
        "date", cf->until, NULL);
  form_close(b, "Uren aanvragen");

  lk_buf_puts(b, "<h2 class=\"utrecht-heading-2\" id=\"budget\">Een budget "
                 "aanvragen</h2>\n");
  summary_box(b, "budget", bf);
  form_open(b, initiative, "budget", p);
  purpose_field(b, "budget", f, budget);
  input(b, "budget", "bedrag", "Bedrag in euro",
        "Bijvoorbeeld 250 of 249,50. Hoogstens 5.000 euro.", "text", bf->amount,
        bf->amount_error);
  form_close(b, "Budget aanvragen");
}

/* The organisers' page, with `f` the form sent (NULL kind: none). */
static void requests_page(lk_req *req, int status, const char *initiative,
                          const lk_participant *p, const struct rform *f) {
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  char title[LK_FAC_NAME_MAX * 2 + 1] = "";
  struct page_ctx pc = {.b = &b, .s = s, .p = p, .initiative = initiative};

  lk_store_fac_initiative_title(s, initiative, title, sizeof(title));
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/");
  lk_html_attr(&b, initiative);
  lk_buf_puts(&b, "\">Terug naar ");
  lk_html_txt(&b, title[0] != '\0' ? title : "het initiatief");
  lk_buf_puts(&b, "</a></p>\n<h1 class=\"utrecht-heading-1\">Faciliteiten "
                  "aanvragen</h1>\n<p class=\"utrecht-paragraph\">Vraag de "
                  "gemeente om een zaal, uren van de buitendienst of een "
                  "klein budget. Een medewerker beoordeelt uw aanvraag; de "
                  "beslissing en de reden ziet u hieronder.</p>\n"
                  "<h2 class=\"utrecht-heading-2\">Uw aanvragen</h2>\n"
                  "<ul class=\"utrecht-unordered-list\">\n");
  lk_store_fac_request_list(s, "", initiative, "", REQUESTS_SHOWN, request_item,
                            &pc);
  lk_buf_puts(&b, "</ul>\n");
  if (pc.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">U heeft nog niets "
                    "aangevraagd.</p>\n");
  forms_html(&b, s, initiative, p, f);
  lk_form_page(req, status,
               f->summary != NULL ? "Fout: Faciliteiten aanvragen"
                                  : "Faciliteiten aanvragen",
               &b);
}

/* Checks the resident and that they organise the (published or running)
 * initiative; otherwise answers (404 like an unknown id) and returns
 * -1. */
static int organiser_auth(lk_req *req, lk_participant *p,
                          const char **initiative) {
  bool yes = false;

  if (lk_participant_page_auth(req, p, true) != 0)
    return -1;
  *initiative = lk_req_param(req, "id");
  if (!lk_uuid_valid(*initiative) ||
      lk_store_fac_is_organiser(lk_req_app(req)->store, *initiative,
                                p->account_id, &yes) != 0 ||
      !yes) {
    not_found(req);
    return -1;
  }
  return 0;
}

static void requests_get(lk_req *req) {
  static const struct rform none;
  lk_participant p;
  const char *initiative;

  if (organiser_auth(req, &p, &initiative) != 0)
    return;
  requests_page(req, 200, initiative, &p, &none);
}

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_fac_create_op op;
  lk_participant p;
  struct rform f;
};

static void created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);
  struct rform *f = &ctx->f;
  char where[160];

  switch (status) {
  case 0:
    snprintf(where, sizeof(where), "/initiatieven/%s/faciliteiten#aanvraag-%s",
             ctx->op.r.initiative_id, ctx->op.r.id);
    redirect(req, where);
    return;
  case LK_FAC_ECLOSED:
    f->time_error = "De zaal is dan niet open. Kies een andere tijd of zaal.";
    break;
  case LK_FAC_ETOOMANY:
    f->attendees_error = "Zoveel mensen passen niet in deze zaal.";
    break;
  case LK_STORE_NOTFOUND:
    if (ctx->op.r.room_id[0] != '\0') {
      f->room_error = "Kies een zaal uit de lijst.";
      break;
    }
    not_found(req); /* no longer an organiser, or the initiative ended */
    return;
  default:
    lk_req_problem_store(req, status);
    return;
  }
  f->summary = "Controleer het formulier.";
  requests_page(req, 422, ctx->op.r.initiative_id, &ctx->p, f);
}

/* Maps a failed lk_fac_request_check to the form's fields. */
static void request_invalid(struct rform *f, const lk_invalid *why) {
  if (strcmp(why->field, "/purpose") == 0)
    f->purpose_error = "Beschrijf in hoogstens 2000 tekens waarvoor het is.";
  else if (strcmp(why->field, "/roomId") == 0)
    f->room_error = "Kies een zaal uit de lijst.";
  else if (strcmp(why->field, "/startsAt") == 0)
    f->date_error = "Kies een datum en tijd in de toekomst; het einde na "
                    "het begin.";
  else if (strcmp(why->field, "/endsAt") == 0)
    f->date_error = strcmp(f->kind, "room") == 0
                        ? "Een zaal kunt u voor hoogstens 12 uur aanvragen."
                        : "Een periode duurt hoogstens een jaar.";
  else if (strcmp(why->field, "/attendees") == 0)
    f->attendees_error = "Vul het aantal personen in (1 tot 10000).";
  else if (strcmp(why->field, "/hours") == 0)
    f->hours_error = "Vul een aantal uren in van 1 tot 200.";
  else
    f->amount_error = "Vul een bedrag in van 0,01 tot 5.000 euro.";
}

static void requests_post(lk_req *req) {
  struct create_ctx *ctx;
  struct rform *f;
  const char *initiative;
  char kind[16];
  lk_invalid why;
  int64_t now = lk_clock_real_ms();
  int n;

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (organiser_auth(req, &ctx->p, &initiative) != 0)
    return;
  f = &ctx->f;
  lk_form_field(req, "soort", kind, sizeof(kind));
  lk_form_field(req, "doel", f->purpose, sizeof(f->purpose));
  lk_form_field(req, "zaal", f->room, sizeof(f->room));
  lk_form_field(req, "datum", f->date, sizeof(f->date));
  lk_form_field(req, "van", f->from, sizeof(f->from));
  lk_form_field(req, "tot", f->to, sizeof(f->to));
  lk_form_field(req, "totdatum", f->until, sizeof(f->until));
  lk_form_field(req, "personen", f->attendees, sizeof(f->attendees));
  lk_form_field(req, "uren", f->hours, sizeof(f->hours));
  lk_form_field(req, "bedrag", f->amount, sizeof(f->amount));
  lk_form_unix_newlines(f->purpose);
  if (!lk_fac_kind_ok(kind)) {
    not_found(req);
    return;
  }
  f->kind = strcmp(kind, "room") == 0   ? "room"
            : strcmp(kind, "crew") == 0 ? "crew"
                                        : "budget";
  {
    lk_fac_request_row in;

    memset(&in, 0, sizeof(in));
    snprintf(in.initiative_id, sizeof(in.initiative_id), "%s", initiative);
    snprintf(in.kind, sizeof(in.kind), "%s", f->kind);
    copy(in.purpose, sizeof(in.purpose), f->purpose);
    if (strlen(f->purpose) > LK_FAC_PURPOSE_MAX)
      f->purpose_error = "Beschrijf in hoogstens 2000 tekens waarvoor het "
                         "is.";
    if (strcmp(kind, "room") == 0) {
      copy(in.room_id, sizeof(in.room_id), f->room);
      if (lk_fac_parse_when(f->date, f->from, &in.starts_at) != 0 ||
          lk_fac_parse_when(f->date, f->to, &in.ends_at) != 0)
        f->time_error = "Vul een datum (2026-12-14) en tijden (19:30) in.";
      if (lk_fac_parse_int(f->attendees, LK_MEETING_CAPACITY_MAX, &n) != 0 ||
          n < 1)
        f->attendees_error = "Vul het aantal personen in (1 tot 10000).";
      else
        in.attendees = n;
    } else if (strcmp(kind, "crew") == 0) {
      if (lk_fac_parse_when(f->date, "00:00", &in.starts_at) != 0 ||
          lk_fac_parse_when(f->until[0] != '\0' ? f->until : f->date, "24:00",
                            &in.ends_at) != 0)
        f->date_error = "Vul een datum in zoals 2026-12-14.";
      if (lk_fac_parse_int(f->hours, LK_FAC_HOURS_MAX, &n) != 0 || n < 1)
        f->hours_error = "Vul een aantal uren in van 1 tot 200.";
      else
        in.hours = n;
    } else if (lk_fac_parse_euro(f->amount, &in.amount_cents) != 0 ||
               in.amount_cents < 1 || in.amount_cents > LK_FAC_CENTS_MAX) {
      f->amount_error = "Vul een bedrag in van 0,01 tot 5.000 euro.";
    }
    if (f->purpose_error == NULL && f->time_error == NULL &&
        f->date_error == NULL && f->attendees_error == NULL &&
        f->hours_error == NULL && f->amount_error == NULL &&
        lk_fac_create_prepare(&ctx->op, ctx->p.account_id, &in, now, &why) != 0)
      request_invalid(f, &why);
  }
  if (f->purpose_error != NULL || f->room_error != NULL ||
      f->time_error != NULL || f->date_error != NULL ||
      f->attendees_error != NULL || f->hours_error != NULL ||
      f->amount_error != NULL) {
    f->summary = "Controleer het formulier.";
    requests_page(req, 422, initiative, &ctx->p, f);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_fac_create_apply, &ctx->op, created);
}

struct withdraw_ctx {
  lk_api_write aw;
  lk_fac_step_op op;
  char initiative[LK_FAC_ID_LEN + 1];
};

static void withdrawn(lk_req *req, int status) {
  struct withdraw_ctx *ctx = lk_req_data(req);
  char where[160];

  if (status == LK_STORE_NOTFOUND ||
      (status == 0 && strcmp(ctx->op.r.initiative_id, ctx->initiative) != 0)) {
    not_found(req);
    return;
  }
  if (status != 0 && status != LK_FAC_ESTATE) {
    lk_req_problem_store(req, status);
    return;
  }
  /* Decided meanwhile: the page shows the decision. */
  snprintf(where, sizeof(where), "/initiatieven/%s/faciliteiten#aanvraag-%s",
           ctx->initiative, ctx->op.id);
  redirect(req, where);
}

static void withdraw_post(lk_req *req) {
  struct withdraw_ctx *ctx;
  lk_participant p;
  const char *initiative;
  lk_fac_request_row *r;
  lk_invalid why;
  int rc;

  if (organiser_auth(req, &p, &initiative) != 0)
    return;
  /* The request must belong to this initiative (the apply checks that
   * the resident organises the request's own initiative). */
  r = malloc(sizeof(*r));
  rc = r != NULL ? lk_store_fac_request_get(lk_req_app(req)->store,
                                            lk_req_param(req, "rid"), r)
                 : LK_STORE_NOMEM;
  if (rc == 0 && strcmp(r->initiative_id, initiative) != 0)
    rc = LK_STORE_NOTFOUND;
  free(r);
  if (rc == LK_STORE_NOTFOUND || !lk_uuid_valid(lk_req_param(req, "rid"))) {
    not_found(req);
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  snprintf(ctx->initiative, sizeof(ctx->initiative), "%s", initiative);
  if (lk_fac_withdraw_prepare(&ctx->op, p.account_id, lk_req_param(req, "rid"),
                              "", &why) != 0) {
    not_found(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_fac_step_apply, &ctx->op, withdrawn);
}

/* ---- routes ----------------------------------------------------------------
 */

static const lk_api_route routes[] = {
    {"GET", "/initiatieven/gefaciliteerd", summary_html, 0},
    {"GET", "/initiatieven/gefaciliteerd.csv", summary_csv, 0},
    {"GET", "/initiatieven/gefaciliteerd.json", summary_json, 0},
    {"GET", "/initiatieven/{id}/faciliteiten", requests_get, 0},
    {"POST", "/initiatieven/{id}/faciliteiten", requests_post, 0},
    {"POST", "/initiatieven/{id}/faciliteiten/{rid}/intrekken", withdraw_post,
     0},
};

/* The initiative page's slot for facilitation (pages/initiatives.h). */
static void initiative_slot(lk_buf *b, lk_req *req, const lk_init_view *v) {
  /* Facilitation is asked for initiatives out in the open and going. */
  bool going = (strcmp(v->r->status, "published") == 0 ||
                strcmp(v->r->status, "running") == 0) &&
               v->r->hidden_at == 0;

  lk_facilitation_section(b, lk_req_app(req)->store, v->r->id,
                          v->organiser && going);
}

int lk_facilitation_page_routes(lk_router *r) {
  int rc = lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));

  if (rc == 0)
    rc = lk_meeting_pages_routes(r);
  if (rc == 0 &&
      lk_initiative_section(LK_INIT_SLOT_FACILITATION, initiative_slot) != 0)
    rc = -ENOMEM;
  return rc;
}
