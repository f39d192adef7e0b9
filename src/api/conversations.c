/* conversations.c - /api/v1/conversations: create, the inbox, one
 * conversation with its timeline, messages, notes and changes. */
#include "api/conversations.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/console.h"
#include "http/json.h"
#include "http/problem.h"
#include "store/search.h"
#include "util/clock.h"

#define INBOX_DEFAULT 25
#define INBOX_MAX 100
#define TIMELINE_DEFAULT 100
#define TIMELINE_MAX 100

void lk_api_conv_caller(lk_req *req, lk_conv_caller *out) {
  const lk_principal *p = lk_req_principal(req);

  memset(out, 0, sizeof(*out));
  snprintf(out->actor, sizeof(out->actor), "%s", p->actor);
  snprintf(out->actor_id, sizeof(out->actor_id), "%s", p->actor_id);
  snprintf(out->request_id, sizeof(out->request_id), "%s", lk_req_id(req));
  out->may_confidential = p->confidential;
}

void lk_api_conv_problem(lk_req *req, int status, const char *field) {
  if (status == LK_STORE_NOTFOUND && field != NULL && field[0] != '\0') {
    lk_req_problem(req, 404, "not-found", "Not found",
                   "this member names nothing you can see", field);
    return;
  }
  if (status == LK_CONV_STALE) {
    lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                   "the conversation has changed since that version", NULL);
    return;
  }
  lk_req_problem_store(req, status);
}

static void invalid_field(lk_req *req, const lk_invalid *why) {
  lk_req_problem(req, 422, "invalid-field", "Invalid field", why->reason,
                 why->field);
}

static void bad_param(lk_req *req, const char *name, const char *detail) {
  lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter", detail,
                 name);
}

/* ---- small JSON readers --------------------------------------------- */

/* Optional boolean member: 0, or answers 422 and returns -1. */
static int json_bool(lk_req *req, json_t *obj, const char *key,
                     const char *field, bool *out) {
  json_t *v = json_object_get(obj, key);

  *out = false;
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_boolean(v)) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be true or false", field);
    return -1;
  }
  *out = json_is_true(v);
  return 0;
}

/* Optional array of strings: pointers into `obj`, at most `max`. */
static int json_strings(lk_req *req, json_t *obj, const char *key,
                        const char *field, const char **out, int max, int *n,
                        bool *present) {
  json_t *arr = json_object_get(obj, key);
  char pointer[64];
  json_t *v;
  size_t i;

  *n = 0;
  if (present != NULL)
    *present = arr != NULL;
  if (arr == NULL || json_is_null(arr))
    return 0;
  if (!json_is_array(arr)) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be an array of ids", field);
    return -1;
  }
  if ((int)json_array_size(arr) > max) {
    snprintf(pointer, sizeof(pointer), "must have at most %d members", max);
    lk_req_problem(req, 422, "invalid-field", "Invalid field", pointer, field);
    return -1;
  }
  json_array_foreach(arr, i, v) {
    if (!json_is_string(v)) {
      snprintf(pointer, sizeof(pointer), "%s/%zu", field, i);
      lk_req_problem(req, 422, "invalid-field", "Invalid field",
                     "must be a string", pointer);
      return -1;
    }
    out[(*n)++] = json_string_value(v);
  }
  return 0;
}

/* Optional integer member (Unix milliseconds). */
static int json_ms(lk_req *req, json_t *obj, const char *key, const char *field,
                   int64_t *out) {
  json_t *v = json_object_get(obj, key);

  *out = 0;
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) <= 0) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be a positive integer", field);
    return -1;
  }
  *out = json_integer_value(v);
  return 0;
}

/* ---- create --------------------------------------------------------- */

/* The sender object {name, email, phone}; faults are named by their full
 * JSON Pointer ("/from/email"). */
