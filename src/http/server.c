/* server.c - libmicrohttpd glue; see server.h for the request life cycle.
 *
 * Threads: libmicrohttpd runs a pool of epoll threads (one per core by
 * default).  Handlers run on them and never block on the disk.  Other
 * threads touch a request only through lk_req_resume() and
 * lk_req_stream_wake(), which are safe because a suspended connection can
 * neither finish nor be freed until it is resumed.
 *
 * Shutdown (lk_server_drain, then lk_server_stop): mark the app as
 * shutting down, so that new connections are closed at once and new
 * requests on kept-alive connections get 503 with "Connection: close";
 * end every event stream; wait for the requests in flight
 * (lk_server.in_flight); only then stop libmicrohttpd.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/internal.h"
#include "http/problem.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define MEMORY_LIMIT ((size_t)32 * 1024)
/* Public event streams: the request line and headers of an EventSource
 * request (under 2 KiB: libmicrohttpd reads into half the pool first) and
 * the response headers fit; libmicrohttpd zeroes and so touches the whole
 * pool, which makes it most of what a subscriber costs. */
#define STREAM_MEMORY_LIMIT ((size_t)4 * 1024)
#define CONNECTION_TIMEOUT_S 60
/* Descriptors kept out of the connection limit: SQLite's files (a
 * database, its WAL and shared memory per connection), the log, epoll and
 * signalling descriptors, the outbox's sockets. */
#define FD_RESERVE 128

/* ---- libmicrohttpd callbacks ---------------------------------------- */

static bool request_id_ok(const char *s) {
  size_t n = 0;

  for (; s[n] != '\0'; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return n > 0 && n <= 40;
}

static lk_req *req_new(lk_server *srv, struct MHD_Connection *conn,
                       const char *method, const char *path) {
  lk_req *req = calloc(1, sizeof(*req));
  const char *given;

  if (req == NULL)
    return NULL;
  req->srv = srv;
  req->conn = conn;
  req->method = method;
  req->path = path;
  req->refs = 1;
  req->start_ns = lk_clock_mono_ns();
  given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
  if (given != NULL && request_id_ok(given))
    snprintf(req->id, sizeof(req->id), "%s", given);
  else
    snprintf(req->id, sizeof(req->id), "%s-%llx", srv->id_prefix,
             (unsigned long long)atomic_fetch_add(&srv->next_id, 1));
  return req;
}

void lk_http_req_release(lk_req *req) {
  if (--req->refs > 0)
    return;
  free(req->match);
  if (req->data_free != NULL && req->data != NULL)
    req->data_free(req->data);
  for (int i = 0; i < req->nheaders; i++) {
    free(req->header_names[i]);
    free(req->header_values[i]);
  }
  lk_buf_free(&req->body);
  free(req);
}

size_t lk_http_body_limit(lk_req *req) {
  lk_app *app = req->srv->app;

  if (req->routed == LK_ROUTE_FOUND && (req->route->flags & LK_ROUTE_UPLOAD) &&
      app->max_upload > 0)
    return app->max_upload;
  return app->max_body;
}

static bool method_has_body(const char *method) {
  return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
         strcmp(method, "PATCH") == 0;
}

static void dispatch(lk_req *req) {
  /* A request that was already arriving when the drain began is in
   * flight and gets served; only newer ones are turned away. */
  if (req->after_shutdown) {
    req->close_after = true;
    lk_req_add_header(req, "Retry-After", "5");
    lk_req_problem(req, 503, "shutting-down", "Service unavailable",
                   "the server is shutting down; retry shortly", NULL);
    return;
  }
  if (req->body_too_large) {
    lk_req_problem_too_large(req);
    return;
  }
  switch (req->routed) {
  case LK_ROUTE_FOUND:
    if (req->srv->app->refuse == NULL || !req->srv->app->refuse(req))
      req->route->handler(req);
    break;
  case LK_ROUTE_NO_METHOD:
    lk_req_add_header(req, "Allow", req->match->allow);
    lk_req_problem(req, 405, "method-not-allowed", "Method not allowed",
                   "this resource does not support that method", NULL);
    break;
  case LK_ROUTE_NOT_FOUND:
    lk_req_not_found(req);
    break;
  }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls) {
  lk_server *srv = cls;
  lk_req *req = *req_cls;
  const char *clen;
  unsigned long long n;
  char *end;

  (void)version;
  if (req == NULL) {
    /* First call: headers only.  Do not answer here (keep-alive). */
    req = req_new(srv, conn, method, url);
    if (req == NULL)
      return MHD_NO;
    req->match = calloc(1, sizeof(*req->match));
    if (req->match == NULL) {
      lk_http_req_release(req);
      return MHD_NO;
    }
    *req_cls = req;
    req->in_flight = true;
    atomic_fetch_add(&srv->in_flight, 1);
    /* Counted first, then the flag read: lk_server_drain() sets the flag
     * first, then waits for the count, so no request slips between. */
    req->after_shutdown = atomic_load(&srv->app->shutting_down);
    req->routed = lk_router_match(srv->router, method, url, req->match);
    req->route = req->match->route;
    clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen != NULL) {
      errno = 0;
      n = strtoull(clen, &end, 10);
      if (errno == 0 && *end == '\0' && n > lk_http_body_limit(req)) {
        /* We will not read the body, so the connection cannot be reused;
         * answering now is right even though it costs keep-alive. */
        req->close_after = true;
        req->body_too_large = true;
        lk_req_problem_too_large(req);
      }
    }
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    size_t got = *upload_data_size;

    *upload_data_size = 0;
    /* Every method's body counts against the limit, also where it is
     * ignored (GET, DELETE): otherwise one request could stream forever. */
    if (!req->body_too_large && req->received + got > lk_http_body_limit(req)) {
      /* Past the limit.  libmicrohttpd 0.9.75 cannot answer in the middle
       * of an upload, so the rest is read and dropped and 413 follows;
       * dispatch() sends it. */
      req->body_too_large = true;
      req->close_after = true;
      lk_buf_free(&req->body);
    }
    req->received += got;
    if (!req->body_too_large && method_has_body(method))
      lk_buf_append(&req->body, upload_data, got);
    /* Far past any sensible size it is an attack: drop the connection. */
    if (req->received > 64 * (uint64_t)lk_http_body_limit(req) + (1u << 20))
      return MHD_NO;
    return MHD_YES;
  }
  if (req->responded)
    return MHD_YES;
  if (req->resume_fn != NULL) {
    lk_resume_fn fn = req->resume_fn;

    req->resume_fn = NULL;
    fn(req);
  } else {
    dispatch(req);
  }
  if (!req->responded && req->resume_fn == NULL) {
    lk_log(LK_LOG_ERROR, "handler did not answer", "id", req->id, "path",
           req->path, NULL);
    lk_req_problem(req, 500, "internal", "Internal error",
                   "the request could not be completed", NULL);
  }
  return MHD_YES;
}

