/* Unit tests for core/token.h: validation, scopes, and the create, verify
 * and revoke cycle through a real store. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <jansson.h>
#include <pthread.h>

#include "core/ids.h"
#include "core/token.h"

/* ---- validation ----------------------------------------------------- */

static void expect_invalid(const char *name, const char *scopes,
                           const char *field) {
  lk_token_create_op op;
  lk_invalid why = {NULL, NULL};

  if (lk_token_create_prepare(&op, "cli", name, scopes, &why) != LK_EINVALID)
    fail_msg("accepted name \"%s\" scopes \"%s\"", name,
             scopes ? scopes : "(default)");
  assert_non_null(why.field);
  assert_string_equal(why.field, field);
  assert_non_null(why.reason);
  assert_true(strlen(why.reason) > 0);
}

static void test_prepare_fills_op(void **state) {
  lk_token_create_op op;
  lk_invalid why = {NULL, NULL};
  char hash[65];

  (void)state;
  assert_int_equal(
      lk_token_create_prepare(&op, "cli", "CRM koppeling", NULL, &why), 0);
  assert_null(why.field);
  assert_string_equal(op.actor, "cli");
  assert_string_equal(op.token.name, "CRM koppeling");
  assert_string_equal(op.token.scopes, "api events");
  assert_int_equal(strlen(op.token.id), LK_TOKEN_ID_LEN);
  assert_true(strncmp(op.token.id, "tok_", 4) == 0);
  assert_true(strncmp(op.secret, "lkt_", 4) == 0);
  assert_int_equal(strlen(op.secret), 4 + 32); /* 192 bits */
  /* Only the digest is for storing. */
  lk_secret_hash(op.secret, hash);
  assert_string_equal(op.secret_hash, hash);
  assert_null(strstr(op.secret_hash, op.secret + 4));
  assert_int_equal(op.token.revoked_at, 0);
}

static void test_prepare_scopes_given(void **state) {
  static const char *good[] = {"api",        "events",           "admin",
                               "events api", "api events admin", "admin api"};
  lk_token_create_op op;
  lk_invalid why;

  (void)state;
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    assert_int_equal(lk_token_create_prepare(&op, "cli", "n", good[i], &why),
                     0);
    assert_string_equal(op.token.scopes, good[i]);
  }
}

static void test_prepare_rejects_names(void **state) {
  char name[LK_NAME_MAX + 2];
  lk_token_create_op op;
  lk_invalid why;

  (void)state;
  expect_invalid("", NULL, "name");
  expect_invalid("line\nbreak", NULL, "name");
  expect_invalid("tab\there", NULL, "name");
  expect_invalid("\x1b[31mred", NULL, "name");
  expect_invalid("del\x7f", NULL, "name");
  expect_invalid("bad \xff utf8", NULL, "name");
  expect_invalid("\xc0\xaf", NULL, "name");
  expect_invalid("\xed\xa0\x80", NULL, "name");
  /* 100 bytes is the limit. */
  memset(name, 'n', LK_NAME_MAX);
  name[LK_NAME_MAX] = '\0';
  assert_int_equal(lk_token_create_prepare(&op, "cli", name, NULL, &why), 0);
  assert_string_equal(op.token.name, name);
  name[LK_NAME_MAX] = 'n';
  name[LK_NAME_MAX + 1] = '\0';
  expect_invalid(name, NULL, "name");
  /* 99 bytes and a two-byte character make 101. */
  memset(name, 'n', LK_NAME_MAX - 1);
  memcpy(name + LK_NAME_MAX - 1, "\xc3\xa9", 3);
  expect_invalid(name, NULL, "name");
}

static void test_prepare_rejects_scopes(void **state) {
  (void)state;
  expect_invalid("n", "", "scopes");
  expect_invalid("n", "root", "scopes");
  expect_invalid("n", "api bogus", "scopes");
  expect_invalid("n", "API", "scopes");
  expect_invalid("n", "ap", "scopes");
  expect_invalid("n", "apis", "scopes");
  expect_invalid("n", "api api", "scopes");
  expect_invalid("n", "api events api", "scopes");
  expect_invalid("n", "events api events", "scopes");
  expect_invalid("n", "api ", "scopes");
  expect_invalid("n", " api", "scopes");
  expect_invalid("n", "api  events", "scopes");
  expect_invalid("n", " ", "scopes");
  expect_invalid("n", "api,events", "scopes");
  expect_invalid("n", "api\tevents", "scopes");
  expect_invalid("n", "api\nevents", "scopes");
}

