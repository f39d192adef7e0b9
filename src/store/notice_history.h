/* notice_history.h - the public earlier texts of a notice's updates or
 * FAQs, read once per page and looked up per item.  Private to
 * src/store (notices_public.c, notice_faqs.c).
 */
#ifndef LK_STORE_NOTICE_HISTORY_H
#define LK_STORE_NOTICE_HISTORY_H

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

#endif
