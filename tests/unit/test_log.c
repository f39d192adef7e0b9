/* test_log.c - log lines: valid JSON, levels, buffering. */
#include "lk_test.h"

#include <fcntl.h>
#include <jansson.h>

#include "util/log.h"

/* Runs with stderr sent to a scratch file; returns what was written. */
typedef struct capture {
  char path[64];
  int saved;
} capture;

static void capture_start(capture *c) {
  int fd;

  snprintf(c->path, sizeof(c->path), "/tmp/loket-log-XXXXXX");
  fd = mkstemp(c->path);
  assert_true(fd >= 0);
  fflush(stderr);
  c->saved = dup(STDERR_FILENO);
  assert_true(dup2(fd, STDERR_FILENO) >= 0);
  close(fd);
}

/* Restores stderr and returns the captured text (caller frees). */
static char *capture_end(capture *c) {
  char *text = calloc(1, 65536);
  FILE *f;
  size_t n;

  lk_log_flush();
  dup2(c->saved, STDERR_FILENO);
  close(c->saved);
  f = fopen(c->path, "r");
  assert_non_null(f);
  n = fread(text, 1, 65535, f);
  text[n] = '\0';
  fclose(f);
  unlink(c->path);
  return text;
}

/* Parses each line as a JSON object; returns how many there were. */
static int lines(const char *text, json_t **out, int max) {
  int n = 0;

  for (const char *p = text; *p != '\0' && n < max;) {
    const char *nl = strchr(p, '\n');
    json_error_t err;

    assert_non_null(nl); /* every line ends */
    out[n] = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &err);
    assert_non_null(out[n]);
    assert_true(json_is_object(out[n]));
    n++;
    p = nl + 1;
  }
  return n;
}

static void test_levels_parse(void **state) {
  lk_log_level l;

  (void)state;
  assert_int_equal(lk_log_level_parse("debug", &l), 0);
  assert_int_equal(l, LK_LOG_DEBUG);
  assert_int_equal(lk_log_level_parse("error", &l), 0);
  assert_int_equal(l, LK_LOG_ERROR);
  assert_int_not_equal(lk_log_level_parse("", &l), 0);
  assert_int_not_equal(lk_log_level_parse("INFO", &l), 0);
  assert_int_not_equal(lk_log_level_parse("verbose", &l), 0);
}

static void test_lines_are_json_with_escaping(void **state) {
  capture c;
  json_t *v[4];
  char *text;
  int n;

  (void)state;
  lk_log_set_level(LK_LOG_INFO);
  capture_start(&c);
  lk_log(LK_LOG_INFO, "hello \"world\"\n", "path", "/a\"b\\c\n<x>", "bad",
         "\xff\xfe", NULL);
  lk_log_raw(LK_LOG_WARN, "raw", "\"n\":1");
  text = capture_end(&c);
  n = lines(text, v, 4);
  assert_int_equal(n, 2);
  assert_string_equal(json_string_value(json_object_get(v[0], "msg")),
                      "hello \"world\"\n");
  assert_string_equal(json_string_value(json_object_get(v[0], "level")),
                      "info");
  assert_string_equal(json_string_value(json_object_get(v[0], "path")),
                      "/a\"b\\c\n<x>");
  /* Invalid UTF-8 is replaced, never passed on. */
  assert_string_equal(json_string_value(json_object_get(v[0], "bad")),
                      "\xef\xbf\xbd\xef\xbf\xbd");
  assert_non_null(json_object_get(v[0], "ts"));
  assert_int_equal(json_integer_value(json_object_get(v[1], "n")), 1);
  assert_string_equal(json_string_value(json_object_get(v[1], "level")),
                      "warn");
  for (int i = 0; i < n; i++)
    json_decref(v[i]);
  free(text);
}

static void test_level_filters(void **state) {
  capture c;
  json_t *v[4];
  char *text;
  int n;

  (void)state;
  lk_log_set_level(LK_LOG_WARN);
  assert_false(lk_log_enabled(LK_LOG_INFO));
  assert_true(lk_log_enabled(LK_LOG_ERROR));
  capture_start(&c);
  lk_log(LK_LOG_DEBUG, "no", NULL);
  lk_log(LK_LOG_INFO, "no", NULL);
  lk_log(LK_LOG_ERROR, "yes", NULL);
  text = capture_end(&c);
  n = lines(text, v, 4);
  assert_int_equal(n, 1);
  assert_string_equal(json_string_value(json_object_get(v[0], "msg")), "yes");
  json_decref(v[0]);
  free(text);
  lk_log_set_level(LK_LOG_INFO);
}

/* Info lines wait for a flush (the server flushes every second); warnings
 * and errors go out at once. */
static void test_buffering(void **state) {
  capture c;
  struct stat st;
  char *text;

  (void)state;
  lk_log_set_level(LK_LOG_INFO);
  capture_start(&c);
  lk_log(LK_LOG_INFO, "buffered", NULL);
  assert_int_equal(stat(c.path, &st), 0);
  assert_int_equal(st.st_size, 0);
  lk_log(LK_LOG_ERROR, "urgent", NULL);
  assert_int_equal(stat(c.path, &st), 0);
  assert_true(st.st_size > 0);
  text = capture_end(&c);
  /* In order: the buffered line first. */
  assert_true(strstr(text, "buffered") < strstr(text, "urgent"));
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_levels_parse),
      cmocka_unit_test(test_lines_are_json_with_escaping),
      cmocka_unit_test(test_level_filters),
      cmocka_unit_test(test_buffering),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
