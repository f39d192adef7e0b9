/* moderation.c - reports and hidden marks (migration 0022 and the
 * hidden_* columns of 0018; see matching.h). */
#include "store/matching.h"

#include "store/internal.h"

#define REPORT_COLUMNS                                                         \
  "seq, id, reporter_id, target_type, target_id, reason, state, created_at,"   \
  " COALESCE(resolved_at, 0), COALESCE(resolved_by, '')"

static void report_row(lk_stmt *st, void *ud) {
  lk_mx_report_row *r = ud;

  r->seq = lk_stmt_col_int(st, 0);
  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 1));
  lk_store_copy(r->reporter_id, sizeof(r->reporter_id),
                lk_stmt_col_text(st, 2));
  lk_store_copy(r->target_type, sizeof(r->target_type),
                lk_stmt_col_text(st, 3));
  lk_store_copy(r->target_id, sizeof(r->target_id), lk_stmt_col_text(st, 4));
  lk_store_copy(r->reason, sizeof(r->reason), lk_stmt_col_text(st, 5));
  lk_store_copy(r->state, sizeof(r->state), lk_stmt_col_text(st, 6));
  r->created_at = lk_stmt_col_int(st, 7);
  r->resolved_at = lk_stmt_col_int(st, 8);
  lk_store_copy(r->resolved_by, sizeof(r->resolved_by),
                lk_stmt_col_text(st, 9));
}

int lk_store_mx_report_insert(lk_tx *tx, const lk_mx_report_row *r) {
  static const char sql[] =
      "INSERT INTO p_reports (id, reporter_id, target_type, target_id,"
      " reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
      " ON CONFLICT DO NOTHING";
  const char *texts[] = {r->id, r->reporter_id, r->target_type, r->target_id,
                         r->reason};
  int64_t nums[] = {r->created_at};
  int rc = lk_rows_write(tx, sql, texts, 5, nums, 1, true);

  return rc == LK_STORE_NOTFOUND ? LK_STORE_CONFLICT : rc;
}

int lk_store_mx_report_get(lk_store *s, lk_tx *tx, const char *id,
                           lk_mx_report_row *out) {
  static const char sql[] =
      "SELECT " REPORT_COLUMNS " FROM p_reports WHERE id = ?1";
  return lk_row_get(s, tx, sql, id, report_row, out);
}

struct report_list {
  lk_mx_report_fn fn;
  void *ud;
};

static void report_each(lk_stmt *st, void *ud) {
  struct report_list *l = ud;
  lk_mx_report_row r;

  report_row(st, &r);
  l->fn(&r, l->ud);
}

int lk_store_mx_report_list(lk_store *s, const char *state, int64_t after_seq,
                            int limit, lk_mx_report_fn fn, void *ud) {
  /* With a state: p_reports_state, a range scan; without: the key. */
  static const char by_state[] =
      "SELECT " REPORT_COLUMNS " FROM p_reports WHERE state = ?1"
      " AND seq > ?2 ORDER BY seq LIMIT ?3";
  static const char all[] = "SELECT " REPORT_COLUMNS " FROM p_reports"
                            " WHERE seq > ?1 ORDER BY seq LIMIT ?2";
  int64_t nums[] = {after_seq, limit > 0 && limit <= 100 ? limit : 100};
  struct report_list l = {fn, ud};

  if (state != NULL && state[0] != '\0')
    return lk_rows_read(s, by_state, &state, 1, nums, 2, report_each, &l);
  return lk_rows_read(s, all, NULL, 0, nums, 2, report_each, &l);
}

int lk_store_mx_reports_resolve(lk_tx *tx, const char *type, const char *id,
                                const char *report, const char *state,
                                const char *by) {
  static const char by_target[] =
      "UPDATE p_reports SET state = ?3, resolved_at = ?5, resolved_by = ?4"
      " WHERE target_type = ?1 AND target_id = ?2 AND state = 'open'";
  static const char one[] =
      "UPDATE p_reports SET state = ?2, resolved_at = ?4, resolved_by = ?3"
      " WHERE id = ?1 AND state = 'open'";
  int64_t nums[] = {lk_tx_now(tx)};
  int rc;

  if (report != NULL) {
    const char *texts[] = {report, state, by};

    rc = lk_rows_write(tx, one, texts, 3, nums, 1, false);
  } else {
    const char *texts[] = {type, id, state, by};

    rc = lk_rows_write(tx, by_target, texts, 4, nums, 1, false);
  }
  return rc < 0 ? rc : (int)lk_db_changes(lk_tx_db(tx));
}

