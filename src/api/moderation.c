/* moderation.c - the staff API of participation moderation and matching:
 * /api/v1/moderation/... and /api/v1/listings (docs/matching.md). */
#include "api/moderation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/help.h"
#include "core/moderation.h"
#include "core/proclog.h"
#include "http/json.h"
#include "http/problem.h"

/* Reads of resident content are logged before they are answered. */
static int log_read(lk_req *req, const char *resource) {
  lk_proclog_entry e = {lk_req_actor(req), NULL, "read",        "participatie",
                        resource,          NULL, lk_req_id(req)};
  int rc = lk_proclog_read(lk_req_app(req)->store, &e);

  if (rc != 0)
    lk_req_problem_store(req, rc);
  return rc;
}

/* ---- reports ------------------------------------------------------------ */

struct report_list {
  lk_buf *b;
  int n;
  char last[24];
};

static void report_one(const lk_mx_report_row *r, void *ud) {
  struct report_list *l = ud;

  if (l->n++ > 0)
    lk_buf_putc(l->b, ',');
  lk_mod_report_json(l->b, r);
  snprintf(l->last, sizeof(l->last), "%lld", (long long)r->seq);
}

static void reports_list(lk_req *req) {
  const char *state = lk_req_query(req, "state");
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct report_list l = {.b = &b};
  long long after_seq = 0;
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  if (state == NULL)
    state = "open";
  if (strcmp(state, "open") != 0 && strcmp(state, "actioned") != 0 &&
      strcmp(state, "dismissed") != 0 && strcmp(state, "all") != 0) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "state must be open, actioned, dismissed or all", "state");
    return;
  }
  if (after != NULL) {
    char *end;

    after_seq = strtoll(after, &end, 10);
    if (after[0] == '\0' || *end != '\0' || after_seq < 0) {
      lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                     "after must be the next value of a previous page",
                     "after");
      return;
    }
  }
  if (log_read(req, "moderation:reports") != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_mx_report_list(lk_req_app(req)->store,
                               strcmp(state, "all") == 0 ? "" : state,
                               after_seq, limit, report_one, &l);
  lk_api_list_end(req, &b, rc, limit, l.last);
}

/* The reported content of our own types, for staff to judge: appends
 * ,"content":{...} or ,"content":null (initiatives and updates are read
 * through /api/v1/initiatives, accounts have no content). */
static int report_content(lk_store *s, lk_buf *b, const lk_mx_report_row *r) {
  const char *type = r->target_type;
  int rc = 0;

  lk_buf_puts(b, ",\"content\":");
  if (strcmp(type, "listing") == 0) {
    lk_mx_listing_row *l = malloc(sizeof(*l));

    rc = l == NULL ? LK_STORE_NOMEM
                   : lk_store_mx_listing_get(s, NULL, r->target_id, l);
    if (rc == 0)
      lk_mx_listing_json(b, l);
    free(l);
  } else if (strcmp(type, "help_need") == 0) {
    lk_mx_help_row h;

    rc = lk_store_mx_help_get(s, NULL, r->target_id, &h);
    if (rc == 0)
      lk_help_need_json(b, &h);
  } else if (strcmp(type, "message") == 0) {
    lk_mx_message_row *m = malloc(sizeof(*m));

    rc = m == NULL ? LK_STORE_NOMEM
                   : lk_store_mx_message_get(s, NULL, r->target_id, m);
    if (rc == 0) {
      lk_buf_puts(b, "{\"id\":");
      lk_buf_json_str(b, m->id);
      lk_buf_puts(b, ",\"thread\":");
      lk_buf_json_str(b, m->thread_id);
      lk_buf_puts(b, ",\"sender\":");
      lk_buf_json_str(b, m->sender_id);
      lk_buf_puts(b, ",\"body\":");
      lk_buf_json_str(b, m->body);
      lk_buf_json_ms(b, "createdAt", m->created_at);
      lk_buf_json_ms(b, "hiddenAt", m->hidden_at);
      lk_buf_putc(b, '}');
    }
    free(m);
  } else {
    rc = LK_STORE_NOTFOUND;
  }
  if (rc == LK_STORE_NOTFOUND) {
    lk_buf_puts(b, "null");
    rc = 0;
  }
  return rc;
}

