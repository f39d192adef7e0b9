/* Unit tests for the rules of core/resident.h and core/proclog_query.h that
 * need no database: address keys, look-up parameters, previews, times. */
#include "lk_test.h"

#include "core/proclog_query.h"
#include "core/resident.h"

static void test_query_needs_one_criterion(void **state) {
  lk_party_query q;
  lk_invalid why;

  (void)state;
  assert_int_equal(
      lk_party_query_prepare(&q, NULL, NULL, NULL, NULL, NULL, 20, false, &why),
      LK_EINVALID);
  assert_int_equal(lk_party_query_prepare(&q, "a@b.nl", "0612345678", NULL,
                                          NULL, NULL, 20, false, &why),
                   LK_EINVALID);
  assert_int_equal(lk_party_query_prepare(&q, NULL, NULL, "12345", NULL, NULL,
                                          20, false, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "bsn");
  assert_int_equal(
      lk_party_query_prepare(&q, NULL, NULL, NULL, "", NULL, 20, false, &why),
      LK_EINVALID);
  assert_string_equal(why.field, "name");
  assert_int_equal(lk_party_query_prepare(&q, NULL, NULL, NULL, "Jan", NULL,
                                          LK_PARTY_FIND_MAX + 1, false, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "limit");
}

static void test_query_normalises(void **state) {
  lk_party_query q;
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_party_query_prepare(&q, NULL, "+31 6 1234 5678", NULL,
                                          NULL, NULL, 20, true, &why),
                   0);
  assert_int_equal(q.find.by, LK_PARTY_BY_PHONE);
  assert_string_equal(q.find.key, "0031612345678");
  assert_true(q.find.confidential);
  assert_int_equal(q.find.after_seq, 0);
  assert_int_equal(lk_party_query_prepare(&q, NULL, NULL, "123456782", NULL,
                                          "42", 20, false, &why),
                   0);
  assert_int_equal(q.find.by, LK_PARTY_BY_BSN);
  assert_int_equal(q.find.after_seq, 42);
  assert_int_equal(lk_party_query_prepare(&q, NULL, NULL, "123456782", NULL,
                                          "x42", 20, false, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "after");
}

static void test_name_cursor(void **state) {
  lk_party_query q;
  lk_invalid why;

  (void)state;
  /* "Jansen" in base64url is "SmFuc2Vu". */
  assert_int_equal(lk_party_query_prepare(&q, NULL, NULL, NULL, "Jan",
                                          "SmFuc2Vu.7", 20, false, &why),
                   0);
  assert_string_equal(q.find.after_name, "Jansen");
  assert_int_equal(q.find.after_seq, 7);
  assert_int_equal(
      lk_party_query_prepare(&q, NULL, NULL, NULL, "Jan", "7", 20, false, &why),
      LK_EINVALID);
  assert_int_equal(lk_party_query_prepare(&q, NULL, NULL, NULL, "Jan", "!!!.7",
                                          20, false, &why),
                   LK_EINVALID);
}

static void test_preview(void **state) {
  char out[LK_PREVIEW_CHARS * 4 + 4];
  char long_text[400];

  (void)state;
  lk_resident_preview("  Goedemorgen,\n\n  mijn  afval\tis niet opgehaald. ",
                      out, sizeof(out));
  assert_string_equal(out, "Goedemorgen, mijn afval is niet opgehaald.");
  lk_resident_preview("", out, sizeof(out));
  assert_string_equal(out, "");
  lk_resident_preview("<script>alert(1)</script>", out, sizeof(out));
  assert_string_equal(out, "<script>alert(1)</script>");
  /* 200 two-byte characters are cut after 140, on a boundary. */
  for (int i = 0; i < 200; i++) {
    long_text[2 * i] = '\xc3';
    long_text[2 * i + 1] = '\xa9';
  }
  long_text[400 - 1] = '\0';
  long_text[398] = '\0';
  lk_resident_preview(long_text, out, sizeof(out));
  assert_int_equal(strlen(out), 140 * 2 + 3);
  assert_memory_equal(out + 280, "\xe2\x80\xa6", 3);
  /* Exactly 140 characters are not cut. */
  memset(long_text, 'a', 140);
  long_text[140] = '\0';
  lk_resident_preview(long_text, out, sizeof(out));
  assert_int_equal(strlen(out), 140);
  /* A buffer too small gets nothing rather than a torn string. */
  lk_resident_preview("abc", out, 10);
  assert_string_equal(out, "");
}

static void expect_time(const char *s, int64_t want) {
  int64_t got = -1;

  assert_int_equal(lk_proclog_parse_time(s, &got), 0);
  assert_int_equal(got, want);
}

static void test_parse_time(void **state) {
  int64_t t;

  (void)state;
  expect_time("1767225600000", 1767225600000LL);
  expect_time("2026-01-01", 1767225600000LL);
  expect_time("2026-01-01T00:00:00Z", 1767225600000LL);
  expect_time("2026-01-01T00:00Z", 1767225600000LL);
  expect_time("2026-01-01T01:00:00.250+01:00", 1767225600250LL);
  expect_time("2025-12-31T23:00:00-01:00", 1767225600000LL);
  assert_int_equal(lk_proclog_parse_time("2026-01-01T00:00:00", &t), -1);
  assert_int_equal(lk_proclog_parse_time("2026-02-30", &t), -1);
  assert_int_equal(lk_proclog_parse_time("2026-13-01", &t), -1);
  assert_int_equal(lk_proclog_parse_time("gisteren", &t), -1);
  assert_int_equal(lk_proclog_parse_time("", &t), -1);
  assert_int_equal(lk_proclog_parse_time(NULL, &t), -1);
}

static void test_proclog_filters(void **state) {
  lk_proclog_query q;
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_proclog_query_prepare(&q, NULL, NULL, NULL, NULL, NULL,
                                            NULL, 50, &why),
                   0);
  assert_int_equal(q.f.from, 0);
  assert_int_equal(q.f.to, INT64_MAX);
  assert_int_equal(q.f.before_seq, INT64_MAX);
  assert_int_equal(lk_proclog_query_prepare(&q, "not-a-uuid", NULL, NULL, NULL,
                                            NULL, NULL, 50, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "partyId");
  assert_int_equal(lk_proclog_query_prepare(&q, NULL, NULL, NULL, "yesterday",
                                            NULL, NULL, 50, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "from");
  assert_int_equal(lk_proclog_query_prepare(&q, NULL, NULL, NULL, NULL, NULL,
                                            "12", 50, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "after");
  assert_int_equal(lk_proclog_query_prepare(&q, NULL, NULL, NULL, NULL, NULL,
                                            "1767225600000.12", 201, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "limit");
  assert_int_equal(
      lk_proclog_query_prepare(&q, "0190a0b2-0000-7000-8000-000000000001",
                               "token:tok_0000000000000001", "reveal-bsn", NULL,
                               NULL, "1767225600000.12", 200, &why),
      0);
  assert_int_equal(q.f.before_time, 1767225600000LL);
  assert_int_equal(q.f.before_seq, 12);
  assert_string_equal(q.f.operation, "reveal-bsn");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_query_needs_one_criterion),
      cmocka_unit_test(test_query_normalises),
      cmocka_unit_test(test_name_cursor),
      cmocka_unit_test(test_preview),
      cmocka_unit_test(test_parse_time),
      cmocka_unit_test(test_proclog_filters),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
