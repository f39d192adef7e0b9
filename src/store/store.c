/* store.c - opening the store, the read pool, migrations and the writer.
 *
 * The writer thread is modelled on Redis' bio.c: one queue, one thread, one
 * job at a time, except that a "job" is every write waiting when the thread
 * wakes up, committed together.  See store.h for the contract.
 */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/internal.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define POOL_MAX 16
#define DEFAULT_BATCH 1024
#define FOREIGN_POLL_MS 1000
#define CATCHUP_LIMIT 1000

struct lk_tx_event {
  lk_event_row row;
  struct lk_tx_event *next;
};

struct lk_tx {
  lk_db *db;
  int64_t now;
  lk_write *cur;
  struct lk_tx_event **tail;
};

struct lk_store {
  char *dir;
  lk_db *wdb; /* owned by the writer thread once it runs */
  int max_batch;

  pthread_t writer;
  bool writer_started;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  lk_write *head;
  lk_write *tail;
  bool stopping;

  pthread_mutex_t pool_lock;
  lk_db *pool[POOL_MAX];
  int npool;

  lk_events_fn on_events;
  void *on_events_ud;
  int64_t last_published; /* writer thread only */
  bool seq_known;         /* writer thread only: last_published is set */

  _Atomic uint64_t commits;
  _Atomic uint64_t writes;
  _Atomic uint64_t failed_writes;
  lk_histogram commit_seconds;
  lk_histogram batch_size;
};

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
  if (s->npool < POOL_MAX) {
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

/* ---- transactions --------------------------------------------------- */

lk_db *lk_tx_db(lk_tx *tx) {
  return tx->db;
}

int64_t lk_tx_now(lk_tx *tx) {
  return tx->now;
}

static char *dup_or_null(const char *s, bool *oom) {
  char *d = strdup(s);
  if (d == NULL)
    *oom = true;
  return d;
}

static void free_events(struct lk_tx_event *e) {
  struct lk_tx_event *next;

  for (; e != NULL; e = next) {
    next = e->next;
    free((char *)e->row.type);
    free((char *)e->row.subject);
    free((char *)e->row.payload);
    free(e);
  }
}

int lk_tx_emit(lk_tx *tx, const char *type, const char *subject,
               const char *payload) {
  static const char sql[] = "INSERT INTO events (type, subject, time, payload)"
                            " VALUES (?1, ?2, ?3, ?4) RETURNING seq";
  struct lk_tx_event *e;
  bool oom = false;
  lk_stmt *st;
  int rc;

  st = lk_db_stmt(tx->db, sql);
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, type);
  lk_stmt_text(st, 2, subject);
  lk_stmt_int(st, 3, tx->now);
  lk_stmt_text(st, 4, payload);
  rc = lk_stmt_step(st);
  if (rc != LK_DB_ROW) {
    lk_stmt_done(st);
    return rc < 0 ? rc : LK_STORE_IO;
  }
  e = calloc(1, sizeof(*e));
  if (e == NULL) {
    lk_stmt_done(st);
    return LK_STORE_NOMEM;
  }
  e->row.seq = lk_stmt_col_int(st, 0);
  lk_stmt_done(st);
  e->row.time_ms = tx->now;
  e->row.type = dup_or_null(type, &oom);
  e->row.subject = dup_or_null(subject, &oom);
  e->row.payload = dup_or_null(payload, &oom);
  *tx->tail = e;
  tx->tail = &e->next;
  return oom ? LK_STORE_NOMEM : 0;
}

/* ---- events --------------------------------------------------------- */

static int events_after(lk_db *db, int64_t after, int limit, lk_events_fn fn,
                        void *ud) {
  static const char sql[] = "SELECT seq, type, subject, time, payload"
                            " FROM events WHERE seq > ?1 ORDER BY seq"
                            " LIMIT ?2";
  lk_event_row row;
  lk_stmt *st;
  int n = 0;
  int rc;

  st = lk_db_stmt(db, sql);
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, after);
  lk_stmt_int(st, 2, limit);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    row.seq = lk_stmt_col_int(st, 0);
    row.type = lk_stmt_col_text(st, 1);
    row.subject = lk_stmt_col_text(st, 2);
    row.time_ms = lk_stmt_col_int(st, 3);
    row.payload = lk_stmt_col_text(st, 4);
    fn(&row, ud);
    n++;
  }
  lk_stmt_done(st);
  return rc < 0 ? rc : n;
}

