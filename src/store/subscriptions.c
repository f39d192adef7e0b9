/* subscriptions.c - the rows of Actueel subscriptions (migration 0014). */
#include "store/subscriptions.h"

#include "store/internal.h"

#define SUB_COLUMNS                                                            \
  "id, email, address_key, postcode, state, confirm_sends,"                    \
  " COALESCE(confirm_sent_at, 0), created_at, COALESCE(confirmed_at, 0),"      \
  " COALESCE(unsubscribed_at, 0)"

static void sub_row(lk_stmt *st, void *ud) {
  lk_subscription_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->email, sizeof(r->email), lk_stmt_col_text(st, 1));
  lk_store_copy(r->address_key, sizeof(r->address_key),
                lk_stmt_col_text(st, 2));
  lk_store_copy(r->postcode, sizeof(r->postcode), lk_stmt_col_text(st, 3));
  lk_store_copy(r->state, sizeof(r->state), lk_stmt_col_text(st, 4));
  r->confirm_sends = (int)lk_stmt_col_int(st, 5);
  r->confirm_sent_at = lk_stmt_col_int(st, 6);
  r->created_at = lk_stmt_col_int(st, 7);
  r->confirmed_at = lk_stmt_col_int(st, 8);
  r->unsubscribed_at = lk_stmt_col_int(st, 9);
}

int lk_store_subscription_active(lk_tx *tx, const char *address_key,
                                 const char *postcode,
                                 lk_subscription_row *out) {
  static const char sql[] = "SELECT " SUB_COLUMNS " FROM subscriptions"
                            " WHERE address_key = ?1 AND postcode = ?2"
                            " AND state <> 'unsubscribed'";
  const char *texts[] = {address_key, postcode};
  lk_subscription_row r;
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, sub_row, &r);

  return lk_rows_one(n, &r, out, sizeof(r));
}

int lk_store_subscription_insert(lk_tx *tx, const lk_subscription_row *r,
                                 const char *confirm_digest,
                                 const char *unsubscribe_digest) {
  static const char sql[] =
      "INSERT INTO subscriptions (id, email, address_key, postcode, pc4,"
      " state, confirm_digest, unsubscribe_digest, confirm_sends,"
      " confirm_sent_at, created_at)"
      " VALUES (?1, ?2, ?3, ?4, substr(?4, 1, 4), 'pending', ?5, ?6, ?7,"
      " ?8, ?9)";
  const char *texts[] = {r->id,       r->email,       r->address_key,
                         r->postcode, confirm_digest, unsubscribe_digest};
  int64_t nums[] = {r->confirm_sends, r->confirm_sent_at, r->created_at};

  return lk_rows_write(tx, sql, texts, 6, nums, 3, false);
}

int lk_store_subscription_confirm_sent(lk_tx *tx, const char *id, int64_t now) {
  static const char sql[] =
      "UPDATE subscriptions SET confirm_sends = confirm_sends + 1,"
      " confirm_sent_at = ?2 WHERE id = ?1 AND state = 'pending'";
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, &id, 1, nums, 1, true);
}

int lk_store_subscription_confirm(lk_tx *tx, const char *id, int64_t now) {
  static const char sql[] =
      "UPDATE subscriptions SET state = 'confirmed', confirmed_at = ?2,"
      " confirm_digest = NULL WHERE id = ?1 AND state = 'pending'";
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, &id, 1, nums, 1, true);
}

int lk_store_subscription_unsubscribe(lk_tx *tx, const char *id, int64_t now) {
  static const char sql[] =
      "UPDATE subscriptions SET state = 'unsubscribed', unsubscribed_at = ?2,"
      " confirm_digest = NULL, email = '', address_key = 'unsubscribed:' || id"
      " WHERE id = ?1 AND state <> 'unsubscribed'";
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, &id, 1, nums, 1, true);
}

struct of_address_ctx {
  lk_subscription_row *out;
  int n;
};

static void of_address_row(lk_stmt *st, void *ud) {
  struct of_address_ctx *c = ud;

  sub_row(st, &c->out[c->n++]);
}

int lk_store_subscriptions_of_address(lk_tx *tx, const char *address_key,
                                      int limit, lk_subscription_row *out) {
  /* subscriptions_active (the partial unique index on address_key,
   * postcode) answers this. */
  static const char sql[] = "SELECT " SUB_COLUMNS " FROM subscriptions"
                            " WHERE address_key = ?1"
                            " AND state <> 'unsubscribed'"
                            " ORDER BY postcode LIMIT ?2";
  struct of_address_ctx c = {out, 0};
  int64_t lim = limit < 16 ? limit : 16;
  int n =
      lk_rows(lk_tx_db(tx), sql, &address_key, 1, &lim, 1, of_address_row, &c);

  return n < 0 ? n : c.n;
}

struct stale_ctx {
  char (*ids)[LK_SUB_ID_LEN + 1];
  int n;
};

static void stale_row(lk_stmt *st, void *ud) {
  struct stale_ctx *c = ud;

  lk_store_copy(c->ids[c->n++], LK_SUB_ID_LEN + 1, lk_stmt_col_text(st, 0));
}

