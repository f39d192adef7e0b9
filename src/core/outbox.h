/* outbox.h - sending what the outbox table holds, with retries.
 *
 * A change that must reach another system (a Mastodon status, an e-mail)
 * queues a message with lk_store_outbox_add() (store/outbox.h) inside its
 * own write, so the message exists exactly when the change committed.
 * The outbox then sends it on its own worker thread, through the sender
 * registered for the message's kind:
 *
 *   - woken by the outbox.queued event a queueing write emits (also when
 *     another Loket process or the CLI committed it), and once a second;
 *   - a due row is leased (a write) before it is sent, so two processes on
 *     one database never send the same row at once; a lease held by a
 *     process on this host that has died is taken back at once, others
 *     when they expire;
 *   - LK_OUTBOX_RETRY waits 5 s, doubling to 1 h, each plus up to a
 *     quarter more at random, or longer when the sender asked for it
 *     (lk_outbox_retry_after); after `max_attempts` sends or `max_age_ms`
 *     the row has failed, as it has at once after LK_OUTBOX_PERMANENT;
 *   - a row of a kind nobody registered stays pending (logged once);
 *   - each kind sends on a thread of its own (kinds that share a
 *     connection may share one: lk_outbox_kind_options.lane), so a slow
 *     or hanging server of one kind never holds up another;
 *   - sent rows are deleted after keep_sent_ms (7 days), failed rows
 *     after keep_failed_ms (30 days), a small batch a tick.
 *
 * Delivery is at least once: a process that dies after a send and before
 * recording it sends again, so senders pass the row's key on to the other
 * side as an idempotency key where it has one.  See docs/outbox.md.
 *
 * Order.  The lanes read and write the store, are called by the bus and
 * call the senders until lk_outbox_stop() has joined them, so:
 *
 *   lk_store_open, lk_bus_create     (and every sender's ud)
 *     lk_outbox_new, lk_outbox_register..., lk_outbox_start
 *     ...
 *     lk_outbox_stop or lk_outbox_free
 *   lk_store_stop / lk_store_close, lk_bus_destroy   (and the senders)
 *
 * Nothing else stops the lanes: a store closed, or a sender freed, before
 * the outbox stopped is used after it is freed.  Tests keep the outbox
 * where their teardown can free it first, since a failed assertion leaves
 * the test before its own lk_outbox_free.
 */
#ifndef LK_CORE_OUTBOX_H
#define LK_CORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "events/bus.h"
#include "store/outbox.h"
#include "store/store.h"
#include "util/buf.h"

/* A sender that finds nothing to send any more (the notice was
 * withdrawn) returns LK_OUTBOX_SENT with a detail that starts with this:
 * the row is done, not failed, and nobody mistakes the detail for a
 * remote id. */
#define LK_OUTBOX_SKIPPED "skipped: "

typedef enum {
  LK_OUTBOX_SENT = 0,     /* done; detail = remote id or URL */
  LK_OUTBOX_RETRY = 1,    /* temporary: try again after backoff */
  LK_OUTBOX_PERMANENT = 2 /* give up: detail says why (no secrets) */
} lk_outbox_result;

/* Runs on the outbox's worker thread (never an HTTP or the writer thread)
 * and may block on the network, with bounded time-outs.  `detail` has
 * room for detail_len bytes including the NUL. */
typedef lk_outbox_result (*lk_outbox_send_fn)(void *ud, const char *key,
                                              const char *payload, char *detail,
                                              size_t detail_len);

typedef struct lk_outbox lk_outbox; /* app->outbox */

typedef struct lk_outbox_options {
  int64_t backoff_min_ms; /* first retry; 0: 5 s */
  int64_t backoff_max_ms; /* longest wait; 0: 1 h */
  int max_attempts;       /* sends before giving up; 0: 12 */
  int64_t max_age_ms;     /* give up this long after queueing; 0: 24 h */
  int64_t tick_ms;        /* look for due rows at least this often; 0: 1 s */
  int64_t lease_ms;       /* a claimed row is ours this long; 0: 5 min */
  int64_t stop_grace_ms;  /* a send under way at stop may finish; 0: 5 s */
  int64_t keep_sent_ms;   /* then sent rows are deleted; 0: 7 days */
  int64_t keep_failed_ms; /* failed rows not retried; 0: 30 days */
} lk_outbox_options;

/* Per kind (lk_outbox_register_with); zero fields take the defaults. */
typedef struct lk_outbox_kind_options {
  /* Kinds naming the same lane send on one thread, taking turns (they
   * share a connection, say); NULL: the kind has a thread of its own. */
  const char *lane;
  /* The longest wait between two sends of this kind, Retry-After
   * included, if shorter than the outbox's backoff_max_ms (Mastodon keeps
   * an Idempotency-Key for an hour only). */
  int64_t backoff_max_ms;
} lk_outbox_kind_options;

