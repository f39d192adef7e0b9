/* internal.h - what the store's entity files share.  Private to src/store. */
#ifndef LK_STORE_INTERNAL_H
#define LK_STORE_INTERNAL_H

#include "store/db.h"
#include "store/store.h"

/* Borrows a read-only connection from the pool; give it back with
 * lk_store_reader_release(). */
int lk_store_reader(lk_store *s, lk_db **out);
void lk_store_reader_release(lk_store *s, lk_db *db);
typedef void (*lk_row_fn)(lk_stmt *st, void *ud);
/* Runs `sql` on a pooled reader with ?1 bound to `text` and, when `limit`
 * > 0, ?2 to `limit`, calling `fn` for each row.  Returns the number of
 * rows or a negative LK_STORE_* code. */
int lk_store_query(lk_store *s, const char *sql, const char *text,
                   int64_t limit, lk_row_fn fn, void *ud);
/* The writer's connection, inside the current transaction. */
lk_db *lk_tx_db(lk_tx *tx);
/* Copies `src` into `dst` of `size` bytes, truncating (nothing when `size`
 * is 0). */
void lk_store_copy(char *dst, size_t size, const char *src);

#endif
