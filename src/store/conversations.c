/* conversations.c - conversations, contacts, the parties they link to.
 *
 * The inbox query has a dozen optional filters.  Its SQL is generated per
 * combination of filters present (a bit mask) and kept for the life of the
 * process: the statement cache of each connection is keyed by the address
 * of the SQL text, so the number of distinct statements stays bounded
 * (at most one per combination actually used) while each one is a plain
 * conjunction of equalities that SQLite can match to an index
 * (conversations_team, conversations_assignee, conversations_status,
 * conversations_party, conversations_recent).  "?N IS NULL OR col = ?N"
 * would have been one statement, but no index can serve it.
 */
#include "store/conversations.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/conv_filter.h"
#include "store/internal.h"
#include "util/buf.h"

/* ---- counters ------------------------------------------------------- */

/* Two statements rather than one with RETURNING, which made SQLite open
 * and drop a temporary B-tree each time (twice per conversation). */
int lk_store_counter_next(lk_tx *tx, const char *name, int64_t *value) {
  static const char bump[] = "INSERT INTO counters (name, value) VALUES (?1, 1)"
                             " ON CONFLICT (name) DO UPDATE"
                             " SET value = counters.value + 1";
  static const char get[] = "SELECT value FROM counters WHERE name = ?1";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, bump);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, name);
  rc = lk_stmt_run(st);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, get);
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, name);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    *value = lk_stmt_col_int(st, 0);
  lk_stmt_done(st);
  if (rc == LK_DB_ROW)
    return 0;
  return rc < 0 ? rc : LK_STORE_IO;
}

/* ---- parties -------------------------------------------------------- */

/* Looks up a party by id, following merges (at most a few hops: a merge
 * chain longer than that is a bug elsewhere, and we refuse it). */
static int party_resolve(lk_db *db, char *party_id, bool may_confidential,
                         char *name, size_t name_size, bool *confidential) {
  static const char sql[] =
      "SELECT display_name, confidential, COALESCE(merged_into, '')"
      " FROM parties WHERE id = ?1";
  char next[LK_CONV_ID_LEN + 1];
  int rc = LK_STORE_NOTFOUND;

  for (int hop = 0; hop < 8; hop++) {
    lk_stmt *st = lk_db_stmt(db, sql);
    bool conf;

    if (st == NULL)
      return LK_STORE_IO;
    lk_stmt_text(st, 1, party_id);
    rc = lk_stmt_step(st);
    if (rc != LK_DB_ROW) {
      lk_stmt_done(st);
      return rc < 0 ? rc : LK_STORE_NOTFOUND;
    }
    lk_store_copy(name, name_size, lk_stmt_col_text(st, 0));
    conf = lk_stmt_col_int(st, 1) != 0;
    lk_store_copy(next, sizeof(next), lk_stmt_col_text(st, 2));
    lk_stmt_done(st);
    if (next[0] == '\0') {
      *confidential = conf;
      return conf && !may_confidential ? LK_STORE_NOTFOUND : 0;
    }
    memcpy(party_id, next, sizeof(next));
  }
  return LK_STORE_NOTFOUND;
}

int lk_store_party_by_verified_address(lk_tx *tx, const char *kind,
                                       const char *key, char *party_id,
                                       char *party_name, size_t name_size,
                                       bool *confidential) {
  /* Served by the partial unique index digital_addresses_verified. */
  static const char sql[] =
      "SELECT party_id FROM digital_addresses"
      " WHERE kind = ?1 AND address_key = ?2"
      " AND verified_on IS NOT NULL AND party_id IS NOT NULL";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, kind);
  lk_stmt_text(st, 2, key);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    lk_store_copy(party_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  if (rc != LK_DB_ROW)
    return rc < 0 ? rc : LK_STORE_NOTFOUND;
  /* A confidential party's history is joined like any other; the caller
   * decides what that means for who may see it. */
  return party_resolve(db, party_id, true, party_name, name_size, confidential);
}

int lk_store_party_check(lk_tx *tx, char *party_id, bool may_confidential,
                         char *name, size_t name_size, bool *confidential) {
  return party_resolve(lk_tx_db(tx), party_id, may_confidential, name,
                       name_size, confidential);
}

