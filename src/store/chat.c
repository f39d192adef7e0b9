/* chat.c - chat sessions and callbacks (store/chat.h). */
#include "store/chat.h"

#include "store/internal.h"

static void copy_col(char *dst, size_t size, lk_stmt *st, int col) {
  lk_store_copy(dst, size, lk_stmt_col_text(st, col));
}

/* ---- chat sessions -------------------------------------------------- */

int lk_store_chat_insert(lk_tx *tx, const char *id, const char *token_hash,
                         const char *conversation_id) {
  const char *t[] = {id, token_hash, conversation_id};
  int64_t n[] = {lk_tx_now(tx)};

  return lk_rows_write(tx,
                       "INSERT INTO chat_sessions (id, token_hash,"
                       " conversation_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                       t, 3, n, 1, false);
}

#define CHAT_COLS                                                              \
  "SELECT s.id, c.id, c.reference, c.status, COALESCE(c.team_id, ''),"         \
  " COALESCE(c.assignee_id, ''), COALESCE(a.name, ''),"                        \
  " COALESCE(c.party_id, ''), COALESCE(p.display_name, ''), c.confidential,"   \
  " c.seq, COALESCE(c.waiting_since, 0), c.last_message_at,"                   \
  " s.resident_read, s.agent_read, COALESCE(s.ended_at, 0),"                   \
  " COALESCE(s.transcript_at, 0), s.created_at, s.seq"                         \
  " FROM chat_sessions s JOIN conversations c ON c.id = s.conversation_id"     \
  " LEFT JOIN actors a ON a.id = c.assignee_id"                                \
  " LEFT JOIN parties p ON p.id = c.party_id"

static void chat_row(lk_stmt *st, void *ud) {
  lk_chat_row *r = ud;

  copy_col(r->id, sizeof(r->id), st, 0);
  copy_col(r->conversation_id, sizeof(r->conversation_id), st, 1);
  copy_col(r->reference, sizeof(r->reference), st, 2);
  copy_col(r->status, sizeof(r->status), st, 3);
  copy_col(r->team_id, sizeof(r->team_id), st, 4);
  copy_col(r->assignee_id, sizeof(r->assignee_id), st, 5);
  copy_col(r->assignee_name, sizeof(r->assignee_name), st, 6);
  copy_col(r->party_id, sizeof(r->party_id), st, 7);
  copy_col(r->party_name, sizeof(r->party_name), st, 8);
  r->confidential = lk_stmt_col_int(st, 9) != 0;
  r->conv_seq = lk_stmt_col_int(st, 10);
  r->waiting_since = lk_stmt_col_int(st, 11);
  r->last_message_at = lk_stmt_col_int(st, 12);
  r->resident_read = lk_stmt_col_int(st, 13);
  r->agent_read = lk_stmt_col_int(st, 14);
  r->ended_at = lk_stmt_col_int(st, 15);
  r->transcript_at = lk_stmt_col_int(st, 16);
  r->created_at = lk_stmt_col_int(st, 17);
}

int lk_store_chat_by_token(lk_store *s, const char *token_hash,
                           lk_chat_row *out) {
  return lk_row_get(s, NULL, CHAT_COLS " WHERE s.token_hash = ?1", token_hash,
                    chat_row, out);
}

int lk_store_chat_by_conv(lk_store *s, lk_tx *tx, const char *conversation_id,
                          lk_chat_row *out) {
  return lk_row_get(s, tx, CHAT_COLS " WHERE s.conversation_id = ?1",
                    conversation_id, chat_row, out);
}

int lk_store_chat_read(lk_tx *tx, const char *conversation_id, bool agent,
                       int64_t seq, bool *moved) {
  const char *t[] = {conversation_id};
  int64_t n[] = {seq};
  int rc = lk_rows_write(
      tx,
      agent ? "UPDATE chat_sessions SET agent_read = ?2"
              " WHERE conversation_id = ?1 AND agent_read < ?2"
            : "UPDATE chat_sessions SET resident_read = ?2"
              " WHERE conversation_id = ?1 AND resident_read < ?2",
      t, 1, n, 1, false);

  *moved = rc == 0 && lk_db_changes(lk_tx_db(tx)) > 0;
  return rc;
}

int lk_store_chat_end(lk_tx *tx, const char *conversation_id,
                      const char *transcript_to) {
  const char *t[] = {conversation_id, transcript_to};
  int64_t n[] = {lk_tx_now(tx)};

  return lk_rows_write(
      tx,
      "UPDATE chat_sessions SET ended_at = COALESCE(ended_at, ?3),"
      " transcript_to = COALESCE(?2, transcript_to),"
      " transcript_at = CASE WHEN ?2 IS NULL THEN transcript_at ELSE ?3 END"
      " WHERE conversation_id = ?1",
      t, 2, n, 1, true);
}

struct idle_ctx {
  void (*fn)(const char *conversation_id, bool answered, void *ud);
  void *ud;
};

static void idle_any(lk_stmt *st, void *ud) {
  (void)st;
  *(int64_t *)ud = 1;
}

static void idle_row(lk_stmt *st, void *ud) {
  struct idle_ctx *c = ud;

  c->fn(lk_stmt_col_text(st, 0), lk_stmt_col_int(st, 1) != 0, c->ud);
}

/* Few chats are open at once (the partial index chat_sessions_open), so
 * the per-chat look-up of the last inbound message stays small. */
static const char idle_sql[] =
    "SELECT id, answered FROM (SELECT v.id AS id, s.created_at AS at,"
    "  (v.assignee_id IS NOT NULL OR v.first_response_at IS NOT NULL)"
    "   AS answered,"
    "  MAX(s.created_at, COALESCE(s.resident_seen_at, 0),"
    "   COALESCE((SELECT MAX(k.occurred_at) FROM contacts k"
    "    WHERE k.conversation_id = v.id AND k.kind = 'inbound'), 0))"
    "   AS seen, v.last_message_at AS last"
    " FROM chat_sessions s JOIN conversations v"
    "  ON v.id = s.conversation_id"
    " WHERE s.ended_at IS NULL AND v.status <> 'resolved')"
    " WHERE (answered = 0 AND seen < ?1)"
    "  OR (answered = 1 AND MAX(seen, last) < ?2)"
    " ORDER BY at LIMIT ?3";

int lk_store_chat_idle_any(lk_store *s, int64_t waiting_before,
                           int64_t answered_before) {
  int64_t n[] = {waiting_before, answered_before, 1}, v = 0;
  int rc = lk_rows_read(s, idle_sql, NULL, 0, n, 3, idle_any, &v);

  return rc < 0 ? rc : v != 0;
}

int lk_store_chat_idle(lk_tx *tx, int64_t waiting_before,
                       int64_t answered_before, int limit,
                       void (*fn)(const char *conversation_id, bool answered,
                                  void *ud),
                       void *ud) {
  int64_t n[] = {waiting_before, answered_before, limit};
  struct idle_ctx c = {fn, ud};

  return lk_rows(lk_tx_db(tx), idle_sql, NULL, 0, n, 3, idle_row, &c);
}

int lk_store_chat_seen(lk_tx *tx, const char *conversation_id) {
  int64_t n[] = {lk_tx_now(tx)};

  return lk_rows_write(tx,
                       "UPDATE chat_sessions SET resident_seen_at = ?2"
                       " WHERE conversation_id = ?1 AND ended_at IS NULL",
                       &conversation_id, 1, n, 1, false);
}

int lk_store_chat_expire(lk_tx *tx, const char *conversation_id,
                         const char *reason) {
  const char *t[] = {conversation_id, reason};
  int64_t n[] = {lk_tx_now(tx)};

  return lk_rows_write(tx,
                       "UPDATE chat_sessions SET ended_at = ?3,"
                       " end_reason = ?2"
                       " WHERE conversation_id = ?1 AND ended_at IS NULL",
                       t, 2, n, 1, true);
}

static void one_int(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_chat_position(lk_store *s, const lk_chat_row *c, int *pos) {
  static const char sql[] =
      "SELECT COUNT(*) FROM conversations"
      " WHERE COALESCE(team_id, '') = ?1 AND waiting_since IS NOT NULL"
      " AND status = 'open' AND assignee_id IS NULL"
      " AND (waiting_since < ?2 OR (waiting_since = ?2 AND seq <= ?3))";
  const char *t[] = {c->team_id};
  int64_t n[] = {c->waiting_since, c->conv_seq}, v = 0;
  int rc;

  *pos = 0;
  if (c->waiting_since == 0 || c->assignee_id[0] != '\0' ||
      strcmp(c->status, "open") != 0)
    return 0;
  rc = lk_rows_read(s, sql, t, 1, n, 2, one_int, &v);
  if (rc < 0)
    return rc;
  *pos = (int)v;
  return 0;
}

struct msg_ctx {
  lk_chat_msg_fn fn;
  void *ud;
};

static void msg_row(lk_stmt *st, void *ud) {
  struct msg_ctx *m = ud;
  lk_chat_msg r = {
      .seq = lk_stmt_col_int(st, 0),
      .id = lk_stmt_col_text(st, 1),
      .kind = lk_stmt_col_text(st, 2),
      .content = lk_stmt_col_text(st, 3),
      .client_key = lk_stmt_col_text(st, 4),
      .author = lk_stmt_col_text(st, 5),
      .occurred_at = lk_stmt_col_int(st, 6),
  };

  m->fn(&r, m->ud);
}

int lk_store_chat_messages(lk_store *s, lk_tx *tx, const char *conversation_id,
                           int64_t after, int limit, lk_chat_msg_fn fn,
                           void *ud) {
  static const char sql[] =
      "SELECT k.seq, k.id, k.kind, k.content, k.client_key, a.name,"
      " k.occurred_at FROM contacts k LEFT JOIN actors a ON a.id = k.author_id"
      " WHERE k.conversation_id = ?1 AND k.kind IN ('inbound', 'outbound')"
      " AND k.confidential = 0 AND k.channel = 'chat' AND k.seq > ?2"
      " ORDER BY k.seq LIMIT ?3";
  const char *t[] = {conversation_id};
  int64_t n[] = {after, limit};
  struct msg_ctx m = {fn, ud};

  if (tx != NULL)
    return lk_rows(lk_tx_db(tx), sql, t, 1, n, 2, msg_row, &m);
  return lk_rows_read(s, sql, t, 1, n, 2, msg_row, &m);
}

struct key_ctx {
  char *id;
  int64_t *seq;
};

static void key_row(lk_stmt *st, void *ud) {
  struct key_ctx *k = ud;

  if (k->id != NULL)
    copy_col(k->id, LK_CHAT_ID, st, 0);
  *k->seq = lk_stmt_col_int(st, 1);
}

int lk_store_contact_by_key(lk_tx *tx, const char *key, char id[LK_CHAT_ID],
                            int64_t *seq) {
  struct key_ctx k = {id, seq};
  int n = lk_rows(lk_tx_db(tx),
                  "SELECT id, seq FROM contacts WHERE client_key = ?1", &key, 1,
                  NULL, 0, key_row, &k);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_contact_set_key(lk_tx *tx, const char *id, const char *key,
                             int64_t *seq) {
  const char *t[] = {id, key};
  struct key_ctx k = {NULL, seq};
  int rc =
      lk_rows_write(tx, "UPDATE contacts SET client_key = ?2 WHERE id = ?1", t,
                    2, NULL, 0, true);

  if (rc != 0)
    return rc;
  rc = lk_rows(lk_tx_db(tx), "SELECT id, seq FROM contacts WHERE id = ?1", &id,
               1, NULL, 0, key_row, &k);
  return rc < 0 ? rc : 0;
}

int lk_store_contact_succeeded(lk_tx *tx, const char *id, bool succeeded) {
  int64_t n[] = {succeeded ? 1 : 0};

  return lk_rows_write(tx, "UPDATE contacts SET succeeded = ?2 WHERE id = ?1",
                       &id, 1, n, 1, true);
}

static void id_row(lk_stmt *st, void *ud) {
  copy_col(ud, LK_CHAT_ID, st, 0);
}

int lk_store_conv_last_contact(lk_tx *tx, const char *conversation_id,
                               char id[LK_CHAT_ID]) {
  int n;

  id[0] = '\0';
  n = lk_rows(lk_tx_db(tx),
              "SELECT id FROM contacts WHERE conversation_id = ?1"
              " AND kind IN ('inbound', 'outbound') ORDER BY seq DESC LIMIT 1",
              &conversation_id, 1, NULL, 0, id_row, id);
  return n < 0 ? n : 0;
}

struct list_ctx {
  lk_chat_fn fn;
  void *ud;
};

static void list_row(lk_stmt *st, void *ud) {
  struct list_ctx *l = ud;
  lk_chat_row r = {0};

  chat_row(st, &r);
  l->fn(&r, l->ud);
}

int lk_store_chat_list(lk_store *s, int64_t after, int limit, bool confidential,
                       lk_chat_fn fn, void *ud) {
  int64_t n[] = {after, limit, confidential ? 1 : 0};
  struct list_ctx l = {fn, ud};

  return lk_rows_read(s,
                      CHAT_COLS " WHERE s.seq > ?1 AND s.ended_at IS NULL"
                                " AND c.status <> 'resolved'"
                                " AND (?3 = 1 OR c.confidential = 0)"
                                " ORDER BY s.seq LIMIT ?2",
                      NULL, 0, n, 3, list_row, &l);
}

int lk_store_chat_seq(lk_store *s, const char *id, int64_t *seq) {
  int n = lk_rows_read(s, "SELECT seq FROM chat_sessions WHERE id = ?1", &id, 1,
                       NULL, 0, one_int, seq);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

/* ---- callbacks ------------------------------------------------------ */

int lk_store_callback_insert(lk_tx *tx, const lk_callback_row *c) {
  const char *t[] = {c->id,     c->task_id, c->conversation_id, c->contact_id,
                     c->source, c->phone,   c->phone_key,       c->context};
  int64_t n[] = {c->slot_start, c->slot_end, lk_tx_now(tx)};

  return lk_rows_write(
      tx,
      "INSERT INTO callbacks (id, task_id, conversation_id, contact_id,"
      " source, phone, phone_key, context, slot_start, slot_end, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      t, 8, n, 3, false);
}

int lk_store_callback_count(lk_tx *tx, int64_t slot_start, int *out) {
  int64_t n[] = {slot_start}, v = 0;
  int rc = lk_rows(lk_tx_db(tx),
                   "SELECT COUNT(*) FROM callbacks WHERE slot_start = ?1", NULL,
                   0, n, 1, one_int, &v);

  *out = (int)v;
  return rc < 0 ? rc : 0;
}

struct count_ctx {
  void (*fn)(int64_t slot, int n, void *ud);
  void *ud;
};

static void count_row(lk_stmt *st, void *ud) {
  struct count_ctx *c = ud;

  c->fn(lk_stmt_col_int(st, 0), (int)lk_stmt_col_int(st, 1), c->ud);
}

int lk_store_callback_counts(lk_store *s, int64_t from, int64_t to,
                             void (*fn)(int64_t slot, int n, void *ud),
                             void *ud) {
  int64_t n[] = {from, to};
  struct count_ctx c = {fn, ud};
  int rc = lk_rows_read(s,
                        "SELECT slot_start, COUNT(*) FROM callbacks"
                        " WHERE slot_start >= ?1 AND slot_start < ?2"
                        " GROUP BY slot_start",
                        NULL, 0, n, 2, count_row, &c);

  return rc < 0 ? rc : 0;
}

#define CALLBACK_COLS                                                          \
  "SELECT b.id, b.task_id, b.conversation_id, b.contact_id, b.source,"         \
  " b.phone, b.phone_key, b.context, b.outcome, b.outcome_note, t.status,"     \
  " c.reference, COALESCE(p.display_name, ''), b.seq, b.slot_start,"           \
  " b.slot_end, b.attempts, COALESCE(b.outcome_at, 0), b.created_at,"          \
  " c.confidential, COALESCE(c.party_id, '') FROM callbacks b JOIN tasks t "   \
  "ON t.id = b.task_id"                                                        \
  " JOIN conversations c ON c.id = b.conversation_id"                          \
  " LEFT JOIN parties p ON p.id = c.party_id"

struct cb_ctx {
  lk_callback_fn fn;
  void *ud;
};

static void cb_row(lk_stmt *st, void *ud) {
  struct cb_ctx *c = ud;
  lk_callback_row r = {
      .id = lk_stmt_col_text(st, 0),
      .task_id = lk_stmt_col_text(st, 1),
      .conversation_id = lk_stmt_col_text(st, 2),
      .contact_id = lk_stmt_col_text(st, 3),
      .source = lk_stmt_col_text(st, 4),
      .phone = lk_stmt_col_text(st, 5),
      .phone_key = lk_stmt_col_text(st, 6),
      .context = lk_stmt_col_text(st, 7),
      .outcome = lk_stmt_col_text(st, 8),
      .outcome_note = lk_stmt_col_text(st, 9),
      .task_status = lk_stmt_col_text(st, 10),
      .reference = lk_stmt_col_text(st, 11),
      .party_name = lk_stmt_col_text(st, 12),
      .seq = lk_stmt_col_int(st, 13),
      .slot_start = lk_stmt_col_int(st, 14),
      .slot_end = lk_stmt_col_int(st, 15),
      .attempts = lk_stmt_col_int(st, 16),
      .outcome_at = lk_stmt_col_int(st, 17),
      .created_at = lk_stmt_col_int(st, 18),
      .confidential = lk_stmt_col_int(st, 19) != 0,
      .party_id = lk_stmt_col_text(st, 20),
  };

  c->fn(&r, c->ud);
}

int lk_store_callback_get(lk_store *s, lk_tx *tx, const char *id,
                          lk_callback_fn fn, void *ud) {
  struct cb_ctx c = {fn, ud};

  return lk_row_get(s, tx, CALLBACK_COLS " WHERE b.id = ?1", id, cb_row, &c);
}

int lk_store_callback_outcome(lk_tx *tx, const char *id, const char *outcome,
                              const char *note) {
  const char *t[] = {id, outcome, note};
  int64_t n[] = {lk_tx_now(tx)};

  return lk_rows_write(tx,
                       "UPDATE callbacks SET outcome = ?2, outcome_note = ?3,"
                       " outcome_at = ?4, attempts = attempts + 1"
                       " WHERE id = ?1",
                       t, 3, n, 1, true);
}

int lk_store_callback_list(lk_store *s, const char *after_id, int limit,
                           bool open, bool confidential, lk_callback_fn fn,
                           void *ud) {
  const char *t[] = {after_id};
  int64_t n[] = {limit, open ? 1 : 0, confidential ? 1 : 0};
  struct cb_ctx c = {fn, ud};

  return lk_rows_read(
      s,
      CALLBACK_COLS
      " WHERE (?1 = '' OR (b.slot_start, b.seq) > (SELECT slot_start, seq"
      " FROM callbacks WHERE id = ?1))"
      " AND (?3 = 0 OR t.status = 'te_verwerken')"
      " AND (?4 = 1 OR c.confidential = 0)"
      " ORDER BY b.slot_start, b.seq LIMIT ?2",
      t, 1, n, 3, cb_row, &c);
}
