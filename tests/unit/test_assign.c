/* Unit tests for core/assign.h: the round-robin pass (presence, capacity,
 * teams, turn order, re-offering, snoozes), claims that race, and the
 * assigner reacting to events on a real bus.  Conversations are inserted
 * with SQL, as the conversation module would write them. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <pthread.h>
#include <stdarg.h>

#include "core/assign.h"
#include "core/ids.h"
#include "events/bus.h"
#include "store/internal.h"
#include "util/clock.h"

/* ---- fixtures ------------------------------------------------------- */

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

static int nusers;

/* A staff account and its agent, optionally in `team`. */
static void make_agent(lk_store *s, const char *team, int capacity,
                       char id[LK_ACTOR_ID_LEN + 1]) {
  lk_agent_create_op op;
  lk_invalid why;
  char user[LK_USER_ID_LEN + 1];
  const char *teams[1] = {team};

  snprintf(user, sizeof(user), "usr_%016x", ++nusers);
  sql(s,
      "INSERT INTO staff_users (id, email, display_name, role,"
      " password_hash, password_changed_at, created_at)"
      " VALUES ('%s', '%s@example.nl', 'Agent %d', 'agent', 'x', 0, 0)",
      user, user, nusers);
  assert_int_equal(lk_agent_create_prepare(&op, "test", user, NULL, capacity,
                                           teams, team ? 1 : 0, &why),
                   0);
  assert_int_equal(lk_store_write(s, lk_agent_create_apply, &op), 0);
  memcpy(id, op.agent.id, LK_ACTOR_ID_LEN + 1);
}

static void make_team(lk_store *s, const char *name,
                      char id[LK_ACTOR_ID_LEN + 1]) {
  lk_team_op op;
  lk_invalid why;

  assert_int_equal(lk_team_create_prepare(&op, "test", name, &why), 0);
  assert_int_equal(lk_store_write(s, lk_team_apply, &op), 0);
  memcpy(id, op.team.id, LK_ACTOR_ID_LEN + 1);
}

static void set_presence(lk_store *s, const char *agent, const char *p) {
  lk_agent_update_op op;
  lk_invalid why;

  assert_int_equal(lk_agent_update_prepare(&op, "test", agent, &why), 0);
  assert_int_equal(lk_agent_set_presence(&op, p, &why), 0);
  assert_int_equal(lk_store_write(s, lk_agent_update_apply, &op), 0);
}

static int nconvs;

/* An open, unassigned conversation queued since `waiting`. */
static void make_conv(lk_store *s, const char *team, int64_t waiting,
                      char id[LK_ACTOR_ID_LEN + 1]) {
  char team_sql[48] = "NULL";

  lk_uuid_new(id, lk_clock_real_ms());
  if (team != NULL)
    snprintf(team_sql, sizeof(team_sql), "'%s'", team);
  sql(s,
      "INSERT INTO conversations (id, reference, channel, team_id,"
      " created_at, updated_at, last_message_at, waiting_since)"
      " VALUES ('%s', 'REF-%d', 'email', %s, 1, 1, 1, %lld)",
      id, ++nconvs, team_sql, (long long)waiting);
}

static void text_col(lk_stmt *st, void *ud) {
  lk_store_copy(ud, LK_ACTOR_ID_LEN + 1, lk_stmt_col_text(st, 0));
}

/* The conversation's assignee, "" if none. */
static const char *assignee(lk_store *s, const char *conv) {
  static const char q[] =
      "SELECT COALESCE(assignee_id, '') FROM conversations WHERE id = ?1";
  static char out[LK_ACTOR_ID_LEN + 1];

  out[0] = '\0';
  assert_int_equal(lk_store_query(s, q, conv, 0, text_col, out), 1);
  return out;
}

static const char *status_of(lk_store *s, const char *conv) {
  static const char q[] = "SELECT status FROM conversations WHERE id = ?1";
  static char out[LK_ACTOR_ID_LEN + 1];

  assert_int_equal(lk_store_query(s, q, conv, 0, text_col, out), 1);
  return out;
}

static lk_assign_pass pass(lk_store *s) {
  lk_assign_pass p;

  assert_int_equal(lk_store_write(s, lk_assign_pass_apply, &p), 0);
  return p;
}

/* ---- the pass ------------------------------------------------------- */

