/* facilitation.c - /api/v1: staff manage rooms and budget pots, assess
 * and decide facilitation requests, record payments, and read meetings
 * with their registrations (api/facilitation.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/facilitation.h"
#include "api/teams.h" /* lk_json_int, lk_json_bool */
#include "app.h"
#include "core/facilitation.h"
#include "core/ids.h"
#include "core/proclog.h"
#include "http/json.h"
#include "http/problem.h"
#include "util/clock.h"

#define HISTORY_SHOWN 200 /* steps listed with a request */

static void rooms_list(lk_req *req);
static void rooms_create(lk_req *req);
static void rooms_get(lk_req *req);
static void rooms_patch(lk_req *req);
static void pots_list(lk_req *req);
static void pots_create(lk_req *req);
static void pots_get(lk_req *req);
static void pots_patch(lk_req *req);
static void requests_list(lk_req *req);
static void requests_get(lk_req *req);
static void requests_review(lk_req *req);
static void requests_decide(lk_req *req);
static void requests_pay(lk_req *req);
static void meetings_get(lk_req *req);
static void registrations_list(lk_req *req);
static void summary_get(lk_req *req);

static const lk_api_route routes[] = {
    {"GET", "/api/v1/rooms", rooms_list, 0},
    {"POST", "/api/v1/rooms", rooms_create, 0},
    {"GET", "/api/v1/rooms/{id}", rooms_get, 0},
    {"PATCH", "/api/v1/rooms/{id}", rooms_patch, 0},
    {"GET", "/api/v1/budget-pots", pots_list, 0},
    {"POST", "/api/v1/budget-pots", pots_create, 0},
    {"GET", "/api/v1/budget-pots/{id}", pots_get, 0},
    {"PATCH", "/api/v1/budget-pots/{id}", pots_patch, 0},
    {"GET", "/api/v1/facilitation-requests", requests_list, 0},
    {"GET", "/api/v1/facilitation-requests/{id}", requests_get, 0},
    {"POST", "/api/v1/facilitation-requests/{id}/review", requests_review, 0},
    {"POST", "/api/v1/facilitation-requests/{id}/decision", requests_decide, 0},
    {"POST", "/api/v1/facilitation-requests/{id}/payments", requests_pay, 0},
    {"GET", "/api/v1/meetings/{id}", meetings_get, 0},
    {"GET", "/api/v1/meetings/{id}/registrations", registrations_list, 0},
    {"GET", "/api/v1/facilitation-summary", summary_get, 0},
};

int lk_facilitation_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

void lk_api_fac_failed(lk_req *req, int status) {
  switch (status) {
  case LK_FAC_ESTATE:
    lk_req_problem(req, 409, "invalid-transition", "Conflict",
                   "the request's status does not allow this", "/status");
    break;
  case LK_FAC_ENOPOT:
    lk_req_problem(req, 409, "no-budget-pot", "Conflict",
                   "there is no budget pot for this year and the "
                   "initiative's neighbourhood",
                   NULL);
    break;
  case LK_FAC_EBUDGET:
    lk_req_problem(req, 409, "budget-exceeded", "Conflict",
                   "less is left than this asks for", "/amountCents");
    break;
  case LK_FAC_EOVERLAP:
    lk_req_problem(req, 409, "room-booked", "Conflict",
                   "the room is booked at that time", "/startsAt");
    break;
  case LK_FAC_ECLOSED:
    lk_req_problem(req, 409, "room-closed", "Conflict",
                   "the room is not open or not bookable at that time",
                   "/startsAt");
    break;
  case LK_FAC_ETOOMANY:
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "more people than the room holds", "/attendees");
    break;
  case LK_FAC_EFULL:
    lk_req_problem(req, 409, "meeting-full", "Conflict",
                   "the meeting has no seat left", NULL);
    break;
  case LK_FAC_EPAST:
    lk_req_problem(req, 409, "meeting-ended", "Conflict",
                   "the meeting has ended", NULL);
    break;
  default:
    lk_req_problem_store(req, status);
  }
}

/* Records that the caller read resident data (an organiser's or a
 * registrant's account) through `resource`; answers and returns non-zero
 * if that cannot be logged. */
static int log_read(lk_req *req, const char *resource) {
  lk_proclog_entry e = {lk_req_actor(req), NULL, "read",        "participatie",
                        resource,          NULL, lk_req_id(req)};
  int rc = lk_proclog_read(lk_req_app(req)->store, &e);

  if (rc != 0)
    lk_req_problem_store(req, rc);
  return rc;
}

