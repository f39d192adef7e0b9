/* worker.c - see worker.h. */
#include "util/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct lk_worker {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  lk_work *head;
  lk_work *tail;
  int pending;
  int max_pending;
  bool stopping;
  int nthreads;
  pthread_t threads[64];
};

static void *worker_main(void *arg) {
  lk_worker *wk = arg;
  lk_work *w;

  pthread_mutex_lock(&wk->lock);
  for (;;) {
    while (wk->head == NULL && !wk->stopping)
      pthread_cond_wait(&wk->cond, &wk->lock);
    if (wk->head == NULL)
      break; /* stopping, and nothing left to do */
    w = wk->head;
    wk->head = w->next;
    if (wk->head == NULL)
      wk->tail = NULL;
    wk->pending--;
    pthread_mutex_unlock(&wk->lock);
    w->fn(w);
    pthread_mutex_lock(&wk->lock);
  }
  pthread_mutex_unlock(&wk->lock);
  return NULL;
}

lk_worker *lk_worker_new(int threads, int max_pending) {
  lk_worker *wk;

  if (threads < 1 || threads > 64 || max_pending < 1)
    return NULL;
  wk = calloc(1, sizeof(*wk));
  if (wk == NULL)
    return NULL;
  pthread_mutex_init(&wk->lock, NULL);
  pthread_cond_init(&wk->cond, NULL);
  wk->max_pending = max_pending;
  for (int i = 0; i < threads; i++) {
    if (pthread_create(&wk->threads[i], NULL, worker_main, wk) != 0) {
      lk_worker_free(wk);
      return NULL;
    }
    wk->nthreads++;
  }
  return wk;
}

int lk_worker_submit(lk_worker *wk, lk_work *w) {
  int rc = 0;

  pthread_mutex_lock(&wk->lock);
  if (wk->stopping) {
    rc = -ESHUTDOWN;
  } else if (wk->pending >= wk->max_pending) {
    rc = -EBUSY;
  } else {
    w->next = NULL;
    if (wk->tail != NULL)
      wk->tail->next = w;
    else
      wk->head = w;
    wk->tail = w;
    wk->pending++;
    pthread_cond_signal(&wk->cond);
  }
  pthread_mutex_unlock(&wk->lock);
  return rc;
}

void lk_worker_stop(lk_worker *wk) {
  int n;

  pthread_mutex_lock(&wk->lock);
  wk->stopping = true;
  n = wk->nthreads;
  wk->nthreads = 0;
  pthread_cond_broadcast(&wk->cond);
  pthread_mutex_unlock(&wk->lock);
  for (int i = 0; i < n; i++)
    pthread_join(wk->threads[i], NULL);
}

void lk_worker_free(lk_worker *wk) {
  if (wk == NULL)
    return;
  lk_worker_stop(wk);
  pthread_cond_destroy(&wk->cond);
  pthread_mutex_destroy(&wk->lock);
  free(wk);
}
