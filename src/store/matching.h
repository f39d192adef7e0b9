/* matching.h - the rows of joining, help needs, offers and needs, matches,
 * message threads, reports and blocks (migration 0022; docs/matching.md).
 *
 * Functions return 0 or a negative LK_STORE_* code; list functions return
 * the number of rows.  Functions taking an lk_tx run inside a write, the
 * others on a pooled reader.  Ids are UUIDs (ours) or the ids migration
 * 0018 gives accounts, initiatives and updates.
 */
#ifndef LK_STORE_MATCHING_H
#define LK_STORE_MATCHING_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_MX_ID_MAX 40 /* UUIDs and 0018's ids */
#define LK_MX_TITLE_MAX 200
#define LK_MX_BODY_MAX 4000
#define LK_MX_REASON_MAX 1000
#define LK_MX_NAME_MAX 120

/* ---- accounts (0018) and blocks --------------------------------------- */

typedef struct lk_mx_account {
  char id[LK_MX_ID_MAX + 1];
  char email[255];
  char name[LK_MX_NAME_MAX + 1];
  bool blocked;
} lk_mx_account;

/* The account `id` with its address and display name, and whether it is
 * blocked.  LK_STORE_NOTFOUND if there is none. */
int lk_store_mx_account(lk_tx *tx, const char *id, lk_mx_account *out);
int lk_store_mx_blocked(lk_store *s, const char *id, bool *out);
/* LK_STORE_CONFLICT if already blocked. */
int lk_store_mx_block(lk_tx *tx, const char *account, const char *reason,
                      const char *by);
/* LK_STORE_NOTFOUND if not blocked. */
int lk_store_mx_unblock(lk_tx *tx, const char *account);

/* True in *out if `account` may post for organisation `org`. */
int lk_store_mx_org_member(lk_tx *tx, const char *org, const char *account,
                           bool *out);

/* ---- joining ("doe mee") ----------------------------------------------- */

/* True when `account` may act for `initiative` (its initiator or a
 * co-organiser), false otherwise; LK_STORE_NOTFOUND if the initiative
 * does not exist or is hidden. */
int lk_store_mx_initiative_check(lk_tx *tx, const char *initiative,
                                 const char *account, bool *organiser,
                                 bool *joinable);
/* Adds the join and counts it on the initiative.  LK_STORE_CONFLICT if
 * the account has joined already. */
int lk_store_mx_join(lk_tx *tx, const char *initiative, const char *account);
/* LK_STORE_NOTFOUND if it had not joined. */
int lk_store_mx_leave(lk_tx *tx, const char *initiative, const char *account);
int lk_store_mx_joined(lk_store *s, const char *initiative, const char *account,
                       bool *out);

/* ---- help needs -------------------------------------------------------- */

typedef struct lk_mx_help_row {
  char id[LK_MX_ID_MAX + 1];
  char initiative_id[LK_MX_ID_MAX + 1];
  char created_by[LK_MX_ID_MAX + 1];
  char title[LK_MX_TITLE_MAX + 1];
  char description[LK_MX_BODY_MAX + 1];
  int64_t starts_at; /* 0: not given */
  int capacity;
  int taken;
  int64_t created_at;
  int64_t closed_at;
  int64_t hidden_at;
  char hidden_reason[LK_MX_REASON_MAX + 1];
} lk_mx_help_row;

int lk_store_mx_help_insert(lk_tx *tx, const lk_mx_help_row *r);
/* `tx` NULL: a pooled reader. */
int lk_store_mx_help_get(lk_store *s, lk_tx *tx, const char *id,
                         lk_mx_help_row *out);
typedef void (*lk_mx_help_fn)(const lk_mx_help_row *r, void *ud);
/* The visible needs of an initiative, oldest first, at most `limit`. */
int lk_store_mx_help_list(lk_store *s, const char *initiative, int limit,
                          lk_mx_help_fn fn, void *ud);
/* Takes one place of need `id` for `account`: LK_STORE_CONFLICT if the
 * account holds one already, LK_STORE_INVALID when no place is left (or
 * the need is closed or hidden). */
