/* test_initiative.c - the life cycle table, field rules, image sniffing,
 * and the writes: organisers only, counters, one mail per follower. */
#include "lk_test.h"

#include "lk_test_store.h"

#include "core/ids.h"
#include "core/initiative.h"
#include "core/paccount.h"
#include "store/internal.h"

static const char *const all[] = {"draft",   "prescreening", "published",
                                  "running", "completed",    "stopped"};

/* The whole table: every status x action x caller x prescreening. */
static void test_transitions(void **state) {
  struct {
    const char *from;
    lk_init_action a;
    bool staff, pre;
    const char *to; /* NULL: refused */
  } allowed[] = {
      {"draft", LK_INIT_SUBMIT, false, false, "published"},
      {"draft", LK_INIT_SUBMIT, false, true, "prescreening"},
      {"prescreening", LK_INIT_APPROVE, true, false, "published"},
      {"prescreening", LK_INIT_APPROVE, true, true, "published"},
      {"prescreening", LK_INIT_REFUSE, true, false, "draft"},
      {"prescreening", LK_INIT_REFUSE, true, true, "draft"},
  };
  int n_ok = 0;

  (void)state;
  for (size_t s = 0; s < 6; s++)
    for (int a = LK_INIT_SUBMIT; a <= LK_INIT_STOP; a++)
      for (int staff = 0; staff < 2; staff++)
        for (int pre = 0; pre < 2; pre++) {
          const char *to = NULL, *want = NULL;
          int rc =
              lk_init_transition(all[s], (lk_init_action)a, staff, pre, &to);

          for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
            if (strcmp(allowed[i].from, all[s]) == 0 &&
                allowed[i].a == (lk_init_action)a &&
                allowed[i].staff == (bool)staff && allowed[i].pre == (bool)pre)
              want = allowed[i].to;
          /* start, complete, stop: organisers and staff alike. */
          if (want == NULL && a >= LK_INIT_START) {
            if (a == LK_INIT_START && strcmp(all[s], "published") == 0)
              want = "running";
            if (a == LK_INIT_COMPLETE && (strcmp(all[s], "published") == 0 ||
                                          strcmp(all[s], "running") == 0))
              want = "completed";
            if (a == LK_INIT_STOP && (strcmp(all[s], "published") == 0 ||
                                      strcmp(all[s], "running") == 0))
              want = "stopped";
          }
          if (want != NULL) {
            assert_int_equal(rc, 0);
            assert_string_equal(to, want);
            n_ok++;
          } else {
            assert_true(rc == LK_INIT_EBADTRANSITION ||
                        rc == LK_INIT_EFORBIDDEN);
          }
        }
  /* 6 above; start 1 status, complete and stop 2 each, x 4 callers. */
  assert_int_equal(n_ok, 6 + 4 + 8 + 8);
  /* Who: staff never submit, organisers never decide. */
  {
    const char *to;

    assert_int_equal(
        lk_init_transition("draft", LK_INIT_SUBMIT, true, false, &to),
        LK_INIT_EFORBIDDEN);
    assert_int_equal(
        lk_init_transition("prescreening", LK_INIT_APPROVE, false, true, &to),
        LK_INIT_EFORBIDDEN);
  }
  assert_true(lk_init_editable("draft"));
  assert_false(lk_init_editable("prescreening"));
  assert_false(lk_init_editable("completed"));
  assert_false(lk_init_editable("stopped"));
}

static void test_fields(void **state) {
  lk_initiative_row *r = calloc(1, sizeof(*r));
  lk_init_input in = {0};
  lk_invalid why, list[12];

  (void)state;
  in.title = "Buurtmoestuin";
  in.lat = "52.1";
  in.lon = "5.1";
  in.start_date = "2026-02-28";
  in.end_date = "2026-03-01";
  in.website = "https://example.nl/tuin";
  assert_int_equal(lk_init_fields(r, &in, &why, NULL, 0), 0);
  assert_true(r->has_point);
  in.lon = "";
  assert_int_equal(lk_init_fields(r, &in, &why, NULL, 0), LK_EINVALID);
  assert_string_equal(why.field, "location");
  in.lat = "";
  assert_int_equal(lk_init_fields(r, &in, &why, NULL, 0), 0);
  assert_false(r->has_point);
  in.title = "ab";
  in.start_date = "2026-02-29"; /* not a leap year */
  in.end_date = "2026-01-01";
  in.website = "javascript:alert(1)";
  in.theme = "Groen!";
  assert_int_equal(lk_init_fields(r, &in, &why, list, 12), LK_EINVALID);
  assert_string_equal(list[0].field, "title");
  assert_string_equal(list[1].field, "theme");
  assert_string_equal(list[2].field, "startDate");
  assert_string_equal(list[3].field, "endDate");
  assert_string_equal(list[4].field, "website");
  assert_null(list[5].field);
  in.title = "Regel\neen";
  assert_int_equal(lk_init_fields(r, &in, &why, NULL, 0), LK_EINVALID);
  assert_string_equal(why.field, "title");
  assert_true(lk_p_url_ok(""));
  assert_false(lk_p_url_ok("https://"));
  assert_false(lk_p_url_ok("https://a.nl/\"x"));
  free(r);
}

