/* sessions.h - the SQL of staff sessions and of managing staff accounts.
 *
 * A session row is keyed by the digest of its id (the id itself is only
 * ever in the browser's cookie).  Looking one up joins the account and its
 * medewerker actor, so one read per request tells who is calling, in what
 * role, and whether the account is still enabled.
 *
 * Functions return 0 or a negative LK_STORE_* code (store.h); out
 * parameters are filled only on success.
 */
#ifndef LK_STORE_SESSIONS_H
#define LK_STORE_SESSIONS_H

#include <stdint.h>

#include "store/store.h"

#define LK_ACTOR_ID_MAX 36 /* a UUID */

/* A session as authentication needs it: the row and its account. */
typedef struct lk_session_row {
  lk_user_row user;
  char actor_id[LK_ACTOR_ID_MAX + 1]; /* medewerker actor, "" if none */
  int64_t created_at;
  int64_t last_seen_at;
  int64_t expires_at;
} lk_session_row;

/* Stores a new session of `user_id` under `id_hash`. */
int lk_store_session_insert(lk_tx *tx, const char *id_hash, const char *user_id,
                            int64_t expires_at);
/* Ends one session; LK_STORE_NOTFOUND if there is none under `id_hash`.
 * The user it belonged to goes into `user_id` (LK_USER_ID_LEN + 1 bytes,
 * may be NULL). */
int lk_store_session_delete(lk_tx *tx, const char *id_hash, char *user_id);
/* Ends every session of `user_id`; the number ended goes into *n (may be
 * NULL). */
int lk_store_session_delete_user(lk_tx *tx, const char *user_id, int64_t *n);
/* Records activity: last_seen_at = `when` (never moved backwards). */
int lk_store_session_touch(lk_tx *tx, const char *id_hash, int64_t when);
/* Deletes sessions past their absolute time-out or idle since before
 * `idle_before`; the number deleted goes into *n (may be NULL). */
int lk_store_session_purge(lk_tx *tx, int64_t now, int64_t idle_before,
                           int64_t *n);
/* The session under `id_hash` with its account and medewerker actor,
 * whether or not it has expired or the account is disabled (the caller
 * judges).  LK_STORE_NOTFOUND if there is none. */
int lk_store_session_get(lk_store *s, const char *id_hash, lk_session_row *out);
/* How many sessions `user_id` has (for tests and the CLI). */
int lk_store_session_count(lk_store *s, const char *user_id, int64_t *n);

/* ---- staff accounts beyond store.h ---------------------------------- */

int lk_store_user_get(lk_store *s, const char *id, lk_user_row *out);
typedef void (*lk_user_fn)(const lk_user_row *u, void *ud);
/* Lists accounts ordered by id after `after_id` ("" for the start), at
 * most `limit`.  Returns the number listed. */
int lk_store_user_list(lk_store *s, const char *after_id, int limit,
                       lk_user_fn fn, void *ud);
/* Changes account `id`: `role` and `display_name` unless NULL, and
 * `disabled` unless -1 (0 enables, 1 disables as of now, keeping an
 * earlier disabled_at).  The account afterwards goes into *out.
 * LK_STORE_NOTFOUND if there is no such account. */
int lk_store_user_update(lk_tx *tx, const char *id, const char *role,
                         const char *display_name, int disabled,
                         lk_user_row *out);
/* Replaces the password hash; password_changed_at = `when`.
 * LK_STORE_NOTFOUND if there is no such account. */
int lk_store_user_set_password(lk_tx *tx, const char *id,
                               const char *password_hash, int64_t when);
#endif
