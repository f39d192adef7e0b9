/* canned.h - canned answers (standaardantwoorden) for the agent console.
 *
 * A canned answer is text an agent inserts into a reply, with
 * placeholders ({{inwoner.naam}}) filled for one conversation.  Who sees
 * and changes which answer depends on its scope (docs/console-api.md):
 * personal answers belong to one staff account, team answers to a team's
 * members and everyone's to all; supervisors and admins manage the
 * shared ones.  The rules here know no HTTP and no SQL.
 *
 * Placeholders are checked when an answer is saved, so rendering never
 * meets an unknown one; rendering is plain text substitution and its
 * result is plain text, never HTML.
 */
#ifndef LK_CORE_CANNED_H
#define LK_CORE_CANNED_H

#include <stdbool.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/console.h"
#include "util/buf.h"

#define LK_CANNED_FORBIDDEN (-2201)   /* visible, but the caller may not */
#define LK_CANNED_NEEDS_STAFF (-2202) /* personal needs a staff account */
#define LK_CANNED_EVERSION (-2203)    /* If-Match: changed meanwhile */

/* The placeholders, in the order of lk_canned_placeholders(). */
enum {
  LK_PH_INWONER_NAAM,
  LK_PH_MEDEWERKER_NAAM,
  LK_PH_GESPREK_REFERENTIE,
  LK_PH_GESPREK_ONDERWERP,
  LK_PH_TEAM_NAAM,
  LK_PH_DATUM,
  LK_PH_COUNT
};

/* The placeholder names ("inwoner.naam" ...), LK_PH_COUNT of them. */
const char *const *lk_canned_placeholders(void);

/* Checks the placeholders of `body`: every "{{" must open a known name
 * closed by "}}".  Sets bit i of *used for each placeholder i it holds.
 * Returns 0, or LK_EINVALID with why->field "/body" and `bad` (of `size`
 * bytes) naming the first offending text. */
int lk_canned_scan(const char *body, unsigned *used, char *bad, size_t size);

/* Appends `body` with placeholder i replaced by values[i] (NULL counts as
 * empty) to `out`; sets bit i of *empty for each placeholder used whose
 * value is empty.  `body` must have passed lk_canned_scan().  Returns 0,
 * or LK_STORE_NOMEM. */
int lk_canned_render(const char *body, const char *const values[LK_PH_COUNT],
                     lk_buf *out, unsigned *empty);

/* Copies `in` to `out` (as large) with ASCII letters lowered: the form
 * of a list's q that the store matches (canned answers, categories). */
void lk_canned_fold(const char *in, char *out);

/* "28 november 2026": the Dutch civil date at `ms`. */
void lk_canned_date(int64_t ms, char *out, size_t size);

/* The caller as far as canned answers go (strings copied by prepare). */
typedef struct lk_canned_caller {
  const char *actor;    /* "user:usr_..." or "token:tok_..." */
  const char *user_id;  /* "" for a token */
  const char *actor_id; /* the medewerker, "" if none */
  const char *role;     /* agent, supervisor, admin, system */
} lk_canned_caller;

/* True for supervisors and admins: they manage shared answers. */
bool lk_canned_manager(const char *role);

/* May the caller see answer `a`?  `member` tells whether the caller is a
 * member of a's team (only asked for team answers). */
bool lk_canned_may_see(const lk_canned_caller *who, const lk_canned_row *a,
                       bool member);
/* May the caller change or delete `a` (which they may see)? */
bool lk_canned_may_change(const lk_canned_caller *who, const lk_canned_row *a);

/* Field checks (fields as JSON Pointers). */
int lk_canned_title_check(const char *v, lk_invalid *why);
int lk_canned_shortcut_check(const char *v, lk_invalid *why);
/* Text rules and placeholders; `bad` as in lk_canned_scan. */
int lk_canned_body_check(const char *v, char *bad, size_t size,
                         lk_invalid *why);

typedef struct lk_canned_op {
  char actor[LK_CONSOLE_READER_MAX];
  char user_id[LK_CONSOLE_USER_LEN];
  char actor_id[LK_CONV_ID_LEN + 1];
  char role[16];
  long long if_version; /* 0: any */
  bool has_title, has_shortcut, has_body;
  bool remove;     /* delete instead of change */
  lk_canned_row a; /* the answer: new, or after the change */
  char bad[64];    /* the offending placeholder text */
  lk_invalid why;  /* of an LK_EINVALID from apply */
} lk_canned_op;

/* A new answer.  `scope` NULL means personal; `shortcut` and `team_id`
 * may be NULL.  Returns 0, LK_EINVALID, LK_CANNED_NEEDS_STAFF (personal
 * without a staff account) or LK_CANNED_FORBIDDEN (a shared scope
 * without being a manager). */
int lk_canned_create_prepare(lk_canned_op *op, const lk_canned_caller *who,
                             const char *scope, const char *team_id,
                             const char *title, const char *shortcut,
                             const char *body, lk_invalid *why);
/* LK_EINVALID (field "/teamId": no such team) or a store code. */
int lk_canned_create_apply(lk_tx *tx, void *arg);

/* A change (or, with op->remove, the deletion) of answer `id`; set what
 * changes with the setters.  LK_EINVALID with field "id" when `id` cannot
 * be one. */
int lk_canned_change_prepare(lk_canned_op *op, const lk_canned_caller *who,
                             const char *id, lk_invalid *why);
int lk_canned_set_title(lk_canned_op *op, const char *v, lk_invalid *why);
/* NULL or "" clears it. */
int lk_canned_set_shortcut(lk_canned_op *op, const char *v, lk_invalid *why);
int lk_canned_set_body(lk_canned_op *op, const char *v, lk_invalid *why);
/* Checks visibility inside the write (LK_STORE_NOTFOUND when hidden),
 * then LK_CANNED_FORBIDDEN, LK_CANNED_EVERSION. */
int lk_canned_change_apply(lk_tx *tx, void *arg);

/* Visibility of a stored answer for `who`, reading team membership when
 * it matters.  0 if visible, LK_STORE_NOTFOUND if not, or a store code. */
int lk_canned_visible(lk_store *s, const lk_canned_caller *who,
                      const lk_canned_row *a);

/* The answer as the API's JSON object. */
void lk_canned_json(lk_buf *b, const lk_canned_row *a);

#endif
