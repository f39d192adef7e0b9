/* mastodon.c - posting statuses to the municipality's Mastodon account.
 *
 * One libcurl easy handle, used only by the outbox's worker thread, so the
 * connection to the server is kept between statuses.  Redirects are not
 * followed: the token is for this server only.  How an answer maps to the
 * outbox: 2xx sent; 408, 429, 5xx and every transport error (refused,
 * reset, time-out) retry, after Retry-After (or, on a 429,
 * X-RateLimit-Reset) when the server gives one; any other answer (401 bad
 * token, 403, 422 invalid status) is permanent until staff fix the cause
 * and retry the message.
 *
 * The queued message names the notice and the update, no text: the
 * status says what they say when it is sent (an edit made meanwhile
 * counts, a text hidden or withdrawn is never posted), read through the
 * store's read path on the outbox's thread.
 */
#include "channels/mastodon.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/ids.h"
#include "core/proclog_query.h" /* lk_proclog_parse_time: ISO 8601 */
#include "store/notices.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/utf8.h"

#define TOKEN_MAX 512
#define RESPONSE_MAX (64 * 1024)
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

struct lk_mastodon {
  lk_outbox *ob;
  lk_store *store;
  CURL *curl;
  char url[LK_MASTODON_URL_MAX + 32]; /* .../api/v1/statuses */
  char public_url[LK_MASTODON_URL_MAX + 1];
  char visibility[16];
  char token[TOKEN_MAX + 1];
  char auth[TOKEN_MAX + 32]; /* "Authorization: Bearer ..." */
  long connect_timeout_ms;
  long timeout_ms;
};

/* ---- the status text ------------------------------------------------ */

/* Characters (code points) of `s`; invalid bytes count one each. */
static size_t chars(const char *s) {
  size_t n = 0;

  while (*s != '\0') {
    size_t step = lk_utf8_valid_prefix((const unsigned char *)s);

    s += step > 0 ? step : 1;
    n++;
  }
  return n;
}

/* Appends at most `max` characters of `s`; returns how many. */
static size_t put_chars(lk_buf *b, const char *s, size_t max) {
  size_t n = 0;
  const char *p = s;

  while (*p != '\0' && n < max) {
    size_t step = lk_utf8_valid_prefix((const unsigned char *)p);

    p += step > 0 ? step : 1;
    n++;
  }
  lk_buf_append(b, s, (size_t)(p - s));
  return n;
}

int lk_mastodon_status_text(lk_buf *out, const char *title, const char *text,
                            const char *link) {
  size_t link_chars = link != NULL && link[0] != '\0' ? chars(link) + 2 : 0;
  size_t budget;
  size_t title_chars = chars(title);
  size_t text_chars = text != NULL ? chars(text) : 0;
  size_t body_chars = title_chars + (text_chars > 0 ? 2 + text_chars : 0);
  size_t start = out->len;

  if (link_chars + 1 > LK_MASTODON_STATUS_MAX)
    return -1;
  budget = LK_MASTODON_STATUS_MAX - link_chars;
  if (body_chars <= budget) {
    lk_buf_puts(out, title);
    if (text_chars > 0) {
      lk_buf_puts(out, "\n\n");
      lk_buf_puts(out, text);
    }
  } else {
    /* Room for budget - 1 characters and the ellipsis. */
    size_t room = budget - 1;
    size_t n = put_chars(out, title, room);

    if (text_chars > 0 && n + 2 < room) {
      lk_buf_puts(out, "\n\n");
      put_chars(out, text, room - n - 2);
    }
    /* A cut right after a space or a line break reads badly. */
    while (out->len > start &&
           (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\n'))
      out->len--;
    lk_buf_puts(out, ELLIPSIS);
  }
  if (link_chars > 0) {
    lk_buf_puts(out, "\n\n");
    lk_buf_puts(out, link);
  }
  return lk_buf_ok(out) ? 0 : -1;
}

/* ---- configuration -------------------------------------------------- */

static int fail(char *err, size_t len, const char *msg) {
  snprintf(err, len, "%s", msg);
  return -1;
}

/* Copies an http(s) URL without its trailing slashes: a host, perhaps a
 * path, no query, no fragment. */
static int base_url(const char *in, char *out, size_t size) {
  size_t len = in != NULL ? strlen(in) : 0;
  size_t host;

  if (in == NULL || len >= size || len > LK_MASTODON_URL_MAX)
    return -1;
  if (strncmp(in, "https://", 8) == 0)
    host = 8;
  else if (strncmp(in, "http://", 7) == 0)
    host = 7;
  else
    return -1;
  while (len > host && in[len - 1] == '/')
    len--;
  if (len == host || in[host] == '/')
    return -1;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];

    if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '"')
      return -1;
  }
  memcpy(out, in, len);
  out[len] = '\0';
  return 0;
}

