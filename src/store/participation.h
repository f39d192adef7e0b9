/* participation.h - the SQL of participation (migration 0018): resident
 * accounts, their links and sessions, organisations, themes,
 * neighbourhoods, initiatives, organisers, followers, updates and images.
 *
 * Functions taking an lk_tx run inside a write; those taking an lk_store
 * read through the pool; where both are taken, `tx` NULL reads through the
 * pool.  All return 0 (or a count where said) or a negative LK_STORE_*
 * code; out parameters are filled only on success.  Rows are plain
 * structs filled by copy.
 */
#ifndef LK_STORE_PARTICIPATION_H
#define LK_STORE_PARTICIPATION_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_PS_ID_LEN 36 /* a UUID */
#define LK_PS_EMAIL_MAX 254
#define LK_PS_NAME_MAX 100
#define LK_PS_SLUG_MAX 40
#define LK_PS_TITLE_MAX 150
#define LK_PS_SUMMARY_MAX 500
#define LK_PS_DESCRIPTION_MAX 10000
#define LK_PS_ADDRESS_MAX 200
#define LK_PS_URL_MAX 300
#define LK_PS_REASON_MAX 1000
#define LK_PS_STATUS_MAX 12
#define LK_PS_NEXT_MAX 512
#define LK_PS_UPDATE_TITLE_MAX 150
#define LK_PS_UPDATE_BODY_MAX 5000
#define LK_PS_ALT_MAX 300

/* ---- accounts, links, sessions ---------------------------------------- */

typedef struct lk_p_account_row {
  char id[LK_PS_ID_LEN + 1];
  char email[LK_PS_EMAIL_MAX + 1];
  char email_key[LK_PS_EMAIL_MAX + 1];
  char display_name[LK_PS_NAME_MAX + 1];
  int64_t confirmed_at; /* 0: not confirmed */
  int64_t disabled_at;  /* 0: active */
  int64_t created_at;
  int64_t updated_at;
} lk_p_account_row;

int lk_store_p_account_insert(lk_tx *tx, const lk_p_account_row *a);
int lk_store_p_account_get(lk_store *s, lk_tx *tx, const char *id,
                           lk_p_account_row *out);
int lk_store_p_account_by_key(lk_store *s, lk_tx *tx, const char *email_key,
                              lk_p_account_row *out);
/* Sets confirmed_at (when not set yet). */
int lk_store_p_account_confirm(lk_tx *tx, const char *id, int64_t now);
int lk_store_p_account_rename(lk_tx *tx, const char *id, const char *name,
                              int64_t now);

typedef struct lk_p_link_row {
  char digest[65];
  char account_id[LK_PS_ID_LEN + 1];
  char purpose[8]; /* confirm, login */
  char next_path[LK_PS_NEXT_MAX + 1];
  int64_t created_at;
  int64_t expires_at;
  int64_t used_at; /* 0: unused */
} lk_p_link_row;

int lk_store_p_link_insert(lk_tx *tx, const lk_p_link_row *l);
int lk_store_p_link_get(lk_store *s, lk_tx *tx, const char *digest,
                        lk_p_link_row *out);
/* Marks the link used.  LK_STORE_NOTFOUND unless it was unused and not
 * expired at `now`. */
int lk_store_p_link_use(lk_tx *tx, const char *digest, int64_t now);
/* Links of `account_id` created since `since`: the mail limit. */
int lk_store_p_links_since(lk_tx *tx, const char *account_id, int64_t since,
                           int64_t *count);

typedef struct lk_p_session_row {
  lk_p_account_row account;
  int64_t created_at;
  int64_t last_seen_at;
  int64_t expires_at;
} lk_p_session_row;

int lk_store_p_session_insert(lk_tx *tx, const char *id_hash,
                              const char *account_id, int64_t now,
                              int64_t expires_at);
int lk_store_p_session_get(lk_store *s, const char *id_hash,
                           lk_p_session_row *out);
int lk_store_p_session_touch(lk_tx *tx, const char *id_hash, int64_t now);
int lk_store_p_session_delete(lk_tx *tx, const char *id_hash);
/* Deletes sessions past their absolute or idle time-out. */
int lk_store_p_sessions_purge(lk_tx *tx, int64_t now, int64_t idle_ms);

/* ---- organisations ----------------------------------------------------- */

typedef struct lk_p_org_row {
  char id[LK_PS_ID_LEN + 1];
  char name[LK_PS_NAME_MAX + 1];
  char description[LK_PS_SUMMARY_MAX + 1];
  char website[LK_PS_URL_MAX + 1];
  char kvk[16];
  char created_by[LK_PS_ID_LEN + 1];
  int64_t created_at;
  char role[8]; /* the asking account's role in lists, else "" */
} lk_p_org_row;

/* Inserts the organisation and its creator as its admin. */
int lk_store_p_org_insert(lk_tx *tx, const lk_p_org_row *o);
int lk_store_p_org_get(lk_store *s, lk_tx *tx, const char *id,
                       lk_p_org_row *out);
