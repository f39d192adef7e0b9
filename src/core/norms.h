/* norms.h - service norms: how fast the contact centre answers.
 *
 * A norm sets a target for one metric (first response, next response,
 * resolution, callback) for conversations of a channel, a category and a
 * team; any of the three may be left open.  For an item the most
 * specific matching norm wins: a category counts more than a team, a team
 * more than a channel; among equals the first listed.  A target is
 * counted in business time (the calendar's opening hours: "e-mail within
 * two working days" is 18 business hours with 9-hour days) or in calendar
 * time ("the phone within 25 seconds").
 *
 * The norms and the calendar form one configuration, saved as a new
 * version each time (PUT /api/v1/norms) and announced with a
 * norms.updated event; see core/measure.h for how they are applied.
 */
#ifndef LK_NORMS_H
#define LK_NORMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/store.h"
#include "util/buf.h"

#define LK_NORMS_MAX 100
#define LK_NORM_TARGET_MAX (366LL * 86400) /* seconds */

typedef enum {
  LK_METRIC_FIRST_RESPONSE = 0,
  LK_METRIC_NEXT_RESPONSE = 1,
  LK_METRIC_RESOLUTION = 2,
  LK_METRIC_CALLBACK = 3,
  LK_METRICS = 4
} lk_metric;

typedef struct lk_norm {
  lk_metric metric;
  char channel[16];     /* "" for any */
  char category_id[37]; /* "" for any */
  char team_id[37];     /* "" for any */
  int64_t target_ms;
  bool business;
  int64_t warn_ms; /* warn when this much or less is left */
} lk_norm;

typedef struct lk_norms {
  int64_t version; /* 0: the built-in defaults */
  lk_calendar cal;
  int n;
  lk_norm norms[LK_NORMS_MAX];
} lk_norms;

/* "first_response", ... ; NULL for an unknown metric. */
const char *lk_metric_name(lk_metric m);
/* -1 for an unknown name. */
int lk_metric_parse(const char *name);

/* The configuration before anyone saved one: the default calendar
 * (calendar.h) and e-mail and web form answered within two working days
 * (18 business hours), social media within 4 business hours, the phone
 * within 25 seconds, a callback without a chosen slot within two working
 * days. */
void lk_norms_default(lk_norms *ns);

/* Reads {"calendar": {...}, "norms": [{"metric", "channel", "categoryId",
 * "teamId", "targetSeconds", "clock": "business"|"calendar",
 * "warnSeconds"}]}.  A missing calendar is the default one.  Returns 0 or
 * LK_EINVALID with `why` (a JSON Pointer into `doc`). */
int lk_norms_from_json(lk_norms *ns, const json_t *doc, lk_invalid *why);
/* Parses JSON text saved by lk_norms_json(); LK_EINVALID if it does not
 * hold a valid configuration. */
int lk_norms_parse(lk_norms *ns, const char *text);
/* Appends the configuration as lk_norms_from_json() reads it (without
 * the version). */
void lk_norms_json(lk_buf *b, const lk_norms *ns);

/* The norm for `metric` of an item with `channel`, `team_id` and the
 * space-separated category ids `categories`; NULL when none matches. */
const lk_norm *lk_norms_match(const lk_norms *ns, lk_metric metric,
                              const char *channel, const char *team_id,
                              const char *categories);

/* ---- saving --------------------------------------------------------- */

typedef struct lk_norms_op {
  char actor[48];
  lk_norms norms;
  char text[65536]; /* lk_norms_json() of `norms` */
  int64_t version;  /* out: the saved version */
} lk_norms_op;

/* Validates `doc` and fills `op`.  LK_EINVALID with `why`. */
int lk_norms_save_prepare(lk_norms_op *op, const char *actor, const json_t *doc,
                          lk_invalid *why);
/* lk_write_fn: saves a new version, with its norms.updated event and an
 * audit entry. */
int lk_norms_save_apply(lk_tx *tx, void *arg);

/* The configuration in force: the newest saved one, or the defaults.
 * Returns 0 or a store code. */
int lk_norms_load(lk_store *s, lk_norms *out);

#endif
