/* test_chat.c - the rules of live chat and call-me-back: which callback
 * slots exist, what the prepare functions refuse, and (with a store on a
 * fixed clock) when chats the resident left end. */
#include "lk_test.h"

#include "core/chat.h"
#include "util/clock.h"

#include <string.h>

#define MIN 60000LL

/* Monday 30 November 2026, 08:00 in Amsterdam (CET). */
static int64_t monday_8(void) {
  return lk_clock_nl_instant(2026, 11, 30, 480);
}

static void test_slots(void **state) {
  lk_calendar cal;
  int64_t now = monday_8();

  (void)state;
  lk_cal_default(&cal);
  /* Too soon: less than 15 minutes ahead. */
  assert_false(lk_chat_slot_valid(&cal, now, now));
  assert_false(lk_chat_slot_valid(&cal, now + 30 * MIN, now + 20 * MIN));
  assert_true(lk_chat_slot_valid(&cal, now, now + 30 * MIN));
  /* Whole and half hours only. */
  assert_false(lk_chat_slot_valid(&cal, now, now + 40 * MIN));
  /* The last slot ends at closing time; the next one is closed. */
  assert_true(lk_chat_slot_valid(&cal, now, now + 510 * MIN));
  assert_false(lk_chat_slot_valid(&cal, now, now + 540 * MIN));
  /* Before opening on Tuesday, the weekend, and beyond a week. */
  assert_false(lk_chat_slot_valid(&cal, now, now + 1410 * MIN));
  assert_true(lk_chat_slot_valid(&cal, now, now + 1440 * MIN));
  assert_false(lk_chat_slot_valid(&cal, now, now + 5 * 1440 * MIN));
  assert_false(lk_chat_slot_valid(&cal, now, now + 7 * 1440 * MIN));
}

static void test_slot_text(void **state) {
  char s[80];

  (void)state;
  lk_chat_slot_text(s, sizeof(s), monday_8() + 90 * MIN);
  assert_string_equal(s, "maandag 30 november 2026, 09:30-10:00");
}

