/* token.c - `loket token create|list|revoke`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/token.h"
#include "util/clock.h"

static const char usage[] =
    "Usage: loket token create --name NAME [--scopes \"api events\"]\n"
    "       loket token list\n"
    "       loket token revoke ID\n"
    "\n"
    "API tokens let another system use Loket's API.  'create' prints the\n"
    "token alone on the last line; it is shown only once.\n"
    "\n"
    "Options:\n"
    "  --name NAME        what the token is for (create)\n"
    "  --scopes LIST      space-separated: api, events, admin\n"
    "                     (create; default \"api events\")\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

struct token_args {
  const char *action;
  const char *name;
  const char *scopes;
  const char *id;
  lk_cli_common common;
};

static int parse(int argc, char **argv, struct token_args *a) {
  static const struct option longopts[] = {
      {"name", required_argument, NULL, 'n'},
      {"scopes", required_argument, NULL, 's'},
      LK_CLI_COMMON_OPTIONS,
      {NULL, 0, NULL, 0}};
  int opt;
  int rc;

  memset(a, 0, sizeof(*a));
  a->common.command = "token";
  a->common.usage = usage;
  a->common.level = "warn";
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'n':
      a->name = optarg;
      break;
    case 's':
      a->scopes = optarg;
      break;
    default:
      rc = lk_cli_common_option(&a->common, opt, argv);
      if (rc == LK_EXIT_OK)
        return -1; /* the help was asked for */
      if (rc != LK_CLI_NEXT)
        return rc;
    }
  }
  if (optind >= argc)
    return lk_cli_usage_error("token: say create, list or revoke");
  a->action = argv[optind++];
  if (strcmp(a->action, "revoke") == 0) {
    if (optind >= argc)
      return lk_cli_usage_error("token revoke: which token id?");
    a->id = argv[optind++];
  } else if (strcmp(a->action, "create") == 0) {
    if (a->name == NULL)
      return lk_cli_usage_error("token create: --name is required");
  } else if (strcmp(a->action, "list") != 0) {
    return lk_cli_usage_error("token: unknown action '%s'", a->action);
  }
  if (optind < argc)
    return lk_cli_usage_error("token: unexpected argument '%s'", argv[optind]);
  return lk_cli_log_level(a->common.level);
}

static void print_row(const lk_token_row *t, void *ud) {
  char *last_id = ud;
  char created[32];
  char revoked[32] = "-";

  lk_clock_format_iso(t->created_at, created, sizeof(created));
  if (t->revoked_at != 0)
    lk_clock_format_iso(t->revoked_at, revoked, sizeof(revoked));
  printf("%-20s  %-24s  %-24s  %-18s  %s\n", t->id, created, revoked, t->scopes,
         t->name);
  memcpy(last_id, t->id, LK_TOKEN_ID_LEN + 1);
}

static int create(lk_store *store, const struct token_args *a) {
  lk_token_create_op op;
  lk_invalid why;
  int rc;

  rc = lk_token_create_prepare(&op, "cli", a->name, a->scopes, &why);
  if (rc == LK_EINVALID)
    return lk_cli_usage_error("token create: --%s %s", why.field, why.reason);
  rc = lk_store_write(store, lk_token_create_apply, &op);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot create the token: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  printf("id:     %s\nname:   %s\nscopes: %s\n%s\n", op.token.id, op.token.name,
         op.token.scopes, op.secret);
  return LK_EXIT_OK;
}

static int list(lk_store *store) {
  enum { PAGE = 200 };
  char after[LK_TOKEN_ID_LEN + 1] = "";
  int n;

  printf("%-20s  %-24s  %-24s  %-18s  %s\n", "ID", "CREATED", "REVOKED",
         "SCOPES", "NAME");
  /* Page through so that a long list never sits in memory at once. */
  do {
    n = lk_store_token_list(store, after, PAGE, print_row, after);
    if (n < 0) {
      fprintf(stderr, "loket: cannot list tokens: %s\n", lk_store_strerror(n));
      return LK_EXIT_FAIL;
    }
  } while (n == PAGE);
  return LK_EXIT_OK;
}

static int revoke(lk_store *store, const struct token_args *a) {
  lk_token_revoke_op op;
  lk_invalid why;
  int rc;

  rc = lk_token_revoke_prepare(&op, "cli", a->id, &why);
  if (rc == LK_EINVALID)
    return lk_cli_usage_error("token revoke: '%s' %s", a->id, why.reason);
  rc = lk_store_write(store, lk_token_revoke_apply, &op);
  if (rc == LK_STORE_NOTFOUND) {
    fprintf(stderr, "loket: no active token with id %s\n", a->id);
    return LK_EXIT_FAIL;
  }
  if (rc != 0) {
    fprintf(stderr, "loket: cannot revoke the token: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  printf("revoked %s\n", a->id);
  return LK_EXIT_OK;
}

int lk_cli_token(int argc, char **argv) {
  struct token_args a;
  lk_store *store;
  int rc;

  rc = parse(argc, argv, &a);
  if (rc != 0)
    return rc < 0 ? LK_EXIT_OK : rc;
  rc = lk_cli_open_store(&a.common, false, &store);
  if (rc != 0)
    return rc;
  if (strcmp(a.action, "create") == 0)
    rc = create(store, &a);
  else if (strcmp(a.action, "list") == 0)
    rc = list(store);
  else
    rc = revoke(store, &a);
  lk_store_close(store);
  return rc;
}
