/* keyfile.h - a small secret key kept in a file of the data directory
 * (mail.key, subscriptions.key), made once, atomically.
 */
#ifndef LK_UTIL_KEYFILE_H
#define LK_UTIL_KEYFILE_H

#include <errno.h>
#include <stddef.h>

/* The file exists but does not hold exactly `len` bytes (empty, cut short
 * or longer): not a key this code wrote. */
#define LK_KEYFILE_BAD (-EBADMSG)

/* Reads `len` bytes from `dir`/`name` into `key`.  When the file is
 * missing it is made (mode 0600) with random bytes, written and synced
 * under a temporary name and link()ed into place, so no process ever sees
 * a partial key and a crash never leaves an empty one; when another
 * process makes it first, its key is read.  Returns 0, LK_KEYFILE_BAD or
 * another negative errno. */
int lk_keyfile_load(const char *dir, const char *name, unsigned char *key,
                    size_t len);

#endif