static bool path_id(lk_req *req, const char **id) {
  *id = lk_req_param(req, "id");
  if (!lk_uuid_valid(*id)) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return false;
  }
  return true;
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_FAC_ID_LEN + 1];
};

static void sep(struct list_ctx *lc) {
  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
}

static const char *after_of(lk_req *req) {
  const char *a = lk_req_query(req, "after");

  return a != NULL ? a : "";
}

/* ---- rooms --------------------------------------------------------------- */

static void room_one(const lk_room_row *r, void *ud) {
  struct list_ctx *lc = ud;

  sep(lc);
  lk_room_json(lc->b, r);
  snprintf(lc->last, sizeof(lc->last), "%s", r->id);
}

static void rooms_list(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_room_list(lk_req_app(req)->store, after_of(req), limit,
                          room_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

static void respond_room(lk_req *req, int status, const char *id) {
  lk_room_row r;
  lk_buf b = LK_BUF_INIT;
  int rc = lk_store_room_get(lk_req_app(req)->store, id, &r);

  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_room_json(&b, &r);
  lk_buf_putc(&b, '\n');
  if (status == 201)
    lk_api_location(req, "rooms", id);
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void rooms_get(lk_req *req) {
  const char *id;

  if (lk_api_auth(req, "api") != 0 || !path_id(req, &id))
    return;
  respond_room(req, 200, id);
}

struct room_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_room_op op;
};

static void room_written(lk_req *req, int status) {
  struct room_ctx *ctx = lk_req_data(req);

  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "conflict", "Conflict",
                   "another room has that name", "/name");
    return;
  }
  if (status == LK_EINVALID) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "opening hours: opens must be before closes", "/opens");
    return;
  }
  if (status != 0) {
    lk_api_fac_failed(req, status);
    return;
  }
  respond_room(req, ctx->op.create ? 201 : 200, ctx->op.r.id);
}

/* "HH:MM" (or "24:00" for closing) into minutes after midnight. */
static int body_hhmm(lk_req *req, json_t *body, const char *key, int *out,
                     bool *present) {
  const char *s;
  char ptr[16];

  if (lk_json_string(req, body, key, false, &s) != 0)
    return -1;
  *present = s != NULL;
  if (s == NULL)
    return 0;
  if (strlen(s) == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' &&
      s[1] >= '0' && s[1] <= '9' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' &&
      s[4] <= '9') {
    int m = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 +
            (s[4] - '0');

    if (m <= 1440) {
      *out = m;
      return 0;
    }
  }
  snprintf(ptr, sizeof(ptr), "/%s", key);
  lk_req_problem(req, 422, "invalid-field", "Invalid field",
                 "must be a time HH:MM", ptr);
  return -1;
}

/* "days": ISO weekdays 1 (Monday) .. 7 (Sunday) into a bit set. */
static int body_days(lk_req *req, json_t *body, int *out, bool *present) {
  json_t *arr = json_object_get(body, "days");
  json_t *v;
  size_t i;

  *present = arr != NULL;
  *out = 0;
  if (arr == NULL)
    return 0;
  if (!json_is_array(arr) || json_array_size(arr) > 7)
    goto bad;
  json_array_foreach(arr, i, v) {
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > 7)
      goto bad;
    *out |= 1 << (json_integer_value(v) - 1);
  }
  return 0;
bad:
  lk_req_problem(req, 422, "invalid-field", "Invalid field",
                 "must be an array of weekdays 1 (Monday) to 7 (Sunday)",
                 "/days");
  return -1;
}

