/* matching.h - the resident pages of joining, help needs, offers and
 * needs, messages and reports under /initiatieven (docs/matching.md).
 *
 *   GET  /initiatieven/aanbod-en-vraag           list with filters
 *   GET  /initiatieven/aanbod-en-vraag/nieuw     post form
 *   POST /initiatieven/aanbod-en-vraag           post
 *   GET  /initiatieven/aanbod-en-vraag/{id}      one, with a message form
 *   POST /initiatieven/aanbod-en-vraag/{id}/bericht | /sluiten
 *   GET  /initiatieven/mijn/matches              own posts and matches
 *   GET  /initiatieven/berichten[/{id}], POST /initiatieven/berichten/{id}
 *   GET, POST /initiatieven/melden               report content or a user
 *   POST /initiatieven/{id}/doe-mee | /doe-mee/stoppen | /hulp
 *   POST /initiatieven/hulp/{id}/aanmelden | /afmelden
 *
 * Posting (offers and needs, messages, reports; and, through
 * lk_matching_post_limit, initiatives and updates) is limited per account
 * per hour (LOKET_PARTICIPATION_POST_LIMIT, default 20): past it a 429
 * page in Dutch with Retry-After.
 */
#ifndef LK_PAGES_MATCHING_H
#define LK_PAGES_MATCHING_H

#include <stdbool.h>

#include "api/participant.h"
#include "http/router.h"
#include "http/server.h"
#include "util/buf.h"

/* Registers the routes above; before the initiative pages' own
 * /initiatieven/{id} routes. */
int lk_matching_page_routes(lk_router *r);

/* Counts a post of `kind` ("initiative", "update", "listing", "message",
 * "report") by `account`.  Returns 0 when allowed, or answers 429 (a
 * Dutch page with Retry-After) and returns -1. */
int lk_matching_post_limit(lk_req *req, const char *kind, const char *account);

/* Appends the "Doe mee" and help section of initiative `id` for its page:
 * the join button (or leave), the help needs with their free places and
 * a sign-up button each, and for organisers the form to add a need.  `p`
 * is the logged-in resident or NULL; `joinable` whether the initiative
 * takes participants now (published or running). */
void lk_matching_initiative_section(lk_buf *b, lk_req *req, const char *id,
                                    const lk_participant *p, bool organiser,
                                    bool joinable);

#endif
