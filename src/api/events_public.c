/* events_public.c - the public event streams of Actueel, for many thousands
 * of subscribers.
 *
 * The staff stream (events.c) gives each subscriber a bus listener, which
 * the store writer calls for every event.  With 15,000 residents watching
 * a calamity that would be 15,000 calls per event of any kind, most of
 * them for events no resident may see.  So the public streams share one
 * listener, the hub:
 *
 *  - For each event it looks once whether it is public (notice.*) and
 *    which notice it concerns (its subject, or "notice_id", "noticeId",
 *    "notice" or "id" in its data: the payload is parsed here, once, and
 *    never per subscriber).  Anything else only moves the hub's position.
 *  - Public events go into the hub's own ring, so that a subscriber never
 *    walks past staff events to find the next notice; the ring also tells
 *    where memory ends and the store begins (Last-Event-ID resumes).
 *  - A fan-out thread, not the store writer, then wakes the subscribers
 *    the event is for: the streams of all notices and those of that one.
 *    Each woken stream copies the shared, once-serialised frame straight
 *    into its socket buffer; an idle subscriber holds no buffer at all.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/events_public.h"
#include "http/problem.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define RING_CAPACITY 1024
#define MAX_IDS 5
#define STORE_BATCH 256

typedef struct pub_event {
  lk_event *ev;
  int nids;
  char ids[MAX_IDS][LK_EVENTS_NOTICE_ID_MAX];
} pub_event;

typedef struct pub_stream pub_stream;

struct lk_events_hub {
  lk_app *app;
  lk_bus_listener *listener;

  pthread_mutex_t lock; /* the ring and the positions */
  pub_event *ring;
  size_t head;
  size_t count;
  int64_t floor;    /* public events with seq <= floor: only in the store */
  int64_t last_seq; /* the last event of any kind seen */
  int64_t fanned;   /* public events up to here have been fanned out */

  pthread_mutex_t subs_lock; /* the subscribers, held while waking them */
  pub_stream *subs;
  long nsubs;

  /* The fan-out thread sleeps on `cond`; the store writer signals it under
   * wake_lock, never under subs_lock, which a fan-out holds for a while. */
  pthread_mutex_t wake_lock;
  pthread_cond_t cond;
  bool stopping;
  pthread_t thread;

  /* metrics, under subs_lock */
  uint64_t fanouts;
  uint64_t woken;
  double fanout_last_s;
  double fanout_sum_s;
};

struct pub_stream {
  lk_req *req;
  lk_events_hub *hub;
  pub_stream *prev;
  pub_stream *next;
  int64_t cursor;
  int64_t last_sent_ms;
  /* What is being sent: a shared event frame (ev holds a reference), the
   * bytes of `buf` (events read from the store), or static text. */
  const char *out;
  size_t out_len;
  size_t off;
  lk_event *ev;
  lk_buf buf;
  char notice_id[LK_EVENTS_NOTICE_ID_MAX];
};

/* ---- deciding once per event ------------------------------------------ */

/* Fills e->ids with the notices `ev` concerns. */
static void collect_ids(pub_event *e, const lk_event *ev) {
  static const char *const keys[] = {"notice_id", "noticeId", "notice", "id"};
  json_t *doc;
  json_t *data;

  e->nids = 0;
  if (strlen(ev->subject) < LK_EVENTS_NOTICE_ID_MAX)
    snprintf(e->ids[e->nids++], LK_EVENTS_NOTICE_ID_MAX, "%s", ev->subject);
  doc = json_loadb(ev->json, ev->json_len, 0, NULL);
  data = json_object_get(doc, "data");
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    const char *v = json_string_value(json_object_get(data, keys[i]));

    if (v != NULL && strlen(v) < LK_EVENTS_NOTICE_ID_MAX && e->nids < MAX_IDS)
      snprintf(e->ids[e->nids++], LK_EVENTS_NOTICE_ID_MAX, "%s", v);
  }
  json_decref(doc);
}

static bool is_public(const lk_event *ev) {
  return strncmp(ev->type, "notice.", 7) == 0;
}

/* Is `e` for a subscriber of `notice_id` ("" = every notice)? */
static bool wanted(const pub_event *e, const char *notice_id) {
  if (notice_id[0] == '\0')
    return true;
  for (int i = 0; i < e->nids; i++) {
    if (strcmp(e->ids[i], notice_id) == 0)
      return true;
  }
  return false;
}

bool lk_events_public_match(const lk_event *ev, const char *notice_id) {
  pub_event e;

  if (!is_public(ev))
    return false;
  if (notice_id == NULL || notice_id[0] == '\0')
    return true;
  collect_ids(&e, ev);
  return wanted(&e, notice_id);
}

/* ---- the hub ------------------------------------------------------------ */

