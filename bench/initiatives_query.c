/* initiatives_query.c - the store-level half of bench/initiatives.py: the
 * public list of initiatives and one initiative as Loket reads them
 * (counters kept in the write), against the same reads with the
 * followers and updates counted by COUNT(*) at request time, alternating
 * request by request on one seeded database.
 *
 *   initiatives_query --dir DATA [--rounds N]
 *
 * Prints p50/p95/p99 in milliseconds per set and the ratios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "store/participation.h"

static const char *const themes[] = {"", "groen", "samenleven", "sport",
                                     "cultuur"};
static const char *const hoods[] = {"", "oost", "binnenstad", "overvecht",
                                    "zuid"};
static const char *const statuses[] = {"", "published", "running", "completed"};

static double now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void report(const char *name, double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp);
  printf("%-34s n=%-5d p50 %7.3f  p95 %7.3f  p99 %7.3f ms\n", name, n, v[n / 2],
         v[n * 95 / 100], v[n * 99 / 100]);
}

struct sink {
  int64_t sum;
  int n;
};

static void sink_row(const lk_initiative_row *r, void *ud) {
  struct sink *s = ud;

  s->sum += r->followers_count + r->updates_count;
  s->n++;
}

struct ids {
  char (*v)[LK_PS_ID_LEN + 1];
  int n, max;
};

static void keep_id(const lk_initiative_row *r, void *ud) {
  struct ids *c = ud;

  if (c->n < c->max)
    snprintf(c->v[c->n++], LK_PS_ID_LEN + 1, "%s", r->id);
}

int main(int argc, char **argv) {
  const char *dir = NULL;
  int rounds = 300;
  lk_store_options opt = {0};
  lk_store *s;
  double *a, *b, *c, *d, *e, *f2;
  struct ids ids = {0};
  lk_initiative_row *row;
  unsigned seed = 42;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = (int)strtol(argv[++i], NULL, 10);
  }
  if (dir == NULL || rounds < 10 || rounds > 100000) {
    fputs("usage: initiatives_query --dir DATA [--rounds N]\n", stderr);
    return 2;
  }
  if (lk_ids_init() != 0)
    return 1;
  opt.dir = dir;
  opt.no_migrate = true;
  if (lk_store_open(&opt, &s) != 0) {
    fprintf(stderr, "cannot open the store in %s\n", dir);
    return 1;
  }
  a = calloc((size_t)rounds, sizeof(double));
  b = calloc((size_t)rounds, sizeof(double));
  c = calloc((size_t)rounds, sizeof(double));
  d = calloc((size_t)rounds, sizeof(double));
  e = calloc((size_t)rounds, sizeof(double));
  f2 = calloc((size_t)rounds, sizeof(double));
  ids.max = 2000;
  ids.v = calloc((size_t)ids.max, sizeof(*ids.v));
  row = malloc(sizeof(*row));
  if (a == NULL || b == NULL || c == NULL || d == NULL || e == NULL ||
      f2 == NULL || ids.v == NULL || row == NULL)
    return 1;
  {
    /* Ids spread over the whole table: pages that start at random
     * points of the publication times (bench/initiatives.py publishes
     * one a second, newest first). */
    lk_initiative_filter f;
    int64_t newest;

    memset(&f, 0, sizeof(f));
    lk_store_initiatives_public(s, &f, 1, keep_id, &ids);
    if (ids.n == 0) {
      fputs("no public initiatives: seed first (bench/initiatives.py)\n",
            stderr);
      return 1;
    }
    lk_store_initiative_get(s, NULL, ids.v[0], row);
    newest = row->published_at;
    while (ids.n < ids.max) {
      int before = ids.n;

      f.after_published = newest - (int64_t)(rand_r(&seed) % 100000) * 1000;
      snprintf(f.after_id, sizeof(f.after_id), "%s",
               "ffffffff-ffff-ffff-ffff-ffffffffffff");
      lk_store_initiatives_public(s, &f, 10, keep_id, &ids);
      if (ids.n == before)
        break;
    }
  }
  for (int i = 0; i < rounds; i++) {
    lk_initiative_filter f;
    struct sink sk = {0};
    double t0;
    int64_t n;
    const char *id = ids.v[rand_r(&seed) % (unsigned)(ids.n > 0 ? ids.n : 1)];

    memset(&f, 0, sizeof(f));
    snprintf(f.theme, sizeof(f.theme), "%s", themes[rand_r(&seed) % 5]);
    snprintf(f.neighbourhood, sizeof(f.neighbourhood), "%s",
             hoods[rand_r(&seed) % 5]);
    snprintf(f.status, sizeof(f.status), "%s", statuses[rand_r(&seed) % 4]);
    /* Which of the pair goes first alternates, so neither gains from
     * the pages the other just read. */
    for (int k = 0; k < 2; k++) {
      if ((i + k) % 2 == 0) {
        t0 = now_ms();
        lk_store_initiatives_public(s, &f, 20, sink_row, &sk);
        a[i] = now_ms() - t0;
        t0 = now_ms();
        lk_store_initiative_get(s, NULL, id, row);
        c[i] = now_ms() - t0;
      } else {
        t0 = now_ms();
        lk_store_initiatives_public_counting(s, &f, 20, sink_row, &sk);
        b[i] = now_ms() - t0;
        t0 = now_ms();
        lk_store_initiative_get(s, NULL, id, row);
        lk_store_initiative_followers_counted(s, id, &n);
        d[i] = now_ms() - t0;
      }
    }
    if (sk.n < 0)
      return 1;
  }
  /* The popular ones (bench/initiatives.py gives every 100th initiative,
   * numbers 100k + 5, 1,000 followers). */
  for (int i = 0; i < rounds; i++) {
    char id[LK_PS_ID_LEN + 1];
    double t0;
    int64_t n;

    snprintf(id, sizeof(id), "01900000-0000-7000-8000-%012x",
             (unsigned)(rand_r(&seed) % 1000) * 100 + 5);
    for (int k = 0; k < 2; k++) {
      t0 = now_ms();
      lk_store_initiative_get(s, NULL, id, row);
      if ((i + k) % 2 == 0) {
        e[i] = now_ms() - t0;
      } else {
        lk_store_initiative_followers_counted(s, id, &n);
        f2[i] = now_ms() - t0;
      }
    }
  }
  report("list, counters (Loket)", a, rounds);
  report("list, COUNT(*) per row (reference)", b, rounds);
  report("initiative, counter (Loket)", c, rounds);
  report("initiative + COUNT(*) (reference)", d, rounds);
  report("popular initiative, counter", e, rounds);
  report("popular initiative + COUNT(*)", f2, rounds);
  printf("p50 ratio reference/Loket: list %.1f, initiative %.1f, popular "
         "initiative %.1f\n",
         b[rounds / 2] / a[rounds / 2], d[rounds / 2] / c[rounds / 2],
         f2[rounds / 2] / e[rounds / 2]);
  lk_store_close(s);
  free(a);
  free(b);
  free(c);
  free(d);
  free(e);
  free(f2);
  free(ids.v);
  free(row);
  return 0;
}
