/* proclog_query.h - reading the processing log back (for supervisors and
 * auditors; writing it is store/proclog.h). */
#ifndef LK_STORE_PROCLOG_QUERY_H
#define LK_STORE_PROCLOG_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

typedef struct lk_proclog_filter {
  const char *party_id;  /* NULL or "" for any */
  const char *actor;     /* NULL or "" for any */
  const char *operation; /* NULL or "" for any */
  int64_t from;          /* time >= from (0 for any) */
  int64_t to;            /* time < to (INT64_MAX for any) */
  int64_t before_time;   /* cursor: rows before (time, seq); */
  int64_t before_seq;    /* INT64_MAX for both at the start */
  int limit;
  bool hide_confidential; /* leave out rows about confidential parties */
} lk_proclog_filter;

/* One row; strings valid during the callback only. */
typedef struct lk_proclog_row {
  int64_t seq;
  int64_t time;
  const char *actor;
  const char *party_id;
  const char *operation;
  const char *activity;
  const char *resource;
  const char *reason;
  const char *request_id;
} lk_proclog_row;

typedef void (*lk_proclog_fn)(const lk_proclog_row *r, void *ud);

/* Rows matching `f`, newest first (time, then seq), at most f->limit.
 * A party or actor filter reads that index; otherwise the time index.
 * Returns the number of rows or a negative LK_STORE_* code. */
int lk_store_proclog_query(lk_store *s, const lk_proclog_filter *f,
                           lk_proclog_fn fn, void *ud);

#endif
