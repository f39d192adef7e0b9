/* test_matching.c - the rules of matching, help needs and moderation:
 * scoring (pure), validation, and the writes against a real store. */
#include "lk_test.h"
#include "lk_test_store.h"

#include "core/help.h"
#include "core/ids.h"
#include "core/matching.h"
#include "core/moderation.h"
#include "store/internal.h"

/* ---- scoring ----------------------------------------------------------- */

static lk_mx_listing_row listing(const char *kind, const char *account,
                                 const char *theme, const char *category) {
  lk_mx_listing_row r;

  memset(&r, 0, sizeof(r));
  snprintf(r.kind, sizeof(r.kind), "%s", kind);
  snprintf(r.account_id, sizeof(r.account_id), "%s", account);
  snprintf(r.theme_id, sizeof(r.theme_id), "%s", theme);
  snprintf(r.category, sizeof(r.category), "%s", category);
  snprintf(r.state, sizeof(r.state), "open");
  return r;
}

static void test_distance(void **state) {
  (void)state;
  assert_int_equal(lk_mx_distance_m(52090700, 5121400, 52090700, 5121400), 0);
  /* Utrecht Dom to Utrecht Centraal: about 1.1 km. */
  int64_t d = lk_mx_distance_m(52090700, 5121400, 52089400, 5110000);
  assert_true(d > 700 && d < 900);
  /* One degree of latitude is about 111 km. */
  d = lk_mx_distance_m(52000000, 5000000, 53000000, 5000000);
  assert_true(d > 110000 && d < 112500);
}

static void test_score_parts(void **state) {
  lk_mx_listing_row o = listing("offer", "a", "groen", "tools");
  lk_mx_listing_row n = listing("need", "b", "groen", "tools");
  lk_mx_score_parts p;

  (void)state;
  /* Same theme and category, no place, open windows. */
  assert_int_equal(lk_mx_score(&o, &n, &p), 40 + 10 + 10);
  assert_string_equal(p.reasons, "theme category time");
  /* Same spot: +30. */
  o.has_point = n.has_point = true;
  o.lat_e6 = n.lat_e6 = 52090700;
  o.lon_e6 = n.lon_e6 = 5121400;
  assert_int_equal(lk_mx_score(&o, &n, &p), 90);
  assert_int_equal(p.place, 30);
  /* 2.5 km apart: half the place points. */
  n.lat_e6 = 52090700 + 22483; /* about 2500 m north */
  assert_int_equal(lk_mx_score(&o, &n, &p), 75);
  /* Beyond 5 km: none. */
  n.lat_e6 = 52090700 + 60000;
  assert_int_equal(lk_mx_score(&o, &n, &p), 60);
  assert_int_equal(p.place, 0);
  /* Same neighbourhood without both points: 20. */
  n.has_point = false;
  snprintf(o.neighbourhood_id, sizeof(o.neighbourhood_id), "oost");
  snprintf(n.neighbourhood_id, sizeof(n.neighbourhood_id), "oost");
  assert_int_equal(lk_mx_score(&o, &n, &p), 80);
}

static void test_score_time(void **state) {
  lk_mx_listing_row o = listing("offer", "a", "groen", "time");
  lk_mx_listing_row n = listing("need", "b", "groen", "time");
  lk_mx_score_parts p;

  (void)state;
  o.starts_at = 1000000000000;
  o.ends_at = o.starts_at + 4000;
  n.starts_at = o.starts_at + 2000;
  n.ends_at = n.starts_at + 2000; /* inside o: full overlap */
  assert_int_equal(lk_mx_score(&o, &n, &p), 40 + 10 + 20);
  n.starts_at = o.starts_at + 3000; /* half of n overlaps */
  n.ends_at = n.starts_at + 2000;
  assert_int_equal(lk_mx_score(&o, &n, &p), 40 + 10 + 10);
  n.starts_at = o.ends_at; /* touching is not overlapping */
  n.ends_at = n.starts_at + 2000;
  assert_int_equal(lk_mx_score(&o, &n, &p), -1);
  /* Never against the same kind or the same account. */
  n = listing("offer", "b", "groen", "time");
  assert_int_equal(lk_mx_score(&o, &n, &p), -1);
  n = listing("need", "a", "groen", "time");
  assert_int_equal(lk_mx_score(&o, &n, &p), -1);
}

