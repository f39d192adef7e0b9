/* initiatives_map.c - /initiatieven/kaart: the newest public initiatives
 * with a location as points in a server-drawn SVG, and the same list as
 * text (the map's text alternative).
 *
 * No tiles and no script: the points are projected equirectangularly
 * around their mean latitude (as pages/area_svg.c does for notices) and
 * scaled into a fixed box; the neighbourhoods with a centre are drawn as
 * labelled reference points, so the picture can be read without a
 * background map.  Each point is a link to its initiative and numbered
 * like the list below it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "http/problem.h"
#include "pages/initiatives_internal.h"
#include "util/html.h"

#define MAP_W 640
#define MAP_H 480
/* Room for the neighbourhoods' labels right of their points. */
#define MAP_MARGIN_X 100
#define MAP_MARGIN_Y 30
#define MAP_POINTS 100
#define METRES_PER_DEGREE 111320.0
#define PI 3.14159265358979323846

struct point {
  char id[LK_PS_ID_LEN + 1];
  char title[LK_PS_TITLE_MAX + 1];
  char place[LK_PS_NAME_MAX + 1];
  double lat, lon;
};

struct map_ctx {
  struct point *pts;
  int n;
  int seen;
  int64_t last_published;
  char last_id[LK_PS_ID_LEN + 1];
};

static void collect(const lk_initiative_row *r, void *ud) {
  struct map_ctx *c = ud;
  struct point *p;

  c->seen++;
  c->last_published = r->published_at;
  snprintf(c->last_id, sizeof(c->last_id), "%s", r->id);
  if (!r->has_point || c->n >= MAP_POINTS)
    return;
  p = &c->pts[c->n++];
  snprintf(p->id, sizeof(p->id), "%s", r->id);
  snprintf(p->title, sizeof(p->title), "%s", r->title);
  snprintf(p->place, sizeof(p->place), "%s", r->neighbourhood_name);
  p->lat = r->lat;
  p->lon = r->lon;
}

struct nbh_ctx {
  lk_p_place_row rows[40];
  int n;
};

static void nbh(const lk_p_place_row *r, void *ud) {
  struct nbh_ctx *c = ud;

  if (r->has_point && c->n < 40)
    c->rows[c->n++] = *r;
}

struct proj {
  double lat0, minx, miny, scale, offx, offy;
};

static void xy(const struct proj *pr, double lat, double lon, double *x,
               double *y) {
  double k = cos(pr->lat0 * PI / 180.0);

  *x = pr->offx + (lon * k - pr->minx) * pr->scale;
  *y = pr->offy + (pr->miny - lat) * pr->scale; /* north up */
}

static void fit(struct proj *pr, const struct map_ctx *c,
                const struct nbh_ctx *nb) {
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  double lat0 = 0, k, w, h;
  int n = c->n + nb->n;

  for (int i = 0; i < c->n; i++)
    lat0 += c->pts[i].lat / n;
  for (int i = 0; i < nb->n; i++)
    lat0 += nb->rows[i].lat / n;
  k = cos(lat0 * PI / 180.0);
  for (int i = 0; i < n; i++) {
    double la = i < c->n ? c->pts[i].lat : nb->rows[i - c->n].lat;
    double lo = i < c->n ? c->pts[i].lon : nb->rows[i - c->n].lon;

    minx = fmin(minx, lo * k);
    maxx = fmax(maxx, lo * k);
    miny = fmin(miny, -la);
    maxy = fmax(maxy, -la);
  }
  w = fmax(maxx - minx, 1e-4);
  h = fmax(maxy - miny, 1e-4);
  pr->lat0 = lat0;
  pr->minx = minx;
  pr->miny = -miny; /* the northernmost latitude */
  pr->scale =
      fmin((MAP_W - 2 * MAP_MARGIN_X) / w, (MAP_H - 2 * MAP_MARGIN_Y) / h);
  pr->offx = (MAP_W - w * pr->scale) / 2;
  pr->offy = (MAP_H - h * pr->scale) / 2;
}

