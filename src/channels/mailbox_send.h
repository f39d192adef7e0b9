/* mailbox_send.h - the outbox kind "mailbox" (core/mail_outbound.h): an
 * agent's reply sent through its mailbox's SMTP submission server.
 *
 * Per message: the mailbox row is read (a changed password file or
 * server takes effect at the next send), the password read from its
 * file, the mail composed with the Message-ID, In-Reply-To and
 * References of the payload and the attachments' blobs, and sent.  Then
 * the contact's delivery becomes "sent", or "failed" after a permanent
 * refusal; a temporary failure leaves it "queued" and the outbox retries
 * with backoff; after the last attempt the outbox allows (max_attempts,
 * max_age_ms: the outbox's own options) the contact is "failed" too.
 */
#ifndef LK_MAILBOX_SEND_H
#define LK_MAILBOX_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mail_token.h"
#include "core/outbox.h"
#include "store/store.h"

typedef struct lk_mailbox_sender {
  lk_store *store;
  /* Signs the envelope sender (core/mail_token.h, VERP), so that only a
   * real bounce can mark a message failed; NULL: the mailbox address. */
  const lk_mail_key *key;
  bool insecure;      /* skip certificate checks (tests only) */
  int max_attempts;   /* as the outbox's options: 0 for 12 */
  int64_t max_age_ms; /* 0 for 24 h */
} lk_mailbox_sender;

/* lk_outbox_send_fn for kind "mailbox" (ud: an lk_mailbox_sender). */
lk_outbox_result lk_mailbox_send_fn(void *ud, const char *key,
                                    const char *payload, char *detail,
                                    size_t detail_len);

#endif
