/* ratelimit.h - a sliding-window limit on attempts per key, in memory.
 *
 * Log-in attempts are limited per account and per client address: at most
 * `max` attempts in any window of `window_ms`.  The window slides: each
 * attempt counts until `window_ms` after it was made, so there is no
 * boundary at which a burst of twice the limit gets through.
 *
 * Keys are kept as keyed digests (a random key per limiter), so the table
 * holds no e-mail addresses and nobody outside can aim many keys at one
 * set of slots.  The table has a fixed size (sets of 4 entries): when a
 * set is full, a key that is not blocked is forgotten first, the one with
 * the fewest attempts (then the oldest) first, so flooding with new keys
 * evicts other new keys, not a victim's recent failures.  A blocked key is
 * forgotten before its window ends only when all 4 entries of its set are
 * blocked, and then the most recently blocked goes first.  The bound: to
 * push out a victim's block an attacker must have blocked the 3 other
 * entries of its set before it (the set is unpredictable, so about 3/4 of
 * all `keys` × `max` attempts, within one window); a victim with fewer
 * than `max` failures loses them only to keys with at least as many.  All
 * functions are thread-safe.  Time comes from an lk_clock, so tests move
 * it at will.
 */
#ifndef LK_RATELIMIT_H
#define LK_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"

#define LK_RATELIMIT_MAX_HITS 64 /* largest `max` a limiter accepts */

typedef struct lk_ratelimit lk_ratelimit;

/* A limiter of `max` (1..LK_RATELIMIT_MAX_HITS) attempts per `window_ms`
 * (> 0) that keeps about `keys` keys (rounded up to a multiple of 4;
 * 0 means 4096).  `clock` must outlive it.  Returns NULL on bad arguments
 * or when out of memory. */
lk_ratelimit *lk_ratelimit_new(int max, int64_t window_ms, size_t keys,
                               lk_clock *clock);
/* Safe with NULL. */
void lk_ratelimit_free(lk_ratelimit *rl);

/* Counts an attempt for `key`.  Returns 0 when it is allowed: it is then
 * recorded, at the time put in *stamp (may be NULL) for
 * lk_ratelimit_forgive().  Otherwise nothing is recorded and the result is
 * the number of milliseconds (> 0) until an attempt will be allowed. */
int64_t lk_ratelimit_hit(lk_ratelimit *rl, const char *key, int64_t *stamp);
/* Takes back the attempt recorded at `stamp`, for an attempt that should
 * not count after all (a successful log-in).  No-op if it is gone. */
void lk_ratelimit_forgive(lk_ratelimit *rl, const char *key, int64_t stamp);
/* Forgets every attempt of `key`. */
void lk_ratelimit_reset(lk_ratelimit *rl, const char *key);
/* Attempts of `key` inside the window now (for tests and metrics). */
int lk_ratelimit_count(lk_ratelimit *rl, const char *key);

#endif
