/* Unit tests for core/notice_faq.h: the checks on question, answer and
 * position, prepare, and apply against a real store (a source answer in
 * a tagged question conversation, refused sources, edits kept, a no-op
 * patch, versions, events only while the notice is public). */
#include "lk_test.h"
#include "lk_test_store.h"

#include <stdarg.h>

#include "core/notice.h"
#include "core/notice_faq.h"
#include "store/internal.h"

static const char notice_id[] = "0190aaaa-0000-7000-8000-000000000001";
static const char caller_actor[] = "token:tok_0000000000000001";

/* ---- pure checks ---------------------------------------------------- */

static void test_texts(void **state) {
  char big[LK_FAQ_ANSWER_MAX + 2];
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_notice_faq_question_check("Mag ik water drinken?", &why),
                   0);
  assert_int_equal(lk_notice_faq_question_check("regel 1\nregel\t2", &why), 0);
  assert_int_equal(lk_notice_faq_question_check("", &why), LK_EINVALID);
  assert_string_equal(why.field, "question");
  assert_int_equal(lk_notice_faq_question_check(NULL, &why), LK_EINVALID);
  assert_int_equal(lk_notice_faq_question_check("bel\x07", &why), LK_EINVALID);
  assert_int_equal(lk_notice_faq_question_check("\xc3\x28", &why), LK_EINVALID);
  memset(big, 'a', sizeof(big));
  big[LK_FAQ_QUESTION_MAX] = '\0';
  assert_int_equal(lk_notice_faq_question_check(big, &why), 0);
  big[LK_FAQ_QUESTION_MAX] = 'a';
  big[LK_FAQ_QUESTION_MAX + 1] = '\0';
  assert_int_equal(lk_notice_faq_question_check(big, &why), LK_EINVALID);
  memset(big, 'a', sizeof(big));
  big[LK_FAQ_ANSWER_MAX] = '\0';
  assert_int_equal(lk_notice_faq_answer_check(big, &why), 0);
  big[LK_FAQ_ANSWER_MAX] = 'a';
  big[LK_FAQ_ANSWER_MAX + 1] = '\0';
  assert_int_equal(lk_notice_faq_answer_check(big, &why), LK_EINVALID);
  assert_string_equal(why.field, "answer");
  assert_int_equal(lk_notice_faq_answer_check("<script>x</script>", &why), 0);
  assert_int_equal(lk_notice_faq_position_check(1, &why), 0);
  assert_int_equal(lk_notice_faq_position_check(LK_FAQ_POSITION_MAX, &why), 0);
  assert_int_equal(lk_notice_faq_position_check(0, &why), LK_EINVALID);
  assert_int_equal(
      lk_notice_faq_position_check(LK_FAQ_POSITION_MAX + 1LL, &why),
      LK_EINVALID);
  assert_string_equal(why.field, "position");
}

static const lk_notice_faq_caller caller = {caller_actor, "req-1", false};

static void test_create_prepare(void **state) {
  lk_notice_faq_create_op *op = malloc(sizeof(*op));
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, "nope", "q", "a",
                                                NULL, 0, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "id");
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, notice_id, "q",
                                                NULL, NULL, 0, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "answer");
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, notice_id, NULL,
                                                "a", NULL, 0, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "question");
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, notice_id, NULL,
                                                NULL, "geen-id", 0, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "sourceContactId");
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, notice_id, "q",
                                                "a", NULL, -1, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "position");
  /* A source alone is enough: apply fills in the texts. */
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, notice_id, NULL,
                                                NULL, notice_id, 0, &why),
                   0);
  assert_false(op->has_question);
  assert_false(op->has_answer);
  assert_int_equal(lk_notice_faq_create_prepare(op, &caller, notice_id, "Vraag",
                                                "Antwoord", NULL, 3, &why),
                   0);
  assert_string_equal(op->f.question, "Vraag");
  assert_string_equal(op->f.status, "published");
  assert_string_equal(op->f.created_by, caller_actor);
  assert_string_equal(op->request_id, "req-1");
  assert_int_equal(op->f.position, 3);
  free(op);
}

