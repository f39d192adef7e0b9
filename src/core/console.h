/* console.h - read marks and the viewing indicator of the agent console
 * (docs/console-api.md).
 *
 * A read mark is a reader's highest contact seq read in a conversation;
 * what lies above it, written by someone else, is unread.  Viewers are
 * staff who have a conversation open (viewing or typing); a viewer lives
 * while heartbeats come and expires LK_VIEWER_TTL_MS after the last one.
 * The event console.viewing reports changes of state only, so a
 * heartbeat that changes nothing commits no event.  The table and not
 * memory holds viewers because several `loket serve --reuseport`
 * processes share them only through the database.
 */
#ifndef LK_CORE_CONSOLE_H
#define LK_CORE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/console.h"
#include "util/buf.h"

#define LK_VIEWER_TTL_MS 30000
#define LK_VIEWERS_MAX 50 /* listed per conversation */
#define LK_VIEWER_SWEEP_BATCH 200
#define LK_CONSOLE_COUNT_CAP 200      /* default ?cap= of the counts */
#define LK_CONSOLE_COUNT_CAP_MAX 1000 /* largest ?cap= */

/* ---- read marks ----------------------------------------------------- */

typedef struct lk_read_op {
  char reader[LK_CONSOLE_READER_MAX];
  char conversation_id[LK_CONV_ID_LEN + 1];
  bool may_confidential;
  int64_t read_seq; /* the mark after the write */
} lk_read_op;

/* LK_EINVALID (field "id") when `conv_id` cannot be an id. */
int lk_read_prepare(lk_read_op *op, const char *reader, const char *conv_id,
                    bool may_confidential, lk_invalid *why);
/* LK_STORE_NOTFOUND for an unknown or hidden conversation. */
int lk_read_apply(lk_tx *tx, void *arg);

/* ---- viewers -------------------------------------------------------- */

typedef struct lk_viewer_op {
  lk_viewer_row v; /* conversation, user, actor, state; filled further */
  bool leave;      /* DELETE: leave instead of a heartbeat */
  bool may_confidential;
  bool changed; /* an event was emitted */
} lk_viewer_op;

/* A heartbeat (`state` "viewing" or "typing") or, with `state` NULL, a
 * leave.  LK_EINVALID: field "id" for an impossible id, "/state".  */
int lk_viewer_prepare(lk_viewer_op *op, const char *conv_id,
                      const char *user_id, const char *actor_id,
                      const char *state, bool may_confidential,
                      lk_invalid *why);
/* Checks the conversation (LK_STORE_NOTFOUND when unknown or hidden),
 * writes the row (or deletes it), emits console.viewing when the
 * state changed. */
int lk_viewer_apply(lk_tx *tx, void *arg);

/* lk_write_fn (arg: unused): deletes up to LK_VIEWER_SWEEP_BATCH expired
 * viewers and reports each with console.viewing (state left, reason
 * expired). */
int lk_viewers_sweep_apply(lk_tx *tx, void *arg);

/* The payload of console.viewing. */
void lk_viewer_event_json(lk_buf *b, const lk_viewer_row *v, const char *state,
                          const char *reason);
/* A viewer as the API lists it. */
void lk_viewer_json(lk_buf *b, const lk_viewer_row *v);

/* Counts as JSON: {"open","unread","more"} or null when `present` is
 * false. */
void lk_console_count_json(lk_buf *b, const lk_console_count *c, bool present);

#endif
