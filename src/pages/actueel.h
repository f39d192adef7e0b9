/* actueel.h - the public side of Actueel: notices and their updates.
 *
 * No authentication; nothing but published notices (and ended ones on
 * their own page, marked as ended) is shown.  Everything is cacheable by
 * a CDN for a few seconds (Cache-Control: public, max-age=10).
 *
 *   GET /actueel                 current notices, most severe first (HTML)
 *   GET /actueel.json            the same as JSON
 *   GET /actueel/feed.atom       Atom feed: current notices and updates
 *   GET /actueel/{id}            one notice with its updates (HTML)
 *   GET /actueel/{id}.json       the same as JSON
 *   GET /actueel/{id}/feed.atom  Atom feed of one notice
 *   GET /actueel/stream          Server-Sent Events: notice.* events
 *   GET /actueel/{id}/stream     the same, of one notice (404 if not
 *                                public); resumable with Last-Event-ID
 */
#ifndef LK_PAGES_ACTUEEL_H
#define LK_PAGES_ACTUEEL_H

#include <stdint.h>
#include <time.h>

#include "http/router.h"

/* Registers the routes above. */
int lk_actueel_routes(lk_router *r);

/* Fills `tm` with `ms` (since the epoch) in Dutch civil time (CET, CEST
 * from the last Sunday of March to the last Sunday of October, 01:00
 * UTC). */
void lk_actueel_local(int64_t ms, struct tm *tm);

#endif
