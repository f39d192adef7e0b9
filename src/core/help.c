/* help.c - joining initiatives and signing up for help needs (see
 * help.h). */
#include "core/help.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "store/proclog.h"

#define MIN_TIME_MS 946684800000LL

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

static int proclog(lk_tx *tx, const char *account, const char *operation,
                   const char *what, const char *id, const char *request_id) {
  char resource[96], actor[LK_MX_ACTOR_MAX];
  lk_proclog_entry e = {actor,    NULL, operation, "participatie",
                        resource, NULL, request_id};

  snprintf(actor, sizeof(actor), "p:%s", account);
  snprintf(resource, sizeof(resource), "%s:%s", what, id);
  return lk_store_proclog_insert(tx, &e);
}

/* The account, refused when blocked. */
static int may_act(lk_tx *tx, const char *account) {
  lk_mx_account a;
  int rc = lk_store_mx_account(tx, account, &a);

  if (rc == 0 && a.blocked)
    rc = LK_MX_BLOCKED;
  return rc;
}

/* ---- doe mee --------------------------------------------------------------
 */

int lk_help_join_prepare(lk_help_join_op *op, const char *account,
                         const char *initiative, bool leave,
                         const char *request_id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!id_ok(account) || !id_ok(initiative))
    return invalid(why, "id", "is not an initiative id");
  copy(op->account, sizeof(op->account), account);
  copy(op->initiative, sizeof(op->initiative), initiative);
  copy(op->request_id, sizeof(op->request_id), request_id);
  op->leave = leave;
  return 0;
}

int lk_help_join_apply(lk_tx *tx, void *arg) {
  lk_help_join_op *op = arg;
  bool organiser = false, joinable = false;
  char payload[160];
  int rc;

  if (op->leave) {
    rc = lk_store_mx_leave(tx, op->initiative, op->account);
  } else {
    rc = may_act(tx, op->account);
    if (rc == 0)
      rc = lk_store_mx_initiative_check(tx, op->initiative, op->account,
                                        &organiser, &joinable);
    if (rc == 0 && !joinable)
      rc = LK_STORE_INVALID;
    if (rc == 0)
      rc = lk_store_mx_join(tx, op->initiative, op->account);
  }
  snprintf(payload, sizeof(payload), "{\"initiative\":\"%s\"}", op->initiative);
  if (rc == 0)
    rc = lk_tx_emit(tx,
                    op->leave ? "participation.left" : "participation.joined",
                    op->initiative, payload);
  if (rc == 0)
    rc = proclog(tx, op->account, op->leave ? "delete" : "create", "join",
                 op->initiative, op->request_id);
  return rc;
}

/* ---- help needs -----------------------------------------------------------
 */

