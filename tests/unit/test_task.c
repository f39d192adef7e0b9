/* Unit tests for core/task.h and store/tasks.h: validation, the status and
 * assignment rules, visibility through the contact, and the deadline
 * order of lists, in a real store. */
#include "lk_test.h"
#include "lk_test_store.h"

#include "core/ids.h"
#include "core/klantcontact.h"
#include "core/task.h"
#include "store/internal.h"

#define ACTOR_A "01900000-0000-7000-8000-00000000000a"
#define ACTOR_B "01900000-0000-7000-8000-00000000000b"
#define NOTE "01900000-0000-7000-8000-0000000000ee"
#define GHOST "01900000-0000-7000-8000-0000000000ff"

static int seed_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(
      lk_tx_db(tx),
      "INSERT INTO actors (id, kind, name, created_at, updated_at) VALUES"
      " ('" ACTOR_A "', 'medewerker', 'Anna', 1, 1),"
      " ('" ACTOR_B "', 'medewerker', 'Bert', 1, 1);"
      "INSERT INTO contacts (id, kind, channel, occurred_at, created_at)"
      " VALUES ('" NOTE "', 'note', 'intern', 1, 1);");
}

/* A klantcontact through the domain; its id in `id`. */
static void make_contact(fixture *fx, bool confidential, char id[LK_KC_ID]) {
  lk_kc_op *op = calloc(1, sizeof(*op));

  assert_non_null(op);
  lk_kc_op_begin(op, LK_KC_CREATE, NULL, true);
  snprintf(op->head.actor, sizeof(op->head.actor), "test");
  snprintf(op->contact.channel, sizeof(op->contact.channel), "telefoon");
  snprintf(op->contact.language, sizeof(op->contact.language), "nld");
  op->contact.confidential = confidential;
  op->contact.occurred_at = 1000;
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_apply, op), 0);
  memcpy(id, op->head.uuid, LK_KC_ID);
  free(op);
}

static int setup(void **state) {
  int rc = setup_store(state);
  fixture *fx = *state;

  if (rc == 0)
    rc = lk_store_write(fx->store, seed_apply, NULL);
  return rc;
}

static lk_task_input base_input(const char *contact) {
  lk_task_input in = {0};

  in.set = LK_TASK_F_CONTACT | LK_TASK_F_ACTION;
  in.contact_id = contact;
  in.action = "Terugbellen";
  return in;
}

static int create(fixture *fx, const lk_task_input *in, bool confidential,
                  lk_task_row *out, const char **ref_field) {
  lk_task_op *op = calloc(1, sizeof(*op));
  lk_invalid why = {NULL, NULL};
  int rc;

  assert_non_null(op);
  rc = lk_task_create_prepare(op, "test", "req-1", confidential, in, &why);
  if (rc == 0)
    rc = lk_store_write(fx->store, lk_task_create_apply, op);
  if (rc == 0 && out != NULL)
    *out = op->task;
  if (ref_field != NULL)
    *ref_field = op->ref_field;
  free(op);
  return rc;
}

static int update(fixture *fx, const char *id, const lk_task_input *in,
                  bool confidential, lk_task_row *out) {
  lk_task_op *op = calloc(1, sizeof(*op));
  lk_invalid why = {NULL, NULL};
  int rc;

  assert_non_null(op);
  rc = lk_task_update_prepare(op, "test", NULL, confidential, id, in, &why);
  if (rc == 0)
    rc = lk_store_write(fx->store, lk_task_update_apply, op);
  if (rc == 0 && out != NULL)
    *out = op->task;
  free(op);
  return rc;
}

static void expect_invalid(const lk_task_input *in, const char *field) {
  lk_task_op *op = calloc(1, sizeof(*op));
  lk_invalid why = {NULL, NULL};

  assert_non_null(op);
  assert_int_equal(lk_task_create_prepare(op, "t", NULL, true, in, &why),
                   LK_EINVALID);
  assert_non_null(why.field);
  assert_string_equal(why.field, field);
  assert_true(strlen(why.reason) > 0);
  free(op);
}

