#include "util/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t system_now(lk_clock *c) {
  (void)c;
  return lk_clock_real_ms();
}

static int64_t fixed_now(lk_clock *c) {
  return c->fixed_ms;
}

lk_clock *lk_clock_system(void) {
  static lk_clock system = {system_now, 0};
  return &system;
}

void lk_clock_fixed(lk_clock *c, int64_t ms) {
  c->now_ms = fixed_now;
  c->fixed_ms = ms;
}

void lk_clock_set(lk_clock *c, int64_t ms) {
  c->fixed_ms = ms;
}

int64_t lk_clock_real_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lk_clock_mono_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Splits `ms` into whole seconds, rounded down also before 1970, and the
 * milliseconds (0..999) past them. */
static time_t split_ms(int64_t ms, int *millis) {
  int64_t secs = ms / 1000;
  int64_t rest = ms % 1000;

  if (rest < 0) {
    rest += 1000;
    secs--;
  }
  *millis = (int)rest;
  return (time_t)secs;
}

void lk_clock_format_iso(int64_t ms, char *out, size_t size) {
  int millis;
  time_t secs = split_ms(ms, &millis);
  struct tm tm;

  gmtime_r(&secs, &tm);
  snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

void lk_clock_format_http(int64_t ms, char *out, size_t size) {
  static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int millis;
  time_t secs = split_ms(ms, &millis);
  struct tm tm;

  gmtime_r(&secs, &tm);
  snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
           tm.tm_min, tm.tm_sec);
}

/* ---- Dutch civil time ------------------------------------------------ */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for every
 * proleptic Gregorian date, no tables, no TZ. */
int64_t lk_clock_days_from_civil(int y, int m, int d) {
  int64_t yy = m <= 2 ? (int64_t)y - 1 : y;
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

void lk_clock_civil_from_days(int64_t days, int *y, int *m, int *d) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t dd = doy - (153 * mp + 2) / 5 + 1;
  int64_t mm = mp < 10 ? mp + 3 : mp - 9;

  *y = (int)(yoe + era * 400 + (mm <= 2 ? 1 : 0));
  *m = (int)mm;
  *d = (int)dd;
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;

  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* 01:00 UTC on the last Sunday of month `m` (1-12) of `y`, in seconds. */
static int64_t last_sunday_0100(int y, int m) {
  int64_t last =
      lk_clock_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
  int64_t weekday = ((last % 7) + 10) % 7; /* 0 = Monday; 1970-01-01 Thu */
  int64_t sunday = last - (weekday + 1) % 7;

  return sunday * 86400 + 3600;
}

int lk_clock_nl_offset(int64_t ms) {
  int64_t secs = floor_div(ms, 1000);
  int y, m, d;

  lk_clock_civil_from_days(floor_div(secs, 86400), &y, &m, &d);
  if (secs >= last_sunday_0100(y, 3) && secs < last_sunday_0100(y, 10))
    return 7200;
  return 3600;
}

void lk_clock_nl_local(int64_t ms, struct tm *tm) {
  int64_t secs = floor_div(ms, 1000) + lk_clock_nl_offset(ms);
  int64_t days = floor_div(secs, 86400);
  int64_t rest = secs - days * 86400;
  int y, m, d;

  lk_clock_civil_from_days(days, &y, &m, &d);
  memset(tm, 0, sizeof(*tm));
  tm->tm_year = y - 1900;
  tm->tm_mon = m - 1;
  tm->tm_mday = d;
  tm->tm_hour = (int)(rest / 3600);
  tm->tm_min = (int)(rest / 60 % 60);
  tm->tm_sec = (int)(rest % 60);
  tm->tm_wday = (int)((days % 7 + 10) % 7 + 1) % 7; /* 0 = Sunday */
}

int64_t lk_clock_nl_instant(int y, int m, int d, int minute) {
  int64_t local =
      (lk_clock_days_from_civil(y, m, d) * 86400 + (int64_t)minute * 60) * 1000;

  if (lk_clock_nl_offset(local - 7200000) == 7200)
    return local - 7200000;
  return local - 3600000;
}
