/* stream.c - responses of unknown length: Server-Sent Events.
 *
 * A stream's connection is suspended while it has nothing to send, so an
 * idle stream costs no thread and no CPU.  lk_req_stream_wake() resumes
 * it; a wake that comes just before the pause is remembered, so none is
 * lost.  The state is one atomic per stream (no lock: a publication wakes
 * thousands of streams while their threads pause others):
 *
 *   RUNNING --pause--> PAUSED --wake--> RUNNING (and resumed)
 *   RUNNING --wake---> PENDING --pause--> RUNNING (not paused at all)
 *
 * Waking calls into libmicrohttpd, so the caller must know the connection
 * is still there: wakes come from whoever holds the stream in a list
 * (srv->streams under streams_lock, or the caller's own list under its own
 * lock), and a stream leaves every list in stream_free(), before the
 * connection is freed.
 */
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "http/problem.h"
#include "util/clock.h"
#include "util/log.h"

enum { LK_STREAM_RUNNING, LK_STREAM_PAUSED, LK_STREAM_PENDING };

/* What libmicrohttpd asks for at most per call when it does not chunk
 * (HTTP/1.0); kept with every response, so small.  Larger frames go out
 * in several calls. */
#define STREAM_BLOCK 256

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  lk_req *req = cls;
  long n;

  (void)pos;
  n = req->stream_fn(req->stream_ud, buf, max);
  if (n < 0)
    return MHD_CONTENT_READER_END_OF_STREAM;
  if (n > 0)
    atomic_store_explicit(&req->stream_last_ms, lk_clock_mono_ms(),
                          memory_order_relaxed);
  return n;
}

static void stream_free(void *cls) {
  lk_req *req = cls;
  lk_server *srv = req->srv;

  pthread_mutex_lock(&srv->streams_lock);
  if (req->stream_prev != NULL)
    req->stream_prev->stream_next = req->stream_next;
  else
    srv->streams = req->stream_next;
  if (req->stream_next != NULL)
    req->stream_next->stream_prev = req->stream_prev;
  srv->nstreams--;
  pthread_mutex_unlock(&srv->streams_lock);
  if (req->stream_free != NULL)
    req->stream_free(req->stream_ud);
  lk_http_req_release(req);
}

void lk_req_respond_stream(lk_req *req, const char *content_type,
                           lk_stream_fn fn, void *ud, void (*free_fn)(void *)) {
  lk_server *srv = req->srv;
  struct MHD_Response *resp;

  /* HEAD: the headers only.  libmicrohttpd 0.9.75 would still send the
   * last chunk of a chunked body, which the client then reads as the
   * start of the next response. */
  if (strcmp(req->method, "HEAD") == 0) {
    if (free_fn != NULL)
      free_fn(ud);
    lk_req_add_header(req, "X-Accel-Buffering", "no");
    lk_http_queue(
        req, 200, content_type,
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT));
    return;
  }
  req->stream_fn = fn;
  req->stream_ud = ud;
  req->stream_free = free_fn;
  atomic_init(&req->stream_state, LK_STREAM_RUNNING);
  atomic_init(&req->stream_last_ms, lk_clock_mono_ms());
  resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
                                           stream_read, req, stream_free);
  if (resp == NULL) {
    if (free_fn != NULL)
      free_fn(ud);
    req->stream_fn = NULL;
    lk_req_problem(req, 500, "internal", "Internal error",
                   "could not start the stream", NULL);
    return;
  }
  /* The handler has run: the path parameters are no longer needed. */
  free(req->match);
  req->match = NULL;
  req->refs++;
  pthread_mutex_lock(&srv->streams_lock);
  req->stream_next = srv->streams;
  if (srv->streams != NULL)
    srv->streams->stream_prev = req;
  srv->streams = req;
  srv->nstreams++;
  pthread_mutex_unlock(&srv->streams_lock);
  /* A stream lasts as long as the client wants: it is not "in flight" for
   * a graceful shutdown, which ends it instead. */
  if (req->in_flight) {
    req->in_flight = false;
    atomic_fetch_sub(&srv->in_flight, 1);
  }
  lk_req_add_header(req, "X-Accel-Buffering", "no");
  lk_http_queue(req, 200, content_type, resp);
}

void lk_req_stream_pause(lk_req *req) {
  int st = LK_STREAM_PENDING;

  /* A wake came while we were filling: send what it brought. */
  if (atomic_compare_exchange_strong(&req->stream_state, &st,
                                     LK_STREAM_RUNNING))
    return;
  MHD_suspend_connection(req->conn);
  st = LK_STREAM_RUNNING;
  if (!atomic_compare_exchange_strong(&req->stream_state, &st,
                                      LK_STREAM_PAUSED)) {
    /* Woken between the check and the suspension: undo it. */
    atomic_store(&req->stream_state, LK_STREAM_RUNNING);
    MHD_resume_connection(req->conn);
  }
}

void lk_req_stream_wake(lk_req *req) {
  int st = atomic_load(&req->stream_state);

  for (;;) {
    if (st == LK_STREAM_PENDING)
      return;
    if (st == LK_STREAM_PAUSED) {
      if (atomic_compare_exchange_weak(&req->stream_state, &st,
                                       LK_STREAM_RUNNING)) {
        MHD_resume_connection(req->conn);
        return;
      }
    } else if (atomic_compare_exchange_weak(&req->stream_state, &st,
                                            LK_STREAM_PENDING)) {
      return;
    }
  }
}

void lk_server_tick(lk_server *srv) {
  int64_t now = lk_clock_mono_ms();
  int hb = srv->app->heartbeat_ms;

  /* Walking 15,000 streams touches 15,000 cache lines: do it about five
   * times per heartbeat interval, not every second.  A heartbeat is then
   * up to a fifth of the interval late, which no client minds. */
  if (now - srv->last_scan_ms < hb / 5 - 500) {
    lk_log_flush();
    return;
  }
  srv->last_scan_ms = now;
  pthread_mutex_lock(&srv->streams_lock);
  for (lk_req *req = srv->streams; req != NULL; req = req->stream_next) {
    if (now -
            atomic_load_explicit(&req->stream_last_ms, memory_order_relaxed) >=
        hb)
      lk_req_stream_wake(req);
  }
  pthread_mutex_unlock(&srv->streams_lock);
  lk_log_flush();
}

void lk_http_wake_streams(lk_server *srv) {
  pthread_mutex_lock(&srv->streams_lock);
  for (lk_req *req = srv->streams; req != NULL; req = req->stream_next)
    lk_req_stream_wake(req);
  pthread_mutex_unlock(&srv->streams_lock);
}
