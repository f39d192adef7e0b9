#include "util/clock.h"

#include <stdio.h>
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
