/* layout.c - the frame of every page: NL Design System page layout
 * (utrecht-page-*), the theme classes whose design tokens the bundle's
 * style sheet defines, and a skip link to the content. */
#include "pages/layout.h"

#include <stdbool.h>

#include "http/assets.h"

/* The theme: the design tokens apply under utrecht-theme; the
 * media-query-viewport variant scales headings with the window. */
#define THEME "utrecht-theme utrecht-theme--media-query-viewport loket-theme"

static void head(lk_buf *b, const char *title) {
  const char *css = lk_asset_url("loket.css");

  lk_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
                 "<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, "
                 "initial-scale=1\">\n<title>");
  lk_html_txt(b, title);
  lk_buf_puts(b, " - Loket</title>\n"
                 "<link rel=\"icon\" href=\"/static/favicon.svg\" "
                 "type=\"image/svg+xml\">\n");
  if (css != NULL) {
    lk_buf_puts(b, "<link rel=\"stylesheet\" href=\"");
    lk_html_attr(b, css);
    lk_buf_puts(b, "\">\n");
  }
}

void lk_page_begin(lk_buf *b, const char *title) {
  head(b, title);
  lk_buf_puts(b, "</head>\n<body class=\"utrecht-root utrecht-body "
                 "utrecht-document " THEME "\">\n"
                 "<a class=\"utrecht-skip-link utrecht-skip-link--visible-"
                 "on-focus\" href=\"#inhoud\">Naar de inhoud</a>\n"
                 "<div class=\"utrecht-page-layout\">\n"
                 "<header class=\"utrecht-page-header\"><div class=\"utrecht-"
                 "page-header__content loket-header\"><p class=\"loket-brand\">"
                 "Loket</p><p class=\"utrecht-paragraph loket-chat-link\"><a "
                 "class=\"utrecht-link\" href=\"/contact/chat\">Chat met "
                 "ons</a></p></div></header>\n"
                 "<div class=\"utrecht-page-body\"><div class=\"utrecht-page-"
                 "body__content\">\n"
                 "<main id=\"inhoud\" class=\"utrecht-page-content\">\n");
}

void lk_page_script(lk_buf *b, const char *name) {
  const char *js = lk_asset_url(name);

  if (js == NULL)
    return;
  lk_buf_puts(b, "<script src=\"");
  lk_html_attr(b, js);
  lk_buf_puts(b, "\" defer></script>\n");
}

void lk_page_end(lk_buf *b) {
  lk_buf_puts(b, "\n</main>\n</div></div>\n"
                 "<footer class=\"utrecht-page-footer\"><div class=\"utrecht-"
                 "page-footer__content\"><p class=\"utrecht-paragraph\">"
                 "Loket &middot; <a class=\"utrecht-link\" href=\"/actueel\">"
                 "Actueel</a> &middot; <a class=\"utrecht-link\" "
                 "href=\"/contact\">Contact</a></p></div></footer>\n"
                 "</div>\n</body>\n</html>\n");
}

void lk_page_begin_kiosk(lk_buf *b, const char *title,
                         const lk_kiosk_frame *k) {
  bool script = lk_asset_url("kiosk.js") != NULL;

  head(b, title);
  /* A refresh is no script: the CSP allows it.  With the script it would
   * also fire while someone is typing, so then only <noscript> has it. */
  lk_buf_puts(b, script ? "<noscript><meta http-equiv=\"refresh\" content=\""
                        : "<meta http-equiv=\"refresh\" content=\"");
  lk_buf_printf(b, "%d;url=", k->idle_s);
  lk_html_attr(b, k->home);
  lk_buf_puts(b, script ? "\"></noscript>\n" : "\">\n");
  lk_page_script(b, "kiosk.js");
  lk_buf_printf(b,
                "</head>\n<body class=\"utrecht-root utrecht-body "
                "utrecht-document " THEME " loket-kiosk\" "
                "data-kiosk-idle=\"%d\" data-kiosk-home=\"",
                k->idle_s);
  lk_html_attr(b, k->home);
  lk_buf_puts(b, "\">\n"
                 "<a class=\"utrecht-skip-link utrecht-skip-link--visible-"
                 "on-focus\" href=\"#inhoud\">Naar de inhoud</a>\n"
                 "<div class=\"utrecht-page-layout\">\n"
                 "<header class=\"utrecht-page-header\"><div class=\"utrecht-"
                 "page-header__content loket-kiosk-header\">"
                 "<p class=\"loket-brand\">Loket</p>"
                 "<p class=\"loket-kiosk-restart\"><a class=\"utrecht-button-"
                 "link utrecht-button-link--html-a utrecht-button-link--"
                 "secondary-action loket-kiosk-button\" href=\"");
  lk_html_attr(b, k->home);
  lk_buf_puts(b, "\">Begin opnieuw</a></p></div></header>\n"
                 "<div class=\"utrecht-page-body\"><div class=\"utrecht-page-"
                 "body__content\">\n"
                 "<main id=\"inhoud\" class=\"utrecht-page-content\">\n");
}

void lk_page_end_kiosk(lk_buf *b) {
  lk_buf_puts(b, "\n</main>\n</div></div>\n"
                 "<footer class=\"utrecht-page-footer\"><div class=\"utrecht-"
                 "page-footer__content\"><p class=\"utrecht-paragraph\">"
                 "Loket &middot; zuil voor vragen en klachten</p></div>"
                 "</footer>\n</div>\n</body>\n</html>\n");
}
