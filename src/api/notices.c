/* notices.c - /api/v1/notices: staff create, publish, approve, change and
 * end notices and add (and edit) their updates. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/notices.h"
#include "api/teams.h" /* lk_json_int, lk_json_bool */
#include "api/version.h"
#include "app.h"
#include "core/ids.h"
#include "core/notice.h"
#include "core/outbox.h" /* LK_OUTBOX_SKIPPED */
#include "http/json.h"
#include "http/problem.h"
#include "store/notice_questions.h"
#include "store/outbox.h"

#define UPDATES_SHOWN 100          /* updates listed with a notice */
#define TIME_MAX 253402300799999LL /* 9999-12-31, in ms */

static void notices_list(lk_req *req);
static void notices_create(lk_req *req);
static void notices_get(lk_req *req);
static void notices_patch(lk_req *req);
static void notices_approve(lk_req *req);
static void updates_create(lk_req *req);
static void updates_patch(lk_req *req);
static void kinds_put(lk_req *req);
static void questions_list(lk_req *req);

static const lk_api_route routes[] = {
    {"GET", "/api/v1/notices", notices_list, 0},
    {"POST", "/api/v1/notices", notices_create, 0},
    {"GET", "/api/v1/notices/{id}", notices_get, 0},
    {"PATCH", "/api/v1/notices/{id}", notices_patch, 0},
    {"POST", "/api/v1/notices/{id}/approve", notices_approve, 0},
    {"POST", "/api/v1/notices/{id}/updates", updates_create, 0},
    {"GET", "/api/v1/notices/{id}/questions", questions_list, 0},
    {"PATCH", "/api/v1/notices/{id}/updates/{updateId}", updates_patch, 0},
    {"PUT", "/api/v1/notice-kinds/{kind}", kinds_put, 0},
};

int lk_notices_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

/* ---- reading -------------------------------------------------------- */

/* ,"crossPost":{"state","url","error"} of the status that announced the
 * notice (update_id NULL) or an update, or null when none was queued. */
static void cross_post(lk_buf *b, lk_store *s, const char *notice_id,
                       const char *update_id) {
  char key[LK_CROSSPOST_KEY_MAX + 1];
  lk_outbox_row r;

  lk_crosspost_key(key, sizeof(key), notice_id, update_id);
  lk_buf_puts(b, ",\"crossPost\":");
  if (lk_store_outbox_by_key(s, LK_CROSSPOST_KIND, key, &r) != 0) {
    lk_buf_puts(b, "null");
    return;
  }
  lk_buf_puts(b, "{\"state\":");
  lk_buf_json_str(b, r.state);
  lk_buf_puts(b, ",\"url\":");
  if (strcmp(r.state, "sent") == 0 && r.result[0] != '\0' &&
      strncmp(r.result, LK_OUTBOX_SKIPPED, strlen(LK_OUTBOX_SKIPPED)) != 0)
    lk_buf_json_str(b, r.result);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"error\":");
  if (strcmp(r.state, "sent") != 0 && r.last_error[0] != '\0')
    lk_buf_json_str(b, r.last_error);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, "}");
}

struct updates_ctx {
  lk_buf *b;
  lk_store *s;
};

static void update_one(const lk_notice_update_row *u, void *ud) {
  struct updates_ctx *uc = ud;
  lk_buf *b = uc->b;

  if (b->data[b->len - 1] != '[')
    lk_buf_putc(b, ',');
  lk_notice_update_json(b, u);
  b->len--; /* reopen the object */
  cross_post(b, uc->s, u->notice_id, u->id);
  lk_buf_putc(b, '}');
}

/* Answers with notice `id` and its newest updates. */
static void respond_notice(lk_req *req, int status, const char *id) {
  lk_store *s = lk_req_app(req)->store;
  lk_notice_row *n = malloc(sizeof(*n));
  lk_buf b = LK_BUF_INIT;
  struct updates_ctx uc = {&b, s};
  int rc;

  rc = n != NULL ? lk_store_notice_get(s, id, n) : LK_STORE_NOMEM;
  if (rc == 0) {
    lk_notice_json(&b, n);
    b.len--; /* reopen the object for its updates */
    cross_post(&b, s, id, NULL);
    lk_buf_puts(&b, ",\"updates\":[");
    rc = lk_store_notice_updates(s, id, UPDATES_SHOWN, update_one, &uc);
    lk_buf_puts(&b, "]}\n");
  }
  if (rc >= 0 && !lk_buf_ok(&b))
    rc = LK_STORE_NOMEM;
  if (rc < 0) {
    free(n);
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (status == 201)
    lk_api_location(req, "notices", id);
  free(n);
  lk_req_respond_buf(req, status, "application/json", &b);
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_NOTICE_ID_LEN + 1];
};

