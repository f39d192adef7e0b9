/* Unit tests for core/measure.h, core/norms.h and core/figures.h: norm
 * clocks across evenings, weekends and holidays, pauses while waiting on
 * the resident, reopenings, callbacks, figures, and a rebuild that
 * arrives at the same figures.  The store's clock is fixed and moved by
 * hand, so a week passes in microseconds. */
#include "lk_test.h"

#include "core/conversation.h"
#include "core/figures.h"
#include "core/measure.h"
#include "core/norms.h"
#include "core/task.h"
#include "util/clock.h"

#define H 3600000LL
#define MIN 60000LL

typedef struct mfx {
  lk_test_dir dir;
  lk_store *store;
  lk_clock clock;
  lk_measure *m;
} mfx;

static const lk_conv_caller caller = {"token:tok_0000000000000001", "", "req-1",
                                      true};

static int64_t at(int y, int mo, int d, int hh, int mm) {
  return lk_clock_nl_instant(y, mo, d, hh * 60 + mm);
}

static int setup(void **state) {
  mfx *fx = calloc(1, sizeof(*fx));
  lk_store_options opt = {.group_commit = true};

  if (fx == NULL)
    return -1;
  lk_test_dir_make(&fx->dir);
  lk_clock_fixed(&fx->clock, at(2026, 11, 2, 8, 0));
  fx->m = lk_measure_new();
  opt.dir = fx->dir.path;
  lk_measure_store_options(&opt, fx->m);
  opt.clock = &fx->clock;
  *state = fx;
  return fx->m != NULL && lk_store_open(&opt, &fx->store) == 0 ? 0 : -1;
}

static int teardown(void **state) {
  mfx *fx = *state;

  lk_store_close(fx->store);
  lk_measure_free(fx->m);
  lk_test_dir_remove(&fx->dir);
  free(fx);
  return 0;
}

/* ---- writing at a chosen time ---------------------------------------- */

static void when(mfx *fx, int64_t t) {
  lk_clock_set(&fx->clock, t);
}

static void create(mfx *fx, int64_t t, const char *channel, char id[37]) {
  lk_conv_create_in in = {.channel = channel,
                          .subject = "Vraag",
                          .content = "Hoe vraag ik een paspoort aan?",
                          .from_name = "Inwoner"};
  lk_conv_create_op *op = malloc(sizeof(*op));
  lk_invalid why;

  assert_non_null(op);
  when(fx, t);
  assert_int_equal(lk_conv_create_prepare(op, &caller, &in, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_create_apply, op), 0);
  memcpy(id, op->conv.id, 37);
  free(op);
}

static void message(mfx *fx, int64_t t, const char *id, const char *kind) {
  lk_conv_message_in in = {.kind = kind, .content = "Dank u"};
  lk_conv_message_op *op = malloc(sizeof(*op));
  lk_invalid why;

  assert_non_null(op);
  when(fx, t);
  assert_int_equal(lk_conv_message_prepare(op, &caller, id, &in, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_message_apply, op), 0);
  free(op);
}

static void set_status(mfx *fx, int64_t t, const char *id, const char *status) {
  lk_conv_update_in in = {.status = status};
  lk_conv_update_op *op = malloc(sizeof(*op));
  lk_invalid why;

  assert_non_null(op);
  when(fx, t);
  assert_int_equal(lk_conv_update_prepare(op, &caller, id, &in, t, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_conv_update_apply, op), 0);
  free(op);
}

static void save_norms(mfx *fx, int64_t t, const char *text) {
  lk_norms_op *op = malloc(sizeof(*op));
  json_t *doc = json_loads(text, 0, NULL);
  lk_invalid why = {0};

  assert_non_null(op);
  assert_non_null(doc);
  when(fx, t);
  assert_int_equal(lk_norms_save_prepare(op, "test", doc, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_norms_save_apply, op), 0);
  json_decref(doc);
  free(op);
}

/* Callbacks: a task from the conversation with `slot` (0: none). */
static void callback(mfx *fx, int64_t t, const char *conv, int64_t slot,
                     char id[37]) {
  lk_task_input in = {.set = LK_TASK_F_CONVERSATION | LK_TASK_F_KIND |
                             LK_TASK_F_ACTION,
                      .conversation_id = conv,
                      .kind = "callback",
                      .action = "Terugbellen"};
  lk_task_op *op = malloc(sizeof(*op));
  lk_invalid why;

  assert_non_null(op);
  if (slot != 0) {
    in.set |= LK_TASK_F_DEADLINE;
    in.deadline = slot;
  }
  when(fx, t);
  assert_int_equal(
      lk_task_create_prepare(op, "token:tok_1", "r", true, &in, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_task_create_apply, op), 0);
  memcpy(id, op->task.id, 37);
  free(op);
}

