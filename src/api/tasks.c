/* tasks.c - /api/v1/tasks: interne taken in Loket's own API. */
#include "api/tasks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/proclog.h"
#include "core/task.h"
#include "http/json.h"
#include "http/problem.h"

/* Member names of this API for the domain's field keys. */
static const char *member(const char *field) {
  static const struct {
    const char *key;
    const char *name;
  } map[] = {{"contact", "/contactId"},
             {"conversation", "/conversationId"},
             {"kind", "/kind"},
             {"action", "/action"},
             {"explanation", "/explanation"},
             {"status", "/status"},
             {"deadline", "/deadline"},
             {"assignees", "/assigneeIds"}};

  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    if (strcmp(map[i].key, field) == 0)
      return map[i].name;
  }
  return NULL;
}

static void opt_time(lk_buf *b, const char *name, int64_t v) {
  lk_buf_printf(b, ",\"%s\":", name);
  if (v != 0)
    lk_buf_printf(b, "%lld", (long long)v);
  else
    lk_buf_puts(b, "null");
}

void lk_api_task_json(lk_buf *b, const lk_task_row *t) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, t->id);
  lk_buf_puts(b, ",\"number\":");
  lk_buf_json_str(b, t->nummer);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, t->kind);
  lk_buf_puts(b, ",\"action\":");
  lk_buf_json_str(b, t->action);
  lk_buf_puts(b, ",\"explanation\":");
  lk_buf_json_str(b, t->explanation);
  lk_buf_puts(b, ",\"status\":");
  lk_buf_json_str(b, t->status);
  opt_time(b, "deadline", t->deadline);
  lk_buf_puts(b, ",\"contactId\":");
  lk_buf_json_str(b, t->contact_id);
  lk_buf_puts(b, ",\"conversationId\":");
  if (t->conversation_id[0] != '\0')
    lk_buf_json_str(b, t->conversation_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"assigneeIds\":[");
  for (int i = 0; i < t->nassignees; i++) {
    if (i > 0)
      lk_buf_putc(b, ',');
    lk_buf_json_str(b, t->assignees[i]);
  }
  lk_buf_printf(b, "],\"assignedAt\":%lld", (long long)t->assigned_at);
  opt_time(b, "doneAt", t->done_at);
  lk_buf_printf(b, ",\"createdAt\":%lld,\"updatedAt\":%lld}",
                (long long)t->created_at, (long long)t->updated_at);
}

/* ---- reading the body ------------------------------------------------ */

static int field_problem(lk_req *req, const char *pointer, const char *reason) {
  lk_req_problem(req, 422, "invalid-field", "Invalid field", reason, pointer);
  return -1;
}

/* Fills `in` from the members of `body` this API knows. */
static int read_input(lk_req *req, json_t *body, bool create,
                      lk_task_input *in) {
  static const char *const create_members[] = {
      "contactId",   "conversationId", "kind",        "action",
      "explanation", "deadline",       "assigneeIds", NULL};
  static const char *const update_members[] = {
      "status",   "kind",        "action", "explanation",
      "deadline", "assigneeIds", NULL};
  static const struct {
    const char *name;
    unsigned flag;
    size_t offset;
    bool create_only;
  } strings[] = {
      {"contactId", LK_TASK_F_CONTACT, offsetof(lk_task_input, contact_id),
       true},
      {"conversationId", LK_TASK_F_CONVERSATION,
       offsetof(lk_task_input, conversation_id), true},
      {"kind", LK_TASK_F_KIND, offsetof(lk_task_input, kind), false},
      {"action", LK_TASK_F_ACTION, offsetof(lk_task_input, action), false},
      {"explanation", LK_TASK_F_EXPLANATION,
       offsetof(lk_task_input, explanation), false},
      {"status", LK_TASK_F_STATUS, offsetof(lk_task_input, status), false},
  };
  json_t *v;
  size_t i;

  memset(in, 0, sizeof(*in));
  if (lk_json_only(req, body, create ? create_members : update_members) != 0)
    return -1;
  for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
    const char **slot = (const char **)((char *)in + strings[i].offset);
    char pointer[40];

    if (json_object_get(body, strings[i].name) == NULL)
      continue;
    if (lk_json_string(req, body, strings[i].name, true, slot) != 0)
      return -1;
    if (strings[i].create_only && !create) {
      snprintf(pointer, sizeof(pointer), "/%s", strings[i].name);
      return field_problem(req, pointer, "cannot be changed");
    }
    in->set |= strings[i].flag;
  }
  v = json_object_get(body, "deadline");
  if (v != NULL) {
    if (json_is_null(v)) {
      in->deadline = 0;
    } else if (json_is_integer(v) && json_integer_value(v) > 0) {
      in->deadline = json_integer_value(v);
    } else {
      return field_problem(req, "/deadline",
                           "must be a time in Unix milliseconds or null");
    }
    in->set |= LK_TASK_F_DEADLINE;
  }
  v = json_object_get(body, "assigneeIds");
  if (v != NULL) {
    json_t *a;

    if (!json_is_array(v) || json_array_size(v) > LK_TASK_ASSIGNEES_MAX)
      return field_problem(req, "/assigneeIds",
                           "must be an array of at most 16 actor ids");
    json_array_foreach(v, i, a) {
      if (!json_is_string(a))
        return field_problem(req, "/assigneeIds", "must list actor ids");
      in->assignees[in->nassignees++] = json_string_value(a);
    }
    in->set |= LK_TASK_F_ASSIGNEES;
  }
  return 0;
}

