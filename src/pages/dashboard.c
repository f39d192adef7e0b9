/* dashboard.c - the supervisor dashboard shell (pages/dashboard.h).
 *
 * Everything on it comes from the API that anyone with the same role may
 * call; the page itself only draws the frame, so the numbers on screen
 * and in the CSV download are the same answers of /api/v1/figures.  The
 * filter form works without JavaScript (it reloads the page and moves the
 * CSV link); the tiles and charts need the script, which the page says.
 */
#include "pages/dashboard.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/conversation.h"
#include "core/ids.h"
#include "http/assets.h"
#include "http/problem.h"
#include "http/server.h"
#include "pages/layout.h"
#include "pages/login.h"
#include "store/teams.h"
#include "util/clock.h"

#define DAY_MS 86400000LL
#define TEAMS_MAX 100

static const lk_dash_period periods[] = {
    {"24u", "Laatste 24 uur (per uur)", 0, DAY_MS},
    {"7d", "Laatste 7 dagen (per dag)", 1, 7 * DAY_MS},
    {"30d", "Laatste 30 dagen (per dag)", 1, 30 * DAY_MS},
    {"365d", "Laatste 365 dagen (per dag)", 1, 365 * DAY_MS},
};

static const struct {
  const char *key, *label;
} channels[] = {
    {"webformulier", "Webformulier"},
    {"chat", "Chat"},
    {"email", "E-mail"},
    {"telefoon", "Telefoon"},
    {"post", "Post"},
    {"social", "Sociale media"},
    {"video", "Video"},
    {"kiosk", "Kiosk"},
    {"balie", "Balie"},
};

/* The tiles: data-tile key and label.  dashboard.js fills each from the
 * figures; the keys are the contract between the two (and the test). */
static const struct {
  const char *key, *label;
} tiles[] = {
    {"backlog", "Openstaande gesprekken"},
    {"backlog-age", "Gemiddelde leeftijd openstaand"},
    {"backlog-oldest", "Oudste openstaande gesprek"},
    {"breached", "Over de norm"},
    {"warning", "Bijna over de norm"},
    {"fr-share", "Eerste reactie binnen de norm"},
    {"res-share", "Afgehandeld binnen de norm"},
    {"fr-median", "Eerste reactie, mediaan"},
    {"fr-p90", "Eerste reactie, 90e percentiel"},
    {"res-median", "Afhandeltijd, mediaan"},
    {"res-p90", "Afhandeltijd, 90e percentiel"},
    {"fcr", "Opgelost bij eerste contact"},
    {"callbacks", "Terugbelverzoeken op tijd"},
    {"conversations", "Nieuwe gesprekken"},
    {"inbound", "Inkomende berichten"},
    {"occupancy", "Bezetting (team)"},
};

const lk_dash_period *lk_dash_period_get(const char *key) {
  for (size_t i = 0; key != NULL && i < sizeof(periods) / sizeof(periods[0]);
       i++) {
    if (strcmp(periods[i].key, key) == 0)
      return &periods[i];
  }
  return &periods[0];
}

struct teams_ctx {
  lk_buf *b;
  const char *chosen; /* NULL: all */
  bool found;
};

static void team_option(const lk_team_row *t, void *ud) {
  struct teams_ctx *tc = ud;
  bool sel = tc->chosen != NULL && strcmp(tc->chosen, t->id) == 0;

  if (!t->active && !sel)
    return;
  tc->found |= sel;
  lk_buf_puts(tc->b, "<option value=\"");
  lk_html_attr(tc->b, t->id);
  lk_buf_puts(tc->b, sel ? "\" selected>" : "\">");
  lk_html_txt(tc->b, t->name);
  lk_buf_puts(tc->b, "</option>\n");
}

static void select_open(lk_buf *b, const char *id, const char *name,
                        const char *label) {
  lk_buf_printf(b,
                "<div class=\"utrecht-form-field loket-dash-field\">"
                "<label class=\"utrecht-form-label\" for=\"%s\">%s</label>"
                "<select class=\"utrecht-select utrecht-select--html-select\" "
                "id=\"%s\" name=\"%s\">\n",
                id, label, id, name);
}

