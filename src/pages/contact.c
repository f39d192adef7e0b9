/* contact.c - /contact and /kiosk: the channels residents can use now,
 * their opening hours and the expected waiting time; and what the
 * contact pages share (frame, Dutch dates and durations).
 *
 * The page reads the channel rows and, per enabled channel, two bounded
 * index reads for the estimate (core/channel.h); nothing is computed over
 * history.
 */
#include "pages/contact.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/channel.h"
#include "http/problem.h"
#include "pages/contact_internal.h"
#include "pages/form.h"
#include "pages/layout.h"
#include "util/clock.h"
#include "util/html.h"
#include "util/log.h"

#define DEFAULT_KIOSK_IDLE_S 120

static const char *const day_names[7] = {"maandag",   "dinsdag", "woensdag",
                                         "donderdag", "vrijdag", "zaterdag",
                                         "zondag"};
static const char *const months[12] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

/* ---- shared -----------------------------------------------------------------
 */

void lk_contact_respond(lk_req *req, bool kiosk, int status, const char *title,
                        lk_buf *body, bool no_store) {
  lk_buf b = LK_BUF_INIT;

  if (kiosk) {
    lk_app *app = lk_req_app(req);
    lk_kiosk_frame k = {LK_CONTACT_KIOSK_HOME, app->kiosk_idle_s > 0
                                                   ? app->kiosk_idle_s
                                                   : DEFAULT_KIOSK_IDLE_S};

    lk_page_begin_kiosk(&b, title, &k);
  } else {
    lk_page_begin(&b, title);
  }
  if (lk_buf_ok(body))
    lk_buf_append(&b, body->data, body->len);
  lk_buf_free(body);
  if (kiosk)
    lk_page_end_kiosk(&b);
  else
    lk_page_end(&b);
  /* A kiosk keeps nothing of one resident for the next. */
  lk_req_add_header(req, "Cache-Control",
                    kiosk || no_store ? "no-store" : "public, max-age=30");
  lk_req_respond_buf(req, status, "text/html; charset=utf-8", &b);
}

void lk_contact_when(lk_buf *b, int64_t ms, int64_t now) {
  struct tm tm, today;
  char iso[32];
  int64_t d0, d1;

  lk_clock_nl_local(ms, &tm);
  lk_clock_nl_local(now, &today);
  lk_clock_format_iso(ms, iso, sizeof(iso));
  d0 = lk_clock_days_from_civil(today.tm_year + 1900, today.tm_mon + 1,
                                today.tm_mday);
  d1 = lk_clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  lk_buf_printf(b, "<time datetime=\"%s\">", iso);
  if (d1 == d0)
    lk_buf_puts(b, "vandaag");
  else if (d1 == d0 + 1)
    lk_buf_puts(b, "morgen");
  else
    lk_buf_printf(b, "%s %d %s", day_names[(tm.tm_wday + 6) % 7], tm.tm_mday,
                  months[tm.tm_mon]);
  lk_buf_printf(b, " om %02d:%02d</time>", tm.tm_hour, tm.tm_min);
}

void lk_contact_duration(lk_buf *b, int64_t ms) {
  int64_t min = (ms + 30000) / 60000;

  if (ms < 60000)
    lk_buf_puts(b, "minder dan een minuut");
  else if (min == 1)
    lk_buf_puts(b, "ongeveer 1 minuut");
  else if (min < 90)
    lk_buf_printf(b, "ongeveer %lld minuten", (long long)min);
  else
    lk_buf_printf(b, "ongeveer %lld uur", (long long)((min + 30) / 60));
}

/* ---- one channel
 * ------------------------------------------------------------- */

static void hours_list(lk_buf *b, const lk_calendar *cal) {
  lk_buf_puts(b, "<dl class=\"utrecht-data-list loket-hours\">\n");
  for (int d = 0; d < 7; d++) {
    lk_buf_printf(b,
                  "<div class=\"utrecht-data-list__item\"><dt class=\"utrecht-"
                  "data-list__item-key\">%s</dt><dd class=\"utrecht-data-"
                  "list__item-value\">",
                  day_names[d]);
    if (cal->nslots[d] == 0)
      lk_buf_puts(b, "gesloten");
    for (int i = 0; i < cal->nslots[d]; i++) {
      const lk_cal_slot *s = &cal->week[d][i];

      lk_buf_printf(b, "%s%02d:%02d&ndash;%02d:%02d", i > 0 ? ", " : "",
                    s->open / 60, s->open % 60, s->close / 60, s->close % 60);
    }
    lk_buf_puts(b, "</dd></div>\n");
  }
  lk_buf_puts(b, "</dl>\n<p class=\"utrecht-paragraph loket-hours-note\">"
                 "Op feestdagen gesloten.</p>\n");
}

