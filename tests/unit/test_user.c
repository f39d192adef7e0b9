/* Unit tests for core/user.h: account validation, e-mail normalisation and
 * password checks.  argon2id costs ~0.1 s and 64 MB per hash, so only a
 * handful of tests hash anything. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <jansson.h>
#include <pthread.h>

#include "core/ids.h"
#include "core/user.h"

#define PASSWORD "correct horse battery"

/* ---- validation (no hashing: it fails first) ------------------------ */

static void expect_invalid(const char *email, const char *role,
                           const char *name, const char *password,
                           const char *field) {
  lk_user_add_op op;
  lk_invalid why = {NULL, NULL};
  int rc = lk_user_add_prepare(&op, "cli", email, role, name, password, &why);

  if (rc != LK_EINVALID)
    fail_msg("accepted %s / %s / %s (rc %d)", email, role, name, rc);
  assert_non_null(why.field);
  assert_string_equal(why.field, field);
  assert_true(why.reason != NULL && strlen(why.reason) > 0);
}

static void test_role_valid(void **state) {
  (void)state;
  assert_true(lk_user_role_valid("agent"));
  assert_true(lk_user_role_valid("supervisor"));
  assert_true(lk_user_role_valid("admin"));
  assert_false(lk_user_role_valid(""));
  assert_false(lk_user_role_valid("root"));
  assert_false(lk_user_role_valid("Admin"));
  assert_false(lk_user_role_valid("admin "));
  assert_false(lk_user_role_valid("adm"));
}

static void test_rejects_email(void **state) {
  static const char *bad[] = {
      "",
      "plain",
      "@example.org",
      "anna@",
      "anna@localhost",
      "anna@@example.org",
      "anna@b@example.org",
      "anna@.example.org",
      "anna@example.org.",
      "an na@example.org",
      "anna@exa mple.org",
      " anna@example.org",
      "anna\n@example.org",
      "anna@example.org\r",
      "anna\x7f@example.org",
      "\xff@example.org",
      "anna@ex\xc0\xaf"
      "ample.org",
  };
  char longest[LK_EMAIL_MAX + 2];

  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect_invalid(bad[i], "agent", "Anna", PASSWORD, "email");
  /* 255 bytes is one too many. */
  memset(longest, 'a', sizeof(longest) - 1);
  longest[sizeof(longest) - 1] = '\0';
  memcpy(longest + sizeof(longest) - 1 - 12, "@example.org", 12);
  assert_int_equal(strlen(longest), LK_EMAIL_MAX + 1);
  expect_invalid(longest, "agent", "Anna", PASSWORD, "email");
}

static void test_rejects_role_and_name(void **state) {
  char name[LK_NAME_MAX + 2];

  (void)state;
  expect_invalid("anna@example.org", "root", "Anna", PASSWORD, "role");
  expect_invalid("anna@example.org", "", "Anna", PASSWORD, "role");
  expect_invalid("anna@example.org", "AGENT", "Anna", PASSWORD, "role");
  expect_invalid("anna@example.org", "agent", "An\nna", PASSWORD, "name");
  expect_invalid("anna@example.org", "agent", "\x1b[1mAnna", PASSWORD, "name");
  expect_invalid("anna@example.org", "agent", "Ann\xe9", PASSWORD, "name");
  memset(name, 'n', sizeof(name) - 1);
  name[sizeof(name) - 1] = '\0';
  expect_invalid("anna@example.org", "agent", name, PASSWORD, "name");
}

static void test_rejects_password_length(void **state) {
  char *longest = malloc(LK_PASSWORD_MAX + 2);

  (void)state;
  assert_non_null(longest);
  expect_invalid("anna@example.org", "agent", "Anna", "", "password");
  expect_invalid("anna@example.org", "agent", "Anna", "elevenchars",
                 "password");
  memset(longest, 'p', LK_PASSWORD_MAX + 1);
  longest[LK_PASSWORD_MAX + 1] = '\0';
  expect_invalid("anna@example.org", "agent", "Anna", longest, "password");
  free(longest);
}

/* ---- through the store ---------------------------------------------- */

