/* user.h - staff accounts (agents, supervisors, administrators).
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str) and never
 * leave this module; e-mail addresses are stored in lower case so log-in is
 * case-insensitive.
 */
#ifndef LK_USER_H
#define LK_USER_H

#include <stdbool.h>

#include "core/token.h"
#include "store/store.h"

#define LK_PASSWORD_MIN 12
#define LK_PASSWORD_MAX 1024

typedef struct lk_user_add_op {
  char actor[LK_NAME_MAX + 1];
  lk_user_row user;
  char password_hash[128];
} lk_user_add_op;

/* Validates and hashes; returns 0, LK_EINVALID with `why`, or
 * LK_STORE_NOMEM if hashing could not get its memory. */
int lk_user_add_prepare(lk_user_add_op *op, const char *actor,
                        const char *email, const char *role,
                        const char *display_name, const char *password,
                        lk_invalid *why);
/* lk_write_fn; LK_STORE_CONFLICT if the e-mail address is taken. */
int lk_user_add_apply(lk_tx *tx, void *arg);
/* Checks a password against the stored account.  Returns 0, or
 * LK_STORE_NOTFOUND for an unknown address, a disabled account or a wrong
 * password alike (so callers cannot tell them apart). */
int lk_user_check_password(lk_store *s, const char *email, const char *password,
                           lk_user_row *out);
bool lk_user_role_valid(const char *role);

#endif
