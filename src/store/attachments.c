/* attachments.c - rows of bijlagen. */
#include "store/attachments.h"

#include "store/internal.h"

const char *lk_store_dir(lk_store *s) {
  return s->dir;
}

int lk_store_attachment_insert(lk_tx *tx, const lk_attachment_row *a) {
  static const char sql[] =
      "INSERT INTO attachments (id, sha256, filename, media_type, size,"
      " created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->sha256);
  lk_stmt_text(st, 3, a->filename);
  lk_stmt_text(st, 4, a->media_type);
  lk_stmt_int(st, 5, a->size);
  lk_stmt_text(st, 6, a->created_by);
  lk_stmt_int(st, 7, lk_tx_now(tx));
  return lk_stmt_run(st);
}

int lk_store_attachment_link(lk_tx *tx, const char *id, const char *contact_id,
                             const char *created_by) {
  static const char sql[] =
      "UPDATE attachments SET contact_id = ?2"
      " WHERE id = ?1 AND contact_id IS NULL AND created_by = ?3";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, contact_id);
  lk_stmt_text(st, 3, created_by);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

int lk_store_attachment_get(lk_store *s, const char *id,
                            lk_attachment_row *out) {
  static const char sql[] =
      "SELECT a.id, COALESCE(a.contact_id, ''), COALESCE(a.sha256, ''),"
      " a.filename, a.media_type, a.size, a.created_by, a.created_at,"
      " COALESCE(c.confidential, 0) OR COALESCE(v.confidential, 0),"
      " COALESCE(v.party_id, '')"
      " FROM attachments a LEFT JOIN contacts c ON c.id = a.contact_id"
      " LEFT JOIN conversations v ON v.id = c.conversation_id"
      " WHERE a.id = ?1";
  lk_attachment_row a;
  lk_stmt *st;
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    lk_store_copy(a.id, sizeof(a.id), lk_stmt_col_text(st, 0));
    lk_store_copy(a.contact_id, sizeof(a.contact_id), lk_stmt_col_text(st, 1));
    lk_store_copy(a.sha256, sizeof(a.sha256), lk_stmt_col_text(st, 2));
    lk_store_copy(a.filename, sizeof(a.filename), lk_stmt_col_text(st, 3));
    lk_store_copy(a.media_type, sizeof(a.media_type), lk_stmt_col_text(st, 4));
    a.size = lk_stmt_col_int(st, 5);
    lk_store_copy(a.created_by, sizeof(a.created_by), lk_stmt_col_text(st, 6));
    a.created_at = lk_stmt_col_int(st, 7);
    a.confidential = lk_stmt_col_int(st, 8) != 0;
    lk_store_copy(a.party_id, sizeof(a.party_id), lk_stmt_col_text(st, 9));
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  if (rc != LK_DB_ROW)
    return rc < 0 ? rc : LK_STORE_NOTFOUND;
  *out = a;
  return 0;
}
