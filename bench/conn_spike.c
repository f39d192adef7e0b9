/* conn_spike.c - a connection spike: N new TCP connections opened within a
 * window (2,000 in 1 s by default), each sending one GET and reading one
 * complete answer, the way a crowd of residents arrives when a calamity
 * is announced.  wrk cannot do this: it opens its connections once and
 * keeps them.
 *
 * One thread, non-blocking sockets, epoll.  Connection i is opened at
 * i * window / N after the start (an even ramp; --window-ms 0 opens them
 * all at once).  By default every connection stays open after its answer
 * until all have answered (--close closes each right after its answer),
 * so the server holds N connections at the end, as it would when browsers
 * keep theirs alive.
 *
 * An error is: connect() refused or failing, a reset, the server closing
 * before the whole answer, a status other than 200, no answer within
 * --timeout-ms, or a local failure (socket() or send()).  The client
 * measures what it achieved itself, so that a slow client cannot pass for
 * a fast server: connect() calls per second, connections established per
 * second, and the most connections it had open at once.
 *
 * Usage: conn_spike --url http://127.0.0.1:PORT/PATH [--connections N]
 *                   [--window-ms MS] [--timeout-ms MS] [--close]
 *                   [--label NAME] [--dump FILE]
 * --dump writes one line per connection: opened at (ms after the start),
 * handshake and answer latency (ms, -1 if none), for plotting.
 * Prints a human summary and one line "RESULT key=value ..." for scripts.
 * Exit status: 0 without errors, 1 with errors, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 8192
#define MAX_CONNECTIONS 100000

enum state { IDLE, CONNECTING, READING, ANSWERED, FAILED };

enum error {
  E_REFUSED,
  E_RESET,
  E_EOF,
  E_STATUS,
  E_TIMEOUT,
  E_LOCAL,
  E_OTHER,
  E_COUNT
};

static const char *const error_names[E_COUNT] = {
    "refused", "reset", "eof", "status", "timeout", "local", "other"};

struct conn {
  int fd;
  enum state state;
  int64_t t_open;      /* connect() called */
  int64_t t_connected; /* writable: the handshake is done */
  int64_t t_done;      /* last byte of the answer */
  char head[HEAD_MAX];
  size_t head_len;
  size_t head_end; /* offset of the body, 0 while headers are incomplete */
  long status;
  long long clen;
  long long body;
};

static int64_t now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n sorted values, in milliseconds. */
static double quantile_ms(const int64_t *v, size_t n, double q) {
  size_t i;

  if (n == 0)
    return 0;
  i = (size_t)(q * (double)(n - 1) + 0.5);
  return (double)v[i] / 1e6;
}

/* http://A.B.C.D:PORT/PATH (numeric IPv4 only: the benchmark is local). */
static int parse_url(const char *url, struct sockaddr_in *sa, char *host,
                     size_t host_len, const char **path) {
  const char *p, *colon, *slash;
  char ip[64];
  long port;
  char *end;

  if (strncmp(url, "http://", 7) != 0)
    return -1;
  p = url + 7;
  slash = strchr(p, '/');
  colon = strchr(p, ':');
  if (slash == NULL || colon == NULL || colon > slash ||
      (size_t)(colon - p) >= sizeof(ip) || (size_t)(slash - p) >= host_len)
    return -1;
  memcpy(ip, p, (size_t)(colon - p));
  ip[colon - p] = '\0';
  memcpy(host, p, (size_t)(slash - p));
  host[slash - p] = '\0';
  errno = 0;
  port = strtol(colon + 1, &end, 10);
  if (errno != 0 || end != slash || port <= 0 || port > 65535)
    return -1;
  memset(sa, 0, sizeof(*sa));
  sa->sin_family = AF_INET;
  sa->sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1)
    return -1;
  *path = slash;
  return 0;
}

struct run {
  int ep;
  struct conn *c;
  long n;
  const char *req;
  size_t req_len;
  bool close_after;
  long open_now, open_max;
  long answered, failed;
  long errors[E_COUNT];
  int first_errno;
  long first_status;
};

