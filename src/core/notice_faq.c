/* notice_faq.c - veelgestelde vragen on a notice (see notice_faq.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/notice.h"
#include "core/notice_faq.h"
#include "core/text.h"
#include "store/proclog.h"

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

int lk_notice_faq_question_check(const char *q, lk_invalid *why) {
  if (q == NULL || !lk_text_ok(q, LK_FAQ_QUESTION_MAX, true))
    return invalid(why, "question",
                   "must be 1 to 1000 bytes of text without control "
                   "characters");
  return 0;
}

int lk_notice_faq_answer_check(const char *a, lk_invalid *why) {
  if (a == NULL || !lk_text_ok(a, LK_FAQ_ANSWER_MAX, true))
    return invalid(why, "answer",
                   "must be 1 to 5000 bytes of text without control "
                   "characters");
  return 0;
}

int lk_notice_faq_position_check(long long p, lk_invalid *why) {
  if (p < 1 || p > LK_FAQ_POSITION_MAX)
    return invalid(why, "position", "must be 1 to 100000");
  return 0;
}

static bool public_status(const char *notice_status) {
  return strcmp(notice_status, "published") == 0 ||
         strcmp(notice_status, "ended") == 0;
}

/* The kind and status of notice `id`, without keeping its large row. */
static int notice_state(lk_tx *tx, const char *id, char *kind, size_t kind_size,
                        char *status, size_t status_size) {
  lk_notice_row *n = malloc(sizeof(*n));
  int rc;

  if (n == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_notice_get_tx(tx, id, n);
  if (rc == 0) {
    snprintf(kind, kind_size, "%s", n->kind);
    snprintf(status, status_size, "%s", n->status);
  }
  free(n);
  return rc;
}

/* The event (only while the notice is public: an FAQ of a draft is news
 * when the notice is published) and the audit row.  Ids and states only:
 * the public streams pass event payloads on as they are. */
static int faq_changed(lk_tx *tx, const char *actor, const char *type,
                       const char *action, const char *notice_id,
                       const char *kind, const char *notice_status,
                       const char *faq_id, const char *faq_status,
                       const char *source) {
  lk_buf p = LK_BUF_INIT;
  size_t ids_end;
  int rc = 0;

  lk_buf_puts(&p, "{\"id\":");
  lk_buf_json_str(&p, notice_id);
  lk_buf_puts(&p, ",\"kind\":");
  lk_buf_json_str(&p, kind);
  lk_buf_puts(&p, ",\"status\":");
  lk_buf_json_str(&p, notice_status);
  lk_buf_puts(&p, ",\"faqId\":");
  lk_buf_json_str(&p, faq_id);
  lk_buf_puts(&p, ",\"faqStatus\":");
  lk_buf_json_str(&p, faq_status);
  ids_end = p.len;
  lk_buf_putc(&p, '}');
  if (!lk_buf_ok(&p)) {
    lk_buf_free(&p);
    return LK_STORE_NOMEM;
  }
  if (type != NULL && public_status(notice_status))
    rc = lk_tx_emit(tx, type, notice_id, p.data);
  /* The audit row also names the klantcontact it came from, which the
   * public must not learn. */
  if (rc == 0 && source != NULL && source[0] != '\0') {
    p.len = ids_end;
    lk_buf_puts(&p, ",\"sourceContactId\":");
    lk_buf_json_str(&p, source);
    lk_buf_putc(&p, '}');
    rc = lk_buf_ok(&p) ? 0 : LK_STORE_NOMEM;
  }
  if (rc == 0 && action == NULL)
    action = type != NULL && public_status(notice_status)
                 ? type
                 : "notice.faq_changed";
  if (rc == 0)
    rc = lk_store_audit(tx, actor, action, notice_id, p.data);
  lk_buf_free(&p);
  return rc;
}

/* ---- create --------------------------------------------------------- */

int lk_notice_faq_create_prepare(lk_notice_faq_create_op *op,
                                 const lk_notice_faq_caller *who,
                                 const char *notice_id, const char *question,
                                 const char *answer, const char *source,
                                 long long position, lk_invalid *why) {
  lk_notice_faq_row *f = &op->f;

  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(notice_id))
    return invalid(why, "id", "is not a notice id");
  if (source != NULL && !lk_uuid_valid(source))
    return invalid(why, "sourceContactId", "must be a klantcontact id");
  if (source == NULL && question == NULL)
    return invalid(why, "question", "is required without sourceContactId");
  if (source == NULL && answer == NULL)
    return invalid(why, "answer", "is required without sourceContactId");
  if (question != NULL && lk_notice_faq_question_check(question, why) != 0)
    return LK_EINVALID;
  if (answer != NULL && lk_notice_faq_answer_check(answer, why) != 0)
    return LK_EINVALID;
  if (position != 0 && lk_notice_faq_position_check(position, why) != 0)
    return LK_EINVALID;
  snprintf(op->actor, sizeof(op->actor), "%s", who->actor);
  snprintf(op->request_id, sizeof(op->request_id), "%s",
           who->request_id != NULL ? who->request_id : "");
  op->may_confidential = who->may_confidential;
  op->has_question = question != NULL;
  op->has_answer = answer != NULL;
  snprintf(f->notice_id, sizeof(f->notice_id), "%s", notice_id);
  snprintf(f->question, sizeof(f->question), "%s", question ? question : "");
  snprintf(f->answer, sizeof(f->answer), "%s", answer ? answer : "");
  snprintf(f->source_contact_id, sizeof(f->source_contact_id), "%s",
           source ? source : "");
  snprintf(f->status, sizeof(f->status), "published");
  snprintf(f->created_by, sizeof(f->created_by), "%s", who->actor);
  f->position = position;
  return 0;
}

