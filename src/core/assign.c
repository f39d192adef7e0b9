/* assign.c - agents, teams, assignment by hand and the round-robin pass.
 *
 * The pass
 * --------
 * The queue is every open, unassigned conversation with waiting_since set,
 * oldest first, split by team (conversations without a team form one more
 * queue that any agent serves).  An agent has room when it is active,
 * available, its staff account is enabled and its load (open or pending
 * conversations assigned to it) is below its capacity.
 *
 * A pass first wakes snoozed conversations whose time has come, then
 * repeatedly takes, among the queues that some agent with room serves, the
 * head that has waited longest, and gives it to the agent with room in
 * that team who was offered work least recently (last_offered_at, then the
 * order agents were made).  A confidential conversation goes only to an
 * agent whose staff account is a supervisor's or an admin's; while none of
 * those has room it waits and the queue behind it moves on.  It reads the
 * agents once (few) and each queue's head through an index, so a pass costs a
 * few look-ups however long the queue is; a pass with no agent free costs one
 * small query.
 *
 * The assigner runs passes as writes: the bus listener asks for one when
 * an event may have queued a conversation or freed an agent, and the
 * server's tick asks once a second (snoozes end on time, not on events).
 * Requests coalesce: while a pass waits in the writer's queue, more
 * requests change nothing; one that arrives while a pass runs asks for one
 * more after it.
 */
#include "core/assign.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "util/log.h"

#define DEFAULT_CAPACITY 5
#define ASSIGNER_ACTOR "loket:assigner"

static const char *const presences[] = {"available", "busy", "away", "offline"};

bool lk_presence_valid(const char *presence) {
  for (size_t i = 0; i < sizeof(presences) / sizeof(presences[0]); i++) {
    if (strcmp(presence, presences[i]) == 0)
      return true;
  }
  return false;
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

static const char name_reason[] =
    "must be 1 to 200 bytes of UTF-8 text without control characters";

/* Emits `type` about `subject` with `payload` and records the audit entry
 * for `actor`; frees `payload`. */
static int changed(lk_tx *tx, const char *actor, const char *type,
                   const char *action, const char *subject, lk_buf *payload) {
  int rc;

  if (!lk_buf_ok(payload)) {
    lk_buf_free(payload);
    return LK_STORE_NOMEM;
  }
  rc = lk_tx_emit(tx, type, subject, payload->data);
  if (rc == 0)
    rc = lk_store_audit(tx, actor, action, subject, payload->data);
  lk_buf_free(payload);
  return rc;
}

/* ---- agents --------------------------------------------------------- */

static bool user_id_valid(const char *id) {
  if (strlen(id) != LK_USER_ID_LEN || strncmp(id, "usr_", 4) != 0)
    return false;
  return strspn(id + 4, "0123456789abcdef") == LK_USER_ID_LEN - 4;
}

int lk_agent_create_prepare(lk_agent_create_op *op, const char *actor,
                            const char *user_id, const char *name, int capacity,
                            const char *const *team_ids, int nteams,
                            lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (name != NULL && !lk_text_ok(name, LK_ACTOR_NAME_MAX, false))
    return invalid(why, "name", name_reason);
  if (capacity > LK_CAPACITY_MAX)
    return invalid(why, "capacity", "must be an integer from 0 to 100");
  if (nteams > LK_AGENT_TEAMS_MAX)
    return invalid(why, "teamIds", "names at most 32 teams");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  /* A malformed id names no account or team: the apply answers
   * NOTFOUND for it as for an unknown one. */
  snprintf(op->agent.user_id, sizeof(op->agent.user_id), "%s",
           user_id_valid(user_id) ? user_id : "usr_unknown");
  if (name != NULL) {
    snprintf(op->agent.name, sizeof(op->agent.name), "%s", name);
    op->name_given = true;
  }
  op->agent.capacity = capacity < 0 ? DEFAULT_CAPACITY : capacity;
  op->agent.active = true;
  snprintf(op->agent.presence, sizeof(op->agent.presence), "offline");
  for (int i = 0; i < nteams; i++) {
    snprintf(op->teams[i], sizeof(op->teams[i]), "%s",
             lk_uuid_valid(team_ids[i]) ? team_ids[i] : "-");
  }
  op->nteams = nteams;
  return 0;
}

static void agent_payload(lk_buf *b, const lk_agent_row *a) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, a->id);
  lk_buf_puts(b, ",\"presence\":");
  lk_buf_json_str(b, a->presence);
  lk_buf_printf(b, ",\"capacity\":%d,\"active\":%s}", a->capacity,
                a->active ? "true" : "false");
}