int lk_help_need_prepare(lk_help_need_op *op, const char *account,
                         const char *initiative, const char *title,
                         const char *description, long long capacity,
                         int64_t starts_at, const char *request_id,
                         lk_invalid *why) {
  lk_mx_help_row *r = &op->r;

  memset(op, 0, sizeof(*op));
  if (!id_ok(account) || !id_ok(initiative))
    return invalid(why, "id", "is not an initiative id");
  if (!text_ok(title, LK_MX_TITLE_MAX, false))
    return invalid(why, "title", "must be 1 to 200 bytes of text on one line");
  if (description != NULL && description[0] != '\0' &&
      !text_ok(description, LK_MX_BODY_MAX, true))
    return invalid(why, "description", "must be at most 4000 bytes of text");
  if (capacity < 1 || capacity > 1000)
    return invalid(why, "capacity", "must be from 1 to 1000");
  if (starts_at != 0 && starts_at < MIN_TIME_MS)
    return invalid(why, "starts_at", "is not a time");
  copy(r->initiative_id, sizeof(r->initiative_id), initiative);
  copy(r->created_by, sizeof(r->created_by), account);
  copy(r->title, sizeof(r->title), title);
  copy(r->description, sizeof(r->description), description);
  r->capacity = (int)capacity;
  r->starts_at = starts_at;
  snprintf(op->actor, sizeof(op->actor), "p:%s", account);
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

int lk_help_need_apply(lk_tx *tx, void *arg) {
  lk_help_need_op *op = arg;
  bool organiser = false, joinable = false;
  char payload[200];
  int rc = may_act(tx, op->r.created_by);

  if (rc == 0)
    rc = lk_store_mx_initiative_check(tx, op->r.initiative_id, op->r.created_by,
                                      &organiser, &joinable);
  if (rc == 0 && !organiser)
    rc = LK_STORE_NOTFOUND; /* not theirs: as if unknown */
  if (rc != 0)
    return rc;
  op->r.created_at = lk_tx_now(tx);
  lk_uuid_new(op->r.id, op->r.created_at);
  rc = lk_store_mx_help_insert(tx, &op->r);
  snprintf(payload, sizeof(payload),
           "{\"need\":\"%s\",\"initiative\":\"%s\",\"capacity\":%d}", op->r.id,
           op->r.initiative_id, op->r.capacity);
  if (rc == 0)
    rc = lk_tx_emit(tx, "help_need.created", op->r.id, payload);
  if (rc == 0)
    rc = proclog(tx, op->r.created_by, "create", "help_need", op->r.id,
                 op->request_id);
  return rc;
}

int lk_help_signup_prepare(lk_help_signup_op *op, const char *account,
                           const char *need, bool withdraw,
                           const char *request_id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!id_ok(account) || !id_ok(need))
    return invalid(why, "id", "is not a help need id");
  copy(op->account, sizeof(op->account), account);
  copy(op->need, sizeof(op->need), need);
  copy(op->request_id, sizeof(op->request_id), request_id);
  op->withdraw = withdraw;
  return 0;
}

int lk_help_signup_apply(lk_tx *tx, void *arg) {
  lk_help_signup_op *op = arg;
  lk_mx_help_row r;
  char payload[200];
  int rc = lk_store_mx_help_get(NULL, tx, op->need, &r);

  if (rc == 0 && r.hidden_at != 0)
    rc = LK_STORE_NOTFOUND;
  if (rc != 0)
    return rc;
  if (op->withdraw) {
    rc = lk_store_mx_help_withdraw(tx, op->need, op->account);
  } else {
    rc = may_act(tx, op->account);
    if (rc == 0)
      rc = lk_store_mx_help_signup(tx, op->need, op->account);
    if (rc == LK_STORE_INVALID)
      rc = LK_MX_FULL;
  }
  if (rc != 0)
    return rc;
  rc = lk_store_mx_help_get(NULL, tx, op->need, &r);
  if (rc != 0)
    return rc;
  op->taken = r.taken;
  op->capacity = r.capacity;
  snprintf(payload, sizeof(payload),
           "{\"need\":\"%s\",\"initiative\":\"%s\",\"taken\":%d,"
           "\"capacity\":%d}",
           r.id, r.initiative_id, r.taken, r.capacity);
  rc = lk_tx_emit(tx,
                  op->withdraw ? "help_need.withdrawn" : "help_need.signed_up",
                  r.id, payload);
  if (rc == 0)
    rc = proclog(tx, op->account, op->withdraw ? "delete" : "create",
                 "help_signup", r.id, op->request_id);
  return rc;
}

void lk_help_need_json(lk_buf *b, const lk_mx_help_row *r) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"initiative\":");
  lk_buf_json_str(b, r->initiative_id);
  lk_buf_puts(b, ",\"title\":");
  lk_buf_json_str(b, r->title);
  lk_buf_puts(b, ",\"description\":");
  lk_buf_json_str(b, r->description);
  lk_buf_json_ms(b, "startsAt", r->starts_at);
  lk_buf_printf(b, ",\"capacity\":%d,\"taken\":%d", r->capacity, r->taken);
  lk_buf_json_ms(b, "createdAt", r->created_at);
  lk_buf_json_ms(b, "hiddenAt", r->hidden_at);
  lk_buf_putc(b, '}');
}