static void test_has_scope(void **state) {
  lk_token_row t;

  (void)state;
  memset(&t, 0, sizeof(t));
  snprintf(t.scopes, sizeof(t.scopes), "api events");
  assert_true(lk_token_has_scope(&t, "api"));
  assert_true(lk_token_has_scope(&t, "events"));
  assert_false(lk_token_has_scope(&t, "admin"));
  assert_false(lk_token_has_scope(&t, "ap"));
  assert_false(lk_token_has_scope(&t, "api events"));
  assert_false(lk_token_has_scope(&t, "event"));

  snprintf(t.scopes, sizeof(t.scopes), "events");
  assert_false(lk_token_has_scope(&t, "api"));
  assert_true(lk_token_has_scope(&t, "events"));

  /* admin grants every scope. */
  snprintf(t.scopes, sizeof(t.scopes), "admin");
  assert_true(lk_token_has_scope(&t, "api"));
  assert_true(lk_token_has_scope(&t, "events"));
  assert_true(lk_token_has_scope(&t, "admin"));
  snprintf(t.scopes, sizeof(t.scopes), "api admin");
  assert_true(lk_token_has_scope(&t, "events"));
  /* ...but only as a whole word. */
  snprintf(t.scopes, sizeof(t.scopes), "admins");
  assert_false(lk_token_has_scope(&t, "api"));
  snprintf(t.scopes, sizeof(t.scopes), "admi");
  assert_false(lk_token_has_scope(&t, "api"));

  t.scopes[0] = '\0';
  assert_false(lk_token_has_scope(&t, "api"));
}

static void test_revoke_prepare(void **state) {
  lk_token_revoke_op op;
  lk_invalid why = {NULL, NULL};

  (void)state;
  assert_int_equal(
      lk_token_revoke_prepare(&op, "cli", "tok_0123456789abcdef", &why), 0);
  assert_string_equal(op.id, "tok_0123456789abcdef");
  assert_string_equal(op.actor, "cli");
  assert_int_equal(lk_token_revoke_prepare(&op, "cli", "tok_1", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "id");
  why.field = NULL;
  assert_int_equal(
      lk_token_revoke_prepare(&op, "cli", "usr_0123456789abcdef", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "id");
  assert_int_equal(
      lk_token_revoke_prepare(&op, "cli", "tok_0123456789abcdef0", &why),
      LK_EINVALID);
  assert_int_equal(lk_token_revoke_prepare(&op, "cli", "", &why), LK_EINVALID);
}

static void test_token_json(void **state) {
  lk_token_row t;
  lk_buf b = LK_BUF_INIT;
  json_t *v;
  json_t *scopes;

  (void)state;
  memset(&t, 0, sizeof(t));
  snprintf(t.id, sizeof(t.id), "tok_0123456789abcdef");
  snprintf(t.name, sizeof(t.name), "say \"hi\" \\ </script>");
  snprintf(t.scopes, sizeof(t.scopes), "api events");
  t.created_at = 1700000000000;
  lk_token_json(&b, &t);
  v = json_loads(b.data, JSON_REJECT_DUPLICATES, NULL);
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "id")), t.id);
  assert_string_equal(json_string_value(json_object_get(v, "name")), t.name);
  scopes = json_object_get(v, "scopes");
  assert_int_equal(json_array_size(scopes), 2);
  assert_string_equal(json_string_value(json_array_get(scopes, 0)), "api");
  assert_string_equal(json_string_value(json_array_get(scopes, 1)), "events");
  assert_true(json_integer_value(json_object_get(v, "createdAt")) ==
              1700000000000);
  assert_true(json_is_null(json_object_get(v, "revokedAt")));
  /* The secret and its digest are never part of it. */
  assert_int_equal(json_object_size(v), 5);
  json_decref(v);

  lk_buf_reset(&b);
  t.revoked_at = 1800000000000;
  snprintf(t.scopes, sizeof(t.scopes), "admin");
  lk_token_json(&b, &t);
  v = json_loads(b.data, 0, NULL);
  assert_non_null(v);
  assert_true(json_integer_value(json_object_get(v, "revokedAt")) ==
              1800000000000);
  assert_int_equal(json_array_size(json_object_get(v, "scopes")), 1);
  json_decref(v);
  lk_buf_free(&b);
}