int lk_agent_create_apply(lk_tx *tx, void *arg) {
  lk_agent_create_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  char account_name[LK_ACTOR_NAME_MAX + 1];
  lk_team_row team;
  bool added;
  int rc;

  rc = lk_store_staff_user_name(tx, op->agent.user_id, account_name,
                                sizeof(account_name));
  if (rc != 0)
    return rc;
  if (!op->name_given)
    snprintf(op->agent.name, sizeof(op->agent.name), "%s", account_name);
  lk_uuid_new(op->agent.id, lk_tx_now(tx));
  op->agent.created_at = lk_tx_now(tx);
  op->agent.updated_at = op->agent.created_at;
  rc = lk_store_agent_insert(tx, &op->agent);
  for (int i = 0; rc == 0 && i < op->nteams; i++) {
    rc = lk_store_team_get_tx(tx, op->teams[i], &team);
    if (rc == 0)
      rc = lk_store_team_member_set(tx, op->teams[i], op->agent.id, true,
                                    &added);
  }
  if (rc != 0)
    return rc;
  agent_payload(&payload, &op->agent);
  return changed(tx, op->actor, "agent.updated", "agent.created", op->agent.id,
                 &payload);
}

int lk_agent_update_prepare(lk_agent_update_op *op, const char *actor,
                            const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(id))
    return invalid(why, "id", "is not an agent id");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->id, sizeof(op->id), "%s", id);
  op->capacity = -1;
  op->active = -1;
  return 0;
}

int lk_agent_set_name(lk_agent_update_op *op, const char *name,
                      lk_invalid *why) {
  if (!lk_text_ok(name, LK_ACTOR_NAME_MAX, false))
    return invalid(why, "name", name_reason);
  snprintf(op->name, sizeof(op->name), "%s", name);
  return 0;
}

int lk_agent_set_presence(lk_agent_update_op *op, const char *presence,
                          lk_invalid *why) {
  if (!lk_presence_valid(presence))
    return invalid(why, "presence", "must be available, busy, away or offline");
  snprintf(op->presence, sizeof(op->presence), "%s", presence);
  return 0;
}

int lk_agent_set_capacity(lk_agent_update_op *op, long long capacity,
                          lk_invalid *why) {
  if (capacity < 0 || capacity > LK_CAPACITY_MAX)
    return invalid(why, "capacity", "must be an integer from 0 to 100");
  op->capacity = (int)capacity;
  return 0;
}

void lk_agent_set_active(lk_agent_update_op *op, bool active) {
  op->active = active ? 1 : 0;
}

int lk_agent_update_apply(lk_tx *tx, void *arg) {
  lk_agent_update_op *op = arg;
  lk_agent_row a;
  lk_buf payload = LK_BUF_INIT;
  int rc;

  rc = lk_store_agent_get_tx(tx, op->id, &a);
  if (rc != 0)
    return rc;
  if (op->name[0] != '\0')
    snprintf(a.name, sizeof(a.name), "%s", op->name);
  if (op->presence[0] != '\0')
    snprintf(a.presence, sizeof(a.presence), "%s", op->presence);
  if (op->capacity >= 0)
    a.capacity = op->capacity;
  if (op->active >= 0)
    a.active = op->active == 1;
  a.updated_at = lk_tx_now(tx);
  rc = lk_store_agent_update(tx, &a);
  if (rc != 0)
    return rc;
  op->agent = a;
  agent_payload(&payload, &a);
  return changed(tx, op->actor, "agent.updated", "agent.updated", a.id,
                 &payload);
}