/* The bus listener: runs on the store writer for every event, under the
 * bus lock; it must be quick. */
static void hub_on_event(const lk_event *ev, void *ud) {
  lk_events_hub *hub = ud;
  pub_event *e;

  pthread_mutex_lock(&hub->lock);
  if (hub->floor < 0)
    hub->floor = ev->seq - 1;
  if (ev->seq > hub->last_seq)
    hub->last_seq = ev->seq;
  if (!is_public(ev)) {
    pthread_mutex_unlock(&hub->lock);
    return;
  }
  if (hub->count == RING_CAPACITY) {
    e = &hub->ring[hub->head];
    hub->floor = e->ev->seq;
    lk_event_unref(e->ev);
    hub->head = (hub->head + 1) % RING_CAPACITY;
    hub->count--;
  }
  e = &hub->ring[(hub->head + hub->count) % RING_CAPACITY];
  e->ev = lk_event_ref((lk_event *)ev);
  collect_ids(e, ev);
  hub->count++;
  pthread_mutex_unlock(&hub->lock);
  pthread_mutex_lock(&hub->wake_lock);
  pthread_cond_signal(&hub->cond);
  pthread_mutex_unlock(&hub->wake_lock);
}

/* Index in the ring of the first event with seq > `after`.  Under lock. */
static size_t ring_find(lk_events_hub *hub, int64_t after) {
  size_t lo = 0;
  size_t hi = hub->count;
  size_t mid;

  while (lo < hi) {
    mid = (lo + hi) / 2;
    if (hub->ring[(hub->head + mid) % RING_CAPACITY].ev->seq <= after)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Wakes the subscribers of the public events after hub->fanned. */
static void fan_out(lk_events_hub *hub) {
  char ids[MAX_IDS * 4][LK_EVENTS_NOTICE_ID_MAX];
  int nids = 0;
  bool any = false;
  bool everyone = false; /* more notices than ids[] holds */
  int64_t t0 = lk_clock_mono_ns();
  uint64_t woken = 0;
  double s;

  /* Which notices the new events concern; copied, so that the ring lock
   * is not held while waking. */
  pthread_mutex_lock(&hub->lock);
  for (size_t i = ring_find(hub, hub->fanned); i < hub->count; i++) {
    const pub_event *e = &hub->ring[(hub->head + i) % RING_CAPACITY];

    any = true;
    for (int k = 0; k < e->nids; k++) {
      if (nids == MAX_IDS * 4)
        everyone = true; /* a burst: waking too many is harmless */
      else
        snprintf(ids[nids++], LK_EVENTS_NOTICE_ID_MAX, "%s", e->ids[k]);
    }
    hub->fanned = e->ev->seq;
  }
  pthread_mutex_unlock(&hub->lock);
  if (!any)
    return;
  /* Under subs_lock: no subscriber can leave (and be freed) meanwhile. */
  pthread_mutex_lock(&hub->subs_lock);
  for (pub_stream *p = hub->subs; p != NULL; p = p->next) {
    bool wake = everyone || p->notice_id[0] == '\0';

    for (int k = 0; k < nids && !wake; k++)
      wake = strcmp(ids[k], p->notice_id) == 0;
    if (wake) {
      lk_req_stream_wake(p->req);
      woken++;
    }
  }
  s = (double)(lk_clock_mono_ns() - t0) / 1e9;
  hub->fanouts++;
  hub->woken += woken;
  hub->fanout_last_s = s;
  hub->fanout_sum_s += s;
  pthread_mutex_unlock(&hub->subs_lock);
}

static void *fanout_main(void *arg) {
  lk_events_hub *hub = arg;

  pthread_mutex_lock(&hub->wake_lock);
  while (!hub->stopping) {
    int64_t last;

    pthread_mutex_lock(&hub->lock);
    last = hub->count > 0
               ? hub->ring[(hub->head + hub->count - 1) % RING_CAPACITY].ev->seq
               : hub->fanned;
    pthread_mutex_unlock(&hub->lock);
    if (last > hub->fanned) {
      pthread_mutex_unlock(&hub->wake_lock);
      fan_out(hub);
      pthread_mutex_lock(&hub->wake_lock);
    } else {
      pthread_cond_wait(&hub->cond, &hub->wake_lock);
    }
  }
  pthread_mutex_unlock(&hub->wake_lock);
  return NULL;
}

static void hub_metrics(lk_buf *b, void *ud) {
  lk_events_hub *hub = ud;

  pthread_mutex_lock(&hub->subs_lock);
  lk_buf_printf(
      b,
      "# HELP loket_public_streams_open Public event streams open now.\n"
      "# TYPE loket_public_streams_open gauge\n"
      "loket_public_streams_open %ld\n"
      "# HELP loket_public_fanouts_total Public events fanned out to "
      "their streams.\n"
      "# TYPE loket_public_fanouts_total counter\n"
      "loket_public_fanouts_total %llu\n"
      "# HELP loket_public_fanout_woken_total Streams woken by those "
      "fan-outs.\n"
      "# TYPE loket_public_fanout_woken_total counter\n"
      "loket_public_fanout_woken_total %llu\n"
      "# HELP loket_public_fanout_seconds_total Time spent waking "
      "streams.\n"
      "# TYPE loket_public_fanout_seconds_total counter\n"
      "loket_public_fanout_seconds_total %.6f\n"
      "# HELP loket_public_fanout_last_seconds Time the last fan-out "
      "took.\n"
      "# TYPE loket_public_fanout_last_seconds gauge\n"
      "loket_public_fanout_last_seconds %.6f\n",
      hub->nsubs, (unsigned long long)hub->fanouts,
      (unsigned long long)hub->woken, hub->fanout_sum_s, hub->fanout_last_s);
  pthread_mutex_unlock(&hub->subs_lock);
}

lk_events_hub *lk_events_hub_new(lk_app *app) {
  lk_events_hub *hub = calloc(1, sizeof(*hub));

  if (hub == NULL)
    return NULL;
  hub->ring = calloc(RING_CAPACITY, sizeof(*hub->ring));
  if (hub->ring == NULL) {
    free(hub);
    return NULL;
  }
  hub->app = app;
  hub->floor = -1;
  pthread_mutex_init(&hub->lock, NULL);
  pthread_mutex_init(&hub->subs_lock, NULL);
  pthread_mutex_init(&hub->wake_lock, NULL);
  pthread_cond_init(&hub->cond, NULL);
  /* Listen first, then learn the position: nothing falls in between. */
  hub->listener = lk_bus_listen(app->bus, hub_on_event, hub);
  if (hub->listener == NULL ||
      pthread_create(&hub->thread, NULL, fanout_main, hub) != 0) {
    if (hub->listener != NULL)
      lk_bus_unlisten(app->bus, hub->listener);
    pthread_cond_destroy(&hub->cond);
    pthread_mutex_destroy(&hub->wake_lock);
    pthread_mutex_destroy(&hub->subs_lock);
    pthread_mutex_destroy(&hub->lock);
    free(hub->ring);
    free(hub);
    return NULL;
  }
  pthread_mutex_lock(&hub->lock);
  if (hub->floor < 0) {
    hub->floor = lk_bus_last_seq(app->bus);
    hub->last_seq = hub->floor;
  }
  hub->fanned = hub->floor;
  pthread_mutex_unlock(&hub->lock);
  lk_metrics_register(hub_metrics, hub);
  return hub;
}

void lk_events_hub_free(lk_events_hub *hub) {
  if (hub == NULL)
    return;
  lk_bus_unlisten(hub->app->bus, hub->listener);
  pthread_mutex_lock(&hub->wake_lock);
  hub->stopping = true;
  pthread_cond_signal(&hub->cond);
  pthread_mutex_unlock(&hub->wake_lock);
  pthread_join(hub->thread, NULL);
  for (size_t i = 0; i < hub->count; i++)
    lk_event_unref(hub->ring[(hub->head + i) % RING_CAPACITY].ev);
  pthread_cond_destroy(&hub->cond);
  pthread_mutex_destroy(&hub->wake_lock);
  pthread_mutex_destroy(&hub->subs_lock);
  pthread_mutex_destroy(&hub->lock);
  free(hub->ring);
  free(hub);
}

/* ---- one subscriber ----------------------------------------------------- */

#define NEXT_FOUND 0
#define NEXT_NONE 1
#define NEXT_GONE 2

/* The next event for `p` from the ring (a reference in *out), or NONE
 * (the cursor then moves to the hub's position), or GONE (read the store
 * first). */
static int ring_next(pub_stream *p, lk_event **out) {
  lk_events_hub *hub = p->hub;
  int rc = NEXT_NONE;

  pthread_mutex_lock(&hub->lock);
  if (p->cursor < hub->floor) {
    pthread_mutex_unlock(&hub->lock);
    return NEXT_GONE;
  }
  for (size_t i = ring_find(hub, p->cursor); i < hub->count; i++) {
    const pub_event *e = &hub->ring[(hub->head + i) % RING_CAPACITY];

    if (wanted(e, p->notice_id)) {
      *out = lk_event_ref(e->ev);
      p->cursor = e->ev->seq;
      rc = NEXT_FOUND;
      break;
    }
  }
  if (rc == NEXT_NONE)
    p->cursor = hub->last_seq;
  pthread_mutex_unlock(&hub->lock);
  return rc;
}

static void from_store(const lk_event_row *row, void *ud) {
  pub_stream *p = ud;
  lk_event *ev;

  p->cursor = row->seq;
  if (strncmp(row->type, "notice.", 7) != 0)
    return;
  ev = lk_event_new(row);
  if (ev == NULL)
    return;
  if (lk_events_public_match(ev, p->notice_id))
    lk_buf_append(&p->buf, ev->sse, ev->sse_len);
  lk_event_unref(ev);
}

static void release_out(pub_stream *p) {
  lk_event_unref(p->ev);
  p->ev = NULL;
  lk_buf_free(&p->buf);
  p->out = NULL;
  p->out_len = 0;
  p->off = 0;
}

/* Sets p->out to the next bytes to send, if any. */
static void fill(pub_stream *p) {
  lk_event *ev = NULL;
  int64_t before;
  int n;

  for (;;) {
    switch (ring_next(p, &ev)) {
    case NEXT_FOUND:
      p->ev = ev;
      p->out = ev->sse;
      p->out_len = ev->sse_len;
      return;
    case NEXT_NONE:
      return;
    default:
      /* Resumed from further back than memory reaches. */
      before = p->cursor;
      n = lk_store_events_after(p->hub->app->store, p->cursor, STORE_BATCH,
                                from_store, p);
      if (p->buf.len > 0 && lk_buf_ok(&p->buf)) {
        p->out = p->buf.data;
        p->out_len = p->buf.len;
        return;
      }
      lk_buf_free(&p->buf);
      if (n <= 0 || p->cursor == before)
        return;
    }
  }
}

static long pub_read(void *ud, char *buf, size_t max) {
  static const char heartbeat[] = ": heartbeat\n\n";
  pub_stream *p = ud;
  int64_t now;
  size_t n;

  if (p->off == p->out_len) {
    release_out(p);
    if (atomic_load(&p->hub->app->shutting_down))
      return -1;
    fill(p);
    now = lk_clock_mono_ms();
    if (p->out == NULL && now - p->last_sent_ms >= p->hub->app->heartbeat_ms) {
      p->out = heartbeat;
      p->out_len = sizeof(heartbeat) - 1;
    }
    if (p->out == NULL) {
      lk_req_stream_pause(p->req);
      return 0;
    }
    p->last_sent_ms = now;
  }
  n = p->out_len - p->off;
  if (n > max)
    n = max;
  memcpy(buf, p->out + p->off, n);
  p->off += n;
  return (long)n;
}

static void pub_free(void *ud) {
  pub_stream *p = ud;
  lk_events_hub *hub = p->hub;

  pthread_mutex_lock(&hub->subs_lock);
  if (p->prev != NULL)
    p->prev->next = p->next;
  else
    hub->subs = p->next;
  if (p->next != NULL)
    p->next->prev = p->prev;
  hub->nsubs--;
  pthread_mutex_unlock(&hub->subs_lock);
  release_out(p);
  free(p);
}

void lk_events_public(lk_req *req, const char *notice_id) {
  static const char retry[] = "retry: 3000\n\n";
  lk_app *app = lk_req_app(req);
  lk_events_hub *hub = app->public_events;
  pub_stream *p;
  int64_t cursor = 0;
  int rc = lk_api_last_event_id(req, &cursor);

  if (rc < 0)
    return;
  if (notice_id != NULL && strlen(notice_id) >= LK_EVENTS_NOTICE_ID_MAX) {
    lk_req_not_found(req);
    return;
  }
  p = calloc(1, sizeof(*p));
  if (hub == NULL || p == NULL) {
    free(p);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  p->req = req;
  p->hub = hub;
  snprintf(p->notice_id, sizeof(p->notice_id), "%s",
           notice_id != NULL ? notice_id : "");
  p->last_sent_ms = lk_clock_mono_ms();
  /* Join the fan-out first, then take the position: an event published
   * in between is both in the ring and wakes the stream. */
  pthread_mutex_lock(&hub->subs_lock);
  p->next = hub->subs;
  if (hub->subs != NULL)
    hub->subs->prev = p;
  hub->subs = p;
  hub->nsubs++;
  pthread_mutex_unlock(&hub->subs_lock);
  pthread_mutex_lock(&hub->lock);
  p->cursor = hub->last_seq;
  pthread_mutex_unlock(&hub->lock);
  /* An id from the future (a database since restored from a backup) would
   * silence the stream until the numbers catch up: start at the present. */
  if (rc == 0 && cursor < p->cursor)
    p->cursor = cursor;
  /* The first bytes go out at once so the client sees the headers. */
  p->out = retry;
  p->out_len = sizeof(retry) - 1;
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond_stream(req, "text/event-stream; charset=utf-8", pub_read, p,
                        pub_free);
}
