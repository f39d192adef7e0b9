/* chat.c - the resident side of live chat and call-me-back.
 *
 * A resident's chat is known by the cookie loket_chat (HttpOnly,
 * SameSite=Strict, path /contact): the session token, whose digest the
 * store keeps.  Without it, or with one that names no chat, every chat
 * endpoint answers 404.  The JSON endpoints accept only same-origin
 * requests with a JSON body, which a form of another site cannot send.
 *
 * The stream (/contact/chat/stroom) carries no message text: it says
 * "update" when something of this chat changed, "typing" when the agent
 * types, and "queue" when the queue moved; the script then asks
 * /contact/chat/status for what it has not seen yet (after=<seq>), so a
 * reconnection after any pause misses nothing and shows nothing twice.
 */
#include "pages/chat.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/chat.h"
#include "api/session.h"
#include "app.h"
#include "core/chat.h"
#include "core/contact_address.h"
#include "core/ids.h"
#include "core/ratelimit.h"
#include "core/session.h"
#include "http/cookie.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/sse.h"
#include "pages/contact.h"
#include "pages/form.h"
#include "pages/layout.h"
#include "util/clock.h"
#include "util/html.h"
#include "util/log.h"

#define COOKIE_PATH "/contact"
#define STATUS_MAX 200 /* messages per status answer */
#define CARRY_MAX 20   /* form fields carried into a callback */
#define CARRY_NAME_MAX 40

/* ---- the session ---------------------------------------------------- */

/* The chat of the request's cookie: 0, or LK_STORE_NOTFOUND / a code. */
static int current_chat(lk_req *req, lk_chat_row *out) {
  char tok[LK_CHAT_TOKEN_LEN + 2], hash[65];

  if (lk_req_cookie(req, LK_CHAT_COOKIE, tok, sizeof(tok)) != LK_COOKIE_FOUND ||
      !lk_session_id_valid(tok) || lk_session_digest(tok, hash) != 0)
    return LK_STORE_NOTFOUND;
  return lk_store_chat_by_token(lk_req_app(req)->store, hash, out);
}

/* The chat, or an answer (404 or the store's problem) and false. */
static bool need_chat(lk_req *req, lk_chat_row *out) {
  int rc = current_chat(req, out);

  if (rc == 0)
    return true;
  if (rc == LK_STORE_NOTFOUND)
    lk_req_not_found(req);
  else
    lk_req_problem_store(req, rc);
  return false;
}

/* A state-changing JSON call from this site, with its body parsed. */
static bool json_call(lk_req *req, json_t **body) {
  if (!lk_api_same_origin(req)) {
    lk_req_problem(req, 403, "forbidden", "Forbidden",
                   "cross-site requests are refused", NULL);
    return false;
  }
  return lk_req_json(req, body) == 0;
}

static void no_store(lk_req *req) {
  lk_req_add_header(req, "Cache-Control", "no-store");
}

static void page(lk_req *req, int status, const char *title, lk_buf *body,
                 const char *script) {
  lk_buf b = LK_BUF_INIT;

  lk_page_begin(&b, title);
  if (lk_buf_ok(body))
    lk_buf_append(&b, body->data, body->len);
  lk_buf_free(body);
  if (script != NULL)
    lk_page_script(&b, script);
  lk_page_end(&b);
  no_store(req);
  lk_req_respond_buf(req, status, "text/html; charset=utf-8", &b);
}

/* ---- limits (docs/chat.md) ------------------------------------------ */

/* Counts an attempt of this client on `rl` and, if `kind` and `address`
 * name a valid address, of that address on `per_address`.  Returns 0, or
 * the milliseconds to wait (nothing more is counted then). */
static int64_t limited(lk_req *req, lk_ratelimit *rl, lk_ratelimit *per_address,
                       const char *kind, const char *address) {
  char client[LK_CLIENT_ADDRESS_MAX + 1], key[LK_ADDRESS_KEY_MAX + 1];
  int64_t retry;

  lk_req_client_address(req, lk_req_app(req)->trust_proxy, client,
                        sizeof(client));
  retry = lk_ratelimit_hit(rl, client, NULL);
  if (retry == 0 && per_address != NULL && address != NULL &&
      address[0] != '\0' &&
      lk_address_key(kind, address, key, sizeof(key)) == 0)
    retry = lk_ratelimit_hit(per_address, key, NULL);
  return retry;
}

static void retry_after(lk_req *req, int64_t retry_ms) {
  char secs[24];

  snprintf(secs, sizeof(secs), "%ld", lk_api_retry_seconds(retry_ms));
  lk_req_add_header(req, "Retry-After", secs);
}

static void too_many_json(lk_req *req, int64_t retry_ms) {
  retry_after(req, retry_ms);
  lk_req_problem(req, 429, "too-many-requests", "Too many requests",
                 "too many chats from this connection; wait before trying "
                 "again",
                 NULL);
}

/* ---- GET /contact/chat ---------------------------------------------- */

static void chat_page(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  lk_chat_row c;
  /* Whether this browser has a chat going: the script then resumes it
   * rather than asking for one that does not exist. */
  bool going = current_chat(req, &c) == 0 && c.ended_at == 0;

  lk_buf_puts(
      &b, "<h1 class=\"utrecht-heading-1\">Chat met de gemeente</h1>\n"
          "<div id=\"chat-zonder-js\" class=\"loket-chat-nojs\">\n"
          "<p class=\"utrecht-paragraph\">Voor de chat is JavaScript nodig. "
          "Staat JavaScript uit in uw browser? Dan kunt u ons ook vragen u "
          "terug te bellen.</p>\n"
          "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
          "href=\"/contact/terugbellen\">Bel mij terug</a></p>\n</div>\n"
          "<section id=\"chat\" class=\"loket-chat\" aria-label=\"Chat\" "
          "data-api=\"/contact/chat\" data-going=\"");
  lk_buf_puts(&b, going ? "ja" : "nee");
  lk_buf_puts(&b, "\" hidden></section>\n");
  page(req, 200, "Chat", &b, "chat.js");
}

/* ---- POST /contact/chat/start --------------------------------------- */

struct start_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_chat_start_op op;
};

static void started(lk_req *req, int status) {
  struct start_ctx *ctx = lk_req_data(req);
  lk_cookie_attrs a = {
      .secure = lk_api_secure(req), .path = COOKIE_PATH, .same = "Strict"};
  lk_buf b = LK_BUF_INIT;

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_req_set_cookie(req, LK_CHAT_COOKIE, ctx->op.token, &a);
  lk_buf_puts(&b, "{\"reference\":");
  lk_buf_json_str(&b, ctx->op.conv.conv.reference);
  lk_buf_putc(&b, '}');
  no_store(req);
  lk_req_respond_buf(req, 201, "application/json", &b);
}

