/* search.h - full text over messages, subjects and party names (the FTS5
 * table contacts_fts, kept by triggers and, for new messages, by the
 * writer once per commit: lk_store_fts_flush in internal.h), combined
 * with the inbox filters.
 *
 * User input never reaches FTS5 as syntax: lk_store_fts_query() turns it
 * into a conjunction of quoted phrases, so quotes, NEAR, AND/OR/NOT,
 * column filters, '^', parentheses and '-' are just text and no input can
 * make the query fail.  A term ending in '*' searches by prefix.
 *
 * Hits come newest first (by the FTS rowid, which is the contact's seq),
 * so a page is a bounded walk down the match list: ORDER BY rowid DESC
 * with a LIMIT, never a sort of every match.
 */
#ifndef LK_STORE_SEARCH_H
#define LK_STORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/conversations.h"

#define LK_SEARCH_Q_MAX 200 /* bytes of user input */
#define LK_SEARCH_TERMS_MAX 16
#define LK_SEARCH_FTS_MAX (LK_SEARCH_Q_MAX * 2 + LK_SEARCH_TERMS_MAX * 5)

/* Writes the safe FTS5 query for user input `q` into `out` (at least
 * LK_SEARCH_FTS_MAX + 1 bytes).  Returns 0, or -1 if `q` is empty, longer
 * than LK_SEARCH_Q_MAX bytes, not UTF-8 text without control characters,
 * has more than LK_SEARCH_TERMS_MAX terms, or holds no word at all. */
int lk_store_fts_query(const char *q, char *out, size_t size);

typedef struct lk_search_hit {
  const lk_conv_row *conv;
  const char *contact_id;
  const char *kind; /* inbound, outbound, note */
  const char *channel;
  int64_t occurred_at;
  int64_t seq;         /* the cursor of this hit */
  const char *snippet; /* plain text around the match, unescaped */
} lk_search_hit;
typedef void (*lk_search_fn)(const lk_search_hit *h, void *ud);

/* How many of the newest matches (below the cursor) one request looks at
 * at most when it has filters (beyond confidentiality).  Filters that pass
 * few of them make a short page, with a cursor to go on: the work of a
 * request stays bounded however selective the filters are. */
#define LK_SEARCH_WINDOW 5000

/* Messages matching f->fts (a query from lk_store_fts_query) and the
 * other filters of `f` (from/to apply to when the message happened),
 * newest first, after the hit with seq f->after_seq when f->after, at most
 * f->limit, among the next LK_SEARCH_WINDOW matches.  *next_seq is where
 * the next page continues (as f->after_seq), 0 when nothing is left.
 * Returns the number of hits. */
int lk_store_search(lk_store *s, const lk_conv_filter *f, lk_search_fn fn,
                    void *ud, int64_t *next_seq);
/* Conversations with a message matching f->fts (and the filters), each
 * listed once, at its newest matching message, newest first: the inbox
 * with a text query.  Pages and windows as lk_store_search(); a page may
 * be short.  Items carry the match's snippet as their preview.  Returns
 * the number of conversations listed. */
int lk_store_search_conversations(lk_store *s, const lk_conv_filter *f,
                                  lk_conv_item_fn fn, void *ud,
                                  int64_t *next_seq);
/* The SQL lk_store_search() runs for `f` (for EXPLAIN); do not free. */
const char *lk_store_search_sql(const lk_conv_filter *f);

#endif
