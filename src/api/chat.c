/* chat.c - /api/v1/chats and /api/v1/callbacks.
 *
 * Agents list the chats, take one with the conversation claim
 * (POST /api/v1/conversations/{id}/claim), answer with the message API
 * (POST /api/v1/conversations/{id}/messages, direction outbound) and say
 * here that they type or have read.  The callback queue lists callback
 * requests by chosen slot with what the resident had typed; one POST
 * logs a call's outcome.
 */
#include "api/chat.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/conversations.h"
#include "app.h"
#include "core/chat.h"
#include "core/ids.h"
#include "http/json.h"
#include "http/problem.h"
#include "util/clock.h"

#define PARTIES_MAX 100

struct reads {
  const char *ids[PARTIES_MAX];
  char buf[PARTIES_MAX][LK_CHAT_ID];
  int n;
};

static void note_party(struct reads *r, const char *party_id) {
  if (party_id == NULL || party_id[0] == '\0' || r->n >= PARTIES_MAX)
    return;
  snprintf(r->buf[r->n], sizeof(r->buf[0]), "%s", party_id);
  r->ids[r->n] = r->buf[r->n];
  r->n++;
}

/* ---- GET /api/v1/chats ---------------------------------------------- */

struct chat_list {
  lk_buf *b;
  lk_store *store;
  struct reads *reads;
  int n;
  char last[LK_CHAT_ID];
};

static void chat_item(const lk_chat_row *c, void *ud) {
  struct chat_list *l = ud;
  int pos = 0;

  lk_store_chat_position(l->store, c, &pos);
  note_party(l->reads, c->party_id);
  lk_buf_puts(l->b, l->n++ > 0 ? ",{\"id\":" : "{\"id\":");
  lk_buf_json_str(l->b, c->id);
  lk_buf_puts(l->b, ",\"conversationId\":");
  lk_buf_json_str(l->b, c->conversation_id);
  lk_buf_puts(l->b, ",\"reference\":");
  lk_buf_json_str(l->b, c->reference);
  lk_buf_puts(l->b, ",\"status\":");
  lk_buf_json_str(l->b, c->status);
  lk_buf_puts(l->b, ",\"residentName\":");
  lk_buf_json_str(l->b, c->party_name);
  lk_buf_puts(l->b, ",\"assigneeId\":");
  if (c->assignee_id[0] != '\0')
    lk_buf_json_str(l->b, c->assignee_id);
  else
    lk_buf_puts(l->b, "null");
  if (pos > 0)
    lk_buf_printf(l->b, ",\"position\":%d", pos);
  else
    lk_buf_puts(l->b, ",\"position\":null");
  lk_buf_printf(l->b,
                ",\"residentRead\":%lld,\"agentRead\":%lld,"
                "\"lastMessageAt\":%lld,\"createdAt\":%lld}",
                (long long)c->resident_read, (long long)c->agent_read,
                (long long)c->last_message_at, (long long)c->created_at);
  snprintf(l->last, sizeof(l->last), "%s", c->id);
}

static void chats_list(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *after = lk_req_query(req, "after");
  lk_conv_caller caller;
  struct reads *reads;
  struct chat_list l = {0};
  lk_buf b = LK_BUF_INIT;
  int64_t after_seq = 0;
  int limit, rc;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  if (after != NULL && after[0] != '\0') {
    rc = lk_uuid_valid(after) ? lk_store_chat_seq(app->store, after, &after_seq)
                              : LK_STORE_NOTFOUND;
    if (rc == LK_STORE_NOTFOUND) {
      lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                     "after must be a chat id from a previous page", "after");
      return;
    }
    if (rc != 0) {
      lk_req_problem_store(req, rc);
      return;
    }
  }
  reads = calloc(1, sizeof(*reads));
  if (reads == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_api_conv_caller(req, &caller);
  l.b = &b;
  l.store = app->store;
  l.reads = reads;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_chat_list(app->store, after_seq, limit, caller.may_confidential,
                          chat_item, &l);
  if (rc >= 0 && reads->n > 0 &&
      lk_conv_log_reads(app->store, &caller, "chats", reads->ids, reads->n) !=
          0) {
    free(reads);
    lk_buf_free(&b);
    lk_req_problem_store(req, LK_STORE_IO);
    return;
  }
  free(reads);
  lk_api_list_end(req, &b, rc, limit, l.last);
}

/* ---- POST /api/v1/chats/{id}/typing and /read ------------------------ */

int lk_api_chat_failed(lk_req *req, int status) {
  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "chat-ended", "Chat ended", "this chat has ended",
                   NULL);
    return -1;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return -1;
  }
  return 0;
}

struct signal_ctx {
  lk_api_write aw;
  lk_chat_signal_op op;
};

