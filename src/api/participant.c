/* participant.c - the resident of a request (see participant.h). */
#include "api/participant.h"

#include <stdio.h>
#include <string.h>

#include "api/session.h" /* lk_api_same_origin */
#include "http/cookie.h"
#include "http/problem.h"
#include "pages/form.h"
#include "util/clock.h"
#include "util/html.h"

/* The session id of the cookie into `id`; -1 without a usable one. */
static int cookie_id(lk_req *req, char id[LK_SESSION_ID_LEN + 2]) {
  int rc = lk_req_cookie(req, LK_P_COOKIE, id, LK_SESSION_ID_LEN + 2);

  if (rc != LK_COOKIE_FOUND || !lk_session_id_valid(id))
    return -1;
  return 0;
}

int lk_participant_get(lk_req *req, lk_participant *out) {
  lk_store *store = lk_req_app(req)->store;
  char id[LK_SESSION_ID_LEN + 2], hash[65];
  lk_p_session_row r;
  int64_t now;
  int rc;

  if (cookie_id(req, id) != 0 || lk_session_digest(id, hash) != 0)
    return LK_P_NONE;
  rc = lk_store_p_session_get(store, hash, &r);
  if (rc == LK_STORE_NOTFOUND)
    return LK_P_NONE;
  if (rc != 0)
    return rc;
  now = lk_clock_real_ms();
  if (lk_psess_check(&r, now) != LK_PSESS_ACTIVE)
    return LK_P_NONE;
  /* Best effort: a lost touch only makes the idle time-out come sooner. */
  if (lk_psess_needs_touch(&r, now))
    (void)lk_psess_touch_submit(store, hash);
  memset(out, 0, sizeof(*out));
  snprintf(out->account_id, sizeof(out->account_id), "%s", r.account.id);
  snprintf(out->display_name, sizeof(out->display_name), "%s",
           r.account.display_name);
  out->confirmed = r.account.confirmed_at != 0;
  lk_session_csrf_token(id, out->csrf);
  snprintf(out->actor, sizeof(out->actor), "p:%s", r.account.id);
  return 0;
}

bool lk_participant_csrf_ok(lk_req *req, const lk_participant *p,
                            const char *given) {
  if (!lk_api_same_origin(req) || given == NULL || given[0] == '\0')
    return false;
  return lk_secret_equal(p->csrf, given);
}

void lk_participant_csrf_field(lk_buf *b, const lk_participant *p) {
  lk_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
  lk_html_attr(b, p->csrf);
  lk_buf_puts(b, "\">\n");
}

static void refuse(lk_req *req, const char *title, const char *text) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\">");
  lk_html_txt(&b, text);
  lk_buf_puts(&b, "</p>\n<p class=\"utrecht-paragraph\"><a "
                  "class=\"utrecht-link\" href=\"/initiatieven\">Naar "
                  "Initiatieven</a></p>\n");
  lk_form_page(req, 403, title, &b);
}

static void to_login(lk_req *req) {
  lk_buf loc = LK_BUF_INIT;
  const char *path = lk_req_path(req);

  lk_buf_puts(&loc, LK_P_LOGIN_PATH "?next=");
  for (const char *s = path; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;

    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_' || c == '.')
      lk_buf_putc(&loc, (char)c);
    else
      lk_buf_printf(&loc, "%%%02X", c);
  }
  if (!lk_buf_ok(&loc)) {
    lk_buf_free(&loc);
    lk_req_respond(req, 500, "text/plain", "", 0);
    return;
  }
  lk_req_add_header(req, "Location", loc.data);
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond(req, 303, "text/plain; charset=utf-8", "", 0);
  lk_buf_free(&loc);
}

static bool is_safe(const char *m) {
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

int lk_participant_page_auth(lk_req *req, lk_participant *out,
                             bool need_confirmed) {
  bool safe = is_safe(lk_req_method(req));
  int rc = lk_participant_get(req, out);

  if (rc < 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  if (rc == LK_P_NONE) {
    if (safe)
      to_login(req);
    else
      refuse(req, "Niet ingelogd",
             "U bent niet (meer) ingelogd. Log opnieuw in en probeer het "
             "nog eens.");
    return -1;
  }
  if (!safe) {
    lk_form_body f;
    char given[LK_CSRF_TOKEN_LEN + 2];

    if (lk_form_body_open(req, &f) != 0) {
      lk_req_respond(req, 500, "text/plain", "", 0);
      return -1;
    }
    lk_form_value(&f, "csrf", given, sizeof(given));
    lk_form_body_close(&f);
    if (!lk_participant_csrf_ok(req, out, given)) {
      refuse(req, "Formulier verlopen",
             "Dit formulier kon niet worden verwerkt. Ga terug, laad de "
             "pagina opnieuw en probeer het nog eens.");
      return -1;
    }
  }
  if (need_confirmed && !out->confirmed) {
    refuse(req, "Bevestig eerst uw e-mailadres",
           "Klik eerst op de link in de e-mail die wij u stuurden. Daarna "
           "kunt u dit doen.");
    return -1;
  }
  return 0;
}