static void fail(struct run *r, struct conn *c, enum error e, int err) {
  if (c->state == ANSWERED || c->state == FAILED)
    return;
  c->state = FAILED;
  r->errors[e]++;
  r->failed++;
  if (r->first_errno == 0 && err != 0)
    r->first_errno = err;
  if (c->fd >= 0) {
    close(c->fd);
    c->fd = -1;
    r->open_now--;
  }
}

static enum error classify(int err) {
  if (err == ECONNREFUSED)
    return E_REFUSED;
  if (err == ECONNRESET || err == EPIPE || err == ECONNABORTED)
    return E_RESET;
  if (err == ETIMEDOUT)
    return E_TIMEOUT;
  return E_OTHER;
}

static void open_one(struct run *r, struct conn *c,
                     const struct sockaddr_in *sa) {
  struct epoll_event ev = {0};
  int one = 1;

  c->t_open = now_ns();
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    fail(r, c, E_LOCAL, errno);
    return;
  }
  r->open_now++;
  if (r->open_now > r->open_max)
    r->open_max = r->open_now;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  c->state = CONNECTING;
  ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
  ev.data.ptr = c;
  if (epoll_ctl(r->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
    fail(r, c, E_LOCAL, errno);
    return;
  }
  if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 &&
      errno != EINPROGRESS)
    fail(r, c, classify(errno), errno);
}

static void answered(struct run *r, struct conn *c) {
  struct epoll_event ev = {0};

  c->t_done = now_ns();
  if (c->status != 200) {
    if (r->first_status == 0)
      r->first_status = c->status;
    fail(r, c, E_STATUS, 0);
    return;
  }
  c->state = ANSWERED;
  r->answered++;
  if (r->close_after) {
    close(c->fd);
    c->fd = -1;
    r->open_now--;
    return;
  }
  /* Kept open and idle: only a close by the server is of interest. */
  ev.events = EPOLLRDHUP;
  ev.data.ptr = c;
  epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Headers complete: status and Content-Length. */
static int parse_head(struct conn *c) {
  char *end = memmem(c->head, c->head_len, "\r\n\r\n", 4);
  char *line, *next, *num;

  if (end == NULL)
    return c->head_len == sizeof(c->head) ? -1 : 0;
  *end = '\0';
  c->head_end = (size_t)(end - c->head) + 4;
  if (strncmp(c->head, "HTTP/1.", 7) != 0 || c->head_len < 12)
    return -1;
  c->status = strtol(c->head + 9, NULL, 10);
  c->clen = -1;
  for (line = strstr(c->head, "\r\n"); line != NULL; line = next) {
    line += 2;
    next = strstr(line, "\r\n");
    if (strncasecmp(line, "Content-Length:", 15) == 0) {
      num = line + 15;
      c->clen = strtoll(num, NULL, 10);
    }
  }
  if (c->clen < 0)
    return -1; /* chunked: not expected from either server */
  c->body = (long long)(c->head_len - c->head_end);
  return 1;
}

static void on_readable(struct run *r, struct conn *c) {
  char sink[16384];
  ssize_t got;

  for (;;) {
    if (c->head_end == 0) {
      got =
          recv(c->fd, c->head + c->head_len, sizeof(c->head) - c->head_len, 0);
    } else {
      got = recv(c->fd, sink, sizeof(sink), 0);
    }
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return;
      if (errno == EINTR)
        continue;
      fail(r, c, classify(errno), errno);
      return;
    }
    if (got == 0) {
      fail(r, c, E_EOF, 0);
      return;
    }
    if (c->head_end == 0) {
      int rc;

      c->head_len += (size_t)got;
      rc = parse_head(c);
      if (rc < 0) {
        fail(r, c, E_OTHER, 0);
        return;
      }
      if (rc == 0)
        continue;
    } else {
      c->body += got;
    }
    if (c->body >= c->clen) {
      answered(r, c);
      return;
    }
  }
}

