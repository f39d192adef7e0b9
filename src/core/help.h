/* help.h - joining an initiative ("doe mee") and help needs with places
 * (docs/matching.md).
 *
 * Joining adds the account to the initiative's participants and moves
 * the initiative's precomputed participant counter in the same write,
 * so the page never counts at request time.  A help need ("6
 * vrijwilligers zaterdag 10:00", "een aanhanger") has a capacity; each
 * sign-up takes one place, one per account per need.  The store writer
 * runs writes one at a time and the sign-up takes its place with one
 * conditional UPDATE (taken < capacity), so however many people ask for
 * the last place at once, exactly one gets it.
 */
#ifndef LK_CORE_HELP_H
#define LK_CORE_HELP_H

#include <stdbool.h>

#include "core/matching.h"

typedef struct lk_help_join_op {
  char account[LK_MX_ID_MAX + 1];
  char initiative[LK_MX_ID_MAX + 1];
  char request_id[48];
  bool leave; /* withdraw instead */
} lk_help_join_op;

/* LK_EINVALID ("id") for an id that cannot be one. */
int lk_help_join_prepare(lk_help_join_op *op, const char *account,
                         const char *initiative, bool leave,
                         const char *request_id, lk_invalid *why);
/* lk_write_fn.  Joining: LK_STORE_NOTFOUND for an unknown or hidden
 * initiative, LK_STORE_INVALID when it takes no participants (not
 * published or running), LK_STORE_CONFLICT when joined already,
 * LK_MX_BLOCKED.  Leaving: LK_STORE_NOTFOUND when not joined. */
int lk_help_join_apply(lk_tx *tx, void *arg);

typedef struct lk_help_need_op {
  char actor[LK_MX_ACTOR_MAX];
  char request_id[48];
  lk_mx_help_row r;
} lk_help_need_op;

/* Validates title (1..200), description (0..4000), capacity (1..1000)
 * and starts_at (0 or later than 2000-01-01).  Returns 0 or
 * LK_EINVALID. */
int lk_help_need_prepare(lk_help_need_op *op, const char *account,
                         const char *initiative, const char *title,
                         const char *description, long long capacity,
                         int64_t starts_at, const char *request_id,
                         lk_invalid *why);
/* lk_write_fn: LK_STORE_NOTFOUND unless the account organises the
 * initiative; LK_MX_BLOCKED. */
int lk_help_need_apply(lk_tx *tx, void *arg);

typedef struct lk_help_signup_op {
  char account[LK_MX_ID_MAX + 1];
  char need[LK_MX_ID_MAX + 1];
  char request_id[48];
  bool withdraw;
  int taken, capacity; /* after apply */
} lk_help_signup_op;

int lk_help_signup_prepare(lk_help_signup_op *op, const char *account,
                           const char *need, bool withdraw,
                           const char *request_id, lk_invalid *why);
/* lk_write_fn.  Sign-up: LK_STORE_NOTFOUND for an unknown or hidden
 * need, LK_STORE_CONFLICT when signed up already, LK_MX_FULL when no
 * place is left, LK_MX_BLOCKED.  Withdraw: LK_STORE_NOTFOUND when not
 * signed up. */
int lk_help_signup_apply(lk_tx *tx, void *arg);

/* A help need as a JSON object. */
void lk_help_need_json(lk_buf *b, const lk_mx_help_row *r);

#endif
