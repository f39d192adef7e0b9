/* migrate.c - `loket migrate`: bring the schema up to date. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "Usage: loket migrate [--data DIR] [--to VERSION]\n"
    "\n"
    "Applies pending schema migrations (serve does this on start too).\n"
    "\n"
    "Options:\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --to VERSION       stop at this schema version (default: newest)\n"
    "  --status           print the current and newest version only\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

int lk_cli_migrate(int argc, char **argv) {
  static const struct option longopts[] = {{"to", required_argument, NULL, 't'},
                                           {"status", no_argument, NULL, 's'},
                                           LK_CLI_COMMON_OPTIONS,
                                           {NULL, 0, NULL, 0}};
  lk_cli_common c = {"migrate", usage, NULL, "warn"};
  bool status_only = false;
  long target = 0;
  lk_store *store;
  int from = 0;
  int to = 0;
  int applied = 0;
  char *end;
  int opt;
  int rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 't':
      errno = 0;
      target = strtol(optarg, &end, 10);
      if (errno != 0 || end == optarg || *end != '\0' || target < 1 ||
          target > lk_store_latest_version())
        return lk_cli_usage_error(
            "migrate: --to must be a version from 1 to %d",
            lk_store_latest_version());
      break;
    case 's':
      status_only = true;
      break;
    default:
      rc = lk_cli_common_option(&c, opt, argv);
      if (rc != LK_CLI_NEXT)
        return rc;
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("migrate: unexpected argument '%s'",
                              argv[optind]);
  rc = lk_cli_open_store(&c, true, &store);
  if (rc != 0)
    return rc;
  if (status_only) {
    rc = lk_store_schema_version(store, &from);
    if (rc == 0)
      printf("schema version %d (newest %d)\n", from,
             lk_store_latest_version());
  } else {
    rc = lk_store_migrate(store, (int)target, &from, &to, &applied);
    if (rc == LK_STORE_INVALID)
      fprintf(stderr, "loket: the schema is already past version %ld\n",
              target);
    else if (rc == 0 && applied == 0)
      printf("schema version %d is up to date\n", to);
    else if (rc == 0 && from == to)
      printf("schema version %d: %d late migration%s applied\n", to, applied,
             applied == 1 ? "" : "s");
    else if (rc == 0)
      printf("schema migrated from version %d to %d\n", from, to);
  }
  if (rc != 0 && rc != LK_STORE_INVALID)
    fprintf(stderr, "loket: migration failed: %s\n", lk_store_strerror(rc));
  lk_store_close(store);
  return rc == 0 ? LK_EXIT_OK : LK_EXIT_FAIL;
}
