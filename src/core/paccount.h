/* paccount.h - resident participation accounts: log-in by mailed link,
 * confirmation, sessions, display name, organisations.
 *
 * There is no password (docs/participation.md says why).  Asking for a
 * link with an e-mail address (and, the first time, a display name)
 * queues a mail (outbox kind "mail") with a one-time link:
 * "lkp_" + 192 random bits in base64url, of which p_links keeps only the
 * BLAKE2b digest.  A confirmation link (new account) works for a day, a
 * log-in link for an hour.  Following it (a POST from the page it opens)
 * marks the account confirmed and starts a session.  At most
 * LK_PACC_LINKS_PER_HOUR links per account per hour: past that the same
 * answer, no mail, so the form tells nobody whether an address has an
 * account.
 *
 * Writes follow the prepare/apply pattern of token.h.
 */
#ifndef LK_PACCOUNT_H
#define LK_PACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/session.h"
#include "core/token.h" /* lk_invalid */
#include "store/participation.h"

#define LK_PACC_TOKEN_MAX 40 /* "lkp_" + 32 base64url + NUL */
#define LK_PACC_CONFIRM_TTL_MS (24LL * 3600 * 1000)
#define LK_PACC_LOGIN_TTL_MS (3600LL * 1000)
#define LK_PACC_LINKS_PER_HOUR 5
#define LK_PACC_URL_MAX 200
/* Resident sessions: idle and absolute time-outs. */
#define LK_P_IDLE_MS (7LL * 24 * 3600 * 1000)
#define LK_P_ABSOLUTE_MS (30LL * 24 * 3600 * 1000)

/* Checks a display name: 2..100 bytes of one-line text.  Returns 0 or
 * -1. */
int lk_pacc_name_ok(const char *name);

/* ---- asking for a link ------------------------------------------------- */

typedef struct lk_pacc_link_op {
  char request_id[48];
  char email[LK_PS_EMAIL_MAX + 1];
  char email_key[LK_PS_EMAIL_MAX + 1];
  char display_name[LK_PS_NAME_MAX + 1]; /* "" on log-in */
  char next[LK_PS_NEXT_MAX + 1];         /* a local path or "" */
  char base_url[LK_PACC_URL_MAX + 1];    /* --public-url, or "" */
  /* results */
  bool created; /* a new account */
  bool sent;    /* a mail was queued */
  char account_id[LK_PS_ID_LEN + 1];
} lk_pacc_link_op;

/* Validates `email` (field "email") and, when `display_name` is not
 * NULL (registration), the name (field "displayName"); `next` is kept
 * only when it is a safe local path.  Returns 0 or LK_EINVALID. */
int lk_pacc_link_prepare(lk_pacc_link_op *op, const char *email,
                         const char *display_name, const char *next,
                         const char *base_url, const char *request_id,
                         lk_invalid *why);
/* lk_write_fn.  Registration of a new address makes the account
 * (unconfirmed) and mails a confirmation link; an address with an
 * account gets a log-in link (registration or not); an unknown address
 * on log-in gets nothing.  Callers answer all alike. */
int lk_pacc_link_apply(lk_tx *tx, void *arg);

/* ---- following a link -------------------------------------------------- */

typedef struct lk_pacc_use_op {
  char request_id[48];
  char digest[65];
  char old_hash[65];              /* a resident session to end, or "" */
  char id[LK_SESSION_ID_LEN + 1]; /* the new session id, for the cookie */
  char id_hash[65];
  int64_t expires_at;       /* set by apply */
  lk_p_link_row link;       /* set by apply */
  lk_p_account_row account; /* set by apply */
} lk_pacc_use_op;

/* Returns 0, or -1 for a string that cannot be a link token.  `old_id`
 * (may be NULL) is the resident cookie the browser sent. */
int lk_pacc_use_prepare(lk_pacc_use_op *op, const char *token,
                        const char *old_id, const char *request_id);
/* Digest of a link token; -1 if it cannot be one. */
int lk_pacc_token_digest(const char *token, char digest[65]);
/* lk_write_fn: uses the link once, confirms the account and starts a
 * session.  LK_STORE_NOTFOUND for an unknown, used or expired link or a
 * disabled account. */
int lk_pacc_use_apply(lk_tx *tx, void *arg);

/* ---- sessions ---------------------------------------------------------- */

typedef enum {
  LK_PSESS_ACTIVE,
  LK_PSESS_ENDED /* idle, expired or the account disabled */
} lk_psess_state;

lk_psess_state lk_psess_check(const lk_p_session_row *r, int64_t now);
/* True if a request at `now` should move last_seen_at (at most hourly). */
bool lk_psess_needs_touch(const lk_p_session_row *r, int64_t now);
/* Submits, without waiting, the write that moves last_seen_at. */
int lk_psess_touch_submit(lk_store *s, const char *id_hash);

typedef struct lk_psess_logout_op {
  char id_hash[65];
} lk_psess_logout_op;
/* lk_write_fn: ends the session; LK_STORE_NOTFOUND when already gone. */
int lk_psess_logout_apply(lk_tx *tx, void *arg);

/* ---- profile and organisations ----------------------------------------- */

typedef struct lk_pacc_rename_op {
  char account_id[LK_PS_ID_LEN + 1];
  char actor[48];
  char request_id[48];
  char display_name[LK_PS_NAME_MAX + 1];
} lk_pacc_rename_op;

/* Returns 0 or LK_EINVALID (field "displayName"). */
int lk_pacc_rename_prepare(lk_pacc_rename_op *op, const char *account_id,
                           const char *name, const char *request_id,
                           lk_invalid *why);
/* lk_write_fn: renames, with a processing-log row. */
int lk_pacc_rename_apply(lk_tx *tx, void *arg);

typedef struct lk_porg_create_op {
  char actor[48];
  lk_p_org_row org; /* id after prepare */
} lk_porg_create_op;

/* Validates name (2..100, field "name"), description (<= 500, field
 * "description"), website (empty or http(s) URL, field "website") and
 * KVK number (empty or 8 digits, field "kvk") for account `account_id`,
 * who becomes the organisation's admin.  Returns 0 or LK_EINVALID. */
int lk_porg_create_prepare(lk_porg_create_op *op, const char *account_id,
                           const char *name, const char *description,
                           const char *website, const char *kvk, int64_t now_ms,
                           lk_invalid *why);
/* lk_write_fn. */
int lk_porg_create_apply(lk_tx *tx, void *arg);

/* True if `url` is empty or an http(s) URL of printable ASCII without
 * spaces, quotes or angle brackets, at most LK_PS_URL_MAX bytes. */
bool lk_p_url_ok(const char *url);

#endif