int lk_store_mx_target_exists(lk_tx *tx, const char *type, const char *id) {
  /* Only what the reporter can see may be reported: visible rows. */
  static const char *const sql[][2] = {
      {"initiative", "SELECT 1 FROM initiatives WHERE id = ?1"
                     " AND published_at IS NOT NULL AND hidden_at IS NULL"},
      {"update", "SELECT 1 FROM initiative_updates u JOIN initiatives i"
                 " ON i.id = u.initiative_id WHERE u.id = ?1"
                 " AND u.hidden_at IS NULL AND i.published_at IS NOT NULL"
                 " AND i.hidden_at IS NULL"},
      {"listing", "SELECT 1 FROM p_listings WHERE id = ?1"
                  " AND hidden_at IS NULL"},
      {"help_need", "SELECT 1 FROM p_help_needs WHERE id = ?1"
                    " AND hidden_at IS NULL"},
      {"message", "SELECT 1 FROM p_messages WHERE id = ?1"
                  " AND hidden_at IS NULL"},
      {"account", "SELECT 1 FROM p_accounts WHERE id = ?1"},
  };

  for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
    if (strcmp(type, sql[i][0]) == 0) {
      int n = lk_rows(lk_tx_db(tx), sql[i][1], &id, 1, NULL, 0, NULL, NULL);

      if (n < 0)
        return n;
      return n > 0 ? 0 : LK_STORE_NOTFOUND;
    }
  }
  return LK_STORE_INVALID;
}

static void author_row(lk_stmt *st, void *ud) {
  char *author = ud;

  lk_store_copy(author, LK_MX_ID_MAX + 1, lk_stmt_col_text(st, 0));
}

/* The statements of one target type: its author and its two updates. */
struct hide_sql {
  const char *type;
  const char *author;
  const char *hide;
  const char *restore;
};

#define HIDE_SQL(type, table, author_col)                                      \
  {                                                                            \
    type, "SELECT " author_col " FROM " table " WHERE id = ?1",                \
        "UPDATE " table " SET hidden_at = ?3, hidden_reason = ?2"              \
        " WHERE id = ?1 AND hidden_at IS NULL",                                \
        "UPDATE " table " SET hidden_at = NULL, hidden_reason = NULL"          \
        " WHERE id = ?1 AND hidden_at IS NOT NULL"                             \
  }

/* A hidden update leaves its initiative's precomputed updates_count
 * (0018), so no count shows what the page no longer does. */
static int update_count(lk_tx *tx, const char *id, int64_t delta) {
  static const char sql[] =
      "UPDATE initiatives SET updates_count = MAX(updates_count + ?2, 0)"
      " WHERE id = (SELECT initiative_id FROM initiative_updates"
      " WHERE id = ?1)";
  return lk_rows_write(tx, sql, &id, 1, &delta, 1, false);
}

int lk_store_mx_hide(lk_tx *tx, const char *type, const char *id,
                     const char *reason, char *author) {
  static const struct hide_sql all[] = {
      HIDE_SQL("initiative", "initiatives", "owner_id"),
      HIDE_SQL("update", "initiative_updates", "author_id"),
      HIDE_SQL("listing", "p_listings", "account_id"),
      HIDE_SQL("help_need", "p_help_needs", "created_by"),
      HIDE_SQL("message", "p_messages", "sender_id"),
  };

  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    int n, rc;

    if (strcmp(type, all[i].type) != 0)
      continue;
    author[0] = '\0';
    n = lk_rows(lk_tx_db(tx), all[i].author, &id, 1, NULL, 0, author_row,
                author);
    if (n < 0)
      return n;
    if (n == 0)
      return LK_STORE_NOTFOUND;
    if (reason != NULL) {
      const char *texts[] = {id, reason};
      int64_t nums[] = {lk_tx_now(tx)};

      rc = lk_rows_write(tx, all[i].hide, texts, 2, nums, 1, true);
    } else {
      rc = lk_rows_write(tx, all[i].restore, &id, 1, NULL, 0, true);
    }
    if (rc == 0 && strcmp(type, "update") == 0)
      rc = update_count(tx, id, reason != NULL ? -1 : 1);
    return rc == LK_STORE_NOTFOUND ? LK_STORE_CONFLICT : rc;
  }
  return LK_STORE_INVALID;
}
