/* mailboxes.c - mailboxes, mail threads and the e-mail lookups in
 * contacts (see mailboxes.h). */
#include "store/mailboxes.h"

#include <string.h>

#include "store/internal.h"

#define MB_COLUMNS                                                             \
  "id, team_id, address, from_name, imap_host, imap_port, imap_tls,"           \
  " imap_user, imap_password_file, folder, smtp_host, smtp_port, smtp_tls,"    \
  " smtp_user, smtp_password_file, poll_seconds, enabled, version,"            \
  " created_at, updated_at, trusted_authserv_id"

static void mb_row(lk_stmt *st, void *ud) {
  lk_mailbox_row *m = ud;

  lk_store_copy(m->id, sizeof(m->id), lk_stmt_col_text(st, 0));
  lk_store_copy(m->team_id, sizeof(m->team_id), lk_stmt_col_text(st, 1));
  lk_store_copy(m->address, sizeof(m->address), lk_stmt_col_text(st, 2));
  lk_store_copy(m->from_name, sizeof(m->from_name), lk_stmt_col_text(st, 3));
  lk_store_copy(m->imap_host, sizeof(m->imap_host), lk_stmt_col_text(st, 4));
  m->imap_port = (int)lk_stmt_col_int(st, 5);
  lk_store_copy(m->imap_tls, sizeof(m->imap_tls), lk_stmt_col_text(st, 6));
  lk_store_copy(m->imap_user, sizeof(m->imap_user), lk_stmt_col_text(st, 7));
  lk_store_copy(m->imap_password_file, sizeof(m->imap_password_file),
                lk_stmt_col_text(st, 8));
  lk_store_copy(m->folder, sizeof(m->folder), lk_stmt_col_text(st, 9));
  lk_store_copy(m->smtp_host, sizeof(m->smtp_host), lk_stmt_col_text(st, 10));
  m->smtp_port = (int)lk_stmt_col_int(st, 11);
  lk_store_copy(m->smtp_tls, sizeof(m->smtp_tls), lk_stmt_col_text(st, 12));
  lk_store_copy(m->smtp_user, sizeof(m->smtp_user), lk_stmt_col_text(st, 13));
  lk_store_copy(m->smtp_password_file, sizeof(m->smtp_password_file),
                lk_stmt_col_text(st, 14));
  m->poll_seconds = (int)lk_stmt_col_int(st, 15);
  m->enabled = lk_stmt_col_int(st, 16) != 0;
  m->version = lk_stmt_col_int(st, 17);
  m->created_at = lk_stmt_col_int(st, 18);
  m->updated_at = lk_stmt_col_int(st, 19);
  lk_store_copy(m->authserv_id, sizeof(m->authserv_id),
                lk_stmt_col_text(st, 20));
}

/* The texts and numbers of a row in the order of MB_COLUMNS. */
#define MB_TEXTS(m)                                                            \
  {                                                                            \
    (m)->id, (m)->team_id, (m)->address, (m)->from_name, (m)->imap_host,       \
        (m)->imap_tls, (m)->imap_user, (m)->imap_password_file, (m)->folder,   \
        (m)->smtp_host, (m)->smtp_tls, (m)->smtp_user,                         \
        (m)->smtp_password_file, (m)->authserv_id                              \
  }
#define MB_NUMS(m)                                                             \
  {                                                                            \
    (m)->imap_port, (m)->smtp_port, (m)->poll_seconds, (m)->enabled ? 1 : 0,   \
        (m)->version, (m)->created_at, (m)->updated_at                         \
  }

int lk_store_mailbox_insert(lk_tx *tx, const lk_mailbox_row *m) {
  static const char sql[] =
      "INSERT INTO mailboxes (id, team_id, address, from_name, imap_host,"
      " imap_tls, imap_user, imap_password_file, folder, smtp_host, smtp_tls,"
      " smtp_user, smtp_password_file, trusted_authserv_id, imap_port,"
      " smtp_port, poll_seconds, enabled, version, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?16, ?17, ?18, ?19, ?20, ?21)";
  const char *texts[] = MB_TEXTS(m);
  int64_t nums[] = MB_NUMS(m);

  return lk_rows_write(tx, sql, texts, 14, nums, 7, false);
}

int lk_store_mailbox_update(lk_tx *tx, const lk_mailbox_row *m) {
  static const char sql[] =
      "UPDATE mailboxes SET team_id = ?2, address = ?3, from_name = ?4,"
      " imap_host = ?5, imap_tls = ?6, imap_user = ?7,"
      " imap_password_file = ?8, folder = ?9, smtp_host = ?10,"
      " smtp_tls = ?11, smtp_user = ?12, smtp_password_file = ?13,"
      " trusted_authserv_id = ?14, imap_port = ?15, smtp_port = ?16,"
      " poll_seconds = ?17, enabled = ?18, version = ?19, updated_at = ?21"
      " WHERE id = ?1";
  const char *texts[] = MB_TEXTS(m);
  int64_t nums[] = MB_NUMS(m);

  return lk_rows_write(tx, sql, texts, 14, nums, 7, true);
}