/* Reads the token: one line of printable ASCII. */
static int read_token(const char *path, char *out, char *err, size_t err_len) {
  FILE *f = fopen(path, "r");
  size_t n;
  int extra;

  if (f == NULL) {
    snprintf(err, err_len, "cannot read the Mastodon token file %s: %s", path,
             strerror(errno));
    return -1;
  }
  n = fread(out, 1, TOKEN_MAX, f);
  extra = fgetc(f);
  fclose(f);
  out[n] = '\0';
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' ||
                   out[n - 1] == ' ' || out[n - 1] == '\t'))
    out[--n] = '\0';
  if (extra != EOF && !(extra == '\n' || extra == '\r'))
    return fail(err, err_len, "the Mastodon token file is too long");
  if (n == 0)
    return fail(err, err_len, "the Mastodon token file is empty");
  for (size_t i = 0; i < n; i++) {
    if (out[i] <= ' ' || out[i] >= 0x7f)
      return fail(err, err_len,
                  "the Mastodon token file must hold the token alone, on "
                  "one line");
  }
  return 0;
}

/* Forgets the token and frees `m`. */
static void discard(lk_mastodon *m) {
  if (m->curl != NULL)
    curl_easy_cleanup(m->curl);
  sodium_memzero(m->token, sizeof(m->token));
  sodium_memzero(m->auth, sizeof(m->auth));
  free(m);
}

int lk_mastodon_new(const lk_mastodon_config *cfg, lk_outbox *ob,
                    lk_mastodon **out, char *err, size_t err_len) {
  lk_mastodon *m;
  char base[LK_MASTODON_URL_MAX + 1];
  const char *vis = cfg->visibility != NULL ? cfg->visibility : "public";
  /* Mastodon keeps an Idempotency-Key for an hour: a retry after a send
   * whose answer was lost must come within it, or the status is made
   * twice.  45 minutes plus the backoff's quarter of jitter stays below. */
  lk_outbox_kind_options kind = {.backoff_max_ms = LK_MASTODON_BACKOFF_MAX_MS};

  if (cfg->url == NULL || base_url(cfg->url, base, sizeof(base)) != 0)
    return fail(err, err_len,
                "--mastodon-url must be the server's http(s) address, "
                "like https://social.example");
  if (cfg->public_url == NULL || cfg->public_url[0] == '\0')
    return fail(err, err_len,
                "--mastodon-url needs --public-url: statuses link to the "
                "notice");
  if (strcmp(vis, "public") != 0 && strcmp(vis, "unlisted") != 0)
    return fail(err, err_len,
                "--mastodon-visibility must be public or unlisted");
  if (cfg->token_file == NULL || cfg->token_file[0] == '\0')
    return fail(err, err_len, "--mastodon-url needs --mastodon-token-file");
  m = calloc(1, sizeof(*m));
  if (m == NULL)
    return fail(err, err_len, "out of memory");
  if (base_url(cfg->public_url, m->public_url, sizeof(m->public_url)) != 0) {
    discard(m);
    return fail(err, err_len,
                "--public-url must be an http(s) address, like "
                "https://www.gemeente.nl");
  }
  if (read_token(cfg->token_file, m->token, err, err_len) != 0) {
    discard(m);
    return -1;
  }
  snprintf(m->url, sizeof(m->url), "%s/api/v1/statuses", base);
  snprintf(m->auth, sizeof(m->auth), "Authorization: Bearer %s", m->token);
  snprintf(m->visibility, sizeof(m->visibility), "%s", vis);
  m->connect_timeout_ms =
      cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
  m->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
  m->ob = ob;
  m->store = cfg->store;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
      (m->curl = curl_easy_init()) == NULL) {
    discard(m);
    return fail(err, err_len, "cannot initialise libcurl");
  }
  if (lk_outbox_register_with(ob, "mastodon", lk_mastodon_send, m, &kind) !=
      0) {
    discard(m);
    return fail(err, err_len, "cannot register the Mastodon sender");
  }
  *out = m;
  return 0;
}

