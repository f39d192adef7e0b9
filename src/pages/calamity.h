/* calamity.h - the calamity mode in a running server (docs/actueel.md).
 *
 * Holds the mode's notice id, learnt from the store at start and from
 * calamity.changed events afterwards (also those committed by the CLI,
 * which the store's catch-up delivers), and a small cache of the rendered
 * calamity pages.  The bus listener only marks the cache stale (it runs on
 * the writer thread); the next request re-renders.
 */
#ifndef LK_PAGES_CALAMITY_H
#define LK_PAGES_CALAMITY_H

#include <stdbool.h>
#include <stddef.h>

#include "events/bus.h"
#include "http/router.h"
#include "store/store.h"

struct lk_req;
typedef struct lk_calamity lk_calamity;

#define LK_CALAMITY_CACHE_CONTROL                                              \
  "public, max-age=10, stale-while-revalidate=30"

/* Reads the state and listens on `bus`.  NULL when out of memory or the
 * store cannot be read. */
lk_calamity *lk_calamity_new(lk_store *store, lk_bus *bus);
/* Stops listening and frees.  Safe with NULL. */
void lk_calamity_free(lk_calamity *c);
/* True while on, with the notice id in `id` (may be NULL). */
bool lk_calamity_active(lk_calamity *c, char *id, size_t size);

/* For the /actueel handlers: answers `req` from the cache and returns
 * true, or returns false (not on, not a calamity page, or stale) and
 * remembers the generation for lk_calamity_keep(). */
bool lk_calamity_serve(struct lk_req *req);
/* Keeps the rendered `data` of `req` when it is a calamity page.  Returns
 * true while the mode is on (the caller then sends
 * LK_CALAMITY_CACHE_CONTROL). */
bool lk_calamity_keep(struct lk_req *req, const char *type, const char *data,
                      size_t len, const char *etag);

/* Answers 503 with Retry-After when the mode is on and `req` is heavy:
 * GET /api/v1/search, GET /api/v1/conversations and the list (collection)
 * GETs under /klantinteracties/api/v1/.  Returns true then.  The one place
 * that decides, called by the server before dispatch. */
bool lk_calamity_refuse(struct lk_req *req);

#endif
