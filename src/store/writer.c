/* writer.c - the store writer: one thread that commits every write.
 *
 * Modelled on Redis' bio.c: one queue, one thread, one job at a time,
 * except that a "job" is every write waiting when the thread wakes up,
 * committed together in one transaction with a savepoint each.  After the
 * commit it delivers the batch's events in sequence order, then tells each
 * caller.  See store.h for the contract and docs/store.md for the design.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "util/clock.h"
#include "util/log.h"

/* How often the writer looks for events other processes committed (loket
 * serve --reuseport: several processes on one data directory).  The look
 * is PRAGMA data_version, which reads the WAL index in shared memory and
 * changes only when another connection committed, so polling this often
 * costs next to nothing while idle (docs/operations.md has the figures);
 * only a change costs a query for the new events. */
#define FOREIGN_POLL_MS 20
#define CATCHUP_LIMIT 1000

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

/* The new row's seq comes from lk_db_last_id() rather than RETURNING,
 * which made SQLite open and drop a temporary B-tree per event. */
int lk_tx_emit(lk_tx *tx, const char *type, const char *subject,
               const char *payload) {
  static const char sql[] = "INSERT INTO events (type, subject, time, payload)"
                            " VALUES (?1, ?2, ?3, ?4)";
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
  rc = lk_stmt_run(st);
  if (rc != 0)
    return rc;
  e = calloc(1, sizeof(*e));
  if (e == NULL)
    return LK_STORE_NOMEM;
  e->row.seq = lk_db_last_id(tx->db);
  e->row.time_ms = tx->now;
  e->row.type = dup_or_null(type, &oom);
  e->row.subject = dup_or_null(subject, &oom);
  e->row.payload = dup_or_null(payload, &oom);
  *tx->tail = e;
  tx->tail = &e->next;
  if (oom)
    return LK_STORE_NOMEM;
  return tx->on_event != NULL ? tx->on_event(tx, &e->row, tx->on_event_ud) : 0;
}

/* ---- event delivery ------------------------------------------------- */

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
void lk_store_catch_up(lk_store *s) {
  int n;

  if (!s->seq_known)
    return;

  do {
    n = lk_store_events_after_db(s->wdb, s->last_published, CATCHUP_LIMIT,
                                 deliver, s);
  } while (n == CATCHUP_LIMIT);
}

/* ---- the writer ----------------------------------------------------- */

static int run_step(lk_db *db, const char *sql) {
  lk_stmt *st = lk_db_stmt(db, sql);
  return st != NULL ? lk_stmt_run(st) : LK_STORE_IO;
}

static int phase(lk_store *s, lk_tx *tx, int which) {
  return s->on_tx_phase != NULL ? s->on_tx_phase(tx, which, s->on_tx_event_ud)
                                : 0;
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
  tx.now = s->clock != NULL ? lk_clock_now(s->clock) : lk_clock_real_ms();
  tx.on_event = s->on_tx_event;
  tx.on_event_ud = s->on_tx_event_ud;
  rc = run_step(s->wdb, begin);
  for (w = batch; w != NULL; w = w->next) {
    w->events = NULL;
    if (rc != 0) {
      w->status = rc;
      continue;
    }
    tx.tail = &w->events;
    tx.outbox_queued = false;
    w->status = run_step(s->wdb, savepoint);
    if (w->status == 0)
      w->status = w->apply(&tx, w->arg);
    if (w->status != 0) {
      run_step(s->wdb, undo);
      free_events(w->events);
      w->events = NULL;
      phase(s, &tx, LK_TX_WRITE_UNDONE);
    }
    run_step(s->wdb, release);
    /* What the hook writes here is outside every savepoint: if it
     * fails, the whole batch must. */
    if (w->status == 0 && rc == 0)
      rc = phase(s, &tx, LK_TX_WRITE_OK);
    /* A full disk or an I/O error makes SQLite roll back the whole
     * transaction, not just the savepoint: then nothing of the batch is
     * committed, and every write must say so. */
    if (!lk_db_in_tx(s->wdb))
      rc = LK_STORE_IO;
  }
  /* The messages of the whole batch enter the full-text index in one
   * statement, within the transaction (see migration 0010); if that
   * fails, nothing of the batch commits. */
  if (rc == 0) {
    rc = lk_store_fts_flush(s->wdb, &s->fts_queue);
    if (rc == 0)
      rc = phase(s, &tx, LK_TX_BEFORE_COMMIT);
    if (rc == 0)
      rc = run_step(s->wdb, commit);
    if (rc != 0)
      run_step(s->wdb, rollback);
  } else if (lk_db_in_tx(s->wdb)) {
    run_step(s->wdb, rollback); /* a hook failed between writes */
  }
  if (rc != 0)
    phase(s, &tx, LK_TX_ABORTED);

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
    lk_store_catch_up(s);
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

/* Looks for other processes' events every FOREIGN_POLL_MS, however busy
 * the writer is with writes of its own.  Called without s->lock. */
static void poll_foreign(lk_store *s, int64_t *last_ns, int64_t *version) {
  int64_t now = lk_clock_mono_ns();
  int64_t v;

  if (now - *last_ns < (int64_t)FOREIGN_POLL_MS * 1000000)
    return;
  *last_ns = now;
  /* Our own commits leave data_version alone; theirs change it.  If it
   * cannot be read, look at the table itself. */
  if (lk_store_query_int(s->wdb, "PRAGMA data_version", &v) == 0) {
    if (v == *version)
      return;
    *version = v;
  }
  lk_store_catch_up(s);
}

void *lk_store_writer_main(void *arg) {
  lk_store *s = arg;
  int64_t last_poll = lk_clock_mono_ns();
  int64_t version = -1;
  lk_write *batch;
  lk_write *last;
  struct timespec until;
  int n;

  pthread_mutex_lock(&s->lock);
  for (;;) {
    if (s->head == NULL && !s->stopping) {
      clock_gettime(CLOCK_MONOTONIC, &until);
      until.tv_nsec += (long)FOREIGN_POLL_MS * 1000000;
      if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
      }
      pthread_cond_timedwait(&s->cond, &s->lock, &until);
      if (s->head == NULL) {
        pthread_mutex_unlock(&s->lock);
        poll_foreign(s, &last_poll, &version);
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
    poll_foreign(s, &last_poll, &version);
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
