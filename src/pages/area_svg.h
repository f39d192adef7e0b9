/* area_svg.h - a notice's affected area as an inline SVG outline.
 *
 * No tile server: the area (migration 0011's JSON, lon/lat in WGS84) is
 * projected equirectangularly around its own mean latitude, which keeps
 * shapes true at the scale of a municipality, and scaled to fit a square
 * box of LK_AREA_SVG_SIZE units with a margin.
 */
#ifndef LK_PAGES_AREA_SVG_H
#define LK_PAGES_AREA_SVG_H

#include "util/buf.h"

#define LK_AREA_SVG_SIZE 200
#define LK_AREA_SVG_MARGIN 10
#define LK_AREA_MAX_POINTS 2000

/* Appends an <svg> element drawing `area_json` ({"type":"circle",
 * "center":[lon,lat],"radius":metres} or {"type":"polygon","coordinates":
 * [[lon,lat],...]}) with `label` (escaped) as its accessible name.
 * Returns 0, or -1 and appends nothing when the area is missing or
 * invalid (bad JSON, coordinates out of range, radius <= 0, a polygon of
 * fewer than 3 or more than LK_AREA_MAX_POINTS points). */
int lk_area_svg(lk_buf *b, const char *area_json, const char *label);

#endif
