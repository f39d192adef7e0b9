/* subscriptions.h - residents' e-mail subscriptions to Actueel notices by
 * postcode (migration 0014).
 *
 * The functions taking an lk_tx run inside a write; those taking an
 * lk_store read through the pool, except where both are accepted (`tx`
 * NULL reads through the pool).  All return 0 or a negative LK_STORE_*
 * code; out parameters are filled only on success.
 */
#ifndef LK_STORE_SUBSCRIPTIONS_H
#define LK_STORE_SUBSCRIPTIONS_H

#include <stdint.h>

#include "store/store.h"

#define LK_SUB_ID_LEN 36 /* a UUID */
#define LK_SUB_EMAIL_MAX 254
#define LK_SUB_POSTCODE_MAX 6 /* "1234AB" */
#define LK_SUB_STATE_MAX 12   /* "unsubscribed" */

typedef struct lk_subscription_row {
  char id[LK_SUB_ID_LEN + 1];
  char email[LK_SUB_EMAIL_MAX + 1];
  char address_key[LK_SUB_EMAIL_MAX + 1];
  char postcode[LK_SUB_POSTCODE_MAX + 1];
  char state[LK_SUB_STATE_MAX + 1]; /* pending, confirmed, unsubscribed */
  int confirm_sends;                /* confirmation mails queued so far */
  int64_t confirm_sent_at;          /* 0: none yet */
  int64_t created_at;
  int64_t confirmed_at; /* 0: not (yet) */
  int64_t unsubscribed_at;
} lk_subscription_row;

/* ---- inside a write ------------------------------------------------- */

/* The pending or confirmed subscription of `address_key` to `postcode`;
 * LK_STORE_NOTFOUND if there is none. */
int lk_store_subscription_active(lk_tx *tx, const char *address_key,
                                 const char *postcode,
                                 lk_subscription_row *out);
/* Inserts `r` (state pending) with the hex digests of its tokens.
 * LK_STORE_CONFLICT if an active one exists for the address and postcode
 * or a digest is taken. */
int lk_store_subscription_insert(lk_tx *tx, const lk_subscription_row *r,
                                 const char *confirm_digest,
                                 const char *unsubscribe_digest);
/* Counts one more confirmation mail, sent at `now`. */
int lk_store_subscription_confirm_sent(lk_tx *tx, const char *id, int64_t now);
/* pending -> confirmed; forgets the confirmation digest.
 * LK_STORE_NOTFOUND unless `id` is pending. */
int lk_store_subscription_confirm(lk_tx *tx, const char *id, int64_t now);
/* pending or confirmed -> unsubscribed, and the address is forgotten
 * (the row stays for the counts and the one-click link).
 * LK_STORE_NOTFOUND unless `id` is active. */
int lk_store_subscription_unsubscribe(lk_tx *tx, const char *id, int64_t now);
/* Up to `limit` (<= 16) active (pending or confirmed) subscriptions of
 * `address_key`, in postcode order, into `out`.  Returns how many. */
int lk_store_subscriptions_of_address(lk_tx *tx, const char *address_key,
                                      int limit, lk_subscription_row *out);
/* Ids of up to `limit` (<= 64) pending subscriptions created and last
 * mailed before `before`, into `ids`.  Returns how many. */
int lk_store_subscriptions_stale(lk_tx *tx, int64_t before, int limit,
                                 char ids[][LK_SUB_ID_LEN + 1]);
/* Deletes pending subscription `id`.  LK_STORE_NOTFOUND if it is not. */
int lk_store_subscription_delete_pending(lk_tx *tx, const char *id);

/* Calls `fn` for every confirmed subscription that a notice covering
 * `code` (a PC4 or PC6 postcode) touches: a PC4 subscription for every
 * code of its four digits, a PC6 one for its own code and its PC4.
 * Returns the number of rows or a negative code.  The row is valid only
 * during the call. */
typedef void (*lk_subscription_fn)(const lk_subscription_row *r, void *ud);
int lk_store_subscriptions_touched(lk_tx *tx, const char *code,
                                   lk_subscription_fn fn, void *ud);

/* ---- reads (tx NULL: through the pool) ------------------------------- */

int lk_store_subscription_get(lk_store *s, lk_tx *tx, const char *id,
                              lk_subscription_row *out);
/* The pending subscription whose confirmation token has digest
 * `digest`. */
int lk_store_subscription_by_confirm(lk_store *s, lk_tx *tx, const char *digest,
                                     lk_subscription_row *out);
/* The subscription (of any state) whose unsubscribe token has digest
 * `digest`. */
int lk_store_subscription_by_unsubscribe(lk_store *s, lk_tx *tx,
                                         const char *digest,
                                         lk_subscription_row *out);

/* Counts per postcode, no addresses. */
typedef struct lk_subscription_stat {
  char postcode[LK_SUB_POSTCODE_MAX + 1];
  int64_t pending;
  int64_t confirmed;
  int64_t unsubscribed;
} lk_subscription_stat;
typedef void (*lk_subscription_stat_fn)(const lk_subscription_stat *st,
                                        void *ud);
/* Postcodes in order after `after` ("" for the start), at most `limit`.
 * Returns the number listed. */
int lk_store_subscription_stats(lk_store *s, const char *after, int limit,
                                lk_subscription_stat_fn fn, void *ud);
/* The totals over every postcode. */
int lk_store_subscription_totals(lk_store *s, lk_subscription_stat *out);

#endif
