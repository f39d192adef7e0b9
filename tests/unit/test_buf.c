/* Unit tests for util/buf.h: the growable buffer and JSON string quoting. */
#include "lk_test.h"

#include <errno.h>
#include <jansson.h>

#include "util/buf.h"

static void test_empty_buffer(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  assert_true(lk_buf_ok(&b));
  lk_buf_free(&b);
  assert_null(b.data);
}

static void test_append_keeps_nul_terminated(void **state) {
  lk_buf b;

  (void)state;
  lk_buf_init(&b);
  lk_buf_puts(&b, "abc");
  assert_string_equal(b.data, "abc");
  assert_int_equal(b.len, 3);
  lk_buf_putc(&b, 'd');
  lk_buf_append(&b, "efXX", 2);
  lk_buf_append(&b, "", 0);
  assert_string_equal(b.data, "abcdef");
  assert_int_equal(b.len, 6);
  assert_true(b.cap > b.len);
  lk_buf_free(&b);
}

static void test_append_binary_with_nul(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_buf_append(&b, "a\0b", 3);
  assert_int_equal(b.len, 3);
  assert_memory_equal(b.data, "a\0b", 4);
  lk_buf_free(&b);
}

static void test_growth(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  for (int i = 0; i < 10000; i++)
    lk_buf_putc(&b, (char)('a' + i % 26));
  assert_true(lk_buf_ok(&b));
  assert_int_equal(b.len, 10000);
  assert_int_equal(strlen(b.data), 10000);
  assert_true(b.cap >= 10001);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(b.data[i], 'a' + i % 26);
  lk_buf_free(&b);
}

static void test_printf(void **state) {
  lk_buf b = LK_BUF_INIT;
  char big[300];

  (void)state;
  lk_buf_printf(&b, "%d-%s-%lld", 42, "x", (long long)-7);
  assert_string_equal(b.data, "42-x--7");
  /* Longer than the first allocation, so it must grow mid-printf. */
  memset(big, 'z', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  lk_buf_printf(&b, "[%s]", big);
  assert_int_equal(b.len, 7 + 2 + 299);
  assert_int_equal(strlen(b.data), b.len);
  assert_int_equal(b.data[7], '[');
  assert_int_equal(b.data[b.len - 1], ']');
  lk_buf_printf(&b, "%s", "");
  assert_int_equal(b.len, 7 + 2 + 299);
  lk_buf_free(&b);
}

static void test_reset_keeps_memory(void **state) {
  lk_buf b = LK_BUF_INIT;
  char *before;

  (void)state;
  lk_buf_puts(&b, "hello");
  before = b.data;
  lk_buf_reset(&b);
  assert_ptr_equal(b.data, before);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.data, "");
  lk_buf_puts(&b, "x");
  assert_string_equal(b.data, "x");
  lk_buf_free(&b);
}

static void test_steal(void **state) {
  lk_buf b = LK_BUF_INIT;
  char *s;

  (void)state;
  lk_buf_puts(&b, "owned");
  s = lk_buf_steal(&b);
  assert_string_equal(s, "owned");
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  free(s);
  /* A buffer nothing was appended to still yields a string. */
  s = lk_buf_steal(&b);
  assert_non_null(s);
  assert_string_equal(s, "");
  free(s);
}

static void test_failed_growth_is_remembered(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_buf_puts(&b, "kept");
  assert_int_equal(lk_buf_reserve(&b, SIZE_MAX / 2), -ENOMEM);
  assert_false(lk_buf_ok(&b));
  /* Later appends are ignored but the buffer stays a valid string. */
  lk_buf_puts(&b, "more");
  lk_buf_printf(&b, "%d", 1);
  assert_int_equal(lk_buf_reserve(&b, 1), -ENOMEM);
  assert_string_equal(b.data, "kept");
  assert_false(lk_buf_ok(&b));
  /* Stealing a failed buffer frees it and returns NULL. */
  assert_null(lk_buf_steal(&b));
  assert_null(b.data);
  assert_true(lk_buf_ok(&b));
}

static void test_reserve(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  assert_int_equal(lk_buf_reserve(&b, 1000), 0);
  assert_non_null(b.data);
  assert_string_equal(b.data, "");
  assert_true(b.cap >= 1001);
  assert_int_equal(b.len, 0);
  lk_buf_free(&b);
}

