/* meetings.c - an initiative's meetings: the organisers' form, the
 * public meeting page with registration, the organisers' list of who
 * comes, and the iCalendar file (pages/meetings.h). */
#include "pages/meetings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/participant.h"
#include "app.h"
#include "core/facilitation.h"
#include "core/ics.h"
#include "core/ids.h"
#include "core/proclog.h"
#include "http/problem.h"
#include "pages/facilitation.h"
#include "pages/form.h"
#include "util/clock.h"
#include "util/html.h"

#define BOOKINGS_SHOWN 50
#define REGISTRATIONS_SHOWN 100 /* on the organisers' view of a meeting */

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

/* ---- the organisers' form --------------------------------------------------
 */

struct mform {
  const char *summary;
  char title[LK_MEETING_TITLE_MAX * 2 + 1];
  char description[LK_FAC_TEXT_MAX * 2 + 1];
  char place[LK_FAC_PLACE_MAX * 2 + 1];
  char booking[LK_FAC_ID_LEN + 2];
  char date[16], from[8], to[8], capacity[12];
  const char *title_error, *description_error, *place_error, *when_error;
  const char *capacity_error;
};

struct booking_ctx {
  lk_buf *b;
  const char *chosen;
};

static void booking_option(const lk_booking_view *v, void *ud) {
  struct booking_ctx *bc = ud;

  lk_buf_puts(bc->b, "<option value=\"");
  lk_html_attr(bc->b, v->id);
  lk_buf_puts(bc->b, strcmp(bc->chosen, v->id) == 0 ? "\" selected>" : "\">");
  lk_html_txt(bc->b, v->room);
  if (v->location[0] != '\0') {
    lk_buf_puts(bc->b, ", ");
    lk_html_txt(bc->b, v->location);
  }
  lk_buf_puts(bc->b, ": ");
  lk_fac_span_nl(bc->b, v->starts_at, v->ends_at);
  lk_buf_printf(bc->b, " (tot %d personen)</option>\n", v->capacity);
}

static void text_input(lk_buf *b, const char *id, const char *name,
                       const char *label, const char *hint, const char *type,
                       const char *value, const char *error) {
  lk_form_field_head(b, id, label, hint, error);
  lk_form_control(b, "utrecht-textbox", error != NULL);
  lk_buf_printf(b, " id=\"%s\" name=\"%s\" type=\"%s\" value=\"", id, name,
                type);
  lk_html_attr(b, value);
  lk_buf_putc(b, '"');
  lk_form_described(b, id, hint != NULL, error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");
}

static void meeting_form_page(lk_req *req, int status, const char *initiative,
                              const lk_participant *p, const struct mform *f) {
  lk_buf b = LK_BUF_INIT;
  struct booking_ctx bc = {&b, f->booking};

  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/");
  lk_html_attr(&b, initiative);
  lk_buf_puts(&b, "\">Terug naar het initiatief</a></p>\n<h1 "
                  "class=\"utrecht-heading-1\">Bijeenkomst organiseren</h1>"
                  "\n");
  if (f->summary != NULL) {
    lk_form_summary_begin(&b, f->summary);
    lk_form_summary_item(&b, "bijeenkomst-titel", f->title_error);
    lk_form_summary_item(&b, "bijeenkomst-omschrijving", f->description_error);
    lk_form_summary_item(&b, "bijeenkomst-plaats", f->place_error);
    lk_form_summary_item(&b, "bijeenkomst-datum", f->when_error);
    lk_form_summary_item(&b, "bijeenkomst-plaatsen", f->capacity_error);
    lk_form_summary_end(&b);
  }
  lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" "
                  "action=\"/initiatieven/");
  lk_html_attr(&b, initiative);
  lk_buf_puts(&b, "/bijeenkomsten\" novalidate>\n");
  lk_participant_csrf_field(&b, p);
  text_input(&b, "bijeenkomst-titel", "titel", "Titel", NULL, "text", f->title,
             f->title_error);
  lk_form_field_head(&b, "bijeenkomst-omschrijving", "Omschrijving", NULL,
                     f->description_error);
  lk_buf_printf(&b,
                "<p class=\"utrecht-form-field__input\"><textarea "
                "class=\"utrecht-textarea%s\" id=\"bijeenkomst-omschrijving\""
                " name=\"omschrijving\" rows=\"4\" maxlength=\"2000\"",
                f->description_error != NULL ? " utrecht-textarea--invalid"
                                             : "");
  lk_form_described(&b, "bijeenkomst-omschrijving", false,
                    f->description_error != NULL);
  lk_buf_puts(&b, ">");
  lk_html_txt(&b, f->description);
  lk_buf_puts(&b, "</textarea></p>\n</div>\n");
  lk_form_field_head(&b, "bijeenkomst-zaal", "Toegekende zaal",
                     "Of laat dit leeg en vul hieronder een plaats in.", NULL);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__input\"><select "
                  "class=\"utrecht-select\" id=\"bijeenkomst-zaal\" "
                  "name=\"reservering\"");
  lk_form_described(&b, "bijeenkomst-zaal", true, false);
  lk_buf_puts(&b, ">\n<option value=\"\">Geen zaal van de gemeente</option>\n");
  lk_store_bookings_of(lk_req_app(req)->store, initiative, lk_clock_real_ms(),
                       BOOKINGS_SHOWN, booking_option, &bc);
  lk_buf_puts(&b, "</select></p>\n</div>\n");
  text_input(&b, "bijeenkomst-plaats", "plaats", "Plaats",
             "Adres of beschrijving van de plek.", "text", f->place,
             f->place_error);
  text_input(&b, "bijeenkomst-datum", "datum", "Datum",
             "Bijvoorbeeld 2026-12-14.", "date", f->date, f->when_error);
  text_input(&b, "bijeenkomst-van", "van", "Begintijd", "Bijvoorbeeld 19:30.",
             "time", f->from, NULL);
  text_input(&b, "bijeenkomst-tot", "tot", "Eindtijd", NULL, "time", f->to,
             NULL);
  text_input(&b, "bijeenkomst-plaatsen", "plaatsen", "Aantal plaatsen", NULL,
             "text", f->capacity, f->capacity_error);
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                  "button utrecht-button--primary-action\" type=\"submit\">"
                  "Bijeenkomst aanmaken</button></p>\n</form>\n");
  lk_form_page(req, status,
               f->summary != NULL ? "Fout: Bijeenkomst organiseren"
                                  : "Bijeenkomst organiseren",
               &b);
}

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