static void notice_one(const lk_notice_row *n, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_notice_json(lc->b, n);
  snprintf(lc->last, sizeof(lc->last), "%s", n->id);
}

static void notices_list(lk_req *req) {
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 20, 100, &limit))
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_notice_list(lk_req_app(req)->store, after ? after : "", limit,
                            notice_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

static void notices_get(lk_req *req) {
  const char *id = lk_req_param(req, "id");

  if (lk_api_auth(req, "api") != 0)
    return;
  if (!lk_uuid_valid(id)) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  respond_notice(req, 200, id);
}

/* The conversations residents started from the notice's page. */
static void question_one(const lk_notice_question_row *q, void *ud) {
  struct list_ctx *lc = ud;
  json_t *o = json_object();
  char *s;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  json_object_set_new(o, "id", json_string(q->id));
  json_object_set_new(o, "reference", json_string(q->reference));
  json_object_set_new(o, "status", json_string(q->status));
  json_object_set_new(o, "lastMessageAt", json_integer(q->last_message_at));
  s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (s != NULL)
    lk_buf_puts(lc->b, s);
  else
    lk_buf_puts(lc->b, "null");
  free(s);
  snprintf(lc->last, sizeof(lc->last), "%s", q->id);
}

static void questions_list(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  const char *after = lk_req_query(req, "after");
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  lk_notice_row n;
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 20, 100, &limit))
    return;
  if (!lk_uuid_valid(id)) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  rc = lk_store_notice_get(s, id, &n);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_notice_questions(s, id, after ? after : "", limit,
                                 lk_req_principal(req)->confidential,
                                 question_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

/* ---- body helpers --------------------------------------------------- */

static void field_problem(lk_req *req, const char *field, const char *why) {
  lk_req_problem(req, 422, "invalid-field", "Invalid field", why, field);
}

/* "area": an object (given to core as compact JSON text in *out, to be
 * freed) or absent/null (*out NULL). */
static int body_area(lk_req *req, json_t *body, char **out) {
  json_t *a = json_object_get(body, "area");

  *out = NULL;
  if (a == NULL || json_is_null(a))
    return 0;
  if (!json_is_object(a)) {
    field_problem(req, "/area", "must be an object: a circle or a polygon");
    return -1;
  }
  *out = json_dumps(a, JSON_COMPACT);
  if (*out == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return -1;
  }
  return 0;
}

/* "postcodes": an array of at most LK_NOTICE_POSTCODES_MAX strings. */
static int body_postcodes(lk_req *req, json_t *body, const char **codes,
                          size_t *n, bool *present) {
  json_t *arr = json_object_get(body, "postcodes");
  json_t *v;
  size_t i;

  *n = 0;
  *present = arr != NULL;
  if (arr == NULL)
    return 0;
  if (!json_is_array(arr) || json_array_size(arr) > LK_NOTICE_POSTCODES_MAX) {
    field_problem(req, "/postcodes",
                  "must be an array of at most 200 "
                  "postcodes");
    return -1;
  }
  json_array_foreach(arr, i, v) {
    if (!json_is_string(v)) {
      field_problem(req, "/postcodes", "must be an array of strings");
      return -1;
    }
    codes[(*n)++] = json_string_value(v);
  }
  return 0;
}

/* Answers a write's failure; LK_EINVALID from apply concerns `field`. */
static void write_failed(lk_req *req, int status, const char *field) {
  switch (status) {
  case LK_EINVALID:
    field_problem(req, field,
                  strcmp(field, "/kind") == 0 ? "is not a notice kind"
                                              : "must not be before startsAt");
    break;
  case LK_STORE_CONFLICT:
    lk_req_problem(req, 409, "invalid-transition", "Conflict",
                   "the notice's status does not allow this", "/status");
    break;
  case LK_NOTICE_ESAME:
    lk_req_problem(req, 403, "second-person-required", "Forbidden",
                   "the approver must be another person than the creator",
                   NULL);
    break;
  case LK_NOTICE_EVERSION:
    lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                   "the notice has changed since that version", NULL);
    break;
  default:
    lk_req_problem_store(req, status);
  }
}

/* ---- create --------------------------------------------------------- */

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_notice_create_op op;
};

static void created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    write_failed(req, status, "/kind");
    return;
  }
  respond_notice(req, 201, ctx->op.n.id);
}

