/* mailboxes.h - /api/v1/mailboxes: mailboxes as channels, managed by an
 * admin (core/mailbox.h, docs/mail.md). */
#ifndef LK_API_MAILBOXES_H
#define LK_API_MAILBOXES_H

#include "api/api.h"

/* Registers the routes.  Returns 0 or a negative errno. */
int lk_mailboxes_routes(lk_router *r);

#endif
