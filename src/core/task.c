/* task.c - the rules of interne taken. */
#include "core/task.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "store/proclog.h"
#include "util/buf.h"
#include "util/utf8.h"

bool lk_task_kind_ok(const char *s) {
  return strcmp(s, "callback") == 0 || strcmp(s, "backoffice") == 0 ||
         strcmp(s, "other") == 0;
}

bool lk_task_status_ok(const char *s) {
  return strcmp(s, "te_verwerken") == 0 || strcmp(s, "verwerkt") == 0;
}

bool lk_task_uuid(const char *s, char out[LK_TASK_ID_SIZE]) {
  if (s == NULL || !lk_uuid_valid(s))
    return false;
  for (int i = 0; i < LK_UUID_LEN; i++)
    out[i] = (char)tolower((unsigned char)s[i]);
  out[LK_UUID_LEN] = '\0';
  return true;
}

/* The standard limits text in characters; an empty string is allowed only
 * where `may_be_empty`. */
static bool text_ok(const char *s, size_t max_chars, bool multiline,
                    bool may_be_empty) {
  size_t chars = 0;

  if (*s == '\0')
    return may_be_empty;
  if (!lk_text_ok(s, max_chars * 4, multiline))
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if ((*p & 0xc0) != 0x80)
      chars++;
  }
  return chars <= max_chars;
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* Checks the members of `in` that are set and copies them into op->in. */
static int take_input(lk_task_op *op, const lk_task_input *in,
                      lk_invalid *why) {
  lk_task_row *t = &op->in;

  op->set = in->set;
  if (in->set & LK_TASK_F_CONTACT) {
    if (!lk_task_uuid(in->contact_id, t->contact_id))
      return invalid(why, "contact", "must be a contact's UUID");
  }
  if (in->set & LK_TASK_F_CONVERSATION) {
    if (!lk_task_uuid(in->conversation_id, op->conversation_id))
      return invalid(why, "conversation", "must be a conversation's UUID");
  }
  if (in->set & LK_TASK_F_KIND) {
    if (in->kind == NULL || !lk_task_kind_ok(in->kind))
      return invalid(why, "kind", "must be callback, backoffice or other");
    snprintf(t->kind, sizeof(t->kind), "%s", in->kind);
  }
  if (in->set & LK_TASK_F_ACTION) {
    if (in->action == NULL || !text_ok(in->action, 200, false, false))
      return invalid(why, "action",
                     "must be 1 to 200 characters of text without control "
                     "characters");
    snprintf(t->action, sizeof(t->action), "%s", in->action);
  }
  if (in->set & LK_TASK_F_EXPLANATION) {
    if (in->explanation == NULL || !text_ok(in->explanation, 1000, true, true))
      return invalid(why, "explanation",
                     "must be at most 1000 characters of text");
    snprintf(t->explanation, sizeof(t->explanation), "%s", in->explanation);
  }
  if (in->set & LK_TASK_F_STATUS) {
    if (in->status == NULL || !lk_task_status_ok(in->status))
      return invalid(why, "status", "must be te_verwerken or verwerkt");
    snprintf(t->status, sizeof(t->status), "%s", in->status);
  }
  if (in->set & LK_TASK_F_DEADLINE) {
    if (in->deadline < 0)
      return invalid(why, "deadline", "must be a time in milliseconds");
    t->deadline = in->deadline;
  }
  if (in->set & LK_TASK_F_DONE_AT) {
    if (in->done_at < 0)
      return invalid(why, "doneAt", "must be a time");
    t->done_at = in->done_at;
  }
  if (in->set & LK_TASK_F_REFERENCE) {
    const char *r = in->reference != NULL ? in->reference : "";

    if (!text_ok(r, 10, false, true))
      return invalid(why, "reference", "must be at most 10 characters");
    snprintf(t->reference, sizeof(t->reference), "%s", r);
  }
  if (in->set & LK_TASK_F_NUMMER) {
    const char *n = in->nummer != NULL ? in->nummer : "";

    if (!text_ok(n, 10, false, true))
      return invalid(why, "nummer", "must be at most 10 characters");
    snprintf(t->nummer, sizeof(t->nummer), "%s", n);
  }
  if (in->set & LK_TASK_F_ASSIGNEES) {
    if (in->nassignees < 0 || in->nassignees > LK_TASK_ASSIGNEES_MAX)
      return invalid(why, "assignees", "must list at most 16 actors");
    for (int i = 0; i < in->nassignees; i++) {
      if (!lk_task_uuid(in->assignees[i], t->assignees[i]))
        return invalid(why, "assignees", "must list actor UUIDs");
      for (int j = 0; j < i; j++) {
        if (strcmp(t->assignees[i], t->assignees[j]) == 0)
          return invalid(why, "assignees", "must not list an actor twice");
      }
    }
    t->nassignees = in->nassignees;
  }
  return 0;
}