static void room_write(lk_req *req, bool create) {
  static const char *const allowed[] = {"name",   "location", "capacity",
                                        "opens",  "closes",   "days",
                                        "active", NULL};
  const char *name = NULL, *location = NULL, *id = NULL;
  long long capacity = 0;
  bool has_cap, has_opens, has_closes, has_days, has_active, active = true;
  lk_room_row r;
  struct room_ctx *ctx;
  unsigned set = 0;
  lk_invalid why;
  json_t *body;
  int rc;

  memset(&r, 0, sizeof(r));
  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  if (!create && !path_id(req, &id))
    return;
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "name", create, &name) != 0 ||
      lk_json_string(req, body, "location", false, &location) != 0 ||
      lk_json_int(req, body, "capacity", create, 1, LK_MEETING_CAPACITY_MAX,
                  &capacity, &has_cap) != 0 ||
      body_hhmm(req, body, "opens", &r.opens, &has_opens) != 0 ||
      body_hhmm(req, body, "closes", &r.closes, &has_closes) != 0 ||
      body_days(req, body, &r.days, &has_days) != 0 ||
      lk_json_bool(req, body, "active", &active, &has_active) != 0) {
    json_decref(body);
    return;
  }
  if (name != NULL) {
    snprintf(r.name, sizeof(r.name), "%s", name);
    set |= LK_ROOM_SET_NAME;
  }
  if (location != NULL) {
    snprintf(r.location, sizeof(r.location), "%s", location);
    set |= LK_ROOM_SET_LOCATION;
  }
  json_decref(body);
  if (has_opens != has_closes) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "opens and closes are given together", "/closes");
    return;
  }
  if (create && !has_opens) {
    r.opens = 9 * 60;
    r.closes = 22 * 60;
  }
  if (create && !has_days)
    r.days = 0x1F; /* Monday to Friday */
  r.capacity = (int)capacity;
  r.active = active;
  set |= (has_cap ? LK_ROOM_SET_CAPACITY : 0) |
         (has_opens ? LK_ROOM_SET_HOURS : 0) |
         (has_days ? LK_ROOM_SET_DAYS : 0) |
         (has_active ? LK_ROOM_SET_ACTIVE : 0);
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = create ? lk_room_create_prepare(&ctx->op, lk_req_actor(req), &r, &why)
              : lk_room_patch_prepare(&ctx->op, lk_req_actor(req), id, &r, set,
                                      &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_room_apply, &ctx->op, room_written);
}

static void rooms_create(lk_req *req) {
  room_write(req, true);
}
static void rooms_patch(lk_req *req) {
  room_write(req, false);
}

/* ---- budget pots ----------------------------------------------------------
 */

static void pot_one(const lk_pot_row *p, void *ud) {
  struct list_ctx *lc = ud;

  sep(lc);
  lk_pot_json(lc->b, p);
  snprintf(lc->last, sizeof(lc->last), "%s", p->id);
}

/* ?year=YYYY, or 0 when absent.  Answers 400 and returns -1 when bad. */
static int query_year(lk_req *req, int *year) {
  const char *y = lk_req_query(req, "year");
  char *end;
  long v;

  *year = 0;
  if (y == NULL)
    return 0;
  v = strtol(y, &end, 10);
  if (*y == '\0' || *end != '\0' || v < 2000 || v > 2999) {
    lk_invalid why = {"year", "must be a year from 2000 to 2999"};

    lk_api_bad_param(req, &why);
    return -1;
  }
  *year = (int)v;
  return 0;
}

static void pots_list(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit, year, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) ||
      query_year(req, &year) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_pot_list(lk_req_app(req)->store, year, after_of(req), limit,
                         pot_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

static void respond_pot(lk_req *req, int status, const char *id) {
  lk_pot_row p;
  lk_buf b = LK_BUF_INIT;
  int rc = lk_store_pot_get(lk_req_app(req)->store, id, &p);

  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_pot_json(&b, &p);
  lk_buf_putc(&b, '\n');
  if (status == 201)
    lk_api_location(req, "budget-pots", id);
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void pots_get(lk_req *req) {
  const char *id;

  if (lk_api_auth(req, "api") != 0 || !path_id(req, &id))
    return;
  respond_pot(req, 200, id);
}

struct pot_ctx {
  lk_api_write aw;
  lk_pot_op op;
};

static void pot_written(lk_req *req, int status) {
  struct pot_ctx *ctx = lk_req_data(req);

  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "conflict", "Conflict",
                   "that neighbourhood has a pot for that year", "/year");
    return;
  }
  if (status == LK_STORE_NOTFOUND && ctx->op.create) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "is not a neighbourhood", "/neighbourhoodId");
    return;
  }
  if (status == LK_FAC_EBUDGET) {
    lk_req_problem(req, 409, "budget-exceeded", "Conflict",
                   "more than that is committed and paid already",
                   "/amountCents");
    return;
  }
  if (status != 0) {
    lk_api_fac_failed(req, status);
    return;
  }
  respond_pot(req, ctx->op.create ? 201 : 200, ctx->op.p.id);
}

