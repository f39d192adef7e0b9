/* sse_clients.c - many Server-Sent Events subscribers in one process, for
 * bench/sse_fanout.sh.
 *
 * Opens N connections to one server with epoll, a bounded number of them
 * being set up at a time (a burst of thousands of SYNs overflows the
 * listen queue), each from one of several loopback source addresses
 * (127.0.0.F .. 127.0.0.F+K-1) so that 60,000 connections to one port do
 * not run out of ephemeral ports: the port is picked at connect() time
 * (IP_BIND_ADDRESS_NO_PORT), per source address.  Each connection sends one
 * GET (paths taken in turn from the --path list), reads the chunked body
 * and parses the event stream.  For every event of the --event type it
 * keeps (connection, event id, arrival time), the arrival time being
 * CLOCK_REALTIME when the read that completed the event returned, so that
 * it compares with a publisher's clock on the same machine.
 *
 * When every connection has its response headers (or failed) it prints
 * "ready CONNECTED FAILED" on stdout.  On SIGTERM, SIGINT or after
 * --seconds it writes "conn id arrival_us" lines to --out and a summary
 * line on stdout, then exits.  Connections are never reopened: one that
 * closes early is counted, and the events it misses show in the report.
 *
 * Usage: sse_clients --port P -n N --path PATH [--path PATH ...]
 *                    [--host 127.0.0.1] [--src-first 1] [--src-count 8]
 *                    [--event TYPE] [--out FILE] [--pending 256]
 *                    [--seconds S]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_PATHS 16
#define LINE_MAX_ 96
#define READ_SIZE 65536

enum conn_state { C_IDLE, C_CONNECTING, C_HEADERS, C_BODY, C_DONE };
enum chunk_state { K_SIZE, K_EXT, K_DATA, K_DATA_CR, K_DATA_LF };

struct conn {
  int fd;
  uint8_t state;
  uint8_t chunk;
  uint8_t hdr_match; /* how much of "\r\n\r\n" was just seen */
  bool matching;     /* the current event has the wanted type */
  bool overflow;     /* the current line is longer than line[] */
  uint16_t linelen;
  uint32_t chunk_left;
  int64_t event_id;
  char line[LINE_MAX_];
  char status[13]; /* "HTTP/1.1 200" */
  uint8_t status_len;
};

struct record {
  uint32_t conn;
  int64_t id;
  int64_t t_us;
};

struct config {
  const char *host;
  int port;
  int n;
  const char *paths[MAX_PATHS];
  int npaths;
  int src_first;
  int src_count;
  const char *event;
  const char *out;
  int pending;
  double seconds;
};

static volatile sig_atomic_t stop_flag;

static struct record *records;
static size_t nrecords;
static size_t records_cap;
static long heartbeats;

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static int64_t now_us(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double mono_s(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record(uint32_t conn, int64_t id, int64_t t_us) {
  if (nrecords == records_cap) {
    size_t cap = records_cap != 0 ? records_cap * 2 : 65536;
    struct record *r = realloc(records, cap * sizeof(*r));

    if (r == NULL) {
      fputs("sse_clients: out of memory\n", stderr);
      exit(1);
    }
    records = r;
    records_cap = cap;
  }
  records[nrecords].conn = conn;
  records[nrecords].id = id;
  records[nrecords].t_us = t_us;
  nrecords++;
}

/* One complete line of the event stream (without its LF). */
static void sse_line(const struct config *cfg, struct conn *c, uint32_t idx,
                     int64_t t_us) {
  char *end;
  const char *v;
  size_t tlen;

  if (c->overflow) {
    c->overflow = false;
    return;
  }
  if (c->linelen > 0 && c->line[c->linelen - 1] == '\r')
    c->linelen--;
  c->line[c->linelen] = '\0';
  if (c->linelen == 0) {
    /* The blank line dispatches the event. */
    if (c->event_id >= 0 && c->matching)
      record(idx, c->event_id, t_us);
    c->event_id = -1;
    c->matching = cfg->event == NULL;
    return;
  }
  if (c->line[0] == ':') {
    heartbeats++;
  } else if (strncmp(c->line, "id:", 3) == 0) {
    v = c->line + 3 + (c->line[3] == ' ');
    c->event_id = strtoll(v, &end, 10);
    if (end == v)
      c->event_id = -1;
  } else if (cfg->event != NULL && strncmp(c->line, "event:", 6) == 0) {
    v = c->line + 6 + (c->line[6] == ' ');
    tlen = strlen(cfg->event);
    c->matching = strncmp(v, cfg->event, tlen) == 0 && v[tlen] == '\0';
  }
}

/* Bytes of the decoded body. */
static void sse_bytes(const struct config *cfg, struct conn *c, uint32_t idx,
                      const char *p, size_t n, int64_t t_us) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n') {
      sse_line(cfg, c, idx, t_us);
      c->linelen = 0;
    } else if (c->linelen < LINE_MAX_ - 1) {
      c->line[c->linelen++] = p[i];
    } else {
      c->overflow = true;
    }
  }
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

