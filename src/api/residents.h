/* residents.h - /api/v1/parties (look-up, resident card, timeline) and
 * /api/v1/processing-log: a resident's data as staff see it, and the log
 * of who saw it.  See docs/residents.md and docs/processing-log.md. */
#ifndef LK_API_RESIDENTS_H
#define LK_API_RESIDENTS_H

#include "core/access.h"
#include "http/router.h"
#include "http/server.h"

/* Registers the routes below.  Returns 0 or a negative errno. */
int lk_residents_routes(lk_router *r);

/* The authenticated caller as a reader of resident data. */
lk_viewer lk_api_viewer(lk_req *req);

void lk_api_parties_find(lk_req *req);
void lk_api_party_card(lk_req *req);
void lk_api_party_timeline(lk_req *req);
void lk_api_party_reveal(lk_req *req);
void lk_api_proclog_list(lk_req *req);

#endif
