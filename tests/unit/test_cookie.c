/* Unit tests for http/cookie.h: the Cookie header (well-formed, malformed
 * and duplicated), Set-Cookie values and urlencoded form fields. */
#include "lk_test.h"

#include "http/cookie.h"

static int find(const char *header, const char *name, char *out, size_t size) {
  return lk_cookie_find(header, name, out, size);
}

static void expect(const char *header, const char *name, int want,
                   const char *value) {
  char out[64];
  int rc = find(header, name, out, sizeof(out));

  if (rc != want)
    fail_msg("\"%s\" / %s: got %d, want %d", header, name, rc, want);
  assert_string_equal(out, value);
}

static void test_finds_cookie(void **state) {
  (void)state;
  expect("loket_session=abc", "loket_session", LK_COOKIE_FOUND, "abc");
  expect("a=1; loket_session=abc; b=2", "loket_session", LK_COOKIE_FOUND,
         "abc");
  expect("a=1;loket_session=abc;b=2", "loket_session", LK_COOKIE_FOUND, "abc");
  expect("  loket_session = abc  ;", "loket_session", LK_COOKIE_FOUND, "abc");
  expect("loket_session=\"abc\"", "loket_session", LK_COOKIE_FOUND, "abc");
  expect("loket_session=", "loket_session", LK_COOKIE_FOUND, "");
  expect("loket_session=a=b", "loket_session", LK_COOKIE_FOUND, "a=b");
  /* Names are case-sensitive and matched whole. */
  expect("Loket_Session=abc", "loket_session", LK_COOKIE_NONE, "");
  expect("xloket_session=abc", "loket_session", LK_COOKIE_NONE, "");
  expect("loket_session_old=abc", "loket_session", LK_COOKIE_NONE, "");
  expect("", "loket_session", LK_COOKIE_NONE, "");
  expect(";;;", "loket_session", LK_COOKIE_NONE, "");
  /* A piece without "=" is skipped, as browsers do. */
  expect("garbage; loket_session=abc", "loket_session", LK_COOKIE_FOUND, "abc");
  expect("loket_session; other=1", "loket_session", LK_COOKIE_NONE, "");
}

static void test_duplicates_refused(void **state) {
  (void)state;
  expect("loket_session=abc; loket_session=def", "loket_session",
         LK_COOKIE_DUPLICATE, "");
  /* Even the same value twice: it still means two cookies were set. */
  expect("loket_session=abc; loket_session=abc", "loket_session",
         LK_COOKIE_DUPLICATE, "");
  expect("loket_session=abc; x=1; loket_session=", "loket_session",
         LK_COOKIE_DUPLICATE, "");
  expect("loket_session=bad value; loket_session=abc", "loket_session",
         LK_COOKIE_DUPLICATE, "");
  /* Another cookie's duplicates do not matter. */
  expect("x=1; x=2; loket_session=abc", "loket_session", LK_COOKIE_FOUND,
         "abc");
}

