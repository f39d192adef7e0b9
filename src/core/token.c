#include "core/token.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"

static const char *known_scopes[] = {"api", "events", "confidential", "admin"};

static bool scope_known(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof(known_scopes) / sizeof(known_scopes[0]); i++) {
    if (strlen(known_scopes[i]) == len && memcmp(s, known_scopes[i], len) == 0)
      return true;
  }
  return false;
}

/* Scopes are a space-separated list of known names, each at most once. */
static bool scopes_valid(const char *scopes) {
  const char *p = scopes;
  const char *end;
  size_t len;

  if (*p == '\0' || strlen(scopes) > LK_SCOPES_MAX)
    return false;
  while (*p != '\0') {
    end = strchr(p, ' ');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (!scope_known(p, len))
      return false;
    for (const char *q = scopes; q < p;) {
      const char *qe = strchr(q, ' ');
      if ((size_t)(qe - q) == len && memcmp(q, p, len) == 0)
        return false;
      q = qe + 1;
    }
    p += len;
    if (*p == ' ') {
      p++;
      if (*p == '\0')
        return false;
    }
  }
  return true;
}

bool lk_token_has_scope(const lk_token_row *t, const char *scope) {
  size_t want = strlen(scope);
  const char *p = t->scopes;
  size_t len;

  while (*p != '\0') {
    len = strcspn(p, " ");
    if ((len == want && memcmp(p, scope, len) == 0) ||
        (len == 5 && memcmp(p, "admin", 5) == 0))
      return true;
    p += len;
    if (*p == ' ')
      p++;
  }
  return false;
}

int lk_token_create_prepare(lk_token_create_op *op, const char *actor,
                            const char *name, const char *scopes,
                            lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (scopes == NULL)
    scopes = "api events";
  if (!lk_text_ok(name, LK_NAME_MAX, false)) {
    why->field = "name";
    why->reason = "must be 1 to 100 bytes of UTF-8 text without control "
                  "characters";
    return LK_EINVALID;
  }
  if (!scopes_valid(scopes)) {
    why->field = "scopes";
    why->reason =
        "must list distinct scopes among api, events, confidential and admin";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  lk_id_new(op->token.id, sizeof(op->token.id), "tok_");
  snprintf(op->token.name, sizeof(op->token.name), "%s", name);
  snprintf(op->token.scopes, sizeof(op->token.scopes), "%s", scopes);
  lk_secret_new(op->secret, sizeof(op->secret), "lkt_", 24);
  lk_secret_hash(op->secret, op->secret_hash);
  return 0;
}

void lk_token_json(lk_buf *b, const lk_token_row *t) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, t->id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, t->name);
  lk_buf_puts(b, ",\"scopes\":[");
  for (const char *p = t->scopes; *p != '\0';) {
    size_t len = strcspn(p, " ");
    char scope[LK_SCOPES_MAX + 1];

    memcpy(scope, p, len);
    scope[len] = '\0';
    if (p != t->scopes)
      lk_buf_putc(b, ',');
    lk_buf_json_str(b, scope);
    p += len;
    if (*p == ' ')
      p++;
  }
  lk_buf_printf(b, "],\"createdAt\":%lld", (long long)t->created_at);
  if (t->revoked_at != 0)
    lk_buf_printf(b, ",\"revokedAt\":%lld", (long long)t->revoked_at);
  else
    lk_buf_puts(b, ",\"revokedAt\":null");
  lk_buf_putc(b, '}');
}

/* Records the event and the audit entry that go with every token change;
 * frees `payload`. */
static int token_changed(lk_tx *tx, const char *actor, const char *type,
                         const char *id, lk_buf *payload) {
  int rc;

  if (!lk_buf_ok(payload))
    return LK_STORE_NOMEM;
  rc = lk_tx_emit(tx, type, id, payload->data);
  if (rc == 0)
    rc = lk_store_audit(tx, actor, type, id, payload->data);
  lk_buf_free(payload);
  return rc;
}

int lk_token_create_apply(lk_tx *tx, void *arg) {
  lk_token_create_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  int rc;

  op->token.created_at = lk_tx_now(tx);
  rc = lk_store_token_insert(tx, &op->token, op->secret_hash);
  if (rc != 0)
    return rc;
  lk_token_json(&payload, &op->token);
  return token_changed(tx, op->actor, "token.created", op->token.id, &payload);
}

int lk_token_revoke_prepare(lk_token_revoke_op *op, const char *actor,
                            const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (strlen(id) != LK_TOKEN_ID_LEN || strncmp(id, "tok_", 4) != 0) {
    why->field = "id";
    why->reason = "is not a token id";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  memcpy(op->id, id, LK_TOKEN_ID_LEN + 1);
  return 0;
}

int lk_token_revoke_apply(lk_tx *tx, void *arg) {
  lk_token_revoke_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  int rc;

  rc = lk_store_token_revoke(tx, op->id, lk_tx_now(tx));
  if (rc != 0)
    return rc;
  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, op->id);
  lk_buf_printf(&payload, ",\"revokedAt\":%lld}", (long long)lk_tx_now(tx));
  return token_changed(tx, op->actor, "token.revoked", op->id, &payload);
}

int lk_token_digest(const char *secret, char hash[65]) {
  if (strncmp(secret, "lkt_", 4) != 0 || strlen(secret) >= LK_TOKEN_SECRET_MAX)
    return -1;
  lk_secret_hash(secret, hash);
  return 0;
}

int lk_token_verify(lk_store *s, const char *secret, lk_token_row *out) {
  char hash[65];

  if (lk_token_digest(secret, hash) != 0)
    return LK_STORE_NOTFOUND;
  return lk_store_token_by_hash(s, hash, out);
}