/* The role ("admin", "member") of `account_id` in organisation `org_id`
 * into `role` (8 bytes); LK_STORE_NOTFOUND when not a member. */
int lk_store_p_org_role(lk_store *s, lk_tx *tx, const char *org_id,
                        const char *account_id, char *role);
int lk_store_p_org_add_member(lk_tx *tx, const char *org_id,
                              const char *account_id, const char *role,
                              int64_t now);
typedef void (*lk_p_org_fn)(const lk_p_org_row *o, void *ud);
/* The organisations of `account_id` (role set), by name, at most 50. */
int lk_store_p_orgs_of(lk_store *s, const char *account_id, lk_p_org_fn fn,
                       void *ud);

/* ---- themes and neighbourhoods ----------------------------------------- */

typedef struct lk_p_place_row {
  char id[LK_PS_SLUG_MAX + 1];
  char name[LK_PS_NAME_MAX + 1];
  int position;
  bool has_point;
  double lat, lon;
} lk_p_place_row;

typedef void (*lk_p_place_fn)(const lk_p_place_row *r, void *ud);
/* Every theme / neighbourhood by position then name (at most 200). */
int lk_store_p_themes(lk_store *s, lk_p_place_fn fn, void *ud);
int lk_store_p_neighbourhoods(lk_store *s, lk_p_place_fn fn, void *ud);
int lk_store_p_theme_get(lk_store *s, lk_tx *tx, const char *id,
                         lk_p_place_row *out);
int lk_store_p_neighbourhood_get(lk_store *s, lk_tx *tx, const char *id,
                                 lk_p_place_row *out);
/* Inserts or replaces neighbourhood r->id; *created says which. */
int lk_store_p_neighbourhood_put(lk_tx *tx, const lk_p_place_row *r,
                                 int64_t now, bool *created);

/* ---- initiatives ------------------------------------------------------- */

typedef struct lk_initiative_row {
  char id[LK_PS_ID_LEN + 1];
  char owner_id[LK_PS_ID_LEN + 1];
  char owner_name[LK_PS_NAME_MAX + 1];
  char organisation_id[LK_PS_ID_LEN + 1]; /* "" none */
  char organisation_name[LK_PS_NAME_MAX + 1];
  char title[LK_PS_TITLE_MAX + 1];
  char summary[LK_PS_SUMMARY_MAX + 1];
  char description[LK_PS_DESCRIPTION_MAX + 1];
  char theme_id[LK_PS_SLUG_MAX + 1]; /* "" none */
  char theme_name[LK_PS_NAME_MAX + 1];
  char neighbourhood_id[LK_PS_SLUG_MAX + 1];
  char neighbourhood_name[LK_PS_NAME_MAX + 1];
  char address[LK_PS_ADDRESS_MAX + 1];
  bool has_point;
  double lat, lon;
  char start_date[11]; /* YYYY-MM-DD or "" */
  char end_date[11];
  char website[LK_PS_URL_MAX + 1];
  char status[LK_PS_STATUS_MAX + 1];
  char status_reason[LK_PS_REASON_MAX + 1];
  int64_t status_changed_at;
  int64_t published_at; /* 0: never published */
  int64_t followers_count;
  int64_t participants_count;
  int64_t updates_count;
  int64_t images_count;
  char hidden_reason[LK_PS_REASON_MAX + 1];
  int64_t hidden_at; /* 0: visible */
  int64_t version;
  int64_t created_at;
  int64_t updated_at;
} lk_initiative_row;

/* Inserts `r` and the owner's organiser row. */
int lk_store_initiative_insert(lk_tx *tx, const lk_initiative_row *r);
/* Writes the editable fields of `r` when its version is still
 * `r->version` - 1... precisely: when the stored version equals
 * `expect_version`, and sets it to expect_version + 1.
 * LK_STORE_CONFLICT when another edit came first. */
int lk_store_initiative_update(lk_tx *tx, const lk_initiative_row *r,
                               int64_t expect_version);
int lk_store_initiative_get(lk_store *s, lk_tx *tx, const char *id,
                            lk_initiative_row *out);
/* Sets status and reason (published_at at the first publication) and
 * appends to the status log. */
int lk_store_initiative_status(lk_tx *tx, const char *id, const char *from,
                               const char *to, const char *reason,
                               const char *actor, int64_t now);
/* Adds `delta` to counter `which` ("followers", "participants",
 * "updates", "images"). */
int lk_store_initiative_count(lk_tx *tx, const char *id, const char *which,
                              int64_t delta);

/* The role ("owner", "co") of `account_id` on initiative `id` into
 * `role` (8 bytes); LK_STORE_NOTFOUND when not an organiser. */
int lk_store_initiative_role(lk_store *s, lk_tx *tx, const char *id,
                             const char *account_id, char *role);
int lk_store_initiative_add_organiser(lk_tx *tx, const char *id,
                                      const char *account_id, int64_t now);
