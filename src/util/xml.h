/* xml.h - text into XML 1.0 documents (Atom feeds).
 *
 * HTML escaping is not enough for XML: most control characters may not
 * appear in an XML 1.0 document at all, not even as character references,
 * and one of them makes a feed reader reject the whole feed.
 */
#ifndef LK_XML_H
#define LK_XML_H

#include "util/buf.h"

/* Appends `s` escaped for element content and quoted attribute values:
 * & < > " ' become entities, characters XML 1.0 forbids (controls other
 * than tab, newline and carriage return, U+FFFE, U+FFFF) are dropped and
 * invalid UTF-8 becomes U+FFFD. */
void lk_xml_txt(lk_buf *b, const char *s);

#endif
