/* events.c - GET /api/v1/events: the event stream as Server-Sent Events.
 *
 * Each stream keeps a cursor (the last sequence number sent).  It reads
 * from the bus's ring when it can and from the store when it has fallen
 * further behind, so a client that resumes with Last-Event-ID after any
 * pause receives every event exactly once and in order.  Between events
 * the connection is suspended; the bus wakes it, and the server's tick
 * wakes it for a heartbeat comment.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/events_public.h"
#include "api/session.h"
#include "events/bus.h"
#include "http/cookie.h"
#include "http/problem.h"
#include "http/sse.h"
#include "util/clock.h"

#define READ_BATCH 64
#define STORE_BATCH 256

typedef struct sse_stream {
  lk_req *req;
  lk_app *app;
  char actor[64];      /* "token:tok_..." or "user:usr_..." of the subscriber */
  bool confidential;   /* may receive events about confidential items */
  bool admin;          /* may receive user.* events */
  atomic_bool revoked; /* its token was revoked: end the stream */
  /* A stream opened with a session: the digest it is stored under, and
   * whether a session of its account ended (look it up again). */
  char session_hash[65];
  atomic_bool recheck;
  lk_session_config session_cfg;
  lk_bus_listener *listener;
  int64_t cursor;
  lk_sse_out out;
} sse_stream;

static void sse_wake(const lk_event *ev, void *ud) {
  sse_stream *s = ud;

  /* A revoked token loses its open streams too, not just new requests. */
  if (strcmp(ev->type, "token.revoked") == 0 &&
      strncmp(s->actor, "token:", 6) == 0 &&
      strcmp(ev->subject, s->actor + 6) == 0)
    atomic_store(&s->revoked, true);
  /* A session ended (log-out, password change, disabled account): the
   * stream of that session must end too, but not the account's others. */
  if (strcmp(ev->type, "session.ended") == 0 &&
      strncmp(s->actor, "user:", 5) == 0 &&
      strcmp(ev->subject, s->actor + 5) == 0)
    atomic_store(&s->recheck, true);
  lk_req_stream_wake(s->req);
}

/* True while the stream's session is active (on the request's thread: the
 * bus's callback must not read the store). */
static bool session_live(sse_stream *s) {
  lk_session_row r;

  if (s->session_hash[0] == '\0' ||
      lk_store_session_get(s->app->store, s->session_hash, &r) != 0)
    return false;
  return lk_session_check(&r, &s->session_cfg, lk_clock_real_ms()) ==
         LK_SESSION_ACTIVE;
}

/* May subscriber `s` receive `ev`?  Events about confidential items say
 * so ("confidential": true in their data) and go only to subscribers who
 * may see them (the flag is read once, when the event is made); staff
 * account events (user.*, session.*) go only to admins.  The cursor moves
 * past a withheld event all the same. */
static bool deliverable(const sse_stream *s, const lk_event *ev) {
  if (strncmp(ev->type, "user.", 5) == 0 ||
      strncmp(ev->type, "session.", 8) == 0)
    return s->admin;
  return s->confidential || !ev->confidential;
}

static void send_event(sse_stream *s, const lk_event *ev) {
  if (deliverable(s, ev))
    lk_buf_append(&s->out.pending, ev->sse, ev->sse_len);
}

static void from_store(const lk_event_row *row, void *ud) {
  sse_stream *s = ud;
  lk_event *ev = lk_event_new(row);

  if (ev != NULL) {
    send_event(s, ev);
    lk_event_unref(ev);
  }
  s->cursor = row->seq;
}

/* Appends the next batch of events to s->out.pending. */
static void fill_batch(sse_stream *s) {
  lk_event *evs[READ_BATCH];
  int n;

  n = lk_bus_read(s->app->bus, s->cursor, evs, READ_BATCH);
  if (n == LK_BUS_GONE) {
    lk_store_events_after(s->app->store, s->cursor, STORE_BATCH, from_store, s);
    return;
  }
  for (int i = 0; i < n; i++) {
    send_event(s, evs[i]);
    s->cursor = evs[i]->seq;
    lk_event_unref(evs[i]);
  }
}

