/* mailbox.c - mailboxes as channels (see mailbox.h). */
#include "core/mailbox.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channels/mail_compose.h"
#include "core/contact_address.h"
#include "core/ids.h"
#include "core/text.h"
#include "store/conversations.h"
#include "util/clock.h"

enum {
  SET_TEAM = 1u << 0,
  SET_ADDRESS = 1u << 1,
  SET_FROM_NAME = 1u << 2,
  SET_IMAP_HOST = 1u << 3,
  SET_IMAP_PORT = 1u << 4,
  SET_IMAP_TLS = 1u << 5,
  SET_IMAP_USER = 1u << 6,
  SET_IMAP_PW = 1u << 7,
  SET_FOLDER = 1u << 8,
  SET_SMTP_HOST = 1u << 9,
  SET_SMTP_PORT = 1u << 10,
  SET_SMTP_TLS = 1u << 11,
  SET_SMTP_USER = 1u << 12,
  SET_SMTP_PW = 1u << 13,
  SET_POLL = 1u << 14,
  SET_ENABLED = 1u << 15,
  SET_AUTHSERV = 1u << 16,
};

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* Host names: letters, digits, '-', '.', or an IPv4 literal; no user
 * information, port or path can hide in one. */
static bool host_ok(const char *s) {
  size_t n = strlen(s);

  if (n == 0 || n > LK_MAILBOX_HOST_MAX)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  }
  return true;
}

bool lk_mailbox_host_loopback(const char *host) {
  size_t n = strlen(host);

  if (strcasecmp(host, "localhost") == 0)
    return true;
  if (n < 5 || memcmp(host, "127.", 4) != 0)
    return false;
  for (size_t i = 4; i < n; i++)
    if (host[i] != '.' && (host[i] < '0' || host[i] > '9'))
      return false;
  return true;
}

static bool tls_ok(const char *s) {
  return strcmp(s, "none") == 0 || strcmp(s, "starttls") == 0 ||
         strcmp(s, "tls") == 0;
}

/* An absolute path without control characters. */
static bool path_ok(const char *s) {
  return s[0] == '/' && lk_text_ok(s, LK_MAILBOX_PATH_MAX, false);
}

/* IMAP mailbox names Loket puts in a URL: printable ASCII without the
 * characters a URL or an IMAP command would treat specially. */
static bool folder_ok(const char *s) {
  size_t n = strlen(s);

  if (n == 0 || n > 100)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] <= ' ' || s[i] > '~' || strchr("\"\\%*?#;/", s[i]) != NULL)
      return false;
  }
  return true;
}

/* An RFC 8601 authserv-id as mail servers set it: a host name. */
static bool authserv_ok(const char *s) {
  size_t n = strlen(s);

  if (n > 200)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (!isalnum((unsigned char)s[i]) && strchr(".-_", s[i]) == NULL)
      return false;
  }
  return true;
}

static bool user_ok(const char *s) {
  return lk_text_ok(s, LK_MAILBOX_TEXT_MAX, false) && strchr(s, ' ') == NULL;
}

static const char tls_reason[] = "must be none, starttls or tls";
static const char path_reason[] =
    "must be the absolute path of a file holding the password (the password "
    "itself is never given to Loket's API)";

