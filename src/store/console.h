/* console.h - the SQL behind the agent console (migration 0017,
 * docs/console-api.md): canned answers, read marks with the unread
 * questions asked of them, and the viewers of a conversation.
 *
 * Functions return 0 or a negative LK_STORE_* code; out parameters are
 * filled only on success.  Confidentiality is checked here where a row
 * is returned or accepted, as in store/conversations.h.
 */
#ifndef LK_STORE_CONSOLE_H
#define LK_STORE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/conversations.h"
#include "store/store.h"

#define LK_CANNED_TITLE_MAX 200
#define LK_CANNED_SHORTCUT_MAX 32
#define LK_CANNED_BODY_MAX 10000
#define LK_CANNED_Q_MAX 100
#define LK_CONSOLE_USER_LEN 24 /* "usr_" + 16 hex, with room */
#define LK_CONSOLE_READER_MAX 48
#define LK_CONSOLE_NAME_MAX 200

/* ---- canned answers ------------------------------------------------- */

typedef struct lk_canned_row {
  char id[LK_CONV_ID_LEN + 1];
  char scope[12];                       /* personal, team, everyone */
  char owner_user[LK_CONSOLE_USER_LEN]; /* personal: the staff account */
  char team_id[LK_CONV_ID_LEN + 1];     /* team: the team, else "" */
  char title[LK_CANNED_TITLE_MAX + 1];
  char shortcut[LK_CANNED_SHORTCUT_MAX + 1]; /* "" if none */
  char body[LK_CANNED_BODY_MAX + 1];
  int64_t version;
  char created_by[LK_CONSOLE_READER_MAX];
  int64_t created_at;
  int64_t updated_at;
} lk_canned_row;

int lk_store_canned_insert(lk_tx *tx, const lk_canned_row *a);
/* Writes title, shortcut, body, version and updated_at of `a`. */
int lk_store_canned_update(lk_tx *tx, const lk_canned_row *a);
int lk_store_canned_delete(lk_tx *tx, const char *id);
/* One answer, on a pooled reader (`tx` NULL) or inside the write. */
int lk_store_canned_get(lk_store *s, lk_tx *tx, const char *id,
                        lk_canned_row *out);

/* Which answers a list shows.  Visibility: personal ones of `user_id`,
 * team ones of the teams `actor_id` is a member of (of every team with
 * `all_teams`), and every `everyone` one.  NULL or "" is no filter. */
typedef struct lk_canned_filter {
  const char *user_id;  /* "" for a token */
  const char *actor_id; /* "" without medewerker */
  bool all_teams;       /* supervisors and admins */
  const char *scope;
  const char *team_id;
  const char *q;     /* lower-case ASCII; matched in title and shortcut */
  const char *after; /* id */
  int limit;
} lk_canned_filter;
typedef void (*lk_canned_fn)(const lk_canned_row *a, void *ud);
/* Ordered by id.  Returns the number listed. */
int lk_store_canned_list(lk_store *s, const lk_canned_filter *f,
                         lk_canned_fn fn, void *ud);

/* 0 if `actor_id` is a member of team `team_id`, else LK_STORE_NOTFOUND;
 * on a pooled reader (`tx` NULL) or inside the write. */
int lk_store_team_member_check(lk_store *s, lk_tx *tx, const char *team_id,
                               const char *actor_id);
/* The name of actor `actor_id` (a medewerker or a team), else the display
 * name of staff account `user_id` (either may be NULL or ""); "" when
 * neither names anything. */
int lk_store_console_name(lk_store *s, const char *actor_id,
                          const char *user_id, char *out, size_t size);

/* ---- categories (the console's picker) ------------------------------- */

typedef void (*lk_category_fn)(const char *id, const char *name, void *ud);
/* Categories ordered by name after `after` ("" from the start), those
 * whose name holds `q` (lower-case ASCII, NULL for all), at most `limit`.
 * Returns the number listed. */
int lk_store_category_list(lk_store *s, const char *after, const char *q,
                           int limit, lk_category_fn fn, void *ud);

/* ---- read marks and unread ------------------------------------------ */

/* Moves `reader`'s mark on conversation `conv_id` to its newest contact
 * (a mark never moves back).  *read_seq gets the mark after the call. */
int lk_store_read_mark(lk_tx *tx, const char *reader, const char *conv_id,
                       int64_t *read_seq);

/* Who asks about unread: whose marks, which contacts are their own
 * (author = actor_id) and whether confidential contacts count. */
typedef struct lk_unread_who {
  const char *reader;
  const char *actor_id; /* "" when none */
  bool may_confidential;
} lk_unread_who;

/* out[i] = conversation ids[i] is unread for `who`.  n <= 100. */
int lk_store_unread_flags(lk_store *s, const lk_unread_who *who,
                          const char *const *ids, int n, bool *out);

typedef struct lk_console_count {
  int64_t open;   /* open conversations looked at, at most `cap` */
  int64_t unread; /* unread among them */
  bool more;      /* there were more than `cap` */
} lk_console_count;

/* The console's badges.  `mine` and `teams` are left zero when
 * who->actor_id is "". */
int lk_store_console_counts(lk_store *s, const lk_unread_who *who, int cap,
                            lk_console_count *mine,
                            lk_console_count *unassigned,
                            lk_console_count *teams, lk_console_count *all);

/* The SQL of the unread questions, for EXPLAIN in tests: 0 the flag of
 * one conversation, 1-4 the counts (mine, unassigned, teams, all); NULL
 * past the last.  Do not free. */
const char *lk_store_console_sql(int i);

/* ---- viewers -------------------------------------------------------- */

typedef struct lk_viewer_row {
  char conversation_id[LK_CONV_ID_LEN + 1];
  char user_id[LK_CONSOLE_USER_LEN];
  char actor_id[LK_CONV_ID_LEN + 1];  /* "" if none */
  char name[LK_CONSOLE_NAME_MAX + 1]; /* filled by reads */
  char state[8];                      /* viewing, typing */
  int64_t since;
  int64_t expires_at;
  bool confidential; /* of the conversation, when the row was written */
} lk_viewer_row;

/* The row of `conv_id` and `user_id` inside the write; LK_STORE_NOTFOUND
 * when there is none (an expired one still counts until swept). */
int lk_store_viewer_get_tx(lk_tx *tx, const char *conv_id, const char *user_id,
                           lk_viewer_row *out);
/* Inserts or replaces the row. */
int lk_store_viewer_put(lk_tx *tx, const lk_viewer_row *v);
/* Deletes the row; *deleted tells whether there was one. */
int lk_store_viewer_delete(lk_tx *tx, const char *conv_id, const char *user_id,
                           bool *deleted);
typedef void (*lk_viewer_fn)(const lk_viewer_row *v, void *ud);
/* Viewers of `conv_id` whose expiry is after `now`, at most `limit`,
 * oldest first, with names. */
int lk_store_viewers(lk_store *s, const char *conv_id, int64_t now, int limit,
                     lk_viewer_fn fn, void *ud);
/* True (1) if some row expired at `now`, 0 if none: one indexed look. */
int lk_store_viewers_expired_any(lk_store *s, int64_t now);
/* Up to `limit` rows expired at `now`, inside the write. */
int lk_store_viewers_expired(lk_tx *tx, int64_t now, int limit, lk_viewer_fn fn,
                             void *ud);
/* Deletes the row only if it is still expired at `now`; *deleted tells
 * whether it did (so several processes report each expiry once). */
int lk_store_viewer_delete_expired(lk_tx *tx, const char *conv_id,
                                   const char *user_id, int64_t now,
                                   bool *deleted);

#endif
