/* outbox.h - /api/v1/outbox: staff see what Loket sends to other systems
 * (docs/outbox.md) and retry what failed. */
#ifndef LK_API_OUTBOX_H
#define LK_API_OUTBOX_H

#include "http/router.h"

int lk_outbox_routes(lk_router *r);

#endif
