/* proclog.h - the processing log: who read or changed which resident's data,
 * when, and in which processing activity (after the Logboek
 * Dataverwerkingen standard).
 *
 * A change logs inside the write that makes it (lk_store_proclog_insert in
 * the same transaction), so the log and the data never disagree.  A read
 * has no transaction: lk_proclog_read() queues a small write of its own and
 * returns at once; the entry commits with the writer's next group.  Rows
 * are append-only (the schema refuses updates and deletes).
 */
#ifndef LK_CORE_PROCLOG_H
#define LK_CORE_PROCLOG_H

#include "store/proclog.h"

/* Records a read of resident data described by `e` (strings are copied).
 * Returns 0, or a negative LK_STORE_* code if it could not be queued; the
 * caller should then refuse the read (no unlogged access). */
int lk_proclog_read(lk_store *s, const lk_proclog_entry *e);

#endif
