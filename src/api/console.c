/* console.c - /api/v1/canned-answers, the read marks and counts, and the
 * viewers of a conversation: the agent console's own endpoints
 * (docs/console-api.md). */
#include "api/console.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/conversations.h"
#include "api/session.h" /* lk_api_retry_seconds */
#include "api/teams.h"   /* lk_json_string_or_null */
#include "api/version.h"
#include "core/canned.h"
#include "core/console.h"
#include "core/ids.h"
#include "core/proclog.h"
#include "core/ratelimit.h"
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
static void conv_read(lk_req *req);
static void console_counts(lk_req *req);
static void viewers_list(lk_req *req);
static void viewer_put(lk_req *req);
static void viewer_delete(lk_req *req);
static void categories_list(lk_req *req);

/* Literal paths: the OpenAPI conformance test reads them from here. */
static const lk_api_route routes[] = {
    {"GET", "/api/v1/canned-answers", canned_list, 0},
    {"POST", "/api/v1/canned-answers", canned_create, 0},
    {"GET", "/api/v1/canned-answers/{id}", canned_get, 0},
    {"PATCH", "/api/v1/canned-answers/{id}", canned_patch, 0},
    {"DELETE", "/api/v1/canned-answers/{id}", canned_delete, 0},
    {"GET", "/api/v1/canned-answers/{id}/render", canned_render, 0},
    {"POST", "/api/v1/conversations/{id}/read", conv_read, 0},
    {"GET", "/api/v1/console/counts", console_counts, 0},
    {"GET", "/api/v1/conversations/{id}/viewers", viewers_list, 0},
    {"PUT", "/api/v1/conversations/{id}/viewers/me", viewer_put, 0},
    {"DELETE", "/api/v1/conversations/{id}/viewers/me", viewer_delete, 0},
    {"GET", "/api/v1/categories", categories_list, 0},
};

int lk_console_routes(lk_router *r) {
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

static void bad_param(lk_req *req, const char *name, const char *detail) {
  lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter", detail,
                 name);
}

/* `in` (checked to fit) with ASCII letters lowered into `out`. */
static void ascii_lower(const char *in, char *out) {
  size_t i;

  for (i = 0; in[i] != '\0'; i++)
    out[i] = in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] + 32) : in[i];
  out[i] = '\0';
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
    bad_param(req, "scope", "must be personal, team or everyone");
    return;
  }
  if (q != NULL && !lk_text_ok(q, LK_CANNED_Q_MAX, false)) {
    bad_param(req, "q", "must be 1 to 100 bytes of text");
    return;
  }
  if (after != NULL && strlen(after) > LK_CONV_ID_LEN) {
    bad_param(req, "after", "must be the next value of the previous page");
    return;
  }
  if (q != NULL)
    ascii_lower(q, q_lower);
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
    bad_param(req, "conversationId", "names the conversation to fill in");
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

/* ---- read marks ----------------------------------------------------- */

struct read_ctx {
  lk_api_write aw;
  lk_read_op op;
};

static void read_done(lk_req *req, int status) {
  struct read_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_buf_puts(&b, "{\"conversationId\":");
  lk_buf_json_str(&b, ctx->op.conversation_id);
  lk_buf_printf(&b, ",\"readSeq\":%lld,\"unread\":false}\n",
                (long long)ctx->op.read_seq);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* An optional body must be an empty JSON object.  0, or -1 after
 * answering. */
static int empty_body(lk_req *req) {
  static const char *const none[] = {NULL};
  size_t len = 0;
  json_t *body;
  int rc;

  (void)lk_req_body(req, &len);
  if (len == 0)
    return 0;
  if (lk_req_json(req, &body) != 0)
    return -1;
  rc = lk_json_only(req, body, none);
  json_decref(body);
  return rc;
}

static void conv_read(lk_req *req) {
  struct read_ctx *ctx;
  lk_invalid why;

  if (lk_api_auth(req, "api") != 0 || empty_body(req) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_read_prepare(&ctx->op, lk_req_actor(req), lk_req_param(req, "id"),
                      lk_req_principal(req)->confidential, &why) != 0) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_read_apply, &ctx->op, read_done);
}

static lk_unread_who unread_who(lk_req *req) {
  const lk_principal *p = lk_req_principal(req);

  return (lk_unread_who){lk_req_actor(req), p->actor_id, p->confidential};
}

