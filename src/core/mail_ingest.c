/* mail_ingest.c - incoming e-mail into conversations (see
 * mail_ingest.h). */
#include "core/mail_ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/attachments.h"
#include "store/proclog.h"

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

int lk_mail_ingest_prepare(lk_mail_ingest_op *op, const lk_mail_key *key,
                           const lk_mailbox_row *mb, const lk_mail_in *in) {
  memset(op, 0, sizeof(*op));
  snprintf(op->caller.actor, sizeof(op->caller.actor), "mail:%s", mb->id);
  op->caller.may_confidential = true; /* the system files, it does not read */
  op->key = key;
  copy(op->mailbox_id, sizeof(op->mailbox_id), mb->id);
  copy(op->team_id, sizeof(op->team_id), mb->team_id);
  if (in->message_id == NULL || in->message_id[0] == '\0' ||
      strlen(in->message_id) > LK_MAIL_ID_MAX)
    return LK_EINVALID;
  copy(op->message_id, sizeof(op->message_id), in->message_id);
  for (int i = 0; i < in->nrefs && op->nrefs < 20; i++) {
    if (strlen(in->refs[i]) < sizeof(op->refs[0]))
      copy(op->refs[op->nrefs++], sizeof(op->refs[0]), in->refs[i]);
  }
  if (in->from != NULL && in->from[0] != '\0' &&
      lk_address_key("email", in->from, op->from_key, sizeof(op->from_key)) ==
          0)
    copy(op->from, sizeof(op->from), in->from);
  else
    op->from_key[0] = '\0';
  copy(op->from_name, sizeof(op->from_name),
       in->from_name != NULL &&
               lk_text_ok(in->from_name, LK_CONV_NAME_MAX, false)
           ? in->from_name
           : "Onbekende afzender");
  if (in->subject != NULL &&
      lk_text_ok(in->subject, LK_CONV_SUBJECT_MAX, false))
    copy(op->subject, sizeof(op->subject), in->subject);
  op->text = strdup(in->text != NULL && in->text[0] != '\0' ? in->text
                                                            : "(geen tekst)");
  op->from_proven = in->from_proven;
  op->noise = in->noise != NULL;
  for (int i = 0; in->dsn_failed && i < in->nbounce_rcpts; i++) {
    if (lk_mail_bounce_contact(key, in->bounce_rcpts[i], op->bounce_contact))
      break;
    op->bounce_contact[0] = '\0';
  }
  op->atts = calloc(LK_CONV_MAX_ATTACHMENTS, sizeof(*op->atts));
  if (op->text == NULL || op->atts == NULL)
    return -ENOMEM;
  return 0;
}

int lk_mail_ingest_attach(lk_mail_ingest_op *op, const lk_attachment_op *a) {
  if (op->natts == LK_CONV_MAX_ATTACHMENTS)
    return -ENOSPC;
  op->atts[op->natts++] = *a;
  return 0;
}

void lk_mail_ingest_free(lk_mail_ingest_op *op) {
  free(op->text);
  free(op->atts);
  free(op->create);
  free(op->message);
  op->text = NULL;
  op->atts = NULL;
  op->create = NULL;
  op->message = NULL;
}

/* A failed DSN to the bounce address of a message Loket sent: its
 * delivery is "failed". */
static int bounce(lk_tx *tx, lk_mail_ingest_op *op) {
  char conv[LK_CONV_ID_LEN + 1];
  const char *contact = op->bounce_contact;
  char payload[200];
  lk_conv_row c;
  int rc;

  op->outcome = LK_MAIL_IGNORED;
  if (contact[0] == '\0')
    return 0;
  rc = lk_store_mail_outbound_conv(tx, contact, conv);
  if (rc == LK_STORE_NOTFOUND)
    return 0;
  if (rc != 0)
    return rc;
  op->outcome = LK_MAIL_BOUNCE;
  copy(op->conv_id, sizeof(op->conv_id), conv);
  copy(op->contact_id, sizeof(op->contact_id), contact);
  rc = lk_store_mail_contact_delivery(tx, contact, "failed");
  if (rc == LK_STORE_NOTFOUND)
    return 0; /* failed already: a second report */
  if (rc == 0)
    rc = lk_store_conv_lock(tx, conv, true, &c);
  if (rc == 0) {
    lk_proclog_entry e = {
        op->caller.actor, c.party_id, "update", "klantcontact",
        payload,          NULL,       ""};

    snprintf(payload, sizeof(payload), "contact:%s", contact);
    rc = lk_store_proclog_insert(tx, &e);
  }
  if (rc == 0) {
    snprintf(payload, sizeof(payload),
             "{\"id\":\"%s\",\"contactId\":\"%s\",\"delivery\":\"failed\"}",
             conv, contact);
    rc = lk_tx_emit(tx, "conversation.updated", conv, payload);
  }
  return rc;
}

/* The conversation a reply belongs to: one whose reply token the mail
 * names, from an address of its party.  "" when none. */
static int thread_of(lk_tx *tx, lk_mail_ingest_op *op,
                     char conv_id[LK_CONV_ID_LEN + 1]) {
  char contact[LK_CONV_ID_LEN + 1], conv[LK_CONV_ID_LEN + 1], kind[12];
  lk_conv_row c;
  int rc;

  conv_id[0] = '\0';
  if (op->from_key[0] == '\0')
    return 0;
  for (int i = 0; i < op->nrefs; i++) {
    if (!lk_mail_token_contact(op->refs[i], contact))
      continue;
    rc = lk_store_mail_contact(tx, op->refs[i], contact, conv, kind);
    if (rc == LK_STORE_NOTFOUND)
      continue;
    if (rc != 0)
      return rc;
    if (strcmp(kind, "outbound") != 0 ||
        !lk_mail_token_verify(op->key, op->refs[i], conv))
      continue;
    rc = lk_store_conv_lock(tx, conv, true, &c);
    if (rc == LK_STORE_NOTFOUND)
      continue;
    if (rc != 0)
      return rc;
    rc = lk_store_party_has_email(tx, c.party_id, op->from_key);
    if (rc < 0)
      return rc;
    if (rc == 1) {
      memcpy(conv_id, conv, LK_CONV_ID_LEN + 1);
      return 0;
    }
  }
  return 0;
}

