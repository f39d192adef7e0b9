/* main.c - the loket command: dispatches to a subcommand in src/cli/. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ids.h"

static const char usage[] =
    "Usage: loket COMMAND [OPTIONS]\n"
    "\n"
    "Loket, the digital front office of a municipality.\n"
    "\n"
    "Commands:\n"
    "  serve     run the server (HTTP API, pages, event stream)\n"
    "  migrate   apply database schema migrations\n"
    "  token     create, list or revoke API tokens for other systems\n"
    "  user      manage staff accounts\n"
    "  backup    copy the database while Loket runs\n"
    "  proclog   print the processing log (who saw which resident's data)\n"
    "  demo      fill an empty data directory with demo data\n"
    "  calamity  switch calamity mode on or off, or show it\n"
    "  figures   rebuild the figures and norm state from the events\n"
    "  version   print the version\n"
    "\n"
    "Run 'loket COMMAND --help' for a command's options.\n";

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : NULL;

  if (cmd == NULL)
    return lk_cli_usage_error("no command given (see loket --help)");
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return LK_EXIT_OK;
  }
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("loket %s\n", LOKET_VERSION);
    return LK_EXIT_OK;
  }
  if (lk_ids_init() != 0) {
    fputs("loket: cannot initialise the random number generator\n", stderr);
    return LK_EXIT_FAIL;
  }
  if (strcmp(cmd, "serve") == 0)
    return lk_cli_serve(argc - 1, argv + 1);
  if (strcmp(cmd, "migrate") == 0)
    return lk_cli_migrate(argc - 1, argv + 1);
  if (strcmp(cmd, "token") == 0)
    return lk_cli_token(argc - 1, argv + 1);
  if (strcmp(cmd, "user") == 0)
    return lk_cli_user(argc - 1, argv + 1);
  if (strcmp(cmd, "backup") == 0)
    return lk_cli_backup(argc - 1, argv + 1);
  if (strcmp(cmd, "proclog") == 0)
    return lk_cli_proclog(argc - 1, argv + 1);
  if (strcmp(cmd, "demo") == 0)
    return lk_cli_demo(argc - 1, argv + 1);
  if (strcmp(cmd, "calamity") == 0)
    return lk_cli_calamity(argc - 1, argv + 1);
  if (strcmp(cmd, "figures") == 0)
    return lk_cli_figures(argc - 1, argv + 1);
  return lk_cli_usage_error("unknown command '%s' (see loket --help)", cmd);
}
