/* notice_history.h - the earlier texts of a notice's updates or FAQs:
 * the public ones read once per page and looked up per item, and the
 * staff list of one item's kept texts.  Private to src/store
 * (notices.c, notices_public.c, notice_faqs.c).
 */
#ifndef LK_STORE_NOTICE_HISTORY_H
#define LK_STORE_NOTICE_HISTORY_H

#include "store/notices.h"
#include "store/notices_public.h"

typedef struct lk_history_item lk_history_item;

typedef struct lk_history {
  lk_notice_edit_pub *edits; /* grouped by item, newest first */
  int nedits;
  lk_history_item *items; /* sorted by id */
  int nitems;
} lk_history;

/* Runs `sql` with ?1 = `notice_id` and ?2 = LK_NOTICE_HISTORY_SHOWN; its
 * rows are (item id, question or NULL, text, edited_at, the item's total)
 * ordered by item id, then newest first.  Returns 0 or a negative
 * LK_STORE_* code; free `h` with lk_history_free() either way. */
int lk_history_load(lk_store *s, const char *sql, const char *notice_id,
                    lk_history *h);
/* Points `*out` at the earlier texts of item `id` (NULL and 0 if none). */
void lk_history_of(const lk_history *h, const char *id,
                   const lk_notice_edit_pub **out, int *n, int *total);
void lk_history_free(lk_history *h);

/* Lists the kept texts of one update or FAQ for staff, the same way for
 * both so their edit lists page alike: runs `sql` with ?1 = `item_id`,
 * ?2 = `before_seq` and ?3 = `limit`; its rows are (seq, question, body,
 * edited_by, edited_at, public).  An update has no question: with
 * `has_question` false column 1 is not read and `question` stays NULL,
 * as lk_notice_edit_row promises.  Returns the number listed or a
 * negative LK_STORE_* code. */
int lk_history_edits(lk_store *s, const char *sql, const char *item_id,
                     bool has_question, int64_t before_seq, int limit,
                     lk_notice_edit_fn fn, void *ud);

#endif
