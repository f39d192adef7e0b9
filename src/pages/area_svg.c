/* area_svg.c - projecting an area into an SVG box. */
#include "pages/area_svg.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "util/html.h"

#define METRES_PER_DEGREE 111320.0
#define PI 3.14159265358979323846

static int lonlat(json_t *p, double *lon, double *lat) {
  if (!json_is_array(p) || json_array_size(p) < 2 ||
      !json_is_number(json_array_get(p, 0)) ||
      !json_is_number(json_array_get(p, 1)))
    return -1;
  *lon = json_number_value(json_array_get(p, 0));
  *lat = json_number_value(json_array_get(p, 1));
  if (!isfinite(*lon) || !isfinite(*lat) || *lon < -180 || *lon > 180 ||
      *lat < -90 || *lat > 90)
    return -1;
  return 0;
}

static void svg_open(lk_buf *b, const char *label) {
  lk_buf_printf(b,
                "<svg class=\"loket-area\" xmlns=\"http://www.w3.org/2000/"
                "svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                "role=\"img\" aria-label=\"",
                LK_AREA_SVG_SIZE, LK_AREA_SVG_SIZE, LK_AREA_SVG_SIZE,
                LK_AREA_SVG_SIZE);
  lk_html_attr(b, label);
  lk_buf_puts(b, "\"><title>");
  lk_html_txt(b, label);
  lk_buf_puts(b, "</title>");
}

static void svg_circle(lk_buf *b, const char *label) {
  svg_open(b, label);
  /* A circle alone fills the box: its size is told in words. */
  lk_buf_printf(b,
                "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\"none\" "
                "stroke=\"currentColor\" stroke-width=\"2\"/></svg>",
                LK_AREA_SVG_SIZE / 2, LK_AREA_SVG_SIZE / 2,
                LK_AREA_SVG_SIZE / 2 - LK_AREA_SVG_MARGIN);
}

static int svg_polygon(lk_buf *b, json_t *coords, const char *label) {
  size_t n = json_array_size(coords);
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  double lat0 = 0, lon, lat, k, scale, inner, offx, offy;

  if (!json_is_array(coords) || n < 3 || n > LK_AREA_MAX_POINTS)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (lonlat(json_array_get(coords, i), &lon, &lat) != 0)
      return -1;
    lat0 += lat / (double)n;
  }
  k = cos(lat0 * PI / 180.0);
  for (size_t i = 0; i < n; i++) {
    double x, y;

    lonlat(json_array_get(coords, i), &lon, &lat);
    x = lon * k * METRES_PER_DEGREE;
    y = -lat * METRES_PER_DEGREE;
    minx = fmin(minx, x), maxx = fmax(maxx, x);
    miny = fmin(miny, y), maxy = fmax(maxy, y);
  }
  inner = LK_AREA_SVG_SIZE - 2.0 * LK_AREA_SVG_MARGIN;
  if (maxx - minx <= 0 && maxy - miny <= 0)
    return -1;
  scale = inner / fmax(maxx - minx, maxy - miny);
  /* Centre the shorter side. */
  offx = LK_AREA_SVG_MARGIN + (inner - (maxx - minx) * scale) / 2;
  offy = LK_AREA_SVG_MARGIN + (inner - (maxy - miny) * scale) / 2;
  svg_open(b, label);
  lk_buf_puts(b, "<polygon points=\"");
  for (size_t i = 0; i < n; i++) {
    lonlat(json_array_get(coords, i), &lon, &lat);
    lk_buf_printf(b, "%s%.1f,%.1f", i > 0 ? " " : "",
                  offx + (lon * k * METRES_PER_DEGREE - minx) * scale,
                  offy + (-lat * METRES_PER_DEGREE - miny) * scale);
  }
  lk_buf_puts(b, "\" fill=\"none\" stroke=\"currentColor\" "
                 "stroke-width=\"2\"/></svg>");
  return 0;
}

int lk_area_svg(lk_buf *b, const char *area_json, const char *label) {
  json_t *a = json_loads(area_json, 0, NULL);
  const char *type = json_string_value(json_object_get(a, "type"));
  int rc = -1;
  double lon, lat;

  if (type != NULL && strcmp(type, "circle") == 0) {
    json_t *r = json_object_get(a, "radius");

    if (lonlat(json_object_get(a, "center"), &lon, &lat) == 0 &&
        json_is_number(r) && json_number_value(r) > 0 &&
        isfinite(json_number_value(r))) {
      svg_circle(b, label);
      rc = 0;
    }
  } else if (type != NULL && strcmp(type, "polygon") == 0) {
    rc = svg_polygon(b, json_object_get(a, "coordinates"), label);
  }
  json_decref(a);
  return rc;
}
