/* agent.c - the shell of the agent console (GET /agent).
 *
 * Everything the console shows comes from the staff API and is drawn by
 * web/src/agent.js; this page only gives it a frame, the bundle's style
 * sheets and script, and the log-out form (which works without the
 * script).  A staff member without JavaScript gets a message saying so. */
#include "pages/agent.h"

#include "api/api.h"
#include "http/assets.h"
#include "pages/layout.h"
#include "pages/login.h"
#include "util/buf.h"
#include "util/html.h"

#define THEME "utrecht-theme utrecht-theme--media-query-viewport loket-theme"

static void stylesheet(lk_buf *b, const char *name) {
  const char *url = lk_asset_url(name);

  if (url == NULL)
    return;
  lk_buf_puts(b, "<link rel=\"stylesheet\" href=\"");
  lk_html_attr(b, url);
  lk_buf_puts(b, "\">\n");
}

static void console_page(lk_req *req) {
  const lk_principal *p;
  lk_buf b = LK_BUF_INIT;

  if (lk_page_auth(req, "agent") != 0)
    return;
  p = lk_req_principal(req);
  lk_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
                  "<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, "
                  "initial-scale=1\">\n<title>Console - Loket</title>\n"
                  "<link rel=\"icon\" href=\"/static/favicon.svg\" "
                  "type=\"image/svg+xml\">\n");
  stylesheet(&b, "loket.css");
  stylesheet(&b, "agent.css");
  lk_page_script(&b, "agent.js");
  /* data-actor tells the script whether this account is an agent (it may
   * set a presence); everything else it reads from the API. */
  lk_buf_puts(&b, "</head>\n<body class=\"utrecht-root utrecht-body "
                  "utrecht-document " THEME " loket-console\" "
                  "data-actor=\"");
  lk_html_attr(&b, p->actor_id);
  lk_buf_puts(&b, "\">\n<a class=\"utrecht-skip-link utrecht-skip-link--"
                  "visible-on-focus\" href=\"#inhoud\">Naar de inhoud</a>\n"
                  "<header class=\"loket-console-header\">"
                  "<p class=\"loket-brand\">Loket console</p>\n"
                  "<nav class=\"loket-console-nav\" aria-label=\"Console\">"
                  "<ul id=\"console-nav\"><li><a class=\"utrecht-link\" "
                  "href=\"/agent\">Inbox</a></li><li><a class=\"utrecht-"
                  "link\" href=\"/agent/dashboard\">Dashboard</a></li>"
                  "</ul></nav>\n<div id=\"console-user\" "
                  "class=\"loket-console-user\"></div>\n");
  lk_page_logout_form(&b, req);
  lk_buf_puts(&b, "</header>\n<main id=\"inhoud\" class=\"loket-console-main\" "
                  "tabindex=\"-1\">\n"
                  "<div id=\"console-zonder-js\"><h1 class=\"utrecht-"
                  "heading-1\">Console</h1><p class=\"utrecht-paragraph\">"
                  "De console heeft JavaScript nodig. Zet JavaScript aan "
                  "en laad de pagina opnieuw.</p></div>\n"
                  "<div id=\"console\" hidden></div>\n</main>\n"
                  "<div id=\"console-live\" class=\"loket-visually-hidden\" "
                  "aria-live=\"polite\" role=\"status\"></div>\n"
                  "</body>\n</html>\n");
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond_buf(req, 200, "text/html; charset=utf-8", &b);
}

static const lk_api_route routes[] = {
    {"GET", "/agent", console_page, 0},
};

int lk_agent_page_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
