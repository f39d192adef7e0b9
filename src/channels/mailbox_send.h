/* mailbox_send.h - the outbox kind "mailbox" (core/mail_outbound.h): an
 * agent's reply sent through its mailbox's SMTP submission server.
 *
 * Per message: the mailbox row is read (a changed password file or
 * server takes effect at the next send), the password read from its
 * file, the mail composed with the Message-ID, In-Reply-To and
 * References of the payload and the attachments' blobs, and sent.  Then
 * the contact's delivery becomes "sent", or "failed" after a permanent
 * refusal; a temporary failure leaves it "queued" and the outbox retries
 * with backoff.  (When the outbox gives up after its last temporary
 * failure, its row is "failed" but the contact still says "queued": see
 * docs/mail.md, open points.)
 */
#ifndef LK_MAILBOX_SEND_H
#define LK_MAILBOX_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include "core/outbox.h"
#include "store/store.h"

typedef struct lk_mailbox_sender {
  lk_store *store;
  bool insecure; /* skip certificate checks (tests only) */
} lk_mailbox_sender;

/* lk_outbox_send_fn for kind "mailbox" (ud: an lk_mailbox_sender). */
lk_outbox_result lk_mailbox_send_fn(void *ud, const char *key,
                                    const char *payload, char *detail,
                                    size_t detail_len);

#endif
