/* channel.h - the public channels: whether one is open now, until when
 * or from when, and how long a resident can expect to wait.
 *
 * A channel's configuration is a row of migration 0020 (store/channels.h)
 * with its opening hours as a business-hours calendar (core/calendar.h:
 * Amsterdam time, Dutch public holidays).  Admins change it with
 * lk_channel_update_prepare()/_apply() (PUT /api/v1/channels/{channel}).
 *
 * The waiting time is estimated from live data, never configured
 * (docs/resident-pages.md): the median business-time delay to the first
 * answer of the channel's recently answered conversations, and the time
 * the current queue takes to drain at the rate answers went out in the
 * last hour; the larger of the two.
 */
#ifndef LK_CHANNEL_H
#define LK_CHANNEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/token.h"
#include "store/channels.h"
#include "util/buf.h"

/* How far back and how many answered conversations the estimate reads. */
#define LK_WAIT_WINDOW_MS (14LL * 24 * 3600 * 1000)
#define LK_WAIT_SAMPLES 100
#define LK_WAIT_RATE_MS (3600LL * 1000)

/* Reads `r->hours` into `cal` (starting from an empty week).  Returns 0 or
 * LK_CAL_EINVALID (a stored calendar that no longer parses counts as
 * closed). */
int lk_channel_calendar(const lk_channel_row *r, lk_calendar *cal);

typedef struct lk_channel_state {
  bool open;           /* open at `now` */
  int64_t closes_at;   /* when open: end of the current opening, 0 if none
                          within a week */
  int64_t opens_at;    /* when closed: the next opening, LK_CAL_NEVER if none */
  const char *holiday; /* today's public holiday (Dutch name), or NULL */
} lk_channel_state;

void lk_channel_state_at(const lk_calendar *cal, int64_t now,
                         lk_channel_state *out);

typedef struct lk_wait {
  bool known;          /* there was something to estimate from */
  int samples;         /* answered conversations read */
  int64_t median_ms;   /* median business-time delay to the first answer */
  int64_t queue;       /* conversations waiting now */
  int answered_hour;   /* first answers in the last hour */
  int64_t drain_ms;    /* time the queue takes at that rate (0: no rate) */
  int64_t estimate_ms; /* max(median, drain) */
} lk_wait;

/* The estimate from its inputs: `n` conversations created at created[i]
 * and first answered at answered[i] (newest answer first), `queue`
 * waiting now.  Pure: the unit tests call it. */
void lk_wait_compute(const lk_calendar *cal, int64_t now,
                     const int64_t *created, const int64_t *answered, int n,
                     int64_t queue, lk_wait *out);
/* Reads the inputs of `channel` from the store and computes. */
int lk_channel_wait(lk_store *s, const char *channel, const lk_calendar *cal,
                    int64_t now, lk_wait *out);

/* ---- PUT /api/v1/channels/{channel} ----------------------------------- */

typedef struct lk_channel_update_op {
  char actor[48];
  char request_id[48];
  lk_channel_row row;
} lk_channel_update_op;

/* Validates the object `body` ({"label", "enabled", "async", "hours",
 * "contact", "description"}; label, enabled and hours required) for
 * `channel` and fills `op`.  An enabled telephone, e-mail or desk channel
 * needs contact details.  Returns 0 or LK_EINVALID with `why`. */
int lk_channel_update_prepare(lk_channel_update_op *op, const char *actor,
                              const char *channel, const json_t *body,
                              lk_invalid *why);
/* lk_write_fn: saves the row, audits it (channel.updated) and emits
 * channel.updated {"channel", "enabled"}.  LK_STORE_NOTFOUND for a
 * channel without a row. */
int lk_channel_update_apply(lk_tx *tx, void *arg);

/* Renders a channel for the API, with its state and estimate at `now`. */
void lk_channel_json(lk_buf *b, const lk_channel_row *r, const lk_calendar *cal,
                     const lk_channel_state *st, const lk_wait *w);

#endif
