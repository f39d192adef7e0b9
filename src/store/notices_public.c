/* notices_public.c - public reads of notices and their updates. */
#include "store/notices_public.h"

#include "store/internal.h"
#include "store/notice_history.h"

#define NOTICE_COLUMNS                                                         \
  "n.id, n.kind, n.title, n.body, n.severity, n.area, n.postcodes,"            \
  " n.status, COALESCE(n.starts_at, 0), COALESCE(n.expected_end_at, 0),"       \
  " COALESCE(n.published_at, 0), COALESCE(n.ended_at, 0),"                     \
  " MAX(COALESCE(n.published_at, 0), COALESCE((SELECT MAX(u.published_at)"     \
  " FROM notice_updates u WHERE u.notice_id = n.id), 0))"

struct notice_ctx {
  lk_notice_pub_fn fn;
  void *ud;
};

static void notice_row(lk_stmt *st, void *ud) {
  struct notice_ctx *c = ud;
  lk_notice_pub n = {
      .id = lk_stmt_col_text(st, 0),
      .kind = lk_stmt_col_text(st, 1),
      .title = lk_stmt_col_text(st, 2),
      .body = lk_stmt_col_text(st, 3),
      .severity = lk_stmt_col_text(st, 4),
      .area = lk_stmt_col_text(st, 5),
      .postcodes = lk_stmt_col_text(st, 6),
      .status = lk_stmt_col_text(st, 7),
      .starts_at = lk_stmt_col_int(st, 8),
      .expected_end_at = lk_stmt_col_int(st, 9),
      .published_at = lk_stmt_col_int(st, 10),
      .ended_at = lk_stmt_col_int(st, 11),
      .last_change_at = lk_stmt_col_int(st, 12),
  };

  c->fn(&n, c->ud);
}

int lk_store_notices_current(lk_store *s, int limit, lk_notice_pub_fn fn,
                             void *ud) {
  static const char sql[] =
      "SELECT " NOTICE_COLUMNS " FROM notices n WHERE n.status = ?1"
      " ORDER BY CASE n.severity WHEN 'zeer-ernstig' THEN 4"
      " WHEN 'ernstig' THEN 3 WHEN 'waarschuwing' THEN 2 ELSE 1 END DESC,"
      " 13 DESC, n.seq DESC LIMIT ?2";
  struct notice_ctx c = {fn, ud};

  if (limit < 1)
    return 0;
  if (limit > LK_NOTICES_PUBLIC_MAX)
    limit = LK_NOTICES_PUBLIC_MAX;
  return lk_store_query(s, sql, "published", limit, notice_row, &c);
}

int lk_store_notice_public(lk_store *s, const char *id, lk_notice_pub_fn fn,
                           void *ud) {
  static const char sql[] =
      "SELECT " NOTICE_COLUMNS " FROM notices n WHERE n.id = ?1"
      " AND n.status IN ('published', 'ended')";
  struct notice_ctx c = {fn, ud};
  int n = lk_store_query(s, sql, id, 0, notice_row, &c);

  return n == 0 ? LK_STORE_NOTFOUND : n < 0 ? n : 0;
}

#define UPDATE_COLUMNS                                                         \
  "u.id, u.notice_id, n.title, u.body, u.published_at,"                        \
  " COALESCE(u.edited_at, 0)"

struct update_ctx {
  lk_notice_update_pub_fn fn;
  void *ud;
  const lk_history *history; /* NULL: none wanted */
};

static void update_row(lk_stmt *st, void *ud) {
  struct update_ctx *c = ud;
  lk_notice_update_pub u = {
      .id = lk_stmt_col_text(st, 0),
      .notice_id = lk_stmt_col_text(st, 1),
      .notice_title = lk_stmt_col_text(st, 2),
      .body = lk_stmt_col_text(st, 3),
      .published_at = lk_stmt_col_int(st, 4),
      .edited_at = lk_stmt_col_int(st, 5),
  };

  if (c->history != NULL)
    lk_history_of(c->history, u.id, &u.history, &u.nhistory, &u.history_total);
  c->fn(&u, c->ud);
}

/* The public earlier texts of a notice's updates, at most
 * LK_NOTICE_HISTORY_SHOWN (?2) each, with each update's total. */
static const char history_sql[] =
    "SELECT item, NULL, body, edited_at, total FROM (SELECT"
    " e.update_id AS item, e.previous_body AS body, e.edited_at, e.seq,"
    " ROW_NUMBER() OVER (PARTITION BY e.update_id ORDER BY e.seq DESC) AS rn,"
    " COUNT(*) OVER (PARTITION BY e.update_id) AS total"
    " FROM notice_update_edits e JOIN notice_updates u ON u.id = e.update_id"
    " WHERE u.notice_id = ?1 AND e.public = 1) h"
    " WHERE rn <= ?2 ORDER BY item, seq DESC";

int lk_store_public_notice_updates(lk_store *s, const char *id, int limit,
                                   lk_notice_update_pub_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " UPDATE_COLUMNS " FROM notice_updates u"
      " JOIN notices n ON n.id = u.notice_id WHERE u.notice_id = ?1"
      " ORDER BY u.published_at DESC, u.seq DESC LIMIT ?2";
  struct update_ctx c = {fn, ud, NULL};
  lk_history h;
  int rc;

  if (limit < 1)
    return 0;
  rc = lk_history_load(s, history_sql, id, &h);
  c.history = &h;
  if (rc == 0)
    rc = lk_store_query(s, sql, id, limit, update_row, &c);
  lk_history_free(&h);
  return rc;
}

int lk_store_notice_updates_current(lk_store *s, int limit,
                                    lk_notice_update_pub_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " UPDATE_COLUMNS " FROM notice_updates u"
      " JOIN notices n ON n.id = u.notice_id WHERE n.status = ?1"
      " ORDER BY u.published_at DESC, u.seq DESC LIMIT ?2";
  struct update_ctx c = {fn, ud, NULL};

  if (limit < 1)
    return 0;
  return lk_store_query(s, sql, "published", limit, update_row, &c);
}
