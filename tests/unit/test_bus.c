/* Unit tests for events/bus.h: event serialisation, the ring, cursors and
 * listeners.  Run under ASan, they also check every reference is dropped. */
#include "lk_test.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "events/bus.h"
#include "util/buf.h"

static lk_event *event(int64_t seq) {
  char subject[32];
  lk_event_row row = {.seq = seq,
                      .time_ms = 1795874529123,
                      .type = "test.happened",
                      .subject = subject,
                      .payload = "{\"n\":1}"};
  lk_event *ev;

  snprintf(subject, sizeof(subject), "sub_%lld", (long long)seq);
  ev = lk_event_new(&row);
  assert_non_null(ev);
  return ev;
}

/* Publishes events with the given sequence numbers. */
static void publish(lk_bus *bus, const int64_t *seqs, int n) {
  for (int i = 0; i < n; i++)
    lk_bus_publish(bus, event(seqs[i]));
}

static void publish_range(lk_bus *bus, int64_t from, int64_t to) {
  for (int64_t seq = from; seq <= to; seq++)
    lk_bus_publish(bus, event(seq));
}

/* Reads after `after` and checks the sequence numbers, dropping the
 * references.  `want` NULL with nwant LK_BUS_GONE expects GONE. */
static void expect_read(lk_bus *bus, int64_t after, int max,
                        const int64_t *want, int nwant) {
  lk_event *out[64];
  int n;

  assert_true(max <= 64);
  n = lk_bus_read(bus, after, out, max);
  assert_int_equal(n, nwant);
  for (int i = 0; i < n; i++) {
    assert_int_equal(out[i]->seq, want[i]);
    lk_event_unref(out[i]);
  }
}

/* ---- lk_event ------------------------------------------------------- */

static void test_event_serialisation(void **state) {
  lk_event_row row = {.seq = 7,
                      .time_ms = 1795874529123,
                      .type = "token.created",
                      .subject = "tok_0123456789abcdef",
                      .payload =
                          "{\"id\":\"tok_0123456789abcdef\",\"n\":[1,2]}"};
  const char *want_json =
      "{\"seq\":7,\"type\":\"token.created\",\"subject\":"
      "\"tok_0123456789abcdef\",\"time\":\"2026-11-28T14:02:09.123Z\","
      "\"data\":{\"id\":\"tok_0123456789abcdef\",\"n\":[1,2]}}";
  lk_buf want_sse = LK_BUF_INIT;
  lk_event *ev = lk_event_new(&row);

  (void)state;
  assert_non_null(ev);
  assert_int_equal(ev->seq, 7);
  assert_true(ev->time_ms == 1795874529123);
  assert_string_equal(ev->type, "token.created");
  assert_string_equal(ev->subject, "tok_0123456789abcdef");
  assert_string_equal(ev->json, want_json);
  assert_int_equal(ev->json_len, strlen(want_json));
  lk_buf_printf(&want_sse, "id: 7\nevent: token.created\ndata: %s\n\n",
                want_json);
  assert_string_equal(ev->sse, want_sse.data);
  assert_int_equal(ev->sse_len, want_sse.len);
  assert_int_equal(atomic_load(&ev->refs), 1);
  /* The event owns copies, not the row's strings. */
  assert_ptr_not_equal(ev->type, row.type);
  assert_ptr_not_equal(ev->subject, row.subject);
  lk_buf_free(&want_sse);
  lk_event_unref(ev);
}

static void test_event_json_is_valid(void **state) {
  lk_event_row row = {.seq = 1,
                      .time_ms = 0,
                      .type = "odd\"type\\",
                      .subject = "quote\" back\\ nl\n ctl\x01 bad\xff",
                      .payload = "{}"};
  json_error_t err;
  json_t *v;
  lk_event *ev = lk_event_new(&row);

  (void)state;
  assert_non_null(ev);
  v = json_loads(ev->json, JSON_REJECT_DUPLICATES, &err);
  if (v == NULL)
    fail_msg("invalid JSON %s: %s", ev->json, err.text);
  assert_int_equal(json_integer_value(json_object_get(v, "seq")), 1);
  assert_string_equal(json_string_value(json_object_get(v, "type")),
                      "odd\"type\\");
  assert_string_equal(json_string_value(json_object_get(v, "subject")),
                      "quote\" back\\ nl\n ctl\x01 bad\xef\xbf\xbd");
  assert_string_equal(json_string_value(json_object_get(v, "time")),
                      "1970-01-01T00:00:00.000Z");
  assert_true(json_is_object(json_object_get(v, "data")));
  json_decref(v);
  lk_event_unref(ev);
}

