/* cli.h - the loket command's subcommands.
 *
 * Each returns the process exit status: 0 on success, 1 when the work
 * failed, 2 for a usage error (with one line on stderr).
 */
#ifndef LK_CLI_H
#define LK_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "store/store.h"

#define LK_EXIT_OK 0
#define LK_EXIT_FAIL 1
#define LK_EXIT_USAGE 2

int lk_cli_serve(int argc, char **argv);
int lk_cli_migrate(int argc, char **argv);
int lk_cli_token(int argc, char **argv);
int lk_cli_user(int argc, char **argv);
int lk_cli_backup(int argc, char **argv);
int lk_cli_proclog(int argc, char **argv);
int lk_cli_demo(int argc, char **argv);
int lk_cli_calamity(int argc, char **argv);
int lk_cli_figures(int argc, char **argv);

struct lk_measure;
/* The measure hook's context of this process (one store per process),
 * made on first use; NULL when out of memory. */
struct lk_measure *lk_cli_measure(void);

/* Prints "loket: <message>" on stderr and returns LK_EXIT_USAGE. */
int lk_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* The data directory: --data, else $LOKET_DATA, else ./loket-data. */
const char *lk_cli_data_dir(const char *flag);
/* Applies --log-level (or $LOKET_LOG_LEVEL). Returns 0 or usage error. */
int lk_cli_log_level(const char *flag);
/* Reports an unknown option or a missing argument from getopt_long. */
int lk_cli_bad_option(const char *command, int opt, char **argv);

/* What every command but serve takes: --data, --log-level, --help. */
typedef struct lk_cli_common {
  const char *command; /* "migrate" */
  const char *usage;   /* printed for --help */
  const char *data;    /* --data, or NULL for $LOKET_DATA or the default */
  const char *level;   /* --log-level; "warn" unless given */
} lk_cli_common;

#define LK_CLI_COMMON_OPTIONS                                                  \
  {"data", required_argument, NULL, 'd'},                                      \
      {"log-level", required_argument, NULL, 'L'}, {                           \
    "help", no_argument, NULL, 'h'                                             \
  }

#define LK_CLI_NEXT (-1)

/* Handles a common option (or getopt's complaint) in a command's option
 * loop.  Returns LK_CLI_NEXT to go on, or the exit status to return now:
 * LK_EXIT_OK after printing the help, LK_EXIT_USAGE for a bad option. */
int lk_cli_common_option(lk_cli_common *c, int opt, char **argv);
/* Applies --log-level and opens the store of --data, applying migrations
 * unless `no_migrate`.  Returns 0, or an exit status after saying why on
 * stderr. */
int lk_cli_open_store(const lk_cli_common *c, bool no_migrate, lk_store **out);

#endif
