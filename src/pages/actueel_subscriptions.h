/* actueel_subscriptions.h - residents subscribe by postcode to e-mail
 * about Actueel notices, and unsubscribe with one click.
 *
 *   GET  /actueel/abonneren             the form: postcode and e-mail
 *   POST /actueel/abonneren             subscribes; the same answer
 *                                       whether the address was known
 *   GET  /actueel/abonneren/bevestigen  ?token=: a page with one button
 *   POST /actueel/abonneren/bevestigen  confirms (field or ?token=)
 *   GET  /actueel/afmelden              ?token=: a page with one button
 *   POST /actueel/afmelden              ?token=: unsubscribes at once
 *                                       (RFC 8058 one-click)
 *
 * Mail scanners fetch the links in a mail, so a GET never changes
 * anything; only the POST does.  The token is the authority for
 * confirming and unsubscribing: no session, no CSRF token (a mail
 * program's one-click POST carries neither).  An unknown, used or expired
 * token answers 404.  The subscribe form is protected like the question
 * form (pages/form.h) and rate limited per address and per client.
 */
#ifndef LK_PAGES_ACTUEEL_SUBSCRIPTIONS_H
#define LK_PAGES_ACTUEEL_SUBSCRIPTIONS_H

#include "http/router.h"

/* Confirmation mails per e-mail address per hour, at most. */
#define LK_SUBSCRIBE_MAILS_PER_HOUR 3

/* Registers the routes above; before /actueel/{id}, which would
 * otherwise take them. */
int lk_actueel_subscription_routes(lk_router *r);

#endif