static void notices_create(lk_req *req) {
  static const char *const allowed[] = {
      "kind",      "title",    "body",          "severity", "area",
      "postcodes", "startsAt", "expectedEndAt", "publish",  NULL};
  const char *codes[LK_NOTICE_POSTCODES_MAX];
  const char *kind, *title, *text, *severity;
  long long starts = 0, end = 0;
  bool has_starts, has_end, has_codes, publish = false, has_publish;
  struct create_ctx *ctx;
  char *area = NULL;
  size_t ncodes;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "kind", true, &kind) != 0 ||
      lk_json_string(req, body, "title", true, &title) != 0 ||
      lk_json_string(req, body, "body", false, &text) != 0 ||
      lk_json_string(req, body, "severity", false, &severity) != 0 ||
      lk_json_int(req, body, "startsAt", false, 1, TIME_MAX, &starts,
                  &has_starts) != 0 ||
      lk_json_int(req, body, "expectedEndAt", false, 1, TIME_MAX, &end,
                  &has_end) != 0 ||
      lk_json_bool(req, body, "publish", &publish, &has_publish) != 0 ||
      body_postcodes(req, body, codes, &ncodes, &has_codes) != 0 ||
      body_area(req, body, &area) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  rc = ctx == NULL
           ? -1
           : lk_notice_create_prepare(&ctx->op, lk_req_actor(req), kind, title,
                                      text, severity, area, codes, ncodes,
                                      starts, end, publish, &why);
  free(area);
  json_decref(body);
  if (ctx == NULL)
    return;
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  ctx->op.crosspost = lk_req_app(req)->mastodon != NULL;
  ctx->op.sub_key = lk_req_app(req)->sub_key;
  lk_api_submit(req, &ctx->aw, lk_notice_create_apply, &ctx->op, created);
}

/* ---- approve -------------------------------------------------------- */

struct approve_ctx {
  lk_api_write aw;
  lk_notice_approve_op op;
};

static void approved(lk_req *req, int status) {
  struct approve_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    write_failed(req, status, "/id");
    return;
  }
  respond_notice(req, 200, ctx->op.id);
}

static void notices_approve(lk_req *req) {
  struct approve_ctx *ctx;
  lk_invalid why;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_notice_approve_prepare(&ctx->op, lk_req_actor(req),
                                 lk_req_param(req, "id"), &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  ctx->op.crosspost = lk_req_app(req)->mastodon != NULL;
  ctx->op.sub_key = lk_req_app(req)->sub_key;
  lk_api_submit(req, &ctx->aw, lk_notice_approve_apply, &ctx->op, approved);
}

/* ---- patch ---------------------------------------------------------- */

struct patch_ctx {
  lk_api_write aw;
  lk_notice_patch_op op;
};

static void patched(lk_req *req, int status) {
  struct patch_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    write_failed(req, status, "/expectedEndAt");
    return;
  }
  respond_notice(req, 200, ctx->op.id);
}

/* Applies the members of `body` to op; 0, or -1 after answering. */
static int patch_fields(lk_req *req, json_t *body, lk_notice_patch_op *op) {
  const char *codes[LK_NOTICE_POSTCODES_MAX];
  const char *title, *text, *severity, *status;
  bool has_codes;
  char *area = NULL;
  size_t ncodes;
  lk_invalid why;
  int rc = 0;

  if (lk_json_string(req, body, "title", false, &title) != 0 ||
      lk_json_string(req, body, "body", false, &text) != 0 ||
      lk_json_string(req, body, "severity", false, &severity) != 0 ||
      lk_json_string(req, body, "status", false, &status) != 0 ||
      lk_json_int(req, body, "startsAt", false, 1, TIME_MAX, &op->starts_at,
                  &op->has_starts) != 0 ||
      lk_json_int(req, body, "expectedEndAt", false, 1, TIME_MAX,
                  &op->expected_end_at, &op->has_end) != 0 ||
      body_postcodes(req, body, codes, &ncodes, &has_codes) != 0 ||
      body_area(req, body, &area) != 0)
    return -1;
  if (title != NULL)
    rc = lk_notice_patch_title(op, title, &why);
  if (rc == 0 && text != NULL)
    rc = lk_notice_patch_body(op, text, &why);
  if (rc == 0 && severity != NULL)
    rc = lk_notice_patch_severity(op, severity, &why);
  if (rc == 0 && status != NULL)
    rc = lk_notice_patch_status(op, status, &why);
  if (rc == 0 && area != NULL)
    rc = lk_notice_patch_area(op, area, &why);
  if (rc == 0 && has_codes)
    rc = lk_notice_patch_postcodes(op, codes, ncodes, &why);
  free(area);
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return -1;
  }
  return 0;
}

