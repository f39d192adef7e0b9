/* SQLite backend of db.h.
 *
 * One file per data directory (loket.db) in WAL mode with
 * synchronous=FULL: a commit returns only after the WAL is fsynced.  The
 * writer connection holds the only write lock of this process; read-only
 * connections read the last committed snapshot without waiting for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/store.h"
#include "util/log.h"

struct lk_stmt {
  const char *sql;
  sqlite3_stmt *st;
};

/* Statements are allocated one by one and never move: a caller may hold
 * one while preparing another.  The set is bounded by the SQL literals in
 * the program. */
struct lk_db {
  sqlite3 *conn;
  int nstmts;
  int cap;
  struct lk_stmt **stmts;
};

static int map_error(int rc) {
  switch (rc & 0xff) {
  case SQLITE_CONSTRAINT:
    return LK_STORE_CONFLICT;
  case SQLITE_NOMEM:
    return LK_STORE_NOMEM;
  case SQLITE_NOTFOUND:
    return LK_STORE_NOTFOUND;
  default:
    return LK_STORE_IO;
  }
}

static void log_error(sqlite3 *conn, const char *what) {
  lk_log(LK_LOG_ERROR, "sqlite error", "op", what, "error",
         conn ? sqlite3_errmsg(conn) : "out of memory", NULL);
}

/* Memory statistics take a global mutex on every allocation, which the
 * HTTP threads would then queue on; Loket does not read them. */
static void configure_sqlite(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_initialize();
}

int lk_db_open(const char *dir, bool readonly, lk_db **out) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  char path[PATH_MAX];
  lk_db *db;
  int flags;
  int rc;

  if (snprintf(path, sizeof(path), "%s/loket.db", dir) >= (int)sizeof(path))
    return LK_STORE_INVALID;
  pthread_once(&once, configure_sqlite);
  db = calloc(1, sizeof(*db));
  if (db == NULL)
    return LK_STORE_NOMEM;
  flags = SQLITE_OPEN_NOMUTEX |
          (readonly ? SQLITE_OPEN_READONLY
                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  rc = sqlite3_open_v2(path, &db->conn, flags, NULL);
  if (rc != SQLITE_OK) {
    log_error(db->conn, "open");
    sqlite3_close(db->conn);
    free(db);
    return LK_STORE_IO;
  }
  sqlite3_extended_result_codes(db->conn, 1);
  /* Another process (the CLI) may hold the write lock for a moment. */
  sqlite3_busy_timeout(db->conn, 5000);
  if (readonly) {
    rc = lk_db_exec(db, "PRAGMA query_only=ON;");
  } else {
    /* Every write of a batch runs in its own savepoint, whose undo
     * journal (the statement journal) would otherwise be a temporary
     * file: a pwrite of every page a write touches first.  In memory it
     * costs a copy; conversation creation gained about 40%. */
    rc = lk_db_exec(db, "PRAGMA journal_mode=WAL;"
                        "PRAGMA synchronous=FULL;"
                        "PRAGMA foreign_keys=ON;"
                        "PRAGMA wal_autocheckpoint=4000;"
                        "PRAGMA temp_store=MEMORY;");
  }
  if (rc != 0) {
    lk_db_close(db);
    return rc;
  }
  *out = db;
  return 0;
}

void lk_db_close(lk_db *db) {
  if (db == NULL)
    return;
  for (int i = 0; i < db->nstmts; i++) {
    sqlite3_finalize(db->stmts[i]->st);
    free(db->stmts[i]);
  }
  free(db->stmts);
  sqlite3_close(db->conn);
  free(db);
}

int lk_db_exec(lk_db *db, const char *sql) {
  char *err = NULL;
  int rc;

  rc = sqlite3_exec(db->conn, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) {
    lk_log(LK_LOG_ERROR, "sqlite exec failed", "error",
           err ? err : sqlite3_errstr(rc), NULL);
    sqlite3_free(err);
    return map_error(rc);
  }
  return 0;
}

