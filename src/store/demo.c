/* demo.c - bulk inserts for the demo generator (see demo.h). */
#include "store/demo.h"

#include "store/internal.h"

/* Binds a time, or NULL for 0. */
static void bind_time(lk_stmt *st, int i, int64_t v) {
  if (v == 0)
    lk_stmt_text(st, i, NULL);
  else
    lk_stmt_int(st, i, v);
}

int lk_store_demo_tune(lk_tx *tx) {
  /* 256 MiB: the indexes of a million contacts stay in memory while they
   * grow, instead of being read back from the file for every insert. */
  return lk_db_exec(lk_tx_db(tx), "PRAGMA cache_size=-262144;");
}

int lk_store_demo_party(lk_tx *tx, const lk_demo_party *p) {
  static const char sql[] =
      "INSERT INTO parties (id, nummer, kind, display_name, identification,"
      " works_for, preferred_address_id, visiting_address, postal_address,"
      " confidential, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, p->id);
  lk_stmt_text(st, 2, p->nummer);
  lk_stmt_text(st, 3, p->kind);
  lk_stmt_text(st, 4, p->display_name);
  lk_stmt_text(st, 5, p->identification);
  lk_stmt_text(st, 6, p->works_for);
  lk_stmt_text(st, 7, p->preferred_address_id);
  lk_stmt_text(st, 8, p->visiting_address);
  lk_stmt_text(st, 9, p->postal_address);
  lk_stmt_int(st, 10, p->confidential);
  lk_stmt_int(st, 11, p->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_identifier(lk_tx *tx, const lk_demo_identifier *i) {
  static const char sql[] =
      "INSERT INTO party_identifiers (id, party_id, object_type, register,"
      " id_type, object_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, i->id);
  lk_stmt_text(st, 2, i->party_id);
  lk_stmt_text(st, 3, i->object_type);
  lk_stmt_text(st, 4, i->reg);
  lk_stmt_text(st, 5, i->id_type);
  lk_stmt_text(st, 6, i->object_id);
  lk_stmt_int(st, 7, i->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_address(lk_tx *tx, const lk_demo_address *a) {
  static const char sql[] =
      "INSERT INTO digital_addresses (id, party_id, kind, address,"
      " address_key, is_default, description, verified_on, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->party_id);
  lk_stmt_text(st, 3, a->kind);
  lk_stmt_text(st, 4, a->address);
  lk_stmt_text(st, 5, a->address_key);
  lk_stmt_int(st, 6, a->is_default);
  lk_stmt_text(st, 7, a->description != NULL ? a->description : "");
  lk_stmt_text(st, 8, a->verified_on);
  lk_stmt_int(st, 9, a->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_actor(lk_tx *tx, const lk_demo_actor *a) {
  static const char sql[] =
      "INSERT INTO actors (id, kind, name, identificator, identification,"
      " user_id, presence, capacity, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->kind);
  lk_stmt_text(st, 3, a->name);
  lk_stmt_text(st, 4, a->identificator);
  lk_stmt_text(st, 5, a->identification);
  lk_stmt_text(st, 6, a->user_id);
  lk_stmt_text(st, 7, a->presence);
  lk_stmt_int(st, 8, a->capacity);
  lk_stmt_int(st, 9, a->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_team_member(lk_tx *tx, const char *team_id,
                              const char *actor_id) {
  static const char sql[] =
      "INSERT INTO team_members (team_id, actor_id) VALUES (?1, ?2)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, team_id);
  lk_stmt_text(st, 2, actor_id);
  return lk_stmt_run(st);
}

int lk_store_demo_category(lk_tx *tx, const char *id, const char *name,
                           int64_t now, char *id_out) {
  static const char ins[] =
      "INSERT INTO categories (id, name, created_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (name) DO NOTHING";
  static const char sel[] = "SELECT id FROM categories WHERE name = ?1";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, ins);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, name);
  lk_stmt_int(st, 3, now);
  rc = lk_stmt_run(st);
  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sel);
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, name);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    lk_store_copy(id_out, 37, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  if (rc == LK_DB_ROW)
    return 0;
  return rc < 0 ? rc : LK_STORE_NOTFOUND;
}

int lk_store_demo_conversation(lk_tx *tx, const lk_demo_conversation *c) {
  static const char sql[] =
      "INSERT INTO conversations (id, reference, party_id, subject, channel,"
      " status, snoozed_until, priority, team_id, assignee_id, confidential,"
      " version, created_at, updated_at, last_message_at, first_response_at,"
      " resolved_at, waiting_since)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?16, ?17, ?18)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, c->id);
  lk_stmt_text(st, 2, c->reference);
  lk_stmt_text(st, 3, c->party_id);
  lk_stmt_text(st, 4, c->subject);
  lk_stmt_text(st, 5, c->channel);
  lk_stmt_text(st, 6, c->status);
  bind_time(st, 7, c->snoozed_until);
  lk_stmt_int(st, 8, c->priority);
  lk_stmt_text(st, 9, c->team_id);
  lk_stmt_text(st, 10, c->assignee_id);
  lk_stmt_int(st, 11, c->confidential);
  lk_stmt_int(st, 12, c->version);
  lk_stmt_int(st, 13, c->created_at);
  lk_stmt_int(st, 14, c->updated_at);
  lk_stmt_int(st, 15, c->last_message_at);
  bind_time(st, 16, c->first_response_at);
  bind_time(st, 17, c->resolved_at);
  bind_time(st, 18, c->waiting_since);
  return lk_stmt_run(st);
}

int lk_store_demo_conversation_category(lk_tx *tx, const char *conversation_id,
                                        const char *category_id) {
  static const char sql[] = "INSERT INTO conversation_categories"
                            " (conversation_id, category_id) VALUES (?1, ?2)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, conversation_id);
  lk_stmt_text(st, 2, category_id);
  return lk_stmt_run(st);
}

int lk_store_demo_contact(lk_tx *tx, const lk_demo_contact *c) {
  static const char sql[] =
      "INSERT INTO contacts (id, conversation_id, kind, nummer, reference,"
      " channel, subject, content, confidential, succeeded, main_topic_type,"
      " further_action, occurred_at, author_id, delivery, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?13)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, c->id);
  lk_stmt_text(st, 2, c->conversation_id);
  lk_stmt_text(st, 3, c->kind);
  lk_stmt_text(st, 4, c->nummer);
  lk_stmt_text(st, 5, c->reference != NULL ? c->reference : "");
  lk_stmt_text(st, 6, c->channel);
  lk_stmt_text(st, 7, c->subject);
  lk_stmt_text(st, 8, c->content);
  lk_stmt_int(st, 9, c->confidential);
  if (c->succeeded < 0)
    lk_stmt_text(st, 10, NULL);
  else
    lk_stmt_int(st, 10, c->succeeded);
  lk_stmt_text(st, 11, c->main_topic_type != NULL ? c->main_topic_type : "");
  lk_stmt_int(st, 12, c->further_action);
  lk_stmt_int(st, 13, c->occurred_at);
  lk_stmt_text(st, 14, c->author_id);
  lk_stmt_text(st, 15, c->delivery != NULL ? c->delivery : "");
  return lk_stmt_run(st);
}

int lk_store_demo_involved(lk_tx *tx, const lk_demo_involved *b) {
  static const char sql[] =
      "INSERT INTO involved (id, contact_id, party_id, role, initiator,"
      " contact_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, b->id);
  lk_stmt_text(st, 2, b->contact_id);
  lk_stmt_text(st, 3, b->party_id);
  lk_stmt_text(st, 4, b->role);
  lk_stmt_int(st, 5, b->initiator);
  lk_stmt_text(st, 6, b->contact_name);
  lk_stmt_int(st, 7, b->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_contact_actor(lk_tx *tx, const char *id, const char *actor_id,
                                const char *contact_id, int64_t created_at) {
  static const char sql[] = "INSERT INTO contact_actors (id, actor_id,"
                            " contact_id, created_at) VALUES (?1, ?2, ?3, ?4)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text(st, 2, actor_id);
  lk_stmt_text(st, 3, contact_id);
  lk_stmt_int(st, 4, created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_subject(lk_tx *tx, const lk_demo_subject *s) {
  static const char sql[] =
      "INSERT INTO subject_objects (id, contact_id, was_contact_id, object_id,"
      " object_type, register, id_type, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, s->id);
  lk_stmt_text(st, 2, s->contact_id);
  lk_stmt_text(st, 3, s->was_contact_id);
  lk_stmt_text(st, 4, s->object_id != NULL ? s->object_id : "");
  lk_stmt_text(st, 5, s->object_type != NULL ? s->object_type : "");
  lk_stmt_text(st, 6, s->reg != NULL ? s->reg : "");
  lk_stmt_text(st, 7, s->id_type != NULL ? s->id_type : "");
  lk_stmt_int(st, 8, s->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_task(lk_tx *tx, const lk_demo_task *t) {
  static const char sql[] =
      "INSERT INTO tasks (id, nummer, reference, contact_id, kind, action,"
      " explanation, status, deadline, assigned_at, done_at, created_at,"
      " updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, t->id);
  lk_stmt_text(st, 2, t->nummer);
  lk_stmt_text(st, 3, t->reference != NULL ? t->reference : "");
  lk_stmt_text(st, 4, t->contact_id);
  lk_stmt_text(st, 5, t->kind);
  lk_stmt_text(st, 6, t->action);
  lk_stmt_text(st, 7, t->explanation != NULL ? t->explanation : "");
  lk_stmt_text(st, 8, t->status);
  bind_time(st, 9, t->deadline);
  lk_stmt_int(st, 10, t->assigned_at);
  bind_time(st, 11, t->done_at);
  lk_stmt_int(st, 12, t->created_at);
  lk_stmt_int(st, 13, t->done_at != 0 ? t->done_at : t->created_at);
  return lk_stmt_run(st);
}

int lk_store_demo_task_assignee(lk_tx *tx, const char *task_id,
                                const char *actor_id, int position) {
  static const char sql[] = "INSERT INTO task_assignees (task_id, actor_id,"
                            " position) VALUES (?1, ?2, ?3)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, task_id);
  lk_stmt_text(st, 2, actor_id);
  lk_stmt_int(st, 3, position);
  return lk_stmt_run(st);
}

int lk_store_demo_counter(lk_tx *tx, const char *name, int64_t value) {
  static const char sql[] =
      "INSERT INTO counters (name, value) VALUES (?1, ?2)"
      " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
      " WHERE excluded.value > counters.value";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, name);
  lk_stmt_int(st, 2, value);
  return lk_stmt_run(st);
}

int lk_store_demo_counter_get(lk_tx *tx, const char *name, int64_t *out) {
  static const char sql[] = "SELECT value FROM counters WHERE name = ?1";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, name);
  rc = lk_stmt_step(st);
  *out = rc == LK_DB_ROW ? lk_stmt_col_int(st, 0) : 0;
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

static void count_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_demo_rows(lk_store *s, int64_t *out) {
  static const char sql[] =
      "SELECT (SELECT count(*) FROM parties)"
      " + (SELECT count(*) FROM conversations) + 0 * length(?1)";
  int64_t n = 0;
  int rc = lk_store_query(s, sql, "", 0, count_row, &n);

  if (rc < 0)
    return rc;
  *out = n;
  return 0;
}
