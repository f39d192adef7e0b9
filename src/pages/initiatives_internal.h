/* initiatives_internal.h - what the /initiatieven page files share.
 * Private to src/pages/initiatives*.c. */
#ifndef LK_PAGES_INITIATIVES_INTERNAL_H
#define LK_PAGES_INITIATIVES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "api/participant.h"
#include "core/initiative.h"
#include "http/server.h"
#include "pages/initiatives.h"
#include "util/buf.h"

/* Answers `status` with `body` (taken over) in the page frame, with the
 * participation navigation on top (log-in state of `p`, may be NULL);
 * not cached. */
void lk_ip_respond(lk_req *req, int status, const char *title,
                   const lk_participant *p, lk_buf *body);
/* Appends a date ("28 november 2026") of Unix ms, Dutch civil time. */
void lk_ip_date(lk_buf *b, int64_t ms);
/* Appends "YYYY-MM-DD" as "28 november 2026". */
void lk_ip_day(lk_buf *b, const char *ymd);
/* Appends <option>s of themes (`neighbourhoods` false) or
 * neighbourhoods, `selected` marked, after an empty option labelled
 * `empty` (NULL: none).  Returns 0 or a store code. */
int lk_ip_options(lk_buf *b, lk_req *req, bool neighbourhoods,
                  const char *selected, const char *empty);
/* A <select> field with label, hint and error (form.h markup). */
int lk_ip_select(lk_buf *b, lk_req *req, const char *id, const char *name,
                 const char *label, bool neighbourhoods, const char *selected,
                 const char *error);
/* A short message page (h1 + paragraph + link back). */
void lk_ip_message(lk_req *req, int status, const char *title, const char *text,
                   const lk_participant *p);
/* 303 to `location` (a local path, already safe). */
void lk_ip_redirect(lk_req *req, const char *location);
/* The data directory, for image blobs. */
const char *lk_ip_data_dir(lk_req *req);
/* Dutch text for a validation field (`field` of lk_invalid). */
const char *lk_ip_field_error(const char *field);

/* Account pages (initiatives_account.c). */
int lk_ip_account_routes(lk_router *r);
/* Organiser pages and forms (initiatives_edit.c). */
int lk_ip_edit_routes(lk_router *r);
/* The organiser panel on the initiative page (initiatives_edit.c). */
void lk_ip_organiser_panel(lk_buf *b, const lk_initiative_row *r,
                           const lk_participant *p, bool owner);
/* The map of initiatives (initiatives_map.c): an SVG of up to 100 points
 * with the list of them as its text alternative. */
void lk_ip_map(lk_req *req);

#endif
