/* channel.c - opening state, waiting-time estimate and changes of the
 * public channels; see channel.h. */
#include "core/channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/conversation.h"
#include "core/text.h"
#include "util/clock.h"

int lk_channel_calendar(const lk_channel_row *r, lk_calendar *cal) {
  const char *field, *reason;
  json_t *j;
  int rc;

  memset(cal, 0, sizeof(*cal));
  j = json_loads(r->hours, 0, NULL);
  if (j == NULL)
    return LK_CAL_EINVALID;
  rc = lk_cal_from_json(cal, j, &field, &reason);
  json_decref(j);
  if (rc != 0)
    memset(cal, 0, sizeof(*cal));
  return rc;
}

/* ---- open or closed ----------------------------------------------------- */

/* The slot of weekday `wd` containing `minute`, or NULL. */
static const lk_cal_slot *slot_at(const lk_calendar *cal, int wd, int minute) {
  for (int i = 0; i < cal->nslots[wd]; i++) {
    if (cal->week[wd][i].open <= minute && minute < cal->week[wd][i].close)
      return &cal->week[wd][i];
  }
  return NULL;
}

/* The end of the opening that contains `now`: a slot that runs to
 * midnight continues into a slot of the next day that opens at 00:00. */
static int64_t closes_at(const lk_calendar *cal, int64_t now) {
  struct tm tm;
  int64_t days, end = 0;
  int y, m, d, minute;

  lk_clock_nl_local(now, &tm);
  days = lk_clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  minute = tm.tm_hour * 60 + tm.tm_min;
  for (int i = 0; i < 8; i++) {
    const lk_cal_slot *s;
    int wd = (tm.tm_wday + 6 + i) % 7;

    lk_clock_civil_from_days(days + i, &y, &m, &d);
    if (i > 0 && lk_cal_closed_day(cal, y, m, d))
      return end;
    s = slot_at(cal, wd, minute);
    if (s == NULL)
      return end;
    end = lk_clock_nl_instant(y, m, d, s->close);
    if (s->close < 24 * 60)
      return end;
    minute = 0;
  }
  return 0; /* open around the clock */
}

void lk_channel_state_at(const lk_calendar *cal, int64_t now,
                         lk_channel_state *out) {
  struct tm tm;

  memset(out, 0, sizeof(*out));
  lk_clock_nl_local(now, &tm);
  if (!lk_cal_holiday(cal, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      &out->holiday))
    out->holiday = NULL;
  out->open = lk_cal_open_at(cal, now);
  if (out->open) {
    out->closes_at = closes_at(cal, now);
    out->opens_at = now;
    return;
  }
  /* The instant after one millisecond of open time, less that
   * millisecond, is when it opens. */
  out->opens_at = lk_cal_add(cal, now, 1);
  if (out->opens_at != LK_CAL_NEVER)
    out->opens_at -= 1;
}

/* ---- the estimate ---------------------------------------------------------
 */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

static bool has_hours(const lk_calendar *cal) {
  for (int d = 0; d < 7; d++) {
    if (cal->nslots[d] > 0)
      return true;
  }
  return false;
}

void lk_wait_compute(const lk_calendar *cal, int64_t now,
                     const int64_t *created, const int64_t *answered, int n,
                     int64_t queue, lk_wait *out) {
  int64_t delays[LK_WAIT_SAMPLES];
  int k = 0;

  memset(out, 0, sizeof(*out));
  out->queue = queue;
  if (n > LK_WAIT_SAMPLES)
    n = LK_WAIT_SAMPLES;
  for (int i = 0; i < n; i++) {
    int64_t dt;

    if (answered[i] < created[i])
      continue;
    /* Time the centre was open: a question sent on Friday evening and
     * answered on Monday morning waited an hour, not a weekend.  A
     * channel without hours counts wall time. */
    dt = has_hours(cal) ? lk_cal_between(cal, created[i], answered[i])
                        : answered[i] - created[i];
    delays[k++] = dt < 0 ? 0 : dt;
    if (answered[i] >= now - LK_WAIT_RATE_MS)
      out->answered_hour++;
  }
  out->samples = k;
  if (k > 0) {
    qsort(delays, (size_t)k, sizeof(delays[0]), cmp_i64);
    out->median_ms =
        k % 2 == 1 ? delays[k / 2] : (delays[k / 2 - 1] + delays[k / 2]) / 2;
  }
  if (queue > 0 && out->answered_hour > 0)
    out->drain_ms = queue * LK_WAIT_RATE_MS / out->answered_hour;
  out->known = k > 0 || out->drain_ms > 0;
  out->estimate_ms =
      out->median_ms > out->drain_ms ? out->median_ms : out->drain_ms;
}

