/* matching.c - the rows of joining, help needs, offers and needs, matches
 * and messages (migration 0022; see matching.h).  Reports and hiding are
 * in moderation.c. */
#include "store/matching.h"

#include "store/internal.h"

#include <stdlib.h>

/* ---- accounts and blocks ---------------------------------------------------
 */

static void account_row(lk_stmt *st, void *ud) {
  lk_mx_account *a = ud;

  lk_store_copy(a->id, sizeof(a->id), lk_stmt_col_text(st, 0));
  lk_store_copy(a->email, sizeof(a->email), lk_stmt_col_text(st, 1));
  lk_store_copy(a->name, sizeof(a->name), lk_stmt_col_text(st, 2));
  a->blocked = lk_stmt_col_int(st, 3) != 0;
}

int lk_store_mx_account(lk_tx *tx, const char *id, lk_mx_account *out) {
  /* A disabled account (0018) is as blocked as one blocked here. */
  static const char sql[] =
      "SELECT a.id, a.email, a.display_name,"
      " a.disabled_at IS NOT NULL OR b.account_id IS NOT NULL"
      " FROM p_accounts a LEFT JOIN p_account_blocks b ON b.account_id = a.id"
      " WHERE a.id = ?1";

  return lk_row_get(NULL, tx, sql, id, account_row, out);
}

static void one_int(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_mx_blocked(lk_store *s, const char *id, bool *out) {
  static const char sql[] =
      "SELECT count(*) FROM p_account_blocks WHERE account_id = ?1";
  int64_t n = 0;
  int rc = lk_rows_read(s, sql, &id, 1, NULL, 0, one_int, &n);

  if (rc < 0)
    return rc;
  *out = n > 0;
  return 0;
}

int lk_store_mx_block(lk_tx *tx, const char *account, const char *reason,
                      const char *by) {
  static const char sql[] =
      "INSERT INTO p_account_blocks (account_id, reason, blocked_at,"
      " blocked_by) VALUES (?1, ?2, ?4, ?3) ON CONFLICT DO NOTHING";
  const char *texts[] = {account, reason, by};
  int64_t nums[] = {lk_tx_now(tx)};
  int rc = lk_rows_write(tx, sql, texts, 3, nums, 1, true);

  return rc == LK_STORE_NOTFOUND ? LK_STORE_CONFLICT : rc;
}

int lk_store_mx_unblock(lk_tx *tx, const char *account) {
  static const char sql[] =
      "DELETE FROM p_account_blocks WHERE account_id = ?1";
  return lk_rows_write(tx, sql, &account, 1, NULL, 0, true);
}

int lk_store_mx_org_member(lk_tx *tx, const char *org, const char *account,
                           bool *out) {
  static const char sql[] =
      "SELECT count(*) FROM p_organisation_members m JOIN p_organisations o"
      " ON o.id = m.organisation_id WHERE m.organisation_id = ?1"
      " AND m.account_id = ?2 AND o.hidden_at IS NULL";
  const char *texts[] = {org, account};
  int64_t n = 0;
  int rc = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, one_int, &n);

  if (rc < 0)
    return rc;
  *out = n > 0;
  return 0;
}

/* ---- joining ----------------------------------------------------------- */

struct init_check {
  bool found, visible, organiser, joinable;
};

static void init_check_row(lk_stmt *st, void *ud) {
  struct init_check *c = ud;

  c->found = true;
  c->visible = lk_stmt_col_int(st, 0) != 0;
  c->organiser = lk_stmt_col_int(st, 1) != 0;
  c->joinable = lk_stmt_col_int(st, 2) != 0;
}

int lk_store_mx_initiative_check(lk_tx *tx, const char *initiative,
                                 const char *account, bool *organiser,
                                 bool *joinable) {
  static const char sql[] =
      "SELECT i.published_at IS NOT NULL,"
      " EXISTS (SELECT 1 FROM initiative_organisers o"
      "  WHERE o.initiative_id = i.id AND o.account_id = ?2),"
      " i.status IN ('published', 'running')"
      " FROM initiatives i WHERE i.id = ?1 AND i.hidden_at IS NULL";
  const char *texts[] = {initiative, account};
  struct init_check c = {0};
  int rc = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, init_check_row, &c);

  if (rc < 0)
    return rc;
  /* A draft is nobody's business but its organisers'. */
  if (!c.found || (!c.visible && !c.organiser))
    return LK_STORE_NOTFOUND;
  *organiser = c.organiser;
  *joinable = c.joinable && c.visible;
  return 0;
}

