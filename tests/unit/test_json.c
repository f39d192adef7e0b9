/* Unit tests for lk_json_parse() in http/json.h: the limits every request
 * body is held to.  The request helpers need a live request and are
 * covered by the integration tests. */
#include "lk_test.h"

#include "http/json.h"

/* Parses a copy of exactly `len` bytes with no NUL after it, so ASan
 * catches any read past the body. */
static json_t *parse_n(const char *body, size_t len, char *err,
                       size_t err_size) {
  char *copy = malloc(len > 0 ? len : 1);
  json_t *v;

  assert_non_null(copy);
  memcpy(copy, body, len);
  err[0] = '\0';
  v = lk_json_parse(copy, len, err, err_size);
  free(copy);
  return v;
}

static json_t *parse(const char *body, char *err, size_t err_size) {
  return parse_n(body, strlen(body), err, err_size);
}

static void expect_rejected(const char *body) {
  char err[160];
  json_t *v = parse(body, err, sizeof(err));

  if (v != NULL) {
    json_decref(v);
    fail_msg("accepted: %s", body);
  }
  /* Always a description for the problem detail. */
  assert_true(strlen(err) > 0);
}

static void test_accepts_objects(void **state) {
  char err[160];
  json_t *v;

  (void)state;
  v = parse("{\"name\":\"CRM\",\"scopes\":[\"api\"],\"n\":1.5,\"ok\":true}",
            err, sizeof(err));
  assert_non_null(v);
  assert_true(json_is_object(v));
  assert_string_equal(json_string_value(json_object_get(v, "name")), "CRM");
  json_decref(v);
  v = parse(" \t\r\n{}\n ", err, sizeof(err));
  assert_non_null(v);
  assert_true(json_is_object(v));
  json_decref(v);
  /* Escaped and literal non-ASCII text is fine. */
  v = parse("{\"a\":\"caf\xc3\xa9 \\u20ac \\ud83d\\ude00\"}", err, sizeof(err));
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "a")),
                      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  json_decref(v);
}

static void test_accepts_top_level_scalars(void **state) {
  static const char *bodies[] = {"42",   "-1.5e3",       "\"text\"",
                                 "true", "false",        "null",
                                 "[]",   "[1,{\"a\":2}]"};
  char err[160];
  json_t *v;

  (void)state;
  /* Whether the body must be an object is the caller's question (422),
   * not a parse error (400). */
  for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
    v = parse(bodies[i], err, sizeof(err));
    if (v == NULL)
      fail_msg("rejected %s: %s", bodies[i], err);
    json_decref(v);
  }
  v = parse("7", err, sizeof(err));
  assert_non_null(v);
  assert_true(json_is_integer(v));
  assert_int_equal(json_integer_value(v), 7);
  json_decref(v);
}

static void test_empty_body(void **state) {
  char err[160];

  (void)state;
  assert_null(parse_n("", 0, err, sizeof(err)));
  assert_non_null(strstr(err, "empty"));
  expect_rejected(" ");
  expect_rejected("\n\n");
}

static void test_malformed(void **state) {
  (void)state;
  expect_rejected("{");
  expect_rejected("}");
  expect_rejected("{\"a\":}");
  expect_rejected("{\"a\" 1}");
  expect_rejected("{'a':1}");
  expect_rejected("{a:1}");
  expect_rejected("{\"a\":1,}");
  expect_rejected("[1,]");
  expect_rejected("{\"a\":01}");
  expect_rejected("{\"a\":NaN}");
  expect_rejected("{\"a\":\"unterminated}");
  expect_rejected("{\"a\":\"bad escape \\x\"}");
  expect_rejected("{\"a\":\"raw\ttab\"}");
  expect_rejected("{\"a\":\"raw\nnewline\"}");
}

static void test_error_names_the_place(void **state) {
  char err[160];

  (void)state;
  assert_null(parse("{\n  \"a\": tru\n}", err, sizeof(err)));
  assert_non_null(strstr(err, "line 2"));
}

static void test_duplicate_keys(void **state) {
  char err[160];
  json_t *v;

  (void)state;
  expect_rejected("{\"a\":1,\"a\":2}");
  expect_rejected("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}");
  expect_rejected("[{\"x\":null,\"x\":null}]");
  /* The same key in different objects is fine. */
  v = parse("{\"a\":{\"a\":1},\"b\":{\"a\":2}}", err, sizeof(err));
  assert_non_null(v);
  json_decref(v);
}

