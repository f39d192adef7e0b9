#include "http/router.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 512

struct lk_router {
  int nroutes;
  lk_route *routes[MAX_ROUTES];
  lk_route unmatched;
};

static const int codes[LK_ROUTE_CODES] = {200, 201, 202, 204, 304, 400, 401,
                                          403, 404, 405, 409, 413, 415, 422,
                                          429, 500, 503, 0 /* other */};

int lk_route_code_index(int status) {
  for (int i = 0; i < LK_ROUTE_CODES - 1; i++) {
    if (codes[i] == status)
      return i;
  }
  return LK_ROUTE_CODES - 1;
}

int lk_route_code_status(int index) {
  return codes[index];
}

static void route_init_metrics(lk_route *route) {
  for (int i = 0; i < LK_ROUTE_CODES; i++)
    atomic_init(&route->requests[i], 0);
  lk_histogram_init(&route->duration, lk_latency_bounds, lk_latency_nbounds,
                    1e9);
}

lk_router *lk_router_new(void) {
  lk_router *r = calloc(1, sizeof(*r));

  if (r == NULL)
    return NULL;
  r->unmatched.method = "";
  r->unmatched.pattern = "unmatched";
  route_init_metrics(&r->unmatched);
  return r;
}

void lk_router_free(lk_router *r) {
  if (r == NULL)
    return;
  for (int i = 0; i < r->nroutes; i++)
    free(r->routes[i]);
  free(r);
}

int lk_router_add(lk_router *r, const char *method, const char *pattern,
                  lk_handler_fn handler, int flags) {
  const char *p = pattern;
  const char *end;
  lk_route *route;

  if (r->nroutes == MAX_ROUTES || pattern[0] != '/')
    return -EINVAL;
  route = calloc(1, sizeof(*route));
  if (route == NULL)
    return -ENOMEM;
  route->method = method;
  route->pattern = pattern;
  route->handler = handler;
  route->flags = flags;
  route_init_metrics(route);
  while (*p == '/') {
    p++;
    end = strchr(p, '/');
    if (end == NULL)
      end = p + strlen(p);
    if (route->nsegs == LK_ROUTE_MAX_SEGMENTS || (*p == '*' && *end != '\0')) {
      free(route);
      return -EINVAL;
    }
    route->segs[route->nsegs] = p;
    route->seglens[route->nsegs] = (size_t)(end - p);
    route->nsegs++;
    p = end;
  }
  r->routes[r->nroutes++] = route;
  return 0;
}

static bool is_param(const char *seg, size_t len) {
  return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

static bool add_param(lk_route_match *m, const char *name, size_t name_len,
                      const char *value, size_t len) {
  lk_route_param *p;

  if (m->nparams == LK_ROUTE_MAX_PARAMS || len >= sizeof(p->value))
    return false;
  p = &m->params[m->nparams++];
  p->name = name;
  p->name_len = name_len;
  memcpy(p->value, value, len);
  p->value[len] = '\0';
  return true;
}

/* Matches `path` against `route`, filling m->params. */
static bool path_matches(const lk_route *route, const char *path,
                         lk_route_match *m) {
  const char *p = path;
  const char *end;
  size_t len;

  m->nparams = 0;
  for (int i = 0; i < route->nsegs; i++) {
    const char *seg = route->segs[i];
    size_t seglen = route->seglens[i];

    if (*p != '/')
      return false;
    p++;
    if (seglen == 1 && seg[0] == '*') {
      len = strlen(p);
      return len > 0 && add_param(m, "*", 1, p, len);
    }
    end = strchr(p, '/');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (is_param(seg, seglen)) {
      if (len == 0 || !add_param(m, seg + 1, seglen - 2, p, len))
        return false;
    } else if (len != seglen || memcmp(p, seg, len) != 0) {
      return false;
    }
    p += len;
  }
  return *p == '\0';
}

static bool method_matches(const char *route_method, const char *method) {
  return strcmp(route_method, method) == 0 ||
         (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void allow_add(lk_route_match *m, const char *method) {
  size_t len = strlen(m->allow);

  if (strstr(m->allow, method) != NULL)
    return;
  snprintf(m->allow + len, sizeof(m->allow) - len, "%s%s", len > 0 ? ", " : "",
           method);
}

lk_route_result lk_router_match(lk_router *r, const char *method,
                                const char *path, lk_route_match *m) {
  bool path_found = false;

  m->route = NULL;
  m->allow[0] = '\0';
  for (int i = 0; i < r->nroutes; i++) {
    lk_route *route = r->routes[i];

    if (!path_matches(route, path, m))
      continue;
    if (method_matches(route->method, method)) {
      m->route = route;
      return LK_ROUTE_FOUND;
    }
    path_found = true;
    allow_add(m, route->method);
    if (strcmp(route->method, "GET") == 0)
      allow_add(m, "HEAD");
  }
  m->nparams = 0;
  return path_found ? LK_ROUTE_NO_METHOD : LK_ROUTE_NOT_FOUND;
}

const char *lk_route_param_get(const lk_route_match *m, const char *name) {
  size_t len = strlen(name);

  for (int i = 0; i < m->nparams; i++) {
    if (m->params[i].name_len == len &&
        memcmp(m->params[i].name, name, len) == 0)
      return m->params[i].value;
  }
  return NULL;
}

void lk_router_observe(lk_router *r, lk_route *route, int status,
                       uint64_t duration_ns) {
  if (route == NULL)
    route = &r->unmatched;
  atomic_fetch_add_explicit(&route->requests[lk_route_code_index(status)], 1,
                            memory_order_relaxed);
  if (!(route->flags & LK_ROUTE_STREAM))
    lk_histogram_observe(&route->duration, duration_ns);
}

static void route_labels(lk_buf *b, const lk_route *route) {
  lk_buf_puts(b, "route=");
  lk_buf_json_str(b, route->pattern);
  lk_buf_puts(b, ",method=");
  lk_buf_json_str(b, route->method);
}

static void route_metrics(lk_buf *b, const lk_route *route, bool counts) {
  lk_buf labels = LK_BUF_INIT;
  uint64_t n;

  route_labels(&labels, route);
  if (counts) {
    for (int i = 0; i < LK_ROUTE_CODES; i++) {
      n = atomic_load_explicit(&route->requests[i], memory_order_relaxed);
      if (n == 0)
        continue;
      lk_buf_printf(b, "loket_http_requests_total{%s,code=\"", labels.data);
      if (codes[i] != 0)
        lk_buf_printf(b, "%d", codes[i]);
      else
        lk_buf_puts(b, "other");
      lk_buf_printf(b, "\"} %llu\n", (unsigned long long)n);
    }
  } else if (!(route->flags & LK_ROUTE_STREAM)) {
    lk_histogram_render(&route->duration, b,
                        "loket_http_request_duration_seconds", labels.data);
  }
  lk_buf_free(&labels);
}

void lk_router_metrics(lk_buf *b, void *router) {
  lk_router *r = router;

  lk_buf_puts(b, "# HELP loket_http_requests_total HTTP requests answered, "
                 "by route, method and status code.\n"
                 "# TYPE loket_http_requests_total counter\n");
  for (int i = 0; i < r->nroutes; i++)
    route_metrics(b, r->routes[i], true);
  route_metrics(b, &r->unmatched, true);
  lk_buf_puts(b, "# HELP loket_http_request_duration_seconds Time from "
                 "request to response, by route.\n"
                 "# TYPE loket_http_request_duration_seconds histogram\n");
  for (int i = 0; i < r->nroutes; i++)
    route_metrics(b, r->routes[i], false);
  route_metrics(b, &r->unmatched, false);
}
