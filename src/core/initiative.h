/* initiative.h - initiatives of residents and organisations: fields,
 * the life cycle, organisers, updates, followers and images.
 *
 * Life cycle (docs/participation.md):
 *
 *   draft --submit--> prescreening --approve--> published
 *   draft --submit (prescreening off)--> published
 *   prescreening --refuse(reason)--> draft
 *   published --start--> running
 *   published, running --complete--> completed
 *   published, running --stop(reason)--> stopped
 *
 * Organisers submit, start, complete and stop; staff approve, refuse,
 * start, complete and stop.  The transition is checked against the
 * status read inside the write, so two concurrent changes cannot both
 * apply.  Every change appends to the status log and emits
 * initiative.status_changed {"id","from","to"}.
 *
 * Who may do what is decided inside the write from the stored
 * organisers (never from ids the browser sends), so a resident who
 * names someone else's initiative gets LK_STORE_NOTFOUND, exactly as for
 * an id that does not exist.
 *
 * Writes follow the prepare/apply pattern of token.h.
 */
#ifndef LK_INITIATIVE_H
#define LK_INITIATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/participation.h"
#include "util/buf.h"

#define LK_INIT_EBADTRANSITION (-2101) /* not allowed from this status */
#define LK_INIT_EFORBIDDEN (-2102)     /* not by this kind of caller */
#define LK_INIT_IMAGE_MAX (5 * 1024 * 1024)
#define LK_INIT_IMAGES_MAX 8

typedef enum lk_init_action {
  LK_INIT_SUBMIT,
  LK_INIT_APPROVE,
  LK_INIT_REFUSE,
  LK_INIT_START,
  LK_INIT_COMPLETE,
  LK_INIT_STOP
} lk_init_action;

/* "submit", "approve", ... into `out`.  Returns 0 or -1. */
int lk_init_action_parse(const char *s, lk_init_action *out);
const char *lk_init_action_name(lk_init_action a);

/* The status `a` leads to from `from` ("" stays unset on error).
 * `staff`: the caller is staff, else an organiser; `prescreen`: the
 * prescreening step is on.  Returns 0, LK_INIT_EBADTRANSITION or
 * LK_INIT_EFORBIDDEN. */
int lk_init_transition(const char *from, lk_init_action a, bool staff,
                       bool prescreen, const char **to);
/* True if organisers may edit the fields in `status`. */
bool lk_init_editable(const char *status);
/* True if the initiative is public: published once and not hidden. */
bool lk_init_public(const lk_initiative_row *r);
/* Dutch label of a status ("Gepubliceerd"), "" for an unknown one. */
const char *lk_init_status_label(const char *status);
/* True if `s` is one of the six statuses. */
bool lk_init_status_valid(const char *s);

/* ---- fields ------------------------------------------------------------ */

/* What a form or API body gives; NULL is "". */
typedef struct lk_init_input {
  const char *title, *summary, *description;
  const char *theme, *neighbourhood, *organisation;
  const char *address, *lat, *lon;
  const char *start_date, *end_date, *website;
} lk_init_input;

/* Validates `in` into the editable fields of `r`.  Returns 0 or
 * LK_EINVALID with the first problem; with `all` not NULL every field's
 * problem is put there by name (title, summary, description, theme,
 * neighbourhood, organisation, address, location, startDate, endDate,
 * website) as a NULL-terminated list of `nall` entries at most. */
int lk_init_fields(lk_initiative_row *r, const lk_init_input *in,
                   lk_invalid *why, lk_invalid *all, size_t nall);

/* ---- writes ------------------------------------------------------------ */

typedef struct lk_init_save_op {
  char account_id[LK_PS_ID_LEN + 1]; /* the organiser */
  char actor[48];
  char request_id[48];
  lk_initiative_row r;    /* fields; id after prepare (create) */
  int64_t expect_version; /* edit: the version the form was made from */
  bool create;
  lk_invalid why; /* set by apply with LK_EINVALID */
} lk_init_save_op;

/* Fills a create (`id` NULL) or an edit of initiative `id` by resident
 * `account_id`.  Returns 0 or LK_EINVALID. */
int lk_init_save_prepare(lk_init_save_op *op, const char *account_id,
                         const char *id, const lk_init_input *in,
                         int64_t expect_version, int64_t now_ms,
                         const char *request_id, lk_invalid *why);
/* lk_write_fn.  Create: the initiative (draft) with its owner.  Edit:
 * only an organiser, only while lk_init_editable(), and only from the
 * current version (LK_STORE_CONFLICT otherwise).  A theme,
 * neighbourhood or organisation that does not exist or (organisation)
 * the resident is no member of: LK_EINVALID with op->why.  Not an
 * organiser, or no such initiative: LK_STORE_NOTFOUND. */
int lk_init_save_apply(lk_tx *tx, void *arg);

typedef struct lk_init_status_op {
  char id[LK_PS_ID_LEN + 1];
  char account_id[LK_PS_ID_LEN + 1]; /* organiser; "" for staff */
  char actor[48];                    /* "p:<id>" or the staff actor */
  lk_init_action action;
  char reason[LK_PS_REASON_MAX + 1];
  bool staff;
  bool prescreen;
  /* results */
  char from[LK_PS_STATUS_MAX + 1];
  char to[LK_PS_STATUS_MAX + 1];
  lk_invalid why; /* submit: a required field is empty (LK_EINVALID) */
} lk_init_status_op;

