/* residents.c - the SQL behind the resident card, look-up and timeline.
 *
 * The history of a party is that of its "family": the party and every
 * party merged into it, followed transitively.  A recursive CTE finds it
 * (UNION, not UNION ALL, so a cycle written by mistake ends instead of
 * looping).  The card's queries run in one read transaction, so the card
 * is one snapshot even while the writer commits.
 */
#include "store/residents.h"

#include <string.h>

#include "store/internal.h"

/* ?1 the party, ?2 whether confidential parties count: a confidential
 * party merged into a visible one keeps its history to itself. */
#define FAMILY                                                                 \
  "WITH RECURSIVE family (id) AS (SELECT CAST(?1 AS TEXT) UNION"               \
  " SELECT p.id FROM parties p JOIN family f ON p.merged_into = f.id"          \
  " WHERE p.confidential = 0 OR ?2 = 1) "

#define PARTY_COLUMNS                                                          \
  "p.seq, p.id, p.nummer, p.kind, p.display_name, p.identification,"           \
  " p.internal_note, p.language, COALESCE(p.merged_into, ''),"                 \
  " COALESCE(p.visiting_address, ''), COALESCE(p.postal_address, ''),"         \
  " p.confidential, p.active, p.created_at, p.updated_at"

static void party_row(lk_stmt *st, lk_party_row *p) {
  p->seq = lk_stmt_col_int(st, 0);
  p->id = lk_stmt_col_text(st, 1);
  p->nummer = lk_stmt_col_text(st, 2);
  p->kind = lk_stmt_col_text(st, 3);
  p->display_name = lk_stmt_col_text(st, 4);
  p->identification = lk_stmt_col_text(st, 5);
  p->internal_note = lk_stmt_col_text(st, 6);
  p->language = lk_stmt_col_text(st, 7);
  p->merged_into = lk_stmt_col_text(st, 8);
  p->visiting_address = lk_stmt_col_text(st, 9);
  p->postal_address = lk_stmt_col_text(st, 10);
  p->confidential = lk_stmt_col_int(st, 11) != 0;
  p->active = lk_stmt_col_int(st, 12) != 0;
  p->created_at = lk_stmt_col_int(st, 13);
  p->updated_at = lk_stmt_col_int(st, 14);
}

/* Steps `st` to the end, calling `fn` for each row.  Returns the number of
 * rows or a negative code; finishes the statement either way. */
static int each_row(lk_stmt *st, void (*fn)(lk_stmt *st, void *ud), void *ud) {
  int n = 0;
  int rc;

  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    fn(st, ud);
    n++;
  }
  lk_stmt_done(st);
  return rc < 0 ? rc : n;
}

/* ---- look-up ------------------------------------------------------------ */

struct party_ctx {
  lk_party_fn fn;
  void *ud;
};

static void find_row(lk_stmt *st, void *ud) {
  struct party_ctx *pc = ud;
  lk_party_row p;

  party_row(st, &p);
  pc->fn(&p, pc->ud);
}

int lk_store_party_find(lk_store *s, const lk_party_find *f, lk_party_fn fn,
                        void *ud) {
  static const char by_address[] =
      "SELECT " PARTY_COLUMNS " FROM parties p"
      " WHERE p.id IN (SELECT a.party_id FROM digital_addresses a"
      "  WHERE a.kind = ?5 AND a.address_key = ?1"
      "  AND a.party_id IS NOT NULL)"
      " AND p.seq > ?2 AND (p.confidential = 0 OR ?3 = 1)"
      " ORDER BY p.seq LIMIT ?4";
  static const char by_bsn[] =
      "SELECT " PARTY_COLUMNS " FROM parties p"
      " WHERE p.id IN (SELECT i.party_id FROM party_identifiers i"
      "  WHERE i.id_type = 'bsn' AND i.object_id = ?1"
      "  AND i.party_id IS NOT NULL)"
      " AND p.seq > ?2 AND (p.confidential = 0 OR ?3 = 1)"
      " ORDER BY p.seq LIMIT ?4";
  /* A range on the name index: every string that starts with the prefix
   * sorts before the prefix followed by U+10FFFF, the largest code
   * point. */
  static const char by_name[] =
      "SELECT " PARTY_COLUMNS " FROM parties p"
      " WHERE p.display_name >= ?1 AND p.display_name < ?5"
      " AND (p.display_name, p.seq) > (?6, ?2)"
      " AND (p.confidential = 0 OR ?3 = 1)"
      " ORDER BY p.display_name, p.seq LIMIT ?4";
  struct party_ctx pc = {fn, ud};
  const char *sql;
  lk_buf upper = LK_BUF_INIT;
  lk_stmt *st;
  lk_db *db;
  int rc;

  if (f->limit < 1 || f->key == NULL)
    return f->limit < 1 ? 0 : LK_STORE_INVALID;
  switch (f->by) {
  case LK_PARTY_BY_EMAIL:
  case LK_PARTY_BY_PHONE:
    sql = by_address;
    break;
  case LK_PARTY_BY_BSN:
    sql = by_bsn;
    break;
  case LK_PARTY_BY_NAME:
    sql = by_name;
    lk_buf_puts(&upper, f->key);
    lk_buf_puts(&upper, "\xf4\x8f\xbf\xbf");
    if (!lk_buf_ok(&upper)) {
      lk_buf_free(&upper);
      return LK_STORE_NOMEM;
    }
    break;
  default:
    return LK_STORE_INVALID;
  }
  rc = lk_store_reader(s, &db);
  if (rc != 0) {
    lk_buf_free(&upper);
    return rc;
  }
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    lk_buf_free(&upper);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, f->key);
  lk_stmt_int(st, 2, f->after_seq);
  lk_stmt_int(st, 3, f->confidential ? 1 : 0);
  lk_stmt_int(st, 4, f->limit);
  if (f->by == LK_PARTY_BY_NAME) {
    lk_stmt_text(st, 5, upper.data);
    lk_stmt_text(st, 6, f->after_name != NULL ? f->after_name : "");
  } else if (f->by != LK_PARTY_BY_BSN) {
    lk_stmt_text(st, 5,
                 f->by == LK_PARTY_BY_EMAIL ? "email" : "telefoonnummer");
  }
  rc = each_row(st, find_row, &pc);
  lk_store_reader_release(s, db);
  lk_buf_free(&upper);
  return rc;
}

