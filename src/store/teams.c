/* teams.c - agents, teams and memberships (rows of actors and
 * team_members). */
#include <string.h>

#include "store/internal.h"
#include "store/teams.h"

/* ---- agents --------------------------------------------------------- */

#define AGENT_COLUMNS                                                          \
  "a.id, a.name, COALESCE(a.user_id, ''), a.presence, a.capacity,"             \
  " a.active, a.last_offered_at, a.created_at, a.updated_at,"                  \
  " (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.id"          \
  "  AND c.status IN ('open', 'pending'))"

static void agent_row(lk_stmt *st, void *ud) {
  lk_agent_row *a = ud;

  lk_store_copy(a->id, sizeof(a->id), lk_stmt_col_text(st, 0));
  lk_store_copy(a->name, sizeof(a->name), lk_stmt_col_text(st, 1));
  lk_store_copy(a->user_id, sizeof(a->user_id), lk_stmt_col_text(st, 2));
  lk_store_copy(a->presence, sizeof(a->presence), lk_stmt_col_text(st, 3));
  a->capacity = (int)lk_stmt_col_int(st, 4);
  a->active = lk_stmt_col_int(st, 5) != 0;
  a->last_offered_at = lk_stmt_col_int(st, 6);
  a->created_at = lk_stmt_col_int(st, 7);
  a->updated_at = lk_stmt_col_int(st, 8);
  a->load = (int)lk_stmt_col_int(st, 9);
}

static const char agent_get_sql[] =
    "SELECT " AGENT_COLUMNS " FROM actors a"
    " WHERE a.id = ?1 AND a.kind = 'medewerker'";

int lk_store_agent_get_tx(lk_tx *tx, const char *id, lk_agent_row *out) {
  lk_agent_row a;
  int n = lk_rows(lk_tx_db(tx), agent_get_sql, &id, 1, NULL, 0, agent_row, &a);

  return lk_rows_one(n, &a, out, sizeof(a));
}

int lk_store_agent_get(lk_store *s, const char *id, lk_agent_row *out) {
  lk_agent_row a;
  int n = lk_rows_read(s, agent_get_sql, &id, 1, NULL, 0, agent_row, &a);

  return lk_rows_one(n, &a, out, sizeof(a));
}

struct text_out {
  char *buf;
  size_t size;
};

static void text_row(lk_stmt *st, void *ud) {
  struct text_out *t = ud;

  lk_store_copy(t->buf, t->size, lk_stmt_col_text(st, 0));
}

