/* mail_ingest.h - an incoming e-mail becomes part of a conversation, in
 * one write (docs/mail.md).
 *
 *   duplicate  this mailbox took its Message-ID in already
 *              (mail_received, per mailbox), or it is the Message-ID of
 *              a message Loket sent: nothing is written.  This is what
 *              makes a fetch after a crash harmless; the same mail sent
 *              to two team addresses still reaches both teams.
 *   bounce     a delivery status notification that says "failed" and
 *              came to the signed bounce address (VERP, mail_token.h)
 *              of a message Loket sent: that outbound message's
 *              delivery becomes "failed" for the agent to see.  A DSN
 *              that only names a Message-ID proves nothing (a Message-ID
 *              travels in every reply and forward): it is ignored.
 *   ignored    other noise (auto-replies, out-of-office, lists, reports):
 *              no conversation, and no reply is ever sent to it.
 *   joined     In-Reply-To or References names a Message-ID Loket sent
 *              whose reply token (mail_token.h) verifies for its
 *              conversation, AND the sender is an address of that
 *              conversation's party: the mail is added as an inbound
 *              message.  Anything else, a forged header included, is:
 *   created    a new conversation on channel "email" for the mailbox's
 *              team.  Only when the From: is proven (from_proven: the
 *              trusted server's Authentication-Results) is the sender
 *              linked to a party through a verified address
 *              (conversation.h), so that a new subject from a known
 *              resident lands in that resident's history; an unproven
 *              From: is the sender's word only (like a chat's address),
 *              never linked: a new party gets it unverified.
 *
 *   refused    what the conversation core refuses (it should not happen:
 *              the channel cleans every text first): the apply returns
 *              LK_EINVALID, so nothing of it is written, and the channel
 *              treats it as unreadable rather than retrying for ever.
 *
 * Attachments are recorded (their blobs were stored before the write,
 * core/attachment.h) and linked to the new message.
 */
#ifndef LK_CORE_MAIL_INGEST_H
#define LK_CORE_MAIL_INGEST_H

#include "core/attachment.h"
#include "core/conversation.h"
#include "core/mail_token.h"
#include "store/mailboxes.h"

enum lk_mail_outcome {
  LK_MAIL_NONE = 0,
  LK_MAIL_CREATED,
  LK_MAIL_JOINED,
  LK_MAIL_DUPLICATE,
  LK_MAIL_BOUNCE,
  LK_MAIL_IGNORED,
  LK_MAIL_REFUSED /* the conversation core refused it: nothing written */
};

/* The mail as the channel parsed it; every string NUL-terminated UTF-8
 * that passes lk_text_ok() (text multi-line). */
typedef struct lk_mail_in {
  const char *message_id;  /* without brackets */
  const char *const *refs; /* In-Reply-To first, then References */
  int nrefs;
  const char *from;      /* address, may be "" */
  const char *from_name; /* may be "" */
  /* The mailbox's trusted server proved the From: domain (RFC 8601);
   * else the address is only the sender's word. */
  bool from_proven;
  const char *subject; /* may be "" */
  const char *text;
  const char *noise; /* NULL or why it is noise */
  /* A failed delivery status notification, and the bounce addresses
   * (core/mail_token.h) it was delivered to, not yet verified. */
  bool dsn_failed;
  const char *const *bounce_rcpts;
  int nbounce_rcpts;
} lk_mail_in;

typedef struct lk_mail_ingest_op {
  lk_conv_caller caller; /* actor "mail:<mailbox id>" */
  const lk_mail_key *key;
  char mailbox_id[LK_CONV_ID_LEN + 1];
  char team_id[LK_CONV_ID_LEN + 1];
  char message_id[LK_MAIL_ID_MAX + 1];
  char refs[20][256];
  int nrefs;
  char from[LK_ADDRESS_MAX + 1];
  char from_key[LK_ADDRESS_KEY_MAX + 1]; /* "" if not an address */
  char from_name[LK_CONV_NAME_MAX + 1];
  bool from_proven;
  char subject[LK_CONV_SUBJECT_MAX + 1];
  char *text; /* malloc'd copy */
  bool noise;
  char bounce_contact[LK_CONV_ID_LEN + 1]; /* verified, or "" */
  lk_attachment_op *atts;                  /* prepared, blobs stored */
  int natts;
  /* results */
  enum lk_mail_outcome outcome;
  char conv_id[LK_CONV_ID_LEN + 1];
  char contact_id[LK_CONV_ID_LEN + 1];
  /* scratch for the conversation core (large: on the heap) */
  lk_conv_create_op *create;
  lk_conv_message_op *message;
} lk_mail_ingest_op;

/* Fills `op` from `in` for mailbox `mb`; the attachments are added with
 * lk_mail_ingest_attach().  Returns 0, -ENOMEM, or LK_EINVALID when the
 * message id is unusable.  Free with lk_mail_ingest_free(). */
int lk_mail_ingest_prepare(lk_mail_ingest_op *op, const lk_mail_key *key,
                           const lk_mailbox_row *mb, const lk_mail_in *in);
/* Takes an attachment that lk_attachment_prepare() accepted and whose
 * blob is stored.  Returns 0 or -ENOSPC beyond LK_CONV_MAX_ATTACHMENTS. */
int lk_mail_ingest_attach(lk_mail_ingest_op *op, const lk_attachment_op *a);
void lk_mail_ingest_free(lk_mail_ingest_op *op);

/* lk_write_fn: see the top of this file.  op->outcome says what
 * happened. */
int lk_mail_ingest_apply(lk_tx *tx, void *arg);

#endif
