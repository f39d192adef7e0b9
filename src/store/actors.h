/* actors.h - the SQL of actoren: staff (medewerker), teams
 * (organisatorische_eenheid) and systems (geautomatiseerde_actor).
 * Returns as in parties.h. */
#ifndef LK_STORE_ACTORS_H
#define LK_STORE_ACTORS_H

#include <stdint.h>

#include "store/parties.h" /* LK_ID */
#include "store/store.h"

typedef struct lk_actor_row {
  char id[LK_ID];
  char kind[32];
  char name[804];
  int active;
  char identificator[4096];  /* actoridentificator, JSON ("{}" for none) */
  char identification[4096]; /* actorIdentificatie, JSON ("{}" for none) */
  char user_id[24];          /* read only: the staff account, or "" */
  int64_t created_at;
  int64_t updated_at;
} lk_actor_row;

int lk_store_actor_get(lk_store *s, const char *id, lk_actor_row *out);
int lk_store_actor_get_tx(lk_tx *tx, const char *id, lk_actor_row *out);
int lk_store_actor_insert(lk_tx *tx, const lk_actor_row *a);
/* Updates kind, name, active, identificator and identification. */
int lk_store_actor_update(lk_tx *tx, const lk_actor_row *a);
/* LK_STORE_CONFLICT while a staff account, a team, a conversation, a
 * contact or a task refers to it. */
int lk_store_actor_delete(lk_tx *tx, const char *id);
/* Filters: actoridentificator codeObjecttype, codeRegister,
 * codeSoortObjectId, objectId; indicatieActief ("1"/"0"); naam (part of
 * the name); soortActor. */
int lk_store_actor_page(lk_store *s, const char *const *f, int64_t offset,
                        int limit, char (*ids)[LK_ID], int *n, int64_t *count);

#endif
