/* session.h - staff sessions and what ends them.
 *
 * A session id is 128 random bits in base64url (22 characters).  The
 * browser holds it in an HttpOnly cookie; the store holds only its
 * BLAKE2b digest.  A session ends at log-out, after `idle_ms` without a
 * request, `absolute_ms` after log-in whatever happens, when its account's
 * password changes (every session of the account) and when the account is
 * disabled.  Every log-in makes a new id, and a session the browser still
 * presented at log-in is ended, so an id planted before log-in is worth
 * nothing after it.
 *
 * The CSRF token of a session is a keyed BLAKE2b digest of the session id
 * (the id is the key): nothing extra is stored, only the session's holder
 * can compute it, and it cannot be turned back into the id.
 *
 * Activity is recorded lazily: a request moves last_seen_at only when it
 * is more than a tenth of the idle time-out (at most a minute) old, so a
 * busy session costs one write a minute, not one per request.  A session
 * can therefore end up to that much before its idle time-out, never after.
 *
 * Writes follow the prepare/apply pattern of token.h.
 */
#ifndef LK_SESSION_H
#define LK_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h"
#include "store/sessions.h"
#include "store/store.h"
#include "util/buf.h"

#define LK_SESSION_ID_LEN 22 /* 128 bits in unpadded base64url */
#define LK_CSRF_TOKEN_LEN 43 /* 256 bits in unpadded base64url */
#define LK_CLIENT_ADDRESS_MAX 63

typedef struct lk_session_config {
  int64_t idle_ms;     /* default 30 minutes */
  int64_t absolute_ms; /* default 12 hours */
} lk_session_config;

#define LK_SESSION_IDLE_DEFAULT_MS (30 * 60 * 1000LL)
#define LK_SESSION_ABSOLUTE_DEFAULT_MS (12 * 60 * 60 * 1000LL)

/* ---- ids and tokens ------------------------------------------------- */

/* True if `id` has the form of a session id (and so of a CSRF cookie). */
bool lk_session_id_valid(const char *id);
/* A new random id in `id`. */
void lk_session_id_new(char id[LK_SESSION_ID_LEN + 1]);
/* The digest under which session `id` is stored.  Returns 0, or -1 if
 * `id` cannot be a session id. */
int lk_session_digest(const char *id, char hash[65]);
/* The CSRF token of session `id` (which must be valid). */
void lk_session_csrf_token(const char *id, char token[LK_CSRF_TOKEN_LEN + 1]);
/* True if `given` equals the CSRF token of session `id`; compared in
 * constant time. */
bool lk_session_csrf_ok(const char *id, const char *given);
/* True if `a` and `b` are equal, comparing in time that depends only on
 * their lengths. */
bool lk_secret_equal(const char *a, const char *b);

/* ---- validity --------------------------------------------------------- */

typedef enum lk_session_state {
  LK_SESSION_ACTIVE,
  LK_SESSION_IDLE,     /* idle time-out passed */
  LK_SESSION_EXPIRED,  /* absolute time-out passed */
  LK_SESSION_DISABLED, /* the account is disabled */
} lk_session_state;

lk_session_state lk_session_check(const lk_session_row *r,
                                  const lk_session_config *cfg, int64_t now);
/* True if a request at `now` should move the session's last_seen_at. */
bool lk_session_needs_touch(const lk_session_row *r,
                            const lk_session_config *cfg, int64_t now);
/* True if a session of `role` grants `scope`: every role "api" and
 * "events", supervisors and admins "confidential", admins "admin". */
bool lk_session_has_scope(const char *role, const char *scope);

/* ---- writes ------------------------------------------------------------ */

typedef struct lk_session_login_op {
  lk_user_row user;               /* who signs in */
  char id[LK_SESSION_ID_LEN + 1]; /* the new id: for the cookie, not stored */
  char id_hash[65];               /* what is stored */
  char old_hash[65];              /* a session to end first, or "" */
  char address[LK_CLIENT_ADDRESS_MAX + 1]; /* the client, for the audit trail */
  lk_session_config cfg;
  int64_t expires_at; /* set by apply */
} lk_session_login_op;

/* Fills `op` for a log-in of `user` from `address`, with a fresh id.
 * `old_id` (may be NULL) is the session cookie the browser sent, to end. */