void lk_agent_json(lk_buf *b, const lk_agent_row *a, const char *teams) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, a->id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, a->name);
  lk_buf_puts(b, ",\"userId\":");
  if (a->user_id[0] != '\0')
    lk_buf_json_str(b, a->user_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_puts(b, ",\"presence\":");
  lk_buf_json_str(b, a->presence);
  lk_buf_printf(b,
                ",\"capacity\":%d,\"active\":%s,\"load\":%d,"
                "\"lastOfferedAt\":%lld,\"createdAt\":%lld,"
                "\"updatedAt\":%lld",
                a->capacity, a->active ? "true" : "false", a->load,
                (long long)a->last_offered_at, (long long)a->created_at,
                (long long)a->updated_at);
  if (teams != NULL) {
    lk_buf_puts(b, ",\"teams\":");
    lk_buf_puts(b, teams);
  }
  lk_buf_putc(b, '}');
}

/* ---- teams ---------------------------------------------------------- */

int lk_team_create_prepare(lk_team_op *op, const char *actor, const char *name,
                           lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_text_ok(name, LK_ACTOR_NAME_MAX, false))
    return invalid(why, "name", name_reason);
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  op->create = true;
  snprintf(op->name, sizeof(op->name), "%s", name);
  op->active = 1;
  return 0;
}

int lk_team_update_prepare(lk_team_op *op, const char *actor, const char *id,
                           const char *name, int active, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(id))
    return invalid(why, "id", "is not a team id");
  if (name != NULL && !lk_text_ok(name, LK_ACTOR_NAME_MAX, false))
    return invalid(why, "name", name_reason);
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->team.id, sizeof(op->team.id), "%s", id);
  if (name != NULL)
    snprintf(op->name, sizeof(op->name), "%s", name);
  op->active = active;
  return 0;
}

int lk_team_apply(lk_tx *tx, void *arg) {
  lk_team_op *op = arg;
  lk_team_row *t = &op->team;
  lk_buf payload = LK_BUF_INIT;
  int rc;

  if (op->create) {
    lk_uuid_new(t->id, lk_tx_now(tx));
    snprintf(t->name, sizeof(t->name), "%s", op->name);
    t->active = op->active != 0;
    t->created_at = lk_tx_now(tx);
    t->updated_at = t->created_at;
    rc = lk_store_team_insert(tx, t);
  } else {
    rc = lk_store_team_get_tx(tx, t->id, t);
    if (rc != 0)
      return rc;
    if (op->name[0] != '\0')
      snprintf(t->name, sizeof(t->name), "%s", op->name);
    if (op->active >= 0)
      t->active = op->active == 1;
    t->updated_at = lk_tx_now(tx);
    rc = lk_store_team_update(tx, t);
  }
  if (rc != 0)
    return rc;
  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, t->id);
  lk_buf_printf(&payload, ",\"active\":%s}", t->active ? "true" : "false");
  return changed(tx, op->actor, "team.updated",
                 op->create ? "team.created" : "team.updated", t->id, &payload);
}

int lk_team_member_prepare(lk_team_member_op *op, const char *actor,
                           const char *team_id, const char *agent_id,
                           bool member, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(team_id))
    return invalid(why, "id", "is not a team id");
  if (!lk_uuid_valid(agent_id))
    return invalid(why, "agentId", "is not an agent id");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->team_id, sizeof(op->team_id), "%s", team_id);
  snprintf(op->agent_id, sizeof(op->agent_id), "%s", agent_id);
  op->member = member;
  return 0;
}

int lk_team_member_apply(lk_tx *tx, void *arg) {
  lk_team_member_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  lk_team_row team;
  lk_agent_row agent;
  int rc;

  rc = lk_store_team_get_tx(tx, op->team_id, &team);
  if (rc == 0)
    rc = lk_store_agent_get_tx(tx, op->agent_id, &agent);
  if (rc == 0)
    rc = lk_store_team_member_set(tx, op->team_id, op->agent_id, op->member,
                                  &op->changed);
  if (rc != 0)
    return rc;
  if (!op->changed)
    return op->member ? 0 : LK_STORE_NOTFOUND;
  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, op->team_id);
  lk_buf_puts(&payload, ",\"agentId\":");
  lk_buf_json_str(&payload, op->agent_id);
  lk_buf_printf(&payload, ",\"member\":%s}", op->member ? "true" : "false");
  return changed(tx, op->actor, "team.updated",
                 op->member ? "team.member_added" : "team.member_removed",
                 op->team_id, &payload);
}

