/* rows.h - running a statement with several parameters and reading its
 * rows, for the entity files of assignment, teams and merges.  Private to
 * src/store. */
#ifndef LK_STORE_ROWS_H
#define LK_STORE_ROWS_H

#include <string.h>

#include "store/internal.h"

/* Runs `sql` on `db` with ?1..?nt bound to `texts` (NULL binds NULL) and
 * the next ones to `nums`, calling `fn` (may be NULL) per row.  Returns
 * the number of rows or a negative code. */
static inline int lk_rows(lk_db *db, const char *sql, const char *const *texts,
                          int nt, const int64_t *nums, int nn, lk_row_fn fn,
                          void *ud) {
  lk_stmt *st = lk_db_stmt(db, sql);
  int n = 0;
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  for (int i = 0; i < nt; i++)
    lk_stmt_text(st, i + 1, texts[i]);
  for (int i = 0; i < nn; i++)
    lk_stmt_int(st, nt + i + 1, nums[i]);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    if (fn != NULL)
      fn(st, ud);
    n++;
  }
  lk_stmt_done(st);
  return rc < 0 ? rc : n;
}

/* lk_rows() on a pooled reader. */
static inline int lk_rows_read(lk_store *s, const char *sql,
                               const char *const *texts, int nt,
                               const int64_t *nums, int nn, lk_row_fn fn,
                               void *ud) {
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  rc = lk_rows(db, sql, texts, nt, nums, nn, fn, ud);
  lk_store_reader_release(s, db);
  return rc;
}

/* Maps a row count to 0 (copying `row` to `out`) or LK_STORE_NOTFOUND. */
static inline int lk_rows_one(int n, const void *row, void *out, size_t size) {
  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  memcpy(out, row, size);
  return 0;
}

#endif
