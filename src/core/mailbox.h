/* mailbox.h - mailboxes as channels: a team's e-mail address, read over
 * IMAP and answered over SMTP submission (docs/mail.md).
 *
 * A mailbox names the files holding its IMAP and SMTP passwords, never
 * the passwords: they are read when a connection is made, so they stay
 * out of the database, the API, the audit log and every error message.
 *
 * Writes follow the prepare/apply pattern (see token.h).
 */
#ifndef LK_CORE_MAILBOX_H
#define LK_CORE_MAILBOX_H

#include <stdbool.h>

#include "core/token.h"
#include "store/mailboxes.h"
#include "util/buf.h"

#define LK_MAILBOX_POLL_MIN 1
#define LK_MAILBOX_POLL_MAX 3600

/* What a create or an update gives; NULL or < 0 for what was not given. */
typedef struct lk_mailbox_in {
  const char *team_id;
  const char *address;
  const char *from_name;
  const char *imap_host;
  long imap_port;
  const char *imap_tls;
  const char *imap_user;
  const char *imap_password_file;
  const char *folder;
  const char *smtp_host;
  long smtp_port;
  const char *smtp_tls;
  const char *smtp_user;
  const char *smtp_password_file;
  long poll_seconds;
  int enabled;             /* -1 not given, 0, 1 */
  const char *authserv_id; /* trustedAuthservId; "" trusts none */
} lk_mailbox_in;

typedef struct lk_mailbox_op {
  char actor[64];
  bool create;
  bool remove;
  lk_mailbox_in in;     /* valid during prepare only */
  lk_mailbox_row given; /* the fields given, checked */
  unsigned set;         /* which of them (private bits) */
  lk_mailbox_row row;   /* result: the mailbox after */
  char field[32];       /* on NOTFOUND: "/teamId" when the team is unknown;
                           on CONFLICT: "/imapTls" when the merged mailbox
                           would send the IMAP password in clear */
} lk_mailbox_op;

/* Checks `in` for a new mailbox (address, team, IMAP host, user and
 * password file, SMTP host are required; ports default by TLS mode:
 * IMAP 993/143, SMTP 465/587).  LK_EINVALID with `why`. */
int lk_mailbox_create_prepare(lk_mailbox_op *op, const char *actor,
                              const lk_mailbox_in *in, lk_invalid *why);
/* Checks the given fields of an update of mailbox `id`.  An `id` that is
 * no UUID is LK_EINVALID with field "id". */
int lk_mailbox_update_prepare(lk_mailbox_op *op, const char *actor,
                              const char *id, const lk_mailbox_in *in,
                              lk_invalid *why);
int lk_mailbox_delete_prepare(lk_mailbox_op *op, const char *actor,
                              const char *id, lk_invalid *why);
/* lk_write_fn for all three: writes the row, an audit entry (no
 * password, none is known) and team.updated.  LK_STORE_NOTFOUND (field
 * "/teamId" for an unknown team), LK_STORE_CONFLICT for an address in
 * use or a mailbox with conversations being deleted. */
int lk_mailbox_apply(lk_tx *tx, void *arg);

/* The mailbox as the API shows it (paths of password files, never a
 * password). */
void lk_mailbox_json(lk_buf *b, const lk_mailbox_row *m);

/* True if `host` (a host name or IPv4 literal, no port) is this machine:
 * localhost or 127.0.0.0/8.  A password may cross the network in clear
 * (imapTls or smtpTls "none") only to such a host. */
bool lk_mailbox_host_loopback(const char *host);

/* Remembers Loket's data directory (at start, before any thread), so a
 * password file can never be one of Loket's own keys there. */
void lk_mailbox_init(const char *data_dir);

/* Whether `path` may be a password file: not inside the data directory,
 * and, when it exists, a regular file owned by the user Loket runs as and
 * not readable by group or others (mode 0400 or 0600).  A missing file is
 * allowed here (it is read at the next connection).  Returns 0, or -EPERM
 * with `*reason` saying why. */
int lk_mailbox_secret_path_check(const char *path, const char **reason);

/* Reads the first line of `path` into `out` (without the line end).
 * Returns 0, or a negative errno; -ENAMETOOLONG when it does not fit,
 * -EPERM when lk_mailbox_secret_path_check refuses the file.
 * The content never reaches a message: callers say only that the file
 * could not be read. */
int lk_mailbox_read_secret(const char *path, char *out, size_t size);

#endif
