/* console.c - rows of canned_answers, conversation_reads and
 * conversation_viewers (migration 0017), and the unread questions. */
#include "store/console.h"

#include <stdlib.h>
#include <string.h>

#include "store/conv_filter.h"
#include "store/internal.h"

/* ---- canned answers ------------------------------------------------- */

static void bind_canned(lk_stmt *st, const void *arg) {
  const lk_canned_row *a = arg;

  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->scope);
  lk_stmt_text_opt(st, 3, a->owner_user);
  lk_stmt_text_opt(st, 4, a->team_id);
  lk_stmt_text(st, 5, a->title);
  lk_stmt_text_opt(st, 6, a->shortcut);
  lk_stmt_text(st, 7, a->body);
  lk_stmt_int(st, 8, a->version);
  lk_stmt_text(st, 9, a->created_by);
  lk_stmt_int(st, 10, a->created_at);
  lk_stmt_int(st, 11, a->updated_at);
}

int lk_store_canned_insert(lk_tx *tx, const lk_canned_row *a) {
  static const char sql[] =
      "INSERT INTO canned_answers (id, scope, owner_user, team_id, title,"
      " shortcut, body, version, created_by, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

  return lk_tx_run(tx, sql, bind_canned, a, false);
}

int lk_store_canned_update(lk_tx *tx, const lk_canned_row *a) {
  static const char sql[] =
      "UPDATE canned_answers SET title = ?5, shortcut = ?6, body = ?7,"
      " version = ?8, updated_at = ?11"
      " WHERE id = ?1";

  return lk_tx_run(tx, sql, bind_canned, a, true);
}

int lk_store_canned_delete(lk_tx *tx, const char *id) {
  return lk_tx_run_id(tx, "DELETE FROM canned_answers WHERE id = ?1", id, true);
}

#define CANNED_COLUMNS                                                         \
  "a.id, a.scope, COALESCE(a.owner_user, ''), COALESCE(a.team_id, ''),"        \
  " a.title, COALESCE(a.shortcut, ''), a.body, a.version, a.created_by,"       \
  " a.created_at, a.updated_at"

static void canned_cols(lk_stmt *st, lk_canned_row *a) {
  lk_store_copy(a->id, sizeof(a->id), lk_stmt_col_text(st, 0));
  lk_store_copy(a->scope, sizeof(a->scope), lk_stmt_col_text(st, 1));
  lk_store_copy(a->owner_user, sizeof(a->owner_user), lk_stmt_col_text(st, 2));
  lk_store_copy(a->team_id, sizeof(a->team_id), lk_stmt_col_text(st, 3));
  lk_store_copy(a->title, sizeof(a->title), lk_stmt_col_text(st, 4));
  lk_store_copy(a->shortcut, sizeof(a->shortcut), lk_stmt_col_text(st, 5));
  lk_store_copy(a->body, sizeof(a->body), lk_stmt_col_text(st, 6));
  a->version = lk_stmt_col_int(st, 7);
  lk_store_copy(a->created_by, sizeof(a->created_by), lk_stmt_col_text(st, 8));
  a->created_at = lk_stmt_col_int(st, 9);
  a->updated_at = lk_stmt_col_int(st, 10);
}

static void canned_get_row(lk_stmt *st, void *ud) {
  canned_cols(st, ud);
}

int lk_store_canned_get(lk_store *s, lk_tx *tx, const char *id,
                        lk_canned_row *out) {
  static const char sql[] =
      "SELECT " CANNED_COLUMNS " FROM canned_answers a WHERE a.id = ?1";

  return lk_row_get(s, tx, sql, id, canned_get_row, out);
}

struct canned_list_ctx {
  lk_canned_fn fn;
  void *ud;
  lk_canned_row *row;
};

static void canned_list_row(lk_stmt *st, void *ud) {
  struct canned_list_ctx *c = ud;

  canned_cols(st, c->row);
  c->fn(c->row, c->ud);
}