static void on_event(struct run *r, struct conn *c, uint32_t events) {
  int err = 0;
  socklen_t len = sizeof(err);
  struct epoll_event ev = {0};
  ssize_t sent;

  if (c->state == ANSWERED) {
    /* The server closed an idle kept-alive connection: not an error of
     * the request, which was answered, but worth telling. */
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      close(c->fd);
      c->fd = -1;
      r->open_now--;
    }
    return;
  }
  if (c->state == CONNECTING) {
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
      err = errno;
    if (err != 0) {
      fail(r, c, classify(err), err);
      return;
    }
    if (!(events & (EPOLLOUT | EPOLLIN)))
      return;
    c->t_connected = now_ns();
    sent = send(c->fd, r->req, r->req_len, MSG_NOSIGNAL);
    if (sent != (ssize_t)r->req_len) {
      fail(r, c, sent < 0 ? classify(errno) : E_LOCAL, sent < 0 ? errno : 0);
      return;
    }
    c->state = READING;
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = c;
    epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev);
    return;
  }
  if (c->state == READING &&
      (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
    on_readable(r, c);
}

static void usage(void) {
  fprintf(stderr,
          "usage: conn_spike --url http://IP:PORT/PATH [--connections N]\n"
          "                  [--window-ms MS] [--timeout-ms MS] [--close]\n"
          "                  [--label NAME] [--dump FILE]\n");
}

static long parse_long(const char *s, long lo, long hi) {
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi)
    return -1;
  return v;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"url", required_argument, NULL, 'u'},
      {"connections", required_argument, NULL, 'n'},
      {"window-ms", required_argument, NULL, 'w'},
      {"timeout-ms", required_argument, NULL, 't'},
      {"close", no_argument, NULL, 'c'},
      {"label", required_argument, NULL, 'l'},
      {"dump", required_argument, NULL, 'd'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *url = NULL, *label = "server", *dump = NULL, *path;
  long window_ms = 1000, timeout_ms = 10000;
  struct run r = {0};
  struct sockaddr_in sa;
  struct epoll_event evs[256];
  struct rlimit rl;
  char host[128], req[1024];
  int64_t start, deadline, t;
  int64_t *lat, *conn_lat, first_est = 0, last_est = 0, last_open = 0;
  size_t nlat = 0, nconn = 0;
  long opened = 0, still = 0;
  int opt, k, nev;

  r.n = 2000;
  while ((opt = getopt_long(argc, argv, "u:n:w:t:cl:d:h", opts, NULL)) != -1) {
    switch (opt) {
    case 'u':
      url = optarg;
      break;
    case 'n':
      r.n = parse_long(optarg, 1, MAX_CONNECTIONS);
      break;
    case 'w':
      window_ms = parse_long(optarg, 0, 3600000);
      break;
    case 't':
      timeout_ms = parse_long(optarg, 1, 3600000);
      break;
    case 'c':
      r.close_after = true;
      break;
    case 'l':
      label = optarg;
      break;
    case 'd':
      dump = optarg;
      break;
    default:
      usage();
      return opt == 'h' ? 0 : 2;
    }
  }
  if (url == NULL || r.n < 0 || window_ms < 0 || timeout_ms < 0 ||
      parse_url(url, &sa, host, sizeof(host), &path) != 0) {
    usage();
    return 2;
  }
  /* One descriptor per connection plus a few. */
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)r.n + 16) {
    rl.rlim_cur =
        rl.rlim_max < (rlim_t)r.n + 16 ? rl.rlim_max : (rlim_t)r.n + 16;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  k = snprintf(req, sizeof(req),
               "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: conn_spike\r\n"
               "Accept: text/html\r\n\r\n",
               path, host);
  if (k < 0 || (size_t)k >= sizeof(req)) {
    usage();
    return 2;
  }
  r.req = req;
  r.req_len = (size_t)k;
  r.c = calloc((size_t)r.n, sizeof(*r.c));
  lat = calloc((size_t)r.n, sizeof(*lat));
  conn_lat = calloc((size_t)r.n, sizeof(*conn_lat));
  r.ep = epoll_create1(EPOLL_CLOEXEC);
  if (r.c == NULL || lat == NULL || conn_lat == NULL || r.ep < 0) {
    perror("conn_spike");
    return 2;
  }
  for (long i = 0; i < r.n; i++)
    r.c[i].fd = -1;

  start = now_ns();
  deadline = start + (int64_t)(window_ms + timeout_ms) * 1000000;
  for (;;) {
    t = now_ns();
    /* Open every connection whose time has come. */
    while (opened < r.n &&
           (window_ms == 0 ||
            (t - start) * r.n >= (int64_t)opened * window_ms * 1000000)) {
      open_one(&r, &r.c[opened], &sa);
      opened++;
    }
    if (opened == r.n && last_open == 0)
      last_open = now_ns();
    if (r.answered + r.failed == r.n || t > deadline)
      break;
    nev = epoll_wait(r.ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
                     opened < r.n ? 1 : 10);
    for (k = 0; k < nev; k++)
      on_event(&r, evs[k].data.ptr, evs[k].events);
  }
  for (long i = 0; i < r.n; i++) {
    struct conn *c = &r.c[i];

    if (c->state == CONNECTING || c->state == READING)
      fail(&r, c, E_TIMEOUT, 0);
    if (c->t_connected != 0) {
      conn_lat[nconn++] = c->t_connected - c->t_open;
      if (first_est == 0 || c->t_connected < first_est)
        first_est = c->t_connected;
      if (c->t_connected > last_est)
        last_est = c->t_connected;
    }
    if (c->state == ANSWERED) {
      lat[nlat++] = c->t_done - c->t_open;
      if (c->fd >= 0)
        still++;
    }
  }
  if (dump != NULL) {
    FILE *f = fopen(dump, "w");

    for (long i = 0; f != NULL && i < r.n; i++) {
      struct conn *c = &r.c[i];

      fprintf(
          f, "%.3f %.3f %.3f\n", (double)(c->t_open - start) / 1e6,
          c->t_connected ? (double)(c->t_connected - c->t_open) / 1e6 : -1.0,
          c->state == ANSWERED ? (double)(c->t_done - c->t_open) / 1e6 : -1.0);
    }
    if (f == NULL || fclose(f) != 0)
      perror(dump);
  }
  qsort(lat, nlat, sizeof(*lat), cmp_i64);
  qsort(conn_lat, nconn, sizeof(*conn_lat), cmp_i64);

  {
    double open_s = (double)(last_open - start) / 1e9;
    double est_s = (double)(last_est - start) / 1e9;
    double open_rate = open_s > 0 ? (double)r.n / open_s : 0;
    double est_rate = est_s > 0 ? (double)nconn / est_s : 0;

    printf("%s: %ld new connections, one GET each, window %ld ms%s\n", label,
           r.n, window_ms, r.close_after ? ", closed after the answer" : "");
    printf("  client: %ld connect() in %.0f ms (%.0f/s); %zu established in "
           "%.0f ms (%.0f/s); at most %ld open at once\n",
           opened, open_s * 1e3, open_rate, nconn, est_s * 1e3, est_rate,
           r.open_max);
    printf("  answered 200: %ld; errors: %ld (", r.answered, r.failed);
    for (k = 0; k < E_COUNT; k++)
      printf("%s%s %ld", k ? ", " : "", error_names[k], r.errors[k]);
    printf(")");
    if (r.first_errno != 0)
      printf("; first: %s", strerror(r.first_errno));
    if (r.first_status != 0)
      printf("; first bad status %ld", r.first_status);
    printf("\n");
    if (!r.close_after)
      printf("  kept open by the server until the end: %ld of %ld\n", still,
             r.answered);
    printf("  latency connect() to last byte: p50 %.2f ms, p99 %.2f ms, "
           "max %.2f ms; handshake p50 %.2f ms, p99 %.2f ms\n",
           quantile_ms(lat, nlat, 0.5), quantile_ms(lat, nlat, 0.99),
           quantile_ms(lat, nlat, 1.0), quantile_ms(conn_lat, nconn, 0.5),
           quantile_ms(conn_lat, nconn, 0.99));
    printf("RESULT label=%s connections=%ld open_per_s=%.0f "
           "established_per_s=%.0f max_open=%ld ok=%ld errors=%ld "
           "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
           label, r.n, open_rate, est_rate, r.open_max, r.answered, r.failed,
           quantile_ms(lat, nlat, 0.5), quantile_ms(lat, nlat, 0.99),
           quantile_ms(lat, nlat, 1.0));
  }
  for (long i = 0; i < r.n; i++)
    if (r.c[i].fd >= 0)
      close(r.c[i].fd);
  close(r.ep);
  free(r.c);
  free(lat);
  free(conn_lat);
  return r.failed == 0 ? 0 : 1;
}