static void meeting_form(lk_req *req) {
  lk_participant p;
  const char *initiative;
  struct mform *f;

  if (organiser_auth(req, &p, &initiative) != 0)
    return;
  f = calloc(1, sizeof(*f));
  if (f == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  meeting_form_page(req, 200, initiative, &p, f);
  free(f);
}

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_meeting_op op;
  lk_participant p;
  struct mform f;
};

static void meeting_created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);
  char where[96];

  if (status == 0) {
    snprintf(where, sizeof(where), "/initiatieven/bijeenkomsten/%s",
             ctx->op.m.id);
    redirect(req, where);
    return;
  }
  if (status == LK_STORE_NOTFOUND && ctx->op.m.booking_id[0] == '\0') {
    not_found(req);
    return;
  }
  if (status == LK_STORE_NOTFOUND)
    ctx->f.place_error = "Kies een zaal die aan dit initiatief is "
                         "toegekend.";
  else if (status == LK_EINVALID)
    ctx->f.when_error = "De bijeenkomst moet binnen de tijd van de "
                        "zaalreservering vallen.";
  else if (status == LK_FAC_ETOOMANY)
    ctx->f.capacity_error = "Zoveel mensen passen niet in de zaal.";
  else {
    lk_req_problem_store(req, status);
    return;
  }
  ctx->f.summary = "Controleer het formulier.";
  meeting_form_page(req, 422, ctx->op.m.initiative_id, &ctx->p, &ctx->f);
}