static void test_add_and_check_password(void **state) {
  fixture *fx = *state;
  lk_user_add_op op;
  lk_user_add_op dup;
  lk_user_row u;
  lk_user_row untouched;
  lk_invalid why = {NULL, NULL};
  json_t *v;

  /* Hash 1. */
  assert_int_equal(lk_user_add_prepare(&op, "cli", "Anna.De.Vries@Example.ORG",
                                       "supervisor", "Anna de Vries",
                                       "exactly12chr", &why),
                   0);
  assert_null(why.field);
  assert_string_equal(op.user.email, "anna.de.vries@example.org");
  assert_string_equal(op.user.role, "supervisor");
  assert_string_equal(op.user.display_name, "Anna de Vries");
  assert_true(strncmp(op.user.id, "usr_", 4) == 0);
  assert_int_equal(strlen(op.user.id), LK_USER_ID_LEN);
  assert_true(strncmp(op.password_hash, "$argon2id$", 10) == 0);
  assert_null(strstr(op.password_hash, "exactly12chr"));
  assert_int_equal(lk_store_write(fx->store, lk_user_add_apply, &op), 0);
  assert_true(op.user.created_at > 0);
  assert_true(op.user.password_changed_at == op.user.created_at);

  /* Hashes 2 and 3: log-in ignores the case of the address. */
  memset(&u, 0, sizeof(u));
  assert_int_equal(lk_user_check_password(fx->store,
                                          "anna.de.vries@example.org",
                                          "exactly12chr", &u),
                   0);
  assert_string_equal(u.id, op.user.id);
  assert_string_equal(u.email, "anna.de.vries@example.org");
  assert_string_equal(u.role, "supervisor");
  assert_string_equal(u.display_name, "Anna de Vries");
  assert_int_equal(u.disabled_at, 0);
  assert_int_equal(lk_user_check_password(fx->store,
                                          "ANNA.DE.VRIES@EXAMPLE.ORG",
                                          "exactly12chr", &u),
                   0);

  /* Hash 4: a wrong password and an unknown address look the same, and
   * leave the output alone. */
  memset(&u, 0x5a, sizeof(u));
  memcpy(&untouched, &u, sizeof(u));
  assert_int_equal(lk_user_check_password(fx->store,
                                          "anna.de.vries@example.org",
                                          "exactly12chR", &u),
                   LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_user_check_password(fx->store, "bob@example.org", "exactly12chr", &u),
      LK_STORE_NOTFOUND);
  assert_int_equal(lk_user_check_password(fx->store, "", "exactly12chr", &u),
                   LK_STORE_NOTFOUND);
  assert_memory_equal(&u, &untouched, sizeof(u));

  /* The address is taken whatever its case was. */
  memcpy(&dup, &op, sizeof(op));
  lk_id_new(dup.user.id, sizeof(dup.user.id), "usr_");
  assert_int_equal(lk_store_write(fx->store, lk_user_add_apply, &dup),
                   LK_STORE_CONFLICT);

  /* One event, without the password or its hash. */
  pthread_mutex_lock(&fx->lock);
  while (fx->nevents < 1)
    pthread_cond_wait(&fx->cond, &fx->lock);
  pthread_mutex_unlock(&fx->lock);
  assert_string_equal(fx->types[0], "user.created");
  assert_null(strstr(fx->payloads[0], "argon2"));
  assert_null(strstr(fx->payloads[0], "exactly12chr"));
  v = json_loads(fx->payloads[0], JSON_REJECT_DUPLICATES, NULL);
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "id")), op.user.id);
  assert_string_equal(json_string_value(json_object_get(v, "email")),
                      "anna.de.vries@example.org");
  json_decref(v);
}

static void test_longest_password_and_address(void **state) {
  fixture *fx = *state;
  char *password = malloc(LK_PASSWORD_MAX + 1);
  char email[LK_EMAIL_MAX + 2];
  lk_user_add_op op;
  lk_user_row u;
  lk_invalid why;

  assert_non_null(password);
  memset(password, 'p', LK_PASSWORD_MAX);
  password[LK_PASSWORD_MAX] = '\0';
  memset(email, 'a', LK_EMAIL_MAX);
  memcpy(email + LK_EMAIL_MAX - 12, "@example.org", 13);
  assert_int_equal(strlen(email), LK_EMAIL_MAX);
  /* Hash 5: the limits are inclusive; the display name is optional. */
  assert_int_equal(
      lk_user_add_prepare(&op, "cli", email, "agent", "", password, &why), 0);
  assert_string_equal(op.user.display_name, "");
  assert_int_equal(lk_store_write(fx->store, lk_user_add_apply, &op), 0);
  /* An address longer than any stored one is unknown, not cut down to
   * one that exists. */
  email[LK_EMAIL_MAX] = 'x';
  email[LK_EMAIL_MAX + 1] = '\0';
  assert_int_equal(lk_user_check_password(fx->store, email, password, &u),
                   LK_STORE_NOTFOUND);
  free(password);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_role_valid),
      cmocka_unit_test(test_rejects_email),
      cmocka_unit_test(test_rejects_role_and_name),
      cmocka_unit_test(test_rejects_password_length),
      cmocka_unit_test_setup_teardown(test_add_and_check_password, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_longest_password_and_address,
                                      setup_store, teardown_store),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
