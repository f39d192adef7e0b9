/* moderation.c - reports, hiding and blocking (see moderation.h). */
#include "core/moderation.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "store/proclog.h"

static const char *const types[] = {
    "initiative", "update", "listing", "help_need", "message", "account", NULL};

/* lk_text_ok() that takes NULL (a field not given) as not ok. */
static bool text_ok(const char *s, size_t max, bool multiline) {
  return s != NULL && lk_text_ok(s, max, multiline);
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

static bool id_ok(const char *s) {
  size_t n = s != NULL ? strlen(s) : 0;

  return n > 0 && n <= LK_MX_ID_MAX &&
         strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-_") == n;
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

bool lk_mod_type_ok(const char *type) {
  for (int i = 0; type != NULL && types[i] != NULL; i++)
    if (strcmp(type, types[i]) == 0)
      return true;
  return false;
}

int lk_mod_report_prepare(lk_mod_report_op *op, const char *reporter,
                          const char *type, const char *id, const char *reason,
                          const char *request_id, lk_invalid *why) {
  lk_mx_report_row *r = &op->r;

  memset(op, 0, sizeof(*op));
  if (!id_ok(reporter))
    return invalid(why, "reporter", "is not an account");
  if (!lk_mod_type_ok(type))
    return invalid(why, "type",
                   "must be initiative, update, listing, "
                   "help_need, message or account");
  if (!id_ok(id))
    return invalid(why, "id", "is not an id");
  if (!text_ok(reason, LK_MX_REASON_MAX, true))
    return invalid(why, "reason", "must be 1 to 1000 bytes of text");
  copy(r->reporter_id, sizeof(r->reporter_id), reporter);
  copy(r->target_type, sizeof(r->target_type), type);
  copy(r->target_id, sizeof(r->target_id), id);
  copy(r->reason, sizeof(r->reason), reason);
  copy(r->state, sizeof(r->state), "open");
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

int lk_mod_report_apply(lk_tx *tx, void *arg) {
  lk_mod_report_op *op = arg;
  lk_mx_account a;
  char payload[200], actor[LK_MX_ACTOR_MAX], resource[80];
  int rc = lk_store_mx_account(tx, op->r.reporter_id, &a);

  if (rc == 0 && a.blocked)
    rc = LK_MX_BLOCKED;
  if (rc == 0)
    rc = lk_store_mx_target_exists(tx, op->r.target_type, op->r.target_id);
  if (rc != 0)
    return rc;
  op->r.created_at = lk_tx_now(tx);
  lk_uuid_new(op->r.id, op->r.created_at);
  rc = lk_store_mx_report_insert(tx, &op->r);
  snprintf(payload, sizeof(payload),
           "{\"report\":\"%s\",\"type\":\"%s\",\"target\":\"%s\"}", op->r.id,
           op->r.target_type, op->r.target_id);
  if (rc == 0)
    rc = lk_tx_emit(tx, "report.created", op->r.id, payload);
  snprintf(actor, sizeof(actor), "p:%s", op->r.reporter_id);
  snprintf(resource, sizeof(resource), "report:%s", op->r.id);
  if (rc == 0) {
    lk_proclog_entry e = {actor,    NULL, "create",      "participatie",
                          resource, NULL, op->request_id};

    rc = lk_store_proclog_insert(tx, &e);
  }
  return rc;
}

static bool action_is(const lk_mod_action_op *op, const char *a) {
  return strcmp(op->action, a) == 0;
}

int lk_mod_action_prepare(lk_mod_action_op *op, const char *actor,
                          const char *action, const char *type, const char *id,
                          const char *reason, lk_invalid *why) {
  static const char *const actions[] = {"hide",  "restore", "dismiss",
                                        "block", "unblock", NULL};
  bool known = false;

  memset(op, 0, sizeof(*op));
  for (int i = 0; action != NULL && actions[i] != NULL; i++)
    known = known || strcmp(action, actions[i]) == 0;
  if (!known)
    return invalid(why, "action", "is not a moderation action");
  copy(op->action, sizeof(op->action), action);
  if (action_is(op, "hide") || action_is(op, "restore")) {
    if (!lk_mod_type_ok(type) || strcmp(type, "account") == 0)
      return invalid(why, "type",
                     "must be initiative, update, listing, "
                     "help_need or message");
    copy(op->type, sizeof(op->type), type);
  }
  if (!id_ok(id))
    return invalid(why, "id", "is not an id");
  if (action_is(op, "hide") || action_is(op, "block")) {
    if (!text_ok(reason, LK_MX_REASON_MAX, true))
      return invalid(why, "reason", "must be 1 to 1000 bytes of text");
    copy(op->reason, sizeof(op->reason), reason);
  }
  copy(op->actor, sizeof(op->actor), actor);
  copy(op->id, sizeof(op->id), id);
  return 0;
}

static int hide_or_restore(lk_tx *tx, lk_mod_action_op *op) {
  bool hide = action_is(op, "hide");
  int rc = lk_store_mx_hide(tx, op->type, op->id, hide ? op->reason : NULL,
                            op->author);

  if (rc != 0)
    return rc;
  /* Hiding answers the open reports on it; a restore leaves reports as
   * they were (they were resolved by the hide). */
  if (hide) {
    rc = lk_store_mx_reports_resolve(tx, op->type, op->id, NULL, "actioned",
                                     op->actor);
    if (rc >= 0)
      op->resolved = rc;
  }
  return rc < 0 ? rc : 0;
}

int lk_mod_action_apply(lk_tx *tx, void *arg) {
  lk_mod_action_op *op = arg;
  char payload[256], subject[64];
  const char *event;
  int rc;

  if (action_is(op, "hide") || action_is(op, "restore")) {
    rc = hide_or_restore(tx, op);
    event = action_is(op, "hide") ? "moderation.hidden" : "moderation.restored";
    snprintf(subject, sizeof(subject), "%s:%s", op->type, op->id);
  } else if (action_is(op, "dismiss")) {
    lk_mx_report_row r;

    rc = lk_store_mx_report_get(NULL, tx, op->id, &r);
    if (rc == 0 && strcmp(r.state, "open") != 0)
      rc = LK_STORE_CONFLICT;
    if (rc == 0)
      rc = lk_store_mx_reports_resolve(tx, NULL, NULL, op->id, "dismissed",
                                       op->actor);
    if (rc > 0)
      op->resolved = rc;
    rc = rc < 0 ? rc : 0;
    event = "report.dismissed";
    snprintf(subject, sizeof(subject), "report:%s", op->id);
  } else if (action_is(op, "block")) {
    rc = lk_store_mx_account(tx, op->id, &(lk_mx_account){0});
    if (rc == 0)
      rc = lk_store_mx_block(tx, op->id, op->reason, op->actor);
    if (rc == 0) {
      rc = lk_store_mx_reports_resolve(tx, "account", op->id, NULL, "actioned",
                                       op->actor);
      if (rc >= 0)
        op->resolved = rc;
      rc = rc < 0 ? rc : 0;
    }
    event = "account.blocked";
    snprintf(subject, sizeof(subject), "account:%s", op->id);
  } else {
    rc = lk_store_mx_unblock(tx, op->id);
    event = "account.unblocked";
    snprintf(subject, sizeof(subject), "account:%s", op->id);
  }
  if (rc != 0)
    return rc;
  snprintf(payload, sizeof(payload),
           "{\"action\":\"%s\",\"type\":\"%s\",\"id\":\"%s\","
           "\"reportsResolved\":%d}",
           op->action, op->type[0] != '\0' ? op->type : "account", op->id,
           op->resolved);
  rc = lk_tx_emit(tx, event, subject, payload);
  /* The reason is staff's text about a resident's content: in the audit
   * row (staff only), never in the event. */
  if (rc == 0) {
    lk_buf d = LK_BUF_INIT;

    lk_buf_printf(&d, "{\"resolved\":%d,\"reason\":", op->resolved);
    lk_buf_json_str(&d, op->reason);
    lk_buf_putc(&d, '}');
    rc = lk_buf_ok(&d)
             ? lk_store_audit(tx, op->actor, op->action, subject, d.data)
             : LK_STORE_NOMEM;
    lk_buf_free(&d);
  }
  return rc;
}

void lk_mod_report_json(lk_buf *b, const lk_mx_report_row *r) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"reporter\":");
  lk_buf_json_str(b, r->reporter_id);
  lk_buf_puts(b, ",\"type\":");
  lk_buf_json_str(b, r->target_type);
  lk_buf_puts(b, ",\"target\":");
  lk_buf_json_str(b, r->target_id);
  lk_buf_puts(b, ",\"reason\":");
  lk_buf_json_str(b, r->reason);
  lk_buf_puts(b, ",\"state\":");
  lk_buf_json_str(b, r->state);
  lk_buf_json_ms(b, "createdAt", r->created_at);
  lk_buf_json_ms(b, "resolvedAt", r->resolved_at);
  lk_buf_puts(b, ",\"resolvedBy\":");
  if (r->resolved_by[0] != '\0')
    lk_buf_json_str(b, r->resolved_by);
  else
    lk_buf_puts(b, "null");
  lk_buf_putc(b, '}');
}
