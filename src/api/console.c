/* console.c - the agent console's own endpoints besides the canned answers
 * (api/canned.c): read marks and counts, the viewers of a conversation and
 * the category picker (docs/console-api.md). */
#include "api/console.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/conversations.h"
#include "api/session.h" /* lk_api_retry_seconds */
#include "core/canned.h"
#include "core/console.h"
#include "core/ids.h"
#include "core/ratelimit.h"
#include "core/text.h"
#include "http/json.h"
#include "http/problem.h"
#include "util/clock.h"

static void conv_read(lk_req *req);
static void console_counts(lk_req *req);
static void viewers_list(lk_req *req);
static void viewer_put(lk_req *req);
static void viewer_delete(lk_req *req);
static void categories_list(lk_req *req);

/* Literal paths: the OpenAPI conformance test reads them from here. */
static const lk_api_route routes[] = {
    {"POST", "/api/v1/conversations/{id}/read", conv_read, 0},
    {"GET", "/api/v1/console/counts", console_counts, 0},
    {"GET", "/api/v1/conversations/{id}/viewers", viewers_list, 0},
    {"PUT", "/api/v1/conversations/{id}/viewers/me", viewer_put, 0},
    {"DELETE", "/api/v1/conversations/{id}/viewers/me", viewer_delete, 0},
    {"GET", "/api/v1/categories", categories_list, 0},
};

int lk_console_routes(lk_router *r) {
  int rc = lk_canned_routes(r);

  return rc != 0
             ? rc
             : lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
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
    lk_api_bad_param(req, &(lk_invalid){"cap", "must be 1 to 1000"});
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
    lk_api_bad_param(req, &(lk_invalid){"q", "must be 1 to 100 bytes of text"});
    return;
  }
  if (after != NULL && !lk_text_ok(after, LK_CONSOLE_NAME_MAX, false)) {
    lk_api_bad_param(
        req,
        &(lk_invalid){"after", "must be the next value of the previous page"});
    return;
  }
  if (q != NULL)
    lk_canned_fold(q, q_lower);
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