static void test_degrees(void **state) {
  int64_t v;

  (void)state;
  assert_int_equal(lk_mx_degrees("52.0907", 90, &v), 0);
  assert_int_equal(v, 52090700);
  assert_int_equal(lk_mx_degrees("-5.5", 180, &v), 0);
  assert_int_equal(v, -5500000);
  assert_int_equal(lk_mx_degrees("91", 90, &v), -1);
  assert_int_equal(lk_mx_degrees("nan", 90, &v), -1);
  assert_int_equal(lk_mx_degrees("1e3", 90, &v), -1);
  assert_int_equal(lk_mx_degrees("", 90, &v), -1);
}

static void test_listing_prepare(void **state) {
  lk_mx_listing_op *op = calloc(1, sizeof(*op));
  lk_mx_listing_input in = {.kind = "offer",
                            .category = "tools",
                            .theme = "groen",
                            .title = "Aanhanger te leen",
                            .body = "Zaterdag vrij."};
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_mx_listing_prepare(op, "acc1", &in, "", "r", &why), 0);
  in.kind = "swap";
  assert_int_equal(lk_mx_listing_prepare(op, "acc1", &in, "", "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "kind");
  in.kind = "need";
  in.lat = "52.1";
  assert_int_equal(lk_mx_listing_prepare(op, "acc1", &in, "", "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "place");
  in.lon = "5.1";
  in.starts_at = 2000000000000;
  in.ends_at = 1999999999999;
  assert_int_equal(lk_mx_listing_prepare(op, "acc1", &in, "", "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "ends_at");
  in.ends_at = 0;
  in.title = "twee\nregels";
  assert_int_equal(lk_mx_listing_prepare(op, "acc1", &in, "", "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "title");
  in.title = "ok";
  in.theme = "a'b";
  assert_int_equal(lk_mx_listing_prepare(op, "acc1", &in, "", "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "theme");
  free(op);
}

static void test_moderation_prepare(void **state) {
  lk_mod_action_op op;
  lk_mod_report_op rop;
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_mod_action_prepare(&op, "user:u", "hide", "listing", "x1",
                                         "spam", &why),
                   0);
  assert_int_equal(
      lk_mod_action_prepare(&op, "user:u", "hide", "listing", "x1", "", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "reason");
  assert_int_equal(
      lk_mod_action_prepare(&op, "user:u", "hide", "account", "x1", "r", &why),
      LK_EINVALID);
  assert_int_equal(lk_mod_action_prepare(&op, "user:u", "delete", "listing",
                                         "x1", "r", &why),
                   LK_EINVALID);
  assert_int_equal(lk_mod_action_prepare(&op, "user:u", "restore", "message",
                                         "x1", NULL, &why),
                   0);
  assert_int_equal(
      lk_mod_report_prepare(&rop, "acc", "thing", "x", "r", "q", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "type");
  assert_int_equal(lk_help_need_prepare(&(lk_help_need_op){0}, "a", "i", "t",
                                        "", 0, 0, "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "capacity");
}

/* ---- writes against a store --------------------------------------------- */

static int seed_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(
      lk_tx_db(tx),
      "INSERT INTO p_accounts (id, email, email_key, display_name,"
      " confirmed_at, created_at, updated_at) VALUES"
      " ('acc-org', 'org@example.nl', 'org@example.nl', 'Org', 1, 1, 1),"
      " ('acc-b', 'b@example.nl', 'b@example.nl', 'Bea', 1, 1, 1),"
      " ('acc-c', 'c@example.nl', 'c@example.nl', 'Cas', 1, 1, 1);"
      "INSERT INTO initiatives (id, owner_id, title, theme_id, status,"
      " status_changed_at, published_at, created_at, updated_at) VALUES"
      " ('ini-1', 'acc-org', 'Tuin', 'groen', 'published', 1, 1, 1, 1),"
      " ('ini-draft', 'acc-org', 'Plan', 'groen', 'draft', 1, NULL, 1, 1);"
      "INSERT INTO initiative_organisers VALUES"
      " ('ini-1', 'acc-org', 'owner', 1),"
      " ('ini-draft', 'acc-org', 'owner', 1);");
}

static int64_t count(lk_store *s, const char *sql) {
  lk_db *db;
  int64_t v = -1;

  assert_int_equal(lk_store_reader(s, &db), 0);
  assert_int_equal(lk_store_query_int(db, sql, &v), 0);
  lk_store_reader_release(s, db);
  return v;
}

static void test_help_capacity(void **state) {
  fixture *fx = *state;
  lk_help_need_op need;
  lk_help_signup_op su;
  lk_invalid why;

  assert_int_equal(lk_store_write(fx->store, seed_apply, NULL), 0);
  /* Only an organiser adds a need. */
  assert_int_equal(lk_help_need_prepare(&need, "acc-b", "ini-1", "Scheppen", "",
                                        2, 0, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_help_need_apply, &need),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_help_need_prepare(&need, "acc-org", "ini-1", "Scheppen",
                                        "", 1, 0, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_help_need_apply, &need), 0);

  assert_int_equal(
      lk_help_signup_prepare(&su, "acc-b", need.r.id, false, "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_signup_apply, &su), 0);
  assert_int_equal(su.taken, 1);
  /* Twice: conflict; someone else: full, and nothing was inserted. */
  assert_int_equal(lk_store_write(fx->store, lk_help_signup_apply, &su),
                   LK_STORE_CONFLICT);
  assert_int_equal(
      lk_help_signup_prepare(&su, "acc-c", need.r.id, false, "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_signup_apply, &su),
                   LK_MX_FULL);
  assert_int_equal(count(fx->store, "SELECT count(*) FROM p_help_signups"), 1);
  /* A withdrawal frees the place. */
  assert_int_equal(
      lk_help_signup_prepare(&su, "acc-b", need.r.id, true, "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_signup_apply, &su), 0);
  assert_int_equal(su.taken, 0);
  assert_int_equal(
      lk_help_signup_prepare(&su, "acc-c", need.r.id, false, "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_signup_apply, &su), 0);
}

static void test_join_counter(void **state) {
  fixture *fx = *state;
  lk_help_join_op op;
  lk_invalid why;

  assert_int_equal(lk_store_write(fx->store, seed_apply, NULL), 0);
  assert_int_equal(
      lk_help_join_prepare(&op, "acc-b", "ini-1", false, "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_join_apply, &op), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_join_apply, &op),
                   LK_STORE_CONFLICT);
  assert_int_equal(count(fx->store, "SELECT participants_count FROM initiatives"
                                    " WHERE id = 'ini-1'"),
                   1);
  /* A draft is unknown to anyone but its organisers. */
  assert_int_equal(
      lk_help_join_prepare(&op, "acc-b", "ini-draft", false, "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_help_join_apply, &op),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_help_join_prepare(&op, "acc-b", "ini-1", true, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_help_join_apply, &op), 0);
  assert_int_equal(count(fx->store, "SELECT participants_count FROM initiatives"
                                    " WHERE id = 'ini-1'"),
                   0);
}

static void post(fixture *fx, lk_mx_listing_op *op, const char *account,
                 const char *kind, int expect) {
  lk_mx_listing_input in = {.kind = kind,
                            .category = "tools",
                            .theme = "groen",
                            .neighbourhood = "oost",
                            .title = "Aanhanger",
                            .body = "Voor het groenafval."};
  lk_invalid why;

  assert_int_equal(
      lk_mx_listing_prepare(op, account, &in, "https://x.nl", "r", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_mx_listing_apply, op), expect);
}

static void test_match_and_message(void **state) {
  fixture *fx = *state;
  lk_mx_listing_op *need = calloc(1, sizeof(*need));
  lk_mx_listing_op *offer = calloc(1, sizeof(*offer));
  lk_mx_message_op *msg = calloc(1, sizeof(*msg));
  lk_mod_action_op act;
  lk_invalid why;

  assert_int_equal(lk_store_write(fx->store, seed_apply, NULL), 0);
  post(fx, need, "acc-b", "need", 0);
  assert_int_equal(need->matched, 0);
  post(fx, offer, "acc-c", "offer", 0);
  assert_int_equal(offer->matched, 1);
  assert_int_equal(count(fx->store, "SELECT score FROM p_matches"),
                   40 + 10 + 20 + 10);
  /* Both sides get a mail, neither mail names the other's address. */
  assert_int_equal(count(fx->store, "SELECT count(*) FROM outbox"
                                    " WHERE kind = 'mail'"),
                   2);
  assert_int_equal(count(fx->store, "SELECT count(*) FROM outbox"
                                    " WHERE payload LIKE '%c@example.nl%'"
                                    " AND payload LIKE '%b@example.nl%'"),
                   0);

  /* A message relays: the mail goes to the owner, without the writer's
   * address or the text. */
  assert_int_equal(lk_mx_message_prepare(msg, "acc-c", need->r.id, NULL,
                                         "Geheim 06-12345678", "https://x.nl",
                                         "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_mx_message_apply, msg), 0);
  assert_int_equal(count(fx->store, "SELECT count(*) FROM outbox WHERE"
                                    " key LIKE 'message:%' AND payload LIKE"
                                    " '%b@example.nl%' AND payload NOT LIKE"
                                    " '%c@example.nl%' AND payload NOT LIKE"
                                    " '%Geheim%'"),
                   1);
  /* Not to one's own listing. */
  assert_int_equal(
      lk_mx_message_prepare(msg, "acc-b", need->r.id, NULL, "x", "", "r", &why),
      0);
  assert_int_equal(lk_store_write(fx->store, lk_mx_message_apply, msg),
                   LK_STORE_INVALID);

  /* Hidden: gone from the matches and closed to new messages. */
  assert_int_equal(lk_mod_action_prepare(&act, "user:usr_1", "hide", "listing",
                                         offer->r.id, "Reclame", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_mod_action_apply, &act), 0);
  assert_string_equal(act.author, "acc-c");
  assert_int_equal(lk_store_write(fx->store, lk_mod_action_apply, &act),
                   LK_STORE_CONFLICT);
  assert_int_equal(lk_store_mx_matches_of(fx->store, "acc-b", 10, NULL, NULL),
                   0);
  assert_int_equal(count(fx->store, "SELECT count(*) FROM audit_log"
                                    " WHERE action = 'hide'"),
                   1);
  /* Blocked: may not post. */
  assert_int_equal(lk_mod_action_prepare(&act, "user:usr_1", "block", NULL,
                                         "acc-c", "Spam", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_mod_action_apply, &act), 0);
  post(fx, offer, "acc-c", "offer", LK_MX_BLOCKED);
  free(need);
  free(offer);
  free(msg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_distance),
      cmocka_unit_test(test_score_parts),
      cmocka_unit_test(test_score_time),
      cmocka_unit_test(test_degrees),
      cmocka_unit_test(test_listing_prepare),
      cmocka_unit_test(test_moderation_prepare),
      cmocka_unit_test_setup_teardown(test_help_capacity, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_join_counter, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_match_and_message, setup_store,
                                      teardown_store),
  };

  lk_ids_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