static int insert_attachments(lk_tx *tx, lk_mail_ingest_op *op,
                              const char **ids) {
  int rc = 0;

  for (int i = 0; i < op->natts && rc == 0; i++) {
    op->atts[i].row.created_at = lk_tx_now(tx);
    rc = lk_store_attachment_insert(tx, &op->atts[i].row);
    ids[i] = op->atts[i].row.id;
  }
  return rc;
}

static int join(lk_tx *tx, lk_mail_ingest_op *op, const char *conv_id,
                const char **ids) {
  lk_conv_message_in in = {.kind = "inbound",
                           .channel = "email",
                           .subject = op->subject,
                           .content = op->text,
                           .attachments = ids,
                           .nattachments = op->natts};
  lk_invalid why;
  int rc;

  if (op->message == NULL)
    op->message = malloc(sizeof(*op->message));
  if (op->message == NULL)
    return LK_STORE_NOMEM;
  rc = lk_conv_message_prepare(op->message, &op->caller, conv_id, &in, &why);
  if (rc != 0)
    return rc;
  rc = lk_conv_message_apply(tx, op->message);
  if (rc != 0)
    return rc;
  op->outcome = LK_MAIL_JOINED;
  copy(op->conv_id, sizeof(op->conv_id), op->message->conv.id);
  copy(op->contact_id, sizeof(op->contact_id), op->message->contact_id);
  return 0;
}

static int create(lk_tx *tx, lk_mail_ingest_op *op, const char **ids) {
  lk_conv_create_in in = {
      .channel = "email",
      .subject = op->subject[0] != '\0' ? op->subject : "(geen onderwerp)",
      .content = op->text,
      .team_id = op->team_id,
      .from_name = op->from_name,
      .from_email = op->from_key[0] != '\0' ? op->from : NULL,
      /* A From: is anyone's to write: only a proven one finds a party. */
      .unproven = !op->from_proven,
      .attachments = ids,
      .nattachments = op->natts};
  lk_invalid why;
  int rc;

  if (op->create == NULL)
    op->create = malloc(sizeof(*op->create));
  if (op->create == NULL)
    return LK_STORE_NOMEM;
  rc = lk_conv_create_prepare(op->create, &op->caller, &in, &why);
  if (rc != 0)
    return rc;
  rc = lk_conv_create_apply(tx, op->create);
  if (rc != 0)
    return rc;
  op->outcome = LK_MAIL_CREATED;
  copy(op->conv_id, sizeof(op->conv_id), op->create->conv.id);
  copy(op->contact_id, sizeof(op->contact_id), op->create->contact_id);
  if (op->from_key[0] != '\0')
    rc = lk_store_mail_thread_insert(tx, op->conv_id, op->mailbox_id, op->from,
                                     op->from_key);
  return rc;
}

int lk_mail_ingest_apply(lk_tx *tx, void *arg) {
  lk_mail_ingest_op *op = arg;
  char contact[LK_CONV_ID_LEN + 1], conv[LK_CONV_ID_LEN + 1], kind[12];
  const char *ids[LK_CONV_MAX_ATTACHMENTS];
  bool id_free;
  int rc;

  op->outcome = LK_MAIL_NONE;
  op->conv_id[0] = op->contact_id[0] = '\0';
  /* Taken in by this mailbox already (a fetch after a crash, or a second
   * copy): nothing more.  Another mailbox's copy is that team's mail. */
  rc = lk_store_mail_received(tx, op->mailbox_id, op->message_id, contact);
  if (rc == 0) {
    op->outcome = LK_MAIL_DUPLICATE;
    copy(op->contact_id, sizeof(op->contact_id), contact);
    return 0;
  }
  if (rc != LK_STORE_NOTFOUND)
    return rc;
  /* A copy of a message Loket sent (Bcc to the mailbox, say). */
  rc = lk_store_mail_contact(tx, op->message_id, contact, conv, kind);
  if (rc == 0 && strcmp(kind, "outbound") == 0) {
    op->outcome = LK_MAIL_DUPLICATE;
    copy(op->conv_id, sizeof(op->conv_id), conv);
    copy(op->contact_id, sizeof(op->contact_id), contact);
    return 0;
  }
  if (rc != 0 && rc != LK_STORE_NOTFOUND)
    return rc;
  id_free = rc == LK_STORE_NOTFOUND;
  if (op->noise)
    return bounce(tx, op);
  rc = thread_of(tx, op, conv);
  if (rc == 0)
    rc = insert_attachments(tx, op, ids);
  if (rc == 0)
    rc = conv[0] != '\0' ? join(tx, op, conv, ids) : create(tx, op, ids);
  if (rc == LK_EINVALID) {
    /* The write rolls back (attachment rows included); the channel
     * leaves the mail on the server, marked and logged. */
    op->outcome = LK_MAIL_REFUSED;
    return LK_EINVALID;
  }
  if (rc == 0)
    rc = lk_store_mail_received_insert(tx, op->mailbox_id, op->message_id,
                                       op->contact_id);
  /* contacts.external_id is unique per channel: the first copy keeps it
   * (the References of replies find the others through mail_received). */
  if (rc == 0 && id_free)
    rc = lk_store_mail_contact_set_id(tx, op->contact_id, op->message_id);
  return rc;
}