int lk_store_party_insert_person(lk_tx *tx, const char *id, const char *nummer,
                                 const char *display_name) {
  static const char sql[] =
      "INSERT INTO parties (id, nummer, kind, display_name, created_at,"
      " updated_at) VALUES (?1, ?2, 'persoon', ?3, ?4, ?4)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, nummer);
  lk_stmt_text(st, 3, display_name);
  lk_stmt_int(st, 4, lk_tx_now(tx));
  return lk_stmt_run(st);
}

int lk_store_address_insert(lk_tx *tx, const char *id, const char *party_id,
                            const char *kind, const char *address,
                            const char *key, bool is_default) {
  static const char sql[] =
      "INSERT INTO digital_addresses (id, party_id, kind, address,"
      " address_key, is_default, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, party_id);
  lk_stmt_text(st, 3, kind);
  lk_stmt_text(st, 4, address);
  lk_stmt_text(st, 5, key);
  lk_stmt_int(st, 6, is_default ? 1 : 0);
  lk_stmt_int(st, 7, lk_tx_now(tx));
  return lk_stmt_run(st);
}

/* ---- conversations -------------------------------------------------- */

/* Runs `st` (bound by the caller) expecting at most one row; NOTFOUND if
 * none. */
static int exists(lk_stmt *st) {
  int rc = lk_stmt_step(st);

  lk_stmt_done(st);
  if (rc == LK_DB_ROW)
    return 0;
  return rc < 0 ? rc : LK_STORE_NOTFOUND;
}

int lk_store_team_check(lk_tx *tx, const char *team_id) {
  static const char sql[] = "SELECT 1 FROM actors WHERE id = ?1"
                            " AND kind = 'organisatorische_eenheid'";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, team_id);
  return exists(st);
}

int lk_store_conv_insert(lk_tx *tx, const lk_conv_row *c) {
  static const char sql[] =
      "INSERT INTO conversations (id, reference, party_id, subject, channel,"
      " status, priority, team_id, assignee_id, confidential, language,"
      " version, created_at, updated_at, last_message_at, waiting_since)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
      " ?13, ?14, ?15)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, c->id);
  lk_stmt_text(st, 2, c->reference);
  lk_stmt_text(st, 3, lk_conv_nz(c->party_id));
  lk_stmt_text(st, 4, c->subject);
  lk_stmt_text(st, 5, c->channel);
  lk_stmt_text(st, 6, c->status);
  lk_stmt_int(st, 7, c->priority);
  lk_stmt_text(st, 8, lk_conv_nz(c->team_id));
  lk_stmt_text(st, 9, lk_conv_nz(c->assignee_id));
  lk_stmt_int(st, 10, c->confidential ? 1 : 0);
  lk_stmt_text(st, 11, c->language);
  lk_stmt_int(st, 12, c->version);
  lk_stmt_int(st, 13, c->created_at);
  lk_stmt_int(st, 14, c->last_message_at);
  if (c->waiting_since != 0)
    lk_stmt_int(st, 15, c->waiting_since);
  else
    lk_stmt_text(st, 15, NULL);
  return lk_stmt_run(st);
}

int lk_store_conv_category_add(lk_tx *tx, const char *conv_id,
                               const char *category_id) {
  /* Inserting through a SELECT checks that the category exists and
   * ignores a category named twice, in one statement. */
  static const char sql[] =
      "INSERT INTO conversation_categories (conversation_id, category_id)"
      " SELECT ?1, id FROM categories WHERE id = ?2"
      " ON CONFLICT DO NOTHING";
  static const char known[] = "SELECT 1 FROM categories WHERE id = ?1";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, conv_id);
  lk_stmt_text(st, 2, category_id);
  rc = lk_stmt_run(st);
  if (rc != 0 || lk_db_changes(db) > 0)
    return rc;
  st = lk_db_stmt(db, known);
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, category_id);
  return exists(st);
}

int lk_store_conv_categories_clear(lk_tx *tx, const char *conv_id) {
  static const char sql[] =
      "DELETE FROM conversation_categories WHERE conversation_id = ?1";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, conv_id);
  return lk_stmt_run(st);
}

#define CONV_COLUMNS                                                           \
  "v.seq, v.id, v.reference, COALESCE(v.party_id, ''),"                        \
  " COALESCE(p.display_name, ''), v.subject, v.channel, v.status,"             \
  " COALESCE(v.team_id, ''), COALESCE(v.assignee_id, ''), v.language,"         \
  " v.priority, v.confidential, v.version, v.created_at, v.updated_at,"        \
  " v.last_message_at, COALESCE(v.snoozed_until, 0),"                          \
  " COALESCE(v.first_response_at, 0), COALESCE(v.resolved_at, 0),"             \
  " COALESCE(v.waiting_since, 0)"
