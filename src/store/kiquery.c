/* kiquery.c - paged reads for the Klantinteracties API. */
#include "store/kiquery.h"

#include "store/internal.h"

static void count_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

struct page {
  char (*uuids)[37];
  int limit;
  int n;
};

static void uuid_row(lk_stmt *st, void *ud) {
  struct page *pg = ud;

  if (pg->n < pg->limit)
    lk_store_copy(pg->uuids[pg->n++], 37, lk_stmt_col_text(st, 0));
}

int lk_store_ki_page(lk_store *s, const char *count_sql, const char *page_sql,
                     const char *const *params, int nparams, int64_t offset,
                     int limit, char (*uuids)[37], int *n, int64_t *count) {
  const int64_t nums[] = {limit, offset};
  struct page pg = {uuids, limit, 0};
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  *count = 0;
  rc = lk_rows(db, count_sql, params, nparams, NULL, 0, count_row, count);
  if (rc >= 0)
    rc = lk_rows(db, page_sql, params, nparams, nums, 2, uuid_row, &pg);
  lk_store_reader_release(s, db);
  if (rc < 0)
    return rc;
  *n = pg.n;
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
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, NULL, 0, NULL, NULL);

  return n < 0 ? n : n > 0;
}
