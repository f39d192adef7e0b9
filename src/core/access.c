/* access.c - confidentiality and BSN masking; see access.h. */
#include "core/access.h"

#include <string.h>
#include <strings.h>

#include "core/text.h"

bool lk_access_may_see(const lk_viewer *v, bool confidential) {
  return !confidential || (v != NULL && v->confidential);
}

bool lk_access_is_bsn(const char *id_type) {
  return id_type != NULL && strcasecmp(id_type, "bsn") == 0;
}

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
  }
  return true;
}

int lk_bsn_mask(const char *bsn, char *out, size_t size) {
  size_t n = bsn != NULL ? strlen(bsn) : 0;

  if (out == NULL || size < LK_BSN_MASKED_SIZE)
    return -1;
  memset(out, '*', LK_BSN_MASKED_LEN);
  out[LK_BSN_MASKED_LEN] = '\0';
  /* Old BSNs have 8 digits; both lengths show the same four. */
  if ((n == 8 || n == 9) && all_digits(bsn, n))
    memcpy(out + LK_BSN_MASKED_LEN - 4, bsn + n - 4, 4);
  return 0;
}

int lk_access_reveal_reason(const char *reason, lk_invalid *why) {
  if (reason == NULL || reason[0] == '\0') {
    why->field = "reason";
    why->reason = "revealing a BSN needs a reason";
    return LK_EINVALID;
  }
  if (!lk_text_ok(reason, LK_REASON_MAX, false)) {
    why->field = "reason";
    why->reason = "must be 1 to 200 bytes of text without control characters";
    return LK_EINVALID;
  }
  return 0;
}