#define CONV_FROM                                                              \
  " FROM conversations v LEFT JOIN parties p ON p.id = v.party_id"
#define CONV_NCOLUMNS 21

static void conv_row(lk_stmt *st, lk_conv_row *c) {
  c->seq = lk_stmt_col_int(st, 0);
  lk_store_copy(c->id, sizeof(c->id), lk_stmt_col_text(st, 1));
  lk_store_copy(c->reference, sizeof(c->reference), lk_stmt_col_text(st, 2));
  lk_store_copy(c->party_id, sizeof(c->party_id), lk_stmt_col_text(st, 3));
  lk_store_copy(c->party_name, sizeof(c->party_name), lk_stmt_col_text(st, 4));
  lk_store_copy(c->subject, sizeof(c->subject), lk_stmt_col_text(st, 5));
  lk_store_copy(c->channel, sizeof(c->channel), lk_stmt_col_text(st, 6));
  lk_store_copy(c->status, sizeof(c->status), lk_stmt_col_text(st, 7));
  lk_store_copy(c->team_id, sizeof(c->team_id), lk_stmt_col_text(st, 8));
  lk_store_copy(c->assignee_id, sizeof(c->assignee_id),
                lk_stmt_col_text(st, 9));
  lk_store_copy(c->language, sizeof(c->language), lk_stmt_col_text(st, 10));
  c->priority = (int)lk_stmt_col_int(st, 11);
  c->confidential = lk_stmt_col_int(st, 12) != 0;
  c->version = lk_stmt_col_int(st, 13);
  c->created_at = lk_stmt_col_int(st, 14);
  c->updated_at = lk_stmt_col_int(st, 15);
  c->last_message_at = lk_stmt_col_int(st, 16);
  c->snoozed_until = lk_stmt_col_int(st, 17);
  c->first_response_at = lk_stmt_col_int(st, 18);
  c->resolved_at = lk_stmt_col_int(st, 19);
  c->waiting_since = lk_stmt_col_int(st, 20);
}

static int conv_one(lk_db *db, const char *sql, const char *id,
                    bool may_confidential, lk_conv_row *out) {
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    conv_row(st, out);
  lk_stmt_done(st);
  if (rc != LK_DB_ROW)
    return rc < 0 ? rc : LK_STORE_NOTFOUND;
  if (out->confidential && !may_confidential)
    return LK_STORE_NOTFOUND;
  return 0;
}

static const char conv_by_id[] =
    "SELECT " CONV_COLUMNS CONV_FROM " WHERE v.id = ?1";

int lk_store_conv_lock(lk_tx *tx, const char *id, bool may_confidential,
                       lk_conv_row *out) {
  /* The writer is the only one writing, so a read inside its transaction
   * is as good as a lock. */
  return conv_one(lk_tx_db(tx), conv_by_id, id, may_confidential, out);
}

static void bind_time(lk_stmt *st, int i, int64_t v) {
  if (v != 0)
    lk_stmt_int(st, i, v);
  else
    lk_stmt_text(st, i, NULL);
}

int lk_store_conv_save(lk_tx *tx, const lk_conv_row *c) {
  static const char sql[] =
      "UPDATE conversations SET status = ?2, snoozed_until = ?3,"
      " priority = ?4, subject = ?5, team_id = ?6, assignee_id = ?7,"
      " version = ?8, updated_at = ?9, last_message_at = ?10,"
      " first_response_at = ?11, resolved_at = ?12, waiting_since = ?13"
      " WHERE id = ?1";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, c->id);
  lk_stmt_text(st, 2, c->status);
  bind_time(st, 3, c->snoozed_until);
  lk_stmt_int(st, 4, c->priority);
  lk_stmt_text(st, 5, c->subject);
  lk_stmt_text(st, 6, lk_conv_nz(c->team_id));
  lk_stmt_text(st, 7, lk_conv_nz(c->assignee_id));
  lk_stmt_int(st, 8, c->version);
  lk_stmt_int(st, 9, c->updated_at);
  lk_stmt_int(st, 10, c->last_message_at);
  bind_time(st, 11, c->first_response_at);
  bind_time(st, 12, c->resolved_at);
  bind_time(st, 13, c->waiting_since);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

/* ---- contacts ------------------------------------------------------- */

