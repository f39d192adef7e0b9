/* notices.h - Actueel notices, their updates and update edit history
 * (migration 0011), as staff write and read them.
 *
 * The functions taking an lk_tx run inside a write; those taking an
 * lk_store read through the pool.  All return 0 or a negative LK_STORE_*
 * code; out parameters are filled only on success.
 */
#ifndef LK_STORE_NOTICES_H
#define LK_STORE_NOTICES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_NOTICE_ID_LEN 36   /* a UUID */
#define LK_NOTICE_KIND_MAX 32 /* "wegafsluiting" */
#define LK_NOTICE_STATUS_MAX 17
#define LK_NOTICE_SEVERITY_MAX 12
#define LK_NOTICE_AREA_MAX 32768
#define LK_NOTICE_TEXT_MAX 20000
#define LK_NOTICE_PC_MAX 1400
#define LK_NOTICE_ACTOR_MAX 100

typedef struct lk_notice_row {
  char id[LK_NOTICE_ID_LEN + 1];
  char kind[LK_NOTICE_KIND_MAX + 1];
  char title[201];
  char body[LK_NOTICE_TEXT_MAX + 1];
  char severity[LK_NOTICE_SEVERITY_MAX + 1];
  char area[LK_NOTICE_AREA_MAX + 1];
  char postcodes[LK_NOTICE_PC_MAX + 1];
  char status[LK_NOTICE_STATUS_MAX + 1];
  int64_t starts_at; /* 0: not set */
  int64_t expected_end_at;
  int64_t published_at;
  int64_t ended_at;
  char created_by[LK_NOTICE_ACTOR_MAX + 1];
  char approved_by[LK_NOTICE_ACTOR_MAX + 1];
  int64_t version;
  int64_t created_at;
  int64_t updated_at;
  int updates; /* how many updates it has */
} lk_notice_row;

typedef struct lk_notice_update_row {
  char id[LK_NOTICE_ID_LEN + 1];
  char notice_id[LK_NOTICE_ID_LEN + 1];
  char body[1001];
  char author[LK_NOTICE_ACTOR_MAX + 1];
  int64_t published_at;
  int64_t edited_at; /* 0: never edited */
  int edits;         /* earlier texts kept */
} lk_notice_update_row;

/* ---- inside a write ------------------------------------------------- */

/* *requires says whether the kind needs a second person.
 * LK_STORE_NOTFOUND for an unknown kind. */
int lk_store_notice_kind_get(lk_tx *tx, const char *kind, bool *requires);
int lk_store_notice_kind_set(lk_tx *tx, const char *kind, bool requires);
int lk_store_notice_insert(lk_tx *tx, const lk_notice_row *n);
int lk_store_notice_get_tx(lk_tx *tx, const char *id, lk_notice_row *out);
/* Writes every mutable column of `n` and bumps the version. */
int lk_store_notice_update(lk_tx *tx, const lk_notice_row *n);
int lk_store_notice_update_insert(lk_tx *tx, const lk_notice_update_row *u);
int lk_store_notice_update_get_tx(lk_tx *tx, const char *id,
                                  lk_notice_update_row *out);
/* Keeps the current text of update `id` in notice_update_edits and
 * replaces it with `body`, setting edited_at. */
int lk_store_notice_update_edit(lk_tx *tx, const char *id, const char *body,
                                const char *editor, int64_t now);

/* Marks every kept text of update `id` as not public (an edit that
 * corrects what must not stay on the page). */
int lk_store_notice_update_hide(lk_tx *tx, const char *id);

/* ---- reads ---------------------------------------------------------- */

int lk_store_notice_get(lk_store *s, const char *id, lk_notice_row *out);
int lk_store_notice_update_get(lk_store *s, const char *id,
                               lk_notice_update_row *out);
typedef void (*lk_notice_fn)(const lk_notice_row *n, void *ud);
/* Notices of every status, newest first (by seq), after the notice
 * `after_id` ("" for the start), at most `limit`.  Returns the number
 * listed. */
int lk_store_notice_list(lk_store *s, const char *after_id, int limit,
                         lk_notice_fn fn, void *ud);
typedef void (*lk_notice_update_fn)(const lk_notice_update_row *u, void *ud);
/* A notice's updates, newest first, at most `limit`. */
int lk_store_notice_updates(lk_store *s, const char *notice_id, int limit,
                            lk_notice_update_fn fn, void *ud);

/* An earlier text of an update or an FAQ (store/notice_faqs.h) as staff
 * read it; `question` is NULL for an update.  Strings live during the
 * callback. */
typedef struct lk_notice_edit_row {
  int64_t seq;
  const char *question;
  const char *body;
  const char *edited_by;
  int64_t edited_at;
  bool public;
} lk_notice_edit_row;
typedef void (*lk_notice_edit_fn)(const lk_notice_edit_row *e, void *ud);
/* The kept texts of update `update_id`, newest first, with seq below
 * `before_seq` (0: from the newest), at most `limit`.  Returns the number
 * listed. */
int lk_store_notice_update_edits(lk_store *s, const char *update_id,
                                 int64_t before_seq, int limit,
                                 lk_notice_edit_fn fn, void *ud);

#endif
