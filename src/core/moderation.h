/* moderation.h - reports by residents, hiding and blocking by staff
 * (docs/matching.md, "Moderation").
 *
 * Anyone logged in reports an initiative, an update, an offer or need, a
 * help need, a message or an account, with a reason; once per reporter
 * and target.  Staff work the open reports: hide the content with a
 * reason (the author still sees it, with that reason; everyone else no
 * longer does, in pages, lists, exports and counts), restore it, dismiss
 * a report, block or unblock an account.  Every staff action writes an
 * audit row and an event and resolves the open reports it answers.
 */
#ifndef LK_CORE_MODERATION_H
#define LK_CORE_MODERATION_H

#include <stdbool.h>

#include "core/matching.h"

/* True if `type` is a target type a report may name. */
bool lk_mod_type_ok(const char *type);

typedef struct lk_mod_report_op {
  char request_id[48];
  lk_mx_report_row r;
} lk_mod_report_op;

/* Validates `type` ("type"), `id` ("id") and `reason` ("reason",
 * 1..1000).  Returns 0 or LK_EINVALID. */
int lk_mod_report_prepare(lk_mod_report_op *op, const char *reporter,
                          const char *type, const char *id, const char *reason,
                          const char *request_id, lk_invalid *why);
/* lk_write_fn: LK_STORE_NOTFOUND for a target that does not exist,
 * LK_STORE_CONFLICT when reported already by this reporter,
 * LK_MX_BLOCKED. */
int lk_mod_report_apply(lk_tx *tx, void *arg);

typedef struct lk_mod_action_op {
  char actor[LK_MX_ACTOR_MAX]; /* staff member or token */
  char action[12];             /* hide restore dismiss block unblock */
  char type[16];               /* target type (hide, restore) */
  char id[LK_MX_ID_MAX + 1];   /* target, report (dismiss), account */
  char reason[LK_MX_REASON_MAX + 1];
  char author[LK_MX_ID_MAX + 1]; /* after hide/restore: whose it is */
  int resolved;                  /* reports resolved */
} lk_mod_action_op;

/* `action` with its target: hide (type, id, reason), restore (type, id),
 * dismiss (id of a report), block (id of an account, reason), unblock
 * (id).  Returns 0 or LK_EINVALID. */
int lk_mod_action_prepare(lk_mod_action_op *op, const char *actor,
                          const char *action, const char *type, const char *id,
                          const char *reason, lk_invalid *why);
/* lk_write_fn: LK_STORE_NOTFOUND for an unknown target or report (or an
 * account that is not blocked, for unblock), LK_STORE_CONFLICT when it
 * is so already (hidden, visible, blocked, a report resolved). */
int lk_mod_action_apply(lk_tx *tx, void *arg);

/* A report as a JSON object. */
void lk_mod_report_json(lk_buf *b, const lk_mx_report_row *r);

#endif
