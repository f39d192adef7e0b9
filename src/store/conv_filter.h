/* conv_filter.h - the inbox filters as a bit mask.  Which filters a query
 * uses picks one generated SQL text, kept for the life of the process:
 * conversations.c for the inbox, search.c for full text (which adds bits
 * of its own from LK_CONV_F_NEXT up).  Private to src/store. */
#ifndef LK_STORE_CONV_FILTER_H
#define LK_STORE_CONV_FILTER_H

#include "store/conversations.h"

enum {
  F_TEAM = 1 << 0,
  F_STATUS = 1 << 1,
  F_CHANNEL = 1 << 2,
  F_ASSIGNEE = 1 << 3,
  F_UNASSIGNED = 1 << 4,
  F_CATEGORY = 1 << 5,
  F_PARTY = 1 << 6,
  F_FROM = 1 << 7,
  F_TO = 1 << 8,
  F_AFTER = 1 << 9,
  F_HIDECONF = 1 << 10,
  LK_CONV_F_NEXT = 1 << 11 /* the first bit free for a query's own use */
};

/* Empty text is no filter. */
static inline const char *lk_conv_nz(const char *s) {
  return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The bits of the filters `f` sets. */
static inline unsigned lk_conv_filter_mask(const lk_conv_filter *f) {
  unsigned m = 0;

  if (lk_conv_nz(f->team_id))
    m |= F_TEAM;
  if (lk_conv_nz(f->status))
    m |= F_STATUS;
  if (lk_conv_nz(f->channel))
    m |= F_CHANNEL;
  if (f->unassigned)
    m |= F_UNASSIGNED;
  else if (lk_conv_nz(f->assignee_id))
    m |= F_ASSIGNEE;
  if (lk_conv_nz(f->category_id))
    m |= F_CATEGORY;
  if (lk_conv_nz(f->party_id))
    m |= F_PARTY;
  if (f->from != 0)
    m |= F_FROM;
  if (f->to != 0)
    m |= F_TO;
  if (f->after)
    m |= F_AFTER;
  if (!f->may_confidential)
    m |= F_HIDECONF;
  return m;
}

#endif
