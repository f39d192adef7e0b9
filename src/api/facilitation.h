/* facilitation.h - the staff API of facilitation (docs/facilitation.md):
 * /api/v1/rooms, /api/v1/budget-pots, /api/v1/facilitation-requests and
 * /api/v1/meetings.  Every caller needs the "api" scope; changes need
 * the supervisor role (supervisors and admins assess and decide, and
 * manage rooms and pots; agents read).
 */
#ifndef LK_API_FACILITATION_H
#define LK_API_FACILITATION_H

#include "api/api.h"

/* Registers the routes.  Returns 0 or a negative errno. */
int lk_facilitation_routes(lk_router *r);

/* Answers a failed facilitation write: LK_FAC_* as 409 (or 422) problems
 * with their own slug, the rest through lk_req_problem_store. */
void lk_api_fac_failed(lk_req *req, int status);

#endif
