/* notice.h - Actueel notices: validation of what staff publish.
 *
 * A notice has a kind (a row of notice_kinds), a title, a body, a
 * severity, an affected area and the postcodes it covers.  These checks
 * are pure: no I/O, so the HTTP layer and the CLI share them and unit
 * tests cover them without a store.
 */
#ifndef LK_NOTICE_H
#define LK_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/notices.h"
#include "util/buf.h"

#define LK_NOTICE_TITLE_MAX 200
#define LK_NOTICE_BODY_MAX 20000
#define LK_NOTICE_UPDATE_MAX 1000
#define LK_NOTICE_RADIUS_MAX 100000 /* metres */
#define LK_NOTICE_POLYGON_MIN 3
#define LK_NOTICE_POLYGON_MAX 500
#define LK_NOTICE_POSTCODES_MAX 200
/* Space-separated PC6 codes: 7 bytes each at most. */
#define LK_NOTICE_POSTCODES_LEN (LK_NOTICE_POSTCODES_MAX * 7)

/* True if `s` is one of the four severities, mildest first:
 * "informatie", "waarschuwing", "ernstig", "zeer-ernstig". */
bool lk_notice_severity_ok(const char *s);

/* Checks an area given as JSON text: {"type":"circle","center":[lon,lat],
 * "radius":1..100000} or {"type":"polygon","coordinates":[[lon,lat],...]}
 * with 3..500 points, every lon in -180..180 and lat in -90..90.  Returns
 * 0 or LK_EINVALID with `why` (field "/area..."). */
int lk_notice_area_check(const char *json, lk_invalid *why);

/* Normalises a list of postcodes (PC4 "1234" or PC6 "1234AB", letters of
 * either case, an optional space inside a PC6) given as `n` strings into
 * `out`: upper case, no inner space, separated by single spaces.  Returns
 * 0 or LK_EINVALID (field "/postcodes"). */
int lk_notice_postcodes(const char *const *codes, size_t n, char *out,
                        size_t size, lk_invalid *why);

/* True if a notice may move from status `from` to `to` by a PATCH:
 * published -> ended, and draft, awaiting-approval or published ->
 * withdrawn.  Publication itself goes through create or approve. */
bool lk_notice_transition_ok(const char *from, const char *to);

/* Checks title (1..200 bytes, one line) and body (0..20,000 bytes, lines
 * allowed).  Either may be NULL to skip it.  Returns 0 or LK_EINVALID. */
int lk_notice_text_check(const char *title, const char *body, lk_invalid *why);

/* Checks an update's body: 1..1,000 bytes, lines allowed. */
int lk_notice_update_check(const char *body, lk_invalid *why);

/* Checks that the expected end, when both are given (> 0), is not before
 * the start. */
int lk_notice_times_check(long long starts_at, long long expected_end_at,
                          lk_invalid *why);

/* ---- writes (prepare validates without I/O; apply is an lk_write_fn) */

#define LK_NOTICE_ESAME (-2101)    /* the approver created the notice */
#define LK_NOTICE_EVERSION (-2102) /* If-Match names an older version */

struct lk_sub_key; /* core/subscription.h */

typedef struct lk_notice_create_op {
  char actor[LK_NOTICE_ACTOR_MAX + 1];
  bool publish;
  bool crosspost; /* queue a Mastodon status when it is published */
  const struct lk_sub_key *sub_key; /* tags subscribers' outbox keys */
  lk_notice_row n;                  /* filled; status set by apply */
} lk_notice_create_op;

/* Validates and fills `op`.  `area` is JSON text (NULL: no area),
 * `codes` the postcodes, `severity` NULL for "informatie", times in ms
 * since the epoch (0: not set).  The kind is checked by apply against
 * notice_kinds (LK_EINVALID, field "/kind").  With `publish` the notice
 * goes out at once, or awaits approval when its kind requires a second
 * person; without, it stays a draft. */
int lk_notice_create_prepare(lk_notice_create_op *op, const char *actor,
                             const char *kind, const char *title,
                             const char *body, const char *severity,
                             const char *area, const char *const *codes,
                             size_t ncodes, long long starts_at,
                             long long expected_end_at, bool publish,
                             lk_invalid *why);
int lk_notice_create_apply(lk_tx *tx, void *arg);

typedef struct lk_notice_approve_op {
  char actor[LK_NOTICE_ACTOR_MAX + 1];
  bool crosspost; /* queue a Mastodon status of the publication */
  const struct lk_sub_key *sub_key; /* tags subscribers' outbox keys */
  char id[LK_NOTICE_ID_LEN + 1];
  lk_notice_row n; /* the notice as approved */
} lk_notice_approve_op;

/* LK_EINVALID (field "id") if `id` cannot be a notice id. */
int lk_notice_approve_prepare(lk_notice_approve_op *op, const char *actor,
                              const char *id, lk_invalid *why);
/* LK_STORE_NOTFOUND, LK_STORE_CONFLICT unless awaiting approval,
 * LK_NOTICE_ESAME when the actor created it. */
int lk_notice_approve_apply(lk_tx *tx, void *arg);