static void task_status(mfx *fx, int64_t t, const char *id,
                        const char *status) {
  lk_task_input in = {.set = LK_TASK_F_STATUS, .status = status};
  lk_task_op *op = malloc(sizeof(*op));
  lk_invalid why;

  assert_non_null(op);
  when(fx, t);
  assert_int_equal(
      lk_task_update_prepare(op, "token:tok_1", "r", true, id, &in, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_task_update_apply, op), 0);
  free(op);
}

/* ---- reading --------------------------------------------------------- */

struct get_conv {
  const char *id;
  lk_mconv c;
};

static int get_conv_apply(lk_tx *tx, void *arg) {
  struct get_conv *g = arg;

  return lk_store_mconv_get(tx, g->id, &g->c);
}

static lk_mconv state_of(mfx *fx, const char *id) {
  struct get_conv g = {.id = id};

  assert_int_equal(lk_store_write(fx->store, get_conv_apply, &g), 0);
  return g.c;
}

/* Figures of November and December 2026 (by day), as JSON text.  Every
 * call also checks that the daily rollups (migration 0024) give exactly
 * what adding up the hourly rows gives. */
static char *figures(mfx *fx, const char *channel) {
  char *text[2];

  for (int i = 0; i < 2; i++) {
    lk_fig_query q = {.from = at(2026, 11, 1, 0, 0),
                      .to = at(2027, 1, 1, 0, 0),
                      .daily = true,
                      .channel = channel,
                      .now = at(2026, 12, 31, 12, 0),
                      .from_hours = i == 1};
    lk_figures f;
    lk_buf b = LK_BUF_INIT;

    assert_int_equal(lk_figures_compute(fx->store, &q, &f), 0);
    lk_figures_json(&b, &f);
    lk_figures_free(&f);
    text[i] = lk_buf_steal(&b);
    assert_non_null(text[i]);
  }
  assert_string_equal(text[0], text[1]);
  free(text[1]);
  return text[0];
}

static json_t *figures_doc(mfx *fx, const char *channel) {
  char *text = figures(fx, channel);
  json_t *doc = json_loads(text, 0, NULL);

  free(text);
  assert_non_null(doc);
  return doc;
}

static int64_t total_int(json_t *doc, const char *a, const char *b) {
  json_t *v = json_object_get(json_object_get(doc, "total"), a);

  if (b != NULL)
    v = json_object_get(v, b);
  assert_true(json_is_integer(v));
  return json_integer_value(v);
}

static const char norms_text[] =
    "{\"norms\":["
    "{\"metric\":\"first_response\",\"channel\":\"email\","
    "\"targetSeconds\":64800,\"clock\":\"business\"},"
    "{\"metric\":\"next_response\",\"channel\":\"email\","
    "\"targetSeconds\":32400,\"clock\":\"business\"},"
    "{\"metric\":\"resolution\",\"channel\":\"email\","
    "\"targetSeconds\":129600,\"clock\":\"business\"},"
    "{\"metric\":\"first_response\",\"channel\":\"telefoon\","
    "\"targetSeconds\":25,\"clock\":\"calendar\"},"
    "{\"metric\":\"callback\",\"targetSeconds\":64800,"
    "\"clock\":\"business\"}]}";

/* ---- tests ----------------------------------------------------------- */

static void test_bins_and_quantiles(void **state) {
  int64_t bins[LK_MEASURE_BINS] = {0};

  (void)state;
  assert_int_equal(lk_measure_bin(0), 0);
  assert_int_equal(lk_measure_bin(999), 0);
  assert_int_equal(lk_measure_bin(1000), 1);
  assert_int_equal(lk_measure_bin(1249), 1);
  assert_int_equal(lk_measure_bin(1250), 2);
  assert_int_equal(lk_measure_bin(INT64_MAX / 4), LK_MEASURE_BINS - 1);
  for (int i = 1; i < LK_MEASURE_BINS; i++) {
    assert_true(lk_measure_bin_low(i) < lk_measure_bin_high(i));
    assert_int_equal(lk_measure_bin(lk_measure_bin_low(i)), i);
  }
  assert_int_equal(lk_measure_quantile(bins, 0.5), 0);
  /* 90 quick answers (bin of 2 s) and 10 slow ones (bin of an hour). */
  bins[lk_measure_bin(2000)] = 90;
  bins[lk_measure_bin(3600000)] = 10;
  assert_int_equal(lk_measure_bin(lk_measure_quantile(bins, 0.5)),
                   lk_measure_bin(2000));
  assert_int_equal(lk_measure_bin(lk_measure_quantile(bins, 0.9)),
                   lk_measure_bin(2000));
  assert_int_equal(lk_measure_bin(lk_measure_quantile(bins, 0.91)),
                   lk_measure_bin(3600000));
  /* Within the bin: at most 12.5% from any value in it. */
  assert_true(lk_measure_quantile(bins, 0.99) > 3600000 * 7 / 8);
  assert_true(lk_measure_quantile(bins, 0.99) < 3600000 * 9 / 8);
  assert_int_equal(lk_measure_hour(3600000 * 5 + 7), 3600000 * 5);
  assert_int_equal(lk_measure_hour(-1), -3600000);
}

