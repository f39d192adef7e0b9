/* chat_load.c - the client side of bench/chat_delivery.py, in C.
 *
 * The Python clients this replaces parsed a thousand event streams on
 * the same two cores as the server, with a GIL per process: at load their
 * own scheduling showed up in the tail they were meant to measure.  This
 * program does the same work with one epoll loop per process and records
 * timestamps only; the driver script joins and summarises them.
 *
 * Two roles, one process each, started by the driver:
 *
 *   chat_load --role resident --port P --cookies FILE --index I --procs K
 *             [--conns 16] [--rounds 3] [--rate 0] --out FILE
 *     Takes the cookies of lines I, I+K, I+2K ... of FILE (one
 *     "loket_chat=..." per line), opens each chat's resident stream
 *     (GET /contact/chat/stroom) and keeps it open, reading what comes.
 *     Then sends every chat's ROUNDS messages (POST
 *     /contact/chat/berichten) over CONNS kept-alive connections: with
 *     --rate R (messages/s for this process) message k is due at
 *     go + k/R (an open loop: a chat sends every chats/R s); with rate 0
 *     all are due at once (a closed loop: as fast as the connections
 *     allow).  Messages go chat by chat, round after round.
 *     Writes "S <contact id> <due us> <sent us> <answered us> <status>"
 *     per message.
 *
 *   chat_load --role agent --port P --token T [--streams 2] --out FILE
 *     Opens STREAMS agent streams (GET /api/v1/events) and writes
 *     "A <stream> <contact id> <arrival us>" for every contact.added.
 *
 * Both print "ready <streams open>" once every stream has its response
 * headers, then wait for a line "go <unix time us>" on stdin (a resident
 * starts sending then; an agent ignores the time).  A resident prints
 * "done <answered> <failed>" when every message has its answer; both write
 * their records and exit when stdin reaches EOF or says "stop".  Times are
 * CLOCK_REALTIME microseconds, taken when the read that completed a
 * response or an event returned, so that they compare across processes.
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

#define READ_SIZE 65536
#define LINE_MAX_ 1024 /* an SSE line kept; longer ones are skipped */
#define RESP_MAX 4096  /* a POST's whole answer */
#define ID_MAX 40

enum chunk_state { K_SIZE, K_EXT, K_DATA, K_DATA_CR, K_DATA_LF };
enum kind { STREAM_RESIDENT, STREAM_AGENT, SENDER, STDIN_ };

/* An event stream: response headers, then a chunked body of SSE lines. */
struct stream {
  int fd;
  bool headers_done;
  bool status_seen;
  uint8_t hdr_match;
  uint8_t chunk;
  bool overflow;
  bool added; /* the current event is a contact.added */
  uint32_t chunk_left;
  uint16_t linelen;
  char subject[ID_MAX];
  char line[LINE_MAX_];
};

struct msg {
  int64_t due_us, sent_us, answered_us;
  int status;
  char id[ID_MAX];
};

/* A kept-alive connection for POSTs, one request at a time. */
struct sender {
  int fd;
  long msg; /* index of the message in flight, -1 when idle */
  size_t len;
  char resp[RESP_MAX];
};

struct arecord {
  uint32_t stream;
  char id[ID_MAX];
  int64_t t_us;
};

static const char *host = "127.0.0.1";
static int port;
static struct sockaddr_in dst;
static long streams_failed;

static int64_t now_us(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what) {
  fprintf(stderr, "chat_load: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);

  if (p == NULL) {
    fputs("chat_load: out of memory\n", stderr);
    exit(1);
  }
  return p;
}

/* A blocking connect (loopback: immediate), then non-blocking. */
static int dial(void) {
  int one = 1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    die("socket");
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, (const struct sockaddr *)&dst, sizeof(dst)) != 0)
    die("connect");
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);

    if (w < 0 && errno == EAGAIN) {
      usleep(100);
      continue;
    }
    if (w <= 0)
      die("write");
    p += w;
    n -= (size_t)w;
  }
}

static void watch(int ep, int fd, enum kind k, uint32_t idx) {
  struct epoll_event ev;

  ev.events = EPOLLIN;
  ev.data.u64 = ((uint64_t)k << 32) | idx;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
    die("epoll_ctl");
}

/* ---- event streams -------------------------------------------------- */

static struct arecord *arecs;
static size_t narecs, arecs_cap;