int lk_store_contact_insert(lk_tx *tx, const lk_contact_row *c) {
  static const char sql[] =
      "INSERT INTO contacts (id, conversation_id, kind, nummer, channel,"
      " subject, content, language, confidential, occurred_at, author_id,"
      " client_key, delivery, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, c->id);
  lk_stmt_text(st, 2, c->conversation_id);
  lk_stmt_text(st, 3, c->kind);
  lk_stmt_text(st, 4, lk_conv_nz(c->nummer));
  lk_stmt_text(st, 5, c->channel);
  lk_stmt_text(st, 6, c->subject != NULL ? c->subject : "");
  lk_stmt_text(st, 7, c->content);
  lk_stmt_text(st, 8, c->language);
  lk_stmt_int(st, 9, c->confidential ? 1 : 0);
  lk_stmt_int(st, 10, c->occurred_at);
  lk_stmt_text(st, 11, lk_conv_nz(c->author_id));
  lk_stmt_text(st, 12, lk_conv_nz(c->client_key));
  lk_stmt_text(st, 13, c->delivery != NULL ? c->delivery : "");
  lk_stmt_int(st, 14, lk_tx_now(tx));
  return lk_stmt_run(st);
}

int lk_store_contact_by_client_key(lk_tx *tx, const char *client_key,
                                   char conv_id[LK_CONV_ID_LEN + 1],
                                   char contact_id[LK_CONV_ID_LEN + 1]) {
  static const char sql[] =
      "SELECT conversation_id, id FROM contacts WHERE client_key = ?1";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, client_key);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    lk_store_copy(conv_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
    lk_store_copy(contact_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 1));
  }
  lk_stmt_done(st);
  if (rc == LK_DB_ROW)
    return 0;
  return rc < 0 ? rc : LK_STORE_NOTFOUND;
}

int lk_store_contact_check(lk_tx *tx, const char *id, bool may_confidential) {
  static const char sql[] =
      "SELECT c.confidential, COALESCE(v.confidential, 0) FROM contacts c"
      " LEFT JOIN conversations v ON v.id = c.conversation_id"
      " WHERE c.id = ?1 AND c.kind <> 'note'";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  bool conf = false;
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    conf = lk_stmt_col_int(st, 0) != 0 || lk_stmt_col_int(st, 1) != 0;
  lk_stmt_done(st);
  if (rc != LK_DB_ROW)
    return rc < 0 ? rc : LK_STORE_NOTFOUND;
  return conf && !may_confidential ? LK_STORE_NOTFOUND : 0;
}

int lk_store_involved_insert(lk_tx *tx, const char *id, const char *contact_id,
                             const char *party_id, const char *contact_name,
                             bool initiator) {
  static const char sql[] =
      "INSERT INTO involved (id, contact_id, party_id, role, initiator,"
      " contact_name, created_at) VALUES (?1, ?2, ?3, 'klant', ?4, ?5, ?6)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, contact_id);
  lk_stmt_text(st, 3, lk_conv_nz(party_id));
  lk_stmt_int(st, 4, initiator ? 1 : 0);
  lk_stmt_text(st, 5, lk_conv_nz(contact_name));
  lk_stmt_int(st, 6, lk_tx_now(tx));
  return lk_stmt_run(st);
}

int lk_store_contact_actor_insert(lk_tx *tx, const char *id,
                                  const char *actor_id,
                                  const char *contact_id) {
  static const char sql[] =
      "INSERT INTO contact_actors (id, actor_id, contact_id, created_at)"
      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
  const char *const texts[] = {id, actor_id, contact_id};
  const int64_t now = lk_tx_now(tx);

  return lk_rows_write(tx, sql, texts, 3, &now, 1, false);
}

int lk_store_subject_object_was(lk_tx *tx, const char *id,
                                const char *contact_id,
                                const char *was_contact_id) {
  static const char sql[] =
      "INSERT INTO subject_objects (id, contact_id, was_contact_id,"
      " created_at) VALUES (?1, ?2, ?3, ?4)";
  const char *const texts[] = {id, contact_id, was_contact_id};
  const int64_t now = lk_tx_now(tx);

  return lk_rows_write(tx, sql, texts, 3, &now, 1, false);
}

/* ---- reads ---------------------------------------------------------- */

int lk_store_conv_get(lk_store *s, const char *id, bool may_confidential,
                      lk_conv_row *out) {
  lk_conv_row c;
  lk_db *db;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = conv_one(db, conv_by_id, id, may_confidential, &c);
  lk_store_reader_release(s, db);
  if (rc == 0)
    *out = c;
  return rc;
}