int lk_console_unread_splice(lk_req *req, lk_buf *b, const char *const *ids,
                             const size_t *ends, int n) {
  lk_unread_who who = unread_who(req);
  lk_buf out = LK_BUF_INIT;
  bool *flags;
  size_t from = 0;
  int rc;

  if (n == 0)
    return 0;
  flags = calloc((size_t)n, sizeof(*flags));
  if (flags == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_unread_flags(lk_req_app(req)->store, &who, ids, n, flags);
  for (int i = 0; rc == 0 && i < n; i++) {
    lk_buf_append(&out, b->data + from, ends[i] - from);
    lk_buf_puts(&out, flags[i] ? ",\"unread\":true" : ",\"unread\":false");
    from = ends[i];
  }
  free(flags);
  if (rc == 0) {
    lk_buf_append(&out, b->data + from, b->len - from);
    rc = lk_buf_ok(&out) ? 0 : LK_STORE_NOMEM;
  }
  if (rc != 0) {
    lk_buf_free(&out);
    return rc;
  }
  lk_buf_free(b);
  *b = out;
  return 0;
}

/* ?cap=: how many conversations each count looks at, at most.  0, or
 * -1 after answering 400. */
static int cap_param(lk_req *req, int *out) {
  const char *v = lk_req_query(req, "cap");
  char *end;
  long n;

  *out = LK_CONSOLE_COUNT_CAP;
  if (v == NULL)
    return 0;
  n = strtol(v, &end, 10);
  if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < 1 ||
      n > LK_CONSOLE_COUNT_CAP_MAX) {
    bad_param(req, "cap", "must be 1 to 1000");
    return -1;
  }
  *out = (int)n;
  return 0;
}

static void console_counts(lk_req *req) {
  lk_console_count mine, none, teams, all;
  lk_unread_who who;
  lk_buf b = LK_BUF_INIT;
  bool staff;
  int cap, rc;

  if (lk_api_auth(req, "api") != 0 || cap_param(req, &cap) != 0)
    return;
  who = unread_who(req);
  staff = who.actor_id[0] != '\0';
  rc = lk_store_console_counts(lk_req_app(req)->store, &who, cap, &mine, &none,
                               &teams, &all);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "{\"mine\":");
  lk_console_count_json(&b, &mine, staff);
  lk_buf_puts(&b, ",\"unassigned\":");
  lk_console_count_json(&b, &none, true);
  lk_buf_puts(&b, ",\"myTeams\":");
  lk_console_count_json(&b, &teams, staff);
  lk_buf_puts(&b, ",\"all\":");
  lk_console_count_json(&b, &all, true);
  lk_buf_printf(&b, ",\"cap\":%d}\n", cap);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* ---- viewers -------------------------------------------------------- */

struct viewers_ctx {
  lk_buf *b;
  int n;
};

static void viewer_one(const lk_viewer_row *v, void *ud) {
  struct viewers_ctx *vc = ud;

  if (vc->n++ > 0)
    lk_buf_putc(vc->b, ',');
  lk_viewer_json(vc->b, v);
}

static void viewers_list(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_buf b = LK_BUF_INIT;
  struct viewers_ctx vc = {.b = &b};
  lk_conv_row c;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  rc = lk_uuid_valid(id)
           ? lk_store_conv_get(lk_req_app(req)->store, id,
                               lk_req_principal(req)->confidential, &c)
           : LK_STORE_NOTFOUND;
  if (rc == 0) {
    lk_buf_puts(&b, "{\"items\":[");
    rc = lk_store_viewers(lk_req_app(req)->store, id, lk_clock_real_ms(),
                          LK_VIEWERS_MAX, viewer_one, &vc);
  }
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "]}\n");
  lk_req_respond_buf(req, 200, "application/json", &b);
}

struct viewer_ctx {
  lk_api_write aw;
  lk_viewer_op op;
};

static void viewer_done(lk_req *req, int status) {
  struct viewer_ctx *ctx = lk_req_data(req);
  lk_viewer_row *v = &ctx->op.v;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  if (ctx->op.leave) {
    lk_req_respond(req, 204, NULL, "", 0);
    return;
  }
  rc = lk_store_console_name(lk_req_app(req)->store, v->actor_id, v->user_id,
                             v->name, sizeof(v->name));
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_viewer_json(&b, v);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* Staff only, and not more often than the limit allows.  0, or -1 after
 * answering. */
static int viewer_allowed(lk_req *req) {
  const lk_principal *p = lk_req_principal(req);
  lk_ratelimit *rl = lk_req_app(req)->viewer_heartbeats;
  char secs[24];
  int64_t retry;

  if (p->user_id[0] == '\0') {
    lk_req_problem(req, 403, "needs-staff-member", "Forbidden",
                   "only a staff member's session can view a conversation",
                   NULL);
    return -1;
  }
  retry = rl != NULL ? lk_ratelimit_hit(rl, p->user_id, NULL) : 0;
  if (retry > 0) {
    snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry));
    lk_req_add_header(req, "Retry-After", secs);
    lk_req_problem(req, 429, "too-many-requests", "Too many requests",
                   "too many viewing heartbeats; send one every 10 seconds",
                   NULL);
    return -1;
  }
  return 0;
}

