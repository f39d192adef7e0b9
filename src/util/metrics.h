/* metrics.h - counters and histograms for the Prometheus text format.
 *
 * Updates are lock-free (relaxed atomics) so the hot path pays a few
 * nanoseconds.  A registry holds render callbacks; /metrics concatenates
 * their output.  Names follow Prometheus conventions (loket_..._total,
 * ..._seconds).
 */
#ifndef LK_METRICS_H
#define LK_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "util/buf.h"

#define LK_HIST_MAX_BUCKETS 16

typedef struct lk_histogram {
  const double *bounds; /* upper bounds, ascending, in the observed unit */
  int nbounds;
  double scale; /* observed values are divided by this when rendered */
  _Atomic uint64_t buckets[LK_HIST_MAX_BUCKETS + 1]; /* last is +Inf */
  _Atomic uint64_t count;
  _Atomic uint64_t sum; /* in observed units */
} lk_histogram;

/* Latency buckets in seconds (observed in nanoseconds). */
extern const double lk_latency_bounds[];
extern const int lk_latency_nbounds;

/* `bounds` are in rendered units; observations in rendered units times
 * `scale` (e.g. nanoseconds with scale 1e9 for seconds). */
void lk_histogram_init(lk_histogram *h, const double *bounds, int nbounds,
                       double scale);
void lk_histogram_observe(lk_histogram *h, uint64_t value);
/* Renders the _bucket, _sum and _count series of `name`; `labels` is
 * either "" or label pairs without braces ("route=\"/x\""). */
void lk_histogram_render(const lk_histogram *h, lk_buf *b, const char *name,
                         const char *labels);

typedef void (*lk_metrics_fn)(lk_buf *b, void *ud);

/* Adds a collector; up to 32. Returns 0 or -ENOSPC. */
int lk_metrics_register(lk_metrics_fn fn, void *ud);
void lk_metrics_unregister_all(void);
void lk_metrics_render(lk_buf *b);

#endif