#define LK_OUTBOX_KINDS_MAX 16

/* Makes an outbox on `store` that listens on `bus` (may be NULL: then
 * only the tick and lk_outbox_kick wake it); `opt` may be NULL.  Nothing
 * runs until lk_outbox_start().  Both must outlive lk_outbox_free() (see
 * Order above).  NULL when out of memory. */
lk_outbox *lk_outbox_new(lk_store *store, lk_bus *bus,
                         const lk_outbox_options *opt);
/* Sends rows of `kind` with fn(ud, ...); `ud` must stay valid until
 * lk_outbox_stop() returns.  Before or after start.  Returns
 * 0, -EEXIST for a kind registered already, -ENOSPC beyond
 * LK_OUTBOX_KINDS_MAX, -EINVAL for a bad kind. */
int lk_outbox_register(lk_outbox *ob, const char *kind, lk_outbox_send_fn fn,
                       void *ud);
/* lk_outbox_register() with options (`ko` may be NULL). */
int lk_outbox_register_with(lk_outbox *ob, const char *kind,
                            lk_outbox_send_fn fn, void *ud,
                            const lk_outbox_kind_options *ko);
/* Starts the worker thread.  Returns 0 or a negative errno. */
int lk_outbox_start(lk_outbox *ob);
/* Asks the worker to look for due rows now.  Thread-safe. */
void lk_outbox_kick(lk_outbox *ob);
/* Lets the sends under way finish and records them (a sender still busy
 * after stop_grace_ms ends its transfer when lk_outbox_stopping() says
 * so; its row is then given back uncounted), gives back the rest of the
 * rows claimed and joins the threads: when it returns, no thread of the
 * outbox runs and none touches the store, the bus or a sender again.
 * Call before lk_store_stop(), lk_store_close() and lk_bus_destroy().
 * Safe to call twice. */
void lk_outbox_stop(lk_outbox *ob);
/* lk_outbox_stop(), stops listening on the bus, then frees.  Safe with
 * NULL.  Before lk_store_close() and lk_bus_destroy(). */
void lk_outbox_free(lk_outbox *ob);
/* True once lk_outbox_stop() began stop_grace_ms ago: a sender still
 * busy should abort its transfer (the row is then given back, its attempt
 * not counted, and sent after the restart). */
bool lk_outbox_stopping(const lk_outbox *ob);

/* Called by a send function, before it returns LK_OUTBOX_RETRY, when the
 * other side said how long to wait (an HTTP Retry-After): the next attempt
 * waits at least `ms` (at most backoff_max_ms, or the kind's).  Only on the
 * worker thread; ignored elsewhere. */
void lk_outbox_retry_after(int64_t ms);

/* The wait after the `attempts`-th failed send (attempts >= 1), before
 * jitter, and with the jitter that `rnd` (uniform 32 bits) picks: min(min *
 * 2^(attempts-1), max) plus up to a quarter more. */
int64_t lk_outbox_backoff_ms(const lk_outbox_options *opt, int attempts,
                             uint32_t rnd);

/* What the worker did so far (for /metrics and tests). */
typedef struct lk_outbox_stats {
  uint64_t sent;
  uint64_t retried;
  uint64_t failed;
  int64_t pending; /* rows waiting, every kind, at the last look */
  uint64_t passes; /* times a thread looked for due rows */
  uint64_t purged; /* sent and failed rows deleted by the retention */
} lk_outbox_stats;

void lk_outbox_stats_get(const lk_outbox *ob, lk_outbox_stats *out);
/* lk_metrics_fn (ud: the outbox). */
void lk_outbox_metrics(lk_buf *b, void *ud);

/* ---- a staff retry (prepare validates, apply is an lk_write_fn) ------ */

typedef struct lk_outbox_retry_op {
  char actor[64];
  char id[LK_OUTBOX_ID_LEN + 1];
  lk_outbox_row row; /* the row after */
} lk_outbox_retry_op;

/* LK_EINVALID (field "id") when `id` cannot name a row. */
int lk_outbox_retry_prepare(lk_outbox_retry_op *op, const char *actor,
                            const char *id, lk_invalid *why);
/* A failed row pending again now, with an audit entry.  LK_STORE_NOTFOUND,
 * LK_STORE_CONFLICT unless the row has failed. */
int lk_outbox_retry_apply(lk_tx *tx, void *arg);

/* The row as the staff API shows it: no payload, no lease owner. */
void lk_outbox_row_json(lk_buf *b, const lk_outbox_row *r);

#endif