int lk_store_mailbox_get_tx(lk_tx *tx, const char *id, lk_mailbox_row *out) {
  static const char sql[] = "SELECT " MB_COLUMNS " FROM mailboxes"
                            " WHERE id = ?1";
  lk_mailbox_row m;
  int rc = lk_row_get(NULL, tx, sql, id, mb_row, &m);

  if (rc == 0)
    *out = m;
  return rc;
}

int lk_store_mailbox_get(lk_store *s, const char *id, lk_mailbox_row *out) {
  static const char sql[] = "SELECT " MB_COLUMNS " FROM mailboxes"
                            " WHERE id = ?1";
  lk_mailbox_row m;
  int rc = lk_row_get(s, NULL, sql, id, mb_row, &m);

  if (rc == 0)
    *out = m;
  return rc;
}

int lk_store_mailbox_delete(lk_tx *tx, const char *id) {
  static const char used[] =
      "SELECT 1 FROM mail_threads WHERE mailbox_id = ?1 LIMIT 1";
  static const char sql[] = "DELETE FROM mailboxes WHERE id = ?1";
  int n = lk_rows(lk_tx_db(tx), used, &id, 1, NULL, 0, NULL, NULL);

  if (n < 0)
    return n;
  if (n > 0)
    return LK_STORE_CONFLICT;
  return lk_rows_write(tx, sql, &id, 1, NULL, 0, true);
}

int lk_store_mailbox_of_team(lk_tx *tx, const char *team_id,
                             lk_mailbox_row *out) {
  static const char sql[] = "SELECT " MB_COLUMNS " FROM mailboxes"
                            " WHERE team_id = ?1 AND enabled = 1"
                            " ORDER BY seq LIMIT 1";
  lk_mailbox_row m;
  int rc = lk_row_get(NULL, tx, sql, team_id, mb_row, &m);

  if (rc == 0)
    *out = m;
  return rc;
}

struct list_ctx {
  lk_mailbox_fn fn;
  void *ud;
};

static void list_row(lk_stmt *st, void *ud) {
  struct list_ctx *c = ud;
  lk_mailbox_row m;

  mb_row(st, &m);
  c->fn(&m, c->ud);
}

int lk_store_mailbox_list(lk_store *s, const char *after_id, int limit,
                          bool enabled_only, lk_mailbox_fn fn, void *ud) {
  static const char sql[] = "SELECT " MB_COLUMNS " FROM mailboxes"
                            " WHERE id > ?1 AND (?3 = 0 OR enabled = 1)"
                            " ORDER BY id LIMIT ?2";
  struct list_ctx c = {fn, ud};
  int64_t nums[] = {limit, enabled_only ? 1 : 0};

  return lk_rows_read(s, sql, &after_id, 1, nums, 2, list_row, &c);
}

/* ---- threads and contacts -------------------------------------------- */

int lk_store_mail_thread_insert(lk_tx *tx, const char *conv_id,
                                const char *mailbox_id, const char *address,
                                const char *address_key) {
  static const char sql[] =
      "INSERT INTO mail_threads (conversation_id, mailbox_id, address,"
      " address_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT (conversation_id) DO NOTHING";
  const char *texts[] = {conv_id, mailbox_id, address, address_key};
  int64_t now = lk_tx_now(tx);

  return lk_rows_write(tx, sql, texts, 4, &now, 1, false);
}

struct thread_ctx {
  char *mailbox_id;
  char *address;
  size_t address_size;
};

