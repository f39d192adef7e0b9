/* proclog_query.h - the processing log read back by supervisors (over
 * HTTP) and auditors (`loket proclog`).  Writing it is core/proclog.h.
 *
 * Reading the log is itself a processing of personal data, so every read
 * of it is logged too (operation "read", activity "logboek-inzage").
 */
#ifndef LK_CORE_PROCLOG_QUERY_H
#define LK_CORE_PROCLOG_QUERY_H

#include <stdint.h>

#include "core/access.h"
#include "store/proclog.h"
#include "store/proclog_query.h"
#include "util/buf.h"

#define LK_PROCLOG_PAGE_MAX 200
#define LK_PROCLOG_ACTIVITY "logboek-inzage"

typedef struct lk_proclog_query {
  lk_proclog_filter f; /* what the store runs; points into the fields below */
  char party_id[40];
  char actor[48];
  char operation[24];
} lk_proclog_query;

/* Fills `q` from the filters, each NULL when not given: `party_id` (a
 * UUID), `actor` ("token:tok_..."), `operation`, `from` and `to` (times,
 * see lk_proclog_parse_time; `to` is exclusive), `after` (the cursor of the
 * previous page) and `limit` (1..LK_PROCLOG_PAGE_MAX).  Returns 0 or
 * LK_EINVALID with `why` naming the parameter. */
int lk_proclog_query_prepare(lk_proclog_query *q, const char *party_id,
                             const char *actor, const char *operation,
                             const char *from, const char *to,
                             const char *after, int limit, lk_invalid *why);

/* Appends {"items":[...],"next":cursor|null} for `q`, newest first, and
 * logs the read by `v`.  Rows about a confidential party are left out
 * unless `v` may see confidential items (a partyId filter on one then
 * gives an empty page, as for an unknown party).  Returns 0 or a negative
 * code (then `out` is left as it was). */
int lk_proclog_page(lk_store *s, const lk_viewer *v, const lk_proclog_query *q,
                    lk_buf *out);

/* Appends one row as a JSON object: seq, time (Unix ms), at (the same as
 * RFC 3339 UTC), actor, partyId, operation, activity, resource, reason,
 * requestId. */
void lk_proclog_row_json(lk_buf *b, const lk_proclog_row *r);

/* Parses a time: Unix milliseconds ("1767225600000"), a date
 * ("2026-01-01", midnight UTC) or RFC 3339 ("2026-01-01T09:30:00Z",
 * "2026-01-01T10:30:00.250+01:00"; seconds optional).  Returns 0 or -1. */
int lk_proclog_parse_time(const char *s, int64_t *out_ms);

/* lk_write_fn that appends the lk_proclog_entry `arg` (for a caller that
 * must know the entry is durable before it goes on, such as the CLI). */
int lk_proclog_note_apply(lk_tx *tx, void *arg);

#endif