/* ---- the card ----------------------------------------------------------- */

struct card_ctx {
  const lk_card_visitor *v;
  void *ud;
  bool found;
};

static void card_party(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;
  lk_party_row p;

  party_row(st, &p);
  cc->found = true;
  if (cc->v->party != NULL)
    cc->v->party(&p, cc->ud);
}

static void card_merged(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;

  if (cc->v->merged != NULL)
    cc->v->merged(lk_stmt_col_text(st, 0), cc->ud);
}

static void card_identifier(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;
  lk_identifier_row r;

  r.id = lk_stmt_col_text(st, 0);
  r.object_type = lk_stmt_col_text(st, 1);
  r.register_ = lk_stmt_col_text(st, 2);
  r.id_type = lk_stmt_col_text(st, 3);
  r.object_id = lk_stmt_col_text(st, 4);
  r.other = lk_stmt_col_text(st, 5);
  r.sub_of = lk_stmt_col_text(st, 6);
  if (cc->v->identifier != NULL)
    cc->v->identifier(&r, cc->ud);
}

static void card_address(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;
  lk_address_row r;

  r.id = lk_stmt_col_text(st, 0);
  r.kind = lk_stmt_col_text(st, 1);
  r.address = lk_stmt_col_text(st, 2);
  r.description = lk_stmt_col_text(st, 3);
  r.reference = lk_stmt_col_text(st, 4);
  r.verified_on = lk_stmt_col_text(st, 5);
  r.is_default = lk_stmt_col_int(st, 6) != 0;
  if (cc->v->address != NULL)
    cc->v->address(&r, cc->ud);
}

static void card_count(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;

  if (cc->v->channel_count != NULL)
    cc->v->channel_count(lk_stmt_col_text(st, 0), lk_stmt_col_int(st, 1),
                         cc->ud);
}

static void card_conversation(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;
  lk_conversation_brief c;

  c.id = lk_stmt_col_text(st, 0);
  c.reference = lk_stmt_col_text(st, 1);
  c.party_id = lk_stmt_col_text(st, 2);
  c.subject = lk_stmt_col_text(st, 3);
  c.channel = lk_stmt_col_text(st, 4);
  c.status = lk_stmt_col_text(st, 5);
  c.assignee_id = lk_stmt_col_text(st, 6);
  c.priority = (int)lk_stmt_col_int(st, 7);
  c.confidential = lk_stmt_col_int(st, 8) != 0;
  c.created_at = lk_stmt_col_int(st, 9);
  c.last_message_at = lk_stmt_col_int(st, 10);
  if (cc->v->conversation != NULL)
    cc->v->conversation(&c, cc->ud);
}