/* Chunked transfer decoding.  Returns -1 on a malformed or final chunk. */
static int body_bytes(const struct config *cfg, struct conn *c, uint32_t idx,
                      const char *p, size_t n, int64_t t_us) {
  size_t i = 0;
  size_t take;
  int h;

  while (i < n) {
    switch (c->chunk) {
    case K_SIZE:
      h = hexval(p[i]);
      if (h >= 0) {
        c->chunk_left = c->chunk_left * 16 + (uint32_t)h;
      } else if (p[i] == '\n') {
        if (c->chunk_left == 0)
          return -1; /* last chunk: the server ended the stream */
        c->chunk = K_DATA;
      } else {
        c->chunk = K_EXT;
      }
      i++;
      break;
    case K_EXT:
      if (p[i] == '\n') {
        if (c->chunk_left == 0)
          return -1;
        c->chunk = K_DATA;
      }
      i++;
      break;
    case K_DATA:
      take = n - i;
      if (take > c->chunk_left)
        take = c->chunk_left;
      sse_bytes(cfg, c, idx, p + i, take, t_us);
      c->chunk_left -= (uint32_t)take;
      i += take;
      if (c->chunk_left == 0)
        c->chunk = K_DATA_CR;
      break;
    case K_DATA_CR:
    case K_DATA_LF:
      if (p[i] == '\n')
        c->chunk = K_SIZE;
      i++;
      break;
    }
  }
  return 0;
}

/* Response headers: returns bytes consumed, -1 if not a 200, or n when
 * still inside the headers. */
static long header_bytes(struct conn *c, const char *p, size_t n) {
  static const char end[] = "\r\n\r\n";

  for (size_t i = 0; i < n; i++) {
    if (c->status_len < sizeof(c->status) - 1)
      c->status[c->status_len++] = p[i];
    if (p[i] == end[c->hdr_match])
      c->hdr_match++;
    else
      c->hdr_match = p[i] == '\r' ? 1 : 0;
    if (c->hdr_match == 4) {
      c->status[c->status_len] = '\0';
      if (strncmp(c->status, "HTTP/1.1 200", 12) != 0)
        return -1;
      return (long)(i + 1);
    }
  }
  return (long)n;
}

static int open_conn(const struct config *cfg, struct conn *c, int i, int ep,
                     const struct sockaddr_in *dst) {
  struct sockaddr_in src;
  struct epoll_event ev;
  int one = 1;
  int fd;

  fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  memset(&src, 0, sizeof(src));
  src.sin_family = AF_INET;
  src.sin_addr.s_addr =
      htonl((127u << 24) | (uint32_t)(cfg->src_first + i % cfg->src_count));
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
      (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) != 0 &&
       errno != EINPROGRESS)) {
    int e = errno;
    close(fd);
    return -e;
  }
  memset(c, 0, sizeof(*c));
  c->fd = fd;
  c->state = C_CONNECTING;
  c->event_id = -1;
  c->matching = cfg->event == NULL;
  ev.events = EPOLLOUT | EPOLLIN;
  ev.data.u32 = (uint32_t)i;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int e = errno;
    close(fd);
    c->fd = -1;
    return -e;
  }
  return 0;
}

