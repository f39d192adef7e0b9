/* subscription_mail.h - the mails of Actueel subscriptions: the outbox
 * kind "subscription-mail" (core/subscription.h queues it).
 *
 * The payload names a subscription and, for a notice mail, the notice;
 * the mail is composed when it is sent, from the rows as they are then:
 * a subscription unsubscribed (or confirmed) in the meantime gets nothing,
 * and the tokens in the links are derived from the subscription key, so
 * no token is ever stored.  Every notice mail carries the one-click
 * unsubscribe headers of RFC 8058.
 */
#ifndef LK_SUBSCRIPTION_MAIL_H
#define LK_SUBSCRIPTION_MAIL_H

#include <stddef.h>

#include "channels/mail.h"
#include "core/subscription.h"
#include "store/store.h"

typedef struct lk_sub_mailer {
  lk_store *store;
  lk_mailer *mailer;
  const lk_sub_key *key;
  char public_url[512]; /* "https://www.example.nl", no trailing slash */
} lk_sub_mailer;

/* The send function of kind "subscription-mail" (ud: an lk_sub_mailer),
 * with the Message-ID, or why nothing was sent, in `detail`. */
lk_outbox_result lk_sub_mail_send_fn(void *ud, const char *key,
                                     const char *payload, char *detail,
                                     size_t detail_len);

#endif
