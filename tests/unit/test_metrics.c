/* Unit tests for util/metrics.h: histograms in the Prometheus text format
 * and the collector registry. */
#include "lk_test.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>

#include "util/metrics.h"

/* ---- a small checker for the Prometheus text exposition format ------ */

typedef struct sample {
  char name[96];
  char labels[160]; /* as written, without braces and without le */
  char le[32];      /* value of the le label, "" if none */
  double value;
} sample;

static bool name_char(char c, bool first) {
  return isalpha((unsigned char)c) || c == '_' || c == ':' ||
         (!first && isdigit((unsigned char)c));
}

/* Parses one label pair at *pp ('name="value"'), unescaping the value
 * into `value`.  Returns the length of the name, 0 if malformed. */
static size_t parse_label(const char **pp, lk_buf *value) {
  const char *p = *pp;
  size_t len;

  if (!(isalpha((unsigned char)*p) || *p == '_'))
    return 0;
  while (isalnum((unsigned char)*p) || *p == '_')
    p++;
  len = (size_t)(p - *pp);
  if (*p++ != '=' || *p++ != '"')
    return 0;
  lk_buf_puts(value, "");
  while (*p != '"') {
    if (*p == '\0' || *p == '\n')
      return 0;
    if (*p == '\\') {
      p++;
      if (*p != '\\' && *p != '"' && *p != 'n')
        return 0;
    }
    lk_buf_putc(value, *p++);
  }
  *pp = p + 1;
  return len;
}

/* Parses one sample line (without its newline).  Returns false when the
 * line is not valid exposition syntax. */
static bool parse_sample(const char *line, sample *s) {
  const char *p = line;
  size_t n = 0;
  char *end;

  memset(s, 0, sizeof(*s));
  if (!name_char(*p, true))
    return false;
  while (name_char(*p, n == 0) && n + 1 < sizeof(s->name))
    s->name[n++] = *p++;
  if (*p == '{') {
    p++;
    while (*p != '}') {
      const char *label = p;
      lk_buf value = LK_BUF_INIT;
      size_t len = parse_label(&p, &value);
      bool ok = len > 0 && (*p == ',' || *p == '}');

      if (ok && len == 2 && memcmp(label, "le", 2) == 0) {
        snprintf(s->le, sizeof(s->le), "%s", value.data);
      } else if (ok) {
        n = strlen(s->labels);
        snprintf(s->labels + n, sizeof(s->labels) - n, "%s%.*s",
                 n > 0 ? "," : "", (int)(p - label), label);
      }
      lk_buf_free(&value);
      if (!ok)
        return false;
      if (*p == ',')
        p++;
    }
    p++;
  }
  if (*p++ != ' ')
    return false;
  errno = 0;
  s->value = strtod(p, &end);
  /* A timestamp may follow the value; we never write one. */
  return end != p && errno == 0 && *end == '\0';
}

/* Splits `text` into sample lines, checking every line; comment lines must
 * be HELP or TYPE.  Returns the number of samples. */
static int parse_exposition(const char *text, sample *out, int max) {
  const char *p = text;
  int n = 0;
  char line[512];

  assert_true(text[0] == '\0' || text[strlen(text) - 1] == '\n');
  while (*p != '\0') {
    const char *nl = strchr(p, '\n');
    size_t len = (size_t)(nl - p);

    assert_non_null(nl);
    assert_true(len < sizeof(line));
    memcpy(line, p, len);
    line[len] = '\0';
    p = nl + 1;
    if (line[0] == '#') {
      assert_true(strncmp(line, "# HELP ", 7) == 0 ||
                  strncmp(line, "# TYPE ", 7) == 0);
      continue;
    }
    assert_true(n < max);
    if (!parse_sample(line, &out[n]))
      fail_msg("not a valid sample line: %s", line);
    n++;
  }
  return n;
}

/* Checks the histogram rules on the series of `name` in `text`: buckets
 * cumulative with ascending le ending at +Inf, _count equal to +Inf, one
 * _sum.  Returns the count. */
static uint64_t check_histogram(const char *text, const char *name) {
  sample samples[64];
  char want[128];
  double prev_le = -INFINITY;
  double prev_count = 0;
  double inf_count = -1;
  double count = -1;
  int nsum = 0;
  int n = parse_exposition(text, samples, 64);

  for (int i = 0; i < n; i++) {
    sample *s = &samples[i];

    snprintf(want, sizeof(want), "%s_bucket", name);
    if (strcmp(s->name, want) == 0) {
      double le = strtod(s->le, NULL);

      assert_true(s->le[0] != '\0');
      assert_true(inf_count < 0); /* nothing after +Inf */
      assert_true(le > prev_le);
      assert_true(s->value >= prev_count);
      prev_le = le;
      prev_count = s->value;
      if (strcmp(s->le, "+Inf") == 0)
        inf_count = s->value;
      continue;
    }
    assert_string_equal(s->le, "");
    snprintf(want, sizeof(want), "%s_sum", name);
    if (strcmp(s->name, want) == 0) {
      nsum++;
      continue;
    }
    snprintf(want, sizeof(want), "%s_count", name);
    if (strcmp(s->name, want) == 0)
      count = s->value;
  }
  assert_true(inf_count >= 0);
  assert_int_equal(nsum, 1);
  assert_true(count == inf_count);
  return (uint64_t)count;
}

