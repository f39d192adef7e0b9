/* chat.h - the agents' side of live chat and the callback queue:
 * /api/v1/chats and /api/v1/callbacks (docs/chat.md). */
#ifndef LK_API_CHAT_H
#define LK_API_CHAT_H

#include "http/router.h"

int lk_api_chat_routes(lk_router *r);

#endif
