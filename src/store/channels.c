/* channels.c - the SQL of the resident contact pages; see channels.h. */
#include "store/channels.h"

#include <string.h>

#include "store/internal.h"

#define CHANNEL_COLUMNS                                                        \
  "channel, label, position, enabled, async, hours, contact, description,"     \
  " updated_at, updated_by"

static void channel_row(lk_stmt *st, lk_channel_row *r) {
  memset(r, 0, sizeof(*r));
  lk_store_copy(r->channel, sizeof(r->channel), lk_stmt_col_text(st, 0));
  lk_store_copy(r->label, sizeof(r->label), lk_stmt_col_text(st, 1));
  r->position = (int)lk_stmt_col_int(st, 2);
  r->enabled = lk_stmt_col_int(st, 3) != 0;
  r->async = lk_stmt_col_int(st, 4) != 0;
  lk_store_copy(r->hours, sizeof(r->hours), lk_stmt_col_text(st, 5));
  lk_store_copy(r->contact, sizeof(r->contact), lk_stmt_col_text(st, 6));
  lk_store_copy(r->description, sizeof(r->description),
                lk_stmt_col_text(st, 7));
  r->updated_at = lk_stmt_col_int(st, 8);
  lk_store_copy(r->updated_by, sizeof(r->updated_by), lk_stmt_col_text(st, 9));
}

struct rows {
  lk_channel_row *out;
  int n, max;
};

static void collect(lk_stmt *st, void *ud) {
  struct rows *r = ud;

  if (r->n < r->max)
    channel_row(st, &r->out[r->n++]);
}

int lk_store_channels(lk_store *s, lk_channel_row *out, int max) {
  struct rows r = {out, 0, max};
  const int64_t lim = max;
  int n = lk_rows_read(s,
                       "SELECT " CHANNEL_COLUMNS " FROM channels"
                       " ORDER BY position, channel LIMIT ?1",
                       NULL, 0, &lim, 1, collect, &r);

  return n < 0 ? n : r.n;
}

int lk_store_channel_get(lk_store *s, const char *channel,
                         lk_channel_row *out) {
  struct rows r = {out, 0, 1};
  int n = lk_rows_read(
      s, "SELECT " CHANNEL_COLUMNS " FROM channels WHERE channel = ?1",
      &channel, 1, NULL, 0, collect, &r);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_channel_save(lk_tx *tx, const lk_channel_row *r) {
  const char *texts[] = {r->channel, r->label,       r->hours,
                         r->contact, r->description, r->updated_by};
  const int64_t nums[] = {r->enabled ? 1 : 0, r->async ? 1 : 0, r->updated_at};

  return lk_rows_write(tx,
                       "UPDATE channels SET label = ?2, hours = ?3,"
                       " contact = ?4, description = ?5, updated_by = ?6,"
                       " enabled = ?7, async = ?8, updated_at = ?9"
                       " WHERE channel = ?1",
                       texts, 6, nums, 3, true);
}

/* ---- waiting-time inputs ------------------------------------------------ */

struct responses {
  int64_t *created, *answered;
  int n, max;
};

static void response_row(lk_stmt *st, void *ud) {
  struct responses *r = ud;

  if (r->n >= r->max)
    return;
  r->created[r->n] = lk_stmt_col_int(st, 0);
  r->answered[r->n] = lk_stmt_col_int(st, 1);
  r->n++;
}

int lk_store_channel_responses(lk_store *s, const char *channel, int64_t since,
                               int64_t *created, int64_t *answered, int max) {
  struct responses r = {created, answered, 0, max};
  const int64_t nums[] = {since, max};
  int n = lk_rows_read(s,
                       "SELECT created_at, first_response_at"
                       " FROM conversations WHERE channel = ?1"
                       " AND first_response_at IS NOT NULL"
                       " AND first_response_at >= ?2"
                       " ORDER BY first_response_at DESC LIMIT ?3",
                       &channel, 1, nums, 2, response_row, &r);

  return n < 0 ? n : r.n;
}

struct queue {
  int64_t count, oldest;
};

static void queue_row(lk_stmt *st, void *ud) {
  struct queue *q = ud;

  q->count = lk_stmt_col_int(st, 0);
  q->oldest = lk_stmt_col_int(st, 1);
}

int lk_store_channel_queue(lk_store *s, const char *channel, int64_t *count,
                           int64_t *oldest) {
  struct queue q = {0, 0};
  int n = lk_rows_read(s,
                       "SELECT COUNT(*), COALESCE(MIN(waiting_since), 0)"
                       " FROM conversations WHERE waiting_since IS NOT NULL"
                       " AND channel = ?1 AND assignee_id IS NULL"
                       " AND status = 'open'",
                       &channel, 1, NULL, 0, queue_row, &q);

  if (n < 0)
    return n;
  *count = q.count;
  *oldest = q.oldest;
  return 0;
}

/* ---- categories --------------------------------------------------------- */

struct categories {
  lk_category_fn fn;
  void *ud;
};

static void category_row(lk_stmt *st, void *ud) {
  struct categories *c = ud;

  c->fn(lk_stmt_col_text(st, 0), lk_stmt_col_text(st, 1), c->ud);
}

int lk_store_categories_list(lk_store *s, int limit, lk_category_fn fn,
                             void *ud) {
  struct categories c = {fn, ud};
  const int64_t lim = limit;

  return lk_rows_read(s,
                      "SELECT id, name FROM categories ORDER BY name LIMIT ?1",
                      NULL, 0, &lim, 1, category_row, &c);
}

/* ---- status links ------------------------------------------------------- */

int lk_store_status_link_insert(lk_tx *tx, const char *digest,
                                const char *conv_id, int64_t expires_at) {
  const char *texts[] = {digest, conv_id};
  const int64_t nums[] = {lk_tx_now(tx), expires_at};

  return lk_rows_write(tx,
                       "INSERT INTO status_links (digest, conversation_id,"
                       " created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                       texts, 2, nums, 2, false);
}

int lk_store_status_link_extend(lk_tx *tx, const char *digest,
                                int64_t expires_at) {
  const int64_t nums[] = {expires_at};

  return lk_rows_write(tx,
                       "UPDATE status_links SET expires_at = CASE WHEN"
                       " expires_at > ?2 THEN expires_at ELSE ?2 END"
                       " WHERE digest = ?1",
                       &digest, 1, nums, 1, true);
}

static void conv_id_row(lk_stmt *st, void *ud) {
  lk_store_copy(ud, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
}

int lk_store_status_link_get(lk_store *s, const char *digest, int64_t now,
                             char conv_id[LK_CONV_ID_LEN + 1]) {
  const int64_t nums[] = {now};
  int n = lk_rows_read(s,
                       "SELECT conversation_id FROM status_links"
                       " WHERE digest = ?1 AND expires_at > ?2",
                       &digest, 1, nums, 1, conv_id_row, conv_id);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}