static void signalled(lk_req *req, int status) {
  if (lk_api_chat_failed(req, status) != 0)
    return;
  lk_req_respond(req, 204, NULL, NULL, 0);
}

static struct signal_ctx *signal_begin(lk_req *req) {
  const lk_principal *p;
  const char *id = lk_req_param(req, "id");
  struct signal_ctx *ctx;

  if (lk_api_auth(req, "api") != 0)
    return NULL;
  if (!lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return NULL;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return NULL;
  p = lk_req_principal(req);
  snprintf(ctx->op.actor, sizeof(ctx->op.actor), "%s", p->actor);
  for (int i = 0; id[i] != '\0' && i < LK_UUID_LEN; i++)
    ctx->op.conversation_id[i] =
        (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] - 'A' + 'a' : id[i]);
  ctx->op.agent = true;
  snprintf(ctx->op.agent_id, sizeof(ctx->op.agent_id), "%s", p->actor_id);
  ctx->op.confidential = p->confidential;
  snprintf(ctx->op.request_id, sizeof(ctx->op.request_id), "%s",
           lk_req_id(req));
  return ctx;
}

static void chat_typing(lk_req *req) {
  struct signal_ctx *ctx = signal_begin(req);

  if (ctx != NULL)
    lk_api_submit(req, &ctx->aw, lk_chat_typing_apply, &ctx->op, signalled);
}

static void chat_read(lk_req *req) {
  static const char *const allowed[] = {"seq", NULL};
  struct signal_ctx *ctx;
  json_t *body = NULL, *seq;

  ctx = signal_begin(req);
  if (ctx == NULL || lk_req_json(req, &body) != 0)
    return;
  seq = json_object_get(body, "seq");
  if (lk_json_only(req, body, allowed) != 0) {
    json_decref(body);
    return;
  }
  if (!json_is_integer(seq) || json_integer_value(seq) < 0) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be a message seq", "/seq");
  } else {
    ctx->op.seq = json_integer_value(seq);
    lk_api_submit(req, &ctx->aw, lk_chat_read_apply, &ctx->op, signalled);
  }
  json_decref(body);
}

/* ---- GET /api/v1/callbacks ------------------------------------------ */

struct cb_list {
  lk_buf *b;
  struct reads *reads;
  int n;
  char last[LK_CHAT_ID];
};

static void callback_json(lk_buf *b, const lk_callback_row *c) {
  char s[32], e[32];

  lk_clock_format_iso(c->slot_start, s, sizeof(s));
  lk_clock_format_iso(c->slot_end, e, sizeof(e));
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, c->id);
  lk_buf_puts(b, ",\"taskId\":");
  lk_buf_json_str(b, c->task_id);
  lk_buf_puts(b, ",\"taskStatus\":");
  lk_buf_json_str(b, c->task_status);
  lk_buf_puts(b, ",\"conversationId\":");
  lk_buf_json_str(b, c->conversation_id);
  lk_buf_puts(b, ",\"reference\":");
  lk_buf_json_str(b, c->reference);
  lk_buf_puts(b, ",\"contactId\":");
  lk_buf_json_str(b, c->contact_id);
  lk_buf_puts(b, ",\"source\":");
  lk_buf_json_str(b, c->source);
  lk_buf_puts(b, ",\"residentName\":");
  lk_buf_json_str(b, c->party_name);
  lk_buf_puts(b, ",\"phone\":");
  lk_buf_json_str(b, c->phone);
  lk_buf_printf(b, ",\"slotStart\":\"%s\",\"slotEnd\":\"%s\"", s, e);
  /* The context is a JSON object Loket wrote itself. */
  lk_buf_puts(b, ",\"context\":");
  lk_buf_puts(b,
              c->context != NULL && c->context[0] == '{' ? c->context : "{}");
  lk_buf_printf(b, ",\"attempts\":%lld,\"outcome\":", (long long)c->attempts);
  if (c->outcome != NULL && c->outcome[0] != '\0')
    lk_buf_json_str(b, c->outcome);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"outcomeNote\":");
  lk_buf_json_str(b, c->outcome_note != NULL ? c->outcome_note : "");
  lk_buf_puts(b, ",\"outcomeAt\":");
  if (c->outcome_at != 0)
    lk_buf_printf(b, "%lld", (long long)c->outcome_at);
  else
    lk_buf_puts(b, "null");
  lk_buf_printf(b, ",\"createdAt\":%lld}", (long long)c->created_at);
}

static void cb_item(const lk_callback_row *c, void *ud) {
  struct cb_list *l = ud;

  if (l->n++ > 0)
    lk_buf_putc(l->b, ',');
  callback_json(l->b, c);
  note_party(l->reads, c->party_id);
  snprintf(l->last, sizeof(l->last), "%s", c->id);
}

