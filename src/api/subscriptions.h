/* subscriptions.h - what staff see of Actueel subscriptions: counts only.
 *
 *   GET /api/v1/subscriptions/stats?limit=&after=   (supervisor or admin)
 *
 * {"totals": {"pending","confirmed","unsubscribed"},
 *  "items": [{"postcode","pending","confirmed","unsubscribed"}, ...],
 *  "next": postcode | null}, postcodes in order; no address ever.
 */
#ifndef LK_API_SUBSCRIPTIONS_H
#define LK_API_SUBSCRIPTIONS_H

#include "http/server.h"

void lk_api_subscription_stats(lk_req *req);

#endif
