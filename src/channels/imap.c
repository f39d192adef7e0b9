/* imap.c - IMAP over a connection libcurl opened (see imap.h).
 *
 * libcurl connects and logs in (CURLOPT_CONNECT_ONLY); the commands are
 * written and their responses read here.  A response is a line, and
 * where the line ends in {n}, n bytes of literal and then the rest of the
 * response: a mail's bytes are only ever read as a literal of known
 * length, so no line in a mail can pass for a tagged response.
 */
#include "channels/imap.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailbox.h"
#include "util/clock.h"

#define RECV_CHUNK 65536
#define LINE_MAX_BYTES ((size_t)8 << 20) /* a SEARCH of many UIDs */
#define LITERAL_MAX ((size_t)1 << 31)
#define WAIT_SLICE_MS 250 /* how often a wait looks at c->cancel */

/* One command under way: an untagged response goes to `fn` once read
 * whole.  A literal goes where `lit_for` says, given the response up to
 * the literal's {n} (at most `max` bytes; `over` when cut), or is read
 * and dropped (no lit_for, or it says NULL). */
struct cmd {
  int (*fn)(struct cmd *k, const char *text);
  lk_buf *(*lit_for)(struct cmd *k, const char *text);
  void *ud;
  size_t max;
  bool over;
};

int lk_imap_init(lk_imap *c, const char *host, int port, const char *tls,
                 const char *folder, const char *user,
                 const char *password_file, char *err, size_t errlen) {
  bool imaps = strcmp(tls, "tls") == 0;
  int n, rc;

  memset(c, 0, sizeof(*c));
  c->starttls = strcmp(tls, "starttls") == 0;
  c->timeout_ms = 60000;
  c->sock = -1;
  n = snprintf(c->url, sizeof(c->url), "%s://%s:%d/", imaps ? "imaps" : "imap",
               host, port);
  if (n < 0 || (size_t)n >= sizeof(c->url) ||
      strlen(folder) >= sizeof(c->folder)) {
    snprintf(err, errlen, "the IMAP host or folder is too long");
    return -1;
  }
  for (const unsigned char *f = (const unsigned char *)folder; *f; f++) {
    if (*f < 0x20 || *f == 0x7f) {
      snprintf(err, errlen, "the IMAP folder has a control character");
      return -1;
    }
  }
  snprintf(c->folder, sizeof(c->folder), "%s", folder);
  snprintf(c->user, sizeof(c->user), "%s", user);
  /* Refused here too, for a row written before the API checked it. */
  if (strcmp(tls, "none") == 0 && !lk_mailbox_host_loopback(host)) {
    snprintf(err, errlen,
             "IMAP settings: imapTls none to a host that is not loopback "
             "would send the password in clear");
    return -1;
  }
  rc = lk_mailbox_read_secret(password_file, c->password, sizeof(c->password));
  if (rc == -EPERM) {
    snprintf(err, errlen,
             "the IMAP password file is refused: it must be outside the data "
             "directory, owned by Loket's user, mode 0400 or 0600");
    return -1;
  }
  if (rc != 0) {
    snprintf(err, errlen, "the IMAP password file cannot be read");
    return -1;
  }
  return 0;
}

static void disconnect(lk_imap *c) {
  if (c->curl != NULL)
    curl_easy_cleanup(c->curl);
  c->curl = NULL;
  c->sock = -1;
  lk_buf_free(&c->in);
  c->pos = 0;
}

void lk_imap_close(lk_imap *c) {
  disconnect(c);
  memset(c->password, 0, sizeof(c->password));
}

static bool cancelled(const lk_imap *c) {
  return c->cancel != NULL && atomic_load(c->cancel);
}

/* libcurl's progress callback while connecting: non-zero aborts. */
static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t d,
                       curl_off_t e) {
  (void)a;
  (void)b;
  (void)d;
  (void)e;
  return cancelled(ud) ? 1 : 0;
}

/* Waits at most `ms` for the socket to be readable (or writable).
 * Returns > 0 ready, 0 not yet, < 0 error. */
static int wait_sock(lk_imap *c, bool out, int64_t ms) {
  struct pollfd pf = {(int)c->sock, out ? POLLOUT : POLLIN, 0};
  int rc;

  if (ms > WAIT_SLICE_MS)
    ms = WAIT_SLICE_MS;
  do
    rc = poll(&pf, 1, (int)ms);
  while (rc < 0 && errno == EINTR);
  return rc;
}

