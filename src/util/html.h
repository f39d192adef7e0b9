/* html.h - the only way text reaches an HTML page.
 *
 * Server-rendered pages append markup with lk_buf_puts() and every piece of
 * text that did not come from a string literal with lk_html_txt() or
 * lk_html_attr().  Invalid UTF-8 is replaced, never passed through.
 */
#ifndef LK_HTML_H
#define LK_HTML_H

#include "util/buf.h"

/* Escapes `s` for element content: & < > " ' become entities. */
void lk_html_txt(lk_buf *b, const char *s);
/* Escapes `s` for a double-quoted attribute value; also escapes ` and =
 * so the value cannot break out of an unquoted context either. */
void lk_html_attr(lk_buf *b, const char *s);
/* Appends `s` as a URL for href/src: only http:, https:, mailto:, tel: and
 * relative URLs are kept; anything else (javascript:, data:, ...) becomes
 * "#".  The result is attribute-escaped. */
void lk_html_url(lk_buf *b, const char *s);

#endif