int lk_store_mx_join(lk_tx *tx, const char *initiative, const char *account) {
  static const char ins[] =
      "INSERT INTO p_joins (initiative_id, account_id, created_at)"
      " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
  static const char count[] =
      "UPDATE initiatives SET participants_count = participants_count + 1"
      " WHERE id = ?1";
  const char *texts[] = {initiative, account};
  int64_t nums[] = {lk_tx_now(tx)};
  int rc = lk_rows_write(tx, ins, texts, 2, nums, 1, true);

  if (rc == LK_STORE_NOTFOUND)
    return LK_STORE_CONFLICT;
  if (rc == 0)
    rc = lk_rows_write(tx, count, &initiative, 1, NULL, 0, true);
  return rc;
}

int lk_store_mx_leave(lk_tx *tx, const char *initiative, const char *account) {
  static const char del[] =
      "DELETE FROM p_joins WHERE initiative_id = ?1 AND account_id = ?2";
  static const char count[] =
      "UPDATE initiatives SET participants_count = participants_count - 1"
      " WHERE id = ?1 AND participants_count > 0";
  const char *texts[] = {initiative, account};
  int rc = lk_rows_write(tx, del, texts, 2, NULL, 0, true);

  if (rc == 0)
    rc = lk_rows_write(tx, count, &initiative, 1, NULL, 0, false);
  return rc;
}

int lk_store_mx_joined(lk_store *s, const char *initiative, const char *account,
                       bool *out) {
  static const char sql[] = "SELECT count(*) FROM p_joins"
                            " WHERE initiative_id = ?1 AND account_id = ?2";
  const char *texts[] = {initiative, account};
  int64_t n = 0;
  int rc = lk_rows_read(s, sql, texts, 2, NULL, 0, one_int, &n);

  if (rc < 0)
    return rc;
  *out = n > 0;
  return 0;
}

/* ---- help needs -------------------------------------------------------- */

#define HELP_COLUMNS                                                           \
  "id, initiative_id, created_by, title, description,"                         \
  " COALESCE(starts_at, 0), capacity, taken, created_at,"                      \
  " COALESCE(closed_at, 0), COALESCE(hidden_at, 0),"                           \
  " COALESCE(hidden_reason, '')"