void lk_team_json(lk_buf *b, const lk_team_row *t) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, t->id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, t->name);
  lk_buf_printf(b,
                ",\"active\":%s,\"memberCount\":%d,\"createdAt\":%lld,"
                "\"updatedAt\":%lld}",
                t->active ? "true" : "false", t->members,
                (long long)t->created_at, (long long)t->updated_at);
}

/* ---- assigning ------------------------------------------------------ */

static const char *const via_names[] = {"manual", "claim", "round_robin"};

static void json_id_or_null(lk_buf *b, const char *id) {
  if (id[0] != '\0')
    lk_buf_json_str(b, id);
  else
    lk_buf_puts(b, "null");
}

/* The event and audit entry of an assignment whose state after is `c`. */
static int assigned(lk_tx *tx, const char *actor, const lk_conv_state *c,
                    const char *previous, lk_assign_kind kind) {
  lk_buf payload = LK_BUF_INIT;

  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, c->id);
  lk_buf_puts(&payload, ",\"assigneeId\":");
  json_id_or_null(&payload, c->assignee_id);
  lk_buf_puts(&payload, ",\"previousAssigneeId\":");
  json_id_or_null(&payload, previous);
  lk_buf_puts(&payload, ",\"teamId\":");
  json_id_or_null(&payload, c->team_id);
  lk_buf_printf(&payload, ",\"version\":%lld,\"via\":\"%s\"%s}",
                (long long)c->version, via_names[kind],
                c->confidential ? ",\"confidential\":true" : "");
  return changed(tx, actor, "conversation.assigned", "conversation.assigned",
                 c->id, &payload);
}

int lk_assign_prepare(lk_assign_op *op, const char *actor, bool confidential,
                      const char *conversation_id, const char *assignee_id,
                      const char *team_id, int64_t expect_version,
                      lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(conversation_id))
    return invalid(why, "id", "is not a conversation id");
  if (expect_version < 0)
    return invalid(why, "version", "must be a positive integer");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  op->kind = LK_ASSIGN_MANUAL;
  op->confidential = confidential;
  snprintf(op->conversation_id, sizeof(op->conversation_id), "%s",
           conversation_id);
  /* A malformed id names nothing: the apply answers NOTFOUND ("-" is no
   * actor's id). */
  if (assignee_id != NULL && assignee_id[0] != '\0')
    snprintf(op->assignee_id, sizeof(op->assignee_id), "%s",
             lk_uuid_valid(assignee_id) ? assignee_id : "-");
  if (team_id != NULL)
    snprintf(op->team_id, sizeof(op->team_id), "%s",
             lk_uuid_valid(team_id) ? team_id : "-");
  op->expect_version = expect_version;
  return 0;
}

int lk_claim_prepare(lk_assign_op *op, const char *actor, bool confidential,
                     const char *conversation_id, const char *agent_id,
                     lk_invalid *why) {
  int rc = lk_assign_prepare(op, actor, confidential, conversation_id, agent_id,
                             NULL, 0, why);

  if (rc == 0 && op->assignee_id[0] == '\0')
    return invalid(why, "agentId", "names the agent who claims");
  op->kind = LK_ASSIGN_CLAIM;
  return rc;
}

/* Who holds `c` now, for the answer to a claim that lost. */
static void holder(lk_tx *tx, lk_assign_op *op, const lk_conv_state *c) {
  char kind[32];

  snprintf(op->holder_id, sizeof(op->holder_id), "%s", c->assignee_id);
  op->holder_name[0] = '\0';
  if (c->assignee_id[0] != '\0')
    lk_store_actor_kind(tx, c->assignee_id, kind, op->holder_name,
                        sizeof(op->holder_name));
}

