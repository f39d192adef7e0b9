/* mail.h - the outbox kind "mail": composed e-mail sent over SMTP.
 *
 * An lk_mailer holds what every outgoing mail needs: the SMTP server
 * (channels/smtp.h) and the sender.  lk_mailer_send_fn() is the outbox
 * send function of kind "mail", whose payload is a JSON object
 *
 *   {"to": "a@b.nl", "subject": "...", "text": "...",
 *    "html": "..." (optional, already escaped HTML),
 *    "headers": {"Name": "ASCII value", ...} (optional)}
 *
 * Other senders (subscription_mail.h) compose their own lk_mail and call
 * lk_mailer_deliver().  The SMTP connection is kept between messages, so
 * a mailer serves one thread: the outbox worker.
 */
#ifndef LK_CHANNELS_MAIL_H
#define LK_CHANNELS_MAIL_H

#include <stddef.h>

#include "channels/mail_compose.h"
#include "channels/smtp.h"
#include "core/outbox.h"

typedef struct lk_mailer {
  lk_smtp_config smtp;
  char from[255];      /* envelope sender and From: address */
  char from_name[128]; /* From: display name, may be "" */
} lk_mailer;

/* Parses `from` as "addr" or "Display Name <addr>" into `m`.  Returns 0,
 * or -1 if it is neither. */
int lk_mailer_set_from(lk_mailer *m, const char *from);

/* Fills in From and Date of `mail`, composes it and sends it:
 * LK_SMTP_SENT, LK_SMTP_RETRY or LK_SMTP_PERMANENT, with the Message-ID
 * or the reason in `detail`. */
int lk_mailer_deliver(lk_mailer *m, lk_mail *mail, char *detail,
                      size_t detail_len);

/* The outbox's word for an LK_SMTP_* outcome. */
lk_outbox_result lk_mailer_result(int smtp);

/* lk_outbox_send_fn for kind "mail" (ud: the lk_mailer).  A payload that
 * is not as above fails permanently. */
lk_outbox_result lk_mailer_send_fn(void *ud, const char *key,
                                   const char *payload, char *detail,
                                   size_t detail_len);

#endif