/* Fills what the request left out from the source answer, and logs that
 * a resident's conversation was read for it. */
static int from_source(lk_tx *tx, lk_notice_faq_create_op *op) {
  lk_notice_faq_row *f = &op->f;
  lk_notice_faq_source *src = malloc(sizeof(*src));
  char resource[80];
  lk_proclog_entry e;
  int rc;

  if (src == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_notice_faq_source(tx, f->source_contact_id, f->notice_id,
                                  op->may_confidential, src);
  if (rc == LK_STORE_NOTFOUND)
    invalid(&op->why, "sourceContactId", "names nothing you can see");
  else if (rc == 0 && strcmp(src->kind, "outbound") != 0)
    rc = invalid(&op->why, "sourceContactId",
                 "must be an outbound answer, not an inbound message or a "
                 "note");
  else if (rc == 0 && !src->tagged)
    rc = invalid(&op->why, "sourceContactId",
                 "is not an answer in a question about this notice");
  if (rc == 0 && !op->has_answer) {
    if (src->answer_len > LK_FAQ_ANSWER_MAX)
      rc = invalid(&op->why, "answer",
                   "the source answer is longer than 5000 bytes: give a "
                   "shorter answer");
    else if (lk_notice_faq_answer_check(src->answer, &op->why) != 0)
      rc = LK_EINVALID;
    else
      snprintf(f->answer, sizeof(f->answer), "%s", src->answer);
  }
  if (rc == 0 && !op->has_question) {
    if (!src->has_question)
      rc = invalid(&op->why, "question",
                   "is required: the conversation has no question to copy");
    else if (src->question_len > LK_FAQ_QUESTION_MAX)
      rc = invalid(&op->why, "question",
                   "the resident's question is longer than 1000 bytes: give "
                   "a shorter question");
    else if (lk_notice_faq_question_check(src->question, &op->why) != 0)
      rc = LK_EINVALID;
    else
      snprintf(f->question, sizeof(f->question), "%s", src->question);
  }
  if (rc == 0) {
    snprintf(resource, sizeof(resource), "conversation/%s",
             src->conversation_id);
    e = (lk_proclog_entry){.actor = op->actor,
                           .party_id = src->party_id,
                           .operation = "read",
                           .activity = "actueel-faq",
                           .resource = resource,
                           .request_id = op->request_id};
    rc = lk_store_proclog_insert(tx, &e);
  }
  free(src);
  return rc;
}

int lk_notice_faq_create_apply(lk_tx *tx, void *arg) {
  lk_notice_faq_create_op *op = arg;
  lk_notice_faq_row *f = &op->f;
  int64_t published = 0;
  int rc;

  rc = notice_state(tx, f->notice_id, op->kind, sizeof(op->kind),
                    op->notice_status, sizeof(op->notice_status));
  if (rc != 0)
    return rc;
  /* A withdrawn notice is gone for good: nothing can be added to it. */
  if (strcmp(op->notice_status, "withdrawn") == 0)
    return LK_STORE_CONFLICT;
  if (f->source_contact_id[0] != '\0') {
    rc = from_source(tx, op);
    if (rc != 0)
      return rc;
  }
  rc = lk_store_notice_faq_published(tx, f->notice_id, &published);
  if (rc == 0 && published >= LK_FAQ_PUBLISHED_MAX)
    return LK_NOTICE_FAQ_EFULL;
  if (rc == 0 && f->position == 0)
    rc = lk_store_notice_faq_next_position(tx, f->notice_id, &f->position);
  if (rc != 0)
    return rc;
  if (f->position > LK_FAQ_POSITION_MAX)
    f->position = LK_FAQ_POSITION_MAX;
  f->created_at = f->updated_at = lk_tx_now(tx);
  lk_uuid_new(f->id, f->created_at);
  f->version = 1;
  rc = lk_store_notice_faq_insert(tx, f);
  if (rc != 0)
    return rc;
  return faq_changed(tx, op->actor, "notice.faq_added", NULL, f->notice_id,
                     op->kind, op->notice_status, f->id, f->status,
                     f->source_contact_id);
}

/* ---- patch ---------------------------------------------------------- */

int lk_notice_faq_patch_prepare(lk_notice_faq_patch_op *op, const char *actor,
                                const char *notice_id, const char *faq_id,
                                lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(notice_id) || !lk_uuid_valid(faq_id))
    return invalid(why, "id", "is not an FAQ of a notice");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->notice_id, sizeof(op->notice_id), "%s", notice_id);
  snprintf(op->f.id, sizeof(op->f.id), "%s", faq_id);
  return 0;
}

