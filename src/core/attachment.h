/* attachment.h - bijlagen: what may be uploaded, and where the bytes go.
 *
 * Types: an allow-list (PDF, PNG, JPEG, GIF, WebP, plain text, DOCX, XLSX,
 * ODT).  The declared Content-Type must be on it AND agree with the
 * file's own magic bytes, so a file cannot claim to be a PDF and be
 * something a browser would run; SVG and HTML are never accepted, not even
 * as text/plain.
 *
 * Bytes: stored once per content, as <data dir>/blobs/<first two hex
 * digits>/<sha256>.  A blob is written to a temporary file, fsynced and
 * renamed into place (and its directory fsynced) BEFORE the row that names
 * it commits, so a committed row never points at a missing or partial
 * file.  A second upload of the same bytes finds the blob and writes
 * nothing.  A crash between the rename and the commit leaves an orphan
 * blob, which is harmless.
 *
 * Who may see one: an unlinked attachment only its uploader; a linked one
 * whoever may see its message (confidentiality).  Everyone else gets
 * LK_STORE_NOTFOUND, as for an unknown id.
 */
#ifndef LK_ATTACHMENT_H
#define LK_ATTACHMENT_H

#include <stddef.h>

#include "core/conversation.h"
#include "core/token.h"
#include "store/attachments.h"
#include "util/buf.h"

#define LK_ATTACHMENT_DEFAULT_MAX (10 * 1024 * 1024)

typedef struct lk_attachment_op {
  lk_conv_caller caller;
  lk_attachment_row row;
} lk_attachment_op;

/* Checks `declared` (a Content-Type, parameters allowed) against the
 * allow-list and the magic bytes of `data`, and `filename`; computes the
 * hash and fills `op`.  Returns 0 or LK_EINVALID with `why` ("/mediaType"
 * or "/filename"). */
int lk_attachment_prepare(lk_attachment_op *op, const lk_conv_caller *caller,
                          const char *declared, const char *filename,
                          const void *data, size_t len, lk_invalid *why);
/* Writes the blob of `op` under `data_dir` unless it is there already.
 * Blocks on the disk: run it off the HTTP threads.  Returns 0 or a
 * negative errno. */
int lk_attachment_store_blob(const char *data_dir, const lk_attachment_op *op,
                             const void *data, size_t len);
/* lk_write_fn: records the attachment, unlinked, owned by the caller. */
int lk_attachment_insert_apply(lk_tx *tx, void *arg);

/* The attachment `id` if `caller` may see it (logging the read of a
 * resident's attachment first); with `fd` not NULL also opens its blob
 * (the caller closes it).  LK_STORE_NOTFOUND otherwise. */
int lk_attachment_open(lk_store *s, const lk_conv_caller *caller,
                       const char *id, lk_attachment_row *out, int *fd);
void lk_attachment_json(lk_buf *b, const lk_attachment_row *a);
/* Appends a Content-Disposition value: attachment with an ASCII
 * filename= fallback and the exact name as filename*= (RFC 6266). */
void lk_attachment_disposition(lk_buf *b, const char *filename);

#endif
