/* backup.c - `loket backup`: a consistent copy of the database, taken
 * while the server runs. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "Usage: loket backup --to FILE [--data DIR]\n"
    "\n"
    "Writes a consistent copy of the database to FILE, which must not exist,\n"
    "while Loket keeps serving.  To restore, stop Loket and put the copy in\n"
    "an empty data directory as loket.db.\n"
    "\n"
    "Options:\n"
    "  --to FILE          where the copy goes\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

int lk_cli_backup(int argc, char **argv) {
  static const struct option longopts[] = {{"to", required_argument, NULL, 't'},
                                           LK_CLI_COMMON_OPTIONS,
                                           {NULL, 0, NULL, 0}};
  lk_cli_common c = {"backup", usage, NULL, "warn"};
  const char *to = NULL;
  lk_store *store;
  int opt;
  int rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 't':
      to = optarg;
      break;
    default:
      rc = lk_cli_common_option(&c, opt, argv);
      if (rc != LK_CLI_NEXT)
        return rc;
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("backup: unexpected argument '%s'", argv[optind]);
  if (to == NULL || to[0] == '\0')
    return lk_cli_usage_error("backup: --to is required");
  rc = lk_cli_open_store(&c, true, &store);
  if (rc != 0)
    return rc;
  rc = lk_store_backup(store, to);
  lk_store_close(store);
  if (rc == LK_STORE_CONFLICT) {
    fprintf(stderr, "loket: %s already exists\n", to);
    return LK_EXIT_FAIL;
  }
  if (rc != 0) {
    fprintf(stderr, "loket: backup failed: %s\n", lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  printf("backed up %s to %s\n", lk_cli_data_dir(c.data), to);
  return LK_EXIT_OK;
}
