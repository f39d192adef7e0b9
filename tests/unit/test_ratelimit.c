/* Unit tests for core/ratelimit.h: a sliding window driven by a fixed
 * clock, so 15 minutes pass in microseconds. */
#include "lk_test.h"

#include <pthread.h>

#include "core/ratelimit.h"

#define T0 1795000000000LL
#define MIN (60 * 1000LL)

static void test_limit_and_retry_after(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;
  int64_t stamp = 0;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(3, 15 * MIN, 64, &clock);
  assert_non_null(rl);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", &stamp), 0);
  assert_int_equal(stamp, T0);
  lk_clock_set(&clock, T0 + 1 * MIN);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  lk_clock_set(&clock, T0 + 2 * MIN);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  assert_int_equal(lk_ratelimit_count(rl, "anna"), 3);
  /* The fourth waits until the first has left the window. */
  lk_clock_set(&clock, T0 + 3 * MIN);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 12 * MIN);
  /* A refused attempt is not recorded, so it does not extend the wait. */
  assert_int_equal(lk_ratelimit_count(rl, "anna"), 3);
  lk_clock_set(&clock, T0 + 15 * MIN - 1);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 1);
  /* Sliding: at 15 min the first attempt leaves, one more is allowed,
   * and then the wait is for the second. */
  lk_clock_set(&clock, T0 + 15 * MIN);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 1 * MIN);
  /* Other keys are not affected. */
  assert_int_equal(lk_ratelimit_hit(rl, "bert", NULL), 0);
  assert_int_equal(lk_ratelimit_count(rl, "bert"), 1);
  lk_ratelimit_free(rl);
}

static void test_no_boundary_burst(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;
  int allowed = 0;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(5, 10 * MIN, 64, &clock);
  assert_non_null(rl);
  /* Five just before a fixed window's end, five just after it: a fixed
   * window would let all ten through. */
  lk_clock_set(&clock, T0 + 10 * MIN - 1);
  for (int i = 0; i < 5; i++)
    allowed += lk_ratelimit_hit(rl, "k", NULL) == 0;
  lk_clock_set(&clock, T0 + 10 * MIN + 1);
  for (int i = 0; i < 5; i++)
    allowed += lk_ratelimit_hit(rl, "k", NULL) == 0;
  assert_int_equal(allowed, 5);
  lk_ratelimit_free(rl);
}

static void test_forgive_and_reset(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;
  int64_t s1 = 0;
  int64_t s2 = 0;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(2, MIN, 64, &clock);
  assert_non_null(rl);
  assert_int_equal(lk_ratelimit_hit(rl, "addr", &s1), 0);
  lk_clock_set(&clock, T0 + 10);
  assert_int_equal(lk_ratelimit_hit(rl, "addr", &s2), 0);
  assert_true(lk_ratelimit_hit(rl, "addr", NULL) > 0);
  /* A success takes its own attempt back, and only that one. */
  lk_ratelimit_forgive(rl, "addr", s2);
  assert_int_equal(lk_ratelimit_count(rl, "addr"), 1);
  lk_ratelimit_forgive(rl, "addr", s2); /* gone: no-op */
  assert_int_equal(lk_ratelimit_count(rl, "addr"), 1);
  lk_ratelimit_forgive(rl, "nobody", s1);
  assert_int_equal(lk_ratelimit_hit(rl, "addr", NULL), 0);
  assert_true(lk_ratelimit_hit(rl, "addr", NULL) > 0);
  lk_ratelimit_reset(rl, "addr");
  assert_int_equal(lk_ratelimit_count(rl, "addr"), 0);
  assert_int_equal(lk_ratelimit_hit(rl, "addr", NULL), 0);
  lk_ratelimit_free(rl);
}

static void test_clock_stepping_back(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;

  (void)state;
  lk_clock_fixed(&clock, T0 + MIN);
  rl = lk_ratelimit_new(2, MIN, 64, &clock);
  assert_non_null(rl);
  assert_int_equal(lk_ratelimit_hit(rl, "k", NULL), 0);
  lk_clock_set(&clock, T0); /* the wall clock was set back */
  assert_int_equal(lk_ratelimit_hit(rl, "k", NULL), 0);
  /* Still limited, and the wait is never zero or negative. */
  assert_true(lk_ratelimit_hit(rl, "k", NULL) >= 1);
  lk_ratelimit_free(rl);
}

static void test_table_is_bounded(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;
  char key[32];
  int remembered = 0;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(1, 10 * MIN, 16, &clock);
  assert_non_null(rl);
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof(key), "key-%d", i);
    lk_clock_set(&clock, T0 + i);
    assert_int_equal(lk_ratelimit_hit(rl, key, NULL), 0);
  }
  /* At most 16 keys are kept; the newest survive eviction. */
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof(key), "key-%d", i);
    remembered += lk_ratelimit_count(rl, key);
  }
  assert_true(remembered <= 16);
  assert_true(remembered >= 4);
  assert_int_equal(lk_ratelimit_count(rl, "key-999"), 1);
  lk_ratelimit_free(rl);
}

static void test_bad_arguments(void **state) {
  lk_clock clock;

  (void)state;
  lk_clock_fixed(&clock, T0);
  assert_null(lk_ratelimit_new(0, MIN, 0, &clock));
  assert_null(lk_ratelimit_new(LK_RATELIMIT_MAX_HITS + 1, MIN, 0, &clock));
  assert_null(lk_ratelimit_new(1, 0, 0, &clock));
  assert_null(lk_ratelimit_new(1, MIN, 0, NULL));
  lk_ratelimit_free(NULL);
}

struct race {
  lk_ratelimit *rl;
  int allowed;
};

static void *racer(void *arg) {
  struct race *r = arg;

  for (int i = 0; i < 100; i++)
    r->allowed += lk_ratelimit_hit(r->rl, "shared", NULL) == 0;
  return NULL;
}

static void test_threads_share_one_limit(void **state) {
  lk_clock clock;
  struct race races[4];
  pthread_t th[4];
  lk_ratelimit *rl;
  int total = 0;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(10, MIN, 64, &clock);
  assert_non_null(rl);
  for (int i = 0; i < 4; i++) {
    races[i].rl = rl;
    races[i].allowed = 0;
    assert_int_equal(pthread_create(&th[i], NULL, racer, &races[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    total += races[i].allowed;
  }
  assert_int_equal(total, 10);
  lk_ratelimit_free(rl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_limit_and_retry_after),
      cmocka_unit_test(test_no_boundary_burst),
      cmocka_unit_test(test_forgive_and_reset),
      cmocka_unit_test(test_clock_stepping_back),
      cmocka_unit_test(test_table_is_bounded),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_threads_share_one_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