typedef struct lk_p_person {
  char account_id[LK_PS_ID_LEN + 1];
  char display_name[LK_PS_NAME_MAX + 1];
  char role[8];
} lk_p_person;
typedef void (*lk_p_person_fn)(const lk_p_person *p, void *ud);
/* Organisers, owner first, at most 50. */
int lk_store_initiative_organisers(lk_store *s, const char *id,
                                   lk_p_person_fn fn, void *ud);

/* Filters of a list: "" matches everything.  Public lists show only
 * published, not hidden initiatives, newest publication first; the
 * cursor is (after_published, after_id) of the last row, 0/"" to start. */
typedef struct lk_initiative_filter {
  char theme[LK_PS_SLUG_MAX + 1];
  char neighbourhood[LK_PS_SLUG_MAX + 1];
  char status[LK_PS_STATUS_MAX + 1];
  int64_t after_published;
  char after_id[LK_PS_ID_LEN + 1];
} lk_initiative_filter;

typedef void (*lk_initiative_fn)(const lk_initiative_row *r, void *ud);
/* Public list: up to `limit` (<= 100).  Returns how many. */
int lk_store_initiatives_public(lk_store *s, const lk_initiative_filter *f,
                                int limit, lk_initiative_fn fn, void *ud);
/* The same, with the follower count computed by COUNT(*) at request
 * time instead of read from the counter: only the benchmark's
 * reference uses it. */
int lk_store_initiatives_public_counting(lk_store *s,
                                         const lk_initiative_filter *f,
                                         int limit, lk_initiative_fn fn,
                                         void *ud);
/* COUNT(*) of followers of `id`: the benchmark's reference only. */
int lk_store_initiative_followers_counted(lk_store *s, const char *id,
                                          int64_t *out);
/* Staff list, every initiative (hidden too), by id, filtered by status
 * ("" all), after `after_id`. */
int lk_store_initiatives_staff(lk_store *s, const char *status,
                               const char *after_id, int limit,
                               lk_initiative_fn fn, void *ud);
/* Initiatives `account_id` organises, newest first, at most 100. */
int lk_store_initiatives_of(lk_store *s, const char *account_id,
                            lk_initiative_fn fn, void *ud);

/* ---- followers --------------------------------------------------------- */

/* Adds (`follow`) or removes the follower and moves the counter;
 * *changed is false when nothing changed. */
int lk_store_initiative_follow(lk_tx *tx, const char *id,
                               const char *account_id, bool follow, int64_t now,
                               bool *changed);
int lk_store_initiative_is_follower(lk_store *s, const char *id,
                                    const char *account_id, bool *out);
typedef void (*lk_p_account_fn)(const lk_p_account_row *a, void *ud);
/* Confirmed, active followers of `id` with account id > `after`, by id,
 * at most `limit`. */
int lk_store_initiative_followers(lk_tx *tx, const char *id, const char *after,
                                  int limit, lk_p_account_fn fn, void *ud);

/* ---- updates ----------------------------------------------------------- */

typedef struct lk_initiative_update_row {
  char id[LK_PS_ID_LEN + 1];
  char initiative_id[LK_PS_ID_LEN + 1];
  char author_id[LK_PS_ID_LEN + 1];
  char author_name[LK_PS_NAME_MAX + 1];
  char title[LK_PS_UPDATE_TITLE_MAX + 1];
  char body[LK_PS_UPDATE_BODY_MAX + 1];
  int64_t created_at;
  char hidden_reason[LK_PS_REASON_MAX + 1];
  int64_t hidden_at;
} lk_initiative_update_row;

int lk_store_initiative_update_insert(lk_tx *tx,
                                      const lk_initiative_update_row *u);
typedef void (*lk_initiative_update_fn)(const lk_initiative_update_row *u,
                                        void *ud);
/* Updates of `id`, newest first, at most `limit`; hidden ones too when
 * `with_hidden`. */
int lk_store_initiative_updates(lk_store *s, const char *id, bool with_hidden,
                                int limit, lk_initiative_update_fn fn,
                                void *ud);

/* ---- images ------------------------------------------------------------ */

typedef struct lk_initiative_image_row {
  char id[LK_PS_ID_LEN + 1];
  char initiative_id[LK_PS_ID_LEN + 1];
  char sha256[65];
  char media_type[32];
  int64_t size;
  char alt[LK_PS_ALT_MAX + 1];
  int64_t created_at;
  int64_t hidden_at;
} lk_initiative_image_row;

int lk_store_initiative_image_insert(lk_tx *tx,
                                     const lk_initiative_image_row *r);
int lk_store_initiative_image_get(lk_store *s, const char *id,
                                  lk_initiative_image_row *out);
typedef void (*lk_initiative_image_fn)(const lk_initiative_image_row *r,
                                       void *ud);
/* Visible images of `id`, oldest first, at most 20. */
int lk_store_initiative_images(lk_store *s, const char *id,
                               lk_initiative_image_fn fn, void *ud);

#endif