static void op_begin(lk_task_op *op, const char *actor, const char *request_id,
                     bool confidential) {
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->request_id, sizeof(op->request_id), "%s",
           request_id != NULL ? request_id : "");
  op->confidential = confidential;
}

int lk_task_create_prepare(lk_task_op *op, const char *actor,
                           const char *request_id, bool confidential,
                           const lk_task_input *in, lk_invalid *why) {
  int rc;

  op_begin(op, actor, request_id, confidential);
  rc = take_input(op, in, why);
  if (rc != 0)
    return rc;
  if ((in->set & (LK_TASK_F_CONTACT | LK_TASK_F_CONVERSATION)) == 0)
    return invalid(why, "contact", "a contact or a conversation is required");
  if ((in->set & LK_TASK_F_CONTACT) && (in->set & LK_TASK_F_CONVERSATION))
    return invalid(why, "conversation",
                   "give a contact or a conversation, not both");
  if ((in->set & LK_TASK_F_ACTION) == 0)
    return invalid(why, "action", "is required");
  if ((in->set & LK_TASK_F_KIND) == 0)
    snprintf(op->in.kind, sizeof(op->in.kind), "other");
  if ((in->set & LK_TASK_F_STATUS) == 0)
    snprintf(op->in.status, sizeof(op->in.status), "te_verwerken");
  return 0;
}

int lk_task_update_prepare(lk_task_op *op, const char *actor,
                           const char *request_id, bool confidential,
                           const char *id, const lk_task_input *in,
                           lk_invalid *why) {
  op_begin(op, actor, request_id, confidential);
  if (!lk_task_uuid(id, op->in.id))
    return LK_STORE_NOTFOUND;
  if (in->set & LK_TASK_F_CONVERSATION)
    return invalid(why, "conversation", "cannot be changed");
  return take_input(op, in, why);
}

int lk_task_delete_prepare(lk_task_op *op, const char *actor,
                           const char *request_id, bool confidential,
                           const char *id) {
  op_begin(op, actor, request_id, confidential);
  op->deleting = true;
  return lk_task_uuid(id, op->in.id) ? 0 : LK_STORE_NOTFOUND;
}

/* Checks that every referenced id is one the caller may use. */
static int check_refs(lk_tx *tx, lk_task_op *op, const lk_task_row *t) {
  int rc;

  if (op->set & LK_TASK_F_CONTACT) {
    rc = lk_store_task_contact_ok(tx, t->contact_id, op->confidential);
    if (rc == LK_STORE_NOTFOUND)
      op->ref_field = "contact";
    if (rc != 0)
      return rc == LK_STORE_NOTFOUND ? LK_TASK_EREF : rc;
  }
  for (int i = 0; i < t->nassignees; i++) {
    rc = lk_store_task_actor_ok(tx, t->assignees[i]);
    if (rc == LK_STORE_NOTFOUND)
      op->ref_field = "assignees";
    if (rc != 0)
      return rc == LK_STORE_NOTFOUND ? LK_TASK_EREF : rc;
  }
  return 0;
}

/* Event, audit entry and processing-log entry of a task change. */
static int task_changed(lk_tx *tx, lk_task_op *op, const char *type,
                        const char *operation) {
  const lk_task_row *t = &op->task;
  lk_buf p = LK_BUF_INIT;
  lk_proclog_entry e;
  char resource[64];
  int rc;

  lk_buf_puts(&p, "{\"id\":");
  lk_buf_json_str(&p, t->id);
  lk_buf_puts(&p, ",\"status\":");
  lk_buf_json_str(&p, t->status);
  lk_buf_puts(&p, ",\"contactId\":");
  lk_buf_json_str(&p, t->contact_id);
  /* Kind, deadline and done time: what the measure hook needs to keep a
   * callback's norm (core/measure.h). */
  lk_buf_puts(&p, ",\"kind\":");
  lk_buf_json_str(&p, t->kind);
  if (t->deadline != 0)
    lk_buf_printf(&p, ",\"deadline\":%lld", (long long)t->deadline);
  else
    lk_buf_puts(&p, ",\"deadline\":null");
  if (t->done_at != 0)
    lk_buf_printf(&p, ",\"doneAt\":%lld", (long long)t->done_at);
  lk_buf_puts(&p, ",\"assigneeIds\":[");
  for (int i = 0; i < t->nassignees; i++) {
    if (i > 0)
      lk_buf_putc(&p, ',');
    lk_buf_json_str(&p, t->assignees[i]);
  }
  lk_buf_puts(&p, "]}");
  if (!lk_buf_ok(&p))
    return LK_STORE_NOMEM;
  rc = lk_tx_emit(tx, type, t->id, p.data);
  if (rc == 0)
    rc = lk_store_audit(tx, op->actor, type, t->id, p.data);
  lk_buf_free(&p);
  if (rc != 0)
    return rc;
  snprintf(resource, sizeof(resource), "task:%s", t->id);
  e = (lk_proclog_entry){op->actor, t->party_id, operation,     "internetaak",
                         resource,  NULL,        op->request_id};
  return lk_store_proclog_insert(tx, &e);
}

