/* channels.h - the rows behind the resident contact pages (migration
 * 0020): the public channels with their hours, what the waiting-time
 * estimate reads, the categories a resident may pick, and the private
 * status links of web-form conversations.
 *
 * Functions return 0 (or a row count) or a negative LK_STORE_* code.
 */
#ifndef LK_STORE_CHANNELS_H
#define LK_STORE_CHANNELS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/conversations.h"
#include "store/store.h"

#define LK_CHANNEL_NAME_MAX 15
#define LK_CHANNEL_LABEL_MAX 100
#define LK_CHANNEL_HOURS_MAX 4096
#define LK_CHANNEL_CONTACT_MAX 200
#define LK_CHANNEL_DESCRIPTION_MAX 500
#define LK_CHANNELS_MAX 16

typedef struct lk_channel_row {
  char channel[LK_CHANNEL_NAME_MAX + 1];
  char label[LK_CHANNEL_LABEL_MAX + 1];
  int position;
  bool enabled;
  bool async; /* usable at any time; the hours are when staff answer */
  char hours[LK_CHANNEL_HOURS_MAX + 1]; /* calendar JSON (core/calendar.h) */
  char contact[LK_CHANNEL_CONTACT_MAX + 1];
  char description[LK_CHANNEL_DESCRIPTION_MAX + 1];
  int64_t updated_at;
  char updated_by[48];
} lk_channel_row;

/* Every channel row, ordered by position (at most LK_CHANNELS_MAX), into
 * `out`.  Returns the number of rows. */
int lk_store_channels(lk_store *s, lk_channel_row *out, int max);
/* LK_STORE_NOTFOUND when there is no row for `channel`. */
int lk_store_channel_get(lk_store *s, const char *channel, lk_channel_row *out);
/* Inside a write: replaces the editable columns of the row `r->channel`
 * (label, enabled, async, hours, contact, description, updated_*).
 * LK_STORE_NOTFOUND when there is no such row. */
int lk_store_channel_save(lk_tx *tx, const lk_channel_row *r);

/* ---- what the waiting-time estimate reads ------------------------------ */

/* Created and first-response times of the newest conversations of
 * `channel` answered at or after `since`, newest answer first, at most
 * `max` (uses the index conversations_first_response). */
int lk_store_channel_responses(lk_store *s, const char *channel, int64_t since,
                               int64_t *created, int64_t *answered, int max);
/* The conversations of `channel` queued for an agent now: open,
 * unassigned and waiting; their count and the oldest waiting_since (0
 * when none). */
int lk_store_channel_queue(lk_store *s, const char *channel, int64_t *count,
                           int64_t *oldest);

/* ---- categories --------------------------------------------------------- */

typedef void (*lk_category_fn)(const char *id, const char *name, void *ud);
/* Categories by name, at most `limit`.  Returns the number listed. */
int lk_store_categories_list(lk_store *s, int limit, lk_category_fn fn,
                             void *ud);

/* ---- status links ------------------------------------------------------- */

/* Inside a write: stores the link `digest` to `conv_id`. */
int lk_store_status_link_insert(lk_tx *tx, const char *digest,
                                const char *conv_id, int64_t expires_at);
/* Inside a write: moves the expiry of link `digest`. */
int lk_store_status_link_extend(lk_tx *tx, const char *digest,
                                int64_t expires_at);
/* The conversation of the link `digest` that has not expired at `now`;
 * LK_STORE_NOTFOUND otherwise. */
int lk_store_status_link_get(lk_store *s, const char *digest, int64_t now,
                             char conv_id[LK_CONV_ID_LEN + 1]);

#endif
