/* matching_common.c - what the matching pages share, the post limit and
 * the route table (see matching.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/session.h" /* lk_api_retry_seconds */
#include "core/matching.h"
#include "core/ratelimit.h"
#include "http/problem.h"
#include "pages/matching_internal.h"
#include "util/clock.h"

int lk_matching_page_routes(lk_router *r) {
  int rc = lk_mxp_market_routes(r);

  if (rc == 0)
    rc = lk_mxp_message_routes(r);
  if (rc == 0)
    rc = lk_mxp_report_routes(r);
  if (rc == 0)
    rc = lk_mxp_help_routes(r);
  return rc;
}

int lk_matching_post_limit(lk_req *req, const char *kind, const char *account) {
  lk_app *app = lk_req_app(req);
  char key[96], secs[24];
  lk_buf b = LK_BUF_INIT;
  int64_t retry;

  if (app->participation_posts == NULL)
    return 0;
  snprintf(key, sizeof(key), "%s:%s", kind, account);
  retry = lk_ratelimit_hit(app->participation_posts, key, NULL);
  if (retry <= 0)
    return 0;
  snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry));
  lk_req_add_header(req, "Retry-After", secs);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Even wachten</h1>\n"
                  "<p class=\"utrecht-paragraph\" role=\"alert\">U heeft "
                  "het afgelopen uur al veel berichten geplaatst. Probeer "
                  "het over ");
  lk_buf_printf(&b, "%ld", (lk_api_retry_seconds(retry) + 59) / 60);
  lk_buf_puts(&b, " minuten opnieuw.</p>\n<p class=\"utrecht-paragraph\">"
                  "<a class=\"utrecht-link\" href=\"/initiatieven\">Naar "
                  "Initiatieven</a></p>\n");
  lk_form_page(req, 429, "Even wachten", &b);
  return -1;
}

static void message_page(lk_req *req, int status, const char *title,
                         const char *text) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\" role=\"alert\">");
  lk_html_txt(&b, text);
  lk_buf_puts(&b, "</p>\n<p class=\"utrecht-paragraph\"><a "
                  "class=\"utrecht-link\" href=\"/initiatieven\">Naar "
                  "Initiatieven</a></p>\n");
  lk_form_page(req, status, title, &b);
}

void lk_mxp_failed(lk_req *req, int status, const char *invalid) {
  switch (status) {
  case LK_STORE_NOTFOUND:
    lk_req_not_found(req);
    return;
  case LK_STORE_CONFLICT:
    message_page(req, 409, "Al gedaan",
                 "Dit had u al gedaan. Er is niets veranderd.");
    return;
  case LK_MX_FULL:
    message_page(req, 409, "Vol",
                 "Alle plaatsen zijn al bezet. Kijk of er andere hulp "
                 "gevraagd wordt.");
    return;
  case LK_MX_BLOCKED:
    message_page(req, 403, "Niet toegestaan",
                 "Uw account is geblokkeerd voor plaatsen en aanmelden. "
                 "Neem contact op met de gemeente als u denkt dat dit niet "
                 "klopt.");
    return;
  case LK_STORE_INVALID:
    message_page(req, 422, "Niet mogelijk",
                 invalid != NULL ? invalid : "Dit is niet mogelijk.");
    return;
  default:
    lk_req_problem_store(req, status);
  }
}

void lk_mxp_redirect(lk_req *req, const char *path) {
  lk_req_add_header(req, "Location", path);
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond(req, 303, "text/plain; charset=utf-8", "", 0);
}

const char *lk_mxp_base_url(lk_req *req) {
  const char *u = lk_req_app(req)->public_url;

  return u != NULL ? u : "";
}

void lk_mxp_time(lk_buf *b, int64_t ms) {
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  lk_buf_printf(b, "%02d-%02d-%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

static int digits(const char *s, size_t n, int *out) {
  int v = 0;

  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int lk_mxp_parse_time(const char *date, const char *time, int64_t *out) {
  int y, m, d, hh = 0, mm = 0;

  if (date == NULL || date[0] == '\0') {
    *out = 0;
    return time == NULL || time[0] == '\0' ? 0 : -1;
  }
  if (strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
      digits(date, 4, &y) != 0 || digits(date + 5, 2, &m) != 0 ||
      digits(date + 8, 2, &d) != 0 || y < 2000 || y > 2200 || m < 1 || m > 12 ||
      d < 1 || d > 31)
    return -1;
  if (time != NULL && time[0] != '\0') {
    if (strlen(time) != 5 || time[2] != ':' || digits(time, 2, &hh) != 0 ||
        digits(time + 3, 2, &mm) != 0 || hh > 23 || mm > 59)
      return -1;
  }
  *out = lk_clock_nl_instant(y, m, d, hh * 60 + mm);
  return 0;
}

void lk_mxp_notice(lk_buf *b, lk_req *req) {
  static const char *const texts[][2] = {
      {"geplaatst", "Uw bericht is geplaatst."},
      {"aangemeld", "U bent aangemeld. Dank u wel!"},
      {"afgemeld", "U bent afgemeld."},
      {"meedoen", "U doet mee. Dank u wel!"},
      {"gestopt", "U doet niet meer mee."},
      {"verstuurd", "Uw bericht is verstuurd."},
      {"gesloten", "Uw aanbod of vraag is gesloten."},
      {"gemeld", "Dank u wel. Een medewerker van de gemeente bekijkt uw "
                 "melding."},
      {"hulp", "De hulpvraag is toegevoegd."},
  };
  const char *m = lk_req_query(req, "melding");

  for (size_t i = 0; m != NULL && i < sizeof(texts) / sizeof(texts[0]); i++) {
    if (strcmp(m, texts[i][0]) == 0) {
      lk_buf_puts(b, "<div class=\"utrecht-alert utrecht-alert--ok\" "
                     "role=\"status\"><p class=\"utrecht-paragraph\">");
      lk_html_txt(b, texts[i][1]);
      lk_buf_puts(b, "</p></div>\n");
      return;
    }
  }
}

void lk_mxp_report_link(lk_buf *b, const char *type, const char *id) {
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                 "href=\"/initiatieven/melden?type=");
  lk_html_attr(b, type);
  lk_buf_puts(b, "&amp;id=");
  lk_html_attr(b, id);
  lk_buf_puts(b, "\">Meld dit aan de gemeente</a></p>\n");
}

bool lk_mxp_id_ok(const char *s) {
  size_t n = s != NULL ? strlen(s) : 0;

  return n > 0 && n <= LK_MX_ID_MAX &&
         strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-_") == n;
}
