#include "pages/layout.h"

void lk_page_begin(lk_buf *b, const char *title) {
  lk_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
                 "<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, "
                 "initial-scale=1\">\n<title>");
  lk_html_txt(b, title);
  lk_buf_puts(b, " - Loket</title>\n"
                 "<link rel=\"stylesheet\" href=\"/static/loket.css\">\n"
                 "</head>\n<body class=\"utrecht-body\">\n"
                 "<a class=\"utrecht-link loket-skip\" href=\"#inhoud\">"
                 "Naar de inhoud</a>\n"
                 "<header class=\"utrecht-page-header\"><p class=\"loket-"
                 "brand\">Loket</p></header>\n"
                 "<main id=\"inhoud\" class=\"utrecht-page-content\">\n");
}

void lk_page_end(lk_buf *b) {
  lk_buf_puts(b, "\n</main>\n</body>\n</html>\n");
}