int lk_store_staff_user_name(lk_tx *tx, const char *user_id, char *name,
                             size_t size) {
  static const char sql[] =
      "SELECT CASE WHEN display_name = '' THEN email ELSE display_name END"
      " FROM staff_users WHERE id = ?1 AND disabled_at IS NULL";
  struct text_out out = {name, size};
  int n = lk_rows(lk_tx_db(tx), sql, &user_id, 1, NULL, 0, text_row, &out);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_agent_insert(lk_tx *tx, const lk_agent_row *a) {
  static const char sql[] =
      "INSERT INTO actors (id, kind, name, active, user_id, presence,"
      " capacity, last_offered_at, created_at, updated_at)"
      " VALUES (?1, 'medewerker', ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->name);
  lk_stmt_int(st, 3, a->active ? 1 : 0);
  lk_stmt_text(st, 4, a->user_id);
  lk_stmt_text(st, 5, a->presence);
  lk_stmt_int(st, 6, a->capacity);
  lk_stmt_int(st, 7, a->created_at);
  return lk_stmt_run(st);
}

static int run_changed(lk_db *db, lk_stmt *st) {
  int rc = lk_stmt_run(st);

  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

int lk_store_agent_update(lk_tx *tx, const lk_agent_row *a) {
  static const char sql[] =
      "UPDATE actors SET name = ?2, presence = ?3, capacity = ?4,"
      " active = ?5, updated_at = ?6 WHERE id = ?1 AND kind = 'medewerker'";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->name);
  lk_stmt_text(st, 3, a->presence);
  lk_stmt_int(st, 4, a->capacity);
  lk_stmt_int(st, 5, a->active ? 1 : 0);
  lk_stmt_int(st, 6, a->updated_at);
  return run_changed(db, st);
}

struct agent_list {
  lk_agent_fn fn;
  void *ud;
};

static void agent_each(lk_stmt *st, void *ud) {
  struct agent_list *al = ud;
  lk_agent_row a;

  agent_row(st, &a);
  al->fn(&a, al->ud);
}

int lk_store_agent_list(lk_store *s, const char *after_id, int limit,
                        lk_agent_fn fn, void *ud) {
  static const char sql[] = "SELECT " AGENT_COLUMNS " FROM actors a"
                            " WHERE a.kind = 'medewerker' AND a.id > ?1"
                            " ORDER BY a.id LIMIT ?2";
  struct agent_list al = {fn, ud};
  int64_t lim = limit;

  if (limit < 1)
    return 0;
  return lk_rows_read(s, sql, &after_id, 1, &lim, 1, agent_each, &al);
}

int lk_store_team_members(lk_store *s, const char *team_id, int limit,
                          lk_agent_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " AGENT_COLUMNS " FROM team_members tm"
      " JOIN actors a ON a.id = tm.actor_id"
      " WHERE tm.team_id = ?1 ORDER BY a.name, a.id LIMIT ?2";
  struct agent_list al = {fn, ud};
  int64_t lim = limit;

  if (limit < 1)
    return 0;
  return lk_rows_read(s, sql, &team_id, 1, &lim, 1, agent_each, &al);
}

/* ---- teams ---------------------------------------------------------- */

#define TEAM_COLUMNS                                                           \
  "t.id, t.name, t.active, t.created_at, t.updated_at,"                        \
  " (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id)"

static void team_row(lk_stmt *st, void *ud) {
  lk_team_row *t = ud;

  lk_store_copy(t->id, sizeof(t->id), lk_stmt_col_text(st, 0));
  lk_store_copy(t->name, sizeof(t->name), lk_stmt_col_text(st, 1));
  t->active = lk_stmt_col_int(st, 2) != 0;
  t->created_at = lk_stmt_col_int(st, 3);
  t->updated_at = lk_stmt_col_int(st, 4);
  t->members = (int)lk_stmt_col_int(st, 5);
}

static const char team_get_sql[] =
    "SELECT " TEAM_COLUMNS " FROM actors t"
    " WHERE t.id = ?1 AND t.kind = 'organisatorische_eenheid'";

int lk_store_team_get_tx(lk_tx *tx, const char *id, lk_team_row *out) {
  lk_team_row t;
  int n = lk_rows(lk_tx_db(tx), team_get_sql, &id, 1, NULL, 0, team_row, &t);

  return lk_rows_one(n, &t, out, sizeof(t));
}

int lk_store_team_get(lk_store *s, const char *id, lk_team_row *out) {
  lk_team_row t;
  int n = lk_rows_read(s, team_get_sql, &id, 1, NULL, 0, team_row, &t);

  return lk_rows_one(n, &t, out, sizeof(t));
}

int lk_store_team_insert(lk_tx *tx, const lk_team_row *t) {
  static const char sql[] =
      "INSERT INTO actors (id, kind, name, active, created_at, updated_at)"
      " VALUES (?1, 'organisatorische_eenheid', ?2, ?3, ?4, ?4)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, t->id);
  lk_stmt_text(st, 2, t->name);
  lk_stmt_int(st, 3, t->active ? 1 : 0);
  lk_stmt_int(st, 4, t->created_at);
  return lk_stmt_run(st);
}

int lk_store_team_update(lk_tx *tx, const lk_team_row *t) {
  static const char sql[] =
      "UPDATE actors SET name = ?2, active = ?3, updated_at = ?4"
      " WHERE id = ?1 AND kind = 'organisatorische_eenheid'";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, t->id);
  lk_stmt_text(st, 2, t->name);
  lk_stmt_int(st, 3, t->active ? 1 : 0);
  lk_stmt_int(st, 4, t->updated_at);
  return run_changed(db, st);
}

int lk_store_team_member_set(lk_tx *tx, const char *team_id,
                             const char *agent_id, bool member, bool *changed) {
  static const char add[] = "INSERT INTO team_members (team_id, actor_id)"
                            " VALUES (?1, ?2) ON CONFLICT DO NOTHING";
  static const char del[] =
      "DELETE FROM team_members WHERE team_id = ?1 AND actor_id = ?2";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, member ? add : del);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, team_id);
  lk_stmt_text(st, 2, agent_id);
  rc = lk_stmt_run(st);
  if (rc == 0)
    *changed = lk_db_changes(db) > 0;
  return rc;
}

struct team_list {
  lk_team_fn fn;
  void *ud;
};

static void team_each(lk_stmt *st, void *ud) {
  struct team_list *tl = ud;
  lk_team_row t;

  team_row(st, &t);
  tl->fn(&t, tl->ud);
}

int lk_store_team_list(lk_store *s, const char *after_id, int limit,
                       lk_team_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " TEAM_COLUMNS " FROM actors t"
      " WHERE t.kind = 'organisatorische_eenheid' AND t.id > ?1"
      " ORDER BY t.id LIMIT ?2";
  struct team_list tl = {fn, ud};
  int64_t lim = limit;

  if (limit < 1)
    return 0;
  return lk_rows_read(s, sql, &after_id, 1, &lim, 1, team_each, &tl);
}

int lk_store_agent_teams(lk_store *s, const char *agent_id, int limit,
                         void (*fn)(const lk_team_row *t, void *ud), void *ud) {
  static const char sql[] =
      "SELECT " TEAM_COLUMNS " FROM team_members tm"
      " JOIN actors t ON t.id = tm.team_id"
      " WHERE tm.actor_id = ?1 ORDER BY t.name, t.id LIMIT ?2";
  struct team_list tl = {fn, ud};
  int64_t lim = limit;

  if (limit < 1)
    return 0;
  return lk_rows_read(s, sql, &agent_id, 1, &lim, 1, team_each, &tl);
}