/* Checks that `sse` is exactly one frame: "id:", "event:" and "data:"
 * lines, then the blank line that ends it. */
static void expect_one_frame(const lk_event *ev) {
  const char *p = ev->sse;
  const char *fields[] = {"id: ", "event: ", "data: "};

  assert_int_equal(strlen(ev->sse), ev->sse_len);
  for (int i = 0; i < 3; i++) {
    const char *nl = strchr(p, '\n');

    assert_non_null(nl);
    assert_true(strncmp(p, fields[i], strlen(fields[i])) == 0);
    assert_null(memchr(p, '\r', (size_t)(nl - p)));
    p = nl + 1;
  }
  assert_string_equal(p, "\n");
}

static void test_event_sse_newline_safety(void **state) {
  lk_event_row row = {.seq = 12,
                      .time_ms = 0,
                      .type = "evil\nevent: other\r\ndata: x",
                      .subject = "line1\nline2\r\n\nid: 99",
                      .payload = "{}"};
  lk_event *ev = lk_event_new(&row);
  json_t *v;

  (void)state;
  assert_non_null(ev);
  expect_one_frame(ev);
  assert_true(strncmp(ev->sse, "id: 12\n", 7) == 0);
  v = json_loads(ev->json, 0, NULL);
  assert_non_null(v);
  json_decref(v);
  lk_event_unref(ev);
}

static void test_event_payload_with_newlines(void **state) {
  /* A valid object, pretty-printed by whoever wrote the row: its line
   * breaks must not split the data line. */
  lk_event_row row = {.seq = 3,
                      .time_ms = 0,
                      .type = "t",
                      .subject = "s",
                      .payload = "{\n  \"a\": 1,\r\n  \"b\": \"x\"\n}\n"};
  lk_event *ev = lk_event_new(&row);
  const char *data;
  json_t *v;

  (void)state;
  assert_non_null(ev);
  expect_one_frame(ev);
  /* The data line still carries the same JSON. */
  data = strstr(ev->sse, "\ndata: ") + 7;
  v = json_loadb(data, strlen(data) - 2, 0, NULL);
  assert_non_null(v);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(v, "data"), "a")), 1);
  json_decref(v);
  v = json_loads(ev->json, 0, NULL);
  assert_non_null(v);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(v, "data"), "b")), "x");
  json_decref(v);
  lk_event_unref(ev);
}

static void test_event_rejects_non_objects(void **state) {
  static const char *payloads[] = {
      "",      "[1]",     "[{}]",  "1",        "\"s\"",   "null",
      "{oops", "{\"a\":", "{} {}", "{\"a\":1", "not json"};
  lk_event_row row = {.seq = 1, .time_ms = 0, .type = "t", .subject = "s"};

  (void)state;
  for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
    row.payload = payloads[i];
    assert_null(lk_event_new(&row));
  }
}

static void test_event_refcount(void **state) {
  lk_event *ev = event(1);

  (void)state;
  assert_ptr_equal(lk_event_ref(ev), ev);
  assert_int_equal(atomic_load(&ev->refs), 2);
  lk_event_unref(ev);
  assert_int_equal(atomic_load(&ev->refs), 1);
  assert_string_equal(ev->type, "test.happened"); /* still alive */
  lk_event_unref(ev);
  lk_event_unref(NULL);
}

/* ---- ring and cursors ----------------------------------------------- */

