#include "events/bus.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

struct lk_bus_listener {
  lk_bus_fn fn;
  void *ud;
  lk_bus_listener *next;
};

struct lk_bus {
  pthread_mutex_t lock;
  lk_event **ring;
  size_t capacity;
  size_t head;   /* index of the oldest event */
  size_t count;  /* events in the ring */
  int64_t floor; /* events with seq <= floor are only in the store;
                  * -1 until known */
  int64_t last_seq;
  lk_bus_listener *listeners;
};

/* True if `text` is a JSON object; `*confidential` tells whether it says
 * "confidential": true. */
static bool is_object(const char *text, bool *confidential) {
  json_t *v = json_loads(text, 0, NULL);
  bool ok = v != NULL && json_is_object(v);

  *confidential = ok && json_is_true(json_object_get(v, "confidential"));
  json_decref(v);
  return ok;
}

/* Appends `s` with CR and LF turned into spaces: an SSE field ends at
 * either. */
static void append_one_line(lk_buf *b, const char *s) {
  size_t n;

  for (;;) {
    n = strcspn(s, "\r\n");
    lk_buf_append(b, s, n);
    if (s[n] == '\0')
      return;
    lk_buf_putc(b, ' ');
    s += n + 1;
  }
}

lk_event *lk_event_new(const lk_event_row *row) {
  lk_buf json = LK_BUF_INIT;
  lk_buf sse = LK_BUF_INIT;
  char when[32];
  lk_event *ev;
  bool confidential;

  /* The payload was produced by the domain, but it may also come from a
   * database another process wrote: never pass on something that is not an
   * object, it would corrupt every stream. */
  if (!is_object(row->payload, &confidential)) {
    lk_log(LK_LOG_ERROR, "event payload is not an object", "type", row->type,
           NULL);
    return NULL;
  }
  ev = calloc(1, sizeof(*ev));
  if (ev == NULL)
    return NULL;
  ev->confidential = confidential;
  lk_clock_format_iso(row->time_ms, when, sizeof(when));
  lk_buf_printf(&json, "{\"seq\":%lld,\"type\":", (long long)row->seq);
  lk_buf_json_str(&json, row->type);
  lk_buf_puts(&json, ",\"subject\":");
  lk_buf_json_str(&json, row->subject);
  lk_buf_printf(&json, ",\"time\":\"%s\",\"data\":", when);
  /* The JSON goes on one SSE data line.  Strings have their line breaks
   * escaped; in a valid payload a raw CR or LF can only be whitespace
   * (pretty-printed by another writer), which a space replaces. */
  append_one_line(&json, row->payload);
  lk_buf_putc(&json, '}');
  lk_buf_printf(&sse, "id: %lld\nevent: ", (long long)row->seq);
  append_one_line(&sse, row->type);
  lk_buf_puts(&sse, "\ndata: ");
  if (json.data != NULL)
    lk_buf_append(&sse, json.data, json.len);
  lk_buf_puts(&sse, "\n\n");
  ev->seq = row->seq;
  ev->time_ms = row->time_ms;
  ev->type = strdup(row->type);
  ev->subject = strdup(row->subject);
  ev->json_len = json.len;
  ev->json = lk_buf_steal(&json);
  ev->sse_len = sse.len;
  ev->sse = lk_buf_steal(&sse);
  atomic_init(&ev->refs, 1);
  if (ev->type == NULL || ev->subject == NULL || ev->json == NULL ||
      ev->sse == NULL) {
    lk_event_unref(ev);
    return NULL;
  }
  return ev;
}

lk_event *lk_event_ref(lk_event *ev) {
  atomic_fetch_add_explicit(&ev->refs, 1, memory_order_relaxed);
  return ev;
}

void lk_event_unref(lk_event *ev) {
  if (ev == NULL)
    return;
  if (atomic_fetch_sub_explicit(&ev->refs, 1, memory_order_acq_rel) != 1)
    return;
  free(ev->type);
  free(ev->subject);
  free(ev->json);
  free(ev->sse);
  free(ev);
}