static void state_line(lk_buf *b, const lk_channel_row *r,
                       const lk_channel_state *st, int64_t now) {
  lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-channel__state\">");
  if (r->async) {
    lk_buf_puts(b, "<strong>Altijd te gebruiken.</strong> ");
    if (st->open)
      lk_buf_puts(b, "Medewerkers zijn nu aan het werk.");
    else if (st->opens_at != LK_CAL_NEVER) {
      lk_buf_puts(b, "Medewerkers zijn weer aan het werk ");
      lk_contact_when(b, st->opens_at, now);
      lk_buf_putc(b, '.');
    }
  } else if (st->open) {
    lk_buf_puts(b, "<strong>Nu open</strong>");
    if (st->closes_at > 0) {
      lk_buf_puts(b, ", tot ");
      lk_contact_when(b, st->closes_at, now);
    }
    lk_buf_putc(b, '.');
  } else {
    lk_buf_puts(b, "<strong>Nu gesloten.</strong>");
    if (st->holiday != NULL) {
      lk_buf_puts(b, " Vandaag is het ");
      lk_html_txt(b, st->holiday);
      lk_buf_putc(b, '.');
    }
    if (st->opens_at != LK_CAL_NEVER) {
      lk_buf_puts(b, " Weer open ");
      lk_contact_when(b, st->opens_at, now);
      lk_buf_putc(b, '.');
    }
  }
  lk_buf_puts(b, "</p>\n");
}

static void wait_line(lk_buf *b, const lk_channel_row *r,
                      const lk_calendar *cal, const lk_channel_state *st,
                      const lk_wait *w, int64_t now) {
  if (r->async) {
    int64_t by;

    if (!w->known)
      return;
    by = lk_cal_add(cal, now, w->estimate_ms);
    if (by == LK_CAL_NEVER)
      return;
    lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-channel__wait\">"
                   "Verwacht antwoord: ");
    lk_contact_when(b, by, now);
    lk_buf_puts(b, ".</p>\n");
    return;
  }
  if (!st->open)
    return;
  lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-channel__wait\">");
  if (w->known) {
    lk_buf_puts(b, "Verwachte wachttijd: ");
    lk_contact_duration(b, w->estimate_ms);
    lk_buf_putc(b, '.');
  } else {
    lk_buf_puts(b, "Nog geen schatting van de wachttijd.");
  }
  if (w->queue == 1)
    lk_buf_puts(b, " Er wacht nu 1 persoon.");
  else if (w->queue > 1)
    lk_buf_printf(b, " Er wachten nu %lld personen.", (long long)w->queue);
  lk_buf_puts(b, "</p>\n");
}

/* How to use the channel.  The kiosk links nowhere outside itself. */
static void action(lk_buf *b, const lk_channel_row *r, bool kiosk) {
  const char *ch = r->channel;

  if (strcmp(ch, "webformulier") == 0) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-button-"
                   "link utrecht-button-link--html-a utrecht-button-link--"
                   "primary-action loket-channel__go\" href=\"");
    lk_buf_puts(b, kiosk ? "/kiosk/formulier" : "/contact/formulier");
    lk_buf_puts(b, "\">Vraag of klacht indienen</a></p>\n");
    return;
  }
  if (r->contact[0] == '\0')
    return;
  lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-channel__contact\">");
  if (!kiosk && strcmp(ch, "telefoon") == 0) {
    lk_buf_puts(b, "Bel <a class=\"utrecht-link\" href=\"tel:");
    for (const char *p = r->contact; *p != '\0'; p++) {
      if ((*p >= '0' && *p <= '9') || *p == '+')
        lk_buf_putc(b, *p);
    }
    lk_buf_puts(b, "\">");
    lk_html_txt(b, r->contact);
    lk_buf_puts(b, "</a>");
  } else if (!kiosk && strcmp(ch, "email") == 0 && strchr(r->contact, '@') &&
             strcspn(r->contact, " <>\"':?#/\\") == strlen(r->contact)) {
    lk_buf_puts(b, "Mail naar <a class=\"utrecht-link\" href=\"mailto:");
    lk_html_attr(b, r->contact);
    lk_buf_puts(b, "\">");
    lk_html_txt(b, r->contact);
    lk_buf_puts(b, "</a>");
  } else {
    lk_html_txt(b, r->contact);
  }
  lk_buf_puts(b, "</p>\n");
}

