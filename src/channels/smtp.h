/* smtp.h - hands one message to an SMTP server with libcurl.
 *
 * smtp://host:port (STARTTLS when asked, required then), or
 * smtps://host:port (TLS from the start); AUTH when a user is set, with
 * the password read from a file at start-up.  Connect and total time-outs
 * are bounded, so a send never holds its thread for long.  The outcome
 * says what to do next: a 4xx reply or a transport failure is worth a
 * retry, a 5xx reply to the envelope or the data is final.  Credentials
 * never appear in a detail or a log line.
 */
#ifndef LK_SMTP_H
#define LK_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#define LK_SMTP_SENT 0
#define LK_SMTP_RETRY 1
#define LK_SMTP_PERMANENT 2

typedef struct lk_smtp_config {
  char url[512];      /* smtp://host:port or smtps://host:port */
  char user[256];     /* "" for no AUTH */
  char password[512]; /* from the password file */
  bool starttls;      /* smtp:// only: require STARTTLS */
  bool insecure_auth; /* allow AUTH over plain smtp:// (loopback only) */
  bool insecure;      /* skip certificate checks (tests only) */
  long connect_timeout_ms;
  long timeout_ms; /* the whole transaction */
  /* When set, a transfer under way ends as soon as it returns true (the
   * outbox's stop grace ran out: lk_outbox_stopping). */
  bool (*abort)(const void *ud);
  const void *abort_ud;
  void *curl; /* private: the handle kept between sends, so one
                connection carries many messages */
} lk_smtp_config;

/* Calls curl_global_init() once; call it before any thread starts.
 * Returns 0 or -1. */
int lk_smtp_global_init(void);

/* Checks and completes `c`: the URL must be smtp:// or smtps:// with a
 * host and no user information (use `user`); with a non-empty
 * `password_file` the password is read from it (its first line).  With a
 * user, the log-in must be encrypted: smtps://, or smtp:// with
 * `starttls` (CURLUSESSL_ALL: no fallback to plain text); plain smtp://
 * only with `insecure_auth` and a loopback host (a test server).
 * Returns 0, or -1 with a reason (no secret in it) in `err`. */
int lk_smtp_config_init(lk_smtp_config *c, const char *url, const char *user,
                        const char *password_file, char *err, size_t errlen);

/* Closes the connection kept open by lk_smtp_send().  Safe to repeat. */
void lk_smtp_close(lk_smtp_config *c);

/* Sends `msg` (`len` bytes, CRLF lines, not dot-stuffed) from the
 * envelope sender `from` to the one recipient `to`.  Returns
 * LK_SMTP_SENT, LK_SMTP_RETRY or LK_SMTP_PERMANENT with a short reason in
 * `detail` (the server's reply code, or the transport error).  The
 * connection stays open for the next message: one thread at a time. */
int lk_smtp_send(lk_smtp_config *c, const char *from, const char *to,
                 const char *msg, size_t len, char *detail, size_t detail_len);

#endif
