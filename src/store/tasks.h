/* tasks.h - the rows of interne taken (tasks) and their assignees.
 *
 * A task hangs off the contact that led to it (aanleidinggevend
 * klantcontact) and is visible exactly when that contact is: a
 * confidential contact, or one in a confidential conversation, hides its
 * tasks from callers without confidential access, and internal notes never
 * lead to tasks.  Every read takes that access as `confidential`.
 *
 * Functions return 0 or a negative LK_STORE_* code; out parameters are
 * filled only on success.
 */
#ifndef LK_STORE_TASKS_H
#define LK_STORE_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_TASK_ASSIGNEES_MAX 16
#define LK_TASK_ID_SIZE 37 /* a UUID and its NUL */
/* Byte sizes: the standard counts characters, UTF-8 takes up to 4 each. */
#define LK_TASK_NUMMER_SIZE 41        /* 10 characters */
#define LK_TASK_ACTION_SIZE 801       /* 200 characters */
#define LK_TASK_EXPLANATION_SIZE 4001 /* 1000 characters */

typedef struct lk_task_row {
  int64_t seq;
  char id[LK_TASK_ID_SIZE];
  char nummer[LK_TASK_NUMMER_SIZE];    /* "" for none */
  char reference[LK_TASK_NUMMER_SIZE]; /* referentienummer, "" for none */
  char contact_id[LK_TASK_ID_SIZE];
  char conversation_id[LK_TASK_ID_SIZE]; /* the contact's; "" if none */
  char party_id[LK_TASK_ID_SIZE];   /* the resident it is about; "" if none */
  char kind[12];                    /* callback, backoffice, other */
  char action[LK_TASK_ACTION_SIZE]; /* gevraagdeHandeling */
  char explanation[LK_TASK_EXPLANATION_SIZE]; /* toelichting */
  char status[16];                            /* te_verwerken, verwerkt */
  int64_t deadline;                           /* 0: none */
  int64_t assigned_at;                        /* toegewezenOp */
  int64_t done_at;                            /* afgehandeldOp; 0: not done */
  int64_t created_at;
  int64_t updated_at;
  int nassignees; /* toegewezenAanActoren, in order */
  char assignees[LK_TASK_ASSIGNEES_MAX][LK_TASK_ID_SIZE];
} lk_task_row;

/* Inserts `t` with its assignees.  An empty t->nummer is assigned the next
 * number from the "task" counter (written back into t->nummer).
 * LK_STORE_CONFLICT if the id or nummer is taken. */
int lk_store_task_insert(lk_tx *tx, lk_task_row *t);
/* Overwrites every column of task t->id (an empty nummer keeps the one
 * assigned) and replaces its assignees.  LK_STORE_NOTFOUND if there is no
 * such task. */
int lk_store_task_update(lk_tx *tx, const lk_task_row *t);
/* Deletes the task and its assignees.  LK_STORE_NOTFOUND if none. */
int lk_store_task_delete(lk_tx *tx, const char *id);
/* The task `id` inside the current write, if the caller may see it. */
int lk_store_task_get_tx(lk_tx *tx, const char *id, bool confidential,
                         lk_task_row *out);
int lk_store_task_get(lk_store *s, const char *id, bool confidential,
                      lk_task_row *out);

/* 0 if `contact_id` is an inbound or outbound contact the caller may see
 * (a task may come from it), LK_STORE_NOTFOUND otherwise. */
int lk_store_task_contact_ok(lk_tx *tx, const char *contact_id,
                             bool confidential);
/* The newest inbound or outbound contact of conversation `conversation_id`
 * that the caller may see, in `contact_id`; LK_STORE_NOTFOUND if the
 * conversation is unknown, hidden or has none. */
int lk_store_task_conversation_contact(lk_tx *tx, const char *conversation_id,
                                       bool confidential,
                                       char contact_id[LK_TASK_ID_SIZE]);
/* 0 if the actor exists, LK_STORE_NOTFOUND otherwise. */
int lk_store_task_actor_ok(lk_tx *tx, const char *actor_id);

enum { LK_TASK_BY_DEADLINE, LK_TASK_BY_CREATED };

/* What a list asks for.  NULL strings and 0 times mean "any". */
typedef struct lk_task_filter {
  bool confidential;
  const char *status;
  const char *kind;
  const char *assignee_id;
  const char *contact_id;
  const char *conversation_id;
  int64_t due_before;
  const char *nummer;
  const char *reference;
  const char *contact_nummer;
  const char *contact_reference;
  const char *actor_name; /* some assignee has this name */
  int64_t assigned_at;    /* toegewezenOp, exactly */
  /* LK_TASK_BY_DEADLINE: earliest deadline first (none last), then
   * creation; resumes after (after_key, after_seq) when has_cursor.
   * LK_TASK_BY_CREATED: oldest first, skipping `offset`. */
  int order;
  bool has_cursor;
  int64_t after_key;
  int64_t after_seq;
  int64_t offset;
  int limit;
} lk_task_filter;

/* The sort key of `t` under LK_TASK_BY_DEADLINE, for cursors. */
int64_t lk_task_deadline_key(const lk_task_row *t);

typedef void (*lk_task_fn)(const lk_task_row *t, void *ud);
/* Calls `fn` for each matching task.  Returns the number listed. */
int lk_store_task_list(lk_store *s, const lk_task_filter *f, lk_task_fn fn,
                       void *ud);
/* How many tasks match `f` (ordering and paging ignored). */
int lk_store_task_count(lk_store *s, const lk_task_filter *f, int64_t *out);

#endif
