/* chat.h - the resident side of live chat and call-me-back.
 *
 * GET /contact/chat (the page chat.js runs on), the JSON endpoints under
 * /contact/chat/ that the script calls with the chat's cookie, its event
 * stream, and the call-me-back form /contact/terugbellen.  See
 * docs/chat.md.
 */
#ifndef LK_PAGES_CHAT_H
#define LK_PAGES_CHAT_H

#include "http/router.h"

#define LK_CHAT_COOKIE "loket_chat"

struct lk_app;

int lk_chat_page_routes(lk_router *r);
/* From the server's once-a-second tick: ends, in one bounded write at a
 * time, the chats whose resident left (core/chat.h lk_chat_expire_apply,
 * with this module's table of open streams as the sign of life). */
void lk_chat_tick(struct lk_app *app);

#endif