lk_stmt *lk_db_stmt(lk_db *db, const char *sql) {
  struct lk_stmt **grown;
  struct lk_stmt *s;
  int rc;

  for (int i = 0; i < db->nstmts; i++) {
    if (db->stmts[i]->sql == sql)
      return db->stmts[i];
  }
  if (db->nstmts == db->cap) {
    int cap = db->cap ? db->cap * 2 : 32;

    grown = realloc(db->stmts, sizeof(*grown) * (size_t)cap);
    if (grown == NULL)
      return NULL;
    db->stmts = grown;
    db->cap = cap;
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL)
    return NULL;
  rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st,
                          NULL);
  if (rc != SQLITE_OK) {
    log_error(db->conn, sql);
    free(s);
    return NULL;
  }
  s->sql = sql;
  db->stmts[db->nstmts++] = s;
  return s;
}

void lk_stmt_text(lk_stmt *st, int i, const char *v) {
  if (v == NULL)
    sqlite3_bind_null(st->st, i);
  else
    sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT);
}

void lk_stmt_int(lk_stmt *st, int i, int64_t v) {
  sqlite3_bind_int64(st->st, i, v);
}

int lk_stmt_step(lk_stmt *st) {
  int rc = sqlite3_step(st->st);

  if (rc == SQLITE_ROW)
    return LK_DB_ROW;
  if (rc == SQLITE_DONE)
    return LK_DB_DONE;
  if ((rc & 0xff) != SQLITE_CONSTRAINT)
    log_error(sqlite3_db_handle(st->st), sqlite3_sql(st->st));
  return map_error(rc);
}

const char *lk_stmt_col_text(lk_stmt *st, int col) {
  const unsigned char *t = sqlite3_column_text(st->st, col);
  return t != NULL ? (const char *)t : "";
}

int64_t lk_stmt_col_int(lk_stmt *st, int col) {
  return sqlite3_column_int64(st->st, col);
}

/* Bindings are left in place: every caller binds all parameters anew. */
void lk_stmt_done(lk_stmt *st) {
  sqlite3_reset(st->st);
}

int lk_stmt_run(lk_stmt *st) {
  int rc = lk_stmt_step(st);

  lk_stmt_done(st);
  if (rc == LK_DB_ROW)
    return 0;
  return rc;
}

/* The online backup API, copying all pages in one step: it reads one
 * snapshot (writers go on meanwhile) and the copy is a standalone file in
 * rollback-journal mode with no WAL beside it.  A failed copy is removed. */
int lk_db_backup(lk_db *db, const char *path) {
  sqlite3_backup *b;
  sqlite3 *dst = NULL;
  int fd;
  int rc;

  /* Created here, only if new, and readable by the owner alone: the copy
   * holds password and token hashes. */
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno == EEXIST ? LK_STORE_CONFLICT : LK_STORE_IO;
  close(fd);
  rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK) {
    b = sqlite3_backup_init(dst, "main", db->conn, "main");
    if (b != NULL) {
      sqlite3_backup_step(b, -1);
      sqlite3_backup_finish(b);
    }
    rc = sqlite3_errcode(dst);
  }
  if (rc != SQLITE_OK)
    log_error(dst, "backup");
  if (sqlite3_close(dst) != SQLITE_OK && rc == SQLITE_OK)
    rc = SQLITE_IOERR;
  if (rc != SQLITE_OK) {
    unlink(path);
    return map_error(rc);
  }
  return 0;
}

bool lk_db_in_tx(lk_db *db) {
  return !sqlite3_get_autocommit(db->conn);
}

int64_t lk_db_changes(lk_db *db) {
  return sqlite3_changes64(db->conn);
}

int64_t lk_db_last_id(lk_db *db) {
  return sqlite3_last_insert_rowid(db->conn);
}
