/* calamity.c - the calamity mode's prepare/apply. */
#include "core/calamity.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"

int lk_calamity_prepare(lk_calamity_op *op, const char *actor,
                        const char *notice_id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  if (notice_id == NULL)
    return 0;
  if (!lk_uuid_valid(notice_id)) {
    why->field = "noticeId";
    why->reason = "must be the id of a notice";
    return LK_EINVALID;
  }
  snprintf(op->notice_id, sizeof(op->notice_id), "%s", notice_id);
  return 0;
}

int lk_calamity_apply(lk_tx *tx, void *arg) {
  lk_calamity_op *op = arg;
  const char *id = op->notice_id[0] != '\0' ? op->notice_id : NULL;
  char payload[128];
  int rc;

  if (id != NULL) {
    rc = lk_store_calamity_eligible(tx, id);
    if (rc == LK_STORE_NOTFOUND)
      return LK_CALAMITY_ENOTICE;
    if (rc != 0)
      return rc;
    snprintf(payload, sizeof(payload), "{\"noticeId\":\"%s\"}", id);
  } else {
    snprintf(payload, sizeof(payload), "{\"noticeId\":null}");
  }
  rc = lk_store_calamity_set(tx, id, op->actor, lk_tx_now(tx));
  if (rc == 0)
    rc = lk_store_audit(tx, op->actor, id ? "calamity.on" : "calamity.off",
                        id ? id : "calamity", payload);
  if (rc == 0)
    rc = lk_tx_emit(tx, "calamity.changed", id ? id : "calamity", payload);
  return rc;
}
