/* token_cache.c - a direct-mapped table of recently verified tokens.
 *
 * A revocation scans the whole table (revocations are rare, lookups are
 * not) and bumps a generation counter; a lookup that went to the database
 * stores its result only if no revocation happened meanwhile, so a token
 * revoked while it was being read is never cached as valid.
 */
#include "core/token_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/token.h"
#include "util/clock.h"

#define SLOTS 1024 /* a power of two */
#define TTL_MS 30000

struct slot {
  char hash[65]; /* "" when empty */
  int64_t expires;
  lk_token_row token;
};

struct lk_token_cache {
  lk_store *store;
  lk_bus *bus;
  lk_bus_listener *listener;
  pthread_mutex_t lock;
  uint64_t generation;
  struct slot slots[SLOTS];
};

static struct slot *slot_for(lk_token_cache *c, const char *hash) {
  /* The digest is uniformly random: its first hex digits index well. */
  unsigned long i = strtoul((char[]){hash[0], hash[1], hash[2], 0}, NULL, 16);

  return &c->slots[i & (SLOTS - 1)];
}

static void on_event(const lk_event *ev, void *ud) {
  lk_token_cache *c = ud;

  if (strcmp(ev->type, "token.revoked") != 0)
    return;
  pthread_mutex_lock(&c->lock);
  c->generation++;
  for (int i = 0; i < SLOTS; i++) {
    if (c->slots[i].hash[0] != '\0' &&
        strcmp(c->slots[i].token.id, ev->subject) == 0)
      c->slots[i].hash[0] = '\0';
  }
  pthread_mutex_unlock(&c->lock);
}

lk_token_cache *lk_token_cache_new(lk_store *store, lk_bus *bus) {
  lk_token_cache *c = calloc(1, sizeof(*c));

  if (c == NULL)
    return NULL;
  c->store = store;
  c->bus = bus;
  pthread_mutex_init(&c->lock, NULL);
  c->listener = lk_bus_listen(bus, on_event, c);
  if (c->listener == NULL) {
    pthread_mutex_destroy(&c->lock);
    free(c);
    return NULL;
  }
  return c;
}

void lk_token_cache_free(lk_token_cache *c) {
  if (c == NULL)
    return;
  lk_bus_unlisten(c->bus, c->listener);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

int lk_token_cache_verify(lk_token_cache *c, const char *secret,
                          lk_token_row *out) {
  int64_t now = lk_clock_mono_ms();
  char hash[65];
  struct slot *sl;
  uint64_t gen;
  int rc;

  if (lk_token_digest(secret, hash) != 0)
    return LK_STORE_NOTFOUND;
  sl = slot_for(c, hash);
  pthread_mutex_lock(&c->lock);
  if (strcmp(sl->hash, hash) == 0 && sl->expires > now) {
    *out = sl->token;
    pthread_mutex_unlock(&c->lock);
    return 0;
  }
  gen = c->generation;
  pthread_mutex_unlock(&c->lock);

  rc = lk_store_token_by_hash(c->store, hash, out);
  if (rc != 0)
    return rc;
  pthread_mutex_lock(&c->lock);
  if (c->generation == gen) {
    memcpy(sl->hash, hash, sizeof(sl->hash));
    sl->expires = now + TTL_MS;
    sl->token = *out;
  }
  pthread_mutex_unlock(&c->lock);
  return 0;
}