int lk_store_canned_list(lk_store *s, const lk_canned_filter *f,
                         lk_canned_fn fn, void *ud) {
  /* The table holds what a contact centre writes by hand (hundreds, not
   * millions); the walk is by id and stops at `limit`.  lower() folds
   * ASCII only, which is what the API promises. */
  static const char sql[] =
      "SELECT " CANNED_COLUMNS " FROM canned_answers a"
      " WHERE a.id > ?1"
      " AND ((a.scope = 'personal' AND a.owner_user = ?2)"
      "  OR a.scope = 'everyone'"
      "  OR (a.scope = 'team' AND (?8 = 1 OR a.team_id IN"
      "   (SELECT m.team_id FROM team_members m WHERE m.actor_id = ?3))))"
      " AND (?4 IS NULL OR a.scope = ?4)"
      " AND (?5 IS NULL OR a.team_id = ?5)"
      " AND (?6 IS NULL OR instr(lower(a.title), ?6) > 0"
      "  OR instr(COALESCE(a.shortcut, ''), ?6) > 0)"
      " ORDER BY a.id LIMIT ?7";
  const char *texts[] = {
      f->after != NULL ? f->after : "",
      f->user_id != NULL && f->user_id[0] != '\0' ? f->user_id : NULL,
      f->actor_id != NULL ? f->actor_id : "",
      lk_conv_nz(f->scope),
      lk_conv_nz(f->team_id),
      lk_conv_nz(f->q)};
  int64_t nums[] = {f->limit, f->all_teams ? 1 : 0};
  struct canned_list_ctx c = {fn, ud, malloc(sizeof(lk_canned_row))};
  int n;

  if (c.row == NULL)
    return LK_STORE_NOMEM;
  n = lk_rows_read(s, sql, texts, 6, nums, 2, canned_list_row, &c);
  free(c.row);
  return n;
}

int lk_store_team_member_check(lk_store *s, lk_tx *tx, const char *team_id,
                               const char *actor_id) {
  static const char sql[] = "SELECT 1 FROM team_members"
                            " WHERE team_id = ?1 AND actor_id = ?2";
  const char *texts[] = {team_id, actor_id};
  int n = tx == NULL
              ? lk_rows_read(s, sql, texts, 2, NULL, 0, NULL, NULL)
              : lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, NULL, NULL);

  if (n < 0)
    return n;
  return n > 0 ? 0 : LK_STORE_NOTFOUND;
}

struct name_ctx {
  char *out;
  size_t size;
};

static void name_row(lk_stmt *st, void *ud) {
  struct name_ctx *c = ud;

  lk_store_copy(c->out, c->size, lk_stmt_col_text(st, 0));
}

int lk_store_console_name(lk_store *s, const char *actor_id,
                          const char *user_id, char *out, size_t size) {
  static const char sql[] =
      "SELECT COALESCE((SELECT name FROM actors WHERE id = ?1),"
      " (SELECT display_name FROM staff_users WHERE id = ?2), '')";
  const char *texts[] = {actor_id != NULL ? actor_id : "",
                         user_id != NULL ? user_id : ""};
  struct name_ctx c = {out, size};
  int n;

  if (size > 0)
    out[0] = '\0';
  n = lk_rows_read(s, sql, texts, 2, NULL, 0, name_row, &c);
  return n < 0 ? n : 0;
}

/* ---- categories ----------------------------------------------------- */

struct category_ctx {
  lk_category_fn fn;
  void *ud;
};

static void category_row(lk_stmt *st, void *ud) {
  struct category_ctx *c = ud;

  c->fn(lk_stmt_col_text(st, 0), lk_stmt_col_text(st, 1), c->ud);
}

int lk_store_category_list(lk_store *s, const char *after, const char *q,
                           int limit, lk_category_fn fn, void *ud) {
  /* Walks the unique index on name from the cursor; a contact centre has
   * tens or hundreds of categories, so the filter's walk stays short. */
  static const char sql[] = "SELECT id, name FROM categories"
                            " WHERE name > ?1"
                            " AND (?2 IS NULL OR instr(lower(name), ?2) > 0)"
                            " ORDER BY name LIMIT ?3";
  const char *texts[] = {after != NULL ? after : "", q};
  int64_t lim = limit;
  struct category_ctx c = {fn, ud};

  return lk_rows_read(s, sql, texts, 2, &lim, 1, category_row, &c);
}