int lk_store_events_after(lk_store *s, int64_t after, int limit,
                          lk_events_fn fn, void *ud) {
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = events_after(db, after, limit, fn, ud);
  lk_store_reader_release(s, db);
  return rc;
}

/* Runs `sql`, which yields one integer. */
static int query_int(lk_db *db, const char *sql, int64_t *out) {
  lk_stmt *st;
  int rc;

  st = lk_db_stmt(db, sql);
  if (st == NULL)
    return LK_STORE_IO;
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    *out = lk_stmt_col_int(st, 0);
  lk_stmt_done(st);
  return rc == LK_DB_ROW ? 0 : LK_STORE_IO;
}

static int last_seq(lk_db *db, int64_t *seq) {
  static const char sql[] = "SELECT COALESCE(MAX(seq), 0) FROM events";
  return query_int(db, sql, seq);
}

int lk_store_last_event_seq(lk_store *s, int64_t *seq) {
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = last_seq(db, seq);
  lk_store_reader_release(s, db);
  return rc;
}

static void deliver(const lk_event_row *ev, void *ud) {
  lk_store *s = ud;

  if (ev->seq <= s->last_published)
    return;
  s->last_published = ev->seq;
  if (s->on_events != NULL)
    s->on_events(ev, s->on_events_ud);
}

/* Delivers whatever is in the table past the last delivered event: events
 * that other processes committed, and ours when they follow such a gap. */
static void catch_up(lk_store *s) {
  int n;

  if (!s->seq_known)
    return;

  do {
    n = events_after(s->wdb, s->last_published, CATCHUP_LIMIT, deliver, s);
  } while (n == CATCHUP_LIMIT);
}

/* ---- the writer ----------------------------------------------------- */

static int run_step(lk_db *db, const char *sql) {
  lk_stmt *st = lk_db_stmt(db, sql);
  return st != NULL ? lk_stmt_run(st) : LK_STORE_IO;
}

static void run_batch(lk_store *s, lk_write *batch, int n) {
  static const char begin[] = "BEGIN IMMEDIATE";
  static const char commit[] = "COMMIT";
  static const char rollback[] = "ROLLBACK";
  static const char savepoint[] = "SAVEPOINT w";
  static const char release[] = "RELEASE w";
  static const char undo[] = "ROLLBACK TO w";
  struct lk_tx tx;
  int64_t t0 = lk_clock_mono_ns();
  lk_write *w;
  lk_write *next;
  bool gap = false;
  int64_t expect;
  int rc;

  tx.db = s->wdb;
  tx.now = lk_clock_real_ms();
  rc = run_step(s->wdb, begin);
  for (w = batch; w != NULL; w = w->next) {
    w->events = NULL;
    if (rc != 0) {
      w->status = rc;
      continue;
    }
    tx.cur = w;
    tx.tail = &w->events;
    w->status = run_step(s->wdb, savepoint);
    if (w->status == 0)
      w->status = w->apply(&tx, w->arg);
    if (w->status != 0) {
      run_step(s->wdb, undo);
      free_events(w->events);
      w->events = NULL;
    }
    run_step(s->wdb, release);
    /* A full disk or an I/O error makes SQLite roll back the whole
     * transaction, not just the savepoint: then nothing of the batch is
     * committed, and every write must say so. */
    if (!lk_db_in_tx(s->wdb))
      rc = LK_STORE_IO;
  }
  if (rc == 0) {
    rc = run_step(s->wdb, commit);
    if (rc != 0)
      run_step(s->wdb, rollback);
  }

  lk_histogram_observe(&s->commit_seconds, (uint64_t)(lk_clock_mono_ns() - t0));
  lk_histogram_observe(&s->batch_size, (uint64_t)n);
  atomic_fetch_add(&s->commits, 1);
  expect = s->last_published + 1;
  for (w = batch; w != NULL; w = w->next) {
    if (rc != 0 && w->status == 0)
      w->status = rc;
    atomic_fetch_add(&s->writes, 1);
    if (w->status != 0) {
      atomic_fetch_add(&s->failed_writes, 1);
      free_events(w->events);
      w->events = NULL;
    } else if (w->events != NULL && w->events->row.seq != expect) {
      gap = true;
    } else {
      for (struct lk_tx_event *e = w->events; e != NULL; e = e->next)
        expect = e->row.seq + 1;
    }
  }
  if (gap) {
    catch_up(s);
  } else {
    for (w = batch; w != NULL; w = w->next) {
      for (struct lk_tx_event *e = w->events; e != NULL; e = e->next)
        deliver(&e->row, s);
    }
  }
  for (w = batch; w != NULL; w = next) {
    next = w->next; /* `done` may free w */
    free_events(w->events);
    w->events = NULL;
    w->next = NULL;
    if (w->done != NULL)
      w->done(w->status, w->arg);
  }
}

