/* measure.h - service-norm clocks and figures, kept as events arrive.
 *
 * lk_measure_on_event() is the store's on_tx_event hook: it sees every
 * event a write emits inside that write's transaction, and updates the
 * live norm state of the conversation or callback it concerns and the
 * hourly figures (store/measure.h) before the write commits.  So figures
 * never drift from the data, and a crash loses neither.
 *
 * It reads nothing but the event (its type, time and payload), its own
 * state tables and facts that never change (the conversation a contact
 * belongs to).  Replaying the events table through the same function
 * therefore arrives at the same rows: that is `loket figures rebuild`
 * (lk_measure_rebuild_apply) and the test that compares both.
 *
 * Clocks of a conversation: first response (from creation to the first
 * outbound message), next response (from an inbound message after a
 * response to the next outbound one), resolution (from creation to
 * resolved).  While the conversation is pending (waiting on the
 * resident) running clocks pause.  A reopened conversation (an inbound
 * message or a status change out of resolved) takes back the resolution
 * it was counted with and its resolution clock runs on from where it
 * stopped.  A callback task's deadline is its chosen slot (the task's
 * deadline), else the callback norm's target from its creation; it is on
 * time when done by then.  Durations count in the norm's clock (business
 * or calendar time); without a norm, in calendar time.
 *
 * Durations go into fixed log-scale histogram bins: bin 0 is under one
 * second, bin i >= 1 holds [b(i-1), b(i)) with b(0) = 1 s and
 * b(i) = b(i-1) * 5 / 4 (integer milliseconds); the last bin is open.
 */
#ifndef LK_MEASURE_H
#define LK_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/norms.h"
#include "store/measure.h"
#include "store/store.h"

#define LK_MEASURE_BINS 80
#define LK_HOUR_MS 3600000LL

typedef struct lk_measure lk_measure;

/* A measure context for one store's writer.  NULL on allocation failure. */
lk_measure *lk_measure_new(void);
void lk_measure_free(lk_measure *m);

/* The on_tx_event hook (store.h); `ud` is an lk_measure.  Events it does
 * not measure cost one string comparison or two.  Returns 0 or a store
 * code (which fails the write). */
int lk_measure_on_event(lk_tx *tx, const lk_event_row *ev, void *ud);

/* The on_tx_phase hook (store.h), with the same `ud`: the figures an
 * event changes are summed in memory and written once per batch, just
 * before COMMIT; a write rolled back drops its sums. */
int lk_measure_on_phase(lk_tx *tx, int phase, void *ud);
/* Sets both hooks of `so` to `m`: how a store keeps the figures. */
void lk_measure_store_options(lk_store_options *so, lk_measure *m);

/* lk_write_fn (arg: lk_measure_rebuild_op): empties the figure and state
 * tables and replays every event of the events table through the hook,
 * in one transaction. */
typedef struct lk_measure_rebuild_op {
  lk_measure *m;
  int64_t events; /* out: events replayed */
} lk_measure_rebuild_op;
int lk_measure_rebuild_apply(lk_tx *tx, void *arg);

/* The bin of a duration, and the lower and upper bound of a bin (the
 * upper bound of the last one is its lower bound times 5/4). */
int lk_measure_bin(int64_t ms);
int64_t lk_measure_bin_low(int bin);
int64_t lk_measure_bin_high(int bin);
/* The q-quantile (0..1) of a histogram: the midpoint of the bin holding
 * it; 0 for an empty histogram. */
int64_t lk_measure_quantile(const int64_t *bins, double q);

/* The start of the UTC hour of `ms`. */
int64_t lk_measure_hour(int64_t ms);
/* The local midnight (Amsterdam) of the day holding `ms`: the key of the
 * daily rollups and of figures by day. */
int64_t lk_measure_day(int64_t ms);

/* ---- live state, as an agent sees it -------------------------------- */

typedef enum {
  LK_NORM_OK,
  LK_NORM_WARNING,  /* warn_ms or less left */
  LK_NORM_BREACHED, /* the deadline passed */
  LK_NORM_PAUSED    /* waiting on the resident */
} lk_norm_state;

const char *lk_norm_state_name(lk_norm_state s);
/* The state of clock `k` at `now` and the time left in its own clock
 * (business or calendar; negative when overdue), `warn_ms` from its
 * norm.  Only for clocks with a target that run or are paused. */
lk_norm_state lk_measure_clock_state(const lk_calendar *cal, const lk_mclock *k,
                                     int64_t warn_ms, int64_t now,
                                     int64_t *left_ms);

#endif