static void card_task(lk_stmt *st, void *ud) {
  struct card_ctx *cc = ud;
  lk_task_brief t;

  t.id = lk_stmt_col_text(st, 0);
  t.nummer = lk_stmt_col_text(st, 1);
  t.kind = lk_stmt_col_text(st, 2);
  t.action = lk_stmt_col_text(st, 3);
  t.status = lk_stmt_col_text(st, 4);
  t.contact_id = lk_stmt_col_text(st, 5);
  t.conversation_id = lk_stmt_col_text(st, 6);
  t.deadline = lk_stmt_col_int(st, 7);
  t.assigned_at = lk_stmt_col_int(st, 8);
  t.created_at = lk_stmt_col_int(st, 9);
  if (cc->v->task != NULL)
    cc->v->task(&t, cc->ud);
}

/* Runs one card query with ?1 the party id, then ?2 the confidential flag
 * when the query has it (`flag`), then the limit when `limit` > 0 (as ?3,
 * or ?2 without the flag). */
static int card_query(lk_db *db, const char *sql, const char *id, bool flag,
                      bool confidential, int limit, lk_row_fn fn, void *ud) {
  int64_t nums[2];
  int nn = 0;

  if (flag)
    nums[nn++] = confidential ? 1 : 0;
  if (limit > 0)
    nums[nn++] = limit;
  return lk_rows(db, sql, &id, 1, nums, nn, fn, ud);
}

static int clamp(int n) {
  return n < 0 ? 0 : n > LK_CARD_LIST_MAX ? LK_CARD_LIST_MAX : n;
}

int lk_store_resident_card(lk_store *s, const char *id, bool confidential,
                           int recent, int tasks, const lk_card_visitor *v,
                           void *ud) {
  static const char party_sql[] =
      "SELECT " PARTY_COLUMNS " FROM parties p"
      " WHERE p.id = ?1 AND (p.confidential = 0 OR ?2 = 1)";
  static const char merged_sql[] =
      "SELECT p.id FROM parties p WHERE p.merged_into = ?1"
      " AND (p.confidential = 0 OR ?2 = 1) ORDER BY p.seq LIMIT ?3";
  static const char identifiers_sql[] =
      "SELECT id, object_type, register, id_type, object_id, other,"
      " COALESCE(sub_of, '') FROM party_identifiers"
      " WHERE party_id = ?1 ORDER BY seq LIMIT ?2";
  static const char addresses_sql[] =
      "SELECT id, kind, address, description, reference,"
      " COALESCE(verified_on, ''), is_default FROM digital_addresses"
      " WHERE party_id = ?1 ORDER BY kind, is_default DESC, seq LIMIT ?2";
  static const char counts_sql[] =
      FAMILY "SELECT v.channel, COUNT(*) FROM conversations v"
             " WHERE v.party_id IN (SELECT id FROM family)"
             " AND (v.confidential = 0 OR ?2 = 1)"
             " GROUP BY v.channel ORDER BY v.channel";
  static const char recent_sql[] =
      FAMILY "SELECT v.id, v.reference, v.party_id, v.subject, v.channel,"
             " v.status, COALESCE(v.assignee_id, ''), v.priority,"
             " v.confidential, v.created_at, v.last_message_at"
             " FROM conversations v"
             " WHERE v.party_id IN (SELECT id FROM family)"
             " AND (v.confidential = 0 OR ?2 = 1)"
             " ORDER BY v.last_message_at DESC, v.seq DESC LIMIT ?3";
  static const char tasks_sql[] =
      FAMILY "SELECT t.id, COALESCE(t.nummer, ''), t.kind, t.action,"
             " t.status, t.contact_id, v.id, COALESCE(t.deadline, 0),"
             " t.assigned_at, t.created_at"
             " FROM conversations v"
             " JOIN contacts c ON c.conversation_id = v.id"
             " JOIN tasks t ON t.contact_id = c.id"
             " WHERE v.party_id IN (SELECT id FROM family)"
             " AND t.status = 'te_verwerken'"
             " AND ((v.confidential = 0 AND c.confidential = 0) OR ?2 = 1)"
             " ORDER BY COALESCE(t.deadline, 9223372036854775807), t.seq"
             " LIMIT ?3";
  struct card_ctx cc = {v, ud, false};
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  /* One snapshot for every part of the card. */
  rc = lk_db_exec(db, "BEGIN");
  if (rc != 0) {
    lk_store_reader_release(s, db);
    return rc;
  }
  rc = card_query(db, party_sql, id, true, confidential, 0, card_party, &cc);
  if (rc >= 0 && !cc.found)
    rc = LK_STORE_NOTFOUND;
  if (rc >= 0)
    rc = card_query(db, merged_sql, id, true, confidential, LK_CARD_LIST_MAX,
                    card_merged, &cc);
  if (rc >= 0)
    rc = card_query(db, identifiers_sql, id, false, false, LK_CARD_LIST_MAX,
                    card_identifier, &cc);
  if (rc >= 0)
    rc = card_query(db, addresses_sql, id, false, false, LK_CARD_LIST_MAX,
                    card_address, &cc);
  if (rc >= 0)
    rc = card_query(db, counts_sql, id, true, confidential, 0, card_count, &cc);
  if (rc >= 0 && clamp(recent) > 0)
    rc = card_query(db, recent_sql, id, true, confidential, clamp(recent),
                    card_conversation, &cc);
  if (rc >= 0 && clamp(tasks) > 0)
    rc = card_query(db, tasks_sql, id, true, confidential, clamp(tasks),
                    card_task, &cc);
  /* A reader must go back to the pool without a transaction, or it would
   * hold its snapshot (and the WAL) for ever. */
  if (lk_db_exec(db, "COMMIT") != 0) {
    lk_db_exec(db, "ROLLBACK");
    if (rc >= 0)
      rc = LK_STORE_IO;
  }
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : 0;
}

