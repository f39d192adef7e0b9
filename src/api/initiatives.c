/* initiatives.c - the staff API of participation (initiatives.h). */
#include "api/initiatives.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/ids.h"
#include "core/initiative.h"
#include "core/proclog.h"
#include "http/json.h"
#include "http/problem.h"

/* Logs the staff read of initiatives (they name residents). */
static int logged(lk_req *req, const char *resource) {
  lk_proclog_entry e = {0};
  int rc;

  e.actor = lk_req_actor(req);
  e.operation = "read";
  e.activity = "initiatief";
  e.resource = resource;
  e.request_id = lk_req_id(req);
  rc = lk_proclog_read(lk_req_app(req)->store, &e);
  if (rc != 0)
    lk_req_problem_store(req, rc);
  return rc;
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_PS_ID_LEN + 1];
};

static void item(const lk_initiative_row *r, void *ud) {
  struct list_ctx *c = ud;

  if (c->n++ > 0)
    lk_buf_putc(c->b, ',');
  lk_init_json(c->b, r, true);
  snprintf(c->last, sizeof(c->last), "%s", r->id);
}

static void list(lk_req *req) {
  const char *status = lk_req_query(req, "status");
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx c = {&b, 0, ""};
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  if (status != NULL && !lk_init_status_valid(status)) {
    lk_invalid why = {"status", "draft, prescreening, published, running, "
                                "completed or stopped"};

    lk_api_bad_param(req, &why);
    return;
  }
  if (after != NULL && !lk_uuid_valid(after)) {
    lk_invalid why = {"after", "the next cursor of a page"};

    lk_api_bad_param(req, &why);
    return;
  }
  if (logged(req, "/api/v1/initiatives") != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_initiatives_staff(lk_req_app(req)->store,
                                  status != NULL ? status : "",
                                  after != NULL ? after : "", limit, item, &c);
  lk_api_list_end(req, &b, rc, limit, c.last);
}

static void get(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_initiative_row *r;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  if (id == NULL || !lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  r = malloc(sizeof(*r));
  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_initiative_get(lk_req_app(req)->store, NULL, id, r);
  if (rc == 0)
    rc = logged(req, id) == 0 ? 0 : 1;
  if (rc == 0) {
    lk_init_json(&b, r, true);
    lk_buf_putc(&b, '\n');
    lk_req_respond_buf(req, 200, "application/json", &b);
  } else if (rc < 0) {
    lk_req_problem_store(req, rc);
  }
  free(r);
}

struct status_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_init_status_op op;
};

static void changed(lk_req *req, int status) {
  struct status_ctx *ctx = lk_req_data(req);
  lk_initiative_row *r;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (status == LK_INIT_EBADTRANSITION || status == LK_INIT_EFORBIDDEN) {
    char detail[128];

    snprintf(detail, sizeof(detail), "cannot %s an initiative that is %s",
             lk_init_action_name(ctx->op.action),
             ctx->op.from[0] != '\0' ? ctx->op.from : "in this status");
    lk_req_problem(req, 409, "invalid-transition", "Invalid transition", detail,
                   NULL);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  r = malloc(sizeof(*r));
  rc = r == NULL ? LK_STORE_NOMEM
                 : lk_store_initiative_get(lk_req_app(req)->store, NULL,
                                           ctx->op.id, r);
  if (rc == 0) {
    lk_init_json(&b, r, true);
    lk_buf_putc(&b, '\n');
    lk_req_respond_buf(req, 200, "application/json", &b);
  } else {
    lk_req_problem_store(req, rc);
  }
  free(r);
}

/* Reads {"<key>", "reason"} and starts the status write. */
static void status_write(lk_req *req, const char *key, bool decision) {
  static const char *const decision_keys[] = {"decision", "reason", NULL};
  static const char *const action_keys[] = {"action", "reason", NULL};
  const char *id = lk_req_param(req, "id");
  const char *word = NULL, *reason = NULL;
  struct status_ctx *ctx;
  lk_init_action a;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, decision ? decision_keys : action_keys) != 0 ||
      lk_json_string(req, body, key, true, &word) != 0 ||
      lk_json_string(req, body, "reason", false, &reason) != 0) {
    json_decref(body);
    return;
  }
  rc = lk_init_action_parse(word, &a);
  if (rc == 0 && decision && a != LK_INIT_APPROVE && a != LK_INIT_REFUSE)
    rc = -1;
  if (rc == 0 && !decision &&
      (a == LK_INIT_APPROVE || a == LK_INIT_REFUSE || a == LK_INIT_SUBMIT))
    rc = -1;
  if (rc != 0) {
    char pointer[16];

    json_decref(body);
    snprintf(pointer, sizeof(pointer), "/%s", key);
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   decision ? "approve or refuse" : "start, complete or stop",
                   pointer);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_init_status_prepare(
      &ctx->op, id != NULL ? id : "", "", lk_req_actor(req), true,
      lk_req_app(req)->participation_prescreen, a, reason, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_init_status_apply, &ctx->op, changed);
}

