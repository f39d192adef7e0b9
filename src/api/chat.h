/* chat.h - the agents' side of live chat and the callback queue:
 * /api/v1/chats and /api/v1/callbacks (docs/chat.md). */
#ifndef LK_API_CHAT_H
#define LK_API_CHAT_H

#include "http/router.h"
#include "http/server.h"

int lk_api_chat_routes(lk_router *r);
/* Answers the result of a chat write for the agents' API and the
 * resident's page alike: a chat that ended meanwhile is 409 chat-ended.
 * Returns 0 if `status` is 0 (nothing answered), else -1 after answering. */
int lk_api_chat_failed(lk_req *req, int status);

#endif
