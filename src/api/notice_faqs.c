/* notice_faqs.c - /api/v1/notices/{id}/faqs: staff turn frequent answers
 * into veelgestelde vragen on a notice, edit, reorder and withdraw them,
 * and read the edit history of FAQs and of updates. */
#include "api/notice_faqs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/teams.h" /* lk_json_int */
#include "api/version.h"
#include "core/ids.h"
#include "core/notice.h"
#include "core/notice_faq.h"
#include "http/json.h"
#include "http/problem.h"

static void faqs_list(lk_req *req);
static void faqs_create(lk_req *req);
static void faqs_get(lk_req *req);
static void faqs_patch(lk_req *req);
static void faqs_delete(lk_req *req);
static void faq_edits(lk_req *req);
static void update_edits(lk_req *req);

/* Literal paths: the OpenAPI conformance test reads them from here. */
static const lk_api_route routes[] = {
    {"GET", "/api/v1/notices/{id}/faqs", faqs_list, 0},
    {"POST", "/api/v1/notices/{id}/faqs", faqs_create, 0},
    {"GET", "/api/v1/notices/{id}/faqs/{faqId}", faqs_get, 0},
    {"PATCH", "/api/v1/notices/{id}/faqs/{faqId}", faqs_patch, 0},
    {"DELETE", "/api/v1/notices/{id}/faqs/{faqId}", faqs_delete, 0},
    {"GET", "/api/v1/notices/{id}/faqs/{faqId}/edits", faq_edits, 0},
    {"GET", "/api/v1/notices/{id}/updates/{updateId}/edits", update_edits, 0},
};

int lk_notice_faqs_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

/* ---- answers -------------------------------------------------------- */

static void respond_faq(lk_req *req, int status, const lk_notice_faq_row *f) {
  lk_buf b = LK_BUF_INIT;
  char location[128];

  lk_notice_faq_json(&b, f);
  lk_buf_putc(&b, '\n');
  if (!lk_buf_ok(&b)) {
    lk_buf_free(&b);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (status == 201) {
    snprintf(location, sizeof(location), "/api/v1/notices/%s/faqs/%s",
             f->notice_id, f->id);
    lk_req_add_header(req, "Location", location);
  }
  lk_api_etag(req, f->version);
  lk_req_respond_buf(req, status, "application/json", &b);
}

/* Answers a failed write; op_why is what apply filled in, if anything. */
static void write_failed(lk_req *req, int status, const lk_invalid *op_why) {
  switch (status) {
  case LK_EINVALID:
    lk_api_invalid(req, op_why);
    break;
  case LK_STORE_NOTFOUND:
    if (op_why != NULL && op_why->field != NULL)
      lk_req_problem(req, 404, "not-found", "Not found", op_why->reason,
                     "/sourceContactId");
    else
      lk_req_problem_store(req, status);
    break;
  case LK_STORE_CONFLICT:
    lk_req_problem(req, 409, "invalid-transition", "Conflict",
                   "the notice is withdrawn", NULL);
    break;
  case LK_NOTICE_FAQ_EFULL:
    lk_req_problem(req, 409, "faq-limit", "Conflict",
                   "the notice already has 50 published questions", NULL);
    break;
  case LK_NOTICE_EVERSION:
    lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                   "the question has changed since that version", NULL);
    break;
  default:
    lk_req_problem_store(req, status);
  }
}

/* ---- list and one --------------------------------------------------- */

struct list_ctx {
  lk_buf *b;
  int n;
  char last[40];
};

static void faq_one(const lk_notice_faq_row *f, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_notice_faq_json(lc->b, f);
  snprintf(lc->last, sizeof(lc->last), "%s", f->id);
}

/* 0 if notice `id` exists, else answers 404 (or the store's problem). */
static int notice_exists(lk_req *req, const char *id) {
  lk_notice_row *n;
  int rc;

  if (!lk_uuid_valid(id)) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return -1;
  }
  n = malloc(sizeof(*n));
  rc = n != NULL ? lk_store_notice_get(lk_req_app(req)->store, id, n)
                 : LK_STORE_NOMEM;
  free(n);
  if (rc != 0)
    lk_req_problem_store(req, rc);
  return rc != 0 ? -1 : 0;
}

