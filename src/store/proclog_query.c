/* proclog_query.c - the processing log, newest first.
 *
 * The log grows with every read of resident data, so a query must never
 * scan it: each of the three statements below walks one index in time
 * order (party_id, time), (actor, time) or (time) and stops at the limit;
 * the other filters are checked on the rows it meets.  The cursor is the
 * (time, seq) of the last row, compared as a row value so that the index
 * range starts right there.
 */
#include "store/proclog_query.h"

#include "store/internal.h"

#define COLUMNS                                                                \
  "SELECT seq, time, actor, party_id, operation, activity, resource,"          \
  " reason, request_id FROM processing_log "

#define REST                                                                   \
  " AND (?2 = '' OR actor = ?2) AND (?3 = '' OR operation = ?3)"               \
  " AND time >= ?4 AND time < ?5 AND (time, seq) < (?6, ?7)"                   \
  " AND (?9 = 0 OR processing_log.party_id IS NULL OR NOT EXISTS (SELECT 1"    \
  " FROM parties cp WHERE cp.id = processing_log.party_id"                     \
  " AND cp.confidential = 1))"                                                 \
  " ORDER BY time DESC, seq DESC LIMIT ?8"

static const char *nz(const char *s) {
  return s != NULL ? s : "";
}

struct query_ctx {
  lk_proclog_fn fn;
  void *ud;
};

static void query_row(lk_stmt *st, void *ud) {
  struct query_ctx *qc = ud;
  lk_proclog_row r;

  r.seq = lk_stmt_col_int(st, 0);
  r.time = lk_stmt_col_int(st, 1);
  r.actor = lk_stmt_col_text(st, 2);
  r.party_id = lk_stmt_col_text(st, 3);
  r.operation = lk_stmt_col_text(st, 4);
  r.activity = lk_stmt_col_text(st, 5);
  r.resource = lk_stmt_col_text(st, 6);
  r.reason = lk_stmt_col_text(st, 7);
  r.request_id = lk_stmt_col_text(st, 8);
  qc->fn(&r, qc->ud);
}

int lk_store_proclog_query(lk_store *s, const lk_proclog_filter *f,
                           lk_proclog_fn fn, void *ud) {
  static const char by_party[] = COLUMNS "WHERE party_id = ?1" REST;
  /* ?1 is bound but unused here: the actor is the index's own column. */
  static const char by_actor[] = COLUMNS "WHERE actor = ?2 AND ?1 = ''" REST;
  static const char by_time[] = COLUMNS "WHERE ?1 = ''" REST;
  const char *const texts[] = {nz(f->party_id), nz(f->actor), nz(f->operation)};
  const int64_t nums[] = {f->from,        f->to,
                          f->before_time, f->before_seq,
                          f->limit,       f->hide_confidential ? 1 : 0};
  struct query_ctx qc = {fn, ud};
  const char *sql;

  if (f->limit < 1)
    return 0;
  if (texts[0][0] != '\0')
    sql = by_party;
  else if (texts[1][0] != '\0')
    sql = by_actor;
  else
    sql = by_time;
  return lk_rows_read(s, sql, texts, 3, nums, 6, query_row, &qc);
}
