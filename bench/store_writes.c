/* store_writes.c - acknowledged durable writes per second through the store,
 * with group commit against one commit per write, in one run.
 *
 * N writer threads (256 by default) each loop: prepare a token creation and
 * lk_store_write() it, which returns once the write is committed with a
 * full fsync (a row in api_tokens, an event and an audit entry).  Each round
 * measures both modes, alternating which goes first, each on a fresh data
 * directory: group_commit=true (the server's setting) and group_commit=false
 * (every write its own transaction and fsync).  After a warm-up the
 * acknowledged writes in a fixed window are counted; the store's own
 * counters give the commits and the batch-size histogram of that window.
 *
 * Usage: store_writes [--dir BASE] [--threads N] [--seconds S]
 *                     [--warmup S] [--rounds R]
 * BASE (default $TMPDIR, else /var/tmp) must be on the disk under test: the
 * data directories are created in it and removed afterwards.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/token.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define MAX_ROUNDS 99
#define TMPFS_MAGIC_ 0x01021994
#define TARGET_WRITES_S 10000.0

static volatile sig_atomic_t interrupted;

struct config {
  const char *base;
  int threads;
  double seconds;
  double warmup;
  int rounds;
};

struct snapshot {
  int64_t ns;
  uint64_t acked;
  uint64_t commits;
  uint64_t writes;
  uint64_t failed;
  uint64_t batch[LK_HIST_MAX_BUCKETS + 1];
  uint64_t commit_ns_sum;
  uint64_t commit_count;
};

struct result {
  double writes_s;
  double commits_s;
  double mean_batch;
  double mean_commit_ms;
  uint64_t acked;
  uint64_t failed;
  uint64_t batch[LK_HIST_MAX_BUCKETS + 1]; /* commits per batch-size bucket */
  int nbounds;
  const double *bounds;
};

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

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static void *writer(void *arg) {
  struct worker *wk = arg;
  struct shared *sh = wk->sh;
  lk_token_create_op op;
  lk_invalid why;
  char name[32];
  int rc;

  snprintf(name, sizeof(name), "bench-%d", wk->index);
  while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
    if (lk_token_create_prepare(&op, "bench", name, NULL, &why) != 0) {
      atomic_store(&sh->first_error, LK_EINVALID);
      atomic_fetch_add(&sh->errors, 1);
      break;
    }
    rc = lk_store_write(sh->store, lk_token_create_apply, &op);
    if (rc == 0) {
      atomic_fetch_add_explicit(&sh->acked, 1, memory_order_relaxed);
    } else {
      int zero = 0;
      atomic_compare_exchange_strong(&sh->first_error, &zero, rc);
      atomic_fetch_add(&sh->errors, 1);
      if (rc == LK_STORE_CLOSED)
        break;
    }
  }
  return NULL;
}

static void take(struct shared *sh, struct snapshot *sn) {
  lk_store_stats st;

  lk_store_stats_get(sh->store, &st);
  sn->ns = lk_clock_mono_ns();
  sn->acked = atomic_load(&sh->acked);
  sn->commits = st.commits;
  sn->writes = st.writes;
  sn->failed = st.failed_writes;
  for (int i = 0; i <= LK_HIST_MAX_BUCKETS; i++)
    sn->batch[i] = atomic_load(&st.batch_size->buckets[i]);
  sn->commit_ns_sum = atomic_load(&st.commit_seconds->sum);
  sn->commit_count = atomic_load(&st.commit_seconds->count);
}

/* Sleeps `s` seconds unless interrupted. */
static void pause_s(double s) {
  int64_t until = lk_clock_mono_ns() + (int64_t)(s * 1e9);
  struct timespec step = {0, 50 * 1000 * 1000};

  while (!interrupted && lk_clock_mono_ns() < until)
    nanosleep(&step, NULL);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  if (remove(path) != 0)
    fprintf(stderr, "store_writes: cannot remove %s: %s\n", path,
            strerror(errno));
  return 0;
}

