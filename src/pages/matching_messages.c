/* matching_messages.c - contact through the platform: a message on an
 * offer or need, /initiatieven/berichten and one thread (see matching.h).
 * Only the two sides of a thread see it; to anyone else it is as unknown
 * as an id that never existed.  Neither side ever sees the other's
 * e-mail address: a thread shows display names only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/matching.h"
#include "core/proclog.h"
#include "http/problem.h"
#include "pages/matching_internal.h"

struct msg_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_mx_message_op op;
};

static void sent(lk_req *req, int status) {
  struct msg_ctx *ctx = lk_req_data(req);
  char path[128];

  if (status != 0) {
    lk_mxp_failed(req, status, "U kunt niet reageren op uw eigen bericht.");
    return;
  }
  snprintf(path, sizeof(path), "/initiatieven/berichten/%s?melding=verstuurd",
           ctx->op.m.thread_id);
  lk_mxp_redirect(req, path);
}

/* A message on a listing (`listing`) or in a thread (`thread`). */
static void send(lk_req *req, const char *listing, const char *thread) {
  lk_participant p;
  char *body;
  struct msg_ctx *ctx;
  lk_invalid why;

  if (lk_participant_page_auth(req, &p, true) != 0)
    return;
  body = calloc(1, LK_MX_BODY_MAX * 2);
  if (body == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_field(req, "tekst", body, LK_MX_BODY_MAX * 2);
  lk_form_unix_newlines(body);
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    free(body);
    return;
  }
  if (lk_mx_message_prepare(&ctx->op, p.account_id, listing, thread, body,
                            lk_mxp_base_url(req), lk_req_id(req), &why) != 0) {
    free(body);
    if (strcmp(why.field, "id") == 0) {
      lk_req_not_found(req);
      return;
    }
    lk_mxp_failed(req, LK_STORE_INVALID,
                  "Schrijf een bericht van 1 tot 4000 tekens. Ga terug en "
                  "probeer het opnieuw.");
    return;
  }
  free(body);
  if (lk_matching_post_limit(req, "message", p.account_id) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_mx_message_apply, &ctx->op, sent);
}

static void listing_message(lk_req *req) {
  send(req, lk_req_param(req, "id"), NULL);
}

static void thread_reply(lk_req *req) {
  send(req, NULL, lk_req_param(req, "id"));
}

/* ---- the list of threads ------------------------------------------------- */

struct threads_ctx {
  lk_buf *b;
  const char *me;
};

static void thread_one(const lk_mx_thread_row *t, void *ud) {
  struct threads_ctx *c = ud;

  lk_buf_puts(c->b, "<li class=\"utrecht-unordered-list__item\"><a "
                    "class=\"utrecht-link\" href=\"/initiatieven/berichten/");
  lk_html_attr(c->b, t->id);
  lk_buf_puts(c->b, "\">");
  lk_html_txt(c->b, t->title);
  lk_buf_puts(c->b, "</a> &middot; ");
  lk_buf_puts(c->b, strcmp(t->owner_id, c->me) == 0 ? "reactie op uw bericht"
                                                    : "uw reactie");
  lk_buf_puts(c->b, " &middot; laatste bericht ");
  lk_mxp_time(c->b, t->last_message_at);
  lk_buf_puts(c->b, "</li>\n");
}

static int log_read(lk_req *req, const lk_participant *p, const char *what) {
  lk_proclog_entry e = {p->actor, NULL, "read",        "participatie",
                        what,     NULL, lk_req_id(req)};
  int rc = lk_proclog_read(lk_req_app(req)->store, &e);

  if (rc != 0)
    lk_req_problem_store(req, rc);
  return rc;
}

static void threads(lk_req *req) {
  lk_participant p;
  lk_buf b = LK_BUF_INIT;
  struct threads_ctx c = {&b, NULL};
  int rc;

  if (lk_participant_page_auth(req, &p, false) != 0 ||
      log_read(req, &p, "berichten") != 0)
    return;
  c.me = p.account_id;
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/aanbod-en-vraag\">Aanbod en vraag"
                  "</a></p>\n<h1 class=\"utrecht-heading-1\">Mijn berichten"
                  "</h1>\n<ul class=\"utrecht-unordered-list\" id=\"gesprekken"
                  "\">\n");
  rc = lk_store_mx_threads_of(lk_req_app(req)->store, p.account_id, 100,
                              thread_one, &c);
  lk_buf_puts(&b, "</ul>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (rc == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">U heeft nog geen "
                    "berichten.</p>\n");
  lk_form_page(req, 200, "Mijn berichten", &b);
}

/* ---- one thread ------------------------------------------------------------
 */

