/* users.c - staff accounts. */
#include "store/internal.h"

int lk_store_user_insert(lk_tx *tx, const lk_user_row *u,
                         const char *password_hash) {
  static const char sql[] =
      "INSERT INTO staff_users (id, email, display_name, role,"
      " password_hash, password_changed_at, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, u->id);
  lk_stmt_text(st, 2, u->email);
  lk_stmt_text(st, 3, u->display_name);
  lk_stmt_text(st, 4, u->role);
  lk_stmt_text(st, 5, password_hash);
  lk_stmt_int(st, 6, u->password_changed_at);
  lk_stmt_int(st, 7, u->created_at);
  return lk_stmt_run(st);
}

int lk_store_user_by_email(lk_store *s, const char *email, lk_user_row *out,
                           char *password_hash, size_t hash_size) {
  static const char sql[] =
      "SELECT id, email, role, display_name, created_at,"
      " password_changed_at, COALESCE(disabled_at, 0), password_hash"
      " FROM staff_users WHERE email = ?1";
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
  lk_stmt_text(st, 1, email);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    lk_store_copy(out->id, sizeof(out->id), lk_stmt_col_text(st, 0));
    lk_store_copy(out->email, sizeof(out->email), lk_stmt_col_text(st, 1));
    lk_store_copy(out->role, sizeof(out->role), lk_stmt_col_text(st, 2));
    lk_store_copy(out->display_name, sizeof(out->display_name),
                  lk_stmt_col_text(st, 3));
    out->created_at = lk_stmt_col_int(st, 4);
    out->password_changed_at = lk_stmt_col_int(st, 5);
    out->disabled_at = lk_stmt_col_int(st, 6);
    if (password_hash != NULL)
      lk_store_copy(password_hash, hash_size, lk_stmt_col_text(st, 7));
    rc = 0;
  } else if (rc == LK_DB_DONE) {
    rc = LK_STORE_NOTFOUND;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc;
}