typedef struct lk_notice_patch_op {
  char actor[LK_NOTICE_ACTOR_MAX + 1];
  char id[LK_NOTICE_ID_LEN + 1];
  long long if_version; /* 0: any */
  const char *title;    /* NULL: unchanged; these point into the op */
  const char *body;
  const char *severity;
  const char *status;
  bool has_area, has_postcodes, has_starts, has_end;
  long long starts_at, expected_end_at;
  char title_buf[201];
  char body_buf[LK_NOTICE_TEXT_MAX + 1];
  char severity_buf[LK_NOTICE_SEVERITY_MAX + 1];
  char status_buf[LK_NOTICE_STATUS_MAX + 1];
  char area[LK_NOTICE_AREA_MAX + 1];
  char postcodes[LK_NOTICE_PC_MAX + 1];
  lk_notice_row n; /* the notice after the change */
} lk_notice_patch_op;

int lk_notice_patch_prepare(lk_notice_patch_op *op, const char *actor,
                            const char *id, lk_invalid *why);
/* Each setter validates one field.  Return 0 or LK_EINVALID. */
int lk_notice_patch_title(lk_notice_patch_op *op, const char *v,
                          lk_invalid *why);
int lk_notice_patch_body(lk_notice_patch_op *op, const char *v,
                         lk_invalid *why);
int lk_notice_patch_severity(lk_notice_patch_op *op, const char *v,
                             lk_invalid *why);
/* "ended" or "withdrawn"; the transition is checked by apply
 * (LK_STORE_CONFLICT). */
int lk_notice_patch_status(lk_notice_patch_op *op, const char *v,
                           lk_invalid *why);
int lk_notice_patch_area(lk_notice_patch_op *op, const char *v,
                         lk_invalid *why);
int lk_notice_patch_postcodes(lk_notice_patch_op *op, const char *const *codes,
                              size_t n, lk_invalid *why);
/* LK_STORE_NOTFOUND, LK_NOTICE_EVERSION, LK_STORE_CONFLICT (transition),
 * LK_EINVALID (times). */
int lk_notice_patch_apply(lk_tx *tx, void *arg);

typedef struct lk_notice_update_op {
  char actor[LK_NOTICE_ACTOR_MAX + 1];
  bool crosspost; /* a new update: queue a Mastodon status (not edits) */
  lk_notice_update_row u;
  bool hide_previous; /* an edit: earlier texts leave the public page */
  char kind[LK_NOTICE_KIND_MAX + 1];
  char status[LK_NOTICE_STATUS_MAX + 1];
  char title[LK_NOTICE_TITLE_MAX + 1]; /* the notice's */
} lk_notice_update_op;

/* A new update of notice `notice_id`, published when it commits. */
int lk_notice_update_prepare(lk_notice_update_op *op, const char *actor,
                             const char *notice_id, const char *body,
                             lk_invalid *why);
/* LK_STORE_NOTFOUND, LK_STORE_CONFLICT unless the notice is published. */
int lk_notice_update_apply(lk_tx *tx, void *arg);

/* The edit of update `update_id` of `notice_id` (op->u.id, u.notice_id):
 * keeps the earlier text, which the public page shows under "Eerdere
 * versie" unless op->hide_previous (then none of the earlier texts). */
int lk_notice_edit_prepare(lk_notice_update_op *op, const char *actor,
                           const char *notice_id, const char *update_id,
                           const char *body, lk_invalid *why);
int lk_notice_edit_apply(lk_tx *tx, void *arg);

typedef struct lk_notice_kind_op {
  char actor[LK_NOTICE_ACTOR_MAX + 1];
  char kind[LK_NOTICE_KIND_MAX + 1];
  bool requires_second_person;
} lk_notice_kind_op;

int lk_notice_kind_prepare(lk_notice_kind_op *op, const char *actor,
                           const char *kind, bool requires, lk_invalid *why);
/* LK_STORE_NOTFOUND for an unknown kind. */
int lk_notice_kind_apply(lk_tx *tx, void *arg);

/* ---- cross-posting (docs/notices.md) ---------------------------------- */

/* The outbox kind of the statuses and the keys that make each one once. */
#define LK_CROSSPOST_KIND "mastodon"
#define LK_CROSSPOST_KEY_MAX 48 /* "update:" + a UUID */

/* The outbox key of notice `notice_id`'s publication (update_id NULL) or
 * of its update `update_id`. */
void lk_crosspost_key(char *out, size_t size, const char *notice_id,
                      const char *update_id);
/* Queues, inside the write, the status that announces a publication or an
 * update: payload {"noticeId","updateId"} (ids only), which the Mastodon
 * channel turns into a status with the texts as they are when it is sent
 * (channels/mastodon.h).  A second call for the same one changes
 * nothing. */
int lk_notice_crosspost(lk_tx *tx, const char *notice_id,
                        const char *update_id);

/* Renders a notice and an update as the JSON objects of the API. */
void lk_notice_json(lk_buf *b, const lk_notice_row *n);
void lk_notice_update_json(lk_buf *b, const lk_notice_update_row *u);

#endif
