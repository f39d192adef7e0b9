/* test_token_cache.c - the verified-token cache and its invalidation. */
#include "lk_test.h"

#include "core/ids.h"
#include "core/token.h"
#include "core/token_cache.h"
#include "events/bus.h"
#include "store/store.h"

typedef struct fixture {
  lk_test_dir dir;
  lk_bus *bus;
  lk_store *store;
  lk_token_cache *cache;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof(*fx));
  lk_store_options opt = {0};

  if (fx == NULL || lk_ids_init() != 0)
    return -1;
  lk_test_dir_make(&fx->dir);
  fx->bus = lk_bus_create(64);
  opt.dir = fx->dir.path;
  opt.group_commit = true;
  opt.on_events = lk_bus_publish_row;
  opt.on_events_ud = fx->bus;
  if (fx->bus == NULL || lk_store_open(&opt, &fx->store) != 0)
    return -1;
  fx->cache = lk_token_cache_new(fx->store, fx->bus);
  *state = fx;
  return fx->cache != NULL ? 0 : -1;
}

static int teardown(void **state) {
  fixture *fx = *state;

  lk_store_close(fx->store);
  lk_token_cache_free(fx->cache);
  lk_bus_destroy(fx->bus);
  lk_test_dir_remove(&fx->dir);
  free(fx);
  return 0;
}

static void create_token(fixture *fx, lk_token_create_op *op) {
  lk_invalid why;

  assert_int_equal(lk_token_create_prepare(op, "test", "t", NULL, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_token_create_apply, op), 0);
}

static void revoke_token(fixture *fx, const char *id) {
  lk_token_revoke_op op;
  lk_invalid why;

  assert_int_equal(lk_token_revoke_prepare(&op, "test", id, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_token_revoke_apply, &op), 0);
}

static void test_verify_and_cache_hit(void **state) {
  fixture *fx = *state;
  lk_token_create_op op;
  lk_token_row t;

  create_token(fx, &op);
  assert_int_equal(lk_token_cache_verify(fx->cache, op.secret, &t), 0);
  assert_string_equal(t.id, op.token.id);
  /* Second time from memory: the same answer. */
  memset(&t, 0, sizeof(t));
  assert_int_equal(lk_token_cache_verify(fx->cache, op.secret, &t), 0);
  assert_string_equal(t.id, op.token.id);
  assert_string_equal(t.scopes, "api events");
}

static void test_unknown_and_malformed(void **state) {
  fixture *fx = *state;
  lk_token_row t;

  assert_int_equal(lk_token_cache_verify(fx->cache, "lkt_nope", &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_token_cache_verify(fx->cache, "", &t), LK_STORE_NOTFOUND);
  assert_int_equal(lk_token_cache_verify(fx->cache, "Bearer x", &t),
                   LK_STORE_NOTFOUND);
}

/* A revocation holds as soon as its write is acknowledged, even for a
 * token that was cached. */
static void test_revoke_evicts_at_once(void **state) {
  fixture *fx = *state;
  lk_token_create_op a;
  lk_token_create_op b;
  lk_token_row t;

  create_token(fx, &a);
  create_token(fx, &b);
  assert_int_equal(lk_token_cache_verify(fx->cache, a.secret, &t), 0);
  assert_int_equal(lk_token_cache_verify(fx->cache, b.secret, &t), 0);
  revoke_token(fx, a.token.id);
  assert_int_equal(lk_token_cache_verify(fx->cache, a.secret, &t),
                   LK_STORE_NOTFOUND);
  /* The other token stays valid. */
  assert_int_equal(lk_token_cache_verify(fx->cache, b.secret, &t), 0);
  assert_string_equal(t.id, b.token.id);
}

/* Many tokens share the table's slots; each still verifies as itself. */
static void test_collisions(void **state) {
  fixture *fx = *state;
  enum { N = 300 };
  lk_token_create_op *ops = calloc(N, sizeof(*ops));
  lk_token_row t;

  assert_non_null(ops);
  for (int i = 0; i < N; i++)
    create_token(fx, &ops[i]);
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < N; i++) {
      assert_int_equal(lk_token_cache_verify(fx->cache, ops[i].secret, &t), 0);
      assert_string_equal(t.id, ops[i].token.id);
    }
  }
  free(ops);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_verify_and_cache_hit, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unknown_and_malformed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_revoke_evicts_at_once, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_collisions, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
