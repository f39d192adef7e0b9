/* console.c - read marks and viewers of the agent console (console.h). */
#include "core/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* ---- read marks ----------------------------------------------------- */

int lk_read_prepare(lk_read_op *op, const char *reader, const char *conv_id,
                    bool may_confidential, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (conv_id == NULL || !lk_uuid_valid(conv_id))
    return invalid(why, "id", "names no conversation");
  snprintf(op->reader, sizeof(op->reader), "%s", reader);
  snprintf(op->conversation_id, sizeof(op->conversation_id), "%s", conv_id);
  op->may_confidential = may_confidential;
  return 0;
}

int lk_read_apply(lk_tx *tx, void *arg) {
  lk_read_op *op = arg;
  lk_conv_row c;
  int rc =
      lk_store_conv_lock(tx, op->conversation_id, op->may_confidential, &c);

  /* No event and no audit: a mark is the reader's own bookkeeping, not
   * a change to the conversation or to resident data. */
  if (rc == 0)
    rc = lk_store_read_mark(tx, op->reader, op->conversation_id, &op->read_seq);
  return rc;
}

/* ---- viewers -------------------------------------------------------- */

int lk_viewer_prepare(lk_viewer_op *op, const char *conv_id,
                      const char *user_id, const char *actor_id,
                      const char *state, bool may_confidential,
                      lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (conv_id == NULL || !lk_uuid_valid(conv_id))
    return invalid(why, "id", "names no conversation");
  if (state != NULL && strcmp(state, "viewing") != 0 &&
      strcmp(state, "typing") != 0)
    return invalid(why, "/state", "must be viewing or typing");
  snprintf(op->v.conversation_id, sizeof(op->v.conversation_id), "%s", conv_id);
  snprintf(op->v.user_id, sizeof(op->v.user_id), "%s", user_id);
  snprintf(op->v.actor_id, sizeof(op->v.actor_id), "%s",
           actor_id != NULL ? actor_id : "");
  if (state != NULL)
    snprintf(op->v.state, sizeof(op->v.state), "%s", state);
  op->leave = state == NULL;
  op->may_confidential = may_confidential;
  return 0;
}

void lk_viewer_event_json(lk_buf *b, const lk_viewer_row *v, const char *state,
                          const char *reason) {
  lk_buf_puts(b, "{\"conversationId\":");
  lk_buf_json_str(b, v->conversation_id);
  lk_buf_puts(b, ",\"userId\":");
  lk_buf_json_str(b, v->user_id);
  lk_buf_puts(b, ",\"actorId\":");
  if (v->actor_id[0] != '\0')
    lk_buf_json_str(b, v->actor_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"state\":");
  lk_buf_json_str(b, state);
  if (strcmp(state, "left") == 0)
    lk_buf_puts(b, ",\"expiresAt\":null");
  else
    lk_buf_printf(b, ",\"expiresAt\":%lld", (long long)v->expires_at);
  if (reason != NULL) {
    lk_buf_puts(b, ",\"reason\":");
    lk_buf_json_str(b, reason);
  }
  /* The event stream withholds events saying so from callers who may
   * not see confidential conversations (api/events.c). */
  lk_buf_puts(b, v->confidential ? ",\"confidential\":true}" : "}");
}

static int emit(lk_tx *tx, const lk_viewer_row *v, const char *state,
                const char *reason) {
  lk_buf b = LK_BUF_INIT;
  int rc;

  lk_viewer_event_json(&b, v, state, reason);
  rc = lk_buf_ok(&b)
           ? lk_tx_emit(tx, "console.viewing", v->conversation_id, b.data)
           : LK_STORE_NOMEM;
  lk_buf_free(&b);
  return rc;
}