static void reports_get(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_store *s = lk_req_app(req)->store;
  lk_mx_report_row r;
  lk_buf b = LK_BUF_INIT;
  char resource[64];
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  if (strlen(id) > LK_MX_ID_MAX) {
    lk_req_not_found(req);
    return;
  }
  rc = lk_store_mx_report_get(s, NULL, id, &r);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  snprintf(resource, sizeof(resource), "report:%s", r.id);
  if (log_read(req, resource) != 0)
    return;
  lk_mod_report_json(&b, &r);
  if (b.len > 0 && b.data[b.len - 1] == '}')
    b.len--; /* reopen the object: the content goes in as a member */
  rc = report_content(s, &b, &r);
  lk_buf_puts(&b, "}\n");
  if (rc != 0 || !lk_buf_ok(&b)) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc != 0 ? rc : LK_STORE_NOMEM);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* ---- actions ------------------------------------------------------------- */

struct action_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_mod_action_op op;
};

static void action_done(lk_req *req, int status) {
  struct action_ctx *ctx = lk_req_data(req);
  lk_mod_action_op *op = &ctx->op;
  lk_buf b = LK_BUF_INIT;

  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "conflict", "Conflict",
                   "the target is in that state already", NULL);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_buf_puts(&b, "{\"action\":");
  lk_buf_json_str(&b, op->action);
  lk_buf_puts(&b, ",\"type\":");
  lk_buf_json_str(&b, op->type[0] != '\0'                  ? op->type
                      : strcmp(op->action, "dismiss") == 0 ? "report"
                                                           : "account");
  lk_buf_puts(&b, ",\"id\":");
  lk_buf_json_str(&b, op->id);
  lk_buf_printf(&b, ",\"reportsResolved\":%d}\n", op->resolved);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static void actions_create(lk_req *req) {
  static const char *const allowed[] = {"action", "type", "id", "reason", NULL};
  const char *action, *type, *id, *reason;
  struct action_ctx *ctx;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "action", true, &action) != 0 ||
      lk_json_string(req, body, "type", false, &type) != 0 ||
      lk_json_string(req, body, "id", true, &id) != 0 ||
      lk_json_string(req, body, "reason", false, &reason) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_mod_action_prepare(&ctx->op, lk_req_actor(req), action, type, id,
                             reason, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_mod_action_apply, &ctx->op, action_done);
}

/* ---- listings ------------------------------------------------------------ */

struct listing_list {
  lk_buf *b;
  int n;
  char last[24];
};

static void listing_one(const lk_mx_listing_row *r, void *ud) {
  struct listing_list *l = ud;

  if (l->n++ > 0)
    lk_buf_putc(l->b, ',');
  lk_mx_listing_json(l->b, r);
  snprintf(l->last, sizeof(l->last), "%lld", (long long)r->seq);
}

static bool filter_ok(const char *v) {
  size_t n = v != NULL ? strlen(v) : 0;

  return v == NULL ||
         (n <= LK_MX_ID_MAX &&
          strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n);
}

static void listings_list(lk_req *req) {
  lk_mx_listing_filter f = {lk_req_query(req, "kind"),
                            lk_req_query(req, "theme"),
                            lk_req_query(req, "neighbourhood"), 0};
  const char *before = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct listing_list l = {.b = &b};
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit))
    return;
  if (f.kind != NULL && strcmp(f.kind, "offer") != 0 &&
      strcmp(f.kind, "need") != 0) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "kind must be offer or need", "kind");
    return;
  }
  if (!filter_ok(f.theme) || !filter_ok(f.neighbourhood)) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "kind, theme and neighbourhood are ids", NULL);
    return;
  }
  if (before != NULL) {
    char *end;

    f.before_seq = strtoll(before, &end, 10);
    if (before[0] == '\0' || *end != '\0' || f.before_seq <= 0) {
      lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                     "after must be the next value of a previous page",
                     "after");
      return;
    }
  }
  if (log_read(req, "listings") != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_mx_listing_list(lk_req_app(req)->store, &f, limit, listing_one,
                                &l);
  lk_api_list_end(req, &b, rc, limit, l.last);
}

static void listings_get(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_mx_listing_row *r;
  lk_buf b = LK_BUF_INIT;
  char resource[64];
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  if (strlen(id) > LK_MX_ID_MAX) {
    lk_req_not_found(req);
    return;
  }
  r = malloc(sizeof(*r));
  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_mx_listing_get(lk_req_app(req)->store, NULL, id, r);
  snprintf(resource, sizeof(resource), "listing:%s", id);
  if (rc == 0 && log_read(req, resource) != 0) {
    free(r);
    return;
  }
  if (rc != 0) {
    free(r);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_mx_listing_json(&b, r);
  free(r);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

int lk_moderation_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/api/v1/moderation/reports", reports_list, 0},
      {"GET", "/api/v1/moderation/reports/{id}", reports_get, 0},
      {"POST", "/api/v1/moderation/actions", actions_create, 0},
      {"GET", "/api/v1/listings", listings_list, 0},
      {"GET", "/api/v1/listings/{id}", listings_get, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