/* PUT with {"state"} (a heartbeat) or DELETE (`leave`).  The order of
 * the refusals: an unknown or hidden conversation is 404 for everyone,
 * then a token is 403, then the rate limit. */
static void viewer_write(lk_req *req, bool leave) {
  static const char *const allowed[] = {"state", NULL};
  const lk_principal *p;
  const char *state = NULL;
  struct viewer_ctx *ctx;
  json_t *body = NULL;
  lk_invalid why;
  lk_conv_row c;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  if (!leave && lk_req_json(req, &body) != 0)
    return;
  if (!leave && (lk_json_only(req, body, allowed) != 0 ||
                 lk_json_string(req, body, "state", true, &state) != 0)) {
    json_decref(body);
    return;
  }
  p = lk_req_principal(req);
  ctx = lk_api_data(req, sizeof(*ctx), free);
  rc = ctx != NULL
           ? lk_viewer_prepare(&ctx->op, lk_req_param(req, "id"), p->user_id,
                               p->actor_id, state, p->confidential, &why)
           : -1;
  json_decref(body);
  if (ctx == NULL)
    return;
  if (rc != 0 && strcmp(why.field, "id") != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  rc = rc != 0
           ? LK_STORE_NOTFOUND
           : lk_store_conv_get(lk_req_app(req)->store,
                               ctx->op.v.conversation_id, p->confidential, &c);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  if (viewer_allowed(req) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_viewer_apply, &ctx->op, viewer_done);
}

static void viewer_put(lk_req *req) {
  viewer_write(req, false);
}

static void viewer_delete(lk_req *req) {
  viewer_write(req, true);
}

/* ---- categories ----------------------------------------------------- */

struct category_list_ctx {
  lk_buf *b;
  int n;
  char last[LK_CONSOLE_NAME_MAX + 1];
};

static void category_one(const char *id, const char *name, void *ud) {
  struct category_list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_buf_puts(lc->b, "{\"id\":");
  lk_buf_json_str(lc->b, id);
  lk_buf_puts(lc->b, ",\"name\":");
  lk_buf_json_str(lc->b, name);
  lk_buf_putc(lc->b, '}');
  snprintf(lc->last, sizeof(lc->last), "%s", name);
}

/* The category picker: the Klantinteracties API lists categories too,
 * but only to tokens, and the console has a staff session. */
static void categories_list(lk_req *req) {
  const char *q = lk_req_query(req, "q");
  const char *after = lk_req_query(req, "after");
  char q_lower[LK_CANNED_Q_MAX + 1];
  lk_buf b = LK_BUF_INIT;
  struct category_list_ctx lc = {.b = &b};
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 100, 100, &limit) != 0)
    return;
  if (q != NULL && !lk_text_ok(q, LK_CANNED_Q_MAX, false)) {
    bad_param(req, "q", "must be 1 to 100 bytes of text");
    return;
  }
  if (after != NULL && !lk_text_ok(after, LK_CONSOLE_NAME_MAX, false)) {
    bad_param(req, "after", "must be the next value of the previous page");
    return;
  }
  if (q != NULL)
    ascii_lower(q, q_lower);
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_category_list(lk_req_app(req)->store, after,
                              q != NULL ? q_lower : NULL, limit, category_one,
                              &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

/* ---- the sweep ------------------------------------------------------ */

#define SWEEP_EVERY_TICKS 5

static struct {
  lk_write w;
  atomic_bool pending;
  int ticks;
} sweep;

static void sweep_done(int status, void *arg) {
  (void)status;
  (void)arg;
  atomic_store(&sweep.pending, false);
}

void lk_console_tick(lk_app *app) {
  if (++sweep.ticks % SWEEP_EVERY_TICKS != 0 || atomic_load(&sweep.pending))
    return;
  /* One indexed LIMIT 1 read; a write only when something expired. */
  if (lk_store_viewers_expired_any(app->store, lk_clock_real_ms()) != 1)
    return;
  atomic_store(&sweep.pending, true);
  sweep.w = (lk_write){.apply = lk_viewers_sweep_apply, .done = sweep_done};
  if (lk_store_submit(app->store, &sweep.w) != 0)
    atomic_store(&sweep.pending, false);
}