/* Looks for other processes' events once a second, however busy the
 * writer is with writes of its own.  Called without s->lock. */
static void poll_foreign(lk_store *s, int64_t *last_ns) {
  int64_t now = lk_clock_mono_ns();

  if (now - *last_ns < (int64_t)FOREIGN_POLL_MS * 1000000)
    return;
  *last_ns = now;
  catch_up(s);
}

static void *writer_main(void *arg) {
  lk_store *s = arg;
  int64_t last_poll = lk_clock_mono_ns();
  lk_write *batch;
  lk_write *last;
  struct timespec until;
  int n;

  pthread_mutex_lock(&s->lock);
  for (;;) {
    if (s->head == NULL && !s->stopping) {
      clock_gettime(CLOCK_MONOTONIC, &until);
      until.tv_sec += FOREIGN_POLL_MS / 1000;
      pthread_cond_timedwait(&s->cond, &s->lock, &until);
      if (s->head == NULL) {
        pthread_mutex_unlock(&s->lock);
        poll_foreign(s, &last_poll);
        pthread_mutex_lock(&s->lock);
      }
      continue;
    }
    if (s->head == NULL)
      break; /* stopping and drained */
    batch = s->head;
    last = batch;
    n = 1;
    while (last->next != NULL && n < s->max_batch) {
      last = last->next;
      n++;
    }
    s->head = last->next;
    if (s->head == NULL)
      s->tail = NULL;
    last->next = NULL;
    pthread_mutex_unlock(&s->lock);
    run_batch(s, batch, n);
    poll_foreign(s, &last_poll);
    pthread_mutex_lock(&s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

int lk_store_submit(lk_store *s, lk_write *w) {
  pthread_mutex_lock(&s->lock);
  if (s->stopping) {
    pthread_mutex_unlock(&s->lock);
    return LK_STORE_CLOSED;
  }
  w->next = NULL;
  w->events = NULL;
  if (s->tail != NULL)
    s->tail->next = w;
  else
    s->head = w;
  s->tail = w;
  pthread_cond_signal(&s->cond);
  pthread_mutex_unlock(&s->lock);
  return 0;
}

struct sync_write {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool done;
  int status;
};

static void sync_done(int status, void *arg) {
  struct sync_write *sw = arg;

  pthread_mutex_lock(&sw->lock);
  sw->status = status;
  sw->done = true;
  pthread_cond_signal(&sw->cond);
  pthread_mutex_unlock(&sw->lock);
}

struct sync_apply {
  lk_write_fn apply;
  void *arg;
  struct sync_write sw;
};

static int sync_apply(lk_tx *tx, void *arg) {
  struct sync_apply *sa = arg;
  return sa->apply(tx, sa->arg);
}

static void sync_apply_done(int status, void *arg) {
  struct sync_apply *sa = arg;
  sync_done(status, &sa->sw);
}

int lk_store_write(lk_store *s, lk_write_fn apply, void *arg) {
  struct sync_apply sa = {.apply = apply, .arg = arg};
  lk_write w = {.apply = sync_apply, .done = sync_apply_done, .arg = &sa};
  int rc;

  pthread_mutex_init(&sa.sw.lock, NULL);
  pthread_cond_init(&sa.sw.cond, NULL);
  rc = lk_store_submit(s, &w);
  if (rc == 0) {
    pthread_mutex_lock(&sa.sw.lock);
    while (!sa.sw.done)
      pthread_cond_wait(&sa.sw.cond, &sa.sw.lock);
    pthread_mutex_unlock(&sa.sw.lock);
    rc = sa.sw.status;
  }
  pthread_cond_destroy(&sa.sw.cond);
  pthread_mutex_destroy(&sa.sw.lock);
  return rc;
}

static int noop_apply(lk_tx *tx, void *arg) {
  (void)tx;
  (void)arg;
  return 0;
}

bool lk_store_writable(lk_store *s) {
  return lk_store_write(s, noop_apply, NULL) == 0;
}

void lk_store_stats_get(lk_store *s, lk_store_stats *out) {
  out->commits = atomic_load(&s->commits);
  out->writes = atomic_load(&s->writes);
  out->failed_writes = atomic_load(&s->failed_writes);
  out->commit_seconds = &s->commit_seconds;
  out->batch_size = &s->batch_size;
}

/* ---- migrations ----------------------------------------------------- */

int lk_store_latest_version(void) {
  return lk_db_nmigrations > 0 ? lk_db_migrations[lk_db_nmigrations - 1].version
                               : 0;
}

static int ensure_migrations_table(lk_db *db) {
  return lk_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version BIGINT PRIMARY KEY,"
                        " name TEXT NOT NULL,"
                        " applied_at BIGINT NOT NULL)");
}

static int schema_version(lk_db *db, int *version) {
  static const char sql[] =
      "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
  int64_t v = 0;
  int rc = query_int(db, sql, &v);

  if (rc == 0)
    *version = (int)v;
  return rc;
}

struct migrate_op {
  int target;
  int from;
  int to;
};

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

  rc = ensure_migrations_table(tx->db);
  if (rc == 0)
    rc = schema_version(tx->db, &op->from);
  if (rc != 0)
    return rc;
  op->to = op->from;
  if (op->from > lk_store_latest_version())
    return LK_STORE_SCHEMA;
  if (op->target < op->from)
    return LK_STORE_INVALID;
  for (int i = 0; i < lk_db_nmigrations; i++) {
    m = &lk_db_migrations[i];
    if (m->version <= op->from || m->version > op->target)
      continue;
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
    op->to = m->version;
    lk_log(LK_LOG_INFO, "migration applied", "name", m->name, NULL);
  }
  return 0;
}

/* Subscribers start at the present; older events are read on demand. */
static int init_seq_apply(lk_tx *tx, void *arg) {
  lk_store *s = arg;
  int rc;

  (void)tx;
  rc = last_seq(s->wdb, &s->last_published);
  s->seq_known = rc == 0;
  return rc;
}

int lk_store_migrate(lk_store *s, int target, int *from, int *to) {
  struct migrate_op op = {.target = target};
  int rc;

  if (target == 0)
    op.target = lk_store_latest_version();
  if (op.target < 0 || op.target > lk_store_latest_version())
    return LK_STORE_INVALID;
  rc = lk_store_write(s, migrate_apply, &op);
  if (rc == 0)
    lk_store_write(s, init_seq_apply, s);
  if (rc == 0) {
    if (from != NULL)
      *from = op.from;
    if (to != NULL)
      *to = op.to;
  }
  return rc;
}

static int version_apply(lk_tx *tx, void *arg) {
  int rc = ensure_migrations_table(tx->db);
  return rc != 0 ? rc : schema_version(tx->db, arg);
}

int lk_store_schema_version(lk_store *s, int *version) {
  return lk_store_write(s, version_apply, version);
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
    rc = ensure_migrations_table(s->wdb);
  if (rc == 0)
    rc = schema_version(s->wdb, &version);
  if (rc == 0 && version > lk_store_latest_version())
    rc = LK_STORE_SCHEMA;
  if (rc == 0 && pthread_create(&s->writer, NULL, writer_main, s) != 0)
    rc = LK_STORE_NOMEM;
  if (rc != 0) {
    lk_store_close(s);
    return rc;
  }
  s->writer_started = true;
  if (!opt->no_migrate) {
    rc = lk_store_migrate(s, 0, NULL, NULL);
    if (rc != 0) {
      lk_store_close(s);
      return rc;
    }
  }
  if (opt->no_migrate && version > 0)
    lk_store_write(s, init_seq_apply, s);
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