static void test_norm_matching(void **state) {
  lk_norms ns;
  const lk_norm *n;
  json_t *doc = json_loads(
      "{\"norms\":["
      "{\"metric\":\"first_response\",\"targetSeconds\":100,"
      "\"clock\":\"calendar\"},"
      "{\"metric\":\"first_response\",\"channel\":\"email\","
      "\"targetSeconds\":200,\"clock\":\"business\"},"
      "{\"metric\":\"first_response\","
      "\"teamId\":\"0190aaaa-0000-7000-8000-000000000001\","
      "\"targetSeconds\":300,\"clock\":\"business\"},"
      "{\"metric\":\"first_response\",\"channel\":\"email\","
      "\"categoryId\":\"0190aaaa-0000-7000-8000-00000000000C\","
      "\"targetSeconds\":400,\"clock\":\"business\",\"warnSeconds\":10}]}",
      0, NULL);
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_norms_from_json(&ns, doc, &why), 0);
  json_decref(doc);
  n = lk_norms_match(&ns, LK_METRIC_FIRST_RESPONSE, "chat", "", "");
  assert_int_equal(n->target_ms, 100000);
  n = lk_norms_match(&ns, LK_METRIC_FIRST_RESPONSE, "email", "", "");
  assert_int_equal(n->target_ms, 200000);
  assert_int_equal(n->warn_ms, 40000); /* a fifth by default */
  /* A team beats a channel, a category beats both. */
  n = lk_norms_match(&ns, LK_METRIC_FIRST_RESPONSE, "email",
                     "0190aaaa-0000-7000-8000-000000000001", "");
  assert_int_equal(n->target_ms, 300000);
  n = lk_norms_match(&ns, LK_METRIC_FIRST_RESPONSE, "email",
                     "0190aaaa-0000-7000-8000-000000000001",
                     "0190aaaa-0000-7000-8000-00000000000b "
                     "0190aaaa-0000-7000-8000-00000000000c");
  assert_int_equal(n->target_ms, 400000);
  assert_int_equal(n->warn_ms, 10000);
  /* The category norm is for e-mail only. */
  n = lk_norms_match(&ns, LK_METRIC_FIRST_RESPONSE, "chat", "",
                     "0190aaaa-0000-7000-8000-00000000000c");
  assert_int_equal(n->target_ms, 100000);
  assert_null(lk_norms_match(&ns, LK_METRIC_RESOLUTION, "email", "", ""));
}

static void expect_norms_invalid(const char *text, const char *field) {
  lk_norms ns;
  lk_invalid why = {0};
  json_t *doc = json_loads(text, 0, NULL);

  assert_non_null(doc);
  assert_int_equal(lk_norms_from_json(&ns, doc, &why), LK_EINVALID);
  assert_string_equal(why.field, field);
  json_decref(doc);
}

static void test_norms_validation(void **state) {
  lk_norms ns, again;
  lk_buf b = LK_BUF_INIT;

  (void)state;
  expect_norms_invalid("[]", "");
  expect_norms_invalid("{\"norms\":{}}", "/norms");
  expect_norms_invalid("{\"norms\":[{\"metric\":\"x\"}]}", "/norms/0/metric");
  expect_norms_invalid("{\"norms\":[{\"metric\":\"resolution\","
                       "\"targetSeconds\":0,\"clock\":\"business\"}]}",
                       "/norms/0/targetSeconds");
  expect_norms_invalid("{\"norms\":[{\"metric\":\"resolution\","
                       "\"targetSeconds\":10,\"clock\":\"wall\"}]}",
                       "/norms/0/clock");
  expect_norms_invalid("{\"norms\":[{\"metric\":\"resolution\","
                       "\"targetSeconds\":10,\"clock\":\"business\","
                       "\"channel\":\"fax\"}]}",
                       "/norms/0/channel");
  expect_norms_invalid("{\"norms\":[{\"metric\":\"resolution\","
                       "\"targetSeconds\":10,\"clock\":\"business\","
                       "\"warnSeconds\":11}]}",
                       "/norms/0/warnSeconds");
  expect_norms_invalid("{\"norms\":[{\"metric\":\"resolution\","
                       "\"targetSeconds\":10,\"clock\":\"business\","
                       "\"teamId\":\"x\"}]}",
                       "/norms/0/teamId");
  expect_norms_invalid("{\"norms\":[],\"calendar\":{\"hours\":{\"sun\":1}}}",
                       "/calendar/hours/sun");
  /* The defaults write and read back the same. */
  lk_norms_default(&ns);
  lk_norms_json(&b, &ns);
  assert_int_equal(lk_norms_parse(&again, b.data), 0);
  assert_memory_equal(&ns, &again, sizeof(ns));
  lk_buf_free(&b);
}

