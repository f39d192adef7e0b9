/* migrations.c - versioned schema migrations, applied by the writer.
 *
 * The backend's migration files (src/store/sqlite/migrations/) are compiled
 * in as lk_db_migrations; applied ones are recorded in schema_migrations.
 * All pending migrations run inside one write, so a failing one leaves the
 * schema as it was.
 *
 * Pending means "not recorded", not "above the highest recorded": numbers
 * are handed out to work in progress in advance, so a migration may land
 * after a higher-numbered one has already been applied somewhere.  Such a
 * late migration must therefore only add to the schema (new tables,
 * columns, indexes), never depend on running before its successors.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "util/clock.h"
#include "util/log.h"

int lk_store_latest_version(void) {
  return lk_db_nmigrations > 0 ? lk_db_migrations[lk_db_nmigrations - 1].version
                               : 0;
}

int lk_store_ensure_migrations_table(lk_db *db) {
  return lk_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version BIGINT PRIMARY KEY,"
                        " name TEXT NOT NULL,"
                        " applied_at BIGINT NOT NULL)");
}

int lk_store_schema_version_db(lk_db *db, int *version) {
  static const char sql[] =
      "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
  int64_t v = 0;
  int rc = lk_store_query_int(db, sql, &v);

  if (rc == 0)
    *version = (int)v;
  return rc;
}

struct migrate_op {
  int target;
  int from;
  int to;
  int applied;
};

/* Whether migration `version` is recorded as applied. */
static int recorded(lk_db *db, int version, bool *yes) {
  lk_stmt *st =
      lk_db_stmt(db, "SELECT 1 FROM schema_migrations WHERE version = ?1");
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, version);
  rc = lk_stmt_step(st);
  lk_stmt_done(st);
  *yes = rc == LK_DB_ROW;
  return rc == LK_DB_ROW || rc == LK_DB_DONE ? 0 : rc;
}

/* Runs inside the writer's transaction, so a failing migration leaves the
 * schema exactly as it was. */
static int migrate_apply(lk_tx *tx, void *arg) {
  static const char record[] = "INSERT INTO schema_migrations"
                               " (version, name, applied_at)"
                               " VALUES (?1, ?2, ?3)";
  struct migrate_op *op = arg;
  const lk_migration *m;
  lk_stmt *st;
  int rc;

  rc = lk_store_ensure_migrations_table(tx->db);
  if (rc == 0)
    rc = lk_store_schema_version_db(tx->db, &op->from);
  if (rc != 0)
    return rc;
  op->to = op->from;
  if (op->from > lk_store_latest_version())
    return LK_STORE_SCHEMA;
  if (op->target < op->from)
    return LK_STORE_INVALID;
  for (int i = 0; i < lk_db_nmigrations; i++) {
    bool done = false;

    m = &lk_db_migrations[i];
    if (m->version > op->target)
      continue;
    if (m->version <= op->from) {
      rc = recorded(tx->db, m->version, &done);
      if (rc != 0)
        return rc;
      if (done)
        continue;
    }
    rc = lk_db_exec(tx->db, m->sql);
    if (rc != 0) {
      lk_log(LK_LOG_ERROR, "migration failed", "name", m->name, NULL);
      return rc;
    }
    st = lk_db_stmt(tx->db, record);
    if (st == NULL)
      return LK_STORE_IO;
    lk_stmt_int(st, 1, m->version);
    lk_stmt_text(st, 2, m->name);
    lk_stmt_int(st, 3, tx->now);
    rc = lk_stmt_run(st);
    if (rc != 0)
      return rc;
    if (m->version > op->to)
      op->to = m->version;
    op->applied++;
    lk_log(LK_LOG_INFO, "migration applied", "name", m->name, NULL);
  }
  return 0;
}

/* Subscribers start at the present; older events are read on demand. */
int lk_store_init_seq_apply(lk_tx *tx, void *arg) {
  lk_store *s = arg;
  int rc;

  (void)tx;
  rc = lk_store_last_seq_db(s->wdb, &s->last_published);
  s->seq_known = rc == 0;
  return rc;
}

int lk_store_migrate(lk_store *s, int target, int *from, int *to,
                     int *applied) {
  struct migrate_op op = {.target = target};
  int rc;

  if (target == 0)
    op.target = lk_store_latest_version();
  if (op.target < 0 || op.target > lk_store_latest_version())
    return LK_STORE_INVALID;
  rc = lk_store_write(s, migrate_apply, &op);
  if (rc == 0)
    lk_store_write(s, lk_store_init_seq_apply, s);
  if (rc == 0) {
    if (from != NULL)
      *from = op.from;
    if (to != NULL)
      *to = op.to;
    if (applied != NULL)
      *applied = op.applied;
  }
  return rc;
}

static int version_apply(lk_tx *tx, void *arg) {
  int rc = lk_store_ensure_migrations_table(tx->db);
  return rc != 0 ? rc : lk_store_schema_version_db(tx->db, arg);
}

int lk_store_schema_version(lk_store *s, int *version) {
  return lk_store_write(s, version_apply, version);
}
