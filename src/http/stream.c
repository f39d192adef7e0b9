/* stream.c - responses of unknown length: Server-Sent Events.
 *
 * A stream's connection is suspended while it has nothing to send, so an
 * idle stream costs no thread and no CPU.  lk_req_stream_wake() resumes
 * it; a wake that comes just before the pause is remembered in
 * stream_wake_pending, so none is lost.  The flags are guarded by the
 * server's streams_lock; a paused connection cannot finish, so waking it
 * is safe from any thread.
 */
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "http/problem.h"
#include "util/clock.h"
#include "util/log.h"

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  lk_req *req = cls;
  long n;

  (void)pos;
  n = req->stream_fn(req->stream_ud, buf, max);
  if (n < 0)
    return MHD_CONTENT_READER_END_OF_STREAM;
  if (n > 0) {
    pthread_mutex_lock(&req->srv->streams_lock);
    req->stream_last_ms = lk_clock_mono_ms();
    pthread_mutex_unlock(&req->srv->streams_lock);
  }
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
  req->stream_last_ms = lk_clock_mono_ms();
  resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read,
                                           req, stream_free);
  if (resp == NULL) {
    if (free_fn != NULL)
      free_fn(ud);
    lk_req_problem(req, 500, "internal", "Internal error",
                   "could not start the stream", NULL);
    return;
  }
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
  pthread_mutex_lock(&req->srv->streams_lock);
  if (req->stream_wake_pending) {
    req->stream_wake_pending = false;
  } else {
    req->stream_paused = true;
    MHD_suspend_connection(req->conn);
  }
  pthread_mutex_unlock(&req->srv->streams_lock);
}

/* Caller holds streams_lock. */
static void stream_wake_locked(lk_req *req) {
  if (req->stream_paused) {
    req->stream_paused = false;
    MHD_resume_connection(req->conn);
  } else {
    req->stream_wake_pending = true;
  }
}

void lk_req_stream_wake(lk_req *req) {
  pthread_mutex_lock(&req->srv->streams_lock);
  stream_wake_locked(req);
  pthread_mutex_unlock(&req->srv->streams_lock);
}

void lk_server_tick(lk_server *srv) {
  int64_t now = lk_clock_mono_ms();
  int hb = srv->app->heartbeat_ms;

  pthread_mutex_lock(&srv->streams_lock);
  for (lk_req *req = srv->streams; req != NULL; req = req->stream_next) {
    if (now - req->stream_last_ms >= hb)
      stream_wake_locked(req);
  }
  pthread_mutex_unlock(&srv->streams_lock);
  lk_log_flush();
}

void lk_http_wake_streams(lk_server *srv) {
  pthread_mutex_lock(&srv->streams_lock);
  for (lk_req *req = srv->streams; req != NULL; req = req->stream_next)
    stream_wake_locked(req);
  pthread_mutex_unlock(&srv->streams_lock);
}
