/* kiquery.h - paged reads for the Klantinteracties API (src/api/ki/).
 *
 * The standard's lists filter on many optional parameters.  Each list is
 * one fixed pair of statements whose conditions read "(?N IS NULL OR
 * column = ?N)", so a filter that is absent binds NULL and costs nothing,
 * and the SQL text stays a literal (statements are cached by address).
 */
#ifndef LK_STORE_KIQUERY_H
#define LK_STORE_KIQUERY_H

#include <stdint.h>

#include "store/store.h"

/* Runs `count_sql` (one integer) into *count and `page_sql` (its first
 * column is a uuid) with ?1..?nparams bound to `params` (NULL binds NULL),
 * ?nparams+1 to `limit` and ?nparams+2 to `offset`, copying at most
 * `limit` uuids into `uuids`.  Returns 0 with *n and *count set, or a
 * negative LK_STORE_* code. */
int lk_store_ki_page(lk_store *s, const char *count_sql, const char *page_sql,
                     const char *const *params, int nparams, int64_t offset,
                     int limit, char (*uuids)[37], int *n, int64_t *count);

/* Runs `sql` with ?1 bound to `id`: 1 if it yields a row, 0 if not, or a
 * negative code.  For existence checks outside a transaction. */
int lk_store_ki_exists(lk_store *s, const char *sql, const char *id);
/* The same inside the current write. */
int lk_store_ki_exists_tx(lk_tx *tx, const char *sql, const char *id);

#endif