static void callbacks_list(lk_req *req) {
  lk_app *app = lk_req_app(req);
  const char *after = lk_req_query(req, "after");
  const char *status = lk_req_query(req, "status");
  lk_conv_caller caller;
  struct reads *reads;
  struct cb_list l = {0};
  lk_buf b = LK_BUF_INIT;
  int limit, rc;
  bool open = true;

  if (lk_api_auth(req, "api") != 0 || lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  if (status != NULL && strcmp(status, "all") == 0) {
    open = false;
  } else if (status != NULL && strcmp(status, "open") != 0) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "status must be open or all", "status");
    return;
  }
  if (after != NULL && after[0] != '\0' && !lk_uuid_valid(after)) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "after must be a callback id", "after");
    return;
  }
  reads = calloc(1, sizeof(*reads));
  if (reads == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_api_conv_caller(req, &caller);
  l.b = &b;
  l.reads = reads;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_callback_list(app->store, after != NULL ? after : "", limit,
                              open, caller.may_confidential, cb_item, &l);
  if (rc >= 0 && reads->n > 0 &&
      lk_conv_log_reads(app->store, &caller, "callbacks", reads->ids,
                        reads->n) != 0) {
    free(reads);
    lk_buf_free(&b);
    lk_req_problem_store(req, LK_STORE_IO);
    return;
  }
  free(reads);
  lk_api_list_end(req, &b, rc, limit, l.last);
}

struct cb_one {
  lk_buf *b;
  bool confidential;
  char party_id[LK_CHAT_ID];
};

static void cb_one(const lk_callback_row *c, void *ud) {
  struct cb_one *o = ud;

  o->confidential = c->confidential;
  snprintf(o->party_id, sizeof(o->party_id), "%s", c->party_id);
  callback_json(o->b, c);
}

/* The callback `id` as JSON into `b`; 0 or a store code (404 hidden). */
static int callback_render(lk_req *req, const char *id, lk_buf *b) {
  lk_conv_caller caller;
  struct cb_one o = {b, false, ""};
  const char *party;
  int rc;

  if (!lk_uuid_valid(id))
    return LK_STORE_NOTFOUND;
  lk_api_conv_caller(req, &caller);
  rc = lk_store_callback_get(lk_req_app(req)->store, NULL, id, cb_one, &o);
  if (rc == 0 && o.confidential && !caller.may_confidential)
    rc = LK_STORE_NOTFOUND;
  party = o.party_id;
  if (rc == 0 && o.party_id[0] != '\0')
    rc = lk_conv_log_reads(lk_req_app(req)->store, &caller, "callbacks", &party,
                           1);
  return rc;
}

static void callback_get(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  rc = callback_render(req, lk_req_param(req, "id"), &b);
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* ---- POST /api/v1/callbacks/{id}/outcome ----------------------------- */

struct outcome_ctx {
  lk_api_write aw;
  lk_callback_outcome_op op;
};

static void outcome_done(lk_req *req, int status) {
  struct outcome_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "callback-done", "Callback done",
                   "this callback's task is done already", NULL);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_buf_puts(&b, "{\"callback\":");
  rc = callback_render(req, ctx->op.id, &b);
  lk_buf_puts(&b, ",\"contactId\":");
  lk_buf_json_str(&b, ctx->op.contact_id);
  lk_buf_puts(&b, "}");
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static void callback_outcome(lk_req *req) {
  static const char *const allowed[] = {"outcome", "note", NULL};
  const char *outcome = NULL, *note = NULL;
  struct outcome_ctx *ctx;
  lk_conv_caller caller;
  json_t *body = NULL;
  lk_invalid why;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  if (!lk_uuid_valid(lk_req_param(req, "id"))) {
    lk_req_not_found(req);
    return;
  }
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "outcome", true, &outcome) != 0 ||
      lk_json_string(req, body, "note", false, &note) != 0)
    goto out;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    goto out;
  lk_api_conv_caller(req, &caller);
  rc = lk_callback_outcome_prepare(&ctx->op, &caller, lk_req_param(req, "id"),
                                   outcome, note, &why);
  if (rc == LK_STORE_NOTFOUND) {
    lk_req_not_found(req);
    goto out;
  }
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    goto out;
  }
  lk_api_submit(req, &ctx->aw, lk_callback_outcome_apply, &ctx->op,
                outcome_done);
out:
  json_decref(body);
}

int lk_api_chat_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/api/v1/chats", chats_list, 0},
      {"POST", "/api/v1/chats/{id}/typing", chat_typing, 0},
      {"POST", "/api/v1/chats/{id}/read", chat_read, 0},
      {"GET", "/api/v1/callbacks", callbacks_list, 0},
      {"GET", "/api/v1/callbacks/{id}", callback_get, 0},
      {"POST", "/api/v1/callbacks/{id}/outcome", callback_outcome, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
