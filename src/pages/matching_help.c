/* matching_help.c - "Doe mee" and help needs on an initiative's page, and
 * the forms they post to (see matching.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/help.h"
#include "core/initiative.h"
#include "http/problem.h"
#include "pages/initiatives.h"
#include "pages/matching_internal.h"

/* ---- the section on the initiative page ------------------------------------
 */

struct needs_ctx {
  lk_buf *b;
  lk_req *req;
  const lk_participant *p;
  int n;
};

static void button(lk_buf *b, const lk_participant *p, const char *action,
                   const char *id, const char *suffix, const char *label,
                   bool primary) {
  lk_buf_puts(b, "<form class=\"utrecht-form\" method=\"post\" action=\"");
  lk_buf_puts(b, action);
  lk_html_attr(b, id);
  lk_buf_puts(b, suffix);
  lk_buf_puts(b, "\">\n");
  lk_participant_csrf_field(b, p);
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                 "button ");
  lk_buf_puts(b, primary ? "utrecht-button--primary-action"
                         : "utrecht-button--secondary-action");
  lk_buf_puts(b, "\" type=\"submit\">");
  lk_buf_puts(b, label);
  lk_buf_puts(b, "</button></p>\n</form>\n");
}

static void need_one(const lk_mx_help_row *r, void *ud) {
  struct needs_ctx *c = ud;
  lk_buf *b = c->b;
  int left = r->capacity - r->taken;
  bool signed_up = false;

  if (c->p != NULL)
    (void)lk_store_mx_help_signed(lk_req_app(c->req)->store, r->id,
                                  c->p->account_id, &signed_up);
  lk_buf_puts(b, "<li class=\"utrecht-unordered-list__item\" id=\"hulp-");
  lk_html_attr(b, r->id);
  lk_buf_puts(b, "\">\n<h3 class=\"utrecht-heading-3\">");
  lk_html_txt(b, r->title);
  lk_buf_puts(b, "</h3>\n");
  if (r->starts_at != 0) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">Wanneer: ");
    lk_mxp_time(b, r->starts_at);
    lk_buf_puts(b, "</p>\n");
  }
  if (r->description[0] != '\0') {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-pre\">");
    lk_html_txt(b, r->description);
    lk_buf_puts(b, "</p>\n");
  }
  lk_buf_printf(b,
                "<p class=\"utrecht-paragraph\">%d van %d plaatsen bezet"
                "%s</p>\n",
                r->taken, r->capacity, left <= 0 ? " (vol)" : "");
  if (c->p != NULL && signed_up)
    button(b, c->p, "/initiatieven/hulp/", r->id, "/afmelden",
           "Afmelden voor deze hulp", false);
  else if (c->p != NULL && left > 0)
    button(b, c->p, "/initiatieven/hulp/", r->id, "/aanmelden", "Ik help mee",
           true);
  if (c->p != NULL)
    lk_mxp_report_link(b, "help_need", r->id);
  lk_buf_puts(b, "</li>\n");
  c->n++;
}

static void need_form(lk_buf *b, const lk_participant *p, const char *id) {
  lk_buf_puts(b, "<details class=\"utrecht-details\"><summary>Hulp vragen"
                 "</summary>\n<form class=\"utrecht-form\" method=\"post\" "
                 "action=\"/initiatieven/");
  lk_html_attr(b, id);
  lk_buf_puts(b, "/hulp\">\n");
  lk_participant_csrf_field(b, p);
  lk_form_field_head(b, "hulp-titel", "Wat is er nodig?",
                     "Bijvoorbeeld: 6 vrijwilligers, een aanhanger, een "
                     "ruimte.",
                     NULL);
  lk_form_control(b, "utrecht-textbox", false);
  lk_buf_puts(b, " id=\"hulp-titel\" name=\"titel\" type=\"text\" "
                 "maxlength=\"200\"");
  lk_form_described(b, "hulp-titel", true, false);
  lk_buf_puts(b, "></p>\n</div>\n");
  lk_form_field_head(b, "hulp-plaatsen", "Aantal plaatsen", NULL, NULL);
  lk_form_control(b, "utrecht-textbox", false);
  lk_buf_puts(b, " id=\"hulp-plaatsen\" name=\"plaatsen\" type=\"number\" "
                 "min=\"1\" max=\"1000\" value=\"1\"></p>\n</div>\n");
  lk_form_field_head(b, "hulp-datum", "Datum (niet verplicht)", NULL, NULL);
  lk_form_control(b, "utrecht-textbox", false);
  lk_buf_puts(b, " id=\"hulp-datum\" name=\"datum\" type=\"date\"></p>\n"
                 "</div>\n");
  lk_form_field_head(b, "hulp-tijd", "Tijd (niet verplicht)", NULL, NULL);
  lk_form_control(b, "utrecht-textbox", false);
  lk_buf_puts(b, " id=\"hulp-tijd\" name=\"tijd\" type=\"time\"></p>\n"
                 "</div>\n");
  lk_form_field_head(b, "hulp-uitleg", "Toelichting (niet verplicht)", NULL,
                     NULL);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><textarea "
                 "class=\"utrecht-textarea\" id=\"hulp-uitleg\" "
                 "name=\"uitleg\" rows=\"3\"></textarea></p>\n</div>\n"
                 "<p class=\"utrecht-paragraph\"><button class=\"utrecht-"
                 "button utrecht-button--primary-action\" type=\"submit\">"
                 "Hulp vragen</button></p>\n</form>\n</details>\n");
}