/* ---- read marks and unread ------------------------------------------ */

static void int_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_read_mark(lk_tx *tx, const char *reader, const char *conv_id,
                       int64_t *read_seq) {
  /* read_at is the newest contact's time: "anything newer" then starts
   * a range on contacts_conversation instead of walking the whole
   * conversation. */
  static const char upsert[] =
      "INSERT INTO conversation_reads (reader, conversation_id, read_seq,"
      " read_at)"
      " SELECT ?1, ?2, MAX(k.seq), MAX(k.occurred_at) FROM contacts k"
      " WHERE k.conversation_id = ?2 HAVING MAX(k.seq) IS NOT NULL"
      " ON CONFLICT (reader, conversation_id) DO UPDATE SET"
      " read_seq = excluded.read_seq,"
      " read_at = MAX(read_at, excluded.read_at)"
      " WHERE excluded.read_seq > read_seq";
  static const char get[] = "SELECT read_seq FROM conversation_reads"
                            " WHERE reader = ?1 AND conversation_id = ?2";
  const char *texts[] = {reader, conv_id};
  int64_t seq = 0;
  int rc = lk_rows_write(tx, upsert, texts, 2, NULL, 0, false);

  if (rc == 0)
    rc = lk_rows(lk_tx_db(tx), get, texts, 2, NULL, 0, int_row, &seq);
  if (rc < 0)
    return rc;
  *read_seq = seq;
  return 0;
}

/* True when conversation c.id holds a contact the reader may see, did not
 * write and has not read: a range of contacts_conversation from the mark's
 * time.  ?1 reader (through r), ?2 the reader's actor, ?3 may_confidential. */
#define UNREAD_EXPR(conv)                                                      \
  "EXISTS (SELECT 1 FROM contacts k WHERE k.conversation_id = " conv           \
  " AND k.occurred_at >= COALESCE(r.read_at, 0)"                               \
  " AND k.seq > COALESCE(r.read_seq, 0)"                                       \
  " AND (k.author_id IS NULL OR k.author_id <> ?2)"                            \
  " AND (?3 = 1 OR k.confidential = 0))"

static const char unread_sql[] =
    "SELECT " UNREAD_EXPR("?4") " FROM (SELECT 1)"
                                " LEFT JOIN conversation_reads r"
                                " ON r.reader = ?1 AND r.conversation_id = ?4";

int lk_store_unread_flags(lk_store *s, const lk_unread_who *who,
                          const char *const *ids, int n, bool *out) {
  int64_t flag;
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  for (int i = 0; i < n && rc >= 0; i++) {
    lk_stmt *st = lk_db_stmt(db, unread_sql);

    flag = 0;
    if (st == NULL) {
      rc = LK_STORE_IO;
      break;
    }
    lk_stmt_text(st, 1, who->reader);
    lk_stmt_text(st, 2, who->actor_id);
    lk_stmt_int(st, 3, who->may_confidential ? 1 : 0);
    lk_stmt_text(st, 4, ids[i]);
    rc = lk_stmt_step(st);
    if (rc == LK_DB_ROW)
      flag = lk_stmt_col_int(st, 0);
    lk_stmt_done(st);
    if (rc == LK_DB_ROW)
      rc = 0;
    out[i] = flag != 0;
  }
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : 0;
}

struct count_ctx {
  lk_console_count *c;
  int cap;
};

static void count_row(lk_stmt *st, void *ud) {
  struct count_ctx *x = ud;
  int64_t n = lk_stmt_col_int(st, 0);
  int64_t u = lk_stmt_col_int(st, 1);

  x->c->more = n > x->cap;
  x->c->open = n > x->cap ? x->cap : n;
  x->c->unread = u > x->c->open ? x->c->open : u;
}

/* The open conversations `where` selects, at most cap + 1 of them read off
 * its index, and how many of those are unread. */
