#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/measure.h"
#include "util/log.h"

lk_measure *lk_cli_measure(void) {
  static lk_measure *m;

  if (m == NULL)
    m = lk_measure_new();
  return m;
}

int lk_cli_usage_error(const char *fmt, ...) {
  va_list ap;

  fputs("loket: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return LK_EXIT_USAGE;
}

const char *lk_cli_data_dir(const char *flag) {
  const char *env = getenv("LOKET_DATA");

  if (flag != NULL)
    return flag;
  if (env != NULL && env[0] != '\0')
    return env;
  return "./loket-data";
}

int lk_cli_log_level(const char *flag) {
  const char *s = flag != NULL ? flag : getenv("LOKET_LOG_LEVEL");
  lk_log_level level;

  /* An empty environment variable means unset; an empty flag is a typo. */
  if (flag != NULL && flag[0] == '\0')
    return lk_cli_usage_error(
        "invalid log level '' (use debug, info, warn or error)");
  if (s == NULL || s[0] == '\0')
    return 0;
  if (lk_log_level_parse(s, &level) != 0)
    return lk_cli_usage_error(
        "invalid log level '%s' (use debug, info, warn or error)", s);
  lk_log_set_level(level);
  return 0;
}

int lk_cli_bad_option(const char *command, int opt, char **argv) {
  const char *arg = argv[optind - 1];

  if (opt == ':')
    return lk_cli_usage_error("%s: option '%s' needs a value", command, arg);
  return lk_cli_usage_error("%s: unknown option '%s' (see loket %s --help)",
                            command, arg, command);
}

int lk_cli_common_option(lk_cli_common *c, int opt, char **argv) {
  switch (opt) {
  case 'd':
    c->data = optarg;
    return LK_CLI_NEXT;
  case 'L':
    c->level = optarg;
    return LK_CLI_NEXT;
  case 'h':
    fputs(c->usage, stdout);
    return LK_EXIT_OK;
  default:
    return lk_cli_bad_option(c->command, opt, argv);
  }
}

int lk_cli_open_store(const lk_cli_common *c, bool no_migrate, lk_store **out) {
  lk_store_options so = {0};
  int rc;

  if (lk_cli_log_level(c->level != NULL ? c->level : "warn") != 0)
    return LK_EXIT_USAGE;
  so.dir = lk_cli_data_dir(c->data);
  so.no_migrate = no_migrate;
  so.group_commit = true;
  /* Writes from the command line keep the figures too (core/measure.h). */
  lk_measure_store_options(&so, lk_cli_measure());
  if (so.on_tx_event_ud == NULL) {
    fputs("loket: out of memory\n", stderr);
    return LK_EXIT_FAIL;
  }
  rc = lk_store_open(&so, out);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot open the database in %s: %s\n", so.dir,
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  return 0;
}
