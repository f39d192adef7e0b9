/* clock.h - time in milliseconds, and the injectable clock of the domain.
 *
 * Domain rules never call time() themselves: they take an lk_clock so tests
 * can move time across evenings and holidays in microseconds.
 */
#ifndef LK_CLOCK_H
#define LK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

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

#endif
