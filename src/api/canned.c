/* canned.c - /api/v1/canned-answers: the agent console's canned answers
 * (standaardantwoorden), their list, changes and rendering for one
 * conversation (docs/console-api.md).  Registered by lk_console_routes. */
#include "api/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/conversations.h"
#include "api/teams.h" /* lk_json_string_or_null */
#include "api/version.h"
#include "core/canned.h"
#include "core/ids.h"
#include "core/proclog.h"
#include "core/text.h"
#include "http/json.h"
#include "http/problem.h"
#include "util/clock.h"

static void canned_list(lk_req *req);
static void canned_create(lk_req *req);
static void canned_get(lk_req *req);
static void canned_patch(lk_req *req);
static void canned_delete(lk_req *req);
static void canned_render(lk_req *req);

/* Literal paths: the OpenAPI conformance test reads them from here. */
static const lk_api_route routes[] = {
    {"GET", "/api/v1/canned-answers", canned_list, 0},
    {"POST", "/api/v1/canned-answers", canned_create, 0},
    {"GET", "/api/v1/canned-answers/{id}", canned_get, 0},
    {"PATCH", "/api/v1/canned-answers/{id}", canned_patch, 0},
    {"DELETE", "/api/v1/canned-answers/{id}", canned_delete, 0},
    {"GET", "/api/v1/canned-answers/{id}/render", canned_render, 0},
};

int lk_canned_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

static lk_canned_caller canned_caller(lk_req *req) {
  const lk_principal *p = lk_req_principal(req);

  return (lk_canned_caller){lk_req_actor(req), p->user_id, p->actor_id,
                            p->role};
}

/* ---- canned answers: answers ---------------------------------------- */

static void respond_canned(lk_req *req, int status, const lk_canned_row *a) {
  lk_buf b = LK_BUF_INIT;

  lk_canned_json(&b, a);
  lk_buf_putc(&b, '\n');
  if (!lk_buf_ok(&b)) {
    lk_buf_free(&b);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (status == 201)
    lk_api_location(req, "canned-answers", a->id);
  lk_api_etag(req, a->version);
  lk_req_respond_buf(req, status, "application/json", &b);
}

/* 422 for an invalid field; for the body, the detail names the
 * placeholder that is not known. */
static void canned_invalid(lk_req *req, const lk_invalid *why,
                           const char *bad) {
  char detail[320];

  if (strcmp(why->field, "/body") == 0 && bad[0] != '\0') {
    snprintf(detail, sizeof(detail), "unknown placeholder \"%s\"; %s", bad,
             why->reason);
    lk_req_problem(req, 422, "invalid-field", "Invalid field", detail,
                   why->field);
    return;
  }
  lk_api_invalid(req, why);
}

static void canned_failed(lk_req *req, int rc, const lk_canned_op *op,
                          const lk_invalid *why) {
  switch (rc) {
  case LK_EINVALID:
    if (strcmp(why->field, "id") == 0)
      lk_req_problem_store(req, LK_STORE_NOTFOUND);
    else
      canned_invalid(req, why, op->bad);
    break;
  case LK_CANNED_FORBIDDEN:
    lk_req_problem(req, 403, "forbidden", "Forbidden",
                   "only supervisors and admins manage team and everyone's "
                   "answers, and only its owner a personal one",
                   NULL);
    break;
  case LK_CANNED_NEEDS_STAFF:
    lk_req_problem(req, 403, "needs-staff-member", "Forbidden",
                   "a personal answer belongs to a staff account; a token "
                   "has none",
                   NULL);
    break;
  case LK_CANNED_EVERSION:
    lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                   "the answer has changed since that version", NULL);
    break;
  default:
    lk_req_problem_store(req, rc);
  }
}

/* ---- canned answers: list and one ----------------------------------- */

struct canned_list_ctx {
  lk_buf *b;
  int n;
  char last[LK_CONV_ID_LEN + 1];
};

static void canned_one(const lk_canned_row *a, void *ud) {
  struct canned_list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_canned_json(lc->b, a);
  snprintf(lc->last, sizeof(lc->last), "%s", a->id);
}

