/* figures.c - service norms, their live state, and the figures.
 *
 *   GET /api/v1/norms          the configuration in force (any staff)
 *   PUT /api/v1/norms          replaces it (supervisor)
 *   GET /api/v1/norms/state    conversations and callbacks with a running
 *                              norm, breached first, then soonest due
 *   GET /api/v1/figures        figures per hour or day (supervisor), JSON
 *                              or CSV (Accept: text/csv or ?format=csv)
 *
 * Every answer is computed from the rows core/measure.h keeps as events
 * arrive: a figures request reads aggregates, never the history.
 */
#include "api/figures.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "core/conversation.h"
#include "core/figures.h"
#include "core/ids.h"
#include "core/norms.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/server.h"
#include "util/clock.h"

static int bad_param(lk_req *req, const char *name, const char *reason) {
  lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter", reason,
                 name);
  return -1;
}

/* A UUID query parameter, lower-cased into `out` (NULL slot when absent). */
static int uuid_param(lk_req *req, const char *name, char out[37],
                      const char **slot) {
  const char *v = lk_req_query(req, name);

  *slot = NULL;
  if (v == NULL)
    return 0;
  if (strlen(v) != 36 || !lk_uuid_valid(v))
    return bad_param(req, name, "must be a UUID");
  for (int i = 0; i <= 36; i++)
    out[i] = (v[i] >= 'A' && v[i] <= 'F') ? (char)(v[i] - 'A' + 'a') : v[i];
  *slot = out;
  return 0;
}

static int channel_param(lk_req *req, const char **out) {
  const char *v = lk_req_query(req, "channel");

  *out = v;
  if (v != NULL && !lk_conv_channel_valid(v))
    return bad_param(req, "channel",
                     "must be one of webformulier, chat, email, telefoon, "
                     "post, social, video, kiosk, balie");
  return 0;
}

static int time_param(lk_req *req, const char *name, int64_t *out) {
  const char *v = lk_req_query(req, name);
  long long n;
  char *end;

  if (v == NULL)
    return 0;
  errno = 0;
  n = strtoll(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || n < 0)
    return bad_param(req, name, "must be a time in Unix milliseconds");
  *out = n;
  return 0;
}

/* ---- GET /api/v1/norms ---------------------------------------------- */

static void respond_norms(lk_req *req, int status, const lk_norms *ns) {
  lk_buf b = LK_BUF_INIT;
  lk_buf body = LK_BUF_INIT;

  lk_norms_json(&b, ns);
  /* {"version": N, <the configuration's members>} */
  lk_buf_printf(&body, "{\"version\":%lld,", (long long)ns->version);
  if (lk_buf_ok(&b) && b.len > 1)
    lk_buf_append(&body, b.data + 1, b.len - 1);
  lk_buf_putc(&body, '\n');
  lk_buf_free(&b);
  if (!lk_buf_ok(&body)) {
    lk_buf_free(&body);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_respond_buf(req, status, "application/json", &body);
}

static void norms_get(lk_req *req) {
  lk_norms *ns;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  ns = malloc(sizeof(*ns));
  if (ns == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_norms_load(lk_req_app(req)->store, ns);
  if (rc != 0)
    lk_req_problem_store(req, rc);
  else
    respond_norms(req, 200, ns);
  free(ns);
}

/* ---- PUT /api/v1/norms ---------------------------------------------- */

struct norms_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_norms_op op;
};

static void norms_saved(lk_req *req, int status) {
  struct norms_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_norms(req, 200, &ctx->op.norms);
}

static void norms_put(lk_req *req) {
  struct norms_ctx *ctx;
  lk_invalid why;
  json_t *body;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  if (lk_norms_save_prepare(&ctx->op, lk_req_actor(req), body, &why) != 0) {
    json_decref(body);
    /* The norms name their fields as JSON Pointers already. */
    lk_req_problem(req, 422, "invalid-field", "Invalid field", why.reason,
                   why.field);
    return;
  }
  json_decref(body);
  lk_api_submit(req, &ctx->aw, lk_norms_save_apply, &ctx->op, norms_saved);
}

/* ---- GET /api/v1/norms/state ---------------------------------------- */

struct state_ctx {
  lk_buf *b;
  const lk_norms *ns;
  int64_t now;
  int n;
  int64_t last_due;
  char last_id[LK_MEASURE_ID];
};

static void state_one(const lk_mitem *it, void *ud) {
  struct state_ctx *sc = ud;

  if (sc->n++ > 0)
    lk_buf_putc(sc->b, ',');
  lk_norms_item_json(sc->b, it, sc->ns, sc->now);
  sc->last_due = it->task ? it->t->due : it->conv->due;
  snprintf(sc->last_id, sizeof(sc->last_id), "%s",
           it->task ? it->t->id : it->conv->id);
}

/* The cursor is "<due>.<id>" of the last item of a page. */
static int state_cursor(lk_req *req, lk_mlist *f, char id[37]) {
  const char *v = lk_req_query(req, "after");
  const char *dot;
  char *end;

  if (v == NULL)
    return 0;
  dot = strchr(v, '.');
  errno = 0;
  f->after_due = strtoll(v, &end, 10);
  if (dot == NULL || end != dot || errno != 0 || strlen(dot + 1) != 36 ||
      !lk_uuid_valid(dot + 1))
    return bad_param(req, "after", "must be a cursor from \"next\"");
  memcpy(id, dot + 1, 37);
  f->after = true;
  f->after_id = id;
  return 0;
}

static void norms_state(lk_req *req) {
  char conv[37], task[37], team[37], after[37];
  lk_mlist f = {0};
  lk_buf b = LK_BUF_INIT;
  struct state_ctx sc = {&b, NULL, 0, 0, 0, ""};
  char cursor[64];
  lk_norms *ns;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &f.limit))
    return;
  if (uuid_param(req, "conversationId", conv, &f.conversation_id) != 0 ||
      uuid_param(req, "taskId", task, &f.task_id) != 0 ||
      uuid_param(req, "teamId", team, &f.team_id) != 0 ||
      channel_param(req, &f.channel) != 0 || state_cursor(req, &f, after) != 0)
    return;
  f.may_confidential = lk_req_principal(req)->confidential;
  ns = malloc(sizeof(*ns));
  if (ns == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_norms_load(lk_req_app(req)->store, ns);
  if (rc != 0) {
    free(ns);
    lk_req_problem_store(req, rc);
    return;
  }
  sc.ns = ns;
  sc.now = lk_clock_real_ms();
  lk_buf_printf(&b, "{\"now\":%lld,\"items\":[", (long long)sc.now);
  rc = lk_store_measure_live(lk_req_app(req)->store, &f, state_one, &sc);
  free(ns);
  snprintf(cursor, sizeof(cursor), "%lld.%s", (long long)sc.last_due,
           sc.last_id);
  lk_api_list_end(req, &b, rc, f.limit, cursor);
}

