/* teams.h - /api/v1 endpoints for agents, teams, assignment and party
 * merges (teams.c, assign.c, merges.c), and the body helpers they share.
 */
#ifndef LK_API_TEAMS_H
#define LK_API_TEAMS_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "core/token.h"

/* Registers the routes of the three files.  Returns 0 or a negative
 * errno. */
int lk_teams_routes(lk_router *r);

void lk_api_agents_list(lk_req *req);
void lk_api_agents_create(lk_req *req);
void lk_api_agents_get(lk_req *req);
void lk_api_agents_update(lk_req *req);
void lk_api_agents_presence(lk_req *req);
void lk_api_teams_list(lk_req *req);
void lk_api_teams_create(lk_req *req);
void lk_api_teams_get(lk_req *req);
void lk_api_teams_update(lk_req *req);
void lk_api_teams_member_put(lk_req *req);
void lk_api_teams_member_delete(lk_req *req);
void lk_api_conversations_assign(lk_req *req);
void lk_api_conversations_claim(lk_req *req);
void lk_api_merges_create(lk_req *req);
void lk_api_merges_list(lk_req *req);
void lk_api_merges_get(lk_req *req);

/* Each answers 422 and returns -1 when member `key` of `obj` has the
 * wrong type (or is missing and `required`); *present says whether it was
 * given.  lk_json_int also checks min <= value <= max. */
int lk_json_int(lk_req *req, json_t *obj, const char *key, bool required,
                long long min, long long max, long long *out, bool *present);
int lk_json_bool(lk_req *req, json_t *obj, const char *key, bool *out,
                 bool *present);
/* A string or null; *out NULL for null or missing. */
int lk_json_string_or_null(lk_req *req, json_t *obj, const char *key,
                           bool required, const char **out);

#endif