int lk_channel_wait(lk_store *s, const char *channel, const lk_calendar *cal,
                    int64_t now, lk_wait *out) {
  int64_t created[LK_WAIT_SAMPLES], answered[LK_WAIT_SAMPLES];
  int64_t queue = 0, oldest = 0;
  int n, rc;

  n = lk_store_channel_responses(s, channel, now - LK_WAIT_WINDOW_MS, created,
                                 answered, LK_WAIT_SAMPLES);
  if (n < 0)
    return n;
  rc = lk_store_channel_queue(s, channel, &queue, &oldest);
  if (rc != 0)
    return rc;
  lk_wait_compute(cal, now, created, answered, n, queue, out);
  return 0;
}

/* ---- PUT ------------------------------------------------------------------
 */

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* Channels whose residents need something to call, write or visit. */
static bool needs_contact(const char *channel) {
  return strcmp(channel, "telefoon") == 0 || strcmp(channel, "email") == 0 ||
         strcmp(channel, "balie") == 0 || strcmp(channel, "post") == 0;
}

static int text_member(const json_t *body, const char *key, const char *field,
                       size_t max, bool required, char *out, size_t size,
                       lk_invalid *why) {
  const json_t *v = json_object_get(body, key);
  const char *s;

  if (v == NULL || json_is_null(v)) {
    if (required)
      return invalid(why, field, "is required");
    out[0] = '\0';
    return 0;
  }
  s = json_string_value(v);
  if (s == NULL || (required && s[0] == '\0') ||
      (s[0] != '\0' && !lk_text_ok(s, max, false)))
    return invalid(why, field,
                   "must be a string of UTF-8 text without control "
                   "characters, within the length limit");
  snprintf(out, size, "%s", s);
  return 0;
}

int lk_channel_update_prepare(lk_channel_update_op *op, const char *actor,
                              const char *channel, const json_t *body,
                              lk_invalid *why) {
  lk_channel_row *r = &op->row;
  const json_t *v;
  lk_calendar cal;
  const char *field, *reason;
  lk_buf hours = LK_BUF_INIT;
  int rc;

  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  if (!lk_conv_channel_valid(channel))
    return invalid(why, "channel", "is not a channel");
  snprintf(r->channel, sizeof(r->channel), "%s", channel);
  if (!json_is_object(body))
    return invalid(why, "", "must be a JSON object");
  rc = text_member(body, "label", "label", LK_CHANNEL_LABEL_MAX, true, r->label,
                   sizeof(r->label), why);
  if (rc == 0)
    rc = text_member(body, "contact", "contact", LK_CHANNEL_CONTACT_MAX, false,
                     r->contact, sizeof(r->contact), why);
  if (rc == 0)
    rc = text_member(body, "description", "description",
                     LK_CHANNEL_DESCRIPTION_MAX, false, r->description,
                     sizeof(r->description), why);
  if (rc != 0)
    return rc;
  v = json_object_get(body, "enabled");
  if (!json_is_boolean(v))
    return invalid(why, "enabled", "must be true or false");
  r->enabled = json_is_true(v);
  v = json_object_get(body, "async");
  if (v != NULL && !json_is_boolean(v))
    return invalid(why, "async", "must be true or false");
  r->async = json_is_true(v);
  v = json_object_get(body, "hours");
  if (!json_is_object(v))
    return invalid(why, "hours",
                   "must be an object {\"hours\": {\"mon\": "
                   "[\"08:00-17:00\"], ...}, \"closedDays\": [...]}");
  memset(&cal, 0, sizeof(cal));
  if (lk_cal_from_json(&cal, v, &field, &reason) != 0) {
    /* the calendar names its member relative to the object */
    static _Thread_local char pointer[64];

    snprintf(pointer, sizeof(pointer), "hours%s", field);
    return invalid(why, pointer, reason);
  }
  if (r->enabled && needs_contact(channel) && r->contact[0] == '\0')
    return invalid(why, "contact",
                   "an enabled telephone, e-mail, desk or post channel needs "
                   "the number or address residents use");
  /* Stored as the calendar writes it: one normal form. */
  lk_cal_json(&hours, &cal);
  if (!lk_buf_ok(&hours) || hours.len > LK_CHANNEL_HOURS_MAX) {
    lk_buf_free(&hours);
    return invalid(why, "hours", "is too large");
  }
  memcpy(r->hours, hours.data, hours.len + 1);
  lk_buf_free(&hours);
  snprintf(r->updated_by, sizeof(r->updated_by), "%s", actor);
  return 0;
}

