/* figures.c - `loket figures rebuild`: recomputes every figure and all
 * live norm state from the events table (core/measure.h).
 *
 * One write: the tables are emptied and refilled in a single
 * transaction, so a crash half-way leaves the figures as they were.  A
 * server running on the same data waits for the writer lock meanwhile.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/measure.h"
#include "util/clock.h"

static const char usage[] =
    "Usage: loket figures rebuild\n"
    "\n"
    "Recomputes the figures (GET /api/v1/figures, /metrics) and the live\n"
    "norm state of conversations and callbacks from the recorded events,\n"
    "from scratch, in one transaction.\n"
    "\n"
    "Options:\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

int lk_cli_figures(int argc, char **argv) {
  static const struct option longopts[] = {LK_CLI_COMMON_OPTIONS,
                                           {NULL, 0, NULL, 0}};
  lk_cli_common common = {"figures", usage, NULL, "warn"};
  lk_measure_rebuild_op op = {0};
  int64_t t0;
  lk_store *store;
  int opt;
  int rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    rc = lk_cli_common_option(&common, opt, argv);
    if (rc != LK_CLI_NEXT)
      return rc;
  }
  if (optind >= argc)
    return lk_cli_usage_error("figures: say rebuild");
  if (strcmp(argv[optind], "rebuild") != 0)
    return lk_cli_usage_error("figures: unknown action '%s'", argv[optind]);
  if (optind + 1 < argc)
    return lk_cli_usage_error("figures: unexpected argument '%s'",
                              argv[optind + 1]);
  rc = lk_cli_open_store(&common, false, &store);
  if (rc != 0)
    return rc;
  op.m = lk_cli_measure();
  t0 = lk_clock_mono_ms();
  rc = op.m != NULL ? lk_store_write(store, lk_measure_rebuild_apply, &op)
                    : LK_STORE_NOMEM;
  lk_store_close(store);
  if (rc != 0) {
    fprintf(stderr, "loket: figures rebuild failed: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  printf("rebuilt from %lld events in %lld ms\n", (long long)op.events,
         (long long)(lk_clock_mono_ms() - t0));
  return LK_EXIT_OK;
}
