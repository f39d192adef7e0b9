/* agent.h - the agent console at /agent (docs/agent-console.md).
 *
 * GET /agent answers a logged-in staff member (any role) with the
 * console's shell: a page whose bundle script web/src/agent.js builds the
 * console in the browser from the staff API (/api/v1, session cookie and
 * CSRF header) and the event stream.  Without a session it answers 303
 * to /login?next=/agent.  The shell holds no data of residents; it has
 * no inline script or style, so the ordinary CSP applies.
 */
#ifndef LK_PAGES_AGENT_H
#define LK_PAGES_AGENT_H

#include "http/router.h"

int lk_agent_page_routes(lk_router *r);

#endif