struct cat_ctx {
  lk_conv_category_fn fn;
  void *ud;
};

static void cat_row(lk_stmt *st, void *ud) {
  struct cat_ctx *cc = ud;

  cc->fn(lk_stmt_col_text(st, 0), lk_stmt_col_text(st, 1), cc->ud);
}

int lk_store_conv_categories(lk_store *s, const char *conv_id,
                             lk_conv_category_fn fn, void *ud) {
  /* A conversation has a handful of categories; 100 bounds a bad one. */
  static const char sql[] =
      "SELECT k.id, k.name FROM conversation_categories cc"
      " JOIN categories k ON k.id = cc.category_id"
      " WHERE cc.conversation_id = ?1 ORDER BY k.name LIMIT ?2";
  struct cat_ctx cc = {fn, ud};

  return lk_store_query(s, sql, conv_id, 100, cat_row, &cc);
}

#define CONTACT_COLUMNS                                                        \
  "seq, id, conversation_id, kind, COALESCE(nummer, ''), channel, subject,"    \
  " content, language, confidential, occurred_at, COALESCE(author_id, ''),"    \
  " delivery"

static void contact_row(lk_stmt *st, lk_contact_row *c) {
  memset(c, 0, sizeof(*c));
  c->seq = lk_stmt_col_int(st, 0);
  c->id = lk_stmt_col_text(st, 1);
  c->conversation_id = lk_stmt_col_text(st, 2);
  c->kind = lk_stmt_col_text(st, 3);
  c->nummer = lk_stmt_col_text(st, 4);
  c->channel = lk_stmt_col_text(st, 5);
  c->subject = lk_stmt_col_text(st, 6);
  c->content = lk_stmt_col_text(st, 7);
  c->language = lk_stmt_col_text(st, 8);
  c->confidential = lk_stmt_col_int(st, 9) != 0;
  c->occurred_at = lk_stmt_col_int(st, 10);
  c->author_id = lk_stmt_col_text(st, 11);
  c->delivery = lk_stmt_col_text(st, 12);
}

int lk_store_conv_timeline(lk_store *s, const char *conv_id,
                           bool may_confidential, int64_t after_seq, int limit,
                           lk_contact_fn fn, void *ud) {
  static const char all[] = "SELECT " CONTACT_COLUMNS " FROM contacts"
                            " WHERE conversation_id = ?1 AND seq > ?2"
                            " ORDER BY seq LIMIT ?3";
  static const char open[] = "SELECT " CONTACT_COLUMNS " FROM contacts"
                             " WHERE conversation_id = ?1 AND seq > ?2"
                             " AND confidential = 0 ORDER BY seq LIMIT ?3";
  lk_contact_row c;
  lk_stmt *st;
  lk_db *db;
  int n = 0;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, may_confidential ? all : open);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, conv_id);
  lk_stmt_int(st, 2, after_seq);
  lk_stmt_int(st, 3, limit);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    contact_row(st, &c);
    fn(&c, ud);
    n++;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : n;
}

int lk_store_conv_attachments(lk_store *s, const char *conv_id,
                              int64_t from_seq, int64_t to_seq,
                              lk_attachment_fn fn, void *ud) {
  static const char sql[] =
      "SELECT a.id, a.contact_id, COALESCE(a.sha256, ''), a.filename,"
      " a.media_type, a.size, a.created_at FROM contacts c"
      " JOIN attachments a ON a.contact_id = c.id"
      " WHERE c.conversation_id = ?1 AND c.seq > ?2 AND c.seq <= ?3"
      " ORDER BY a.seq LIMIT 1000";
  lk_attachment_view a;
  lk_stmt *st;
  lk_db *db;
  int n = 0;
  int rc;

  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, conv_id);
  lk_stmt_int(st, 2, from_seq);
  lk_stmt_int(st, 3, to_seq);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    a.id = lk_stmt_col_text(st, 0);
    a.contact_id = lk_stmt_col_text(st, 1);
    a.sha256 = lk_stmt_col_text(st, 2);
    a.filename = lk_stmt_col_text(st, 3);
    a.media_type = lk_stmt_col_text(st, 4);
    a.size = lk_stmt_col_int(st, 5);
    a.created_at = lk_stmt_col_int(st, 6);
    fn(&a, ud);
    n++;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : n;
}

