/* contact_writes.c - conversations created per second at the store level:
 * the write behind POST /api/v1/conversations without HTTP, so that what
 * the writer thread costs per creation shows apart from the server's and
 * the load generator's share of the CPU (bench/contact_post.sh measures
 * the whole path).
 *
 * N threads (64 by default, like the HTTP benchmark's clients) each loop:
 * lk_conv_create_prepare() of a web-form conversation from a new resident
 * (a new party with an unverified e-mail address, the conversation, its
 * first contact, betrokkene, processing-log row and two events), then
 * lk_store_write(), which returns once the write is durably committed.
 * Each round measures group commit and one commit per write, alternating
 * which goes first, each on a fresh data directory.  Reported: median
 * creations per second, writes per commit and the writer's time per write
 * (running it plus its share of the commit).
 *
 * --from FILE starts every measurement from a copy of that loket.db (a
 * seeded one: bench/contact_seed.sh) instead of an empty database, so the
 * inserts land in B-trees and a full-text index of realistic size; the
 * copy is migrated when opened, like any data directory.  --group-only
 * skips the one-commit-per-write reference (for profiling).
 *
 * Usage: contact_writes [--dir BASE] [--threads N] [--seconds S]
 *                       [--rounds R] [--from FILE] [--group-only]
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/conversation.h"
#include "core/ids.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/metrics.h"

#define MAX_ROUNDS 99
#define WARMUP_S 1.0

struct shared {
  lk_store *store;
  atomic_bool stop;
  _Atomic uint64_t acked;
  _Atomic uint64_t errors;
  _Atomic int first_error;
};

struct worker {
  struct shared *sh;
  int index;
};

struct result {
  double creates_s;
  double per_commit;
  double writer_us;
};

static void *writer(void *arg) {
  struct worker *wk = arg;
  struct shared *sh = wk->sh;
  lk_conv_caller caller = {0};
  lk_conv_create_op *op = malloc(sizeof(*op));
  char name[64];
  char email[96];
  lk_invalid why;
  uint64_t n = 0;
  int rc;

  snprintf(caller.actor, sizeof(caller.actor), "token:tok_bench");
  caller.may_confidential = true;
  while (op != NULL && !atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
    lk_conv_create_in in = {0};

    n++;
    snprintf(name, sizeof(name), "Bewoner %d-%llu", wk->index,
             (unsigned long long)n);
    snprintf(email, sizeof(email), "bewoner%d.%llu@example.com", wk->index,
             (unsigned long long)n);
    in.channel = "webformulier";
    in.subject = "Container niet geleegd";
    in.content = "Onze grijze container is deze week niet geleegd, terwijl "
                 "hij gewoon op tijd aan de straat stond.";
    in.from_name = name;
    in.from_email = email;
    if (lk_conv_create_prepare(op, &caller, &in, &why) != 0) {
      atomic_store(&sh->first_error, LK_EINVALID);
      atomic_fetch_add(&sh->errors, 1);
      break;
    }
    rc = lk_store_write(sh->store, lk_conv_create_apply, op);
    if (rc == 0) {
      atomic_fetch_add_explicit(&sh->acked, 1, memory_order_relaxed);
    } else {
      int zero = 0;
      atomic_compare_exchange_strong(&sh->first_error, &zero, rc);
      atomic_fetch_add(&sh->errors, 1);
      break;
    }
  }
  free(op);
  return NULL;
}

static void pause_s(double s) {
  int64_t until = lk_clock_mono_ns() + (int64_t)(s * 1e9);
  struct timespec step = {0, 20 * 1000 * 1000};

  while (lk_clock_mono_ns() < until)
    nanosleep(&step, NULL);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

/* Copies the seed database into the fresh directory (a plain file copy:
 * the seed must not be open in another process). */
static int copy_seed(const char *from, const char *dir) {
  char path[4200];
  char *buf = malloc(1 << 20);
  ssize_t n = 0;
  int in;
  int out;

  snprintf(path, sizeof(path), "%s/loket.db", dir);
  in = open(from, O_RDONLY | O_CLOEXEC);
  out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  while (buf != NULL && in >= 0 && out >= 0 &&
         (n = read(in, buf, 1 << 20)) > 0) {
    if (write(out, buf, (size_t)n) != n) {
      n = -1;
      break;
    }
  }
  if (in >= 0)
    close(in);
  if (out >= 0)
    close(out);
  free(buf);
  if (buf == NULL || in < 0 || out < 0 || n < 0) {
    fprintf(stderr, "contact_writes: cannot copy %s: %s\n", from,
            strerror(errno));
    return -1;
  }
  return 0;
}

