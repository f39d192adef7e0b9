/* routes.c - every URL Loket answers, in one table. */
#include "api/api.h"
#include "api/calamity.h"
#include "api/channels.h"
#include "api/chat.h"
#include "api/console.h"
#include "api/conversations.h"
#include "api/facilitation.h"
#include "api/figures.h"
#include "api/initiatives.h"
#include "api/ki/ki.h"
#include "api/ki/klantcontacten.h"
#include "api/mailboxes.h"
#include "api/moderation.h"
#include "api/notice_faqs.h"
#include "api/notices.h"
#include "api/outbox.h"
#include "api/residents.h"
#include "api/session.h"
#include "api/subscriptions.h"
#include "api/tasks.h"
#include "api/teams.h"
#include "http/static.h"
#include "pages/actueel.h"
#include "pages/actueel_subscriptions.h"
#include "pages/agent.h"
#include "pages/chat.h"
#include "pages/contact.h"
#include "pages/dashboard.h"
#include "pages/facilitation.h"
#include "pages/initiatives.h"
#include "pages/matching.h"

static const struct {
  const char *method;
  const char *pattern;
  lk_handler_fn handler;
  int flags;
} routes[] = {
    {"GET", "/healthz", lk_api_healthz, 0},
    {"GET", "/readyz", lk_api_readyz, 0},
    {"GET", "/metrics", lk_api_metrics, 0},
    {"GET", "/static/*", lk_http_static, 0},
    {"GET", "/assets/*", lk_http_assets, 0},
    {"GET", "/api/openapi.json", lk_http_openapi, 0},
    {"GET", "/api/v1/events", lk_api_events, LK_ROUTE_STREAM},
    {"GET", "/api/v1/tokens", lk_api_tokens_list, 0},
    {"POST", "/api/v1/tokens", lk_api_tokens_create, 0},
    {"GET", "/api/v1/tokens/{id}", lk_api_tokens_get, 0},
    {"DELETE", "/api/v1/tokens/{id}", lk_api_tokens_revoke, 0},
    {"GET", "/api/v1/subscriptions/stats", lk_api_subscription_stats, 0},
};

/* Areas with many routes register their own. */
static int (*const areas[])(lk_router *r) = {
    lk_session_routes,
    lk_ki_routes,
    lk_ki_maak_klantcontact_routes,
    lk_conversations_routes,
    lk_api_tasks_routes,
    lk_residents_routes,
    lk_teams_routes,
    lk_notices_routes,
    lk_notice_faqs_routes,
    lk_actueel_subscription_routes, /* before /actueel/{id} */
    lk_actueel_routes,
    lk_calamity_routes,
    lk_outbox_routes,
    lk_api_chat_routes,
    lk_chat_page_routes,
    lk_channels_routes,
    lk_contact_routes,
    lk_figures_routes,
    lk_mailboxes_routes,
    lk_facilitation_routes,
    lk_facilitation_page_routes, /* before /initiatieven/{id} */
    lk_moderation_routes,
    lk_matching_page_routes, /* before the pages' /initiatieven/{id} */
    lk_initiatives_routes,
    lk_api_initiatives_routes,
    lk_dashboard_routes,
    lk_agent_page_routes,
    lk_console_routes,
};

int lk_api_routes(lk_router *r) {
  int rc;

  for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
    rc = lk_router_add(r, routes[i].method, routes[i].pattern,
                       routes[i].handler, routes[i].flags);
    if (rc != 0)
      return rc;
  }
  for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
    rc = areas[i](r);
    if (rc != 0)
      return rc;
  }
  return 0;
}