/* Validates: refuse and stop need a reason (field "reason", 1..1000
 * bytes).  Returns 0 or LK_EINVALID. */
int lk_init_status_prepare(lk_init_status_op *op, const char *id,
                           const char *account_id, const char *actor,
                           bool staff, bool prescreen, lk_init_action a,
                           const char *reason, lk_invalid *why);
/* lk_write_fn: LK_STORE_NOTFOUND (no such initiative, or the resident
 * is no organiser), LK_INIT_EBADTRANSITION, LK_INIT_EFORBIDDEN, or for a
 * submit without summary, theme or neighbourhood LK_EINVALID (op->why). */
int lk_init_status_apply(lk_tx *tx, void *arg);

typedef struct lk_init_post_op {
  char actor[48];
  lk_initiative_update_row u; /* id, initiative, author, title, body */
  char base_url[200];
  int notified; /* followers mailed, set by apply */
} lk_init_post_op;

/* Validates title (1..150, one line, field "title") and body (1..5000,
 * field "body").  Returns 0 or LK_EINVALID. */
int lk_init_post_prepare(lk_init_post_op *op, const char *id,
                         const char *account_id, const char *title,
                         const char *body, const char *base_url, int64_t now_ms,
                         lk_invalid *why);
/* lk_write_fn: an organiser posts on a published, running or completed
 * initiative; each confirmed follower gets one mail (outbox kind "mail",
 * key "p-update:<update>:<account>").  LK_STORE_NOTFOUND,
 * LK_INIT_EBADTRANSITION (not public yet). */
int lk_init_post_apply(lk_tx *tx, void *arg);

typedef struct lk_init_follow_op {
  char id[LK_PS_ID_LEN + 1];
  char account_id[LK_PS_ID_LEN + 1];
  bool follow;
  bool changed; /* set by apply */
} lk_init_follow_op;

/* lk_write_fn: follows or unfollows a public initiative.
 * LK_STORE_NOTFOUND when it is not public. */
int lk_init_follow_apply(lk_tx *tx, void *arg);

typedef struct lk_init_coorg_op {
  char id[LK_PS_ID_LEN + 1];
  char account_id[LK_PS_ID_LEN + 1]; /* must be the owner */
  char email_key[LK_PS_EMAIL_MAX + 1];
  lk_invalid why;
} lk_init_coorg_op;

/* Returns 0 or LK_EINVALID (field "email"). */
int lk_init_coorg_prepare(lk_init_coorg_op *op, const char *id,
                          const char *account_id, const char *email,
                          lk_invalid *why);
/* lk_write_fn: the owner adds the confirmed account with that address
 * as co-organiser.  LK_STORE_NOTFOUND (not the owner), LK_EINVALID with
 * op->why (no confirmed account with that address). */
int lk_init_coorg_apply(lk_tx *tx, void *arg);

typedef struct lk_init_image_op {
  char account_id[LK_PS_ID_LEN + 1];
  lk_initiative_image_row img;
} lk_init_image_op;

/* Sniffs the type from the bytes (PNG, JPEG, GIF, WebP; never SVG),
 * checks the size (1..LK_INIT_IMAGE_MAX) and the text alternative
 * (1..300, one line, field "alt"), and hashes.  Returns 0 or
 * LK_EINVALID (field "image" or "alt"). */
int lk_init_image_prepare(lk_init_image_op *op, const char *id,
                          const char *account_id, const void *data, size_t len,
                          const char *alt, int64_t now_ms, lk_invalid *why);
/* The media type of `data` by its magic bytes, or NULL. */
const char *lk_init_image_sniff(const void *data, size_t len);
/* Writes the bytes into the attachments' blob store under `data_dir`
 * (blocks on the disk).  Returns 0 or a negative errno. */
int lk_init_image_store(const char *data_dir, const lk_init_image_op *op,
                        const void *data, size_t len);
/* The blob path of `sha256` under `data_dir` into `out`. */
int lk_init_image_path(const char *data_dir, const char *sha256, char *out,
                       size_t size);
/* lk_write_fn: an organiser adds an image (at most LK_INIT_IMAGES_MAX).
 * LK_STORE_NOTFOUND, LK_STORE_CONFLICT when full. */
int lk_init_image_apply(lk_tx *tx, void *arg);

/* ---- neighbourhoods ---------------------------------------------------- */

typedef struct lk_nbh_put_op {
  char actor[48];
  lk_p_place_row r;
  bool created; /* set by apply */
} lk_nbh_put_op;

/* Validates slug `id` (a-z, 0-9, '-', 1..40; field "id"), `name`
 * (2..100, field "name"), `position` (0..10000) and the optional centre
 * (`has_point`, field "lat"/"lon").  Returns 0 or LK_EINVALID. */
int lk_nbh_put_prepare(lk_nbh_put_op *op, const char *actor, const char *id,
                       const char *name, long position, bool has_point,
                       double lat, double lon, lk_invalid *why);
/* lk_write_fn: inserts or replaces, audited "neighbourhood.updated". */
int lk_nbh_put_apply(lk_tx *tx, void *arg);

/* ---- JSON -------------------------------------------------------------- */

/* The public fields as a JSON object: no e-mail addresses, no owner
 * account id; with `staff` also owner, hidden state and drafts' data. */
void lk_init_json(lk_buf *b, const lk_initiative_row *r, bool staff);

#endif
