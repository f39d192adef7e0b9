/* bus.h - the in-process event bus.
 *
 * Every committed state change becomes one lk_event, serialised once (as
 * JSON and as a ready Server-Sent Events frame) and shared by reference
 * between all who receive it.  The bus keeps the most recent events in a
 * ring so that a subscriber that was briefly away can catch up from memory;
 * older ones come from the store.
 *
 * Listeners are called for each event, in sequence order, on the thread
 * that publishes (the store writer); they must not block.  Pull-style
 * consumers (SSE streams) use the call only to wake up, then read with
 * lk_bus_read() at their own pace.
 */
#ifndef LK_BUS_H
#define LK_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct lk_event {
  int64_t seq;
  int64_t time_ms;
  char *type;
  char *subject;
  char *json; /* {"seq":..,"type":..,"subject":..,"time":..,"data":{..}} */
  size_t json_len;
  char *sse; /* "id: ..\nevent: ..\ndata: <json>\n\n" */
  size_t sse_len;
  bool confidential; /* its data says "confidential": true */
  _Atomic int refs;
} lk_event;

/* Serialises a committed event row.  Returns NULL when out of memory or
 * when the payload is not a JSON object (then the row is logged). */
lk_event *lk_event_new(const lk_event_row *row);
lk_event *lk_event_ref(lk_event *ev);
void lk_event_unref(lk_event *ev);

typedef struct lk_bus lk_bus;
typedef struct lk_bus_listener lk_bus_listener;
typedef void (*lk_bus_fn)(const lk_event *ev, void *ud);

/* `capacity` events are kept in memory.  Returns NULL when out of memory. */
lk_bus *lk_bus_create(size_t capacity);
/* All listeners must have been removed. */
void lk_bus_destroy(lk_bus *bus);
/* Sets the sequence number up to which events are only in the store (the
 * last one committed before the bus started); ignored once known. */
void lk_bus_start_at(lk_bus *bus, int64_t last_seq);
/* Publishes `ev`, taking over the caller's reference. */
void lk_bus_publish(lk_bus *bus, lk_event *ev);
/* lk_events_fn for lk_store_on_events(): publishes each committed row. */
void lk_bus_publish_row(const lk_event_row *row, void *bus);
int64_t lk_bus_last_seq(lk_bus *bus);

/* Returns NULL when out of memory.  `fn` may run before this returns. */
lk_bus_listener *lk_bus_listen(lk_bus *bus, lk_bus_fn fn, void *ud);
/* After this returns `fn` is not running and will not be called again. */
void lk_bus_unlisten(lk_bus *bus, lk_bus_listener *l);

#define LK_BUS_GONE (-1) /* events after `after` left the ring */

/* Stores in out[] up to `max` events with seq > `after` (each with a
 * reference the caller drops).  Returns their number, or LK_BUS_GONE when
 * some of them are no longer in memory and must be read from the store. */
int lk_bus_read(lk_bus *bus, int64_t after, lk_event **out, int max);

#endif