static void test_validation(void **state) {
  char contact[LK_KC_ID] = "01900000-0000-7000-8000-000000000001";
  char long_action[1000];
  lk_task_input in;

  (void)state;
  in = base_input(contact);
  in.set &= ~LK_TASK_F_CONTACT;
  expect_invalid(&in, "contact");
  in = base_input(contact);
  in.set &= ~LK_TASK_F_ACTION;
  expect_invalid(&in, "action");
  in = base_input(contact);
  in.action = "";
  expect_invalid(&in, "action");
  in = base_input(contact);
  in.action = "tab\there";
  expect_invalid(&in, "action");
  /* 201 characters are too many, 200 two-byte characters are not. */
  memset(long_action, 'x', 201);
  long_action[201] = '\0';
  in = base_input(contact);
  in.action = long_action;
  expect_invalid(&in, "action");
  in = base_input("not-a-uuid");
  expect_invalid(&in, "contact");
  in = base_input(contact);
  in.set |= LK_TASK_F_CONVERSATION;
  in.conversation_id = contact;
  expect_invalid(&in, "conversation");
  in = base_input(contact);
  in.set |= LK_TASK_F_KIND;
  in.kind = "urgent";
  expect_invalid(&in, "kind");
  in = base_input(contact);
  in.set |= LK_TASK_F_STATUS;
  in.status = "klaar";
  expect_invalid(&in, "status");
  in = base_input(contact);
  in.set |= LK_TASK_F_ASSIGNEES;
  in.nassignees = 2;
  in.assignees[0] = ACTOR_A;
  in.assignees[1] = ACTOR_A;
  expect_invalid(&in, "assignees");
  in.assignees[1] = "x";
  expect_invalid(&in, "assignees");
  in = base_input(contact);
  in.set |= LK_TASK_F_DEADLINE;
  in.deadline = -1;
  expect_invalid(&in, "deadline");
  assert_true(lk_task_kind_ok("callback"));
  assert_false(lk_task_kind_ok("Callback"));
  assert_true(lk_task_status_ok("verwerkt"));
  assert_false(lk_task_status_ok(""));
}

static void test_create_and_events(void **state) {
  fixture *fx = *state;
  char contact[LK_KC_ID];
  lk_task_input in;
  lk_task_row t;
  lk_task_row got;
  lk_task_row *second = malloc(sizeof(*second));

  assert_non_null(second);
  make_contact(fx, false, contact);
  in = base_input(contact);
  in.set |= LK_TASK_F_ASSIGNEES | LK_TASK_F_DEADLINE | LK_TASK_F_KIND;
  in.kind = "callback";
  in.deadline = 5000;
  in.nassignees = 2;
  in.assignees[0] = ACTOR_B;
  in.assignees[1] = ACTOR_A;
  assert_int_equal(create(fx, &in, false, &t, NULL), 0);
  assert_true(lk_uuid_valid(t.id));
  assert_string_equal(t.nummer, "0000000001");
  assert_string_equal(t.status, "te_verwerken");
  assert_string_equal(t.kind, "callback");
  assert_int_equal(t.done_at, 0);
  assert_int_equal(t.nassignees, 2);
  assert_string_equal(t.assignees[0], ACTOR_B);
  assert_string_equal(t.assignees[1], ACTOR_A);
  assert_true(t.assigned_at > 0);
  assert_int_equal(lk_store_task_get(fx->store, t.id, false, &got), 0);
  assert_string_equal(got.action, "Terugbellen");
  assert_int_equal(got.deadline, 5000);
  assert_int_equal(create(fx, &in, false, second, NULL), 0);
  assert_string_equal(second->nummer, "0000000002");
  free(second);
  /* contact.added for the contact, then the two tasks. */
  wait_events(fx, 3);
  assert_string_equal(fx->types[1], "task.created");
  assert_non_null(strstr(fx->payloads[1], t.id));
  assert_null(strstr(fx->payloads[1], "Terugbellen"));
}

