/* notices_public.h - what the public may read of Actueel notices.
 *
 * Only notices with status 'published' are current; an 'ended' one is
 * still readable on its own page (and marked as ended).  Drafts, notices
 * awaiting approval and withdrawn ones behave like unknown ids.  Who
 * created or approved a notice and who wrote an update is never returned.
 * The strings of a row are valid only during the callback.
 */
#ifndef LK_STORE_NOTICES_PUBLIC_H
#define LK_STORE_NOTICES_PUBLIC_H

#include <stdint.h>

#include "store/store.h"

typedef struct lk_notice_pub {
  const char *id;
  const char *kind;
  const char *title;
  const char *body;
  const char *severity;
  const char *area; /* JSON, see migration 0011 */
  const char *postcodes;
  const char *status; /* "published" or "ended" */
  int64_t starts_at;  /* ms since the epoch; 0 = not set */
  int64_t expected_end_at;
  int64_t published_at;
  int64_t ended_at;
  int64_t last_change_at; /* newest of published_at and its updates */
} lk_notice_pub;

/* Earlier versions shown per update or FAQ; older ones are counted. */
#define LK_NOTICE_HISTORY_SHOWN 10

/* An earlier text the public may see: what was shown until `until`. */
typedef struct lk_notice_edit_pub {
  const char *question; /* an FAQ's earlier question; NULL for an update */
  const char *body;
  int64_t until;
} lk_notice_edit_pub;

typedef struct lk_notice_update_pub {
  const char *id;
  const char *notice_id;
  const char *notice_title;
  const char *body;
  int64_t published_at;
  int64_t edited_at; /* 0 = never edited */
  /* Its public earlier texts, newest first: only filled by
   * lk_store_public_notice_updates (else NULL and 0). */
  const lk_notice_edit_pub *history;
  int nhistory;      /* shown, at most LK_NOTICE_HISTORY_SHOWN */
  int history_total; /* all public earlier texts */
} lk_notice_update_pub;

typedef void (*lk_notice_pub_fn)(const lk_notice_pub *n, void *ud);
typedef void (*lk_notice_update_pub_fn)(const lk_notice_update_pub *u,
                                        void *ud);

#define LK_NOTICES_PUBLIC_MAX 100

/* Current (published) notices, most severe first, then the most recently
 * changed; at most `limit` (<= LK_NOTICES_PUBLIC_MAX).  Returns the number
 * of rows or a negative LK_STORE_* code. */
int lk_store_notices_current(lk_store *s, int limit, lk_notice_pub_fn fn,
                             void *ud);
/* One published or ended notice; LK_STORE_NOTFOUND for any other. */
int lk_store_notice_public(lk_store *s, const char *id, lk_notice_pub_fn fn,
                           void *ud);
/* The updates of notice `id`, newest first, at most `limit`, with their
 * public earlier texts.  The caller has checked that the notice is
 * public. */
int lk_store_public_notice_updates(lk_store *s, const char *id, int limit,
                                   lk_notice_update_pub_fn fn, void *ud);
/* The newest updates of all current notices, newest first. */
int lk_store_notice_updates_current(lk_store *s, int limit,
                                    lk_notice_update_pub_fn fn, void *ud);

#endif