static void test_pass_respects_presence_capacity_team(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char ta[37], tb[37], a1[37], a2[37], a3[37];
  char c[6][37];
  lk_assign_pass p;

  make_team(s, "Burgerzaken", ta);
  make_team(s, "Belastingen", tb);
  make_agent(s, ta, 2, a1);
  make_agent(s, ta, 1, a2);
  make_agent(s, tb, 5, a3);
  for (int i = 0; i < 4; i++)
    make_conv(s, ta, 1000 + i, c[i]);
  make_conv(s, tb, 500, c[4]);
  make_conv(s, NULL, 2000, c[5]);

  /* Nobody available: nothing moves. */
  p = pass(s);
  assert_int_equal(p.assigned, 0);
  assert_string_equal(assignee(s, c[0]), "");

  set_presence(s, a1, "available");
  set_presence(s, a2, "available");
  set_presence(s, a3, "busy");
  p = pass(s);
  /* Team A's three oldest, turn by turn, until both are full; team B's
   * agent is busy; the conversation without a team finds no one with
   * room. */
  assert_int_equal(p.assigned, 3);
  assert_false(p.more);
  assert_string_equal(assignee(s, c[0]), a1);
  assert_string_equal(assignee(s, c[1]), a2);
  assert_string_equal(assignee(s, c[2]), a1);
  assert_string_equal(assignee(s, c[3]), "");
  assert_string_equal(assignee(s, c[4]), "");
  assert_string_equal(assignee(s, c[5]), "");

  /* Presence back to available: team B's and the teamless one. */
  set_presence(s, a3, "available");
  p = pass(s);
  assert_int_equal(p.assigned, 2);
  assert_string_equal(assignee(s, c[4]), a3);
  assert_string_equal(assignee(s, c[5]), a3);
  assert_string_equal(assignee(s, c[3]), "");

  /* An agent frees up: the next queued conversation of its team. */
  sql(s, "UPDATE conversations SET status = 'resolved' WHERE id = '%s'", c[1]);
  p = pass(s);
  assert_int_equal(p.assigned, 1);
  assert_string_equal(assignee(s, c[3]), a2);
}

static void test_pass_skips_inactive_and_disabled(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char t[37], a1[37], a2[37], conv[37];
  lk_agent_update_op op;
  lk_invalid why;

  make_team(s, "Zorg", t);
  make_agent(s, t, 3, a1);
  make_agent(s, t, 3, a2);
  set_presence(s, a1, "available");
  set_presence(s, a2, "available");
  assert_int_equal(lk_agent_update_prepare(&op, "test", a1, &why), 0);
  lk_agent_set_active(&op, false);
  assert_int_equal(lk_store_write(s, lk_agent_update_apply, &op), 0);
  sql(s,
      "UPDATE staff_users SET disabled_at = 1 WHERE id ="
      " (SELECT user_id FROM actors WHERE id = '%s')",
      a2);
  make_conv(s, t, 10, conv);
  assert_int_equal(pass(s).assigned, 0);
  assert_string_equal(assignee(s, conv), "");
}

static void test_pass_takes_turns_and_oldest_first(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char t[37], a[3][37];
  char c[9][37];
  int count[3] = {0, 0, 0};

  make_team(s, "KCC", t);
  for (int i = 0; i < 3; i++) {
    make_agent(s, t, 10, a[i]);
    set_presence(s, a[i], "available");
  }
  /* Inserted newest first: the queue order is waiting_since. */
  for (int i = 0; i < 9; i++)
    make_conv(s, t, 100 - i, c[i]);
  assert_int_equal(pass(s).assigned, 9);
  for (int i = 0; i < 9; i++) {
    for (int k = 0; k < 3; k++)
      count[k] += strcmp(assignee(s, c[i]), a[k]) == 0;
  }
  /* Each takes three; the oldest (c[8]) went to the first in turn. */
  assert_int_equal(count[0], 3);
  assert_int_equal(count[1], 3);
  assert_int_equal(count[2], 3);
  assert_string_equal(assignee(s, c[8]), a[0]);
  assert_string_equal(assignee(s, c[7]), a[1]);
  assert_string_equal(assignee(s, c[6]), a[2]);
}

static void test_pass_wakes_snoozed(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char t[37], a[37], due[37], later[37];
  lk_assign_pass p;
  int64_t now = lk_clock_real_ms();

  make_team(s, "Vergunningen", t);
  make_agent(s, t, 5, a);
  set_presence(s, a, "available");
  make_conv(s, t, 1, due);
  make_conv(s, t, 1, later);
  sql(s,
      "UPDATE conversations SET status = 'snoozed', waiting_since = NULL,"
      " snoozed_until = %lld WHERE id = '%s'",
      (long long)(now - 1000), due);
  sql(s,
      "UPDATE conversations SET status = 'snoozed', waiting_since = NULL,"
      " snoozed_until = %lld WHERE id = '%s'",
      (long long)(now + 3600000), later);
  p = pass(s);
  assert_int_equal(p.woken, 1);
  assert_int_equal(p.assigned, 1);
  assert_string_equal(status_of(s, due), "open");
  assert_string_equal(assignee(s, due), a);
  assert_string_equal(status_of(s, later), "snoozed");
  assert_string_equal(assignee(s, later), "");
}

