/* cli.h - the loket command's subcommands.
 *
 * Each returns the process exit status: 0 on success, 1 when the work
 * failed, 2 for a usage error (with one line on stderr).
 */
#ifndef LK_CLI_H
#define LK_CLI_H

#include <stdbool.h>

#define LK_EXIT_OK 0
#define LK_EXIT_FAIL 1
#define LK_EXIT_USAGE 2

int lk_cli_serve(int argc, char **argv);
int lk_cli_migrate(int argc, char **argv);
int lk_cli_token(int argc, char **argv);
int lk_cli_user(int argc, char **argv);
int lk_cli_backup(int argc, char **argv);

/* Prints "loket: <message>" on stderr and returns LK_EXIT_USAGE. */
int lk_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* The data directory: --data, else $LOKET_DATA, else ./loket-data. */
const char *lk_cli_data_dir(const char *flag);
/* Applies --log-level (or $LOKET_LOG_LEVEL). Returns 0 or usage error. */
int lk_cli_log_level(const char *flag);
/* Reports an unknown option or a missing argument from getopt_long. */
int lk_cli_bad_option(const char *command, int opt, char **argv);

#endif
