/* Unit tests for http/router.h: patterns, 404 vs 405, HEAD, parameters
 * and the per-route metrics.  Handlers are never called. */
#include "lk_test.h"

#include <errno.h>

#include "http/router.h"

static void h_health(struct lk_req *req) {}
static void h_list(struct lk_req *req) {}
static void h_create(struct lk_req *req) {}
static void h_get(struct lk_req *req) {}
static void h_delete(struct lk_req *req) {}
static void h_new(struct lk_req *req) {}
static void h_static(struct lk_req *req) {}
static void h_nested(struct lk_req *req) {}
static void h_stream(struct lk_req *req) {}

static int setup(void **state) {
  lk_router *r = lk_router_new();

  if (r == NULL)
    return -1;
  if (lk_router_add(r, "GET", "/healthz", h_health, 0) != 0 ||
      lk_router_add(r, "GET", "/api/tokens", h_list, 0) != 0 ||
      lk_router_add(r, "POST", "/api/tokens", h_create, 0) != 0 ||
      lk_router_add(r, "GET", "/api/tokens/new", h_new, 0) != 0 ||
      lk_router_add(r, "GET", "/api/tokens/{id}", h_get, 0) != 0 ||
      lk_router_add(r, "DELETE", "/api/tokens/{id}", h_delete, 0) != 0 ||
      lk_router_add(r, "GET", "/a/{x}/b/{y}", h_nested, 0) != 0 ||
      lk_router_add(r, "GET", "/static/*", h_static, 0) != 0 ||
      lk_router_add(r, "GET", "/api/events", h_stream, LK_ROUTE_STREAM) != 0) {
    lk_router_free(r);
    return -1;
  }
  *state = r;
  return 0;
}

static int teardown(void **state) {
  lk_router_free(*state);
  return 0;
}

static lk_route_result match(void **state, const char *method, const char *path,
                             lk_route_match *m) {
  memset(m, 0x5a, sizeof(*m));
  return lk_router_match(*state, method, path, m);
}

static void test_bad_patterns(void **state) {
  lk_router *r = lk_router_new();
  char deep[64] = "";

  (void)state;
  assert_non_null(r);
  assert_int_equal(lk_router_add(r, "GET", "", h_get, 0), -EINVAL);
  assert_int_equal(lk_router_add(r, "GET", "no/slash", h_get, 0), -EINVAL);
  assert_int_equal(lk_router_add(r, "GET", "/a/*/b", h_get, 0), -EINVAL);
  assert_int_equal(lk_router_add(r, "GET", "/*x/b", h_get, 0), -EINVAL);
  /* Thirteen segments is one too many. */
  for (int i = 0; i < LK_ROUTE_MAX_SEGMENTS + 1; i++)
    snprintf(deep + strlen(deep), sizeof(deep) - strlen(deep), "/s");
  assert_int_equal(lk_router_add(r, "GET", deep, h_get, 0), -EINVAL);
  deep[strlen(deep) - 2] = '\0';
  assert_int_equal(lk_router_add(r, "GET", deep, h_get, 0), 0);
  assert_int_equal(lk_router_add(r, "GET", "/", h_get, 0), 0);
  lk_router_free(r);
}