static int measure(const char *base, const char *from, int threads,
                   double seconds, bool group, struct result *res) {
  char dir[4096];
  lk_store_options so = {0};
  struct shared sh;
  struct worker *wks = calloc((size_t)threads, sizeof(*wks));
  pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
  lk_store_stats st;
  uint64_t a_acked, a_commits, a_writes, a_ns;
  int64_t t0;
  double secs;
  int started = 0;
  int rc;

  snprintf(dir, sizeof(dir), "%s/loket-contact_writes.XXXXXX", base);
  if (wks == NULL || tids == NULL || mkdtemp(dir) == NULL) {
    fprintf(stderr, "contact_writes: cannot set up in %s: %s\n", base,
            strerror(errno));
    free(wks);
    free(tids);
    return -1;
  }
  so.dir = dir;
  so.group_commit = group;
  rc = from != NULL ? copy_seed(from, dir) : 0;
  if (rc == 0)
    rc = lk_store_open(&so, &sh.store);
  else
    rc = LK_STORE_IO;
  if (rc != 0) {
    fprintf(stderr, "contact_writes: %s\n", lk_store_strerror(rc));
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(wks);
    free(tids);
    return -1;
  }
  atomic_init(&sh.stop, false);
  atomic_init(&sh.acked, 0);
  atomic_init(&sh.errors, 0);
  atomic_init(&sh.first_error, 0);
  for (int i = 0; i < threads; i++) {
    wks[i].sh = &sh;
    wks[i].index = i;
    if (pthread_create(&tids[i], NULL, writer, &wks[i]) != 0)
      break;
    started++;
  }
  pause_s(WARMUP_S);
  lk_store_stats_get(sh.store, &st);
  a_acked = atomic_load(&sh.acked);
  a_commits = st.commits;
  a_writes = st.writes;
  a_ns = atomic_load(&st.commit_seconds->sum);
  t0 = lk_clock_mono_ns();
  pause_s(seconds);
  secs = (double)(lk_clock_mono_ns() - t0) / 1e9;
  lk_store_stats_get(sh.store, &st);
  res->creates_s = (double)(atomic_load(&sh.acked) - a_acked) / secs;
  res->per_commit =
      st.commits > a_commits
          ? (double)(st.writes - a_writes) / (double)(st.commits - a_commits)
          : 0;
  res->writer_us = st.writes > a_writes
                       ? (double)(atomic_load(&st.commit_seconds->sum) - a_ns) /
                             1e3 / (double)(st.writes - a_writes)
                       : 0;
  atomic_store(&sh.stop, true);
  for (int i = 0; i < started; i++)
    pthread_join(tids[i], NULL);
  lk_store_close(sh.store);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(wks);
  free(tids);
  if (atomic_load(&sh.errors) > 0) {
    fprintf(stderr, "contact_writes: %llu writes failed, first: %s\n",
            (unsigned long long)atomic_load(&sh.errors),
            lk_store_strerror(atomic_load(&sh.first_error)));
    return -1;
  }
  return started == threads ? 0 : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a;
  double y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"dir", required_argument, NULL, 'd'},
      {"threads", required_argument, NULL, 't'},
      {"seconds", required_argument, NULL, 's'},
      {"rounds", required_argument, NULL, 'r'},
      {"from", required_argument, NULL, 'f'},
      {"group-only", no_argument, NULL, 'g'},
      {NULL, 0, NULL, 0}};
  const char *from = NULL;
  bool group_only = false;
  const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/var/tmp";
  int threads = 64;
  double seconds = 5;
  int rounds = 3;
  double g[MAX_ROUNDS][3];
  double s1[MAX_ROUNDS][3];
  double col[MAX_ROUNDS];
  int opt;

  while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (opt) {
    case 'd':
      base = optarg;
      break;
    case 't':
      threads = (int)strtol(optarg, NULL, 10);
      break;
    case 's':
      seconds = strtod(optarg, NULL);
      break;
    case 'r':
      rounds = (int)strtol(optarg, NULL, 10);
      break;
    case 'f':
      from = optarg;
      break;
    case 'g':
      group_only = true;
      break;
    default:
      fputs("usage: contact_writes [--dir BASE] [--threads N] [--seconds S]"
            " [--rounds R] [--from FILE] [--group-only]\n",
            stderr);
      return 2;
    }
  }
  if (threads < 1 || threads > 4096 || seconds <= 0 || rounds < 1 ||
      rounds > MAX_ROUNDS) {
    fputs("contact_writes: bad --threads, --seconds or --rounds\n", stderr);
    return 2;
  }
  if (lk_ids_init() != 0)
    return 1;
  printf("== conversation creations at the store level, %d writers"
         " (contact_writes)\n",
         threads);
  printf("command: contact_writes --dir %s --threads %d --seconds %g"
         " --rounds %d%s%s%s\n",
         base, threads, seconds, rounds, from ? " --from " : "",
         from ? from : "", group_only ? " --group-only" : "");
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < 2; k++) {
      bool group = (k == 0) == (r % 2 == 0);
      struct result res = {0};

      if (group_only && !group) {
        memcpy(s1[r], (double[3]){0, 0, 0}, sizeof(s1[r]));
        continue;
      }
      if (measure(base, from, threads, seconds, group, &res) != 0)
        return 1;
      memcpy(group ? g[r] : s1[r],
             (double[3]){res.creates_s, res.per_commit, res.writer_us},
             sizeof(g[r]));
      printf("round %d  %-21s %7.0f creates/s  %5.1f writes/commit"
             "  writer %4.0f us/write\n",
             r + 1, group ? "group commit" : "one commit per write",
             res.creates_s, res.per_commit, res.writer_us);
      fflush(stdout);
    }
  }
  for (int c = 0; c < 3; c++) {
    double gm, sm;

    for (int r = 0; r < rounds; r++)
      col[r] = g[r][c];
    gm = median(col, rounds);
    for (int r = 0; r < rounds; r++)
      col[r] = s1[r][c];
    sm = median(col, rounds);
    if (c == 0)
      printf("median: group commit %.0f creates/s, one commit per write"
             " %.0f creates/s, ratio %.2f\n",
             gm, sm, sm > 0 ? gm / sm : 0);
    else if (c == 1)
      printf("median writes per commit: %.1f against %.1f\n", gm, sm);
    else
      printf("median writer time per write: %.0f us against %.0f us\n", gm, sm);
  }
  return 0;
}
