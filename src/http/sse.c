/* sse.c - refill, heartbeat and pause of a buffered event stream. */
#include "http/sse.h"

#include <string.h>

#include "util/clock.h"

long lk_sse_read(lk_sse_out *o, lk_req *req, int64_t heartbeat_ms,
                 lk_sse_fill_fn fill, void *ud, char *buf, size_t max) {
  int64_t now;
  size_t n;

  if (o->off == o->pending.len) {
    /* Freed, not kept: an idle stream holds no buffer. */
    lk_buf_free(&o->pending);
    o->off = 0;
    if (!fill(ud))
      return -1;
    now = lk_clock_mono_ms();
    if (o->pending.len == 0 && now - o->last_sent_ms >= heartbeat_ms)
      lk_buf_puts(&o->pending, ": heartbeat\n\n");
    if (!lk_buf_ok(&o->pending))
      return -1;
    if (o->pending.len == 0) {
      lk_req_stream_pause(req);
      return 0;
    }
    o->last_sent_ms = now;
  }
  n = o->pending.len - o->off;
  if (n > max)
    n = max;
  memcpy(buf, o->pending.data + o->off, n);
  o->off += n;
  return (long)n;
}
