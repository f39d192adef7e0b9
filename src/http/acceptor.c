/* acceptor.c - the listening socket, and which daemon serves a connection.
 *
 * libmicrohttpd gives every connection a memory pool of one fixed size per
 * daemon, and touches all of it (it zeroes the read buffer when it shrinks
 * it).  An API request needs a roomy pool; a public event stream, which may
 * be open 15,000 times in one process, needs almost none.  So the server
 * runs two daemons without listening sockets, and this thread accepts,
 * peeks at the request line without consuming it, and hands the socket to
 * the stream daemon when it asks for GET /actueel/.../stream, else to the
 * main daemon (MHD_add_connection); a stream request whose headers are
 * longer than LK_HTTP_PEEK_MAX (cookies) goes to the main daemon too.  A
 * connection keeps its daemon for life; later requests on a stream
 * connection are served with the small pool (libmicrohttpd answers 431 if
 * their headers do not fit).
 *
 * A client that connects and says nothing is handed to the main daemon
 * after PEEK_TIMEOUT_MS, whose own time-out then applies.  Accepting stops
 * for a moment when the process runs out of descriptors.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/internal.h"
#include "util/clock.h"
#include "util/log.h"

#define PEEK_TIMEOUT_MS 10000
#define EMFILE_PAUSE_MS 100
#define LISTEN_BACKLOG 4096

typedef struct pending {
  int fd;
  socklen_t addrlen;
  struct sockaddr_storage addr;
  int64_t deadline_ms;
  struct pending *prev;
  struct pending *next;
} pending;

struct lk_acceptor {
  lk_server *srv;
  int listen_fd;
  int stop_fd; /* eventfd: written by lk_acceptor_stop() */
  int ep;
  pthread_t thread;
  bool listening; /* the listening socket is in the epoll set */
  int64_t resume_ms;
  pending *head; /* oldest first: they share one time-out */
  pending *tail;
};

/* epoll tags for the two fixed descriptors; pending ones use pointers. */
static char tag_listen;
static char tag_stop;

/* True if buf[0..n) holds the empty line that ends the headers. */
static bool headers_end(const char *buf, size_t n) {
  for (size_t i = 0; i + 1 < n; i++) {
    if (buf[i] != '\n')
      continue;
    if (buf[i + 1] == '\n' ||
        (buf[i + 1] == '\r' && i + 2 < n && buf[i + 2] == '\n'))
      return true;
  }
  return false;
}

int lk_http_classify(const char *buf, size_t n) {
  static const char get[] = "GET ";
  static const char prefix[] = "/actueel/";
  static const char suffix[] = "/stream";
  size_t plen = sizeof(prefix) - 1;
  size_t slen = sizeof(suffix) - 1;
  size_t i;

  if (n < 4)
    return memcmp(buf, get, n) == 0 ? LK_HTTP_CLASSIFY_WAIT
                                    : LK_HTTP_CLASSIFY_MAIN;
  if (memcmp(buf, get, 4) != 0)
    return LK_HTTP_CLASSIFY_MAIN;
  for (i = 4; i < n && buf[i] != ' ' && buf[i] != '?'; i++)
    ;
  if (i == n)
    return n < LK_HTTP_PEEK_MAX ? LK_HTTP_CLASSIFY_WAIT : LK_HTTP_CLASSIFY_MAIN;
  if (i - 4 < plen + slen - 1 || memcmp(buf + 4, prefix, plen) != 0 ||
      memcmp(buf + i - slen, suffix, slen) != 0)
    return LK_HTTP_CLASSIFY_MAIN;
  /* A stream, if its headers fit the small pool: a browser with a few
   * kilobytes of cookies goes to the main daemon instead of getting 431. */
  if (headers_end(buf, n))
    return LK_HTTP_CLASSIFY_STREAM;
  return n < LK_HTTP_PEEK_MAX ? LK_HTTP_CLASSIFY_WAIT : LK_HTTP_CLASSIFY_MAIN;
}

static void hand_over(lk_acceptor *a, int fd, const struct sockaddr *addr,
                      socklen_t addrlen, bool stream) {
  struct MHD_Daemon *d = stream ? a->srv->stream_daemon : a->srv->daemon;

  /* libmicrohttpd closes the socket itself when it refuses it. */
  if (MHD_add_connection(d, fd, addr, addrlen) != MHD_YES)
    lk_log(LK_LOG_WARN, "connection refused by the daemon", "reason",
           strerror(errno), NULL);
}