/* ---- through the store ---------------------------------------------- */

static void create(fixture *fx, const char *name, const char *scopes,
                   lk_token_create_op *op) {
  lk_invalid why;

  assert_int_equal(lk_token_create_prepare(op, "cli", name, scopes, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_token_create_apply, op), 0);
}

static void test_create_then_verify(void **state) {
  fixture *fx = *state;
  lk_token_create_op op;
  lk_token_row t;

  create(fx, "Zaaksysteem", "api", &op);
  assert_true(op.token.created_at > 0);
  memset(&t, 0, sizeof(t));
  assert_int_equal(lk_token_verify(fx->store, op.secret, &t), 0);
  assert_string_equal(t.id, op.token.id);
  assert_string_equal(t.name, "Zaaksysteem");
  assert_string_equal(t.scopes, "api");
  assert_true(t.created_at == op.token.created_at);
  assert_int_equal(t.revoked_at, 0);
  assert_true(lk_token_has_scope(&t, "api"));
  assert_false(lk_token_has_scope(&t, "events"));
  /* The store has the token under its id as well. */
  assert_int_equal(lk_store_token_get(fx->store, op.token.id, &t), 0);
}

static void test_verify_rejects_wrong_secrets(void **state) {
  fixture *fx = *state;
  lk_token_create_op op;
  lk_token_row t;
  char secret[LK_TOKEN_SECRET_MAX + 8];
  size_t len;

  create(fx, "CRM", NULL, &op);
  len = strlen(op.secret);
  /* One character off, at the start and at the end. */
  snprintf(secret, sizeof(secret), "%s", op.secret);
  secret[4] = secret[4] == 'A' ? 'B' : 'A';
  assert_int_equal(lk_token_verify(fx->store, secret, &t), LK_STORE_NOTFOUND);
  snprintf(secret, sizeof(secret), "%s", op.secret);
  secret[len - 1] = secret[len - 1] == 'A' ? 'B' : 'A';
  assert_int_equal(lk_token_verify(fx->store, secret, &t), LK_STORE_NOTFOUND);
  /* Truncated, extended, without prefix, empty. */
  snprintf(secret, sizeof(secret), "%.*s", (int)(len - 1), op.secret);
  assert_int_equal(lk_token_verify(fx->store, secret, &t), LK_STORE_NOTFOUND);
  snprintf(secret, sizeof(secret), "%sx", op.secret);
  assert_int_equal(lk_token_verify(fx->store, secret, &t), LK_STORE_NOTFOUND);
  assert_int_equal(lk_token_verify(fx->store, op.secret + 4, &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_token_verify(fx->store, "", &t), LK_STORE_NOTFOUND);
  assert_int_equal(lk_token_verify(fx->store, "lkt_", &t), LK_STORE_NOTFOUND);
  /* The digest itself is not a credential. */
  assert_int_equal(lk_token_verify(fx->store, op.secret_hash, &t),
                   LK_STORE_NOTFOUND);
  /* Far too long. */
  memset(secret, 'a', sizeof(secret) - 1);
  memcpy(secret, "lkt_", 4);
  secret[sizeof(secret) - 1] = '\0';
  assert_int_equal(lk_token_verify(fx->store, secret, &t), LK_STORE_NOTFOUND);
  /* And the right one still works. */
  assert_int_equal(lk_token_verify(fx->store, op.secret, &t), 0);
}

static void test_revoke_makes_verify_fail(void **state) {
  fixture *fx = *state;
  lk_token_create_op a;
  lk_token_create_op b;
  lk_token_revoke_op rev;
  lk_invalid why;
  lk_token_row t;

  create(fx, "first", "api", &a);
  create(fx, "second", "events", &b);
  assert_string_not_equal(a.token.id, b.token.id);
  assert_string_not_equal(a.secret, b.secret);
  assert_int_equal(lk_token_revoke_prepare(&rev, "cli", a.token.id, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_token_revoke_apply, &rev), 0);
  assert_int_equal(lk_token_verify(fx->store, a.secret, &t), LK_STORE_NOTFOUND);
  assert_int_equal(lk_token_verify(fx->store, b.secret, &t), 0);
  assert_string_equal(t.id, b.token.id);
  /* Still listed, now with a revocation time. */
  assert_int_equal(lk_store_token_get(fx->store, a.token.id, &t), 0);
  assert_true(t.revoked_at >= t.created_at);
  assert_true(t.revoked_at > 0);
  /* A second revocation, or of an unknown id, finds nothing. */
  assert_int_equal(lk_store_write(fx->store, lk_token_revoke_apply, &rev),
                   LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_token_revoke_prepare(&rev, "cli", "tok_ffffffffffffffff", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_token_revoke_apply, &rev),
                   LK_STORE_NOTFOUND);
}

static void test_changes_emit_events(void **state) {
  fixture *fx = *state;
  lk_token_create_op op;
  lk_token_revoke_op rev;
  lk_invalid why;
  json_t *v;

  create(fx, "events", "events", &op);
  assert_int_equal(lk_token_revoke_prepare(&rev, "cli", op.token.id, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_token_revoke_apply, &rev), 0);
  /* A failed revocation emits nothing. */
  assert_int_equal(lk_store_write(fx->store, lk_token_revoke_apply, &rev),
                   LK_STORE_NOTFOUND);
  /* One more write: events arrive in order, so when its event is the
   * third, the failed revocation emitted nothing. */
  create(fx, "barrier", NULL, &op);
  wait_events(fx, 3);
  assert_string_equal(fx->types[0], "token.created");
  assert_string_equal(fx->types[1], "token.revoked");
  assert_string_equal(fx->types[2], "token.created");

  v = json_loads(fx->payloads[0], JSON_REJECT_DUPLICATES, NULL);
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "id")), rev.id);
  assert_string_equal(json_string_value(json_object_get(v, "name")), "events");
  json_decref(v);
  /* Payloads never carry the secret or its digest. */
  assert_null(strstr(fx->payloads[0], "lkt_"));
  assert_null(strstr(fx->payloads[0], "secret"));
  v = json_loads(fx->payloads[1], JSON_REJECT_DUPLICATES, NULL);
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "id")), rev.id);
  assert_true(json_integer_value(json_object_get(v, "revokedAt")) > 0);
  json_decref(v);
}

