/* notice_faqs.h - veelgestelde vragen on an Actueel notice (migration
 * 0015): the rows staff write and read, the answer an FAQ is made from,
 * and what the public sees.
 *
 * The functions taking an lk_tx run inside a write; the others read
 * through the pool.  All return 0 (or a row count) or a negative LK_STORE_*
 * code; out parameters are filled only on success.
 */
#ifndef LK_STORE_NOTICE_FAQS_H
#define LK_STORE_NOTICE_FAQS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/notices.h"
#include "store/notices_public.h"
#include "store/store.h"

#define LK_FAQ_ID_LEN 36 /* a UUID */
#define LK_FAQ_QUESTION_MAX 1000
#define LK_FAQ_ANSWER_MAX 5000
#define LK_FAQ_ACTOR_MAX 100
#define LK_FAQ_STATUS_MAX 9 /* "withdrawn" */

typedef struct lk_notice_faq_row {
  char id[LK_FAQ_ID_LEN + 1];
  char notice_id[LK_FAQ_ID_LEN + 1];
  char question[LK_FAQ_QUESTION_MAX + 1];
  char answer[LK_FAQ_ANSWER_MAX + 1];
  int64_t position;
  char status[LK_FAQ_STATUS_MAX + 1];        /* "published" or "withdrawn" */
  char source_contact_id[LK_FAQ_ID_LEN + 1]; /* "" if none */
  char created_by[LK_FAQ_ACTOR_MAX + 1];
  int64_t version;
  int64_t created_at;
  int64_t updated_at;
  int64_t edited_at;    /* 0: never edited */
  int64_t withdrawn_at; /* 0: not withdrawn */
  int edits;            /* earlier texts kept */
} lk_notice_faq_row;

/* ---- inside a write ------------------------------------------------- */

/* What an FAQ may be made from: contact `contact_id` as the caller sees
 * it.  Strings are copied; texts longer than the buffers are cut, which
 * the caller notices by `*_len`. */
typedef struct lk_notice_faq_source {
  char kind[12]; /* inbound, outbound, note */
  char conversation_id[LK_FAQ_ID_LEN + 1];
  char party_id[LK_FAQ_ID_LEN + 1]; /* "" if none */
  bool tagged;                      /* a question about the notice */
  char answer[LK_FAQ_ANSWER_MAX + 1];
  size_t answer_len; /* of the whole text */
  bool has_question; /* the conversation has a visible inbound message */
  char question[LK_FAQ_QUESTION_MAX + 1];
  size_t question_len;
} lk_notice_faq_source;

/* Contact `contact_id` and, of its conversation, whether a contact in it
 * is tagged with notice `notice_id` (store/notice_questions.h) and the
 * first inbound message.  Without `may_confidential` a confidential
 * contact or conversation is LK_STORE_NOTFOUND like a missing one, and a
 * confidential first message counts as absent. */
int lk_store_notice_faq_source(lk_tx *tx, const char *contact_id,
                               const char *notice_id, bool may_confidential,
                               lk_notice_faq_source *out);
int lk_store_notice_faq_insert(lk_tx *tx, const lk_notice_faq_row *f);
int lk_store_notice_faq_get_tx(lk_tx *tx, const char *id,
                               lk_notice_faq_row *out);
/* Writes question, answer, position, status, edited_at, withdrawn_at and
 * updated_at of `f` and bumps its version. */
int lk_store_notice_faq_save(lk_tx *tx, const lk_notice_faq_row *f);
/* Keeps the earlier text of FAQ `faq_id`. */
int lk_store_notice_faq_keep(lk_tx *tx, const char *faq_id,
                             const char *question, const char *answer,
                             const char *editor, int64_t now);
/* Marks every kept text of FAQ `faq_id` as not public. */
int lk_store_notice_faq_hide(lk_tx *tx, const char *faq_id);
/* The position after the last FAQ of the notice (1 for the first). */
int lk_store_notice_faq_next_position(lk_tx *tx, const char *notice_id,
                                      int64_t *out);
/* How many published FAQs the notice has. */
int lk_store_notice_faq_published(lk_tx *tx, const char *notice_id,
                                  int64_t *out);

/* ---- staff reads ---------------------------------------------------- */

int lk_store_notice_faq_get(lk_store *s, const char *id,
                            lk_notice_faq_row *out);
typedef void (*lk_notice_faq_fn)(const lk_notice_faq_row *f, void *ud);
/* The FAQs of a notice, withdrawn ones included, by position, after FAQ
 * `after_id` ("" for the start; an id of another notice starts at the
 * beginning), at most `limit`.  Returns the number listed. */
int lk_store_notice_faq_list(lk_store *s, const char *notice_id,
                             const char *after_id, int limit,
                             lk_notice_faq_fn fn, void *ud);

/* The kept texts of FAQ `faq_id`, newest first, with seq below
 * `before_seq` (0: from the newest), at most `limit`. */
int lk_store_notice_faq_edits(lk_store *s, const char *faq_id,
                              int64_t before_seq, int limit,
                              lk_notice_edit_fn fn, void *ud);

/* ---- public reads --------------------------------------------------- */

/* Published FAQs shown per notice (and allowed: core/notice_faq.h). */
#define LK_NOTICE_FAQS_SHOWN 50

typedef struct lk_notice_faq_pub {
  const char *id;
  const char *notice_id;
  const char *question;
  const char *answer;
  int64_t position;
  int64_t created_at;
  int64_t edited_at;                 /* 0: never edited */
  const lk_notice_edit_pub *history; /* newest first */
  int nhistory;                      /* shown, <= LK_NOTICE_HISTORY_SHOWN */
  int history_total;                 /* all public earlier texts */
} lk_notice_faq_pub;
typedef void (*lk_notice_faq_pub_fn)(const lk_notice_faq_pub *f, void *ud);

/* The published FAQs of notice `notice_id` with their public earlier
 * texts, by position, at most LK_NOTICE_FAQS_SHOWN.  The caller has
 * checked that the notice is public.  Strings live during the callback. */
int lk_store_public_notice_faqs(lk_store *s, const char *notice_id,
                                lk_notice_faq_pub_fn fn, void *ud);
/* The published FAQs of every current (published) notice, without
 * history, by notice and position, at most LK_NOTICE_FAQS_SHOWN each. */
int lk_store_notice_faqs_current(lk_store *s, lk_notice_faq_pub_fn fn,
                                 void *ud);

#endif