static void access_log(lk_req *req, uint64_t ns,
                       enum MHD_RequestTerminationCode toe) {
  const union MHD_ConnectionInfo *ci;
  char addr[INET6_ADDRSTRLEN] = "";
  lk_buf line = LK_BUF_INIT;

  if (!lk_log_enabled(LK_LOG_INFO))
    return;
  ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci != NULL && ci->client_addr != NULL) {
    if (ci->client_addr->sa_family == AF_INET)
      inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr,
                addr, sizeof(addr));
    else if (ci->client_addr->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
                addr, sizeof(addr));
  }
  lk_buf_puts(&line, "\"id\":");
  lk_buf_json_str(&line, req->id);
  lk_buf_puts(&line, ",\"method\":");
  lk_buf_json_str(&line, req->method);
  lk_buf_puts(&line, ",\"path\":");
  lk_buf_json_str(&line, req->route != NULL &&
                                 (req->route->flags & LK_ROUTE_SECRET_PATH)
                             ? req->route->pattern
                             : req->path);
  lk_buf_printf(&line, ",\"status\":%d,\"ms\":%.3f", req->status,
                (double)ns / 1e6);
  /* The same name /metrics uses, so a log line and a series match. */
  lk_buf_puts(&line, ",\"route\":");
  lk_buf_json_str(&line,
                  req->route != NULL ? req->route->pattern : "unmatched");
  if (req->principal.actor[0] != '\0') {
    lk_buf_puts(&line, ",\"actor\":");
    lk_buf_json_str(&line, req->principal.actor);
  }
  lk_buf_puts(&line, ",\"remote\":");
  lk_buf_json_str(&line, addr);
  if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
    lk_buf_printf(&line, ",\"aborted\":%d", (int)toe);
  if (lk_buf_ok(&line))
    lk_log_raw(LK_LOG_INFO, "request", line.data);
  lk_buf_free(&line);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
  lk_server *srv = cls;
  lk_req *req = *req_cls;
  uint64_t ns;

  (void)conn;
  if (req == NULL)
    return;
  *req_cls = NULL;
  ns = (uint64_t)(lk_clock_mono_ns() - req->start_ns);
  lk_router_observe(srv->router, req->route, req->status, ns);
  access_log(req, ns, toe);
  if (req->in_flight)
    atomic_fetch_sub(&srv->in_flight, 1);
  lk_http_req_release(req);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe) {
  lk_server *srv = cls;

  (void)conn;
  (void)socket_ctx;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    atomic_fetch_add(&srv->connections, 1);
    atomic_fetch_add(&srv->connections_total, 1);
  } else {
    atomic_fetch_sub(&srv->connections, 1);
  }
}