static void test_invalid_utf8(void **state) {
  (void)state;
  expect_rejected("{\"a\":\"\xff\"}");
  expect_rejected("{\"a\":\"\xc0\xaf\"}");         /* overlong */
  expect_rejected("{\"a\":\"\xed\xa0\x80\"}");     /* encoded surrogate */
  expect_rejected("{\"a\":\"\xf4\x90\x80\x80\"}"); /* > U+10FFFF */
  expect_rejected("{\"a\":\"\xe2\x82\"}");         /* truncated */
  expect_rejected("{\"\xff\":1}");                 /* in a key */
  expect_rejected("{\"a\":\"\\udc00\"}");          /* lone low surrogate */
  expect_rejected("{\"a\":\"\\ud800x\"}");         /* lone high surrogate */
}

static void test_nul_characters(void **state) {
  char err[160];

  (void)state;
  expect_rejected("{\"a\":\"\\u0000\"}");
  expect_rejected("{\"a\\u0000b\":1}");
  /* A raw NUL byte inside the body. */
  assert_null(parse_n("{\"a\":\"x\0y\"}", 11, err, sizeof(err)));
  assert_null(parse_n("{}\0", 3, err, sizeof(err)));
}

static void test_trailing_data(void **state) {
  (void)state;
  expect_rejected("{} x");
  expect_rejected("{}{}");
  expect_rejected("{}]");
  expect_rejected("{},");
  expect_rejected("1 2");
  expect_rejected("[] []");
}

/* Builds `depth` nested arrays or objects around 1. */
static char *nested(int depth, bool objects) {
  lk_buf b = LK_BUF_INIT;

  for (int i = 0; i < depth; i++)
    lk_buf_puts(&b, objects ? "{\"k\":" : "[");
  lk_buf_puts(&b, "1");
  for (int i = 0; i < depth; i++)
    lk_buf_putc(&b, objects ? '}' : ']');
  return lk_buf_steal(&b);
}

static void test_depth_limit(void **state) {
  char err[160];
  char *body;
  json_t *v;

  (void)state;
  for (int objects = 0; objects <= 1; objects++) {
    body = nested(LK_JSON_MAX_DEPTH, objects);
    v = parse(body, err, sizeof(err));
    if (v == NULL)
      fail_msg("depth %d rejected: %s", LK_JSON_MAX_DEPTH, err);
    json_decref(v);
    free(body);

    body = nested(LK_JSON_MAX_DEPTH + 1, objects);
    assert_null(parse(body, err, sizeof(err)));
    assert_non_null(strstr(err, "deeper"));
    free(body);
  }
  /* Far deeper than the limit, and deeper than jansson's own. */
  for (int depth = 100; depth <= 5000; depth *= 50) {
    body = nested(depth, false);
    assert_null(parse(body, err, sizeof(err)));
    free(body);
  }
}

static void test_depth_counts_the_deepest_branch(void **state) {
  lk_buf b = LK_BUF_INIT;
  char err[160];
  char *deep = nested(LK_JSON_MAX_DEPTH, false);

  (void)state;
  /* A wide shallow member first, then one branch one level too deep. */
  lk_buf_puts(&b, "{\"wide\":[1,2,3],\"deep\":");
  lk_buf_puts(&b, deep);
  lk_buf_puts(&b, "}");
  assert_null(parse(b.data, err, sizeof(err)));
  assert_non_null(strstr(err, "deeper"));
  free(deep);
  lk_buf_free(&b);
}

static void test_small_error_buffer(void **state) {
  char err[8];

  (void)state;
  memset(err, 'X', sizeof(err));
  assert_null(lk_json_parse("{", 1, err, sizeof(err)));
  assert_true(memchr(err, '\0', sizeof(err)) != NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accepts_objects),
      cmocka_unit_test(test_accepts_top_level_scalars),
      cmocka_unit_test(test_empty_body),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_error_names_the_place),
      cmocka_unit_test(test_duplicate_keys),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_nul_characters),
      cmocka_unit_test(test_trailing_data),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_depth_counts_the_deepest_branch),
      cmocka_unit_test(test_small_error_buffer),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
