/* calamity.h - GET / and /api/v1/calamity (docs/actueel.md). */
#ifndef LK_API_CALAMITY_H
#define LK_API_CALAMITY_H

#include "http/router.h"

int lk_calamity_routes(lk_router *r);

#endif
