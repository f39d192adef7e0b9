/* sse.h - the sending side of a Server-Sent Events stream that writes its
 * events as text into a buffer (the staff event stream, the resident's
 * chat stream).  One place decides when a stream refills, sends a
 * heartbeat or pauses, so every stream keeps proxies' idle time-outs and
 * the server's wake-ups alike.
 */
#ifndef LK_HTTP_SSE_H
#define LK_HTTP_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/server.h"
#include "util/buf.h"

typedef struct lk_sse_out {
  lk_buf pending;       /* events not yet sent in full */
  size_t off;           /* bytes of `pending` already sent */
  int64_t last_sent_ms; /* lk_clock_mono_ms() of the last bytes sent */
} lk_sse_out;

/* Appends the next events to o->pending (none: nothing new yet).  Returns
 * false to end the stream. */
typedef bool (*lk_sse_fill_fn)(void *ud);

/* The body of an lk_stream_fn (server.h): copies up to `max` pending
 * bytes to `buf`.  With nothing pending it calls `fill`, adds a heartbeat
 * comment if nothing was sent for `heartbeat_ms`, and pauses `req` if
 * there is still nothing to send.  Returns the bytes copied, 0 when
 * paused, -1 to end (fill said so, or out of memory). */
long lk_sse_read(lk_sse_out *o, lk_req *req, int64_t heartbeat_ms,
                 lk_sse_fill_fn fill, void *ud, char *buf, size_t max);

#endif
