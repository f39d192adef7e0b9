/* proclog.h - the processing log's rows (see core/proclog.h). */
#ifndef LK_STORE_PROCLOG_H
#define LK_STORE_PROCLOG_H

#include "store/store.h"

typedef struct lk_proclog_entry {
  const char *actor;      /* "user:usr_..." or "token:tok_..." */
  const char *party_id;   /* the resident concerned; NULL or "" if none */
  const char *operation;  /* "read", "create", "update", "delete" ... */
  const char *activity;   /* processing activity, e.g. "klantcontact" */
  const char *resource;   /* what was touched, e.g. a path; may be NULL */
  const char *reason;     /* the user's stated reason; may be NULL */
  const char *request_id; /* may be NULL */
} lk_proclog_entry;

/* Appends `e` inside the current write.  Returns 0 or an LK_STORE_* code. */
int lk_store_proclog_insert(lk_tx *tx, const lk_proclog_entry *e);

#endif
