/* internal.h - what the files of src/http share: the request and server
 * structs.  Private to src/http. */
#ifndef LK_HTTP_INTERNAL_H
#define LK_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

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
  /* The matched route, and its parameters while a handler may ask for
   * them (malloc'd; freed once the request becomes a stream, which lives
   * long and has no use for 1.7 KB of path parameters). */
  lk_route *route;
  lk_route_match *match;

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

  /* streams; the list links are guarded by srv->streams_lock */
  int refs;
  lk_stream_fn stream_fn;
  void *stream_ud;
  void (*stream_free)(void *);
  _Atomic int stream_state; /* LK_STREAM_* in stream.c */
  _Atomic int64_t stream_last_ms;
  lk_req *stream_prev;
  lk_req *stream_next;
};

typedef struct lk_acceptor lk_acceptor;

struct lk_server {
  struct MHD_Daemon *daemon;        /* everything but public streams */
  struct MHD_Daemon *stream_daemon; /* GET /actueel/.../stream: small pool */
  lk_acceptor *acceptor;
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
  int64_t last_scan_ms; /* lk_server_tick()'s caller's thread only */
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

/* acceptor.c: listens on `sa` (with SO_REUSEPORT if asked) and hands each
 * connection to srv->stream_daemon or srv->daemon.  Returns 0 or a
 * negative errno; the bound port goes to *port_out. */
int lk_acceptor_start(lk_server *srv, const struct sockaddr *sa,
                      socklen_t salen, bool reuseport, lk_acceptor **out,
                      int *port_out);
/* Stops accepting and closes the connections not yet handed over. */
void lk_acceptor_stop(lk_acceptor *a);

#define LK_HTTP_CLASSIFY_WAIT 0   /* the request line is not complete */
#define LK_HTTP_CLASSIFY_MAIN 1   /* the main daemon */
#define LK_HTTP_CLASSIFY_STREAM 2 /* GET /actueel/.../stream */
/* The most the acceptor peeks at: a stream request goes to the stream
 * daemon only if its headers end within these bytes (its 4 KiB pool takes
 * about 1.9 KB of request headers; more gets libmicrohttpd's 431). */
#define LK_HTTP_PEEK_MAX 1536
/* Which daemon serves a connection whose first `n` bytes are `buf`. */
int lk_http_classify(const char *buf, size_t n);

#endif
