/* Unit tests for core/ratelimit.h's eviction: flooding a full table with
 * distinct keys must not push out a victim's recent failures or block. */
#include "lk_test.h"

#include <stdio.h>

#include "core/ratelimit.h"

#define T0 1795000000000LL
#define MIN (60 * 1000LL)

/* `n` distinct keys, each with `hits` attempts, from `t`. */
static void flood(lk_ratelimit *rl, lk_clock *clock, int64_t t, int n,
                  int hits) {
  char key[32];

  for (int i = 0; i < n; i++) {
    snprintf(key, sizeof(key), "flood-%d", i);
    lk_clock_set(clock, t + i);
    for (int j = 0; j < hits; j++)
      lk_ratelimit_hit(rl, key, NULL);
  }
}

static void test_failures_survive_a_flood(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(3, 15 * MIN, 4, &clock); /* one set of 4 */
  assert_non_null(rl);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  flood(rl, &clock, T0 + 1, 1000, 1);
  assert_int_equal(lk_ratelimit_count(rl, "anna"), 2);
  /* The third failure still blocks the fourth attempt. */
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  assert_true(lk_ratelimit_hit(rl, "anna", NULL) > 0);
  lk_ratelimit_free(rl);
}

static void test_block_survives_a_flood(void **state) {
  lk_clock clock;
  lk_ratelimit *rl;

  (void)state;
  lk_clock_fixed(&clock, T0);
  rl = lk_ratelimit_new(3, 15 * MIN, 4, &clock);
  assert_non_null(rl);
  for (int i = 0; i < 3; i++)
    assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  /* Even keys that get themselves blocked do not push the block out. */
  flood(rl, &clock, T0 + MIN, 1000, 3);
  lk_clock_set(&clock, T0 + 2 * MIN);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 13 * MIN);
  /* It ends with its window. */
  lk_clock_set(&clock, T0 + 15 * MIN);
  assert_int_equal(lk_ratelimit_hit(rl, "anna", NULL), 0);
  lk_ratelimit_free(rl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_failures_survive_a_flood),
      cmocka_unit_test(test_block_survives_a_flood),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