static int check(lk_mailbox_op *op, const lk_mailbox_in *in, lk_invalid *why) {
  lk_mailbox_row *g = &op->given;
  char key[LK_ADDRESS_KEY_MAX + 1];
  const char *reason;

  if (in->team_id != NULL) {
    if (strlen(in->team_id) != LK_CONV_ID_LEN || !lk_uuid_valid(in->team_id))
      copy(g->team_id, sizeof(g->team_id), "-"); /* names nothing: 404 */
    else
      copy(g->team_id, sizeof(g->team_id), in->team_id);
    op->set |= SET_TEAM;
  }
  if (in->address != NULL) {
    if (!lk_mail_address_ok(in->address) ||
        lk_address_key("email", in->address, key, sizeof(key)) != 0 ||
        strlen(in->address) > LK_MAILBOX_TEXT_MAX)
      return invalid(why, "/address", "must be an e-mail address");
    copy(g->address, sizeof(g->address), key);
    op->set |= SET_ADDRESS;
  }
  if (in->from_name != NULL) {
    if (in->from_name[0] != '\0' &&
        !lk_text_ok(in->from_name, LK_MAILBOX_TEXT_MAX, false))
      return invalid(why, "/fromName",
                     "must be at most 255 bytes of UTF-8 text without "
                     "control characters");
    copy(g->from_name, sizeof(g->from_name), in->from_name);
    op->set |= SET_FROM_NAME;
  }
  if (in->imap_host != NULL) {
    if (!host_ok(in->imap_host))
      return invalid(why, "/imapHost", "must be a host name or IPv4 address");
    copy(g->imap_host, sizeof(g->imap_host), in->imap_host);
    op->set |= SET_IMAP_HOST;
  }
  if (in->imap_port >= 0) {
    if (in->imap_port < 1 || in->imap_port > 65535)
      return invalid(why, "/imapPort", "must be from 1 to 65535");
    g->imap_port = (int)in->imap_port;
    op->set |= SET_IMAP_PORT;
  }
  if (in->imap_tls != NULL) {
    if (!tls_ok(in->imap_tls))
      return invalid(why, "/imapTls", tls_reason);
    copy(g->imap_tls, sizeof(g->imap_tls), in->imap_tls);
    op->set |= SET_IMAP_TLS;
  }
  if (in->imap_user != NULL) {
    if (!user_ok(in->imap_user))
      return invalid(why, "/imapUser",
                     "must be 1 to 255 bytes without spaces or control "
                     "characters");
    copy(g->imap_user, sizeof(g->imap_user), in->imap_user);
    op->set |= SET_IMAP_USER;
  }
  if (in->imap_password_file != NULL) {
    if (!path_ok(in->imap_password_file))
      return invalid(why, "/imapPasswordFile", path_reason);
    if (lk_mailbox_secret_path_check(in->imap_password_file, &reason) != 0)
      return invalid(why, "/imapPasswordFile", reason);
    copy(g->imap_password_file, sizeof(g->imap_password_file),
         in->imap_password_file);
    op->set |= SET_IMAP_PW;
  }
  if (in->folder != NULL) {
    if (!folder_ok(in->folder))
      return invalid(why, "/folder",
                     "must be 1 to 100 printable ASCII characters without "
                     "spaces, quotes or any of \\%*?#;/");
    copy(g->folder, sizeof(g->folder), in->folder);
    op->set |= SET_FOLDER;
  }
  if (in->smtp_host != NULL) {
    if (!host_ok(in->smtp_host))
      return invalid(why, "/smtpHost", "must be a host name or IPv4 address");
    copy(g->smtp_host, sizeof(g->smtp_host), in->smtp_host);
    op->set |= SET_SMTP_HOST;
  }
  if (in->smtp_port >= 0) {
    if (in->smtp_port < 1 || in->smtp_port > 65535)
      return invalid(why, "/smtpPort", "must be from 1 to 65535");
    g->smtp_port = (int)in->smtp_port;
    op->set |= SET_SMTP_PORT;
  }
  if (in->smtp_tls != NULL) {
    if (!tls_ok(in->smtp_tls))
      return invalid(why, "/smtpTls", tls_reason);
    copy(g->smtp_tls, sizeof(g->smtp_tls), in->smtp_tls);
    op->set |= SET_SMTP_TLS;
  }
  if (in->smtp_user != NULL) {
    if (in->smtp_user[0] != '\0' && !user_ok(in->smtp_user))
      return invalid(why, "/smtpUser",
                     "must be at most 255 bytes without spaces or control "
                     "characters");
    copy(g->smtp_user, sizeof(g->smtp_user), in->smtp_user);
    op->set |= SET_SMTP_USER;
  }
  if (in->smtp_password_file != NULL) {
    if (in->smtp_password_file[0] != '\0' && !path_ok(in->smtp_password_file))
      return invalid(why, "/smtpPasswordFile", path_reason);
    if (in->smtp_password_file[0] != '\0' &&
        lk_mailbox_secret_path_check(in->smtp_password_file, &reason) != 0)
      return invalid(why, "/smtpPasswordFile", reason);
    copy(g->smtp_password_file, sizeof(g->smtp_password_file),
         in->smtp_password_file);
    op->set |= SET_SMTP_PW;
  }
  if (in->poll_seconds >= 0) {
    if (in->poll_seconds < LK_MAILBOX_POLL_MIN ||
        in->poll_seconds > LK_MAILBOX_POLL_MAX)
      return invalid(why, "/pollSeconds", "must be from 1 to 3600");
    g->poll_seconds = (int)in->poll_seconds;
    op->set |= SET_POLL;
  }
  if (in->enabled >= 0) {
    g->enabled = in->enabled != 0;
    op->set |= SET_ENABLED;
  }
  if (in->authserv_id != NULL) {
    if (!authserv_ok(in->authserv_id))
      return invalid(why, "/trustedAuthservId",
                     "must be empty or the authserv-id (a host name: "
                     "letters, digits, dots, hyphens) of the mail server "
                     "whose Authentication-Results are trusted");
    copy(g->authserv_id, sizeof(g->authserv_id), in->authserv_id);
    op->set |= SET_AUTHSERV;
  }
  return 0;
}

