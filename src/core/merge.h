/* merge.h - merging two parties (partijen) that turn out to be one
 * resident.
 *
 * A merge moves everything of the merged party to the survivor in one
 * write: conversations, betrokkenen (involved), digital addresses,
 * identifiers, bank accounts, category relations, representations and the
 * contact persons working for it.  Nothing is deleted: the merged party
 * stays, marked merged_into the survivor, and keeps what could not move
 * (an address the survivor has already, a representation the survivor
 * already has); the merge record lists every row that moved, by id, so the
 * merge can be inspected (and, by hand, undone).  See docs/assignment.md.
 */
#ifndef LK_CORE_MERGE_H
#define LK_CORE_MERGE_H

#include <stdbool.h>

#include "core/token.h"
#include "store/merges.h"
#include "util/buf.h"

typedef struct lk_merge_op {
  char actor[64];
  char request_id[40];
  bool confidential;  /* the caller may see confidential parties */
  lk_merge_row merge; /* survivor, merged and reason in; the record out */
  lk_buf moved;       /* out: the JSON recorded as `moved` */
  lk_invalid why;     /* out, with LK_STORE_CONFLICT: which party */
} lk_merge_op;

/* Validates; LK_EINVALID with `why` for a party merged into itself or a
 * bad reason.  Malformed ids are left for the apply to find unknown. */
int lk_merge_prepare(lk_merge_op *op, const char *actor, bool confidential,
                     const char *request_id, const char *survivor_id,
                     const char *merged_id, const char *reason,
                     lk_invalid *why);
/* lk_write_fn.  LK_STORE_NOTFOUND: a party is unknown or not visible;
 * LK_STORE_CONFLICT: one of them has been merged already (op->why says
 * which).  On success op->merge and op->moved describe the merge. */
int lk_merge_apply(lk_tx *tx, void *arg);
/* Frees what the op holds (op->moved). */
void lk_merge_op_free(lk_merge_op *op);

/* The merge as JSON, with `moved` (a JSON object text) when not NULL. */
void lk_merge_json(lk_buf *b, const lk_merge_row *m, const char *moved);

#endif
