/* matching_report.c - /initiatieven/melden: a logged-in resident reports
 * content or a user to the municipality (see matching.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/moderation.h"
#include "http/problem.h"
#include "pages/matching_internal.h"

static void report_form(lk_req *req, int status, const lk_participant *p,
                        const char *type, const char *id, const char *reason,
                        const char *error) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Melden aan de gemeente"
                  "</h1>\n<p class=\"utrecht-paragraph\">Is dit bericht of "
                  "deze gebruiker in strijd met de regels, kwetsend of "
                  "misleidend? Vertel ons waarom. Een medewerker bekijkt uw "
                  "melding; de ander ziet niet wie meldde.</p>\n");
  if (error != NULL) {
    lk_form_summary_begin(&b, "Controleer het formulier.");
    lk_form_summary_item(&b, "melding-reden", error);
    lk_form_summary_end(&b);
  }
  lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" "
                  "action=\"/initiatieven/melden\" novalidate>\n");
  lk_participant_csrf_field(&b, p);
  lk_buf_puts(&b, "<input type=\"hidden\" name=\"type\" value=\"");
  lk_html_attr(&b, type);
  lk_buf_puts(&b, "\">\n<input type=\"hidden\" name=\"id\" value=\"");
  lk_html_attr(&b, id);
  lk_buf_puts(&b, "\">\n");
  lk_form_field_head(&b, "melding-reden", "Waarom meldt u dit?", NULL, error);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__input\"><textarea "
                  "class=\"utrecht-textarea");
  if (error != NULL)
    lk_buf_puts(&b, " utrecht-textarea--invalid");
  lk_buf_puts(&b, "\" id=\"melding-reden\" name=\"reden\" rows=\"4\"");
  lk_form_described(&b, "melding-reden", false, error != NULL);
  lk_buf_putc(&b, '>');
  lk_html_txt(&b, reason != NULL ? reason : "");
  lk_buf_puts(&b, "</textarea></p>\n</div>\n<p class=\"utrecht-paragraph\">"
                  "<button class=\"utrecht-button utrecht-button--primary-"
                  "action\" type=\"submit\">Melden</button></p>\n</form>\n");
  lk_form_page(req, status,
               error != NULL ? "Fout: Melden aan de gemeente"
                             : "Melden aan de gemeente",
               &b);
}

static void report_get(lk_req *req) {
  const char *type = lk_req_query(req, "type");
  const char *id = lk_req_query(req, "id");
  lk_participant p;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  if (!lk_mod_type_ok(type) || !lk_mxp_id_ok(id)) {
    lk_req_not_found(req);
    return;
  }
  report_form(req, 200, &p, type, id, NULL, NULL);
}

struct report_ctx {
  lk_api_write aw;
  lk_mod_report_op op;
};

static void reported(lk_req *req, int status) {
  lk_buf b = LK_BUF_INIT;

  /* Reported twice by the same person: thanked alike, nothing new. */
  if (status != 0 && status != LK_STORE_CONFLICT) {
    lk_mxp_failed(req, status, NULL);
    return;
  }
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Dank u wel</h1>\n");
  lk_buf_puts(&b, "<div class=\"utrecht-alert\" role=\"status\" "
                  "id=\"melding-ontvangen\"><p class=\"utrecht-paragraph\">"
                  "Een medewerker van de gemeente bekijkt uw melding.</p>"
                  "</div>\n<p class=\"utrecht-paragraph\"><a "
                  "class=\"utrecht-link\" href=\"/initiatieven\">Naar "
                  "Initiatieven</a></p>\n");
  lk_form_page(req, 200, "Melding ontvangen", &b);
}

static void report_post(lk_req *req) {
  char type[16], id[LK_MX_ID_MAX + 8];
  char *reason;
  lk_participant p;
  struct report_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  reason = calloc(1, LK_MX_REASON_MAX * 2);
  if (reason == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_field(req, "type", type, sizeof(type));
  lk_form_field(req, "id", id, sizeof(id));
  lk_form_field(req, "reden", reason, LK_MX_REASON_MAX * 2);
  lk_form_unix_newlines(reason);
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    free(reason);
    return;
  }
  if (lk_mod_report_prepare(&ctx->op, p.account_id, type, id, reason,
                            lk_req_id(req), &why) != 0) {
    if (strcmp(why.field, "reason") == 0)
      report_form(req, 422, &p, type, id, reason,
                  "Schrijf waarom u dit meldt, in hoogstens 1000 tekens.");
    else
      lk_req_not_found(req);
    free(reason);
    return;
  }
  free(reason);
  if (lk_matching_post_limit(req, "report", p.account_id) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_mod_report_apply, &ctx->op, reported);
}

int lk_mxp_report_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/initiatieven/melden", report_get, 0},
      {"POST", "/initiatieven/melden", report_post, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
