/* measure_ingest.c - what keeping the figures costs a write: the same
 * write mix with and without the measure hook (core/measure.h), in one
 * run, on fresh data directories, alternating which mode goes first.
 *
 * N threads (16 by default) each loop over one resident's conversation
 * life: create it (conversation.created + contact.added), answer it
 * (outbound), the resident writes again (inbound), answer again, resolve
 * it.  Every write goes through lk_store_write() with group commit, as in
 * the server.  The applies are timed inside the writer (the hook runs in
 * them, inside lk_tx_emit) in CPU time of the writer thread; the commits
 * (with fsync, wall time) come from the store's own histogram.  The cost of a
 * write is its apply time plus its share of the commit it rode in.
 *
 * The target (docs/benchmarks.md): ingesting the events of a write adds
 * less than 5% to the cost of that write.
 *
 * Usage: measure_ingest [--dir BASE] [--threads N] [--seconds S]
 *                       [--rounds R]
 *        measure_ingest --lives N --mode figures|plain [--dir BASE]
 *
 * The second form plays N conversation lives (spread over --threads
 * residents), untimed: a run for valgrind --tool=callgrind, whose
 * instruction counts say where the hooks' time goes (docs/benchmarks.md).
 */
#include <errno.h>
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
#include "core/measure.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define MAX_ROUNDS 20

struct config {
  const char *base;
  int threads;
  double seconds;
  int rounds;
};

struct shared {
  lk_store *store;
  atomic_bool stop;
  atomic_bool counting;
  _Atomic uint64_t writes;
  _Atomic uint64_t apply_ns;
  _Atomic uint64_t errors;
  long lives; /* > 0: play this many lives, then stop */
};

/* The hooks, timed: how much of a write's time is the figures' own.
 * CPU time of the writer thread, not wall time: on a shared machine a
 * preempted thread would count other processes' time. */
static _Atomic uint64_t hook_ns;

static int64_t cpu_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int timed_event(lk_tx *tx, const lk_event_row *ev, void *ud) {
  int64_t t0 = cpu_ns();
  int rc = lk_measure_on_event(tx, ev, ud);

  atomic_fetch_add(&hook_ns, (uint64_t)(cpu_ns() - t0));
  return rc;
}

static int timed_phase(lk_tx *tx, int phase, void *ud) {
  int64_t t0 = cpu_ns();
  int rc = lk_measure_on_phase(tx, phase, ud);

  atomic_fetch_add(&hook_ns, (uint64_t)(cpu_ns() - t0));
  return rc;
}

struct timed {
  struct shared *sh;
  lk_write_fn apply;
  void *op;
};

/* Runs the real apply and adds its time: only the writer thread runs it. */
static int timed_apply(lk_tx *tx, void *arg) {
  struct timed *t = arg;
  int64_t t0 = cpu_ns();
  int rc = t->apply(tx, t->op);

  if (atomic_load_explicit(&t->sh->counting, memory_order_relaxed)) {
    atomic_fetch_add(&t->sh->apply_ns, (uint64_t)(cpu_ns() - t0));
    atomic_fetch_add(&t->sh->writes, 1);
  }
  return rc;
}

static int write_timed(struct shared *sh, lk_write_fn apply, void *op) {
  struct timed t = {sh, apply, op};
  int rc = lk_store_write(sh->store, timed_apply, &t);

  if (rc != 0)
    atomic_fetch_add(&sh->errors, 1);
  return rc;
}

static const lk_conv_caller caller = {"token:tok_bench000000000", "", "bench",
                                      true};

static void *resident(void *arg) {
  struct shared *sh = arg;
  lk_conv_create_op *c = malloc(sizeof(*c));
  lk_conv_message_op *m = malloc(sizeof(*m));
  lk_conv_update_op *u = malloc(sizeof(*u));
  static const char *const kinds[] = {"outbound", "inbound", "outbound"};
  lk_invalid why;

  for (long life = 0; c != NULL && m != NULL && u != NULL &&
                      !atomic_load_explicit(&sh->stop, memory_order_relaxed) &&
                      (sh->lives == 0 || life < sh->lives);
       life++) {
    lk_conv_create_in in = {.channel = "email",
                            .subject = "Paspoort",
                            .content = "Wanneer is mijn paspoort klaar?",
                            .from_name = "Inwoner"};
    lk_conv_update_in up = {.status = "resolved"};

    if (lk_conv_create_prepare(c, &caller, &in, &why) != 0 ||
        write_timed(sh, lk_conv_create_apply, c) != 0)
      break;
    for (int i = 0; i < 3; i++) {
      lk_conv_message_in mi = {.kind = kinds[i], .content = "Dank u wel."};

      if (lk_conv_message_prepare(m, &caller, c->conv.id, &mi, &why) != 0 ||
          write_timed(sh, lk_conv_message_apply, m) != 0)
        goto out;
    }
    if (lk_conv_update_prepare(u, &caller, c->conv.id, &up, 0, &why) != 0 ||
        write_timed(sh, lk_conv_update_apply, u) != 0)
      break;
  }
out:
  free(c);
  free(m);
  free(u);
  return NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

struct result {
  double hook_us; /* per write, in the hooks */
  double writes_s;
  double apply_us;  /* per write */
  double commit_us; /* per write: its share of the commit */
};

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

  nanosleep(&ts, NULL);
}

