/* notice_faq.h - veelgestelde vragen (FAQs) on an Actueel notice.
 *
 * Staff turn a frequent answer into a question and answer shown on the
 * notice's public page.  An FAQ may be made from an outbound message in
 * one of the notice's question conversations (store/notice_questions.h):
 * the answer then defaults to that message and the question to the
 * resident's first message, both editable.  An edit keeps the earlier
 * text (shown publicly unless the edit hides it); withdrawing keeps the
 * row for the audit trail and takes it off the page.
 *
 * Prepare validates without I/O; apply is an lk_write_fn that checks the
 * rest against the store, emits notice.faq_added, notice.faq_updated or
 * notice.faq_removed while the notice is public (published or ended) and
 * writes the audit row.
 */
#ifndef LK_NOTICE_FAQ_H
#define LK_NOTICE_FAQ_H

#include <stdbool.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/notice_faqs.h"
#include "store/notices.h"
#include "util/buf.h"

#define LK_FAQ_POSITION_MAX 100000
/* Published FAQs a notice may have: more would not be read. */
#define LK_FAQ_PUBLISHED_MAX LK_NOTICE_FAQS_SHOWN

#define LK_NOTICE_FAQ_EFULL (-2111) /* LK_FAQ_PUBLISHED_MAX reached */

/* A question: 1..1,000 bytes of UTF-8 text, lines allowed, no other
 * control characters.  Returns 0 or LK_EINVALID (field "question"). */
int lk_notice_faq_question_check(const char *q, lk_invalid *why);
/* An answer: 1..5,000 bytes, likewise (field "answer"). */
int lk_notice_faq_answer_check(const char *a, lk_invalid *why);
/* A position: 1..LK_FAQ_POSITION_MAX (field "position"). */
int lk_notice_faq_position_check(long long p, lk_invalid *why);

/* Who acts: the strings are copied. */
typedef struct lk_notice_faq_caller {
  const char *actor;      /* "user:usr_..." or "token:tok_..." */
  const char *request_id; /* for the processing log; may be "" */
  bool may_confidential;
} lk_notice_faq_caller;

typedef struct lk_notice_faq_create_op {
  char actor[LK_FAQ_ACTOR_MAX + 1];
  char request_id[64];
  bool may_confidential;
  bool has_question, has_answer;
  lk_notice_faq_row f; /* filled by prepare and apply */
  char kind[LK_NOTICE_KIND_MAX + 1];
  char notice_status[LK_NOTICE_STATUS_MAX + 1];
  lk_invalid why; /* of an LK_EINVALID or LK_STORE_NOTFOUND from apply */
} lk_notice_faq_create_op;

/* A new FAQ on notice `notice_id`.  `question` and `answer` may be NULL
 * only with `source` (a klantcontact id), which then supplies them;
 * `position` 0 puts it after the others.  Returns 0 or LK_EINVALID (field
 * "id" when `notice_id` cannot be one: it names nothing). */
int lk_notice_faq_create_prepare(lk_notice_faq_create_op *op,
                                 const lk_notice_faq_caller *who,
                                 const char *notice_id, const char *question,
                                 const char *answer, const char *source,
                                 long long position, lk_invalid *why);
/* LK_STORE_NOTFOUND (the notice; or the source, with op->why.field
 * "sourceContactId"), LK_STORE_CONFLICT for a withdrawn notice,
 * LK_NOTICE_FAQ_EFULL, LK_EINVALID with op->why: the source is no
 * outbound answer in a question about this notice, or a text it supplied
 * does not pass the checks. */
int lk_notice_faq_create_apply(lk_tx *tx, void *arg);

typedef struct lk_notice_faq_patch_op {
  char actor[LK_FAQ_ACTOR_MAX + 1];
  char notice_id[LK_FAQ_ID_LEN + 1];
  long long if_version; /* 0: any */
  bool has_question, has_answer, has_position, has_status;
  bool hide_previous; /* earlier texts leave the public page */
  char question[LK_FAQ_QUESTION_MAX + 1];
  char answer[LK_FAQ_ANSWER_MAX + 1];
  long long position;
  char status[LK_FAQ_STATUS_MAX + 1];
  lk_notice_faq_row f; /* the FAQ after the change; f.id is the target */
  bool changed;        /* false: the PATCH changed nothing */
  char kind[LK_NOTICE_KIND_MAX + 1];
  char notice_status[LK_NOTICE_STATUS_MAX + 1];
} lk_notice_faq_patch_op;

/* The change of FAQ `faq_id` of notice `notice_id`; set what changes
 * with the setters.  LK_EINVALID with field "id" when an id cannot be
 * one. */
int lk_notice_faq_patch_prepare(lk_notice_faq_patch_op *op, const char *actor,
                                const char *notice_id, const char *faq_id,
                                lk_invalid *why);
int lk_notice_faq_patch_question(lk_notice_faq_patch_op *op, const char *v,
                                 lk_invalid *why);
int lk_notice_faq_patch_answer(lk_notice_faq_patch_op *op, const char *v,
                               lk_invalid *why);
int lk_notice_faq_patch_position(lk_notice_faq_patch_op *op, long long v,
                                 lk_invalid *why);
/* "published" or "withdrawn" (field "status"). */
int lk_notice_faq_patch_status(lk_notice_faq_patch_op *op, const char *v,
                               lk_invalid *why);
/* LK_STORE_NOTFOUND (no such FAQ on this notice), LK_NOTICE_EVERSION,
 * LK_NOTICE_FAQ_EFULL (publishing again past the limit). */
int lk_notice_faq_patch_apply(lk_tx *tx, void *arg);

/* Renders an FAQ and an earlier text as the JSON objects of the API. */
void lk_notice_faq_json(lk_buf *b, const lk_notice_faq_row *f);
void lk_notice_edit_json(lk_buf *b, const lk_notice_edit_row *e);

#endif