void lk_ip_map(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  lk_participant pv;
  const lk_participant *p = NULL;
  lk_initiative_filter f;
  struct map_ctx c = {0};
  struct nbh_ctx nb = {0};
  struct proj pr;
  lk_buf b = LK_BUF_INIT;
  const char *q;
  int rc, rounds = 0, before;

  rc = lk_participant_get(req, &pv);
  if (rc == 0)
    p = &pv;
  memset(&f, 0, sizeof(f));
  q = lk_req_query(req, "thema");
  snprintf(f.theme, sizeof(f.theme), "%s", q != NULL ? q : "");
  q = lk_req_query(req, "wijk");
  snprintf(f.neighbourhood, sizeof(f.neighbourhood), "%s", q != NULL ? q : "");
  q = lk_req_query(req, "status");
  snprintf(f.status, sizeof(f.status), "%s", q != NULL ? q : "");
  c.pts = calloc(MAP_POINTS, sizeof(*c.pts));
  if (c.pts == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  /* The newest 100 with a location, looking at 500 at most. */
  rc = 0;
  do {
    before = c.seen;
    rc = lk_store_initiatives_public(s, &f, 100, collect, &c);
    f.after_published = c.last_published;
    snprintf(f.after_id, sizeof(f.after_id), "%s", c.last_id);
  } while (rc == 100 && c.seen - before == 100 && c.n < MAP_POINTS &&
           ++rounds < 5);
  if (rc >= 0)
    rc = lk_store_p_neighbourhoods(s, nbh, &nb);
  if (rc < 0) {
    free(c.pts);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/initiatieven\">Alle initiatieven als lijst</a>"
                  "</p>\n<h1 class=\"utrecht-heading-1\">Initiatieven op de "
                  "kaart</h1>\n");
  if (c.n + nb.n > 0) {
    fit(&pr, &c, &nb);
    lk_buf_printf(&b,
                  "<figure class=\"loket-map-figure\"><svg class=\"loket-map\" "
                  "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                  "role=\"group\" aria-labelledby=\"kaart-titel\" "
                  "aria-describedby=\"kaart-lijst-uitleg\"><title "
                  "id=\"kaart-titel\">Kaart met %d initiatieven; de lijst "
                  "onder de kaart noemt ze allemaal</title>"
                  "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                  "class=\"loket-map__bg\"/>",
                  MAP_W, MAP_H, c.n, MAP_W, MAP_H);
    for (int i = 0; i < nb.n; i++) {
      double x, y;

      xy(&pr, nb.rows[i].lat, nb.rows[i].lon, &x, &y);
      lk_buf_printf(&b,
                    "<g class=\"loket-map__area\" aria-hidden=\"true\">"
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/><text "
                    "x=\"%.1f\" y=\"%.1f\">",
                    x, y, x + 5, y - 5);
      lk_html_txt(&b, nb.rows[i].name);
      lk_buf_puts(&b, "</text></g>");
    }
    for (int i = 0; i < c.n; i++) {
      double x, y;

      xy(&pr, c.pts[i].lat, c.pts[i].lon, &x, &y);
      lk_buf_puts(&b, "<a href=\"/initiatieven/");
      lk_html_attr(&b, c.pts[i].id);
      lk_buf_printf(&b, "\" class=\"loket-map__point\"><title>%d. ", i + 1);
      lk_html_txt(&b, c.pts[i].title);
      lk_buf_printf(&b,
                    "</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d"
                    "</text></a>",
                    x, y, x, y + 4, i + 1);
    }
    lk_buf_puts(&b, "</svg></figure>\n");
  }
  lk_buf_puts(&b, "<h2 class=\"utrecht-heading-2\" id=\"kaart-lijst-uitleg\">"
                  "Initiatieven op deze kaart</h2>\n");
  if (c.n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Geen initiatieven met "
                    "een plek op de kaart gevonden.</p>\n");
  else
    lk_buf_puts(&b, "<ol class=\"utrecht-ordered-list loket-map-list\">");
  for (int i = 0; i < c.n; i++) {
    lk_buf_puts(&b, "<li><a class=\"utrecht-link\" href=\"/initiatieven/");
    lk_html_attr(&b, c.pts[i].id);
    lk_buf_puts(&b, "\">");
    lk_html_txt(&b, c.pts[i].title);
    lk_buf_puts(&b, "</a>");
    if (c.pts[i].place[0] != '\0') {
      lk_buf_puts(&b, " (");
      lk_html_txt(&b, c.pts[i].place);
      lk_buf_putc(&b, ')');
    }
    lk_buf_puts(&b, "</li>");
  }
  if (c.n > 0)
    lk_buf_puts(&b, "</ol>\n");
  free(c.pts);
  lk_ip_respond(req, 200, "Initiatieven op de kaart", p, &b);
}