#define COUNT_SQL(where)                                                       \
  "SELECT COUNT(*), COALESCE(SUM(u), 0) FROM (SELECT " UNREAD_EXPR(            \
      "c.id") " AS u FROM conversations c LEFT JOIN conversation_reads r"      \
              " ON r.reader = ?1 AND r.conversation_id = c.id"                 \
              " WHERE " where " AND c.status = 'open'"                         \
              " AND (?3 = 1 OR c.confidential = 0) LIMIT ?4)"

static int count_one(lk_db *db, const char *sql, const lk_unread_who *who,
                     int cap, lk_console_count *out) {
  const char *texts[] = {who->reader, who->actor_id};
  int64_t nums[] = {who->may_confidential ? 1 : 0, (int64_t)cap + 1};
  struct count_ctx x = {out, cap};
  int n = lk_rows(db, sql, texts, 2, nums, 2, count_row, &x);

  return n < 0 ? n : 0;
}

static const char mine_sql[] = COUNT_SQL("c.assignee_id = ?2");
static const char none_sql[] = COUNT_SQL("c.assignee_id IS NULL");
static const char teams_sql[] =
    COUNT_SQL("c.team_id IN (SELECT m.team_id FROM team_members m"
              " WHERE m.actor_id = ?2)");
static const char all_sql[] = COUNT_SQL("1 = 1");

int lk_store_console_counts(lk_store *s, const lk_unread_who *who, int cap,
                            lk_console_count *mine,
                            lk_console_count *unassigned,
                            lk_console_count *teams, lk_console_count *all) {
  bool staff = who->actor_id != NULL && who->actor_id[0] != '\0';
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  memset(mine, 0, sizeof(*mine));
  memset(teams, 0, sizeof(*teams));
  if (staff)
    rc = count_one(db, mine_sql, who, cap, mine);
  if (rc == 0)
    rc = count_one(db, none_sql, who, cap, unassigned);
  if (rc == 0 && staff)
    rc = count_one(db, teams_sql, who, cap, teams);
  if (rc == 0)
    rc = count_one(db, all_sql, who, cap, all);
  lk_store_reader_release(s, db);
  return rc;
}

/* ---- viewers -------------------------------------------------------- */

#define VIEWER_COLUMNS                                                         \
  "v.conversation_id, v.user_id, COALESCE(v.actor_id, ''), v.state,"           \
  " v.since, v.expires_at, v.confidential"

static void viewer_cols(lk_stmt *st, lk_viewer_row *v) {
  memset(v, 0, sizeof(*v));
  lk_store_copy(v->conversation_id, sizeof(v->conversation_id),
                lk_stmt_col_text(st, 0));
  lk_store_copy(v->user_id, sizeof(v->user_id), lk_stmt_col_text(st, 1));
  lk_store_copy(v->actor_id, sizeof(v->actor_id), lk_stmt_col_text(st, 2));
  lk_store_copy(v->state, sizeof(v->state), lk_stmt_col_text(st, 3));
  v->since = lk_stmt_col_int(st, 4);
  v->expires_at = lk_stmt_col_int(st, 5);
  v->confidential = lk_stmt_col_int(st, 6) != 0;
}

static void viewer_get_row(lk_stmt *st, void *ud) {
  viewer_cols(st, ud);
}

int lk_store_viewer_get_tx(lk_tx *tx, const char *conv_id, const char *user_id,
                           lk_viewer_row *out) {
  static const char sql[] =
      "SELECT " VIEWER_COLUMNS " FROM conversation_viewers v"
      " WHERE v.conversation_id = ?1 AND v.user_id = ?2";
  const char *texts[] = {conv_id, user_id};
  lk_viewer_row row;
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, viewer_get_row, &row);

  return lk_rows_one(n, &row, out, sizeof(*out));
}

static void bind_viewer(lk_stmt *st, const void *arg) {
  const lk_viewer_row *v = arg;

  lk_stmt_text(st, 1, v->conversation_id);
  lk_stmt_text(st, 2, v->user_id);
  lk_stmt_text_opt(st, 3, v->actor_id);
  lk_stmt_text(st, 4, v->state);
  lk_stmt_int(st, 5, v->since);
  lk_stmt_int(st, 6, v->expires_at);
  lk_stmt_int(st, 7, v->confidential ? 1 : 0);
}

