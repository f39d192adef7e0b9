/* routes.c - every URL Loket answers, in one table. */
#include "api/api.h"
#include "api/conversations.h"
#include "http/static.h"

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
    {"GET", "/api/openapi.json", lk_http_openapi, 0},
    {"GET", "/api/v1/events", lk_api_events, LK_ROUTE_STREAM},
    {"GET", "/api/v1/tokens", lk_api_tokens_list, 0},
    {"POST", "/api/v1/tokens", lk_api_tokens_create, 0},
    {"GET", "/api/v1/tokens/{id}", lk_api_tokens_get, 0},
    {"DELETE", "/api/v1/tokens/{id}", lk_api_tokens_revoke, 0},
};

int lk_api_routes(lk_router *r) {
  int rc;

  for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
    rc = lk_router_add(r, routes[i].method, routes[i].pattern,
                       routes[i].handler, routes[i].flags);
    if (rc != 0)
      return rc;
  }
  return lk_conversations_routes(r);
}
