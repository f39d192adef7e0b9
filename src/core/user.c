#include "core/user.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"

bool lk_user_role_valid(const char *role) {
  return strcmp(role, "agent") == 0 || strcmp(role, "supervisor") == 0 ||
         strcmp(role, "admin") == 0;
}

/* A deliberately plain check: one @, a non-empty local part, a dot in the
 * domain, no spaces or control characters.  Real verification is a mail. */
static bool email_valid(const char *email) {
  const char *at = strchr(email, '@');

  if (!lk_text_ok(email, LK_EMAIL_MAX, false) || at == NULL || at == email)
    return false;
  if (strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL)
    return false;
  if (strchr(email, ' ') != NULL || at[1] == '.' ||
      email[strlen(email) - 1] == '.')
    return false;
  return true;
}

static void lower_ascii(char *s) {
  for (; *s != '\0'; s++)
    *s = (char)tolower((unsigned char)*s);
}

int lk_user_add_prepare(lk_user_add_op *op, const char *actor,
                        const char *email, const char *role,
                        const char *display_name, const char *password,
                        lk_invalid *why) {
  size_t plen = strlen(password);

  memset(op, 0, sizeof(*op));
  if (!email_valid(email)) {
    why->field = "email";
    why->reason = "is not an e-mail address";
    return LK_EINVALID;
  }
  if (!lk_user_role_valid(role)) {
    why->field = "role";
    why->reason = "must be agent, supervisor or admin";
    return LK_EINVALID;
  }
  if (display_name[0] != '\0' &&
      !lk_text_ok(display_name, LK_NAME_MAX, false)) {
    why->field = "name";
    why->reason = "must be at most 100 bytes of text";
    return LK_EINVALID;
  }
  if (plen < LK_PASSWORD_MIN || plen > LK_PASSWORD_MAX) {
    why->field = "password";
    why->reason = "must be 12 to 1024 characters long";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  lk_id_new(op->user.id, sizeof(op->user.id), "usr_");
  snprintf(op->user.email, sizeof(op->user.email), "%s", email);
  lower_ascii(op->user.email);
  snprintf(op->user.role, sizeof(op->user.role), "%s", role);
  snprintf(op->user.display_name, sizeof(op->user.display_name), "%s",
           display_name);
  if (crypto_pwhash_str(op->password_hash, password, plen,
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return LK_STORE_NOMEM;
  return 0;
}

int lk_user_add_apply(lk_tx *tx, void *arg) {
  lk_user_add_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  int rc;

  op->user.created_at = lk_tx_now(tx);
  op->user.password_changed_at = op->user.created_at;
  rc = lk_store_user_insert(tx, &op->user, op->password_hash);
  if (rc != 0)
    return rc;
  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, op->user.id);
  lk_buf_puts(&payload, ",\"email\":");
  lk_buf_json_str(&payload, op->user.email);
  lk_buf_puts(&payload, ",\"role\":");
  lk_buf_json_str(&payload, op->user.role);
  lk_buf_putc(&payload, '}');
  if (!lk_buf_ok(&payload))
    return LK_STORE_NOMEM;
  rc = lk_tx_emit(tx, "user.created", op->user.id, payload.data);
  if (rc == 0)
    rc = lk_store_audit(tx, op->actor, "user.created", op->user.id,
                        payload.data);
  lk_buf_free(&payload);
  return rc;
}

/* A hash to verify against when the address is unknown, so that a wrong
 * address takes as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void) {
  char pw[32];

  randombytes_buf(pw, sizeof(pw));
  if (crypto_pwhash_str(dummy_hash, pw, sizeof(pw),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    dummy_hash[0] = '\0';
}

static void waste_time_like_verify(const char *password) {
  int rc;

  pthread_once(&dummy_once, make_dummy_hash);
  if (dummy_hash[0] == '\0')
    return;
  /* The outcome is meaningless: only the time it takes matters. */
  rc = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
  (void)rc;
}

int lk_user_check_password(lk_store *s, const char *email, const char *password,
                           lk_user_row *out) {
  char lowered[LK_EMAIL_MAX + 1];
  char hash[128];
  lk_user_row u;
  int rc;

  /* Truncating a longer address could turn it into another account's. */
  if (strlen(email) > LK_EMAIL_MAX) {
    waste_time_like_verify(password);
    return LK_STORE_NOTFOUND;
  }
  snprintf(lowered, sizeof(lowered), "%s", email);
  lower_ascii(lowered);
  rc = lk_store_user_by_email(s, lowered, &u, hash, sizeof(hash));
  if (rc == LK_STORE_NOTFOUND)
    waste_time_like_verify(password);
  if (rc != 0)
    return rc;
  /* Verify first: a disabled account must take as long as any other. */
  if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0 ||
      u.disabled_at != 0)
    return LK_STORE_NOTFOUND;
  *out = u;
  return 0;
}
