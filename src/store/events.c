/* events.c - reading the event log (the events table). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "util/clock.h"
#include "util/log.h"

int lk_store_events_after_db(lk_db *db, int64_t after, int limit,
                             lk_events_fn fn, void *ud) {
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
  rc = lk_store_events_after_db(db, after, limit, fn, ud);
  lk_store_reader_release(s, db);
  return rc;
}

int lk_store_query_int(lk_db *db, const char *sql, int64_t *out) {
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

int lk_store_last_seq_db(lk_db *db, int64_t *seq) {
  static const char sql[] = "SELECT COALESCE(MAX(seq), 0) FROM events";
  return lk_store_query_int(db, sql, seq);
}

int lk_store_last_event_seq(lk_store *s, int64_t *seq) {
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = lk_store_last_seq_db(db, seq);
  lk_store_reader_release(s, db);
  return rc;
}