/* Decides for `fd` if its request line is there.  Returns true when the
 * connection is settled (handed over or closed). */
static bool try_settle(lk_acceptor *a, int fd, const struct sockaddr *addr,
                       socklen_t addrlen) {
  char buf[LK_HTTP_PEEK_MAX];
  ssize_t n;
  int kind;

  n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return false;
  if (n <= 0) {
    close(fd);
    return true;
  }
  kind = lk_http_classify(buf, (size_t)n);
  if (kind == LK_HTTP_CLASSIFY_WAIT)
    return false;
  hand_over(a, fd, addr, addrlen, kind == LK_HTTP_CLASSIFY_STREAM);
  return true;
}

static void pending_unlink(lk_acceptor *a, pending *p) {
  if (p->prev != NULL)
    p->prev->next = p->next;
  else
    a->head = p->next;
  if (p->next != NULL)
    p->next->prev = p->prev;
  else
    a->tail = p->prev;
}

static void wait_for_request(lk_acceptor *a, int fd,
                             const struct sockaddr_storage *addr,
                             socklen_t addrlen) {
  struct epoll_event ev;
  pending *p = calloc(1, sizeof(*p));

  if (p == NULL) {
    hand_over(a, fd, (const struct sockaddr *)addr, addrlen, false);
    return;
  }
  p->fd = fd;
  p->addr = *addr;
  p->addrlen = addrlen;
  p->deadline_ms = lk_clock_mono_ms() + PEEK_TIMEOUT_MS;
  /* Edge-triggered: peeking leaves the bytes unread, so a level-triggered
   * descriptor would report them again and again. */
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = p;
  if (epoll_ctl(a->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
    free(p);
    hand_over(a, fd, (const struct sockaddr *)addr, addrlen, false);
    return;
  }
  p->prev = a->tail;
  if (a->tail != NULL)
    a->tail->next = p;
  else
    a->head = p;
  a->tail = p;
}

static void set_listening(lk_acceptor *a, bool on) {
  struct epoll_event ev;

  if (a->listening == on)
    return;
  ev.events = EPOLLIN;
  ev.data.ptr = &tag_listen;
  if (epoll_ctl(a->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, a->listen_fd, &ev) ==
      0)
    a->listening = on;
}

static void accept_all(lk_acceptor *a) {
  struct sockaddr_storage addr;
  socklen_t addrlen;
  int fd;

  for (;;) {
    addrlen = sizeof(addr);
    fd = accept4(a->listen_fd, (struct sockaddr *)&addr, &addrlen,
                 SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        /* Out of descriptors: the queue waits in the kernel meanwhile. */
        lk_log(LK_LOG_WARN, "accept paused", "reason", strerror(errno), NULL);
        set_listening(a, false);
        a->resume_ms = lk_clock_mono_ms() + EMFILE_PAUSE_MS;
      }
      return;
    }
    /* A graceful stop has begun: turn new connections away at once. */
    if (atomic_load(&a->srv->app->shutting_down)) {
      close(fd);
      continue;
    }
    if (!try_settle(a, fd, (struct sockaddr *)&addr, addrlen))
      wait_for_request(a, fd, &addr, addrlen);
  }
}

static void on_pending(lk_acceptor *a, pending *p) {
  epoll_ctl(a->ep, EPOLL_CTL_DEL, p->fd, NULL);
  if (try_settle(a, p->fd, (struct sockaddr *)&p->addr, p->addrlen)) {
    pending_unlink(a, p);
    free(p);
    return;
  }
  /* Still incomplete: watch it again. */
  {
    struct epoll_event ev;

    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = p;
    if (epoll_ctl(a->ep, EPOLL_CTL_ADD, p->fd, &ev) != 0) {
      pending_unlink(a, p);
      hand_over(a, p->fd, (struct sockaddr *)&p->addr, p->addrlen, false);
      free(p);
    }
  }
}

/* Hands the connections that said nothing in time to the main daemon. */
static void expire(lk_acceptor *a, int64_t now) {
  pending *p;

  while ((p = a->head) != NULL && p->deadline_ms <= now) {
    epoll_ctl(a->ep, EPOLL_CTL_DEL, p->fd, NULL);
    pending_unlink(a, p);
    hand_over(a, p->fd, (struct sockaddr *)&p->addr, p->addrlen, false);
    free(p);
  }
}