/* ---- the timeline ------------------------------------------------------- */

struct timeline_ctx {
  lk_timeline_fn fn;
  void *ud;
};

static void timeline_row(lk_stmt *st, void *ud) {
  struct timeline_ctx *tc = ud;
  lk_timeline_row r;

  r.seq = lk_stmt_col_int(st, 0);
  r.id = lk_stmt_col_text(st, 1);
  r.conversation_id = lk_stmt_col_text(st, 2);
  r.party_id = lk_stmt_col_text(st, 3);
  r.kind = lk_stmt_col_text(st, 4);
  r.channel = lk_stmt_col_text(st, 5);
  r.subject = lk_stmt_col_text(st, 6);
  r.content = lk_stmt_col_text(st, 7);
  r.occurred_at = lk_stmt_col_int(st, 8);
  r.confidential = lk_stmt_col_int(st, 9) != 0;
  r.involved = lk_stmt_col_int(st, 10) != 0;
  tc->fn(&r, tc->ud);
}

static void visible_row(lk_stmt *st, void *ud) {
  bool *visible = ud;

  *visible = true;
  (void)st;
}

int lk_store_resident_timeline(lk_store *s, const char *id, bool confidential,
                               int64_t before_time, int64_t before_seq,
                               int limit, lk_timeline_fn fn, void *ud) {
  static const char party_sql[] = "SELECT 1 FROM parties"
                                  " WHERE id = ?1 AND (confidential = 0"
                                  " OR ?2 = 1)";
  /* Contacts of the family's conversations, and contacts a member of the
   * family is involved in (betrokkene).  A contact counts as confidential
   * if it, its conversation or that conversation's party is: a contact in
   * a confidential party's conversation must not reveal that party. */
  static const char sql[] =
      FAMILY ", hits (seq) AS ("
             " SELECT c.seq FROM conversations v"
             " JOIN contacts c ON c.conversation_id = v.id"
             " WHERE v.party_id IN (SELECT id FROM family)"
             " UNION"
             " SELECT c.seq FROM involved i"
             " JOIN contacts c ON c.id = i.contact_id"
             " WHERE i.party_id IN (SELECT id FROM family)) "
             "SELECT c.seq, c.id, COALESCE(c.conversation_id, ''),"
             " COALESCE(v.party_id, ''), c.kind, c.channel, c.subject,"
             " substr(c.content, 1, 400), c.occurred_at,"
             " CASE WHEN c.confidential <> 0 OR COALESCE(v.confidential, 0)"
             "  <> 0 OR COALESCE(vp.confidential, 0) <> 0 THEN 1 ELSE 0 END,"
             " CASE WHEN v.party_id IN (SELECT id FROM family)"
             "  THEN 0 ELSE 1 END"
             " FROM hits h JOIN contacts c ON c.seq = h.seq"
             " LEFT JOIN conversations v ON v.id = c.conversation_id"
             " LEFT JOIN parties vp ON vp.id = v.party_id"
             " WHERE (c.occurred_at, c.seq) < (?3, ?4)"
             " AND ((c.confidential = 0 AND COALESCE(v.confidential, 0) = 0"
             "  AND COALESCE(vp.confidential, 0) = 0) OR ?2 = 1)"
             " ORDER BY c.occurred_at DESC, c.seq DESC LIMIT ?5";
  struct timeline_ctx tc = {fn, ud};
  bool visible = false;
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = card_query(db, party_sql, id, true, confidential, 0, visible_row,
                  &visible);
  if (rc >= 0 && !visible)
    rc = LK_STORE_NOTFOUND;
  if (rc >= 0 && limit > 0) {
    const int64_t nums[] = {confidential ? 1 : 0, before_time, before_seq,
                            limit};

    rc = lk_rows(db, sql, &id, 1, nums, 4, timeline_row, &tc);
  }
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : (limit > 0 ? rc : 0);
}