static void meeting_post(lk_req *req) {
  struct create_ctx *ctx = lk_api_data(req, sizeof(*ctx), free);
  const char *initiative;
  struct mform *f;
  lk_meeting_row *m;
  lk_invalid why;
  int n;

  if (ctx == NULL || organiser_auth(req, &ctx->p, &initiative) != 0)
    return;
  f = &ctx->f;
  lk_form_field(req, "titel", f->title, sizeof(f->title));
  lk_form_field(req, "omschrijving", f->description, sizeof(f->description));
  lk_form_field(req, "plaats", f->place, sizeof(f->place));
  lk_form_field(req, "reservering", f->booking, sizeof(f->booking));
  lk_form_field(req, "datum", f->date, sizeof(f->date));
  lk_form_field(req, "van", f->from, sizeof(f->from));
  lk_form_field(req, "tot", f->to, sizeof(f->to));
  lk_form_field(req, "plaatsen", f->capacity, sizeof(f->capacity));
  lk_form_unix_newlines(f->description);
  m = calloc(1, sizeof(*m));
  if (m == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  snprintf(m->initiative_id, sizeof(m->initiative_id), "%s", initiative);
  if (strlen(f->title) > LK_MEETING_TITLE_MAX)
    f->title_error = "Gebruik hoogstens 200 tekens.";
  if (strlen(f->description) > LK_FAC_TEXT_MAX)
    f->description_error = "Gebruik hoogstens 2000 tekens.";
  if (strlen(f->place) > LK_FAC_PLACE_MAX)
    f->place_error = "Gebruik hoogstens 200 tekens.";
  copy(m->title, sizeof(m->title), f->title);
  copy(m->description, sizeof(m->description), f->description);
  copy(m->place, sizeof(m->place), f->place);
  copy(m->booking_id, sizeof(m->booking_id), f->booking);
  if (lk_fac_parse_when(f->date, f->from, &m->starts_at) != 0 ||
      lk_fac_parse_when(f->date, f->to, &m->ends_at) != 0)
    f->when_error = "Vul een datum (2026-12-14) en tijden (19:30) in.";
  if (lk_fac_parse_int(f->capacity, LK_MEETING_CAPACITY_MAX, &n) != 0 || n < 1)
    f->capacity_error = "Vul een aantal plaatsen in van 1 tot 10000.";
  else
    m->capacity = n;
  if (f->title_error == NULL && f->description_error == NULL &&
      f->place_error == NULL && f->when_error == NULL &&
      f->capacity_error == NULL &&
      lk_meeting_create_prepare(&ctx->op, ctx->p.account_id, m,
                                lk_clock_real_ms(), &why) != 0) {
    if (strcmp(why.field, "/title") == 0)
      f->title_error = "Vul een titel in van hoogstens 200 tekens op één "
                       "regel.";
    else if (strcmp(why.field, "/description") == 0)
      f->description_error = "Gebruik hoogstens 2000 tekens.";
    else if (strcmp(why.field, "/place") == 0 ||
             strcmp(why.field, "/bookingId") == 0)
      f->place_error = "Vul een plaats in of kies een toegekende zaal.";
    else if (strcmp(why.field, "/capacity") == 0)
      f->capacity_error = "Vul een aantal plaatsen in van 1 tot 10000.";
    else
      f->when_error = "Kies een tijd in de toekomst; het einde na het "
                      "begin, hoogstens 7 dagen later.";
  }
  free(m);
  if (f->title_error != NULL || f->description_error != NULL ||
      f->place_error != NULL || f->when_error != NULL ||
      f->capacity_error != NULL) {
    f->summary = "Controleer het formulier.";
    meeting_form_page(req, 422, initiative, &ctx->p, f);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_meeting_create_apply, &ctx->op,
                meeting_created);
}

/* ---- the meeting page ------------------------------------------------------
 */

struct reg_ctx {
  lk_buf *b;
  lk_store *s;
  int n;
};

static void registration_item(const char *account, int64_t at, void *ud) {
  struct reg_ctx *rc = ud;
  char name[LK_FAC_NAME_MAX + 1] = "";

  (void)at;
  rc->n++;
  lk_store_fac_account_name(rc->s, account, name, sizeof(name));
  lk_buf_puts(rc->b, "<li class=\"utrecht-unordered-list__item\">");
  lk_html_txt(rc->b, name);
  lk_buf_puts(rc->b, "</li>\n");
}

/* Loads meeting `id` if its initiative is public: 0, or answers 404. */
static int public_meeting(lk_req *req, const char *id, lk_meeting_row *m,
                          char *title, size_t size) {
  lk_store *s = lk_req_app(req)->store;
  int rc =
      lk_uuid_valid(id) ? lk_store_meeting_get(s, id, m) : LK_STORE_NOTFOUND;

  if (rc == 0)
    rc = lk_store_fac_initiative_title(s, m->initiative_id, title, size);
  if (rc == LK_STORE_NOTFOUND) {
    not_found(req);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  return 0;
}

static void reg_button(lk_buf *b, const lk_meeting_row *m,
                       const lk_participant *p, const char *action,
                       const char *label, bool primary) {
  lk_buf_puts(b, "<form method=\"post\" action=\"/initiatieven/"
                 "bijeenkomsten/");
  lk_html_attr(b, m->id);
  lk_buf_printf(b, "/%s\">", action);
  lk_participant_csrf_field(b, p);
  lk_buf_printf(b,
                "<button class=\"utrecht-button utrecht-button--%s-action\" "
                "type=\"submit\">%s</button></form>\n",
                primary ? "primary" : "secondary", label);
}

static void meeting_page(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  const char *id = lk_req_param(req, "mid");
  const char *note = lk_req_query(req, "melding");
  lk_meeting_row *m = malloc(sizeof(*m));
  char title[LK_FAC_NAME_MAX * 3] = "";
  lk_buf b = LK_BUF_INIT;
  lk_participant p;
  bool logged_in, organiser = false, registered = false;
  int64_t now = lk_clock_real_ms();

  if (m == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (public_meeting(req, id, m, title, sizeof(title)) != 0) {
    free(m);
    return;
  }
  logged_in = lk_participant_get(req, &p) == 0;
  if (logged_in) {
    lk_store_fac_is_organiser(s, m->initiative_id, p.account_id, &organiser);
    lk_store_meeting_registered(s, m->id, p.account_id, &registered);
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/");
  lk_html_attr(&b, m->initiative_id);
  lk_buf_puts(&b, "\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</a></p>\n<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, m->title);
  lk_buf_puts(&b, "</h1>\n");
  if (note != NULL && strcmp(note, "vol") == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-alert\" role=\"alert\">Helaas, de "
                    "bijeenkomst is vol.</p>\n");
  else if (note != NULL && strcmp(note, "aangemeld") == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-alert\" role=\"status\">U bent "
                    "aangemeld.</p>\n");
  else if (note != NULL && strcmp(note, "afgemeld") == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-alert\" role=\"status\">U bent "
                    "afgemeld.</p>\n");
  if (m->cancelled_at != 0)
    lk_buf_puts(&b, "<p class=\"utrecht-alert\" role=\"status\">Deze "
                    "bijeenkomst gaat niet door.</p>\n");
  lk_buf_puts(&b, "<dl class=\"utrecht-data-list\">\n<div "
                  "class=\"utrecht-data-list__item\"><dt "
                  "class=\"utrecht-data-list__item-key\">Wanneer</dt><dd "
                  "class=\"utrecht-data-list__item-value\">");
  lk_fac_span_nl(&b, m->starts_at, m->ends_at);
  lk_buf_puts(&b, "</dd></div>\n<div class=\"utrecht-data-list__item\"><dt "
                  "class=\"utrecht-data-list__item-key\">Waar</dt><dd "
                  "class=\"utrecht-data-list__item-value\">");
  lk_html_txt(&b, m->place);
  lk_buf_printf(&b,
                "</dd></div>\n<div class=\"utrecht-data-list__item\"><dt "
                "class=\"utrecht-data-list__item-key\">Plaatsen</dt><dd "
                "class=\"utrecht-data-list__item-value\">%d van %d vrij</dd>"
                "</div>\n</dl>\n",
                m->capacity - m->registered, m->capacity);
  if (m->description[0] != '\0') {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">");
    lk_html_txt(&b, m->description);
    lk_buf_puts(&b, "</p>\n");
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/bijeenkomsten/");
  lk_html_attr(&b, m->id);
  lk_buf_puts(&b, "/agenda.ics\">Zet in uw agenda (iCalendar-bestand)</a>"
                  "</p>\n");
  if (m->cancelled_at == 0 && m->ends_at > now) {
    if (!logged_in) {
      lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a "
                      "class=\"utrecht-link\" href=\"" LK_P_LOGIN_PATH
                      "?next=/initiatieven/bijeenkomsten/");
      lk_html_attr(&b, m->id);
      lk_buf_puts(&b, "\">Log in om u aan te melden</a></p>\n");
    } else if (registered) {
      lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">U bent aangemeld."
                      "</p>\n");
      reg_button(&b, m, &p, "afmelden", "Afmelden", false);
    } else if (m->registered < m->capacity) {
      reg_button(&b, m, &p, "aanmelden", "Aanmelden", true);
    } else {
      lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">De bijeenkomst is "
                      "vol.</p>\n");
    }
  }
  if (organiser) {
    struct reg_ctx rc = {&b, s, 0};
    char resource[80];
    lk_proclog_entry e = {p.actor,  NULL, "read",        "participatie",
                          resource, NULL, lk_req_id(req)};

    snprintf(resource, sizeof(resource), "meetings/%s/registrations", m->id);
    if (m->cancelled_at == 0 && m->ends_at > now)
      reg_button(&b, m, &p, "annuleren", "Bijeenkomst afzeggen", false);
    if (lk_proclog_read(s, &e) == 0) {
      lk_buf_puts(&b, "<h2 class=\"utrecht-heading-2\">Aanmeldingen</h2>\n"
                      "<ul class=\"utrecht-unordered-list\">\n");
      lk_store_meeting_registrations(s, m->id, "", REGISTRATIONS_SHOWN,
                                     registration_item, &rc);
      lk_buf_puts(&b, "</ul>\n");
      if (rc.n == 0)
        lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Nog niemand.</p>\n");
    }
  }
  free(m);
  lk_form_page(req, 200, title, &b);
}

struct reg_write {
  lk_api_write aw;
  lk_registration_op op;
};

static void registration_done(lk_req *req, int status) {
  struct reg_write *ctx = lk_req_data(req);
  char where[120];
  const char *note;

  switch (status) {
  case 0:
    note = ctx->op.unregister ? "afgemeld" : "aangemeld";
    break;
  case LK_STORE_CONFLICT:
    note = "aangemeld"; /* already: the same outcome */
    break;
  case LK_FAC_EFULL:
    note = "vol";
    break;
  case LK_STORE_NOTFOUND:
    note = ctx->op.unregister ? "afgemeld" : NULL;
    break;
  case LK_FAC_EPAST:
    note = "";
    break;
  default:
    lk_req_problem_store(req, status);
    return;
  }
  if (note == NULL) {
    not_found(req);
    return;
  }
  snprintf(where, sizeof(where), "/initiatieven/bijeenkomsten/%s%s%s",
           ctx->op.meeting_id, note[0] != '\0' ? "?melding=" : "", note);
  redirect(req, where);
}

static void registration(lk_req *req, bool unregister) {
  struct reg_write *ctx = lk_api_data(req, sizeof(*ctx), free);
  lk_meeting_row *m;
  lk_participant p;
  char title[LK_FAC_NAME_MAX * 3];
  lk_invalid why;
  int rc;

  if (ctx == NULL || lk_participant_page_auth(req, &p, true) != 0)
    return;
  m = malloc(sizeof(*m));
  if (m == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = public_meeting(req, lk_req_param(req, "mid"), m, title, sizeof(title));
  free(m);
  if (rc != 0)
    return;
  if (lk_registration_prepare(&ctx->op, p.account_id, lk_req_param(req, "mid"),
                              unregister, &why) != 0) {
    not_found(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_registration_apply, &ctx->op,
                registration_done);
}

struct cancel_write {
  lk_api_write aw;
  lk_meeting_cancel_op op;
};

static void cancelled(lk_req *req, int status) {
  struct cancel_write *ctx = lk_req_data(req);
  char where[96];

  if (status == LK_STORE_NOTFOUND) {
    not_found(req);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  snprintf(where, sizeof(where), "/initiatieven/bijeenkomsten/%s",
           ctx->op.meeting_id);
  redirect(req, where);
}

/* Organisers call a meeting off; its .ics then says CANCELLED. */
static void cancel_post(lk_req *req) {
  struct cancel_write *ctx = lk_api_data(req, sizeof(*ctx), free);
  lk_participant p;
  lk_invalid why;

  if (ctx == NULL || lk_participant_page_auth(req, &p, true) != 0)
    return;
  if (lk_meeting_cancel_prepare(&ctx->op, p.account_id,
                                lk_req_param(req, "mid"), &why) != 0) {
    not_found(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_meeting_cancel_apply, &ctx->op, cancelled);
}

static void register_post(lk_req *req) {
  registration(req, false);
}
static void unregister_post(lk_req *req) {
  registration(req, true);
}

static void ics_get(lk_req *req) {
  const char *id = lk_req_param(req, "mid");
  lk_meeting_row *m = malloc(sizeof(*m));
  char title[LK_FAC_NAME_MAX * 3];
  char disposition[96];
  lk_buf b = LK_BUF_INIT;

  if (m == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (public_meeting(req, id, m, title, sizeof(title)) != 0) {
    free(m);
    return;
  }
  lk_ics_meeting(&b, m, NULL);
  snprintf(disposition, sizeof(disposition),
           "attachment; filename=\"bijeenkomst-%s.ics\"", m->id);
  free(m);
  lk_req_add_header(req, "Content-Disposition", disposition);
  lk_req_add_header(req, "Cache-Control", "no-cache");
  lk_req_respond_buf(req, 200, "text/calendar; charset=utf-8", &b);
}

static const lk_api_route routes[] = {
    {"GET", "/initiatieven/bijeenkomsten/{mid}", meeting_page, 0},
    {"GET", "/initiatieven/bijeenkomsten/{mid}/agenda.ics", ics_get, 0},
    {"POST", "/initiatieven/bijeenkomsten/{mid}/aanmelden", register_post, 0},
    {"POST", "/initiatieven/bijeenkomsten/{mid}/afmelden", unregister_post, 0},
    {"POST", "/initiatieven/bijeenkomsten/{mid}/annuleren", cancel_post, 0},
    {"GET", "/initiatieven/{id}/bijeenkomsten", meeting_form, 0},
    {"POST", "/initiatieven/{id}/bijeenkomsten", meeting_post, 0},
};

int lk_meeting_pages_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