static void notices_patch(lk_req *req) {
  static const char *const allowed[] = {
      "title",    "body",          "severity", "area", "postcodes",
      "startsAt", "expectedEndAt", "status",   NULL};
  struct patch_ctx *ctx;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_notice_patch_prepare(&ctx->op, lk_req_actor(req),
                               lk_req_param(req, "id"), &why);
  if (rc != 0) {
    json_decref(body);
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  rc = patch_fields(req, body, &ctx->op);
  json_decref(body);
  if (rc != 0)
    return;
  if (lk_api_if_match(req, "notice", &ctx->op.if_version) != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_notice_patch_apply, &ctx->op, patched);
}

/* ---- updates -------------------------------------------------------- */

struct update_ctx {
  lk_api_write aw;
  lk_notice_update_op op;
};

static void update_written(lk_req *req, int status, int code) {
  struct update_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status != 0) {
    write_failed(req, status, "/body");
    return;
  }
  lk_notice_update_json(&b, &ctx->op.u);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, code, "application/json", &b);
}

static void update_added(lk_req *req, int status) {
  update_written(req, status, 201);
}

static void update_edited(lk_req *req, int status) {
  update_written(req, status, 200);
}

/* The body's "body" (and, for an edit, "hidePrevious" into *hide); NULL
 * after answering. */
static const char *update_body(lk_req *req, json_t *body, bool *hide) {
  static const char *const add[] = {"body", NULL};
  static const char *const edit[] = {"body", "hidePrevious", NULL};
  const char *text;
  bool present;

  if (lk_json_only(req, body, hide != NULL ? edit : add) != 0 ||
      lk_json_string(req, body, "body", true, &text) != 0 ||
      (hide != NULL &&
       lk_json_bool(req, body, "hidePrevious", hide, &present) != 0))
    return NULL;
  return text;
}

static void update_submit(lk_req *req, const char *update_id) {
  struct update_ctx *ctx;
  const char *text;
  bool hide = false;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  text = update_body(req, body, update_id != NULL ? &hide : NULL);
  ctx = text != NULL ? lk_api_data(req, sizeof(*ctx), free) : NULL;
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  if (update_id == NULL)
    rc = lk_notice_update_prepare(&ctx->op, lk_req_actor(req),
                                  lk_req_param(req, "id"), text, &why);
  else
    rc = lk_notice_edit_prepare(&ctx->op, lk_req_actor(req),
                                lk_req_param(req, "id"), update_id, text, &why);
  json_decref(body);
  if (rc == LK_EINVALID && strcmp(why.field, "updateId") == 0)
    why.field = "id"; /* names nothing: 404 */
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  /* A new update is cross-posted; an edit is not posted again. */
  ctx->op.crosspost = update_id == NULL && lk_req_app(req)->mastodon != NULL;
  ctx->op.hide_previous = hide;
  if (update_id == NULL)
    lk_api_submit(req, &ctx->aw, lk_notice_update_apply, &ctx->op,
                  update_added);
  else
    lk_api_submit(req, &ctx->aw, lk_notice_edit_apply, &ctx->op, update_edited);
}

static void updates_create(lk_req *req) {
  update_submit(req, NULL);
}

static void updates_patch(lk_req *req) {
  update_submit(req, lk_req_param(req, "updateId"));
}

/* ---- kinds ---------------------------------------------------------- */

struct kind_ctx {
  lk_api_write aw;
  lk_notice_kind_op op;
};

static void kind_written(lk_req *req, int status) {
  struct kind_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_buf_puts(&b, "{\"kind\":");
  lk_buf_json_str(&b, ctx->op.kind);
  lk_buf_printf(&b, ",\"requiresSecondPerson\":%s}\n",
                ctx->op.requires_second_person ? "true" : "false");
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static void kinds_put(lk_req *req) {
  static const char *const allowed[] = {"requiresSecondPerson", NULL};
  struct kind_ctx *ctx;
  bool requires = false;
  bool present;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "admin") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  rc = lk_json_only(req, body, allowed);
  if (rc == 0)
    rc = lk_json_bool(req, body, "requiresSecondPerson", &requires, &present);
  json_decref(body);
  if (rc != 0)
    return;
  if (!present) {
    field_problem(req, "/requiresSecondPerson", "is required");
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  if (lk_notice_kind_prepare(&ctx->op, lk_req_actor(req),
                             lk_req_param(req, "kind"), requires, &why) != 0) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_notice_kind_apply, &ctx->op, kind_written);
}
