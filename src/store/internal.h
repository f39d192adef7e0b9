/* internal.h - what the store's entity files share.  Private to src/store. */
#ifndef LK_STORE_INTERNAL_H
#define LK_STORE_INTERNAL_H

#include "store/conversations.h"
#include "store/db.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util/metrics.h"

#define LK_STORE_POOL_MAX 16

struct lk_tx_event {
  lk_event_row row;
  struct lk_tx_event *next;
};

struct lk_tx {
  lk_db *db;
  int64_t now;
  struct lk_tx_event **tail;
  bool outbox_queued; /* this write emitted outbox.queued (outbox.c) */
  int (*on_event)(lk_tx *tx, const lk_event_row *ev, void *ud);
  void *on_event_ud;
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
  lk_db *pool[LK_STORE_POOL_MAX];
  int npool;

  lk_events_fn on_events;
  void *on_events_ud;
  int (*on_tx_event)(lk_tx *tx, const lk_event_row *ev, void *ud);
  int (*on_tx_phase)(lk_tx *tx, int phase, void *ud);
  void *on_tx_event_ud;
  struct lk_clock *clock; /* NULL: the system clock */
  int64_t last_published; /* writer thread only */
  bool seq_known;         /* writer thread only: last_published is set */
  bool fts_queue;         /* writer thread only: contacts_fts_queue exists */

  _Atomic uint64_t commits;
  _Atomic uint64_t writes;
  _Atomic uint64_t failed_writes;
  lk_histogram commit_seconds;
  lk_histogram batch_size;
};

/* The writer thread (writer.c). */
void *lk_store_writer_main(void *arg);
/* Indexes the messages queued by migration 0010's trigger in the
 * full-text index and empties the queue: the writer calls it once per
 * batch, just before COMMIT (search.c).  `*present` tells whether the
 * queue exists (false on a schema older than 0010, checked again each
 * time until it does). */
int lk_store_fts_flush(lk_db *db, bool *present);
/* Delivers committed events past the last delivered one (writer thread). */
void lk_store_catch_up(lk_store *s);
/* Events with seq > `after` on `db`, oldest first (events.c). */
int lk_store_events_after_db(lk_db *db, int64_t after, int limit,
                             lk_events_fn fn, void *ud);
/* The newest event's seq on `db`, 0 if none. */
int lk_store_last_seq_db(lk_db *db, int64_t *seq);
/* Runs `sql`, which yields one integer. */
int lk_store_query_int(lk_db *db, const char *sql, int64_t *out);
/* Schema bookkeeping on `db` (migrations.c). */
int lk_store_ensure_migrations_table(lk_db *db);
int lk_store_schema_version_db(lk_db *db, int *version);
/* lk_write_fn (arg: the store) that makes the writer deliver events from
 * the newest one on: subscribers start at the present. */
int lk_store_init_seq_apply(lk_tx *tx, void *arg);

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

/* ---- helpers every entity file shares ---------------------------------- */

/* Binds `v` at `i`, or NULL when `v` is NULL or empty: for optional text
 * columns. */
static inline void lk_stmt_text_opt(lk_stmt *st, int i, const char *v) {
  lk_stmt_text(st, i, v != NULL && v[0] != '\0' ? v : NULL);
}

/* Binds `v` at `i`, or NULL when `v` <= 0: for optional time columns,
 * whose 0 means "not set". */
static inline void lk_stmt_int_opt(lk_stmt *st, int i, int64_t v) {
  if (v > 0)
    lk_stmt_int(st, i, v);
  else
    lk_stmt_text(st, i, NULL);
}

/* Sets the parameters of `st` from `arg`. */
typedef void (*lk_bind_fn)(lk_stmt *st, const void *arg);

/* Runs `sql`, which returns no rows, inside the write with the parameters
 * `bind` sets from `arg`.  With `must`, LK_STORE_NOTFOUND when it changed
 * no row. */
static inline int lk_tx_run(lk_tx *tx, const char *sql, lk_bind_fn bind,
                            const void *arg, bool must) {
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  bind(st, arg);
  rc = lk_stmt_run(st);
  if (rc == 0 && must && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

static inline void lk_bind_id(lk_stmt *st, const void *id) {
  lk_stmt_text(st, 1, id);
}

/* lk_tx_run() with ?1 = `id`. */
static inline int lk_tx_run_id(lk_tx *tx, const char *sql, const char *id,
                               bool must) {
  return lk_tx_run(tx, sql, lk_bind_id, id, must);
}

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

/* lk_rows() inside the write for a statement that returns no rows: 0,
 * or with `must` LK_STORE_NOTFOUND when it changed none, or a negative
 * code. */
static inline int lk_rows_write(lk_tx *tx, const char *sql,
                                const char *const *texts, int nt,
                                const int64_t *nums, int nn, bool must) {
  int n = lk_rows(lk_tx_db(tx), sql, texts, nt, nums, nn, NULL, NULL);

  if (n < 0)
    return n;
  return must && lk_db_changes(lk_tx_db(tx)) == 0 ? LK_STORE_NOTFOUND : 0;
}

/* lk_store_counter_next() (store/conversations.h) as ten digits with
 * leading zeros into `out`: the nummers of partijen, klantcontacten and
 * interne taken. */
static inline int lk_store_next_number(lk_tx *tx, const char *name, char *out,
                                       size_t size) {
  int64_t v;
  int rc = lk_store_counter_next(tx, name, &v);

  if (rc == 0)
    snprintf(out, size, "%010lld", (long long)v);
  return rc;
}

/* The row of `sql` with ?1 = `id` through `fn` into `out`, on a pooled
 * reader (`tx` NULL) or inside the write.  Returns 0, LK_STORE_NOTFOUND
 * or a negative code. */
static inline int lk_row_get(lk_store *s, lk_tx *tx, const char *sql,
                             const char *id, lk_row_fn fn, void *out) {
  int n = tx == NULL ? lk_rows_read(s, sql, &id, 1, NULL, 0, fn, out)
                     : lk_rows(lk_tx_db(tx), sql, &id, 1, NULL, 0, fn, out);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
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