/* ---- the inbox ------------------------------------------------------ */

enum { F_COMBINATIONS = LK_CONV_F_NEXT };

static pthread_mutex_t list_sql_lock = PTHREAD_MUTEX_INITIALIZER;
static char *list_sql[F_COMBINATIONS];

/* Parameters: ?1 team, ?2 status, ?3 channel, ?4 assignee, ?5 category,
 * ?6 party, ?7 from, ?8 to, ?9 and ?10 the cursor, ?11 the limit.  Unused
 * numbers are simply not in the text. */
static char *build_list_sql(unsigned m) {
  lk_buf b = LK_BUF_INIT;
  const char *hide = (m & F_HIDECONF) ? " AND c.confidential = 0" : "";

  lk_buf_puts(&b, "SELECT " CONV_COLUMNS ",");
  lk_buf_printf(&b,
                " (SELECT substr(c.content, 1, %d) FROM contacts c"
                " WHERE c.conversation_id = v.id AND c.kind <> 'note'%s"
                " ORDER BY c.occurred_at DESC, c.seq DESC LIMIT 1)",
                LK_CONV_PREVIEW_CHARS, hide);
  lk_buf_puts(&b, CONV_FROM " WHERE 1 = 1");
  if (m & F_TEAM)
    lk_buf_puts(&b, " AND v.team_id = ?1");
  if (m & F_STATUS)
    lk_buf_puts(&b, " AND v.status = ?2");
  if (m & F_CHANNEL)
    lk_buf_puts(&b, " AND v.channel = ?3");
  if (m & F_ASSIGNEE)
    lk_buf_puts(&b, " AND v.assignee_id = ?4");
  if (m & F_UNASSIGNED)
    lk_buf_puts(&b, " AND v.assignee_id IS NULL");
  if (m & F_CATEGORY)
    lk_buf_puts(&b, " AND v.id IN (SELECT conversation_id"
                    " FROM conversation_categories WHERE category_id = ?5)");
  if (m & F_PARTY)
    lk_buf_puts(&b, " AND v.party_id = ?6");
  if (m & F_FROM)
    lk_buf_puts(&b, " AND v.last_message_at >= ?7");
  if (m & F_TO)
    lk_buf_puts(&b, " AND v.last_message_at < ?8");
  if (m & F_AFTER)
    lk_buf_puts(&b, " AND (v.last_message_at, v.seq) < (?9, ?10)");
  if (m & F_HIDECONF)
    lk_buf_puts(&b, " AND v.confidential = 0");
  lk_buf_puts(&b, " ORDER BY v.last_message_at DESC, v.seq DESC LIMIT ?11");
  return lk_buf_steal(&b);
}

const char *lk_store_conv_list_sql(const lk_conv_filter *f) {
  unsigned m = lk_conv_filter_mask(f);
  char *sql;

  pthread_mutex_lock(&list_sql_lock);
  if (list_sql[m] == NULL)
    list_sql[m] = build_list_sql(m);
  sql = list_sql[m];
  pthread_mutex_unlock(&list_sql_lock);
  return sql;
}

int lk_store_conv_list(lk_store *s, const lk_conv_filter *f, lk_conv_item_fn fn,
                       void *ud) {
  const char *sql = lk_store_conv_list_sql(f);
  lk_conv_row row;
  lk_conv_item it = {&row, NULL};
  lk_stmt *st;
  lk_db *db;
  int n = 0;
  int rc;

  if (sql == NULL)
    return LK_STORE_NOMEM;
  if (f->limit < 1)
    return 0;
  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_text(st, 1, lk_conv_nz(f->team_id));
  lk_stmt_text(st, 2, lk_conv_nz(f->status));
  lk_stmt_text(st, 3, lk_conv_nz(f->channel));
  lk_stmt_text(st, 4, lk_conv_nz(f->assignee_id));
  lk_stmt_text(st, 5, lk_conv_nz(f->category_id));
  lk_stmt_text(st, 6, lk_conv_nz(f->party_id));
  lk_stmt_int(st, 7, f->from);
  lk_stmt_int(st, 8, f->to);
  lk_stmt_int(st, 9, f->after_time);
  lk_stmt_int(st, 10, f->after_seq);
  lk_stmt_int(st, 11, f->limit);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    conv_row(st, &row);
    it.preview = lk_stmt_col_text(st, CONV_NCOLUMNS);
    fn(&it, ud);
    n++;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc < 0 ? rc : n;
}