static int from_member(lk_req *req, json_t *from, lk_conv_create_in *in) {
  static const char *const keys[] = {"name", "email", "phone"};
  const char **outs[] = {&in->from_name, &in->from_email, &in->from_phone};
  const char *key;
  json_t *v;
  char field[64];

  json_object_foreach(from, key, v) {
    int k = -1;

    for (int i = 0; i < 3; i++) {
      if (strcmp(key, keys[i]) == 0)
        k = i;
    }
    snprintf(field, sizeof(field), "/from/%.40s", key);
    if (k < 0) {
      lk_req_problem(req, 422, "unknown-field", "Unknown field",
                     "this member is not part of the resource", field);
      return -1;
    }
    if (json_is_null(v))
      continue;
    if (!json_is_string(v)) {
      lk_req_problem(req, 422, "invalid-field", "Invalid field",
                     "must be a string", field);
      return -1;
    }
    *outs[k] = json_string_value(v);
  }
  return 0;
}

struct create_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_conv_create_op op;
};

/* Whoever filed a conversation that turned out confidential (its sender
 * is a party under geheimhouding) learns its id and reference, not whom it
 * was linked to. */
static void hide_party(lk_conv_row *c, const lk_conv_caller *caller) {
  if (c->confidential && !caller->may_confidential) {
    c->party_id[0] = '\0';
    c->party_name[0] = '\0';
  }
}

static void created(lk_req *req, int status) {
  struct create_ctx *ctx = lk_req_data(req);
  lk_conv_row row;
  lk_buf b = LK_BUF_INIT;
  char location[80];
  int rc;

  if (status != 0) {
    lk_api_conv_problem(req, status, ctx->op.field);
    return;
  }
  snprintf(location, sizeof(location), "/api/v1/conversations/%s",
           ctx->op.conv.id);
  lk_req_add_header(req, "Location", location);
  if (!ctx->op.replayed) {
    hide_party(&ctx->op.conv, &ctx->op.caller);
    lk_conv_summary_json(&b, &ctx->op.conv, ctx->op.contact_id);
    lk_buf_putc(&b, '\n');
    lk_req_respond_buf(req, 201, "application/json", &b);
    return;
  }
  /* The same key from the same caller: the conversation it made, as it
   * is now.  The key is scoped to the caller, who made it, so it is
   * theirs to see. */
  rc = lk_store_conv_get(lk_req_app(req)->store, ctx->op.conv.id, true, &row);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  hide_party(&row, &ctx->op.caller);
  lk_conv_summary_json(&b, &row, ctx->op.contact_id);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static void conv_create(lk_req *req) {
  static const char *const allowed[] = {
      "channel",       "subject",      "content",    "language", "confidential",
      "priority",      "teamId",       "categories", "from",     "partyId",
      "attachmentIds", "wasContactId", "clientKey",  NULL};
  const char *categories[LK_CONV_MAX_CATEGORIES];
  const char *attachments[LK_CONV_MAX_ATTACHMENTS];
  const char *header_key = lk_req_header(req, "Idempotency-Key");
  lk_conv_create_in in = {0};
  lk_conv_caller caller;
  struct create_ctx *ctx;
  lk_invalid why;
  json_t *body;
  json_t *from;
  int rc;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  from = json_object_get(body, "from");
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "channel", true, &in.channel) != 0 ||
      lk_json_string(req, body, "subject", false, &in.subject) != 0 ||
      lk_json_string(req, body, "content", true, &in.content) != 0 ||
      lk_json_string(req, body, "language", false, &in.language) != 0 ||
      lk_json_string(req, body, "priority", false, &in.priority) != 0 ||
      lk_json_string(req, body, "teamId", false, &in.team_id) != 0 ||
      lk_json_string(req, body, "partyId", false, &in.party_id) != 0 ||
      lk_json_string(req, body, "wasContactId", false, &in.was_contact_id) !=
          0 ||
      lk_json_string(req, body, "clientKey", false, &in.client_key) != 0 ||
      json_bool(req, body, "confidential", "/confidential", &in.confidential) !=
          0 ||
      json_strings(req, body, "categories", "/categories", categories,
                   LK_CONV_MAX_CATEGORIES, &in.ncategories, NULL) != 0 ||
      json_strings(req, body, "attachmentIds", "/attachmentIds", attachments,
                   LK_CONV_MAX_ATTACHMENTS, &in.nattachments, NULL) != 0)
    goto out;
  if (from != NULL && !json_is_null(from)) {
    if (!json_is_object(from)) {
      lk_req_problem(req, 422, "invalid-field", "Invalid field",
                     "must be an object with name, email and phone", "/from");
      goto out;
    }
    if (from_member(req, from, &in) != 0)
      goto out;
  } else if (in.party_id == NULL) {
    lk_req_problem(req, 422, "missing-field", "Missing field",
                   "give the sender as from or partyId", "/from");
    goto out;
  }
  if (header_key != NULL) {
    if (in.client_key != NULL && strcmp(in.client_key, header_key) != 0) {
      lk_req_problem(req, 422, "invalid-field", "Invalid field",
                     "differs from the Idempotency-Key header", "/clientKey");
      goto out;
    }
    in.client_key = header_key;
  }
  in.categories = categories;
  in.attachments = attachments;
  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    goto out;
  }
  lk_req_set_data(req, ctx, free);
  lk_api_conv_caller(req, &caller);
  rc = lk_conv_create_prepare(&ctx->op, &caller, &in, &why);
  if (rc != 0) {
    invalid_field(req, &why);
    goto out;
  }
  lk_api_submit(req, &ctx->aw, lk_conv_create_apply, &ctx->op, created);
