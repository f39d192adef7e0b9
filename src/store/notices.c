/* notices.c - rows of notices, notice_updates, notice_update_edits and
 * notice_kinds. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/notice_history.h"
#include "store/notices.h"

#define NOTICE_COLUMNS                                                         \
  "n.id, n.kind, n.title, n.body, n.severity, n.area, n.postcodes,"            \
  " n.status, COALESCE(n.starts_at, 0), COALESCE(n.expected_end_at, 0),"       \
  " COALESCE(n.published_at, 0), COALESCE(n.ended_at, 0), n.created_by,"       \
  " COALESCE(n.approved_by, ''), n.version, n.created_at, n.updated_at,"       \
  " (SELECT COUNT(*) FROM notice_updates u WHERE u.notice_id = n.id)"

static void notice_row(lk_stmt *st, void *ud) {
  lk_notice_row *n = ud;

  lk_store_copy(n->id, sizeof(n->id), lk_stmt_col_text(st, 0));
  lk_store_copy(n->kind, sizeof(n->kind), lk_stmt_col_text(st, 1));
  lk_store_copy(n->title, sizeof(n->title), lk_stmt_col_text(st, 2));
  lk_store_copy(n->body, sizeof(n->body), lk_stmt_col_text(st, 3));
  lk_store_copy(n->severity, sizeof(n->severity), lk_stmt_col_text(st, 4));
  lk_store_copy(n->area, sizeof(n->area), lk_stmt_col_text(st, 5));
  lk_store_copy(n->postcodes, sizeof(n->postcodes), lk_stmt_col_text(st, 6));
  lk_store_copy(n->status, sizeof(n->status), lk_stmt_col_text(st, 7));
  n->starts_at = lk_stmt_col_int(st, 8);
  n->expected_end_at = lk_stmt_col_int(st, 9);
  n->published_at = lk_stmt_col_int(st, 10);
  n->ended_at = lk_stmt_col_int(st, 11);
  lk_store_copy(n->created_by, sizeof(n->created_by), lk_stmt_col_text(st, 12));
  lk_store_copy(n->approved_by, sizeof(n->approved_by),
                lk_stmt_col_text(st, 13));
  n->version = lk_stmt_col_int(st, 14);
  n->created_at = lk_stmt_col_int(st, 15);
  n->updated_at = lk_stmt_col_int(st, 16);
  n->updates = (int)lk_stmt_col_int(st, 17);
}

static void flag_row(lk_stmt *st, void *ud) {
  *(bool *)ud = lk_stmt_col_int(st, 0) != 0;
}

int lk_store_notice_kind_get(lk_tx *tx, const char *kind, bool *requires) {
  static const char sql[] =
      "SELECT requires_second_person FROM notice_kinds WHERE kind = ?1";
  bool r = false;
  int n = lk_rows(lk_tx_db(tx), sql, &kind, 1, NULL, 0, flag_row, &r);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *requires = r;
  return 0;
}

int lk_store_notice_kind_set(lk_tx *tx, const char *kind, bool requires) {
  static const char sql[] =
      "UPDATE notice_kinds SET requires_second_person = ?2 WHERE kind = ?1";
  int64_t v = requires ? 1 : 0;

  return lk_rows_write(tx, sql, &kind, 1, &v, 1, true);
}

int lk_store_notice_insert(lk_tx *tx, const lk_notice_row *n) {
  static const char sql[] =
      "INSERT INTO notices (id, kind, title, body, severity, area, postcodes,"
      " status, starts_at, expected_end_at, published_at, created_by,"
      " approved_by, version, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1,"
      " ?14, ?14)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, n->id);
  lk_stmt_text(st, 2, n->kind);
  lk_stmt_text(st, 3, n->title);
  lk_stmt_text(st, 4, n->body);
  lk_stmt_text(st, 5, n->severity);
  lk_stmt_text(st, 6, n->area);
  lk_stmt_text(st, 7, n->postcodes);
  lk_stmt_text(st, 8, n->status);
  lk_stmt_int_opt(st, 9, n->starts_at);
  lk_stmt_int_opt(st, 10, n->expected_end_at);
  lk_stmt_int_opt(st, 11, n->published_at);
  lk_stmt_text(st, 12, n->created_by);
  lk_stmt_text_opt(st, 13, n->approved_by);
  lk_stmt_int(st, 14, n->created_at);
  return lk_stmt_run(st);
}

static const char notice_get_sql[] =
    "SELECT " NOTICE_COLUMNS " FROM notices n WHERE n.id = ?1";

/* The rows are large: read into the caller's row, not a copy. */
int lk_store_notice_get_tx(lk_tx *tx, const char *id, lk_notice_row *out) {
  return lk_row_get(NULL, tx, notice_get_sql, id, notice_row, out);
}

int lk_store_notice_get(lk_store *s, const char *id, lk_notice_row *out) {
  return lk_row_get(s, NULL, notice_get_sql, id, notice_row, out);
}

int lk_store_notice_update(lk_tx *tx, const lk_notice_row *n) {
  static const char sql[] =
      "UPDATE notices SET title = ?2, body = ?3, severity = ?4, area = ?5,"
      " postcodes = ?6, status = ?7, starts_at = ?8, expected_end_at = ?9,"
      " published_at = ?10, ended_at = ?11, approved_by = ?12,"
      " version = version + 1, updated_at = ?13 WHERE id = ?1";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, n->id);
  lk_stmt_text(st, 2, n->title);
  lk_stmt_text(st, 3, n->body);
  lk_stmt_text(st, 4, n->severity);
  lk_stmt_text(st, 5, n->area);
  lk_stmt_text(st, 6, n->postcodes);
  lk_stmt_text(st, 7, n->status);
  lk_stmt_int_opt(st, 8, n->starts_at);
  lk_stmt_int_opt(st, 9, n->expected_end_at);
  lk_stmt_int_opt(st, 10, n->published_at);
  lk_stmt_int_opt(st, 11, n->ended_at);
  lk_stmt_text_opt(st, 12, n->approved_by);
  lk_stmt_int(st, 13, n->updated_at);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