static void test_patch_prepare(void **state) {
  lk_notice_faq_patch_op *op = malloc(sizeof(*op));
  lk_invalid why;

  (void)state;
  assert_int_equal(
      lk_notice_faq_patch_prepare(op, caller_actor, notice_id, "x", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "id");
  assert_int_equal(
      lk_notice_faq_patch_prepare(op, caller_actor, notice_id, notice_id, &why),
      0);
  assert_int_equal(lk_notice_faq_patch_status(op, "deleted", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "status");
  assert_int_equal(lk_notice_faq_patch_status(op, "withdrawn", &why), 0);
  assert_true(op->has_status);
  assert_int_equal(lk_notice_faq_patch_question(op, "", &why), LK_EINVALID);
  assert_false(op->has_question);
  assert_int_equal(lk_notice_faq_patch_answer(op, "Nieuw", &why), 0);
  assert_int_equal(lk_notice_faq_patch_position(op, 0, &why), LK_EINVALID);
  free(op);
}

/* ---- against a store ------------------------------------------------ */

static int exec_apply(lk_tx *tx, void *arg) {
  return lk_db_exec(lk_tx_db(tx), arg);
}

static void sql(lk_store *s, const char *fmt, ...) {
  char text[2048];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  assert_int_equal(lk_store_write(s, exec_apply, text), 0);
}

static void make_notice(lk_store *s, const char *id, const char *status) {
  sql(s,
      "INSERT INTO notices (id, kind, title, status, created_by, created_at,"
      " updated_at) VALUES ('%s', 'storing', 'Storing', '%s', 'x', 1, 1)",
      id, status);
}

/* A question conversation about `notice` (tagged unless NULL) with an
 * inbound question `q` (cc... ids from `n`) and an outbound answer. */
static void make_question(lk_store *s, int n, const char *notice, const char *q,
                          int confidential) {
  sql(s,
      "INSERT INTO conversations (id, reference, channel, confidential,"
      " created_at, updated_at, last_message_at) VALUES"
      " ('0190cccc-0000-7000-8000-00000000000%d', 'LK-%d', 'webformulier',"
      " %d, 1, 1, 1)",
      n, n, confidential);
  sql(s,
      "INSERT INTO contacts (id, conversation_id, kind, channel, content,"
      " occurred_at, created_at) VALUES"
      " ('0190dddd-0000-7000-8000-00000000001%d',"
      " '0190cccc-0000-7000-8000-00000000000%d', 'inbound', 'webformulier',"
      " '%s', 1, 1),"
      " ('0190dddd-0000-7000-8000-00000000002%d',"
      " '0190cccc-0000-7000-8000-00000000000%d', 'outbound', 'webformulier',"
      " 'Kook het water.', 2, 2)",
      n, n, q, n, n);
  if (notice != NULL)
    sql(s,
        "INSERT INTO subject_objects (id, contact_id, object_id, object_type,"
        " register, id_type, created_at) VALUES"
        " ('0190eeee-0000-7000-8000-00000000000%d',"
        " '0190dddd-0000-7000-8000-00000000001%d', '%s', 'melding', 'loket',"
        " 'notice', 1)",
        n, n, notice);
}

static int create(lk_store *s, lk_notice_faq_create_op *op, const char *nid,
                  const char *q, const char *a, const char *source, bool conf) {
  lk_notice_faq_caller who = caller;
  lk_invalid why;

  who.may_confidential = conf;
  assert_int_equal(
      lk_notice_faq_create_prepare(op, &who, nid, q, a, source, 0, &why), 0);
  return lk_store_write(s, lk_notice_faq_create_apply, op);
}

static void test_create_from_source(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  lk_notice_faq_create_op *op = malloc(sizeof(*op));
  const char *other = "0190aaaa-0000-7000-8000-000000000002";

  make_notice(s, notice_id, "published");
  make_notice(s, other, "published");
  make_question(s, 1, notice_id, "Mag ik het water drinken?", 0);
  make_question(s, 2, other, "Andere vraag", 0);
  make_question(s, 3, NULL, "Geen melding", 0);
  make_question(s, 4, notice_id, "Geheim", 1);

  assert_int_equal(create(s, op, notice_id, NULL, NULL,
                          "0190dddd-0000-7000-8000-000000000021", false),
                   0);
  assert_string_equal(op->f.question, "Mag ik het water drinken?");
  assert_string_equal(op->f.answer, "Kook het water.");
  assert_int_equal(op->f.position, 1);
  wait_events(fx, 1);
  assert_string_equal(fx->types[0], "notice.faq_added");
  assert_non_null(strstr(fx->payloads[0], op->f.id));
  assert_null(strstr(fx->payloads[0], "0190dddd"));
  assert_null(strstr(fx->payloads[0], "water"));

  /* The inbound message, another notice's answer, an untagged one, an
   * unknown id and a confidential conversation are refused. */
  assert_int_equal(create(s, op, notice_id, NULL, NULL,
                          "0190dddd-0000-7000-8000-000000000011", false),
                   LK_EINVALID);
  assert_string_equal(op->why.field, "sourceContactId");
  assert_int_equal(create(s, op, notice_id, NULL, NULL,
                          "0190dddd-0000-7000-8000-000000000022", false),
                   LK_EINVALID);
  assert_int_equal(create(s, op, notice_id, NULL, NULL,
                          "0190dddd-0000-7000-8000-000000000023", false),
                   LK_EINVALID);
  assert_int_equal(create(s, op, notice_id, NULL, NULL,
                          "0190dddd-0000-7000-8000-000000000099", false),
                   LK_STORE_NOTFOUND);
  assert_string_equal(op->why.field, "sourceContactId");
  assert_int_equal(create(s, op, notice_id, NULL, NULL,
                          "0190dddd-0000-7000-8000-000000000024", false),
                   LK_STORE_NOTFOUND);
  assert_int_equal(create(s, op, notice_id, "Eigen vraag", NULL,
                          "0190dddd-0000-7000-8000-000000000024", true),
                   0);
  assert_string_equal(op->f.question, "Eigen vraag");
  assert_int_equal(op->f.position, 2);
  /* An unknown notice. */
  assert_int_equal(create(s, op, "0190aaaa-0000-7000-8000-000000000009", "q",
                          "a", NULL, false),
                   LK_STORE_NOTFOUND);
  free(op);
}

static int patch(lk_store *s, lk_notice_faq_patch_op *op, const char *faq,
                 long long version, const char *answer, const char *status) {
  lk_invalid why;

  assert_int_equal(
      lk_notice_faq_patch_prepare(op, caller_actor, notice_id, faq, &why), 0);
  op->if_version = version;
  if (answer != NULL)
    assert_int_equal(lk_notice_faq_patch_answer(op, answer, &why), 0);
  if (status != NULL)
    assert_int_equal(lk_notice_faq_patch_status(op, status, &why), 0);
  return lk_store_write(s, lk_notice_faq_patch_apply, op);
}

static void test_patch_and_events(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  lk_notice_faq_create_op *c = malloc(sizeof(*c));
  lk_notice_faq_patch_op *op = malloc(sizeof(*op));
  const char *draft = "0190aaaa-0000-7000-8000-000000000003";
  char id[LK_FAQ_ID_LEN + 1];

  make_notice(s, notice_id, "published");
  make_notice(s, draft, "draft");
  assert_int_equal(create(s, c, notice_id, "Vraag", "Eerst", NULL, false), 0);
  snprintf(id, sizeof(id), "%s", c->f.id);
  wait_events(fx, 1);

  assert_int_equal(patch(s, op, id, 1, "Daarna", NULL), 0);
  assert_true(op->changed);
  assert_int_equal(op->f.version, 2);
  assert_int_equal(op->f.edits, 1);
  assert_true(op->f.edited_at > 0);
  wait_events(fx, 2);
  assert_string_equal(fx->types[1], "notice.faq_updated");
  assert_int_equal(patch(s, op, id, 1, "Weer anders", NULL),
                   LK_NOTICE_EVERSION);
  /* The same text again changes nothing and announces nothing. */
  assert_int_equal(patch(s, op, id, 2, "Daarna", NULL), 0);
  assert_false(op->changed);
  assert_int_equal(op->f.version, 2);
  assert_int_equal(patch(s, op, id, 0, NULL, "withdrawn"), 0);
  wait_events(fx, 3);
  assert_string_equal(fx->types[2], "notice.faq_removed");
  assert_true(op->f.withdrawn_at > 0);
  /* Another notice's path does not reach it. */
  assert_int_equal(
      lk_notice_faq_patch_prepare(op, caller_actor, draft, id, NULL), 0);
  assert_int_equal(lk_store_write(s, lk_notice_faq_patch_apply, op),
                   LK_STORE_NOTFOUND);

  /* On a draft: allowed, audited, not announced. */
  assert_int_equal(create(s, c, draft, "Concept?", "Ja.", NULL, false), 0);
  assert_int_equal(patch(s, op, id, 0, NULL, "published"), 0);
  wait_events(fx, 4);
  assert_string_equal(fx->types[3], "notice.faq_added");
  assert_null(strstr(fx->payloads[3], draft));
  free(c);
  free(op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_texts),
      cmocka_unit_test(test_create_prepare),
      cmocka_unit_test(test_patch_prepare),
      cmocka_unit_test_setup_teardown(test_create_from_source, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_patch_and_events, setup_store,
                                      teardown_store),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
