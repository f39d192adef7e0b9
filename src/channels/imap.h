/* imap.h - the few IMAP operations the e-mail channel needs, over
 * libcurl: find the messages Loket has not taken in yet, fetch one, and
 * mark taken-in ones.
 *
 * "Taken in" is the keyword $LoketIngested, set only after the message's
 * conversation has committed; a message without it is fetched again
 * after a crash and recognised by its Message-ID.  Fetching sets \Seen as
 * a side effect (libcurl fetches BODY[], not BODY.PEEK[]); Loket relies on
 * its own keyword only, so a person reading the mailbox in a mail program
 * changes nothing.
 *
 * libcurl speaks no IDLE: the channel polls (docs/mail.md).  One handle,
 * one thread; the connection is kept between operations.  Credentials
 * never appear in an error: errors are libcurl's strerror texts.
 */
#ifndef LK_IMAP_H
#define LK_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LK_IMAP_KEYWORD "$LoketIngested"

typedef struct lk_imap {
  char url[600]; /* imap[s]://host:port/FOLDER */
  char user[256];
  char password[512];
  bool starttls;
  bool insecure; /* tests: skip certificate checks */
  long timeout_ms;
  size_t fetch_max; /* bytes of one message; 0: LK_IMAP_FETCH_MAX */
  void *curl;
} lk_imap;

#define LK_IMAP_FETCH_MAX ((size_t)40 << 20)
/* lk_imap_fetch: the message is larger than fetch_max. */
#define LK_IMAP_TOO_BIG (-2)

/* Fills `c`; the password is read from `password_file`.  `tls` is none,
 * starttls or tls.  Returns 0, or -1 with a reason (no secret) in err. */
int lk_imap_init(lk_imap *c, const char *host, int port, const char *tls,
                 const char *folder, const char *user,
                 const char *password_file, char *err, size_t errlen);
/* Closes the connection and wipes the password.  Safe to repeat. */
void lk_imap_close(lk_imap *c);

/* UIDs of the messages in the folder without LK_IMAP_KEYWORD, ascending,
 * at most `max` into `uids`.  Returns the number, or -1 with err. */
int lk_imap_search_new(lk_imap *c, uint32_t *uids, int max, char *err,
                       size_t errlen);
/* The whole message `uid` into `out`.  Returns 0, -1 with err, or
 * LK_IMAP_TOO_BIG when it is over fetch_max: the transfer is then cut off
 * (and the connection closed) with the first fetch_max bytes in `out`,
 * enough for its header. */
int lk_imap_fetch(lk_imap *c, uint32_t uid, lk_buf *out, char *err,
                  size_t errlen);
/* Adds `flag` (LK_IMAP_KEYWORD, or "\\Seen") to the `n` messages `uids`
 * (ascending), a few hundred per command.  Returns 0, or -1 with err. */
int lk_imap_mark(lk_imap *c, const uint32_t *uids, int n, const char *flag,
                 char *err, size_t errlen);

#endif