int lk_store_notice_update_insert(lk_tx *tx, const lk_notice_update_row *u) {
  static const char sql[] =
      "INSERT INTO notice_updates (id, notice_id, body, author, published_at,"
      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
  const char *texts[] = {u->id, u->notice_id, u->body, u->author};

  return lk_rows_write(tx, sql, texts, 4, &u->published_at, 1, false);
}

#define UPDATE_COLUMNS                                                         \
  "u.id, u.notice_id, u.body, u.author, u.published_at,"                       \
  " COALESCE(u.edited_at, 0),"                                                 \
  " (SELECT COUNT(*) FROM notice_update_edits e WHERE e.update_id = u.id)"

static void update_row(lk_stmt *st, void *ud) {
  lk_notice_update_row *u = ud;

  lk_store_copy(u->id, sizeof(u->id), lk_stmt_col_text(st, 0));
  lk_store_copy(u->notice_id, sizeof(u->notice_id), lk_stmt_col_text(st, 1));
  lk_store_copy(u->body, sizeof(u->body), lk_stmt_col_text(st, 2));
  lk_store_copy(u->author, sizeof(u->author), lk_stmt_col_text(st, 3));
  u->published_at = lk_stmt_col_int(st, 4);
  u->edited_at = lk_stmt_col_int(st, 5);
  u->edits = (int)lk_stmt_col_int(st, 6);
}

static const char update_get_sql[] =
    "SELECT " UPDATE_COLUMNS " FROM notice_updates u WHERE u.id = ?1";

int lk_store_notice_update_get_tx(lk_tx *tx, const char *id,
                                  lk_notice_update_row *out) {
  return lk_row_get(NULL, tx, update_get_sql, id, update_row, out);
}

int lk_store_notice_update_get(lk_store *s, const char *id,
                               lk_notice_update_row *out) {
  return lk_row_get(s, NULL, update_get_sql, id, update_row, out);
}

int lk_store_notice_update_edit(lk_tx *tx, const char *id, const char *body,
                                const char *editor, int64_t now) {
  static const char keep[] =
      "INSERT INTO notice_update_edits (update_id, previous_body, edited_by,"
      " edited_at) SELECT id, body, ?2, ?3 FROM notice_updates WHERE id = ?1";
  static const char set[] =
      "UPDATE notice_updates SET body = ?2, edited_at = ?3 WHERE id = ?1";
  const char *k[] = {id, editor};
  const char *t[] = {id, body};
  int rc = lk_rows_write(tx, keep, k, 2, &now, 1, true);

  if (rc == 0)
    rc = lk_rows_write(tx, set, t, 2, &now, 1, true);
  return rc;
}

struct notice_each {
  lk_notice_fn fn;
  void *ud;
  lk_notice_row *row;
};

static void notice_each(lk_stmt *st, void *ud) {
  struct notice_each *ne = ud;

  notice_row(st, ne->row);
  ne->fn(ne->row, ne->ud);
}

int lk_store_notice_list(lk_store *s, const char *after_id, int limit,
                         lk_notice_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " NOTICE_COLUMNS " FROM notices n"
      " WHERE ?1 = '' OR n.seq < (SELECT seq FROM notices WHERE id = ?1)"
      " ORDER BY n.seq DESC LIMIT ?2";
  struct notice_each ne = {fn, ud, malloc(sizeof(lk_notice_row))};
  int64_t lim = limit;
  int rc;

  if (ne.row == NULL)
    return LK_STORE_NOMEM;
  rc = lk_rows_read(s, sql, &after_id, 1, &lim, 1, notice_each, &ne);
  free(ne.row);
  return rc;
}

struct update_each {
  lk_notice_update_fn fn;
  void *ud;
};

static void update_each(lk_stmt *st, void *ud) {
  struct update_each *ue = ud;
  lk_notice_update_row u;

  update_row(st, &u);
  ue->fn(&u, ue->ud);
}

int lk_store_notice_updates(lk_store *s, const char *notice_id, int limit,
                            lk_notice_update_fn fn, void *ud) {
  static const char sql[] = "SELECT " UPDATE_COLUMNS " FROM notice_updates u"
                            " WHERE u.notice_id = ?1"
                            " ORDER BY u.published_at DESC, u.seq DESC"
                            " LIMIT ?2";
  struct update_each ue = {fn, ud};
  int64_t lim = limit;

  return lk_rows_read(s, sql, &notice_id, 1, &lim, 1, update_each, &ue);
}

int lk_store_notice_update_hide(lk_tx *tx, const char *id) {
  static const char sql[] =
      "UPDATE notice_update_edits SET public = 0 WHERE update_id = ?1";

  return lk_tx_run_id(tx, sql, id, false);
}

int lk_store_notice_update_edits(lk_store *s, const char *update_id,
                                 int64_t before_seq, int limit,
                                 lk_notice_edit_fn fn, void *ud) {
  static const char sql[] =
      "SELECT seq, NULL, previous_body, edited_by, edited_at, public"
      " FROM notice_update_edits WHERE update_id = ?1"
      " AND (?2 = 0 OR seq < ?2) ORDER BY seq DESC LIMIT ?3";

  return lk_history_edits(s, sql, update_id, false, before_seq, limit, fn, ud);
}
