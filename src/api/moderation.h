/* moderation.h - the staff API of participation moderation and of offers
 * and needs (docs/matching.md):
 *
 *   GET  /api/v1/moderation/reports?state=open|actioned|dismissed|all
 *        &after=&limit=         the queue, oldest first (cursor: "next")
 *   GET  /api/v1/moderation/reports/{id}
 *   POST /api/v1/moderation/actions   {"action": "hide" | "restore" |
 *        "dismiss" | "block" | "unblock", "type", "id", "reason"}
 *        (supervisor or admin; audited)
 *   GET  /api/v1/listings?kind=&theme=&neighbourhood=&after=&limit=
 *        open, visible offers and needs, newest first
 *   GET  /api/v1/listings/{id}      one, hidden or not
 */
#ifndef LK_API_MODERATION_H
#define LK_API_MODERATION_H

#include "api/api.h"

int lk_moderation_routes(lk_router *r);

#endif
