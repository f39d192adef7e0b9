/* resident.h - a resident's data as the contact centre's staff see it:
 * finding a party, the resident card, and one timeline of every contact
 * across channels.
 *
 * Every function here that returns resident data also records the read in
 * the processing log (core/proclog.h), and returns an error without data
 * if it cannot: there is no unlogged access.  The one exception is the
 * card with its BSN revealed, whose log entry must be durable before the
 * number is shown; the caller commits lk_resident_reveal_apply() first and
 * shows the card only if that succeeded.
 *
 * Output is JSON text appended to an lk_buf; text fields are data, copied
 * verbatim (escaped only as JSON requires), whatever HTML they contain.
 */
#ifndef LK_CORE_RESIDENT_H
#define LK_CORE_RESIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "store/residents.h"
#include "util/buf.h"

#define LK_PARTY_FIND_MAX 50 /* most parties per page of a look-up */
#define LK_TIMELINE_MAX 100  /* most contacts per page of a timeline */
#define LK_CARD_RECENT 10    /* most recent conversations on a card */
#define LK_CARD_TASKS 20     /* open tasks on a card */
#define LK_ADDRESS_KEY_MAX 254
#define LK_NAME_PREFIX_MAX 200
#define LK_PREVIEW_CHARS 140    /* characters of a contact's preview */
#define LK_CURSOR_NAME_MAX 1024 /* longest name a look-up cursor holds */

/* ---- look-up -------------------------------------------------------------
 */

typedef struct lk_party_query {
  lk_party_find find; /* what the store runs; points into the fields below */
  const char *param;  /* the parameter searched by: "email", "phone" ... */
  char key[LK_ADDRESS_KEY_MAX + 1];        /* the normalised value searched */
  char after_name[LK_CURSOR_NAME_MAX + 1]; /* by name: the cursor's name */
} lk_party_query;

/* Fills `q` from the query parameters: exactly one of `email`, `phone`,
 * `bsn` (8 or 9 digits) or `name` (a prefix of the display name, 1 to 200
 * bytes of text) must be given (others NULL); `after` is the cursor from
 * the previous page (or NULL), `limit` 1..LK_PARTY_FIND_MAX.  Returns 0
 * or LK_EINVALID with `why` naming the parameter. */
int lk_party_query_prepare(lk_party_query *q, const char *email,
                           const char *phone, const char *bsn, const char *name,
                           const char *after, int limit, bool confidential,
                           lk_invalid *why);

/* Runs `q` and appends {"items":[...],"next":cursor|null} to `out`; each
 * item is a party's id, nummer, kind, name, confidential, active and
 * mergedInto (the survivor, or null).  Logs one "search" per party found
 * (one with no party when none is).  Returns 0 or a negative code (then
 * `out` is left as it was). */
int lk_resident_find(lk_store *s, const lk_viewer *v, const lk_party_query *q,
                     lk_buf *out);

/* ---- the card ------------------------------------------------------------
 */

/* Appends the resident card of party `id` to `out` (see docs/residents.md
 * for its members).  A BSN is masked unless `reveal`.  Without `reveal`
 * the read is logged ("read", activity "klantbeeld"); with it nothing is
 * logged and the caller must commit lk_resident_reveal_apply() before
 * showing `out`.  Returns 0, LK_STORE_NOTFOUND if `id` is malformed,
 * unknown or hidden from `v`, or another negative code (then `out` is left
 * as it was). */
int lk_resident_card(lk_store *s, const lk_viewer *v, const char *id,
                     bool reveal, lk_buf *out);

typedef struct lk_reveal_op {
  char actor[48];
  char party_id[40];
  char request_id[48];
  char reason[LK_REASON_MAX + 1];
  char resource[96];
} lk_reveal_op;

/* Validates the reveal of party `id`'s BSN by `v` for `reason`.  Returns 0
 * or LK_EINVALID with `why` filled (field "reason"). */
int lk_resident_reveal_prepare(lk_reveal_op *op, const lk_viewer *v,
                               const char *id, const char *reason,
                               lk_invalid *why);
/* lk_write_fn: logs the card's read and the reveal ("reveal-bsn", with
 * the reason) in one transaction. */
int lk_resident_reveal_apply(lk_tx *tx, void *arg);

/* ---- the timeline --------------------------------------------------------
 */

/* Appends {"items":[...],"next":cursor|null} to `out`: contacts of party
 * `id`'s history (its conversations, those it was involved in, and those
 * of parties merged into it), newest first, after the cursor `after` (or
 * NULL), at most `limit` (1..LK_TIMELINE_MAX).  Logs the read.  Returns
 * 0, LK_STORE_NOTFOUND for an unknown or hidden party, LK_EINVALID (with
 * `why`) for a malformed cursor, or another negative code. */
int lk_resident_timeline(lk_store *s, const lk_viewer *v, const char *id,
                         const char *after, int limit, lk_buf *out,
                         lk_invalid *why);

/* Writes a one-line preview of `content` into `out`: runs of blanks and
 * line breaks become one space, leading and trailing blanks go, and text
 * longer than LK_PREVIEW_CHARS characters is cut at a character boundary
 * and ends in "…".  `size` must be at least LK_PREVIEW_CHARS * 4 + 4. */
void lk_resident_preview(const char *content, char *out, size_t size);

#endif