static int viewer_leave(lk_tx *tx, lk_viewer_op *op) {
  lk_viewer_row old;
  bool deleted = false;
  int rc =
      lk_store_viewer_get_tx(tx, op->v.conversation_id, op->v.user_id, &old);

  if (rc == LK_STORE_NOTFOUND)
    return 0;
  if (rc == 0)
    rc = lk_store_viewer_delete(tx, op->v.conversation_id, op->v.user_id,
                                &deleted);
  /* An entry that had expired was already gone for everyone (clients drop
   * it at expiresAt); the sweep would have said so, and now this does. */
  if (rc == 0 && deleted) {
    op->changed = true;
    rc = emit(tx, &old, "left", NULL);
  }
  return rc;
}

int lk_viewer_apply(lk_tx *tx, void *arg) {
  lk_viewer_op *op = arg;
  int64_t now = lk_tx_now(tx);
  lk_viewer_row old;
  lk_conv_row c;
  int rc;

  rc = lk_store_conv_lock(tx, op->v.conversation_id, op->may_confidential, &c);
  if (rc != 0)
    return rc;
  if (op->leave)
    return viewer_leave(tx, op);
  op->v.confidential = c.confidential;
  op->v.expires_at = now + LK_VIEWER_TTL_MS;
  rc = lk_store_viewer_get_tx(tx, op->v.conversation_id, op->v.user_id, &old);
  if (rc != 0 && rc != LK_STORE_NOTFOUND)
    return rc;
  /* An expired row not yet swept counts as gone: viewing again is news. */
  if (rc == 0 && old.expires_at > now) {
    op->v.since = old.since;
    op->changed = strcmp(old.state, op->v.state) != 0;
  } else {
    op->v.since = now;
    op->changed = true;
  }
  rc = lk_store_viewer_put(tx, &op->v);
  if (rc == 0 && op->changed)
    rc = emit(tx, &op->v, op->v.state, NULL);
  return rc;
}

struct sweep_ctx {
  lk_viewer_row rows[LK_VIEWER_SWEEP_BATCH];
  int n;
};

static void sweep_row(const lk_viewer_row *v, void *ud) {
  struct sweep_ctx *c = ud;

  if (c->n < LK_VIEWER_SWEEP_BATCH)
    c->rows[c->n++] = *v;
}

int lk_viewers_sweep_apply(lk_tx *tx, void *arg) {
  struct sweep_ctx *c = malloc(sizeof(*c));
  int64_t now = lk_tx_now(tx);
  bool deleted;
  int rc;

  (void)arg;
  if (c == NULL)
    return LK_STORE_NOMEM;
  c->n = 0;
  rc = lk_store_viewers_expired(tx, now, LK_VIEWER_SWEEP_BATCH, sweep_row, c);
  for (int i = 0; rc >= 0 && i < c->n; i++) {
    /* Conditional: another process may have swept it, or a heartbeat
     * renewed it, since the rows were read. */
    rc = lk_store_viewer_delete_expired(tx, c->rows[i].conversation_id,
                                        c->rows[i].user_id, now, &deleted);
    if (rc == 0 && deleted)
      rc = emit(tx, &c->rows[i], "left", "expired");
  }
  free(c);
  return rc < 0 ? rc : 0;
}

void lk_viewer_json(lk_buf *b, const lk_viewer_row *v) {
  lk_buf_puts(b, "{\"conversationId\":");
  lk_buf_json_str(b, v->conversation_id);
  lk_buf_puts(b, ",\"userId\":");
  lk_buf_json_str(b, v->user_id);
  lk_buf_puts(b, ",\"actorId\":");
  if (v->actor_id[0] != '\0')
    lk_buf_json_str(b, v->actor_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, v->name);
  lk_buf_puts(b, ",\"state\":");
  lk_buf_json_str(b, v->state);
  lk_buf_printf(b, ",\"since\":%lld,\"expiresAt\":%lld}", (long long)v->since,
                (long long)v->expires_at);
}

void lk_console_count_json(lk_buf *b, const lk_console_count *c, bool present) {
  if (!present) {
    lk_buf_puts(b, "null");
    return;
  }
  lk_buf_printf(b, "{\"open\":%lld,\"unread\":%lld,\"more\":%s}",
                (long long)c->open, (long long)c->unread,
                c->more ? "true" : "false");
}