void lk_matching_initiative_section(lk_buf *b, lk_req *req, const char *id,
                                    const lk_participant *p, bool organiser,
                                    bool joinable) {
  lk_store *s = lk_req_app(req)->store;
  struct needs_ctx c = {b, req, p, 0};
  bool joined = false;

  lk_buf_puts(b, "<section class=\"loket-doe-mee\" aria-labelledby=\"doe-mee-"
                 "kop\">\n<h2 class=\"utrecht-heading-2\" id=\"doe-mee-kop\">"
                 "Doe mee</h2>\n");
  lk_mxp_notice(b, req);
  if (p != NULL)
    (void)lk_store_mx_joined(s, id, p->account_id, &joined);
  if (p != NULL && joined) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">U doet mee.</p>\n");
    button(b, p, "/initiatieven/", id, "/doe-mee/stoppen", "Niet meer meedoen",
           false);
  } else if (p != NULL && joinable) {
    button(b, p, "/initiatieven/", id, "/doe-mee", "Doe mee", true);
  } else if (p == NULL && joinable) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                   "href=\"" LK_P_LOGIN_PATH "?next=/initiatieven/");
    lk_html_attr(b, id);
    lk_buf_puts(b, "\">Inloggen om mee te doen of te helpen</a></p>\n");
  }
  lk_buf_puts(b, "<h3 class=\"utrecht-heading-3\">Hulp gevraagd</h3>\n<ul "
                 "class=\"utrecht-unordered-list\" id=\"hulpvragen\">\n");
  if (lk_store_mx_help_list(s, id, 50, need_one, &c) == 0)
    lk_buf_puts(b, "<li class=\"utrecht-unordered-list__item\">Er wordt nu "
                   "geen hulp gevraagd.</li>\n");
  lk_buf_puts(b, "</ul>\n");
  if (p != NULL && organiser)
    need_form(b, p, id);
  lk_buf_puts(b, "</section>\n");
}

/* The renderer of the initiative page's matching slot. */
static void slot(lk_buf *b, lk_req *req, const lk_init_view *v) {
  bool joinable =
      lk_init_public(v->r) && (strcmp(v->r->status, "published") == 0 ||
                               strcmp(v->r->status, "running") == 0);

  lk_matching_initiative_section(b, req, v->r->id, v->viewer, v->organiser,
                                 joinable);
}

/* ---- POST /initiatieven/{id}/doe-mee[/stoppen] -----------------------------
 */

struct join_ctx {
  lk_api_write aw;
  lk_help_join_op op;
};

static void joined(lk_req *req, int status) {
  struct join_ctx *ctx = lk_req_data(req);
  char path[128];

  if (status != 0) {
    lk_mxp_failed(req, status,
                  "Meedoen kan alleen bij een gepubliceerd of lopend "
                  "initiatief.");
    return;
  }
  snprintf(path, sizeof(path), "/initiatieven/%s?melding=%s#doe-mee-kop",
           ctx->op.initiative, ctx->op.leave ? "gestopt" : "meedoen");
  lk_mxp_redirect(req, path);
}

static void join_write(lk_req *req, bool leave) {
  lk_participant p;
  struct join_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_help_join_prepare(&ctx->op, p.account_id, lk_req_param(req, "id"),
                           leave, lk_req_id(req), &why) != 0) {
    lk_req_not_found(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_help_join_apply, &ctx->op, joined);
}

static void join(lk_req *req) {
  join_write(req, false);
}
static void leave(lk_req *req) {
  join_write(req, true);
}

