#include "util/metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

const double lk_latency_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                    0.005,  0.01,    0.025,  0.05,  0.1,
                                    0.25,   0.5,     1,      2.5,   5};
const int lk_latency_nbounds =
    (int)(sizeof(lk_latency_bounds) / sizeof(lk_latency_bounds[0]));

void lk_histogram_init(lk_histogram *h, const double *bounds, int nbounds,
                       double scale) {
  h->bounds = bounds;
  h->nbounds = nbounds > LK_HIST_MAX_BUCKETS ? LK_HIST_MAX_BUCKETS : nbounds;
  h->scale = scale;
  for (int i = 0; i <= LK_HIST_MAX_BUCKETS; i++)
    atomic_init(&h->buckets[i], 0);
  atomic_init(&h->count, 0);
  atomic_init(&h->sum, 0);
}

void lk_histogram_observe(lk_histogram *h, uint64_t value) {
  double v = (double)value / h->scale;
  int i = 0;

  while (i < h->nbounds && v > h->bounds[i])
    i++;
  atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&h->sum, value, memory_order_relaxed);
}

static void series(lk_buf *b, const char *name, const char *suffix,
                   const char *labels, const char *extra) {
  lk_buf_printf(b, "%s%s", name, suffix);
  if (labels[0] != '\0' || extra != NULL) {
    lk_buf_putc(b, '{');
    lk_buf_puts(b, labels);
    if (labels[0] != '\0' && extra != NULL)
      lk_buf_putc(b, ',');
    if (extra != NULL)
      lk_buf_puts(b, extra);
    lk_buf_putc(b, '}');
  }
}

/* Formats `v` with as few digits as read back to the same double: a
 * bucket's le must be exactly its bound ("%g" turns 1234567 into
 * 1.23457e+06). */
static void format_double(char *out, size_t size, double v) {
  snprintf(out, size, "%.15g", v);
  if (strtod(out, NULL) != v)
    snprintf(out, size, "%.17g", v);
}

void lk_histogram_render(const lk_histogram *h, lk_buf *b, const char *name,
                         const char *labels) {
  uint64_t cumulative = 0;
  char num[32];
  char le[48];

  for (int i = 0; i <= h->nbounds; i++) {
    cumulative += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
    if (i < h->nbounds) {
      format_double(num, sizeof(num), h->bounds[i]);
      snprintf(le, sizeof(le), "le=\"%s\"", num);
    } else {
      snprintf(le, sizeof(le), "le=\"+Inf\"");
    }
    series(b, name, "_bucket", labels, le);
    lk_buf_printf(b, " %llu\n", (unsigned long long)cumulative);
  }
  series(b, name, "_sum", labels, NULL);
  format_double(num, sizeof(num),
                (double)atomic_load_explicit(&h->sum, memory_order_relaxed) /
                    h->scale);
  lk_buf_printf(b, " %s\n", num);
  series(b, name, "_count", labels, NULL);
  /* _count must equal the +Inf bucket even while others observe. */
  lk_buf_printf(b, " %llu\n", (unsigned long long)cumulative);
}

#define MAX_COLLECTORS 32

static struct {
  lk_metrics_fn fn;
  void *ud;
} collectors[MAX_COLLECTORS];
static int ncollectors;
static pthread_mutex_t collectors_lock = PTHREAD_MUTEX_INITIALIZER;

int lk_metrics_register(lk_metrics_fn fn, void *ud) {
  int rc = 0;

  pthread_mutex_lock(&collectors_lock);
  if (ncollectors == MAX_COLLECTORS) {
    rc = -ENOSPC;
  } else {
    collectors[ncollectors].fn = fn;
    collectors[ncollectors].ud = ud;
    ncollectors++;
  }
  pthread_mutex_unlock(&collectors_lock);
  return rc;
}

void lk_metrics_unregister_all(void) {
  pthread_mutex_lock(&collectors_lock);
  ncollectors = 0;
  pthread_mutex_unlock(&collectors_lock);
}

void lk_metrics_render(lk_buf *b) {
  pthread_mutex_lock(&collectors_lock);
  for (int i = 0; i < ncollectors; i++)
    collectors[i].fn(b, collectors[i].ud);
  pthread_mutex_unlock(&collectors_lock);
}