int lk_store_mx_help_signup(lk_tx *tx, const char *id, const char *account);
/* Gives the place back.  LK_STORE_NOTFOUND if it held none. */
int lk_store_mx_help_withdraw(lk_tx *tx, const char *id, const char *account);
int lk_store_mx_help_signed(lk_store *s, const char *id, const char *account,
                            bool *out);

/* ---- offers and needs ---------------------------------------------------- */

typedef struct lk_mx_listing_row {
  char id[LK_MX_ID_MAX + 1];
  char kind[8];     /* "offer" or "need" */
  char category[8]; /* tools skills space time other */
  char account_id[LK_MX_ID_MAX + 1];
  char organisation_id[LK_MX_ID_MAX + 1]; /* "" if none */
  char theme_id[LK_MX_ID_MAX + 1];
  char neighbourhood_id[LK_MX_ID_MAX + 1]; /* "" if none */
  bool has_point;
  int64_t lat_e6, lon_e6;
  int64_t starts_at, ends_at; /* 0: open */
  char title[LK_MX_TITLE_MAX + 1];
  char body[LK_MX_BODY_MAX + 1];
  char state[8]; /* "open" or "closed" */
  int64_t created_at;
  int64_t closed_at;
  int64_t hidden_at;
  char hidden_reason[LK_MX_REASON_MAX + 1];
  int64_t seq; /* the list cursor */
} lk_mx_listing_row;

int lk_store_mx_listing_insert(lk_tx *tx, const lk_mx_listing_row *r);
int lk_store_mx_listing_get(lk_store *s, lk_tx *tx, const char *id,
                            lk_mx_listing_row *out);
/* Closes an open listing of `account`.  LK_STORE_NOTFOUND otherwise. */
int lk_store_mx_listing_close(lk_tx *tx, const char *id, const char *account,
                              int64_t now);

typedef void (*lk_mx_listing_fn)(const lk_mx_listing_row *r, void *ud);

typedef struct lk_mx_listing_filter {
  const char *kind;          /* NULL or "" for both */
  const char *theme;         /* NULL or "" for all */
  const char *neighbourhood; /* NULL or "" for all */
  int64_t before_seq;        /* cursor: 0 for the newest */
} lk_mx_listing_filter;

/* Open, visible listings, newest first, at most `limit` (<= 100). */
int lk_store_mx_listing_list(lk_store *s, const lk_mx_listing_filter *f,
                             int limit, lk_mx_listing_fn fn, void *ud);
/* An account's own listings, hidden ones included, newest first. */
int lk_store_mx_listing_mine(lk_store *s, const char *account, int limit,
                             lk_mx_listing_fn fn, void *ud);
/* Match candidates for `r`: open, visible listings of the other kind by
 * other accounts with the same theme, then with the same neighbourhood,
 * the newest `per_query` of each (duplicates possible). */
int lk_store_mx_candidates(lk_tx *tx, const lk_mx_listing_row *r, int per_query,
                           lk_mx_listing_fn fn, void *ud);

/* ---- matches ------------------------------------------------------------ */

typedef struct lk_mx_match_row {
  char id[LK_MX_ID_MAX + 1];
  char offer_id[LK_MX_ID_MAX + 1];
  char need_id[LK_MX_ID_MAX + 1];
  int score;
  char reasons[64];
  int64_t created_at;
} lk_mx_match_row;

/* LK_STORE_CONFLICT if the pair is matched already. */
int lk_store_mx_match_insert(lk_tx *tx, const lk_mx_match_row *r);

/* A match seen from one listing: the match and the listing on the other
 * side. */
typedef void (*lk_mx_match_fn)(const lk_mx_match_row *m,
                               const lk_mx_listing_row *other, void *ud);
/* The matches of the visible, open listings of `account`, best first per
 * listing, leaving out other sides that are hidden or closed; at most
 * `limit`. */
int lk_store_mx_matches_of(lk_store *s, const char *account, int limit,
                           lk_mx_match_fn fn, void *ud);

/* ---- threads and messages ------------------------------------------------ */