void lk_mastodon_free(lk_mastodon *m) {
  if (m != NULL)
    discard(m);
}

/* ---- sending -------------------------------------------------------- */

struct response {
  lk_buf body;
  int64_t retry_after_ms; /* from Retry-After; 0: none */
  int64_t reset_ms;       /* from X-RateLimit-Reset; 0: none */
};

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
  struct response *r = ud;
  size_t len = size * n;

  if (r->body.len + len <= RESPONSE_MAX)
    lk_buf_append(&r->body, data, len);
  return len; /* the rest is not needed: an id and a URL come first */
}

/* The value of header `name` (lower case, with the colon) in the header
 * line `data` into `v`; false if the line is another header. */
static bool header_value(const char *data, size_t len, const char *name,
                         char *v, size_t size) {
  size_t nl = strlen(name);
  size_t vl;

  if (len <= nl || strncasecmp(data, name, nl) != 0)
    return false;
  data += nl;
  len -= nl;
  while (len > 0 && (*data == ' ' || *data == '\t')) {
    data++;
    len--;
  }
  vl = len < size - 1 ? len : size - 1;
  memcpy(v, data, vl);
  while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
    vl--;
  v[vl] = '\0';
  return true;
}

int64_t lk_mastodon_wait_ms(const char *retry_after, const char *reset,
                            int64_t now_ms) {
  int64_t wait = 0;

  if (retry_after != NULL && retry_after[0] != '\0') {
    char *end;
    long secs;

    errno = 0;
    secs = strtol(retry_after, &end, 10);
    if (errno == 0 && *end == '\0' && secs >= 0) {
      wait = (int64_t)secs * 1000;
    } else {
      time_t when = curl_getdate(retry_after, NULL);

      if (when > 0 && (int64_t)when * 1000 > now_ms)
        wait = (int64_t)when * 1000 - now_ms;
    }
  }
  if (reset != NULL && reset[0] != '\0') {
    int64_t at;

    /* Mastodon: "2026-11-28T19:05:00.000Z", when the limit resets. */
    if (lk_proclog_parse_time(reset, &at) == 0 && at - now_ms > wait)
      wait = at - now_ms;
  }
  return wait;
}

/* Retry-After (seconds, or an HTTP date) and X-RateLimit-Reset. */
static size_t on_header(char *data, size_t size, size_t n, void *ud) {
  struct response *r = ud;
  size_t total = size * n;
  char v[64];

  if (header_value(data, total, "retry-after:", v, sizeof(v)))
    r->retry_after_ms = lk_mastodon_wait_ms(v, NULL, lk_clock_real_ms());
  else if (header_value(data, total, "x-ratelimit-reset:", v, sizeof(v)))
    r->reset_ms = lk_mastodon_wait_ms(NULL, v, lk_clock_real_ms());
  return total;
}

/* Ends a transfer still under way when the outbox's stop grace has run
 * out: the row is given back and sent after the restart instead of
 * holding up the shutdown.  A status that completes within the grace is
 * recorded as sent. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un) {
  lk_mastodon *m = ud;

  (void)dt;
  (void)dn;
  (void)ut;
  (void)un;
  return lk_outbox_stopping(m->ob) ? 1 : 0;
}

/* Copies `s` into `detail` with any occurrence of the token blanked:
 * whatever the other side echoes, a secret never reaches the table. */
static void set_detail(const lk_mastodon *m, char *detail, size_t len,
                       const char *s) {
  char *hit;

  snprintf(detail, len, "%s", s);
  while ((hit = strstr(detail, m->token)) != NULL)
    memset(hit, '*', strlen(m->token));
}

