/* outbox.c - the outbox table: queueing, leases and sending state. */
#include "store/outbox.h"

#include <stdlib.h>

#include "core/ids.h" /* the rows' public ids */
#include "store/internal.h"
#include "util/buf.h"
#include "util/utf8.h"

/* Emits `type` with the row's id and kind (and attempts when >= 0). */
static int emit(lk_tx *tx, const char *type, const char *id, const char *kind,
                int attempts) {
  lk_buf p = LK_BUF_INIT;
  int rc;

  lk_buf_puts(&p, "{\"id\":");
  lk_buf_json_str(&p, id);
  lk_buf_puts(&p, ",\"kind\":");
  lk_buf_json_str(&p, kind);
  if (attempts >= 0)
    lk_buf_printf(&p, ",\"attempts\":%d", attempts);
  lk_buf_putc(&p, '}');
  rc = lk_buf_ok(&p) ? lk_tx_emit(tx, type, id, p.data) : LK_STORE_NOMEM;
  lk_buf_free(&p);
  return rc;
}

static bool text_ok(const char *s, size_t max) {
  size_t len = s != NULL ? strlen(s) : 0;

  return len > 0 && len <= max && lk_utf8_valid(s, len);
}

int lk_store_outbox_add(struct lk_tx *tx, const char *kind, const char *key,
                        const char *payload) {
  static const char sql[] =
      "INSERT INTO outbox (id, kind, key, payload, next_attempt_at,"
      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)"
      " ON CONFLICT (kind, key) DO NOTHING";
  char id[LK_OUTBOX_ID_LEN + 1];
  int64_t now = lk_tx_now(tx);
  size_t plen = payload != NULL ? strlen(payload) : 0;
  int rc;

  if (!text_ok(kind, LK_OUTBOX_KIND_MAX) || !text_ok(key, LK_OUTBOX_KEY_MAX) ||
      plen < 2 || plen > LK_OUTBOX_PAYLOAD_MAX || payload[0] != '{')
    return LK_STORE_INVALID;
  lk_uuid_new(id, now);
  {
    const char *t[] = {id, kind, key, payload};

    rc = lk_rows_write(tx, sql, t, 4, &now, 1, false);
  }
  if (rc != 0 || lk_db_changes(lk_tx_db(tx)) == 0)
    return rc; /* queued before: nothing to do */
  if (tx->outbox_queued)
    return 0;
  tx->outbox_queued = true;
  return emit(tx, "outbox.queued", id, kind, -1);
}

/* ---- rows ----------------------------------------------------------- */

#define OUTBOX_COLUMNS                                                         \
  "id, kind, key, state, attempts, next_attempt_at,"                           \
  " COALESCE(lease_owner, ''), COALESCE(lease_until, 0),"                      \
  " COALESCE(last_error, ''), COALESCE(result, ''), created_at,"               \
  " COALESCE(requeued_at, created_at), COALESCE(sent_at, 0), updated_at"
#define OUTBOX_NCOLUMNS 14

static void outbox_row(lk_stmt *st, void *ud) {
  lk_outbox_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->kind, sizeof(r->kind), lk_stmt_col_text(st, 1));
  lk_store_copy(r->key, sizeof(r->key), lk_stmt_col_text(st, 2));
  lk_store_copy(r->state, sizeof(r->state), lk_stmt_col_text(st, 3));
  r->attempts = (int)lk_stmt_col_int(st, 4);
  r->next_attempt_at = lk_stmt_col_int(st, 5);
  lk_store_copy(r->lease_owner, sizeof(r->lease_owner),
                lk_stmt_col_text(st, 6));
  r->lease_until = lk_stmt_col_int(st, 7);
  lk_store_copy(r->last_error, sizeof(r->last_error), lk_stmt_col_text(st, 8));
  lk_store_copy(r->result, sizeof(r->result), lk_stmt_col_text(st, 9));
  r->created_at = lk_stmt_col_int(st, 10);
  r->since = lk_stmt_col_int(st, 11);
  r->sent_at = lk_stmt_col_int(st, 12);
  r->updated_at = lk_stmt_col_int(st, 13);
}

/* ---- claiming and outcomes ------------------------------------------ */

struct claim_ctx {
  lk_outbox_claimed *out;
  int max;
  int n;
  bool oom;
};

