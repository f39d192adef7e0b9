/* channels.h - /api/v1/channels: the public channels residents see on
 * /contact (docs/resident-pages.md). */
#ifndef LK_API_CHANNELS_H
#define LK_API_CHANNELS_H

#include "http/router.h"

/* GET /api/v1/channels, GET and PUT /api/v1/channels/{channel}. */
int lk_channels_routes(lk_router *r);

#endif
