/* assign.c - conversations' assignment state, the queue and the pool of
 * agents the round-robin pass offers work to. */
#include "store/assign.h"
#include "store/internal.h"

#define STATE_COLUMNS                                                          \
  "id, COALESCE(party_id, ''), COALESCE(team_id, ''),"                         \
  " COALESCE(assignee_id, ''), status, confidential, version,"                 \
  " COALESCE(waiting_since, 0)"

static void state_row(lk_stmt *st, void *ud) {
  lk_conv_state *c = ud;

  lk_store_copy(c->id, sizeof(c->id), lk_stmt_col_text(st, 0));
  lk_store_copy(c->party_id, sizeof(c->party_id), lk_stmt_col_text(st, 1));
  lk_store_copy(c->team_id, sizeof(c->team_id), lk_stmt_col_text(st, 2));
  lk_store_copy(c->assignee_id, sizeof(c->assignee_id),
                lk_stmt_col_text(st, 3));
  lk_store_copy(c->status, sizeof(c->status), lk_stmt_col_text(st, 4));
  c->confidential = lk_stmt_col_int(st, 5) != 0;
  c->version = lk_stmt_col_int(st, 6);
  c->waiting_since = lk_stmt_col_int(st, 7);
}

int lk_store_conv_state(lk_tx *tx, const char *id, lk_conv_state *out) {
  static const char sql[] =
      "SELECT " STATE_COLUMNS " FROM conversations WHERE id = ?1";
  lk_conv_state c;
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, NULL, 0, state_row, &c);

  return lk_rows_one(n, &c, out, sizeof(c));
}

static void int_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_conv_assign(lk_tx *tx, const char *id, const char *assignee_id,
                         const char *team_id, bool if_unassigned,
                         int64_t expect_version, int64_t now,
                         int64_t *version) {
  /* One conditional statement: whatever else runs, a claim either finds
   * the conversation unassigned and takes it, or changes nothing. */
  static const char sql[] =
      "UPDATE conversations SET assignee_id = ?2,"
      " team_id = COALESCE(?3, team_id),"
      " waiting_since = CASE WHEN ?2 IS NOT NULL THEN NULL"
      "  WHEN status = 'open' THEN COALESCE(waiting_since, ?4)"
      "  ELSE waiting_since END,"
      " version = version + 1, updated_at = ?4"
      " WHERE id = ?1 AND (?5 = 0 OR assignee_id IS NULL)"
      " AND (?6 = 0 OR version = ?6)"
      " RETURNING version";
  const char *texts[3] = {id, assignee_id, team_id};
  int64_t nums[3] = {now, if_unassigned ? 1 : 0, expect_version};
  int64_t v = 0;
  int n;

  if (assignee_id != NULL && assignee_id[0] == '\0')
    texts[1] = NULL;
  n = lk_rows(lk_tx_db(tx), sql, texts, 3, nums, 3, int_row, &v);
  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_CONFLICT;
  *version = v;
  return 0;
}

struct kind_out {
  char *kind;
  char *name;
  size_t name_size;
};

static void kind_row(lk_stmt *st, void *ud) {
  struct kind_out *k = ud;

  lk_store_copy(k->kind, 32, lk_stmt_col_text(st, 0));
  lk_store_copy(k->name, k->name_size, lk_stmt_col_text(st, 1));
}

int lk_store_actor_kind(lk_tx *tx, const char *id, char kind[32], char *name,
                        size_t name_size) {
  static const char sql[] = "SELECT kind, name FROM actors WHERE id = ?1";
  char k[32];
  char nm[LK_ACTOR_NAME_MAX + 1];
  struct kind_out out = {k, nm, sizeof(nm)};
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, NULL, 0, kind_row, &out);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  lk_store_copy(kind, 32, k);
  if (name != NULL)
    lk_store_copy(name, name_size, nm);
  return 0;
}

int lk_store_agent_confidential(lk_tx *tx, const char *id, bool *out) {
  static const char sql[] =
      "SELECT EXISTS (SELECT 1 FROM actors a JOIN staff_users u"
      " ON u.id = a.user_id WHERE a.id = ?1"
      " AND u.role IN ('supervisor', 'admin'))";
  int64_t v = 0;
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, NULL, 0, int_row, &v);

  if (n < 0)
    return n;
  *out = v != 0;
  return 0;
}

/* ---- the round-robin pass ------------------------------------------- */

/* Who may be offered work: the condition both pool queries share. */
#define POOL_WHERE                                                             \
  " a.kind = 'medewerker' AND a.active = 1 AND a.presence = 'available'"       \
  " AND NOT EXISTS (SELECT 1 FROM staff_users u WHERE u.id = a.user_id"        \
  "  AND u.disabled_at IS NOT NULL)"

struct pool_ctx {
  void (*fn)(const lk_pool_agent *a, void *ud);
  void *ud;
};

static void pool_row(lk_stmt *st, void *ud) {
  struct pool_ctx *pc = ud;
  lk_pool_agent a;

  lk_store_copy(a.id, sizeof(a.id), lk_stmt_col_text(st, 0));
  a.seq = lk_stmt_col_int(st, 1);
  a.capacity = (int)lk_stmt_col_int(st, 2);
  a.last_offered_at = lk_stmt_col_int(st, 3);
  a.load = (int)lk_stmt_col_int(st, 4);
  a.confidential = lk_stmt_col_int(st, 5) != 0;
  pc->fn(&a, pc->ud);
}