/* libmicrohttpd hands us its own printf format. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void mhd_log(void *cls, const char *fmt, va_list ap) {
  lk_buf msg = LK_BUF_INIT;

  (void)cls;
  lk_buf_vprintf(&msg, fmt, ap);
  while (msg.len > 0 && msg.data[msg.len - 1] == '\n')
    msg.data[--msg.len] = '\0';
  if (lk_buf_ok(&msg) && msg.data != NULL)
    lk_log(LK_LOG_WARN, "libmicrohttpd", "detail", msg.data, NULL);
  lk_buf_free(&msg);
}
#pragma GCC diagnostic pop

/* Turns new connections away once a graceful stop has begun. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr,
                                     socklen_t addrlen) {
  lk_server *srv = cls;

  (void)addr;
  (void)addrlen;
  return atomic_load(&srv->app->shutting_down) ? MHD_NO : MHD_YES;
}

/* libmicrohttpd's last word before it aborts: into our log, so that the
 * reason is in the same place as everything else. */
static void mhd_panic(void *cls, const char *file, unsigned int line,
                      const char *reason) {
  char where[256];

  (void)cls;
  snprintf(where, sizeof(where), "%s:%u", file != NULL ? file : "?", line);
  lk_log(LK_LOG_ERROR, "libmicrohttpd panic", "where", where, "reason",
         reason != NULL ? reason : "", NULL);
  lk_log_flush();
  abort();
}

static void server_metrics(lk_buf *b, void *ud) {
  lk_server *srv = ud;
  long nstreams;

  pthread_mutex_lock(&srv->streams_lock);
  nstreams = srv->nstreams;
  pthread_mutex_unlock(&srv->streams_lock);
  lk_buf_printf(
      b,
      "# HELP loket_http_open_connections HTTP connections open now.\n"
      "# TYPE loket_http_open_connections gauge\n"
      "loket_http_open_connections %ld\n"
      "# HELP loket_http_connections_total HTTP connections accepted.\n"
      "# TYPE loket_http_connections_total counter\n"
      "loket_http_connections_total %llu\n"
      "# HELP loket_http_requests_in_flight Requests being processed.\n"
      "# TYPE loket_http_requests_in_flight gauge\n"
      "loket_http_requests_in_flight %ld\n"
      "# HELP loket_http_streams_open Event streams open now.\n"
      "# TYPE loket_http_streams_open gauge\n"
      "loket_http_streams_open %ld\n",
      atomic_load(&srv->connections),
      (unsigned long long)atomic_load(&srv->connections_total),
      atomic_load(&srv->in_flight), nstreams);
}

/* ---- start and stop ------------------------------------------------- */

/* How many connections libmicrohttpd may hold: every file the process may
 * open (the soft limit raised to the hard one) but a reserve for the
 * database, the log and the daemon's own descriptors.  libmicrohttpd's
 * default is FD_SETSIZE - 4, about a thousand, whatever the poller. */
static unsigned connection_limit(void) {
  struct rlimit rl;

  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 1000;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
    (void)getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1000000)
    return 1000000;
  return rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE)
                                      : (unsigned)(rl.rlim_cur / 2);
}

static int parse_address(const char *host, int port,
                         struct sockaddr_storage *ss) {
  struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

  memset(ss, 0, sizeof(*ss));
  if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)port);
    return 0;
  }
  if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    return 0;
  }
  return -EINVAL;
}

/* One libmicrohttpd daemon without a listening socket: the acceptor hands
 * it its connections.  `pool` is the memory of each connection. */
