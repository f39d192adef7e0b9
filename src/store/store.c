/* store.c - opening and closing the store, and its pool of readers.
 *
 * The writer is in writer.c, the event log in events.c, schema migrations
 * in migrations.c; the entity files (tokens.c, users.c, audit.c) hold the
 * SQL of the domain.  See store.h for the contract.
 */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/internal.h"
#include "util/log.h"
#include "util/metrics.h"

#define DEFAULT_BATCH 1024

static const double batch_bounds[] = {1,  2,   4,   8,   16,  32,
                                      64, 128, 256, 512, 1024};

const char *lk_store_strerror(int err) {
  switch (err) {
  case 0:
    return "success";
  case LK_STORE_NOTFOUND:
    return "not found";
  case LK_STORE_CONFLICT:
    return "already exists";
  case LK_STORE_IO:
    return "database error";
  case LK_STORE_CLOSED:
    return "store is closed";
  case LK_STORE_NOMEM:
    return "out of memory";
  case LK_STORE_SCHEMA:
    return "database schema is newer than this program";
  case LK_STORE_INVALID:
    return "invalid argument";
  default:
    return "unknown error";
  }
}

/* ---- read pool ------------------------------------------------------ */

void lk_store_copy(char *dst, size_t size, const char *src) {
  size_t n = strlen(src);

  if (size == 0)
    return;
  if (n >= size)
    n = size - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

int lk_store_reader(lk_store *s, lk_db **out) {
  lk_db *db = NULL;

  pthread_mutex_lock(&s->pool_lock);
  if (s->npool > 0)
    db = s->pool[--s->npool];
  pthread_mutex_unlock(&s->pool_lock);
  if (db != NULL) {
    *out = db;
    return 0;
  }
  return lk_db_open(s->dir, true, out);
}

void lk_store_reader_release(lk_store *s, lk_db *db) {
  pthread_mutex_lock(&s->pool_lock);
  if (s->npool < LK_STORE_POOL_MAX) {
    s->pool[s->npool++] = db;
    db = NULL;
  }
  pthread_mutex_unlock(&s->pool_lock);
  lk_db_close(db);
}

int lk_store_query(lk_store *s, const char *sql, const char *text,
                   int64_t limit, lk_row_fn fn, void *ud) {
  lk_stmt *st;
  lk_db *db;
  int n = 0;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, text);
  if (limit > 0)
    lk_stmt_int(st, 2, limit);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    fn(st, ud);
    n++;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : n;
}

int lk_store_backup(lk_store *s, const char *path) {
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = lk_db_backup(db, path);
  lk_store_reader_release(s, db);
  return rc;
}

void lk_store_stats_get(lk_store *s, lk_store_stats *out) {
  out->commits = atomic_load(&s->commits);
  out->writes = atomic_load(&s->writes);
  out->failed_writes = atomic_load(&s->failed_writes);
  out->commit_seconds = &s->commit_seconds;
  out->batch_size = &s->batch_size;
}

/* ---- open and close ------------------------------------------------- */

static int make_dir(const char *dir) {
  struct stat st;

  if (mkdir(dir, 0700) == 0)
    return 0;
  if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
    return 0;
  lk_log(LK_LOG_ERROR, "cannot create data directory", "dir", dir, "error",
         strerror(errno), NULL);
  return LK_STORE_IO;
}

int lk_store_open(const lk_store_options *opt, lk_store **out) {
  lk_store *s;
  int version = 0;
  int rc;

  rc = make_dir(opt->dir);
  if (rc != 0)
    return rc;
  s = calloc(1, sizeof(*s));
  if (s == NULL)
    return LK_STORE_NOMEM;
  s->dir = strdup(opt->dir);
  s->on_events = opt->on_events;
  s->on_events_ud = opt->on_events_ud;
  s->on_tx_event = opt->on_tx_event;
  s->on_tx_phase = opt->on_tx_phase;
  s->on_tx_event_ud = opt->on_tx_event_ud;
  s->clock = opt->clock;
  s->max_batch = opt->max_batch > 0 ? opt->max_batch : DEFAULT_BATCH;
  if (!opt->group_commit)
    s->max_batch = 1;
  pthread_mutex_init(&s->lock, NULL);
  /* The writer's timed wait must not jump with the wall clock. */
  {
    pthread_condattr_t ca;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
  }
  pthread_mutex_init(&s->pool_lock, NULL);
  lk_histogram_init(&s->commit_seconds, lk_latency_bounds, lk_latency_nbounds,
                    1e9);
  lk_histogram_init(&s->batch_size, batch_bounds,
                    (int)(sizeof(batch_bounds) / sizeof(batch_bounds[0])), 1);
  rc = s->dir != NULL ? lk_db_open(s->dir, false, &s->wdb) : LK_STORE_NOMEM;
  if (rc == 0)
    rc = lk_store_ensure_migrations_table(s->wdb);
  if (rc == 0)
    rc = lk_store_schema_version_db(s->wdb, &version);
  if (rc == 0 && version > lk_store_latest_version())
    rc = LK_STORE_SCHEMA;
  if (rc == 0 && pthread_create(&s->writer, NULL, lk_store_writer_main, s) != 0)
    rc = LK_STORE_NOMEM;
  if (rc != 0) {
    lk_store_close(s);
    return rc;
  }
  s->writer_started = true;
  if (!opt->no_migrate) {
    rc = lk_store_migrate(s, 0, NULL, NULL, NULL);
    if (rc != 0) {
      lk_store_close(s);
      return rc;
    }
  }
  if (opt->no_migrate && version > 0)
    lk_store_write(s, lk_store_init_seq_apply, s);
  *out = s;
  return 0;
}

void lk_store_stop(lk_store *s) {
  pthread_mutex_lock(&s->lock);
  s->stopping = true;
  pthread_cond_signal(&s->cond);
  pthread_mutex_unlock(&s->lock);
  if (s->writer_started)
    pthread_join(s->writer, NULL);
  s->writer_started = false;
}

void lk_store_close(lk_store *s) {
  if (s == NULL)
    return;
  lk_store_stop(s);
  for (int i = 0; i < s->npool; i++)
    lk_db_close(s->pool[i]);
  lk_db_close(s->wdb);
  pthread_cond_destroy(&s->cond);
  pthread_mutex_destroy(&s->lock);
  pthread_mutex_destroy(&s->pool_lock);
  free(s->dir);
  free(s);
}