static int send_all(lk_imap *c, const char *p, size_t len, char *err,
                    size_t errlen) {
  int64_t deadline = lk_clock_mono_ms() + c->timeout_ms;

  while (len > 0) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(c->curl, p, len, &n);

    if (rc == CURLE_AGAIN) {
      int64_t left = deadline - lk_clock_mono_ms();

      if (left <= 0 || cancelled(c) || wait_sock(c, true, left) < 0) {
        snprintf(err, errlen, "IMAP: the server does not take the command");
        return -1;
      }
      continue;
    }
    if (rc != CURLE_OK) {
      snprintf(err, errlen, "IMAP: %s", curl_easy_strerror(rc));
      return -1;
    }
    p += n;
    len -= n;
  }
  return 0;
}

/* Adds what the server sent to c->in, waiting at most `ms` for it.
 * Returns 1 when bytes came, 0 when none came in time (or the wait was
 * cancelled), -1 with err. */
static int fill(lk_imap *c, int64_t ms, char *err, size_t errlen) {
  int64_t deadline = lk_clock_mono_ms() + ms;

  if (c->pos == c->in.len) {
    c->in.len = c->pos = 0;
  } else if (c->pos > (RECV_CHUNK << 4)) {
    memmove(c->in.data, c->in.data + c->pos, c->in.len - c->pos);
    c->in.len -= c->pos;
    c->pos = 0;
  }
  for (;;) {
    size_t n = 0;
    CURLcode rc;
    int64_t left;

    if (lk_buf_reserve(&c->in, RECV_CHUNK) != 0) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    rc = curl_easy_recv(c->curl, c->in.data + c->in.len, RECV_CHUNK, &n);
    if (rc == CURLE_OK && n == 0) {
      snprintf(err, errlen, "IMAP: the server closed the connection");
      return -1;
    }
    if (rc == CURLE_OK) {
      c->in.len += n;
      c->in.data[c->in.len] = '\0';
      return 1;
    }
    if (rc != CURLE_AGAIN) {
      snprintf(err, errlen, "IMAP: %s", curl_easy_strerror(rc));
      return -1;
    }
    left = deadline - lk_clock_mono_ms();
    if (left <= 0 || cancelled(c))
      return 0;
    if (wait_sock(c, false, left) < 0) {
      snprintf(err, errlen, "IMAP: %s", strerror(errno));
      return -1;
    }
  }
}

/* The length (with its LF) of the next line in c->in, read within `ms`.
 * Returns 1, 0 when it did not come in time, -1 with err. */
static int next_line(lk_imap *c, int64_t ms, size_t *len, char *err,
                     size_t errlen) {
  for (;;) {
    size_t have = c->in.len - c->pos;
    const char *s = c->in.data != NULL ? c->in.data + c->pos : NULL;
    const char *nl = have > 0 ? memchr(s, '\n', have) : NULL;
    int rc;

    if (nl != NULL) {
      *len = (size_t)(nl - s) + 1;
      return 1;
    }
    if (have > LINE_MAX_BYTES) {
      snprintf(err, errlen, "IMAP: a response line is too long");
      return -1;
    }
    rc = fill(c, ms, err, errlen);
    if (rc <= 0)
      return rc;
  }
}

/* True when the line `s` (`len` bytes, no CRLF) ends in a literal's
 * announcement {n} (or {n+}); its size in *n. */
static bool literal_at_end(const char *s, size_t len, size_t *n) {
  size_t i, v = 0;

  if (len < 3 || s[len - 1] != '}')
    return false;
  i = len - 1;
  if (s[i - 1] == '+')
    i--;
  if (i == 0 || s[i - 1] < '0' || s[i - 1] > '9')
    return false;
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
    i--;
  if (i == 0 || s[i - 1] != '{')
    return false;
  for (size_t j = i; s[j] != '}' && s[j] != '+'; j++) {
    v = v * 10 + (size_t)(s[j] - '0');
    if (v > LITERAL_MAX)
      return false;
  }
  *n = v;
  return true;
}

/* Reads `n` literal bytes: the first ones, up to k->max, into `dst`
 * when there is one; the rest is dropped. */