out:
  json_decref(body);
}

/* ---- the inbox ------------------------------------------------------ */

static int parse_i64(const char *s, int base, int64_t *out) {
  char *end;
  long long v;

  errno = 0;
  v = strtoll(s, &end, base);
  if (errno != 0 || end == s || *end != '\0' || v < 0)
    return -1;
  *out = v;
  return 0;
}

int lk_api_conv_filter(lk_req *req, const lk_conv_caller *caller,
                       lk_conv_filter *f) {
  const char *v;

  memset(f, 0, sizeof(*f));
  f->may_confidential = caller->may_confidential;
  f->status = lk_req_query(req, "status");
  if (f->status != NULL && !lk_conv_status_valid(f->status)) {
    bad_param(req, "status", "must be open, pending, snoozed or resolved");
    return -1;
  }
  f->channel = lk_req_query(req, "channel");
  if (f->channel != NULL && !lk_conv_channel_valid(f->channel)) {
    bad_param(req, "channel", "must be a channel (see the documentation)");
    return -1;
  }
  /* Ids that name nothing simply match nothing. */
  f->team_id = lk_req_query(req, "teamId");
  f->category_id = lk_req_query(req, "categoryId");
  f->party_id = lk_req_query(req, "partyId");
  v = lk_req_query(req, "assigneeId");
  if (v != NULL && strcmp(v, "none") == 0) {
    f->unassigned = true;
  } else if (v != NULL && strcmp(v, "me") == 0) {
    if (caller->actor_id[0] == '\0') {
      bad_param(req, "assigneeId", "\"me\" needs a staff member's session");
      return -1;
    }
    f->assignee_id = caller->actor_id;
  } else {
    f->assignee_id = v;
  }
  v = lk_req_query(req, "from");
  if (v != NULL && parse_i64(v, 10, &f->from) != 0) {
    bad_param(req, "from", "must be a time in Unix milliseconds");
    return -1;
  }
  v = lk_req_query(req, "to");
  if (v != NULL && (parse_i64(v, 10, &f->to) != 0 || f->to == 0)) {
    bad_param(req, "to", "must be a time in Unix milliseconds");
    return -1;
  }
  return 0;
}

struct list_ctx {
  lk_buf *b;
  int n;
  int64_t last_time;
  int64_t last_seq;
  const char *parties[INBOX_MAX];
  char party_ids[INBOX_MAX][LK_CONV_ID_LEN + 1];
  /* each item's id and the offset of its closing brace, where the
   * console's "unread" goes (api/console.h) */
  const char *ids[INBOX_MAX];
  char conv_ids[INBOX_MAX][LK_CONV_ID_LEN + 1];
  size_t ends[INBOX_MAX];
};

static void list_one(const lk_conv_item *it, void *ud) {
  struct list_ctx *lc = ud;

  if (lc->n > 0)
    lk_buf_putc(lc->b, ',');
  lk_conv_item_json(lc->b, it);
  lc->last_time = it->row->last_message_at;
  lc->last_seq = it->row->seq;
  if (lc->n < INBOX_MAX) {
    memcpy(lc->party_ids[lc->n], it->row->party_id, LK_CONV_ID_LEN + 1);
    lc->parties[lc->n] = lc->party_ids[lc->n];
    memcpy(lc->conv_ids[lc->n], it->row->id, LK_CONV_ID_LEN + 1);
    lc->ids[lc->n] = lc->conv_ids[lc->n];
    lc->ends[lc->n] = lc->b->len - 1;
  }
  lc->n++;
}

