/* Unit tests for util/clock.h: the injectable clock and date formats. */
#include "lk_test.h"

#include "util/clock.h"

static void test_fixed_clock(void **state) {
  lk_clock c;

  (void)state;
  lk_clock_fixed(&c, 1795874529123);
  assert_int_equal(lk_clock_now(&c), 1795874529123);
  assert_int_equal(lk_clock_now(&c), 1795874529123);
  lk_clock_set(&c, 42);
  assert_int_equal(lk_clock_now(&c), 42);
  lk_clock_set(&c, -5);
  assert_true(lk_clock_now(&c) == -5);
}

static void test_system_clock(void **state) {
  lk_clock *c = lk_clock_system();
  int64_t a;
  int64_t b;

  (void)state;
  assert_ptr_equal(c, lk_clock_system());
  /* After 2024-01-01 and before 2200: a Unix time in milliseconds. */
  a = lk_clock_now(c);
  assert_true(a > 1704067200000);
  assert_true(a < 7258118400000);
  a = lk_clock_mono_ns();
  b = lk_clock_mono_ns();
  assert_true(b >= a);
}

static void expect_iso(int64_t ms, const char *want) {
  char out[25];

  memset(out, 'X', sizeof(out));
  lk_clock_format_iso(ms, out, sizeof(out));
  assert_string_equal(out, want);
}

static void test_format_iso(void **state) {
  (void)state;
  expect_iso(0, "1970-01-01T00:00:00.000Z");
  expect_iso(1, "1970-01-01T00:00:00.001Z");
  expect_iso(1795874529123, "2026-11-28T14:02:09.123Z");
  expect_iso(1709251199999, "2024-02-29T23:59:59.999Z"); /* leap day */
  expect_iso(1709251200000, "2024-03-01T00:00:00.000Z");
  expect_iso(2147483648000, "2038-01-19T03:14:08.000Z"); /* past int32 */
  expect_iso(253402300799999, "9999-12-31T23:59:59.999Z");
}

static void test_format_iso_before_epoch(void **state) {
  (void)state;
  /* Milliseconds stay in 0..999; the second rounds down, not to zero. */
  expect_iso(-1, "1969-12-31T23:59:59.999Z");
  expect_iso(-1000, "1969-12-31T23:59:59.000Z");
  expect_iso(-1001, "1969-12-31T23:59:58.999Z");
}

static void test_format_iso_truncates_safely(void **state) {
  char out[8];

  (void)state;
  lk_clock_format_iso(0, out, sizeof(out));
  assert_string_equal(out, "1970-01");
}

static void expect_http(int64_t ms, const char *want) {
  char out[30];

  memset(out, 'X', sizeof(out));
  lk_clock_format_http(ms, out, sizeof(out));
  assert_string_equal(out, want);
}

static void test_format_http(void **state) {
  (void)state;
  expect_http(0, "Thu, 01 Jan 1970 00:00:00 GMT");
  /* The example of RFC 9110, section 5.6.7; milliseconds are dropped. */
  expect_http(784111777000, "Sun, 06 Nov 1994 08:49:37 GMT");
  expect_http(784111777999, "Sun, 06 Nov 1994 08:49:37 GMT");
  expect_http(1709251199999, "Thu, 29 Feb 2024 23:59:59 GMT");
  expect_http(1795874529123, "Sat, 28 Nov 2026 14:02:09 GMT");
  expect_http(-1, "Wed, 31 Dec 1969 23:59:59 GMT");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixed_clock),
      cmocka_unit_test(test_system_clock),
      cmocka_unit_test(test_format_iso),
      cmocka_unit_test(test_format_iso_before_epoch),
      cmocka_unit_test(test_format_iso_truncates_safely),
      cmocka_unit_test(test_format_http),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