/* ---- claims --------------------------------------------------------- */

struct claimer {
  lk_store *s;
  const char *conv;
  const char *agent;
  pthread_barrier_t *go;
  lk_assign_op op;
  int rc;
};

static void *claim_thread(void *arg) {
  struct claimer *cl = arg;
  lk_invalid why;

  assert_int_equal(
      lk_claim_prepare(&cl->op, "test", false, cl->conv, cl->agent, &why), 0);
  pthread_barrier_wait(cl->go);
  cl->rc = lk_store_write(cl->s, lk_assign_apply, &cl->op);
  return NULL;
}

static void test_concurrent_claims_one_wins(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char a1[37], a2[37];
  pthread_barrier_t go;
  pthread_t th[2];

  make_agent(s, NULL, 5, a1);
  make_agent(s, NULL, 5, a2);
  for (int round = 0; round < 20; round++) {
    char conv[37];
    struct claimer cl[2];
    int winner;

    memset(cl, 0, sizeof(cl));
    for (int i = 0; i < 2; i++) {
      cl[i].s = s;
      cl[i].conv = conv;
      cl[i].agent = i == 0 ? a1 : a2;
      cl[i].go = &go;
    }
    make_conv(s, NULL, 1, conv);
    pthread_barrier_init(&go, NULL, 2);
    for (int i = 0; i < 2; i++)
      pthread_create(&th[i], NULL, claim_thread, &cl[i]);
    for (int i = 0; i < 2; i++)
      pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    assert_true((cl[0].rc == 0) != (cl[1].rc == 0));
    winner = cl[0].rc == 0 ? 0 : 1;
    assert_int_equal(cl[1 - winner].rc, LK_STORE_CONFLICT);
    /* The loser learns who has it. */
    assert_string_equal(cl[1 - winner].op.holder_id, cl[winner].agent);
    assert_true(strncmp(cl[1 - winner].op.holder_name, "Agent ", 6) == 0);
    assert_string_equal(assignee(s, conv), cl[winner].agent);
    assert_true(cl[winner].op.changed);
  }
}

