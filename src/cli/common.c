#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/log.h"

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
