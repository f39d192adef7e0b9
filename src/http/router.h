/* router.h - maps a method and a path to a handler.
 *
 * Patterns are paths whose segments are literals, "{name}" (one non-empty
 * segment, captured) or a final "*" (the rest of the path, captured as
 * "*").  Routes are tried in the order they were added; a path that matches
 * some route but not its method yields LK_ROUTE_NO_METHOD with the methods
 * that would have matched (for the Allow header).  HEAD is served by GET
 * routes.
 */
#ifndef LK_ROUTER_H
#define LK_ROUTER_H

#include <stddef.h>

#include "util/metrics.h"

#define LK_ROUTE_MAX_SEGMENTS 12
#define LK_ROUTE_MAX_PARAMS 6
#define LK_ROUTE_CODES 18

struct lk_req;
typedef void (*lk_handler_fn)(struct lk_req *req);

typedef struct lk_route {
  const char *method;
  const char *pattern;
  lk_handler_fn handler;
  int flags; /* LK_ROUTE_* below */
  /* compiled pattern */
  int nsegs;
  const char *segs[LK_ROUTE_MAX_SEGMENTS];
  size_t seglens[LK_ROUTE_MAX_SEGMENTS];
  /* metrics, by status code index (see lk_route_code_index) */
  _Atomic uint64_t requests[LK_ROUTE_CODES];
  lk_histogram duration;
} lk_route;

/* Route flags. */
#define LK_ROUTE_STREAM 1 /* long-lived response: not in latency metrics */
#define LK_ROUTE_UPLOAD 2 /* body limit is lk_app.max_upload, not max_body */
/* The path holds a credential (a status-link token): logs name the route
 * pattern instead of the path. */
#define LK_ROUTE_SECRET_PATH 4

typedef struct lk_route_param {
  const char *name;
  size_t name_len;
  char value[256];
} lk_route_param;

typedef struct lk_route_match {
  lk_route *route;
  int nparams;
  lk_route_param params[LK_ROUTE_MAX_PARAMS];
  char allow[64]; /* for LK_ROUTE_NO_METHOD: "GET, POST" */
} lk_route_match;

typedef enum lk_route_result {
  LK_ROUTE_FOUND,
  LK_ROUTE_NOT_FOUND,
  LK_ROUTE_NO_METHOD,
} lk_route_result;

typedef struct lk_router lk_router;

lk_router *lk_router_new(void);
void lk_router_free(lk_router *r);
/* Adds a route; `pattern` must outlive the router.  Returns 0, or -EINVAL
 * for a malformed pattern, -ENOMEM. */
int lk_router_add(lk_router *r, const char *method, const char *pattern,
                  lk_handler_fn handler, int flags);
lk_route_result lk_router_match(lk_router *r, const char *method,
                                const char *path, lk_route_match *m);
/* The value of parameter `name` ("*" for a wildcard), or NULL. */
const char *lk_route_param_get(const lk_route_match *m, const char *name);

/* Index of `status` in lk_route.requests, and the status for an index. */
int lk_route_code_index(int status);
int lk_route_code_status(int index);
/* Renders every route's request counts and latency histogram. */
void lk_router_metrics(lk_buf *b, void *router);
/* Counts a finished request on `route` (NULL: the unmatched pseudo-route). */
void lk_router_observe(lk_router *r, lk_route *route, int status,
                       uint64_t duration_ns);

#endif
