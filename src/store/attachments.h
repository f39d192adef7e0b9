/* attachments.h - rows of bijlagen and where their bytes live.
 *
 * The bytes of an attachment are a file named by their SHA-256 under
 * <data dir>/blobs/ (see core/attachment.h); the row says who uploaded it,
 * its name, type and size, and which contact it belongs to once linked.
 * Functions return 0 or a negative LK_STORE_* code.
 */
#ifndef LK_STORE_ATTACHMENTS_H
#define LK_STORE_ATTACHMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/conversations.h"
#include "store/store.h"

#define LK_ATTACHMENT_FILENAME_MAX 255
#define LK_MEDIA_TYPE_MAX 100

/* The data directory the store was opened on. */
const char *lk_store_dir(lk_store *s);

typedef struct lk_attachment_row {
  char id[LK_CONV_ID_LEN + 1];
  char contact_id[LK_CONV_ID_LEN + 1]; /* "" while unlinked */
  char sha256[65];
  char filename[LK_ATTACHMENT_FILENAME_MAX + 1];
  char media_type[LK_MEDIA_TYPE_MAX + 1];
  int64_t size;
  char created_by[48]; /* the uploader's actor string */
  int64_t created_at;
  bool confidential; /* its contact or conversation is confidential */
  char party_id[LK_CONV_ID_LEN + 1]; /* of its conversation, "" if none */
} lk_attachment_row;

/* Inserts an unlinked attachment (contact_id is ignored). */
int lk_store_attachment_insert(lk_tx *tx, const lk_attachment_row *a);
/* Links the unlinked attachment `id` uploaded by `created_by` to
 * `contact_id`.  LK_STORE_NOTFOUND if there is no such attachment, it is
 * linked already, or someone else uploaded it. */
int lk_store_attachment_link(lk_tx *tx, const char *id, const char *contact_id,
                             const char *created_by);
int lk_store_attachment_get(lk_store *s, const char *id,
                            lk_attachment_row *out);

#endif
