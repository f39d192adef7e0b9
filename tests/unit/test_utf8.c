/* Unit tests for util/utf8.h: strict RFC 3629 validation. */
#include "lk_test.h"

#include "util/utf8.h"

static size_t prefix(const char *s) {
  return lk_utf8_valid_prefix((const unsigned char *)s);
}

static void test_prefix_valid_lengths(void **state) {
  (void)state;
  assert_int_equal(prefix("a"), 1);
  assert_int_equal(prefix("\x7f"), 1);
  assert_int_equal(prefix("\xc2\x80"), 2);         /* U+0080 */
  assert_int_equal(prefix("\xdf\xbf"), 2);         /* U+07FF */
  assert_int_equal(prefix("\xe0\xa0\x80"), 3);     /* U+0800 */
  assert_int_equal(prefix("\xed\x9f\xbf"), 3);     /* U+D7FF */
  assert_int_equal(prefix("\xee\x80\x80"), 3);     /* U+E000 */
  assert_int_equal(prefix("\xef\xbf\xbf"), 3);     /* U+FFFF */
  assert_int_equal(prefix("\xf0\x90\x80\x80"), 4); /* U+10000 */
  assert_int_equal(prefix("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF */
  /* Only the first sequence counts. */
  assert_int_equal(prefix("\xc3\xa9\xc3\xa9"), 2);
}

static void test_prefix_rejects(void **state) {
  (void)state;
  assert_int_equal(prefix(""), 0);     /* NUL */
  assert_int_equal(prefix("\x80"), 0); /* lone continuation */
  assert_int_equal(prefix("\xbf"), 0);
  assert_int_equal(prefix("\xc0\xaf"), 0);         /* overlong '/' */
  assert_int_equal(prefix("\xc1\xbf"), 0);         /* overlong */
  assert_int_equal(prefix("\xe0\x80\xaf"), 0);     /* overlong */
  assert_int_equal(prefix("\xe0\x9f\xbf"), 0);     /* overlong U+07FF */
  assert_int_equal(prefix("\xf0\x80\x80\xaf"), 0); /* overlong */
  assert_int_equal(prefix("\xf0\x8f\xbf\xbf"), 0); /* overlong U+FFFF */
  assert_int_equal(prefix("\xed\xa0\x80"), 0);     /* U+D800 */
  assert_int_equal(prefix("\xed\xbf\xbf"), 0);     /* U+DFFF */
  assert_int_equal(prefix("\xf4\x90\x80\x80"), 0); /* U+110000 */
  assert_int_equal(prefix("\xf5\x80\x80\x80"), 0);
  assert_int_equal(prefix("\xff"), 0);
  assert_int_equal(prefix("\xc3"
                          "a"),
                   0); /* bad continuation */
  assert_int_equal(prefix("\xe2\x82"
                          "a"),
                   0);
}

static void test_prefix_stops_at_nul(void **state) {
  /* Exactly sized heap copies: ASan catches any read past the NUL. */
  static const char *truncated[] = {"\xc3", "\xe2\x82", "\xf0\x9f\x98"};
  char *p;

  (void)state;
  for (size_t i = 0; i < sizeof(truncated) / sizeof(truncated[0]); i++) {
    p = strdup(truncated[i]);
    assert_non_null(p);
    assert_int_equal(prefix(p), 0);
    free(p);
  }
}

static void test_valid(void **state) {
  (void)state;
  assert_true(lk_utf8_valid("", 0));
  assert_true(lk_utf8_valid("hello", 5));
  assert_true(lk_utf8_valid("Gr\xc3\xbc\xc3\x9f"
                            "e \xe2\x82\xac \xf0\x9f\x98\x80",
                            16));
  assert_false(lk_utf8_valid("a\xff", 2));
  assert_false(lk_utf8_valid("\xed\xa0\x80", 3));
  assert_false(lk_utf8_valid("\xc0\x80", 2)); /* overlong NUL */
  /* NUL bytes are refused even inside the length. */
  assert_false(lk_utf8_valid("a\0b", 3));
  /* Only `len` bytes are looked at. */
  assert_true(lk_utf8_valid("ab\xff", 2));
}

static void test_valid_respects_length(void **state) {
  /* A sequence cut by `len` is invalid even if the bytes after it would
   * complete it; the buffer is not NUL-terminated. */
  char *p = malloc(3);

  (void)state;
  assert_non_null(p);
  memcpy(p, "\xe2\x82\xac", 3);
  assert_true(lk_utf8_valid(p, 3));
  assert_false(lk_utf8_valid(p, 2));
  assert_false(lk_utf8_valid(p, 1));
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prefix_valid_lengths),
      cmocka_unit_test(test_prefix_rejects),
      cmocka_unit_test(test_prefix_stops_at_nul),
      cmocka_unit_test(test_valid),
      cmocka_unit_test(test_valid_respects_length),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