static void pot_write(lk_req *req, bool create) {
  static const char *const create_fields[] = {"year", "neighbourhoodId",
                                              "amountCents", NULL};
  static const char *const patch_fields[] = {"amountCents", NULL};
  const char *nb = NULL, *id = NULL;
  long long year = 0, amount = 0;
  bool has_year, has_amount;
  struct pot_ctx *ctx;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  if (!create && !path_id(req, &id))
    return;
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, create ? create_fields : patch_fields) != 0 ||
      (create &&
       (lk_json_int(req, body, "year", true, 2000, 2999, &year, &has_year) !=
            0 ||
        lk_json_string(req, body, "neighbourhoodId", true, &nb) != 0)) ||
      lk_json_int(req, body, "amountCents", true, 0, LK_FAC_POT_MAX, &amount,
                  &has_amount) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  rc = ctx == NULL ? -1
       : create ? lk_pot_create_prepare(&ctx->op, lk_req_actor(req), (int)year,
                                        nb, amount, &why)
                : lk_pot_adjust_prepare(&ctx->op, lk_req_actor(req), id, amount,
                                        &why);
  json_decref(body);
  if (ctx == NULL)
    return;
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_pot_apply, &ctx->op, pot_written);
}

static void pots_create(lk_req *req) {
  pot_write(req, true);
}
static void pots_patch(lk_req *req) {
  pot_write(req, false);
}

/* ---- requests -------------------------------------------------------------
 */

static void request_one(const lk_fac_request_row *r, void *ud) {
  struct list_ctx *lc = ud;

  sep(lc);
  lk_fac_request_json(lc->b, r, true);
  snprintf(lc->last, sizeof(lc->last), "%s", r->id);
}

static void requests_list(lk_req *req) {
  const char *status = lk_req_query(req, "status");
  const char *initiative = lk_req_query(req, "initiativeId");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 20, 100, &limit))
    return;
  if (status != NULL && !lk_fac_status_ok(status)) {
    lk_invalid why = {"status", "is not a request status"};

    lk_api_bad_param(req, &why);
    return;
  }
  if (log_read(req, "facilitation-requests") != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_fac_request_list(lk_req_app(req)->store,
                                 status != NULL ? status : "",
                                 initiative != NULL ? initiative : "",
                                 after_of(req), limit, request_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

static void history_one(const lk_fac_history_row *h, void *ud) {
  struct list_ctx *lc = ud;

  sep(lc);
  lk_fac_history_json(lc->b, h, true);
}

static void respond_request(lk_req *req, int status, const char *id) {
  lk_store *s = lk_req_app(req)->store;
  lk_fac_request_row *r = malloc(sizeof(*r));
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  char resource[80];
  int rc;

  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_fac_request_get(s, id, r);
  if (rc == 0) {
    snprintf(resource, sizeof(resource), "facilitation-requests/%s", id);
    if (log_read(req, resource) != 0) {
      free(r);
      return;
    }
    lk_fac_request_json(&b, r, true);
    b.len--; /* reopen the object for its history */
    lk_buf_puts(&b, ",\"history\":[");
    rc = lk_store_fac_history(s, id, HISTORY_SHOWN, history_one, &lc);
    lk_buf_puts(&b, "]}\n");
  }
  free(r);
  if (rc >= 0 && !lk_buf_ok(&b))
    rc = LK_STORE_NOMEM;
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void requests_get(lk_req *req) {
  const char *id;

  if (lk_api_auth(req, "api") != 0 || !path_id(req, &id))
    return;
  respond_request(req, 200, id);
}

struct step_ctx {
  lk_api_write aw;
  lk_fac_step_op op;
};

static void stepped(lk_req *req, int status) {
  struct step_ctx *ctx = lk_req_data(req);

  if (status == LK_EINVALID) {
    lk_api_invalid(req, &ctx->op.why);
    return;
  }
  if (status != 0) {
    lk_api_fac_failed(req, status);
    return;
  }
  respond_request(req, 200, ctx->op.id);
}

static void requests_review(lk_req *req) {
  struct step_ctx *ctx;
  lk_invalid why;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_fac_review_prepare(&ctx->op, lk_req_actor(req),
                             lk_req_param(req, "id"), &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_fac_step_apply, &ctx->op, stepped);
}

static void requests_decide(lk_req *req) {
  static const char *const allowed[] = {"outcome", "grantedHours",
                                        "grantedCents", "reason", NULL};
  const char *outcome, *reason = NULL;
  long long hours = 0, cents = 0;
  bool has_hours, has_cents;
  struct step_ctx *ctx;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "outcome", true, &outcome) != 0 ||
      lk_json_string(req, body, "reason", false, &reason) != 0 ||
      lk_json_int(req, body, "grantedHours", false, 1, LK_FAC_HOURS_MAX, &hours,
                  &has_hours) != 0 ||
      lk_json_int(req, body, "grantedCents", false, 1, LK_FAC_CENTS_MAX, &cents,
                  &has_cents) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  rc = ctx == NULL
           ? -1
           : lk_fac_decide_prepare(&ctx->op, lk_req_actor(req),
                                   lk_req_param(req, "id"), outcome, (int)hours,
                                   cents, reason != NULL ? reason : "", &why);
  json_decref(body);
  if (ctx == NULL)
    return;
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_fac_step_apply, &ctx->op, stepped);
}

static void requests_pay(lk_req *req) {
  static const char *const allowed[] = {"amountCents", NULL};
  long long cents = 0;
  bool has_cents;
  struct step_ctx *ctx;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_int(req, body, "amountCents", true, 1, LK_FAC_CENTS_MAX, &cents,
                  &has_cents) != 0) {
    json_decref(body);
    return;
  }
  json_decref(body);
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_fac_pay_prepare(&ctx->op, lk_req_actor(req), lk_req_param(req, "id"),
                          cents, &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_fac_step_apply, &ctx->op, stepped);
}

