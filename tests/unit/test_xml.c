/* Unit tests for util/xml.h: text that stays well-formed XML 1.0. */
#include "lk_test.h"

#include "util/xml.h"

#define FFFD "\xef\xbf\xbd"

static void expect(const char *in, const char *want) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<");
  lk_xml_txt(&b, in);
  assert_true(lk_buf_ok(&b));
  assert_string_equal(b.data, want);
  lk_buf_free(&b);
}

static void test_markup_is_escaped(void **state) {
  (void)state;
  expect("", "<");
  expect("gewoon", "<gewoon");
  expect("<a href='x'>\"&\"</a>",
         "<&lt;a href=&apos;x&apos;&gt;&quot;&amp;&quot;&lt;/a&gt;");
  expect("&amp;", "<&amp;amp;");
}

static void test_forbidden_characters_are_dropped(void **state) {
  (void)state;
  /* Tab, LF and CR are allowed; other C0 controls are not. */
  expect("a\tb\nc\rd", "<a\tb\nc\rd");
  expect("a\x01\x08\x0b\x0c\x1b\x1f"
         "b",
         "<ab");
  /* U+FFFE and U+FFFF are not characters in XML. */
  expect("x\xef\xbf\xbe\xef\xbf\xbfy", "<xy");
  /* Other non-ASCII passes through. */
  expect("beëindigd \xe2\x82\xac \xf0\x9f\x94\xa5", "<beëindigd \xe2\x82\xac "
                                                    "\xf0\x9f\x94\xa5");
}

static void test_invalid_utf8_is_replaced(void **state) {
  (void)state;
  expect("a\xff"
         "b",
         "<a" FFFD "b");
  expect("\xc0\xaf", "<" FFFD FFFD);                   /* overlong */
  expect("\xed\xa0\x80", "<" FFFD FFFD FFFD);          /* surrogate */
  expect("\xe2\x82", "<" FFFD FFFD);                   /* cut short */
  expect("\xf4\x90\x80\x80", "<" FFFD FFFD FFFD FFFD); /* > U+10FFFF */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_markup_is_escaped),
      cmocka_unit_test(test_forbidden_characters_are_dropped),
      cmocka_unit_test(test_invalid_utf8_is_replaced),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
