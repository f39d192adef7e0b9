/* Unit tests for the agent console's rules: placeholders (scan and
 * render), the Dutch date, shortcuts, who sees and changes which canned
 * answer, and the query plans of the unread questions (bounded index
 * walks, never a scan of the history). */
#include "lk_test.h"
#include "lk_test_store.h"

#include <sqlite3.h>

#include "core/canned.h"
#include "core/console.h"
#include "store/console.h"

/* ---- placeholders --------------------------------------------------- */

static void expect_scan(const char *body, unsigned want_used) {
  unsigned used = 99;
  char bad[64] = "";

  if (lk_canned_scan(body, &used, bad, sizeof(bad)) != 0)
    fail_msg("refused \"%s\" at \"%s\"", body, bad);
  assert_int_equal(used, want_used);
}

static void expect_bad(const char *body, const char *want_bad) {
  unsigned used;
  char bad[16] = "";

  assert_int_equal(lk_canned_scan(body, &used, bad, sizeof(bad)), LK_EINVALID);
  assert_string_equal(bad, want_bad);
}

static void test_scan(void **state) {
  (void)state;
  expect_scan("", 0);
  expect_scan("geen plaatshouders { } }} {", 0);
  expect_scan("Beste {{inwoner.naam}}", 1u << LK_PH_INWONER_NAAM);
  expect_scan("{{datum}}{{datum}}{{team.naam}}",
              1u << LK_PH_DATUM | 1u << LK_PH_TEAM_NAAM);
  expect_scan("{{medewerker.naam}}, {{gesprek.referentie}}, "
              "{{gesprek.onderwerp}}",
              1u << LK_PH_MEDEWERKER_NAAM | 1u << LK_PH_GESPREK_REFERENTIE |
                  1u << LK_PH_GESPREK_ONDERWERP);
  expect_bad("Hallo {{inwoner.bsn}} en meer", "{{inwoner.bsn}}");
  expect_bad("{{ datum }}", "{{ datum }}");
  expect_bad("{{Datum}}", "{{Datum}}");
  expect_bad("{{}}", "{{}}");
  expect_bad("open {{datum", "{{datum");
  /* Up to the end of the line, cut to the buffer on a character
   * boundary: "é" is two bytes and does not fit whole. */
  expect_bad("{{datum\n}}", "{{datum");
  expect_bad("{{abcdefghijkléx}}", "{{abcdefghijkl");
  /* A closing pair far away is not taken as the placeholder's end. */
  expect_bad("{{x\ny}}", "{{x");
}

static void test_render(void **state) {
  const char *values[LK_PH_COUNT] = {"<b>Jan</b> {{datum}}",
                                     "Alice",
                                     "LK-2026-000001",
                                     NULL,
                                     "",
                                     "1 mei 2026"};
  lk_buf b = LK_BUF_INIT;
  unsigned empty = 0;

  (void)state;
  assert_int_equal(lk_canned_render("Beste {{inwoner.naam}},\n"
                                    "{{gesprek.referentie}}{{team.naam}}"
                                    "{{gesprek.onderwerp}} ({{datum}})\n"
                                    "{{medewerker.naam}}",
                                    values, &b, &empty),
                   0);
  /* Values go in verbatim and are not scanned again. */
  assert_string_equal(b.data, "Beste <b>Jan</b> {{datum}},\n"
                              "LK-2026-000001 (1 mei 2026)\nAlice");
  assert_int_equal(empty,
                   1u << LK_PH_TEAM_NAAM | 1u << LK_PH_GESPREK_ONDERWERP);
  lk_buf_free(&b);
  assert_int_equal(lk_canned_render("{{team.naam}}", values, &b, &empty), 0);
  assert_int_equal(b.len, 0);
  assert_int_equal(empty, 1u << LK_PH_TEAM_NAAM);
  lk_buf_free(&b);
}

