/* calendar.c - business hours and Dutch public holidays; see calendar.h.
 *
 * Both lk_cal_add() and lk_cal_between() walk local (Amsterdam) days: for
 * each open day they turn its slots into instants with
 * lk_clock_nl_instant(), which is what makes a day of 23 or 25 hours come
 * out right: the slots are civil times, the result is real elapsed time.
 * A walk is bounded (10 years), so a calendar without open time ends it.
 */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

#define WALK_DAYS 3660
#define MINUTE_MS 60000

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu",
                                        "fri", "sat", "sun"};

void lk_cal_default(lk_calendar *c) {
  memset(c, 0, sizeof(*c));
  for (int d = 0; d < 5; d++) {
    c->week[d][0] = (lk_cal_slot){8 * 60, 17 * 60};
    c->nslots[d] = 1;
  }
}

void lk_cal_easter(int y, int *m, int *d) {
  /* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
  int a = y % 19;
  int b = y / 100;
  int c = y % 100;
  int dd = b / 4;
  int e = b % 4;
  int f = (b + 8) / 25;
  int g = (b - f + 1) / 3;
  int h = (19 * a + b - dd - g + 15) % 30;
  int i = c / 4;
  int k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int mm = (a + 11 * h + 22 * l) / 451;

  *m = (h + l - 7 * mm + 114) / 31;
  *d = ((h + l - 7 * mm + 114) % 31) + 1;
}

/* 0 = Monday .. 6 = Sunday, from days since 1970-01-01 (a Thursday). */
static int weekday(int64_t days) {
  return (int)(((days % 7) + 10) % 7);
}

bool lk_cal_holiday(const lk_calendar *c, int y, int m, int d,
                    const char **name) {
  static const struct {
    int offset; /* days after Easter Sunday */
    const char *name;
  } moving[] = {{-2, "Goede Vrijdag"},      {0, "Eerste Paasdag"},
                {1, "Tweede Paasdag"},      {39, "Hemelvaartsdag"},
                {49, "Eerste Pinksterdag"}, {50, "Tweede Pinksterdag"}};
  int64_t day = lk_clock_days_from_civil(y, m, d);
  const char *found = NULL;
  int em, ed;
  int64_t easter;

  if (m == 1 && d == 1)
    found = "Nieuwjaarsdag";
  else if (m == 12 && d == 25)
    found = "Eerste Kerstdag";
  else if (m == 12 && d == 26)
    found = "Tweede Kerstdag";
  else if (m == 5 && d == 5 && (!c->liberation_lustrum_only || y % 5 == 0))
    found = "Bevrijdingsdag";
  else if (m == 4 && (d == 27 || d == 26)) {
    /* Koningsdag moves to Saturday the 26th when the 27th is a Sunday. */
    bool sunday27 = weekday(lk_clock_days_from_civil(y, 4, 27)) == 6;

    if ((d == 27 && !sunday27) || (d == 26 && sunday27))
      found = "Koningsdag";
  }
  if (found == NULL && m >= 3 && m <= 6) {
    lk_cal_easter(y, &em, &ed);
    easter = lk_clock_days_from_civil(y, em, ed);
    for (size_t i = 0; i < sizeof(moving) / sizeof(moving[0]); i++) {
      if (day != easter + moving[i].offset)
        continue;
      if (moving[i].offset == -2 && !c->good_friday_closed)
        continue;
      found = moving[i].name;
    }
  }
  if (name != NULL)
    *name = found;
  return found != NULL;
}

static int cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a;
  int32_t y = *(const int32_t *)b;

  return (x > y) - (x < y);
}

static bool extra_closed(const lk_calendar *c, int y, int m, int d) {
  int32_t key = (int32_t)(y * 10000 + m * 100 + d);

  return c->nextra > 0 && bsearch(&key, c->extra, (size_t)c->nextra,
                                  sizeof(key), cmp_i32) != NULL;
}

/* True if the local day `days` (since 1970-01-01) has no open time. */
static bool day_closed(const lk_calendar *c, int64_t days, int *y, int *m,
                       int *d) {
  lk_clock_civil_from_days(days, y, m, d);
  if (c->nslots[weekday(days)] == 0)
    return true;
  return lk_cal_holiday(c, *y, *m, *d, NULL) || extra_closed(c, *y, *m, *d);
}

bool lk_cal_closed_day(const lk_calendar *c, int y, int m, int d) {
  int yy, mm, dd;

  return day_closed(c, lk_clock_days_from_civil(y, m, d), &yy, &mm, &dd);
}