static void chat_start(lk_req *req) {
  static const char *const allowed[] = {"name", "email", "text", NULL};
  const char *name = NULL, *email = NULL, *text = NULL;
  struct start_ctx *ctx;
  json_t *body = NULL;
  lk_invalid why;
  int64_t retry;
  int rc;

  if (!json_call(req, &body))
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "name", false, &name) != 0 ||
      lk_json_string(req, body, "email", false, &email) != 0 ||
      lk_json_string(req, body, "text", true, &text) != 0)
    goto out;
  retry = limited(req, lk_req_app(req)->chat_start_by_client, NULL, NULL, NULL);
  if (retry > 0) {
    too_many_json(req, retry);
    goto out;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    goto out;
  rc = lk_chat_start_prepare(&ctx->op, lk_req_id(req), name, email, text, &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    goto out;
  }
  lk_api_submit(req, &ctx->aw, lk_chat_start_apply, &ctx->op, started);
out:
  json_decref(body);
}

/* ---- GET /contact/chat/status --------------------------------------- */

struct status_ctx {
  lk_buf *b;
  const char *session_id;
  int n;
};

/* The client's own UUID back from "chat:<session>:<uuid>". */
static const char *own_key(const char *key, const char *session_id) {
  size_t n = strlen(session_id);

  if (key == NULL || strncmp(key, "chat:", 5) != 0 ||
      strncmp(key + 5, session_id, n) != 0 || key[5 + n] != ':')
    return NULL;
  return key + 6 + n;
}

static void status_msg(const lk_chat_msg *m, void *ud) {
  struct status_ctx *s = ud;
  bool in = strcmp(m->kind, "inbound") == 0;
  const char *key = own_key(m->client_key, s->session_id);
  char at[32];

  lk_clock_format_iso(m->occurred_at, at, sizeof(at));
  lk_buf_puts(s->b, s->n++ > 0 ? ",{\"seq\":" : "{\"seq\":");
  lk_buf_printf(s->b, "%lld,\"id\":", (long long)m->seq);
  lk_buf_json_str(s->b, m->id);
  lk_buf_puts(s->b, in ? ",\"from\":\"resident\"" : ",\"from\":\"agent\"");
  if (!in) {
    lk_buf_puts(s->b, ",\"author\":");
    lk_buf_json_str(s->b, m->author != NULL && m->author[0] != '\0'
                              ? m->author
                              : "Medewerker");
  }
  if (key != NULL) {
    lk_buf_puts(s->b, ",\"clientKey\":");
    lk_buf_json_str(s->b, key);
  }
  lk_buf_puts(s->b, ",\"text\":");
  lk_buf_json_str(s->b, m->content);
  lk_buf_puts(s->b, ",\"at\":");
  lk_buf_json_str(s->b, at);
  lk_buf_putc(s->b, '}');
}

static int parse_seq(const char *s, int64_t *out) {
  long long v;
  char *end;

  *out = 0;
  if (s == NULL)
    return 0;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0)
    return -1;
  *out = v;
  return 0;
}

static void chat_status(lk_req *req) {
  lk_app *app = lk_req_app(req);
  lk_chat_row c;
  lk_buf b = LK_BUF_INIT;
  struct status_ctx s = {&b, NULL, 0};
  int64_t after;
  int pos = 0, rc;
  const char *state;

  if (parse_seq(lk_req_query(req, "after"), &after) != 0) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "after must be a message seq", "after");
    return;
  }
  if (!need_chat(req, &c))
    return;
  s.session_id = c.id;
  rc = lk_store_chat_position(app->store, &c, &pos);
  state = c.ended_at != 0                 ? "ended"
          : c.assignee_id[0] != '\0'      ? "joined"
          : strcmp(c.status, "open") == 0 ? "waiting"
                                          : "joined";
  lk_buf_puts(&b, "{\"reference\":");
  lk_buf_json_str(&b, c.reference);
  lk_buf_puts(&b, ",\"state\":");
  lk_buf_json_str(&b, state);
  if (pos > 0)
    lk_buf_printf(&b, ",\"position\":%d", pos);
  else
    lk_buf_puts(&b, ",\"position\":null");
  lk_buf_puts(&b, ",\"agent\":");
  if (c.assignee_id[0] != '\0') {
    lk_buf_puts(&b, "{\"name\":");
    lk_buf_json_str(&b, c.assignee_name);
    lk_buf_putc(&b, '}');
  } else {
    lk_buf_puts(&b, "null");
  }
  lk_buf_printf(&b, ",\"agentRead\":%lld,\"residentRead\":%lld",
                (long long)c.agent_read, (long long)c.resident_read);
  lk_buf_puts(&b, ",\"messages\":[");
  if (rc == 0)
    rc = lk_store_chat_messages(app->store, NULL, c.conversation_id, after,
                                STATUS_MAX, status_msg, &s);
  lk_buf_printf(&b, "],\"more\":%s}", rc >= STATUS_MAX ? "true" : "false");
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  no_store(req);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* ---- POST /contact/chat/berichten ----------------------------------- */

struct send_ctx {
  lk_api_write aw;
  lk_chat_send_op op;
};

static void sent(lk_req *req, int status) {
  struct send_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (lk_api_chat_failed(req, status) != 0)
    return;
  lk_buf_printf(&b, "{\"seq\":%lld,\"id\":", (long long)ctx->op.seq);
  lk_buf_json_str(&b, ctx->op.msg.contact_id);
  lk_buf_printf(&b, ",\"replayed\":%s}", ctx->op.replayed ? "true" : "false");
  lk_req_respond_buf(req, ctx->op.replayed ? 200 : 201, "application/json", &b);
}

static void chat_send(lk_req *req) {
  static const char *const allowed[] = {"clientKey", "text", NULL};
  const char *key = NULL, *text = NULL;
  struct send_ctx *ctx;
  lk_chat_row c;
  json_t *body = NULL;
  lk_invalid why;
  int rc;

  if (!json_call(req, &body))
    return;
  if (!need_chat(req, &c))
    goto out;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "clientKey", true, &key) != 0 ||
      lk_json_string(req, body, "text", true, &text) != 0)
    goto out;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    goto out;
  rc = lk_chat_send_prepare(&ctx->op, lk_req_id(req), &c, key, text, &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    goto out;
  }
  lk_api_submit(req, &ctx->aw, lk_chat_send_apply, &ctx->op, sent);
out:
  json_decref(body);
}

/* ---- typing, read, end ---------------------------------------------- */

struct signal_ctx {
  lk_api_write aw;
  lk_chat_signal_op op;
};