static void arecord(uint32_t stream, const char *id, int64_t t_us) {
  if (narecs == arecs_cap) {
    arecs_cap = arecs_cap != 0 ? arecs_cap * 2 : 65536;
    arecs = realloc(arecs, arecs_cap * sizeof(*arecs));
    if (arecs == NULL) {
      fputs("chat_load: out of memory\n", stderr);
      exit(1);
    }
  }
  arecs[narecs].stream = stream;
  snprintf(arecs[narecs].id, ID_MAX, "%s", id);
  arecs[narecs].t_us = t_us;
  narecs++;
}

/* One line of an agent's event stream (without its LF). */
static void sse_line(struct stream *s, uint32_t idx, int64_t t_us) {
  const char *p;
  size_t n;

  if (s->overflow) {
    s->overflow = false;
    return;
  }
  if (s->linelen > 0 && s->line[s->linelen - 1] == '\r')
    s->linelen--;
  s->line[s->linelen] = '\0';
  if (s->linelen == 0) { /* the blank line dispatches the event */
    if (s->added && s->subject[0] != '\0')
      arecord(idx, s->subject, t_us);
    s->added = false;
    s->subject[0] = '\0';
  } else if (strcmp(s->line, "event: contact.added") == 0) {
    s->added = true;
  } else if (strncmp(s->line, "data:", 5) == 0 &&
             (p = strstr(s->line, "\"subject\":\"")) != NULL) {
    p += 11;
    n = strcspn(p, "\"");
    if (n < ID_MAX) {
      memcpy(s->subject, p, n);
      s->subject[n] = '\0';
    }
  }
}

