/* clock.h - time in milliseconds, and the injectable clock of the domain.
 *
 * Domain rules never call time() themselves: they take an lk_clock so tests
 * can move time across evenings and holidays in microseconds.
 */
#ifndef LK_CLOCK_H
#define LK_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct lk_clock {
  int64_t (*now_ms)(struct lk_clock *c); /* Unix time in milliseconds */
  int64_t fixed_ms;                      /* used by lk_clock_fixed() */
} lk_clock;

/* The real wall clock. */
lk_clock *lk_clock_system(void);
/* Initialises `c` as a clock that stands still at `ms` until changed with
 * lk_clock_set(). */
void lk_clock_fixed(lk_clock *c, int64_t ms);
void lk_clock_set(lk_clock *c, int64_t ms);
static inline int64_t lk_clock_now(lk_clock *c) {
  return c->now_ms(c);
}

int64_t lk_clock_real_ms(void);
/* Monotonic time in nanoseconds, for durations and intervals: it does not
 * jump when the wall clock is set. */
int64_t lk_clock_mono_ns(void);
static inline int64_t lk_clock_mono_ms(void) {
  return lk_clock_mono_ns() / 1000000;
}
/* Formats Unix milliseconds as RFC 3339 UTC with milliseconds
 * ("2026-11-28T13:52:09.123Z").  `size` must be at least 25. */
void lk_clock_format_iso(int64_t ms, char *out, size_t size);
/* Formats as an HTTP date (RFC 9110 IMF-fixdate). `size` >= 30. */
void lk_clock_format_http(int64_t ms, char *out, size_t size);

/* ---- Dutch civil time (Europe/Amsterdam) ------------------------------
 * CET (UTC+1), and CEST (UTC+2) from the last Sunday of March to the last
 * Sunday of October, both at 01:00 UTC (the EU rule since 1996).  Computed
 * here, never through the process's TZ, so a server set to UTC and one
 * set to Amsterdam agree. */

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1-12),
 * and back. */
int64_t lk_clock_days_from_civil(int y, int m, int d);
void lk_clock_civil_from_days(int64_t days, int *y, int *m, int *d);
/* UTC offset of Dutch civil time at `ms`, in seconds: 3600 or 7200. */
int lk_clock_nl_offset(int64_t ms);
/* Fills `tm` (year, month, day, hour, minute, second, weekday; not
 * tm_yday or tm_isdst) with Dutch civil time at `ms`. */
void lk_clock_nl_local(int64_t ms, struct tm *tm);
/* The instant of `minute` minutes after midnight (0-1440) of the Dutch
 * civil date y-m-d.  A time that does not exist (the hour skipped in
 * March) is read as CET, so it lands an hour later; the hour that occurs
 * twice in October gives its first (CEST) occurrence. */
int64_t lk_clock_nl_instant(int y, int m, int d, int minute);

#endif