static void signalled(lk_req *req, int status) {
  struct signal_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;

  if (lk_api_chat_failed(req, status) != 0)
    return;
  if (strcmp(lk_req_path(req), "/contact/chat/einde") != 0) {
    lk_req_respond(req, 204, NULL, NULL, 0);
    return;
  }
  lk_buf_printf(&b, "{\"transcript\":%s}",
                ctx->op.email[0] != '\0' ? "\"queued\"" : "null");
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* Reads the body, finds the chat and fills the op. */
static struct signal_ctx *signal_begin(lk_req *req, json_t **body,
                                       const char *const *allowed) {
  struct signal_ctx *ctx;
  lk_chat_row c;

  if (!json_call(req, body))
    return NULL;
  if (!need_chat(req, &c) || lk_json_only(req, *body, allowed) != 0)
    return NULL;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return NULL;
  snprintf(ctx->op.actor, sizeof(ctx->op.actor), "%s", LK_CHAT_ACTOR);
  snprintf(ctx->op.conversation_id, sizeof(ctx->op.conversation_id), "%s",
           c.conversation_id);
  snprintf(ctx->op.request_id, sizeof(ctx->op.request_id), "%s",
           lk_req_id(req));
  return ctx;
}

static void chat_typing(lk_req *req) {
  static const char *const allowed[] = {NULL};
  json_t *body = NULL;
  struct signal_ctx *ctx = signal_begin(req, &body, allowed);

  if (ctx != NULL)
    lk_api_submit(req, &ctx->aw, lk_chat_typing_apply, &ctx->op, signalled);
  json_decref(body);
}

static void chat_read(lk_req *req) {
  static const char *const allowed[] = {"seq", NULL};
  json_t *body = NULL, *seq;
  struct signal_ctx *ctx = signal_begin(req, &body, allowed);

  if (ctx != NULL) {
    seq = json_object_get(body, "seq");
    if (!json_is_integer(seq) || json_integer_value(seq) < 0) {
      lk_req_problem(req, 422, "invalid-field", "Invalid field",
                     "must be a message seq", "/seq");
    } else {
      ctx->op.seq = json_integer_value(seq);
      lk_api_submit(req, &ctx->aw, lk_chat_read_apply, &ctx->op, signalled);
    }
  }
  json_decref(body);
}

static void chat_end(lk_req *req) {
  static const char *const allowed[] = {"email", NULL};
  const char *email = NULL;
  json_t *body = NULL;
  struct signal_ctx *ctx = signal_begin(req, &body, allowed);
  lk_invalid why;

  if (ctx != NULL && lk_json_string(req, body, "email", false, &email) == 0) {
    lk_app *app = lk_req_app(req);
    int64_t retry = email != NULL && email[0] != '\0'
                        ? limited(req, app->chat_mail_by_client,
                                  app->chat_mail_by_address, "email", email)
                        : 0;

    if (retry > 0)
      too_many_json(req, retry);
    else if (lk_chat_end_prepare(&ctx->op, email, &why) != 0)
      lk_api_invalid(req, &why);
    else
      lk_api_submit(req, &ctx->aw, lk_chat_end_apply, &ctx->op, signalled);
  }
  json_decref(body);
}

/* ---- GET /contact/chat/stroom --------------------------------------- */

/* What an event means for a stream, as bits of chat_stream.pending. */
#define EV_UPDATE 1u /* something of this chat changed */
#define EV_TYPING 2u /* the agent types in this chat */
#define EV_QUEUE 4u  /* some conversation moved: maybe the queue */

typedef struct chat_stream {
  lk_req *req;
  lk_app *app;
  char conv_id[LK_CHAT_ID];
  unsigned hash; /* of conv_id: its bucket */
  lk_sse_out out;
  atomic_uint pending; /* EV_* bits the listener set since the last fill */
  atomic_bool queued;  /* may still wait in the queue (false: it did not
                        * at the last look, and no event of its own came
                        * since) */
  atomic_bool closed;  /* a newer stream of this chat took over */
  struct chat_stream *prev, *next;   /* in `streams`, oldest first */
  struct chat_stream *hprev, *hnext; /* in its bucket */
  /* The listener's own (under streams_lock): the bits of the event it
   * handles, gathered so that one event wakes a stream once however often
   * it names the chat. */
  int64_t ev_seq;
  unsigned ev_bits;
  struct chat_stream *ev_next;
} chat_stream;

/* The open streams, oldest first, so that one chat session keeps at most
 * STREAMS_PER_CHAT of them (a tab per stream; more is someone hoarding
 * connections), and by conversation in a hash table.  Process-wide: a
 * stream lives in one server.
 *
 * One bus listener per bus serves all of them: it finds the streams an
 * event concerns by the conversation ids in the event (a lookup per id),
 * sets their `pending` bits and wakes only those.  A listener per stream
 * that searched every event for its own id cost a thousand searches per
 * event on the writer's thread, under the bus lock, with a thousand chats
 * open, and each woken stream read the bus's ring again (see "Load" in
 * docs/chat.md).  Streams whose id is not a UUID (not made by Loket) are
 * searched for as before.
 *
 * Lock order: hub_lock, then the bus's lock (in lk_bus_listen/unlisten,
 * and the listener runs under it), then streams_lock. */
#define STREAMS_PER_CHAT 2
#define BUCKETS 4096 /* a power of two */
#define UUID_LEN 36
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static chat_stream *streams_head, *streams_tail;
static chat_stream *buckets[BUCKETS];
static chat_stream *odd_head; /* ids that are not UUIDs, chained by hnext */

typedef struct chat_hub {
  lk_bus *bus;
  lk_bus_listener *listener;
  size_t streams;
  struct chat_hub *next;
} chat_hub;
static pthread_mutex_t hub_lock = PTHREAD_MUTEX_INITIALIZER;
static chat_hub *hubs;

static bool is_uuid_at(const char *p) {
  for (int i = 0; i < UUID_LEN; i++) {
    char c = p[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;

    if (dash ? c != '-'
             : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F')))
      return false;
  }
  return true;
}

static unsigned uuid_hash(const char *p) {
  unsigned h = 2166136261u; /* FNV-1a */

  for (int i = 0; i < UUID_LEN; i++)
    h = (h ^ (unsigned char)p[i]) * 16777619u;
  return h & (BUCKETS - 1);
}

static bool uuid_id(const char *id) {
  return strlen(id) == UUID_LEN && is_uuid_at(id);
}

/* Adds `bits` to what event `ev` means for stream t, and t to the list of
 * streams to wake (under streams_lock, so t is not freed meanwhile). */
static void mark(chat_stream *t, const lk_event *ev, unsigned bits,
                 chat_stream **woken) {
  if (t->ev_seq != ev->seq) {
    t->ev_seq = ev->seq;
    t->ev_bits = 0;
    t->ev_next = *woken;
    *woken = t;
  }
  t->ev_bits |= bits;
}

/* Marks the streams of bus `bus` whose conversation id is the UUID at p. */
static void mark_id(lk_bus *bus, const char *p, const lk_event *ev,
                    unsigned bits, chat_stream **woken) {
  for (chat_stream *t = buckets[uuid_hash(p)]; t != NULL; t = t->hnext) {
    if (t->app->bus == bus && memcmp(t->conv_id, p, UUID_LEN) == 0 &&
        t->conv_id[UUID_LEN] == '\0')
      mark(t, ev, bits, woken);
  }
}

/* The listener, on the publishing thread: a chat's stream hears of every
 * event that names its conversation (chat.*, conversation.*,
 * contact.added), of the agent's typing in it, and of every move of any
 * conversation while it may still wait in the queue. */
static void hub_event(const lk_event *ev, void *ud) {
  chat_hub *hub = ud;
  const char *j = ev->json;
  size_t len = ev->json_len;
  chat_stream *woken = NULL;
  unsigned bits = 0;
  bool conv = strncmp(ev->type, "conversation.", 13) == 0;

  if (strcmp(ev->type, "chat.typing") == 0) {
    if (strstr(j, "\"by\":\"agent\"") != NULL)
      bits = EV_TYPING;
  } else if (conv || strncmp(ev->type, "chat.", 5) == 0 ||
             strcmp(ev->type, "contact.added") == 0) {
    bits = EV_UPDATE;
  }
  pthread_mutex_lock(&streams_lock);
  if (bits != 0) {
    /* Every UUID anywhere in the event, as the search for the id did. */
    for (size_t i = 0; i + UUID_LEN <= len; i++) {
      if (j[i + 8] == '-' && j[i + 13] == '-' && is_uuid_at(j + i)) {
        mark_id(hub->bus, j + i, ev, bits, &woken);
        i += UUID_LEN - 1;
      }
    }
    for (chat_stream *t = odd_head; t != NULL; t = t->hnext) {
      if (t->app->bus == hub->bus && strstr(j, t->conv_id) != NULL)
        mark(t, ev, bits, &woken);
    }
  }
  if (conv) {
    for (chat_stream *t = streams_head; t != NULL; t = t->next) {
      if (t->app->bus == hub->bus && atomic_load(&t->queued))
        mark(t, ev, EV_QUEUE, &woken);
    }
  }
  for (chat_stream *t = woken; t != NULL; t = t->ev_next) {
    atomic_fetch_or(&t->pending, t->ev_bits);
    lk_req_stream_wake(t->req);
  }
  pthread_mutex_unlock(&streams_lock);
}

/* Adds s, and closes the oldest of its chat's streams past the limit.
 * The wake is under the lock, so the stream woken is not yet freed. */
static void streams_add(chat_stream *s) {
  chat_stream *oldest = NULL;
  chat_stream **bucket;
  int n = 0;

  pthread_mutex_lock(&streams_lock);
  bucket = uuid_id(s->conv_id) ? &buckets[s->hash] : &odd_head;
  for (chat_stream *t = *bucket; t != NULL; t = t->hnext) {
    if (strcmp(t->conv_id, s->conv_id) != 0 || atomic_load(&t->closed))
      continue;
    /* The chain is newest first: the last one found is the oldest. */
    oldest = t;
    n++;
  }
  if (n >= STREAMS_PER_CHAT) {
    atomic_store(&oldest->closed, true);
    lk_req_stream_wake(oldest->req);
  }
  s->prev = streams_tail;
  if (streams_tail != NULL)
    streams_tail->next = s;
  else
    streams_head = s;
  streams_tail = s;
  s->hnext = *bucket;
  if (*bucket != NULL)
    (*bucket)->hprev = s;
  *bucket = s;
  pthread_mutex_unlock(&streams_lock);
}

static void streams_remove(chat_stream *s) {
  pthread_mutex_lock(&streams_lock);
  if (s->prev != NULL)
    s->prev->next = s->next;
  else
    streams_head = s->next;
  if (s->next != NULL)
    s->next->prev = s->prev;
  else
    streams_tail = s->prev;
  if (s->hprev != NULL)
    s->hprev->hnext = s->hnext;
  else if (uuid_id(s->conv_id))
    buckets[s->hash] = s->hnext;
  else
    odd_head = s->hnext;
  if (s->hnext != NULL)
    s->hnext->hprev = s->hprev;
  pthread_mutex_unlock(&streams_lock);
}

/* Counts a stream of `bus`, listening to the bus with its first one.
 * Returns false when out of memory. */
static bool hub_join(lk_bus *bus) {
  chat_hub *h;

  pthread_mutex_lock(&hub_lock);
  for (h = hubs; h != NULL && h->bus != bus; h = h->next)
    ;
  if (h == NULL) {
    h = calloc(1, sizeof(*h));
    if (h == NULL)
      goto fail;
    h->bus = bus;
    h->next = hubs;
    hubs = h;
  }
  if (h->listener == NULL) {
    h->listener = lk_bus_listen(bus, hub_event, h);
    if (h->listener == NULL)
      goto fail;
  }
  h->streams++;
  pthread_mutex_unlock(&hub_lock);
  return true;
fail:
  pthread_mutex_unlock(&hub_lock);
  return false;
}

/* Uncounts a stream; the last one of a bus stops listening, so that the
 * bus has no listener left when it is destroyed. */
static void hub_leave(lk_bus *bus) {
  pthread_mutex_lock(&hub_lock);
  for (chat_hub *h = hubs; h != NULL; h = h->next) {
    if (h->bus == bus && --h->streams == 0) {
      lk_bus_unlisten(bus, h->listener);
      h->listener = NULL;
    }
  }
  pthread_mutex_unlock(&hub_lock);
}

/* Whether this chat still waits in the queue: only then does a move of
 * the queue concern it (read here, on the request's thread). */
static bool still_queued(chat_stream *s) {
  lk_chat_row c;

  return lk_store_chat_by_conv(s->app->store, NULL, s->conv_id, &c) == 0 &&
         c.ended_at == 0 && c.assignee_id[0] == '\0' && c.waiting_since != 0;
}

static void stream_fill(chat_stream *s) {
  unsigned bits = atomic_exchange(&s->pending, 0);

  if (bits & EV_UPDATE) {
    /* Its own event may have put it (back) in the queue. */
    atomic_store(&s->queued, true);
    lk_buf_printf(&s->out.pending, "event: update\ndata: {\"seq\":%lld}\n\n",
                  (long long)lk_bus_last_seq(s->app->bus));
  }
  if (bits & EV_TYPING)
    lk_buf_puts(&s->out.pending, "event: typing\ndata: {\"by\":\"agent\"}\n\n");
  if ((bits & (EV_QUEUE | EV_UPDATE)) == EV_QUEUE) {
    /* Not queued now: queue moves stop waking it until an event of its
     * own (which brings EV_UPDATE) says something changed. */
    if (still_queued(s))
      lk_buf_puts(&s->out.pending, "event: queue\ndata: {}\n\n");
    else if ((atomic_load(&s->pending) & EV_UPDATE) == 0)
      atomic_store(&s->queued, false);
  }
}

static bool stream_more(void *ud) {
  chat_stream *s = ud;

  if (atomic_load(&s->app->shutting_down) || atomic_load(&s->closed))
    return false;
  stream_fill(s);
  return true;
}

static long stream_read(void *ud, char *buf, size_t max) {
  chat_stream *s = ud;

  return lk_sse_read(&s->out, s->req, s->app->heartbeat_ms, stream_more, s, buf,
                     max);
}

/* ---- chats the resident left ---------------------------------------- */

/* True while a stream of the chat is open: the resident is connected. */
static bool chat_live(const char *conversation_id, void *ud) {
  bool uuid = uuid_id(conversation_id);
  chat_stream *t;
  bool live = false;

  (void)ud;
  pthread_mutex_lock(&streams_lock);
  t = uuid ? buckets[uuid_hash(conversation_id)] : odd_head;
  for (; t != NULL && !live; t = t->hnext)
    live = strcmp(t->conv_id, conversation_id) == 0 && !atomic_load(&t->closed);
  pthread_mutex_unlock(&streams_lock);
  return live;
}

/* The close of a stream is the resident's last sign of life: the time to
 * abandonment counts from it, so a resident who reconnects within it
 * resumes the chat.  One small write per closed stream. */
typedef struct seen_write {
  lk_write w;
  char conv_id[UUID_LEN + 1];
} seen_write;

static int seen_apply(lk_tx *tx, void *arg) {
  return lk_store_chat_seen(tx, ((seen_write *)arg)->conv_id);
}

static void seen_done(int status, void *arg) {
  (void)status;
  free(arg);
}

static void stream_seen(lk_app *app, const char *conv_id) {
  seen_write *sw = calloc(1, sizeof(*sw));

  if (sw == NULL)
    return; /* the tick then finds it sooner: no worse than before */
  snprintf(sw->conv_id, sizeof(sw->conv_id), "%s", conv_id);
  sw->w = (lk_write){.apply = seen_apply, .done = seen_done, .arg = sw};
  if (lk_store_submit(app->store, &sw->w) != 0)
    free(sw);
}

static struct {
  lk_write w;
  lk_chat_expire_op op;
  atomic_bool pending;
} expiry;

static void expiry_done(int status, void *arg) {
  lk_chat_expire_op *op = arg;

  if (status != 0)
    lk_log(LK_LOG_WARN, "chat expiry failed", "error",
           lk_store_strerror(status), NULL);
  else if (op->abandoned + op->inactive > 0)
    lk_log(LK_LOG_INFO, "chats ended", "reason", "resident left", NULL);
  atomic_store(&expiry.pending, false);
}

void lk_chat_tick(lk_app *app) {
  static int64_t first_tick; /* the main thread's only */
  int64_t now = lk_clock_real_ms();

  if (first_tick == 0)
    first_tick = now;
  /* A restart closed every stream: the residents' scripts reconnect
   * within seconds, so the first period after the start ends nothing. */
  if (now - first_tick < app->chat_abandon_ms || atomic_load(&expiry.pending))
    return;
  /* One small read; a write only when some chat is due. */
  if (lk_store_chat_idle_any(app->store, now - app->chat_abandon_ms,
                             now - app->chat_idle_ms) != 1)
    return;
  atomic_store(&expiry.pending, true);
  expiry.op = (lk_chat_expire_op){.abandon_ms = app->chat_abandon_ms,
                                  .idle_ms = app->chat_idle_ms,
                                  .live = chat_live};
  expiry.w = (lk_write){
      .apply = lk_chat_expire_apply, .done = expiry_done, .arg = &expiry.op};
  if (lk_store_submit(app->store, &expiry.w) != 0)
    atomic_store(&expiry.pending, false);
}

static void stream_free(void *ud) {
  chat_stream *s = ud;

  stream_seen(s->app, s->conv_id);
  streams_remove(s);
  hub_leave(s->app->bus);
  lk_buf_free(&s->out.pending);
  free(s);
}

static void chat_stream_get(lk_req *req) {
  lk_chat_row c;
  chat_stream *s;

  if (!need_chat(req, &c))
    return;
  s = calloc(1, sizeof(*s));
  if (s == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  s->req = req;
  s->app = lk_req_app(req);
  snprintf(s->conv_id, sizeof(s->conv_id), "%s", c.conversation_id);
  s->hash = uuid_id(s->conv_id) ? uuid_hash(s->conv_id) : 0;
  atomic_init(&s->pending, 0);
  atomic_init(&s->queued, true);
  atomic_init(&s->closed, false);
  s->out.last_sent_ms = lk_clock_mono_ms();
  if (!hub_join(s->app->bus)) {
    free(s);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  /* The first frame makes the script fetch the status: whatever
   * happened while it was away.  The stream is in the table before the
   * status can be read, so nothing committed after that is missed. */
  lk_buf_printf(&s->out.pending,
                "retry: 3000\n\nevent: update\ndata: "
                "{\"seq\":%lld}\n\n",
                (long long)lk_bus_last_seq(s->app->bus));
  no_store(req);
  streams_add(s);
  lk_req_respond_stream(req, "text/event-stream; charset=utf-8", stream_read, s,
                        stream_free);
}

/* ---- /contact/terugbellen ------------------------------------------- */

/* Fields of the form itself; every other field is carried context. */
static bool own_field(const char *name) {
  static const char *const own[] = {"csrf",  "telefoon", "tijdvak", "naam",
                                    "email", "website",  "stap"};

  for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
    if (strcmp(own[i], name) == 0)
      return true;
  return false;
}

static bool carry_name_ok(const char *s, size_t n) {
  if (n == 0 || n > CARRY_NAME_MAX)
    return false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];

    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
          ch == '-'))
      return false;
  }
  return true;
}

typedef struct cb_form {
  char phone[LK_ADDRESS_MAX * 2 + 1];
  char slot[24];
  char name[LK_CONV_NAME_MAX * 2 + 1];
  char email[LK_CHAT_EMAIL_MAX * 2 + 1];
  char step[16];
  char website[64];
  char csrf[LK_SESSION_ID_LEN + 2];
  int ncarry;
  char carry_name[CARRY_MAX][CARRY_NAME_MAX + 1];
  char *carry_value[CARRY_MAX];
  const char *phone_error, *slot_error, *email_error, *name_error;
  const char *summary;
} cb_form;

static void cb_form_free(cb_form *f) {
  for (int i = 0; i < f->ncarry; i++)
    free(f->carry_value[i]);
  f->ncarry = 0;
}

static void field(lk_req *req, const char *name, char *out, size_t size) {
  size_t len;
  const char *body = lk_req_body(req, &len);

  if (body == NULL ||
      lk_form_find(body, len, name, out, size) != LK_COOKIE_FOUND)
    out[0] = '\0';
}

/* CR LF from a textarea becomes LF. */
static void unix_newlines(char *s) {
  char *w = s;

  for (const char *r = s; *r != '\0'; r++)
    if (!(r[0] == '\r' && r[1] == '\n'))
      *w++ = *r == '\r' ? '\n' : *r;
  *w = '\0';
}

/* Reads the form; the carried fields are every other field by name. */
static void read_form(lk_req *req, cb_form *f) {
  size_t len, vsize = LK_CHAT_TEXT_MAX * 3 + 1;
  const char *body = lk_req_body(req, &len), *p, *end, *eq, *amp;

  field(req, "telefoon", f->phone, sizeof(f->phone));
  field(req, "tijdvak", f->slot, sizeof(f->slot));
  field(req, "naam", f->name, sizeof(f->name));
  field(req, "email", f->email, sizeof(f->email));
  field(req, "stap", f->step, sizeof(f->step));
  field(req, "website", f->website, sizeof(f->website));
  field(req, "csrf", f->csrf, sizeof(f->csrf));
  if (body == NULL)
    return;
  for (p = body, end = body + len; p < end && f->ncarry < CARRY_MAX;
       p = amp + 1) {
    char name[CARRY_NAME_MAX + 1];
    bool dup = false;

    amp = memchr(p, '&', (size_t)(end - p));
    if (amp == NULL)
      amp = end;
    eq = memchr(p, '=', (size_t)(amp - p));
    if (eq == NULL || !carry_name_ok(p, (size_t)(eq - p)))
      continue;
    memcpy(name, p, (size_t)(eq - p));
    name[eq - p] = '\0';
    for (int i = 0; i < f->ncarry; i++)
      dup = dup || strcmp(f->carry_name[i], name) == 0;
    if (dup || own_field(name))
      continue;
    f->carry_value[f->ncarry] = malloc(vsize);
    if (f->carry_value[f->ncarry] == NULL)
      return;
    field(req, name, f->carry_value[f->ncarry], vsize);
    unix_newlines(f->carry_value[f->ncarry]);
    snprintf(f->carry_name[f->ncarry], sizeof(f->carry_name[0]), "%s", name);
    f->ncarry++;
  }
}

static void csrf_token(lk_req *req, char out[LK_SESSION_ID_LEN + 1]) {
  char have[LK_SESSION_ID_LEN + 2];
  lk_cookie_attrs a = {.secure = lk_api_secure(req), .path = COOKIE_PATH};

  if (lk_req_cookie(req, LK_LOGIN_CSRF_COOKIE, have, sizeof(have)) ==
          LK_COOKIE_FOUND &&
      lk_session_id_valid(have)) {
    memcpy(out, have, LK_SESSION_ID_LEN + 1);
    return;
  }
  lk_session_id_new(out);
  lk_req_set_cookie(req, LK_LOGIN_CSRF_COOKIE, out, &a);
}

/* Same origin; without an Origin header the double-submit token. */
static bool csrf_ok(lk_req *req, const char *given) {
  char have[LK_SESSION_ID_LEN + 2];

  if (!lk_api_same_origin(req))
    return false;
  if (lk_req_header(req, "Origin") != NULL)
    return true;
  return lk_req_cookie(req, LK_LOGIN_CSRF_COOKIE, have, sizeof(have)) ==
             LK_COOKIE_FOUND &&
         lk_session_id_valid(have) && lk_secret_equal(have, given);
}

static void error_p(lk_buf *b, const char *id, const char *msg) {
  lk_buf_printf(b,
                "<p class=\"utrecht-form-field-error-message utrecht-form-"
                "field__error-message\" id=\"%s-fout\">",
                id);
  lk_html_txt(b, msg);
  lk_buf_puts(b, "</p>\n");
}

static void text_field(lk_buf *b, const char *id, const char *name,
                       const char *label, const char *type,
                       const char *autocomplete, const char *value,
                       const char *error, bool required) {
  lk_buf_printf(b,
                "<div class=\"utrecht-form-field utrecht-form-field--text%s\">"
                "\n<p class=\"utrecht-form-field__label\"><label class=\""
                "utrecht-form-label\" for=\"%s\">%s</label></p>\n",
                error != NULL ? " utrecht-form-field--invalid" : "", id, label);
  if (error != NULL)
    error_p(b, id, error);
  lk_buf_printf(b,
                "<p class=\"utrecht-form-field__input\"><input class=\""
                "utrecht-textbox%s\" id=\"%s\" name=\"%s\" type=\"%s\" "
                "autocomplete=\"%s\"%s",
                error != NULL ? " utrecht-textbox--invalid" : "", id, name,
                type, autocomplete, required ? " required" : "");
  if (error != NULL)
    lk_buf_printf(b, " aria-invalid=\"true\" aria-describedby=\"%s-fout\"", id);
  lk_buf_puts(b, " value=\"");
  lk_html_attr(b, value != NULL ? value : "");
  lk_buf_puts(b, "\"></p>\n</div>\n");
}

static void transcript_item(const lk_chat_msg *m, void *ud) {
  lk_buf *b = ud;
  bool in = strcmp(m->kind, "inbound") == 0;

  lk_buf_puts(b, "<li><strong>");
  lk_html_txt(b,
              in ? "U"
                 : (m->author != NULL && m->author[0] != '\0' ? m->author
                                                              : "Medewerker"));
  lk_buf_puts(b, ":</strong> ");
  lk_html_txt(b, m->content);
  lk_buf_puts(b, "</li>\n");
}

/* The callback slots a resident may book now, on the default calendar,
 * for the form and its JSON alike.  Returns how many are in *out (free
 * it), or -1 after answering. */
static int open_slots(lk_req *req, lk_chat_slot **out) {
  lk_app *app = lk_req_app(req);
  lk_calendar cal;
  lk_chat_slot *slots = calloc(LK_CHAT_SLOTS_MAX, sizeof(*slots));
  int n;

  *out = NULL;
  if (slots == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return -1;
  }
  lk_cal_default(&cal);
  n = lk_chat_slots(app->store, &cal, lk_clock_real_ms(),
                    app->callback_capacity, slots, LK_CHAT_SLOTS_MAX);
  if (n < 0) {
    free(slots);
    lk_req_problem_store(req, n);
    return -1;
  }
  *out = slots;
  return n;
}

static void callback_form(lk_req *req, int status, cb_form *f,
                          const lk_chat_row *chat) {
  lk_app *app = lk_req_app(req);
  lk_chat_slot *slots;
  char tok[LK_SESSION_ID_LEN + 1], when[80], chosen_s[24];
  int n, offered = 0;
  lk_buf b = LK_BUF_INIT;
  bool errors = f->phone_error != NULL || f->slot_error != NULL ||
                f->email_error != NULL || f->name_error != NULL ||
                f->summary != NULL;

  n = open_slots(req, &slots);
  if (n < 0)
    return;
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Bel mij terug</h1>\n");
  if (errors) {
    /* Each error links to its field, in the order of the form. */
    lk_form_summary_begin(&b, f->summary);
    lk_form_summary_item(&b, "tb-naam", f->name_error);
    lk_form_summary_item(&b, "tb-telefoon", f->phone_error);
    lk_form_summary_item(&b, "tb-email", f->email_error);
    lk_form_summary_item(&b, "tb-tijdvak", f->slot_error);
    lk_form_summary_end(&b);
  }
  if (chat != NULL) {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Uw chatgesprek ");
    lk_html_txt(&b, chat->reference);
    lk_buf_puts(&b, " gaat mee: de medewerker die u belt, leest het eerst."
                    "</p>\n<details class=\"loket-transcript\"><summary>"
                    "Het gesprek tot nu toe</summary>\n<ul class=\"utrecht-"
                    "unordered-list\">\n");
    lk_store_chat_messages(app->store, NULL, chat->conversation_id, 0, 500,
                           transcript_item, &b);
    lk_buf_puts(&b, "</ul></details>\n");
  } else if (f->ncarry > 0) {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Wat u in het formulier "
                    "had ingevuld, gaat mee.</p>\n<dl class=\"utrecht-data-"
                    "list\">\n");
    for (int i = 0; i < f->ncarry; i++) {
      if (f->carry_value[i][0] == '\0')
        continue;
      lk_buf_puts(&b, "<div class=\"utrecht-data-list__item\"><dt class=\""
                      "utrecht-data-list__item-key\">");
      lk_html_txt(&b, f->carry_name[i]);
      lk_buf_puts(&b, "</dt><dd class=\"utrecht-data-list__item-value\">");
      lk_html_txt(&b, f->carry_value[i]);
      lk_buf_puts(&b, "</dd></div>\n");
    }
    lk_buf_puts(&b, "</dl>\n");
  }
  lk_buf_puts(&b, "<form class=\"utrecht-form\" method=\"post\" action=\""
                  "/contact/terugbellen\">\n<input type=\"hidden\" "
                  "name=\"stap\" value=\"boeken\">\n");
  csrf_token(req, tok);
  lk_buf_puts(&b, "<input type=\"hidden\" name=\"csrf\" value=\"");
  lk_html_attr(&b, tok);
  lk_buf_puts(&b, "\">\n");
  for (int i = 0; i < f->ncarry; i++) {
    lk_buf_puts(&b, "<input type=\"hidden\" name=\"");
    lk_html_attr(&b, f->carry_name[i]);
    lk_buf_puts(&b, "\" value=\"");
    lk_html_attr(&b, f->carry_value[i]);
    lk_buf_puts(&b, "\">\n");
  }
  text_field(&b, "tb-naam", "naam", "Naam (niet verplicht)", "text", "name",
             f->name, f->name_error, false);
  text_field(&b, "tb-telefoon", "telefoon", "Telefoonnummer (verplicht)", "tel",
             "tel", f->phone, f->phone_error, true);
  text_field(&b, "tb-email", "email",
             "E-mailadres voor een bevestiging (niet verplicht)", "email",
             "email", f->email, f->email_error, false);
  lk_buf_printf(
      &b,
      "<fieldset class=\"utrecht-form-fieldset loket-slots%s\""
      " id=\"tb-tijdvak\"%s>\n<legend class=\"utrecht-form-fieldset__legend\">"
      "Wanneer mogen wij u bellen?</legend>\n",
      f->slot_error != NULL ? " loket-slots--invalid" : "",
      f->slot_error != NULL ? " aria-describedby=\"tb-tijdvak-fout\"" : "");
  if (f->slot_error != NULL)
    error_p(&b, "tb-tijdvak", f->slot_error);
  for (int i = 0; i < n; i++) {
    if (slots[i].free <= 0)
      continue;
    snprintf(chosen_s, sizeof(chosen_s), "%lld", (long long)slots[i].start);
    lk_chat_slot_text(when, sizeof(when), slots[i].start);
    lk_buf_printf(&b,
                  "<p class=\"loket-slot\"><input type=\"radio\" "
                  "name=\"tijdvak\" id=\"tijdvak-%lld\" value=\"%lld\"%s%s>"
                  " <label for=\"tijdvak-%lld\">",
                  (long long)slots[i].start, (long long)slots[i].start,
                  strcmp(chosen_s, f->slot) == 0 ? " checked" : "",
                  offered == 0 ? " required" : "", (long long)slots[i].start);
    lk_html_txt(&b, when);
    lk_buf_puts(&b, "</label></p>\n");
    offered++;
  }
  if (offered == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Er zijn de komende dagen "
                    "geen tijden vrij. Bel ons of gebruik het "
                    "formulier.</p>\n");
  lk_buf_puts(&b, "</fieldset>\n<div class=\"loket-hp\" aria-hidden=\"true\" "
                  "hidden><label for=\"tb-website\">Website</label><input "
                  "id=\"tb-website\" name=\"website\" type=\"text\" "
                  "tabindex=\"-1\" autocomplete=\"off\" value=\"\"></div>\n"
                  "<p class=\"utrecht-button-group\"><button class=\"utrecht-"
                  "button utrecht-button--primary-action\" type=\"submit\">"
                  "Bel mij terug</button></p>\n</form>\n");
  free(slots);
  page(req, status, errors ? "Fout: Bel mij terug" : "Bel mij terug", &b, NULL);
}