static void prescreen(lk_req *req) {
  status_write(req, "decision", true);
}
static void status(lk_req *req) {
  status_write(req, "action", false);
}

/* ---- neighbourhoods ----------------------------------------------------- */

static void place_json(lk_buf *b, const lk_p_place_row *r) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, r->name);
  lk_buf_printf(b, ",\"position\":%d", r->position);
  if (r->has_point)
    lk_buf_printf(b, ",\"lat\":%.6f,\"lon\":%.6f}", r->lat, r->lon);
  else
    lk_buf_puts(b, ",\"lat\":null,\"lon\":null}");
}

static void place_item(const lk_p_place_row *r, void *ud) {
  struct list_ctx *c = ud;

  if (c->n++ > 0)
    lk_buf_putc(c->b, ',');
  place_json(c->b, r);
}

static void neighbourhoods(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  struct list_ctx c = {&b, 0, ""};
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_p_neighbourhoods(lk_req_app(req)->store, place_item, &c);
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  /* A short fixed list (at most 200): no cursor. */
  lk_buf_puts(&b, "],\"next\":null}\n");
  lk_req_respond_buf(req, 200, "application/json", &b);
}

struct nbh_ctx {
  lk_api_write aw;
  lk_nbh_put_op op;
};

static void nbh_saved(lk_req *req, int status) {
  struct nbh_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  place_json(&b, &ctx->op.r);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, ctx->op.created ? 201 : 200, "application/json", &b);
}

static int number(lk_req *req, json_t *body, const char *key, bool *has,
                  double *out) {
  json_t *v = json_object_get(body, key);
  char pointer[16];

  *has = false;
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_number(v)) {
    snprintf(pointer, sizeof(pointer), "/%s", key);
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be a number", pointer);
    return -1;
  }
  *has = true;
  *out = json_number_value(v);
  return 0;
}

static void put_neighbourhood(lk_req *req) {
  static const char *const keys[] = {"name", "position", "lat", "lon", NULL};
  const char *id = lk_req_param(req, "id");
  const char *name = NULL;
  struct nbh_ctx *ctx;
  bool has_lat, has_lon, has_pos;
  double lat = 0, lon = 0, pos = 0;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "admin") != 0)
    return;
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, keys) != 0 ||
      lk_json_string(req, body, "name", true, &name) != 0 ||
      number(req, body, "position", &has_pos, &pos) != 0 ||
      number(req, body, "lat", &has_lat, &lat) != 0 ||
      number(req, body, "lon", &has_lon, &lon) != 0) {
    json_decref(body);
    return;
  }
  if (has_lat != has_lon || (has_pos && (pos != floor(pos)))) {
    json_decref(body);
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   has_lat != has_lon ? "lat and lon: both or neither"
                                      : "position must be a whole number",
                   has_lat != has_lon ? "/lon" : "/position");
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_nbh_put_prepare(&ctx->op, lk_req_actor(req), id, name,
                          !has_pos                   ? 0
                          : pos >= 0 && pos <= 10000 ? (long)pos
                                                     : -1,
                          has_lat, lat, lon, &why);
  json_decref(body);
  if (rc != 0) {
    /* A malformed slug names nothing to create: 422 at /id, not 404. */
    lk_api_invalid(req, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_nbh_put_apply, &ctx->op, nbh_saved);
}

int lk_api_initiatives_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/api/v1/initiatives", list, 0},
      {"GET", "/api/v1/initiatives/{id}", get, 0},
      {"POST", "/api/v1/initiatives/{id}/prescreen", prescreen, 0},
      {"POST", "/api/v1/initiatives/{id}/status", status, 0},
      {"GET", "/api/v1/neighbourhoods", neighbourhoods, 0},
      {"PUT", "/api/v1/neighbourhoods/{id}", put_neighbourhood, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
