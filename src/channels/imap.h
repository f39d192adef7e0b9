/* imap.h - the few IMAP operations the e-mail channel needs: find the
 * messages Loket has not taken in yet, fetch one without changing its
 * flags, mark taken-in ones, and IDLE.
 *
 * libcurl makes the connection (TLS or STARTTLS, certificate checks,
 * LOGIN or AUTHENTICATE) with CURLOPT_CONNECT_ONLY; the commands after
 * that are sent and read here over curl_easy_send/curl_easy_recv,
 * because libcurl's own IMAP commands cannot PEEK (its FETCH is BODY[],
 * which sets \Seen) and know no IDLE.  Responses are read as IMAP
 * defines them (lines and {n} literals), so nothing in a mail's bytes
 * can end a command early.
 *
 * "Taken in" is the keyword $LoketIngested, set (with \Seen) only after
 * the message's conversation has committed; fetching uses BODY.PEEK[] and
 * changes nothing, and a message a person has read in a mail program
 * meanwhile is still without the keyword, so it is still taken in.
 *
 * One connection per lk_imap, used by one thread at a time.  Credentials
 * never appear in an error: errors are libcurl's strerror texts or the
 * server's words about a command that carries none.
 */
#ifndef LK_IMAP_H
#define LK_IMAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LK_IMAP_KEYWORD "$LoketIngested"
/* What lk_imap_mark sets on a message whose conversation committed. */
#define LK_IMAP_DONE_FLAGS LK_IMAP_KEYWORD " \\Seen"

typedef struct lk_imap {
  char url[600]; /* imap[s]://host:port/ */
  char folder[256];
  char user[256];
  char password[512];
  bool starttls;
  bool insecure; /* tests: skip certificate checks */
  long timeout_ms;
  size_t fetch_max;          /* bytes of one message; 0: LK_IMAP_FETCH_MAX */
  const atomic_bool *cancel; /* may be NULL: when set, waits give up */
  /* the connection */
  void *curl;
  long sock;
  lk_buf in; /* received, from `pos` on not yet read */
  size_t pos;
  unsigned tag;
  bool can_idle; /* the server's CAPABILITY lists IDLE */
} lk_imap;

#define LK_IMAP_FETCH_MAX ((size_t)40 << 20)
/* lk_imap_fetch: the message is larger than fetch_max. */
#define LK_IMAP_TOO_BIG (-2)
/* lk_imap_fetch: the message is no longer in the folder. */
#define LK_IMAP_GONE (-3)

/* Fills `c`; the password is read from `password_file`.  `tls` is none,
 * starttls or tls.  Returns 0, or -1 with a reason (no secret) in err. */
int lk_imap_init(lk_imap *c, const char *host, int port, const char *tls,
                 const char *folder, const char *user,
                 const char *password_file, char *err, size_t errlen);
/* Closes the connection and wipes the password.  Safe to repeat. */
void lk_imap_close(lk_imap *c);

/* Connects, logs in and SELECTs the folder, unless connected already.
 * The operations below call it themselves.  Returns 0 or -1 with err. */
int lk_imap_open(lk_imap *c, char *err, size_t errlen);

/* UIDs of the messages in the folder without LK_IMAP_KEYWORD, ascending,
 * at most `max` into `uids`.  Returns the number, or -1 with err. */
int lk_imap_search_new(lk_imap *c, uint32_t *uids, int max, char *err,
                       size_t errlen);
/* The whole message `uid` into `out` (BODY.PEEK[]: its flags stay as
 * they are).  Returns 0, -1 with err (also when the message is gone), or
 * LK_IMAP_TOO_BIG when it is over fetch_max: `out` then holds its first
 * fetch_max bytes, enough for its header; the rest is read and dropped,
 * so the connection stays usable. */
int lk_imap_fetch(lk_imap *c, uint32_t uid, lk_buf *out, char *err,
                  size_t errlen);
/* The `n` messages `uids` (ascending) in one command: message uids[i]
 * into outs[i] (reset first), with status[i] 0, LK_IMAP_TOO_BIG (cut at
 * fetch_max, as lk_imap_fetch) or LK_IMAP_GONE.  The caller bounds the
 * memory: see lk_imap_sizes.  Returns 0, or -1 with err. */
int lk_imap_fetch_many(lk_imap *c, const uint32_t *uids, int n, lk_buf *outs,
                       int *status, char *err, size_t errlen);
/* The RFC822.SIZE of the `n` messages `uids` (ascending) into sizes[i];
 * SIZE_MAX for one that is gone.  Returns 0, or -1 with err. */
int lk_imap_sizes(lk_imap *c, const uint32_t *uids, int n, size_t *sizes,
                  char *err, size_t errlen);
/* Adds `flags` (e.g. LK_IMAP_DONE_FLAGS) to the `n` messages `uids`
 * (ascending), a few hundred per command.  Returns 0, or -1 with err. */
int lk_imap_mark(lk_imap *c, const uint32_t *uids, int n, const char *flags,
                 char *err, size_t errlen);

/* IDLE (RFC 2177) for at most `max_ms`, or until c->cancel is set.
 * Returns 1 when the server announced a new message (EXISTS), 0 when the
 * time ran out or it was cancelled, -1 with err (also when the server
 * offers no IDLE: see c->can_idle after lk_imap_open). */
int lk_imap_idle(lk_imap *c, int64_t max_ms, char *err, size_t errlen);

#endif