static void faqs_list(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) ||
      notice_exists(req, id) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc =
      lk_store_notice_faq_list(lk_req_app(req)->store, id,
                               after != NULL ? after : "", limit, faq_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

/* FAQ {faqId} of notice {id} into *f (to be freed); -1 after answering. */
static int faq_of_path(lk_req *req, lk_notice_faq_row **f) {
  const char *id = lk_req_param(req, "id");
  const char *faq_id = lk_req_param(req, "faqId");
  int rc;

  *f = NULL;
  if (!lk_uuid_valid(id) || !lk_uuid_valid(faq_id)) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return -1;
  }
  *f = malloc(sizeof(**f));
  rc = *f != NULL ? lk_store_notice_faq_get(lk_req_app(req)->store, faq_id, *f)
                  : LK_STORE_NOMEM;
  if (rc == 0 && strcmp((*f)->notice_id, id) != 0)
    rc = LK_STORE_NOTFOUND;
  if (rc != 0) {
    free(*f);
    *f = NULL;
    lk_req_problem_store(req, rc);
    return -1;
  }
  return 0;
}

static void faqs_get(lk_req *req) {
  lk_notice_faq_row *f;

  if (lk_api_auth(req, "api") != 0 || faq_of_path(req, &f) != 0)
    return;
  respond_faq(req, 200, f);
  free(f);
}

/* ---- create --------------------------------------------------------- */

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_notice_faq_create_op op;
};

static void created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    write_failed(req, status, &ctx->op.why);
    return;
  }
  respond_faq(req, 201, &ctx->op.f);
}

static void faqs_create(lk_req *req) {
  static const char *const allowed[] = {"question", "answer", "sourceContactId",
                                        "position", NULL};
  const lk_principal *p;
  const char *question, *answer, *source;
  long long position = 0;
  bool has_position;
  struct create_ctx *ctx;
  lk_notice_faq_caller who;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "question", false, &question) != 0 ||
      lk_json_string(req, body, "answer", false, &answer) != 0 ||
      lk_json_string(req, body, "sourceContactId", false, &source) != 0 ||
      lk_json_int(req, body, "position", false, 1, LK_FAQ_POSITION_MAX,
                  &position, &has_position) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  p = lk_req_principal(req);
  who = (lk_notice_faq_caller){.actor = lk_req_actor(req),
                               .request_id = lk_req_id(req),
                               .may_confidential = p->confidential};
  rc = lk_notice_faq_create_prepare(&ctx->op, &who, lk_req_param(req, "id"),
                                    question, answer, source, position, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_notice_faq_create_apply, &ctx->op, created);
}

/* ---- patch and delete ----------------------------------------------- */

struct patch_ctx {
  lk_api_write aw;
  lk_notice_faq_patch_op op;
};

static void patched(lk_req *req, int status) {
  struct patch_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    write_failed(req, status, NULL);
    return;
  }
  if (strcmp(lk_req_method(req), "DELETE") == 0) {
    lk_req_respond(req, 204, NULL, "", 0);
    return;
  }
  respond_faq(req, 200, &ctx->op.f);
}

/* A new patch op for the path's FAQ; NULL after answering. */
static struct patch_ctx *patch_begin(lk_req *req) {
  struct patch_ctx *ctx = lk_api_data(req, sizeof(*ctx), free);
  lk_invalid why;
  int rc;

  if (ctx == NULL)
    return NULL;
  rc = lk_notice_faq_patch_prepare(&ctx->op, lk_req_actor(req),
                                   lk_req_param(req, "id"),
                                   lk_req_param(req, "faqId"), &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return NULL;
  }
  if (lk_api_if_match(req, "question", &ctx->op.if_version) != 0)
    return NULL;
  return ctx;
}