static void help_row(lk_stmt *st, void *ud) {
  lk_mx_help_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->initiative_id, sizeof(r->initiative_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(r->created_by, sizeof(r->created_by), lk_stmt_col_text(st, 2));
  lk_store_copy(r->title, sizeof(r->title), lk_stmt_col_text(st, 3));
  lk_store_copy(r->description, sizeof(r->description),
                lk_stmt_col_text(st, 4));
  r->starts_at = lk_stmt_col_int(st, 5);
  r->capacity = (int)lk_stmt_col_int(st, 6);
  r->taken = (int)lk_stmt_col_int(st, 7);
  r->created_at = lk_stmt_col_int(st, 8);
  r->closed_at = lk_stmt_col_int(st, 9);
  r->hidden_at = lk_stmt_col_int(st, 10);
  lk_store_copy(r->hidden_reason, sizeof(r->hidden_reason),
                lk_stmt_col_text(st, 11));
}

int lk_store_mx_help_insert(lk_tx *tx, const lk_mx_help_row *r) {
  static const char sql[] =
      "INSERT INTO p_help_needs (id, initiative_id, created_by, title,"
      " description, starts_at, capacity, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, 0), ?7, ?8)";
  const char *texts[] = {r->id, r->initiative_id, r->created_by, r->title,
                         r->description};
  int64_t nums[] = {r->starts_at, r->capacity, r->created_at};

  return lk_rows_write(tx, sql, texts, 5, nums, 3, false);
}

int lk_store_mx_help_get(lk_store *s, lk_tx *tx, const char *id,
                         lk_mx_help_row *out) {
  static const char sql[] =
      "SELECT " HELP_COLUMNS " FROM p_help_needs WHERE id = ?1";
  return lk_row_get(s, tx, sql, id, help_row, out);
}

struct help_list {
  lk_mx_help_fn fn;
  void *ud;
};

static void help_each(lk_stmt *st, void *ud) {
  struct help_list *l = ud;
  lk_mx_help_row r;

  help_row(st, &r);
  l->fn(&r, l->ud);
}

int lk_store_mx_help_list(lk_store *s, const char *initiative, int limit,
                          lk_mx_help_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " HELP_COLUMNS " FROM p_help_needs WHERE initiative_id = ?1"
      " AND hidden_at IS NULL ORDER BY seq LIMIT ?2";
  struct help_list l = {fn, ud};
  int64_t lim = limit > 0 && limit <= 100 ? limit : 100;

  return lk_rows_read(s, sql, &initiative, 1, &lim, 1, help_each, &l);
}

int lk_store_mx_help_signup(lk_tx *tx, const char *id, const char *account) {
  static const char ins[] =
      "INSERT INTO p_help_signups (need_id, account_id, created_at)"
      " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
  /* The place is taken only while one is left: with the one writer this
   * conditional UPDATE decides every race for the last place. */
  static const char take[] =
      "UPDATE p_help_needs SET taken = taken + 1 WHERE id = ?1"
      " AND taken < capacity AND closed_at IS NULL AND hidden_at IS NULL";
  const char *texts[] = {id, account};
  int64_t nums[] = {lk_tx_now(tx)};
  int rc = lk_rows_write(tx, ins, texts, 2, nums, 1, true);

  if (rc == LK_STORE_NOTFOUND)
    return LK_STORE_CONFLICT;
  if (rc == 0) {
    rc = lk_rows_write(tx, take, &id, 1, NULL, 0, true);
    if (rc == LK_STORE_NOTFOUND)
      rc = LK_STORE_INVALID; /* the write rolls the insert back */
  }
  return rc;
}

int lk_store_mx_help_withdraw(lk_tx *tx, const char *id, const char *account) {
  static const char del[] =
      "DELETE FROM p_help_signups WHERE need_id = ?1 AND account_id = ?2";
  static const char give[] =
      "UPDATE p_help_needs SET taken = taken - 1 WHERE id = ?1 AND taken > 0";
  const char *texts[] = {id, account};
  int rc = lk_rows_write(tx, del, texts, 2, NULL, 0, true);

  if (rc == 0)
    rc = lk_rows_write(tx, give, &id, 1, NULL, 0, false);
  return rc;
}

int lk_store_mx_help_signed(lk_store *s, const char *id, const char *account,
                            bool *out) {
  static const char sql[] = "SELECT count(*) FROM p_help_signups"
                            " WHERE need_id = ?1 AND account_id = ?2";
  const char *texts[] = {id, account};
  int64_t n = 0;
  int rc = lk_rows_read(s, sql, texts, 2, NULL, 0, one_int, &n);

  if (rc < 0)
    return rc;
  *out = n > 0;
  return 0;
}

/* ---- listings ------------------------------------------------------------ */

#define LISTING_COLUMNS                                                        \
  "l.id, l.kind, l.category, l.account_id, COALESCE(l.organisation_id, ''),"   \
  " l.theme_id, COALESCE(l.neighbourhood_id, ''), l.lat_e6 IS NOT NULL,"       \
  " COALESCE(l.lat_e6, 0), COALESCE(l.lon_e6, 0), COALESCE(l.starts_at, 0),"   \
  " COALESCE(l.ends_at, 0), l.title, l.body, l.state, l.created_at,"           \
  " COALESCE(l.closed_at, 0), COALESCE(l.hidden_at, 0),"                       \
  " COALESCE(l.hidden_reason, ''), l.seq"

static void listing_at(lk_stmt *st, int c, lk_mx_listing_row *r) {
  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, c + 0));
  lk_store_copy(r->kind, sizeof(r->kind), lk_stmt_col_text(st, c + 1));
  lk_store_copy(r->category, sizeof(r->category), lk_stmt_col_text(st, c + 2));
  lk_store_copy(r->account_id, sizeof(r->account_id),
                lk_stmt_col_text(st, c + 3));
  lk_store_copy(r->organisation_id, sizeof(r->organisation_id),
                lk_stmt_col_text(st, c + 4));
  lk_store_copy(r->theme_id, sizeof(r->theme_id), lk_stmt_col_text(st, c + 5));
  lk_store_copy(r->neighbourhood_id, sizeof(r->neighbourhood_id),
                lk_stmt_col_text(st, c + 6));
  r->has_point = lk_stmt_col_int(st, c + 7) != 0;
  r->lat_e6 = lk_stmt_col_int(st, c + 8);
  r->lon_e6 = lk_stmt_col_int(st, c + 9);
  r->starts_at = lk_stmt_col_int(st, c + 10);
  r->ends_at = lk_stmt_col_int(st, c + 11);
  lk_store_copy(r->title, sizeof(r->title), lk_stmt_col_text(st, c + 12));
  lk_store_copy(r->body, sizeof(r->body), lk_stmt_col_text(st, c + 13));
  lk_store_copy(r->state, sizeof(r->state), lk_stmt_col_text(st, c + 14));
  r->created_at = lk_stmt_col_int(st, c + 15);
  r->closed_at = lk_stmt_col_int(st, c + 16);
  r->hidden_at = lk_stmt_col_int(st, c + 17);
  lk_store_copy(r->hidden_reason, sizeof(r->hidden_reason),
                lk_stmt_col_text(st, c + 18));
  r->seq = lk_stmt_col_int(st, c + 19);
}