int lk_store_pool_agents(lk_tx *tx,
                         void (*fn)(const lk_pool_agent *a, void *ud),
                         void *ud) {
  /* The load is counted on conversations_assignee (assignee_id, status). */
  static const char sql[] =
      "SELECT a.id, a.seq, a.capacity, a.last_offered_at,"
      " (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id"
      "  AND c.status IN ('open', 'pending')),"
      " EXISTS (SELECT 1 FROM staff_users u WHERE u.id = a.user_id"
      "  AND u.role IN ('supervisor', 'admin'))"
      " FROM actors a WHERE" POOL_WHERE " ORDER BY a.seq";
  struct pool_ctx pc = {fn, ud};

  return lk_rows(lk_tx_db(tx), sql, NULL, 0, NULL, 0, pool_row, &pc);
}

struct member_ctx {
  void (*fn)(const char *team_id, const char *agent_id, void *ud);
  void *ud;
};

static void member_row(lk_stmt *st, void *ud) {
  struct member_ctx *mc = ud;
  char team[LK_ACTOR_ID_LEN + 1];

  lk_store_copy(team, sizeof(team), lk_stmt_col_text(st, 0));
  mc->fn(team, lk_stmt_col_text(st, 1), mc->ud);
}

int lk_store_pool_memberships(lk_tx *tx,
                              void (*fn)(const char *team_id,
                                         const char *agent_id, void *ud),
                              void *ud) {
  static const char sql[] = "SELECT tm.team_id, tm.actor_id"
                            " FROM team_members tm"
                            " JOIN actors a ON a.id = tm.actor_id"
                            " WHERE" POOL_WHERE;
  struct member_ctx mc = {fn, ud};

  return lk_rows(lk_tx_db(tx), sql, NULL, 0, NULL, 0, member_row, &mc);
}

static void queue_row(lk_stmt *st, void *ud) {
  lk_queue_item *q = ud;

  lk_store_copy(q->id, sizeof(q->id), lk_stmt_col_text(st, 0));
  q->waiting_since = lk_stmt_col_int(st, 1);
  q->seq = lk_stmt_col_int(st, 2);
  q->confidential = lk_stmt_col_int(st, 3) != 0;
}

int lk_store_queue_head(lk_tx *tx, const char *team_id, bool confidential,
                        lk_queue_item *out) {
  /* Both read conversations_team_queue, whose condition they repeat. */
  static const char team_sql[] =
      "SELECT id, waiting_since, seq, confidential FROM conversations"
      " WHERE team_id = ?1 AND waiting_since IS NOT NULL"
      " AND status = 'open' AND assignee_id IS NULL"
      " AND (?2 = 1 OR confidential = 0)"
      " ORDER BY waiting_since, seq LIMIT 1";
  static const char none_sql[] =
      "SELECT id, waiting_since, seq, confidential FROM conversations"
      " WHERE team_id IS NULL AND waiting_since IS NOT NULL"
      " AND status = 'open' AND assignee_id IS NULL"
      " AND (?1 = 1 OR confidential = 0)"
      " ORDER BY waiting_since, seq LIMIT 1";
  int64_t with = confidential ? 1 : 0;
  lk_queue_item q;
  int n;

  if (team_id != NULL)
    n = lk_rows(lk_tx_db(tx), team_sql, &team_id, 1, &with, 1, queue_row, &q);
  else
    n = lk_rows(lk_tx_db(tx), none_sql, NULL, 0, &with, 1, queue_row, &q);
  return lk_rows_one(n, &q, out, sizeof(q));
}

int lk_store_offer_clock(lk_tx *tx, int64_t *out) {
  static const char sql[] = "SELECT COALESCE(MAX(last_offered_at), 0)"
                            " FROM actors WHERE kind = 'medewerker'";
  int64_t v = 0;
  int n = lk_rows(lk_tx_db(tx), sql, NULL, 0, NULL, 0, int_row, &v);

  if (n < 0)
    return n;
  *out = v;
  return 0;
}

int lk_store_agent_offered(lk_tx *tx, const char *agent_id, int64_t at) {
  static const char sql[] =
      "UPDATE actors SET last_offered_at = ?2 WHERE id = ?1";
  int n = lk_rows(lk_tx_db(tx), sql, &agent_id, 1, &at, 1, NULL, NULL);

  return n < 0 ? n : 0;
}

struct due_ctx {
  void (*fn)(const char *id, void *ud);
  void *ud;
};

static void due_row(lk_stmt *st, void *ud) {
  struct due_ctx *dc = ud;

  dc->fn(lk_stmt_col_text(st, 0), dc->ud);
}

int lk_store_snoozed_due(lk_tx *tx, int64_t now, int limit,
                         void (*fn)(const char *id, void *ud), void *ud) {
  static const char sql[] =
      "SELECT id FROM conversations WHERE status = 'snoozed'"
      " AND snoozed_until <= ?1 ORDER BY snoozed_until, seq LIMIT ?2";
  int64_t nums[2] = {now, limit};
  struct due_ctx dc = {fn, ud};

  return lk_rows(lk_tx_db(tx), sql, NULL, 0, nums, 2, due_row, &dc);
}

int lk_store_conv_wake(lk_tx *tx, const char *id, int64_t now,
                       lk_conv_state *out) {
  static const char sql[] =
      "UPDATE conversations SET status = 'open', snoozed_until = NULL,"
      " waiting_since = CASE WHEN assignee_id IS NULL"
      "  THEN COALESCE(waiting_since, ?2) ELSE waiting_since END,"
      " version = version + 1, updated_at = ?2"
      " WHERE id = ?1 AND status = 'snoozed'"
      " RETURNING " STATE_COLUMNS;
  lk_conv_state c;
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, &now, 1, state_row, &c);

  return lk_rows_one(n, &c, out, sizeof(c));
}
