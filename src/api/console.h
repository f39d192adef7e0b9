/* console.h - what the agent console needs from the API beyond the
 * conversations: canned answers, read marks and counts, and viewers
 * (docs/console-api.md). */
#ifndef LK_API_CONSOLE_H
#define LK_API_CONSOLE_H

#include <stddef.h>

#include "app.h"
#include "http/router.h"
#include "http/server.h"
#include "util/buf.h"

/* Registers the routes (with those of lk_canned_routes).  Returns 0 or a
 * negative errno. */
int lk_console_routes(lk_router *r);
/* /api/v1/canned-answers (api/canned.c). */
int lk_canned_routes(lk_router *r);

/* Adds "unread" to the `n` inbox items in `b` (taking it over and giving
 * back the new text): item i is about conversation ids[i] and ends with
 * the '}' at offset ends[i], offsets ascending.  Returns 0 or a negative
 * LK_STORE_* code (then `b` is unchanged). */
int lk_console_unread_splice(lk_req *req, lk_buf *b, const char *const *ids,
                             const size_t *ends, int n);

/* Called once a second by `loket serve`: every 5 seconds it looks for
 * expired viewers (one indexed read) and, when there are some, submits
 * the write that removes and reports them. */
void lk_console_tick(lk_app *app);

#endif
