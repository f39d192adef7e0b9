/* imap.c - IMAP over libcurl (see imap.h). */
#include "channels/imap.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailbox.h"

struct sink {
  lk_buf *b;
  size_t max; /* 0: no limit */
  bool over;
};

/* Keeps what the server sends, up to `max` bytes: past that it stops the
 * transfer (returning less than given makes libcurl abort), so a huge
 * mail never grows the buffer without bound. */
static size_t to_buf(char *p, size_t size, size_t n, void *ud) {
  struct sink *s = ud;
  lk_buf *b = s->b;

  if (s->max > 0 && b->len + size * n > s->max) {
    lk_buf_append(b, p, s->max - b->len);
    s->over = true;
    return 0;
  }
  lk_buf_append(b, p, size * n);
  return lk_buf_ok(b) ? size * n : 0;
}

int lk_imap_init(lk_imap *c, const char *host, int port, const char *tls,
                 const char *folder, const char *user,
                 const char *password_file, char *err, size_t errlen) {
  bool imaps = strcmp(tls, "tls") == 0;
  int n, rc;

  memset(c, 0, sizeof(*c));
  c->starttls = strcmp(tls, "starttls") == 0;
  c->timeout_ms = 60000;
  n = snprintf(c->url, sizeof(c->url), "%s://%s:%d/%s",
               imaps ? "imaps" : "imap", host, port, folder);
  if (n < 0 || (size_t)n >= sizeof(c->url)) {
    snprintf(err, errlen, "the IMAP host or folder is too long");
    return -1;
  }
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

void lk_imap_close(lk_imap *c) {
  if (c->curl != NULL)
    curl_easy_cleanup(c->curl);
  c->curl = NULL;
  memset(c->password, 0, sizeof(c->password));
}

/* Runs one request on the kept handle: `url`, with `custom` as the IMAP
 * command when not NULL; what the server sends goes to `out`. */
static int perform_max(lk_imap *c, const char *url, const char *custom,
                       lk_buf *out, size_t max, char *err, size_t errlen) {
  CURL *h = c->curl;
  struct sink sink = {out, max, false};
  CURLcode rc;

  if (h == NULL) {
    h = c->curl = curl_easy_init();
    if (h == NULL) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
    if (c->starttls)
      curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->insecure) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, custom);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_buf);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    snprintf(err, errlen, "IMAP: %s", curl_easy_strerror(rc));
    /* A failed connection is not kept: the next call starts afresh
     * (after a cut-off transfer the server is mid-literal anyway). */
    curl_easy_cleanup(h);
    c->curl = NULL;
    return sink.over ? LK_IMAP_TOO_BIG : -1;
  }
  return 0;
}

static int perform(lk_imap *c, const char *url, const char *custom, lk_buf *out,
                   char *err, size_t errlen) {
  return perform_max(c, url, custom, out, 0, err, errlen);
}

int lk_imap_search_new(lk_imap *c, uint32_t *uids, int max, char *err,
                       size_t errlen) {
  lk_buf b = LK_BUF_INIT;
  const char *p;
  int n = 0;

  if (perform(c, c->url, "UID SEARCH UNKEYWORD " LK_IMAP_KEYWORD, &b, err,
              errlen) != 0) {
    lk_buf_free(&b);
    return -1;
  }
  lk_buf_putc(&b, '\0');
  if (!lk_buf_ok(&b)) {
    snprintf(err, errlen, "out of memory");
    lk_buf_free(&b);
    return -1;
  }
  /* "* SEARCH 3 4 9\r\n" (possibly several lines). */
  for (p = strstr(b.data, "* SEARCH"); p != NULL; p = strstr(p, "* SEARCH")) {
    p += 8;
    while (*p == ' ' && n < max) {
      char *end;
      unsigned long v;

      p++;
      v = strtoul(p, &end, 10);
      if (end == p || v == 0 || v > UINT32_MAX)
        break;
      uids[n++] = (uint32_t)v;
      p = end;
    }
  }
  lk_buf_free(&b);
  return n;
}

int lk_imap_fetch(lk_imap *c, uint32_t uid, lk_buf *out, char *err,
                  size_t errlen) {
  char url[700];

  snprintf(url, sizeof(url), "%s;UID=%u", c->url, (unsigned)uid);
  return perform_max(c, url, NULL, out,
                     c->fetch_max > 0 ? c->fetch_max : LK_IMAP_FETCH_MAX, err,
                     errlen);
}

int lk_imap_mark(lk_imap *c, const uint32_t *uids, int n, const char *flag,
                 char *err, size_t errlen) {
  lk_buf cmd = LK_BUF_INIT;
  lk_buf out = LK_BUF_INIT;
  int i = 0, rc = 0;

  while (i < n && rc == 0) {
    int count = 0;

    lk_buf_reset(&cmd);
    lk_buf_puts(&cmd, "UID STORE ");
    /* Runs of consecutive UIDs as ranges; a few hundred per command keep
     * the line short. */
    while (i < n && count < 400) {
      int j = i;

      while (j + 1 < n && uids[j + 1] == uids[j] + 1)
        j++;
      if (count > 0)
        lk_buf_putc(&cmd, ',');
      if (j > i)
        lk_buf_printf(&cmd, "%u:%u", (unsigned)uids[i], (unsigned)uids[j]);
      else
        lk_buf_printf(&cmd, "%u", (unsigned)uids[i]);
      count++;
      i = j + 1;
    }
    lk_buf_printf(&cmd, " +FLAGS.SILENT (%s)", flag);
    if (!lk_buf_ok(&cmd)) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
      break;
    }
    lk_buf_reset(&out);
    rc = perform(c, c->url, cmd.data, &out, err, errlen);
  }
  lk_buf_free(&cmd);
  lk_buf_free(&out);
  return rc;
}
