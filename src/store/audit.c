/* audit.c - the audit trail. */
#include "store/internal.h"

int lk_store_audit(lk_tx *tx, const char *actor, const char *action,
                   const char *subject, const char *details) {
  static const char sql[] = "INSERT INTO audit_log"
                            " (time, actor, action, subject, details)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, lk_tx_now(tx));
  lk_stmt_text(st, 2, actor);
  lk_stmt_text(st, 3, action);
  lk_stmt_text(st, 4, subject);
  lk_stmt_text(st, 5, details);
  return lk_stmt_run(st);
}