static void test_date(void **state) {
  char out[32];

  (void)state;
  /* 2026-11-28 23:30 UTC is already the 29th in Amsterdam (UTC+1). */
  lk_canned_date(1795908600000LL, out, sizeof(out));
  assert_string_equal(out, "29 november 2026");
  /* 2026-07-01 22:30 UTC is 00:30 the 2nd in summer time (UTC+2). */
  lk_canned_date(1782945000000LL, out, sizeof(out));
  assert_string_equal(out, "2 juli 2026");
  lk_canned_date(1767225600000LL, out, sizeof(out)); /* 2026-01-01 00:00Z */
  assert_string_equal(out, "1 januari 2026");
}

static void test_fields(void **state) {
  lk_invalid why;
  char bad[64];

  (void)state;
  assert_int_equal(lk_canned_shortcut_check("afval-2_b", &why), 0);
  assert_int_equal(lk_canned_shortcut_check("Afval", &why), LK_EINVALID);
  assert_string_equal(why.field, "/shortcut");
  assert_int_equal(lk_canned_shortcut_check("a b", &why), LK_EINVALID);
  assert_int_equal(lk_canned_shortcut_check("", &why), LK_EINVALID);
  assert_int_equal(
      lk_canned_shortcut_check("abcdefghijklmnopqrstuvwxyz0123456", &why),
      LK_EINVALID);
  assert_int_equal(lk_canned_title_check("Titel", &why), 0);
  assert_int_equal(lk_canned_title_check("Twee\nregels", &why), LK_EINVALID);
  assert_int_equal(
      lk_canned_body_check("Twee\nregels\tmet tab", bad, sizeof(bad), &why), 0);
  assert_int_equal(lk_canned_body_check("a\x01", bad, sizeof(bad), &why),
                   LK_EINVALID);
  assert_int_equal(lk_canned_body_check("{{x}}", bad, sizeof(bad), &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/body");
  assert_string_equal(bad, "{{x}}");
}

static void test_rights(void **state) {
  lk_canned_caller agent = {"user:usr_a", "usr_a", "act-a", "agent"};
  lk_canned_caller other = {"user:usr_b", "usr_b", "act-b", "agent"};
  lk_canned_caller sup = {"user:usr_s", "usr_s", "", "supervisor"};
  lk_canned_caller token = {"token:tok_1", "", "", "system"};
  lk_canned_caller admin_token = {"token:tok_2", "", "", "admin"};
  lk_canned_row personal = {.scope = "personal", .owner_user = "usr_a"};
  lk_canned_row team = {.scope = "team", .team_id = "t"};
  lk_canned_row everyone = {.scope = "everyone"};

  (void)state;
  assert_true(lk_canned_may_see(&agent, &personal, false));
  assert_true(lk_canned_may_change(&agent, &personal));
  assert_false(lk_canned_may_see(&other, &personal, false));
  assert_false(lk_canned_may_see(&sup, &personal, false));
  assert_false(lk_canned_may_see(&admin_token, &personal, false));
  assert_true(lk_canned_may_see(&agent, &team, true));
  assert_false(lk_canned_may_see(&other, &team, false));
  assert_true(lk_canned_may_see(&sup, &team, false));
  assert_false(lk_canned_may_see(&token, &team, false));
  assert_false(lk_canned_may_change(&agent, &team));
  assert_true(lk_canned_may_change(&sup, &team));
  assert_true(lk_canned_may_change(&admin_token, &everyone));
  assert_true(lk_canned_may_see(&token, &everyone, false));
  assert_false(lk_canned_may_change(&token, &everyone));
  assert_false(lk_canned_may_change(&agent, &everyone));
}

static void test_create_prepare(void **state) {
  lk_canned_caller agent = {"user:usr_a", "usr_a", "act-a", "agent"};
  lk_canned_caller token = {"token:tok_1", "", "", "system"};
  lk_canned_caller sup = {"user:usr_s", "usr_s", "", "supervisor"};
  lk_canned_op *op = malloc(sizeof(*op));
  const char *team = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee";
  lk_invalid why;

  (void)state;
  assert_non_null(op);
  assert_int_equal(lk_canned_create_prepare(op, &agent, NULL, NULL, "t", NULL,
                                            "{{datum}}", &why),
                   0);
  assert_string_equal(op->a.scope, "personal");
  assert_string_equal(op->a.owner_user, "usr_a");
  assert_int_equal(
      lk_canned_create_prepare(op, &token, NULL, NULL, "t", NULL, "x", &why),
      LK_CANNED_NEEDS_STAFF);
  assert_int_equal(lk_canned_create_prepare(op, &agent, "everyone", NULL, "t",
                                            NULL, "x", &why),
                   LK_CANNED_FORBIDDEN);
  assert_int_equal(
      lk_canned_create_prepare(op, &sup, "team", NULL, "t", NULL, "x", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "/teamId");
  assert_int_equal(lk_canned_create_prepare(op, &sup, "everyone", team, "t",
                                            NULL, "x", &why),
                   LK_EINVALID);
  assert_int_equal(
      lk_canned_create_prepare(op, &sup, "team", team, "t", "kort", "x", &why),
      0);
  assert_string_equal(op->a.team_id, team);
  assert_string_equal(op->a.owner_user, "");
  /* Validation comes before rights: a bad body is 422 for anyone. */
  assert_int_equal(lk_canned_create_prepare(op, &token, NULL, NULL, "t", NULL,
                                            "{{y}}", &why),
                   LK_EINVALID);
  free(op);
}

/* ---- query plans ---------------------------------------------------- */

static void plan_of(fixture *fx, const char *sql, char *out, size_t size) {
  char path[128];
  char *explain;
  sqlite3 *db;
  sqlite3_stmt *st;
  size_t n = 0;

  snprintf(path, sizeof(path), "%s/loket.db", fx->dir.path);
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
  assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
  out[0] = '\0';
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *d = (const char *)sqlite3_column_text(st, 3);

    n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s|", d);
  }
  sqlite3_finalize(st);
  sqlite3_free(explain);
  sqlite3_close(db);
}

static void expect_plan(fixture *fx, int which, const char *want) {
  char plan[4096];

  plan_of(fx, lk_store_console_sql(which), plan, sizeof(plan));
  if (strstr(plan, want) == NULL)
    fail_msg("plan %d lacks \"%s\": %s", which, want, plan);
  /* Every table is reached through an index: no full scan of the
   * conversations or of the contacts, no sort. */
  if (strstr(plan, "SCAN c|") != NULL || strstr(plan, "SCAN c ") != NULL ||
      strstr(plan, "SCAN k") != NULL || strstr(plan, "TEMP B-TREE") != NULL)
    fail_msg("plan %d scans or sorts: %s", which, plan);
  /* The read mark is one primary-key probe, the unread test a range of
   * contacts_conversation. */
  if (strstr(plan, "conversation_reads") == NULL &&
      strstr(plan, "SEARCH r USING PRIMARY KEY") == NULL)
    fail_msg("plan %d does not probe the read mark: %s", which, plan);
  if (strstr(plan, "contacts_conversation (conversation_id=? AND "
                   "occurred_at>?)") == NULL)
    fail_msg("plan %d does not range contacts_conversation: %s", which, plan);
}

static void test_unread_plans(void **state) {
  fixture *fx = *state;

  expect_plan(fx, 0, "SEARCH k USING INDEX contacts_conversation");
  expect_plan(fx, 1,
              "USING INDEX conversations_assignee (assignee_id=? AND "
              "status=?)");
  expect_plan(fx, 2,
              "USING INDEX conversations_assignee (assignee_id=? AND "
              "status=?)");
  expect_plan(fx, 3, "USING INDEX conversations_team (team_id=? AND status=?)");
  expect_plan(fx, 4, "USING INDEX conversations_status (status=?)");
  assert_null(lk_store_console_sql(5));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scan),
      cmocka_unit_test(test_render),
      cmocka_unit_test(test_date),
      cmocka_unit_test(test_fields),
      cmocka_unit_test(test_rights),
      cmocka_unit_test(test_create_prepare),
      cmocka_unit_test_setup_teardown(test_unread_plans, setup_store,
                                      teardown_store),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