int lk_task_create_apply(lk_tx *tx, void *arg) {
  lk_task_op *op = arg;
  lk_task_row *t = &op->task;
  int64_t now = lk_tx_now(tx);
  int rc;

  *t = op->in;
  if (op->set & LK_TASK_F_CONVERSATION) {
    rc = lk_store_task_conversation_contact(tx, op->conversation_id,
                                            op->confidential, t->contact_id);
    if (rc == LK_STORE_NOTFOUND) {
      op->ref_field = "conversation";
      return LK_TASK_EREF;
    }
    if (rc != 0)
      return rc;
  }
  rc = check_refs(tx, op, t);
  if (rc != 0)
    return rc;
  lk_uuid_new(t->id, now);
  t->assigned_at = now;
  t->created_at = now;
  t->updated_at = now;
  if (strcmp(t->status, "verwerkt") == 0 && t->done_at == 0)
    t->done_at = now;
  if (strcmp(t->status, "verwerkt") != 0)
    t->done_at = 0;
  rc = lk_store_task_insert(tx, t);
  if (rc == 0)
    rc = lk_store_task_get_tx(tx, t->id, true, t);
  if (rc != 0)
    return rc;
  return task_changed(tx, op, "task.created", "create");
}

static bool same_assignees(const lk_task_row *a, const lk_task_row *b) {
  if (a->nassignees != b->nassignees)
    return false;
  for (int i = 0; i < a->nassignees; i++) {
    if (strcmp(a->assignees[i], b->assignees[i]) != 0)
      return false;
  }
  return true;
}

int lk_task_update_apply(lk_tx *tx, void *arg) {
  lk_task_op *op = arg;
  lk_task_row *t = &op->task;
  const lk_task_row *in = &op->in;
  int64_t now = lk_tx_now(tx);
  bool was_done;
  int rc;

  rc = lk_store_task_get_tx(tx, in->id, op->confidential, t);
  if (rc != 0)
    return rc;
  was_done = strcmp(t->status, "verwerkt") == 0;
  if (op->set & LK_TASK_F_CONTACT)
    memcpy(t->contact_id, in->contact_id, sizeof(t->contact_id));
  if (op->set & LK_TASK_F_KIND)
    memcpy(t->kind, in->kind, sizeof(t->kind));
  if (op->set & LK_TASK_F_ACTION)
    memcpy(t->action, in->action, sizeof(t->action));
  if (op->set & LK_TASK_F_EXPLANATION)
    memcpy(t->explanation, in->explanation, sizeof(t->explanation));
  if (op->set & LK_TASK_F_STATUS)
    memcpy(t->status, in->status, sizeof(t->status));
  if (op->set & LK_TASK_F_DEADLINE)
    t->deadline = in->deadline;
  if (op->set & LK_TASK_F_REFERENCE)
    memcpy(t->reference, in->reference, sizeof(t->reference));
  if (op->set & LK_TASK_F_NUMMER)
    memcpy(t->nummer, in->nummer, sizeof(t->nummer));
  if ((op->set & LK_TASK_F_ASSIGNEES) && !same_assignees(t, in)) {
    t->nassignees = in->nassignees;
    memcpy(t->assignees, in->assignees, sizeof(t->assignees));
    t->assigned_at = now;
  }
  rc = check_refs(tx, op, t);
  if (rc != 0)
    return rc;
  /* afgehandeldOp follows the status unless given explicitly. */
  if (strcmp(t->status, "verwerkt") != 0)
    t->done_at = 0;
  else if (op->set & LK_TASK_F_DONE_AT)
    t->done_at = in->done_at != 0 ? in->done_at : now;
  else if (!was_done)
    t->done_at = now;
  t->updated_at = now;
  rc = lk_store_task_update(tx, t);
  if (rc == 0)
    rc = lk_store_task_get_tx(tx, t->id, true, t);
  if (rc != 0)
    return rc;
  return task_changed(tx, op, "task.updated", "update");
}

int lk_task_delete_apply(lk_tx *tx, void *arg) {
  lk_task_op *op = arg;
  int rc;

  rc = lk_store_task_get_tx(tx, op->in.id, op->confidential, &op->task);
  if (rc != 0)
    return rc;
  /* Logged before the rows go: the party is found through the contact. */
  snprintf(op->task.status, sizeof(op->task.status), "deleted");
  rc = task_changed(tx, op, "task.updated", "delete");
  if (rc == 0)
    rc = lk_store_task_delete(tx, op->in.id);
  return rc;
}