static void sse_bytes(struct stream *s, bool agent, uint32_t idx, const char *p,
                      size_t n, int64_t t_us) {
  if (!agent)
    return; /* a resident's stream is only kept flowing */
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n') {
      sse_line(s, idx, t_us);
      s->linelen = 0;
    } else if (s->linelen < LINE_MAX_ - 1) {
      s->line[s->linelen++] = p[i];
    } else {
      s->overflow = true;
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

/* Chunked transfer decoding.  Returns -1 on the final chunk. */
static int body_bytes(struct stream *s, bool agent, uint32_t idx, const char *p,
                      size_t n, int64_t t_us) {
  size_t i = 0, take;
  int h;

  while (i < n) {
    switch (s->chunk) {
    case K_SIZE:
      h = hexval(p[i]);
      if (h >= 0)
        s->chunk_left = s->chunk_left * 16 + (uint32_t)h;
      else if (p[i] == '\n')
        s->chunk = K_DATA;
      else
        s->chunk = K_EXT;
      if (s->chunk == K_DATA && s->chunk_left == 0)
        return -1;
      i++;
      break;
    case K_EXT:
      if (p[i] == '\n') {
        if (s->chunk_left == 0)
          return -1;
        s->chunk = K_DATA;
      }
      i++;
      break;
    case K_DATA:
      take = n - i;
      if (take > s->chunk_left)
        take = s->chunk_left;
      sse_bytes(s, agent, idx, p + i, take, t_us);
      s->chunk_left -= (uint32_t)take;
      i += take;
      if (s->chunk_left == 0)
        s->chunk = K_DATA_CR;
      break;
    case K_DATA_CR:
    case K_DATA_LF:
      if (p[i] == '\n')
        s->chunk = K_SIZE;
      i++;
      break;
    }
  }
  return 0;
}

/* Reads what stream s has.  Returns 1 when its headers just completed,
 * -1 when it ended or failed, else 0. */
static int stream_read(struct stream *s, bool agent, uint32_t idx, char *buf) {
  static const char end[] = "\r\n\r\n";
  ssize_t got = read(s->fd, buf, READ_SIZE);
  int64_t t_us = now_us();
  size_t i = 0;
  int rc = 0;

  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  if (got <= 0)
    return -1;
  if (!s->headers_done) {
    /* The status line arrives in the first read (loopback). */
    if (!s->status_seen && (got < 12 || strncmp(buf, "HTTP/1.1 200", 12) != 0))
      return -1;
    s->status_seen = true;
    for (; i < (size_t)got && s->hdr_match < 4; i++) {
      if (buf[i] == end[s->hdr_match])
        s->hdr_match++;
      else
        s->hdr_match = buf[i] == '\r' ? 1 : 0;
    }
    if (s->hdr_match < 4)
      return 0;
    s->headers_done = true;
    rc = 1;
  }
  if (body_bytes(s, agent, idx, buf + i, (size_t)got - i, t_us) != 0)
    return -1;
  return rc;
}

static void stream_open(struct stream *s, int ep, enum kind k, uint32_t idx,
                        const char *path, const char *auth) {
  char req[1024];
  int n;

  memset(s, 0, sizeof(*s));
  s->fd = dial();
  n = snprintf(req, sizeof(req),
               "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
               "Accept: text/event-stream\r\n%s\r\n",
               path, host, port, auth);
  if (n < 0 || (size_t)n >= sizeof(req)) {
    fputs("chat_load: request too long\n", stderr);
    exit(1);
  }
  write_all(s->fd, req, (size_t)n);
  watch(ep, s->fd, k, idx);
}

/* ---- stdin: go / stop ----------------------------------------------- */

static int64_t go_us;
static bool going, stopping;

static void stdin_read(void) {
  static char line[128];
  static size_t len;
  ssize_t got = read(0, line + len, sizeof(line) - 1 - len);

  if (got <= 0) {
    stopping = true;
    return;
  }
  len += (size_t)got;
  line[len] = '\0';
  for (char *nl; (nl = strchr(line, '\n')) != NULL;) {
    *nl = '\0';
    if (strncmp(line, "go ", 3) == 0) {
      go_us = strtoll(line + 3, NULL, 10);
      going = true;
    } else if (strcmp(line, "stop") == 0) {
      stopping = true;
    }
    len -= (size_t)(nl + 1 - line);
    memmove(line, nl + 1, len + 1);
  }
  if (len == sizeof(line) - 1)
    len = 0;
}

/* ---- the resident's messages ---------------------------------------- */

static char **cookies;
static long nchats;
static struct msg *msgs;
static long nmsgs, next_msg, answered, failed_msgs;
static int64_t interval_us; /* between due times; 0 = all due at go */

static void send_next(struct sender *sd, uint32_t idx) {
  struct msg *m = &msgs[next_msg];
  char body[160], req[1024];
  unsigned char r[16];
  int n, blen;

  (void)idx;
  /* A fresh client key per message (any UUID text will do). */
  for (int i = 0; i < 16; i++)
    r[i] = (unsigned char)(random() & 0xff);
  blen = snprintf(body, sizeof(body),
                  "{\"clientKey\":\"%02x%02x%02x%02x-%02x%02x-4%x%02x-"
                  "%x%x%02x-%02x%02x%02x%02x%02x%02x\",\"text\":\"bericht "
                  "%ld\"}",
                  r[0], r[1], r[2], r[3], r[4], r[5], r[6] & 15, r[7],
                  8 + (r[8] & 3), r[8] >> 4, r[9], r[10], r[11], r[12], r[13],
                  r[14], r[15], next_msg / nchats);
  n = snprintf(req, sizeof(req),
               "POST /contact/chat/berichten HTTP/1.1\r\nHost: %s:%d\r\n"
               "Origin: http://%s:%d\r\nCookie: %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n"
               "\r\n%s",
               host, port, host, port, cookies[next_msg % nchats], blen, body);
  if (n < 0 || (size_t)n >= sizeof(req)) {
    fputs("chat_load: request too long\n", stderr);
    exit(1);
  }
  sd->msg = next_msg++;
  sd->len = 0;
  m->sent_us = now_us();
  write_all(sd->fd, req, (size_t)n);
}

/* Reads a POST's answer; when complete records it and frees the sender. */
static void sender_read(struct sender *sd) {
  ssize_t got = read(sd->fd, sd->resp + sd->len, RESP_MAX - 1 - sd->len);
  int64_t t_us = now_us();
  struct msg *m;
  char *hend, *cl, *p;
  long clen;

  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (got <= 0 || sd->msg < 0) {
    fputs("chat_load: a sender's connection closed\n", stderr);
    exit(1);
  }
  sd->len += (size_t)got;
  sd->resp[sd->len] = '\0';
  hend = strstr(sd->resp, "\r\n\r\n");
  if (hend == NULL)
    return;
  cl = strstr(sd->resp, "Content-Length: ");
  if (cl == NULL || cl > hend)
    cl = strstr(sd->resp, "content-length: ");
  if (cl == NULL || cl > hend) {
    fputs("chat_load: an answer without Content-Length\n", stderr);
    exit(1);
  }
  clen = strtol(cl + 16, NULL, 10);
  if ((long)(sd->len - (size_t)(hend + 4 - sd->resp)) < clen)
    return;
  m = &msgs[sd->msg];
  m->answered_us = t_us;
  m->status = (int)strtol(sd->resp + 9, NULL, 10);
  p = strstr(hend, "\"id\":\"");
  if (m->status == 201 && p != NULL) {
    p += 6;
    snprintf(m->id, ID_MAX, "%.*s", (int)strcspn(p, "\""), p);
    answered++;
  } else {
    failed_msgs++;
    if (failed_msgs <= 3)
      fprintf(stderr, "chat_load: answer %d: %s\n", m->status, hend + 4);
  }
  sd->msg = -1;
}

static void read_cookies(const char *path, int index, int procs) {
  FILE *f = fopen(path, "r");
  char line[512];
  long i = 0, cap = 0;

  if (f == NULL)
    die(path);
  while (fgets(line, sizeof(line), f) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || i++ % procs != index)
      continue;
    if (nchats == cap) {
      cap = cap != 0 ? cap * 2 : 256;
      cookies = realloc(cookies, (size_t)cap * sizeof(*cookies));
      if (cookies == NULL)
        die("realloc");
    }
    cookies[nchats] = strdup(line);
    if (cookies[nchats++] == NULL)
      die("strdup");
  }
  fclose(f);
}