static void usage(void) {
  fputs("usage: sse_clients --port P -n N --path PATH [--path PATH ...]\n"
        "       [--host 127.0.0.1] [--src-first 1] [--src-count 8]\n"
        "       [--event TYPE] [--out FILE] [--pending 256] [--seconds S]\n",
        stderr);
  exit(2);
}

static void parse_args(int argc, char **argv, struct config *cfg) {
  static const struct option opts[] = {
      {"host", required_argument, NULL, 'H'},
      {"port", required_argument, NULL, 'p'},
      {"path", required_argument, NULL, 'P'},
      {"src-first", required_argument, NULL, 'f'},
      {"src-count", required_argument, NULL, 'k'},
      {"event", required_argument, NULL, 'e'},
      {"out", required_argument, NULL, 'o'},
      {"pending", required_argument, NULL, 'q'},
      {"seconds", required_argument, NULL, 's'},
      {NULL, 0, NULL, 0}};
  int opt;

  memset(cfg, 0, sizeof(*cfg));
  cfg->host = "127.0.0.1";
  cfg->src_first = 1;
  cfg->src_count = 8;
  cfg->pending = 256;
  while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
    switch (opt) {
    case 'H':
      cfg->host = optarg;
      break;
    case 'p':
      cfg->port = (int)strtol(optarg, NULL, 10);
      break;
    case 'n':
      cfg->n = (int)strtol(optarg, NULL, 10);
      break;
    case 'P':
      if (cfg->npaths == MAX_PATHS)
        usage();
      cfg->paths[cfg->npaths++] = optarg;
      break;
    case 'f':
      cfg->src_first = (int)strtol(optarg, NULL, 10);
      break;
    case 'k':
      cfg->src_count = (int)strtol(optarg, NULL, 10);
      break;
    case 'e':
      cfg->event = optarg;
      break;
    case 'o':
      cfg->out = optarg;
      break;
    case 'q':
      cfg->pending = (int)strtol(optarg, NULL, 10);
      break;
    case 's':
      cfg->seconds = strtod(optarg, NULL);
      break;
    default:
      usage();
    }
  }
  if (cfg->port <= 0 || cfg->port > 65535 || cfg->n <= 0 || cfg->npaths == 0 ||
      cfg->src_first < 1 || cfg->src_count < 1 ||
      cfg->src_first + cfg->src_count > 255 || cfg->pending < 1)
    usage();
}

static void write_records(const char *path) {
  FILE *f = fopen(path, "w");

  if (f == NULL) {
    perror(path);
    return;
  }
  for (size_t i = 0; i < nrecords; i++)
    fprintf(f, "%u %lld %lld\n", records[i].conn, (long long)records[i].id,
            (long long)records[i].t_us);
  fclose(f);
}

