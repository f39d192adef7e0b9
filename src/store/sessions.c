/* sessions.c - staff sessions, and the account changes that end them. */
#include "store/sessions.h"

#include "store/internal.h"

int lk_store_session_insert(lk_tx *tx, const char *id_hash, const char *user_id,
                            int64_t expires_at) {
  static const char sql[] =
      "INSERT INTO staff_sessions"
      " (id_hash, user_id, created_at, last_seen_at, expires_at)"
      " VALUES (?1, ?2, ?3, ?3, ?4)";
  const char *const texts[] = {id_hash, user_id};
  const int64_t nums[] = {lk_tx_now(tx), expires_at};

  return lk_rows_write(tx, sql, texts, 2, nums, 2, false);
}

static void user_id_row(lk_stmt *st, void *ud) {
  if (ud != NULL)
    lk_store_copy(ud, LK_USER_ID_LEN + 1, lk_stmt_col_text(st, 0));
}

int lk_store_session_delete(lk_tx *tx, const char *id_hash, char *user_id) {
  static const char sql[] =
      "DELETE FROM staff_sessions WHERE id_hash = ?1 RETURNING user_id";

  return lk_row_get(NULL, tx, sql, id_hash, user_id_row, user_id);
}

int lk_store_session_delete_user(lk_tx *tx, const char *user_id, int64_t *n) {
  static const char sql[] = "DELETE FROM staff_sessions WHERE user_id = ?1";
  int rc = lk_rows_write(tx, sql, &user_id, 1, NULL, 0, false);

  if (rc == 0 && n != NULL)
    *n = lk_db_changes(lk_tx_db(tx));
  return rc;
}

int lk_store_session_touch(lk_tx *tx, const char *id_hash, int64_t when) {
  static const char sql[] = "UPDATE staff_sessions SET last_seen_at = ?2"
                            " WHERE id_hash = ?1 AND last_seen_at < ?2";
  return lk_rows_write(tx, sql, &id_hash, 1, &when, 1, false);
}

int lk_store_session_purge(lk_tx *tx, int64_t now, int64_t idle_before,
                           int64_t *n) {
  static const char sql[] = "DELETE FROM staff_sessions"
                            " WHERE expires_at <= ?1 OR last_seen_at < ?2";
  const int64_t nums[] = {now, idle_before};
  int rc = lk_rows_write(tx, sql, NULL, 0, nums, 2, false);

  if (rc == 0 && n != NULL)
    *n = lk_db_changes(lk_tx_db(tx));
  return rc;
}

#define USER_COLUMNS                                                           \
  "u.id, u.email, u.role, u.display_name, u.created_at,"                       \
  " u.password_changed_at, COALESCE(u.disabled_at, 0)"

static void user_columns(lk_stmt *st, lk_user_row *u) {
  lk_store_copy(u->id, sizeof(u->id), lk_stmt_col_text(st, 0));
  lk_store_copy(u->email, sizeof(u->email), lk_stmt_col_text(st, 1));
  lk_store_copy(u->role, sizeof(u->role), lk_stmt_col_text(st, 2));
  lk_store_copy(u->display_name, sizeof(u->display_name),
                lk_stmt_col_text(st, 3));
  u->created_at = lk_stmt_col_int(st, 4);
  u->password_changed_at = lk_stmt_col_int(st, 5);
  u->disabled_at = lk_stmt_col_int(st, 6);
}

static void session_row(lk_stmt *st, void *ud) {
  lk_session_row *r = ud;

  user_columns(st, &r->user);
  lk_store_copy(r->actor_id, sizeof(r->actor_id), lk_stmt_col_text(st, 7));
  r->created_at = lk_stmt_col_int(st, 8);
  r->last_seen_at = lk_stmt_col_int(st, 9);
  r->expires_at = lk_stmt_col_int(st, 10);
}

int lk_store_session_get(lk_store *s, const char *id_hash,
                         lk_session_row *out) {
  /* actors.user_id is unique: the join yields at most one row. */
  static const char sql[] =
      "SELECT " USER_COLUMNS ", COALESCE(a.id, ''), s.created_at,"
      " s.last_seen_at, s.expires_at"
      " FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id"
      " LEFT JOIN actors a ON a.user_id = u.id AND a.kind = 'medewerker'"
      " WHERE s.id_hash = ?1";
  lk_session_row r = {0};
  int n = lk_store_query(s, sql, id_hash, 0, session_row, &r);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *out = r;
  return 0;
}

static void count_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_session_count(lk_store *s, const char *user_id, int64_t *n) {
  static const char sql[] =
      "SELECT COUNT(*) FROM staff_sessions WHERE user_id = ?1";
  int64_t v = 0;
  int rc = lk_store_query(s, sql, user_id, 0, count_row, &v);

  if (rc < 0)
    return rc;
  *n = v;
  return 0;
}

/* ---- staff accounts -------------------------------------------------- */

static void user_row(lk_stmt *st, void *ud) {
  user_columns(st, ud);
}

int lk_store_user_get(lk_store *s, const char *id, lk_user_row *out) {
  static const char sql[] =
      "SELECT " USER_COLUMNS " FROM staff_users u WHERE u.id = ?1";
  lk_user_row u;
  int n = lk_store_query(s, sql, id, 0, user_row, &u);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *out = u;
  return 0;
}

struct list_ctx {
  lk_user_fn fn;
  void *ud;
};

static void list_row(lk_stmt *st, void *ud) {
  struct list_ctx *lc = ud;
  lk_user_row u;

  user_columns(st, &u);
  lc->fn(&u, lc->ud);
}

int lk_store_user_list(lk_store *s, const char *after_id, int limit,
                       lk_user_fn fn, void *ud) {
  static const char sql[] = "SELECT " USER_COLUMNS " FROM staff_users u"
                            " WHERE u.id > ?1 ORDER BY u.id LIMIT ?2";
  struct list_ctx lc = {fn, ud};

  if (limit < 1)
    return 0;
  return lk_store_query(s, sql, after_id, limit, list_row, &lc);
}

int lk_store_user_update(lk_tx *tx, const char *id, const char *role,
                         const char *display_name, int disabled,
                         lk_user_row *out) {
  static const char sql[] =
      "UPDATE staff_users SET role = COALESCE(?2, role),"
      " display_name = COALESCE(?3, display_name),"
      " disabled_at = CASE ?4 WHEN -1 THEN disabled_at WHEN 0 THEN NULL"
      " ELSE COALESCE(disabled_at, ?5) END"
      " WHERE id = ?1 RETURNING id, email, role, display_name, created_at,"
      " password_changed_at, COALESCE(disabled_at, 0)";
  const char *const texts[] = {id, role, display_name};
  const int64_t nums[] = {disabled, lk_tx_now(tx)};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 3, nums, 2, user_row, out);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_user_set_password(lk_tx *tx, const char *id,
                               const char *password_hash, int64_t when) {
  static const char sql[] =
      "UPDATE staff_users SET password_hash = ?2, password_changed_at = ?3"
      " WHERE id = ?1";
  const char *const texts[] = {id, password_hash};

  return lk_rows_write(tx, sql, texts, 2, &when, 1, true);
}
