/* internal.h - what the files of src/http share: the request and server
 * structs.  Private to src/http. */
#ifndef LK_HTTP_INTERNAL_H
#define LK_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "http/server.h"

#define LK_HTTP_MAX_HEADERS 8

struct lk_req {
  lk_server *srv;
  struct MHD_Connection *conn;
  const char *method;
  const char *path;
  char id[48];
  int64_t start_ns;
  lk_route_result routed;
  lk_route_match match;

  lk_buf body;
  uint64_t received; /* body bytes read, kept or not */
  bool body_too_large;
  bool responded;
  bool close_after;
  bool cache_control_set;
  int status;

  void *data;
  void (*data_free)(void *);
  lk_principal principal;

  int nheaders;
  char *header_names[LK_HTTP_MAX_HEADERS];
  char *header_values[LK_HTTP_MAX_HEADERS];

  lk_resume_fn resume_fn;
  bool in_flight;
  bool after_shutdown; /* arrived once draining had begun */

  /* streams; flags guarded by srv->streams_lock */
  int refs;
  lk_stream_fn stream_fn;
  void *stream_ud;
  void (*stream_free)(void *);
  bool stream_paused;
  bool stream_wake_pending;
  int64_t stream_last_ms;
  lk_req *stream_prev;
  lk_req *stream_next;
};

struct lk_server {
  struct MHD_Daemon *daemon;
  lk_app *app;
  lk_router *router;
  int port;
  char id_prefix[12];
  _Atomic uint64_t next_id;
  _Atomic long in_flight;
  _Atomic long connections;
  _Atomic uint64_t connections_total;
  pthread_mutex_t streams_lock;
  lk_req *streams;
  long nstreams;
};

/* Adds the standard headers and queues `resp` (which may be NULL after a
 * failed allocation), then drops the caller's reference (request.c). */
void lk_http_queue(lk_req *req, int status, const char *content_type,
                   struct MHD_Response *resp);
/* The largest body `req` may send: max_upload on upload routes (server.c). */
size_t lk_http_body_limit(lk_req *req);
/* Drops a reference to `req`, freeing it with the last (server.c). */
void lk_http_req_release(lk_req *req);
/* Wakes every stream, so that a draining server's streams end
 * (stream.c). */
void lk_http_wake_streams(lk_server *srv);

#endif
