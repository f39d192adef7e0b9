/* Unit tests for conversations: the address-key rule, safe FTS5 queries,
 * the query plans of the inbox and search, and create/message/update
 * through a real store. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <sqlite3.h>

#include "core/contact_address.h"
#include "core/conversation.h"
#include "store/search.h"

/* ---- lk_address_key ------------------------------------------------- */

static void expect_key(const char *kind, const char *in, const char *want) {
  char out[LK_ADDRESS_KEY_MAX + 1];

  if (lk_address_key(kind, in, out, sizeof(out)) != 0)
    fail_msg("refused %s \"%s\"", kind, in);
  assert_string_equal(out, want);
}

static void expect_no_key(const char *kind, const char *in) {
  char out[LK_ADDRESS_KEY_MAX + 1];

  if (lk_address_key(kind, in, out, sizeof(out)) == 0)
    fail_msg("accepted %s \"%s\" as \"%s\"", kind, in, out);
  assert_string_equal(out, "");
}

static void test_email_keys(void **state) {
  (void)state;
  expect_key("email", "Jan.Jansen@Example.NL", "jan.jansen@example.nl");
  expect_key("email", "  a@b.nl\t", "a@b.nl");
  expect_key("email", "ÄNNE@voorbeeld.nl", "Änne@voorbeeld.nl");
  expect_no_key("email", "");
  expect_no_key("email", "geen-apenstaart");
  expect_no_key("email", "@example.nl");
  expect_no_key("email", "a@b@c.nl");
  expect_no_key("email", "a@localhost");
  expect_no_key("email", "a@.nl");
  expect_no_key("email", "a@b.nl.");
  expect_no_key("email", "a b@c.nl");
  expect_no_key("email", "a@b.nl\n");
  expect_no_key("email", "a\x01@b.nl");
  expect_no_key("email", "a@b\xff.nl");
}

static void test_phone_keys(void **state) {
  (void)state;
  expect_key("telefoonnummer", "06 12345678", "0031612345678");
  expect_key("telefoonnummer", "06-1234 5678", "0031612345678");
  expect_key("telefoonnummer", "+31 6 12345678", "0031612345678");
  expect_key("telefoonnummer", "+31 (0)6 1234 5678", "0031612345678");
  expect_key("telefoonnummer", "0031612345678", "0031612345678");
  expect_key("telefoonnummer", "(020) 555.12.34", "0031205551234");
  expect_key("telefoonnummer", "+32 2 555 12 34", "003225551234");
  expect_no_key("telefoonnummer", "");
  expect_no_key("telefoonnummer", "bel me");
  expect_no_key("telefoonnummer", "612345678"); /* no trunk or country */
  expect_no_key("telefoonnummer", "+0612345678");
  expect_no_key("telefoonnummer", "0001234567890");
  expect_no_key("telefoonnummer", "06123");
  expect_no_key("telefoonnummer", "+31 6 1234 5678 9999 99999");
  expect_no_key("telefoonnummer", "06 12345678 ext. 2");
  expect_no_key("fax", "06 12345678");
  expect_key("overig", " @Gemeente ", "@gemeente");
}

/* ---- FTS queries ---------------------------------------------------- */

static void expect_fts(const char *q, const char *want) {
  char out[LK_SEARCH_FTS_MAX + 1];

  if (lk_store_fts_query(q, out, sizeof(out)) != 0)
    fail_msg("refused \"%s\"", q);
  assert_string_equal(out, want);
}

static void test_fts_queries(void **state) {
  char out[LK_SEARCH_FTS_MAX + 1];
  char many[LK_SEARCH_Q_MAX + 2];

  (void)state;
  expect_fts("afval", "\"afval\"");
  expect_fts("  afval   container ", "\"afval\" \"container\"");
  expect_fts("contai*", "\"contai\" *");
  expect_fts("a\"b", "\"a\"\"b\"");
  expect_fts("NEAR(a b)", "\"NEAR(a\" \"b)\"");
  expect_fts("x OR y", "\"x\" \"OR\" \"y\"");
  expect_fts("-foo ( bar", "\"-foo\" \"bar\"");
  expect_fts("col:x ^y", "\"col:x\" \"^y\"");
  expect_fts("café", "\"café\"");
  assert_int_equal(lk_store_fts_query("", out, sizeof(out)), -1);
  assert_int_equal(lk_store_fts_query("( ) * -", out, sizeof(out)), -1);
  assert_int_equal(lk_store_fts_query("a\nb", out, sizeof(out)), -1);
  assert_int_equal(lk_store_fts_query("a\xff", out, sizeof(out)), -1);
  assert_int_equal(
      lk_store_fts_query("a b c d e f g h i j k l m n o p q", out, sizeof(out)),
      -1);
  memset(many, '"', LK_SEARCH_Q_MAX);
  many[0] = 'x';
  many[LK_SEARCH_Q_MAX] = '\0';
  assert_int_equal(lk_store_fts_query(many, out, sizeof(out)), 0);
  many[LK_SEARCH_Q_MAX] = 'x';
  many[LK_SEARCH_Q_MAX + 1] = '\0';
  assert_int_equal(lk_store_fts_query(many, out, sizeof(out)), -1);
}

