/* klantcontacten.c - klantcontacten, betrokkenen, bijlagen,
 * onderwerpobjecten and actorklantcontacten. */
#include "store/klantcontacten.h"

#include <stdio.h>
#include <string.h>

#include "store/internal.h"

/* Contact `c` may be served to the caller: ?1 is 1 (or "1") with
 * confidential access. */
#define VIS(c)                                                                 \
  "(" c ".kind <> 'note' AND (CAST(?1 AS INTEGER) = 1 OR (" c                  \
  ".confidential = 0 AND NOT EXISTS (SELECT 1 FROM conversations v"            \
  " WHERE v.id = " c ".conversation_id AND v.confidential = 1))))"

/* Betrokkene `i` may be served to the caller: like the party itself, one
 * whose party is confidential is hidden without confidential access (?1
 * as for VIS). */
#define INV_VIS(i)                                                             \
  "(CAST(?1 AS INTEGER) = 1 OR " i ".party_id IS NULL OR NOT EXISTS"           \
  " (SELECT 1 FROM parties cp WHERE cp.id = " i ".party_id"                    \
  " AND cp.confidential = 1))"

/* An optional link to a contact that, when set, must be visible. */
#define VIS_LINK(col)                                                          \
  "(" col " IS NULL OR EXISTS (SELECT 1 FROM contacts c WHERE c.id = " col     \
  " AND " VIS("c") "))"

/* The resident contact `col` is about: its conversation's party, else
 * the first betrokkene that was a party; "" if none. */
#define PARTY_OF(col)                                                          \
  "COALESCE((SELECT v.party_id FROM contacts k JOIN conversations v"           \
  " ON v.id = k.conversation_id WHERE k.id = " col "), (SELECT i.party_id"     \
  " FROM involved i WHERE i.contact_id = " col " AND i.party_id IS NOT NULL"   \
  " ORDER BY i.seq LIMIT 1), '')"

/* Space-separated uuids of a reverse relation, oldest first. */
#define IDS(sel) "COALESCE((SELECT group_concat(x, ' ') FROM (" sel ")), '')"

/* Inserts a row: `bind` sets its columns from `row` and ?`at` is the
 * write's time, its created_at. */
static int insert_now(lk_tx *tx, const char *sql, lk_bind_fn bind,
                      const void *row, int at) {
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  bind(st, row);
  lk_stmt_int(st, at, lk_tx_now(tx));
  return lk_stmt_run(st);
}

/* ---- klantcontacten --------------------------------------------------- */

/* clang-format off */
static const char contact_get_sql[] =
    "SELECT c.id, COALESCE(c.conversation_id, ''), c.kind,"
    " COALESCE(c.nummer, ''), c.reference, c.channel, c.subject, c.content,"
    " c.reply, c.language, c.main_topic_type, c.metadata, c.confidential,"
    " COALESCE(c.succeeded, -1), c.further_action, c.occurred_at,"
    " COALESCE((SELECT v.party_id FROM conversations v"
    " WHERE v.id = c.conversation_id), (SELECT i.party_id FROM involved i"
    " WHERE i.contact_id = c.id AND i.party_id IS NOT NULL"
    " ORDER BY i.seq LIMIT 1), ''), "
    IDS("SELECT id AS x FROM involved i WHERE contact_id = c.id"
        " AND " INV_VIS("i") " ORDER BY seq") ", "
    IDS("SELECT id AS x FROM subject_objects WHERE contact_id = c.id"
        " ORDER BY seq") ", "
    IDS("SELECT id AS x FROM attachments WHERE contact_id = c.id"
        " ORDER BY seq") ", "
    IDS("SELECT actor_id AS x FROM contact_actors WHERE contact_id = c.id"
        " ORDER BY seq") ", "
    IDS("SELECT id AS x FROM tasks WHERE contact_id = c.id"
        " ORDER BY seq")
    " FROM contacts c WHERE c.id = ?2 AND " VIS("c");
/* clang-format on */