lk_bus *lk_bus_create(size_t capacity) {
  lk_bus *bus = calloc(1, sizeof(*bus));

  if (bus == NULL)
    return NULL;
  bus->ring = calloc(capacity, sizeof(*bus->ring));
  if (bus->ring == NULL) {
    free(bus);
    return NULL;
  }
  bus->capacity = capacity;
  bus->floor = -1;
  pthread_mutex_init(&bus->lock, NULL);
  return bus;
}

void lk_bus_destroy(lk_bus *bus) {
  if (bus == NULL)
    return;
  for (size_t i = 0; i < bus->count; i++)
    lk_event_unref(bus->ring[(bus->head + i) % bus->capacity]);
  pthread_mutex_destroy(&bus->lock);
  free(bus->ring);
  free(bus);
}

void lk_bus_start_at(lk_bus *bus, int64_t last_seq) {
  pthread_mutex_lock(&bus->lock);
  if (bus->floor < 0) {
    bus->floor = last_seq;
    bus->last_seq = last_seq;
  }
  pthread_mutex_unlock(&bus->lock);
}

void lk_bus_publish(lk_bus *bus, lk_event *ev) {
  lk_event *evicted = NULL;

  pthread_mutex_lock(&bus->lock);
  if (ev->seq <= bus->last_seq) {
    pthread_mutex_unlock(&bus->lock);
    lk_event_unref(ev);
    return;
  }
  /* The first event tells where memory starts if nobody said so. */
  if (bus->floor < 0)
    bus->floor = ev->seq - 1;
  if (bus->count == bus->capacity) {
    evicted = bus->ring[bus->head];
    bus->floor = evicted->seq;
    bus->head = (bus->head + 1) % bus->capacity;
    bus->count--;
  }
  bus->ring[(bus->head + bus->count) % bus->capacity] = ev;
  bus->count++;
  bus->last_seq = ev->seq;
  /* Listeners run under the lock so that lk_bus_unlisten() can promise
   * that a removed listener is never called again. */
  for (lk_bus_listener *l = bus->listeners; l != NULL; l = l->next)
    l->fn(ev, l->ud);
  pthread_mutex_unlock(&bus->lock);
  lk_event_unref(evicted);
}

void lk_bus_publish_row(const lk_event_row *row, void *bus) {
  lk_event *ev = lk_event_new(row);

  if (ev != NULL)
    lk_bus_publish(bus, ev);
}

int64_t lk_bus_last_seq(lk_bus *bus) {
  int64_t seq;

  pthread_mutex_lock(&bus->lock);
  seq = bus->last_seq;
  pthread_mutex_unlock(&bus->lock);
  return seq;
}

lk_bus_listener *lk_bus_listen(lk_bus *bus, lk_bus_fn fn, void *ud) {
  lk_bus_listener *l = calloc(1, sizeof(*l));

  if (l == NULL)
    return NULL;
  l->fn = fn;
  l->ud = ud;
  pthread_mutex_lock(&bus->lock);
  l->next = bus->listeners;
  bus->listeners = l;
  pthread_mutex_unlock(&bus->lock);
  return l;
}

void lk_bus_unlisten(lk_bus *bus, lk_bus_listener *l) {
  pthread_mutex_lock(&bus->lock);
  for (lk_bus_listener **p = &bus->listeners; *p != NULL; p = &(*p)->next) {
    if (*p == l) {
      *p = l->next;
      break;
    }
  }
  pthread_mutex_unlock(&bus->lock);
  free(l);
}

int lk_bus_read(lk_bus *bus, int64_t after, lk_event **out, int max) {
  size_t lo = 0;
  size_t hi;
  size_t mid;
  int n = 0;

  pthread_mutex_lock(&bus->lock);
  if (bus->floor < 0 || after < bus->floor) {
    pthread_mutex_unlock(&bus->lock);
    return LK_BUS_GONE;
  }
  /* Binary search for the first event past `after`: sequence numbers in
   * the ring ascend, possibly with gaps. */
  hi = bus->count;
  while (lo < hi) {
    mid = (lo + hi) / 2;
    if (bus->ring[(bus->head + mid) % bus->capacity]->seq <= after)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo; i < bus->count && n < max; i++)
    out[n++] = lk_event_ref(bus->ring[(bus->head + i) % bus->capacity]);
  pthread_mutex_unlock(&bus->lock);
  return n;
}