static void listing_row(lk_stmt *st, void *ud) {
  listing_at(st, 0, ud);
}

int lk_store_mx_listing_insert(lk_tx *tx, const lk_mx_listing_row *r) {
  static const char sql[] =
      "INSERT INTO p_listings (id, kind, category, account_id,"
      " organisation_id, theme_id, neighbourhood_id, title, body,"
      " lat_e6, lon_e6, starts_at, ends_at, created_at)"
      " VALUES (?1, ?2, ?3, ?4, NULLIF(?5, ''), ?6, NULLIF(?7, ''), ?8, ?9,"
      " CASE WHEN ?14 THEN ?10 END, CASE WHEN ?14 THEN ?11 END,"
      " NULLIF(?12, 0), NULLIF(?13, 0), ?15)";
  const char *texts[] = {r->id,
                         r->kind,
                         r->category,
                         r->account_id,
                         r->organisation_id,
                         r->theme_id,
                         r->neighbourhood_id,
                         r->title,
                         r->body};
  int64_t nums[] = {
      r->lat_e6,    r->lon_e6, r->starts_at, r->ends_at, r->has_point ? 1 : 0,
      r->created_at};

  return lk_rows_write(tx, sql, texts, 9, nums, 6, false);
}

int lk_store_mx_listing_get(lk_store *s, lk_tx *tx, const char *id,
                            lk_mx_listing_row *out) {
  static const char sql[] =
      "SELECT " LISTING_COLUMNS " FROM p_listings l WHERE l.id = ?1";
  return lk_row_get(s, tx, sql, id, listing_row, out);
}

int lk_store_mx_listing_close(lk_tx *tx, const char *id, const char *account,
                              int64_t now) {
  static const char sql[] =
      "UPDATE p_listings SET state = 'closed', closed_at = ?3"
      " WHERE id = ?1 AND account_id = ?2 AND state = 'open'";
  const char *texts[] = {id, account};
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, texts, 2, nums, 1, true);
}

struct listing_list {
  lk_mx_listing_fn fn;
  void *ud;
};

static void listing_each(lk_stmt *st, void *ud) {
  struct listing_list *l = ud;
  lk_mx_listing_row *r = malloc(sizeof(*r));

  if (r == NULL)
    return;
  listing_row(st, r);
  l->fn(r, l->ud);
  free(r);
}

/* The filters that are not the one the index answers. */
#define LISTING_REST                                                           \
  " AND l.state = 'open' AND l.hidden_at IS NULL"                              \
  " AND (?1 = '' OR l.kind = ?1) AND (?2 = '' OR l.theme_id = ?2)"             \
  " AND (?3 = '' OR l.neighbourhood_id = ?3) AND l.seq < ?4"                   \
  " ORDER BY l.seq DESC LIMIT ?5"