static void test_malformed_refused(void **state) {
  char small[4];

  (void)state;
  expect("loket_session=a b", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=a\"b", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=a,b", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=a\\b", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=a\x01z", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=\x7f", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=\xc3\xa9", "loket_session", LK_COOKIE_MALFORMED, "");
  expect("loket_session=\"abc", "loket_session", LK_COOKIE_MALFORMED, "");
  /* Too long for the caller's buffer: refused, not truncated. */
  assert_int_equal(
      find("loket_session=abcd", "loket_session", small, sizeof(small)),
      LK_COOKIE_MALFORMED);
  assert_string_equal(small, "");
  assert_int_equal(
      find("loket_session=abc", "loket_session", small, sizeof(small)),
      LK_COOKIE_FOUND);
  assert_string_equal(small, "abc");
  assert_int_equal(find("a=b", "a", small, 0), LK_COOKIE_MALFORMED);
}

static void test_format(void **state) {
  lk_buf b = LK_BUF_INIT;
  lk_cookie_attrs plain = {0};
  lk_cookie_attrs secure = {.secure = true};
  lk_cookie_attrs clear = {
      .secure = true, .clear = true, .path = "/login", .same = "Strict"};

  (void)state;
  lk_cookie_format(&b, "loket_session", "abc", &plain);
  assert_string_equal(b.data, "loket_session=abc; Path=/; HttpOnly; "
                              "SameSite=Lax");
  lk_buf_reset(&b);
  lk_cookie_format(&b, "loket_session", "abc", &secure);
  assert_string_equal(b.data, "loket_session=abc; Path=/; HttpOnly; "
                              "SameSite=Lax; Secure");
  lk_buf_reset(&b);
  lk_cookie_format(&b, "loket_csrf", "ignored", &clear);
  assert_string_equal(b.data, "loket_csrf=; Path=/login; HttpOnly; "
                              "SameSite=Strict; Secure; Max-Age=0");
  lk_buf_free(&b);
}

static int form(const char *body, const char *name, char *out, size_t size) {
  return lk_form_find(body, strlen(body), name, out, size);
}

static void expect_form(const char *body, const char *name, int want,
                        const char *value) {
  char out[64];
  int rc = form(body, name, out, sizeof(out));

  if (rc != want)
    fail_msg("\"%s\" / %s: got %d, want %d", body, name, rc, want);
  assert_string_equal(out, value);
}

static void test_form_fields(void **state) {
  char small[4];

  (void)state;
  expect_form("email=a%40b.nl&password=x+y%2Bz", "email", LK_COOKIE_FOUND,
              "a@b.nl");
  expect_form("email=a%40b.nl&password=x+y%2Bz", "password", LK_COOKIE_FOUND,
              "x y+z");
  expect_form("csrf=abc", "csrf", LK_COOKIE_FOUND, "abc");
  expect_form("csrf=", "csrf", LK_COOKIE_FOUND, "");
  expect_form("csrf", "csrf", LK_COOKIE_FOUND, "");
  expect_form("a=1&&csrf=t&", "csrf", LK_COOKIE_FOUND, "t");
  /* The first of several wins; names are decoded before comparing. */
  expect_form("csrf=one&csrf=two", "csrf", LK_COOKIE_FOUND, "one");
  expect_form("cs%72f=t", "csrf", LK_COOKIE_FOUND, "t");
  expect_form("xcsrf=t&csrfx=u", "csrf", LK_COOKIE_NONE, "");
  expect_form("", "csrf", LK_COOKIE_NONE, "");
  expect_form("next=%2F%2Fevil.example", "next", LK_COOKIE_FOUND,
              "//evil.example");
  expect_form("next=%C3%A9", "next", LK_COOKIE_FOUND, "\xc3\xa9");
  /* Broken escapes, a NUL, or too long: refused. */
  expect_form("csrf=%zz", "csrf", LK_COOKIE_MALFORMED, "");
  expect_form("csrf=%4", "csrf", LK_COOKIE_MALFORMED, "");
  expect_form("csrf=%", "csrf", LK_COOKIE_MALFORMED, "");
  expect_form("csrf=a%00b", "csrf", LK_COOKIE_MALFORMED, "");
  assert_int_equal(form("csrf=abcd", "csrf", small, sizeof(small)),
                   LK_COOKIE_MALFORMED);
  assert_string_equal(small, "");
  /* A body is not NUL-terminated: only `len` bytes count. */
  assert_int_equal(lk_form_find("csrf=abcdef", 7, "csrf", small, sizeof(small)),
                   LK_COOKIE_FOUND);
  assert_string_equal(small, "ab");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_finds_cookie),
      cmocka_unit_test(test_duplicates_refused),
      cmocka_unit_test(test_malformed_refused),
      cmocka_unit_test(test_format),
      cmocka_unit_test(test_form_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
