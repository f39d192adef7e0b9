#include "core/session.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "core/user.h"

/* ---- ids and tokens ------------------------------------------------- */

static bool b64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool lk_session_id_valid(const char *id) {
  size_t n = 0;

  for (; id[n] != '\0'; n++) {
    if (n == LK_SESSION_ID_LEN || !b64url_char(id[n]))
      return false;
  }
  return n == LK_SESSION_ID_LEN;
}

void lk_session_id_new(char id[LK_SESSION_ID_LEN + 1]) {
  /* 16 bytes encode to exactly LK_SESSION_ID_LEN characters. */
  lk_secret_new(id, LK_SESSION_ID_LEN + 1, "", 16);
}

int lk_session_digest(const char *id, char hash[65]) {
  if (!lk_session_id_valid(id))
    return -1;
  lk_secret_hash(id, hash);
  return 0;
}

void lk_session_csrf_token(const char *id, char token[LK_CSRF_TOKEN_LEN + 1]) {
  static const char what[] = "loket csrf v1";
  unsigned char digest[32];

  /* The session id (22 bytes) is a valid BLAKE2b key (16 to 64 bytes). */
  crypto_generichash(digest, sizeof(digest), (const unsigned char *)what,
                     sizeof(what) - 1, (const unsigned char *)id, strlen(id));
  sodium_bin2base64(token, LK_CSRF_TOKEN_LEN + 1, digest, sizeof(digest),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool lk_secret_equal(const char *a, const char *b) {
  size_t n = strlen(a);

  /* The length is no secret: every token has the same one. */
  if (strlen(b) != n)
    return false;
  return n == 0 || sodium_memcmp(a, b, n) == 0;
}

bool lk_session_csrf_ok(const char *id, const char *given) {
  char want[LK_CSRF_TOKEN_LEN + 1];
  bool ok;

  if (given == NULL || !lk_session_id_valid(id))
    return false;
  lk_session_csrf_token(id, want);
  ok = lk_secret_equal(want, given);
  sodium_memzero(want, sizeof(want));
  return ok;
}

/* ---- validity --------------------------------------------------------- */

lk_session_state lk_session_check(const lk_session_row *r,
                                  const lk_session_config *cfg, int64_t now) {
  if (r->user.disabled_at != 0)
    return LK_SESSION_DISABLED;
  if (now >= r->expires_at)
    return LK_SESSION_EXPIRED;
  if (now - r->last_seen_at >= cfg->idle_ms)
    return LK_SESSION_IDLE;
  return LK_SESSION_ACTIVE;
}

/* How stale last_seen_at may become before a request refreshes it. */
static int64_t touch_interval(const lk_session_config *cfg) {
  int64_t g = cfg->idle_ms / 10;

  return g > 60000 ? 60000 : g;
}

bool lk_session_needs_touch(const lk_session_row *r,
                            const lk_session_config *cfg, int64_t now) {
  return now - r->last_seen_at >= touch_interval(cfg);
}

bool lk_session_has_scope(const char *role, const char *scope) {
  bool admin = strcmp(role, "admin") == 0;

  if (strcmp(scope, "api") == 0 || strcmp(scope, "events") == 0)
    return lk_user_role_valid(role);
  if (strcmp(scope, "confidential") == 0)
    return admin || strcmp(role, "supervisor") == 0;
  if (strcmp(scope, "admin") == 0)
    return admin;
  return false;
}

/* ---- audit helpers ------------------------------------------------------ */

/* Audits `action` on account `user_id` with `details`; frees `details`. */
static int audit(lk_tx *tx, const char *actor, const char *action,
                 const char *user_id, lk_buf *details) {
  int rc;

  if (!lk_buf_ok(details)) {
    lk_buf_free(details);
    return LK_STORE_NOMEM;
  }
  rc = lk_store_audit(tx, actor, action, user_id, details->data);
  lk_buf_free(details);
  return rc;
}

/* Tells open event streams that sessions of `user_id` ended, so a stream
 * of one of them ends with it (api/events.c looks its session up again). */
static int session_ended_emit(lk_tx *tx, const char *user_id) {
  char payload[LK_USER_ID_LEN + 16];

  snprintf(payload, sizeof(payload), "{\"user\":\"%s\"}", user_id);
  return lk_tx_emit(tx, "session.ended", user_id, payload);
}

static void user_actor(char *out, size_t size, const char *user_id) {
  snprintf(out, size, "user:%s", user_id);
}

/* ---- log-in ---------------------------------------------------------- */

void lk_session_login_prepare(lk_session_login_op *op, const lk_user_row *user,
                              const char *old_id, const char *address,
                              const lk_session_config *cfg) {
  memset(op, 0, sizeof(*op));
  op->user = *user;
  lk_session_id_new(op->id);
  lk_secret_hash(op->id, op->id_hash);
  if (old_id == NULL || lk_session_digest(old_id, op->old_hash) != 0)
    op->old_hash[0] = '\0';
  snprintf(op->address, sizeof(op->address), "%s",
           address != NULL ? address : "");
  op->cfg = *cfg;
}

/* Stores the session of `op` (inside a write that may do more). */
static int session_store(lk_tx *tx, lk_session_login_op *op) {
  char actor[LK_USER_ID_LEN + 8];
  char old_user[LK_USER_ID_LEN + 1];
  lk_buf details = LK_BUF_INIT;
  bool replaced = false;
  int rc;

  rc = lk_store_session_purge(tx, lk_tx_now(tx),
                              lk_tx_now(tx) - op->cfg.idle_ms, NULL);
  if (rc == 0 && op->old_hash[0] != '\0') {
    rc = lk_store_session_delete(tx, op->old_hash, old_user);
    replaced = rc == 0;
    if (rc == LK_STORE_NOTFOUND)
      rc = 0;
    else if (rc == 0)
      rc = session_ended_emit(tx, old_user);
  }
  if (rc != 0)
    return rc;
  op->expires_at = lk_tx_now(tx) + op->cfg.absolute_ms;
  rc = lk_store_session_insert(tx, op->id_hash, op->user.id, op->expires_at);
  if (rc != 0)
    return rc;
  user_actor(actor, sizeof(actor), op->user.id);
  lk_buf_puts(&details, "{\"address\":");
  lk_buf_json_str(&details, op->address);
  lk_buf_printf(&details, ",\"expiresAt\":%lld,\"replaced\":%s}",
                (long long)op->expires_at, replaced ? "true" : "false");
  return audit(tx, actor, "session.created", op->user.id, &details);
}

int lk_session_login_apply(lk_tx *tx, void *arg) {
  return session_store(tx, arg);
}

/* ---- log-out --------------------------------------------------------- */

int lk_session_logout_prepare(lk_session_logout_op *op, const char *actor,
                              const char *id) {
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  return lk_session_digest(id, op->id_hash);
}

int lk_session_logout_apply(lk_tx *tx, void *arg) {
  lk_session_logout_op *op = arg;
  char user_id[LK_USER_ID_LEN + 1];
  lk_buf details = LK_BUF_INIT;
  int rc;

  rc = lk_store_session_delete(tx, op->id_hash, user_id);
  if (rc == 0)
    rc = session_ended_emit(tx, user_id);
  if (rc != 0)
    return rc;
  lk_buf_puts(&details, "{\"reason\":\"logout\"}");
  return audit(tx, op->actor, "session.ended", user_id, &details);
}

/* ---- password change --------------------------------------------------- */

int lk_password_change_prepare(lk_password_change_op *op, const char *actor,
                               const lk_user_row *user, const char *password,
                               const char *session_address,
                               const lk_session_config *cfg, lk_invalid *why) {
  size_t plen = strlen(password);

  memset(op, 0, sizeof(*op));
  if (plen < LK_PASSWORD_MIN || plen > LK_PASSWORD_MAX) {
    why->field = "newPassword";
    why->reason = "must be 12 to 1024 characters long";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  memcpy(op->user_id, user->id, sizeof(op->user_id));
  if (session_address != NULL) {
    op->new_session = true;
    lk_session_login_prepare(&op->session, user, NULL, session_address, cfg);
  }
  if (crypto_pwhash_str(op->password_hash, password, plen,
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return LK_STORE_NOMEM;
  return 0;
}

int lk_password_change_apply(lk_tx *tx, void *arg) {
  lk_password_change_op *op = arg;
  lk_buf details = LK_BUF_INIT;
  int rc;

  rc = lk_store_user_set_password(tx, op->user_id, op->password_hash,
                                  lk_tx_now(tx));
  if (rc == 0)
    rc = lk_store_session_delete_user(tx, op->user_id, &op->ended);
  if (rc == 0 && op->ended > 0)
    rc = session_ended_emit(tx, op->user_id);
  if (rc != 0)
    return rc;
  lk_buf_printf(&details, "{\"sessionsEnded\":%lld}", (long long)op->ended);
  rc = audit(tx, op->actor, "user.password_changed", op->user_id, &details);
  if (rc == 0 && op->new_session)
    rc = session_store(tx, &op->session);
  return rc;
}

/* ---- account changes ---------------------------------------------------- */

int lk_user_update_prepare(lk_user_update_op *op, const char *actor,
                           const char *self_id, const char *id,
                           const char *role, const char *display_name,
                           int disabled, lk_invalid *why) {
  bool self = self_id != NULL && strcmp(self_id, id) == 0;

  memset(op, 0, sizeof(*op));
  if (strlen(id) != LK_USER_ID_LEN || strncmp(id, "usr_", 4) != 0) {
    why->field = "id";
    why->reason = "is not an account id";
    return LK_EINVALID;
  }
  if (role != NULL && !lk_user_role_valid(role)) {
    why->field = "role";
    why->reason = "must be agent, supervisor or admin";
    return LK_EINVALID;
  }
  if (display_name != NULL && display_name[0] != '\0' &&
      !lk_text_ok(display_name, LK_NAME_MAX, false)) {
    why->field = "displayName";
    why->reason = "must be at most 100 bytes of text without control "
                  "characters";
    return LK_EINVALID;
  }
  if (disabled < -1 || disabled > 1) {
    why->field = "disabled";
    why->reason = "must be true or false";
    return LK_EINVALID;
  }
  if (self && disabled == 1) {
    why->field = "disabled";
    why->reason = "you cannot disable your own account";
    return LK_EINVALID;
  }
  if (self && role != NULL && strcmp(role, "admin") != 0) {
    why->field = "role";
    why->reason = "you cannot take the admin role from your own account";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  memcpy(op->id, id, LK_USER_ID_LEN + 1);
  if (role != NULL)
    snprintf(op->role, sizeof(op->role), "%s", role);
  if (display_name != NULL) {
    op->set_name = true;
    snprintf(op->display_name, sizeof(op->display_name), "%s", display_name);
  }
  op->disabled = disabled;
  return 0;
}

int lk_user_update_apply(lk_tx *tx, void *arg) {
  lk_user_update_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  lk_buf details = LK_BUF_INIT;
  int rc;

  rc = lk_store_user_update(tx, op->id, op->role[0] ? op->role : NULL,
                            op->set_name ? op->display_name : NULL,
                            op->disabled, &op->user);
  if (rc == 0 && op->user.disabled_at != 0)
    rc = lk_store_session_delete_user(tx, op->id, &op->ended);
  if (rc == 0 && op->ended > 0)
    rc = session_ended_emit(tx, op->id);
  if (rc != 0)
    return rc;
  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, op->user.id);
  lk_buf_puts(&payload, ",\"role\":");
  lk_buf_json_str(&payload, op->user.role);
  lk_buf_printf(&payload, ",\"disabled\":%s}",
                op->user.disabled_at != 0 ? "true" : "false");
  if (!lk_buf_ok(&payload)) {
    lk_buf_free(&payload);
    return LK_STORE_NOMEM;
  }
  rc = lk_tx_emit(tx, "user.updated", op->user.id, payload.data);
  lk_buf_free(&payload);
  if (rc != 0)
    return rc;
  /* What was asked, so the trail shows the change and not just a state. */
  lk_buf_puts(&details, "{");
  if (op->role[0] != '\0') {
    lk_buf_puts(&details, "\"role\":");
    lk_buf_json_str(&details, op->role);
    lk_buf_putc(&details, ',');
  }
  if (op->set_name) {
    lk_buf_puts(&details, "\"displayName\":");
    lk_buf_json_str(&details, op->display_name);
    lk_buf_putc(&details, ',');
  }
  if (op->disabled >= 0)
    lk_buf_printf(&details, "\"disabled\":%s,",
                  op->disabled ? "true" : "false");
  lk_buf_printf(&details, "\"sessionsEnded\":%lld}", (long long)op->ended);
  return audit(tx, op->actor, "user.updated", op->id, &details);
}

/* ---- housekeeping writes ---------------------------------------------- */

/* A write nobody waits for: freed when the writer is done with it. */
struct bg_write {
  lk_write w;
  union {
    char id_hash[65];
    lk_session_config cfg;
  } u;
};

static void bg_done(int status, void *arg) {
  (void)status;
  free(arg);
}

static int bg_submit(lk_store *s, struct bg_write *bw, lk_write_fn apply) {
  int rc;

  bw->w.apply = apply;
  bw->w.done = bg_done;
  bw->w.arg = bw;
  rc = lk_store_submit(s, &bw->w);
  if (rc != 0)
    free(bw); /* not queued: done will not run */
  return rc;
}

static int touch_apply(lk_tx *tx, void *arg) {
  struct bg_write *bw = arg;

  return lk_store_session_touch(tx, bw->u.id_hash, lk_tx_now(tx));
}

int lk_session_touch_submit(lk_store *s, const char *id_hash) {
  struct bg_write *bw = calloc(1, sizeof(*bw));

  if (bw == NULL)
    return LK_STORE_NOMEM;
  snprintf(bw->u.id_hash, sizeof(bw->u.id_hash), "%s", id_hash);
  return bg_submit(s, bw, touch_apply);
}

int lk_session_purge_apply(lk_tx *tx, void *arg) {
  const lk_session_config *cfg = arg;

  return lk_store_session_purge(tx, lk_tx_now(tx), lk_tx_now(tx) - cfg->idle_ms,
                                NULL);
}

static int bg_purge_apply(lk_tx *tx, void *arg) {
  struct bg_write *bw = arg;

  return lk_session_purge_apply(tx, &bw->u.cfg);
}

int lk_session_purge_submit(lk_store *s, const lk_session_config *cfg) {
  struct bg_write *bw = calloc(1, sizeof(*bw));

  if (bw == NULL)
    return LK_STORE_NOMEM;
  bw->u.cfg = *cfg;
  return bg_submit(s, bw, bg_purge_apply);
}

/* ---- accounts ----------------------------------------------------------- */

int lk_account_by_email(lk_store *s, const char *email, lk_user_row *out) {
  char lowered[LK_EMAIL_MAX + 1];

  /* Truncating a longer address could turn it into another account's. */
  if (strlen(email) > LK_EMAIL_MAX)
    return LK_STORE_NOTFOUND;
  snprintf(lowered, sizeof(lowered), "%s", email);
  for (char *p = lowered; *p != '\0'; p++)
    *p = (char)tolower((unsigned char)*p);
  return lk_store_user_by_email(s, lowered, out, NULL, 0);
}

void lk_user_json(lk_buf *b, const lk_user_row *u) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, u->id);
  lk_buf_puts(b, ",\"email\":");
  lk_buf_json_str(b, u->email);
  lk_buf_puts(b, ",\"displayName\":");
  lk_buf_json_str(b, u->display_name);
  lk_buf_puts(b, ",\"role\":");
  lk_buf_json_str(b, u->role);
  lk_buf_printf(b, ",\"createdAt\":%lld,\"passwordChangedAt\":%lld",
                (long long)u->created_at, (long long)u->password_changed_at);
  lk_buf_printf(b, ",\"disabled\":%s", u->disabled_at != 0 ? "true" : "false");
  if (u->disabled_at != 0)
    lk_buf_printf(b, ",\"disabledAt\":%lld}", (long long)u->disabled_at);
  else
    lk_buf_puts(b, ",\"disabledAt\":null}");
}