/* ---- histograms ----------------------------------------------------- */

static const double small_bounds[] = {1, 2, 5};

static void test_render_exact(void **state) {
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;
  static const uint64_t values[] = {0, 1, 2, 3, 100, 5};

  (void)state;
  lk_histogram_init(&h, small_bounds, 3, 1);
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    lk_histogram_observe(&h, values[i]);
  lk_histogram_render(&h, &b, "x", "");
  /* Upper bounds are inclusive: 1 counts in le="1", 5 in le="5". */
  assert_string_equal(b.data, "x_bucket{le=\"1\"} 2\n"
                              "x_bucket{le=\"2\"} 3\n"
                              "x_bucket{le=\"5\"} 5\n"
                              "x_bucket{le=\"+Inf\"} 6\n"
                              "x_sum 111\n"
                              "x_count 6\n");
  assert_int_equal(check_histogram(b.data, "x"), 6);
  lk_buf_free(&b);
}

static void test_render_with_labels(void **state) {
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_histogram_init(&h, small_bounds, 3, 1);
  lk_histogram_observe(&h, 4);
  lk_histogram_render(&h, &b, "loket_x", "route=\"/a\",method=\"GET\"");
  assert_string_equal(
      b.data, "loket_x_bucket{route=\"/a\",method=\"GET\",le=\"1\"} 0\n"
              "loket_x_bucket{route=\"/a\",method=\"GET\",le=\"2\"} 0\n"
              "loket_x_bucket{route=\"/a\",method=\"GET\",le=\"5\"} 1\n"
              "loket_x_bucket{route=\"/a\",method=\"GET\",le=\"+Inf\"} 1\n"
              "loket_x_sum{route=\"/a\",method=\"GET\"} 4\n"
              "loket_x_count{route=\"/a\",method=\"GET\"} 1\n");
  assert_int_equal(check_histogram(b.data, "loket_x"), 1);
  lk_buf_free(&b);
}

static void test_empty_histogram(void **state) {
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;
  sample samples[32];
  int n;

  (void)state;
  lk_histogram_init(&h, lk_latency_bounds, lk_latency_nbounds, 1e9);
  lk_histogram_render(&h, &b, "empty_seconds", "");
  assert_int_equal(check_histogram(b.data, "empty_seconds"), 0);
  n = parse_exposition(b.data, samples, 32);
  assert_int_equal(n, lk_latency_nbounds + 3);
  for (int i = 0; i < n; i++)
    assert_true(samples[i].value == 0);
  lk_buf_free(&b);
}

static void test_scaled_latency(void **state) {
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;
  sample samples[32];
  int n;

  (void)state;
  lk_histogram_init(&h, lk_latency_bounds, lk_latency_nbounds, 1e9);
  lk_histogram_observe(&h, 100000);         /* 0.1 ms: exactly a bound */
  lk_histogram_observe(&h, 2000000000);     /* 2 s */
  lk_histogram_observe(&h, 10000000000ULL); /* 10 s: beyond every bound */
  lk_histogram_render(&h, &b, "lat_seconds", "");
  assert_int_equal(check_histogram(b.data, "lat_seconds"), 3);
  n = parse_exposition(b.data, samples, 32);
  /* le values are the bounds in seconds, read back exactly. */
  for (int i = 0; i < lk_latency_nbounds; i++)
    assert_true(strtod(samples[i].le, NULL) == lk_latency_bounds[i]);
  assert_string_equal(samples[0].le, "0.0001");
  assert_true(samples[0].value == 1);
  assert_string_equal(samples[12].le, "1");
  assert_true(samples[12].value == 1);
  assert_string_equal(samples[13].le, "2.5");
  assert_true(samples[13].value == 2);
  assert_string_equal(samples[lk_latency_nbounds].le, "+Inf");
  assert_true(samples[lk_latency_nbounds].value == 3);
  assert_string_equal(samples[n - 2].name, "lat_seconds_sum");
  assert_true(fabs(samples[n - 2].value - 12.0001) < 1e-9);
  lk_buf_free(&b);
}

