/* initiatives.h - the public participation pages under /initiatieven.
 *
 * Server-rendered, Dutch, NL Design System, no JavaScript needed
 * (docs/participation.md lists every route).  Residents log in by a
 * mailed link (api/participant.h); organisers edit, post updates, add
 * images and co-organisers; everybody reads, filters and (logged in)
 * follows.
 *
 * Sections of other modules.  The initiative page has two places where
 * facilitation (rooms, crew hours, budget, meetings) and matching
 * (doe mee, needs, offers) add their sections without editing this
 * module: register a renderer once while registering routes with
 * lk_initiative_section(slot, fn).  It is called with the initiative
 * (only ever a public one, or one the viewer organises) and the viewer.
 * A renderer appends its own <section> with an <h2>, escaping all text.
 */
#ifndef LK_PAGES_INITIATIVES_H
#define LK_PAGES_INITIATIVES_H

#include <stdbool.h>

#include "api/participant.h"
#include "http/router.h"
#include "http/server.h"
#include "store/participation.h"
#include "util/buf.h"

/* Registers every /initiatieven route.  Returns 0 or a negative errno. */
int lk_initiatives_routes(lk_router *r);

typedef enum lk_init_slot {
  LK_INIT_SLOT_FACILITATION = 0, /* after the description: "Wat de gemeente
                                    bijdraagt" */
  LK_INIT_SLOT_MATCHING = 1,     /* after that: "Doe mee" and needs */
  LK_INIT_SLOTS = 2
} lk_init_slot;

typedef struct lk_init_view {
  const lk_initiative_row *r;
  const lk_participant *viewer; /* NULL: nobody logged in */
  bool organiser;               /* the viewer organises it */
} lk_init_view;

typedef void (*lk_init_section_fn)(lk_buf *b, lk_req *req,
                                   const lk_init_view *v);

/* Adds `fn` to `slot` (at most 4 per slot; call before serving).
 * Returns 0, or -1 when the slot is full or unknown. */
int lk_initiative_section(lk_init_slot slot, lk_init_section_fn fn);

#endif