void lk_session_login_prepare(lk_session_login_op *op, const lk_user_row *user,
                              const char *old_id, const char *address,
                              const lk_session_config *cfg);
/* lk_write_fn: purges expired sessions, ends the old one, stores the new
 * one and audits "session.created". */
int lk_session_login_apply(lk_tx *tx, void *arg);

typedef struct lk_session_logout_op {
  char actor[LK_NAME_MAX + 1];
  char id_hash[65];
} lk_session_logout_op;

/* Returns 0, or -1 if `id` cannot be a session id. */
int lk_session_logout_prepare(lk_session_logout_op *op, const char *actor,
                              const char *id);
/* lk_write_fn; LK_STORE_NOTFOUND if the session is already gone. */
int lk_session_logout_apply(lk_tx *tx, void *arg);

typedef struct lk_password_change_op {
  char actor[LK_NAME_MAX + 1];
  char user_id[LK_USER_ID_LEN + 1];
  char password_hash[128];
  bool new_session; /* give the caller a fresh session (below) */
  lk_session_login_op session;
  int64_t ended; /* sessions ended; set by apply */
} lk_password_change_op;

/* Validates and hashes `password` for account `user` (argon2id: about
 * 0.1 s).  When `session_address` is not NULL the op also makes a fresh
 * session for the caller from that address.  Returns 0, LK_EINVALID with
 * `why`, or LK_STORE_NOMEM. */
int lk_password_change_prepare(lk_password_change_op *op, const char *actor,
                               const lk_user_row *user, const char *password,
                               const char *session_address,
                               const lk_session_config *cfg, lk_invalid *why);
/* lk_write_fn: sets the password, ends every session of the account,
 * stores the fresh one if asked and audits "user.password_changed".
 * LK_STORE_NOTFOUND if the account is gone. */
int lk_password_change_apply(lk_tx *tx, void *arg);

typedef struct lk_user_update_op {
  char actor[LK_NAME_MAX + 1];
  char id[LK_USER_ID_LEN + 1];
  char role[16];                      /* "" keeps the role */
  char display_name[LK_NAME_MAX + 1]; /* used when set_name */
  bool set_name;
  int disabled;     /* -1 keeps, 0 enables, 1 disables */
  lk_user_row user; /* the account afterwards; set by apply */
  int64_t ended;    /* sessions ended; set by apply */
} lk_user_update_op;

/* Validates a change of account `id` by `actor` (whose own account is
 * `self_id`, "" for a token): `role` and `display_name` may be NULL,
 * `disabled` is -1, 0 or 1.  Nobody may disable or demote their own
 * account (LK_EINVALID, so an administrator cannot lock everyone out by
 * accident).  Returns 0 or LK_EINVALID with `why`. */
int lk_user_update_prepare(lk_user_update_op *op, const char *actor,
                           const char *self_id, const char *id,
                           const char *role, const char *display_name,
                           int disabled, lk_invalid *why);
/* lk_write_fn: changes the account, ends its sessions when it is
 * disabled, emits "user.updated" and audits it.  LK_STORE_NOTFOUND if
 * there is no such account. */
int lk_user_update_apply(lk_tx *tx, void *arg);

/* Submits, without waiting, a write that moves the last_seen_at of the
 * session stored under `id_hash` to now.  Returns 0 or LK_STORE_*. */
int lk_session_touch_submit(lk_store *s, const char *id_hash);
/* Submits, without waiting, a write that deletes expired sessions. */
int lk_session_purge_submit(lk_store *s, const lk_session_config *cfg);
/* lk_write_fn with an lk_session_config: deletes expired sessions. */
int lk_session_purge_apply(lk_tx *tx, void *arg);

/* ---- accounts ----------------------------------------------------------- */

/* The account with e-mail address `email` (any case).  LK_STORE_NOTFOUND
 * if none. */
int lk_account_by_email(lk_store *s, const char *email, lk_user_row *out);
/* Renders an account (never its password hash) as a JSON object:
 * {"id","email","displayName","role","createdAt","passwordChangedAt",
 * "disabled","disabledAt"}. */
void lk_user_json(lk_buf *b, const lk_user_row *u);

#endif
