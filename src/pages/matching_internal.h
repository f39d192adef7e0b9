/* matching_internal.h - what the matching pages share (pages/matching*.c
 * only). */
#ifndef LK_PAGES_MATCHING_INTERNAL_H
#define LK_PAGES_MATCHING_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "api/participant.h"
#include "pages/form.h"
#include "pages/matching.h"
#include "util/buf.h"
#include "util/html.h"

/* Answers a write that failed on a resident page, in Dutch: 404 for
 * LK_STORE_NOTFOUND, 409 for a conflict or a full need, 403 for a
 * blocked account, 422 for LK_STORE_INVALID (with `invalid` as text). */
void lk_mxp_failed(lk_req *req, int status, const char *invalid);
/* 303 See Other to `path` (a literal or built from ids). */
void lk_mxp_redirect(lk_req *req, const char *path);
/* The public base of links in mails ("" when not configured). */
const char *lk_mxp_base_url(lk_req *req);
/* Appends Dutch civil time "28-11-2026 10:00". */
void lk_mxp_time(lk_buf *b, int64_t ms);
/* Parses a date "YYYY-MM-DD" and an optional time "HH:MM" (Dutch civil
 * time) into ms; "" gives 0.  Returns 0 or -1. */
int lk_mxp_parse_time(const char *date, const char *time, int64_t *out);
/* A status line (role="status") for the fixed message named by ?melding=. */
void lk_mxp_notice(lk_buf *b, lk_req *req);
/* A link to the report form for target `type` `id`. */
void lk_mxp_report_link(lk_buf *b, const char *type, const char *id);
/* True if `s` is usable as an id in a path (letters, digits, - and _). */
bool lk_mxp_id_ok(const char *s);

/* Route tables of the files. */
int lk_mxp_market_routes(lk_router *r);
int lk_mxp_message_routes(lk_router *r);
int lk_mxp_help_routes(lk_router *r);
int lk_mxp_report_routes(lk_router *r);

#endif