int lk_store_kc_contact_get(lk_store *s, const char *id, bool confidential,
                            lk_kc_contact_fn fn, void *ud) {
  const char *sql = contact_get_sql;
  lk_kc_contact c;
  lk_stmt *st;
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_int(st, 1, confidential ? 1 : 0);
  lk_stmt_text(st, 2, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    c.id = lk_stmt_col_text(st, 0);
    c.conversation_id = lk_stmt_col_text(st, 1);
    c.kind = lk_stmt_col_text(st, 2);
    c.nummer = lk_stmt_col_text(st, 3);
    c.reference = lk_stmt_col_text(st, 4);
    c.channel = lk_stmt_col_text(st, 5);
    c.subject = lk_stmt_col_text(st, 6);
    c.content = lk_stmt_col_text(st, 7);
    c.reply = lk_stmt_col_text(st, 8);
    c.language = lk_stmt_col_text(st, 9);
    c.main_topic_type = lk_stmt_col_text(st, 10);
    c.metadata = lk_stmt_col_text(st, 11);
    c.confidential = (int)lk_stmt_col_int(st, 12);
    c.succeeded = (int)lk_stmt_col_int(st, 13);
    c.further_action = (int)lk_stmt_col_int(st, 14);
    c.occurred_at = lk_stmt_col_int(st, 15);
    c.party_id = lk_stmt_col_text(st, 16);
    c.involved_ids = lk_stmt_col_text(st, 17);
    c.subject_ids = lk_stmt_col_text(st, 18);
    c.attachment_ids = lk_stmt_col_text(st, 19);
    c.actor_ids = lk_stmt_col_text(st, 20);
    c.task_ids = lk_stmt_col_text(st, 21);
    fn(&c, ud);
    rc = 0;
  } else if (rc == LK_DB_DONE) {
    rc = LK_STORE_NOTFOUND;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc;
}

static void bind_contact(lk_stmt *st, const void *arg) {
  const lk_kc_contact_w *c = arg;

  lk_stmt_text(st, 1, c->id);
  lk_stmt_text_opt(st, 2, c->nummer);
  lk_stmt_text(st, 3, c->reference);
  lk_stmt_text(st, 4, c->channel);
  lk_stmt_text(st, 5, c->subject);
  lk_stmt_text(st, 6, c->content);
  lk_stmt_text(st, 7, c->reply);
  lk_stmt_text(st, 8, c->language);
  lk_stmt_int(st, 9, c->confidential ? 1 : 0);
  if (c->succeeded < 0)
    lk_stmt_text(st, 10, NULL);
  else
    lk_stmt_int(st, 10, c->succeeded ? 1 : 0);
  lk_stmt_text(st, 11, c->main_topic_type);
  lk_stmt_int(st, 12, c->further_action ? 1 : 0);
  lk_stmt_int(st, 13, c->occurred_at);
  lk_stmt_text(st, 14, c->metadata[0] != '\0' ? c->metadata : "{}");
}

int lk_store_kc_contact_insert(lk_tx *tx, lk_kc_contact_w *c) {
  static const char sql[] =
      "INSERT INTO contacts (id, nummer, reference, channel, subject,"
      " content, reply, language, confidential, succeeded, main_topic_type,"
      " further_action, occurred_at, metadata, kind, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " 'inbound', ?15)";
  int rc;

  if (c->nummer[0] == '\0') {
    rc = lk_store_next_number(tx, "contact", c->nummer, sizeof(c->nummer));
    if (rc != 0)
      return rc;
  }
  return insert_now(tx, sql, bind_contact, c, 15);
}

int lk_store_kc_contact_update(lk_tx *tx, const lk_kc_contact_w *c) {
  static const char sql[] =
      "UPDATE contacts SET nummer = COALESCE(?2, nummer), reference = ?3, "
      "channel = ?4,"
      " subject = ?5, content = ?6, reply = ?7, language = ?8,"
      " confidential = ?9, succeeded = ?10, main_topic_type = ?11,"
      " further_action = ?12, occurred_at = ?13, metadata = ?14"
      " WHERE id = ?1 AND kind <> 'note'";
  return lk_tx_run(tx, sql, bind_contact, c, true);
}

int lk_store_kc_contact_delete(lk_tx *tx, const char *id) {
  static const char *const steps[] = {
      "DELETE FROM digital_addresses WHERE party_id IS NULL AND betrokkene_id"
      " IN (SELECT id FROM involved WHERE contact_id = ?1)",
      "UPDATE digital_addresses SET betrokkene_id = NULL WHERE betrokkene_id"
      " IN (SELECT id FROM involved WHERE contact_id = ?1)",
      "DELETE FROM involved WHERE contact_id = ?1",
      "DELETE FROM attachments WHERE contact_id = ?1",
      "DELETE FROM subject_objects WHERE contact_id = ?1",
      "UPDATE subject_objects SET was_contact_id = NULL"
      " WHERE was_contact_id = ?1",
      "DELETE FROM contact_actors WHERE contact_id = ?1",
      "DELETE FROM task_assignees WHERE task_id IN"
      " (SELECT id FROM tasks WHERE contact_id = ?1)",
      "DELETE FROM tasks WHERE contact_id = ?1",
  };
  static const char del[] =
      "DELETE FROM contacts WHERE id = ?1 AND kind <> 'note'";
  int rc;

  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    rc = lk_tx_run_id(tx, steps[i], id, false);
    if (rc != 0)
      return rc;
  }
  return lk_tx_run_id(tx, del, id, true);
}