/* The figures' CSV of the period as it is when the page is drawn; the
 * script moves `to` (and `from`) along at every refresh. */
static void csv_href(lk_buf *b, const lk_dash_period *p, int64_t now,
                     const char *channel, const char *team) {
  lk_buf_printf(b,
                "/api/v1/figures?format=csv&amp;granularity=%s&amp;from=%lld"
                "&amp;to=%lld",
                p->daily ? "day" : "hour", (long long)(now - p->ms),
                (long long)now);
  if (channel != NULL)
    lk_buf_printf(b, "&amp;channel=%s", channel);
  if (team != NULL)
    lk_buf_printf(b, "&amp;teamId=%s", team);
}

static void chart(lk_buf *b, const char *id, const char *title,
                  const char *desc) {
  lk_buf_printf(b,
                "<figure class=\"utrecht-figure loket-dash-chart\" "
                "aria-labelledby=\"%s-titel\">\n"
                "<figcaption class=\"utrecht-figure__caption\">"
                "<h3 class=\"utrecht-heading-3\" id=\"%s-titel\">%s</h3>"
                "<p class=\"utrecht-paragraph\">%s</p></figcaption>\n"
                "<div class=\"loket-dash-plot\" id=\"%s-grafiek\" "
                "aria-hidden=\"true\"></div>\n"
                "<details class=\"loket-dash-table\"><summary>Toon als "
                "tabel: %s</summary>\n<div class=\"loket-dash-scroll\" "
                "tabindex=\"0\" role=\"region\" aria-label=\"Tabel: %s\">"
                "<table class=\"utrecht-table\" id=\"%s-tabel\">"
                "<caption>%s</caption><thead></thead><tbody></tbody>"
                "</table></div></details>\n</figure>\n",
                id, id, title, desc, id, title, title, id, title);
}

