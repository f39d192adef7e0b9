/* calamity.h - switching the calamity mode on and off (docs/actueel.md).
 *
 * On: one published notice of kind calamiteit becomes the front page.  The
 * switch is audited ("calamity.on"/"calamity.off") and emits
 * calamity.changed {"noticeId": id|null}, from which every running server
 * learns the state.
 */
#ifndef LK_CORE_CALAMITY_H
#define LK_CORE_CALAMITY_H

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/calamity.h"

/* apply: the notice is not a published calamiteit. */
#define LK_CALAMITY_ENOTICE (-2301)

typedef struct lk_calamity_op {
  char actor[128];
  char notice_id[LK_CALAMITY_ID_MAX]; /* "" switches off */
} lk_calamity_op;

/* Fills `op`; `notice_id` NULL switches off.  Returns 0 or LK_EINVALID
 * (field "noticeId") with `why` filled. */
int lk_calamity_prepare(lk_calamity_op *op, const char *actor,
                        const char *notice_id, lk_invalid *why);
/* lk_write_fn for an lk_calamity_op. */
int lk_calamity_apply(lk_tx *tx, void *arg);

#endif