static void test_send_prepare(void **state) {
  lk_chat_send_op *op = malloc(sizeof(*op));
  lk_chat_row chat = {.id = "01a2238b-0000-7000-8000-000000000001",
                      .conversation_id =
                          "01a2238b-0000-7000-8000-000000000002"};
  lk_invalid why;

  (void)state;
  assert_non_null(op);
  assert_int_equal(lk_chat_send_prepare(op, "r", &chat, "nope", "x", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/clientKey");
  assert_int_equal(lk_chat_send_prepare(op, "r", &chat,
                                        "01A2238B-0000-7000-8000-0000000000AA",
                                        " \n", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/text");
  assert_int_equal(lk_chat_send_prepare(op, "r", &chat,
                                        "01A2238B-0000-7000-8000-0000000000AA",
                                        "a\x01", &why),
                   LK_EINVALID);
  assert_int_equal(lk_chat_send_prepare(op, "r", &chat,
                                        "01A2238B-0000-7000-8000-0000000000AA",
                                        "Hallo\ndaar", &why),
                   0);
  /* The key is the session's and the client's UUID, in lower case: the
   * same message from the same chat is one key however it is spelled. */
  assert_string_equal(op->key, "chat:01a2238b-0000-7000-8000-000000000001:"
                               "01a2238b-0000-7000-8000-0000000000aa");
  assert_string_equal(op->msg.kind, "inbound");
  assert_string_equal(op->msg.channel, "chat");
  free(op);
}

static void test_callback_prepare(void **state) {
  lk_callback_op *op = malloc(sizeof(*op));
  lk_calendar cal;
  lk_invalid why;
  int64_t now = monday_8();
  lk_callback_field f[] = {{"vraag", "Mijn bak\nis kapot"}};

  (void)state;
  assert_non_null(op);
  lk_cal_default(&cal);
  assert_int_equal(lk_callback_prepare(op, "r", &cal, now, 2, NULL, "Jan",
                                       "bel me", now + 30 * MIN, NULL, f, 1,
                                       &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/phone");
  assert_int_equal(lk_callback_prepare(op, "r", &cal, now, 2, NULL, "Jan",
                                       "06 12345678", now + 20 * MIN, NULL, f,
                                       1, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/slot");
  assert_int_equal(lk_callback_prepare(op, "r", &cal, now, 2, NULL, "Jan",
                                       "06 12345678", now + 30 * MIN,
                                       "geen-adres", f, 1, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/email");
  assert_int_equal(lk_callback_prepare(op, "r", &cal, now, 2, NULL, "Jan",
                                       "06 12345678", now + 30 * MIN,
                                       "Jan@Example.nl", f, 1, &why),
                   0);
  assert_string_equal(op->email, "jan@example.nl");
  assert_non_null(op->create);
  assert_string_equal(op->context, "{\"source\":\"formulier\",\"fields\":"
                                   "{\"vraag\":\"Mijn bak\\nis kapot\"}}");
  assert_string_equal(op->task.in.kind, "callback");
  assert_int_equal(op->task.in.deadline, now + 60 * MIN);
  lk_callback_op_clear(op);
  free(op);
}

static void test_outcome_prepare(void **state) {
  lk_callback_outcome_op *op = malloc(sizeof(*op));
  lk_conv_caller caller = {.actor = "token:tok_0123456789abcdef"};
  lk_invalid why;

  (void)state;
  assert_non_null(op);
  assert_int_equal(
      lk_callback_outcome_prepare(op, &caller, "x", "reached", NULL, &why),
      LK_STORE_NOTFOUND);
  assert_int_equal(lk_callback_outcome_prepare(
                       op, &caller, "01a2238b-0000-7000-8000-000000000003",
                       "maybe", NULL, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/outcome");
  assert_int_equal(lk_callback_outcome_prepare(
                       op, &caller, "01A2238B-0000-7000-8000-000000000003",
                       "voicemail", "Ingesproken", &why),
                   0);
  assert_string_equal(op->id, "01a2238b-0000-7000-8000-000000000003");
  free(op);
}

static void test_end_prepare(void **state) {
  lk_chat_signal_op op = {0};
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_chat_end_prepare(&op, NULL, &why), 0);
  assert_string_equal(op.email, "");
  assert_int_equal(lk_chat_end_prepare(&op, "x@", &why), LK_EINVALID);
  assert_int_equal(lk_chat_end_prepare(&op, " A@Example.NL ", &why), 0);
  assert_string_equal(op.email, "a@example.nl");
}

/* ---- chats the resident left, on a fixed clock ---------------------- */

static const char *live_id; /* the chat whose resident has a stream */

static bool live(const char *conversation_id, void *ud) {
  (void)ud;
  return live_id != NULL && strcmp(conversation_id, live_id) == 0;
}

static void start(lk_store *s, char conv[LK_CHAT_ID]) {
  lk_chat_start_op *op = calloc(1, sizeof(*op));
  lk_invalid why = {0};

  assert_non_null(op);
  assert_int_equal(
      lk_chat_start_prepare(op, "req-1", "Inwoner", NULL, "Vraag", &why), 0);
  assert_int_equal(lk_store_write(s, lk_chat_start_apply, op), 0);
  snprintf(conv, LK_CHAT_ID, "%s", op->conv.conv.id);
  free(op);
}

static lk_chat_expire_op expire(lk_store *s) {
  lk_chat_expire_op op = {
      .abandon_ms = 3 * MIN, .idle_ms = 30 * MIN, .live = live};

  assert_int_equal(lk_store_write(s, lk_chat_expire_apply, &op), 0);
  return op;
}

static void ended(lk_store *s, const char *conv, bool yes) {
  lk_chat_row c;

  assert_int_equal(lk_store_chat_by_conv(s, NULL, conv, &c), 0);
  assert_int_equal(c.ended_at != 0, yes);
  if (yes)
    assert_string_equal(c.status, "resolved");
}

static void test_expiry(void **state) {
  lk_test_dir dir;
  lk_clock clock;
  lk_store_options opt = {.group_commit = true};
  lk_store *s = NULL;
  char gone[LK_CHAT_ID], here[LK_CHAT_ID];
  lk_chat_expire_op op;

  (void)state;
  lk_test_dir_make(&dir);
  lk_clock_fixed(&clock, monday_8());
  opt.dir = dir.path;
  opt.clock = &clock;
  assert_int_equal(lk_store_open(&opt, &s), 0);
  start(s, gone);
  start(s, here);
  live_id = here;
  /* Within the time nothing happens. */
  lk_clock_set(&clock, monday_8() + 3 * MIN - 1);
  op = expire(s);
  assert_int_equal(op.abandoned + op.kept, 0);
  /* Past it: the one without a stream ends, the connected one stays and
   * gets a sign of life. */
  lk_clock_set(&clock, monday_8() + 3 * MIN + 1);
  op = expire(s);
  assert_int_equal(op.abandoned, 1);
  assert_int_equal(op.kept, 1);
  ended(s, gone, true);
  ended(s, here, false);
  /* Its resident leaves: the time counts from the last sign of life. */
  live_id = NULL;
  lk_clock_set(&clock, monday_8() + 6 * MIN);
  op = expire(s);
  assert_int_equal(op.abandoned, 0);
  lk_clock_set(&clock, monday_8() + 6 * MIN + 2);
  op = expire(s);
  assert_int_equal(op.abandoned, 1);
  ended(s, here, true);
  /* Ended chats are not looked at again. */
  lk_clock_set(&clock, monday_8() + 600 * MIN);
  op = expire(s);
  assert_int_equal(op.abandoned + op.inactive + op.kept, 0);
  lk_store_close(s);
  lk_test_dir_remove(&dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slots),
      cmocka_unit_test(test_slot_text),
      cmocka_unit_test(test_send_prepare),
      cmocka_unit_test(test_callback_prepare),
      cmocka_unit_test(test_outcome_prepare),
      cmocka_unit_test(test_end_prepare),
      cmocka_unit_test(test_expiry),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
