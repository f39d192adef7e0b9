/* tokens.c - API tokens of other systems. */
#include "store/internal.h"

int lk_store_token_insert(lk_tx *tx, const lk_token_row *t,
                          const char *secret_hash) {
  static const char sql[] = "INSERT INTO api_tokens"
                            " (id, name, scopes, secret_hash, created_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, t->id);
  lk_stmt_text(st, 2, t->name);
  lk_stmt_text(st, 3, t->scopes);
  lk_stmt_text(st, 4, secret_hash);
  lk_stmt_int(st, 5, t->created_at);
  return lk_stmt_run(st);
}

int lk_store_token_revoke(lk_tx *tx, const char *id, int64_t when) {
  static const char sql[] = "UPDATE api_tokens SET revoked_at = ?2"
                            " WHERE id = ?1 AND revoked_at IS NULL";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_int(st, 2, when);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

#define TOKEN_COLUMNS                                                          \
  "id, name, scopes, created_at, COALESCE(last_used_at, 0),"                   \
  " COALESCE(revoked_at, 0)"

static void token_row(lk_stmt *st, void *ud) {
  lk_token_row *t = ud;

  lk_store_copy(t->id, sizeof(t->id), lk_stmt_col_text(st, 0));
  lk_store_copy(t->name, sizeof(t->name), lk_stmt_col_text(st, 1));
  lk_store_copy(t->scopes, sizeof(t->scopes), lk_stmt_col_text(st, 2));
  t->created_at = lk_stmt_col_int(st, 3);
  t->last_used_at = lk_stmt_col_int(st, 4);
  t->revoked_at = lk_stmt_col_int(st, 5);
}

static int token_one(lk_store *s, const char *sql, const char *key,
                     lk_token_row *out) {
  lk_token_row t;
  int n = lk_store_query(s, sql, key, 0, token_row, &t);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *out = t;
  return 0;
}

int lk_store_token_get(lk_store *s, const char *id, lk_token_row *out) {
  static const char sql[] =
      "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id = ?1";
  return token_one(s, sql, id, out);
}

int lk_store_token_by_hash(lk_store *s, const char *secret_hash,
                           lk_token_row *out) {
  static const char sql[] = "SELECT " TOKEN_COLUMNS " FROM api_tokens"
                            " WHERE secret_hash = ?1 AND revoked_at IS NULL";
  return token_one(s, sql, secret_hash, out);
}

struct list_ctx {
  lk_token_fn fn;
  void *ud;
};

static void list_row(lk_stmt *st, void *ud) {
  struct list_ctx *lc = ud;
  lk_token_row t;

  token_row(st, &t);
  lc->fn(&t, lc->ud);
}

int lk_store_token_list(lk_store *s, const char *after_id, int limit,
                        lk_token_fn fn, void *ud) {
  static const char sql[] = "SELECT " TOKEN_COLUMNS " FROM api_tokens"
                            " WHERE id > ?1 ORDER BY id LIMIT ?2";
  struct list_ctx lc = {fn, ud};

  if (limit < 1)
    return 0;
  return lk_store_query(s, sql, after_id, limit, list_row, &lc);
}
