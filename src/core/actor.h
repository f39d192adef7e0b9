/* actor.h - writes of actoren through the Klantinteracties API.  The
 * prepare half lives in src/api/ki/actoren.c (it is member parsing); this
 * is the apply half: the row, the audit entry and the event (agent.updated
 * for a medewerker, team.updated for an organisatorische eenheid). */
#ifndef LK_CORE_ACTOR_H
#define LK_CORE_ACTOR_H

#include "core/change.h"
#include "core/party.h" /* enum lk_party_mode */
#include "store/actors.h"

typedef struct lk_actor_op {
  lk_change h; /* first */
  enum lk_party_mode mode;
  lk_actor_row row;
} lk_actor_op;

/* lk_write_fn for an lk_actor_op.  A delete of an actor still in use
 * fails with LK_STORE_CONFLICT. */
int lk_actor_apply(lk_tx *tx, void *arg);

#endif