static int read_literal(lk_imap *c, struct cmd *k, lk_buf *dst, size_t n,
                        char *err, size_t errlen) {
  while (n > 0) {
    size_t have = c->in.len - c->pos, take;

    if (have == 0) {
      int rc = fill(c, c->timeout_ms, err, errlen);

      if (rc == 0)
        snprintf(err, errlen, "IMAP: the server stopped sending");
      if (rc <= 0)
        return -1;
      continue;
    }
    take = have < n ? have : n;
    if (dst != NULL) {
      size_t room = dst->len < k->max ? k->max - dst->len : 0;
      size_t keep = take < room ? take : room;

      lk_buf_append(dst, c->in.data + c->pos, keep);
      if (keep < take)
        k->over = true;
      if (!lk_buf_ok(dst)) {
        snprintf(err, errlen, "out of memory");
        return -1;
      }
    }
    c->pos += take;
    n -= take;
  }
  return 0;
}

/* One response into `text` (without CRLF; a literal's bytes left out,
 * its {n} kept), its literals as read_literal says.  Waits at most
 * `first_ms` for it to begin.  Returns 1, 0 when none began in time, -1
 * with err. */
static int read_response(lk_imap *c, struct cmd *k, int64_t first_ms,
                         lk_buf *text, char *err, size_t errlen) {
  int64_t ms = first_ms;

  lk_buf_reset(text);
  for (;;) {
    size_t n, l, lit;
    const char *s;
    int rc = next_line(c, ms, &n, err, errlen);

    if (rc == 0 && ms == first_ms && text->len == 0)
      return 0;
    if (rc == 0)
      snprintf(err, errlen, "IMAP: the server stopped answering");
    if (rc <= 0)
      return -1;
    ms = c->timeout_ms;
    s = c->in.data + c->pos;
    l = n - 1;
    if (l > 0 && s[l - 1] == '\r')
      l--;
    lk_buf_append(text, s, l);
    c->pos += n;
    if (lk_buf_reserve(text, 0) != 0) { /* data is never NULL */
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    if (!literal_at_end(text->data, text->len, &lit))
      return 1;
    if (read_literal(c, k,
                     k != NULL && k->lit_for != NULL ? k->lit_for(k, text->data)
                                                     : NULL,
                     lit, err, errlen) != 0)
      return -1;
  }
}

/* The server's words after "TAG NO " or "BAD ", for an error. */
static void server_said(const char *what, const char *rest, char *err,
                        size_t errlen) {
  lk_buf b = LK_BUF_INIT;

  /* Cleaned: only printable ASCII of the server's reply goes on. */
  for (const char *p = rest; *p && b.len < 120; p++)
    lk_buf_putc(&b, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
  snprintf(err, errlen, "IMAP: %s refused: %s", what,
           b.data != NULL ? b.data : "");
  lk_buf_free(&b);
}

/* Sends `line` (tag and CRLF added) and reads until its tagged
 * response.  `what` names it in errors (never the line: it is not
 * logged).  Returns 0 on OK, -1 with err. */
static int command(lk_imap *c, const char *what, const char *line,
                   struct cmd *k, char *err, size_t errlen) {
  lk_buf out = LK_BUF_INIT, text = LK_BUF_INIT;
  char tag[16];
  size_t tl;
  int rc;

  tl = (size_t)snprintf(tag, sizeof(tag), "L%u ", ++c->tag);
  lk_buf_puts(&out, tag);
  lk_buf_puts(&out, line);
  lk_buf_puts(&out, "\r\n");
  if (!lk_buf_ok(&out)) {
    lk_buf_free(&out);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  rc = send_all(c, out.data, out.len, err, errlen);
  lk_buf_free(&out);
  while (rc == 0) {
    rc = read_response(c, k, c->timeout_ms, &text, err, errlen);
    if (rc == 0) {
      snprintf(err, errlen, "IMAP: no answer to %s", what);
      rc = -1;
    }
    if (rc < 0)
      break;
    rc = 0;
    if (strncmp(text.data, tag, tl) == 0) {
      if (strncmp(text.data + tl, "OK", 2) != 0) {
        server_said(what, text.data + tl, err, errlen);
        rc = -1;
      }
      break;
    }
    if (strncmp(text.data, "* ", 2) == 0 && k != NULL && k->fn != NULL)
      rc = k->fn(k, text.data);
    if (rc != 0)
      snprintf(err, errlen, "out of memory");
  }
  lk_buf_free(&text);
  return rc;
}

static int on_capability(struct cmd *k, const char *text) {
  lk_imap *c = k->ud;

  if (strncmp(text, "* CAPABILITY ", 13) == 0) {
    const char *p = text + 12;

    while ((p = strstr(p, " IDLE")) != NULL) {
      p += 5;
      if (*p == ' ' || *p == '\0')
        c->can_idle = true;
    }
  }
  return 0;
}

int lk_imap_open(lk_imap *c, char *err, size_t errlen) {
  struct cmd k = {.fn = on_capability, .ud = c};
  lk_buf sel = LK_BUF_INIT;
  curl_socket_t s = CURL_SOCKET_BAD;
  CURLcode rc;
  CURL *h;

  if (c->curl != NULL)
    return 0;
  h = curl_easy_init();
  if (h == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
  curl_easy_setopt(h, CURLOPT_URL, c->url);
  curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
  curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
  if (c->starttls)
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if (c->insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  rc = curl_easy_perform(h);
  if (rc == CURLE_OK)
    rc = curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &s);
  if (rc != CURLE_OK || s == CURL_SOCKET_BAD) {
    snprintf(err, errlen, "IMAP: %s",
             rc != CURLE_OK ? curl_easy_strerror(rc) : "no connection");
    curl_easy_cleanup(h);
    return -1;
  }
  c->curl = h;
  c->sock = (long)s;
  c->in.len = c->pos = 0;
  c->can_idle = false;
  /* SELECT "folder", quoted (RFC 3501 quoted string). */
  lk_buf_puts(&sel, "SELECT \"");
  for (const char *p = c->folder; *p; p++) {
    if (*p == '"' || *p == '\\')
      lk_buf_putc(&sel, '\\');
    lk_buf_putc(&sel, *p);
  }
  lk_buf_putc(&sel, '"');
  if (!lk_buf_ok(&sel)) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  if (command(c, "CAPABILITY", "CAPABILITY", &k, err, errlen) != 0 ||
      command(c, "SELECT", sel.data, NULL, err, errlen) != 0)
    goto fail;
  lk_buf_free(&sel);
  return 0;
fail:
  lk_buf_free(&sel);
  disconnect(c);
  return -1;
}

struct search {
  uint32_t *uids;
  int max, n;
};

static int on_search(struct cmd *k, const char *text) {
  struct search *s = k->ud;
  const char *p;

  if (strncmp(text, "* SEARCH", 8) != 0)
    return 0;
  p = text + 8;
  while (*p == ' ' && s->n < s->max) {
    char *end;
    unsigned long v;

    p++;
    v = strtoul(p, &end, 10);
    if (end == p || v == 0 || v > UINT32_MAX)
      break;
    s->uids[s->n++] = (uint32_t)v;
    p = end;
  }
  return 0;
}

/* A command whose literals (none are expected) are read and dropped. */
static int simple(lk_imap *c, const char *what, const char *line, struct cmd *k,
                  char *err, size_t errlen) {
  int rc;

  if (lk_imap_open(c, err, errlen) != 0)
    return -1;
  rc = command(c, what, line, k, err, errlen);
  if (rc != 0)
    disconnect(c); /* the next operation starts afresh */
  return rc;
}

static int cmp_uid(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

  return x < y ? -1 : x > y;
}

int lk_imap_search_new(lk_imap *c, uint32_t *uids, int max, char *err,
                       size_t errlen) {
  struct search s = {uids, max, 0};
  struct cmd k = {.fn = on_search, .ud = &s};

  /* NOOP first: the server tells the session of mail that came since. */
  if (simple(c, "NOOP", "NOOP", NULL, err, errlen) != 0 ||
      simple(c, "SEARCH", "UID SEARCH UNKEYWORD " LK_IMAP_KEYWORD, &k, err,
             errlen) != 0)
    return -1;
  qsort(uids, (size_t)s.n, sizeof(*uids), cmp_uid);
  return s.n;
}

/* The UID set of `uids` (ascending) from index *i on, at most `max`
 * runs, appended to `b` ("3:7,9"); *i moves past them. */
static void uid_set(lk_buf *b, const uint32_t *uids, int n, int *i, int max) {
  int count = 0;

  while (*i < n && count < max) {
    int j = *i;

    while (j + 1 < n && uids[j + 1] == uids[j] + 1)
      j++;
    if (count > 0)
      lk_buf_putc(b, ',');
    if (j > *i)
      lk_buf_printf(b, "%u:%u", (unsigned)uids[*i], (unsigned)uids[j]);
    else
      lk_buf_printf(b, "%u", (unsigned)uids[*i]);
    count++;
    *i = j + 1;
  }
}

/* The index of `uid` in `uids` (ascending), or -1. */
static int index_of(const uint32_t *uids, int n, uint32_t uid) {
  int lo = 0, hi = n - 1;

  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;

    if (uids[mid] == uid)
      return mid;
    if (uids[mid] < uid)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

/* The number after "UID " in a FETCH response, or 0. */
static uint32_t uid_in(const char *text) {
  const char *u = strstr(text, " FETCH (");

  for (u = u != NULL ? u : ""; (u = strstr(u, "UID ")) != NULL; u += 4) {
    char *end;
    unsigned long v;

    if (u[-1] != '(' && u[-1] != ' ')
      continue;
    v = strtoul(u + 4, &end, 10);
    if (end != u + 4 && v > 0 && v <= UINT32_MAX)
      return (uint32_t)v;
  }
  return 0;
}

struct fetch {
  const uint32_t *uids;
  int n;
  lk_buf *outs;
  int *status;
  lk_buf scratch; /* a body whose UID comes after it */
  int cur;        /* where the body of this response went: index, -1 none,
                     -2 scratch */
};

/* Before a literal: is it the BODY[] of one of our UIDs? */
static lk_buf *fetch_lit(struct cmd *k, const char *text) {
  struct fetch *f = k->ud;
  const char *brace = strrchr(text, '{');
  uint32_t uid;
  int i;

  f->cur = -1;
  k->over = false;
  if (strstr(text, " FETCH (") == NULL || brace == NULL || brace - text < 7 ||
      strncmp(brace - 7, "BODY[] ", 7) != 0)
    return NULL;
  uid = uid_in(text);
  i = uid != 0 ? index_of(f->uids, f->n, uid) : -1;
  if (uid != 0 && i < 0)
    return NULL; /* not one we asked for */
  if (i >= 0) {
    f->cur = i;
    lk_buf_reset(&f->outs[i]);
    return &f->outs[i];
  }
  f->cur = -2;
  lk_buf_reset(&f->scratch);
  return &f->scratch;
}

/* A whole FETCH response: whose body it was, and whether it was cut. */
static int fetch_done(struct cmd *k, const char *text) {
  struct fetch *f = k->ud;
  int i = f->cur;

  f->cur = -1;
  if (i == -2) {
    uint32_t uid = uid_in(text);
    lk_buf t;

    i = uid != 0 ? index_of(f->uids, f->n, uid) : -1;
    if (i < 0)
      return 0;
    t = f->outs[i];
    f->outs[i] = f->scratch;
    f->scratch = t;
  }
  if (i >= 0)
    f->status[i] = k->over ? LK_IMAP_TOO_BIG : 0;
  return 0;
}

int lk_imap_fetch_many(lk_imap *c, const uint32_t *uids, int n, lk_buf *outs,
                       int *status, char *err, size_t errlen) {
  struct fetch f = {uids, n, outs, status, LK_BUF_INIT, -1};
  struct cmd k = {.fn = fetch_done,
                  .lit_for = fetch_lit,
                  .ud = &f,
                  .max = c->fetch_max > 0 ? c->fetch_max : LK_IMAP_FETCH_MAX};
  lk_buf line = LK_BUF_INIT;
  int i = 0, rc;

  for (int j = 0; j < n; j++)
    status[j] = LK_IMAP_GONE; /* until its body comes */
  lk_buf_puts(&line, "UID FETCH ");
  uid_set(&line, uids, n, &i, n);
  lk_buf_puts(&line, " (BODY.PEEK[])");
  if (!lk_buf_ok(&line)) {
    lk_buf_free(&line);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  rc = simple(c, "FETCH", line.data, &k, err, errlen);
  lk_buf_free(&line);
  lk_buf_free(&f.scratch);
  return rc;
}

int lk_imap_fetch(lk_imap *c, uint32_t uid, lk_buf *out, char *err,
                  size_t errlen) {
  int status;

  if (lk_imap_fetch_many(c, &uid, 1, out, &status, err, errlen) != 0)
    return -1;
  if (status == LK_IMAP_GONE) {
    lk_buf_reset(out);
    snprintf(err, errlen, "IMAP: message %u is gone", (unsigned)uid);
  }
  return status;
}

struct sizes {
  const uint32_t *uids;
  int n;
  size_t *sizes;
};

static int on_size(struct cmd *k, const char *text) {
  struct sizes *z = k->ud;
  const char *p = strstr(text, "RFC822.SIZE ");
  uint32_t uid = uid_in(text);
  int i = uid != 0 ? index_of(z->uids, z->n, uid) : -1;

  if (p != NULL && i >= 0) {
    char *end;
    unsigned long long v = strtoull(p + 12, &end, 10);

    if (end != p + 12)
      z->sizes[i] = (size_t)v;
  }
  return 0;
}

int lk_imap_sizes(lk_imap *c, const uint32_t *uids, int n, size_t *sizes,
                  char *err, size_t errlen) {
  struct sizes z = {uids, n, sizes};
  struct cmd k = {.fn = on_size, .ud = &z};
  lk_buf line = LK_BUF_INIT;
  int i = 0, rc;

  for (int j = 0; j < n; j++)
    sizes[j] = SIZE_MAX; /* gone, unless the server says */
  lk_buf_puts(&line, "UID FETCH ");
  uid_set(&line, uids, n, &i, n);
  lk_buf_puts(&line, " (RFC822.SIZE)");
  if (!lk_buf_ok(&line)) {
    lk_buf_free(&line);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  rc = simple(c, "FETCH", line.data, &k, err, errlen);
  lk_buf_free(&line);
  return rc;
}

int lk_imap_mark(lk_imap *c, const uint32_t *uids, int n, const char *flags,
                 char *err, size_t errlen) {
  lk_buf cmd = LK_BUF_INIT;
  int i = 0, rc = 0;

  while (i < n && rc == 0) {
    lk_buf_reset(&cmd);
    lk_buf_puts(&cmd, "UID STORE ");
    /* Runs of consecutive UIDs as ranges; a few hundred per command keep
     * the line short. */
    uid_set(&cmd, uids, n, &i, 400);
    lk_buf_printf(&cmd, " +FLAGS.SILENT (%s)", flags);
    if (!lk_buf_ok(&cmd)) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
      break;
    }
    rc = simple(c, "STORE", cmd.data, NULL, err, errlen);
  }
  lk_buf_free(&cmd);
  return rc;
}

/* "* 7 EXISTS" */
static bool is_exists(const char *text) {
  const char *p = text + 2;

  if (strncmp(text, "* ", 2) != 0 || *p < '0' || *p > '9')
    return false;
  while (*p >= '0' && *p <= '9')
    p++;
  return strcmp(p, " EXISTS") == 0;
}

int lk_imap_idle(lk_imap *c, int64_t max_ms, char *err, size_t errlen) {
  lk_buf text = LK_BUF_INIT;
  int64_t deadline = lk_clock_mono_ms() + max_ms;
  char tag[16];
  size_t tl;
  bool go = false;
  int got = 0, rc;

  if (lk_imap_open(c, err, errlen) != 0)
    return -1;
  if (!c->can_idle) {
    snprintf(err, errlen, "IMAP: the server offers no IDLE");
    return -1;
  }
  tl = (size_t)snprintf(tag, sizeof(tag), "L%u ", ++c->tag);
  lk_buf_puts(&text, tag);
  lk_buf_puts(&text, "IDLE\r\n");
  rc = lk_buf_ok(&text) ? send_all(c, text.data, text.len, err, errlen) : -1;
  /* Until "+ idling"; then until EXISTS, the time, or a cancel. */
  while (rc == 0) {
    int64_t left = go ? deadline - lk_clock_mono_ms() : c->timeout_ms;

    if (go && (left <= 0 || got || cancelled(c)))
      break;
    rc = read_response(c, NULL, left, &text, err, errlen);
    if (rc == 0 && !go) {
      snprintf(err, errlen, "IMAP: no answer to IDLE");
      rc = -1;
    }
    if (rc < 0)
      break;
    rc = 0;
    if (text.data == NULL)
      continue;
    if (strncmp(text.data, "+", 1) == 0) {
      go = true;
    } else if (strncmp(text.data, tag, tl) == 0) {
      server_said("IDLE", text.data + tl, err, errlen);
      rc = -1;
    } else if (is_exists(text.data)) {
      got = 1;
    }
  }
  if (rc == 0)
    rc = send_all(c, "DONE\r\n", 6, err, errlen);
  while (rc == 0) {
    rc = read_response(c, NULL, c->timeout_ms, &text, err, errlen);
    if (rc == 0) {
      snprintf(err, errlen, "IMAP: no answer to DONE");
      rc = -1;
    }
    if (rc < 0)
      break;
    rc = 0;
    if (is_exists(text.data))
      got = 1;
    if (strncmp(text.data, tag, tl) == 0) {
      if (strncmp(text.data + tl, "OK", 2) != 0) {
        server_said("IDLE", text.data + tl, err, errlen);
        rc = -1;
      }
      break;
    }
  }
  lk_buf_free(&text);
  if (rc != 0) {
    disconnect(c);
    return -1;
  }
  return got;
}
