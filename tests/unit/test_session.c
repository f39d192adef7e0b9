/* Unit tests for core/session.h: ids, CSRF tokens, time-outs, scopes, and
 * the writes that start and end sessions, through a real store.  argon2id
 * costs ~0.1 s per hash, so only two tests hash anything. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <jansson.h>
#include <sqlite3.h>

#include "core/ids.h"
#include "core/session.h"
#include "core/user.h"
#include "store/sessions.h"

#define PASSWORD "correct horse battery"
#define MIN (60 * 1000LL)

static const lk_session_config cfg = {30 * MIN, 12 * 60 * MIN};

/* ---- ids and tokens ------------------------------------------------- */

static void test_ids(void **state) {
  char a[LK_SESSION_ID_LEN + 1];
  char b[LK_SESSION_ID_LEN + 1];
  char hash[65];
  char hash2[65];

  (void)state;
  lk_session_id_new(a);
  lk_session_id_new(b);
  assert_int_equal(strlen(a), LK_SESSION_ID_LEN);
  assert_true(lk_session_id_valid(a));
  assert_string_not_equal(a, b);
  assert_int_equal(lk_session_digest(a, hash), 0);
  assert_int_equal(strlen(hash), 64);
  assert_null(strstr(hash, a));
  lk_secret_hash(a, hash2);
  assert_string_equal(hash, hash2);
  assert_false(lk_session_id_valid(""));
  assert_false(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAAA"));   /* 21 */
  assert_false(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAAAAA")); /* 23 */
  assert_false(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAAA="));
  assert_false(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAAA "));
  assert_false(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAAA;"));
  assert_false(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAA\xc3\xa9"));
  assert_true(lk_session_id_valid("AAAAAAAAAAAAAAAAAAAA-_"));
  assert_int_equal(lk_session_digest("short", hash), -1);
}

static void test_csrf_tokens(void **state) {
  char id[LK_SESSION_ID_LEN + 1];
  char other[LK_SESSION_ID_LEN + 1];
  char t1[LK_CSRF_TOKEN_LEN + 1];
  char t2[LK_CSRF_TOKEN_LEN + 1];
  char t3[LK_CSRF_TOKEN_LEN + 1];
  char bad[LK_CSRF_TOKEN_LEN + 2];

  (void)state;
  lk_session_id_new(id);
  lk_session_id_new(other);
  lk_session_csrf_token(id, t1);
  lk_session_csrf_token(id, t2);
  lk_session_csrf_token(other, t3);
  assert_int_equal(strlen(t1), LK_CSRF_TOKEN_LEN);
  assert_string_equal(t1, t2); /* derived, so stable for the session */
  assert_string_not_equal(t1, t3);
  assert_null(strstr(t1, id));
  assert_true(lk_session_csrf_ok(id, t1));
  assert_false(lk_session_csrf_ok(other, t1));
  assert_false(lk_session_csrf_ok(id, NULL));
  assert_false(lk_session_csrf_ok(id, ""));
  assert_false(lk_session_csrf_ok(id, id));
  assert_false(lk_session_csrf_ok("not an id", t1));
  /* One character off anywhere, one too few or too many. */
  for (size_t i = 0; i < LK_CSRF_TOKEN_LEN; i++) {
    memcpy(bad, t1, sizeof(t1));
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    assert_false(lk_session_csrf_ok(id, bad));
  }
  memcpy(bad, t1, sizeof(t1));
  bad[LK_CSRF_TOKEN_LEN - 1] = '\0';
  assert_false(lk_session_csrf_ok(id, bad));
  memcpy(bad, t1, LK_CSRF_TOKEN_LEN);
  bad[LK_CSRF_TOKEN_LEN] = 'x';
  bad[LK_CSRF_TOKEN_LEN + 1] = '\0';
  assert_false(lk_session_csrf_ok(id, bad));
}

static void test_secret_equal(void **state) {
  (void)state;
  assert_true(lk_secret_equal("abc", "abc"));
  assert_true(lk_secret_equal("", ""));
  assert_false(lk_secret_equal("abc", "abd"));
  assert_false(lk_secret_equal("abc", "ab"));
  assert_false(lk_secret_equal("ab", "abc"));
  assert_false(lk_secret_equal("", "a"));
}

/* ---- time-outs and scopes ----------------------------------------------- */

static void test_check_states(void **state) {
  lk_session_row r = {0};
  int64_t t0 = 1795000000000LL;

  (void)state;
  r.created_at = t0;
  r.last_seen_at = t0;
  r.expires_at = t0 + cfg.absolute_ms;
  assert_int_equal(lk_session_check(&r, &cfg, t0), LK_SESSION_ACTIVE);
  assert_int_equal(lk_session_check(&r, &cfg, t0 + 30 * MIN - 1),
                   LK_SESSION_ACTIVE);
  assert_int_equal(lk_session_check(&r, &cfg, t0 + 30 * MIN), LK_SESSION_IDLE);
  /* Active all day long still ends at the absolute time-out. */
  r.last_seen_at = t0 + 12 * 60 * MIN - 1;
  assert_int_equal(lk_session_check(&r, &cfg, t0 + 12 * 60 * MIN - 1),
                   LK_SESSION_ACTIVE);
  assert_int_equal(lk_session_check(&r, &cfg, t0 + 12 * 60 * MIN),
                   LK_SESSION_EXPIRED);
  r.last_seen_at = t0;
  r.user.disabled_at = t0;
  assert_int_equal(lk_session_check(&r, &cfg, t0), LK_SESSION_DISABLED);
}

static void test_touch_interval(void **state) {
  lk_session_row r = {0};
  lk_session_config quick = {2000, 60000};
  int64_t t0 = 1795000000000LL;

  (void)state;
  r.last_seen_at = t0;
  /* A tenth of 30 minutes is 3, capped at 1 minute. */
  assert_false(lk_session_needs_touch(&r, &cfg, t0 + MIN - 1));
  assert_true(lk_session_needs_touch(&r, &cfg, t0 + MIN));
  /* A 2 s idle time-out: refreshed after 200 ms. */
  assert_false(lk_session_needs_touch(&r, &quick, t0 + 199));
  assert_true(lk_session_needs_touch(&r, &quick, t0 + 200));
}

static void test_scopes(void **state) {
  (void)state;
  assert_true(lk_session_has_scope("agent", "api"));
  assert_true(lk_session_has_scope("agent", "events"));
  assert_false(lk_session_has_scope("agent", "confidential"));
  assert_false(lk_session_has_scope("agent", "admin"));
  assert_true(lk_session_has_scope("supervisor", "api"));
  assert_true(lk_session_has_scope("supervisor", "confidential"));
  assert_false(lk_session_has_scope("supervisor", "admin"));
  assert_true(lk_session_has_scope("admin", "api"));
  assert_true(lk_session_has_scope("admin", "events"));
  assert_true(lk_session_has_scope("admin", "confidential"));
  assert_true(lk_session_has_scope("admin", "admin"));
  assert_false(lk_session_has_scope("admin", "everything"));
  assert_false(lk_session_has_scope("", "api"));
  assert_false(lk_session_has_scope("system", "api"));
}

static void expect_update_invalid(const char *self, const char *id,
                                  const char *role, const char *name,
                                  int disabled, const char *field) {
  lk_user_update_op op;
  lk_invalid why = {NULL, NULL};

  if (lk_user_update_prepare(&op, "user:x", self, id, role, name, disabled,
                             &why) != LK_EINVALID)
    fail_msg("accepted %s %s", id, role ? role : "-");
  assert_string_equal(why.field, field);
  assert_non_null(why.reason);
}

static void test_update_validation(void **state) {
  static const char id[] = "usr_0123456789abcdef";
  lk_user_update_op op;
  lk_invalid why;

  (void)state;
  expect_update_invalid("", "usr_0123", NULL, NULL, 1, "id");
  expect_update_invalid("", "tok_0123456789abcdef", NULL, NULL, 1, "id");
  expect_update_invalid("", id, "root", NULL, -1, "role");
  expect_update_invalid("", id, NULL, "Anna\n", -1, "displayName");
  expect_update_invalid("", id, NULL, NULL, 2, "disabled");
  /* Nobody locks themselves out. */
  expect_update_invalid(id, id, NULL, NULL, 1, "disabled");
  expect_update_invalid(id, id, "agent", NULL, -1, "role");
  expect_update_invalid(id, id, "supervisor", NULL, -1, "role");
  assert_int_equal(
      lk_user_update_prepare(&op, "user:x", id, id, "admin", "Anna", 0, &why),
      0);
  assert_int_equal(lk_user_update_prepare(&op, "token:tok_1", "", id, "agent",
                                          NULL, 1, &why),
                   0);
  assert_string_equal(op.role, "agent");
  assert_false(op.set_name);
  assert_int_equal(op.disabled, 1);
}

/* ---- through the store -------------------------------------------------- */

static lk_user_row add_user(fixture *fx, const char *email, const char *role) {
  lk_user_add_op op;
  lk_invalid why;

  assert_int_equal(
      lk_user_add_prepare(&op, "cli", email, role, "Naam", PASSWORD, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_user_add_apply, &op), 0);
  return op.user;
}

/* Logs `u` in; the new id goes into `id`. */
static void login(fixture *fx, const lk_user_row *u, const char *old,
                  const lk_session_config *c, char id[LK_SESSION_ID_LEN + 1]) {
  lk_session_login_op op;

  lk_session_login_prepare(&op, u, old, "192.0.2.7", c);
  assert_int_equal(lk_store_write(fx->store, lk_session_login_apply, &op), 0);
  assert_true(op.expires_at > 0);
  memcpy(id, op.id, LK_SESSION_ID_LEN + 1);
}

static int lookup(fixture *fx, const char *id, lk_session_row *r) {
  char hash[65];

  assert_int_equal(lk_session_digest(id, hash), 0);
  return lk_store_session_get(fx->store, hash, r);
}

static int64_t sql_int(fixture *fx, const char *sql) {
  char path[128];
  sqlite3 *db;
  sqlite3_stmt *st;
  int64_t v = -1;

  snprintf(path, sizeof(path), "%s/loket.db", fx->dir.path);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

static void sql_exec(fixture *fx, const char *sql) {
  char path[128];
  sqlite3 *db;

  snprintf(path, sizeof(path), "%s/loket.db", fx->dir.path);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static void test_session_life(void **state) {
  fixture *fx = *state;
  lk_user_row anna = add_user(fx, "anna@example.org", "supervisor");
  lk_user_row bert = add_user(fx, "bert@example.org", "agent");
  char a1[LK_SESSION_ID_LEN + 1];
  char a2[LK_SESSION_ID_LEN + 1];
  char a3[LK_SESSION_ID_LEN + 1];
  char b1[LK_SESSION_ID_LEN + 1];
  lk_session_logout_op out;
  lk_user_update_op upd;
  lk_session_row r;
  lk_invalid why;
  char sql[256];
  int64_t n = -1;

  login(fx, &anna, NULL, &cfg, a1);
  assert_int_equal(lookup(fx, a1, &r), 0);
  assert_string_equal(r.user.id, anna.id);
  assert_string_equal(r.user.role, "supervisor");
  assert_string_equal(r.actor_id, "");
  assert_int_equal(r.last_seen_at, r.created_at);
  assert_int_equal(r.expires_at, r.created_at + cfg.absolute_ms);
  assert_int_equal(lk_session_check(&r, &cfg, r.created_at), LK_SESSION_ACTIVE);
  /* Only the digest is stored. */
  snprintf(sql, sizeof(sql),
           "SELECT COUNT(*) FROM staff_sessions WHERE id_hash LIKE '%%%s%%'",
           a1);
  assert_int_equal(sql_int(fx, sql), 0);

  /* The medewerker actor of the account comes with the session. */
  snprintf(sql, sizeof(sql),
           "INSERT INTO actors (id, kind, name, user_id, created_at,"
           " updated_at) VALUES ('0190a1b2-0000-7000-8000-000000000001',"
           " 'medewerker', 'Anna', '%s', 1, 1)",
           anna.id);
  sql_exec(fx, sql);
  assert_int_equal(lookup(fx, a1, &r), 0);
  assert_string_equal(r.actor_id, "0190a1b2-0000-7000-8000-000000000001");

  /* Rotation: logging in again with a1 in the browser ends a1. */
  login(fx, &anna, a1, &cfg, a2);
  assert_string_not_equal(a1, a2);
  assert_int_equal(lookup(fx, a1, &r), LK_STORE_NOTFOUND);
  assert_int_equal(lookup(fx, a2, &r), 0);
  login(fx, &anna, NULL, &cfg, a3);
  login(fx, &bert, NULL, &cfg, b1);
  assert_int_equal(lk_store_session_count(fx->store, anna.id, &n), 0);
  assert_int_equal(n, 2);

  /* Touch moves last_seen_at forward only. */
  {
    char hash[65];

    lk_secret_hash(a3, hash);
    assert_int_equal(lk_session_touch_submit(fx->store, hash), 0);
    /* The writer runs writes in order: a write after it sees it. */
    assert_int_equal(
        lk_store_write(fx->store, lk_session_purge_apply, (void *)&cfg), 0);
    assert_int_equal(lookup(fx, a3, &r), 0);
    assert_true(r.last_seen_at >= r.created_at);
  }

  /* Log-out ends that session only. */
  assert_int_equal(lk_session_logout_prepare(&out, "user:x", a2), 0);
  assert_int_equal(lk_store_write(fx->store, lk_session_logout_apply, &out), 0);
  assert_int_equal(lookup(fx, a2, &r), LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_write(fx->store, lk_session_logout_apply, &out),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lookup(fx, a3, &r), 0);
  assert_int_equal(lk_session_logout_prepare(&out, "user:x", "nope"), -1);

  /* Disabling Bert ends his sessions; enabling does not bring them back. */
  assert_int_equal(lk_user_update_prepare(&upd, "user:admin", anna.id, bert.id,
                                          NULL, NULL, 1, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_user_update_apply, &upd), 0);
  assert_true(upd.user.disabled_at > 0);
  assert_int_equal(upd.ended, 1);
  assert_int_equal(lookup(fx, b1, &r), LK_STORE_NOTFOUND);
  assert_int_equal(lk_user_update_prepare(&upd, "user:admin", anna.id, bert.id,
                                          "supervisor", "Bert B.", 0, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_user_update_apply, &upd), 0);
  assert_int_equal(upd.user.disabled_at, 0);
  assert_string_equal(upd.user.role, "supervisor");
  assert_string_equal(upd.user.display_name, "Bert B.");
  assert_int_equal(upd.ended, 0);
  /* An unknown account. */
  assert_int_equal(lk_user_update_prepare(&upd, "user:admin", anna.id,
                                          "usr_ffffffffffffffff", "agent", NULL,
                                          -1, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_user_update_apply, &upd),
                   LK_STORE_NOTFOUND);
  /* Every change is in the audit trail. */
  assert_int_equal(sql_int(fx, "SELECT COUNT(*) FROM audit_log WHERE action"
                               " = 'session.created'"),
                   4);
  assert_int_equal(sql_int(fx, "SELECT COUNT(*) FROM audit_log WHERE action"
                               " = 'session.ended'"),
                   1);
  assert_int_equal(sql_int(fx, "SELECT COUNT(*) FROM audit_log WHERE action"
                               " = 'user.updated'"),
                   2);
}

static void test_password_change_ends_all(void **state) {
  fixture *fx = *state;
  lk_user_row anna = add_user(fx, "anna@example.org", "agent");
  char s1[LK_SESSION_ID_LEN + 1];
  char s2[LK_SESSION_ID_LEN + 1];
  lk_password_change_op op;
  lk_session_row r;
  lk_user_row u;
  lk_invalid why = {NULL, NULL};
  int64_t n = -1;

  login(fx, &anna, NULL, &cfg, s1);
  login(fx, &anna, NULL, &cfg, s2);
  assert_int_equal(lk_password_change_prepare(&op, "user:x", &anna, "short",
                                              "192.0.2.7", &cfg, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "newPassword");
  assert_int_equal(lk_password_change_prepare(&op, anna.id, &anna,
                                              "a new long password",
                                              "192.0.2.7", &cfg, &why),
                   0);
  assert_true(op.new_session);
  assert_int_equal(lk_store_write(fx->store, lk_password_change_apply, &op), 0);
  assert_int_equal(op.ended, 2);
  assert_int_equal(lookup(fx, s1, &r), LK_STORE_NOTFOUND);
  assert_int_equal(lookup(fx, s2, &r), LK_STORE_NOTFOUND);
  /* The caller's fresh session survives its own password change. */
  assert_int_equal(lookup(fx, op.session.id, &r), 0);
  assert_int_equal(lk_store_session_count(fx->store, anna.id, &n), 0);
  assert_int_equal(n, 1);
  assert_int_equal(
      lk_user_check_password(fx->store, anna.email, "a new long password", &u),
      0);
  /* One transaction: the change and the fresh session agree on the time. */
  assert_int_equal(u.password_changed_at, r.created_at);
  assert_int_equal(lk_user_check_password(fx->store, anna.email, PASSWORD, &u),
                   LK_STORE_NOTFOUND);
}

static void test_purge(void **state) {
  fixture *fx = *state;
  lk_user_row anna = add_user(fx, "anna@example.org", "agent");
  lk_session_config brief = {60 * 1000, 1};
  char gone[LK_SESSION_ID_LEN + 1];
  char kept[LK_SESSION_ID_LEN + 1];
  lk_session_row r;
  lk_user_row found;

  login(fx, &anna, NULL, &brief, gone);
  login(fx, &anna, NULL, &cfg, kept);
  usleep(5000);
  assert_int_equal(
      lk_store_write(fx->store, lk_session_purge_apply, (void *)&cfg), 0);
  assert_int_equal(lookup(fx, gone, &r), LK_STORE_NOTFOUND);
  assert_int_equal(lookup(fx, kept, &r), 0);
  /* Idle ones go too. */
  brief.idle_ms = 1;
  usleep(5000);
  assert_int_equal(
      lk_store_write(fx->store, lk_session_purge_apply, (void *)&brief), 0);
  assert_int_equal(lookup(fx, kept, &r), LK_STORE_NOTFOUND);
  /* Account look-up ignores the case of the address. */
  assert_int_equal(lk_account_by_email(fx->store, "ANNA@example.ORG", &found),
                   0);
  assert_string_equal(found.id, anna.id);
  assert_int_equal(lk_account_by_email(fx->store, "nobody@example.org", &found),
                   LK_STORE_NOTFOUND);
}

static void test_user_json(void **state) {
  lk_user_row u = {0};
  lk_buf b = LK_BUF_INIT;
  json_t *v;

  (void)state;
  snprintf(u.id, sizeof(u.id), "usr_0123456789abcdef");
  snprintf(u.email, sizeof(u.email), "a@example.org");
  snprintf(u.role, sizeof(u.role), "agent");
  snprintf(u.display_name, sizeof(u.display_name), "<b>\"A\"</b>");
  u.created_at = 5;
  u.password_changed_at = 6;
  lk_user_json(&b, &u);
  v = json_loads(b.data, 0, NULL);
  assert_non_null(v);
  assert_string_equal(json_string_value(json_object_get(v, "displayName")),
                      "<b>\"A\"</b>");
  assert_true(json_is_false(json_object_get(v, "disabled")));
  assert_true(json_is_null(json_object_get(v, "disabledAt")));
  assert_null(json_object_get(v, "password_hash"));
  assert_null(strstr(b.data, "argon2"));
  json_decref(v);
  lk_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_csrf_tokens),
      cmocka_unit_test(test_secret_equal),
      cmocka_unit_test(test_check_states),
      cmocka_unit_test(test_touch_interval),
      cmocka_unit_test(test_scopes),
      cmocka_unit_test(test_update_validation),
      cmocka_unit_test(test_user_json),
      cmocka_unit_test_setup_teardown(test_session_life, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_password_change_ends_all,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_purge, setup_store, teardown_store),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
