/* lk_test_store.h - a store in a scratch directory that records the
 * events it delivers, for the unit tests of modules that write.
 *
 * Only for tests/unit/test_*.c, after lk_test.h.
 */
#ifndef LK_TEST_STORE_H
#define LK_TEST_STORE_H

#include <pthread.h>

#include "store/store.h"

typedef struct fixture {
  lk_test_dir dir;
  lk_store *store;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int nevents;
  char types[8][32];
  char payloads[8][512];
} fixture;

static inline void record_event(const lk_event_row *ev, void *ud) {
  fixture *fx = ud;

  pthread_mutex_lock(&fx->lock);
  if (fx->nevents < 8) {
    snprintf(fx->types[fx->nevents], 32, "%s", ev->type);
    snprintf(fx->payloads[fx->nevents], 512, "%s", ev->payload);
    fx->nevents++;
  }
  pthread_cond_broadcast(&fx->cond);
  pthread_mutex_unlock(&fx->lock);
}

/* Waits for `n` events (ctest's timeout catches a hang). */
static inline void wait_events(fixture *fx, int n) {
  pthread_mutex_lock(&fx->lock);
  while (fx->nevents < n)
    pthread_cond_wait(&fx->cond, &fx->lock);
  pthread_mutex_unlock(&fx->lock);
}

static inline int setup_store(void **state) {
  fixture *fx = calloc(1, sizeof(*fx));
  lk_store_options opt = {.group_commit = true, .on_events = record_event};

  if (fx == NULL)
    return -1;
  lk_test_dir_make(&fx->dir);
  pthread_mutex_init(&fx->lock, NULL);
  pthread_cond_init(&fx->cond, NULL);
  opt.dir = fx->dir.path;
  opt.on_events_ud = fx;
  *state = fx;
  return lk_store_open(&opt, &fx->store) == 0 ? 0 : -1;
}

static inline int teardown_store(void **state) {
  fixture *fx = *state;

  lk_store_close(fx->store);
  lk_test_dir_remove(&fx->dir);
  pthread_cond_destroy(&fx->cond);
  pthread_mutex_destroy(&fx->lock);
  free(fx);
  return 0;
}

#endif
