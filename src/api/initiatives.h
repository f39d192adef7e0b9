/* initiatives.h - the staff API of participation (docs/participation.md):
 *
 *   GET  /api/v1/initiatives?status=&limit=&after=   every initiative
 *   GET  /api/v1/initiatives/{id}
 *   POST /api/v1/initiatives/{id}/prescreen  {"decision","reason"}
 *   POST /api/v1/initiatives/{id}/status     {"action","reason"}
 *   GET  /api/v1/neighbourhoods
 *   PUT  /api/v1/neighbourhoods/{id}         {"name","position","lat","lon"}
 *
 * Reading needs the scope "api"; decisions and status changes a
 * supervisor; neighbourhoods are changed by admins.
 */
#ifndef LK_API_INITIATIVES_H
#define LK_API_INITIATIVES_H

#include "http/router.h"

int lk_api_initiatives_routes(lk_router *r);

#endif