int lk_store_subscriptions_stale(lk_tx *tx, int64_t before, int limit,
                                 char ids[][LK_SUB_ID_LEN + 1]) {
  static const char sql[] =
      "SELECT id FROM subscriptions WHERE state = 'pending'"
      " AND created_at < ?1 AND COALESCE(confirm_sent_at, 0) < ?1"
      " ORDER BY created_at LIMIT ?2";
  struct stale_ctx c = {ids, 0};
  int64_t nums[] = {before, limit < 64 ? limit : 64};
  int n = lk_rows(lk_tx_db(tx), sql, NULL, 0, nums, 2, stale_row, &c);

  return n < 0 ? n : c.n;
}

int lk_store_subscription_delete_pending(lk_tx *tx, const char *id) {
  static const char sql[] =
      "DELETE FROM subscriptions WHERE id = ?1 AND state = 'pending'";
  return lk_rows_write(tx, sql, &id, 1, NULL, 0, true);
}

struct touched_ctx {
  lk_subscription_fn fn;
  void *ud;
};

static void touched_row(lk_stmt *st, void *ud) {
  struct touched_ctx *c = ud;
  lk_subscription_row r;

  sub_row(st, &r);
  c->fn(&r, c->ud);
}

int lk_store_subscriptions_touched(lk_tx *tx, const char *code,
                                   lk_subscription_fn fn, void *ud) {
  /* A PC4 notice code reaches every subscription of those four digits;
   * a PC6 one reaches its own postcode and the PC4 that holds it.  Both
   * are index lookups (subscriptions_pc4, subscriptions_postcode). */
  static const char by_pc4[] = "SELECT " SUB_COLUMNS " FROM subscriptions"
                               " WHERE pc4 = ?1 AND state = 'confirmed'"
                               " ORDER BY seq";
  static const char by_pc6[] =
      "SELECT " SUB_COLUMNS " FROM subscriptions"
      " WHERE postcode IN (?1, substr(?1, 1, 4)) AND state = 'confirmed'"
      " ORDER BY seq";
  struct touched_ctx c = {fn, ud};
  size_t len = strlen(code);

  if (len != 4 && len != 6)
    return LK_STORE_INVALID;
  return lk_rows(lk_tx_db(tx), len == 4 ? by_pc4 : by_pc6, &code, 1, NULL, 0,
                 touched_row, &c);
}

int lk_store_subscription_get(lk_store *s, lk_tx *tx, const char *id,
                              lk_subscription_row *out) {
  static const char sql[] =
      "SELECT " SUB_COLUMNS " FROM subscriptions WHERE id = ?1";
  return lk_row_get(s, tx, sql, id, sub_row, out);
}

int lk_store_subscription_by_confirm(lk_store *s, lk_tx *tx, const char *digest,
                                     lk_subscription_row *out) {
  static const char sql[] = "SELECT " SUB_COLUMNS " FROM subscriptions"
                            " WHERE confirm_digest = ?1 AND state = 'pending'";
  return lk_row_get(s, tx, sql, digest, sub_row, out);
}

int lk_store_subscription_by_unsubscribe(lk_store *s, lk_tx *tx,
                                         const char *digest,
                                         lk_subscription_row *out) {
  static const char sql[] = "SELECT " SUB_COLUMNS " FROM subscriptions"
                            " WHERE unsubscribe_digest = ?1";
  return lk_row_get(s, tx, sql, digest, sub_row, out);
}

#define STAT_COLUMNS                                                           \
  " SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),"                       \
  " SUM(CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END),"                     \
  " SUM(CASE WHEN state = 'unsubscribed' THEN 1 ELSE 0 END)"

struct stat_ctx {
  lk_subscription_stat_fn fn;
  void *ud;
  lk_subscription_stat *one;
};

static void stat_row(lk_stmt *st, void *ud) {
  struct stat_ctx *c = ud;
  lk_subscription_stat s;

  memset(&s, 0, sizeof(s));
  if (c->one == NULL)
    lk_store_copy(s.postcode, sizeof(s.postcode), lk_stmt_col_text(st, 3));
  s.pending = lk_stmt_col_int(st, 0);
  s.confirmed = lk_stmt_col_int(st, 1);
  s.unsubscribed = lk_stmt_col_int(st, 2);
  if (c->one != NULL)
    *c->one = s;
  else
    c->fn(&s, c->ud);
}

int lk_store_subscription_stats(lk_store *s, const char *after, int limit,
                                lk_subscription_stat_fn fn, void *ud) {
  static const char sql[] =
      "SELECT" STAT_COLUMNS ", postcode FROM subscriptions"
      " WHERE postcode > ?1 GROUP BY postcode ORDER BY postcode LIMIT ?2";
  struct stat_ctx c = {fn, ud, NULL};
  int64_t lim = limit;

  if (limit < 1)
    return 0;
  return lk_rows_read(s, sql, &after, 1, &lim, 1, stat_row, &c);
}

int lk_store_subscription_totals(lk_store *s, lk_subscription_stat *out) {
  static const char sql[] = "SELECT" STAT_COLUMNS ", '' FROM subscriptions";
  lk_subscription_stat t;
  struct stat_ctx c = {NULL, NULL, &t};
  int n = lk_rows_read(s, sql, NULL, 0, NULL, 0, stat_row, &c);

  return lk_rows_one(n, &t, out, sizeof(t));
}