/* E-mail on a Friday afternoon: two working days run out on Tuesday. */
static void test_first_response_over_weekend(void **state) {
  mfx *fx = *state;
  char id[37];
  lk_mconv c;
  json_t *doc;

  create(fx, at(2026, 11, 27, 16, 0), "email", id);
  c = state_of(fx, id);
  assert_int_equal(c.clk[LK_MC_FIRST].state, LK_MC_RUNNING);
  assert_true(c.clk[LK_MC_FIRST].business);
  assert_int_equal(c.clk[LK_MC_FIRST].target, 18 * H);
  /* Friday 16-17, Monday 8-17, Tuesday 8-16. */
  assert_int_equal(c.clk[LK_MC_FIRST].deadline, at(2026, 12, 1, 16, 0));
  assert_int_equal(c.due, at(2026, 12, 1, 16, 0));
  /* No resolution norm by default: measured, not due. */
  assert_int_equal(c.clk[LK_MC_RESOLUTION].target, 0);
  /* Answered on Monday at 10:00: three business hours. */
  message(fx, at(2026, 11, 30, 10, 0), id, "outbound");
  c = state_of(fx, id);
  assert_int_equal(c.clk[LK_MC_FIRST].state, LK_MC_DONE);
  assert_int_equal(c.clk[LK_MC_FIRST].used, 3 * H);
  assert_int_equal(c.due, 0);
  doc = figures_doc(fx, NULL);
  assert_int_equal(total_int(doc, "conversations", NULL), 1);
  assert_int_equal(total_int(doc, "firstResponse", "count"), 1);
  assert_int_equal(total_int(doc, "firstResponse", "withinNorm"), 1);
  assert_int_equal(total_int(doc, "inbound", NULL), 1);
  assert_int_equal(total_int(doc, "outbound", NULL), 1);
  json_decref(doc);
}

/* Christmas, and a norm from a saved configuration. */
static void test_holidays_and_saved_norms(void **state) {
  mfx *fx = *state;
  char id[37], id2[37];
  lk_mconv c;

  save_norms(fx, at(2026, 12, 1, 9, 0), norms_text);
  create(fx, at(2026, 12, 24, 16, 0), "email", id);
  c = state_of(fx, id);
  /* Thursday 16-17, then Christmas and the weekend: Monday, Tuesday. */
  assert_int_equal(c.clk[LK_MC_FIRST].deadline, at(2026, 12, 29, 16, 0));
  assert_int_equal(c.clk[LK_MC_RESOLUTION].target, 36 * H);
  /* 36 business hours: Thu 1, Mon 9, Tue 9, Wed 9, Thu 31 Dec 8. */
  assert_int_equal(c.clk[LK_MC_RESOLUTION].deadline, at(2026, 12, 31, 16, 0));
  /* The phone in calendar seconds: 20 s in, 30 s out. */
  create(fx, at(2026, 12, 25, 23, 0), "telefoon", id2);
  c = state_of(fx, id2);
  assert_false(c.clk[LK_MC_FIRST].business);
  assert_int_equal(c.clk[LK_MC_FIRST].deadline,
                   at(2026, 12, 25, 23, 0) + 25000);
  message(fx, at(2026, 12, 25, 23, 0) + 20000, id2, "outbound");
  create(fx, at(2026, 12, 26, 3, 0), "telefoon", id2);
  message(fx, at(2026, 12, 26, 3, 0) + 30000, id2, "outbound");
  {
    json_t *doc = figures_doc(fx, "telefoon");

    assert_int_equal(total_int(doc, "firstResponse", "count"), 2);
    assert_int_equal(total_int(doc, "firstResponse", "normed"), 2);
    assert_int_equal(total_int(doc, "firstResponse", "withinNorm"), 1);
    json_decref(doc);
  }
}

