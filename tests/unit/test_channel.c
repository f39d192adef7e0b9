/* Unit tests for core/channel.h: open or closed at an instant (closing
 * time, next opening, holidays), the waiting-time estimate from its
 * inputs, and the checks of a channel change. */
#include "lk_test.h"

#include <jansson.h>

#include "core/channel.h"
#include "util/clock.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

/* Amsterdam civil time y-m-d hh:mm as Unix ms. */
static int64_t at(int y, int m, int d, int hh, int mm) {
  return lk_clock_nl_instant(y, m, d, hh * 60 + mm);
}

static void load(lk_calendar *cal, const char *json) {
  lk_channel_row r = {0};

  snprintf(r.hours, sizeof(r.hours), "%s", json);
  assert_int_equal(lk_channel_calendar(&r, cal), 0);
}

static void test_state(void **state) {
  lk_calendar cal;
  lk_channel_state st;

  (void)state;
  load(&cal, "{\"hours\":{\"mon\":[\"09:00-12:30\",\"13:30-17:00\"],"
             "\"tue\":[\"09:00-17:00\"]}}");
  /* Monday 30 November 2026, 10:00: open until 12:30 */
  lk_channel_state_at(&cal, at(2026, 11, 30, 10, 0), &st);
  assert_true(st.open);
  assert_int_equal(st.closes_at, at(2026, 11, 30, 12, 30));
  /* at lunch: opens again at 13:30 */
  lk_channel_state_at(&cal, at(2026, 11, 30, 12, 45), &st);
  assert_false(st.open);
  assert_int_equal(st.opens_at, at(2026, 11, 30, 13, 30));
  /* Saturday: the next opening is Monday */
  lk_channel_state_at(&cal, at(2026, 11, 28, 20, 0), &st);
  assert_false(st.open);
  assert_int_equal(st.opens_at, at(2026, 11, 30, 9, 0));
  /* Christmas Day 2026 is a Friday; Monday 28 Dec opens */
  load(&cal, "{\"hours\":{\"mon\":[\"09:00-17:00\"],\"fri\":"
             "[\"09:00-17:00\"]}}");
  lk_channel_state_at(&cal, at(2026, 12, 25, 10, 0), &st);
  assert_false(st.open);
  assert_non_null(st.holiday);
  assert_string_equal(st.holiday, "Eerste Kerstdag");
  assert_int_equal(st.opens_at, at(2026, 12, 28, 9, 0));
  /* around the clock on weekend days: open until Sunday midnight */
  load(&cal, "{\"hours\":{\"sat\":[\"00:00-24:00\"],\"sun\":"
             "[\"00:00-24:00\"]}}");
  lk_channel_state_at(&cal, at(2026, 11, 28, 20, 0), &st);
  assert_true(st.open);
  assert_int_equal(st.closes_at, at(2026, 11, 30, 0, 0));
  /* no hours at all */
  load(&cal, "{\"hours\":{}}");
  lk_channel_state_at(&cal, at(2026, 11, 28, 20, 0), &st);
  assert_false(st.open);
  assert_true(st.opens_at == LK_CAL_NEVER);
}

static void test_wait(void **state) {
  lk_calendar cal;
  lk_wait w;
  int64_t now = at(2026, 11, 30, 15, 0); /* Monday */
  int64_t created[4], answered[4];

  (void)state;
  load(&cal, "{\"hours\":{\"mon\":[\"09:00-17:00\"],\"fri\":"
             "[\"09:00-17:00\"]}}");
  /* nothing to go on */
  lk_wait_compute(&cal, now, created, answered, 0, 0, &w);
  assert_false(w.known);
  /* a queue but no answers in the last hour: still nothing */
  lk_wait_compute(&cal, now, created, answered, 0, 5, &w);
  assert_false(w.known);
  /* 10, 20, 40 and 50 minutes: the median is 30 */
  for (int i = 0; i < 4; i++) {
    answered[i] = now - 10 * MIN - i * MIN;
    created[i] = answered[i] - (int64_t[]){10, 20, 40, 50}[i] * MIN;
  }
  lk_wait_compute(&cal, now, created, answered, 4, 0, &w);
  assert_true(w.known);
  assert_int_equal(w.samples, 4);
  assert_int_equal(w.answered_hour, 4);
  assert_int_equal(w.median_ms, 30 * MIN);
  assert_int_equal(w.estimate_ms, 30 * MIN);
  /* 12 waiting at 4 answers an hour: 3 hours, more than the median */
  lk_wait_compute(&cal, now, created, answered, 4, 12, &w);
  assert_int_equal(w.drain_ms, 3 * HOUR);
  assert_int_equal(w.estimate_ms, 3 * HOUR);
  /* business time: sent Friday 16:30, answered Monday 09:30 = 1 hour */
  created[0] = at(2026, 11, 27, 16, 30);
  answered[0] = at(2026, 11, 30, 9, 30);
  lk_wait_compute(&cal, now, created, answered, 1, 0, &w);
  assert_int_equal(w.median_ms, HOUR);
  assert_int_equal(w.answered_hour, 0);
  /* a channel without hours counts wall time */
  load(&cal, "{\"hours\":{}}");
  lk_wait_compute(&cal, now, created, answered, 1, 0, &w);
  assert_int_equal(w.median_ms, answered[0] - created[0]);
}

static int prepare(const char *json, lk_invalid *why) {
  lk_channel_update_op op;
  json_t *j = json_loads(json, 0, NULL);
  int rc;

  assert_non_null(j);
  rc = lk_channel_update_prepare(&op, "token:tok_x", "telefoon", j, why);
  json_decref(j);
  return rc;
}

static void test_update_checks(void **state) {
  lk_invalid why;
  lk_channel_update_op op;
  json_t *j;

  (void)state;
  assert_int_equal(prepare("{\"label\":\"T\",\"enabled\":false,"
                           "\"hours\":{\"hours\":{}}}",
                           &why),
                   0);
  assert_int_equal(prepare("{\"enabled\":false,\"hours\":{}}", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "label");
  assert_int_equal(
      prepare("{\"label\":\"T\",\"enabled\":1,\"hours\":{}}", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "enabled");
  assert_int_equal(prepare("{\"label\":\"T\",\"enabled\":true,"
                           "\"hours\":{}}",
                           &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "contact");
  assert_int_equal(prepare("{\"label\":\"T\",\"enabled\":false,\"hours\":"
                           "{\"hours\":{\"mon\":[\"9-5\"]}}}",
                           &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "hours/hours/mon");
  assert_int_equal(prepare("{\"label\":\"T\\u0007\",\"enabled\":false,"
                           "\"hours\":{}}",
                           &why),
                   LK_EINVALID);
  j = json_loads("{\"label\":\"T\",\"enabled\":true,\"hours\":{}}", 0, NULL);
  assert_int_equal(lk_channel_update_prepare(&op, "x", "fax", j, &why),
                   LK_EINVALID);
  /* a channel that needs no contact details */
  assert_int_equal(lk_channel_update_prepare(&op, "x", "chat", j, &why), 0);
  assert_true(op.row.enabled);
  assert_non_null(strstr(op.row.hours, "\"mon\":[]"));
  json_decref(j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_state),
      cmocka_unit_test(test_wait),
      cmocka_unit_test(test_update_checks),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
