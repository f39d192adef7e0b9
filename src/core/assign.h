/* assign.h - agents, teams, and who works on which conversation.
 *
 * Agents and teams are actors (medewerker, organisatorische_eenheid); an
 * agent is a staff account's actor with a presence (available, busy, away,
 * offline) and a capacity (open conversations it takes automatically).
 *
 * A conversation is assigned by hand (lk_assign_*: to someone, to nobody,
 * or claimed by the caller) or by the assigner: a bus listener that runs
 * a round-robin pass whenever something may have freed an agent or queued
 * a conversation, and once a second from the server's tick.  The pass is
 * an ordinary write, so it runs in the writer's transaction, serialised
 * with every claim: a conversation is never given to two agents.  See
 * docs/assignment.md for the rules.
 *
 * Writes come as *_prepare (validates, no I/O) and an lk_write_fn
 * (*_apply).  Apply functions return 0, LK_STORE_NOTFOUND for an id that
 * names nothing the caller may see, LK_STORE_CONFLICT as documented, or
 * another LK_STORE_* code.
 */
#ifndef LK_CORE_ASSIGN_H
#define LK_CORE_ASSIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h"
#include "events/bus.h"
#include "store/assign.h"
#include "store/teams.h"
#include "util/buf.h"

#define LK_CAPACITY_MAX 100
#define LK_AGENT_TEAMS_MAX 32 /* teams named when an agent is created */
#define LK_ACTOR_STR 48       /* "token:tok_..." / "user:usr_..." */

bool lk_presence_valid(const char *presence);

/* ---- agents --------------------------------------------------------- */

typedef struct lk_agent_create_op {
  char actor[LK_ACTOR_STR];
  lk_agent_row agent;
  bool name_given;
  int nteams;
  char teams[LK_AGENT_TEAMS_MAX][LK_ACTOR_ID_LEN + 1];
} lk_agent_create_op;

/* `name` NULL: the staff account's name; `capacity` < 0: the default (5).
 * LK_EINVALID with `why` for bad input. */
int lk_agent_create_prepare(lk_agent_create_op *op, const char *actor,
                            const char *user_id, const char *name, int capacity,
                            const char *const *team_ids, int nteams,
                            lk_invalid *why);
/* NOTFOUND: unknown or disabled account, unknown team; CONFLICT: the
 * account is an agent already.  Fills op->agent. */
int lk_agent_create_apply(lk_tx *tx, void *arg);

typedef struct lk_agent_update_op {
  char actor[LK_ACTOR_STR];
  char id[LK_ACTOR_ID_LEN + 1];
  char name[LK_ACTOR_NAME_MAX + 1];   /* "" unchanged */
  char presence[LK_PRESENCE_MAX + 1]; /* "" unchanged */
  int capacity;                       /* < 0 unchanged */
  int active;                         /* < 0 unchanged, else 0 or 1 */
  lk_agent_row agent;                 /* the result */
} lk_agent_update_op;

/* Fills an op that changes nothing yet; set the fields with the setters
 * below (each validates).  LK_EINVALID if `id` is no actor id. */
int lk_agent_update_prepare(lk_agent_update_op *op, const char *actor,
                            const char *id, lk_invalid *why);
int lk_agent_set_name(lk_agent_update_op *op, const char *name,
                      lk_invalid *why);
int lk_agent_set_presence(lk_agent_update_op *op, const char *presence,
                          lk_invalid *why);
int lk_agent_set_capacity(lk_agent_update_op *op, long long capacity,
                          lk_invalid *why);
void lk_agent_set_active(lk_agent_update_op *op, bool active);
int lk_agent_update_apply(lk_tx *tx, void *arg);

/* The agent as JSON without its teams, or with them when `teams` is not
 * NULL (a JSON array text). */
void lk_agent_json(lk_buf *b, const lk_agent_row *a, const char *teams);

/* ---- teams ---------------------------------------------------------- */

typedef struct lk_team_op {
  char actor[LK_ACTOR_STR];
  bool create;
  char name[LK_ACTOR_NAME_MAX + 1]; /* "" unchanged */
  int active;                       /* < 0 unchanged */
  lk_team_row team;                 /* id in, the result out */
} lk_team_op;

int lk_team_create_prepare(lk_team_op *op, const char *actor, const char *name,
                           lk_invalid *why);
int lk_team_update_prepare(lk_team_op *op, const char *actor, const char *id,
                           const char *name, int active, lk_invalid *why);