/* What the queued message names: the notice, and the update or none
 * (the publication).  Messages queued by earlier versions also carry "title"
 * and "text", a copy made at queue time; they are ignored, so those rows too
 * post what the notice says now. */
static int parse_payload(const char *payload, char *notice, char *update) {
  json_t *p = json_loads(payload, 0, NULL);
  const char *n = json_string_value(json_object_get(p, "noticeId"));
  json_t *u = json_object_get(p, "updateId");
  int rc = -1;

  update[0] = '\0';
  if (n != NULL && lk_uuid_valid(n) &&
      (u == NULL || json_is_null(u) ||
       (json_is_string(u) && lk_uuid_valid(json_string_value(u))))) {
    snprintf(notice, LK_NOTICE_ID_LEN + 1, "%s", n);
    if (json_is_string(u))
      snprintf(update, LK_NOTICE_ID_LEN + 1, "%s", json_string_value(u));
    rc = 0;
  }
  json_decref(p);
  return rc;
}

enum body_rc { BODY_OK, BODY_SKIP, BODY_RETRY, BODY_BAD };

/* The status as the notice and update read now, into `body` as the JSON
 * request; BODY_SKIP (`detail` says why) when there is nothing public to
 * post any more. */
static enum body_rc request_body(const lk_mastodon *m, const char *payload,
                                 lk_buf *body, char *detail, size_t len) {
  char nid[LK_NOTICE_ID_LEN + 1];
  char uid[LK_NOTICE_ID_LEN + 1];
  lk_notice_row *n = NULL;
  lk_notice_update_row *u = NULL;
  lk_buf status = LK_BUF_INIT;
  char link[LK_MASTODON_URL_MAX + 64];
  enum body_rc out = BODY_RETRY;
  int rc;

  if (parse_payload(payload, nid, uid) != 0)
    return BODY_BAD;
  n = malloc(sizeof(*n));
  u = malloc(sizeof(*u));
  if (n == NULL || u == NULL) {
    snprintf(detail, len, "out of memory");
    goto done;
  }
  rc = lk_store_notice_get(m->store, nid, n);
  if (rc == 0 && uid[0] != '\0') {
    rc = lk_store_notice_update_get(m->store, uid, u);
    if (rc == 0 && strcmp(u->notice_id, nid) != 0)
      rc = LK_STORE_NOTFOUND;
    if (rc == LK_STORE_NOTFOUND) {
      snprintf(detail, len, LK_OUTBOX_SKIPPED "update gone");
      out = BODY_SKIP;
      goto done;
    }
  }
  if (rc == LK_STORE_NOTFOUND) {
    snprintf(detail, len, LK_OUTBOX_SKIPPED "notice gone");
    out = BODY_SKIP;
    goto done;
  }
  if (rc != 0) {
    snprintf(detail, len, "store: %s", lk_store_strerror(rc));
    goto done;
  }
  /* Public: published, or ended (its page stays up).  Withdrawn, or not
   * published (yet): nothing may be said. */
  if (strcmp(n->status, "published") != 0 && strcmp(n->status, "ended") != 0) {
    snprintf(detail, len, LK_OUTBOX_SKIPPED "notice %s", n->status);
    out = BODY_SKIP;
    goto done;
  }
  snprintf(link, sizeof(link), "%s/actueel/%s", m->public_url, nid);
  if (lk_mastodon_status_text(&status, n->title,
                              uid[0] != '\0' ? u->body : n->body, link) != 0) {
    out = BODY_BAD;
    goto done;
  }
  lk_buf_puts(body, "{\"status\":");
  lk_buf_json_str(body, status.data);
  lk_buf_puts(body, ",\"visibility\":");
  lk_buf_json_str(body, m->visibility);
  lk_buf_puts(body, ",\"language\":\"nl\"}");
  if (lk_buf_ok(body))
    out = BODY_OK;
  else
    snprintf(detail, len, "out of memory");
done:
  lk_buf_free(&status);
  free(n);
  free(u);
  return out;
}