static void *acceptor_main(void *arg) {
  lk_acceptor *a = arg;
  struct epoll_event evs[64];
  int64_t now;
  int timeout;
  int n;

  for (;;) {
    now = lk_clock_mono_ms();
    timeout = -1;
    if (a->head != NULL)
      timeout = (int)(a->head->deadline_ms - now);
    if (!a->listening) {
      int t = (int)(a->resume_ms - now);
      if (timeout < 0 || t < timeout)
        timeout = t;
    }
    if (timeout < -1)
      timeout = 0;
    n = epoll_wait(a->ep, evs, 64, timeout);
    if (n < 0 && errno != EINTR)
      break;
    for (int i = 0; i < n; i++) {
      void *tag = evs[i].data.ptr;

      if (tag == &tag_stop)
        return NULL;
      if (tag == &tag_listen)
        accept_all(a);
      else
        on_pending(a, tag);
    }
    now = lk_clock_mono_ms();
    expire(a, now);
    if (!a->listening && now >= a->resume_ms)
      set_listening(a, true);
  }
  return NULL;
}

int lk_acceptor_start(lk_server *srv, const struct sockaddr *sa,
                      socklen_t salen, bool reuseport, lk_acceptor **out,
                      int *port_out) {
  struct sockaddr_storage bound;
  socklen_t blen = sizeof(bound);
  struct epoll_event ev;
  lk_acceptor *a;
  int one = 1;
  int rc;

  a = calloc(1, sizeof(*a));
  if (a == NULL)
    return -ENOMEM;
  a->srv = srv;
  a->stop_fd = -1;
  a->ep = -1;
  a->listen_fd =
      socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (a->listen_fd < 0) {
    rc = -errno;
    goto fail;
  }
  setsockopt(a->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (sa->sa_family == AF_INET6)
    setsockopt(a->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  /* Several processes on one port: the kernel spreads new connections
   * over their sockets. */
  if (reuseport && setsockopt(a->listen_fd, SOL_SOCKET, SO_REUSEPORT, &one,
                              sizeof(one)) != 0) {
    rc = -errno;
    goto fail;
  }
  if (bind(a->listen_fd, sa, salen) != 0 ||
      listen(a->listen_fd, LISTEN_BACKLOG) != 0 ||
      getsockname(a->listen_fd, (struct sockaddr *)&bound, &blen) != 0) {
    rc = -errno;
    goto fail;
  }
  if (bound.ss_family == AF_INET6)
    *port_out = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
  else
    *port_out = ntohs(((struct sockaddr_in *)&bound)->sin_port);
  a->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  a->ep = epoll_create1(EPOLL_CLOEXEC);
  if (a->stop_fd < 0 || a->ep < 0) {
    rc = -errno;
    goto fail;
  }
  ev.events = EPOLLIN;
  ev.data.ptr = &tag_stop;
  if (epoll_ctl(a->ep, EPOLL_CTL_ADD, a->stop_fd, &ev) != 0) {
    rc = -errno;
    goto fail;
  }
  set_listening(a, true);
  if (!a->listening) {
    rc = -errno;
    goto fail;
  }
  rc = pthread_create(&a->thread, NULL, acceptor_main, a);
  if (rc != 0) {
    rc = -rc;
    goto fail;
  }
  *out = a;
  return 0;

fail:
  if (a->listen_fd >= 0)
    close(a->listen_fd);
  if (a->stop_fd >= 0)
    close(a->stop_fd);
  if (a->ep >= 0)
    close(a->ep);
  free(a);
  return rc;
}

void lk_acceptor_stop(lk_acceptor *a) {
  uint64_t one = 1;
  pending *p;
  pending *next;

  if (a == NULL)
    return;
  if (write(a->stop_fd, &one, sizeof(one)) != sizeof(one))
    lk_log(LK_LOG_ERROR, "cannot stop the acceptor", NULL);
  pthread_join(a->thread, NULL);
  for (p = a->head; p != NULL; p = next) {
    next = p->next;
    close(p->fd);
    free(p);
  }
  close(a->listen_fd);
  close(a->stop_fd);
  close(a->ep);
  free(a);
}
