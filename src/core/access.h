/* access.h - who may see what of a resident, and how a BSN is shown.
 *
 * The one place for two rules every module that serves resident data
 * obeys:
 *
 * - Confidentiality.  A party with indicatieGeheimhouding, a conversation
 *   or a contact marked vertrouwelijk is visible only to a caller allowed
 *   to see confidential items (a token with the scope `confidential` or
 *   `admin`, or a staff member whose role grants it; the HTTP layer works
 *   that out into lk_principal.confidential).  To everyone else such an
 *   item behaves exactly like an id that does not exist.
 * - The BSN.  A burgerservicenummer is shown masked ("*****6789") unless
 *   the caller asks to reveal it and says why; the reveal is written to the
 *   processing log before the number is shown (see core/resident.h).
 *
 * Nothing here does I/O.
 */
#ifndef LK_CORE_ACCESS_H
#define LK_CORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */

/* Who reads resident data: what access decisions and the processing log
 * need to know of the caller.  The strings are borrowed. */
typedef struct lk_viewer {
  const char *actor;      /* "user:usr_..." or "token:tok_..." */
  const char *request_id; /* the trace id of the processing log; may be "" */
  bool confidential;      /* may see confidential items */
} lk_viewer;

/* True if `v` may see an item whose confidential flag is `confidential`. */
bool lk_access_may_see(const lk_viewer *v, bool confidential);

/* True if an identifier with codeSoortObjectId `id_type` is a BSN (and so
 * must be masked).  The comparison ignores case. */
bool lk_access_is_bsn(const char *id_type);

/* Length of a masked BSN and the buffer it needs. */
#define LK_BSN_MASKED_LEN 9
#define LK_BSN_MASKED_SIZE (LK_BSN_MASKED_LEN + 1)

/* Writes `bsn` masked into `out` (at least LK_BSN_MASKED_SIZE bytes): a
 * BSN of 8 or 9 digits becomes five stars and its last four digits
 * ("*****6789"); anything else (not a well-formed BSN, so nothing about
 * it is safe to show) becomes nine stars.  The result is always nine
 * characters, so it does not even reveal the length.  Returns 0, or -1
 * (and writes nothing) if `size` is too small. */
int lk_bsn_mask(const char *bsn, char *out, size_t size);

#define LK_REASON_MAX 200

/* Checks the reason a caller gives for revealing a BSN: required, 1 to
 * LK_REASON_MAX bytes of single-line text.  Returns 0, or LK_EINVALID with
 * `why` filled (field "reason"). */
int lk_access_reveal_reason(const char *reason, lk_invalid *why);

#endif