static void test_publish_and_read_in_order(void **state) {
  static const int64_t all[] = {1, 2, 3, 4, 5};
  lk_bus *bus = lk_bus_create(8);

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 0);
  assert_int_equal(lk_bus_last_seq(bus), 0);
  expect_read(bus, 0, 10, all, 0);
  publish_range(bus, 1, 5);
  assert_int_equal(lk_bus_last_seq(bus), 5);
  expect_read(bus, 0, 10, all, 5);
  expect_read(bus, 3, 10, all + 3, 2);
  expect_read(bus, 5, 10, NULL, 0);
  expect_read(bus, 99, 10, NULL, 0);
  /* `max` limits the batch; the next read continues from its end. */
  expect_read(bus, 0, 2, all, 2);
  expect_read(bus, 2, 2, all + 2, 2);
  expect_read(bus, 4, 2, all + 4, 1);
  lk_bus_destroy(bus);
}

static void test_events_are_shared_not_copied(void **state) {
  lk_bus *bus = lk_bus_create(4);
  lk_event *ev = event(1);
  lk_event *a;
  lk_event *b;

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 0);
  lk_bus_publish(bus, lk_event_ref(ev));
  assert_int_equal(lk_bus_read(bus, 0, &a, 1), 1);
  assert_int_equal(lk_bus_read(bus, 0, &b, 1), 1);
  assert_ptr_equal(a, ev);
  assert_ptr_equal(b, ev);
  assert_int_equal(atomic_load(&ev->refs), 4); /* ours, ring, a, b */
  lk_event_unref(a);
  lk_event_unref(b);
  lk_bus_destroy(bus);
  assert_int_equal(atomic_load(&ev->refs), 1);
  lk_event_unref(ev);
}

static void test_eviction_makes_old_cursors_gone(void **state) {
  static const int64_t want[] = {3, 4, 5, 6};
  lk_bus *bus = lk_bus_create(4);
  lk_event *oldest = event(1);

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 0);
  lk_bus_publish(bus, lk_event_ref(oldest));
  publish_range(bus, 2, 6);
  /* 1 and 2 left the ring: whoever needs them reads the store. */
  expect_read(bus, 0, 10, NULL, LK_BUS_GONE);
  expect_read(bus, 1, 10, NULL, LK_BUS_GONE);
  expect_read(bus, 2, 10, want, 4);
  expect_read(bus, 4, 10, want + 2, 2);
  expect_read(bus, 6, 10, NULL, 0);
  /* The evicted event's ring reference was dropped. */
  assert_int_equal(atomic_load(&oldest->refs), 1);
  lk_event_unref(oldest);
  lk_bus_destroy(bus);
}

static void test_ring_wraps_many_times(void **state) {
  lk_bus *bus = lk_bus_create(5);
  int64_t want[5];

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 0);
  publish_range(bus, 1, 103);
  for (int i = 0; i < 5; i++)
    want[i] = 99 + i;
  expect_read(bus, 97, 10, NULL, LK_BUS_GONE);
  for (int64_t after = 98; after <= 103; after++)
    expect_read(bus, after, 10, want + (after - 98), (int)(103 - after));
  lk_bus_destroy(bus);
}

static void test_gaps_in_sequence(void **state) {
  static const int64_t seqs[] = {2, 5, 9, 10};
  lk_bus *bus = lk_bus_create(8);

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 1);
  publish(bus, seqs, 4);
  expect_read(bus, 1, 10, seqs, 4);
  expect_read(bus, 3, 10, seqs + 1, 3);
  expect_read(bus, 5, 10, seqs + 2, 2);
  expect_read(bus, 6, 10, seqs + 2, 2);
  expect_read(bus, 9, 10, seqs + 3, 1);
  expect_read(bus, 0, 10, NULL, LK_BUS_GONE);
  lk_bus_destroy(bus);
}

static void test_stale_publish_is_dropped(void **state) {
  static const int64_t want[] = {4, 5};
  lk_bus *bus = lk_bus_create(8);

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 3);
  lk_bus_publish(bus, event(2)); /* already in the store only */
  lk_bus_publish(bus, event(3));
  publish_range(bus, 4, 5);
  lk_bus_publish(bus, event(5)); /* duplicate */
  lk_bus_publish(bus, event(4)); /* out of order */
  assert_int_equal(lk_bus_last_seq(bus), 5);
  expect_read(bus, 3, 10, want, 2);
  lk_bus_destroy(bus);
}