static void thread_row(lk_stmt *st, void *ud) {
  struct thread_ctx *c = ud;

  lk_store_copy(c->mailbox_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
  lk_store_copy(c->address, c->address_size, lk_stmt_col_text(st, 1));
}

int lk_store_mail_thread_get(lk_tx *tx, const char *conv_id,
                             char mailbox_id[LK_CONV_ID_LEN + 1], char *address,
                             size_t address_size) {
  static const char sql[] = "SELECT mailbox_id, address FROM mail_threads"
                            " WHERE conversation_id = ?1";
  struct thread_ctx c = {mailbox_id, address, address_size};

  return lk_row_get(NULL, tx, sql, conv_id, thread_row, &c);
}

struct contact_ctx {
  char *contact_id;
  char *conv_id;
  char *kind;
};

static void contact_row(lk_stmt *st, void *ud) {
  struct contact_ctx *c = ud;

  lk_store_copy(c->contact_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
  lk_store_copy(c->conv_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 1));
  lk_store_copy(c->kind, 12, lk_stmt_col_text(st, 2));
}

static void received_row(lk_stmt *st, void *ud) {
  struct contact_ctx *c = ud;

  lk_store_copy(c->contact_id, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
}

int lk_store_mail_contact(lk_tx *tx, const char *external_id,
                          char contact_id[LK_CONV_ID_LEN + 1],
                          char conv_id[LK_CONV_ID_LEN + 1], char kind[12]) {
  static const char sql[] =
      "SELECT id, COALESCE(conversation_id, ''), kind FROM contacts"
      " WHERE channel = 'email' AND external_id = ?1";
  struct contact_ctx c = {contact_id, conv_id, kind};

  return lk_row_get(NULL, tx, sql, external_id, contact_row, &c);
}

int lk_store_mail_contact_set_id(lk_tx *tx, const char *id,
                                 const char *external_id) {
  static const char sql[] =
      "UPDATE contacts SET external_id = ?2 WHERE id = ?1";
  const char *texts[] = {id, external_id};

  return lk_rows_write(tx, sql, texts, 2, NULL, 0, true);
}

int lk_store_mail_contact_delivery(lk_tx *tx, const char *id,
                                   const char *delivery) {
  static const char sql[] = "UPDATE contacts SET delivery = ?2 WHERE id = ?1"
                            " AND kind = 'outbound' AND delivery <> 'failed'";
  const char *texts[] = {id, delivery};

  return lk_rows_write(tx, sql, texts, 2, NULL, 0, true);
}

struct ids_ctx {
  lk_mail_id_fn fn;
  void *ud;
};

static void ids_row(lk_stmt *st, void *ud) {
  struct ids_ctx *c = ud;

  c->fn(lk_stmt_col_text(st, 0), lk_stmt_col_text(st, 1), c->ud);
}

int lk_store_mail_conv_ids(lk_tx *tx, const char *conv_id, int limit,
                           lk_mail_id_fn fn, void *ud) {
  static const char sql[] =
      "SELECT mid, kind FROM (SELECT COALESCE(c.external_id, r.message_id)"
      " AS mid, c.kind, c.occurred_at, c.seq FROM contacts c"
      " LEFT JOIN mail_received r ON r.contact_id = c.id"
      " WHERE c.conversation_id = ?1 AND c.channel = 'email'"
      " AND COALESCE(c.external_id, r.message_id) IS NOT NULL"
      " ORDER BY c.occurred_at DESC, c.seq DESC LIMIT ?2)"
      " ORDER BY occurred_at, seq";
  struct ids_ctx c = {fn, ud};
  int64_t lim = limit;

  return lk_rows(lk_tx_db(tx), sql, &conv_id, 1, &lim, 1, ids_row, &c);
}

int lk_store_party_has_email(lk_tx *tx, const char *party_id, const char *key) {
  static const char sql[] =
      "SELECT 1 FROM digital_addresses WHERE party_id = ?1"
      " AND kind = 'email' AND address_key = ?2 LIMIT 1";
  const char *texts[] = {party_id, key};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, NULL, NULL);

  return n < 0 ? n : (n > 0 ? 1 : 0);
}

struct email_ctx {
  char *address;
  size_t address_size;
  char *key;
  size_t key_size;
};

static void email_row(lk_stmt *st, void *ud) {
  struct email_ctx *c = ud;

  lk_store_copy(c->address, c->address_size, lk_stmt_col_text(st, 0));
  lk_store_copy(c->key, c->key_size, lk_stmt_col_text(st, 1));
}

int lk_store_party_email(lk_tx *tx, const char *party_id, char *address,
                         size_t address_size, char *key, size_t key_size) {
  static const char sql[] =
      "SELECT address, address_key FROM digital_addresses"
      " WHERE party_id = ?1 AND kind = 'email'"
      " ORDER BY is_default DESC, verified_on IS NOT NULL DESC, seq DESC"
      " LIMIT 1";
  struct email_ctx c = {address, address_size, key, key_size};

  return lk_row_get(NULL, tx, sql, party_id, email_row, &c);
}

int lk_store_mail_received(lk_tx *tx, const char *mailbox_id,
                           const char *message_id,
                           char contact_id[LK_CONV_ID_LEN + 1]) {
  static const char sql[] = "SELECT contact_id FROM mail_received"
                            " WHERE mailbox_id = ?1 AND message_id = ?2";
  const char *texts[] = {mailbox_id, message_id};
  struct contact_ctx c = {contact_id, NULL, NULL};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, received_row, &c);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_mail_received_insert(lk_tx *tx, const char *mailbox_id,
                                  const char *message_id,
                                  const char *contact_id) {
  static const char sql[] =
      "INSERT INTO mail_received (mailbox_id, message_id, contact_id,"
      " created_at) VALUES (?1, ?2, ?3, ?4)";
  const char *texts[] = {mailbox_id, message_id, contact_id};
  int64_t now = lk_tx_now(tx);

  return lk_rows_write(tx, sql, texts, 3, &now, 1, false);
}

static void conv_row(lk_stmt *st, void *ud) {
  lk_store_copy(ud, LK_CONV_ID_LEN + 1, lk_stmt_col_text(st, 0));
}

int lk_store_mail_outbound_conv(lk_tx *tx, const char *contact_id,
                                char conv_id[LK_CONV_ID_LEN + 1]) {
  static const char sql[] = "SELECT conversation_id FROM contacts WHERE id = ?1"
                            " AND kind = 'outbound' AND channel = 'email'"
                            " AND conversation_id IS NOT NULL";
  int n =
      lk_rows(lk_tx_db(tx), sql, &contact_id, 1, NULL, 0, conv_row, conv_id);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}
