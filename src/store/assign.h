/* assign.h - the rows behind assignment: a conversation's assignment
 * state, the queue, the agents that can take work, snoozed conversations.
 *
 * Everything here runs inside a write (the assigner's pass and every
 * assignment are writes), so what it reads cannot change under it.
 * Functions return 0 or a negative LK_STORE_* code; out parameters are
 * filled only on success.
 */
#ifndef LK_STORE_ASSIGN_H
#define LK_STORE_ASSIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "store/teams.h"

typedef struct lk_conv_state {
  char id[LK_ACTOR_ID_LEN + 1];
  char party_id[LK_ACTOR_ID_LEN + 1];    /* "" if none */
  char team_id[LK_ACTOR_ID_LEN + 1];     /* "" if none */
  char assignee_id[LK_ACTOR_ID_LEN + 1]; /* "" if none */
  char status[12];
  bool confidential;
  int64_t version;
  int64_t waiting_since; /* 0 if not queued */
} lk_conv_state;

int lk_store_conv_state(lk_tx *tx, const char *id, lk_conv_state *out);

/* Sets the assignee (NULL unassigns) and, when `team_id` is not NULL, the
 * team.  Assigning takes the conversation out of the queue (waiting_since
 * NULL); unassigning an open one puts it back (waiting_since kept, or now).
 * Bumps the version, returned in *version.  With `if_unassigned` only an
 * unassigned conversation changes, with `expect_version` > 0 only one at
 * that version; otherwise LK_STORE_CONFLICT. */
int lk_store_conv_assign(lk_tx *tx, const char *id, const char *assignee_id,
                         const char *team_id, bool if_unassigned,
                         int64_t expect_version, int64_t now, int64_t *version);

/* The kind of actor `id` is ("medewerker" ...) and its name. */
int lk_store_actor_kind(lk_tx *tx, const char *id, char kind[32], char *name,
                        size_t name_size);

/* Whether agent `id` may be given confidential conversations: only when
 * its staff account is a supervisor's or an admin's (never an agent-role
 * account, never an actor without one). */
int lk_store_agent_confidential(lk_tx *tx, const char *id, bool *out);

/* ---- the round-robin pass ------------------------------------------- */

/* An agent who may be offered work now: active, available, with an
 * enabled staff account (load and capacity are compared by the caller). */
typedef struct lk_pool_agent {
  char id[LK_ACTOR_ID_LEN + 1];
  int64_t seq;
  int capacity;
  int load; /* open or pending conversations assigned */
  int64_t last_offered_at;
  bool confidential; /* may be offered confidential conversations */
} lk_pool_agent;

int lk_store_pool_agents(lk_tx *tx,
                         void (*fn)(const lk_pool_agent *a, void *ud),
                         void *ud);
/* The team memberships of the agents lk_store_pool_agents() lists. */
int lk_store_pool_memberships(lk_tx *tx,
                              void (*fn)(const char *team_id,
                                         const char *agent_id, void *ud),
                              void *ud);

typedef struct lk_queue_item {
  char id[LK_ACTOR_ID_LEN + 1];
  int64_t waiting_since;
  int64_t seq;
  bool confidential;
} lk_queue_item;

/* The oldest queued conversation of `team_id` (NULL: of no team), passing
 * over confidential ones unless `confidential`.  LK_STORE_NOTFOUND if
 * that queue has none. */
int lk_store_queue_head(lk_tx *tx, const char *team_id, bool confidential,
                        lk_queue_item *out);
/* The latest last_offered_at of any agent (0 if none). */
int lk_store_offer_clock(lk_tx *tx, int64_t *out);
int lk_store_agent_offered(lk_tx *tx, const char *agent_id, int64_t at);

/* Up to `limit` snoozed conversations due at `now`, the earliest first. */
int lk_store_snoozed_due(lk_tx *tx, int64_t now, int limit,
                         void (*fn)(const char *id, void *ud), void *ud);
/* Opens a snoozed conversation again (an unassigned one joins the queue
 * as of `now`) and returns its new state.  LK_STORE_NOTFOUND if it is not
 * snoozed. */
int lk_store_conv_wake(lk_tx *tx, const char *id, int64_t now,
                       lk_conv_state *out);

#endif
