/* notices.h - the staff side of Actueel: /api/v1/notices and
 * /api/v1/notice-kinds (notices.c). */
#ifndef LK_API_NOTICES_H
#define LK_API_NOTICES_H

#include "api/api.h"

/* Registers the routes.  Returns 0 or a negative errno. */
int lk_notices_routes(lk_router *r);

#endif
