/* actors.c - the SQL of actoren (actors.h). */
#include "store/actors.h"

#include "store/internal.h"
#include "store/kiquery.h"

#define ACTOR_COLUMNS                                                          \
  "id, kind, name, active, identificator, identification,"                     \
  " COALESCE(user_id, ''), created_at, updated_at"

static void actor_row(lk_stmt *st, void *ud) {
  lk_actor_row *a = ud;

  lk_store_copy(a->id, sizeof(a->id), lk_stmt_col_text(st, 0));
  lk_store_copy(a->kind, sizeof(a->kind), lk_stmt_col_text(st, 1));
  lk_store_copy(a->name, sizeof(a->name), lk_stmt_col_text(st, 2));
  a->active = (int)lk_stmt_col_int(st, 3);
  lk_store_copy(a->identificator, sizeof(a->identificator),
                lk_stmt_col_text(st, 4));
  lk_store_copy(a->identification, sizeof(a->identification),
                lk_stmt_col_text(st, 5));
  lk_store_copy(a->user_id, sizeof(a->user_id), lk_stmt_col_text(st, 6));
  a->created_at = lk_stmt_col_int(st, 7);
  a->updated_at = lk_stmt_col_int(st, 8);
}

static const char actor_by_id[] =
    "SELECT " ACTOR_COLUMNS " FROM actors WHERE id = ?1";

int lk_store_actor_get(lk_store *s, const char *id, lk_actor_row *out) {
  return lk_row_get(s, NULL, actor_by_id, id, actor_row, out);
}

int lk_store_actor_get_tx(lk_tx *tx, const char *id, lk_actor_row *out) {
  return lk_row_get(NULL, tx, actor_by_id, id, actor_row, out);
}

static void actor_bind(lk_stmt *st, const void *arg) {
  const lk_actor_row *a = arg;

  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->kind);
  lk_stmt_text(st, 3, a->name);
  lk_stmt_int(st, 4, a->active);
  lk_stmt_text(st, 5, a->identificator);
  lk_stmt_text(st, 6, a->identification);
  lk_stmt_int(st, 7, a->created_at);
  lk_stmt_int(st, 8, a->updated_at);
}

int lk_store_actor_insert(lk_tx *tx, const lk_actor_row *a) {
  static const char sql[] =
      "INSERT INTO actors (id, kind, name, active, identificator,"
      " identification, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  return lk_tx_run(tx, sql, actor_bind, a, false);
}

int lk_store_actor_update(lk_tx *tx, const lk_actor_row *a) {
  static const char sql[] =
      "UPDATE actors SET kind = ?2, name = ?3, active = ?4,"
      " identificator = ?5, identification = ?6, updated_at = ?8"
      " WHERE id = ?1 AND ?7 = ?7";
  return lk_tx_run(tx, sql, actor_bind, a, true);
}

int lk_store_actor_delete(lk_tx *tx, const char *id) {
  static const char in_use[] =
      "SELECT 1 FROM actors WHERE id = ?1 AND user_id IS NOT NULL"
      " UNION ALL SELECT 1 FROM team_members"
      " WHERE team_id = ?1 OR actor_id = ?1"
      " UNION ALL SELECT 1 FROM conversations"
      " WHERE team_id = ?1 OR assignee_id = ?1"
      " UNION ALL SELECT 1 FROM contacts WHERE author_id = ?1"
      " UNION ALL SELECT 1 FROM contact_actors WHERE actor_id = ?1"
      " UNION ALL SELECT 1 FROM task_assignees WHERE actor_id = ?1 LIMIT 1";
  static const char del[] = "DELETE FROM actors WHERE id = ?1";
  int rc = lk_store_ki_exists_tx(tx, in_use, id);

  if (rc != 0)
    return rc < 0 ? rc : LK_STORE_CONFLICT;
  return lk_tx_run_id(tx, del, id, true);
}

#define ACTOR_WHERE                                                            \
  " FROM actors a WHERE"                                                       \
  " (?1 IS NULL OR json_extract(a.identificator, '$.codeObjecttype') = ?1)"    \
  " AND (?2 IS NULL OR json_extract(a.identificator, '$.codeRegister') = ?2)"  \
  " AND (?3 IS NULL OR"                                                        \
  " json_extract(a.identificator, '$.codeSoortObjectId') = ?3)"                \
  " AND (?4 IS NULL OR json_extract(a.identificator, '$.objectId') = ?4)"      \
  " AND (?5 IS NULL OR a.active = CAST(?5 AS INTEGER))"                        \
  " AND (?6 IS NULL OR instr(lower(a.name), lower(?6)) > 0)"                   \
  " AND (?7 IS NULL OR a.kind = ?7)"

int lk_store_actor_page(lk_store *s, const char *const *f, int64_t offset,
                        int limit, char (*ids)[LK_ID], int *n, int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" ACTOR_WHERE;
  static const char page_sql[] =
      "SELECT a.id" ACTOR_WHERE " ORDER BY a.seq LIMIT ?8 OFFSET ?9";

  return lk_store_ki_page(s, count_sql, page_sql, f, 7, offset, limit, ids, n,
                          count);
}
