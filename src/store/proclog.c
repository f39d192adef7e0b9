/* proclog.c - the processing log's rows. */
#include "store/proclog.h"
#include "store/internal.h"

int lk_store_proclog_insert(lk_tx *tx, const lk_proclog_entry *e) {
  static const char sql[] =
      "INSERT INTO processing_log (time, actor, party_id, operation,"
      " activity, resource, reason, request_id)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, lk_tx_now(tx));
  lk_stmt_text(st, 2, e->actor);
  lk_stmt_text(st, 3, e->party_id != NULL ? e->party_id : "");
  lk_stmt_text(st, 4, e->operation);
  lk_stmt_text(st, 5, e->activity);
  lk_stmt_text(st, 6, e->resource != NULL ? e->resource : "");
  lk_stmt_text(st, 7, e->reason != NULL ? e->reason : "");
  lk_stmt_text(st, 8, e->request_id != NULL ? e->request_id : "");
  return lk_stmt_run(st);
}