static void test_references(void **state) {
  fixture *fx = *state;
  char open_[LK_KC_ID];
  char secret[LK_KC_ID];
  const char *field = NULL;
  lk_task_input in;

  make_contact(fx, false, open_);
  make_contact(fx, true, secret);
  in = base_input(GHOST);
  assert_int_equal(create(fx, &in, true, NULL, &field), LK_TASK_EREF);
  assert_string_equal(field, "contact");
  /* An internal note, and a contact the caller may not see. */
  in = base_input(NOTE);
  assert_int_equal(create(fx, &in, true, NULL, &field), LK_TASK_EREF);
  in = base_input(secret);
  assert_int_equal(create(fx, &in, false, NULL, &field), LK_TASK_EREF);
  assert_int_equal(create(fx, &in, true, NULL, NULL), 0);
  in = base_input(open_);
  in.set |= LK_TASK_F_ASSIGNEES;
  in.nassignees = 1;
  in.assignees[0] = GHOST;
  assert_int_equal(create(fx, &in, false, NULL, &field), LK_TASK_EREF);
  assert_string_equal(field, "assignees");
  in.set = LK_TASK_F_CONVERSATION | LK_TASK_F_ACTION;
  in.conversation_id = GHOST;
  assert_int_equal(create(fx, &in, true, NULL, &field), LK_TASK_EREF);
  assert_string_equal(field, "conversation");
}

static void test_status_and_assignment(void **state) {
  fixture *fx = *state;
  char contact[LK_KC_ID];
  char secret[LK_KC_ID];
  lk_task_input in;
  lk_task_input ch = {0};
  lk_task_row t;
  lk_task_row u;

  make_contact(fx, false, contact);
  make_contact(fx, true, secret);
  in = base_input(contact);
  assert_int_equal(create(fx, &in, false, &t, NULL), 0);
  ch.set = LK_TASK_F_STATUS;
  ch.status = "verwerkt";
  assert_int_equal(update(fx, t.id, &ch, false, &u), 0);
  assert_string_equal(u.status, "verwerkt");
  assert_true(u.done_at >= t.created_at);
  assert_int_equal(u.assigned_at, t.assigned_at);
  /* Saying verwerkt again keeps the first time. */
  ch.set = LK_TASK_F_STATUS | LK_TASK_F_EXPLANATION;
  ch.explanation = "nogmaals";
  {
    lk_task_row v;

    assert_int_equal(update(fx, t.id, &ch, false, &v), 0);
    assert_int_equal(v.done_at, u.done_at);
    assert_string_equal(v.explanation, "nogmaals");
  }
  ch.set = LK_TASK_F_STATUS;
  ch.status = "te_verwerken";
  assert_int_equal(update(fx, t.id, &ch, false, &u), 0);
  assert_int_equal(u.done_at, 0);
  ch.set = LK_TASK_F_ASSIGNEES;
  ch.nassignees = 1;
  ch.assignees[0] = ACTOR_A;
  assert_int_equal(update(fx, t.id, &ch, false, &u), 0);
  assert_int_equal(u.nassignees, 1);
  assert_true(u.assigned_at >= t.assigned_at);
  /* Unknown task, malformed id, hidden task. */
  assert_int_equal(update(fx, GHOST, &ch, true, NULL), LK_STORE_NOTFOUND);
  assert_int_equal(update(fx, "nope", &ch, true, NULL), LK_STORE_NOTFOUND);
  in = base_input(secret);
  assert_int_equal(create(fx, &in, true, &t, NULL), 0);
  assert_int_equal(update(fx, t.id, &ch, false, NULL), LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_task_get(fx->store, t.id, false, &u),
                   LK_STORE_NOTFOUND);
  assert_int_equal(update(fx, t.id, &ch, true, NULL), 0);
}