/* Waiting on the resident stops the clocks; the answer starts them. */
static void test_pause_and_reopen(void **state) {
  mfx *fx = *state;
  char id[37];
  lk_mconv c;
  json_t *doc;

  save_norms(fx, at(2026, 11, 1, 9, 0), norms_text);
  create(fx, at(2026, 11, 2, 9, 0), "email", id); /* Monday */
  message(fx, at(2026, 11, 2, 10, 0), id, "outbound");
  set_status(fx, at(2026, 11, 2, 10, 0), id, "pending");
  c = state_of(fx, id);
  assert_int_equal(c.clk[LK_MC_RESOLUTION].state, LK_MC_PAUSED);
  assert_int_equal(c.clk[LK_MC_RESOLUTION].used, H);
  assert_int_equal(c.clk[LK_MC_RESOLUTION].deadline, 0);
  assert_int_equal(c.due, 0); /* nothing is due while we wait */
  /* The resident answers on Wednesday 10:00: open again, the clock goes
   * on from one hour, and a next response is owed by 10:00 Thursday. */
  message(fx, at(2026, 11, 4, 10, 0), id, "inbound");
  c = state_of(fx, id);
  assert_string_equal(c.status, "open");
  assert_int_equal(c.clk[LK_MC_RESOLUTION].state, LK_MC_RUNNING);
  /* 35 hours left from Wednesday 10:00: 7 + 9 + 9 + 9 + 1. */
  assert_int_equal(c.clk[LK_MC_RESOLUTION].deadline, at(2026, 11, 10, 9, 0));
  assert_int_equal(c.clk[LK_MC_NEXT].state, LK_MC_RUNNING);
  assert_int_equal(c.clk[LK_MC_NEXT].deadline, at(2026, 11, 5, 10, 0));
  message(fx, at(2026, 11, 4, 11, 0), id, "outbound");
  set_status(fx, at(2026, 11, 4, 12, 0), id, "resolved");
  c = state_of(fx, id);
  assert_int_equal(c.clk[LK_MC_RESOLUTION].state, LK_MC_DONE);
  assert_int_equal(c.res_ms, 3 * H);
  assert_int_equal(c.res_met, 1);
  assert_false(c.res_fcr); /* the resident wrote twice */
  doc = figures_doc(fx, "email");
  assert_int_equal(total_int(doc, "resolution", "count"), 1);
  assert_int_equal(total_int(doc, "nextResponse", "count"), 1);
  assert_int_equal(total_int(doc, "nextResponse", "withinNorm"), 1);
  assert_int_equal(total_int(doc, "backlogOut", NULL), 1);
  json_decref(doc);
  /* Reopened after resolving: the resolution is taken back... */
  message(fx, at(2026, 11, 5, 9, 0), id, "inbound");
  doc = figures_doc(fx, "email");
  assert_int_equal(total_int(doc, "resolution", "count"), 0);
  assert_int_equal(total_int(doc, "reopened", NULL), 1);
  json_decref(doc);
  /* ...and counted anew, with all the time on it. */
  set_status(fx, at(2026, 11, 5, 10, 0), id, "resolved");
  c = state_of(fx, id);
  assert_int_equal(c.res_ms, 4 * H);
  doc = figures_doc(fx, "email");
  assert_int_equal(total_int(doc, "resolution", "count"), 1);
  assert_int_equal(total_int(doc, "firstContactResolution", "firstContact"), 0);
  json_decref(doc);
}

static void test_first_contact_resolution(void **state) {
  mfx *fx = *state;
  char id[37];
  json_t *doc;

  create(fx, at(2026, 11, 2, 9, 0), "chat", id);
  message(fx, at(2026, 11, 2, 9, 5), id, "outbound");
  set_status(fx, at(2026, 11, 2, 9, 6), id, "resolved");
  doc = figures_doc(fx, "chat");
  assert_int_equal(total_int(doc, "firstContactResolution", "firstContact"), 1);
  assert_int_equal(total_int(doc, "firstContactResolution", "resolved"), 1);
  json_decref(doc);
  /* Reopened by PATCH: no longer resolved at first contact. */
  set_status(fx, at(2026, 11, 2, 10, 0), id, "open");
  doc = figures_doc(fx, "chat");
  assert_int_equal(total_int(doc, "firstContactResolution", "firstContact"), 0);
  assert_int_equal(total_int(doc, "firstContactResolution", "resolved"), 0);
  json_decref(doc);
}

static void test_callbacks(void **state) {
  mfx *fx = *state;
  char conv[37], early[37], late[37], noslot[37];
  json_t *doc;
  lk_figures f;
  lk_fig_query q = {.from = at(2026, 11, 1, 0, 0),
                    .to = at(2026, 12, 1, 0, 0),
                    .daily = true,
                    .now = at(2026, 11, 4, 12, 0)};

  create(fx, at(2026, 11, 2, 9, 0), "telefoon", conv);
  /* The resident chose Tuesday 14:00 (done at 13:00: on time) and
   * 10:00 (late); one without a slot gets two working days: Wednesday
   * 12:00 from Monday 12:00. */
  callback(fx, at(2026, 11, 2, 9, 0), conv, at(2026, 11, 3, 14, 0), early);
  callback(fx, at(2026, 11, 2, 9, 0), conv, at(2026, 11, 3, 10, 0), late);
  callback(fx, at(2026, 11, 2, 12, 0), conv, 0, noslot);
  task_status(fx, at(2026, 11, 3, 13, 0), early, "verwerkt");
  task_status(fx, at(2026, 11, 3, 13, 0), late, "verwerkt");
  doc = figures_doc(fx, NULL);
  assert_int_equal(total_int(doc, "callbacks", "done"), 2);
  assert_int_equal(total_int(doc, "callbacks", "onTime"), 1);
  json_decref(doc);
  /* The open one without a slot is late from Wednesday 12:00 on. */
  q.now = at(2026, 11, 4, 11, 0);
  assert_int_equal(lk_figures_compute(fx->store, &q, &f), 0);
  assert_int_equal(f.backlog.callbacks_open, 1);
  assert_int_equal(f.backlog.callbacks_late, 0);
  lk_figures_free(&f);
  q.now = at(2026, 11, 4, 12, 0);
  assert_int_equal(lk_figures_compute(fx->store, &q, &f), 0);
  assert_int_equal(f.backlog.callbacks_late, 1);
  lk_figures_free(&f);
  /* Undone: taken back. */
  task_status(fx, at(2026, 11, 3, 15, 0), early, "te_verwerken");
  doc = figures_doc(fx, NULL);
  assert_int_equal(total_int(doc, "callbacks", "done"), 1);
  assert_int_equal(total_int(doc, "callbacks", "onTime"), 0);
  json_decref(doc);
}

