/* multipart.h - multipart/form-data bodies (RFC 7578), as browsers send
 * forms with a file.
 *
 * The whole body is in memory already (the server collects it up to the
 * route's limit), so parsing only finds the parts: each part's data
 * points into the body, nothing is copied but its few header values.
 * Anything out of the ordinary is refused rather than guessed at: a
 * missing or over-long boundary, a part without a name, header blocks
 * over 4 KiB, more than LK_MULTIPART_MAX parts, a body that does not end
 * with the closing delimiter.
 */
#ifndef LK_MULTIPART_H
#define LK_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define LK_MULTIPART_MAX 32
#define LK_PART_NAME_MAX 63
#define LK_PART_FILENAME_MAX 255
#define LK_PART_TYPE_MAX 127

typedef struct lk_part {
  char name[LK_PART_NAME_MAX + 1];
  bool is_file; /* the part has a filename parameter (may be "") */
  char filename[LK_PART_FILENAME_MAX + 1];
  char type[LK_PART_TYPE_MAX + 1]; /* its Content-Type, "" if none */
  const char *data;                /* into the body; not NUL-terminated */
  size_t len;
} lk_part;

typedef struct lk_multipart {
  int n;
  lk_part parts[LK_MULTIPART_MAX];
} lk_multipart;

#define LK_MULTIPART_EINVAL (-1) /* not a well-formed form-data body */
#define LK_MULTIPART_E2BIG (-2)  /* more parts than LK_MULTIPART_MAX */

/* True if `content_type` is multipart/form-data. */
bool lk_multipart_is(const char *content_type);
/* Parses `body` of `len` bytes sent with `content_type` into `out`.
 * Returns 0, LK_MULTIPART_EINVAL or LK_MULTIPART_E2BIG. */
int lk_multipart_parse(const char *content_type, const char *body, size_t len,
                       lk_multipart *out);
/* The first part named `name`, or NULL. */
const lk_part *lk_multipart_get(const lk_multipart *m, const char *name);

#endif