static void canned_list(lk_req *req) {
  const lk_principal *p;
  const char *scope = lk_req_query(req, "scope");
  const char *q = lk_req_query(req, "q");
  const char *after = lk_req_query(req, "after");
  char q_lower[LK_CANNED_Q_MAX + 1];
  lk_buf b = LK_BUF_INIT;
  struct canned_list_ctx lc = {.b = &b};
  lk_canned_filter f;
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  if (scope != NULL && strcmp(scope, "personal") != 0 &&
      strcmp(scope, "team") != 0 && strcmp(scope, "everyone") != 0) {
    lk_api_bad_param(
        req, &(lk_invalid){"scope", "must be personal, team or everyone"});
    return;
  }
  if (q != NULL && !lk_text_ok(q, LK_CANNED_Q_MAX, false)) {
    lk_api_bad_param(req, &(lk_invalid){"q", "must be 1 to 100 bytes of text"});
    return;
  }
  if (after != NULL && strlen(after) > LK_CONV_ID_LEN) {
    lk_api_bad_param(
        req,
        &(lk_invalid){"after", "must be the next value of the previous page"});
    return;
  }
  if (q != NULL)
    lk_canned_fold(q, q_lower);
  p = lk_req_principal(req);
  f = (lk_canned_filter){.user_id = p->user_id,
                         .actor_id = p->actor_id,
                         .all_teams = lk_canned_manager(p->role),
                         .scope = scope,
                         .team_id = lk_req_query(req, "teamId"),
                         .q = q != NULL ? q_lower : NULL,
                         .after = after,
                         .limit = limit};
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_canned_list(lk_req_app(req)->store, &f, canned_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

/* The answer of the path, if the caller may see it, into a new *out;
 * -1 after answering. */
static int canned_of_path(lk_req *req, lk_canned_row **out) {
  const char *id = lk_req_param(req, "id");
  lk_canned_caller who = canned_caller(req);
  lk_store *s = lk_req_app(req)->store;
  int rc = LK_STORE_NOTFOUND;

  *out = malloc(sizeof(**out));
  if (*out == NULL)
    rc = LK_STORE_NOMEM;
  else if (lk_uuid_valid(id))
    rc = lk_store_canned_get(s, NULL, id, *out);
  if (rc == 0)
    rc = lk_canned_visible(s, &who, *out);
  if (rc != 0) {
    free(*out);
    *out = NULL;
    lk_req_problem_store(req, rc);
    return -1;
  }
  return 0;
}

static void canned_get(lk_req *req) {
  lk_canned_row *a;

  if (lk_api_auth(req, "api") != 0 || canned_of_path(req, &a) != 0)
    return;
  respond_canned(req, 200, a);
  free(a);
}

/* ---- canned answers: writes ----------------------------------------- */

struct canned_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_canned_op op;
};

static void canned_written(lk_req *req, int status) {
  struct canned_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    canned_failed(req, status, &ctx->op, &ctx->op.why);
    return;
  }
  if (ctx->op.remove) {
    lk_req_respond(req, 204, NULL, "", 0);
    return;
  }
  respond_canned(req, strcmp(lk_req_method(req), "POST") == 0 ? 201 : 200,
                 &ctx->op.a);
}

static void canned_create(lk_req *req) {
  static const char *const allowed[] = {"title", "shortcut", "body",
                                        "scope", "teamId",   NULL};
  const char *title, *shortcut, *body_text, *scope, *team_id;
  lk_canned_caller who;
  struct canned_ctx *ctx;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "title", true, &title) != 0 ||
      lk_json_string_or_null(req, body, "shortcut", false, &shortcut) != 0 ||
      lk_json_string(req, body, "body", true, &body_text) != 0 ||
      lk_json_string(req, body, "scope", false, &scope) != 0 ||
      lk_json_string_or_null(req, body, "teamId", false, &team_id) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  who = canned_caller(req);
  rc = lk_canned_create_prepare(&ctx->op, &who, scope, team_id, title, shortcut,
                                body_text, &why);
  json_decref(body);
  if (rc != 0) {
    canned_failed(req, rc, &ctx->op, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_canned_create_apply, &ctx->op,
                canned_written);
}

/* A change op for the path's answer; NULL after answering. */
static struct canned_ctx *change_begin(lk_req *req) {
  struct canned_ctx *ctx = lk_api_data(req, sizeof(*ctx), free);
  lk_canned_caller who = canned_caller(req);
  lk_invalid why;
  int rc;

  if (ctx == NULL)
    return NULL;
  rc = lk_canned_change_prepare(&ctx->op, &who, lk_req_param(req, "id"), &why);
  if (rc != 0) {
    canned_failed(req, rc, &ctx->op, &why);
    return NULL;
  }
  if (lk_api_if_match(req, "answer", &ctx->op.if_version) != 0)
    return NULL;
  return ctx;
}

/* The members of a PATCH body into `op`; 0, or -1 after answering. */
static int patch_fields(lk_req *req, json_t *body, lk_canned_op *op) {
  static const char *const allowed[] = {"title", "shortcut", "body", NULL};
  const char *title, *shortcut, *text;
  lk_invalid why;
  int rc = 0;

  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "title", false, &title) != 0 ||
      lk_json_string_or_null(req, body, "shortcut", false, &shortcut) != 0 ||
      lk_json_string(req, body, "body", false, &text) != 0)
    return -1;
  if (title != NULL)
    rc = lk_canned_set_title(op, title, &why);
  if (rc == 0 && json_object_get(body, "shortcut") != NULL)
    rc = lk_canned_set_shortcut(op, shortcut, &why);
  if (rc == 0 && text != NULL)
    rc = lk_canned_set_body(op, text, &why);
  if (rc != 0) {
    canned_invalid(req, &why, op->bad);
    return -1;
  }
  return 0;
}