int lk_notice_faq_patch_question(lk_notice_faq_patch_op *op, const char *v,
                                 lk_invalid *why) {
  if (lk_notice_faq_question_check(v, why) != 0)
    return LK_EINVALID;
  snprintf(op->question, sizeof(op->question), "%s", v);
  op->has_question = true;
  return 0;
}

int lk_notice_faq_patch_answer(lk_notice_faq_patch_op *op, const char *v,
                               lk_invalid *why) {
  if (lk_notice_faq_answer_check(v, why) != 0)
    return LK_EINVALID;
  snprintf(op->answer, sizeof(op->answer), "%s", v);
  op->has_answer = true;
  return 0;
}

int lk_notice_faq_patch_position(lk_notice_faq_patch_op *op, long long v,
                                 lk_invalid *why) {
  if (lk_notice_faq_position_check(v, why) != 0)
    return LK_EINVALID;
  op->position = v;
  op->has_position = true;
  return 0;
}

int lk_notice_faq_patch_status(lk_notice_faq_patch_op *op, const char *v,
                               lk_invalid *why) {
  if (v == NULL || (strcmp(v, "published") != 0 && strcmp(v, "withdrawn") != 0))
    return invalid(why, "status", "must be published or withdrawn");
  snprintf(op->status, sizeof(op->status), "%s", v);
  op->has_status = true;
  return 0;
}

/* The event of a change from `was` to the FAQ's status now. */
static const char *patch_event(const char *was, const char *now) {
  bool before = strcmp(was, "published") == 0;
  bool after = strcmp(now, "published") == 0;

  if (before && after)
    return "notice.faq_updated";
  if (after)
    return "notice.faq_added";
  if (before)
    return "notice.faq_removed";
  return NULL; /* a withdrawn FAQ changed: nothing public */
}

