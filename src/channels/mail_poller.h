/* mail_poller.h - takes in the mail of every enabled mailbox
 * (store/mailboxes.h) over IMAP, on one thread of its own.
 *
 * Each pass re-reads the mailbox list (so the admin API takes effect
 * within a second), and for each mailbox that is due: searches the folder
 * for messages without the keyword $LoketIngested, fetches them, parses
 * them (mail_parse.h), stores attachment blobs, and submits one write per
 * message (core/mail_ingest.h) for a batch at a time, so the store's
 * group commit carries a batch in a few transactions.  Only once a
 * message's write has committed is the keyword set on the server.  A
 * crash in between means the message is fetched again and recognised by
 * its Message-ID.
 *
 * Polling, not IDLE: libcurl has no IDLE command.  A mailbox is searched
 * every pollSeconds, at once again while a full batch came back.  A
 * failure (connection, login, a write) waits 1 s, doubling to 5 min,
 * before the mailbox is tried again with a new connection.
 */
#ifndef LK_MAIL_POLLER_H
#define LK_MAIL_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mail_token.h"
#include "store/store.h"
#include "util/buf.h"

typedef struct lk_mail_poller lk_mail_poller;

typedef struct lk_mail_poller_options {
  int batch;              /* messages per batch of writes; 0: 64 */
  int64_t backoff_min_ms; /* 0: 1 s */
  int64_t backoff_max_ms; /* 0: 5 min */
  bool insecure;          /* skip certificate checks (tests only) */
  size_t fetch_max;       /* bytes of one mail; 0: LK_IMAP_FETCH_MAX */
} lk_mail_poller_options;

typedef struct lk_mail_poller_stats {
  uint64_t fetched;
  uint64_t created;
  uint64_t joined;
  uint64_t duplicates;
  uint64_t ignored; /* noise that is no bounce */
  uint64_t bounces;
  uint64_t unreadable; /* not a message: marked and left on the server */
  uint64_t errors;     /* failed passes */
} lk_mail_poller_stats;

/* A poller for the mailboxes in `store` (`key` signs reply tokens and
 * must outlive it; `opt` may be NULL).  NULL when out of memory. */
lk_mail_poller *lk_mail_poller_new(lk_store *store, const lk_mail_key *key,
                                   const lk_mail_poller_options *opt);
/* Starts the thread.  Returns 0 or a negative errno. */
int lk_mail_poller_start(lk_mail_poller *p);
/* Lets the batch under way commit, then joins the thread.  Call before
 * lk_store_stop().  Safe with NULL and twice. */
void lk_mail_poller_stop(lk_mail_poller *p);
void lk_mail_poller_free(lk_mail_poller *p);
void lk_mail_poller_stats_get(lk_mail_poller *p, lk_mail_poller_stats *out);
/* lk_metrics_fn (ud: the poller). */
void lk_mail_poller_metrics(lk_buf *b, void *ud);

#endif
