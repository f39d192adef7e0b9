/* dashboard.h - the supervisor dashboard, GET /agent/dashboard.
 *
 * A server-rendered shell (filters, empty tiles, chart frames with their
 * table alternatives, the CSV link) that the bundle's dashboard.js fills
 * from GET /api/v1/figures, /api/v1/norms/state and /api/v1/agents and
 * keeps current from the event stream (docs/measure.md, "Dashboard").
 * Supervisors and admins only: the figures cover every team and every
 * agent's occupancy; an agent gets 403, without a session a 303 to
 * /login?next=/agent/dashboard.
 */
#ifndef LK_PAGES_DASHBOARD_H
#define LK_PAGES_DASHBOARD_H

#include <stdint.h>

#include "http/router.h"

/* The periods the dashboard offers: its key ("24u"), label, whether its
 * buckets are days, and its length. */
typedef struct lk_dash_period {
  const char *key;
  const char *label;
  int daily;
  int64_t ms;
} lk_dash_period;

/* The period with `key`, or the default (the last 24 hours) when `key` is
 * NULL or unknown. */
const lk_dash_period *lk_dash_period_get(const char *key);

int lk_dashboard_routes(lk_router *r);

#endif