/* Reads ?cursor=: "<time>.<seq>" (hex) for the inbox, "f<seq>" for the
 * inbox with a text query.  Returns 0, or answers 400 and returns -1. */
static int list_cursor(lk_req *req, bool text, lk_conv_filter *f) {
  const char *cursor = lk_req_query(req, "cursor");
  const char *dot;
  char time_part[24];

  if (cursor == NULL)
    return 0;
  f->after = true;
  if (text) {
    if (cursor[0] == 'f' && parse_i64(cursor + 1, 16, &f->after_seq) == 0)
      return 0;
  } else {
    dot = strchr(cursor, '.');
    if (dot != NULL && (size_t)(dot - cursor) < sizeof(time_part)) {
      memcpy(time_part, cursor, (size_t)(dot - cursor));
      time_part[dot - cursor] = '\0';
      if (parse_i64(time_part, 16, &f->after_time) == 0 &&
          parse_i64(dot + 1, 16, &f->after_seq) == 0)
        return 0;
    }
  }
  bad_param(req, "cursor", "is not a cursor from this list");
  return -1;
}

static void conv_list(lk_req *req) {
  const char *q = lk_req_query(req, "q");
  char fts[LK_SEARCH_FTS_MAX + 1];
  lk_buf b = LK_BUF_INIT;
  struct list_ctx *lc;
  lk_conv_caller caller;
  lk_conv_filter f;
  int64_t next_seq = 0;
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 ||
      lk_api_limit(req, INBOX_DEFAULT, INBOX_MAX, &limit) != 0)
    return;
  lk_api_conv_caller(req, &caller);
  if (lk_api_conv_filter(req, &caller, &f) != 0 ||
      list_cursor(req, q != NULL, &f) != 0)
    return;
  f.limit = limit;
  if (q != NULL) {
    if (lk_store_fts_query(q, fts, sizeof(fts)) != 0) {
      lk_req_problem(req, 422, "invalid-parameter", "Invalid parameter",
                     "must hold 1 to 16 words in at most 200 bytes", "q");
      return;
    }
    f.fts = fts;
  }
  lc = calloc(1, sizeof(*lc));
  if (lc == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lc->b = &b;
  lk_buf_puts(&b, "{\"items\":[");
  if (q != NULL)
    rc = lk_store_search_conversations(lk_req_app(req)->store, &f, list_one, lc,
                                       &next_seq);
  else
    rc = lk_store_conv_list(lk_req_app(req)->store, &f, list_one, lc);
  if (rc >= 0)
    rc = lk_conv_log_reads(lk_req_app(req)->store, &caller,
                           "GET /api/v1/conversations", lc->parties,
                           lc->n < INBOX_MAX ? lc->n : INBOX_MAX);
  if (rc >= 0)
    rc = lk_console_unread_splice(req, &b, lc->ids, lc->ends,
                                  lc->n < INBOX_MAX ? lc->n : INBOX_MAX);
  if (rc < 0) {
    free(lc);
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "],\"next\":");
  if (q != NULL && next_seq != 0)
    lk_buf_printf(&b, "\"f%llx\"", (unsigned long long)next_seq);
  else if (q == NULL && lc->n == limit)
    lk_buf_printf(&b, "\"%llx.%llx\"", (unsigned long long)lc->last_time,
                  (unsigned long long)lc->last_seq);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, "}\n");
  free(lc);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* ---- one conversation ----------------------------------------------- */

static void etag_of(char *out, size_t size, int64_t version) {
  snprintf(out, size, "\"%lld\"", (long long)version);
}