typedef struct lk_mx_thread_row {
  char id[LK_MX_ID_MAX + 1];
  char listing_id[LK_MX_ID_MAX + 1];
  char owner_id[LK_MX_ID_MAX + 1];
  char other_id[LK_MX_ID_MAX + 1];
  char title[LK_MX_TITLE_MAX + 1]; /* the listing's */
  int64_t created_at;
  int64_t last_message_at;
} lk_mx_thread_row;

typedef struct lk_mx_message_row {
  char id[LK_MX_ID_MAX + 1];
  char thread_id[LK_MX_ID_MAX + 1];
  char sender_id[LK_MX_ID_MAX + 1];
  char body[LK_MX_BODY_MAX + 1];
  int64_t created_at;
  int64_t hidden_at;
  char hidden_reason[LK_MX_REASON_MAX + 1];
} lk_mx_message_row;

/* The thread of `listing` with `other`.  LK_STORE_NOTFOUND if none. */
int lk_store_mx_thread_find(lk_tx *tx, const char *listing, const char *other,
                            lk_mx_thread_row *out);
int lk_store_mx_thread_get(lk_store *s, lk_tx *tx, const char *id,
                           lk_mx_thread_row *out);
int lk_store_mx_thread_insert(lk_tx *tx, const lk_mx_thread_row *r);
int lk_store_mx_message_insert(lk_tx *tx, const lk_mx_message_row *r);
int lk_store_mx_message_get(lk_store *s, lk_tx *tx, const char *id,
                            lk_mx_message_row *out);
typedef void (*lk_mx_thread_fn)(const lk_mx_thread_row *r, void *ud);
/* The threads `account` takes part in, latest message first. */
int lk_store_mx_threads_of(lk_store *s, const char *account, int limit,
                           lk_mx_thread_fn fn, void *ud);
typedef void (*lk_mx_message_fn)(const lk_mx_message_row *r, void *ud);
/* The messages of a thread, oldest first, hidden ones included (the
 * caller shows them to their sender only). */
int lk_store_mx_messages(lk_store *s, const char *thread, int limit,
                         lk_mx_message_fn fn, void *ud);

/* ---- reports and hiding ------------------------------------------------ */

typedef struct lk_mx_report_row {
  int64_t seq;
  char id[LK_MX_ID_MAX + 1];
  char reporter_id[LK_MX_ID_MAX + 1];
  char target_type[16];
  char target_id[LK_MX_ID_MAX + 1];
  char reason[LK_MX_REASON_MAX + 1];
  char state[12];
  int64_t created_at;
  int64_t resolved_at;
  char resolved_by[48];
} lk_mx_report_row;

/* LK_STORE_CONFLICT if the reporter reported this target already. */
int lk_store_mx_report_insert(lk_tx *tx, const lk_mx_report_row *r);
int lk_store_mx_report_get(lk_store *s, lk_tx *tx, const char *id,
                           lk_mx_report_row *out);
typedef void (*lk_mx_report_fn)(const lk_mx_report_row *r, void *ud);
/* Reports in `state` ("" for all), oldest first after `after_seq`. */
int lk_store_mx_report_list(lk_store *s, const char *state, int64_t after_seq,
                            int limit, lk_mx_report_fn fn, void *ud);
/* Resolves the open reports of a target (`report` NULL) or one open
 * report, as `state`.  Returns how many or a negative code. */
int lk_store_mx_reports_resolve(lk_tx *tx, const char *type, const char *id,
                                const char *report, const char *state,
                                const char *by);
/* True if the target exists (reports may only name real things). */
int lk_store_mx_target_exists(lk_tx *tx, const char *type, const char *id);
/* Sets (reason not NULL) or clears the hidden mark of a target of type
 * initiative, update, listing, help_need or message.  LK_STORE_NOTFOUND
 * if there is none, LK_STORE_CONFLICT if it already is so.  The author of
 * the target goes to `author` (LK_MX_ID_MAX + 1 bytes). */
int lk_store_mx_hide(lk_tx *tx, const char *type, const char *id,
                     const char *reason, char *author);

#endif
