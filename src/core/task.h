/* task.h - interne taken: callbacks and questions for the back office.
 *
 * A task comes from one contact (its aanleidinggevend klantcontact; when
 * created from a conversation, that conversation's newest message), asks
 * for an action, may carry an explanation and a deadline, and is assigned
 * to zero or more actors.  Its status is te_verwerken until it is verwerkt;
 * becoming verwerkt stamps afgehandeldOp (done_at), going back clears it.
 * toegewezenOp (assigned_at) is when the current assignees were set.
 *
 * Both Loket's own API (/api/v1/tasks) and the standard's internetaken
 * write through here, so the rules hold whichever way a task changes.
 * Writes are prepare/apply pairs (see docs/core.md): *_prepare validates
 * the input without I/O, the apply function checks every referenced id
 * inside the transaction (the contact or conversation must be one the
 * caller may see, the actors must exist) and writes the task, its event
 * (task.created / task.updated), the audit entry and the processing-log
 * entry.
 */
#ifndef LK_TASK_H
#define LK_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/tasks.h"

/* An id in the input names nothing the caller may see; `ref_field` of the
 * op says which ("contact", "conversation", "assignees"). */
#define LK_TASK_EREF (-2201)

/* Which members an input carries. */
enum {
  LK_TASK_F_CONTACT = 1 << 0,
  LK_TASK_F_CONVERSATION = 1 << 1,
  LK_TASK_F_KIND = 1 << 2,
  LK_TASK_F_ACTION = 1 << 3,
  LK_TASK_F_EXPLANATION = 1 << 4,
  LK_TASK_F_STATUS = 1 << 5,
  LK_TASK_F_DEADLINE = 1 << 6,
  LK_TASK_F_ASSIGNEES = 1 << 7,
  LK_TASK_F_REFERENCE = 1 << 8,
  LK_TASK_F_NUMMER = 1 << 9,
  LK_TASK_F_DONE_AT = 1 << 10
};

/* A create or a change as the caller gave it.  Strings need only live
 * until *_prepare returns.  Field names in lk_invalid are the keys below
 * ("contact", "conversation", "kind", "action", "explanation", "status",
 * "deadline", "assignees", "reference", "nummer", "doneAt"); each API
 * maps them onto its own member names. */
typedef struct lk_task_input {
  unsigned set; /* LK_TASK_F_* */
  const char *contact_id;
  const char *conversation_id;
  const char *kind;
  const char *action;
  const char *explanation;
  const char *status;
  int64_t deadline; /* 0 clears */
  int nassignees;
  const char *assignees[LK_TASK_ASSIGNEES_MAX];
  const char *reference;
  const char *nummer; /* NULL or "" assigns / clears */
  int64_t done_at;    /* afgehandeldOp given explicitly; 0 clears */
} lk_task_input;

typedef struct lk_task_op {
  /* in */
  char actor[48];
  char request_id[48];
  bool confidential; /* the caller may see confidential contacts */
  unsigned set;
  char conversation_id[LK_TASK_ID_SIZE];
  lk_task_row in; /* the given values; id is the task's */
  bool deleting;
  /* out: the task as committed, and what went wrong */
  lk_task_row task;
  const char *ref_field;
} lk_task_op;

/* Validates a new task: a contact or a conversation (exactly one), an
 * action are required.  Returns 0 or LK_EINVALID with `why` filled. */
int lk_task_create_prepare(lk_task_op *op, const char *actor,
                           const char *request_id, bool confidential,
                           const lk_task_input *in, lk_invalid *why);
/* lk_write_fn for a create; fills op->task. */
int lk_task_create_apply(lk_tx *tx, void *arg);

/* Validates a change of task `id` (only the members in in->set change;
 * a conversation cannot be given).  LK_EINVALID with `why` filled, or
 * LK_STORE_NOTFOUND if `id` is not a UUID. */
int lk_task_update_prepare(lk_task_op *op, const char *actor,
                           const char *request_id, bool confidential,
                           const char *id, const lk_task_input *in,
                           lk_invalid *why);
/* lk_write_fn for a change; LK_STORE_NOTFOUND if the task is unknown or
 * hidden from the caller.  Fills op->task. */
int lk_task_update_apply(lk_tx *tx, void *arg);

/* Prepares the deletion of task `id`; LK_STORE_NOTFOUND if it cannot be
 * a task id. */
int lk_task_delete_prepare(lk_task_op *op, const char *actor,
                           const char *request_id, bool confidential,
                           const char *id);
int lk_task_delete_apply(lk_tx *tx, void *arg);

/* True if `s` is a task kind / status. */
bool lk_task_kind_ok(const char *s);
bool lk_task_status_ok(const char *s);
/* Copies the UUID `s` in lower case into `out`; false if `s` is none. */
bool lk_task_uuid(const char *s, char out[LK_TASK_ID_SIZE]);

#endif
