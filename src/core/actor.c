/* actor.c - writes of actoren (actor.h). */
#include "core/actor.h"

#include <string.h>

int lk_actor_apply(lk_tx *tx, void *arg) {
  lk_actor_op *op = arg;
  lk_actor_row *a = &op->row;
  lk_actor_row cur;
  const char *event = NULL;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (op->mode != LK_PARTY_CREATE) {
    rc = lk_store_actor_get_tx(tx, a->id, &cur);
    if (rc != 0)
      return rc;
  }
  a->updated_at = lk_tx_now(tx);
  if (op->mode == LK_PARTY_DELETE) {
    memcpy(a->kind, cur.kind, sizeof(a->kind));
    rc = lk_store_actor_delete(tx, a->id);
    if (rc == LK_STORE_CONFLICT)
      return lk_change_fail(&op->h, rc, "uuid", "protected",
                            "Deze actor is nog in gebruik (account, team, "
                            "gesprek, klantcontact of taak).");
  } else if (op->mode == LK_PARTY_CREATE) {
    a->created_at = a->updated_at;
    rc = lk_store_actor_insert(tx, a);
  } else {
    a->created_at = cur.created_at;
    rc = lk_store_actor_update(tx, a);
  }
  if (rc != 0)
    return rc;
  lk_buf_puts(&b, "{\"id\":");
  lk_buf_json_str(&b, a->id);
  lk_buf_puts(&b, ",\"kind\":");
  lk_buf_json_str(&b, a->kind);
  lk_buf_printf(&b, ",\"operation\":\"%s\"}",
                op->mode == LK_PARTY_CREATE   ? "create"
                : op->mode == LK_PARTY_UPDATE ? "update"
                                              : "delete");
  if (!lk_buf_ok(&b))
    return LK_STORE_NOMEM;
  if (strcmp(a->kind, "medewerker") == 0)
    event = "agent.updated";
  else if (strcmp(a->kind, "organisatorische_eenheid") == 0)
    event = "team.updated";
  rc = event != NULL ? lk_tx_emit(tx, event, a->id, b.data) : 0;
  if (rc == 0)
    rc = lk_store_audit(tx, op->h.actor, "actoren", a->id, b.data);
  lk_buf_free(&b);
  return rc;
}