static void test_literal(void **state) {
  lk_route_match m;

  assert_int_equal(match(state, "GET", "/healthz", &m), LK_ROUTE_FOUND);
  assert_non_null(m.route);
  assert_ptr_equal(m.route->handler, h_health);
  assert_int_equal(m.nparams, 0);
  assert_string_equal(m.route->pattern, "/healthz");
  /* Literal segments match exactly: no prefix, no trailing slash, no
   * case folding. */
  assert_int_equal(match(state, "GET", "/healthz/", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/healthzz", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/health", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/HEALTHZ", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "//healthz", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "", &m), LK_ROUTE_NOT_FOUND);
  assert_null(m.route);
}

static void test_params(void **state) {
  lk_route_match m;

  assert_int_equal(match(state, "GET", "/api/tokens/tok_0123456789abcdef", &m),
                   LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_get);
  assert_int_equal(m.nparams, 1);
  assert_string_equal(lk_route_param_get(&m, "id"), "tok_0123456789abcdef");
  assert_null(lk_route_param_get(&m, "i"));
  assert_null(lk_route_param_get(&m, "idx"));
  assert_null(lk_route_param_get(&m, "*"));

  assert_int_equal(match(state, "GET", "/a/1/b/two", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_nested);
  assert_int_equal(m.nparams, 2);
  assert_string_equal(lk_route_param_get(&m, "x"), "1");
  assert_string_equal(lk_route_param_get(&m, "y"), "two");

  /* A parameter is one non-empty segment. */
  assert_int_equal(match(state, "GET", "/api/tokens/", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/api/tokens/a/b", &m),
                   LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/a//b/2", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/a/1/b/", &m), LK_ROUTE_NOT_FOUND);
}

static void test_first_route_wins(void **state) {
  lk_router *r = lk_router_new();
  lk_route_match m;

  /* In the fixture the literal comes first and wins over {id}. */
  assert_int_equal(match(state, "GET", "/api/tokens/new", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_new);
  assert_int_equal(m.nparams, 0);
  /* Added the other way round, the parameter route shadows it. */
  assert_non_null(r);
  assert_int_equal(lk_router_add(r, "GET", "/t/{id}", h_get, 0), 0);
  assert_int_equal(lk_router_add(r, "GET", "/t/new", h_new, 0), 0);
  assert_int_equal(lk_router_match(r, "GET", "/t/new", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_get);
  assert_string_equal(lk_route_param_get(&m, "id"), "new");
  lk_router_free(r);
}

static void test_params_of_failed_routes_do_not_leak(void **state) {
  lk_router *r = lk_router_new();
  lk_route_match m;

  (void)state;
  assert_non_null(r);
  assert_int_equal(lk_router_add(r, "GET", "/p/{first}/x", h_get, 0), 0);
  assert_int_equal(lk_router_add(r, "GET", "/p/{second}/y", h_nested, 0), 0);
  assert_int_equal(lk_router_match(r, "GET", "/p/v/y", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_nested);
  assert_int_equal(m.nparams, 1);
  assert_null(lk_route_param_get(&m, "first"));
  assert_string_equal(lk_route_param_get(&m, "second"), "v");
  lk_router_free(r);
}

static void test_wildcard(void **state) {
  lk_route_match m;

  assert_int_equal(match(state, "GET", "/static/css/app.css", &m),
                   LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_static);
  assert_string_equal(lk_route_param_get(&m, "*"), "css/app.css");
  assert_int_equal(match(state, "GET", "/static/a", &m), LK_ROUTE_FOUND);
  assert_string_equal(lk_route_param_get(&m, "*"), "a");
  /* The rest may hold anything, but not nothing. */
  assert_int_equal(match(state, "GET", "/static/a//b/", &m), LK_ROUTE_FOUND);
  assert_string_equal(lk_route_param_get(&m, "*"), "a//b/");
  assert_int_equal(match(state, "GET", "/static/", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/static", &m), LK_ROUTE_NOT_FOUND);
  assert_int_equal(match(state, "GET", "/staticx/a", &m), LK_ROUTE_NOT_FOUND);
}

static void test_not_found_vs_no_method(void **state) {
  lk_route_match m;

  assert_int_equal(match(state, "GET", "/nope", &m), LK_ROUTE_NOT_FOUND);
  assert_null(m.route);
  assert_string_equal(m.allow, "");

  /* The path exists, the method does not: 405 with the Allow list in
   * route order, HEAD next to GET, each method once. */
  assert_int_equal(match(state, "PUT", "/api/tokens", &m), LK_ROUTE_NO_METHOD);
  assert_null(m.route);
  assert_int_equal(m.nparams, 0);
  assert_string_equal(m.allow, "GET, HEAD, POST");

  assert_int_equal(match(state, "POST", "/api/tokens/tok_1", &m),
                   LK_ROUTE_NO_METHOD);
  assert_string_equal(m.allow, "GET, HEAD, DELETE");
  assert_null(lk_route_param_get(&m, "id"));

  /* /api/tokens/new matches both the literal and {id}. */
  assert_int_equal(match(state, "PATCH", "/api/tokens/new", &m),
                   LK_ROUTE_NO_METHOD);
  assert_string_equal(m.allow, "GET, HEAD, DELETE");

  /* Method names are case-sensitive (RFC 9110). */
  assert_int_equal(match(state, "get", "/healthz", &m), LK_ROUTE_NO_METHOD);
  assert_string_equal(m.allow, "GET, HEAD");
}

static void test_same_path_other_method(void **state) {
  lk_route_match m;

  assert_int_equal(match(state, "POST", "/api/tokens", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_create);
  assert_int_equal(match(state, "DELETE", "/api/tokens/tok_9", &m),
                   LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_delete);
  assert_string_equal(lk_route_param_get(&m, "id"), "tok_9");
}

static void test_head_is_served_by_get(void **state) {
  lk_route_match m;

  assert_int_equal(match(state, "HEAD", "/healthz", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_health);
  assert_int_equal(match(state, "HEAD", "/api/tokens/x", &m), LK_ROUTE_FOUND);
  assert_ptr_equal(m.route->handler, h_get);
  assert_string_equal(lk_route_param_get(&m, "id"), "x");
}

static void test_head_without_get(void **state) {
  lk_router *r = lk_router_new();
  lk_route_match m;

  (void)state;
  assert_non_null(r);
  assert_int_equal(lk_router_add(r, "POST", "/only-post", h_create, 0), 0);
  assert_int_equal(lk_router_match(r, "HEAD", "/only-post", &m),
                   LK_ROUTE_NO_METHOD);
  assert_string_equal(m.allow, "POST");
  assert_int_equal(lk_router_match(r, "GET", "/only-post", &m),
                   LK_ROUTE_NO_METHOD);
  assert_string_equal(m.allow, "POST");
  lk_router_free(r);
}

static void test_long_params(void **state) {
  char path[600];
  char value[300];
  lk_route_match m;

  /* 255 bytes fit in a parameter; 256 do not and the path is refused
   * rather than truncated into another id. */
  memset(value, 'v', 255);
  value[255] = '\0';
  snprintf(path, sizeof(path), "/api/tokens/%s", value);
  assert_int_equal(match(state, "GET", path, &m), LK_ROUTE_FOUND);
  assert_string_equal(lk_route_param_get(&m, "id"), value);

  memset(value, 'v', 256);
  value[256] = '\0';
  snprintf(path, sizeof(path), "/api/tokens/%s", value);
  assert_int_equal(match(state, "GET", path, &m), LK_ROUTE_NOT_FOUND);
  assert_null(m.route);

  snprintf(path, sizeof(path), "/static/%s", value);
  assert_int_equal(match(state, "GET", path, &m), LK_ROUTE_NOT_FOUND);
  snprintf(path, sizeof(path), "/static/%s/x", value);
  assert_int_equal(match(state, "GET", path, &m), LK_ROUTE_NOT_FOUND);
}

static void test_too_many_params(void **state) {
  lk_router *r = lk_router_new();
  lk_route_match m;

  (void)state;
  assert_non_null(r);
  assert_int_equal(
      lk_router_add(r, "GET", "/{a}/{b}/{c}/{d}/{e}/{f}", h_get, 0), 0);
  assert_int_equal(
      lk_router_add(r, "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}", h_get, 0), 0);
  assert_int_equal(lk_router_match(r, "GET", "/1/2/3/4/5/6", &m),
                   LK_ROUTE_FOUND);
  assert_int_equal(m.nparams, LK_ROUTE_MAX_PARAMS);
  assert_string_equal(lk_route_param_get(&m, "f"), "6");
  /* A seventh parameter cannot be captured, so the route cannot match. */
  assert_int_equal(lk_router_match(r, "GET", "/1/2/3/4/5/6/7", &m),
                   LK_ROUTE_NOT_FOUND);
  lk_router_free(r);
}

static void test_code_index(void **state) {
  static const int known[] = {200, 201, 202, 204, 304, 400, 401, 403, 404,
                              405, 409, 413, 415, 422, 429, 500, 503};
  bool used[LK_ROUTE_CODES] = {false};
  int other = lk_route_code_index(418);

  (void)state;
  assert_int_equal(sizeof(known) / sizeof(known[0]), LK_ROUTE_CODES - 1);
  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
    int idx = lk_route_code_index(known[i]);

    assert_true(idx >= 0 && idx < LK_ROUTE_CODES);
    assert_false(used[idx]);
    used[idx] = true;
    assert_int_equal(lk_route_code_status(idx), known[i]);
    assert_int_not_equal(idx, other);
  }
  assert_true(other >= 0 && other < LK_ROUTE_CODES);
  assert_int_equal(lk_route_code_status(other), 0);
  assert_int_equal(lk_route_code_index(0), other);
  assert_int_equal(lk_route_code_index(299), other);
  assert_int_equal(lk_route_code_index(-1), other);
  assert_int_equal(lk_route_code_index(999), other);
}

static void test_metrics(void **state) {
  lk_router *r = *state;
  lk_route_match m;
  lk_buf b = LK_BUF_INIT;
  lk_route *health;
  lk_route *stream;

  assert_int_equal(lk_router_match(r, "GET", "/healthz", &m), LK_ROUTE_FOUND);
  health = m.route;
  assert_int_equal(lk_router_match(r, "GET", "/api/events", &m),
                   LK_ROUTE_FOUND);
  stream = m.route;
  lk_router_observe(r, health, 200, 1000);
  lk_router_observe(r, health, 200, 3000000000ULL);
  lk_router_observe(r, health, 503, 1000);
  lk_router_observe(r, health, 418, 1000);
  lk_router_observe(r, NULL, 404, 2000);
  lk_router_observe(r, stream, 200, 60000000000ULL);
  lk_router_metrics(&b, r);
  assert_true(lk_buf_ok(&b));
  assert_non_null(strstr(b.data, "# TYPE loket_http_requests_total counter\n"));
  assert_non_null(
      strstr(b.data, "# TYPE loket_http_request_duration_seconds histogram\n"));
  assert_non_null(strstr(b.data, "loket_http_requests_total{route=\"/healthz\""
                                 ",method=\"GET\",code=\"200\"} 2\n"));
  assert_non_null(strstr(b.data, "loket_http_requests_total{route=\"/healthz\""
                                 ",method=\"GET\",code=\"503\"} 1\n"));
  assert_non_null(strstr(b.data, "loket_http_requests_total{route=\"/healthz\""
                                 ",method=\"GET\",code=\"other\"} 1\n"));
  assert_non_null(strstr(b.data, "loket_http_requests_total{route=\"unmatched"
                                 "\",method=\"\",code=\"404\"} 1\n"));
  assert_non_null(strstr(b.data, "loket_http_requests_total{route=\"/api/"
                                 "events\",method=\"GET\",code=\"200\"} 1\n"));
  /* Codes never seen are not rendered. */
  assert_null(strstr(b.data, "code=\"201\""));
  /* Latency: 1 us counts in the first bucket, 3 s above 2.5 s. */
  assert_non_null(strstr(
      b.data, "loket_http_request_duration_seconds_bucket{route=\"/healthz\""
              ",method=\"GET\",le=\"0.0001\"} 3\n"));
  assert_non_null(strstr(
      b.data, "loket_http_request_duration_seconds_bucket{route=\"/healthz\""
              ",method=\"GET\",le=\"2.5\"} 3\n"));
  assert_non_null(strstr(
      b.data, "loket_http_request_duration_seconds_count{route=\"/healthz\""
              ",method=\"GET\"} 4\n"));
  assert_non_null(strstr(
      b.data, "loket_http_request_duration_seconds_count{route=\"unmatched\""
              ",method=\"\"} 1\n"));
  /* Long-lived streams stay out of the latency histogram. */
  assert_null(strstr(b.data, "loket_http_request_duration_seconds_bucket{"
                             "route=\"/api/events\""));
  assert_int_equal(b.data[b.len - 1], '\n');
  lk_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_patterns),
      cmocka_unit_test_setup_teardown(test_literal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_params, setup, teardown),
      cmocka_unit_test_setup_teardown(test_first_route_wins, setup, teardown),
      cmocka_unit_test(test_params_of_failed_routes_do_not_leak),
      cmocka_unit_test_setup_teardown(test_wildcard, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_found_vs_no_method, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_same_path_other_method, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_head_is_served_by_get, setup,
                                      teardown),
      cmocka_unit_test(test_head_without_get),
      cmocka_unit_test_setup_teardown(test_long_params, setup, teardown),
      cmocka_unit_test(test_too_many_params),
      cmocka_unit_test(test_code_index),
      cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