static void claim_row(lk_stmt *st, void *ud) {
  struct claim_ctx *cc = ud;
  lk_outbox_claimed *c;

  if (cc->n >= cc->max)
    return;
  c = &cc->out[cc->n];
  outbox_row(st, &c->row);
  c->payload = strdup(lk_stmt_col_text(st, OUTBOX_NCOLUMNS));
  if (c->payload == NULL) {
    cc->oom = true;
    return;
  }
  cc->n++;
}

int lk_store_outbox_claim(lk_tx *tx, const char *kind, const char *owner,
                          int64_t lease_ms, int max, lk_outbox_claimed *out) {
  /* One statement, so the rows it picks are the rows it leases. */
  static const char sql[] =
      "UPDATE outbox SET lease_owner = ?2, lease_until = ?4,"
      " attempts = attempts + 1, updated_at = ?3"
      " WHERE seq IN (SELECT seq FROM outbox WHERE state = 'pending'"
      " AND kind = ?1 AND next_attempt_at <= ?3"
      " AND (lease_until IS NULL OR lease_until <= ?3)"
      " ORDER BY next_attempt_at, seq LIMIT ?5)"
      " RETURNING " OUTBOX_COLUMNS ", payload";
  const char *t[] = {kind, owner};
  int64_t now = lk_tx_now(tx);
  int64_t nums[] = {now, now + lease_ms, max};
  struct claim_ctx cc = {out, max, 0, false};
  int n;

  if (max < 1)
    return 0;
  n = lk_rows(lk_tx_db(tx), sql, t, 2, nums, 3, claim_row, &cc);
  if (n >= 0 && cc.oom)
    n = LK_STORE_NOMEM;
  if (n < 0) {
    lk_store_outbox_claimed_free(out, cc.n);
    return n; /* the writer rolls the lease back with the write */
  }
  return cc.n;
}

void lk_store_outbox_claimed_free(lk_outbox_claimed *c, int n) {
  for (int i = 0; i < n; i++) {
    free(c[i].payload);
    c[i].payload = NULL;
  }
}