int lk_assign_apply(lk_tx *tx, void *arg) {
  lk_assign_op *op = arg;
  const char *field = op->kind == LK_ASSIGN_CLAIM ? "agentId" : "assigneeId";
  lk_conv_state c;
  lk_agent_row agent;
  lk_team_row team;
  int64_t version;
  int rc;

  rc = lk_store_conv_state(tx, op->conversation_id, &c);
  if (rc != 0)
    return rc;
  /* A confidential conversation the caller may not see does not exist. */
  if (c.confidential && !op->confidential)
    return LK_STORE_NOTFOUND;
  if (op->assignee_id[0] != '\0') {
    rc = lk_store_agent_get_tx(tx, op->assignee_id, &agent);
    if (rc != 0)
      return rc;
    if (!agent.active)
      return invalid(&op->why, field, "is not an active agent");
    if (c.confidential) {
      bool may = false;

      rc = lk_store_agent_confidential(tx, op->assignee_id, &may);
      if (rc != 0)
        return rc;
      if (!may)
        return invalid(&op->why, field,
                       "may not be given a confidential conversation (only "
                       "supervisors and admins)");
    }
  }
  if (op->team_id[0] != '\0') {
    rc = lk_store_team_get_tx(tx, op->team_id, &team);
    if (rc != 0)
      return rc;
  }
  snprintf(op->previous_id, sizeof(op->previous_id), "%s", c.assignee_id);
  if (op->expect_version > 0 && op->expect_version != c.version) {
    holder(tx, op, &c);
    return LK_STORE_CONFLICT;
  }
  if (op->kind == LK_ASSIGN_CLAIM && c.assignee_id[0] != '\0' &&
      strcmp(c.assignee_id, op->assignee_id) != 0) {
    holder(tx, op, &c);
    return LK_STORE_CONFLICT;
  }
  if (strcmp(c.assignee_id, op->assignee_id) == 0 &&
      (op->team_id[0] == '\0' || strcmp(op->team_id, c.team_id) == 0)) {
    op->conv = c; /* nothing to do: already so */
    return 0;
  }
  rc = lk_store_conv_assign(
      tx, c.id, op->assignee_id, op->team_id[0] != '\0' ? op->team_id : NULL,
      op->kind == LK_ASSIGN_CLAIM, op->expect_version, lk_tx_now(tx), &version);
  if (rc == LK_STORE_CONFLICT) {
    /* Only another writer could have changed it since we read it. */
    if (lk_store_conv_state(tx, c.id, &c) == 0)
      holder(tx, op, &c);
    return rc;
  }
  if (rc == 0)
    rc = lk_store_conv_state(tx, c.id, &op->conv);
  if (rc != 0)
    return rc;
  op->changed = true;
  return assigned(tx, op->actor, &op->conv, op->previous_id, op->kind);
}

void lk_assign_json(lk_buf *b, const lk_assign_op *op) {
  const lk_conv_state *c = &op->conv;

  lk_buf_puts(b, "{\"conversationId\":");
  lk_buf_json_str(b, c->id);
  lk_buf_puts(b, ",\"assigneeId\":");
  json_id_or_null(b, c->assignee_id);
  lk_buf_puts(b, ",\"previousAssigneeId\":");
  json_id_or_null(b, op->previous_id);
  lk_buf_puts(b, ",\"teamId\":");
  json_id_or_null(b, c->team_id);
  lk_buf_puts(b, ",\"status\":");
  lk_buf_json_str(b, c->status);
  lk_buf_printf(b, ",\"version\":%lld,\"changed\":%s}", (long long)c->version,
                op->changed ? "true" : "false");
}

/* ---- the round-robin pass ------------------------------------------- */

struct pass_team {
  char id[LK_ACTOR_ID_LEN + 1]; /* "" for the queue without a team */
  bool has_head;
  lk_queue_item head;
};

struct pass_member {
  int team;  /* index in teams */
  int agent; /* index in agents */
};

struct pass {
  lk_pool_agent *agents;
  int nagents, cagents;
  struct pass_team *teams;
  int nteams, cteams;
  struct pass_member *members;
  int nmembers, cmembers;
  char (*due)[LK_ACTOR_ID_LEN + 1];
  int ndue;
  bool oom;
};

/* Grows `*arr` (of `*cap` elements of `size`) to hold one more. */
static bool grow(void **arr, int *cap, int n, size_t size) {
  void *p;
  int c;

  if (n < *cap)
    return true;
  c = *cap ? *cap * 2 : 16;
  p = realloc(*arr, (size_t)c * size);
  if (p == NULL)
    return false;
  *arr = p;
  *cap = c;
  return true;
}