/* Whatever the input, a query that lk_store_fts_query() accepts never
 * makes FTS5 fail: random strings over the characters FTS5 gives meaning
 * to, and its keywords, run against a real FTS5 table. */
static void test_fts_queries_never_fail(void **state) {
  static const char *const pieces[] = {"\"",
                                       "'",
                                       "(",
                                       ")",
                                       "*",
                                       "-",
                                       "+",
                                       ":",
                                       "^",
                                       "{",
                                       "}",
                                       ",",
                                       " ",
                                       " ",
                                       "NEAR",
                                       "OR",
                                       "AND",
                                       "NOT",
                                       "near",
                                       "a",
                                       "b",
                                       "é",
                                       "/",
                                       "\\",
                                       "x:y",
                                       "\t",
                                       "0",
                                       "NEAR/2",
                                       "\xe2\x80\x9c",
                                       "col"};
  char q[LK_SEARCH_Q_MAX + 1];
  char out[LK_SEARCH_FTS_MAX + 1];
  unsigned seed = 12345;
  sqlite3_stmt *st;
  sqlite3 *db;
  int accepted = 0;

  (void)state;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "CREATE VIRTUAL TABLE t USING fts5 (a, b, tokenize = "
                   "'unicode61 remove_diacritics 2');"
                   "INSERT INTO t VALUES ('near a b or and', 'x y col');",
                   NULL, NULL, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?",
                                      -1, &st, NULL),
                   SQLITE_OK);
  for (int i = 0; i < 20000; i++) {
    size_t n = 0;
    int parts;

    seed = seed * 1103515245u + 12345u;
    parts = 1 + (int)((seed >> 16) % 12);
    q[0] = '\0';
    for (int k = 0; k < parts; k++) {
      const char *p;
      size_t len;

      seed = seed * 1103515245u + 12345u;
      p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
      len = strlen(p);
      if (n + len >= sizeof(q))
        break;
      memcpy(q + n, p, len + 1);
      n += len;
    }
    if (lk_store_fts_query(q, out, sizeof(out)) != 0)
      continue;
    accepted++;
    sqlite3_bind_text(st, 1, out, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
      ;
    if (sqlite3_reset(st) != SQLITE_OK)
      fail_msg("FTS5 refused \"%s\" made from \"%s\": %s", out, q,
               sqlite3_errmsg(db));
  }
  assert_true(accepted > 1000);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* ---- query plans ---------------------------------------------------- */

/* The plan of `sql` on the store's database, details joined by "|". */
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

static void expect_plan(fixture *fx, const char *sql, const char *want,
                        const char *refuse) {
  char plan[4096];

  plan_of(fx, sql, plan, sizeof(plan));
  if (strstr(plan, want) == NULL)
    fail_msg("plan lacks \"%s\": %s\nfor %s", want, plan, sql);
  if (refuse != NULL && strstr(plan, refuse) != NULL)
    fail_msg("plan has \"%s\": %s\nfor %s", refuse, plan, sql);
}

static void test_inbox_plans(void **state) {
  fixture *fx = *state;
  lk_conv_filter f = {.limit = 25};

  /* The benchmark's query: team and status, first page and later. */
  f.team_id = "t";
  f.status = "open";
  expect_plan(fx, lk_store_conv_list_sql(&f),
              "USING INDEX conversations_team (team_id=? AND status=?)",
              "TEMP B-TREE");
  f.after = true;
  expect_plan(fx, lk_store_conv_list_sql(&f),
              "USING INDEX conversations_team (team_id=? AND status=?",
              "TEMP B-TREE");
  f.may_confidential = true;
  expect_plan(fx, lk_store_conv_list_sql(&f), "conversations_team",
              "TEMP B-TREE");
  memset(&f, 0, sizeof(f));
  f.status = "open";
  expect_plan(fx, lk_store_conv_list_sql(&f),
              "USING INDEX conversations_status (status=?)", "TEMP B-TREE");
  f.assignee_id = "a";
  expect_plan(fx, lk_store_conv_list_sql(&f),
              "USING INDEX conversations_assignee (assignee_id=? AND "
              "status=?)",
              "TEMP B-TREE");
  f.assignee_id = NULL;
  f.unassigned = true;
  expect_plan(fx, lk_store_conv_list_sql(&f),
              "USING INDEX conversations_assignee (assignee_id=? AND "
              "status=?)",
              "TEMP B-TREE");
  memset(&f, 0, sizeof(f));
  expect_plan(fx, lk_store_conv_list_sql(&f), "conversations_recent",
              "TEMP B-TREE");
  /* The preview is one probe of contacts_conversation per row. */
  expect_plan(fx, lk_store_conv_list_sql(&f), "contacts_conversation", NULL);
}

static void test_search_plans(void **state) {
  fixture *fx = *state;
  lk_conv_filter f = {.limit = 20, .fts = "\"x\""};

  expect_plan(fx, lk_store_search_sql(&f), "VIRTUAL TABLE INDEX",
              "TEMP B-TREE");
  f.team_id = "t";
  f.status = "open";
  f.after = true;
  expect_plan(fx, lk_store_search_sql(&f), "VIRTUAL TABLE INDEX",
              "TEMP B-TREE");
  expect_plan(fx, lk_store_search_sql(&f), "SEARCH c USING INTEGER PRIMARY KEY",
              NULL);
}

/* ---- writes through the store --------------------------------------- */

static const lk_conv_caller caller = {"token:tok_0000000000000001", "", "req-1",
                                      false};

static int create(fixture *fx, lk_conv_create_op *op, const char *name,
                  const char *email, const char *client_key) {
  lk_conv_create_in in = {.channel = "email",
                          .subject = "Onderwerp",
                          .content = "Inhoud <b>vet</b>",
                          .from_name = name,
                          .from_email = email,
                          .client_key = client_key};
  lk_invalid why = {0};

  assert_int_equal(lk_conv_create_prepare(op, &caller, &in, &why), 0);
  return lk_store_write(fx->store, lk_conv_create_apply, op);
}

static void test_create_links_and_replays(void **state) {
  fixture *fx = *state;
  lk_conv_create_op *a = calloc(1, sizeof(*a));
  lk_conv_create_op *b = calloc(1, sizeof(*b));
  lk_conv_create_op *c = calloc(1, sizeof(*c));
  lk_conv_row row;

  assert_int_equal(create(fx, a, "Jan", "jan@example.nl", "k1"), 0);
  assert_true(a->party_created);
  assert_false(a->replayed);
  assert_true(strncmp(a->conv.reference, "LK-", 3) == 0);
  assert_int_equal(strlen(a->conv.reference), strlen("LK-2026-000001"));
  /* An unverified address never links: a second party. */
  assert_int_equal(create(fx, b, "Jan", "JAN@example.nl", NULL), 0);
  assert_true(b->party_created);
  assert_string_not_equal(a->conv.party_id, b->conv.party_id);
  /* The same key from the same caller writes nothing. */
  assert_int_equal(create(fx, c, "Ander", NULL, "k1"), 0);
  assert_true(c->replayed);
  assert_string_equal(c->conv.id, a->conv.id);
  assert_int_equal(lk_store_conv_get(fx->store, a->conv.id, false, &row), 0);
  assert_string_equal(row.party_name, "Jan");
  assert_string_equal(row.status, "open");
  assert_int_equal(row.waiting_since, row.created_at);
  wait_events(fx, 4);
  assert_string_equal(fx->types[0], "conversation.created");
  assert_string_equal(fx->types[1], "contact.added");
  assert_null(strstr(fx->payloads[0], "Inhoud"));
  free(a);
  free(b);
  free(c);
}

static void test_message_and_update(void **state) {
  fixture *fx = *state;
  lk_conv_create_op *a = calloc(1, sizeof(*a));
  lk_conv_message_op *m = calloc(1, sizeof(*m));
  lk_conv_update_op *u = calloc(1, sizeof(*u));
  lk_conv_message_in min = {.kind = "outbound", .content = "Antwoord"};
  lk_conv_update_in uin = {.status = "resolved", .if_version = 2};
  lk_invalid why = {0};

  assert_int_equal(create(fx, a, "Piet", NULL, NULL), 0);
  assert_int_equal(lk_conv_message_prepare(m, &caller, a->conv.id, &min, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_message_apply, m), 0);
  assert_string_equal(m->delivery, "queued");
  assert_int_equal(m->conv.version, 2);
  assert_int_equal(m->conv.first_response_at, m->occurred_at);
  assert_int_equal(
      lk_conv_update_prepare(u, &caller, a->conv.id, &uin, 0, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_update_apply, u), 0);
  assert_string_equal(u->conv.status, "resolved");
  assert_int_equal(u->conv.waiting_since, 0);
  assert_true(u->conv.resolved_at > 0);
  /* Version 2 is gone now. */
  assert_int_equal(
      lk_conv_update_prepare(u, &caller, a->conv.id, &uin, 0, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_update_apply, u),
                   LK_CONV_STALE);
  /* An inbound message re-opens. */
  min.kind = "inbound";
  assert_int_equal(lk_conv_message_prepare(m, &caller, a->conv.id, &min, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_message_apply, m), 0);
  assert_string_equal(m->conv.status, "open");
  assert_int_equal(m->conv.resolved_at, 0);
  assert_true(m->conv.waiting_since > 0);
  /* Validation */
  min.kind = "sideways";
  assert_int_equal(lk_conv_message_prepare(m, &caller, a->conv.id, &min, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/direction");
  uin.status = "snoozed";
  uin.snoozed_until = 1000;
  assert_int_equal(
      lk_conv_update_prepare(u, &caller, a->conv.id, &uin, 2000, &why),
      LK_EINVALID);
  assert_string_equal(why.field, "/snoozedUntil");
  free(a);
  free(m);
  free(u);
}

/* Many conversations in one write: a batch of prepared creations. */
struct many {
  lk_conv_create_op *ops;
  int n;
};

static int many_apply(lk_tx *tx, void *arg) {
  struct many *m = arg;
  int rc = 0;

  for (int i = 0; i < m->n && rc == 0; i++)
    rc = lk_conv_create_apply(tx, &m->ops[i]);
  return rc;
}

static void count_hit(const lk_search_hit *h, void *ud) {
  (void)h;
  (*(int *)ud)++;
}

static void count_item(const lk_conv_item *it, void *ud) {
  (void)it;
  (*(int *)ud)++;
}

/* A filter that passes none of the newest LK_SEARCH_WINDOW matches gives
 * a short page with a cursor, not an unbounded walk. */
static void test_search_window(void **state) {
  fixture *fx = *state;
  struct many m = {calloc(LK_SEARCH_WINDOW + 50, sizeof(lk_conv_create_op)),
                   LK_SEARCH_WINDOW + 50};
  lk_conv_filter f = {.limit = 20, .fts = "\"zoekwoord\"", .channel = "post"};
  lk_invalid why;
  int64_t next = -1;
  int hits = 0;

  assert_non_null(m.ops);
  for (int i = 0; i < m.n; i++) {
    lk_conv_create_in in = {.channel = i == 0 ? "post" : "email",
                            .content = "een zoekwoord",
                            .from_name = "Inwoner"};

    assert_int_equal(lk_conv_create_prepare(&m.ops[i], &caller, &in, &why), 0);
  }
  assert_int_equal(lk_store_write(fx->store, many_apply, &m), 0);
  assert_int_equal(lk_store_search(fx->store, &f, count_hit, &hits, &next), 0);
  assert_true(next > 0);
  f.after = true;
  f.after_seq = next;
  assert_int_equal(lk_store_search(fx->store, &f, count_hit, &hits, &next), 1);
  assert_int_equal(next, 0);
  /* the same for the inbox with a text query */
  f.after = false;
  hits = 0;
  assert_int_equal(
      lk_store_search_conversations(fx->store, &f, count_item, &hits, &next),
      0);
  assert_true(next > 0);
  f.after = true;
  f.after_seq = next;
  assert_int_equal(
      lk_store_search_conversations(fx->store, &f, count_item, &hits, &next),
      1);
  assert_int_equal(next, 0);
  free(m.ops);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_email_keys),
      cmocka_unit_test(test_phone_keys),
      cmocka_unit_test(test_fts_queries),
      cmocka_unit_test(test_fts_queries_never_fail),
      cmocka_unit_test_setup_teardown(test_inbox_plans, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_search_plans, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_create_links_and_replays,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_message_and_update, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_search_window, setup_store,
                                      teardown_store),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