/* ---- meetings -------------------------------------------------------------
 */

static void meetings_get(lk_req *req) {
  lk_meeting_row *m;
  lk_buf b = LK_BUF_INIT;
  const char *id;
  int rc;

  if (lk_api_auth(req, "api") != 0 || !path_id(req, &id))
    return;
  m = malloc(sizeof(*m));
  rc = m != NULL ? lk_store_meeting_get(lk_req_app(req)->store, id, m)
                 : LK_STORE_NOMEM;
  if (rc != 0) {
    free(m);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_meeting_json(&b, m);
  lk_buf_putc(&b, '\n');
  free(m);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

struct reg_ctx {
  lk_buf *b;
  lk_store *s;
  int n;
  char last[LK_FAC_REF_MAX + 1];
};

static void registration_one(const char *account, int64_t at, void *ud) {
  struct reg_ctx *rc = ud;
  char name[LK_FAC_NAME_MAX + 1] = "";

  if (rc->n++ > 0)
    lk_buf_putc(rc->b, ',');
  lk_store_fac_account_name(rc->s, account, name, sizeof(name));
  lk_buf_puts(rc->b, "{\"accountId\":");
  lk_buf_json_str(rc->b, account);
  lk_buf_puts(rc->b, ",\"displayName\":");
  lk_buf_json_str(rc->b, name);
  lk_buf_json_ms(rc->b, "registeredAt", at);
  lk_buf_putc(rc->b, '}');
  snprintf(rc->last, sizeof(rc->last), "%s", account);
}

static void registrations_list(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  struct reg_ctx lc = {.b = &b, .s = s};
  lk_meeting_row *m;
  char resource[80];
  const char *id;
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) ||
      !path_id(req, &id))
    return;
  m = malloc(sizeof(*m));
  rc = m != NULL ? lk_store_meeting_get(s, id, m) : LK_STORE_NOMEM;
  free(m);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  snprintf(resource, sizeof(resource), "meetings/%s/registrations", id);
  if (log_read(req, resource) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_meeting_registrations(s, id, after_of(req), limit,
                                      registration_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

/* ---- summary --------------------------------------------------------------
 */

struct area_ctx {
  lk_buf *b;
  int n;
};

static void area_one(const char *nb, const lk_fac_totals *t, void *ud) {
  struct area_ctx *ac = ud;

  if (ac->n++ > 0)
    lk_buf_putc(ac->b, ',');
  lk_buf_puts(ac->b, "{\"neighbourhoodId\":");
  lk_buf_json_str(ac->b, nb);
  lk_buf_puts(ac->b, ",\"granted\":");
  lk_fac_totals_json(ac->b, t);
  lk_buf_putc(ac->b, '}');
}

static void summary_get(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  struct area_ctx ac = {&b, 0};
  int year, rc;

  if (lk_api_auth(req, "api") != 0 || query_year(req, &year) != 0)
    return;
  if (year == 0)
    year = lk_fac_year(lk_clock_real_ms());
  lk_buf_printf(&b, "{\"year\":%d,\"neighbourhoods\":[", year);
  rc = lk_store_fac_totals_year(lk_req_app(req)->store, year, 500, area_one,
                                &ac);
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "]}\n");
  lk_req_respond_buf(req, 200, "application/json", &b);
}