static void pool_agent(const lk_pool_agent *a, void *ud) {
  struct pass *p = ud;

  if (a->load >= a->capacity)
    return;
  if (!grow((void **)&p->agents, &p->cagents, p->nagents, sizeof(*a))) {
    p->oom = true;
    return;
  }
  p->agents[p->nagents++] = *a;
}

static int find_agent(struct pass *p, const char *id) {
  for (int i = 0; i < p->nagents; i++) {
    if (strcmp(p->agents[i].id, id) == 0)
      return i;
  }
  return -1;
}

static int team_index(struct pass *p, const char *id) {
  for (int i = 0; i < p->nteams; i++) {
    if (strcmp(p->teams[i].id, id) == 0)
      return i;
  }
  if (!grow((void **)&p->teams, &p->cteams, p->nteams, sizeof(*p->teams)))
    return -1;
  memset(&p->teams[p->nteams], 0, sizeof(p->teams[0]));
  snprintf(p->teams[p->nteams].id, sizeof(p->teams[0].id), "%s", id);
  return p->nteams++;
}

static void pool_member(const char *team_id, const char *agent_id, void *ud) {
  struct pass *p = ud;
  int a = find_agent(p, agent_id);
  int t;

  if (a < 0)
    return; /* no room */
  t = team_index(p, team_id);
  if (t < 0 || !grow((void **)&p->members, &p->cmembers, p->nmembers,
                     sizeof(*p->members))) {
    p->oom = true;
    return;
  }
  p->members[p->nmembers++] = (struct pass_member){t, a};
}

static bool has_room(const lk_pool_agent *a) {
  return a->load < a->capacity;
}

/* True if `a` should be offered work before `b`. */
static bool offered_earlier(const lk_pool_agent *a, const lk_pool_agent *b) {
  if (a->last_offered_at != b->last_offered_at)
    return a->last_offered_at < b->last_offered_at;
  return a->seq < b->seq;
}

/* True if `a` has room and may take a conversation that is (or is not)
 * `confidential`: those go to supervisors and admins only. */
static bool may_take(const lk_pool_agent *a, bool confidential) {
  return has_room(a) && (!confidential || a->confidential);
}

/* The agent with room that serves team `t`, may take a conversation that
 * is `confidential` and was offered work least recently, or -1.  Team 0
 * is the queue without a team: every agent. */
static int pick_agent(struct pass *p, int t, bool confidential) {
  int best = -1;

  if (t == 0) {
    for (int i = 0; i < p->nagents; i++) {
      if (may_take(&p->agents[i], confidential) &&
          (best < 0 || offered_earlier(&p->agents[i], &p->agents[best])))
        best = i;
    }
    return best;
  }
  for (int i = 0; i < p->nmembers; i++) {
    int a = p->members[i].agent;

    if (p->members[i].team == t && may_take(&p->agents[a], confidential) &&
        (best < 0 || offered_earlier(&p->agents[a], &p->agents[best])))
      best = a;
  }
  return best;
}

/* Loads team t's head; a confidential conversation can be the head only
 * while someone who may take it has room, so one never blocks the rest
 * of the queue. */
static int load_head(lk_tx *tx, struct pass *p, int t) {
  struct pass_team *team = &p->teams[t];
  bool confidential = pick_agent(p, t, true) >= 0;
  int rc = lk_store_queue_head(tx, team->id[0] != '\0' ? team->id : NULL,
                               confidential, &team->head);

  team->has_head = rc == 0;
  return rc == LK_STORE_NOTFOUND ? 0 : rc;
}

static bool waited_longer(const lk_queue_item *a, const lk_queue_item *b) {
  if (a->waiting_since != b->waiting_since)
    return a->waiting_since < b->waiting_since;
  return a->seq < b->seq;
}

static void due_one(const char *id, void *ud) {
  struct pass *p = ud;

  snprintf(p->due[p->ndue], sizeof(p->due[0]), "%s", id);
  p->ndue++;
}