int lk_mailbox_create_prepare(lk_mailbox_op *op, const char *actor,
                              const lk_mailbox_in *in, lk_invalid *why) {
  int rc;

  memset(op, 0, sizeof(*op));
  copy(op->actor, sizeof(op->actor), actor);
  op->create = true;
  rc = check(op, in, why);
  if (rc != 0)
    return rc;
  if (!(op->set & SET_ADDRESS))
    return invalid(why, "/address", "is required");
  if (!(op->set & SET_TEAM))
    return invalid(why, "/teamId", "is required");
  if (!(op->set & SET_IMAP_HOST))
    return invalid(why, "/imapHost", "is required");
  if (!(op->set & SET_IMAP_USER))
    return invalid(why, "/imapUser", "is required");
  if (!(op->set & SET_IMAP_PW))
    return invalid(why, "/imapPasswordFile", "is required");
  if (!(op->set & SET_SMTP_HOST))
    return invalid(why, "/smtpHost", "is required");
  if ((op->set & SET_SMTP_USER) && op->given.smtp_user[0] != '\0' &&
      (!(op->set & SET_SMTP_PW) || op->given.smtp_password_file[0] == '\0'))
    return invalid(why, "/smtpPasswordFile", "is required with smtpUser");
  lk_uuid_new(op->given.id, lk_clock_real_ms());
  return 0;
}

static bool id_ok(const char *id) {
  return id != NULL && strlen(id) == LK_CONV_ID_LEN && lk_uuid_valid(id);
}

int lk_mailbox_update_prepare(lk_mailbox_op *op, const char *actor,
                              const char *id, const lk_mailbox_in *in,
                              lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  copy(op->actor, sizeof(op->actor), actor);
  if (!id_ok(id))
    return invalid(why, "id", "is not a mailbox id");
  copy(op->given.id, sizeof(op->given.id), id);
  return check(op, in, why);
}

int lk_mailbox_delete_prepare(lk_mailbox_op *op, const char *actor,
                              const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  copy(op->actor, sizeof(op->actor), actor);
  op->remove = true;
  if (!id_ok(id))
    return invalid(why, "id", "is not a mailbox id");
  copy(op->given.id, sizeof(op->given.id), id);
  return 0;
}

