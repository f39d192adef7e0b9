/* Unit tests for core/ids.h: identifiers, secrets and their digests. */
#include "lk_test.h"

#include "core/ids.h"

static int setup(void **state) {
  (void)state;
  return lk_ids_init();
}

static bool all_of(const char *s, const char *set) {
  return s[strspn(s, set)] == '\0';
}

static void test_id_format(void **state) {
  char a[21];
  char b[21];

  (void)state;
  lk_id_new(a, sizeof(a), "tok_");
  lk_id_new(b, sizeof(b), "tok_");
  assert_int_equal(strlen(a), 20);
  assert_true(strncmp(a, "tok_", 4) == 0);
  assert_true(all_of(a + 4, "0123456789abcdef"));
  /* 64 random bits: two in a row are never the same. */
  assert_string_not_equal(a, b);
  lk_id_new(a, sizeof(a), "");
  assert_int_equal(strlen(a), 16);
  assert_true(all_of(a, "0123456789abcdef"));
}

static void test_id_too_small(void **state) {
  char out[20];

  (void)state;
  memset(out, 'X', sizeof(out));
  lk_id_new(out, sizeof(out), "tok_"); /* needs 21 */
  assert_string_equal(out, "");
  lk_id_new(out, 0, "tok_");
  assert_int_equal(out[0], '\0');
}

static void test_secret_format(void **state) {
  char a[64];
  char b[64];

  (void)state;
  assert_int_equal(lk_secret_new(a, sizeof(a), "lkt_", 24), 0);
  assert_int_equal(lk_secret_new(b, sizeof(b), "lkt_", 24), 0);
  /* 24 bytes are 32 base64url characters, no padding. */
  assert_int_equal(strlen(a), 4 + 32);
  assert_true(strncmp(a, "lkt_", 4) == 0);
  assert_true(all_of(a + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                            "wxyz0123456789-_"));
  assert_string_not_equal(a, b);
  assert_int_equal(lk_secret_new(a, sizeof(a), "", 1), 0);
  assert_int_equal(strlen(a), 2);
}

static void test_secret_limits(void **state) {
  char out[200];

  (void)state;
  /* Exactly enough room: prefix, 32 characters and the NUL. */
  assert_int_equal(lk_secret_new(out, 37, "lkt_", 24), 0);
  assert_int_equal(strlen(out), 36);
  assert_int_equal(lk_secret_new(out, 36, "lkt_", 24), -1);
  assert_int_equal(lk_secret_new(out, sizeof(out), "x", 64), 0);
  assert_int_equal(lk_secret_new(out, sizeof(out), "x", 65), -1);
}

static void test_secret_hash(void **state) {
  char out[65];

  (void)state;
  /* BLAKE2b-256 test vectors. */
  lk_secret_hash("abc", out);
  assert_string_equal(
      out, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  lk_secret_hash("", out);
  assert_string_equal(
      out, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_id_format),
      cmocka_unit_test(test_id_too_small),
      cmocka_unit_test(test_secret_format),
      cmocka_unit_test(test_secret_limits),
      cmocka_unit_test(test_secret_hash),
  };

  return cmocka_run_group_tests(tests, setup, NULL);
}
