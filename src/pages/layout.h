/* layout.h - the frame of every server-rendered page.
 *
 * Pages are Dutch (lang="nl"), use NL Design System class names
 * (utrecht-*), load no inline script or style (the CSP forbids both) and
 * work without JavaScript.  Text reaches a page only through lk_html_txt()
 * and lk_html_attr() (util/html.h).
 */
#ifndef LK_LAYOUT_H
#define LK_LAYOUT_H

#include "util/buf.h"
#include "util/html.h"

/* Opens the document with `title` (escaped) up to the start of <main>. */
void lk_page_begin(lk_buf *b, const char *title);
/* Closes <main> and the document. */
void lk_page_end(lk_buf *b);

#endif
