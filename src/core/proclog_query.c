/* proclog_query.c - the processing log as supervisors and auditors read
 * it; see proclog_query.h. */
#include "core/proclog_query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/proclog.h"
#include "core/text.h"
#include "util/clock.h"

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* Reads exactly `n` digits at *p into *out and advances *p. */
static bool digits(const char **p, int n, int *out) {
  int v = 0;

  for (int i = 0; i < n; i++) {
    char c = (*p)[i];

    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return true;
}

static bool all_digits(const char *s) {
  if (*s == '\0')
    return false;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9')
      return false;
  }
  return true;
}

int lk_proclog_parse_time(const char *s, int64_t *out_ms) {
  const char *p = s;
  struct tm tm = {0};
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh = 0, om = 0;
  int sign = 0;
  time_t t;

  if (s == NULL)
    return -1;
  if (all_digits(s)) {
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
      return -1;
    *out_ms = v;
    return 0;
  }
  if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
      !digits(&p, 2, &d))
    return -1;
  if (*p == 'T' || *p == 't') {
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
      return -1;
    if (*p == ':') {
      p++;
      if (!digits(&p, 2, &sec))
        return -1;
      if (*p == '.') {
        int scale = 100;

        p++;
        if (*p < '0' || *p > '9')
          return -1;
        /* Milliseconds; finer digits are dropped. */
        for (; *p >= '0' && *p <= '9'; p++) {
          ms += (*p - '0') * scale;
          scale /= 10;
        }
      }
    }
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      sign = *p++ == '+' ? 1 : -1;
      if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om))
        return -1;
    } else {
      return -1; /* a time without a zone is ambiguous */
    }
  }
  if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60 || oh > 23 || om > 59)
    return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  t = timegm(&tm);
  if (t == (time_t)-1 || tm.tm_mday != d)
    return -1; /* 31 February and the like */
  *out_ms = ((int64_t)t - sign * (oh * 3600 + om * 60)) * 1000 + ms;
  return 0;
}

static int copy_filter(char *dst, size_t size, const char *src) {
  if (src == NULL) {
    dst[0] = '\0';
    return 0;
  }
  if (!lk_text_ok(src, size - 1, false))
    return -1;
  memcpy(dst, src, strlen(src) + 1);
  return 0;
}

/* Cursor: "<time>.<seq>" of the last row of a page. */
static int parse_cursor(const char *after, int64_t *t, int64_t *seq) {
  const char *dot = after != NULL ? strchr(after, '.') : NULL;
  char tmp[24];
  size_t n;
  char *end;

  if (dot == NULL)
    return -1;
  n = (size_t)(dot - after);
  if (n == 0 || n >= sizeof(tmp) || !all_digits(dot + 1))
    return -1;
  memcpy(tmp, after, n);
  tmp[n] = '\0';
  if (!all_digits(tmp))
    return -1;
  errno = 0;
  *t = strtoll(tmp, &end, 10);
  if (errno != 0)
    return -1;
  *seq = strtoll(dot + 1, &end, 10);
  return errno != 0 ? -1 : 0;
}