static void respond_conversation(lk_req *req, int status, const char *id) {
  const char *after = lk_req_query(req, "after");
  lk_conv_caller caller;
  lk_buf b = LK_BUF_INIT;
  int64_t after_seq = 0;
  lk_conv_row row;
  char etag[32];
  int limit;
  int rc;

  if (lk_api_limit(req, TIMELINE_DEFAULT, TIMELINE_MAX, &limit) != 0)
    return;
  if (after != NULL && parse_i64(after, 10, &after_seq) != 0) {
    bad_param(req, "after", "is not a cursor from messagesNext");
    return;
  }
  lk_api_conv_caller(req, &caller);
  rc = lk_conv_render(lk_req_app(req)->store, &caller, id, after_seq, limit, &b,
                      &row);
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  etag_of(etag, sizeof(etag), row.version);
  lk_req_add_header(req, "ETag", etag);
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void conv_get(lk_req *req) {
  if (lk_api_auth(req, "api") != 0)
    return;
  respond_conversation(req, 200, lk_req_param(req, "id"));
}

/* ---- messages and notes --------------------------------------------- */

struct message_ctx {
  lk_api_write aw;
  lk_conv_message_op op;
};

static void message_added(lk_req *req, int status) {
  struct message_ctx *ctx = lk_req_data(req);
  lk_conv_message_op *op = &ctx->op;
  lk_buf b = LK_BUF_INIT;
  char etag[32];

  if (status != 0) {
    lk_api_conv_problem(req, status, op->field);
    return;
  }
  lk_buf_puts(&b, "{\"id\":");
  lk_buf_json_str(&b, op->contact_id);
  lk_buf_puts(&b, ",\"conversationId\":");
  lk_buf_json_str(&b, op->conv.id);
  lk_buf_puts(&b, ",\"kind\":");
  lk_buf_json_str(&b, op->kind);
  lk_buf_printf(
      &b, ",\"occurredAt\":%lld,\"delivery\":", (long long)op->occurred_at);
  if (op->delivery[0] != '\0')
    lk_buf_json_str(&b, op->delivery);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, ",\"conversation\":");
  lk_conv_summary_json(&b, &op->conv, op->contact_id);
  lk_buf_puts(&b, "}\n");
  etag_of(etag, sizeof(etag), op->conv.version);
  lk_req_add_header(req, "ETag", etag);
  lk_req_respond_buf(req, 201, "application/json", &b);
}

static void add_contact(lk_req *req, bool note) {
  static const char *const msg_allowed[] = {
      "direction", "channel",      "subject",       "content",
      "language",  "confidential", "attachmentIds", NULL};
  static const char *const note_allowed[] = {"content", "confidential",
                                             "attachmentIds", NULL};
  const char *attachments[LK_CONV_MAX_ATTACHMENTS];
  lk_conv_message_in in = {0};
  struct message_ctx *ctx;
  lk_conv_caller caller;
  lk_invalid why;
  json_t *body;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, note ? note_allowed : msg_allowed) != 0 ||
      lk_json_string(req, body, "content", true, &in.content) != 0 ||
      json_bool(req, body, "confidential", "/confidential", &in.confidential) !=
          0 ||
      json_strings(req, body, "attachmentIds", "/attachmentIds", attachments,
                   LK_CONV_MAX_ATTACHMENTS, &in.nattachments, NULL) != 0)
    goto out;
  if (note) {
    in.kind = "note";
  } else if (lk_json_string(req, body, "direction", true, &in.kind) != 0 ||
             lk_json_string(req, body, "channel", false, &in.channel) != 0 ||
             lk_json_string(req, body, "subject", false, &in.subject) != 0 ||
             lk_json_string(req, body, "language", false, &in.language) != 0) {
    goto out;
  } else if (strcmp(in.kind, "note") == 0) {
    in.kind = ""; /* notes have their own endpoint */
  }
  in.attachments = attachments;
  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    goto out;
  }
  lk_req_set_data(req, ctx, free);
  lk_api_conv_caller(req, &caller);
  if (lk_conv_message_prepare(&ctx->op, &caller, lk_req_param(req, "id"), &in,
                              &why) != 0) {
    invalid_field(req, &why);
    goto out;
  }
  lk_api_submit(req, &ctx->aw, lk_conv_message_apply, &ctx->op, message_added);
out:
  json_decref(body);
}

static void conv_message(lk_req *req) {
  add_contact(req, false);
}

static void conv_note(lk_req *req) {
  add_contact(req, true);
}