int lk_channel_update_apply(lk_tx *tx, void *arg) {
  lk_channel_update_op *op = arg;
  char payload[96];
  int rc;

  op->row.updated_at = lk_tx_now(tx);
  rc = lk_store_channel_save(tx, &op->row);
  if (rc != 0)
    return rc;
  snprintf(payload, sizeof(payload), "{\"channel\":\"%s\",\"enabled\":%s}",
           op->row.channel, op->row.enabled ? "true" : "false");
  rc = lk_store_audit(tx, op->actor, "channel.updated", op->row.channel,
                      payload);
  if (rc == 0)
    rc = lk_tx_emit(tx, "channel.updated", op->row.channel, payload);
  return rc;
}

/* ---- JSON ------------------------------------------------------------------
 */

static void iso_or_null(lk_buf *b, const char *key, int64_t ms) {
  char t[32];

  lk_buf_printf(b, ",\"%s\":", key);
  if (ms <= 0 || ms == LK_CAL_NEVER) {
    lk_buf_puts(b, "null");
    return;
  }
  lk_clock_format_iso(ms, t, sizeof(t));
  lk_buf_json_str(b, t);
}

void lk_channel_json(lk_buf *b, const lk_channel_row *r, const lk_calendar *cal,
                     const lk_channel_state *st, const lk_wait *w) {
  lk_buf_puts(b, "{\"channel\":");
  lk_buf_json_str(b, r->channel);
  lk_buf_puts(b, ",\"label\":");
  lk_buf_json_str(b, r->label);
  lk_buf_printf(b, ",\"position\":%d,\"enabled\":%s,\"async\":%s", r->position,
                r->enabled ? "true" : "false", r->async ? "true" : "false");
  lk_buf_puts(b, ",\"hours\":");
  lk_cal_json(b, cal);
  lk_buf_puts(b, ",\"contact\":");
  lk_buf_json_str(b, r->contact);
  lk_buf_puts(b, ",\"description\":");
  lk_buf_json_str(b, r->description);
  lk_buf_printf(b, ",\"openNow\":%s", st->open ? "true" : "false");
  iso_or_null(b, "closesAt", st->open ? st->closes_at : 0);
  iso_or_null(b, "opensAt", st->open ? 0 : st->opens_at);
  lk_buf_printf(b,
                ",\"waiting\":{\"queue\":%lld,\"samples\":%d,"
                "\"answeredLastHour\":%d,\"estimateSeconds\":",
                (long long)w->queue, w->samples, w->answered_hour);
  if (w->known)
    lk_buf_printf(b, "%lld}", (long long)(w->estimate_ms / 1000));
  else
    lk_buf_puts(b, "null}");
  iso_or_null(b, "updatedAt", r->updated_at);
  lk_buf_putc(b, '}');
}