int lk_store_kc_contact_check(lk_tx *tx, const char *id, bool confidential,
                              int *is_confidential, char party_id[LK_KC_ID]) {
  static const char sql[] =
      "SELECT c.confidential, COALESCE((SELECT v.party_id FROM"
      " conversations v WHERE v.id = c.conversation_id), (SELECT i.party_id"
      " FROM involved i WHERE i.contact_id = c.id AND i.party_id IS NOT NULL"
      " ORDER BY i.seq LIMIT 1), '') FROM contacts c"
      " WHERE c.id = ?2 AND " VIS("c");
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, confidential ? 1 : 0);
  lk_stmt_text(st, 2, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    if (is_confidential != NULL)
      *is_confidential = (int)lk_stmt_col_int(st, 0);
    if (party_id != NULL)
      lk_store_copy(party_id, LK_KC_ID, lk_stmt_col_text(st, 1));
    rc = 0;
  } else if (rc == LK_DB_DONE) {
    rc = LK_STORE_NOTFOUND;
  }
  lk_stmt_done(st);
  return rc;
}

int lk_store_kc_contact_nummer_taken(lk_tx *tx, const char *nummer,
                                     const char *except_id, bool *taken) {
  static const char sql[] =
      "SELECT 1 FROM contacts WHERE nummer = ?1 AND id <> ?2";
  const char *const texts[] = {nummer, except_id};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, NULL, NULL);

  if (n < 0)
    return n;
  *taken = n > 0;
  return 0;
}

/* ---- small rows ------------------------------------------------------- */