/* The given fields over `m`, with defaults for a new mailbox. */
static void merge(lk_mailbox_op *op, lk_mailbox_row *m) {
  const lk_mailbox_row *g = &op->given;
  unsigned s = op->set;

#define TAKE(bit, f)                                                           \
  if (s & (bit))                                                               \
  memcpy(m->f, g->f, sizeof(m->f))
  TAKE(SET_TEAM, team_id);
  TAKE(SET_ADDRESS, address);
  TAKE(SET_FROM_NAME, from_name);
  TAKE(SET_IMAP_HOST, imap_host);
  TAKE(SET_IMAP_TLS, imap_tls);
  TAKE(SET_IMAP_USER, imap_user);
  TAKE(SET_IMAP_PW, imap_password_file);
  TAKE(SET_FOLDER, folder);
  TAKE(SET_SMTP_HOST, smtp_host);
  TAKE(SET_SMTP_TLS, smtp_tls);
  TAKE(SET_SMTP_USER, smtp_user);
  TAKE(SET_SMTP_PW, smtp_password_file);
  TAKE(SET_AUTHSERV, authserv_id);
#undef TAKE
  if (s & SET_IMAP_PORT)
    m->imap_port = g->imap_port;
  if (s & SET_SMTP_PORT)
    m->smtp_port = g->smtp_port;
  if (s & SET_POLL)
    m->poll_seconds = g->poll_seconds;
  if (s & SET_ENABLED)
    m->enabled = g->enabled;
  if (!op->create)
    return;
  memcpy(m->id, g->id, sizeof(m->id));
  if (m->imap_tls[0] == '\0')
    copy(m->imap_tls, sizeof(m->imap_tls), "tls");
  if (m->smtp_tls[0] == '\0')
    copy(m->smtp_tls, sizeof(m->smtp_tls), "starttls");
  if (m->imap_port == 0)
    m->imap_port = strcmp(m->imap_tls, "tls") == 0 ? 993 : 143;
  if (m->smtp_port == 0)
    m->smtp_port = strcmp(m->smtp_tls, "tls") == 0 ? 465 : 587;
  if (m->folder[0] == '\0')
    copy(m->folder, sizeof(m->folder), "INBOX");
  if (m->poll_seconds == 0)
    m->poll_seconds = 60;
  if (!(s & SET_ENABLED))
    m->enabled = true;
}

int lk_mailbox_apply(lk_tx *tx, void *arg) {
  lk_mailbox_op *op = arg;
  lk_mailbox_row *m = &op->row;
  int64_t now = lk_tx_now(tx);
  char payload[160];
  const char *action;
  int rc;

  op->field[0] = '\0';
  if (op->create) {
    memset(m, 0, sizeof(*m));
    m->created_at = now;
    m->version = 0;
  } else {
    rc = lk_store_mailbox_get_tx(tx, op->given.id, m);
    if (rc != 0)
      return rc;
  }
  if (op->remove) {
    rc = lk_store_mailbox_delete(tx, m->id);
    action = "mailbox.delete";
  } else {
    merge(op, m);
    if (op->set & SET_TEAM) {
      rc = lk_store_team_check(tx, m->team_id);
      if (rc != 0) {
        if (rc == LK_STORE_NOTFOUND)
          copy(op->field, sizeof(op->field), "/teamId");
        return rc;
      }
    }
    if (m->smtp_user[0] != '\0' && m->smtp_password_file[0] == '\0')
      return LK_STORE_CONFLICT;
    /* IMAP always logs in: without TLS the password would cross the
     * network in clear, so only a loopback server may go without
     * (the rule of lk_smtp_config_init).  Checked on the merged row, as
     * a PATCH may change the host or the TLS setting alone. */
    if (strcmp(m->imap_tls, "none") == 0 &&
        !lk_mailbox_host_loopback(m->imap_host)) {
      copy(op->field, sizeof(op->field), "/imapTls");
      return LK_STORE_CONFLICT;
    }
    m->version++;
    m->updated_at = now;
    rc = op->create ? lk_store_mailbox_insert(tx, m)
                    : lk_store_mailbox_update(tx, m);
    action = op->create ? "mailbox.create" : "mailbox.update";
  }
  if (rc != 0)
    return rc;
  snprintf(payload, sizeof(payload),
           "{\"id\":\"%s\",\"mailboxId\":\"%s\",\"operation\":\"%s\"}",
           m->team_id, m->id, action + 8);
  rc = lk_store_audit(tx, op->actor, action, m->id, payload);
  if (rc == 0)
    rc = lk_tx_emit(tx, "team.updated", m->team_id, payload);
  return rc;
}

