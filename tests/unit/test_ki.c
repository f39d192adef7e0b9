/* Unit tests for the pure helpers of the Klantinteracties engine
 * (api/ki/ki.h): date-times of query parameters and lengths in
 * characters. */
#include "lk_test.h"

#include "api/ki/ki.h"

static void test_datetime(void **state) {
  int64_t ms;

  (void)state;
  assert_int_equal(lk_ki_parse_datetime("2024-05-01T10:00:00Z", &ms), 0);
  assert_int_equal(ms, 1714557600000LL);
  assert_int_equal(lk_ki_parse_datetime("2024-05-01T12:00:00+02:00", &ms), 0);
  assert_int_equal(ms, 1714557600000LL);
  assert_int_equal(lk_ki_parse_datetime("2024-05-01T10:00Z", &ms), 0);
  assert_int_equal(ms, 1714557600000LL);
  assert_int_equal(lk_ki_parse_datetime("2024-05-01", &ms), 0);
  assert_int_equal(ms, 1714521600000LL);
  assert_int_equal(lk_ki_parse_datetime("2000-02-29T23:59:59.123-05:30", &ms),
                   0);
  assert_int_equal(ms, 951888599123LL);
  assert_int_equal(
      lk_ki_parse_datetime("2000-02-29T23:59:59.1234567-05:30", &ms), 0);
  assert_int_equal(ms, 951888599123LL);
  assert_int_equal(lk_ki_parse_datetime("2023-02-29", &ms), -1);
  assert_int_equal(lk_ki_parse_datetime("2024-13-01", &ms), -1);
  assert_int_equal(lk_ki_parse_datetime("2024-05-01T25:00:00Z", &ms), -1);
  assert_int_equal(lk_ki_parse_datetime("2024-05-01T10:00:00Zjunk", &ms), -1);
  assert_int_equal(lk_ki_parse_datetime("2024-05-01T10:00:00.Z", &ms), -1);
  assert_int_equal(lk_ki_parse_datetime("gisteren", &ms), -1);
  assert_int_equal(lk_ki_parse_datetime("", &ms), -1);
}

static void test_chars(void **state) {
  (void)state;
  assert_int_equal(lk_ki_chars(""), 0);
  assert_int_equal(lk_ki_chars("abc"), 3);
  assert_int_equal(lk_ki_chars("\xc3\xa9t\xc3\xa9"), 3);
  assert_int_equal(lk_ki_chars("\xf0\x9f\x98\x80"), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_datetime),
      cmocka_unit_test(test_chars),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