static void dashboard_page(lk_req *req) {
  const lk_dash_period *p = lk_dash_period_get(lk_req_query(req, "periode"));
  const char *channel = lk_req_query(req, "kanaal");
  const char *team = lk_req_query(req, "team");
  const char *css = lk_asset_url("dashboard.css");
  struct teams_ctx tc;
  lk_buf b = LK_BUF_INIT;
  int64_t now = lk_clock_real_ms();
  int rc;

  if (lk_page_auth(req, "supervisor") != 0)
    return;
  if (channel != NULL && !lk_conv_channel_valid(channel))
    channel = NULL;
  if (team != NULL && (strlen(team) != 36 || !lk_uuid_valid(team)))
    team = NULL;

  lk_page_begin(&b, "Dashboard");
  if (css != NULL) {
    lk_buf_puts(&b, "<link rel=\"stylesheet\" href=\"");
    lk_html_attr(&b, css);
    lk_buf_puts(&b, "\">\n");
  }
  lk_buf_puts(&b, "<nav class=\"loket-dash-nav\" aria-label=\"Medewerkers\">"
                  "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/agent\">Terug naar de console</a></p>");
  lk_page_logout_form(&b, req);
  lk_buf_puts(&b, "</nav>\n<h1 class=\"utrecht-heading-1\">Dashboard</h1>\n"
                  "<noscript><p class=\"utrecht-paragraph\">De tegels en "
                  "grafieken hebben JavaScript nodig. Alle cijfers staan ook "
                  "in de CSV-download hieronder.</p></noscript>\n");

  /* The filters: a GET form, so they also work without the script. */
  lk_buf_puts(&b, "<form class=\"utrecht-form loket-dash-filter\" "
                  "id=\"dash-filter\" method=\"get\" "
                  "action=\"/agent/dashboard\">\n");
  select_open(&b, "dash-periode", "periode", "Periode");
  for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
    lk_buf_printf(&b, "<option value=\"%s\"%s>%s</option>\n", periods[i].key,
                  &periods[i] == p ? " selected" : "", periods[i].label);
  lk_buf_puts(&b, "</select></div>\n");
  select_open(&b, "dash-kanaal", "kanaal", "Kanaal");
  lk_buf_puts(&b, "<option value=\"\">Alle kanalen</option>\n");
  for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
    lk_buf_printf(&b, "<option value=\"%s\"%s>%s</option>\n", channels[i].key,
                  channel != NULL && strcmp(channel, channels[i].key) == 0
                      ? " selected"
                      : "",
                  channels[i].label);
  lk_buf_puts(&b, "</select></div>\n");
  select_open(&b, "dash-team", "team", "Team");
  lk_buf_puts(&b, "<option value=\"\">Alle teams</option>\n");
  tc = (struct teams_ctx){&b, team, false};
  rc = lk_store_team_list(lk_req_app(req)->store, NULL, TEAMS_MAX, team_option,
                          &tc);
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (!tc.found)
    team = NULL; /* unknown: all teams, as the select shows */
  lk_buf_puts(&b, "</select></div>\n<div class=\"utrecht-button-group\">"
                  "<button class=\"utrecht-button utrecht-button--primary-"
                  "action\" type=\"submit\">Toon</button></div></form>\n");

  lk_buf_puts(&b, "<p class=\"utrecht-paragraph loket-dash-csv\">"
                  "<a class=\"utrecht-link\" id=\"dash-csv\" download "
                  "href=\"");
  csv_href(&b, p, now, channel, team);
  lk_buf_puts(&b, "\">Download alle cijfers van deze periode (CSV)</a></p>\n"
                  "<p class=\"utrecht-paragraph loket-dash-status\" "
                  "id=\"dash-status\" role=\"status\"></p>\n");

  /* The tiles. */
  lk_buf_puts(&b, "<section aria-labelledby=\"dash-tegels-titel\">"
                  "<h2 class=\"utrecht-heading-2\" id=\"dash-tegels-titel\">"
                  "Stand</h2>\n<dl class=\"loket-dash-tiles\" "
                  "id=\"dash-tegels\">\n");
  for (size_t i = 0; i < sizeof(tiles) / sizeof(tiles[0]); i++)
    lk_buf_printf(&b,
                  "<div class=\"loket-dash-tile\"><dt>%s</dt>"
                  "<dd data-tile=\"%s\">&ndash;</dd></div>\n",
                  tiles[i].label, tiles[i].key);
  lk_buf_puts(&b, "</dl></section>\n");

  lk_buf_puts(&b, "<section aria-labelledby=\"dash-grafieken-titel\">"
                  "<h2 class=\"utrecht-heading-2\" "
                  "id=\"dash-grafieken-titel\">Verloop</h2>\n");
  chart(&b, "dash-volumes", "Nieuwe gesprekken per kanaal",
        "Aantal nieuwe gesprekken per kanaal, per uur of per dag.");
  chart(&b, "dash-tijden", "Reactie- en afhandeltijden",
        "Eerste reactie en afhandeltijd (mediaan en 90e percentiel), in "
        "minuten.");
  lk_buf_puts(&b, "</section>\n");

  lk_buf_puts(&b, "<section aria-labelledby=\"dash-bezetting-titel\">"
                  "<h2 class=\"utrecht-heading-2\" "
                  "id=\"dash-bezetting-titel\">Bezetting per medewerker</h2>\n"
                  "<div class=\"loket-dash-scroll\" tabindex=\"0\" "
                  "role=\"region\" aria-label=\"Bezetting per medewerker\">"
                  "<table class=\"utrecht-table\" id=\"dash-bezetting\">"
                  "<caption>Tijd online en bezig in de periode</caption>"
                  "<thead><tr><th scope=\"col\">Medewerker</th>"
                  "<th scope=\"col\">Online</th><th scope=\"col\">Bezig</th>"
                  "<th scope=\"col\">Bezetting</th></tr></thead><tbody>"
                  "</tbody></table></div></section>\n");
  lk_page_script(&b, "dashboard.js");
  lk_page_end(&b);
  if (!lk_buf_ok(&b)) {
    lk_buf_free(&b);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond_buf(req, 200, "text/html; charset=utf-8", &b);
}

int lk_dashboard_routes(lk_router *r) {
  return lk_router_add(r, "GET", "/agent/dashboard", dashboard_page, 0);
}