static int measure(const struct config *cfg, bool hook, struct result *res) {
  char dir[4096];
  lk_store_options so = {0};
  struct shared sh;
  lk_measure *m = lk_measure_new();
  pthread_t *tids = calloc((size_t)cfg->threads, sizeof(*tids));
  lk_store_stats st;
  uint64_t c0_ns, c0_n, w0, c1_ns, c1_n, w1;
  int64_t t0, t1;
  uint64_t hook_total;
  int started = 0;

  if (m == NULL || tids == NULL ||
      snprintf(dir, sizeof(dir), "%s/loket-measure.XXXXXX", cfg->base) >=
          (int)sizeof(dir) ||
      mkdtemp(dir) == NULL) {
    fprintf(stderr, "measure_ingest: cannot set up in %s\n", cfg->base);
    free(tids);
    lk_measure_free(m);
    return -1;
  }
  so.dir = dir;
  so.group_commit = true;
  if (hook) {
    so.on_tx_event = timed_event;
    so.on_tx_phase = timed_phase;
    so.on_tx_event_ud = m;
  }
  memset(&sh, 0, sizeof(sh));
  if (lk_store_open(&so, &sh.store) != 0) {
    fprintf(stderr, "measure_ingest: cannot open a store in %s\n", dir);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(tids);
    lk_measure_free(m);
    return -1;
  }
  for (int i = 0; i < cfg->threads; i++) {
    if (pthread_create(&tids[i], NULL, resident, &sh) != 0)
      break;
    started++;
  }
  sleep_s(0.5); /* warm-up: statements prepared, pages cached */
  lk_store_stats_get(sh.store, &st);
  c0_ns = atomic_load(&st.commit_seconds->sum);
  c0_n = atomic_load(&st.commit_seconds->count);
  w0 = st.writes;
  atomic_store(&hook_ns, 0);
  atomic_store(&sh.counting, true);
  t0 = lk_clock_mono_ns();
  sleep_s(cfg->seconds);
  atomic_store(&sh.counting, false);
  t1 = lk_clock_mono_ns();
  lk_store_stats_get(sh.store, &st);
  c1_ns = atomic_load(&st.commit_seconds->sum);
  c1_n = atomic_load(&st.commit_seconds->count);
  w1 = st.writes;
  hook_total = atomic_load(&hook_ns);
  atomic_store(&sh.stop, true);
  for (int i = 0; i < started; i++)
    pthread_join(tids[i], NULL);
  lk_store_close(sh.store);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(tids);
  lk_measure_free(m);
  if (atomic_load(&sh.errors) > 0 || started < cfg->threads ||
      atomic_load(&sh.writes) == 0 || c1_n == c0_n) {
    fprintf(stderr, "measure_ingest: the run failed (%llu errors)\n",
            (unsigned long long)atomic_load(&sh.errors));
    return -1;
  }
  (void)c0_n;
  res->writes_s = (double)atomic_load(&sh.writes) / ((double)(t1 - t0) / 1e9);
  res->hook_us = (double)hook_total / 1e3 / (double)(w1 - w0);
  res->apply_us =
      (double)atomic_load(&sh.apply_ns) / 1e3 / (double)atomic_load(&sh.writes);
  /* commit_seconds covers the whole batch (applies included): take the
   * applies out to leave BEGIN, savepoints, COMMIT and the fsync. */
  res->commit_us =
      (double)(c1_ns - c0_ns) / 1e3 / (double)(w1 - w0) - res->apply_us;
  if (res->commit_us < 0)
    res->commit_us = 0;
  return 0;
}