struct live {
  int n;
  char ids[8][37];
  char kinds[8];
};

static void on_live(const lk_mitem *it, void *ud) {
  struct live *l = ud;

  if (l->n < 8) {
    memcpy(l->ids[l->n], it->task ? it->t->id : it->conv->id, 37);
    l->kinds[l->n] = it->task ? 't' : 'c';
  }
  l->n++;
}

/* Breached first, then soonest due; a norms change moves deadlines. */
static void test_live_list_and_renorm(void **state) {
  mfx *fx = *state;
  char a[37], b[37], c[37], cb[37];
  lk_mlist f = {.may_confidential = true, .limit = 10};
  struct live l = {0};
  lk_mconv s;

  create(fx, at(2026, 11, 2, 9, 0), "email", a);         /* due Wed 9:00 */
  create(fx, at(2026, 11, 2, 12, 0), "social", b);       /* due Mon 16:00 */
  create(fx, at(2026, 11, 2, 8, 30), "webformulier", c); /* Wed 8:30 */
  callback(fx, at(2026, 11, 2, 12, 0), a, at(2026, 11, 2, 15, 0), cb);
  assert_int_equal(lk_store_measure_live(fx->store, &f, on_live, &l), 4);
  assert_string_equal(l.ids[0], cb);
  assert_int_equal(l.kinds[0], 't');
  assert_string_equal(l.ids[1], b);
  assert_string_equal(l.ids[2], c);
  assert_string_equal(l.ids[3], a);
  /* Paging: after the second, the third. */
  f.after = true;
  f.after_due = state_of(fx, b).due;
  f.after_id = b;
  memset(&l, 0, sizeof(l));
  assert_int_equal(lk_store_measure_live(fx->store, &f, on_live, &l), 2);
  assert_string_equal(l.ids[0], c);
  /* Social media within one business hour from now on. */
  save_norms(fx, at(2026, 11, 2, 13, 0),
             "{\"norms\":[{\"metric\":\"first_response\",\"channel\":"
             "\"social\",\"targetSeconds\":3600,\"clock\":\"business\"}]}");
  s = state_of(fx, b);
  assert_int_equal(s.clk[LK_MC_FIRST].deadline, at(2026, 11, 2, 13, 0));
  s = state_of(fx, a);
  assert_int_equal(s.clk[LK_MC_FIRST].target, 0); /* no e-mail norm now */
  assert_int_equal(s.due, 0);
}

static int days_through_apply(lk_tx *tx, void *arg) {
  return lk_store_measure_days_through(tx, arg);
}

/* The local midnight before which the daily rows are written. */
static int64_t days_through(mfx *fx) {
  int64_t through = -1;

  assert_int_equal(lk_store_write(fx->store, days_through_apply, &through), 0);
  return through;
}

/* The same events replayed from scratch give the same figures and
 * state. */
