/* calamity.c - `loket calamity on ID|off|status`.
 *
 * Writes through the store like the API; a running server learns the
 * change from the calamity.changed event within about a second.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/calamity.h"

static const char usage[] =
    "Usage: loket calamity on NOTICE_ID\n"
    "       loket calamity off\n"
    "       loket calamity status\n"
    "\n"
    "Calamity mode makes one published notice of kind calamiteit the front\n"
    "page, serves its pages from memory and turns heavy pages away (503).\n"
    "\n"
    "Options:\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

struct calamity_args {
  const char *action;
  const char *id;
  lk_cli_common common;
};

static int parse(int argc, char **argv, struct calamity_args *a) {
  static const struct option longopts[] = {LK_CLI_COMMON_OPTIONS,
                                           {NULL, 0, NULL, 0}};
  int opt;
  int rc;

  memset(a, 0, sizeof(*a));
  a->common.command = "calamity";
  a->common.usage = usage;
  a->common.level = "warn";
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    rc = lk_cli_common_option(&a->common, opt, argv);
    if (rc == LK_EXIT_OK)
      return -1; /* the help was asked for */
    if (rc != LK_CLI_NEXT)
      return rc;
  }
  if (optind >= argc)
    return lk_cli_usage_error("calamity: say on, off or status");
  a->action = argv[optind++];
  if (strcmp(a->action, "on") == 0) {
    if (optind >= argc)
      return lk_cli_usage_error("calamity on: which notice id?");
    a->id = argv[optind++];
  } else if (strcmp(a->action, "off") != 0 &&
             strcmp(a->action, "status") != 0) {
    return lk_cli_usage_error("calamity: unknown action '%s'", a->action);
  }
  if (optind < argc)
    return lk_cli_usage_error("calamity: unexpected argument '%s'",
                              argv[optind]);
  return lk_cli_log_level(a->common.level);
}

static int status(lk_store *store) {
  char id[LK_CALAMITY_ID_MAX];
  int rc = lk_store_calamity_get(store, id);

  if (rc != 0) {
    fprintf(stderr, "loket: cannot read the calamity mode: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  if (id[0] != '\0')
    printf("on %s\n", id);
  else
    puts("off");
  return LK_EXIT_OK;
}

static int change(lk_store *store, const struct calamity_args *a) {
  lk_calamity_op op;
  lk_invalid why;
  int rc;

  if (lk_calamity_prepare(&op, "cli", a->id, &why) != 0)
    return lk_cli_usage_error("calamity on: '%s' %s", a->id, why.reason);
  rc = lk_store_write(store, lk_calamity_apply, &op);
  if (rc == LK_CALAMITY_ENOTICE) {
    fprintf(stderr,
            "loket: %s is not a published notice of kind "
            "calamiteit\n",
            a->id);
    return LK_EXIT_FAIL;
  }
  if (rc != 0) {
    fprintf(stderr, "loket: cannot change the calamity mode: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  if (a->id != NULL)
    printf("on %s\n", a->id);
  else
    puts("off");
  return LK_EXIT_OK;
}

int lk_cli_calamity(int argc, char **argv) {
  struct calamity_args a;
  lk_store *store;
  int rc;

  rc = parse(argc, argv, &a);
  if (rc != 0)
    return rc < 0 ? LK_EXIT_OK : rc;
  rc = lk_cli_open_store(&a.common, false, &store);
  if (rc != 0)
    return rc;
  rc = strcmp(a.action, "status") == 0 ? status(store) : change(store, &a);
  lk_store_close(store);
  return rc;
}