/* N lives in this thread, with or without the hooks, for callgrind. */
static int lives(const struct config *cfg, long n, bool hook) {
  char dir[4096];
  lk_store_options so = {0};
  struct shared sh;
  lk_measure *m = lk_measure_new();
  int rc;

  if (m == NULL ||
      snprintf(dir, sizeof(dir), "%s/loket-measure.XXXXXX", cfg->base) >=
          (int)sizeof(dir) ||
      mkdtemp(dir) == NULL) {
    lk_measure_free(m);
    return -1;
  }
  so.dir = dir;
  so.group_commit = true;
  if (hook)
    lk_measure_store_options(&so, m);
  memset(&sh, 0, sizeof(sh));
  rc = lk_store_open(&so, &sh.store);
  if (rc == 0) {
    pthread_t tids[64];
    int nt = cfg->threads < 64 ? cfg->threads : 64;

    /* As many residents as --threads, so writes share commits as they do
     * in the timed mode (under valgrind the threads take turns). */
    sh.lives = n / nt > 0 ? n / nt : 1;
    atomic_store(&sh.counting, true);
    for (int i = 0; i < nt; i++) {
      if (pthread_create(&tids[i], NULL, resident, &sh) != 0)
        nt = i;
    }
    for (int i = 0; i < nt; i++)
      pthread_join(tids[i], NULL);
    lk_store_close(sh.store);
    printf("%llu writes, %llu errors\n",
           (unsigned long long)atomic_load(&sh.writes),
           (unsigned long long)atomic_load(&sh.errors));
  }
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  lk_measure_free(m);
  return rc == 0 && atomic_load(&sh.errors) == 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a;
  double y = *(const double *)b;

  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"dir", required_argument, NULL, 'd'},
      {"threads", required_argument, NULL, 't'},
      {"seconds", required_argument, NULL, 's'},
      {"rounds", required_argument, NULL, 'r'},
      {"lives", required_argument, NULL, 'l'},
      {"mode", required_argument, NULL, 'm'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  struct config cfg = {getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/var/tmp",
                       16, 3.0, 3};
  double cost[2][MAX_ROUNDS], apply[2][MAX_ROUNDS], rate[2][MAX_ROUNDS];
  double hooks[2][MAX_ROUNDS];
  double c_on, c_off, a_on, a_off;
  long nlives = 0;
  const char *mode = "figures";
  int opt;

  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case 'd':
      cfg.base = optarg;
      break;
    case 't':
      cfg.threads = (int)strtol(optarg, NULL, 10);
      break;
    case 's':
      cfg.seconds = strtod(optarg, NULL);
      break;
    case 'r':
      cfg.rounds = (int)strtol(optarg, NULL, 10);
      break;
    case 'l':
      nlives = strtol(optarg, NULL, 10);
      break;
    case 'm':
      mode = optarg;
      break;
    default:
      fputs("Usage: measure_ingest [--dir BASE] [--threads N] [--seconds S]"
            " [--rounds R]\n",
            opt == 'h' ? stdout : stderr);
      return opt == 'h' ? 0 : 2;
    }
  }
  if (cfg.threads < 1 || cfg.threads > 1024 || cfg.seconds <= 0 ||
      cfg.rounds < 1 || cfg.rounds > MAX_ROUNDS) {
    fputs("measure_ingest: bad --threads, --seconds or --rounds\n", stderr);
    return 2;
  }
  if (lk_ids_init() != 0)
    return 1;
  lk_log_set_level(LK_LOG_ERROR);
  if (nlives > 0)
    return lives(&cfg, nlives, strcmp(mode, "plain") != 0) == 0 ? 0 : 1;
  printf("measure_ingest: %d threads, %.1f s per mode, %d rounds, in %s\n",
         cfg.threads, cfg.seconds, cfg.rounds, cfg.base);
  for (int r = 0; r < cfg.rounds; r++) {
    for (int k = 0; k < 2; k++) {
      bool hook = (r + k) % 2 == 0; /* alternate which goes first */
      struct result res;

      if (measure(&cfg, hook, &res) != 0)
        return 1;
      cost[hook][r] = res.apply_us + res.commit_us;
      apply[hook][r] = res.apply_us;
      rate[hook][r] = res.writes_s;
      hooks[hook][r] = res.hook_us;
      printf("  round %d %-8s %8.0f writes/s  apply %6.1f us  commit share "
             "%6.1f us  cost %6.1f us  in hooks %5.1f us\n",
             r + 1, hook ? "figures" : "plain", res.writes_s, res.apply_us,
             res.commit_us, res.apply_us + res.commit_us, res.hook_us);
    }
  }
  c_on = median(cost[1], cfg.rounds);
  c_off = median(cost[0], cfg.rounds);
  a_on = median(apply[1], cfg.rounds);
  a_off = median(apply[0], cfg.rounds);
  printf("median cost per write: plain %.1f us, with figures %.1f us: "
         "+%.1f%% (target < 5%%)\n",
         c_off, c_on, (c_on - c_off) / c_off * 100);
  printf("median apply (CPU in the writer): plain %.1f us, with figures "
         "%.1f us: +%.1f us\n",
         a_off, a_on, a_on - a_off);
  printf("median time in the hooks per write: %.1f us: %.1f%% of the plain "
         "cost\n",
         median(hooks[1], cfg.rounds),
         median(hooks[1], cfg.rounds) / c_off * 100);
  printf("median writes/s: plain %.0f, with figures %.0f\n",
         median(rate[0], cfg.rounds), median(rate[1], cfg.rounds));
  return 0;
}