int lk_store_mx_listing_list(lk_store *s, const lk_mx_listing_filter *f,
                             int limit, lk_mx_listing_fn fn, void *ud) {
  /* One statement per leading filter, each a range scan of its partial
   * index (0022) by seq, newest first; the other filters are checked on
   * the rows it yields. */
  static const char by_theme[] =
      "SELECT " LISTING_COLUMNS " FROM p_listings l WHERE l.theme_id = ?2"
      " " LISTING_REST;
  static const char by_place[] = "SELECT " LISTING_COLUMNS " FROM p_listings l"
                                 " WHERE l.neighbourhood_id = ?3 " LISTING_REST;
  static const char by_kind[] =
      "SELECT " LISTING_COLUMNS " FROM p_listings l WHERE l.kind = ?1"
      " " LISTING_REST;
  static const char all[] =
      "SELECT " LISTING_COLUMNS " FROM p_listings l WHERE 1 = 1 " LISTING_REST;
  const char *texts[] = {f->kind != NULL ? f->kind : "",
                         f->theme != NULL ? f->theme : "",
                         f->neighbourhood != NULL ? f->neighbourhood : ""};
  int64_t nums[] = {f->before_seq > 0 ? f->before_seq : INT64_MAX,
                    limit > 0 && limit <= 100 ? limit : 100};
  struct listing_list l = {fn, ud};
  const char *sql = texts[1][0] != '\0'   ? by_theme
                    : texts[2][0] != '\0' ? by_place
                    : texts[0][0] != '\0' ? by_kind
                                          : all;

  return lk_rows_read(s, sql, texts, 3, nums, 2, listing_each, &l);
}

int lk_store_mx_listing_mine(lk_store *s, const char *account, int limit,
                             lk_mx_listing_fn fn, void *ud) {
  static const char sql[] = "SELECT " LISTING_COLUMNS " FROM p_listings l"
                            " WHERE l.account_id = ?1"
                            " ORDER BY l.seq DESC LIMIT ?2";
  int64_t lim = limit > 0 && limit <= 100 ? limit : 100;
  struct listing_list l = {fn, ud};

  return lk_rows_read(s, sql, &account, 1, &lim, 1, listing_each, &l);
}

int lk_store_mx_candidates(lk_tx *tx, const lk_mx_listing_row *r, int per_query,
                           lk_mx_listing_fn fn, void *ud) {
  static const char by_theme[] =
      "SELECT " LISTING_COLUMNS " FROM p_listings l"
      " WHERE l.theme_id = ?1 AND l.state = 'open' AND l.kind = ?2"
      " AND l.hidden_at IS NULL AND l.account_id <> ?3"
      " ORDER BY l.seq DESC LIMIT ?4";
  static const char by_place[] =
      "SELECT " LISTING_COLUMNS " FROM p_listings l"
      " WHERE l.neighbourhood_id = ?1 AND l.kind = ?2 AND l.state = 'open'"
      " AND l.hidden_at IS NULL AND l.account_id <> ?3"
      " ORDER BY l.seq DESC LIMIT ?4";
  const char *other = r->kind[0] == 'o' ? "need" : "offer";
  const char *t1[] = {r->theme_id, other, r->account_id};
  const char *t2[] = {r->neighbourhood_id, other, r->account_id};
  int64_t lim = per_query > 0 && per_query <= 200 ? per_query : 100;
  struct listing_list l = {fn, ud};
  int n = lk_rows(lk_tx_db(tx), by_theme, t1, 3, &lim, 1, listing_each, &l);
  int m = 0;

  if (n >= 0 && r->neighbourhood_id[0] != '\0')
    m = lk_rows(lk_tx_db(tx), by_place, t2, 3, &lim, 1, listing_each, &l);
  if (n < 0)
    return n;
  return m < 0 ? m : n + m;
}

/* ---- matches ------------------------------------------------------------ */

int lk_store_mx_match_insert(lk_tx *tx, const lk_mx_match_row *r) {
  static const char sql[] =
      "INSERT INTO p_matches (id, offer_id, need_id, score, reasons,"
      " created_at) VALUES (?1, ?2, ?3, ?5, ?4, ?6)"
      " ON CONFLICT DO NOTHING";
  const char *texts[] = {r->id, r->offer_id, r->need_id, r->reasons};
  int64_t nums[] = {r->score, r->created_at};
  int rc = lk_rows_write(tx, sql, texts, 4, nums, 2, true);

  return rc == LK_STORE_NOTFOUND ? LK_STORE_CONFLICT : rc;
}

