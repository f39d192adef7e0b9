/* teams.h - agents (actors of kind medewerker linked to a staff account) and
 * teams (actors of kind organisatorische_eenheid) with their members.
 *
 * The functions taking an lk_tx run inside a write; those taking an
 * lk_store read through the pool.  All return 0 or a negative LK_STORE_*
 * code; out parameters are filled only on success.
 */
#ifndef LK_STORE_TEAMS_H
#define LK_STORE_TEAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_ACTOR_ID_LEN 36 /* a UUID */
#define LK_ACTOR_NAME_MAX 200
#define LK_PRESENCE_MAX 9 /* "available" */

typedef struct lk_agent_row {
  char id[LK_ACTOR_ID_LEN + 1];
  char name[LK_ACTOR_NAME_MAX + 1];
  char user_id[LK_USER_ID_LEN + 1];
  char presence[LK_PRESENCE_MAX + 1];
  int capacity;
  bool active;
  int load; /* open or pending conversations assigned to the agent */
  int64_t last_offered_at;
  int64_t created_at;
  int64_t updated_at;
} lk_agent_row;

typedef struct lk_team_row {
  char id[LK_ACTOR_ID_LEN + 1];
  char name[LK_ACTOR_NAME_MAX + 1];
  bool active;
  int members;
  int64_t created_at;
  int64_t updated_at;
} lk_team_row;

/* ---- inside a write ------------------------------------------------- */

/* The display name of an enabled staff account in `name` (its e-mail
 * address when it has none).  LK_STORE_NOTFOUND if unknown or disabled. */
int lk_store_staff_user_name(lk_tx *tx, const char *user_id, char *name,
                             size_t size);
/* LK_STORE_CONFLICT if the staff account already has an actor. */
int lk_store_agent_insert(lk_tx *tx, const lk_agent_row *a);
/* Writes name, presence, capacity, active and updated_at of `a`. */
int lk_store_agent_update(lk_tx *tx, const lk_agent_row *a);
int lk_store_agent_get_tx(lk_tx *tx, const char *id, lk_agent_row *out);
int lk_store_team_insert(lk_tx *tx, const lk_team_row *t);
/* Writes name, active and updated_at of `t`. */
int lk_store_team_update(lk_tx *tx, const lk_team_row *t);
int lk_store_team_get_tx(lk_tx *tx, const char *id, lk_team_row *out);
/* Adds or removes a membership; *changed says whether it did anything. */
int lk_store_team_member_set(lk_tx *tx, const char *team_id,
                             const char *agent_id, bool member, bool *changed);

/* ---- reads ---------------------------------------------------------- */

int lk_store_agent_get(lk_store *s, const char *id, lk_agent_row *out);
typedef void (*lk_agent_fn)(const lk_agent_row *a, void *ud);
/* Agents ordered by id after `after_id` ("" for the start), at most
 * `limit`.  Returns the number listed. */
int lk_store_agent_list(lk_store *s, const char *after_id, int limit,
                        lk_agent_fn fn, void *ud);
/* The teams an agent belongs to (at most `limit`), ordered by name. */
int lk_store_agent_teams(lk_store *s, const char *agent_id, int limit,
                         void (*fn)(const lk_team_row *t, void *ud), void *ud);

int lk_store_team_get(lk_store *s, const char *id, lk_team_row *out);
typedef void (*lk_team_fn)(const lk_team_row *t, void *ud);
int lk_store_team_list(lk_store *s, const char *after_id, int limit,
                       lk_team_fn fn, void *ud);
/* A team's members ordered by name, at most `limit`. */
int lk_store_team_members(lk_store *s, const char *team_id, int limit,
                          lk_agent_fn fn, void *ud);

#endif