/* ---- main ----------------------------------------------------------- */

static void usage(void) {
  fputs("usage: chat_load --role resident --port P --cookies FILE --index I\n"
        "                 --procs K [--conns 16] [--rounds 3] [--rate 0]\n"
        "                 --out FILE\n"
        "       chat_load --role agent --port P --token T [--streams 2]\n"
        "                 --out FILE\n",
        stderr);
  exit(2);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"role", required_argument, NULL, 'r'},
      {"host", required_argument, NULL, 'H'},
      {"port", required_argument, NULL, 'p'},
      {"cookies", required_argument, NULL, 'c'},
      {"index", required_argument, NULL, 'i'},
      {"procs", required_argument, NULL, 'k'},
      {"conns", required_argument, NULL, 'n'},
      {"rounds", required_argument, NULL, 'R'},
      {"rate", required_argument, NULL, 'q'},
      {"token", required_argument, NULL, 't'},
      {"streams", required_argument, NULL, 's'},
      {"out", required_argument, NULL, 'o'},
      {NULL, 0, NULL, 0}};
  const char *role = NULL, *cookie_path = NULL, *token = NULL, *out = NULL;
  int index = 0, procs = 1, nconns = 16, rounds = 3, nagents = 2, opt;
  double rate = 0;
  struct stream *streams;
  struct sender *senders = NULL;
  struct epoll_event evs[256];
  struct rlimit rl;
  char *buf, auth[600];
  long nstreams, ready = 0;
  bool agent, said_ready = false, said_done = false;
  int ep;
  FILE *f;

  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 'r':
      role = optarg;
      break;
    case 'H':
      host = optarg;
      break;
    case 'p':
      port = (int)strtol(optarg, NULL, 10);
      break;
    case 'c':
      cookie_path = optarg;
      break;
    case 'i':
      index = (int)strtol(optarg, NULL, 10);
      break;
    case 'k':
      procs = (int)strtol(optarg, NULL, 10);
      break;
    case 'n':
      nconns = (int)strtol(optarg, NULL, 10);
      break;
    case 'R':
      rounds = (int)strtol(optarg, NULL, 10);
      break;
    case 'q':
      rate = strtod(optarg, NULL);
      break;
    case 't':
      token = optarg;
      break;
    case 's':
      nagents = (int)strtol(optarg, NULL, 10);
      break;
    case 'o':
      out = optarg;
      break;
    default:
      usage();
    }
  }
  if (role == NULL || out == NULL || port <= 0 || port > 65535 || procs < 1 ||
      index < 0 || index >= procs || nconns < 1 || rounds < 1 || rate < 0 ||
      nagents < 1)
    usage();
  agent = strcmp(role, "agent") == 0;
  if (agent ? token == NULL
            : strcmp(role, "resident") != 0 || cookie_path == NULL)
    usage();
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  srandom((unsigned)(now_us() ^ (getpid() << 16)));
  memset(&dst, 0, sizeof(dst));
  dst.sin_family = AF_INET;
  dst.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &dst.sin_addr) != 1)
    usage();
  ep = epoll_create1(EPOLL_CLOEXEC);
  buf = malloc(READ_SIZE);
  if (ep < 0 || buf == NULL)
    die("setup");
  watch(ep, 0, STDIN_, 0);

  if (agent) {
    nstreams = nagents;
    streams = xcalloc((size_t)nstreams, sizeof(*streams));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
    for (long i = 0; i < nstreams; i++)
      stream_open(&streams[i], ep, STREAM_AGENT, (uint32_t)i, "/api/v1/events",
                  auth);
  } else {
    read_cookies(cookie_path, index, procs);
    nstreams = nchats;
    streams = xcalloc((size_t)nstreams, sizeof(*streams));
    for (long i = 0; i < nstreams; i++) {
      snprintf(auth, sizeof(auth), "Cookie: %s\r\n", cookies[i]);
      stream_open(&streams[i], ep, STREAM_RESIDENT, (uint32_t)i,
                  "/contact/chat/stroom", auth);
    }
    nmsgs = nchats * rounds;
    msgs = xcalloc((size_t)(nmsgs > 0 ? nmsgs : 1), sizeof(*msgs));
    senders = xcalloc((size_t)nconns, sizeof(*senders));
    for (int i = 0; i < nconns; i++) {
      senders[i].fd = dial();
      senders[i].msg = -1;
      watch(ep, senders[i].fd, SENDER, (uint32_t)i);
    }
    interval_us = rate > 0 ? (int64_t)(1e6 / rate) : 0;
  }

  while (!stopping) {
    int timeout = -1, nev;

    if (!said_ready && ready + streams_failed == nstreams) {
      printf("ready %ld\n", ready);
      fflush(stdout);
      said_ready = true;
    }
    if (going && !agent) {
      int64_t now = now_us();

      for (int i = 0; i < nconns && next_msg < nmsgs; i++) {
        if (senders[i].msg >= 0)
          continue;
        msgs[next_msg].due_us = go_us + next_msg * interval_us;
        if (msgs[next_msg].due_us > now)
          break;
        send_next(&senders[i], (uint32_t)i);
      }
      if (next_msg < nmsgs) {
        int64_t wait = go_us + next_msg * interval_us - now_us();
        bool idle = false;

        for (int i = 0; i < nconns && !idle; i++)
          idle = senders[i].msg < 0;
        /* Not yet due: sleep until it is; due: at once if a connection
         * is free, else only an answer frees one. */
        if (wait > 0)
          timeout = (int)((wait + 999) / 1000);
        else
          timeout = idle ? 0 : -1;
      }
      if (!said_done && answered + failed_msgs == nmsgs) {
        printf("done %ld %ld\n", answered, failed_msgs);
        fflush(stdout);
        said_done = true;
      }
    }
    nev = epoll_wait(ep, evs, 256, timeout);
    if (nev < 0 && errno != EINTR)
      die("epoll_wait");
    for (int e = 0; e < nev; e++) {
      enum kind k = (enum kind)(evs[e].data.u64 >> 32);
      uint32_t idx = (uint32_t)evs[e].data.u64;
      int rc;

      if (k == STDIN_) {
        stdin_read();
      } else if (k == SENDER) {
        sender_read(&senders[idx]);
      } else {
        rc = stream_read(&streams[idx], k == STREAM_AGENT, idx, buf);
        if (rc == 1) {
          ready++;
        } else if (rc < 0) {
          if (!streams[idx].headers_done)
            streams_failed++;
          else
            fprintf(stderr, "chat_load: stream %u ended\n", idx);
          epoll_ctl(ep, EPOLL_CTL_DEL, streams[idx].fd, NULL);
          close(streams[idx].fd);
          streams[idx].fd = -1;
        }
      }
    }
  }

  f = fopen(out, "w");
  if (f == NULL)
    die(out);
  if (agent) {
    for (size_t i = 0; i < narecs; i++)
      fprintf(f, "A %u %s %lld\n", arecs[i].stream, arecs[i].id,
              (long long)arecs[i].t_us);
  } else {
    for (long i = 0; i < nmsgs; i++)
      fprintf(f, "S %s %lld %lld %lld %d\n",
              msgs[i].id[0] != '\0' ? msgs[i].id : "-",
              (long long)msgs[i].due_us, (long long)msgs[i].sent_us,
              (long long)msgs[i].answered_us, msgs[i].status);
  }
  fclose(f);
  if (streams_failed > 0)
    fprintf(stderr, "chat_load: %ld streams failed\n", streams_failed);
  return 0;
}