void lk_mailbox_json(lk_buf *b, const lk_mailbox_row *m) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, m->id);
  lk_buf_puts(b, ",\"teamId\":");
  lk_buf_json_str(b, m->team_id);
  lk_buf_puts(b, ",\"address\":");
  lk_buf_json_str(b, m->address);
  lk_buf_puts(b, ",\"fromName\":");
  lk_buf_json_str(b, m->from_name);
  lk_buf_puts(b, ",\"imapHost\":");
  lk_buf_json_str(b, m->imap_host);
  lk_buf_printf(b, ",\"imapPort\":%d,\"imapTls\":", m->imap_port);
  lk_buf_json_str(b, m->imap_tls);
  lk_buf_puts(b, ",\"imapUser\":");
  lk_buf_json_str(b, m->imap_user);
  lk_buf_puts(b, ",\"imapPasswordFile\":");
  lk_buf_json_str(b, m->imap_password_file);
  lk_buf_puts(b, ",\"folder\":");
  lk_buf_json_str(b, m->folder);
  lk_buf_puts(b, ",\"smtpHost\":");
  lk_buf_json_str(b, m->smtp_host);
  lk_buf_printf(b, ",\"smtpPort\":%d,\"smtpTls\":", m->smtp_port);
  lk_buf_json_str(b, m->smtp_tls);
  lk_buf_puts(b, ",\"smtpUser\":");
  lk_buf_json_str(b, m->smtp_user);
  lk_buf_puts(b, ",\"smtpPasswordFile\":");
  lk_buf_json_str(b, m->smtp_password_file);
  lk_buf_puts(b, ",\"trustedAuthservId\":");
  lk_buf_json_str(b, m->authserv_id);
  lk_buf_printf(b,
                ",\"pollSeconds\":%d,\"enabled\":%s,\"version\":%lld,"
                "\"createdAt\":%lld,\"updatedAt\":%lld}",
                m->poll_seconds, m->enabled ? "true" : "false",
                (long long)m->version, (long long)m->created_at,
                (long long)m->updated_at);
}

static char data_real[PATH_MAX];

void lk_mailbox_init(const char *data_dir) {
  if (realpath(data_dir, data_real) == NULL)
    copy(data_real, sizeof(data_real), data_dir);
}

static bool under(const char *path, const char *dir) {
  size_t n = strlen(dir);

  while (n > 1 && dir[n - 1] == '/')
    n--;
  return n > 0 && strncmp(path, dir, n) == 0 &&
         (path[n] == '/' || path[n] == '\0');
}

/* True if `path`, with symbolic links resolved (of its directory when the
 * file itself does not exist yet), lies inside the data directory. */
static bool in_data_dir(const char *path) {
  char real[PATH_MAX], dir[PATH_MAX];
  const char *slash;

  if (data_real[0] == '\0')
    return false;
  if (under(path, data_real))
    return true;
  if (realpath(path, real) != NULL)
    return under(real, data_real);
  slash = strrchr(path, '/');
  if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
    return false;
  memcpy(dir, path, (size_t)(slash - path));
  dir[slash - path] = '\0';
  if (dir[0] == '\0')
    return false;
  return realpath(dir, real) != NULL && under(real, data_real);
}

static const char *stat_refusal(const struct stat *st) {
  if (!S_ISREG(st->st_mode))
    return "must name a regular file";
  if (st->st_uid != geteuid())
    return "must be owned by the user Loket runs as";
  if ((st->st_mode & 077) != 0)
    return "must not be readable or writable by group or others (mode "
           "0400 or 0600)";
  return NULL;
}

int lk_mailbox_secret_path_check(const char *path, const char **reason) {
  struct stat st;

  if (in_data_dir(path)) {
    *reason = "must not be inside Loket's data directory (it holds "
              "Loket's own keys)";
    return -EPERM;
  }
  if (stat(path, &st) != 0)
    return 0;
  *reason = stat_refusal(&st);
  return *reason != NULL ? -EPERM : 0;
}

int lk_mailbox_read_secret(const char *path, char *out, size_t size) {
  const char *why;
  struct stat st;
  FILE *f;
  size_t n;
  int fd;

  out[0] = '\0';
  if (in_data_dir(path))
    return -EPERM;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  /* The opened file itself, so a swap after the check changes nothing. */
  if (fstat(fd, &st) != 0 || (why = stat_refusal(&st)) != NULL) {
    close(fd);
    return -EPERM;
  }
  f = fdopen(fd, "r");
  if (f == NULL) {
    close(fd);
    return -ENOMEM;
  }
  if (fgets(out, (int)size, f) == NULL) {
    int e = ferror(f) ? -EIO : -ENODATA;
    fclose(f);
    out[0] = '\0';
    return e;
  }
  fclose(f);
  n = strlen(out);
  if (n > 0 && out[n - 1] != '\n' && n == size - 1) {
    memset(out, 0, size);
    return -ENAMETOOLONG;
  }
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
    out[--n] = '\0';
  return 0;
}
