/* Unit tests for util/html.h: escaping text, attributes and URLs. */
#include "lk_test.h"

#include "util/html.h"

#define FFFD "\xef\xbf\xbd"

typedef void (*escape_fn)(lk_buf *b, const char *s);

static void expect(escape_fn fn, const char *in, const char *want) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<");
  fn(&b, in);
  assert_true(lk_buf_ok(&b));
  /* Appends, never replaces. */
  assert_int_equal(b.data[0], '<');
  assert_string_equal(b.data + 1, want);
  lk_buf_free(&b);
}

static void test_txt_escapes_markup(void **state) {
  (void)state;
  expect(lk_html_txt, "", "");
  expect(lk_html_txt, "plain text", "plain text");
  expect(lk_html_txt, "<script>alert('x')</script>",
         "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  expect(lk_html_txt, "a & b \"c\"", "a &amp; b &quot;c&quot;");
  /* Already escaped text is escaped again, not trusted. */
  expect(lk_html_txt, "&lt;", "&amp;lt;");
  /* ` and = are harmless in element content. */
  expect(lk_html_txt, "a=`b`", "a=`b`");
}

static void test_attr_escapes_more(void **state) {
  (void)state;
  expect(lk_html_attr, "a=`b`", "a&#61;&#96;b&#96;");
  expect(lk_html_attr, "\" onmouseover=\"x", "&quot; onmouseover&#61;&quot;x");
  expect(lk_html_attr, "'<>&", "&#39;&lt;&gt;&amp;");
}

static void test_controls_and_utf8(void **state) {
  (void)state;
  /* Tab, newline and CR stay; other C0 controls are replaced. */
  expect(lk_html_txt, "a\tb\nc\rd", "a\tb\nc\rd");
  expect(lk_html_txt,
         "a\x01"
         "b\x1b[0m",
         "a" FFFD "b" FFFD "[0m");
  expect(lk_html_attr, "\x08", FFFD);
  /* Valid UTF-8 passes; every invalid byte becomes U+FFFD. */
  expect(lk_html_txt, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");
  expect(lk_html_txt,
         "a\xff"
         "b",
         "a" FFFD "b");
  expect(lk_html_txt, "\xc0\xbc", FFFD FFFD); /* overlong '<' */
  expect(lk_html_attr, "\xed\xa0\x80", FFFD FFFD FFFD);
  expect(lk_html_txt, "x\xe2\x82", "x" FFFD FFFD);
}

static void test_url_keeps_safe_schemes(void **state) {
  (void)state;
  expect(lk_html_url, "https://example.org/a", "https://example.org/a");
  expect(lk_html_url, "http://example.org", "http://example.org");
  expect(lk_html_url, "HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG");
  expect(lk_html_url, "mailto:info@example.org", "mailto:info@example.org");
  expect(lk_html_url, "tel:+31201234567", "tel:+31201234567");
  /* Kept URLs are attribute-escaped. */
  expect(lk_html_url, "https://example.org/?a=1&b=\"2\"",
         "https://example.org/?a&#61;1&amp;b&#61;&quot;2&quot;");
}

static void test_url_keeps_relative(void **state) {
  (void)state;
  expect(lk_html_url, "/conversations/42", "/conversations/42");
  expect(lk_html_url, "tokens", "tokens");
  expect(lk_html_url, "?page=2", "?page&#61;2");
  expect(lk_html_url, "#top", "#top");
  expect(lk_html_url, "", "");
  /* A colon after the path starts is not a scheme separator. */
  expect(lk_html_url, "/a:b", "/a:b");
  expect(lk_html_url, "./x:y", "./x:y");
  expect(lk_html_url, "?next=javascript:x", "?next&#61;javascript:x");
}

static void test_url_refuses_dangerous_schemes(void **state) {
  static const char *bad[] = {
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "javascript://%0aalert(1)",
      "javascript:alert(1)//https://x",
      "data:text/html;base64,PHNjcmlwdD4=",
      "DATA:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "blob:https://example.org/uuid",
      "https\xc2\xa0:x",                 /* no-break space in scheme */
      "\xc2\xa0javascript:alert(1)",     /* leading no-break space */
      "\xef\xbb\xbfjavascript:alert(1)", /* leading BOM */
  };

  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect(lk_html_url, bad[i], "#");
  /* Without a colon it is a relative reference, whatever it looks like. */
  expect(lk_html_url, "javascript", "javascript");
}

static void test_url_refuses_whitespace_and_controls(void **state) {
  static const char *bad[] = {
      " javascript:alert(1)",
      "\tjavascript:alert(1)",
      "\x01javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "java\rscript:alert(1)",
      "jav\x7f"
      "ascript:alert(1)",
      "javascript\t:alert(1)",
      /* A space would end an unquoted attribute value. */
      "https://example.org/ onmouseover=alert(1)",
      "https://example.org/\n",
      "/path with space",
      "https://example.org/\x7f",
  };

  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect(lk_html_url, bad[i], "#");
}

static void test_url_entities_stay_text(void **state) {
  (void)state;
  /* Entities in the input are escaped, so the browser never decodes them
   * into a scheme. */
  expect(lk_html_url, "javascript&colon;alert(1)",
         "javascript&amp;colon;alert(1)");
  expect(lk_html_url, "jav&#x09;ascript:alert(1)",
         "jav&amp;#x09;ascript:alert(1)");
  expect(lk_html_url, "https://x/\"><script>",
         "https://x/&quot;&gt;&lt;script&gt;");
  /* Invalid UTF-8 in a kept URL is replaced, not passed on. */
  expect(lk_html_url, "/a\xff", "/a" FFFD);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_txt_escapes_markup),
      cmocka_unit_test(test_attr_escapes_more),
      cmocka_unit_test(test_controls_and_utf8),
      cmocka_unit_test(test_url_keeps_safe_schemes),
      cmocka_unit_test(test_url_keeps_relative),
      cmocka_unit_test(test_url_refuses_dangerous_schemes),
      cmocka_unit_test(test_url_refuses_whitespace_and_controls),
      cmocka_unit_test(test_url_entities_stay_text),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