static int wake_snoozed(lk_tx *tx, struct pass *p, lk_assign_pass *out) {
  lk_buf payload = LK_BUF_INIT;
  lk_conv_state c;
  int rc;
  int n;

  p->due = calloc(LK_PASS_MAX_WAKE, sizeof(*p->due));
  if (p->due == NULL)
    return LK_STORE_NOMEM;
  n = lk_store_snoozed_due(tx, lk_tx_now(tx), LK_PASS_MAX_WAKE, due_one, p);
  if (n < 0)
    return n;
  if (n == LK_PASS_MAX_WAKE)
    out->more = true;
  for (int i = 0; i < p->ndue; i++) {
    rc = lk_store_conv_wake(tx, p->due[i], lk_tx_now(tx), &c);
    if (rc == LK_STORE_NOTFOUND)
      continue;
    if (rc != 0)
      return rc;
    lk_buf_reset(&payload);
    lk_buf_puts(&payload, "{\"id\":");
    lk_buf_json_str(&payload, c.id);
    lk_buf_printf(&payload,
                  ",\"status\":\"open\",\"reason\":\"snooze_ended\","
                  "\"version\":%lld%s}",
                  (long long)c.version,
                  c.confidential ? ",\"confidential\":true" : "");
    rc = lk_buf_ok(&payload)
             ? lk_tx_emit(tx, "conversation.updated", c.id, payload.data)
             : LK_STORE_NOMEM;
    if (rc != 0) {
      lk_buf_free(&payload);
      return rc;
    }
    out->woken++;
  }
  lk_buf_free(&payload);
  return 0;
}

/* Gives team t's head to agent a. */
static int offer(lk_tx *tx, struct pass *p, int t, int a, int64_t *clock) {
  lk_pool_agent *agent = &p->agents[a];
  struct pass_team *team = &p->teams[t];
  int64_t now = lk_tx_now(tx);
  lk_conv_state c;
  int64_t version;
  int rc;

  rc = lk_store_conv_assign(tx, team->head.id, agent->id, NULL, true, 0, now,
                            &version);
  if (rc == LK_STORE_CONFLICT) {
    team->has_head = false; /* cannot happen; never loop on it */
    return 0;
  }
  if (rc != 0)
    return rc;
  /* Strictly increasing, so agents offered work in one pass (one
   * transaction time) still take turns. */
  *clock = *clock + 1 > now ? *clock + 1 : now;
  agent->last_offered_at = *clock;
  agent->load++;
  rc = lk_store_agent_offered(tx, agent->id, *clock);
  if (rc == 0)
    rc = lk_store_conv_state(tx, team->head.id, &c);
  if (rc == 0)
    rc = assigned(tx, ASSIGNER_ACTOR, &c, "", LK_ASSIGN_AUTO);
  if (rc == 0)
    rc = load_head(tx, p, t);
  return rc;
}

static int run_pass(lk_tx *tx, struct pass *p, lk_assign_pass *out) {
  int64_t clock;
  int rc;

  rc = wake_snoozed(tx, p, out);
  if (rc != 0)
    return rc;
  rc = lk_store_pool_agents(tx, pool_agent, p);
  if (rc < 0 || p->oom)
    return rc < 0 ? rc : LK_STORE_NOMEM;
  if (p->nagents == 0)
    return 0;
  if (team_index(p, "") != 0) /* the queue without a team is team 0 */
    return LK_STORE_NOMEM;
  rc = lk_store_pool_memberships(tx, pool_member, p);
  if (rc < 0 || p->oom)
    return rc < 0 ? rc : LK_STORE_NOMEM;
  for (int t = 0; t < p->nteams; t++) {
    rc = load_head(tx, p, t);
    if (rc != 0)
      return rc;
  }
  rc = lk_store_offer_clock(tx, &clock);
  if (rc != 0)
    return rc;
  while (out->assigned < LK_PASS_MAX_ASSIGN) {
    int best = -1;
    int agent = -1;

    for (int t = 0; t < p->nteams; t++) {
      if (!p->teams[t].has_head ||
          (best >= 0 &&
           !waited_longer(&p->teams[t].head, &p->teams[best].head)))
        continue;
      if (pick_agent(p, t, p->teams[t].head.confidential) < 0 &&
          p->teams[t].head.confidential) {
        /* Whoever could take it filled up: the rest may still go. */
        rc = load_head(tx, p, t);
        if (rc != 0)
          return rc;
        t--;
        continue;
      }
      if (pick_agent(p, t, false) < 0) {
        p->teams[t].has_head = false; /* rooms only fill up in a pass */
        continue;
      }
      best = t;
    }
    if (best < 0)
      return 0;
    agent = pick_agent(p, best, p->teams[best].head.confidential);
    rc = offer(tx, p, best, agent, &clock);
    if (rc != 0)
      return rc;
    out->assigned++;
  }
  out->more = true;
  return 0;
}