int lk_store_viewer_put(lk_tx *tx, const lk_viewer_row *v) {
  static const char sql[] =
      "INSERT INTO conversation_viewers (conversation_id, user_id, actor_id,"
      " state, since, expires_at, confidential)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
      " ON CONFLICT (conversation_id, user_id) DO UPDATE SET"
      " actor_id = excluded.actor_id, state = excluded.state,"
      " since = excluded.since, expires_at = excluded.expires_at,"
      " confidential = excluded.confidential";

  return lk_tx_run(tx, sql, bind_viewer, v, false);
}

int lk_store_viewer_delete(lk_tx *tx, const char *conv_id, const char *user_id,
                           bool *deleted) {
  static const char sql[] = "DELETE FROM conversation_viewers"
                            " WHERE conversation_id = ?1 AND user_id = ?2";
  const char *texts[] = {conv_id, user_id};
  int rc = lk_rows_write(tx, sql, texts, 2, NULL, 0, false);

  if (rc == 0)
    *deleted = lk_db_changes(lk_tx_db(tx)) > 0;
  return rc;
}

struct viewer_list_ctx {
  lk_viewer_fn fn;
  void *ud;
  bool named;
};

static void viewer_list_row(lk_stmt *st, void *ud) {
  struct viewer_list_ctx *c = ud;
  lk_viewer_row v;

  viewer_cols(st, &v);
  if (c->named)
    lk_store_copy(v.name, sizeof(v.name), lk_stmt_col_text(st, 7));
  c->fn(&v, c->ud);
}

int lk_store_viewers(lk_store *s, const char *conv_id, int64_t now, int limit,
                     lk_viewer_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " VIEWER_COLUMNS ","
      " COALESCE((SELECT a.name FROM actors a WHERE a.id = v.actor_id),"
      " (SELECT u.display_name FROM staff_users u WHERE u.id = v.user_id), '')"
      " FROM conversation_viewers v"
      " WHERE v.conversation_id = ?1 AND v.expires_at > ?2"
      " ORDER BY v.since, v.user_id LIMIT ?3";
  int64_t nums[] = {now, limit};
  struct viewer_list_ctx c = {fn, ud, true};

  return lk_rows_read(s, sql, &conv_id, 1, nums, 2, viewer_list_row, &c);
}

int lk_store_viewers_expired_any(lk_store *s, int64_t now) {
  static const char sql[] =
      "SELECT 1 FROM conversation_viewers WHERE expires_at <= ?1 LIMIT 1";
  int n = lk_rows_read(s, sql, NULL, 0, &now, 1, NULL, NULL);

  return n < 0 ? n : n > 0;
}

int lk_store_viewers_expired(lk_tx *tx, int64_t now, int limit, lk_viewer_fn fn,
                             void *ud) {
  static const char sql[] =
      "SELECT " VIEWER_COLUMNS " FROM conversation_viewers v"
      " WHERE v.expires_at <= ?1"
      " ORDER BY v.expires_at LIMIT ?2";
  int64_t nums[] = {now, limit};
  struct viewer_list_ctx c = {fn, ud, false};

  return lk_rows(lk_tx_db(tx), sql, NULL, 0, nums, 2, viewer_list_row, &c);
}

int lk_store_viewer_delete_expired(lk_tx *tx, const char *conv_id,
                                   const char *user_id, int64_t now,
                                   bool *deleted) {
  static const char sql[] = "DELETE FROM conversation_viewers"
                            " WHERE conversation_id = ?1 AND user_id = ?2"
                            " AND expires_at <= ?3";
  const char *texts[] = {conv_id, user_id};
  int rc = lk_rows_write(tx, sql, texts, 2, &now, 1, false);

  if (rc == 0)
    *deleted = lk_db_changes(lk_tx_db(tx)) > 0;
  return rc;
}

const char *lk_store_console_sql(int i) {
  static const char *const all[] = {unread_sql, mine_sql, none_sql, teams_sql,
                                    all_sql};

  return i >= 0 && i < 5 ? all[i] : NULL;
}