/* ---- changes -------------------------------------------------------- */

struct update_ctx {
  lk_api_write aw;
  lk_conv_update_op op;
};

static void updated(lk_req *req, int status) {
  struct update_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_api_conv_problem(req, status, ctx->op.field);
    return;
  }
  respond_conversation(req, 200, ctx->op.conv.id);
}

/* If-Match: "3", W/"3" or 3.  Returns 0 with *out, or -1. */
static int if_match_version(const char *h, int64_t *out) {
  char digits[24];
  size_t n = 0;

  if (strncmp(h, "W/", 2) == 0)
    h += 2;
  for (; *h != '\0'; h++) {
    if (*h == '"' || *h == ' ')
      continue;
    if (*h < '0' || *h > '9' || n + 1 >= sizeof(digits))
      return -1;
    digits[n++] = *h;
  }
  digits[n] = '\0';
  return n > 0 && parse_i64(digits, 10, out) == 0 && *out > 0 ? 0 : -1;
}

static void conv_patch(lk_req *req) {
  static const char *const allowed[] = {
      "status", "snoozedUntil", "priority", "subject",
      "teamId", "categories",   "version",  NULL};
  const char *categories[LK_CONV_MAX_CATEGORIES];
  const char *if_match = lk_req_header(req, "If-Match");
  lk_conv_update_in in = {0};
  struct update_ctx *ctx;
  lk_conv_caller caller;
  lk_invalid why;
  json_t *body;
  json_t *team;

  if (lk_api_auth(req, "api") != 0 || lk_req_json(req, &body) != 0)
    return;
  team = json_object_get(body, "teamId");
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "status", false, &in.status) != 0 ||
      lk_json_string(req, body, "priority", false, &in.priority) != 0 ||
      lk_json_string(req, body, "subject", false, &in.subject) != 0 ||
      lk_json_string(req, body, "teamId", false, &in.team_id) != 0 ||
      json_ms(req, body, "snoozedUntil", "/snoozedUntil", &in.snoozed_until) !=
          0 ||
      json_ms(req, body, "version", "/version", &in.if_version) != 0 ||
      json_strings(req, body, "categories", "/categories", categories,
                   LK_CONV_MAX_CATEGORIES, &in.ncategories,
                   &in.set_categories) != 0)
    goto out;
  in.set_team = team != NULL;
  in.categories = categories;
  if (if_match != NULL) {
    int64_t v;

    if (strcmp(if_match, "*") == 0) {
      v = in.if_version; /* any current version */
    } else if (if_match_version(if_match, &v) != 0) {
      lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                     "If-Match must be the ETag of the conversation", NULL);
      goto out;
    }
    if (in.if_version != 0 && in.if_version != v) {
      lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                     "If-Match and version disagree", NULL);
      goto out;
    }
    in.if_version = v;
  }
  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    goto out;
  }
  lk_req_set_data(req, ctx, free);
  lk_api_conv_caller(req, &caller);
  if (lk_conv_update_prepare(&ctx->op, &caller, lk_req_param(req, "id"), &in,
                             lk_clock_real_ms(), &why) != 0) {
    invalid_field(req, &why);
    goto out;
  }
  lk_api_submit(req, &ctx->aw, lk_conv_update_apply, &ctx->op, updated);
out:
  json_decref(body);
}

/* ---- routes --------------------------------------------------------- */

static const lk_api_route routes[] = {
    {"POST", "/api/v1/conversations", conv_create, 0},
    {"GET", "/api/v1/conversations", conv_list, 0},
    {"GET", "/api/v1/conversations/{id}", conv_get, 0},
    {"PATCH", "/api/v1/conversations/{id}", conv_patch, 0},
    {"POST", "/api/v1/conversations/{id}/messages", conv_message, 0},
    {"POST", "/api/v1/conversations/{id}/notes", conv_note, 0},
    {"GET", "/api/v1/search", lk_api_search, 0},
    {"POST", "/api/v1/attachments", lk_api_attachment_upload, LK_ROUTE_UPLOAD},
    {"GET", "/api/v1/attachments/{id}", lk_api_attachment_get, 0},
    {"GET", "/api/v1/attachments/{id}/content", lk_api_attachment_content, 0},
};

int lk_conversations_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