static void test_bounds_render_exactly(void **state) {
  static const double odd_bounds[] = {0.123456789, 1234567};
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;
  sample samples[16];
  int n;

  (void)state;
  lk_histogram_init(&h, odd_bounds, 2, 1);
  lk_histogram_observe(&h, 1234567);
  lk_histogram_observe(&h, 9876543210ULL);
  lk_histogram_render(&h, &b, "big", "");
  n = parse_exposition(b.data, samples, 16);
  assert_int_equal(n, 5);
  /* A bucket's le must be its bound, or the counts lie about it. */
  assert_true(strtod(samples[0].le, NULL) == odd_bounds[0]);
  assert_true(strtod(samples[1].le, NULL) == odd_bounds[1]);
  assert_true(samples[1].value == 1);
  assert_true(samples[2].value == 2);
  /* Large sums are not rounded either. */
  assert_true(samples[3].value == 9877777777.0);
  lk_buf_free(&b);
}

static void test_too_many_bounds_are_clamped(void **state) {
  double bounds[LK_HIST_MAX_BUCKETS + 4];
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;
  sample samples[32];
  int n;

  (void)state;
  for (int i = 0; i < LK_HIST_MAX_BUCKETS + 4; i++)
    bounds[i] = i + 1;
  lk_histogram_init(&h, bounds, LK_HIST_MAX_BUCKETS + 4, 1);
  assert_int_equal(h.nbounds, LK_HIST_MAX_BUCKETS);
  lk_histogram_observe(&h, LK_HIST_MAX_BUCKETS + 2);
  lk_histogram_render(&h, &b, "c", "");
  assert_int_equal(check_histogram(b.data, "c"), 1);
  n = parse_exposition(b.data, samples, 32);
  assert_int_equal(n, LK_HIST_MAX_BUCKETS + 3);
  assert_string_equal(samples[LK_HIST_MAX_BUCKETS].le, "+Inf");
  assert_true(samples[LK_HIST_MAX_BUCKETS - 1].value == 0);
  assert_true(samples[LK_HIST_MAX_BUCKETS].value == 1);
  lk_buf_free(&b);
}

#define OBSERVERS 4
#define OBSERVATIONS 20000

static void *observer(void *arg) {
  lk_histogram *h = arg;

  for (uint64_t i = 0; i < OBSERVATIONS; i++)
    lk_histogram_observe(h, i % 7);
  return NULL;
}

static void test_count_matches_inf_while_observing(void **state) {
  pthread_t threads[OBSERVERS];
  lk_histogram h;
  lk_buf b = LK_BUF_INIT;
  uint64_t last = 0;
  uint64_t count;

  (void)state;
  lk_histogram_init(&h, small_bounds, 3, 1);
  for (int i = 0; i < OBSERVERS; i++)
    assert_int_equal(pthread_create(&threads[i], NULL, observer, &h), 0);
  /* Whatever the interleaving, each rendering is self-consistent and
   * counts never go backwards. */
  for (int i = 0; i < 300; i++) {
    lk_buf_reset(&b);
    lk_histogram_render(&h, &b, "conc", "");
    count = check_histogram(b.data, "conc");
    assert_true(count >= last);
    last = count;
  }
  for (int i = 0; i < OBSERVERS; i++)
    pthread_join(threads[i], NULL);
  lk_buf_reset(&b);
  lk_histogram_render(&h, &b, "conc", "");
  assert_int_equal(check_histogram(b.data, "conc"),
                   (uint64_t)OBSERVERS * OBSERVATIONS);
  lk_buf_free(&b);
}

/* ---- registry ------------------------------------------------------- */

static void collect(lk_buf *b, void *ud) {
  lk_buf_puts(b, ud);
}

static void test_registry_renders_in_order(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_metrics_unregister_all();
  lk_metrics_render(&b);
  assert_true(b.data == NULL || b.data[0] == '\0');
  assert_int_equal(lk_metrics_register(collect, "# TYPE a counter\na 1\n"), 0);
  assert_int_equal(lk_metrics_register(collect, "b{x=\"y\"} 2.5\n"), 0);
  lk_metrics_render(&b);
  assert_string_equal(b.data, "# TYPE a counter\na 1\nb{x=\"y\"} 2.5\n");
  lk_metrics_unregister_all();
  lk_buf_reset(&b);
  lk_metrics_render(&b);
  assert_string_equal(b.data, "");
  lk_buf_free(&b);
}

static void test_registry_is_bounded(void **state) {
  int i;

  (void)state;
  lk_metrics_unregister_all();
  for (i = 0; i < 32; i++)
    assert_int_equal(lk_metrics_register(collect, ""), 0);
  assert_int_equal(lk_metrics_register(collect, ""), -ENOSPC);
  lk_metrics_unregister_all();
  assert_int_equal(lk_metrics_register(collect, ""), 0);
  lk_metrics_unregister_all();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_render_exact),
      cmocka_unit_test(test_render_with_labels),
      cmocka_unit_test(test_empty_histogram),
      cmocka_unit_test(test_scaled_latency),
      cmocka_unit_test(test_bounds_render_exactly),
      cmocka_unit_test(test_too_many_bounds_are_clamped),
      cmocka_unit_test(test_count_matches_inf_while_observing),
      cmocka_unit_test(test_registry_renders_in_order),
      cmocka_unit_test(test_registry_is_bounded),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