/* Reads one row of `sql` (?1 access, ?2 id) through `fill`. */
static int get_one(lk_store *s, const char *sql, const char *id,
                   bool confidential, void (*fill)(lk_stmt *, void *),
                   void *out) {
  lk_stmt *st;
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  lk_stmt_int(st, 1, confidential ? 1 : 0);
  lk_stmt_text(st, 2, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    fill(st, out);
    rc = 0;
  } else if (rc == LK_DB_DONE) {
    rc = LK_STORE_NOTFOUND;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc;
}

/* Copies a list of uuids, keeping only whole ones. */
static void copy_ids(char *dst, size_t size, const char *src) {
  size_t n = 0;

  while (*src != '\0' && n + LK_KC_ID <= size) {
    size_t len = strcspn(src, " ");

    if (len == LK_KC_ID - 1) {
      if (n > 0)
        dst[n++] = ' ';
      memcpy(dst + n, src, len);
      n += len;
    }
    src += len;
    if (*src == ' ')
      src++;
  }
  dst[n] = '\0';
}

/* ---- betrokkenen ------------------------------------------------------ */

static void involved_fill(lk_stmt *st, void *out) {
  lk_kc_involved *b = out;

  lk_store_copy(b->id, sizeof(b->id), lk_stmt_col_text(st, 0));
  lk_store_copy(b->contact_id, sizeof(b->contact_id), lk_stmt_col_text(st, 1));
  lk_store_copy(b->party_id, sizeof(b->party_id), lk_stmt_col_text(st, 2));
  lk_store_copy(b->role, sizeof(b->role), lk_stmt_col_text(st, 3));
  b->initiator = (int)lk_stmt_col_int(st, 4);
  lk_store_copy(b->organisation, sizeof(b->organisation),
                lk_stmt_col_text(st, 5));
  lk_store_copy(b->contact_name, sizeof(b->contact_name),
                lk_stmt_col_text(st, 6));
  lk_store_copy(b->visiting_address, sizeof(b->visiting_address),
                lk_stmt_col_text(st, 7));
  lk_store_copy(b->postal_address, sizeof(b->postal_address),
                lk_stmt_col_text(st, 8));
  copy_ids(b->address_ids, sizeof(b->address_ids), lk_stmt_col_text(st, 9));
}

int lk_store_kc_involved_get(lk_store *s, const char *id, bool confidential,
                             lk_kc_involved *out) {
  static const char sql[] =
      "SELECT i.id, i.contact_id, COALESCE(i.party_id, ''), i.role,"
      " i.initiator, i.organisation, COALESCE(i.contact_name, ''),"
      " COALESCE(i.visiting_address, ''), COALESCE(i.postal_address, ''),"
      " " IDS("SELECT id AS x FROM digital_addresses WHERE betrokkene_id ="
              " i.id ORDER BY seq") " FROM involved i JOIN contacts c"
                                    " ON c.id = i.contact_id"
                                    " WHERE i.id = ?2 AND " VIS(
                                        "c") " AND " INV_VIS("i");

  return get_one(s, sql, id, confidential, involved_fill, out);
}

static void bind_involved(lk_stmt *st, const void *arg) {
  const lk_kc_involved *b = arg;

  lk_stmt_text(st, 1, b->id);
  lk_stmt_text(st, 2, b->contact_id);
  lk_stmt_text_opt(st, 3, b->party_id);
  lk_stmt_text(st, 4, b->role);
  lk_stmt_int(st, 5, b->initiator ? 1 : 0);
  lk_stmt_text(st, 6, b->organisation);
  lk_stmt_text_opt(st, 7, b->contact_name);
  lk_stmt_text_opt(st, 8, b->visiting_address);
  lk_stmt_text_opt(st, 9, b->postal_address);
}

int lk_store_kc_involved_insert(lk_tx *tx, const lk_kc_involved *b) {
  static const char sql[] =
      "INSERT INTO involved (id, contact_id, party_id, role, initiator,"
      " organisation, contact_name, visiting_address, postal_address,"
      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  return insert_now(tx, sql, bind_involved, b, 10);
}

int lk_store_kc_involved_update(lk_tx *tx, const lk_kc_involved *b) {
  static const char sql[] =
      "UPDATE involved SET contact_id = ?2, party_id = ?3, role = ?4,"
      " initiator = ?5, organisation = ?6, contact_name = ?7,"
      " visiting_address = ?8, postal_address = ?9 WHERE id = ?1";
  return lk_tx_run(tx, sql, bind_involved, b, true);
}

int lk_store_kc_involved_delete(lk_tx *tx, const char *id) {
  static const char del_own[] =
      "DELETE FROM digital_addresses"
      " WHERE betrokkene_id = ?1 AND party_id IS NULL";
  static const char unlink[] = "UPDATE digital_addresses"
                               " SET betrokkene_id = NULL"
                               " WHERE betrokkene_id = ?1";
  static const char del[] = "DELETE FROM involved WHERE id = ?1";
  int rc = lk_tx_run_id(tx, del_own, id, false);

  if (rc == 0)
    rc = lk_tx_run_id(tx, unlink, id, false);
  if (rc != 0)
    return rc;
  return lk_tx_run_id(tx, del, id, true);
}

static void id_row(lk_stmt *st, void *ud) {
  lk_store_copy(ud, LK_KC_ID, lk_stmt_col_text(st, 0));
}

int lk_store_kc_involved_contact(lk_tx *tx, const char *id,
                                 char contact_id[LK_KC_ID]) {
  static const char sql[] = "SELECT contact_id FROM involved WHERE id = ?1";

  return lk_row_get(NULL, tx, sql, id, id_row, contact_id);
}

/* ---- bijlagen --------------------------------------------------------- */

static void attachment_fill(lk_stmt *st, void *out) {
  lk_kc_attachment *a = out;

  lk_store_copy(a->id, sizeof(a->id), lk_stmt_col_text(st, 0));
  lk_store_copy(a->contact_id, sizeof(a->contact_id), lk_stmt_col_text(st, 1));
  lk_store_copy(a->identificator, sizeof(a->identificator),
                lk_stmt_col_text(st, 2));
  lk_store_copy(a->party_id, sizeof(a->party_id), lk_stmt_col_text(st, 3));
}

int lk_store_kc_attachment_get(lk_store *s, const char *id, bool confidential,
                               lk_kc_attachment *out) {
  /* clang-format off */
  static const char sql[] =
      "SELECT a.id, COALESCE(a.contact_id, ''), a.identificator, "
      PARTY_OF("a.contact_id")
      " FROM attachments a WHERE a.id = ?2 AND " VIS_LINK("a.contact_id");
  /* clang-format on */

  return get_one(s, sql, id, confidential, attachment_fill, out);
}

static void bind_attachment(lk_stmt *st, const void *arg) {
  const lk_kc_attachment *a = arg;

  lk_stmt_text(st, 1, a->id);
  lk_stmt_text_opt(st, 2, a->contact_id);
  lk_stmt_text(st, 3, a->identificator);
}

int lk_store_kc_attachment_insert(lk_tx *tx, const lk_kc_attachment *a) {
  static const char sql[] =
      "INSERT INTO attachments (id, contact_id, identificator, created_at)"
      " VALUES (?1, ?2, ?3, ?4)";
  return insert_now(tx, sql, bind_attachment, a, 4);
}

int lk_store_kc_attachment_update(lk_tx *tx, const lk_kc_attachment *a) {
  static const char sql[] = "UPDATE attachments SET contact_id = ?2,"
                            " identificator = ?3 WHERE id = ?1";
  return lk_tx_run(tx, sql, bind_attachment, a, true);
}

int lk_store_kc_attachment_delete(lk_tx *tx, const char *id) {
  static const char sql[] = "DELETE FROM attachments WHERE id = ?1";
  return lk_tx_run_id(tx, sql, id, true);
}

/* ---- onderwerpobjecten ------------------------------------------------ */

static void subject_fill(lk_stmt *st, void *out) {
  lk_kc_subject *o = out;

  lk_store_copy(o->id, sizeof(o->id), lk_stmt_col_text(st, 0));
  lk_store_copy(o->contact_id, sizeof(o->contact_id), lk_stmt_col_text(st, 1));
  lk_store_copy(o->was_contact_id, sizeof(o->was_contact_id),
                lk_stmt_col_text(st, 2));
  lk_store_copy(o->object_id, sizeof(o->object_id), lk_stmt_col_text(st, 3));
  lk_store_copy(o->object_type, sizeof(o->object_type),
                lk_stmt_col_text(st, 4));
  lk_store_copy(o->register_, sizeof(o->register_), lk_stmt_col_text(st, 5));
  lk_store_copy(o->id_type, sizeof(o->id_type), lk_stmt_col_text(st, 6));
  lk_store_copy(o->party_id, sizeof(o->party_id), lk_stmt_col_text(st, 7));
  o->has_identificator = o->object_id[0] != '\0' || o->object_type[0] != '\0' ||
                         o->register_[0] != '\0' || o->id_type[0] != '\0';
}

int lk_store_kc_subject_get(lk_store *s, const char *id, bool confidential,
                            lk_kc_subject *out) {
  /* clang-format off */
  static const char sql[] =
      "SELECT o.id, COALESCE(o.contact_id, ''),"
      " COALESCE(o.was_contact_id, ''), o.object_id, o.object_type,"
      " o.register, o.id_type, " PARTY_OF("o.contact_id")
      " FROM subject_objects o WHERE o.id = ?2"
      " AND " VIS_LINK("o.contact_id") " AND " VIS_LINK("o.was_contact_id");
  /* clang-format on */

  return get_one(s, sql, id, confidential, subject_fill, out);
}

static void bind_subject(lk_stmt *st, const void *arg) {
  const lk_kc_subject *o = arg;

  lk_stmt_text(st, 1, o->id);
  lk_stmt_text_opt(st, 2, o->contact_id);
  lk_stmt_text_opt(st, 3, o->was_contact_id);
  lk_stmt_text(st, 4, o->object_id);
  lk_stmt_text(st, 5, o->object_type);
  lk_stmt_text(st, 6, o->register_);
  lk_stmt_text(st, 7, o->id_type);
}

int lk_store_kc_subject_insert(lk_tx *tx, const lk_kc_subject *o) {
  static const char sql[] =
      "INSERT INTO subject_objects (id, contact_id, was_contact_id,"
      " object_id, object_type, register, id_type, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  return insert_now(tx, sql, bind_subject, o, 8);
}

int lk_store_kc_subject_update(lk_tx *tx, const lk_kc_subject *o) {
  static const char sql[] =
      "UPDATE subject_objects SET contact_id = ?2, was_contact_id = ?3,"
      " object_id = ?4, object_type = ?5, register = ?6, id_type = ?7"
      " WHERE id = ?1";
  return lk_tx_run(tx, sql, bind_subject, o, true);
}

int lk_store_kc_subject_delete(lk_tx *tx, const char *id) {
  static const char sql[] = "DELETE FROM subject_objects WHERE id = ?1";
  return lk_tx_run_id(tx, sql, id, true);
}

/* ---- actorklantcontacten ---------------------------------------------- */

static void contact_actor_fill(lk_stmt *st, void *out) {
  lk_kc_contact_actor *l = out;

  lk_store_copy(l->id, sizeof(l->id), lk_stmt_col_text(st, 0));
  lk_store_copy(l->actor_id, sizeof(l->actor_id), lk_stmt_col_text(st, 1));
  lk_store_copy(l->contact_id, sizeof(l->contact_id), lk_stmt_col_text(st, 2));
  lk_store_copy(l->party_id, sizeof(l->party_id), lk_stmt_col_text(st, 3));
}

int lk_store_kc_contact_actor_get(lk_store *s, const char *id,
                                  bool confidential, lk_kc_contact_actor *out) {
  /* clang-format off */
  static const char sql[] =
      "SELECT l.id, l.actor_id, l.contact_id, " PARTY_OF("l.contact_id")
      " FROM contact_actors l JOIN contacts c ON c.id = l.contact_id"
      " WHERE l.id = ?2 AND " VIS("c");
  /* clang-format on */

  return get_one(s, sql, id, confidential, contact_actor_fill, out);
}

static void bind_contact_actor(lk_stmt *st, const void *arg) {
  const lk_kc_contact_actor *l = arg;

  lk_stmt_text(st, 1, l->id);
  lk_stmt_text(st, 2, l->actor_id);
  lk_stmt_text(st, 3, l->contact_id);
}

int lk_store_kc_contact_actor_insert(lk_tx *tx, const lk_kc_contact_actor *l) {
  static const char sql[] = "INSERT INTO contact_actors"
                            " (id, actor_id, contact_id, created_at)"
                            " VALUES (?1, ?2, ?3, ?4)";
  return insert_now(tx, sql, bind_contact_actor, l, 4);
}

int lk_store_kc_contact_actor_update(lk_tx *tx, const lk_kc_contact_actor *l) {
  static const char sql[] = "UPDATE contact_actors SET actor_id = ?2,"
                            " contact_id = ?3 WHERE id = ?1";
  return lk_tx_run(tx, sql, bind_contact_actor, l, true);
}

int lk_store_kc_contact_actor_delete(lk_tx *tx, const char *id) {
  static const char sql[] = "DELETE FROM contact_actors WHERE id = ?1";
  return lk_tx_run_id(tx, sql, id, true);
}

/* ---- references ------------------------------------------------------- */

static int exists_tx(lk_tx *tx, const char *sql, const char *id,
                     bool confidential) {
  const int64_t flag = confidential ? 1 : 0;
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, &flag, 1, NULL, NULL);

  if (n < 0)
    return n;
  return n > 0 ? 0 : LK_STORE_NOTFOUND;
}

