/* outbox.h - the outbox table (migration 0013): messages to other systems
 * queued inside the write that causes them, and their sending state.
 *
 * The rules (when to retry, when to give up) live in core/outbox.h; these
 * functions only move rows.  Functions taking an lk_tx run inside a write,
 * those taking an lk_store read through the pool.  All return 0 (or a
 * count where said) or a negative LK_STORE_* code; out parameters are
 * filled only on success.
 */
#ifndef LK_STORE_OUTBOX_H
#define LK_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define LK_OUTBOX_ID_LEN 36 /* a UUID */
#define LK_OUTBOX_KIND_MAX 32
#define LK_OUTBOX_KEY_MAX 200
#define LK_OUTBOX_PAYLOAD_MAX (256 * 1024)
#define LK_OUTBOX_DETAIL_MAX 500 /* last_error and result */
#define LK_OUTBOX_OWNER_MAX 127

typedef struct lk_outbox_row {
  char id[LK_OUTBOX_ID_LEN + 1];
  char kind[LK_OUTBOX_KIND_MAX + 1];
  char key[LK_OUTBOX_KEY_MAX + 1];
  char state[8]; /* pending, sent, failed */
  int attempts;
  int64_t next_attempt_at;
  char lease_owner[LK_OUTBOX_OWNER_MAX + 1]; /* "" none */
  int64_t lease_until;                       /* 0 none */
  char last_error[LK_OUTBOX_DETAIL_MAX + 1];
  char result[LK_OUTBOX_DETAIL_MAX + 1];
  int64_t created_at;
  int64_t since; /* the give-up clock: requeued_at, else created_at */
  int64_t sent_at;
  int64_t updated_at;
} lk_outbox_row;

/* ---- inside a write ------------------------------------------------- */

/* Queues one message inside the caller's write transaction; kind is a
 * registered sender ("mastodon", "mail"), key makes it idempotent: a
 * second add with the same kind and key is a no-op that returns 0.
 * payload is a JSON object text (<= 256 KiB).  Returns 0 or an
 * LK_STORE_* code.
 *
 * The first message a write queues also emits the event outbox.queued,
 * which wakes the outbox worker of every Loket process on the database
 * once the write commits. */
int lk_store_outbox_add(struct lk_tx *tx, const char *kind, const char *key,
                        const char *payload);

/* A row claimed for sending, with its payload (malloc'd). */
typedef struct lk_outbox_claimed {
  lk_outbox_row row;
  char *payload;
} lk_outbox_claimed;

/* Leases up to `max` due rows of `kind` to `owner` until now + lease_ms
 * (due: pending, next_attempt_at reached, no lease or an expired one),
 * counting an attempt on each, oldest due first.  Fills out[0..n) and
 * returns n; free the payloads with lk_store_outbox_claimed_free(). */
int lk_store_outbox_claim(lk_tx *tx, const char *kind, const char *owner,
                          int64_t lease_ms, int max, lk_outbox_claimed *out);
void lk_store_outbox_claimed_free(lk_outbox_claimed *c, int n);

/* The outcome of a send by `owner`; each ends the lease.  They change
 * only a pending row `owner` still holds: LK_STORE_NOTFOUND otherwise
 * (the lease expired and someone else may have it).
 * sent: `result` is the remote id or URL.
 * retry: pending again from `next_at`, `error` kept as last_error.
 * failed: given up; emits outbox.failed. */
int lk_store_outbox_sent(lk_tx *tx, const char *id, const char *owner,
                         const char *result);
int lk_store_outbox_retry(lk_tx *tx, const char *id, const char *owner,
                          int64_t next_at, const char *error);
int lk_store_outbox_failed(lk_tx *tx, const char *id, const char *owner,
                           const char *error);
/* Gives back a claimed row unsent (the attempt does not count). */
int lk_store_outbox_release(lk_tx *tx, const char *id, const char *owner);
/* Ends every lease `owner` holds (a process that is gone).  Returns the
 * number of rows released. */
int lk_store_outbox_release_owner(lk_tx *tx, const char *owner);
/* The retention: deletes at most `max` rows in `state` ("sent" or
 * "failed") last changed before `before`, the oldest first, payload and
 * all.  Returns the number deleted. */
int lk_store_outbox_purge(lk_tx *tx, const char *state, int64_t before,
                          int max);
/* Its statement: ?1 state, ?2 before, ?3 max (for a test, as above). */
const char *lk_store_outbox_purge_sql(void);
/* A failed row pending again now, with no attempts and a new give-up
 * clock; emits outbox.queued.  LK_STORE_NOTFOUND, or LK_STORE_CONFLICT
 * unless the row has failed.  Fills *out with the row after. */
int lk_store_outbox_requeue(lk_tx *tx, const char *id, lk_outbox_row *out);

/* ---- reads ---------------------------------------------------------- */

int lk_store_outbox_get(lk_store *s, const char *id, lk_outbox_row *out);
int lk_store_outbox_by_key(lk_store *s, const char *kind, const char *key,
                           lk_outbox_row *out);

typedef void (*lk_outbox_row_fn)(const lk_outbox_row *r, void *ud);
/* Rows newest first after the row `after_id` ("" for the start), with
 * `state` and `kind` when not "" , at most `limit`.  Returns the number
 * listed. */
int lk_store_outbox_list(lk_store *s, const char *state, const char *kind,
                         const char *after_id, int limit, lk_outbox_row_fn fn,
                         void *ud);

/* The statement lk_store_outbox_list() runs for these filters (for a
 * test that asks SQLite how it runs it). */
const char *lk_store_outbox_list_sql(const char *state, const char *kind,
                                     const char *after_id);

/* Per kind with pending rows: how many, and when the first may be sent
 * (its next attempt, or the end of its lease if that is later). */
typedef void (*lk_outbox_pending_fn)(const char *kind, int64_t count,
                                     int64_t due_at, void *ud);
int lk_store_outbox_pending(lk_store *s, lk_outbox_pending_fn fn, void *ud);
/* Calls `fn` once for each owner holding a lease on a pending row. */
typedef void (*lk_outbox_owner_fn)(const char *owner, void *ud);
int lk_store_outbox_owners(lk_store *s, lk_outbox_owner_fn fn, void *ud);

#endif
