/* smtp.c - one message over SMTP with libcurl (see smtp.h). */
#include "channels/smtp.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "channels/mail_compose.h"

int lk_smtp_global_init(void) {
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int fail(char *err, size_t errlen, const char *msg) {
  snprintf(err, errlen, "%s", msg);
  return -1;
}

/* True if the URL's host (`host`, `len` bytes, with any :port) is this
 * machine: localhost, 127.0.0.0/8 or [::1]. */
static bool loopback(const char *host, size_t len) {
  size_t n = len;

  if (len >= 5 && memcmp(host, "[::1]", 5) == 0)
    return len == 5 || host[5] == ':';
  for (size_t i = 0; i < len; i++)
    if (host[i] == ':') {
      n = i;
      break;
    }
  if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
    return true;
  if (n < 4 || memcmp(host, "127.", 4) != 0)
    return false;
  for (size_t i = 4; i < n; i++)
    if (host[i] != '.' && (host[i] < '0' || host[i] > '9'))
      return false;
  return true;
}

int lk_smtp_config_init(lk_smtp_config *c, const char *url, const char *user,
                        const char *password_file, char *err, size_t errlen) {
  const char *host;
  size_t hostlen;

  c->url[0] = c->user[0] = c->password[0] = '\0';
  if (url == NULL ||
      (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0))
    return fail(err, errlen,
                "the SMTP URL must start with smtp:// or smtps://");
  host = strstr(url, "://") + 3;
  hostlen = strcspn(host, "/?#");
  if (hostlen == 0)
    return fail(err, errlen, "the SMTP URL has no host");
  /* A password in the URL would end up wherever the URL is shown. */
  if (memchr(host, '@', hostlen) != NULL)
    return fail(err, errlen,
                "the SMTP URL must not hold a user or password (use "
                "--smtp-user and --smtp-password-file)");
  if (strlen(url) >= sizeof(c->url) || strpbrk(url, " \r\n\t") != NULL)
    return fail(err, errlen, "the SMTP URL is too long or has spaces");
  if (c->starttls && strncmp(url, "smtps://", 8) == 0)
    c->starttls = false; /* TLS from the start already */
  memcpy(c->url, url, strlen(url) + 1);
  if (user != NULL && user[0] != '\0') {
    if (strlen(user) >= sizeof(c->user))
      return fail(err, errlen, "the SMTP user name is too long");
    memcpy(c->user, user, strlen(user) + 1);
  }
  /* A password must never cross the network in clear: curl would send
   * AUTH PLAIN on a plain connection without a word. */
  if (c->user[0] != '\0' && strncmp(url, "smtp://", 7) == 0 && !c->starttls &&
      !(c->insecure_auth && loopback(host, hostlen)))
    return fail(err, errlen,
                c->insecure_auth
                    ? "--smtp-insecure-auth is for a loopback test server "
                      "only: use smtps:// or --smtp-starttls"
                    : "--smtp-user on smtp:// would send the password in "
                      "clear: use smtps:// or --smtp-starttls");
  if (password_file != NULL && password_file[0] != '\0') {
    FILE *f = fopen(password_file, "re");
    size_t n;

    if (f == NULL)
      return fail(err, errlen, "cannot read the SMTP password file");
    n = fread(c->password, 1, sizeof(c->password) - 1, f);
    fclose(f);
    c->password[n] = '\0';
    c->password[strcspn(c->password, "\r\n")] = '\0';
    if (c->user[0] == '\0')
      return fail(err, errlen, "an SMTP password needs --smtp-user");
  }
  if (c->connect_timeout_ms <= 0)
    c->connect_timeout_ms = 10000;
  if (c->timeout_ms <= 0)
    c->timeout_ms = 60000;
  return 0;
}

struct upload {
  const char *p;
  size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud) {
  struct upload *u = ud;
  size_t n = size * nitems;

  if (n > u->left)
    n = u->left;
  memcpy(buf, u->p, n);
  u->p += n;
  u->left -= n;
  return n;
}

/* The outcome of a finished transfer. */
static int outcome(CURL *h, CURLcode rc, const char *errbuf, char *detail,
                   size_t detail_len) {
  long code = 0;

  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK) {
    snprintf(detail, detail_len, "smtp %ld", code);
    return LK_SMTP_SENT;
  }
  /* errbuf holds curl's words (host, port, the server's code): never the
   * credentials, which curl does not echo. */
  snprintf(detail, detail_len, "smtp %ld: %s", code,
           errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
  /* A refused log-in is a configuration error: keep the mail until an
   * operator fixes it rather than drop every message. */
  if (rc == CURLE_LOGIN_DENIED)
    return LK_SMTP_RETRY;
  if (code >= 500 && code < 600)
    return LK_SMTP_PERMANENT;
  return LK_SMTP_RETRY;
}

void lk_smtp_close(lk_smtp_config *c) {
  if (c->curl != NULL)
    curl_easy_cleanup(c->curl);
  c->curl = NULL;
}

/* Ends a transfer when the owner says so (a stop that waited long
 * enough): the message is sent again after the restart. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un) {
  const lk_smtp_config *c = ud;

  (void)dt;
  (void)dn;
  (void)ut;
  (void)un;
  return c->abort(c->abort_ud) ? 1 : 0;
}

int lk_smtp_send(lk_smtp_config *c, const char *from, const char *to,
                 const char *msg, size_t len, char *detail, size_t detail_len) {
  char errbuf[CURL_ERROR_SIZE];
  char rcpt_addr[260];
  struct curl_slist *rcpt = NULL;
  struct upload u = {msg, len};
  CURL *h;
  CURLcode rc;
  int result;

  if (!lk_mail_address_ok(from) || !lk_mail_address_ok(to)) {
    snprintf(detail, detail_len, "invalid envelope address");
    return LK_SMTP_PERMANENT;
  }
  /* A reset keeps the handle's live connection: the next message goes
   * over it (RSET, MAIL FROM ...) without a new TCP and TLS set-up. */
  if (c->curl != NULL)
    curl_easy_reset(c->curl);
  else
    c->curl = curl_easy_init();
  h = c->curl;
  if (h == NULL) {
    snprintf(detail, detail_len, "out of memory");
    return LK_SMTP_RETRY;
  }
  snprintf(rcpt_addr, sizeof(rcpt_addr), "<%s>", to);
  rcpt = curl_slist_append(NULL, rcpt_addr);
  if (rcpt == NULL) {
    snprintf(detail, detail_len, "out of memory");
    return LK_SMTP_RETRY;
  }
  errbuf[0] = '\0';
  curl_easy_setopt(h, CURLOPT_URL, c->url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(h, CURLOPT_READDATA, &u);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
  if (c->starttls)
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if (c->insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (c->user[0] != '\0') {
    curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
  }
  if (c->abort != NULL) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
  rc = curl_easy_perform(h);
  result = outcome(h, rc, errbuf, detail, detail_len);
  curl_slist_free_all(rcpt);
  /* After a failure, start afresh: the connection may be half dead. */
  if (result != LK_SMTP_SENT)
    lk_smtp_close(c);
  return result;
}