static int channel_section(lk_req *req, lk_buf *b, const lk_channel_row *r,
                           bool kiosk, int64_t now) {
  lk_calendar cal;
  lk_channel_state st;
  lk_wait w;
  int rc;

  lk_channel_calendar(r, &cal);
  lk_channel_state_at(&cal, now, &st);
  rc = lk_channel_wait(lk_req_app(req)->store, r->channel, &cal, now, &w);
  if (rc != 0)
    return rc;
  lk_buf_puts(b, "<section class=\"loket-channel");
  lk_buf_puts(b, st.open || r->async ? " loket-channel--open\""
                                     : " loket-channel--closed\"");
  lk_buf_puts(b, " data-channel=\"");
  lk_html_attr(b, r->channel);
  lk_buf_puts(b, "\" aria-labelledby=\"kanaal-");
  lk_html_attr(b, r->channel);
  lk_buf_puts(b, "\">\n<h3 class=\"utrecht-heading-3\" id=\"kanaal-");
  lk_html_attr(b, r->channel);
  lk_buf_puts(b, "\">");
  lk_html_txt(b, r->label);
  lk_buf_puts(b, "</h3>\n");
  state_line(b, r, &st, now);
  wait_line(b, r, &cal, &st, &w, now);
  if (r->description[0] != '\0') {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">");
    lk_html_txt(b, r->description);
    lk_buf_puts(b, "</p>\n");
  }
  action(b, r, kiosk);
  lk_buf_puts(b, "<h4 class=\"utrecht-heading-4\">Openingstijden</h4>\n");
  hours_list(b, &cal);
  lk_buf_puts(b, "</section>\n");
  return 0;
}

/* ---- the pages
 * --------------------------------------------------------------- */

static bool usable_now(const lk_channel_row *r, int64_t now) {
  lk_calendar cal;

  if (r->async)
    return true;
  lk_channel_calendar(r, &cal);
  return lk_cal_open_at(&cal, now);
}

static void overview(lk_req *req, bool kiosk) {
  lk_channel_row *rows = calloc(LK_CHANNELS_MAX, sizeof(*rows));
  int64_t now = lk_clock_real_ms();
  lk_buf b = LK_BUF_INIT;
  int n, rc = 0, shown;

  if (rows == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  n = lk_store_channels(lk_req_app(req)->store, rows, LK_CHANNELS_MAX);
  if (n < 0) {
    free(rows);
    lk_req_problem_store(req, n);
    return;
  }
  if (kiosk)
    lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Waarmee kunnen wij u "
                    "helpen?</h1>\n<p class=\"utrecht-paragraph\">Stel hier "
                    "uw vraag of dien een klacht in. U krijgt een nummer "
                    "waarmee u het antwoord kunt volgen.</p>\n");
  else
    lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Contact</h1>\n"
                    "<p class=\"utrecht-paragraph\">Kies hoe u ons wilt "
                    "bereiken. Bij elk kanaal staan de openingstijden en "
                    "hoe lang u naar verwachting wacht.</p>\n");
  for (int pass = 0; pass < 2 && rc == 0; pass++) {
    shown = 0;
    for (int i = 0; i < n && rc == 0; i++) {
      /* The kiosk itself is no channel to offer on its own pages. */
      if (!rows[i].enabled || strcmp(rows[i].channel, "kiosk") == 0 ||
          usable_now(&rows[i], now) != (pass == 0))
        continue;
      if (shown++ == 0)
        lk_buf_puts(&b, pass == 0 ? "<section class=\"loket-channels\" "
                                    "aria-labelledby=\"nu-open\">\n<h2 "
                                    "class=\"utrecht-heading-2\" id=\"nu-"
                                    "open\">Nu open</h2>\n"
                                  : "<section class=\"loket-channels\" "
                                    "aria-labelledby=\"nu-gesloten\">\n<h2 "
                                    "class=\"utrecht-heading-2\" id=\"nu-"
                                    "gesloten\">Nu gesloten</h2>\n");
      rc = channel_section(req, &b, &rows[i], kiosk, now);
    }
    if (shown > 0)
      lk_buf_puts(&b, "</section>\n");
    else if (pass == 0)
      lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Op dit moment is geen "
                      "kanaal open.</p>\n");
  }
  free(rows);
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_contact_respond(req, kiosk, 200, kiosk ? "Welkom" : "Contact", &b, false);
}