static void callback_get(lk_req *req) {
  cb_form f = {0};
  lk_chat_row chat;
  bool have = current_chat(req, &chat) == 0 && chat.ended_at == 0;

  callback_form(req, 200, &f, have ? &chat : NULL);
}

struct cb_ctx {
  lk_api_write aw;
  lk_callback_op op;
  cb_form form;
  lk_chat_row chat;
  bool from_chat;
};

static void cb_ctx_free(void *p) {
  struct cb_ctx *ctx = p;

  lk_callback_op_clear(&ctx->op);
  cb_form_free(&ctx->form);
  free(ctx);
}

static void booked(lk_req *req, int status) {
  struct cb_ctx *ctx = lk_req_data(req);
  char when[80];
  lk_buf b = LK_BUF_INIT;

  if (status == LK_STORE_CONFLICT) {
    ctx->form.slot_error = "Dit tijdstip is net vol geraakt. Kies een ander "
                           "tijdstip.";
    ctx->form.slot[0] = '\0';
    callback_form(req, 409, &ctx->form, ctx->from_chat ? &ctx->chat : NULL);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  lk_chat_slot_text(when, sizeof(when), ctx->op.slot_start);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Wij bellen u terug</h1>\n"
                  "<div class=\"utrecht-alert utrecht-alert--ok\"><div "
                  "class=\"utrecht-alert__content\"><p class=\"utrecht-"
                  "alert__message utrecht-paragraph\" role=\"status\" "
                  "id=\"terugbellen-bevestigd\">Wij bellen u op ");
  lk_html_txt(&b, ctx->op.phone);
  lk_buf_puts(&b, ", ");
  lk_html_txt(&b, when);
  lk_buf_puts(&b, ". Uw kenmerk is <strong class=\"loket-reference\">");
  lk_html_txt(&b, ctx->op.reference);
  lk_buf_puts(&b, "</strong>.</p></div></div>\n");
  if (ctx->op.email[0] != '\0') {
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">U krijgt een bevestiging "
                    "per e-mail op ");
    lk_html_txt(&b, ctx->op.email);
    lk_buf_puts(&b, ".</p>\n");
  }
  page(req, 201, "Wij bellen u terug", &b, NULL);
}