static void test_rebuild_equals_live(void **state) {
  mfx *fx = *state;
  lk_measure_rebuild_op op = {0};
  char *before, *after, *before_chat, *after_chat;
  char a[37], b[37], cb[37];
  lk_mconv sa, sb;

  save_norms(fx, at(2026, 11, 1, 9, 0), norms_text);
  create(fx, at(2026, 11, 6, 16, 30), "email", a);
  create(fx, at(2026, 11, 6, 16, 45), "chat", b);
  message(fx, at(2026, 11, 9, 9, 0), a, "outbound");
  set_status(fx, at(2026, 11, 9, 9, 0), a, "pending");
  message(fx, at(2026, 11, 10, 14, 0), a, "inbound");
  save_norms(fx, at(2026, 11, 10, 15, 0),
             "{\"norms\":[{\"metric\":\"resolution\",\"targetSeconds\":"
             "7200,\"clock\":\"business\"},{\"metric\":\"callback\","
             "\"targetSeconds\":3600,\"clock\":\"calendar\"}]}");
  message(fx, at(2026, 11, 10, 16, 0), a, "outbound");
  set_status(fx, at(2026, 11, 11, 9, 0), a, "resolved");
  callback(fx, at(2026, 11, 11, 10, 0), b, 0, cb);
  task_status(fx, at(2026, 11, 11, 10, 30), cb, "verwerkt");
  message(fx, at(2026, 11, 12, 9, 0), b, "outbound");
  set_status(fx, at(2026, 11, 12, 9, 5), b, "resolved");
  set_status(fx, at(2026, 11, 12, 9, 10), b, "open");
  /* Reopened two days later: the resolution is taken back from the 11th,
   * whose daily rows were written on the 12th (0028). */
  set_status(fx, at(2026, 11, 13, 9, 0), a, "open");
  set_status(fx, at(2026, 11, 13, 10, 0), a, "resolved");
  assert_int_equal(days_through(fx), at(2026, 11, 13, 0, 0));
  sa = state_of(fx, a);
  sb = state_of(fx, b);
  before = figures(fx, NULL);
  before_chat = figures(fx, "chat");
  when(fx, at(2026, 11, 20, 9, 0));
  op.m = fx->m;
  assert_int_equal(lk_store_write(fx->store, lk_measure_rebuild_apply, &op), 0);
  assert_true(op.events > 10);
  after = figures(fx, NULL);
  after_chat = figures(fx, "chat");
  assert_string_equal(before, after);
  assert_string_equal(before_chat, after_chat);
  {
    lk_mconv ra = state_of(fx, a), rb = state_of(fx, b);

    assert_memory_equal(&sa, &ra, sizeof(sa));
    assert_memory_equal(&sb, &rb, sizeof(sb));
  }
  /* The figures are not empty: the test compares something. */
  assert_int_equal(days_through(fx), at(2026, 11, 13, 0, 0));
  assert_non_null(strstr(before, "\"resolution\":{\"count\":1"));
  free(before);
  free(after);
  free(before_chat);
  free(after_chat);
}

/* Days of 23 and 25 hours: the daily rollups put each hour in its local
 * day, as the figures' day buckets do, so both roads give the same. */
static void test_daily_rollups_across_dst(void **state) {
  mfx *fx = *state;
  char a[37], b[37], c[37], d[37];
  char *text[2];

  create(fx, at(2026, 3, 28, 23, 30), "email", a);
  create(fx, at(2026, 3, 29, 1, 30), "email", b); /* the 23-hour day */
  message(fx, at(2026, 3, 29, 3, 30), b, "outbound");
  create(fx, at(2026, 10, 24, 23, 50), "chat", c);
  create(fx, at(2026, 10, 25, 2, 30), "chat", d); /* the 25-hour day */
  message(fx, at(2026, 10, 25, 23, 55), d, "outbound");
  message(fx, at(2026, 10, 26, 0, 5), c, "outbound");
  for (int i = 0; i < 2; i++) {
    lk_fig_query q = {.from = at(2026, 3, 20, 0, 0),
                      .to = at(2026, 11, 1, 0, 0),
                      .daily = true,
                      .now = at(2026, 11, 1, 0, 0),
                      .from_hours = i == 1};
    lk_figures f;
    lk_buf buf = LK_BUF_INIT;

    assert_int_equal(lk_figures_compute(fx->store, &q, &f), 0);
    if (i == 0) {
      /* 28 March, 29 March, 24 and 25 October: one creation each. */
      int days[4] = {8, 9, 218, 219}, fr[4] = {0, 1, 0, 1};

      for (int k = 0; k < 4; k++) {
        assert_int_equal(f.buckets[days[k]].created, 1);
        assert_int_equal(f.buckets[days[k]].clk[LK_MC_FIRST].n, fr[k]);
      }
      assert_int_equal(f.buckets[9].start, at(2026, 3, 29, 0, 0));
      assert_int_equal(f.buckets[10].start - f.buckets[9].start,
                       23 * LK_HOUR_MS);
      assert_int_equal(f.buckets[220].start - f.buckets[219].start,
                       25 * LK_HOUR_MS);
      assert_int_equal(f.buckets[220].clk[LK_MC_FIRST].n, 1);
    }
    lk_figures_json(&buf, &f);
    lk_figures_free(&f);
    text[i] = lk_buf_steal(&buf);
    assert_non_null(text[i]);
  }
  assert_string_equal(text[0], text[1]);
  free(text[0]);
  free(text[1]);
}

struct raw_event {
  lk_measure *m;
  const char *type;
  const char *subject;
  const char *payload;
  int64_t time;
};