/* Quotes `in` and returns the literal (caller frees). */
static char *json_quote(const char *in) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_json_str(&b, in);
  assert_true(lk_buf_ok(&b));
  return lk_buf_steal(&b);
}

/* Parses a JSON string literal with jansson: NULL if it is not valid. */
static char *json_unquote(const char *literal) {
  json_error_t err;
  json_t *v = json_loads(literal, JSON_DECODE_ANY, &err);
  char *s = NULL;

  if (v != NULL && json_is_string(v))
    s = strdup(json_string_value(v));
  json_decref(v);
  return s;
}

static void expect_quote(const char *in, const char *want) {
  char *got = json_quote(in);

  assert_string_equal(got, want);
  free(got);
}

static void test_json_str_escapes(void **state) {
  (void)state;
  expect_quote("", "\"\"");
  expect_quote("plain", "\"plain\"");
  expect_quote("a\"b\\c", "\"a\\\"b\\\\c\"");
  expect_quote("l1\nl2\r\tx", "\"l1\\nl2\\r\\tx\"");
  expect_quote("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
  expect_quote("</script>", "\"</script>\"");
}

static void test_json_str_utf8(void **state) {
  (void)state;
  /* Valid sequences of every length pass through unchanged. */
  expect_quote("\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e",
               "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\"");
  /* Each invalid byte becomes one U+FFFD escape. */
  expect_quote("a\xff"
               "b",
               "\"a\\ufffdb\"");
  expect_quote("\xc0\xaf", "\"\\ufffd\\ufffd\"");            /* overlong */
  expect_quote("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
  expect_quote("\xe2\x82", "\"\\ufffd\\ufffd\"");            /* truncated */
  expect_quote("\xf4\x90\x80\x80x",
               "\"\\ufffd\\ufffd\\ufffd\\ufffdx\""); /* > U+10FFFF */
}

static void test_json_str_always_valid_json(void **state) {
  static const char *inputs[] = {
      "\xff\xfe",           "\xe2\x28\xa1", "x\xc3",     "\"\\\"",
      "\xf0\x9f\x98\x80ok", "\x80\x80\x80", "tab\there",
  };
  char all[128];
  char *quoted;
  char *back;

  (void)state;
  for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
    quoted = json_quote(inputs[i]);
    back = json_unquote(quoted);
    assert_non_null(back);
    free(back);
    free(quoted);
  }
  /* Every ASCII character but NUL survives a round trip exactly. */
  for (int c = 1; c < 128; c++)
    all[c - 1] = (char)c;
  all[127] = '\0';
  quoted = json_quote(all);
  back = json_unquote(quoted);
  assert_non_null(back);
  assert_string_equal(back, all);
  free(back);
  free(quoted);
}

static void test_json_str_appends(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_buf_puts(&b, "{\"k\":");
  lk_buf_json_str(&b, "v");
  lk_buf_putc(&b, '}');
  assert_string_equal(b.data, "{\"k\":\"v\"}");
  lk_buf_free(&b);
}

static void test_json_ms(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_buf_puts(&b, "{\"id\":1");
  lk_buf_json_ms(&b, "at", 1764331200123LL);
  lk_buf_json_ms(&b, "endedAt", 0); /* not set */
  lk_buf_json_ms(&b, "doneAt", -5); /* not set either */
  lk_buf_putc(&b, '}');
  assert_string_equal(
      b.data,
      "{\"id\":1,\"at\":1764331200123,\"endedAt\":null,\"doneAt\":null}");
  lk_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_buffer),
      cmocka_unit_test(test_append_keeps_nul_terminated),
      cmocka_unit_test(test_append_binary_with_nul),
      cmocka_unit_test(test_growth),
      cmocka_unit_test(test_printf),
      cmocka_unit_test(test_reset_keeps_memory),
      cmocka_unit_test(test_steal),
      cmocka_unit_test(test_failed_growth_is_remembered),
      cmocka_unit_test(test_reserve),
      cmocka_unit_test(test_json_str_escapes),
      cmocka_unit_test(test_json_str_utf8),
      cmocka_unit_test(test_json_str_always_valid_json),
      cmocka_unit_test(test_json_str_appends),
      cmocka_unit_test(test_json_ms),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
