/* internal.h - what the store's entity files share.  Private to src/store. */
#ifndef LK_STORE_INTERNAL_H
#define LK_STORE_INTERNAL_H

#include "store/db.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>

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

#endif