/* The status's URL (or id) from a 2xx answer. */
static void posted(const lk_mastodon *m, const lk_buf *body, char *detail,
                   size_t len) {
  json_t *s = body->len > 0 ? json_loadb(body->data, body->len, 0, NULL) : NULL;
  const char *url = json_string_value(json_object_get(s, "url"));
  const char *id = json_string_value(json_object_get(s, "id"));

  if (url != NULL && url[0] != '\0')
    set_detail(m, detail, len, url);
  else if (id != NULL && id[0] != '\0')
    set_detail(m, detail, len, id);
  else
    set_detail(m, detail, len, "posted (the server named no status)");
  json_decref(s);
}

/* "HTTP 422: <the server's error>" from a refusal. */
static void refused(const lk_mastodon *m, long code, const lk_buf *body,
                    char *detail, size_t len) {
  json_t *e = body->len > 0 ? json_loadb(body->data, body->len, 0, NULL) : NULL;
  const char *why = json_string_value(json_object_get(e, "error"));
  char msg[300];

  snprintf(msg, sizeof(msg), "HTTP %ld%s%.200s", code, why ? ": " : "",
           why ? why : "");
  set_detail(m, detail, len, msg);
  json_decref(e);
}

static struct curl_slist *headers(const lk_mastodon *m, const char *key) {
  struct curl_slist *h = NULL;
  struct curl_slist *next;
  char idem[LK_OUTBOX_KEY_MAX + 32];
  const char *lines[] = {m->auth, "Content-Type: application/json",
                         "Accept: application/json", "Expect:", idem};

  snprintf(idem, sizeof(idem), "Idempotency-Key: %s", key);
  for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
    next = curl_slist_append(h, lines[i]);
    if (next == NULL) {
      curl_slist_free_all(h);
      return NULL;
    }
    h = next;
  }
  return h;
}

lk_outbox_result lk_mastodon_send(void *ud, const char *key,
                                  const char *payload, char *detail,
                                  size_t detail_len) {
  lk_mastodon *m = ud;
  struct response r = {LK_BUF_INIT, 0, 0};
  enum body_rc b;
  lk_buf body = LK_BUF_INIT;
  struct curl_slist *h = NULL;
  lk_outbox_result res;
  CURLcode cc;
  long code = 0;
  CURL *c = m->curl;

  b = request_body(m, payload, &body, detail, detail_len);
  if (b != BODY_OK) {
    lk_buf_free(&body);
    if (b == BODY_BAD)
      set_detail(m, detail, detail_len, "the queued message is no status");
    /* A skip is done, not failed: the row is sent with the reason. */
    return b == BODY_SKIP    ? LK_OUTBOX_SENT
           : b == BODY_RETRY ? LK_OUTBOX_RETRY
                             : LK_OUTBOX_PERMANENT;
  }
  h = headers(m, key);
  if (h == NULL) {
    lk_buf_free(&body);
    set_detail(m, detail, detail_len, "out of memory");
    return LK_OUTBOX_RETRY;
  }
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, m->url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, m->connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, m->timeout_ms);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "Loket/" LOKET_VERSION);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, m);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  /* The request held the token: drop it from the handle. */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(h);
  lk_buf_free(&body);

  if (cc != CURLE_OK) {
    char msg[200];

    snprintf(msg, sizeof(msg), "no answer: %s", curl_easy_strerror(cc));
    set_detail(m, detail, detail_len, msg);
    res = LK_OUTBOX_RETRY;
  } else if (code >= 200 && code < 300) {
    posted(m, &r.body, detail, detail_len);
    res = LK_OUTBOX_SENT;
  } else if (code == 408 || code == 429 || code >= 500) {
    int64_t wait = r.retry_after_ms;

    /* Mastodon's rate limit says when it resets rather than how long to
     * wait; either is a lower bound for the next attempt. */
    if (code == 429 && r.reset_ms > wait)
      wait = r.reset_ms;
    refused(m, code, &r.body, detail, detail_len);
    if (wait > 0)
      lk_outbox_retry_after(wait);
    res = LK_OUTBOX_RETRY;
  } else {
    refused(m, code, &r.body, detail, detail_len);
    res = LK_OUTBOX_PERMANENT;
  }
  lk_buf_free(&r.body);
  return res;
}