/* A detail as stored: cut at a character boundary to fit the column. */
static void detail_copy(char *dst, const char *src) {
  size_t n = 0;
  size_t len = src != NULL ? strlen(src) : 0;

  while (n < len && n < LK_OUTBOX_DETAIL_MAX) {
    size_t step = lk_utf8_valid_prefix((const unsigned char *)src + n);

    if (step == 0 || n + step > LK_OUTBOX_DETAIL_MAX)
      break;
    n += step;
  }
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Runs one outcome statement: ?1 id, ?2 owner, ?3 detail, ?4 now and
 * ?5 `next_at` when it is > 0. */
static int outcome(lk_tx *tx, const char *sql, const char *id,
                   const char *owner, const char *detail, int64_t next_at) {
  char d[LK_OUTBOX_DETAIL_MAX + 1];
  const char *t[] = {id, owner, d};
  int64_t nums[] = {lk_tx_now(tx), next_at};

  detail_copy(d, detail);
  return lk_rows_write(tx, sql, t, 3, nums, next_at > 0 ? 2 : 1, true);
}

#define HELD " WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'"
#define UNLEASE "lease_owner = NULL, lease_until = NULL"

int lk_store_outbox_sent(lk_tx *tx, const char *id, const char *owner,
                         const char *result) {
  static const char sql[] =
      "UPDATE outbox SET state = 'sent', result = ?3, sent_at = ?4,"
      " updated_at = ?4, last_error = NULL, " UNLEASE HELD;
  return outcome(tx, sql, id, owner, result, 0);
}

int lk_store_outbox_retry(lk_tx *tx, const char *id, const char *owner,
                          int64_t next_at, const char *error) {
  static const char sql[] =
      "UPDATE outbox SET last_error = ?3, next_attempt_at = ?5,"
      " updated_at = ?4, " UNLEASE HELD;
  return outcome(tx, sql, id, owner, error, next_at > 0 ? next_at : 1);
}

int lk_store_outbox_failed(lk_tx *tx, const char *id, const char *owner,
                           const char *error) {
  static const char sql[] = "UPDATE outbox SET state = 'failed',"
                            " last_error = ?3, updated_at = ?4, " UNLEASE HELD;
  static const char get[] = "SELECT " OUTBOX_COLUMNS " FROM outbox"
                            " WHERE id = ?1";
  lk_outbox_row r;
  int rc = outcome(tx, sql, id, owner, error, 0);

  if (rc == 0)
    rc = lk_row_get(NULL, tx, get, id, outbox_row, &r);
  if (rc != 0)
    return rc;
  return emit(tx, "outbox.failed", r.id, r.kind, r.attempts);
}

int lk_store_outbox_release(lk_tx *tx, const char *id, const char *owner) {
  static const char sql[] =
      "UPDATE outbox SET attempts = CASE WHEN attempts > 0"
      " THEN attempts - 1 ELSE 0 END, updated_at = ?3, " UNLEASE HELD;
  const char *t[] = {id, owner};
  int64_t now = lk_tx_now(tx);

  return lk_rows_write(tx, sql, t, 2, &now, 1, true);
}

int lk_store_outbox_release_owner(lk_tx *tx, const char *owner) {
  static const char sql[] =
      "UPDATE outbox SET lease_owner = NULL, lease_until = NULL,"
      " updated_at = ?2 WHERE lease_owner = ?1 AND state = 'pending'";
  int64_t now = lk_tx_now(tx);
  int rc = lk_rows_write(tx, sql, &owner, 1, &now, 1, false);

  return rc != 0 ? rc : (int)lk_db_changes(lk_tx_db(tx));
}

int lk_store_outbox_requeue(lk_tx *tx, const char *id, lk_outbox_row *out) {
  static const char get[] = "SELECT " OUTBOX_COLUMNS " FROM outbox"
                            " WHERE id = ?1";
  static const char sql[] =
      "UPDATE outbox SET state = 'pending', attempts = 0,"
      " next_attempt_at = ?2, requeued_at = ?2, updated_at = ?2,"
      " lease_owner = NULL, lease_until = NULL"
      " WHERE id = ?1 AND state = 'failed'";
  int64_t now = lk_tx_now(tx);
  lk_outbox_row r;
  int rc = lk_row_get(NULL, tx, get, id, outbox_row, &r);

  if (rc != 0)
    return rc;
  if (strcmp(r.state, "failed") != 0)
    return LK_STORE_CONFLICT;
  rc = lk_rows_write(tx, sql, &id, 1, &now, 1, true);
  if (rc == 0)
    rc = lk_row_get(NULL, tx, get, id, outbox_row, &r);
  if (rc == 0)
    rc = emit(tx, "outbox.queued", r.id, r.kind, -1);
  if (rc == 0)
    *out = r;
  return rc;
}

/* ---- reads ---------------------------------------------------------- */

int lk_store_outbox_get(lk_store *s, const char *id, lk_outbox_row *out) {
  static const char sql[] = "SELECT " OUTBOX_COLUMNS " FROM outbox"
                            " WHERE id = ?1";
  return lk_row_get(s, NULL, sql, id, outbox_row, out);
}

int lk_store_outbox_by_key(lk_store *s, const char *kind, const char *key,
                           lk_outbox_row *out) {
  static const char sql[] = "SELECT " OUTBOX_COLUMNS " FROM outbox"
                            " WHERE kind = ?1 AND key = ?2";
  const char *t[] = {kind, key};
  lk_outbox_row r;

  return lk_rows_one(lk_rows_read(s, sql, t, 2, NULL, 0, outbox_row, &r), &r,
                     out, sizeof(r));
}

struct list_ctx {
  lk_outbox_row_fn fn;
  void *ud;
};

static void list_row(lk_stmt *st, void *ud) {
  struct list_ctx *lc = ud;
  lk_outbox_row r;

  outbox_row(st, &r);
  lc->fn(&r, lc->ud);
}

/* One statement per filter, each served by an index in seq order
 * (migration 0025): a generic "(?1 = '' OR state = ?1)" would make SQLite
 * scan the whole table for every page.  Index: bit 0 state, bit 1 kind,
 * bit 2 the cursor; ?1 state, ?2 kind, ?3 the cursor's id, ?4 the limit. */
#define LIST_SELECT "SELECT " OUTBOX_COLUMNS " FROM outbox"
#define LIST_AFTER "seq < (SELECT seq FROM outbox WHERE id = ?3)"
#define LIST_ORDER " ORDER BY seq DESC LIMIT ?4"
static const char *const list_sql[8] = {
    LIST_SELECT LIST_ORDER,
    LIST_SELECT " WHERE state = ?1" LIST_ORDER,
    LIST_SELECT " WHERE kind = ?2" LIST_ORDER,
    LIST_SELECT " WHERE state = ?1 AND kind = ?2" LIST_ORDER,
    LIST_SELECT " WHERE " LIST_AFTER LIST_ORDER,
    LIST_SELECT " WHERE state = ?1 AND " LIST_AFTER LIST_ORDER,
    LIST_SELECT " WHERE kind = ?2 AND " LIST_AFTER LIST_ORDER,
    LIST_SELECT " WHERE state = ?1 AND kind = ?2 AND " LIST_AFTER LIST_ORDER,
};

const char *lk_store_outbox_list_sql(const char *state, const char *kind,
                                     const char *after_id) {
  int i = (state != NULL && state[0] != '\0' ? 1 : 0) |
          (kind != NULL && kind[0] != '\0' ? 2 : 0) |
          (after_id != NULL && after_id[0] != '\0' ? 4 : 0);

  return list_sql[i];
}

int lk_store_outbox_list(lk_store *s, const char *state, const char *kind,
                         const char *after_id, int limit, lk_outbox_row_fn fn,
                         void *ud) {
  const char *t[] = {state != NULL ? state : "", kind != NULL ? kind : "",
                     after_id != NULL ? after_id : ""};
  int64_t lim = limit;
  struct list_ctx lc = {fn, ud};

  if (limit < 1)
    return 0;
  return lk_rows_read(s, lk_store_outbox_list_sql(state, kind, after_id), t, 3,
                      &lim, 1, list_row, &lc);
}

const char *lk_store_outbox_purge_sql(void) {
  /* The oldest first, through outbox_state_updated (migration 0025). */
  return "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox"
         " WHERE state = ?1 AND updated_at < ?2 ORDER BY updated_at"
         " LIMIT ?3)";
}

int lk_store_outbox_purge(lk_tx *tx, const char *state, int64_t before,
                          int max) {
  int64_t nums[] = {before, max};
  int rc;

  if (max < 1 || state == NULL ||
      (strcmp(state, "sent") != 0 && strcmp(state, "failed") != 0))
    return LK_STORE_INVALID;
  rc =
      lk_rows_write(tx, lk_store_outbox_purge_sql(), &state, 1, nums, 2, false);
  return rc != 0 ? rc : (int)lk_db_changes(lk_tx_db(tx));
}

struct pending_ctx {
  lk_outbox_pending_fn fn;
  void *ud;
};

static void pending_row(lk_stmt *st, void *ud) {
  struct pending_ctx *pc = ud;

  pc->fn(lk_stmt_col_text(st, 0), lk_stmt_col_int(st, 1),
         lk_stmt_col_int(st, 2), pc->ud);
}

int lk_store_outbox_pending(lk_store *s, lk_outbox_pending_fn fn, void *ud) {
  static const char sql[] =
      "SELECT kind, COUNT(*), MIN(CASE WHEN lease_until > next_attempt_at"
      " THEN lease_until ELSE next_attempt_at END)"
      " FROM outbox WHERE state = 'pending' GROUP BY kind";
  struct pending_ctx pc = {fn, ud};

  return lk_rows_read(s, sql, NULL, 0, NULL, 0, pending_row, &pc);
}

struct owner_ctx {
  lk_outbox_owner_fn fn;
  void *ud;
};

static void owner_row(lk_stmt *st, void *ud) {
  struct owner_ctx *oc = ud;

  oc->fn(lk_stmt_col_text(st, 0), oc->ud);
}

int lk_store_outbox_owners(lk_store *s, lk_outbox_owner_fn fn, void *ud) {
  static const char sql[] = "SELECT DISTINCT lease_owner FROM outbox"
                            " WHERE state = 'pending'"
                            " AND lease_owner IS NOT NULL";
  struct owner_ctx oc = {fn, ud};

  return lk_rows_read(s, sql, NULL, 0, NULL, 0, owner_row, &oc);
}
