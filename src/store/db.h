/* db.h - the store's private view of one database connection.
 *
 * The backend (src/store/sqlite/) implements these functions; everything
 * else in src/store/ is written against them in SQL that SQLite and
 * PostgreSQL both accept, with numbered parameters ?1, ?2, ...  Nothing
 * outside src/store/ includes this header.
 *
 * Statements are cached per connection by the address of their SQL text, so
 * `sql` must be a string literal (or otherwise live as long as the
 * connection).
 */
#ifndef LK_STORE_DB_H
#define LK_STORE_DB_H

#include <stdbool.h>
#include <stdint.h>

typedef struct lk_db lk_db;
typedef struct lk_stmt lk_stmt;

#define LK_DB_DONE 0
#define LK_DB_ROW 1

typedef struct lk_migration {
  int version;
  const char *name;
  const char *sql;
} lk_migration;

/* The backend's migrations, ascending by version, and their count. */
extern const lk_migration lk_db_migrations[];
extern const int lk_db_nmigrations;

/* Opens the database in `dir` (file loket.db).  A read-only connection
 * cannot change anything.  Returns 0 or an LK_STORE_* code. */
int lk_db_open(const char *dir, bool readonly, lk_db **out);
void lk_db_close(lk_db *db);
/* Runs one or more statements without parameters or results. */
int lk_db_exec(lk_db *db, const char *sql);

/* Returns the cached, reset statement for `sql`, or NULL on error (logged).
 * Finish with lk_stmt_done(). */
lk_stmt *lk_db_stmt(lk_db *db, const char *sql);
void lk_stmt_text(lk_stmt *st, int i, const char *v); /* NULL binds NULL */
void lk_stmt_int(lk_stmt *st, int i, int64_t v);
/* LK_DB_ROW, LK_DB_DONE, or an LK_STORE_* code. */
int lk_stmt_step(lk_stmt *st);
/* Column values of the current row; text is "" for NULL and valid until
 * the next step or done. */
const char *lk_stmt_col_text(lk_stmt *st, int col);
int64_t lk_stmt_col_int(lk_stmt *st, int col);
void lk_stmt_done(lk_stmt *st);
/* Steps a statement that returns no rows and finishes it. */
int lk_stmt_run(lk_stmt *st);
/* Writes a consistent copy of the database to the new file `path`
 * (mode 0600).  LK_STORE_CONFLICT if `path` exists. */
int lk_db_backup(lk_db *db, const char *path);
/* True while a transaction is open on `db`. */
bool lk_db_in_tx(lk_db *db);
/* Rows changed by the last statement. */
int64_t lk_db_changes(lk_db *db);
/* The key (INTEGER PRIMARY KEY) of the row the last INSERT on `db` added.
 * Cheaper than RETURNING in SQLite, which collects returned rows in a
 * temporary B-tree opened and closed per statement; a backend without it
 * would fetch the key with RETURNING instead. */
int64_t lk_db_last_id(lk_db *db);

#endif