static void count_token(const lk_token_row *t, void *ud) {
  (void)t;
  (*(int *)ud)++;
}

static void test_create_conflict_rolls_back(void **state) {
  fixture *fx = *state;
  lk_token_create_op op;
  lk_token_create_op again;
  lk_token_row t;
  int n = 0;

  create(fx, "one", NULL, &op);
  /* The same op twice: the id is taken, and nothing of it remains. */
  memcpy(&again, &op, sizeof(op));
  assert_int_equal(lk_store_write(fx->store, lk_token_create_apply, &again),
                   LK_STORE_CONFLICT);
  assert_int_equal(lk_token_verify(fx->store, op.secret, &t), 0);
  assert_int_equal(lk_store_token_list(fx->store, "", 10, count_token, &n), 1);
  assert_int_equal(n, 1);
  /* Its event went with it: the next one follows the first directly. */
  create(fx, "two", NULL, &op);
  wait_events(fx, 2);
  assert_string_equal(fx->types[1], "token.created");
  assert_non_null(strstr(fx->payloads[1], "\"two\""));
}

int main(void) {
#define S(name)                                                                \
  cmocka_unit_test_setup_teardown(name, setup_store, teardown_store)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prepare_fills_op),
      cmocka_unit_test(test_prepare_scopes_given),
      cmocka_unit_test(test_prepare_rejects_names),
      cmocka_unit_test(test_prepare_rejects_scopes),
      cmocka_unit_test(test_has_scope),
      cmocka_unit_test(test_revoke_prepare),
      cmocka_unit_test(test_token_json),
      S(test_create_then_verify),
      S(test_verify_rejects_wrong_secrets),
      S(test_revoke_makes_verify_fail),
      S(test_changes_emit_events),
      S(test_create_conflict_rolls_back),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