struct msgs_ctx {
  lk_buf *b;
  const char *me;
  int shown;
};

static void message_one(const lk_mx_message_row *m, void *ud) {
  struct msgs_ctx *c = ud;
  bool mine = strcmp(m->sender_id, c->me) == 0;

  /* A hidden message is gone for the other side; its sender sees it with
   * the reason. */
  if (m->hidden_at != 0 && !mine)
    return;
  lk_buf_puts(c->b, "<li class=\"utrecht-unordered-list__item\"><p "
                    "class=\"utrecht-paragraph\"><strong>");
  lk_buf_puts(c->b, mine ? "U" : "De ander");
  lk_buf_puts(c->b, "</strong>, ");
  lk_mxp_time(c->b, m->created_at);
  lk_buf_puts(c->b, "</p>\n<p class=\"utrecht-paragraph loket-pre\">");
  lk_html_txt(c->b, m->body);
  lk_buf_puts(c->b, "</p>\n");
  if (m->hidden_at != 0) {
    lk_buf_puts(c->b, "<p class=\"utrecht-paragraph\"><strong>Verborgen door "
                      "de gemeente.</strong> Reden: ");
    lk_html_txt(c->b, m->hidden_reason);
    lk_buf_puts(c->b, "</p>\n");
  } else if (!mine) {
    lk_mxp_report_link(c->b, "message", m->id);
  }
  lk_buf_puts(c->b, "</li>\n");
  c->shown++;
}

static void thread_page(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_store *s = lk_req_app(req)->store;
  lk_participant p;
  lk_mx_thread_row t;
  lk_buf b = LK_BUF_INIT;
  struct msgs_ctx c = {&b, NULL, 0};
  char what[80];
  int rc;

  if (lk_participant_page_auth(req, &p, false) != 0)
    return;
  if (!lk_mxp_id_ok(id)) {
    lk_req_not_found(req);
    return;
  }
  rc = lk_store_mx_thread_get(s, NULL, id, &t);
  if (rc == 0 && !lk_mx_thread_member(&t, p.account_id))
    rc = LK_STORE_NOTFOUND; /* someone else's: as if unknown */
  if (rc != 0) {
    lk_mxp_failed(req, rc, NULL);
    return;
  }
  snprintf(what, sizeof(what), "thread:%s", t.id);
  if (log_read(req, &p, what) != 0)
    return;
  c.me = p.account_id;
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven/berichten\">Mijn berichten</a></p>\n");
  lk_mxp_notice(&b, req);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Gesprek over ");
  lk_html_txt(&b, t.title);
  lk_buf_puts(&b, "</h1>\n<p class=\"utrecht-paragraph\"><a "
                  "class=\"utrecht-link\" href=\"/initiatieven/aanbod-en-"
                  "vraag/");
  lk_html_attr(&b, t.listing_id);
  lk_buf_puts(&b, "\">Naar het aanbod of de vraag</a></p>\n<ol "
                  "class=\"utrecht-ordered-list\" id=\"berichten\">\n");
  rc = lk_store_mx_messages(s, t.id, 200, message_one, &c);
  lk_buf_puts(&b, "</ol>\n");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "<h2 class=\"utrecht-heading-2\">Antwoord</h2>\n<form "
                  "class=\"utrecht-form\" method=\"post\" "
                  "action=\"/initiatieven/berichten/");
  lk_html_attr(&b, t.id);
  lk_buf_puts(&b, "\">\n");
  lk_participant_csrf_field(&b, &p);
  lk_form_field_head(&b, "antwoord-tekst", "Uw antwoord", NULL, NULL);
  lk_buf_puts(&b, "<p class=\"utrecht-form-field__input\"><textarea "
                  "class=\"utrecht-textarea\" id=\"antwoord-tekst\" "
                  "name=\"tekst\" rows=\"4\"></textarea></p>\n</div>\n<p "
                  "class=\"utrecht-paragraph\"><button class=\"utrecht-button "
                  "utrecht-button--primary-action\" type=\"submit\">Verstuur"
                  "</button></p>\n</form>\n");
  if (strcmp(t.owner_id, p.account_id) == 0)
    lk_mxp_report_link(&b, "account", t.other_id);
  else
    lk_mxp_report_link(&b, "account", t.owner_id);
  lk_form_page(req, 200, "Gesprek", &b);
}

int lk_mxp_message_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"POST", "/initiatieven/aanbod-en-vraag/{id}/bericht", listing_message,
       0},
      {"GET", "/initiatieven/berichten", threads, 0},
      {"GET", "/initiatieven/berichten/{id}", thread_page, 0},
      {"POST", "/initiatieven/berichten/{id}", thread_reply, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