int lk_assign_pass_apply(lk_tx *tx, void *arg) {
  lk_assign_pass *out = arg;
  struct pass p;
  int rc;

  memset(out, 0, sizeof(*out));
  memset(&p, 0, sizeof(p));
  rc = run_pass(tx, &p, out);
  free(p.agents);
  free(p.teams);
  free(p.members);
  free(p.due);
  return rc;
}

/* ---- the assigner --------------------------------------------------- */

enum pass_state { IDLE, QUEUED, STARTED };

struct lk_assigner {
  lk_store *store;
  lk_bus *bus;
  lk_bus_listener *listener;
  pthread_mutex_t lock;
  enum pass_state state;
  bool again; /* asked for while a pass ran */
  lk_write w;
  lk_assign_pass result;
  uint64_t passes;
};

/* With as->lock held. */
static void submit_locked(lk_assigner *as) {
  as->state = QUEUED;
  as->again = false;
  if (lk_store_submit(as->store, &as->w) != 0)
    as->state = IDLE; /* the store is stopping */
}

static int pass_apply(lk_tx *tx, void *arg) {
  lk_assigner *as = arg;

  pthread_mutex_lock(&as->lock);
  as->state = STARTED;
  as->again = false;
  pthread_mutex_unlock(&as->lock);
  return lk_assign_pass_apply(tx, &as->result);
}

static void pass_done(int status, void *arg) {
  lk_assigner *as = arg;

  if (status != 0)
    lk_log(LK_LOG_ERROR, "assignment pass failed", "error",
           lk_store_strerror(status), NULL);
  pthread_mutex_lock(&as->lock);
  as->passes++;
  if (status == 0 && as->result.more)
    as->again = true;
  if (as->again)
    submit_locked(as);
  else
    as->state = IDLE;
  pthread_mutex_unlock(&as->lock);
}

void lk_assigner_kick(lk_assigner *as) {
  pthread_mutex_lock(&as->lock);
  if (as->state == IDLE)
    submit_locked(as);
  else if (as->state == STARTED)
    as->again = true;
  pthread_mutex_unlock(&as->lock);
}

/* Events after which the queue or an agent's room may have changed. */
static bool may_change_queue(const lk_event *ev) {
  static const char *const types[] = {
      "conversation.created", "conversation.updated", "contact.added",
      "agent.updated",        "team.updated",         "conversation.assigned"};

  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    if (strcmp(ev->type, types[i]) != 0)
      continue;
    /* The pass's own assignments free no one. */
    return i != 5 || strstr(ev->json, "\"via\":\"round_robin\"") == NULL;
  }
  return false;
}

static void on_event(const lk_event *ev, void *ud) {
  if (may_change_queue(ev))
    lk_assigner_kick(ud);
}

lk_assigner *lk_assigner_start(lk_store *store, lk_bus *bus) {
  lk_assigner *as = calloc(1, sizeof(*as));

  if (as == NULL)
    return NULL;
  as->store = store;
  as->bus = bus;
  pthread_mutex_init(&as->lock, NULL);
  as->w.apply = pass_apply;
  as->w.done = pass_done;
  as->w.arg = as;
  as->listener = lk_bus_listen(bus, on_event, as);
  if (as->listener == NULL) {
    pthread_mutex_destroy(&as->lock);
    free(as);
    return NULL;
  }
  lk_assigner_kick(as); /* whatever queued while we were down */
  return as;
}

uint64_t lk_assigner_passes(lk_assigner *as) {
  uint64_t n;

  pthread_mutex_lock(&as->lock);
  n = as->passes;
  pthread_mutex_unlock(&as->lock);
  return n;
}

void lk_assigner_free(lk_assigner *as) {
  if (as == NULL)
    return;
  lk_bus_unlisten(as->bus, as->listener);
  pthread_mutex_destroy(&as->lock);
  free(as);
}