int main(int argc, char **argv) {
  struct config cfg;
  struct sockaddr_in dst;
  struct epoll_event evs[1024];
  struct sigaction sa;
  struct rlimit rl;
  struct conn *conns;
  char *buf;
  char req[MAX_PATHS][512];
  size_t reqlen[MAX_PATHS];
  int next = 0, setting_up = 0, connected = 0, failed = 0, closed = 0;
  bool ready = false;
  double t0;
  int ep;

  parse_args(argc, argv, &cfg);
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  memset(&dst, 0, sizeof(dst));
  dst.sin_family = AF_INET;
  dst.sin_port = htons((uint16_t)cfg.port);
  if (inet_pton(AF_INET, cfg.host, &dst.sin_addr) != 1)
    usage();
  for (int i = 0; i < cfg.npaths; i++) {
    int len = snprintf(req[i], sizeof(req[i]),
                       "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
                       "Accept: text/event-stream\r\n\r\n",
                       cfg.paths[i], cfg.host, cfg.port);
    if (len < 0 || (size_t)len >= sizeof(req[i]))
      usage();
    reqlen[i] = (size_t)len;
  }
  conns = calloc((size_t)cfg.n, sizeof(*conns));
  buf = malloc(READ_SIZE);
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (conns == NULL || buf == NULL || ep < 0) {
    fputs("sse_clients: out of memory\n", stderr);
    return 1;
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  t0 = mono_s();

  while (!stop_flag) {
    int nev;

    if (cfg.seconds > 0 && mono_s() - t0 >= cfg.seconds)
      break;
    while (setting_up < cfg.pending && next < cfg.n) {
      int rc = open_conn(&cfg, &conns[next], next, ep, &dst);

      if (rc != 0) {
        if (failed < 5)
          fprintf(stderr, "sse_clients: connection %d: %s\n", next,
                  strerror(-rc));
        conns[next].state = C_DONE;
        conns[next].fd = -1;
        failed++;
      } else {
        setting_up++;
      }
      next++;
    }
    if (!ready && next == cfg.n && setting_up == 0) {
      ready = true;
      printf("ready %d %d %.3f\n", connected, failed, mono_s() - t0);
      fflush(stdout);
    }
    nev = epoll_wait(ep, evs, 1024, 200);
    if (nev < 0 && errno != EINTR)
      break;
    for (int e = 0; e < nev; e++) {
      uint32_t idx = evs[e].data.u32;
      struct conn *c = &conns[idx];
      int64_t t_us;
      ssize_t got;
      long used;
      bool drop = false;

      if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof(err);
        struct epoll_event ev;

        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (evs[e].events & (EPOLLERR | EPOLLHUP))) {
          if (failed < 5)
            fprintf(stderr, "sse_clients: connect %u: %s\n", idx,
                    strerror(err != 0 ? err : ECONNRESET));
          drop = true;
        } else {
          int p = (int)(idx % (uint32_t)cfg.npaths);

          /* A request this small goes out in one write. */
          if (write(c->fd, req[p], reqlen[p]) != (ssize_t)reqlen[p]) {
            drop = true;
          } else {
            c->state = C_HEADERS;
            ev.events = EPOLLIN;
            ev.data.u32 = idx;
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
          }
        }
        if (drop) {
          close(c->fd);
          c->fd = -1;
          c->state = C_DONE;
          setting_up--;
          failed++;
        }
        continue;
      }
      got = read(c->fd, buf, READ_SIZE);
      t_us = now_us();
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (got <= 0) {
        drop = true;
      } else if (c->state == C_HEADERS) {
        used = header_bytes(c, buf, (size_t)got);
        if (used < 0) {
          drop = true;
        } else if (c->hdr_match == 4) {
          c->state = C_BODY;
          setting_up--;
          connected++;
          if (body_bytes(&cfg, c, idx, buf + used, (size_t)(got - used),
                         t_us) != 0)
            drop = true;
        }
      } else if (body_bytes(&cfg, c, idx, buf, (size_t)got, t_us) != 0) {
        drop = true;
      }
      if (drop) {
        if (c->state == C_BODY) {
          closed++;
        } else {
          setting_up--;
          failed++;
        }
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
        c->state = C_DONE;
      }
    }
  }
  if (!ready) {
    printf("ready %d %d %.3f\n", connected, failed, mono_s() - t0);
    fflush(stdout);
  }
  if (cfg.out != NULL)
    write_records(cfg.out);
  printf("done connected=%d failed=%d closed=%d events=%zu heartbeats=%ld\n",
         connected, failed, closed, nrecords, heartbeats);
  fflush(stdout);
  for (int i = 0; i < cfg.n; i++) {
    if (conns[i].fd >= 0 && conns[i].state != C_IDLE)
      close(conns[i].fd);
  }
  free(conns);
  free(buf);
  free(records);
  close(ep);
  return 0;
}