struct match_list {
  lk_mx_match_fn fn;
  void *ud;
};

static void match_each(lk_stmt *st, void *ud) {
  struct match_list *l = ud;
  lk_mx_match_row m;
  lk_mx_listing_row *other = malloc(sizeof(*other));

  if (other == NULL)
    return;
  memset(&m, 0, sizeof(m));
  lk_store_copy(m.id, sizeof(m.id), lk_stmt_col_text(st, 0));
  lk_store_copy(m.offer_id, sizeof(m.offer_id), lk_stmt_col_text(st, 1));
  lk_store_copy(m.need_id, sizeof(m.need_id), lk_stmt_col_text(st, 2));
  m.score = (int)lk_stmt_col_int(st, 3);
  lk_store_copy(m.reasons, sizeof(m.reasons), lk_stmt_col_text(st, 4));
  m.created_at = lk_stmt_col_int(st, 5);
  listing_at(st, 6, other);
  l->fn(&m, other, l->ud);
  free(other);
}

int lk_store_mx_matches_of(lk_store *s, const char *account, int limit,
                           lk_mx_match_fn fn, void *ud) {
  /* From the account's listings (p_listings_account), through the match
   * indexes on either side, to the other listing by its key. */
  static const char sql[] =
      "SELECT m.id, m.offer_id, m.need_id, m.score, m.reasons, m.created_at,"
      " " LISTING_COLUMNS " FROM p_listings mine"
      " JOIN p_matches m ON (mine.kind = 'offer' AND m.offer_id = mine.id)"
      "  OR (mine.kind = 'need' AND m.need_id = mine.id)"
      " JOIN p_listings l ON l.id = CASE mine.kind WHEN 'offer'"
      "  THEN m.need_id ELSE m.offer_id END"
      " WHERE mine.account_id = ?1 AND mine.state = 'open'"
      " AND mine.hidden_at IS NULL AND l.state = 'open'"
      " AND l.hidden_at IS NULL"
      " ORDER BY mine.seq DESC, m.score DESC LIMIT ?2";
  int64_t lim = limit > 0 && limit <= 100 ? limit : 100;
  struct match_list l = {fn, ud};

  return lk_rows_read(s, sql, &account, 1, &lim, 1, match_each, &l);
}

/* ---- threads and messages ------------------------------------------------ */

#define THREAD_COLUMNS                                                         \
  "t.id, t.listing_id, t.owner_id, t.other_id, l.title, t.created_at,"         \
  " t.last_message_at"

static void thread_row(lk_stmt *st, void *ud) {
  lk_mx_thread_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->listing_id, sizeof(r->listing_id), lk_stmt_col_text(st, 1));
  lk_store_copy(r->owner_id, sizeof(r->owner_id), lk_stmt_col_text(st, 2));
  lk_store_copy(r->other_id, sizeof(r->other_id), lk_stmt_col_text(st, 3));
  lk_store_copy(r->title, sizeof(r->title), lk_stmt_col_text(st, 4));
  r->created_at = lk_stmt_col_int(st, 5);
  r->last_message_at = lk_stmt_col_int(st, 6);
}

int lk_store_mx_thread_find(lk_tx *tx, const char *listing, const char *other,
                            lk_mx_thread_row *out) {
  static const char sql[] =
      "SELECT " THREAD_COLUMNS " FROM p_threads t JOIN p_listings l"
      " ON l.id = t.listing_id WHERE t.listing_id = ?1 AND t.other_id = ?2";
  const char *texts[] = {listing, other};
  lk_mx_thread_row r;
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, thread_row, &r);

  return lk_rows_one(n, &r, out, sizeof(r));
}

int lk_store_mx_thread_get(lk_store *s, lk_tx *tx, const char *id,
                           lk_mx_thread_row *out) {
  static const char sql[] =
      "SELECT " THREAD_COLUMNS " FROM p_threads t JOIN p_listings l"
      " ON l.id = t.listing_id WHERE t.id = ?1";
  return lk_row_get(s, tx, sql, id, thread_row, out);
}