int lk_store_kc_confidential(lk_tx *tx, const char *contact_id,
                             const char *party_id, bool *out) {
  static const char sql[] =
      "SELECT EXISTS (SELECT 1 FROM contacts c WHERE c.id = ?1"
      " AND (c.confidential = 1 OR EXISTS (SELECT 1 FROM conversations v"
      " WHERE v.id = c.conversation_id AND v.confidential = 1)))"
      " OR EXISTS (SELECT 1 FROM parties p WHERE p.id = ?2"
      " AND p.confidential = 1)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, contact_id);
  lk_stmt_text(st, 2, party_id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    *out = lk_stmt_col_int(st, 0) != 0;
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

int lk_store_kc_party_ok(lk_tx *tx, const char *id, bool confidential) {
  static const char sql[] = "SELECT 1 FROM parties WHERE id = ?1"
                            " AND (confidential = 0 OR ?2 = 1)";

  return exists_tx(tx, sql, id, confidential);
}

int lk_store_kc_actor_ok(lk_tx *tx, const char *id) {
  static const char sql[] = "SELECT 1 FROM actors WHERE id = ?1 AND ?2 >= 0";

  return exists_tx(tx, sql, id, false);
}

/* ---- lists ------------------------------------------------------------ */

/* klantcontacten: ?2 hadBetrokkene__digitaaladres__adres__icontains,
 * ?3 hadBetrokkene__url, ?4 hadBetrokkene__uuid, ?5 hadBetrokkene__wasPartij,
 * ?6..?9 hadBetrokkene__wasPartij__partijIdentificator__codeObjecttype,
 * codeRegister, codeSoortObjectId, objectId, ?10 hadBetrokkene__wasPartij__url,
 * ?11 ..__uuid, ?12 indicatieContactGelukt, ?13 inhoud, ?14 kanaal,
 * ?15 leiddeTotInterneTaken, ?16 nummer, ?17 onderwerp, ?18..?21
 * onderwerpobject__onderwerpobjectidentificator CodeObjecttype,
 * CodeRegister, CodeSoortObjectId, ObjectId, ?22 onderwerpobject__url,
 * ?23 ..__uuid, ?24 plaatsgevondenOp, ?25 reactie, ?26 referentienummer,
 * ?27 vertrouwelijk, ?28..?31 wasOnderwerpobject__...identificator*,
 * ?32 wasOnderwerpobject__url, ?33 ..__uuid. */
#define INV_HAS(cond)                                                          \
  "EXISTS (SELECT 1 FROM involved i WHERE i.contact_id = c.id AND " INV_VIS(   \
      "i") " AND " cond ")"
#define INV_PID(col, n)                                                        \
  "(?" n " IS NULL OR EXISTS (SELECT 1 FROM involved i JOIN"                   \
  " party_identifiers p ON p.party_id = i.party_id WHERE i.contact_id = c.id"  \
  " AND " INV_VIS("i") " AND p." col " = ?" n "))"
#define SUBJ(link, col, n)                                                     \
  "(?" n " IS NULL OR EXISTS (SELECT 1 FROM subject_objects s WHERE s." link   \
  " = c.id AND s." col " = ?" n "))"
#define CONTAINS(col, n)                                                       \
  "(?" n " IS NULL OR instr(lower(" col "), lower(?" n ")) > 0)"

/* clang-format off */
#define CONTACT_WHERE                                                          \
  " FROM contacts c WHERE " VIS("c")                                           \
  " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM involved i"                       \
  " JOIN digital_addresses d ON d.betrokkene_id = i.id"                        \
  " WHERE i.contact_id = c.id AND " INV_VIS("i")                               \
  " AND instr(lower(d.address), lower(?2)) > 0))"                              \
  " AND (?3 IS NULL OR " INV_HAS("i.id = ?3") ")"                              \
  " AND (?4 IS NULL OR " INV_HAS("i.id = ?4") ")"                              \
  " AND (?5 IS NULL OR "                                                       \
  INV_HAS("(i.party_id IS NOT NULL) = (?5 = '1')") ")"                         \
  " AND " INV_PID("object_type", "6")                                          \
  " AND " INV_PID("register", "7")                                             \
  " AND " INV_PID("id_type", "8")                                              \
  " AND " INV_PID("object_id", "9")                                            \
  " AND (?10 IS NULL OR " INV_HAS("i.party_id = ?10") ")"                      \
  " AND (?11 IS NULL OR " INV_HAS("i.party_id = ?11") ")"                      \
  " AND (?12 IS NULL OR c.succeeded = ?12)"                                    \
  " AND " CONTAINS("c.content", "13")                                          \
  " AND (?14 IS NULL OR c.channel = ?14)"                                      \
  " AND (?15 IS NULL OR EXISTS (SELECT 1 FROM tasks t"                         \
  " WHERE t.contact_id = c.id) = (?15 = '1'))"                                 \
  " AND (?16 IS NULL OR c.nummer = ?16)"                                       \
  " AND " CONTAINS("c.subject", "17")                                          \
  " AND " SUBJ("contact_id", "object_type", "18")                              \
  " AND " SUBJ("contact_id", "register", "19")                                 \
  " AND " SUBJ("contact_id", "id_type", "20")                                  \
  " AND " SUBJ("contact_id", "object_id", "21")                                \
  " AND " SUBJ("contact_id", "id", "22")                                       \
  " AND " SUBJ("contact_id", "id", "23")                                       \
  " AND (?24 IS NULL OR c.occurred_at = ?24)"                                  \
  " AND " CONTAINS("c.reply", "25")                                            \
  " AND (?26 IS NULL OR c.reference = ?26)"                                    \
  " AND (?27 IS NULL OR c.confidential = ?27)"                                 \
  " AND " SUBJ("was_contact_id", "object_type", "28")                          \
  " AND " SUBJ("was_contact_id", "register", "29")                             \
  " AND " SUBJ("was_contact_id", "id_type", "30")                              \
  " AND " SUBJ("was_contact_id", "object_id", "31")                            \
  " AND " SUBJ("was_contact_id", "id", "32")                                   \
  " AND " SUBJ("was_contact_id", "id", "33")
/* clang-format on */

const char lk_kc_contact_count_sql[] = "SELECT COUNT(*)" CONTACT_WHERE;
const char lk_kc_contact_page_sql[] =
    "SELECT c.id" CONTACT_WHERE " ORDER BY c.seq LIMIT ?34 OFFSET ?35";

/* betrokkenen: ?2..?5 contactnaam achternaam, voorletters, voornaam,
 * voorvoegselAchternaam, ?6 hadKlantcontact__nummer, ?7 ..referentienummer,
 * ?8 ..url, ?9 ..uuid, ?10 organisatienaam, ?11 verstrektedigitaalAdres__adres,
 * ?12 ..url, ?13 ..uuid, ?14 wasPartij__nummer, ?15..?18
 * wasPartij__partijIdentificator codeObjecttype, codeRegister,
 * codeSoortObjectId, objectId, ?19 wasPartij__url, ?20 wasPartij__uuid. */
/* clang-format off */
#define NAME(key, n)                                                           \
  "(?" n " IS NULL OR json_extract(CASE WHEN json_valid(i.contact_name)"      \
  " THEN i.contact_name END, '$." key "') = ?" n ")"
#define B_PID(col, n)                                                          \
  "(?" n " IS NULL OR EXISTS (SELECT 1 FROM party_identifiers p"               \
  " WHERE p.party_id = i.party_id AND p." col " = ?" n "))"
#define B_ADDR(cond, n)                                                        \
  "(?" n " IS NULL OR EXISTS (SELECT 1 FROM digital_addresses d"               \
  " WHERE d.betrokkene_id = i.id AND " cond "))"
#define INVOLVED_WHERE                                                         \
  " FROM involved i JOIN contacts c ON c.id = i.contact_id"                    \
  " WHERE " VIS("c") " AND " INV_VIS("i")                                      \
  " AND " NAME("achternaam", "2")                                              \
  " AND " NAME("voorletters", "3")                                             \
  " AND " NAME("voornaam", "4")                                                \
  " AND " NAME("voorvoegselAchternaam", "5")                                   \
  " AND (?6 IS NULL OR c.nummer = ?6)"                                         \
  " AND (?7 IS NULL OR c.reference = ?7)"                                      \
  " AND (?8 IS NULL OR c.id = ?8)"                                             \
  " AND (?9 IS NULL OR c.id = ?9)"                                             \
  " AND (?10 IS NULL OR i.organisation = ?10)"                                 \
  " AND " B_ADDR("d.address = ?11", "11")                                      \
  " AND " B_ADDR("d.id = ?12", "12")                                           \
  " AND " B_ADDR("d.id = ?13", "13")                                           \
  " AND (?14 IS NULL OR EXISTS (SELECT 1 FROM parties p"                       \
  " WHERE p.id = i.party_id AND p.nummer = ?14))"                              \
  " AND " B_PID("object_type", "15")                                           \
  " AND " B_PID("register", "16")                                              \
  " AND " B_PID("id_type", "17")                                               \
  " AND " B_PID("object_id", "18")                                             \
  " AND (?19 IS NULL OR i.party_id = ?19)"                                     \
  " AND (?20 IS NULL OR i.party_id = ?20)"
/* clang-format on */

const char lk_kc_involved_count_sql[] = "SELECT COUNT(*)" INVOLVED_WHERE;
const char lk_kc_involved_page_sql[] =
    "SELECT i.id" INVOLVED_WHERE " ORDER BY i.seq LIMIT ?21 OFFSET ?22";

/* bijlagen: ?2..?5 bijlageidentificator CodeObjecttype, CodeRegister,
 * CodeSoortObjectId, ObjectId, ?6 klantcontact__uuid. */
/* clang-format off */
#define IDENT(key, n)                                                          \
  "(?" n " IS NULL OR json_extract(CASE WHEN json_valid(a.identificator)"      \
  " THEN a.identificator END, '$." key "') = ?" n ")"
#define ATTACHMENT_WHERE                                                       \
  " FROM attachments a WHERE " VIS_LINK("a.contact_id")                        \
  " AND " IDENT("codeObjecttype", "2")                                         \
  " AND " IDENT("codeRegister", "3")                                           \
  " AND " IDENT("codeSoortObjectId", "4")                                      \
  " AND " IDENT("objectId", "5")                                               \
  " AND (?6 IS NULL OR a.contact_id = ?6)"
/* clang-format on */

const char lk_kc_attachment_count_sql[] = "SELECT COUNT(*)" ATTACHMENT_WHERE;
const char lk_kc_attachment_page_sql[] =
    "SELECT a.id" ATTACHMENT_WHERE " ORDER BY a.seq LIMIT ?7 OFFSET ?8";

/* onderwerpobjecten: ?2 klantcontact__url, ?3 klantcontact__uuid, ?4..?7
 * onderwerpobjectidentificator CodeObjecttype, CodeRegister,
 * CodeSoortObjectId, ObjectId, ?8 wasKlantcontact__url, ?9 ..uuid. */
/* clang-format off */
#define SUBJECT_WHERE                                                          \
  " FROM subject_objects o WHERE " VIS_LINK("o.contact_id")                    \
  " AND " VIS_LINK("o.was_contact_id")                                         \
  " AND (?2 IS NULL OR o.contact_id = ?2)"                                     \
  " AND (?3 IS NULL OR o.contact_id = ?3)"                                     \
  " AND (?4 IS NULL OR o.object_type = ?4)"                                    \
  " AND (?5 IS NULL OR o.register = ?5)"                                       \
  " AND (?6 IS NULL OR o.id_type = ?6)"                                        \
  " AND (?7 IS NULL OR o.object_id = ?7)"                                      \
  " AND (?8 IS NULL OR o.was_contact_id = ?8)"                                 \
  " AND (?9 IS NULL OR o.was_contact_id = ?9)"
/* clang-format on */

const char lk_kc_subject_count_sql[] = "SELECT COUNT(*)" SUBJECT_WHERE;
const char lk_kc_subject_page_sql[] =
    "SELECT o.id" SUBJECT_WHERE " ORDER BY o.seq LIMIT ?10 OFFSET ?11";

/* actorklantcontacten: ?2 actor__url, ?3 actor__uuid, ?4 klantcontact__url,
 * ?5 klantcontact__uuid. */
/* clang-format off */
#define CONTACT_ACTOR_WHERE                                                    \
  " FROM contact_actors l JOIN contacts c ON c.id = l.contact_id"              \
  " WHERE " VIS("c")                                                           \
  " AND (?2 IS NULL OR l.actor_id = ?2)"                                       \
  " AND (?3 IS NULL OR l.actor_id = ?3)"                                       \
  " AND (?4 IS NULL OR l.contact_id = ?4)"                                     \
  " AND (?5 IS NULL OR l.contact_id = ?5)"
/* clang-format on */

const char lk_kc_contact_actor_count_sql[] =
    "SELECT COUNT(*)" CONTACT_ACTOR_WHERE;
const char lk_kc_contact_actor_page_sql[] =
    "SELECT l.id" CONTACT_ACTOR_WHERE " ORDER BY l.seq LIMIT ?6 OFFSET ?7";