/* ---- the floor ------------------------------------------------------ */

static void test_unknown_floor_is_gone(void **state) {
  lk_bus *bus = lk_bus_create(4);

  (void)state;
  assert_non_null(bus);
  /* Until the bus knows where memory starts, nothing can be promised. */
  expect_read(bus, 0, 10, NULL, LK_BUS_GONE);
  expect_read(bus, 100, 10, NULL, LK_BUS_GONE);
  lk_bus_destroy(bus);
}

static void test_start_at_sets_floor(void **state) {
  static const int64_t want[] = {11, 12};
  lk_bus *bus = lk_bus_create(4);

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 10);
  assert_int_equal(lk_bus_last_seq(bus), 10);
  /* Up to date with the store: nothing new, not gone. */
  expect_read(bus, 10, 10, NULL, 0);
  expect_read(bus, 9, 10, NULL, LK_BUS_GONE);
  publish_range(bus, 11, 12);
  expect_read(bus, 10, 10, want, 2);
  expect_read(bus, 9, 10, NULL, LK_BUS_GONE);
  /* Once known, the floor is not moved back by a late start_at. */
  lk_bus_start_at(bus, 0);
  expect_read(bus, 5, 10, NULL, LK_BUS_GONE);
  assert_int_equal(lk_bus_last_seq(bus), 12);
  lk_bus_destroy(bus);
}

static void test_first_publish_sets_floor(void **state) {
  static const int64_t want[] = {40, 41};
  lk_bus *bus = lk_bus_create(4);

  (void)state;
  assert_non_null(bus);
  lk_bus_publish(bus, event(40));
  lk_bus_publish(bus, event(41));
  expect_read(bus, 39, 10, want, 2);
  expect_read(bus, 40, 10, want + 1, 1);
  expect_read(bus, 38, 10, NULL, LK_BUS_GONE);
  /* start_at after the floor became known is ignored. */
  lk_bus_start_at(bus, 10);
  expect_read(bus, 20, 10, NULL, LK_BUS_GONE);
  expect_read(bus, 39, 10, want, 2);
  assert_int_equal(lk_bus_last_seq(bus), 41);
  lk_bus_destroy(bus);
}

static void test_publish_row(void **state) {
  static const int64_t want[] = {2};
  lk_bus *bus = lk_bus_create(4);
  lk_event_row good = {
      .seq = 2, .type = "t", .subject = "s", .payload = "{\"ok\":true}"};
  lk_event_row bad = {
      .seq = 3, .type = "t", .subject = "s", .payload = "not json"};

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 1);
  lk_bus_publish_row(&good, bus);
  lk_bus_publish_row(&bad, bus);
  assert_int_equal(lk_bus_last_seq(bus), 2);
  expect_read(bus, 1, 10, want, 1);
  lk_bus_destroy(bus);
}

/* ---- listeners ------------------------------------------------------ */

typedef struct recorder {
  int64_t seqs[64];
  int n;
} recorder;

static void record(const lk_event *ev, void *ud) {
  recorder *r = ud;

  if (r->n < 64)
    r->seqs[r->n++] = ev->seq;
}

static void test_listeners_get_every_event_in_order(void **state) {
  lk_bus *bus = lk_bus_create(2);
  recorder a = {.n = 0};
  recorder b = {.n = 0};
  lk_bus_listener *la;
  lk_bus_listener *lb;

  (void)state;
  assert_non_null(bus);
  lk_bus_start_at(bus, 0);
  la = lk_bus_listen(bus, record, &a);
  assert_non_null(la);
  publish_range(bus, 1, 2);
  lb = lk_bus_listen(bus, record, &b);
  assert_non_null(lb);
  /* More than the ring holds: listeners see everything regardless. */
  publish_range(bus, 3, 6);
  lk_bus_publish(bus, event(6)); /* stale: nobody is told */
  assert_int_equal(a.n, 6);
  for (int i = 0; i < 6; i++)
    assert_int_equal(a.seqs[i], i + 1);
  assert_int_equal(b.n, 4);
  for (int i = 0; i < 4; i++)
    assert_int_equal(b.seqs[i], i + 3);

  lk_bus_unlisten(bus, la);
  publish_range(bus, 7, 8);
  assert_int_equal(a.n, 6);
  assert_int_equal(b.n, 6);
  assert_int_equal(b.seqs[5], 8);
  lk_bus_unlisten(bus, lb);
  lk_bus_destroy(bus);
}

