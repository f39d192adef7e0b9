/* layout.h - the frame of every server-rendered page.
 *
 * Pages are Dutch (lang="nl"), use NL Design System class names
 * (utrecht-*, docs/frontend.md) under the theme classes on <body>, load
 * no inline script or style (the CSP forbids both) and work without
 * JavaScript.  Style sheet and scripts come from the front-end bundle by
 * their entry names (http/assets.h); without a built bundle a page links
 * neither and still works.  Text reaches a page only through
 * lk_html_txt() and lk_html_attr() (util/html.h).
 */
#ifndef LK_LAYOUT_H
#define LK_LAYOUT_H

#include "util/buf.h"
#include "util/html.h"

/* Opens the document with `title` (escaped) up to the start of <main>. */
void lk_page_begin(lk_buf *b, const char *title);
/* Appends a deferred <script> for bundle entry `name` ("actueel.js");
 * nothing when the bundle has no such entry.  Call it anywhere between
 * lk_page_begin() and lk_page_end(). */
void lk_page_script(lk_buf *b, const char *name);
/* Closes <main> and the document. */
void lk_page_end(lk_buf *b);

/* The kiosk frame (docs/resident-pages.md): no links out of the kiosk, a
 * "Begin opnieuw" button to `home`, and back to `home` after `idle_s`
 * seconds without activity: the bundle's kiosk.js counts down visibly and
 * restarts on every touch or key; without JavaScript a <meta> refresh
 * (inside <noscript> when the script is there) does it from page load. */
typedef struct lk_kiosk_frame {
  const char *home; /* "/kiosk" */
  int idle_s;
} lk_kiosk_frame;

void lk_page_begin_kiosk(lk_buf *b, const char *title, const lk_kiosk_frame *k);
void lk_page_end_kiosk(lk_buf *b);

#endif