/* ---- writes ----------------------------------------------------------- */

struct write_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_task_op op;
  bool created;
};

static void written(lk_req *req, int status) {
  struct write_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (status == LK_TASK_EREF) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "names nothing you can use", member(ctx->op.ref_field));
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_api_task_json(&b, &ctx->op.task);
  lk_buf_putc(&b, '\n');
  if (ctx->created)
    lk_api_location(req, "tasks", ctx->op.task.id);
  lk_req_respond_buf(req, ctx->created ? 201 : 200, "application/json", &b);
}

static void write_task(lk_req *req, bool create) {
  const lk_principal *p;
  struct write_ctx *ctx;
  lk_task_input in;
  lk_invalid why = {NULL, NULL};
  json_t *body;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  p = lk_req_principal(req);
  if (read_input(req, body, create, &in) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  ctx->created = create;
  if (create)
    rc = lk_task_create_prepare(&ctx->op, p->actor, lk_req_id(req),
                                p->confidential, &in, &why);
  else
    rc = lk_task_update_prepare(&ctx->op, p->actor, lk_req_id(req),
                                p->confidential, lk_req_param(req, "id"), &in,
                                &why);
  json_decref(body);
  if (rc == LK_EINVALID) {
    lk_req_problem(req, 422,
                   strcmp(why.reason, "is required") == 0 ? "missing-field"
                                                          : "invalid-field",
                   "Invalid field", why.reason, member(why.field));
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_submit(req, &ctx->aw,
                create ? lk_task_create_apply : lk_task_update_apply, &ctx->op,
                written);
}

static void tasks_create(lk_req *req) {
  write_task(req, true);
}

static void tasks_update(lk_req *req) {
  write_task(req, false);
}

/* ---- reads ------------------------------------------------------------ */

static int log_read(lk_req *req, const char *party, const char *resource) {
  lk_proclog_entry e = {lk_req_actor(req), party, "read",        "internetaak",
                        resource,          NULL,  lk_req_id(req)};
  int rc = lk_proclog_read(lk_req_app(req)->store, &e);

  if (rc != 0)
    lk_req_problem_store(req, rc);
  return rc;
}

static void tasks_get(lk_req *req) {
  char id[LK_TASK_ID_SIZE];
  char resource[64];
  lk_task_row *t;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  if (!lk_task_uuid(lk_req_param(req, "id"), id)) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  t = malloc(sizeof(*t));
  if (t == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_task_get(lk_req_app(req)->store, id,
                         lk_req_principal(req)->confidential, t);
  snprintf(resource, sizeof(resource), "task:%s", id);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
  } else if (log_read(req, t->party_id, resource) == 0) {
    lk_api_task_json(&b, t);
    lk_buf_putc(&b, '\n');
    lk_req_respond_buf(req, 200, "application/json", &b);
  }
  free(t);
}

static int bad_param(lk_req *req, const char *name, const char *reason) {
  lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter", reason,
                 name);
  return -1;
}

/* Reads a query parameter that must be a UUID into `out`. */
static int uuid_param(lk_req *req, const char *name, char *out,
                      const char **slot) {
  const char *v = lk_req_query(req, name);

  if (v == NULL)
    return 0;
  if (!lk_task_uuid(v, out))
    return bad_param(req, name, "must be a UUID");
  *slot = out;
  return 0;
}

static int int_param(lk_req *req, const char *name, int64_t *out) {
  const char *v = lk_req_query(req, name);
  long long n;
  char *end;

  if (v == NULL)
    return 0;
  errno = 0;
  n = strtoll(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || n <= 0)
    return bad_param(req, name, "must be a time in Unix milliseconds");
  *out = n;
  return 0;
}

/* The cursor is "<deadline key>.<seq>" of the last task of a page. */
static int cursor_param(lk_req *req, lk_task_filter *f) {
  const char *v = lk_req_query(req, "after");
  char *end;
  char *end2;

  if (v == NULL)
    return 0;
  errno = 0;
  f->after_key = strtoll(v, &end, 10);
  if (errno != 0 || end == v || *end != '.')
    return bad_param(req, "after", "must be a cursor from \"next\"");
  f->after_seq = strtoll(end + 1, &end2, 10);
  if (errno != 0 || end2 == end + 1 || *end2 != '\0')
    return bad_param(req, "after", "must be a cursor from \"next\"");
  f->has_cursor = true;
  return 0;
}

struct list_ctx {
  lk_req *req;
  lk_buf *b;
  int n;
  int log_error; /* the first failure to log a read */
  int64_t last_key;
  int64_t last_seq;
};

/* Each task listed is a read of its resident's data. */
static void list_one(const lk_task_row *t, void *ud) {
  struct list_ctx *lc = ud;
  char resource[64];
  lk_proclog_entry e = {lk_req_actor(lc->req), t->party_id, "read",
                        "internetaak",         resource,    NULL,
                        lk_req_id(lc->req)};
  int rc;

  snprintf(resource, sizeof(resource), "task:%s", t->id);
  rc = lk_proclog_read(lk_req_app(lc->req)->store, &e);
  if (rc != 0 && lc->log_error == 0)
    lc->log_error = rc;
  if (lc->n++ > 0)
    lk_buf_putc(lc->b, ',');
  lk_api_task_json(lc->b, t);
  lc->last_key = lk_task_deadline_key(t);
  lc->last_seq = t->seq;
}

static void tasks_list(lk_req *req) {
  const lk_principal *p;
  lk_task_filter f = {0};
  char assignee[LK_TASK_ID_SIZE];
  char contact[LK_TASK_ID_SIZE];
  char conversation[LK_TASK_ID_SIZE];
  const char *v;
  lk_buf b = LK_BUF_INIT;
  struct list_ctx lc = {.req = req, .b = &b};
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &f.limit))
    return;
  p = lk_req_principal(req);
  f.confidential = p->confidential;
  f.order = LK_TASK_BY_DEADLINE;
  f.status = lk_req_query(req, "status");
  if (f.status != NULL && !lk_task_status_ok(f.status)) {
    bad_param(req, "status", "must be te_verwerken or verwerkt");
    return;
  }
  f.kind = lk_req_query(req, "kind");
  if (f.kind != NULL && !lk_task_kind_ok(f.kind)) {
    bad_param(req, "kind", "must be callback, backoffice or other");
    return;
  }
  v = lk_req_query(req, "assigneeId");
  if (v != NULL && strcmp(v, "me") == 0) {
    if (p->actor_id[0] == '\0') {
      bad_param(req, "assigneeId", "\"me\" needs a staff member's session");
      return;
    }
    if (!lk_task_uuid(p->actor_id, assignee)) {
      bad_param(req, "assigneeId", "your account has no actor");
      return;
    }
    f.assignee_id = assignee;
  } else if (uuid_param(req, "assigneeId", assignee, &f.assignee_id) != 0) {
    return;
  }
  if (uuid_param(req, "contactId", contact, &f.contact_id) != 0 ||
      uuid_param(req, "conversationId", conversation, &f.conversation_id) !=
          0 ||
      int_param(req, "dueBefore", &f.due_before) != 0 ||
      cursor_param(req, &f) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_task_list(lk_req_app(req)->store, &f, list_one, &lc);
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (lc.log_error != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, lc.log_error);
    return;
  }
  lk_buf_puts(&b, "],\"next\":");
  if (rc == f.limit)
    lk_buf_printf(&b, "\"%lld.%lld\"", (long long)lc.last_key,
                  (long long)lc.last_seq);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, "}\n");
  lk_req_respond_buf(req, 200, "application/json", &b);
}

int lk_api_tasks_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/api/v1/tasks", tasks_list, 0},
      {"POST", "/api/v1/tasks", tasks_create, 0},
      {"GET", "/api/v1/tasks/{id}", tasks_get, 0},
      {"PATCH", "/api/v1/tasks/{id}", tasks_update, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