/* Carries one field of the web form along (a copy of `value`). */
static void carry(cb_form *f, const char *name, const char *value) {
  if (value[0] == '\0' || f->ncarry >= CARRY_MAX)
    return;
  f->carry_value[f->ncarry] = strdup(value);
  if (f->carry_value[f->ncarry] == NULL)
    return;
  snprintf(f->carry_name[f->ncarry], sizeof(f->carry_name[0]), "%s", name);
  f->ncarry++;
}

/* The web form (/contact/formulier, multipart/form-data) handed its
 * fields over with its "Bel mij terug" button: its name, e-mail address
 * and telephone fill this form's, the rest is carried; the file itself is
 * not kept, only its name.  Then the resident picks number and time. */
static void from_contact_form(lk_req *req, struct cb_ctx *ctx) {
  lk_contact_form *cf = calloc(1, sizeof(*cf));
  cb_form *f = &ctx->form;
  const lk_chat_row *chat = ctx->from_chat ? &ctx->chat : NULL;

  if (cf == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (lk_contact_form_read(req, cf) != 0 || !csrf_ok(req, cf->csrf)) {
    free(cf);
    f->summary = "Controleer de gegevens en klik nogmaals op Bel mij terug.";
    callback_form(req, 403, f, chat);
    return;
  }
  snprintf(f->name, sizeof(f->name), "%s", cf->name);
  snprintf(f->email, sizeof(f->email), "%s", cf->email);
  snprintf(f->phone, sizeof(f->phone), "%s", cf->phone);
  carry(f, "soort", cf->kind);
  carry(f, "categorie", cf->category);
  carry(f, "bericht", cf->message);
  carry(f, "bijlage", cf->file_name);
  free(cf);
  callback_form(req, 200, f, chat);
}

static void callback_post(lk_req *req) {
  lk_app *app = lk_req_app(req);
  struct cb_ctx *ctx;
  lk_callback_field fields[CARRY_MAX];
  lk_calendar cal;
  lk_invalid why;
  long long slot = 0;
  int64_t retry;
  char *end;
  int rc;

  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_set_data(req, ctx, cb_ctx_free);
  ctx->from_chat =
      current_chat(req, &ctx->chat) == 0 && ctx->chat.ended_at == 0;
  if (!lk_req_is_form(req)) {
    from_contact_form(req, ctx);
    return;
  }
  read_form(req, &ctx->form);
  if (!lk_req_is_form(req) || !csrf_ok(req, ctx->form.csrf)) {
    ctx->form.summary = "Controleer de gegevens en klik nogmaals op Bel mij "
                        "terug.";
    callback_form(req, 403, &ctx->form, ctx->from_chat ? &ctx->chat : NULL);
    return;
  }
  if (strcmp(ctx->form.step, "boeken") != 0) {
    /* Another form handed its fields over: ask for number and time. */
    callback_form(req, 200, &ctx->form, ctx->from_chat ? &ctx->chat : NULL);
    return;
  }
  if (ctx->form.website[0] != '\0') {
    lk_req_respond(req, 204, NULL, NULL, 0); /* a robot */
    return;
  }
  retry = limited(req, app->callback_by_client, app->callback_by_phone,
                  "telefoonnummer", ctx->form.phone);
  if (retry > 0) {
    lk_buf b = LK_BUF_INIT;

    retry_after(req, retry);
    lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Te veel verzoeken</h1>"
                    "\n<p class=\"utrecht-paragraph\">Er zijn te veel "
                    "terugbelverzoeken verstuurd vanaf uw internetverbinding "
                    "of voor dit telefoonnummer. Probeer het later opnieuw, "
                    "of bel ons.</p>\n");
    page(req, 429, "Te veel verzoeken", &b, NULL);
    return;
  }
  errno = 0;
  if (ctx->form.slot[0] != '\0')
    slot = strtoll(ctx->form.slot, &end, 10);
  if (ctx->form.slot[0] == '\0' || errno != 0 || *end != '\0')
    slot = 0;
  for (int i = 0; i < ctx->form.ncarry; i++) {
    fields[i].name = ctx->form.carry_name[i];
    fields[i].value = ctx->form.carry_value[i];
  }
  lk_cal_default(&cal);
  rc = lk_callback_prepare(&ctx->op, lk_req_id(req), &cal, lk_clock_real_ms(),
                           app->callback_capacity,
                           ctx->from_chat ? &ctx->chat : NULL, ctx->form.name,
                           ctx->form.phone, slot, ctx->form.email, fields,
                           ctx->form.ncarry, &why);
  if (rc == LK_EINVALID) {
    if (strcmp(why.field, "/phone") == 0)
      ctx->form.phone_error = "Vul een geldig telefoonnummer in, zoals 06 "
                              "12345678.";
    else if (strcmp(why.field, "/slot") == 0)
      ctx->form.slot_error = "Kies een van de tijden hieronder.";
    else if (strcmp(why.field, "/email") == 0)
      ctx->form.email_error = "Vul een geldig e-mailadres in, zoals "
                              "naam@voorbeeld.nl.";
    else if (strcmp(why.field, "/name") == 0)
      ctx->form.name_error = "Vul een naam in van ten hoogste 200 tekens.";
    else
      ctx->form.summary = "Wat u had ingevuld is te lang of bevat tekens die "
                          "niet zijn toegestaan.";
    callback_form(req, 422, &ctx->form, ctx->from_chat ? &ctx->chat : NULL);
    return;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_callback_apply, &ctx->op, booked);
}

