/* Unit tests for pages/area_svg.h: areas projected into the SVG box. */
#include "lk_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages/actueel.h"
#include "pages/area_svg.h"

static char *svg(const char *area) {
  lk_buf b = LK_BUF_INIT;

  if (lk_area_svg(&b, area, "Gebied <x>") != 0) {
    assert_int_equal(b.len, 0);
    lk_buf_free(&b);
    return NULL;
  }
  return lk_buf_steal(&b);
}

/* The points of the polygon in `s`, at most `max`. */
static int points(const char *s, double *xy, int max) {
  const char *p = strstr(s, "points=\"");
  int n = 0;

  assert_non_null(p);
  p += 8;
  while (*p != '"' && n < max) {
    char *end;

    xy[2 * n] = strtod(p, &end);
    assert_int_equal(*end, ',');
    xy[2 * n + 1] = strtod(end + 1, &end);
    n++;
    p = end + (*end == ' ');
  }
  return n;
}

static void test_circle(void **state) {
  char *s = svg("{\"type\":\"circle\",\"center\":[5.12,52.09],"
                "\"radius\":500}");

  (void)state;
  assert_non_null(s);
  assert_non_null(strstr(s, "<svg "));
  assert_non_null(strstr(s, "<circle cx=\"100\" cy=\"100\" r=\"90\""));
  /* The label is escaped. */
  assert_non_null(strstr(s, "aria-label=\"Gebied &lt;x&gt;\""));
  assert_null(strstr(s, "<x>"));
  free(s);
}

static void test_square_keeps_its_shape(void **state) {
  /* At 60 degrees north a degree of longitude is half a degree of
   * latitude on the ground: 0.02 by 0.01 degrees is a square. */
  char *s = svg("{\"type\":\"polygon\",\"coordinates\":[[5.0,60.0],"
                "[5.02,60.0],[5.02,60.01],[5.0,60.01]]}");
  double xy[8];

  (void)state;
  assert_non_null(s);
  assert_int_equal(points(s, xy, 4), 4);
  /* South-west corner at the bottom left, north-east at the top right
   * (SVG's y grows downwards), filling the box inside its margin. */
  assert_float_equal(xy[0], 10.0, 1.5);
  assert_float_equal(xy[1], 190.0, 1.5);
  assert_float_equal(xy[4], 190.0, 1.5);
  assert_float_equal(xy[5], 10.0, 1.5);
  free(s);
}

static void test_wide_area_is_centred(void **state) {
  /* Twice as wide as high at the equator: centred vertically. */
  char *s = svg("{\"type\":\"polygon\",\"coordinates\":[[0,0],[0.02,0],"
                "[0.02,0.01],[0,0.01]]}");
  double xy[8];

  (void)state;
  assert_non_null(s);
  assert_int_equal(points(s, xy, 4), 4);
  assert_float_equal(xy[0], 10.0, 0.2);
  assert_float_equal(xy[2], 190.0, 0.2);
  assert_float_equal(xy[1], 145.0, 0.2);
  assert_float_equal(xy[5], 55.0, 0.2);
  free(s);
}

static void test_invalid_areas(void **state) {
  static const char *const bad[] = {
      "",
      "{}",
      "not json",
      "{\"type\":\"circle\",\"center\":[5,52]}",
      "{\"type\":\"circle\",\"center\":[5,52],\"radius\":0}",
      "{\"type\":\"circle\",\"center\":[5,95],\"radius\":10}",
      "{\"type\":\"circle\",\"center\":[\"5\",52],\"radius\":10}",
      "{\"type\":\"polygon\",\"coordinates\":[[0,0],[1,1]]}",
      "{\"type\":\"polygon\",\"coordinates\":[[0,0],[0,0],[0,0]]}",
      "{\"type\":\"polygon\",\"coordinates\":[[0,0],[1,1],[181,0]]}",
      "{\"type\":\"point\",\"coordinates\":[0,0]}",
  };

  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_null(svg(bad[i]));
}

static void test_dutch_time(void **state) {
  struct tm tm;

  (void)state;
  /* 2026-01-15 12:00 UTC is 13:00 CET. */
  lk_actueel_local(1768478400000LL, &tm);
  assert_int_equal(tm.tm_hour, 13);
  /* 2026-07-01 12:00 UTC is 14:00 CEST. */
  lk_actueel_local(1782907200000LL, &tm);
  assert_int_equal(tm.tm_hour, 14);
  /* Summer time starts 2026-03-29 01:00 UTC. */
  lk_actueel_local(1774745999000LL, &tm); /* 00:59:59 UTC */
  assert_int_equal(tm.tm_hour, 1);
  lk_actueel_local(1774746000000LL, &tm); /* 01:00 UTC */
  assert_int_equal(tm.tm_hour, 3);
  /* and ends 2026-10-25 01:00 UTC. */
  lk_actueel_local(1792890000000LL, &tm);
  assert_int_equal(tm.tm_hour, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_circle),
      cmocka_unit_test(test_square_keeps_its_shape),
      cmocka_unit_test(test_wide_area_is_centred),
      cmocka_unit_test(test_invalid_areas),
      cmocka_unit_test(test_dutch_time),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
