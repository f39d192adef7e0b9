/* calamity.h - the calamity mode's one row (migration 0012). */
#ifndef LK_STORE_CALAMITY_H
#define LK_STORE_CALAMITY_H

#include <stddef.h>

#include "store/store.h"

#define LK_CALAMITY_ID_MAX 64

/* The notice id of the mode into `out` ("" when off).  Returns 0 or a
 * negative code. */
int lk_store_calamity_get(lk_store *s, char out[LK_CALAMITY_ID_MAX]);
/* Inside a write: 0 when `id` is a published notice of kind calamiteit,
 * LK_STORE_NOTFOUND when it is not. */
int lk_store_calamity_eligible(lk_tx *tx, const char *id);
/* Inside a write: sets the row (`id` NULL: off).  Returns 0 or a code. */
int lk_store_calamity_set(lk_tx *tx, const char *id, const char *actor,
                          int64_t now);

#endif
