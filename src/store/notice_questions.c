/* notice_questions.c - the subject_objects rows tying questions to
 * notices, and the list of them. */
#include "store/notice_questions.h"

#include "store/db.h"
#include "store/internal.h"

int lk_store_notice_question_tag(lk_tx *tx, const char *id,
                                 const char *contact_id,
                                 const char *notice_id) {
  static const char sql[] =
      "INSERT INTO subject_objects (id, contact_id, object_id, object_type,"
      " register, id_type, created_at)"
      " VALUES (?1, ?2, ?3, 'melding', 'loket', 'notice', ?4)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, contact_id);
  lk_stmt_text(st, 3, notice_id);
  lk_stmt_int(st, 4, lk_tx_now(tx));
  return lk_stmt_run(st);
}

int lk_store_notice_questions(lk_store *s, const char *notice_id,
                              const char *after_id, int limit,
                              bool may_confidential, lk_notice_question_fn fn,
                              void *ud) {
  static const char sql[] =
      "SELECT c.id, c.reference, c.status, c.last_message_at"
      " FROM conversations c WHERE c.id IN (SELECT k.conversation_id"
      "  FROM subject_objects so JOIN contacts k ON k.id = so.contact_id"
      "  WHERE so.object_type = 'melding' AND so.register = 'loket'"
      "  AND so.id_type = 'notice' AND so.object_id = ?1)"
      " AND c.id > ?2 AND (c.confidential = 0 OR ?3)"
      " ORDER BY c.id LIMIT ?4";
  lk_notice_question_row q;
  lk_stmt *st;
  lk_db *db;
  int rc, n = 0;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, notice_id);
  lk_stmt_text(st, 2, after_id);
  lk_stmt_int(st, 3, may_confidential ? 1 : 0);
  lk_stmt_int(st, 4, limit);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    lk_store_copy(q.id, sizeof(q.id), lk_stmt_col_text(st, 0));
    lk_store_copy(q.reference, sizeof(q.reference), lk_stmt_col_text(st, 1));
    lk_store_copy(q.status, sizeof(q.status), lk_stmt_col_text(st, 2));
    q.last_message_at = lk_stmt_col_int(st, 3);
    fn(&q, ud);
    n++;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc == LK_DB_DONE ? n : rc;
}
