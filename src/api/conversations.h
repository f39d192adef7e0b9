/* conversations.h - /api/v1/conversations, /api/v1/search and
 * /api/v1/attachments: the contact centre's own API (docs/conversations.md).
 */
#ifndef LK_API_CONVERSATIONS_H
#define LK_API_CONVERSATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/conversation.h"
#include "http/router.h"
#include "http/server.h"
#include "store/conversations.h"

/* Registers the routes of this file group.  Returns 0 or a negative
 * errno. */
int lk_conversations_routes(lk_router *r);

/* Shared by the handlers of conversations.c, search.c, attachments.c. */

/* The authenticated caller as the domain sees it. */
void lk_api_conv_caller(lk_req *req, lk_conv_caller *out);
/* Reads the inbox filters from the query string into `f` (strings point
 * into the request).  Returns 0, or answers 400 and returns -1. */
int lk_api_conv_filter(lk_req *req, const lk_conv_caller *caller,
                       lk_conv_filter *f);
/* Answers a failed write or read: 404 naming `field` when given, 412 for
 * a stale version, else as lk_req_problem_store(). */
void lk_api_conv_problem(lk_req *req, int status, const char *field);

void lk_api_search(lk_req *req);
void lk_api_attachment_upload(lk_req *req);
void lk_api_attachment_get(lk_req *req);
void lk_api_attachment_content(lk_req *req);

#endif