static void contact_page(lk_req *req) {
  overview(req, false);
}

static void kiosk_page(lk_req *req) {
  overview(req, true);
}

int lk_contact_routes(lk_router *r) {
  static const struct {
    const char *method, *pattern;
    lk_handler_fn fn;
    int flags;
  } routes[] = {
      {"GET", "/contact", contact_page, 0},
      {"GET", "/contact/formulier", lk_contact_form_get, 0},
      {"POST", "/contact/formulier", lk_contact_form_post, LK_ROUTE_UPLOAD},
      {"GET", "/contact/status/{token}", lk_contact_status_get,
       LK_ROUTE_SECRET_PATH},
      {"POST", "/contact/status/{token}", lk_contact_status_post,
       LK_ROUTE_UPLOAD | LK_ROUTE_SECRET_PATH},
      {"GET", "/kiosk", kiosk_page, 0},
      {"GET", "/kiosk/formulier", lk_kiosk_form_get, 0},
      {"POST", "/kiosk/formulier", lk_kiosk_form_post, LK_ROUTE_UPLOAD},
  };
  int rc;

  for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
    rc = lk_router_add(r, routes[i].method, routes[i].pattern, routes[i].fn,
                       routes[i].flags);
    if (rc != 0)
      return rc;
  }
  return 0;
}

#define FIELDS_RESERVE (64 * 1024) /* of the body limit, for the text */

size_t lk_contact_file_max(size_t max_upload) {
  return max_upload > 2 * FIELDS_RESERVE ? max_upload - FIELDS_RESERVE
                                         : max_upload / 2;
}

void lk_contact_file_field(lk_buf *b, const char *hint, const char *file_name,
                           const char *error, size_t max_upload) {
  lk_buf h = LK_BUF_INIT;

  lk_buf_puts(&h, hint);
  if (file_name != NULL && file_name[0] != '\0') {
    lk_buf_puts(&h, " <strong>U had het bestand &ldquo;");
    lk_html_txt(&h, file_name);
    lk_buf_puts(&h, "&rdquo; gekozen. Kies het opnieuw: een bestand wordt "
                    "niet bewaard als het formulier nog niet klaar "
                    "is.</strong>");
  }
  if (lk_buf_ok(&h))
    lk_form_field_head(b, "bijlage", "Bijlage", h.data, error);
  lk_buf_free(&h);
  lk_buf_printf(b,
                "<p class=\"utrecht-form-field__input\"><input class=\""
                "loket-file\" id=\"bijlage\" name=\"bijlage\" type=\"file\" "
                "accept=\".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.docx,.xlsx,"
                ".odt\" data-max-bytes=\"%zu\"",
                lk_contact_file_max(max_upload));
  lk_form_described(b, "bijlage", true, error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");
}

static int upload_apply(lk_tx *tx, void *arg) {
  lk_contact_upload *u = arg;

  return u->apply(tx, u->arg);
}

static void upload_done(int status, void *arg) {
  lk_contact_upload *u = arg;

  u->status = status;
  lk_req_resume(u->req);
}

static int upload_write(lk_contact_upload *u) {
  u->w.apply = upload_apply;
  u->w.arg = u;
  u->w.done = upload_done;
  return lk_store_submit(u->store, &u->w);
}

static void *upload_blob(void *arg) {
  lk_contact_upload *u = arg;
  int rc = lk_attachment_store_blob(lk_store_dir(u->store), &u->att, u->data,
                                    u->len);

  if (rc != 0) {
    lk_log(LK_LOG_ERROR, "cannot store attachment", "error", strerror(-rc),
           NULL);
    u->status = LK_STORE_IO;
    lk_req_resume(u->req);
    return NULL;
  }
  rc = upload_write(u);
  if (rc != 0) {
    u->status = rc;
    lk_req_resume(u->req);
  }
  return NULL;
}

void lk_contact_upload_start(lk_contact_upload *u, lk_write_fn apply,
                             void *arg) {
  pthread_t t;
  pthread_attr_t attr;
  int rc;

  u->apply = apply;
  u->arg = arg;
  if (!u->has_file) {
    rc = upload_write(u);
    if (rc != 0) {
      u->status = rc;
      lk_req_resume(u->req);
    }
    return;
  }
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, upload_blob, u) != 0) {
    u->status = LK_STORE_NOMEM;
    lk_req_resume(u->req);
  }
  pthread_attr_destroy(&attr);
}
