/* ratelimit.c - see ratelimit.h.
 *
 * The table is set-associative: a key's digest picks a set of WAYS
 * entries; each entry keeps the times of its recent attempts, oldest
 * first.  The digest is keyed with a random key per limiter so that which
 * set a key lands in cannot be predicted from outside.
 */
#include "core/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4
#define DIGEST 16

struct entry {
  unsigned char digest[DIGEST];
  int n;           /* attempts recorded, 0 for a free entry */
  int64_t *stamps; /* n times, ascending; room for rl->max */
};

struct lk_ratelimit {
  pthread_mutex_t lock;
  lk_clock *clock;
  int max;
  int64_t window_ms;
  size_t nsets;
  struct entry *entries; /* nsets * WAYS */
  int64_t *stamps;       /* nsets * WAYS * max */
  unsigned char key[crypto_generichash_KEYBYTES];
};

lk_ratelimit *lk_ratelimit_new(int max, int64_t window_ms, size_t keys,
                               lk_clock *clock) {
  lk_ratelimit *rl;
  size_t n;

  if (max < 1 || max > LK_RATELIMIT_MAX_HITS || window_ms <= 0 || clock == NULL)
    return NULL;
  if (keys == 0)
    keys = 4096;
  rl = calloc(1, sizeof(*rl));
  if (rl == NULL)
    return NULL;
  rl->nsets = (keys + WAYS - 1) / WAYS;
  n = rl->nsets * WAYS;
  rl->entries = calloc(n, sizeof(*rl->entries));
  rl->stamps = calloc(n * (size_t)max, sizeof(*rl->stamps));
  if (rl->entries == NULL || rl->stamps == NULL) {
    free(rl->entries);
    free(rl->stamps);
    free(rl);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    rl->entries[i].stamps = rl->stamps + i * (size_t)max;
  pthread_mutex_init(&rl->lock, NULL);
  rl->clock = clock;
  rl->max = max;
  rl->window_ms = window_ms;
  randombytes_buf(rl->key, sizeof(rl->key));
  return rl;
}

void lk_ratelimit_free(lk_ratelimit *rl) {
  if (rl == NULL)
    return;
  pthread_mutex_destroy(&rl->lock);
  free(rl->entries);
  free(rl->stamps);
  free(rl);
}

static struct entry *set_of(lk_ratelimit *rl, const char *key,
                            unsigned char digest[DIGEST]) {
  uint64_t h;

  crypto_generichash(digest, DIGEST, (const unsigned char *)key, strlen(key),
                     rl->key, sizeof(rl->key));
  memcpy(&h, digest, sizeof(h));
  return rl->entries + (h % rl->nsets) * WAYS;
}

/* Drops the attempts that have left the window. */
static void expire(lk_ratelimit *rl, struct entry *e, int64_t now) {
  int keep = 0;

  while (keep < e->n && e->stamps[keep] <= now - rl->window_ms)
    keep++;
  if (keep > 0) {
    memmove(e->stamps, e->stamps + keep,
            (size_t)(e->n - keep) * sizeof(*e->stamps));
    e->n -= keep;
  }
}

/* The entry of `digest` in `set`, or NULL. */
static struct entry *find(struct entry *set, const unsigned char *digest) {
  for (int i = 0; i < WAYS; i++) {
    if (set[i].n > 0 && memcmp(set[i].digest, digest, DIGEST) == 0)
      return &set[i];
  }
  return NULL;
}

/* True if entry `a` should be given up before entry `b` (both in use).
 * Whoever floods a set with new keys must not push out the counter of the
 * account they attack: an entry that is not blocked goes before a blocked
 * one, and among those the one with the fewest attempts (then the oldest
 * last attempt), so a key with one attempt goes before a victim's
 * failures.  Blocked entries are given up only when the whole set is
 * blocked, and then the most recently blocked first, so the older blocks
 * (a victim's, made before the flood) run to the end of their window. */
static bool evict_before(const lk_ratelimit *rl, const struct entry *a,
                         const struct entry *b) {
  bool a_blocked = a->n >= rl->max;
  bool b_blocked = b->n >= rl->max;

  if (a_blocked != b_blocked)
    return !a_blocked;
  if (a_blocked)
    return a->stamps[a->n - 1] > b->stamps[b->n - 1];
  if (a->n != b->n)
    return a->n < b->n;
  return a->stamps[a->n - 1] < b->stamps[b->n - 1];
}

/* A free entry of `set`, or else the one evict_before() gives up first. */
static struct entry *claim(const lk_ratelimit *rl, struct entry *set,
                           const unsigned char *digest) {
  struct entry *e = &set[0];

  for (int i = 0; i < WAYS; i++) {
    if (set[i].n == 0) {
      e = &set[i];
      break;
    }
    if (evict_before(rl, &set[i], e))
      e = &set[i];
  }
  memcpy(e->digest, digest, DIGEST);
  e->n = 0;
  return e;
}

int64_t lk_ratelimit_hit(lk_ratelimit *rl, const char *key, int64_t *stamp) {
  unsigned char digest[DIGEST];
  struct entry *set = set_of(rl, key, digest);
  struct entry *e;
  int64_t now;
  int64_t wait = 0;

  pthread_mutex_lock(&rl->lock);
  now = lk_clock_now(rl->clock);
  for (int i = 0; i < WAYS; i++)
    expire(rl, &set[i], now);
  e = find(set, digest);
  if (e == NULL)
    e = claim(rl, set, digest);
  if (e->n >= rl->max) {
    wait = e->stamps[0] + rl->window_ms - now;
    if (wait < 1)
      wait = 1;
  } else {
    /* Keep the times ascending even if the clock stepped back. */
    int64_t t =
        e->n > 0 && e->stamps[e->n - 1] > now ? e->stamps[e->n - 1] : now;
    e->stamps[e->n++] = t;
    if (stamp != NULL)
      *stamp = t;
  }
  pthread_mutex_unlock(&rl->lock);
  return wait;
}

void lk_ratelimit_forgive(lk_ratelimit *rl, const char *key, int64_t stamp) {
  unsigned char digest[DIGEST];
  struct entry *set = set_of(rl, key, digest);
  struct entry *e;

  pthread_mutex_lock(&rl->lock);
  e = find(set, digest);
  for (int i = e != NULL ? e->n - 1 : -1; i >= 0; i--) {
    if (e->stamps[i] == stamp) {
      memmove(e->stamps + i, e->stamps + i + 1,
              (size_t)(e->n - i - 1) * sizeof(*e->stamps));
      e->n--;
      break;
    }
  }
  pthread_mutex_unlock(&rl->lock);
}

void lk_ratelimit_reset(lk_ratelimit *rl, const char *key) {
  unsigned char digest[DIGEST];
  struct entry *set = set_of(rl, key, digest);
  struct entry *e;

  pthread_mutex_lock(&rl->lock);
  e = find(set, digest);
  if (e != NULL)
    e->n = 0;
  pthread_mutex_unlock(&rl->lock);
}

int lk_ratelimit_count(lk_ratelimit *rl, const char *key) {
  unsigned char digest[DIGEST];
  struct entry *set = set_of(rl, key, digest);
  struct entry *e;
  int n = 0;

  pthread_mutex_lock(&rl->lock);
  e = find(set, digest);
  if (e != NULL) {
    expire(rl, e, lk_clock_now(rl->clock));
    n = e->n;
  }
  pthread_mutex_unlock(&rl->lock);
  return n;
}
