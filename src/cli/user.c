/* user.c - `loket user add` and `loket user passwd`: staff accounts from
 * the command line.
 *
 * The password never comes from argv (other users can read a process's
 * arguments): it is read from a terminal prompt without echo, or as the
 * first line of standard input when that is not a terminal.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/session.h"
#include "core/user.h"

static const char usage[] =
    "Usage: loket user add --email E --role agent|supervisor|admin\n"
    "                      [--name NAME] [--data DIR]\n"
    "       loket user passwd EMAIL [--data DIR]\n"
    "\n"
    "add creates a staff account.  passwd gives an account a new password\n"
    "and ends all its sessions (every browser where it is logged in).\n"
    "The password is asked for on the terminal, or read as the first line\n"
    "of standard input.\n"
    "\n"
    "Options:\n"
    "  --email E          log-in address (add)\n"
    "  --role ROLE        agent, supervisor or admin (add)\n"
    "  --name NAME        display name (add)\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

/* Reads one line into buf without its newline.  Returns 0 or -1. */
static int read_line(char *buf, size_t size) {
  size_t len;

  if (fgets(buf, (int)size, stdin) == NULL)
    return -1;
  len = strlen(buf);
  if (len > 0 && buf[len - 1] == '\n')
    buf[--len] = '\0';
  else if (!feof(stdin))
    return -1; /* longer than the buffer */
  if (len > 0 && buf[len - 1] == '\r')
    buf[--len] = '\0';
  return 0;
}

static int prompt(const char *question, char *buf, size_t size) {
  struct termios old;
  struct termios quiet;
  int rc;

  fputs(question, stderr);
  fflush(stderr);
  tcgetattr(STDIN_FILENO, &old);
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  rc = read_line(buf, size);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  fputc('\n', stderr);
  return rc;
}

static int read_password(char *buf, size_t size) {
  char again[LK_PASSWORD_MAX + 2];
  int rc;

  if (!isatty(STDIN_FILENO))
    return read_line(buf, size);
  if (prompt("Password: ", buf, size) != 0 ||
      prompt("Password again: ", again, sizeof(again)) != 0)
    return -1;
  rc = strcmp(buf, again) == 0 ? 0 : -2;
  sodium_memzero(again, sizeof(again));
  return rc;
}

/* loket user passwd EMAIL */
static int user_passwd(const lk_cli_common *c, const char *email) {
  char password[LK_PASSWORD_MAX + 2];
  lk_session_config cfg = {LK_SESSION_IDLE_DEFAULT_MS,
                           LK_SESSION_ABSOLUTE_DEFAULT_MS};
  lk_password_change_op op;
  lk_user_row u;
  lk_invalid why;
  lk_store *store;
  int rc;

  rc = lk_cli_open_store(c, false, &store);
  if (rc != 0)
    return rc;
  rc = lk_account_by_email(store, email, &u);
  if (rc != 0) {
    lk_store_close(store);
    if (rc == LK_STORE_NOTFOUND) {
      fprintf(stderr, "loket: there is no staff account for %s\n", email);
      return LK_EXIT_FAIL;
    }
    fprintf(stderr, "loket: cannot read the account: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  rc = read_password(password, sizeof(password));
  if (rc != 0) {
    sodium_memzero(password, sizeof(password));
    lk_store_close(store);
    return lk_cli_usage_error(rc == -2 ? "user passwd: the passwords differ"
                                       : "user passwd: no password given");
  }
  rc = lk_password_change_prepare(&op, "cli", &u, password, NULL, &cfg, &why);
  sodium_memzero(password, sizeof(password));
  if (rc == LK_EINVALID) {
    lk_store_close(store);
    return lk_cli_usage_error("user passwd: the password %s", why.reason);
  }
  if (rc == 0)
    rc = lk_store_write(store, lk_password_change_apply, &op);
  lk_store_close(store);
  sodium_memzero(op.password_hash, sizeof(op.password_hash));
  if (rc != 0) {
    fprintf(stderr, "loket: cannot change the password: %s\n",
            rc == LK_STORE_NOMEM ? "out of memory" : lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  printf("changed the password of %s (%s); ended %lld session%s\n", u.email,
         u.id, (long long)op.ended, op.ended == 1 ? "" : "s");
  return LK_EXIT_OK;
}

int lk_cli_user(int argc, char **argv) {
  static const struct option longopts[] = {
      {"email", required_argument, NULL, 'e'},
      {"role", required_argument, NULL, 'r'},
      {"name", required_argument, NULL, 'n'},
      LK_CLI_COMMON_OPTIONS,
      {NULL, 0, NULL, 0}};
  lk_cli_common c = {"user", usage, NULL, "warn"};
  const char *email = NULL;
  const char *role = NULL;
  const char *name = "";
  char password[LK_PASSWORD_MAX + 2];
  lk_user_add_op op;
  lk_invalid why;
  lk_store *store;
  int opt;
  int rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'e':
      email = optarg;
      break;
    case 'r':
      role = optarg;
      break;
    case 'n':
      name = optarg;
      break;
    default:
      rc = lk_cli_common_option(&c, opt, argv);
      if (rc != LK_CLI_NEXT)
        return rc;
    }
  }
  if (optind < argc && strcmp(argv[optind], "passwd") == 0) {
    if (optind + 1 >= argc)
      return lk_cli_usage_error("user passwd: give the account's e-mail "
                                "address");
    if (optind + 2 < argc)
      return lk_cli_usage_error("user: unexpected argument '%s'",
                                argv[optind + 2]);
    if (email != NULL || role != NULL || name[0] != '\0')
      return lk_cli_usage_error(
          "user passwd: --email, --role and --name belong to user add");
    if (lk_cli_log_level(c.level) != 0)
      return LK_EXIT_USAGE;
    return user_passwd(&c, argv[optind + 1]);
  }
  if (optind >= argc || strcmp(argv[optind], "add") != 0)
    return lk_cli_usage_error("user: say add or passwd (see loket user "
                              "--help)");
  if (++optind < argc)
    return lk_cli_usage_error("user: unexpected argument '%s'", argv[optind]);
  if (email == NULL || role == NULL)
    return lk_cli_usage_error("user add: --email and --role are required");
  if (!lk_user_role_valid(role))
    return lk_cli_usage_error(
        "user add: --role must be agent, supervisor or admin");
  if (lk_cli_log_level(c.level) != 0)
    return LK_EXIT_USAGE;
  rc = read_password(password, sizeof(password));
  if (rc != 0) {
    sodium_memzero(password, sizeof(password));
    return lk_cli_usage_error(rc == -2 ? "user add: the passwords differ"
                                       : "user add: no password given");
  }
  rc = lk_user_add_prepare(&op, "cli", email, role, name, password, &why);
  sodium_memzero(password, sizeof(password));
  if (rc == LK_EINVALID)
    return lk_cli_usage_error("user add: %s %s", why.field, why.reason);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot hash the password\n");
    return LK_EXIT_FAIL;
  }
  rc = lk_cli_open_store(&c, false, &store);
  if (rc != 0)
    return rc;
  rc = lk_store_write(store, lk_user_add_apply, &op);
  lk_store_close(store);
  if (rc == LK_STORE_CONFLICT) {
    fprintf(stderr, "loket: a staff account for %s already exists\n",
            op.user.email);
    return LK_EXIT_FAIL;
  }
  if (rc != 0) {
    fprintf(stderr, "loket: cannot add the account: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  printf("added %s (%s) as %s\n", op.user.email, op.user.id, op.user.role);
  return LK_EXIT_OK;
}
