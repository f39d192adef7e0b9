/* Unit tests for core/access.h: confidentiality and BSN masking. */
#include "lk_test.h"

#include "core/access.h"

static void test_may_see(void **state) {
  lk_viewer plain = {"token:tok_0000000000000001", "", false};
  lk_viewer cleared = {"token:tok_0000000000000002", "", true};

  (void)state;
  assert_true(lk_access_may_see(&plain, false));
  assert_false(lk_access_may_see(&plain, true));
  assert_true(lk_access_may_see(&cleared, false));
  assert_true(lk_access_may_see(&cleared, true));
  /* No caller at all sees nothing confidential. */
  assert_true(lk_access_may_see(NULL, false));
  assert_false(lk_access_may_see(NULL, true));
}

static void test_is_bsn(void **state) {
  (void)state;
  assert_true(lk_access_is_bsn("bsn"));
  assert_true(lk_access_is_bsn("BSN"));
  assert_false(lk_access_is_bsn("kvk_nummer"));
  assert_false(lk_access_is_bsn("bsnx"));
  assert_false(lk_access_is_bsn(""));
  assert_false(lk_access_is_bsn(NULL));
}

static void expect_mask(const char *bsn, const char *want) {
  char out[LK_BSN_MASKED_SIZE];

  memset(out, 'x', sizeof(out));
  assert_int_equal(lk_bsn_mask(bsn, out, sizeof(out)), 0);
  assert_string_equal(out, want);
}

static void test_mask_shows_last_four(void **state) {
  (void)state;
  expect_mask("123456782", "*****6782");
  expect_mask("999993653", "*****3653");
  /* An old eight-digit BSN shows the same four, and the same length. */
  expect_mask("12345678", "*****5678");
}

static void test_mask_hides_malformed_whole(void **state) {
  (void)state;
  expect_mask("", "*********");
  expect_mask(NULL, "*********");
  expect_mask("6789", "*********");
  expect_mask("1234567", "*********");
  expect_mask("1234567890", "*********");
  expect_mask("12345 789", "*********");
  expect_mask("12345678a", "*********");
  expect_mask("<b>12345</b>", "*********");
}

static void test_mask_needs_room(void **state) {
  char small[LK_BSN_MASKED_SIZE - 1] = "keep";

  (void)state;
  assert_int_equal(lk_bsn_mask("123456782", small, sizeof(small)), -1);
  assert_string_equal(small, "keep");
  assert_int_equal(lk_bsn_mask("123456782", NULL, 10), -1);
}

static void test_reveal_reason(void **state) {
  char long_reason[LK_REASON_MAX + 2];
  lk_invalid why = {0};

  (void)state;
  assert_int_equal(lk_access_reveal_reason("Telefonische identificatie", &why),
                   0);
  assert_int_equal(lk_access_reveal_reason(NULL, &why), LK_EINVALID);
  assert_string_equal(why.field, "reason");
  assert_int_equal(lk_access_reveal_reason("", &why), LK_EINVALID);
  assert_int_equal(lk_access_reveal_reason("two\nlines", &why), LK_EINVALID);
  assert_int_equal(lk_access_reveal_reason("bad \xff utf-8", &why),
                   LK_EINVALID);
  memset(long_reason, 'a', sizeof(long_reason) - 1);
  long_reason[sizeof(long_reason) - 1] = '\0';
  assert_int_equal(lk_access_reveal_reason(long_reason, &why), LK_EINVALID);
  long_reason[LK_REASON_MAX] = '\0';
  assert_int_equal(lk_access_reveal_reason(long_reason, &why), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_may_see),
      cmocka_unit_test(test_is_bsn),
      cmocka_unit_test(test_mask_shows_last_four),
      cmocka_unit_test(test_mask_hides_malformed_whole),
      cmocka_unit_test(test_mask_needs_room),
      cmocka_unit_test(test_reveal_reason),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
