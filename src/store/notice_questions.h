/* notice_questions.h - questions residents ask about an Actueel notice.
 *
 * A question is an ordinary conversation; what ties it to the notice is
 * a subject_objects row on its first contact (object_type 'melding',
 * register 'loket', id_type 'notice', object_id = the notice id), the
 * Klantinteracties way of naming what a contact was about.
 */
#ifndef LK_STORE_NOTICE_QUESTIONS_H
#define LK_STORE_NOTICE_QUESTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* Tags contact `contact_id` with notice `notice_id` (row id `id`). */
int lk_store_notice_question_tag(lk_tx *tx, const char *id,
                                 const char *contact_id, const char *notice_id);

typedef struct lk_notice_question_row {
  char id[37]; /* a UUID */
  char reference[40];
  char status[16];
  int64_t last_message_at;
} lk_notice_question_row;

typedef void (*lk_notice_question_fn)(const lk_notice_question_row *q,
                                      void *ud);

/* The conversations tagged with `notice_id` whose id sorts after
 * `after_id` ("" for the first page), by id, at most `limit`; without
 * `may_confidential` confidential ones are left out.  Returns the number
 * of rows or a negative LK_STORE_* code. */
int lk_store_notice_questions(lk_store *s, const char *notice_id,
                              const char *after_id, int limit,
                              bool may_confidential, lk_notice_question_fn fn,
                              void *ud);

#endif
