/* mailboxes.h - the rows of mailboxes and mail threads (migration 0023),
 * and the lookups the e-mail channel makes in contacts.
 *
 * A mailbox row holds the paths of password files, never a password.
 * Functions return 0 or a negative LK_STORE_* code; out parameters are
 * filled only on success.
 */
#ifndef LK_STORE_MAILBOXES_H
#define LK_STORE_MAILBOXES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/conversations.h"
#include "store/store.h"

#define LK_MAILBOX_HOST_MAX 253
#define LK_MAILBOX_TEXT_MAX 255
#define LK_MAILBOX_PATH_MAX 1024
#define LK_MAIL_ID_MAX 998 /* a Message-ID, as RFC 5322 bounds a line */

typedef struct lk_mailbox_row {
  char id[LK_CONV_ID_LEN + 1];
  char team_id[LK_CONV_ID_LEN + 1];
  char address[LK_MAILBOX_TEXT_MAX + 1];
  char from_name[LK_MAILBOX_TEXT_MAX + 1];
  char imap_host[LK_MAILBOX_HOST_MAX + 1];
  int imap_port;
  char imap_tls[12]; /* none, starttls, tls */
  char imap_user[LK_MAILBOX_TEXT_MAX + 1];
  char imap_password_file[LK_MAILBOX_PATH_MAX + 1];
  char folder[LK_MAILBOX_TEXT_MAX + 1];
  char smtp_host[LK_MAILBOX_HOST_MAX + 1];
  int smtp_port;
  char smtp_tls[12];
  char smtp_user[LK_MAILBOX_TEXT_MAX + 1];
  char smtp_password_file[LK_MAILBOX_PATH_MAX + 1];
  int poll_seconds;
  /* RFC 8601 authserv-id whose Authentication-Results are trusted; "" */
  char authserv_id[LK_MAILBOX_TEXT_MAX + 1];
  bool enabled;
  int64_t version;
  int64_t created_at;
  int64_t updated_at;
} lk_mailbox_row;

/* ---- inside a write ------------------------------------------------- */

/* LK_STORE_CONFLICT when the address is taken. */
int lk_store_mailbox_insert(lk_tx *tx, const lk_mailbox_row *m);
/* Saves every column but id and created_at.  LK_STORE_NOTFOUND, or
 * LK_STORE_CONFLICT when the address is taken. */
int lk_store_mailbox_update(lk_tx *tx, const lk_mailbox_row *m);
int lk_store_mailbox_get_tx(lk_tx *tx, const char *id, lk_mailbox_row *out);
/* Deletes the mailbox; LK_STORE_CONFLICT while a conversation uses it
 * (disable it instead). */
int lk_store_mailbox_delete(lk_tx *tx, const char *id);

/* The mailbox and resident address a conversation's mail goes through. */
int lk_store_mail_thread_insert(lk_tx *tx, const char *conv_id,
                                const char *mailbox_id, const char *address,
                                const char *address_key);
int lk_store_mail_thread_get(lk_tx *tx, const char *conv_id,
                             char mailbox_id[LK_CONV_ID_LEN + 1], char *address,
                             size_t address_size);
/* The enabled mailbox of a team (the oldest), for a conversation that did
 * not come in by mail. */
int lk_store_mailbox_of_team(lk_tx *tx, const char *team_id,
                             lk_mailbox_row *out);

/* The contact stored under e-mail Message-ID `external_id`: its id,
 * conversation and kind. */
int lk_store_mail_contact(lk_tx *tx, const char *external_id,
                          char contact_id[LK_CONV_ID_LEN + 1],
                          char conv_id[LK_CONV_ID_LEN + 1], char kind[12]);
/* The contact that mail `message_id` became in mailbox `mailbox_id`
 * (migration 0026): LK_STORE_NOTFOUND when this mailbox has not taken
 * it in. */
int lk_store_mail_received(lk_tx *tx, const char *mailbox_id,
                           const char *message_id,
                           char contact_id[LK_CONV_ID_LEN + 1]);
/* Records that mailbox `mailbox_id` took mail `message_id` in as
 * `contact_id`.  LK_STORE_CONFLICT when it had already. */
int lk_store_mail_received_insert(lk_tx *tx, const char *mailbox_id,
                                  const char *message_id,
                                  const char *contact_id);
/* The conversation of outbound e-mail contact `contact_id`;
 * LK_STORE_NOTFOUND when it is no such contact. */
int lk_store_mail_outbound_conv(lk_tx *tx, const char *contact_id,
                                char conv_id[LK_CONV_ID_LEN + 1]);
/* Sets the Message-ID of contact `id`.  LK_STORE_CONFLICT when another
 * e-mail contact has it. */
int lk_store_mail_contact_set_id(lk_tx *tx, const char *id,
                                 const char *external_id);
/* Sets the delivery state of an outbound contact ("sent" or "failed")
 * unless it is "failed" already.  LK_STORE_NOTFOUND if none. */
int lk_store_mail_contact_delivery(lk_tx *tx, const char *id,
                                   const char *delivery);
/* Calls fn for the Message-IDs of the e-mail contacts of a conversation,
 * oldest first, at most `limit` (the newest ones). */
typedef void (*lk_mail_id_fn)(const char *external_id, const char *kind,
                              void *ud);
int lk_store_mail_conv_ids(lk_tx *tx, const char *conv_id, int limit,
                           lk_mail_id_fn fn, void *ud);
/* The e-mail address to write party `party_id` at (the default one,
 * else a verified one, else the newest) and its key.  LK_STORE_NOTFOUND
 * when it has none. */
int lk_store_party_email(lk_tx *tx, const char *party_id, char *address,
                         size_t address_size, char *key, size_t key_size);
/* True (1) when party `party_id` has the e-mail address key `key`, 0 when
 * not. */
int lk_store_party_has_email(lk_tx *tx, const char *party_id, const char *key);

/* ---- reads ---------------------------------------------------------- */

int lk_store_mailbox_get(lk_store *s, const char *id, lk_mailbox_row *out);
typedef void (*lk_mailbox_fn)(const lk_mailbox_row *m, void *ud);
/* Mailboxes in id order after `after_id` ("" for the start), at most
 * `limit`; with `enabled_only` only enabled ones.  Returns the number
 * listed. */
int lk_store_mailbox_list(lk_store *s, const char *after_id, int limit,
                          bool enabled_only, lk_mailbox_fn fn, void *ud);

#endif