/* For both. */
int lk_team_apply(lk_tx *tx, void *arg);

typedef struct lk_team_member_op {
  char actor[LK_ACTOR_STR];
  char team_id[LK_ACTOR_ID_LEN + 1];
  char agent_id[LK_ACTOR_ID_LEN + 1];
  bool member;  /* add (true) or remove */
  bool changed; /* out */
} lk_team_member_op;

/* LK_EINVALID (then answer 404) if an id is malformed. */
int lk_team_member_prepare(lk_team_member_op *op, const char *actor,
                           const char *team_id, const char *agent_id,
                           bool member, lk_invalid *why);
/* NOTFOUND: unknown team or agent, or (removing) not a member. */
int lk_team_member_apply(lk_tx *tx, void *arg);

void lk_team_json(lk_buf *b, const lk_team_row *t);

/* ---- assigning by hand ---------------------------------------------- */

typedef enum lk_assign_kind {
  LK_ASSIGN_MANUAL, /* to someone or to nobody */
  LK_ASSIGN_CLAIM,  /* the caller takes an unassigned conversation */
  LK_ASSIGN_AUTO    /* the round-robin pass */
} lk_assign_kind;

typedef struct lk_assign_op {
  char actor[LK_ACTOR_STR];
  lk_assign_kind kind;
  bool confidential; /* the caller may see confidential conversations */
  char conversation_id[LK_ACTOR_ID_LEN + 1];
  char assignee_id[LK_ACTOR_ID_LEN + 1]; /* "" unassigns */
  char team_id[LK_ACTOR_ID_LEN + 1];     /* "" keeps the team */
  int64_t expect_version;                /* > 0: only at this version */
  /* out */
  bool changed;
  char previous_id[LK_ACTOR_ID_LEN + 1];
  char holder_id[LK_ACTOR_ID_LEN + 1]; /* CONFLICT: who has it */
  char holder_name[LK_ACTOR_NAME_MAX + 1];
  lk_conv_state conv; /* the state after */
  lk_invalid why;     /* LK_EINVALID from apply */
} lk_assign_op;

/* `assignee_id` NULL or "" unassigns; `team_id` NULL keeps the team. */
int lk_assign_prepare(lk_assign_op *op, const char *actor, bool confidential,
                      const char *conversation_id, const char *assignee_id,
                      const char *team_id, int64_t expect_version,
                      lk_invalid *why);
/* A claim of `conversation_id` for `agent_id`. */
int lk_claim_prepare(lk_assign_op *op, const char *actor, bool confidential,
                     const char *conversation_id, const char *agent_id,
                     lk_invalid *why);
/* NOTFOUND: unknown (or not visible) conversation, unknown agent or team.
 * CONFLICT: a claim of a conversation someone else has (holder_* say
 * who), or a version that no longer matches.  LK_EINVALID: the assignee
 * is not an active agent, or the conversation is confidential and the
 * assignee's account is no supervisor's or admin's (op->why says so). */
int lk_assign_apply(lk_tx *tx, void *arg);
/* The assignment result as JSON. */
void lk_assign_json(lk_buf *b, const lk_assign_op *op);

/* ---- the round-robin pass ------------------------------------------- */

#define LK_PASS_MAX_ASSIGN 200 /* per pass; more starts another pass */
#define LK_PASS_MAX_WAKE 200

typedef struct lk_assign_pass {
  int woken;    /* snoozed conversations opened again */
  int assigned; /* conversations given to agents */
  bool more;    /* stopped at a limit: run again */
} lk_assign_pass;

/* lk_write_fn: wakes due snoozed conversations, then offers the queue to
 * the agents who have room.  `arg` is an lk_assign_pass (counts out). */
int lk_assign_pass_apply(lk_tx *tx, void *arg);

/* ---- the assigner --------------------------------------------------- */

typedef struct lk_assigner lk_assigner;

/* Listens on `bus` and runs passes on `store`.  NULL when out of memory. */
lk_assigner *lk_assigner_start(lk_store *store, lk_bus *bus);
/* Asks for a pass (coalesced: at most one is pending).  Thread-safe. */
void lk_assigner_kick(lk_assigner *as);
/* Passes run so far (for tests and diagnostics). */
uint64_t lk_assigner_passes(lk_assigner *as);
/* Frees the assigner.  Call after lk_store_stop() (so no pass is pending)
 * and before the bus is destroyed.  Safe with NULL. */
void lk_assigner_free(lk_assigner *as);

#endif