/* ---- GET /api/v1/figures -------------------------------------------- */

static bool wants_csv(lk_req *req) {
  const char *format = lk_req_query(req, "format");
  const char *accept = lk_req_header(req, "Accept");

  if (format != NULL)
    return strcmp(format, "csv") == 0;
  return accept != NULL && strstr(accept, "text/csv") != NULL;
}

static void figures_get(lk_req *req) {
  const char *granularity = lk_req_query(req, "granularity");
  const char *format = lk_req_query(req, "format");
  char team[37];
  lk_fig_query q = {0};
  lk_figures *f;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  if (granularity != NULL && strcmp(granularity, "hour") != 0 &&
      strcmp(granularity, "day") != 0) {
    bad_param(req, "granularity", "must be hour or day");
    return;
  }
  if (format != NULL && strcmp(format, "csv") != 0 &&
      strcmp(format, "json") != 0) {
    bad_param(req, "format", "must be json or csv");
    return;
  }
  q.daily = granularity != NULL && strcmp(granularity, "day") == 0;
  q.now = lk_clock_real_ms();
  q.to = q.now;
  if (time_param(req, "to", &q.to) != 0)
    return;
  q.from = q.to - (q.daily ? 7 * 86400000LL : 86400000LL);
  if (time_param(req, "from", &q.from) != 0 ||
      channel_param(req, &q.channel) != 0 ||
      uuid_param(req, "teamId", team, &q.team_id) != 0)
    return;
  if (q.to <= q.from) {
    bad_param(req, "to", "must be after from");
    return;
  }
  f = malloc(sizeof(*f));
  if (f == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_figures_compute(lk_req_app(req)->store, &q, f);
  if (rc == LK_STORE_INVALID) {
    bad_param(req, "from",
              q.daily ? "the period may hold at most 400 days"
                      : "the period may hold at most 768 hours (32 days)");
  } else if (rc != 0) {
    lk_req_problem_store(req, rc);
  } else if (wants_csv(req)) {
    lk_figures_csv(&b, f);
    lk_req_add_header(req, "Content-Disposition",
                      "attachment; filename=\"figures.csv\"");
    lk_req_respond_buf(req, 200, "text/csv; charset=utf-8", &b);
  } else {
    lk_figures_json(&b, f);
    lk_req_respond_buf(req, 200, "application/json", &b);
  }
  lk_figures_free(f);
  free(f);
}

/* ---- /metrics ------------------------------------------------------- */

void lk_api_figures_metrics(lk_buf *b, void *ud) {
  lk_app *app = ud;

  lk_figures_metrics(b, app->store, lk_clock_real_ms());
}

int lk_figures_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/api/v1/norms", norms_get, 0},
      {"PUT", "/api/v1/norms", norms_put, 0},
      {"GET", "/api/v1/norms/state", norms_state, 0},
      {"GET", "/api/v1/figures", figures_get, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
