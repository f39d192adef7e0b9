/* matching.h - offers and needs, suggested matches and contact through
 * the platform (docs/matching.md).
 *
 * Residents and organisations post offers ("aanbod": tools, skills,
 * space, time) and needs ("vraag") with a theme, a place (a point, a
 * neighbourhood or both) and a time window.  When one is posted, the
 * same write scores it against a bounded set of candidates of the other
 * kind (the newest LK_MX_CANDIDATES with the same theme and the newest
 * with the same neighbourhood, read through partial indexes), keeps the
 * best LK_MX_KEEP at or above LK_MX_THRESHOLD as matches and queues an
 * e-mail (outbox kind "mail") to both sides.  Scoring is a pure function
 * (lk_mx_score), explained in docs/matching.md.
 *
 * Contact goes through the platform: a message on a listing opens a
 * thread between its author and the writer; each message queues a mail
 * to the other side that says a message is waiting and links to it, and
 * carries no address or message text of the other side.
 *
 * Writes come as *_prepare (validation, no I/O) and an lk_write_fn
 * *_apply; apply refuses a blocked account with LK_MX_BLOCKED.
 */
#ifndef LK_CORE_MATCHING_H
#define LK_CORE_MATCHING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/matching.h"

#define LK_MX_BLOCKED (-2101) /* the account may not post */
#define LK_MX_FULL (-2102)    /* no place left on a help need */

#define LK_MX_CANDIDATES 100 /* newest per candidate query */
#define LK_MX_KEEP 5         /* matches kept per new listing */
#define LK_MX_THRESHOLD 50   /* lowest score that counts as a match */
#define LK_MX_NEAR_M 5000    /* beyond this distance a place scores 0 */
#define LK_MX_ACTOR_MAX 64
#define LK_MX_URL_MAX 200

/* ---- scoring (pure) ----------------------------------------------------- */

/* Metres between two points given in micro-degrees (equirectangular
 * approximation: within a municipality off by far less than a metre per
 * kilometre). */
int64_t lk_mx_distance_m(int64_t lat1_e6, int64_t lon1_e6, int64_t lat2_e6,
                         int64_t lon2_e6);

typedef struct lk_mx_score_parts {
  int theme;    /* 0 or 40 */
  int category; /* 0 or 10 */
  int place;    /* 0..30 */
  int time;     /* 0..20 */
  int total;
  char reasons[64]; /* "theme category place time", those that scored */
} lk_mx_score_parts;

/* Scores offer or need `a` against `b`.  Returns the total (0..100), or
 * -1 when they cannot match at all: the same kind, the same account, or
 * time windows that do not overlap. */
int lk_mx_score(const lk_mx_listing_row *a, const lk_mx_listing_row *b,
                lk_mx_score_parts *out);

/* ---- posting ------------------------------------------------------------ */

typedef struct lk_mx_listing_input {
  const char *kind;           /* "offer" or "need" */
  const char *category;       /* tools skills space time other */
  const char *theme;          /* required */
  const char *neighbourhood;  /* optional */
  const char *organisation;   /* optional: posted on its behalf */
  const char *lat, *lon;      /* optional decimal degrees, both or none */
  int64_t starts_at, ends_at; /* 0: open */
  const char *title, *body;
} lk_mx_listing_input;

/* Parses decimal degrees ("52.0907") into micro-degrees within `limit`
 * degrees.  Returns 0 or -1. */
int lk_mx_degrees(const char *s, int limit, int64_t *out);

typedef struct lk_mx_listing_op {
  char actor[LK_MX_ACTOR_MAX];
  char request_id[48];
  char base_url[LK_MX_URL_MAX]; /* links in mails; "" for relative */
  lk_mx_listing_row r;
  int matched; /* result: matches made */
} lk_mx_listing_op;

/* Validates `in` for `account` (fields as in the input; "place" when
 * lat/lon are half given or out of range, "ends_at" for a window that
 * ends before it starts).  Returns 0 or LK_EINVALID. */
int lk_mx_listing_prepare(lk_mx_listing_op *op, const char *account,
                          const lk_mx_listing_input *in, const char *base_url,
                          const char *request_id, lk_invalid *why);
/* lk_write_fn: inserts the listing, its matches and their mails, the
 * event listing.created (and match.suggested per match) and a
 * processing-log row.  LK_MX_BLOCKED for a blocked account,
 * LK_STORE_INVALID for an unknown theme or neighbourhood,
 * LK_STORE_NOTFOUND when the organisation is not the account's. */
int lk_mx_listing_apply(lk_tx *tx, void *arg);

typedef struct lk_mx_close_op {
  char account[LK_MX_ID_MAX + 1];
  char id[LK_MX_ID_MAX + 1];
  char request_id[48];
} lk_mx_close_op;

int lk_mx_close_prepare(lk_mx_close_op *op, const char *account, const char *id,
                        const char *request_id, lk_invalid *why);
/* lk_write_fn: closes the account's own open listing (else
 * LK_STORE_NOTFOUND). */
int lk_mx_close_apply(lk_tx *tx, void *arg);

/* ---- messages ------------------------------------------------------------ */

typedef struct lk_mx_message_op {
  char account[LK_MX_ID_MAX + 1];
  char listing[LK_MX_ID_MAX + 1]; /* a new message on a listing, or */
  char thread[LK_MX_ID_MAX + 1];  /* a reply in a thread */
  char base_url[LK_MX_URL_MAX];
  char request_id[48];
  lk_mx_message_row m; /* after apply: the message, its thread id */
} lk_mx_message_op;

/* `listing` or `thread` (one of them, the other NULL) and the text.
 * Returns 0 or LK_EINVALID ("body", or "id" for a malformed id). */
int lk_mx_message_prepare(lk_mx_message_op *op, const char *account,
                          const char *listing, const char *thread,
                          const char *body, const char *base_url,
                          const char *request_id, lk_invalid *why);
/* lk_write_fn: finds or opens the thread, adds the message, queues the
 * notification mail to the other side and emits message.sent.
 * LK_STORE_NOTFOUND for a listing that is hidden, closed (for a new
 * thread) or unknown, and for a thread the account is not part of;
 * LK_STORE_INVALID for a message to one's own listing. */
int lk_mx_message_apply(lk_tx *tx, void *arg);

/* True if `account` is one of the two sides of thread `t`. */
bool lk_mx_thread_member(const lk_mx_thread_row *t, const char *account);

/* ---- output -------------------------------------------------------------- */

/* A listing as a JSON object (hidden fields included: staff only). */
void lk_mx_listing_json(lk_buf *b, const lk_mx_listing_row *r);
/* Dutch words for kind and category ("Aanbod", "Gereedschap"). */
const char *lk_mx_kind_nl(const char *kind);
const char *lk_mx_category_nl(const char *category);

#endif
