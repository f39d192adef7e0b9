/* serve.c - `loket serve`: the server process.
 *
 * Signals are blocked in every thread and taken by the main thread with
 * sigtimedwait(), which also paces the once-a-second housekeeping tick.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/token_cache.h"
#include "events/bus.h"
#include "http/server.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define BUS_CAPACITY 4096
#define SHUTDOWN_GRACE_MS 4000

static const char usage[] =
    "Usage: loket serve [OPTIONS]\n"
    "\n"
    "Runs Loket until SIGTERM or SIGINT, then stops gracefully.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR:PORT  numeric IPv4 or [IPv6] address, or localhost\n"
    "                      (env LOKET_LISTEN; default 127.0.0.1:8080;\n"
    "                      port 0 picks a free one)\n"
    "  --data DIR          data directory (env LOKET_DATA; default "
    "./loket-data)\n"
    "  --web DIR           folder with static/ (env LOKET_WEB)\n"
    "  --log-level LEVEL   debug, info, warn or error (env LOKET_LOG_LEVEL)\n"
    "  --threads N         HTTP threads (default: one per core)\n"
    "  --max-body BYTES    largest request body (default 1048576)\n"
    "  --max-attachment BYTES  largest attachment upload (default 10485760)\n"
    "  --heartbeat SECS    event stream heartbeat interval (default 15)\n"
    "  -h, --help          show this help\n";

/* Splits "host:port" or "[v6]:port". Returns 0 or -1. */
static int parse_listen(const char *s, char *host, size_t size, int *port) {
  unsigned char addr[sizeof(struct in6_addr)];
  const char *colon;
  const char *h = s;
  size_t hlen;
  long p;
  char *end;

  if (s[0] == '[') {
    colon = strstr(s, "]:");
    if (colon == NULL)
      return -1;
    h = s + 1;
    hlen = (size_t)(colon - h);
    colon++;
  } else {
    colon = strrchr(s, ':');
    if (colon == NULL)
      return -1;
    hlen = (size_t)(colon - s);
  }
  if (hlen == 0 || hlen >= size)
    return -1;
  errno = 0;
  p = strtol(colon + 1, &end, 10);
  if (errno != 0 || end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
    return -1;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  if (strcmp(host, "localhost") == 0)
    snprintf(host, size, "127.0.0.1");
  /* A numeric address only: serve does not wait on name resolution. */
  if (inet_pton(AF_INET, host, &addr) != 1 &&
      inet_pton(AF_INET6, host, &addr) != 1)
    return -1;
  *port = (int)p;
  return 0;
}

static int parse_positive(const char *name, const char *s, long max,
                          long *out) {
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
    return lk_cli_usage_error("serve: %s must be a number from 1 to %ld", name,
                              max);
  *out = v;
  return 0;
}

static void store_metrics(lk_buf *b, void *ud) {
  lk_store_stats st;

  lk_store_stats_get(ud, &st);
  lk_buf_printf(b,
                "# HELP loket_store_commits_total Store transactions "
                "committed.\n"
                "# TYPE loket_store_commits_total counter\n"
                "loket_store_commits_total %llu\n"
                "# HELP loket_store_writes_total Writes run by the store "
                "writer.\n"
                "# TYPE loket_store_writes_total counter\n"
                "loket_store_writes_total %llu\n"
                "# HELP loket_store_failed_writes_total Writes rolled back.\n"
                "# TYPE loket_store_failed_writes_total counter\n"
                "loket_store_failed_writes_total %llu\n",
                (unsigned long long)st.commits, (unsigned long long)st.writes,
                (unsigned long long)st.failed_writes);
  lk_buf_puts(b, "# HELP loket_store_commit_duration_seconds Time to run "
                 "and commit one batch of writes.\n"
                 "# TYPE loket_store_commit_duration_seconds histogram\n");
  lk_histogram_render(st.commit_seconds, b,
                      "loket_store_commit_duration_seconds", "");
  lk_buf_puts(b, "# HELP loket_store_commit_batch_size Writes per commit.\n"
                 "# TYPE loket_store_commit_batch_size histogram\n");
  lk_histogram_render(st.batch_size, b, "loket_store_commit_batch_size", "");
}

struct serve_opts {
  char host[64];
  int port;
  const char *data;
  const char *web;
  long threads;
  long max_body;
  long max_upload;
  long heartbeat_s;
};

static int parse_args(int argc, char **argv, struct serve_opts *o) {
  static const struct option longopts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"data", required_argument, NULL, 'd'},
      {"web", required_argument, NULL, 'w'},
      {"log-level", required_argument, NULL, 'L'},
      {"threads", required_argument, NULL, 't'},
      {"max-body", required_argument, NULL, 'b'},
      {"max-attachment", required_argument, NULL, 'A'},
      {"heartbeat", required_argument, NULL, 'H'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *listen = getenv("LOKET_LISTEN");
  const char *data = NULL;
  const char *level = NULL;
  int opt;

  o->web = getenv("LOKET_WEB");
  o->threads = 0;
  o->max_body = 1024 * 1024;
  o->max_upload = 10 * 1024 * 1024;
  o->heartbeat_s = 15;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'l':
      if (optarg[0] == '\0')
        return lk_cli_usage_error(
            "serve: invalid --listen '' (expected ADDRESS:PORT)");
      listen = optarg;
      break;
    case 'd':
      data = optarg;
      break;
    case 'w':
      o->web = optarg;
      break;
    case 'L':
      level = optarg;
      break;
    case 't':
      if (parse_positive("--threads", optarg, 256, &o->threads) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'b':
      if (parse_positive("--max-body", optarg, 1L << 30, &o->max_body) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'A':
      if (parse_positive("--max-attachment", optarg, 1L << 30,
                         &o->max_upload) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'H':
      if (parse_positive("--heartbeat", optarg, 3600, &o->heartbeat_s) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'h':
      fputs(usage, stdout);
      return -1;
    default:
      return lk_cli_bad_option("serve", opt, argv);
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("serve: unexpected argument '%s'", argv[optind]);
  if (listen == NULL || listen[0] == '\0')
    listen = "127.0.0.1:8080";
  if (parse_listen(listen, o->host, sizeof(o->host), &o->port) != 0)
    return lk_cli_usage_error(
        "serve: invalid --listen '%s' (expected ADDRESS:PORT with a "
        "numeric IPv4 or [IPv6] address, or localhost)",
        listen);
  if (o->web == NULL || o->web[0] == '\0')
    o->web = LOKET_WEB_DIR;
  o->data = lk_cli_data_dir(data);
  return lk_cli_log_level(level);
}

/* Waits for SIGTERM or SIGINT, ticking the server every second. */
static void run_until_signal(lk_server *srv, const sigset_t *set) {
  struct timespec second = {1, 0};
  int sig;

  for (;;) {
    sig = sigtimedwait(set, NULL, &second);
    if (sig == SIGTERM || sig == SIGINT) {
      lk_log(LK_LOG_INFO, "shutting down", "signal",
             sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
      return;
    }
    lk_server_tick(srv);
  }
}

/* Frees whatever app_open() made, in the reverse order. */
static void app_close(lk_app *app, lk_router *router) {
  lk_store_close(app->store);
  lk_token_cache_free(app->tokens);
  lk_metrics_unregister_all();
  lk_router_free(router);
  lk_bus_destroy(app->bus);
}

/* Opens the store and builds what the server runs on. Returns 0, or an
 * exit status after saying why on stderr. */
static int app_open(lk_app *app, const struct serve_opts *o,
                    lk_router **router) {
  lk_store_options so = {0};
  int64_t last_seq = 0;
  int rc;

  app->bus = lk_bus_create(BUS_CAPACITY);
  *router = lk_router_new();
  if (app->bus == NULL || *router == NULL || lk_api_routes(*router) != 0) {
    fputs("loket: out of memory\n", stderr);
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  so.dir = o->data;
  /* LOKET_GROUP_COMMIT=0: one commit per write, the reference of the
   * write benchmarks (bench/contact_post.sh); never for production. */
  {
    const char *gc = getenv("LOKET_GROUP_COMMIT");
    so.group_commit = gc == NULL || strcmp(gc, "0") != 0;
  }
  so.on_events = lk_bus_publish_row;
  so.on_events_ud = app->bus;
  rc = lk_store_open(&so, &app->store);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot open the database in %s: %s\n", o->data,
            lk_store_strerror(rc));
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  if (lk_store_last_event_seq(app->store, &last_seq) == 0)
    lk_bus_start_at(app->bus, last_seq);
  app->tokens = lk_token_cache_new(app->store, app->bus);
  if (app->tokens == NULL) {
    fputs("loket: out of memory\n", stderr);
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  app->web_dir = o->web;
  app->max_body = (size_t)o->max_body;
  app->max_upload = (size_t)o->max_upload;
  app->heartbeat_ms = (int)o->heartbeat_s * 1000;
  atomic_init(&app->shutting_down, false);
  lk_metrics_register(store_metrics, app->store);
  return 0;
}

int lk_cli_serve(int argc, char **argv) {
  struct serve_opts o;
  lk_app app = {0};
  lk_server_options srvo = {0};
  lk_router *router = NULL;
  lk_server *srv = NULL;
  int64_t t0 = lk_clock_mono_ns();
  sigset_t set;
  int port = 0;
  int rc;

  rc = parse_args(argc, argv, &o);
  if (rc != 0)
    return rc < 0 ? LK_EXIT_OK : rc;

  /* Block the signals before any thread starts so all inherit the mask. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  rc = app_open(&app, &o, &router);
  if (rc != 0)
    return rc;
  srvo.host = o.host;
  srvo.port = o.port;
  srvo.threads = (int)o.threads;
  rc = lk_server_start(&srvo, &app, router, &srv, &port);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot listen on %s:%d: %s\n", o.host, o.port,
            strerror(-rc));
    app_close(&app, router);
    return LK_EXIT_FAIL;
  }
  {
    char url[128];
    char ms[32];

    snprintf(url, sizeof(url),
             strchr(o.host, ':') ? "http://[%s]:%d/" : "http://%s:%d/", o.host,
             port);
    snprintf(ms, sizeof(ms), "%.1f", (double)(lk_clock_mono_ns() - t0) / 1e6);
    lk_log(LK_LOG_INFO, "ready", "url", url, "data", o.data, "startup_ms", ms,
           NULL);
    lk_log_flush();
    printf("Loket serving %s\n", url);
    fflush(stdout);
  }

  run_until_signal(srv, &set);
  lk_server_drain(srv, SHUTDOWN_GRACE_MS);
  /* Commit what is queued (resuming the requests that wait for it), then
   * stop the HTTP threads, and only then free the store they may still
   * be reading from. */
  lk_store_stop(app.store);
  lk_server_stop(srv);
  app_close(&app, router);
  lk_log(LK_LOG_INFO, "stopped", NULL);
  lk_log_flush();
  return LK_EXIT_OK;
}
