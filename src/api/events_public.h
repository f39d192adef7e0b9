/* events_public.h - the public event streams of Actueel.
 *
 * The same Server-Sent Events protocol as GET /api/v1/events (bus ring,
 * store catch-up, Last-Event-ID resume, heartbeats), without a caller and
 * carrying only notice.* events, built for many thousands of subscribers:
 * they share one bus listener, the hub (events_public.c), which decides
 * once per event whom it is for and wakes only those.
 */
#ifndef LK_API_EVENTS_PUBLIC_H
#define LK_API_EVENTS_PUBLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "events/bus.h"
#include "http/server.h"

#define LK_EVENTS_NOTICE_ID_MAX 64

typedef struct lk_events_hub lk_events_hub;

/* Starts the hub of `app` (app->bus must exist): a bus listener and a
 * fan-out thread.  Returns NULL when out of memory. */
lk_events_hub *lk_events_hub_new(lk_app *app);
/* After every public stream has ended; before the bus is destroyed.  Safe
 * with NULL. */
void lk_events_hub_free(lk_events_hub *hub);

/* True if `ev` is a notice.* event and, when `notice_id` is not empty,
 * concerns that notice (its subject, or "notice_id", "noticeId", "notice"
 * or "id" in its data). */
bool lk_events_public_match(const lk_event *ev, const char *notice_id);

/* Answers with the stream of notice.* events (of `notice_id` only when
 * not NULL), resuming after Last-Event-ID or ?lastEventId=.  Needs
 * app->public_events. */
void lk_events_public(lk_req *req, const char *notice_id);

/* Last-Event-ID (header, or ?lastEventId= for the first connection of an
 * EventSource) into *out.  Returns 1 if absent, 0 if valid, -1 after
 * answering 400. */
int lk_api_last_event_id(lk_req *req, int64_t *out);

#endif
