/* facilitation.h - the resident pages of facilitation (docs/facilitation.md):
 *
 *   /initiatieven/gefaciliteerd[.csv|.json]   what the municipality gave
 *                                             this year, per neighbourhood
 *   /initiatieven/{id}/faciliteiten           organisers ask for a room,
 *                                             crew hours or a budget, follow
 *                                             and withdraw their requests
 *   /initiatieven/{id}/bijeenkomsten          organisers create a meeting
 *   /initiatieven/bijeenkomsten/{id}          a meeting: registration,
 *                                             agenda.ics, the organisers'
 *                                             list of who comes
 *
 * Server-rendered, Dutch, no JavaScript; every text goes through
 * lk_html_txt/lk_html_attr.  Resident forms follow the CSRF rule of
 * api/participant.h.
 */
#ifndef LK_PAGES_FACILITATION_H
#define LK_PAGES_FACILITATION_H

#include <stdbool.h>
#include <stdint.h>

#include "http/router.h"
#include "store/store.h"
#include "util/buf.h"

/* Registers the routes (they must come before the initiative pages'
 * /initiatieven/{id}) and the initiative page's facilitation section.
 * Returns 0 or a negative errno. */
int lk_facilitation_page_routes(lk_router *r);

/* The section of initiative `initiative_id`'s public page: what the
 * municipality contributed (rooms, crew hours, euros granted) and the
 * coming meetings; with `organiser`, links to ask for facilitation and to
 * create a meeting.  Appends nothing on a store error. */
void lk_facilitation_section(lk_buf *b, lk_store *s, const char *initiative_id,
                             bool organiser);

/* ---- shared by the facilitation pages (facilitation_format.c) ---------- */

/* "maandag 30 november 2026" of Dutch civil time at `ms`. */
void lk_fac_date_nl(lk_buf *b, int64_t ms);
/* "19:30" of Dutch civil time at `ms`. */
void lk_fac_time_nl(lk_buf *b, int64_t ms);
/* "maandag 30 november 2026, 19:30 tot 21:00" (the end's date too when
 * it falls on another day). */
void lk_fac_span_nl(lk_buf *b, int64_t starts, int64_t ends);
/* "€ 1.234,50" */
void lk_fac_euro(lk_buf *b, int64_t cents);
/* Reads "2026-11-30" and "19:30" as Dutch civil time into *ms.  Returns
 * 0, or -1 when either is malformed. */
int lk_fac_parse_when(const char *date, const char *time, int64_t *ms);
/* Reads euros "250", "250,50", "250.5", "1.250,00" into *cents.  Returns
 * 0, or -1 when malformed or above 10^9 euro. */
int lk_fac_parse_euro(const char *s, int64_t *cents);
/* Reads a whole number 0..max; -1 when malformed. */
int lk_fac_parse_int(const char *s, int max, int *out);

#endif
