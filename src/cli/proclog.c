/* proclog.c - `loket proclog`: the processing log as JSON lines, for
 * auditors.  The read is itself logged (and committed) before anything is
 * printed, under the actor "cli:<login name>". */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/proclog_query.h"

static const char usage[] =
    "Usage: loket proclog [--party ID] [--actor A] [--operation OP]\n"
    "                     [--since TIME] [--until TIME] [--limit N]\n"
    "\n"
    "Prints the processing log (who read or changed which resident's data,\n"
    "when and why), newest first, one JSON object per line.  TIME is RFC\n"
    "3339 (2026-01-31T09:00:00Z), a date (2026-01-31) or Unix milliseconds.\n"
    "This read is itself recorded in the log.\n"
    "\n"
    "Options:\n"
    "  --party ID         only entries about this party (UUID)\n"
    "  --actor A          only entries by this actor (token:tok_..., "
    "user:...)\n"
    "  --operation OP     only this operation (read, search, reveal-bsn ...)\n"
    "  --since TIME       entries at or after TIME\n"
    "  --until TIME       entries before TIME\n"
    "  --limit N          at most N entries (default 100; 0 for all)\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

struct proclog_args {
  const char *party;
  const char *actor;
  const char *operation;
  const char *since;
  const char *until;
  long long limit;
  lk_cli_common common;
};

static int parse(int argc, char **argv, struct proclog_args *a) {
  static const struct option longopts[] = {
      {"party", required_argument, NULL, 'p'},
      {"actor", required_argument, NULL, 'a'},
      {"operation", required_argument, NULL, 'o'},
      {"since", required_argument, NULL, 's'},
      {"until", required_argument, NULL, 'u'},
      {"limit", required_argument, NULL, 'n'},
      LK_CLI_COMMON_OPTIONS,
      {NULL, 0, NULL, 0}};
  char *end;
  int opt;
  int rc;

  memset(a, 0, sizeof(*a));
  a->limit = 100;
  a->common.command = "proclog";
  a->common.usage = usage;
  a->common.level = "warn";
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'p':
      a->party = optarg;
      break;
    case 'a':
      a->actor = optarg;
      break;
    case 'o':
      a->operation = optarg;
      break;
    case 's':
      a->since = optarg;
      break;
    case 'u':
      a->until = optarg;
      break;
    case 'n':
      errno = 0;
      a->limit = strtoll(optarg, &end, 10);
      if (errno != 0 || end == optarg || *end != '\0' || a->limit < 0)
        return lk_cli_usage_error("proclog: --limit must be a number >= 0");
      break;
    default:
      rc = lk_cli_common_option(&a->common, opt, argv);
      if (rc == LK_EXIT_OK)
        return -1; /* the help was asked for */
      if (rc != LK_CLI_NEXT)
        return rc;
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("proclog: unexpected argument '%s'",
                              argv[optind]);
  return 0;
}

struct print_ctx {
  lk_buf line;
  int64_t last_time;
  int64_t last_seq;
  int n;
};

static void print_row(const lk_proclog_row *r, void *ud) {
  struct print_ctx *pc = ud;

  lk_buf_reset(&pc->line);
  lk_proclog_row_json(&pc->line, r);
  lk_buf_putc(&pc->line, '\n');
  if (lk_buf_ok(&pc->line))
    fwrite(pc->line.data, 1, pc->line.len, stdout);
  pc->last_time = r->time;
  pc->last_seq = r->seq;
  pc->n++;
}

/* The one running this: "cli:<login name>", or "cli:uid<N>". */
static void cli_actor(char *out, size_t size) {
  struct passwd *pw = getpwuid(geteuid());

  if (pw != NULL && pw->pw_name != NULL)
    snprintf(out, size, "cli:%s", pw->pw_name);
  else
    snprintf(out, size, "cli:uid%u", (unsigned)geteuid());
}

static int run(lk_store *store, const struct proclog_args *a) {
  enum { PAGE = LK_PROCLOG_PAGE_MAX };
  struct print_ctx pc = {LK_BUF_INIT, 0, 0, 0};
  lk_proclog_query q;
  lk_proclog_entry e;
  lk_invalid why;
  char actor[48];
  int rc;

  rc = lk_proclog_query_prepare(&q, a->party, a->actor, a->operation, a->since,
                                a->until, NULL, PAGE, &why);
  if (rc == LK_EINVALID) {
    const char *flag = strcmp(why.field, "partyId") == 0 ? "party"
                       : strcmp(why.field, "from") == 0  ? "since"
                       : strcmp(why.field, "to") == 0    ? "until"
                                                         : why.field;
    return lk_cli_usage_error("proclog: --%s %s", flag, why.reason);
  }
  cli_actor(actor, sizeof(actor));
  e = (lk_proclog_entry){actor,     q.party_id, "read", LK_PROCLOG_ACTIVITY,
                         "proclog", NULL,       ""};
  /* Logged and durable before a line is printed: no unlogged reading. */
  rc = lk_store_write(store, lk_proclog_note_apply, &e);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot record this read in the log: %s\n",
            lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  for (;;) {
    long long left = a->limit == 0 ? PAGE : a->limit - pc.n;

    q.f.limit = left < PAGE ? (int)left : PAGE;
    if (q.f.limit <= 0)
      break;
    rc = lk_store_proclog_query(store, &q.f, print_row, &pc);
    if (rc < 0)
      break;
    if (rc < q.f.limit)
      break;
    q.f.before_time = pc.last_time;
    q.f.before_seq = pc.last_seq;
  }
  lk_buf_free(&pc.line);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "loket: cannot write the output\n");
    return LK_EXIT_FAIL;
  }
  if (rc < 0) {
    fprintf(stderr, "loket: cannot read the log: %s\n", lk_store_strerror(rc));
    return LK_EXIT_FAIL;
  }
  return LK_EXIT_OK;
}

int lk_cli_proclog(int argc, char **argv) {
  struct proclog_args a;
  lk_store *store;
  int rc;

  rc = parse(argc, argv, &a);
  if (rc == -1)
    return LK_EXIT_OK;
  if (rc != 0)
    return rc;
  rc = lk_cli_open_store(&a.common, false, &store);
  if (rc != 0)
    return rc;
  rc = run(store, &a);
  lk_store_close(store);
  return rc;
}
