/* change.h - the head every Klantinteracties write op starts with.
 *
 * The API engine (src/api/ki/) prepares an op, submits it to the store
 * writer and, when it has committed, reads the item named by `uuid`.  A
 * rule that can only be checked inside the transaction (an id that
 * vanished, a uniqueness rule) is reported through fail_*: the apply
 * function fills them and returns LK_EINVALID (400) or LK_STORE_CONFLICT
 * (409).
 */
#ifndef LK_CORE_CHANGE_H
#define LK_CORE_CHANGE_H

#include <string.h>

#define LK_CHANGE_UUID 37

typedef struct lk_change {
  char uuid[LK_CHANGE_UUID]; /* the item written */
  char actor[48];            /* "token:tok_..." or "user:usr_..." */
  char request_id[48];
  char fail_name[96];
  char fail_code[32];
  char fail_reason[160];
} lk_change;

/* Copies `src` into `dst` of `size` bytes, cutting what does not fit. */
static inline void lk_change_copy(char *dst, size_t size, const char *src) {
  size_t n = strlen(src);

  if (n >= size)
    n = size - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Fills the fail_* members of `h` and returns `rc`. */
static inline int lk_change_fail(lk_change *h, int rc, const char *name,
                                 const char *code, const char *reason) {
  lk_change_copy(h->fail_name, sizeof(h->fail_name), name);
  lk_change_copy(h->fail_code, sizeof(h->fail_code), code);
  lk_change_copy(h->fail_reason, sizeof(h->fail_reason), reason);
  return rc;
}

#endif