static void canned_patch(lk_req *req) {
  struct canned_ctx *ctx;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  ctx = change_begin(req);
  rc = ctx != NULL ? patch_fields(req, body, &ctx->op) : -1;
  json_decref(body);
  if (rc != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_canned_change_apply, &ctx->op,
                canned_written);
}

static void canned_delete(lk_req *req) {
  struct canned_ctx *ctx;

  if (lk_api_auth(req, "api") != 0)
    return;
  ctx = change_begin(req);
  if (ctx == NULL)
    return;
  ctx->op.remove = true;
  lk_api_submit(req, &ctx->aw, lk_canned_change_apply, &ctx->op,
                canned_written);
}

/* ---- canned answers: render ----------------------------------------- */

/* The values of the placeholders for conversation `c` and the caller. */
static int render_values(lk_req *req, const lk_conv_row *c,
                         char names[2][LK_CONSOLE_NAME_MAX + 1], char date[32],
                         const char *values[LK_PH_COUNT]) {
  const lk_principal *p = lk_req_principal(req);
  lk_store *s = lk_req_app(req)->store;
  int rc;

  rc = lk_store_console_name(s, p->actor_id, p->user_id, names[0],
                             sizeof(names[0]));
  if (rc == 0 && c->team_id[0] != '\0')
    rc = lk_store_console_name(s, c->team_id, NULL, names[1], sizeof(names[1]));
  else
    names[1][0] = '\0';
  if (rc != 0)
    return rc;
  lk_canned_date(lk_clock_real_ms(), date, 32);
  values[LK_PH_INWONER_NAAM] = c->party_name;
  values[LK_PH_MEDEWERKER_NAAM] = names[0];
  values[LK_PH_GESPREK_REFERENTIE] = c->reference;
  values[LK_PH_GESPREK_ONDERWERP] = c->subject;
  values[LK_PH_TEAM_NAAM] = names[1];
  values[LK_PH_DATUM] = date;
  return 0;
}

static void canned_render(lk_req *req) {
  const char *conv_id = lk_req_query(req, "conversationId");
  const char *const *ph = lk_canned_placeholders();
  char names[2][LK_CONSOLE_NAME_MAX + 1];
  const char *values[LK_PH_COUNT];
  char date[32], resource[96];
  lk_buf text = LK_BUF_INIT;
  lk_buf b = LK_BUF_INIT;
  lk_conv_caller caller;
  lk_proclog_entry e;
  lk_canned_row *a;
  lk_conv_row c;
  unsigned empty = 0;
  bool first = true;
  int rc;

  if (lk_api_auth(req, "api") != 0 || canned_of_path(req, &a) != 0)
    return;
  if (conv_id == NULL) {
    free(a);
    lk_api_bad_param(req, &(lk_invalid){"conversationId",
                                        "names the conversation to fill in"});
    return;
  }
  lk_api_conv_caller(req, &caller);
  rc = lk_uuid_valid(conv_id)
           ? lk_store_conv_get(lk_req_app(req)->store, conv_id,
                               caller.may_confidential, &c)
           : LK_STORE_NOTFOUND;
  if (rc == LK_STORE_NOTFOUND) {
    free(a);
    lk_req_problem(req, 404, "not-found", "Not found", "no such conversation",
                   "conversationId");
    return;
  }
  if (rc == 0)
    rc = render_values(req, &c, names, date, values);
  if (rc == 0) {
    /* The resident's name leaves the store: a read of resident data. */
    snprintf(resource, sizeof(resource), "canned-answer render conversation:%s",
             c.id);
    e = (lk_proclog_entry){caller.actor,     c.party_id, "read",
                           "klantcontact",   resource,   NULL,
                           caller.request_id};
    rc = lk_proclog_read(lk_req_app(req)->store, &e);
  }
  if (rc == 0)
    rc = lk_canned_render(a->body, values, &text, &empty);
  free(a);
  if (rc != 0) {
    lk_buf_free(&text);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "{\"text\":");
  lk_buf_json_str(&b, text.data != NULL ? text.data : "");
  lk_buf_puts(&b, ",\"empty\":[");
  for (int i = 0; i < LK_PH_COUNT; i++) {
    if ((empty & (1u << i)) == 0)
      continue;
    if (!first)
      lk_buf_putc(&b, ',');
    lk_buf_json_str(&b, ph[i]);
    first = false;
  }
  lk_buf_puts(&b, "]}\n");
  lk_buf_free(&text);
  lk_req_respond_buf(req, 200, "application/json", &b);
}
