/* events_public.h - the public event streams of Actueel.
 *
 * The same Server-Sent Events machinery as GET /api/v1/events (events.c:
 * bus ring, store catch-up, Last-Event-ID resume, heartbeats), without a
 * caller and carrying only notice.* events.
 */
#ifndef LK_API_EVENTS_PUBLIC_H
#define LK_API_EVENTS_PUBLIC_H

#include <stdbool.h>

#include "events/bus.h"
#include "http/server.h"

#define LK_EVENTS_NOTICE_ID_MAX 64

/* True if `ev` is a notice.* event and, when `notice_id` is not empty,
 * concerns that notice (its subject, or "notice_id", "noticeId", "notice"
 * or "id" in its data). */
bool lk_events_public_match(const lk_event *ev, const char *notice_id);

/* Answers with the stream of notice.* events (of `notice_id` only when
 * not NULL), resuming after Last-Event-ID or ?lastEventId=. */
void lk_events_public(lk_req *req, const char *notice_id);

#endif
