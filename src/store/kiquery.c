/* kiquery.c - paged reads for the Klantinteracties API. */
#include "store/kiquery.h"

#include "store/internal.h"

static void bind_all(lk_stmt *st, const char *const *params, int nparams) {
  for (int i = 0; i < nparams; i++)
    lk_stmt_text(st, i + 1, params[i]);
}

int lk_store_ki_page(lk_store *s, const char *count_sql, const char *page_sql,
                     const char *const *params, int nparams, int64_t offset,
                     int limit, char (*uuids)[37], int *n, int64_t *count) {
  lk_stmt *st;
  lk_db *db;
  int rc;
  int got = 0;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, count_sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  bind_all(st, params, nparams);
  rc = lk_stmt_step(st);
  *count = rc == LK_DB_ROW ? lk_stmt_col_int(st, 0) : 0;
  lk_stmt_done(st);
  if (rc < 0) {
    lk_store_reader_release(s, db);
    return rc;
  }
  st = lk_db_stmt(db, page_sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  bind_all(st, params, nparams);
  lk_stmt_int(st, nparams + 1, limit);
  lk_stmt_int(st, nparams + 2, offset);
  while (got < limit && (rc = lk_stmt_step(st)) == LK_DB_ROW)
    lk_store_copy(uuids[got++], 37, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  if (rc < 0)
    return rc;
  *n = got;
  return 0;
}

static void one(lk_stmt *st, void *ud) {
  (void)st;
  (void)ud;
}

int lk_store_ki_exists(lk_store *s, const char *sql, const char *id) {
  int n = lk_store_query(s, sql, id, 0, one, NULL);

  return n < 0 ? n : n > 0;
}

int lk_store_ki_exists_tx(lk_tx *tx, const char *sql, const char *id) {
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  rc = lk_stmt_step(st);
  lk_stmt_done(st);
  if (rc < 0)
    return rc;
  return rc == LK_DB_ROW;
}
