/* mail_outbound.h - an agent's reply on an e-mail conversation becomes
 * an outbox message in the same write (docs/mail.md).
 *
 * lk_conv_message_apply() calls lk_mail_outbound_queue() for every
 * outbound message on channel "email".  When the conversation came in
 * through a mailbox (mail_threads), the message gets its Message-ID with
 * a reply token (mail_token.h), stored as the contact's external_id, and
 * an outbox row of kind LK_MAIL_OUTBOX_KIND is queued:
 *
 *   {"mailbox": id, "contact": id, "to": address, "subject": "Re: ...
 *    [LK-2026-000001]", "text": ..., "messageId": ..., "inReplyTo": ...,
 *    "references": [...], "attachments": [ids]}
 *
 * An e-mail conversation an agent opened (not by mail) is written to from
 * its team's mailbox to its party's e-mail address (then recorded as its
 * thread); without either, its message stays "queued" as before.
 */
#ifndef LK_CORE_MAIL_OUTBOUND_H
#define LK_CORE_MAIL_OUTBOUND_H

#include "core/mail_token.h"
#include "store/conversations.h"
#include "store/store.h"

#define LK_MAIL_OUTBOX_KIND "mailbox"

/* Sets the key that signs reply tokens, once at start-up before any
 * write.  Without it nothing is queued (tests of other modules). */
void lk_mail_outbound_init(const lk_mail_key *key);
const lk_mail_key *lk_mail_outbound_key(void);

/* Inside the write that added outbound contact `contact_id` with
 * `content` to conversation `c`, with `natts` attachment ids.  Returns 0
 * or a store code. */
int lk_mail_outbound_queue(lk_tx *tx, const lk_conv_row *c,
                           const char *contact_id, const char *content,
                           char (*atts)[LK_CONV_ID_LEN + 1], int natts);

#endif