struct seen {
  int n;
  char ids[8][LK_TASK_ID_SIZE];
  int64_t key;
  int64_t seq;
};

static void seen_one(const lk_task_row *t, void *ud) {
  struct seen *s = ud;

  if (s->n < 8)
    memcpy(s->ids[s->n++], t->id, LK_TASK_ID_SIZE);
  s->key = lk_task_deadline_key(t);
  s->seq = t->seq;
}

static void test_list_order_and_cursor(void **state) {
  fixture *fx = *state;
  static const int64_t deadlines[] = {3000, 0, 1000, 2000};
  char contact[LK_KC_ID];
  char secret[LK_KC_ID];
  char ids[5][LK_TASK_ID_SIZE];
  lk_task_filter f = {0};
  struct seen s = {0};
  lk_task_input in;
  lk_task_row t;
  int64_t count;

  make_contact(fx, false, contact);
  make_contact(fx, true, secret);
  for (int i = 0; i < 4; i++) {
    in = base_input(contact);
    if (deadlines[i] != 0) {
      in.set |= LK_TASK_F_DEADLINE;
      in.deadline = deadlines[i];
    }
    assert_int_equal(create(fx, &in, false, &t, NULL), 0);
    memcpy(ids[i], t.id, LK_TASK_ID_SIZE);
  }
  in = base_input(secret);
  assert_int_equal(create(fx, &in, true, &t, NULL), 0);
  memcpy(ids[4], t.id, LK_TASK_ID_SIZE);
  f.order = LK_TASK_BY_DEADLINE;
  f.limit = 2;
  assert_int_equal(lk_store_task_list(fx->store, &f, seen_one, &s), 2);
  assert_string_equal(s.ids[0], ids[2]);
  assert_string_equal(s.ids[1], ids[3]);
  f.has_cursor = true;
  f.after_key = s.key;
  f.after_seq = s.seq;
  f.limit = 10;
  assert_int_equal(lk_store_task_list(fx->store, &f, seen_one, &s), 2);
  assert_string_equal(s.ids[2], ids[0]);
  assert_string_equal(s.ids[3], ids[1]); /* no deadline: last */
  /* The hidden one counts only with confidential access. */
  memset(&f, 0, sizeof(f));
  assert_int_equal(lk_store_task_count(fx->store, &f, &count), 0);
  assert_int_equal(count, 4);
  f.confidential = true;
  assert_int_equal(lk_store_task_count(fx->store, &f, &count), 0);
  assert_int_equal(count, 5);
  f.due_before = 2500;
  assert_int_equal(lk_store_task_count(fx->store, &f, &count), 0);
  assert_int_equal(count, 2);
  memset(&f, 0, sizeof(f));
  f.actor_name = "Anna";
  assert_int_equal(lk_store_task_count(fx->store, &f, &count), 0);
  assert_int_equal(count, 0);
}

static void test_delete(void **state) {
  fixture *fx = *state;
  char contact[LK_KC_ID];
  lk_task_op *op = calloc(1, sizeof(*op));
  lk_task_input in;
  lk_task_row t;

  assert_non_null(op);
  make_contact(fx, false, contact);
  in = base_input(contact);
  assert_int_equal(create(fx, &in, false, &t, NULL), 0);
  assert_int_equal(lk_task_delete_prepare(op, "t", NULL, false, t.id), 0);
  assert_int_equal(lk_store_write(fx->store, lk_task_delete_apply, op), 0);
  assert_int_equal(lk_store_task_get(fx->store, t.id, true, &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_write(fx->store, lk_task_delete_apply, op),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_task_delete_prepare(op, "t", NULL, false, "x"),
                   LK_STORE_NOTFOUND);
  free(op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validation),
      cmocka_unit_test_setup_teardown(test_create_and_events, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_references, setup, teardown_store),
      cmocka_unit_test_setup_teardown(test_status_and_assignment, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_list_order_and_cursor, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_delete, setup, teardown_store),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