static void remove_tree(const char *dir) {
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One measurement: a fresh store in a fresh directory. Returns 0 or -1. */
static int measure(const struct config *cfg, bool group, struct result *res) {
  char dir[4096];
  lk_store_options so = {0};
  struct shared sh;
  struct worker *wks;
  pthread_t *tids;
  pthread_attr_t attr;
  struct snapshot a;
  struct snapshot b;
  lk_store_stats st;
  double secs;
  int started = 0;
  int rc;

  if (snprintf(dir, sizeof(dir), "%s/loket-store_writes.XXXXXX", cfg->base) >=
          (int)sizeof(dir) ||
      mkdtemp(dir) == NULL) {
    fprintf(stderr, "store_writes: cannot create a directory in %s: %s\n",
            cfg->base, strerror(errno));
    return -1;
  }
  so.dir = dir;
  so.group_commit = group;
  rc = lk_store_open(&so, &sh.store);
  if (rc != 0) {
    fprintf(stderr, "store_writes: cannot open the store in %s: %s\n", dir,
            lk_store_strerror(rc));
    remove_tree(dir);
    return -1;
  }
  atomic_init(&sh.stop, false);
  atomic_init(&sh.acked, 0);
  atomic_init(&sh.errors, 0);
  atomic_init(&sh.first_error, 0);
  wks = calloc((size_t)cfg->threads, sizeof(*wks));
  tids = calloc((size_t)cfg->threads, sizeof(*tids));
  if (wks == NULL || tids == NULL) {
    fputs("store_writes: out of memory\n", stderr);
    free(wks);
    free(tids);
    lk_store_close(sh.store);
    remove_tree(dir);
    return -1;
  }
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  for (int i = 0; i < cfg->threads; i++) {
    wks[i].sh = &sh;
    wks[i].index = i;
    if (pthread_create(&tids[i], &attr, writer, &wks[i]) != 0) {
      fprintf(stderr, "store_writes: only %d threads started\n", i);
      break;
    }
    started++;
  }
  pthread_attr_destroy(&attr);

  pause_s(cfg->warmup);
  take(&sh, &a);
  pause_s(cfg->seconds);
  take(&sh, &b);
  atomic_store(&sh.stop, true);
  for (int i = 0; i < started; i++)
    pthread_join(tids[i], NULL);
  lk_store_stats_get(sh.store, &st);
  lk_store_close(sh.store);
  remove_tree(dir);
  free(wks);
  free(tids);

  if (atomic_load(&sh.errors) > 0) {
    fprintf(stderr, "store_writes: %llu writes failed, first: %s\n",
            (unsigned long long)atomic_load(&sh.errors),
            lk_store_strerror(atomic_load(&sh.first_error)));
    return -1;
  }
  if (interrupted || started < cfg->threads)
    return -1;
  secs = (double)(b.ns - a.ns) / 1e9;
  memset(res, 0, sizeof(*res));
  res->acked = b.acked - a.acked;
  res->failed = b.failed - a.failed;
  res->writes_s = (double)res->acked / secs;
  res->commits_s = (double)(b.commits - a.commits) / secs;
  res->mean_batch = b.commits > a.commits ? (double)(b.writes - a.writes) /
                                                (double)(b.commits - a.commits)
                                          : 0;
  res->mean_commit_ms = b.commit_count > a.commit_count
                            ? (double)(b.commit_ns_sum - a.commit_ns_sum) /
                                  1e6 /
                                  (double)(b.commit_count - a.commit_count)
                            : 0;
  res->bounds = st.batch_size->bounds;
  res->nbounds = st.batch_size->nbounds;
  for (int i = 0; i <= LK_HIST_MAX_BUCKETS; i++)
    res->batch[i] = b.batch[i] - a.batch[i];
  return 0;
}

/* The batch size below which `q` of the writes were committed, as the
 * bucket bound (an upper bound of the true quantile). */
static double batch_quantile_by_writes(const struct result *r, double q) {
  double total = 0;
  double acc = 0;
  double lo = 0;
  double mid[LK_HIST_MAX_BUCKETS + 1];

  /* Weight each bucket by writes: commits times a representative size. */
  for (int i = 0; i <= r->nbounds; i++) {
    double hi = i < r->nbounds ? r->bounds[i] : lo * 2;
    mid[i] = (lo + 1 + hi) / 2;
    total += (double)r->batch[i] * mid[i];
    lo = hi;
  }
  for (int i = 0; i <= r->nbounds; i++) {
    acc += (double)r->batch[i] * mid[i];
    if (total > 0 && acc >= q * total)
      return i < r->nbounds ? r->bounds[i] : 1e9;
  }
  return 0;
}

static void print_histogram(const struct result *r) {
  double lo = 0;

  printf("      commits by batch size:");
  for (int i = 0; i <= r->nbounds; i++) {
    if (r->batch[i] > 0) {
      if (i < r->nbounds)
        printf(" %g-%g:%llu", lo + 1, r->bounds[i],
               (unsigned long long)r->batch[i]);
      else
        printf(" >%g:%llu", lo, (unsigned long long)r->batch[i]);
    }
    if (i < r->nbounds)
      lo = r->bounds[i];
  }
  printf("\n");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a;
  double y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, int n) {
  double s[MAX_ROUNDS];

  memcpy(s, v, sizeof(double) * (size_t)n);
  qsort(s, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void usage(FILE *f) {
  fputs("Usage: store_writes [--dir BASE] [--threads N] [--seconds S]\n"
        "                    [--warmup S] [--rounds R]\n"
        "  --dir BASE    where the fresh data directories go (default\n"
        "                $TMPDIR, else /var/tmp); put it on the disk under "
        "test\n"
        "  --threads N   concurrent writers (default 256)\n"
        "  --seconds S   measured window per mode and round (default 5)\n"
        "  --warmup S    unmeasured start of each measurement (default 1)\n"
        "  --rounds R    rounds; each measures both modes (default 5)\n",
        f);
}

static int parse(int argc, char **argv, struct config *cfg) {
  static const struct option longopts[] = {
      {"dir", required_argument, NULL, 'd'},
      {"threads", required_argument, NULL, 't'},
      {"seconds", required_argument, NULL, 's'},
      {"warmup", required_argument, NULL, 'w'},
      {"rounds", required_argument, NULL, 'r'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *tmp = getenv("TMPDIR");
  int opt;

  cfg->base = tmp != NULL && tmp[0] != '\0' ? tmp : "/var/tmp";
  cfg->threads = 256;
  cfg->seconds = 5;
  cfg->warmup = 1;
  cfg->rounds = 5;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'd':
      cfg->base = optarg;
      break;
    case 't':
      cfg->threads = (int)strtol(optarg, NULL, 10);
      break;
    case 's':
      cfg->seconds = strtod(optarg, NULL);
      break;
    case 'w':
      cfg->warmup = strtod(optarg, NULL);
      break;
    case 'r':
      cfg->rounds = (int)strtol(optarg, NULL, 10);
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (optind < argc || cfg->threads < 1 || cfg->threads > 4096 ||
      cfg->seconds <= 0 || cfg->warmup < 0 || cfg->rounds < 1 ||
      cfg->rounds > MAX_ROUNDS) {
    usage(stderr);
    return -1;
  }
  return 0;
}

static void describe_base(const char *base) {
  struct statfs fs;
  struct stat st;

  if (stat(base, &st) != 0 || statfs(base, &fs) != 0) {
    printf("data under %s\n", base);
    return;
  }
  printf("data under %s (device %u:%u, fs type 0x%lx)\n", base,
         major(st.st_dev), minor(st.st_dev), (unsigned long)fs.f_type);
  if ((unsigned long)fs.f_type == TMPFS_MAGIC_)
    printf("WARNING: %s is tmpfs: fsync costs nothing there and the "
           "figures say nothing about a disk\n",
           base);
}

int main(int argc, char **argv) {
  struct config cfg;
  struct result group[MAX_ROUNDS];
  struct result single[MAX_ROUNDS];
  double gw[MAX_ROUNDS], sw[MAX_ROUNDS], gb[MAX_ROUNDS], gc[MAX_ROUNDS];
  double sc[MAX_ROUNDS], gq50[MAX_ROUNDS], gq90[MAX_ROUNDS];
  struct sigaction sa;
  time_t now = time(NULL);
  char date[32];
  double gmed;
  double smed;

  if (parse(argc, argv, &cfg) != 0)
    return 2;
  if (lk_ids_init() != 0) {
    fputs("store_writes: libsodium failed to initialise\n", stderr);
    return 1;
  }
  lk_log_set_level(LK_LOG_WARN);
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));
  printf("== store_writes: acknowledged token creations/s, group commit vs "
         "one commit per write\n");
  printf("machine: %ld cores, %s\n", sysconf(_SC_NPROCESSORS_ONLN), date);
  printf("%d writer threads, %g s warm-up + %g s measured per mode, %d "
         "rounds, fresh data dir each\n",
         cfg.threads, cfg.warmup, cfg.seconds, cfg.rounds);
  describe_base(cfg.base);
  fflush(stdout);

  printf("%-6s %-7s %11s %10s %10s %12s\n", "round", "mode", "writes/s",
         "commits/s", "mean_batch", "commit_ms");
  for (int r = 0; r < cfg.rounds; r++) {
    for (int k = 0; k < 2; k++) {
      /* Alternate which mode runs first in a round. */
      bool g = (r % 2 == 0) ? k == 0 : k == 1;
      struct result *res = g ? &group[r] : &single[r];

      if (measure(&cfg, g, res) != 0) {
        fputs(interrupted ? "store_writes: interrupted\n"
                          : "store_writes: measurement failed\n",
              stderr);
        return 1;
      }
      printf("%-6d %-7s %11.0f %10.0f %10.1f %12.2f\n", r + 1,
             g ? "group" : "single", res->writes_s, res->commits_s,
             res->mean_batch, res->mean_commit_ms);
      if (g)
        print_histogram(res);
      fflush(stdout);
    }
    gw[r] = group[r].writes_s;
    sw[r] = single[r].writes_s;
    gb[r] = group[r].mean_batch;
    gc[r] = group[r].mean_commit_ms;
    sc[r] = single[r].mean_commit_ms;
    gq50[r] = batch_quantile_by_writes(&group[r], 0.5);
    gq90[r] = batch_quantile_by_writes(&group[r], 0.9);
  }
  gmed = median(gw, cfg.rounds);
  smed = median(sw, cfg.rounds);
  printf("\nsummary (%d rounds, medians):\n", cfg.rounds);
  printf("  group commit   %8.0f writes/s  mean batch %.1f writes/commit, "
         "half the writes in batches <= %g, 90%% <= %g; commit %.2f ms\n",
         gmed, median(gb, cfg.rounds), median(gq50, cfg.rounds),
         median(gq90, cfg.rounds), median(gc, cfg.rounds));
  printf("  one per write  %8.0f writes/s  commit %.2f ms\n", smed,
         median(sc, cfg.rounds));
  printf("  ratio group/single %.1f\n", smed > 0 ? gmed / smed : 0);
  printf("  target >= %.0f writes/s with group commit: %s\n", TARGET_WRITES_S,
         gmed >= TARGET_WRITES_S ? "met" : "MISSED");
  return 0;
}