/* Appends the next events to s->out.pending: batches until one holds an
 * event for this subscriber or none are left. */
static void fill(sse_stream *s) {
  int64_t before;

  do {
    before = s->cursor;
    fill_batch(s);
  } while (s->out.pending.len == 0 && s->cursor != before);
}

static bool sse_fill(void *ud) {
  sse_stream *s = ud;

  if (atomic_load(&s->app->shutting_down) || atomic_load(&s->revoked))
    return false;
  if (atomic_exchange(&s->recheck, false) && !session_live(s))
    return false;
  fill(s);
  return true;
}

static long sse_read(void *ud, char *buf, size_t max) {
  sse_stream *s = ud;

  return lk_sse_read(&s->out, s->req, s->app->heartbeat_ms, sse_fill, s, buf,
                     max);
}

static void sse_free(void *ud) {
  sse_stream *s = ud;

  if (s->listener != NULL)
    lk_bus_unlisten(s->app->bus, s->listener);
  lk_buf_free(&s->out.pending);
  free(s);
}

int lk_api_last_event_id(lk_req *req, int64_t *out) {
  const char *s = lk_req_header(req, "Last-Event-ID");
  long long v;
  char *end;

  if (s == NULL)
    s = lk_req_query(req, "lastEventId");
  if (s == NULL)
    return 1;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0) {
    lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                   "Last-Event-ID must be a non-negative event number",
                   "Last-Event-ID");
    return -1;
  }
  *out = v;
  return 0;
}

static void stream_start(lk_req *req, sse_stream *s, int rc, int64_t cursor);

void lk_api_events(lk_req *req) {
  lk_app *app = lk_req_app(req);
  sse_stream *s;
  int64_t cursor = 0;
  int rc;

  if (lk_api_auth(req, "events") != 0)
    return;
  rc = lk_api_last_event_id(req, &cursor);
  if (rc < 0)
    return;
  s = calloc(1, sizeof(*s));
  if (s == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  s->req = req;
  s->app = app;
  snprintf(s->actor, sizeof(s->actor), "%s", lk_req_actor(req));
  s->confidential = lk_req_principal(req)->confidential;
  s->admin = strcmp(lk_req_principal(req)->role, "admin") == 0;
  atomic_init(&s->revoked, false);
  atomic_init(&s->recheck, false);
  if (strncmp(s->actor, "user:", 5) == 0) {
    char id[LK_SESSION_ID_LEN + 1];

    /* lk_api_auth() took this cookie as valid a moment ago. */
    if (lk_req_cookie(req, LK_SESSION_COOKIE, id, sizeof(id)) !=
            LK_COOKIE_FOUND ||
        lk_session_digest(id, s->session_hash) != 0)
      s->session_hash[0] = '\0';
    lk_api_session_config(req, &s->session_cfg);
  }
  stream_start(req, s, rc, cursor);
}

/* Starts stream `s` at `cursor` (rc 0) or at the present (rc 1). */
static void stream_start(lk_req *req, sse_stream *s, int rc, int64_t cursor) {
  lk_app *app = s->app;

  s->out.last_sent_ms = lk_clock_mono_ms();
  /* Listen before reading the position: nothing published in between is
   * missed. */
  s->listener = lk_bus_listen(app->bus, sse_wake, s);
  if (s->listener == NULL) {
    free(s);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  /* An id from the future (a client of a database since restored from a
   * backup) would silence the stream until the numbers catch up: such a
   * client starts at the present instead. */
  s->cursor = lk_bus_last_seq(app->bus);
  if (rc == 0 && cursor < s->cursor)
    s->cursor = cursor;
  /* The first bytes go out at once so the client sees the headers. */
  lk_buf_puts(&s->out.pending, "retry: 3000\n\n");
  lk_req_respond_stream(req, "text/event-stream; charset=utf-8", sse_read, s,
                        sse_free);
}