int lk_proclog_query_prepare(lk_proclog_query *q, const char *party_id,
                             const char *actor, const char *operation,
                             const char *from, const char *to,
                             const char *after, int limit, lk_invalid *why) {
  memset(q, 0, sizeof(*q));
  if (party_id != NULL && !lk_uuid_valid(party_id))
    return invalid(why, "partyId", "must be a party's UUID");
  if (party_id != NULL)
    memcpy(q->party_id, party_id, strlen(party_id) + 1);
  if (copy_filter(q->actor, sizeof(q->actor), actor) != 0)
    return invalid(why, "actor", "must be an actor such as token:tok_...");
  if (copy_filter(q->operation, sizeof(q->operation), operation) != 0)
    return invalid(why, "operation", "must be an operation such as read");
  q->f.from = 0;
  q->f.to = INT64_MAX;
  if (from != NULL && lk_proclog_parse_time(from, &q->f.from) != 0)
    return invalid(why, "from", "must be a time (RFC 3339 or Unix ms)");
  if (to != NULL && lk_proclog_parse_time(to, &q->f.to) != 0)
    return invalid(why, "to", "must be a time (RFC 3339 or Unix ms)");
  q->f.before_time = INT64_MAX;
  q->f.before_seq = INT64_MAX;
  if (after != NULL &&
      parse_cursor(after, &q->f.before_time, &q->f.before_seq) != 0)
    return invalid(why, "after", "is not a cursor from this log");
  if (limit < 1 || limit > LK_PROCLOG_PAGE_MAX)
    return invalid(why, "limit", "must be an integer from 1 to 200");
  q->f.party_id = q->party_id;
  q->f.actor = q->actor;
  q->f.operation = q->operation;
  q->f.limit = limit;
  return 0;
}

void lk_proclog_row_json(lk_buf *b, const lk_proclog_row *r) {
  char at[32];

  lk_clock_format_iso(r->time, at, sizeof(at));
  lk_buf_printf(b, "{\"seq\":%lld,\"time\":%lld,\"at\":\"%s\",\"actor\":",
                (long long)r->seq, (long long)r->time, at);
  lk_buf_json_str(b, r->actor);
  lk_buf_puts(b, ",\"partyId\":");
  if (r->party_id[0] != '\0')
    lk_buf_json_str(b, r->party_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"operation\":");
  lk_buf_json_str(b, r->operation);
  lk_buf_puts(b, ",\"activity\":");
  lk_buf_json_str(b, r->activity);
  lk_buf_puts(b, ",\"resource\":");
  lk_buf_json_str(b, r->resource);
  lk_buf_puts(b, ",\"reason\":");
  lk_buf_json_str(b, r->reason);
  lk_buf_puts(b, ",\"requestId\":");
  lk_buf_json_str(b, r->request_id);
  lk_buf_putc(b, '}');
}

struct page_ctx {
  lk_buf *b;
  int n;
  int64_t last_time;
  int64_t last_seq;
};

static void page_row(const lk_proclog_row *r, void *ud) {
  struct page_ctx *pc = ud;

  if (pc->n++ > 0)
    lk_buf_putc(pc->b, ',');
  lk_proclog_row_json(pc->b, r);
  pc->last_time = r->time;
  pc->last_seq = r->seq;
}

int lk_proclog_page(lk_store *s, const lk_viewer *v, const lk_proclog_query *q,
                    lk_buf *out) {
  lk_buf b = LK_BUF_INIT;
  struct page_ctx pc = {&b, 0, 0, 0};
  lk_proclog_filter f = q->f;
  lk_proclog_entry e = {
      v->actor,         q->party_id, "read",       LK_PROCLOG_ACTIVITY,
      "processing-log", NULL,        v->request_id};
  int rc;

  /* Rows about a confidential party are hidden like the party: a partyId
   * filter on one answers like an unknown party, with an empty page. */
  f.hide_confidential = !lk_access_may_see(v, true);
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_proclog_query(s, &f, page_row, &pc);
  if (rc >= 0) {
    lk_buf_puts(&b, "],\"next\":");
    if (rc == q->f.limit)
      lk_buf_printf(&b, "\"%lld.%lld\"", (long long)pc.last_time,
                    (long long)pc.last_seq);
    else
      lk_buf_puts(&b, "null");
    lk_buf_puts(&b, "}\n");
    rc = lk_buf_ok(&b) ? 0 : LK_STORE_NOMEM;
  }
  if (rc == 0)
    rc = lk_proclog_read(s, &e);
  if (rc == 0)
    lk_buf_append(out, b.data, b.len);
  lk_buf_free(&b);
  return rc;
}

int lk_proclog_note_apply(lk_tx *tx, void *arg) {
  return lk_store_proclog_insert(tx, arg);
}