/* ---- GET /contact/chat/tijdvakken: the slots as JSON ----------------- */

static void chat_slots(lk_req *req) {
  lk_chat_slot *slots;
  lk_buf b = LK_BUF_INIT;
  int n, k = 0;

  n = open_slots(req, &slots);
  if (n < 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  for (int i = 0; i < n; i++) {
    char s[32], e[32];

    if (slots[i].free <= 0)
      continue;
    lk_clock_format_iso(slots[i].start, s, sizeof(s));
    lk_clock_format_iso(slots[i].end, e, sizeof(e));
    lk_buf_printf(&b,
                  "%s{\"start\":%lld,\"end\":%lld,\"free\":%d,"
                  "\"startTime\":\"%s\",\"endTime\":\"%s\"}",
                  k++ > 0 ? "," : "", (long long)slots[i].start,
                  (long long)slots[i].end, slots[i].free, s, e);
  }
  lk_buf_puts(&b, "]}");
  free(slots);
  no_store(req);
  lk_req_respond_buf(req, 200, "application/json", &b);
}

/* The web form's button that hands what was typed to the call-back form
 * (pages/contact.h).  Not in the kiosk: a terminal has no phone to call
 * back and must not lead out of its frame.  formenctype: this form reads
 * url-encoded fields; formnovalidate: a half-filled form may go. */
static void contact_form_button(lk_buf *b, bool kiosk) {
  if (kiosk)
    return;
  lk_buf_puts(b, " <button class=\"utrecht-button utrecht-button--secondary-"
                 "action\" type=\"submit\" formaction=\"/contact/"
                 "terugbellen\" formenctype=\"application/x-www-form-"
                 "urlencoded\" formnovalidate id=\"formulier-terugbellen\">"
                 "Bel mij terug</button>");
}

int lk_chat_page_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/contact/chat", chat_page, 0},
      {"POST", "/contact/chat/start", chat_start, 0},
      {"GET", "/contact/chat/status", chat_status, 0},
      {"POST", "/contact/chat/berichten", chat_send, 0},
      {"POST", "/contact/chat/typen", chat_typing, 0},
      {"POST", "/contact/chat/gelezen", chat_read, 0},
      {"POST", "/contact/chat/einde", chat_end, 0},
      {"GET", "/contact/chat/stroom", chat_stream_get, LK_ROUTE_STREAM},
      {"GET", "/contact/chat/tijdvakken", chat_slots, 0},
      {"GET", "/contact/terugbellen", callback_get, 0},
      {"POST", "/contact/terugbellen", callback_post, LK_ROUTE_UPLOAD},
  };

  /* Registered with the routes: at start-up, before serving. */
  lk_contact_form_actions(contact_form_button);
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