/* ---- POST /initiatieven/{id}/hulp -------------------------------------------
 */

struct need_ctx {
  lk_api_write aw;
  lk_help_need_op op;
};

static void need_added(lk_req *req, int status) {
  struct need_ctx *ctx = lk_req_data(req);
  char path[160];

  if (status != 0) {
    lk_mxp_failed(req, status, NULL);
    return;
  }
  snprintf(path, sizeof(path), "/initiatieven/%s?melding=hulp#hulpvragen",
           ctx->op.r.initiative_id);
  lk_mxp_redirect(req, path);
}

static void need_add(lk_req *req) {
  lk_participant p;
  lk_form_body fb;
  char title[LK_MX_TITLE_MAX * 2], places[16], date[16], time[8];
  char *desc;
  struct need_ctx *ctx;
  lk_invalid why;
  int64_t starts = 0;
  long long capacity = 0;
  int rc;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  desc = calloc(1, LK_MX_BODY_MAX * 2);
  if (desc == NULL || lk_form_body_open(req, &fb) != 0) {
    free(desc);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_value(&fb, "titel", title, sizeof(title));
  lk_form_value(&fb, "plaatsen", places, sizeof(places));
  lk_form_value(&fb, "datum", date, sizeof(date));
  lk_form_value(&fb, "tijd", time, sizeof(time));
  lk_form_value(&fb, "uitleg", desc, LK_MX_BODY_MAX * 2);
  lk_form_body_close(&fb);
  lk_form_unix_newlines(desc);
  {
    char *end;

    capacity = strtoll(places, &end, 10);
    if (places[0] == '\0' || *end != '\0')
      capacity = 0;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    free(desc);
    return;
  }
  rc = lk_mxp_parse_time(date, time, &starts) != 0
           ? LK_EINVALID
           : lk_help_need_prepare(&ctx->op, p.account_id,
                                  lk_req_param(req, "id"), title, desc,
                                  capacity, starts, lk_req_id(req), &why);
  free(desc);
  if (rc != 0) {
    lk_mxp_failed(req, LK_STORE_INVALID,
                  "Vul in wat er nodig is (hoogstens 200 tekens), een aantal "
                  "plaatsen van 1 tot 1000 en eventueel een datum zoals "
                  "2026-12-05 en tijd zoals 10:00. Ga terug en probeer het "
                  "opnieuw.");
    return;
  }
  if (lk_matching_post_limit(req, "update", p.account_id) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_help_need_apply, &ctx->op, need_added);
}

/* ---- POST /initiatieven/hulp/{id}/aanmelden | afmelden
 * ------------------------- */

struct signup_ctx {
  lk_api_write aw;
  lk_help_signup_op op;
};

static void signed_up(lk_req *req, int status) {
  struct signup_ctx *ctx = lk_req_data(req);
  lk_mx_help_row r;
  char path[160];

  if (status != 0) {
    lk_mxp_failed(req, status, NULL);
    return;
  }
  if (lk_store_mx_help_get(lk_req_app(req)->store, NULL, ctx->op.need, &r) !=
      0) {
    lk_req_not_found(req);
    return;
  }
  snprintf(path, sizeof(path), "/initiatieven/%s?melding=%s#hulp-%s",
           r.initiative_id, ctx->op.withdraw ? "afgemeld" : "aangemeld", r.id);
  lk_mxp_redirect(req, path);
}

static void signup_write(lk_req *req, bool withdraw) {
  lk_participant p;
  struct signup_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_help_signup_prepare(&ctx->op, p.account_id, lk_req_param(req, "id"),
                             withdraw, lk_req_id(req), &why) != 0) {
    lk_req_not_found(req);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_help_signup_apply, &ctx->op, signed_up);
}

static void signup(lk_req *req) {
  signup_write(req, false);
}
static void withdraw(lk_req *req) {
  signup_write(req, true);
}

int lk_mxp_help_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"POST", "/initiatieven/hulp/{id}/aanmelden", signup, 0},
      {"POST", "/initiatieven/hulp/{id}/afmelden", withdraw, 0},
      {"POST", "/initiatieven/{id}/doe-mee", join, 0},
      {"POST", "/initiatieven/{id}/doe-mee/stoppen", leave, 0},
      {"POST", "/initiatieven/{id}/hulp", need_add, 0},
  };

  if (lk_initiative_section(LK_INIT_SLOT_MATCHING, slot) != 0)
    return -ENOMEM;
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
