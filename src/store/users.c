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

struct user_ctx {
  lk_user_row *u;
  char *hash;
  size_t hash_size;
};

static void user_row(lk_stmt *st, void *ud) {
  struct user_ctx *uc = ud;
  lk_user_row *u = uc->u;

  lk_store_copy(u->id, sizeof(u->id), lk_stmt_col_text(st, 0));
  lk_store_copy(u->email, sizeof(u->email), lk_stmt_col_text(st, 1));
  lk_store_copy(u->role, sizeof(u->role), lk_stmt_col_text(st, 2));
  lk_store_copy(u->display_name, sizeof(u->display_name),
                lk_stmt_col_text(st, 3));
  u->created_at = lk_stmt_col_int(st, 4);
  u->password_changed_at = lk_stmt_col_int(st, 5);
  u->disabled_at = lk_stmt_col_int(st, 6);
  if (uc->hash != NULL)
    lk_store_copy(uc->hash, uc->hash_size, lk_stmt_col_text(st, 7));
}

int lk_store_user_by_email(lk_store *s, const char *email, lk_user_row *out,
                           char *password_hash, size_t hash_size) {
  static const char sql[] =
      "SELECT id, email, role, display_name, created_at,"
      " password_changed_at, COALESCE(disabled_at, 0), password_hash"
      " FROM staff_users WHERE email = ?1";
  lk_user_row u;
  struct user_ctx uc = {&u, password_hash, hash_size};
  int n = lk_store_query(s, sql, email, 0, user_row, &uc);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *out = u;
  return 0;
}
