/* Unit tests for core/text.h: what counts as human text. */
#include "lk_test.h"

#include "core/text.h"

static void test_plain_text(void **state) {
  (void)state;
  assert_true(lk_text_ok("a", 1, false));
  assert_true(lk_text_ok("Klantcontact 42", 100, false));
  assert_true(lk_text_ok("Gr\xc3\xbc\xc3\x9f"
                         "e \xe2\x82\xac \xf0\x9f\x98\x80",
                         100, false));
  assert_true(lk_text_ok("~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", 100, false));
}

static void test_length_in_bytes(void **state) {
  (void)state;
  assert_false(lk_text_ok("", 10, false));
  assert_false(lk_text_ok("", 10, true));
  assert_true(lk_text_ok("abc", 3, false));
  assert_false(lk_text_ok("abcd", 3, false));
  /* "é" is two bytes. */
  assert_true(lk_text_ok("\xc3\xa9", 2, false));
  assert_false(lk_text_ok("\xc3\xa9", 1, false));
}

static void test_control_characters(void **state) {
  (void)state;
  for (int c = 1; c < 0x20; c++) {
    char s[4] = {'a', (char)c, 'b', '\0'};
    bool multiline_ok = c == '\n' || c == '\t' || c == '\r';

    assert_false(lk_text_ok(s, 10, false));
    assert_true(lk_text_ok(s, 10, true) == multiline_ok);
  }
  assert_false(lk_text_ok("a\x7f", 10, false));
  assert_false(lk_text_ok("a\x7f", 10, true));
  assert_false(lk_text_ok("\x1b[31mred", 20, true));
}

static void test_invalid_utf8(void **state) {
  (void)state;
  assert_false(lk_text_ok("a\xff", 10, false));
  assert_false(lk_text_ok("\xc0\xaf", 10, false));
  assert_false(lk_text_ok("\xed\xa0\x80", 10, false));
  assert_false(lk_text_ok("caf\xc3", 10, true));
  assert_false(lk_text_ok("\xf4\x90\x80\x80", 10, true));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_text),
      cmocka_unit_test(test_length_in_bytes),
      cmocka_unit_test(test_control_characters),
      cmocka_unit_test(test_invalid_utf8),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