/* Applies the members of `body`; 0, or -1 after answering. */
static int patch_fields(lk_req *req, json_t *body, lk_notice_faq_patch_op *op) {
  static const char *const allowed[] = {"question", "answer",       "position",
                                        "status",   "hidePrevious", NULL};
  const char *question, *answer, *status;
  long long position = 0;
  bool has_position, has_hide;
  lk_invalid why;
  int rc = 0;

  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "question", false, &question) != 0 ||
      lk_json_string(req, body, "answer", false, &answer) != 0 ||
      lk_json_string(req, body, "status", false, &status) != 0 ||
      lk_json_int(req, body, "position", false, 1, LK_FAQ_POSITION_MAX,
                  &position, &has_position) != 0 ||
      lk_json_bool(req, body, "hidePrevious", &op->hide_previous, &has_hide) !=
          0)
    return -1;
  if (question != NULL)
    rc = lk_notice_faq_patch_question(op, question, &why);
  if (rc == 0 && answer != NULL)
    rc = lk_notice_faq_patch_answer(op, answer, &why);
  if (rc == 0 && has_position)
    rc = lk_notice_faq_patch_position(op, position, &why);
  if (rc == 0 && status != NULL)
    rc = lk_notice_faq_patch_status(op, status, &why);
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return -1;
  }
  return 0;
}

static void faqs_patch(lk_req *req) {
  struct patch_ctx *ctx;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  ctx = patch_begin(req);
  rc = ctx != NULL ? patch_fields(req, body, &ctx->op) : -1;
  json_decref(body);
  if (rc != 0)
    return;
  lk_api_submit(req, &ctx->aw, lk_notice_faq_patch_apply, &ctx->op, patched);
}

/* Withdraws: off the public page, kept for the audit trail. */
static void faqs_delete(lk_req *req) {
  struct patch_ctx *ctx;
  lk_invalid why;

  if (lk_api_auth(req, "api") != 0)
    return;
  ctx = patch_begin(req);
  if (ctx == NULL)
    return;
  lk_notice_faq_patch_status(&ctx->op, "withdrawn", &why);
  lk_api_submit(req, &ctx->aw, lk_notice_faq_patch_apply, &ctx->op, patched);
}

/* ---- edit history --------------------------------------------------- */

static void edit_one(const lk_notice_edit_row *e, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_notice_edit_json(lc->b, e);
  snprintf(lc->last, sizeof(lc->last), "%lld", (long long)e->seq);
}

/* ?after=<seq> (the previous page's next: the list runs newest first,
 * so what follows has a lower seq); 0 when absent.  Returns 0, or answers
 * 400 and returns -1. */
static int after_param(lk_req *req, int64_t *out) {
  const char *v = lk_req_query(req, "after");
  char *end;
  long long n;

  *out = 0;
  if (v == NULL)
    return 0;
  n = strtoll(v, &end, 10);
  if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < 1) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "must be the next value of the previous page", "after");
    return -1;
  }
  *out = n;
  return 0;
}

static void faq_edits(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  lk_notice_faq_row *f;
  int64_t before;
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 20, 100, &limit) ||
      after_param(req, &before) != 0 || faq_of_path(req, &f) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_notice_faq_edits(lk_req_app(req)->store, f->id, before, limit,
                                 edit_one, &lc);
  free(f);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}

static void update_edits(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  const char *update_id = lk_req_param(req, "updateId");
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.b = &b};
  lk_notice_update_row u;
  int64_t before;
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 20, 100, &limit) ||
      after_param(req, &before) != 0)
    return;
  rc = lk_uuid_valid(id) && lk_uuid_valid(update_id)
           ? lk_store_notice_update_get(s, update_id, &u)
           : LK_STORE_NOTFOUND;
  if (rc == 0 && strcmp(u.notice_id, id) != 0)
    rc = LK_STORE_NOTFOUND;
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_notice_update_edits(s, update_id, before, limit, edit_one, &lc);
  lk_api_list_end(req, &b, rc, limit, lc.last);
}