static struct MHD_Daemon *start_daemon(lk_server *srv, unsigned threads,
                                       size_t pool, bool ipv6) {
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                       MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                       MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;

  if (ipv6)
    flags |= MHD_USE_IPv6;
  return MHD_start_daemon(
      flags, 0, accept_policy, srv, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
      mhd_log, srv, MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
      connection_limit(), MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_END);
}

int lk_server_start(const lk_server_options *opt, lk_app *app,
                    lk_router *router, lk_server **out, int *port_out) {
  struct sockaddr_storage ss;
  unsigned int threads;
  unsigned char rnd[4];
  lk_server *srv;
  bool ipv6;
  int rc;

  if (parse_address(opt->host, opt->port, &ss) != 0)
    return -EINVAL;
  ipv6 = ss.ss_family == AF_INET6;
  srv = calloc(1, sizeof(*srv));
  if (srv == NULL)
    return -ENOMEM;
  srv->app = app;
  srv->router = router;
  pthread_mutex_init(&srv->streams_lock, NULL);
  /* Request ids: a random prefix per process and a counter. */
  {
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(rnd, 1, sizeof(rnd), f) != sizeof(rnd))
      memset(rnd, 0, sizeof(rnd));
    if (f != NULL)
      fclose(f);
  }
  snprintf(srv->id_prefix, sizeof(srv->id_prefix), "%02x%02x%02x%02x", rnd[0],
           rnd[1], rnd[2], rnd[3]);
  MHD_set_panic_func(mhd_panic, NULL);
  threads = opt->threads > 0 ? (unsigned)opt->threads
                             : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  srv->daemon = start_daemon(srv, threads, MEMORY_LIMIT, ipv6);
  /* Processes sharing the port are the parallelism already: one stream
   * thread each contends less than several (bench/sse_fanout.sh measured
   * p99 0.80-1.08 s against 1.09-1.46 s at 60,000 subscribers over five
   * processes). */
  srv->stream_daemon = start_daemon(srv, opt->reuseport ? 1u : threads,
                                    STREAM_MEMORY_LIMIT, ipv6);
  rc = srv->daemon != NULL && srv->stream_daemon != NULL ? 0 : -ENOMEM;
  if (rc == 0)
    rc = lk_acceptor_start(srv, (struct sockaddr *)&ss,
                           ipv6 ? sizeof(struct sockaddr_in6)
                                : sizeof(struct sockaddr_in),
                           opt->reuseport, &srv->acceptor, &srv->port);
  if (rc != 0) {
    if (srv->stream_daemon != NULL)
      MHD_stop_daemon(srv->stream_daemon);
    if (srv->daemon != NULL)
      MHD_stop_daemon(srv->daemon);
    pthread_mutex_destroy(&srv->streams_lock);
    free(srv);
    return rc;
  }
  lk_metrics_register(server_metrics, srv);
  lk_metrics_register(lk_router_metrics, router);
  if (port_out != NULL)
    *port_out = srv->port;
  *out = srv;
  return 0;
}

void lk_server_drain(lk_server *srv, int grace_ms) {
  int64_t deadline = lk_clock_mono_ns() + (int64_t)grace_ms * 1000000;

  /* From now on the acceptor and accept_policy() turn new connections
   * away.  Not
   * MHD_quiesce_daemon(): with epoll worker threads it races with them and
   * libmicrohttpd 0.9.75 can abort ("Failed to remove listen FD from epoll
   * set"), an open defect upstream. */
  atomic_store(&srv->app->shutting_down, true);
  /* Streams notice shutting_down when woken and end themselves. */
  lk_http_wake_streams(srv);
  while (lk_clock_mono_ns() < deadline) {
    pthread_mutex_lock(&srv->streams_lock);
    long nstreams = srv->nstreams;
    pthread_mutex_unlock(&srv->streams_lock);
    if (atomic_load(&srv->in_flight) == 0 && nstreams == 0)
      break;
    usleep(5000);
  }
}

void lk_server_stop(lk_server *srv) {
  if (srv == NULL)
    return;
  lk_acceptor_stop(srv->acceptor);
  MHD_stop_daemon(srv->stream_daemon);
  MHD_stop_daemon(srv->daemon);
  lk_log_flush();
  pthread_mutex_destroy(&srv->streams_lock);
  free(srv);
}