static void test_sniff(void **state) {
  (void)state;
  assert_string_equal(lk_init_image_sniff("\x89PNG\r\n\x1a\nxx", 10),
                      "image/png");
  assert_string_equal(lk_init_image_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
  assert_string_equal(lk_init_image_sniff("GIF89a..", 8), "image/gif");
  assert_string_equal(lk_init_image_sniff("RIFF\0\0\0\0WEBPVP8 ", 16),
                      "image/webp");
  assert_null(lk_init_image_sniff("<svg xmlns=", 11));
  assert_null(lk_init_image_sniff("\x89PN", 3));
}

/* ---- writes -------------------------------------------------------------- */

static int64_t tx_now(lk_tx *tx) {
  return lk_tx_now(tx);
}

struct acct {
  char id[LK_PS_ID_LEN + 1];
  const char *email;
};

static int account_apply(lk_tx *tx, void *arg) {
  struct acct *a = arg;
  lk_p_account_row r;

  memset(&r, 0, sizeof(r));
  lk_uuid_new(r.id, tx_now(tx));
  snprintf(r.email, sizeof(r.email), "%s", a->email);
  snprintf(r.email_key, sizeof(r.email_key), "%s", a->email);
  snprintf(r.display_name, sizeof(r.display_name), "%s", a->email);
  r.confirmed_at = r.created_at = tx_now(tx);
  snprintf(a->id, sizeof(a->id), "%s", r.id);
  return lk_store_p_account_insert(tx, &r);
}

static void account(fixture *fx, struct acct *a, const char *email) {
  a->email = email;
  assert_int_equal(lk_store_write(fx->store, account_apply, a), 0);
}

static int64_t count(fixture *fx, const char *sql) {
  lk_db *db;
  int64_t v = -1;

  assert_int_equal(lk_store_reader(fx->store, &db), 0);
  assert_int_equal(lk_store_query_int(db, sql, &v), 0);
  lk_store_reader_release(fx->store, db);
  return v;
}

static void test_organisers_counters_and_mail(void **state) {
  fixture *fx = *state;
  struct acct owner, other, f1, f2;
  lk_init_save_op *save = calloc(1, sizeof(*save));
  lk_init_status_op st;
  lk_init_post_op *post = calloc(1, sizeof(*post));
  lk_init_follow_op fo;
  lk_init_input in = {0};
  lk_invalid why;
  char id[LK_PS_ID_LEN + 1];

  account(fx, &owner, "owner@example.nl");
  account(fx, &other, "other@example.nl");
  account(fx, &f1, "f1@example.nl");
  account(fx, &f2, "f2@example.nl");
  in.title = "Straatfeest";
  in.summary = "Een feest";
  in.theme = "samenleven";
  in.neighbourhood = "zuid";
  assert_int_equal(lk_init_save_prepare(save, owner.id, NULL, &in, 0,
                                        1700000000000LL, "t", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_save_apply, save), 0);
  snprintf(id, sizeof(id), "%s", save->r.id);

  /* Someone else: as if the initiative did not exist. */
  assert_int_equal(lk_init_status_prepare(&st, id, other.id, "p:x", false,
                                          false, LK_INIT_SUBMIT, "", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_status_apply, &st),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_init_save_prepare(save, other.id, id, &in, 1,
                                        1700000000000LL, "t", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_save_apply, save),
                   LK_STORE_NOTFOUND);
  /* A theme that does not exist. */
  in.theme = "bestaat-niet";
  assert_int_equal(lk_init_save_prepare(save, owner.id, id, &in, 1,
                                        1700000000000LL, "t", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_save_apply, save),
                   LK_EINVALID);
  assert_string_equal(save->why.field, "theme");

  /* Following a draft is refused; after publishing it counts once. */
  memset(&fo, 0, sizeof(fo));
  snprintf(fo.id, sizeof(fo.id), "%s", id);
  snprintf(fo.account_id, sizeof(fo.account_id), "%s", f1.id);
  fo.follow = true;
  assert_int_equal(lk_store_write(fx->store, lk_init_follow_apply, &fo),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_init_status_prepare(&st, id, owner.id, "p:o", false,
                                          false, LK_INIT_SUBMIT, "", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_status_apply, &st), 0);
  assert_string_equal(st.to, "published");
  assert_int_equal(lk_store_write(fx->store, lk_init_follow_apply, &fo), 0);
  assert_true(fo.changed);
  assert_int_equal(lk_store_write(fx->store, lk_init_follow_apply, &fo), 0);
  assert_false(fo.changed);
  snprintf(fo.account_id, sizeof(fo.account_id), "%s", f2.id);
  assert_int_equal(lk_store_write(fx->store, lk_init_follow_apply, &fo), 0);
  assert_int_equal(count(fx, "SELECT followers_count FROM initiatives"), 2);

  /* One outbox row per follower; the same update again adds none. */
  assert_int_equal(lk_init_post_prepare(post, id, owner.id, "Nieuws", "Tekst",
                                        "https://l.example/", 1700000000000LL,
                                        &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_post_apply, post), 0);
  assert_int_equal(post->notified, 2);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM outbox WHERE key LIKE"
                             " 'p-update:%'"),
                   2);
  assert_int_equal(count(fx, "SELECT updates_count FROM initiatives"), 1);
  fo.follow = false;
  assert_int_equal(lk_store_write(fx->store, lk_init_follow_apply, &fo), 0);
  assert_int_equal(count(fx, "SELECT followers_count FROM initiatives"), 1);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM initiative_followers"), 1);

  /* Stop needs a reason; completed is final. */
  assert_int_equal(lk_init_status_prepare(&st, id, owner.id, "p:o", false,
                                          false, LK_INIT_STOP, "", &why),
                   LK_EINVALID);
  assert_int_equal(lk_init_status_prepare(&st, id, owner.id, "p:o", false,
                                          false, LK_INIT_COMPLETE, "", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_status_apply, &st), 0);
  assert_int_equal(lk_init_status_prepare(&st, id, "", "user:usr_x", true,
                                          false, LK_INIT_STOP, "Te laat", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_init_status_apply, &st),
                   LK_INIT_EBADTRANSITION);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM initiative_status_log"), 2);
  free(save);
  free(post);
}