static int raw_event_apply(lk_tx *tx, void *arg) {
  struct raw_event *r = arg;
  lk_event_row ev = {1, r->time, r->type, r->subject, r->payload};

  return lk_measure_on_event(tx, &ev, r->m);
}

/* The hook reads payloads with its own scanner: nested members, escapes,
 * odd numbers and broken text must neither confuse nor fail it. */
static void test_payload_scanner(void **state) {
  mfx *fx = *state;
  struct raw_event r = {
      fx->m, "conversation.created", "c-1",
      " { \"extra\" : {\"a\":[1,{\"b\":\"}]\\\"\"}]}, \"id\":\"c-1\","
      "\"status\":\"open\",\"channel\":\"email\",\"teamId\":null,"
      "\"note\":\"a \\\"quoted\\\" word\",\"n\":1.5e3,"
      "\"categoryIds\":[ \"cat-1\" , \"cat-2\" ],\"confidential\":true }",
      at(2026, 11, 2, 9, 0)};
  lk_mconv c;

  assert_int_equal(lk_store_write(fx->store, raw_event_apply, &r), 0);
  c = state_of(fx, "c-1");
  assert_string_equal(c.channel, "email");
  assert_string_equal(c.team_id, "");
  assert_string_equal(c.categories, "cat-1 cat-2");
  assert_true(c.confidential);
  assert_int_equal(c.clk[LK_MC_FIRST].target, 18 * H);
  /* Broken or foreign payloads are skipped, not refused. */
  r.subject = "c-2";
  r.payload = "{\"id\":\"c-2\",\"channel\":";
  assert_int_equal(lk_store_write(fx->store, raw_event_apply, &r), 0);
  r.payload = "[1,2]";
  assert_int_equal(lk_store_write(fx->store, raw_event_apply, &r), 0);
  r.payload = "{\"id\":\"c-2\",\"channel\":\"unterminated}";
  assert_int_equal(lk_store_write(fx->store, raw_event_apply, &r), 0);
  {
    struct get_conv g = {.id = "c-2"};

    assert_int_equal(lk_store_write(fx->store, get_conv_apply, &g),
                     LK_STORE_NOTFOUND);
  }
  /* A member after an array of non-strings still counts. */
  r.subject = "c-3";
  r.payload = "{\"categoryIds\":[\"a\", 1,{\"x\":\"]\"}],"
              "\"channel\":\"chat\"}";
  assert_int_equal(lk_store_write(fx->store, raw_event_apply, &r), 0);
  c = state_of(fx, "c-3");
  assert_string_equal(c.channel, "chat");
  assert_string_equal(c.categories, "");
}

static int failing_event_apply(lk_tx *tx, void *arg) {
  int rc = raw_event_apply(tx, arg);

  return rc != 0 ? rc : LK_STORE_CONFLICT;
}

/* A write that fails after its events were measured leaves neither state
 * nor figures behind, also in the writer's memory. */
static void test_rolled_back_write(void **state) {
  mfx *fx = *state;
  char id[37], payload[256];
  struct raw_event r = {fx->m, "contact.added", "x", payload,
                        at(2026, 11, 2, 10, 0)};
  json_t *doc;

  create(fx, at(2026, 11, 2, 9, 0), "email", id);
  snprintf(payload, sizeof(payload),
           "{\"id\":\"x\",\"conversationId\":\"%s\",\"kind\":\"outbound\","
           "\"channel\":\"email\"}",
           id);
  assert_int_equal(lk_store_write(fx->store, failing_event_apply, &r),
                   LK_STORE_CONFLICT);
  assert_int_equal(state_of(fx, id).clk[LK_MC_FIRST].state, LK_MC_RUNNING);
  doc = figures_doc(fx, NULL);
  assert_int_equal(total_int(doc, "outbound", NULL), 0);
  assert_int_equal(total_int(doc, "firstResponse", "count"), 0);
  json_decref(doc);
  /* The next write starts from what the database holds. */
  message(fx, at(2026, 11, 2, 11, 0), id, "outbound");
  assert_int_equal(state_of(fx, id).clk[LK_MC_FIRST].used, 2 * H);
  doc = figures_doc(fx, NULL);
  assert_int_equal(total_int(doc, "outbound", NULL), 1);
  assert_int_equal(total_int(doc, "firstResponse", "count"), 1);
  json_decref(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bins_and_quantiles),
      cmocka_unit_test(test_norm_matching),
      cmocka_unit_test(test_norms_validation),
      cmocka_unit_test_setup_teardown(test_first_response_over_weekend, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_holidays_and_saved_norms, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_pause_and_reopen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_first_contact_resolution, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_callbacks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_live_list_and_renorm, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rebuild_equals_live, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_payload_scanner, setup, teardown),
      cmocka_unit_test_setup_teardown(test_daily_rollups_across_dst, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rolled_back_write, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