/* The local day of instant `ms`, as days since 1970-01-01. */
static int64_t local_day(int64_t ms) {
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  return lk_clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Slot `i` of local day `days` as instants [*s, *e). */
static void slot_instants(const lk_calendar *c, int64_t days, int y, int m,
                          int d, int i, int64_t *s, int64_t *e) {
  const lk_cal_slot *sl = &c->week[weekday(days)][i];

  *s = lk_clock_nl_instant(y, m, d, sl->open);
  *e = lk_clock_nl_instant(y, m, d, sl->close);
}

bool lk_cal_open_at(const lk_calendar *c, int64_t ms) {
  int64_t days = local_day(ms);
  int64_t s, e;
  int y, m, d;

  if (day_closed(c, days, &y, &m, &d))
    return false;
  for (int i = 0; i < c->nslots[weekday(days)]; i++) {
    slot_instants(c, days, y, m, d, i, &s, &e);
    if (ms >= s && ms < e)
      return true;
  }
  return false;
}

int64_t lk_cal_add(const lk_calendar *c, int64_t from, int64_t business_ms) {
  int64_t left = business_ms;
  int64_t days = local_day(from);
  int64_t s, e;
  int y, m, d;

  if (business_ms <= 0)
    return from;
  for (int n = 0; n < WALK_DAYS; n++, days++) {
    if (day_closed(c, days, &y, &m, &d))
      continue;
    for (int i = 0; i < c->nslots[weekday(days)]; i++) {
      slot_instants(c, days, y, m, d, i, &s, &e);
      if (s < from)
        s = from;
      if (e <= s)
        continue;
      if (left <= e - s)
        return s + left;
      left -= e - s;
    }
  }
  return LK_CAL_NEVER;
}

int64_t lk_cal_between(const lk_calendar *c, int64_t a, int64_t b) {
  int64_t sum = 0;
  int64_t days;
  int64_t last;
  int64_t s, e;
  int y, m, d;

  if (b < a)
    return -lk_cal_between(c, b, a);
  days = local_day(a);
  last = local_day(b);
  for (; days <= last; days++) {
    if (day_closed(c, days, &y, &m, &d))
      continue;
    for (int i = 0; i < c->nslots[weekday(days)]; i++) {
      slot_instants(c, days, y, m, d, i, &s, &e);
      if (s < a)
        s = a;
      if (e > b)
        e = b;
      if (e > s)
        sum += e - s;
    }
  }
  return sum;
}

/* ---- JSON ------------------------------------------------------------ */

static int fail(const char **field, const char **reason, const char *f,
                const char *r) {
  *field = f;
  *reason = r;
  return LK_CAL_EINVALID;
}

/* "08:30" -> 510; -1 if malformed.  "24:00" is allowed as a close. */
static int parse_hhmm(const char *s) {
  if (strlen(s) != 5 || s[2] != ':')
    return -1;
  for (int i = 0; i < 5; i++) {
    if (i != 2 && (s[i] < '0' || s[i] > '9'))
      return -1;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int min = (s[3] - '0') * 10 + (s[4] - '0');
  if (min > 59 || h > 24 || (h == 24 && min != 0))
    return -1;
  return h * 60 + min;
}

static int parse_slot(const char *s, lk_cal_slot *out) {
  char open[6], close[6];

  if (strlen(s) != 11 || s[5] != '-')
    return -1;
  memcpy(open, s, 5);
  open[5] = '\0';
  memcpy(close, s + 6, 5);
  close[5] = '\0';
  out->open = parse_hhmm(open);
  out->close = parse_hhmm(close);
  if (out->open < 0 || out->close < 0 || out->open >= 1440 ||
      out->close <= out->open)
    return -1;
  return 0;
}

static int cmp_slot(const void *a, const void *b) {
  const lk_cal_slot *x = a;
  const lk_cal_slot *y = b;

  return x->open - y->open;
}

static int parse_day(lk_calendar *c, int day, const json_t *arr,
                     const char **field, const char **reason) {
  static const char *const fields[7] = {
      "/hours/mon", "/hours/tue", "/hours/wed", "/hours/thu",
      "/hours/fri", "/hours/sat", "/hours/sun"};
  static const char why[] =
      "must be a list of up to 4 non-overlapping \"HH:MM-HH:MM\" intervals";
  size_t n = json_array_size(arr);

  if (!json_is_array(arr) || n > LK_CAL_SLOTS)
    return fail(field, reason, fields[day], why);
  for (size_t i = 0; i < n; i++) {
    const char *s = json_string_value(json_array_get(arr, i));

    if (s == NULL || parse_slot(s, &c->week[day][i]) != 0)
      return fail(field, reason, fields[day], why);
  }
  qsort(c->week[day], n, sizeof(lk_cal_slot), cmp_slot);
  for (size_t i = 1; i < n; i++) {
    if (c->week[day][i].open < c->week[day][i - 1].close)
      return fail(field, reason, fields[day], why);
  }
  c->nslots[day] = (int)n;
  return 0;
}

static int parse_date(const char *s, int32_t *out) {
  int y, m, d, yy, mm, dd;

  if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return -1;
  for (int i = 0; i < 10; i++) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return -1;
  }
  y = (int)strtol(s, NULL, 10);
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
    return -1;
  /* 2026-02-30 is no date: it must survive the round trip. */
  lk_clock_civil_from_days(lk_clock_days_from_civil(y, m, d), &yy, &mm, &dd);
  if (yy != y || mm != m || dd != d)
    return -1;
  *out = (int32_t)(y * 10000 + m * 100 + d);
  return 0;
}

int lk_cal_from_json(lk_calendar *c, const json_t *obj, const char **field,
                     const char **reason) {
  const json_t *hours, *v;
  const char *key;
  lk_calendar t = *c;
  int rc;

  if (!json_is_object(obj))
    return fail(field, reason, "", "must be an object");
  json_object_foreach((json_t *)obj, key, v) {
    if (strcmp(key, "hours") != 0 && strcmp(key, "goodFridayClosed") != 0 &&
        strcmp(key, "liberationDay") != 0 && strcmp(key, "closedDays") != 0)
      return fail(field, reason, "", "has an unknown member");
  }
  hours = json_object_get(obj, "hours");
  if (hours != NULL) {
    if (!json_is_object(hours))
      return fail(field, reason, "/hours", "must be an object of weekdays");
    json_object_foreach((json_t *)hours, key, v) {
      int day = -1;

      for (int i = 0; i < 7; i++) {
        if (strcmp(key, day_keys[i]) == 0)
          day = i;
      }
      if (day < 0)
        return fail(field, reason, "/hours",
                    "members are mon, tue, wed, thu, fri, sat, sun");
      rc = parse_day(&t, day, v, field, reason);
      if (rc != 0)
        return rc;
    }
  }
  v = json_object_get(obj, "goodFridayClosed");
  if (v != NULL) {
    if (!json_is_boolean(v))
      return fail(field, reason, "/goodFridayClosed", "must be a boolean");
    t.good_friday_closed = json_is_true(v);
  }
  v = json_object_get(obj, "liberationDay");
  if (v != NULL) {
    const char *s = json_string_value(v);

    if (s == NULL || (strcmp(s, "yearly") != 0 && strcmp(s, "lustrum") != 0))
      return fail(field, reason, "/liberationDay",
                  "must be \"yearly\" or \"lustrum\"");
    t.liberation_lustrum_only = strcmp(s, "lustrum") == 0;
  }
  v = json_object_get(obj, "closedDays");
  if (v != NULL) {
    if (!json_is_array(v) || json_array_size(v) > LK_CAL_EXTRA_MAX)
      return fail(field, reason, "/closedDays",
                  "must be a list of at most 64 dates (YYYY-MM-DD)");
    t.nextra = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
      int32_t date;

      if (parse_date(json_string_value(json_array_get(v, i)), &date) != 0)
        return fail(field, reason, "/closedDays",
                    "must be a list of at most 64 dates (YYYY-MM-DD)");
      t.extra[t.nextra++] = date;
    }
    qsort(t.extra, (size_t)t.nextra, sizeof(int32_t), cmp_i32);
  }
  *c = t;
  return 0;
}

void lk_cal_json(lk_buf *b, const lk_calendar *c) {
  lk_buf_puts(b, "{\"hours\":{");
  for (int d = 0; d < 7; d++) {
    lk_buf_printf(b, "%s\"%s\":[", d > 0 ? "," : "", day_keys[d]);
    for (int i = 0; i < c->nslots[d]; i++) {
      const lk_cal_slot *s = &c->week[d][i];

      lk_buf_printf(b, "%s\"%02d:%02d-%02d:%02d\"", i > 0 ? "," : "",
                    s->open / 60, s->open % 60, s->close / 60, s->close % 60);
    }
    lk_buf_putc(b, ']');
  }
  lk_buf_printf(b, "},\"goodFridayClosed\":%s,\"liberationDay\":\"%s\"",
                c->good_friday_closed ? "true" : "false",
                c->liberation_lustrum_only ? "lustrum" : "yearly");
  lk_buf_puts(b, ",\"closedDays\":[");
  for (int i = 0; i < c->nextra; i++) {
    int32_t v = c->extra[i];

    lk_buf_printf(b, "%s\"%04d-%02d-%02d\"", i > 0 ? "," : "", v / 10000,
                  v / 100 % 100, v % 100);
  }
  lk_buf_puts(b, "]}");
}
