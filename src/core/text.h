/* text.h - rules every piece of human text in the domain obeys. */
#ifndef LK_TEXT_H
#define LK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True if `s` is valid UTF-8, 1..max bytes, and free of control
 * characters (tab and newline allowed only when `multiline`). */
bool lk_text_ok(const char *s, size_t max, bool multiline);

#endif
