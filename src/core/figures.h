/* figures.h - the contact centre's figures over a period, from the hourly
 * aggregates that core/measure.h keeps as events arrive.
 *
 * A query reads one aggregate row per hour (by day: per day, from the
 * daily rollups) and the histogram bins in use, never the history
 * itself; quantiles come from the merged log-scale histograms, so they
 * are exact to the bin (within 12.5% of the true value).
 */
#ifndef LK_FIGURES_H
#define LK_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/measure.h"
#include "store/store.h"
#include "util/buf.h"

#define LK_FIG_HOURS_MAX (32 * 24)
#define LK_FIG_DAYS_MAX 400

typedef struct lk_fig_clock {
  int64_t n;        /* measured */
  int64_t total_ms; /* their sum */
  int64_t normed;   /* measured against a norm */
  int64_t met;      /* ... and within it */
  int64_t bins[LK_MEASURE_BINS];
} lk_fig_clock;

typedef struct lk_fig_bucket {
  int64_t start; /* hour, or local midnight for days */
  int64_t created, inbound, outbound, reopened;
  int64_t backlog_in, backlog_out;
  int64_t fcr;
  int64_t callbacks, callbacks_normed, callbacks_met;
  lk_fig_clock clk[LK_MC_CLOCKS]; /* first response, next, resolution */
} lk_fig_bucket;

typedef struct lk_fig_agent {
  char agent_id[LK_MEASURE_ID];
  int64_t online_ms;
  int64_t busy_ms;
} lk_fig_agent;

typedef struct lk_fig_query {
  int64_t from;        /* Unix ms; rounded down to the hour (day) */
  int64_t to;          /* exclusive; rounded up */
  bool daily;          /* buckets of Amsterdam days instead of UTC hours */
  const char *channel; /* NULL: all */
  const char *team_id; /* NULL: all */
  int64_t now;         /* for the backlog and open occupancy */
  bool from_hours;     /* by day, but adding up the hourly rows instead of
                          reading the daily rollups: the same answer,
                          slower; for tests and the benchmark */
} lk_fig_query;

typedef struct lk_figures {
  lk_fig_query q;
  int nbuckets;
  lk_fig_bucket *buckets;
  lk_fig_bucket total;
  lk_mbacklog backlog;
  int nagents;
  lk_fig_agent *agents;
  int agents_cap;     /* allocated */
  bool agents_failed; /* out of memory while reading them */
} lk_figures;

/* Fills `out` for `q` (whose from/to it normalises).  Returns 0,
 * LK_STORE_INVALID when the period is empty or longer than
 * LK_FIG_HOURS_MAX hours (LK_FIG_DAYS_MAX days), or a store code.  Free
 * with lk_figures_free() in every case. */
int lk_figures_compute(lk_store *s, const lk_fig_query *q, lk_figures *out);
void lk_figures_free(lk_figures *f);
/* The figures as JSON (see docs/measure.md) and as CSV (a header line,
 * one line per bucket, a "total" line). */
void lk_figures_json(lk_buf *b, const lk_figures *f);
void lk_figures_csv(lk_buf *b, const lk_figures *f);
/* One item of the live list (store/measure.h) as JSON: its norms with
 * deadline, state (ok, warning, breached, paused) and time left at
 * `now` in the norm's own clock.  The warning threshold comes from the
 * matching norm of `ns`. */
void lk_norms_item_json(lk_buf *b, const lk_mitem *it, const lk_norms *ns,
                        int64_t now);

/* Prometheus text: all-time counters and backlog gauges per channel. */
void lk_figures_metrics(lk_buf *b, lk_store *s, int64_t now);

#endif
