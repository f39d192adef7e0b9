/* Unit tests for core/contact_address.h: the one rule that turns a digital
 * address into the key identities are linked by. */
#include "lk_test.h"

#include "core/contact_address.h"

static void expect_key(const char *kind, const char *address,
                       const char *want) {
  char out[LK_ADDRESS_KEY_MAX + 1];

  assert_int_equal(lk_address_key(kind, address, out, sizeof(out)), 0);
  assert_string_equal(out, want);
}

static void test_email_keys(void **state) {
  (void)state;
  expect_key("email", "  Jan.Jansen@Example.NL ", "jan.jansen@example.nl");
  expect_key("email", "a@b.nl", "a@b.nl");
}

static void test_phone_keys(void **state) {
  (void)state;
  /* Every way of writing one Dutch number gives one key. */
  expect_key("telefoonnummer", "06-1234 5678", "0031612345678");
  expect_key("telefoonnummer", "+31 6 12345678", "0031612345678");
  expect_key("telefoonnummer", "+31 (0)6 12345678", "0031612345678");
  expect_key("telefoonnummer", "0031612345678", "0031612345678");
  expect_key("telefoonnummer", "(020) 555 12 34", "0031205551234");
  /* Another country keeps its code. */
  expect_key("telefoonnummer", "+32 2 555 12 34", "003225551234");
}

static void test_other_keys(void **state) {
  (void)state;
  expect_key("overig", " @Handle ", "@handle");
}

static void test_invalid(void **state) {
  char out[8];
  char big[LK_ADDRESS_KEY_MAX + 1];

  (void)state;
  assert_int_equal(lk_address_key("email", "   ", big, sizeof(big)), -1);
  assert_string_equal(big, "");
  assert_int_equal(lk_address_key("email", "geen adres", big, sizeof(big)), -1);
  assert_int_equal(lk_address_key("telefoonnummer", "geen", big, sizeof(big)),
                   -1);
  assert_int_equal(lk_address_key("fax", "0201234567", big, sizeof(big)), -1);
  /* Too long for the buffer: refused, never truncated into another key. */
  assert_int_equal(
      lk_address_key("email", "much.too.long@example.nl", out, sizeof(out)),
      -1);
  assert_int_equal(
      lk_address_key("telefoonnummer", "0612345678", out, sizeof(out)), -1);
  assert_string_equal(out, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_email_keys),
      cmocka_unit_test(test_phone_keys),
      cmocka_unit_test(test_other_keys),
      cmocka_unit_test(test_invalid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
