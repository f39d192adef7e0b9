/* mail_poller.h - takes in the mail of every enabled mailbox
 * (store/mailboxes.h) over IMAP, on one thread of its own.
 *
 * Each pass re-reads the mailbox list (all of them, a page at a time, so
 * the admin API takes effect within a second), and for each mailbox that
 * is due: searches the folder for messages without the keyword
 * $LoketIngested, fetches them with BODY.PEEK[] (flags unchanged),
 * parses them (mail_parse.h), stores attachment blobs, and submits one
 * write per message (core/mail_ingest.h) for a batch at a time, so the
 * store's group commit carries a batch in a few transactions.  Only once
 * a message's write has committed are the keyword and \Seen set on the
 * server.  A crash in between means the message is fetched again and
 * recognised by its Message-ID (per mailbox).
 *
 * A temporary failure (out of memory, an attachment that cannot be
 * written to disk, a write that fails: SQLITE_FULL, IOERR, NOMEM) leaves
 * the mail without the keyword; the mailbox waits 1 s, doubling to
 * 5 min, and the next pass tries it again.  Only a mail that can never
 * be parsed becomes a conversation with an "unreadable" note.
 *
 * IDLE where the server offers it: a watcher thread per mailbox keeps a
 * second connection in IDLE and wakes the poller on EXISTS; the mailbox
 * is then searched at once.  Polling every pollSeconds stays as the
 * safety net, and is all there is when CAPABILITY lacks IDLE.
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
  int64_t idle_ms;        /* IDLE again after this; 0: 25 min */
  bool no_idle;           /* poll only, even where IDLE is offered */
} lk_mail_poller_options;

typedef struct lk_mail_poller_stats {
  uint64_t fetched;
  uint64_t created;
  uint64_t joined;
  uint64_t duplicates;
  uint64_t ignored; /* noise that is no bounce */
  uint64_t bounces;
  uint64_t unreadable; /* no message: a note, or refused and marked */
  uint64_t errors;     /* failed passes */
  uint64_t deferred;   /* left for a later pass: a temporary failure */
  uint64_t wakeups;    /* EXISTS seen in IDLE */
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