int lk_notice_faq_patch_apply(lk_tx *tx, void *arg) {
  lk_notice_faq_patch_op *op = arg;
  lk_notice_faq_row *f = &op->f;
  char was[LK_FAQ_STATUS_MAX + 1];
  int64_t now = lk_tx_now(tx), published = 0;
  bool text;
  int rc = lk_store_notice_faq_get_tx(tx, f->id, f);

  if (rc == 0 && strcmp(f->notice_id, op->notice_id) != 0)
    rc = LK_STORE_NOTFOUND;
  if (rc == 0)
    rc = notice_state(tx, f->notice_id, op->kind, sizeof(op->kind),
                      op->notice_status, sizeof(op->notice_status));
  if (rc != 0)
    return rc;
  if (op->if_version != 0 && op->if_version != f->version)
    return LK_NOTICE_EVERSION;
  snprintf(was, sizeof(was), "%s", f->status);
  text = (op->has_question && strcmp(op->question, f->question) != 0) ||
         (op->has_answer && strcmp(op->answer, f->answer) != 0);
  op->changed = text || op->hide_previous ||
                (op->has_position && op->position != f->position) ||
                (op->has_status && strcmp(op->status, f->status) != 0);
  if (!op->changed)
    return 0; /* nothing to write, announce or audit */
  if (text) {
    rc = lk_store_notice_faq_keep(tx, f->id, f->question, f->answer, op->actor,
                                  now);
    if (rc != 0)
      return rc;
    if (op->has_question)
      snprintf(f->question, sizeof(f->question), "%s", op->question);
    if (op->has_answer)
      snprintf(f->answer, sizeof(f->answer), "%s", op->answer);
    f->edited_at = now;
  }
  if (op->hide_previous) {
    rc = lk_store_notice_faq_hide(tx, f->id);
    if (rc != 0)
      return rc;
  }
  if (op->has_position)
    f->position = op->position;
  if (op->has_status && strcmp(op->status, f->status) != 0) {
    if (strcmp(op->status, "published") == 0) {
      rc = lk_store_notice_faq_published(tx, f->notice_id, &published);
      if (rc != 0)
        return rc;
      if (published >= LK_FAQ_PUBLISHED_MAX)
        return LK_NOTICE_FAQ_EFULL;
      f->withdrawn_at = 0;
    } else {
      f->withdrawn_at = now;
    }
    snprintf(f->status, sizeof(f->status), "%s", op->status);
  }
  f->updated_at = now;
  rc = lk_store_notice_faq_save(tx, f);
  if (rc != 0)
    return rc;
  f->version++;
  f->edits += text ? 1 : 0;
  rc = faq_changed(tx, op->actor, patch_event(was, f->status), NULL,
                   f->notice_id, op->kind, op->notice_status, f->id, f->status,
                   NULL);
  /* Hiding what the public could read is a decision of its own. */
  if (rc == 0 && op->hide_previous)
    rc = faq_changed(tx, op->actor, NULL, "notice.faq_history_hidden",
                     f->notice_id, op->kind, op->notice_status, f->id,
                     f->status, NULL);
  return rc;
}

/* ---- JSON ----------------------------------------------------------- */

void lk_notice_faq_json(lk_buf *b, const lk_notice_faq_row *f) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, f->id);
  lk_buf_puts(b, ",\"noticeId\":");
  lk_buf_json_str(b, f->notice_id);
  lk_buf_puts(b, ",\"question\":");
  lk_buf_json_str(b, f->question);
  lk_buf_puts(b, ",\"answer\":");
  lk_buf_json_str(b, f->answer);
  lk_buf_printf(b, ",\"position\":%lld,\"status\":", (long long)f->position);
  lk_buf_json_str(b, f->status);
  lk_buf_puts(b, ",\"sourceContactId\":");
  if (f->source_contact_id[0] != '\0')
    lk_buf_json_str(b, f->source_contact_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"createdBy\":");
  lk_buf_json_str(b, f->created_by);
  lk_buf_printf(b, ",\"version\":%lld,\"createdAt\":%lld,\"updatedAt\":%lld",
                (long long)f->version, (long long)f->created_at,
                (long long)f->updated_at);
  lk_buf_json_ms(b, "editedAt", f->edited_at);
  lk_buf_json_ms(b, "withdrawnAt", f->withdrawn_at);
  lk_buf_printf(b, ",\"edits\":%d}", f->edits);
}

void lk_notice_edit_json(lk_buf *b, const lk_notice_edit_row *e) {
  lk_buf_printf(b, "{\"seq\":%lld", (long long)e->seq);
  if (e->question != NULL) {
    lk_buf_puts(b, ",\"previousQuestion\":");
    lk_buf_json_str(b, e->question);
    lk_buf_puts(b, ",\"previousAnswer\":");
  } else {
    lk_buf_puts(b, ",\"previousBody\":");
  }
  lk_buf_json_str(b, e->body);
  lk_buf_puts(b, ",\"editedBy\":");
  lk_buf_json_str(b, e->edited_by);
  lk_buf_printf(b, ",\"editedAt\":%lld,\"public\":%s}", (long long)e->edited_at,
                e->public ? "true" : "false");
}
