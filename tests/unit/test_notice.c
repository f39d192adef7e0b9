/* Unit tests for core/notice.h: areas, postcodes, texts, transitions. */
#include <string.h>

#include "lk_test.h"

#include "core/notice.h"

static void test_circle(void **state) {
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[4.9,52.37],\"radius\":500}",
                                        &why),
                   0);
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[4.9,52.37],\"radius\":0}",
                                        &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/area/radius");
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[4.9,52.37],\"radius\":100001}",
                                        &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[181,52.37],\"radius\":10}",
                                        &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/area/center");
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[4.9,-91],\"radius\":10}",
                                        &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[\"4.9\",52],\"radius\":10}",
                                        &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_area_check("{\"type\":\"circle\",\"center\":"
                                        "[4.9,52],\"radius\":10,\"x\":1}",
                                        &why),
                   LK_EINVALID);
}

static void test_polygon(void **state) {
  char big[20000];
  size_t len;
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_notice_area_check("{\"type\":\"polygon\",\"coordinates\":"
                                        "[[4.9,52.3],[4.95,52.3],[4.9,52.4]]}",
                                        &why),
                   0);
  assert_int_equal(lk_notice_area_check("{\"type\":\"polygon\",\"coordinates\":"
                                        "[[4.9,52.3],[4.95,52.3]]}",
                                        &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/area/coordinates");
  assert_int_equal(lk_notice_area_check("{\"type\":\"polygon\",\"coordinates\":"
                                        "[[4.9,52.3],[4.95,52.3],[4.9]]}",
                                        &why),
                   LK_EINVALID);
  /* 501 points is one too many. */
  len = (size_t)snprintf(big, sizeof(big),
                         "{\"type\":\"polygon\",\"coordinates\":[");
  for (int i = 0; i < 501; i++)
    len +=
        (size_t)snprintf(big + len, sizeof(big) - len, "%s[1,2]", i ? "," : "");
  snprintf(big + len, sizeof(big) - len, "]}");
  assert_int_equal(lk_notice_area_check(big, &why), LK_EINVALID);
  assert_int_equal(lk_notice_area_check("{\"type\":\"square\"}", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/area/type");
  assert_int_equal(lk_notice_area_check("[1,2]", &why), LK_EINVALID);
  assert_int_equal(lk_notice_area_check("not json", &why), LK_EINVALID);
}

static void test_postcodes(void **state) {
  const char *ok[] = {"1234", "1234ab", "1011 AB"};
  const char *bad1[] = {"0123"};
  const char *bad2[] = {"123"};
  const char *bad3[] = {"1234A"};
  const char *bad4[] = {"1234-AB"};
  const char *bad5[] = {"12345"};
  char out[LK_NOTICE_POSTCODES_LEN + 1];
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_notice_postcodes(ok, 3, out, sizeof(out), &why), 0);
  assert_string_equal(out, "1234 1234AB 1011AB");
  assert_int_equal(lk_notice_postcodes(ok, 0, out, sizeof(out), &why), 0);
  assert_string_equal(out, "");
  assert_int_equal(lk_notice_postcodes(bad1, 1, out, sizeof(out), &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/postcodes");
  assert_int_equal(lk_notice_postcodes(bad2, 1, out, sizeof(out), &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_postcodes(bad3, 1, out, sizeof(out), &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_postcodes(bad4, 1, out, sizeof(out), &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_postcodes(bad5, 1, out, sizeof(out), &why),
                   LK_EINVALID);
  assert_int_equal(lk_notice_postcodes(ok, 3, out, 10, &why), LK_EINVALID);
}

static void test_transitions(void **state) {
  (void)state;
  assert_true(lk_notice_transition_ok("published", "ended"));
  assert_true(lk_notice_transition_ok("published", "withdrawn"));
  assert_true(lk_notice_transition_ok("awaiting-approval", "withdrawn"));
  assert_true(lk_notice_transition_ok("draft", "withdrawn"));
  assert_false(lk_notice_transition_ok("draft", "ended"));
  assert_false(lk_notice_transition_ok("ended", "withdrawn"));
  assert_false(lk_notice_transition_ok("withdrawn", "ended"));
  assert_false(lk_notice_transition_ok("ended", "published"));
  assert_false(lk_notice_transition_ok("draft", "published"));
}

static void test_texts(void **state) {
  char body[LK_NOTICE_BODY_MAX + 2];
  lk_invalid why;

  (void)state;
  assert_true(lk_notice_severity_ok("zeer-ernstig"));
  assert_false(lk_notice_severity_ok("Ernstig"));
  assert_false(lk_notice_severity_ok(NULL));
  assert_int_equal(
      lk_notice_text_check("<b>Brand</b>", "regel 1\nregel 2", &why), 0);
  assert_int_equal(lk_notice_text_check("", NULL, &why), LK_EINVALID);
  assert_string_equal(why.field, "/title");
  assert_int_equal(lk_notice_text_check("a\nb", NULL, &why), LK_EINVALID);
  memset(body, 'x', LK_NOTICE_BODY_MAX);
  body[LK_NOTICE_BODY_MAX] = '\0';
  assert_int_equal(lk_notice_text_check(NULL, body, &why), 0);
  body[LK_NOTICE_BODY_MAX] = 'x';
  body[LK_NOTICE_BODY_MAX + 1] = '\0';
  assert_int_equal(lk_notice_text_check(NULL, body, &why), LK_EINVALID);
  assert_string_equal(why.field, "/body");
  assert_int_equal(lk_notice_update_check("", &why), LK_EINVALID);
  assert_int_equal(lk_notice_update_check("Weg weer open.", &why), 0);
  assert_int_equal(lk_notice_times_check(200, 100, &why), LK_EINVALID);
  assert_int_equal(lk_notice_times_check(100, 200, &why), 0);
  assert_int_equal(lk_notice_times_check(0, 100, &why), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_circle),    cmocka_unit_test(test_polygon),
      cmocka_unit_test(test_postcodes), cmocka_unit_test(test_transitions),
      cmocka_unit_test(test_texts),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
