/* proclog.c - recording reads of resident data without waiting. */
#include <stdio.h>
#include <stdlib.h>

#include "core/proclog.h"
#include "util/log.h"

/* One queued entry with its own copies of the strings. */
struct pending {
  lk_write w;
  lk_proclog_entry e;
  char actor[48];
  char party_id[40];
  char operation[24];
  char activity[48];
  char resource[256];
  char reason[256];
  char request_id[48]; /* as long as lk_req ids */
};

static int pending_apply(lk_tx *tx, void *arg) {
  struct pending *p = arg;

  return lk_store_proclog_insert(tx, &p->e);
}

static void pending_done(int status, void *arg) {
  struct pending *p = arg;

  if (status != 0)
    lk_log(LK_LOG_ERROR, "processing log entry lost", "actor", p->actor,
           "party", p->party_id, "error", lk_store_strerror(status), NULL);
  free(p);
}

#define COPY(field)                                                            \
  snprintf(p->field, sizeof(p->field), "%s", e->field != NULL ? e->field : "")

int lk_proclog_read(lk_store *s, const lk_proclog_entry *e) {
  struct pending *p = calloc(1, sizeof(*p));
  int rc;

  if (p == NULL)
    return LK_STORE_NOMEM;
  COPY(actor);
  COPY(party_id);
  COPY(operation);
  COPY(activity);
  COPY(resource);
  COPY(reason);
  COPY(request_id);
  p->e = (lk_proclog_entry){p->actor,    p->party_id, p->operation, p->activity,
                            p->resource, p->reason,   p->request_id};
  p->w.apply = pending_apply;
  p->w.done = pending_done;
  p->w.arg = p;
  rc = lk_store_submit(s, &p->w);
  if (rc != 0)
    free(p);
  return rc;
}