int lk_store_mx_thread_insert(lk_tx *tx, const lk_mx_thread_row *r) {
  static const char sql[] =
      "INSERT INTO p_threads (id, listing_id, owner_id, other_id,"
      " created_at, last_message_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
  const char *texts[] = {r->id, r->listing_id, r->owner_id, r->other_id};
  int64_t nums[] = {r->created_at};

  return lk_rows_write(tx, sql, texts, 4, nums, 1, false);
}

int lk_store_mx_message_insert(lk_tx *tx, const lk_mx_message_row *r) {
  static const char ins[] =
      "INSERT INTO p_messages (id, thread_id, sender_id, body, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char touch[] =
      "UPDATE p_threads SET last_message_at = ?2 WHERE id = ?1";
  const char *texts[] = {r->id, r->thread_id, r->sender_id, r->body};
  int64_t nums[] = {r->created_at};
  const char *thread = r->thread_id;
  int rc = lk_rows_write(tx, ins, texts, 4, nums, 1, false);

  if (rc == 0)
    rc = lk_rows_write(tx, touch, &thread, 1, nums, 1, true);
  return rc;
}

#define MESSAGE_COLUMNS                                                        \
  "id, thread_id, sender_id, body, created_at, COALESCE(hidden_at, 0),"        \
  " COALESCE(hidden_reason, '')"

static void message_row(lk_stmt *st, void *ud) {
  lk_mx_message_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->thread_id, sizeof(r->thread_id), lk_stmt_col_text(st, 1));
  lk_store_copy(r->sender_id, sizeof(r->sender_id), lk_stmt_col_text(st, 2));
  lk_store_copy(r->body, sizeof(r->body), lk_stmt_col_text(st, 3));
  r->created_at = lk_stmt_col_int(st, 4);
  r->hidden_at = lk_stmt_col_int(st, 5);
  lk_store_copy(r->hidden_reason, sizeof(r->hidden_reason),
                lk_stmt_col_text(st, 6));
}

int lk_store_mx_message_get(lk_store *s, lk_tx *tx, const char *id,
                            lk_mx_message_row *out) {
  static const char sql[] =
      "SELECT " MESSAGE_COLUMNS " FROM p_messages WHERE id = ?1";
  return lk_row_get(s, tx, sql, id, message_row, out);
}

struct thread_list {
  lk_mx_thread_fn fn;
  void *ud;
};

static void thread_each(lk_stmt *st, void *ud) {
  struct thread_list *l = ud;
  lk_mx_thread_row r;

  thread_row(st, &r);
  l->fn(&r, l->ud);
}

int lk_store_mx_threads_of(lk_store *s, const char *account, int limit,
                           lk_mx_thread_fn fn, void *ud) {
  /* Two index range scans (p_threads_owner, p_threads_other) merged. */
  static const char sql[] =
      "SELECT " THREAD_COLUMNS " FROM p_threads t JOIN p_listings l"
      " ON l.id = t.listing_id WHERE t.owner_id = ?1 OR t.other_id = ?1"
      " ORDER BY t.last_message_at DESC LIMIT ?2";
  int64_t lim = limit > 0 && limit <= 100 ? limit : 100;
  struct thread_list l = {fn, ud};

  return lk_rows_read(s, sql, &account, 1, &lim, 1, thread_each, &l);
}

struct message_list {
  lk_mx_message_fn fn;
  void *ud;
};

static void message_each(lk_stmt *st, void *ud) {
  struct message_list *l = ud;
  lk_mx_message_row *r = malloc(sizeof(*r));

  if (r == NULL)
    return;
  message_row(st, r);
  l->fn(r, l->ud);
  free(r);
}

int lk_store_mx_messages(lk_store *s, const char *thread, int limit,
                         lk_mx_message_fn fn, void *ud) {
  static const char sql[] = "SELECT " MESSAGE_COLUMNS " FROM p_messages"
                            " WHERE thread_id = ?1 ORDER BY seq LIMIT ?2";
  int64_t lim = limit > 0 && limit <= 200 ? limit : 200;
  struct message_list l = {fn, ud};

  return lk_rows_read(s, sql, &thread, 1, &lim, 1, message_each, &l);
}