typedef struct watched {
  atomic_bool removed;
  atomic_int calls_after_removal;
  atomic_int calls;
} watched;

static void watch(const lk_event *ev, void *ud) {
  watched *w = ud;

  (void)ev;
  atomic_fetch_add(&w->calls, 1);
  if (atomic_load(&w->removed))
    atomic_fetch_add(&w->calls_after_removal, 1);
}

typedef struct publisher {
  lk_bus *bus;
  atomic_bool stop;
  int64_t published;
} publisher;

static void *publish_until_stopped(void *arg) {
  publisher *p = arg;
  int64_t seq = 0;

  while (!atomic_load(&p->stop)) {
    lk_event_row row = {
        .seq = ++seq, .type = "t", .subject = "s", .payload = "{}"};
    lk_event *ev = lk_event_new(&row);

    if (ev != NULL)
      lk_bus_publish(p->bus, ev);
  }
  p->published = seq;
  return NULL;
}

static void test_unlisten_is_final_under_concurrency(void **state) {
  publisher p = {.bus = lk_bus_create(16)};
  pthread_t thread;
  watched w[8];

  (void)state;
  assert_non_null(p.bus);
  atomic_init(&p.stop, false);
  assert_int_equal(pthread_create(&thread, NULL, publish_until_stopped, &p), 0);
  for (int round = 0; round < 200; round++) {
    for (int i = 0; i < 8; i++) {
      lk_bus_listener *l;

      atomic_init(&w[i].removed, false);
      atomic_init(&w[i].calls, 0);
      atomic_init(&w[i].calls_after_removal, 0);
      l = lk_bus_listen(p.bus, watch, &w[i]);
      assert_non_null(l);
      lk_bus_unlisten(p.bus, l);
      atomic_store(&w[i].removed, true);
    }
    for (int i = 0; i < 8; i++)
      assert_int_equal(atomic_load(&w[i].calls_after_removal), 0);
  }
  atomic_store(&p.stop, true);
  pthread_join(thread, NULL);
  /* Give the listeners one last chance to be called wrongly. */
  lk_bus_publish(p.bus, event(p.published + 1));
  for (int i = 0; i < 8; i++)
    assert_int_equal(atomic_load(&w[i].calls_after_removal), 0);
  lk_bus_destroy(p.bus);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_event_serialisation),
      cmocka_unit_test(test_event_json_is_valid),
      cmocka_unit_test(test_event_sse_newline_safety),
      cmocka_unit_test(test_event_payload_with_newlines),
      cmocka_unit_test(test_event_rejects_non_objects),
      cmocka_unit_test(test_event_refcount),
      cmocka_unit_test(test_publish_and_read_in_order),
      cmocka_unit_test(test_events_are_shared_not_copied),
      cmocka_unit_test(test_eviction_makes_old_cursors_gone),
      cmocka_unit_test(test_ring_wraps_many_times),
      cmocka_unit_test(test_gaps_in_sequence),
      cmocka_unit_test(test_stale_publish_is_dropped),
      cmocka_unit_test(test_unknown_floor_is_gone),
      cmocka_unit_test(test_start_at_sets_floor),
      cmocka_unit_test(test_first_publish_sets_floor),
      cmocka_unit_test(test_publish_row),
      cmocka_unit_test(test_listeners_get_every_event_in_order),
      cmocka_unit_test(test_unlisten_is_final_under_concurrency),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