static void test_assign_checks_ids(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char a[37], t[37], conv[37], unknown[37];
  lk_assign_op op;
  lk_invalid why;

  make_agent(s, NULL, 5, a);
  make_team(s, "Team", t);
  make_conv(s, NULL, 1, conv);
  lk_uuid_new(unknown, 1);
  /* Unknown conversation, assignee, team; a team is not an agent. */
  assert_int_equal(
      lk_assign_prepare(&op, "test", false, unknown, a, NULL, 0, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_assign_prepare(&op, "test", false, conv, unknown, NULL, 0, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_assign_prepare(&op, "test", false, conv, t, NULL, 0, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_assign_prepare(&op, "test", false, conv, a, unknown, 0, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_STORE_NOTFOUND);
  /* A confidential conversation is unknown to who may not see it. */
  sql(s, "UPDATE conversations SET confidential = 1 WHERE id = '%s'", conv);
  assert_int_equal(
      lk_assign_prepare(&op, "test", false, conv, a, NULL, 0, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_STORE_NOTFOUND);
  assert_int_equal(lk_assign_prepare(&op, "test", true, conv, a, t, 0, &why),
                   0);
  /* ... and goes to supervisors and admins only. */
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_EINVALID);
  assert_string_equal(op.why.field, "assigneeId");
  sql(s,
      "UPDATE staff_users SET role = 'supervisor' WHERE id ="
      " (SELECT user_id FROM actors WHERE id = '%s')",
      a);
  assert_int_equal(lk_assign_prepare(&op, "test", true, conv, a, t, 0, &why),
                   0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), 0);
  assert_string_equal(op.conv.assignee_id, a);
  assert_string_equal(op.conv.team_id, t);
  assert_int_equal(op.conv.waiting_since, 0);
  assert_int_equal(op.conv.version, 2);
  /* A stale version is a conflict. */
  assert_int_equal(
      lk_assign_prepare(&op, "test", true, conv, NULL, NULL, 1, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), LK_STORE_CONFLICT);
  /* Unassigning puts an open conversation back in the queue. */
  assert_int_equal(
      lk_assign_prepare(&op, "test", true, conv, NULL, NULL, 2, &why), 0);
  assert_int_equal(lk_store_write(s, lk_assign_apply, &op), 0);
  assert_string_equal(op.conv.assignee_id, "");
  assert_true(op.conv.waiting_since > 0);
}

/* ---- the assigner on a bus ------------------------------------------ */

static int created_apply(lk_tx *tx, void *arg) {
  char text[512];

  snprintf(text, sizeof(text),
           "INSERT INTO conversations (id, reference, channel, created_at,"
           " updated_at, last_message_at, waiting_since)"
           " VALUES ('%s', 'BUS-1', 'chat', 1, 1, 1, %lld)",
           (char *)arg, (long long)lk_tx_now(tx));
  if (lk_db_exec(lk_tx_db(tx), text) != 0)
    return LK_STORE_IO;
  return lk_tx_emit(tx, "conversation.created", arg, "{}");
}

static void test_assigner_follows_events(void **state) {
  lk_test_dir dir;
  lk_store_options opt = {.group_commit = true};
  lk_store *s;
  lk_bus *bus = lk_bus_create(64);
  lk_assigner *as;
  char a[37], conv[37];

  (void)state;
  lk_test_dir_make(&dir);
  opt.dir = dir.path;
  opt.on_events = lk_bus_publish_row;
  opt.on_events_ud = bus;
  assert_int_equal(lk_store_open(&opt, &s), 0);
  as = lk_assigner_start(s, bus);
  assert_non_null(as);
  make_agent(s, NULL, 5, a);
  set_presence(s, a, "available");
  lk_uuid_new(conv, lk_clock_real_ms());
  assert_int_equal(lk_store_write(s, created_apply, conv), 0);
  /* No tick here: only the event can have started the pass. */
  for (int i = 0; i < 500 && assignee(s, conv)[0] == '\0'; i++)
    usleep(10000);
  assert_string_equal(assignee(s, conv), a);
  lk_store_stop(s);
  lk_assigner_free(as);
  lk_store_close(s);
  lk_bus_destroy(bus);
  lk_test_dir_remove(&dir);
}

struct blocker {
  lk_write w;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool running;
  bool release;
  bool done;
};

/* Holds the writer until released, so requests for passes pile up. */
static int block_apply(lk_tx *tx, void *arg) {
  struct blocker *b = arg;

  (void)tx;
  pthread_mutex_lock(&b->lock);
  b->running = true;
  pthread_cond_broadcast(&b->cond);
  while (!b->release)
    pthread_cond_wait(&b->cond, &b->lock);
  pthread_mutex_unlock(&b->lock);
  return 0;
}

static void block_done(int status, void *arg) {
  struct blocker *b = arg;

  (void)status;
  pthread_mutex_lock(&b->lock);
  b->done = true;
  pthread_cond_broadcast(&b->cond);
  pthread_mutex_unlock(&b->lock);
}

static void test_assigner_coalesces(void **state) {
  lk_test_dir dir;
  lk_store_options opt = {.group_commit = true};
  lk_store *s;
  lk_bus *bus = lk_bus_create(64);
  lk_assigner *as;
  struct blocker b = {.w = {.apply = block_apply, .done = block_done}};
  uint64_t before;

  (void)state;
  lk_test_dir_make(&dir);
  opt.dir = dir.path;
  opt.on_events = lk_bus_publish_row;
  opt.on_events_ud = bus;
  assert_int_equal(lk_store_open(&opt, &s), 0);
  as = lk_assigner_start(s, bus);
  for (int i = 0; i < 500 && lk_assigner_passes(as) == 0; i++)
    usleep(10000); /* the pass every start asks for */
  before = lk_assigner_passes(as);
  assert_int_equal(before, 1);
  pthread_mutex_init(&b.lock, NULL);
  pthread_cond_init(&b.cond, NULL);
  b.w.arg = &b;
  assert_int_equal(lk_store_submit(s, &b.w), 0);
  pthread_mutex_lock(&b.lock);
  while (!b.running)
    pthread_cond_wait(&b.cond, &b.lock);
  pthread_mutex_unlock(&b.lock);
  /* A thousand requests while the writer is busy: one pass waits. */
  for (int i = 0; i < 1000; i++)
    lk_assigner_kick(as);
  pthread_mutex_lock(&b.lock);
  b.release = true;
  pthread_cond_broadcast(&b.cond);
  while (!b.done)
    pthread_cond_wait(&b.cond, &b.lock);
  pthread_mutex_unlock(&b.lock);
  for (int i = 0; i < 500 && lk_assigner_passes(as) == before; i++)
    usleep(10000);
  usleep(200000);
  assert_int_equal(lk_assigner_passes(as), before + 1);
  lk_store_stop(s);
  lk_assigner_free(as);
  lk_store_close(s);
  lk_bus_destroy(bus);
  pthread_cond_destroy(&b.cond);
  pthread_mutex_destroy(&b.lock);
  lk_test_dir_remove(&dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_pass_respects_presence_capacity_team,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_pass_skips_inactive_and_disabled,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_pass_takes_turns_and_oldest_first,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_pass_wakes_snoozed, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_concurrent_claims_one_wins,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_assign_checks_ids, setup_store,
                                      teardown_store),
      cmocka_unit_test(test_assigner_follows_events),
      cmocka_unit_test(test_assigner_coalesces),
  };

  lk_ids_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