static void test_link_accounts(void **state) {
  fixture *fx = *state;
  lk_pacc_link_op op;
  lk_pacc_use_op use;
  lk_invalid why;

  assert_int_equal(
      lk_pacc_link_prepare(&op, "not an address", "Anna", NULL, "", "r", &why),
      LK_EINVALID);
  assert_int_equal(lk_pacc_link_prepare(&op, " Anna@Example.NL ", "Anna",
                                        "//evil.example", "https://l/", "r",
                                        &why),
                   0);
  assert_string_equal(op.next, ""); /* not a local path */
  assert_string_equal(op.email_key, "anna@example.nl");
  for (int i = 0; i < LK_PACC_LINKS_PER_HOUR + 2; i++) {
    assert_int_equal(lk_store_write(fx->store, lk_pacc_link_apply, &op), 0);
    assert_int_equal(op.sent, i < LK_PACC_LINKS_PER_HOUR);
    assert_int_equal(op.created, i == 0);
  }
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM p_accounts"), 1);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM outbox WHERE kind ="
                             " 'mail'"),
                   LK_PACC_LINKS_PER_HOUR);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM p_accounts WHERE"
                             " confirmed_at IS NULL"),
                   1);
  /* Made-up tokens: refused before the store. */
  assert_int_equal(lk_pacc_use_prepare(&use, "lkp_short", NULL, "r"), -1);
  assert_int_equal(lk_pacc_use_prepare(
                       &use, "lkp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, "r"),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_pacc_use_apply, &use),
                   LK_STORE_NOTFOUND);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM p_sessions"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_transitions),
      cmocka_unit_test(test_fields),
      cmocka_unit_test(test_sniff),
      cmocka_unit_test_setup_teardown(test_organisers_counters_and_mail,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_link_accounts, setup_store,
                                      teardown_store),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
