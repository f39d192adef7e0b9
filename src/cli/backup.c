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
  static const struct option longopts[] = {
      {"to", required_argument, NULL, 't'},
      {"data", required_argument, NULL, 'd'},
      {"log-level", required_argument, NULL, 'L'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  lk_store_options so = {0};
  const char *to = NULL;
  const char *data = NULL;
  const char *level = "warn";
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
    case 'd':
      data = optarg;
      break;
    case 'L':
      level = optarg;
      break;
    case 'h':
      fputs(usage, stdout);
      return LK_EXIT_OK;
    default:
      return lk_cli_bad_option("backup", opt, argv);
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("backup: unexpected argument '%s'", argv[optind]);
  if (to == NULL || to[0] == '\0')
    return lk_cli_usage_error("backup: --to is required");
  if (lk_cli_log_level(level) != 0)
    return LK_EXIT_USAGE;
  so.dir = lk_cli_data_dir(data);
  so.no_migrate = true;
  so.group_commit = true;
  rc = lk_store_open(&so, &store);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot open the database in %s: %s\n", so.dir,
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
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
  printf("backed up %s to %s\n", so.dir, to);
  return LK_EXIT_OK;
}
