/* Unit tests for util/worker.h: work runs off the caller's thread, the
 * queue is bounded, and stopping finishes what was queued. */
#include "lk_test.h"

#include <errno.h>
#include <pthread.h>

#include "util/worker.h"

struct job {
  lk_work work; /* first */
  pthread_mutex_t *lock;
  pthread_cond_t *cond;
  bool *gate; /* the job waits until *gate is true */
  int *done;
  pthread_t ran_on;
};

static void run(lk_work *w) {
  struct job *j = (struct job *)(void *)w;

  pthread_mutex_lock(j->lock);
  while (!*j->gate)
    pthread_cond_wait(j->cond, j->lock);
  j->ran_on = pthread_self();
  (*j->done)++;
  pthread_cond_broadcast(j->cond);
  pthread_mutex_unlock(j->lock);
}

static void test_runs_bounded_and_drains(void **state) {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  bool gate = false;
  int done = 0;
  struct job jobs[6];
  lk_worker *wk = lk_worker_new(1, 4);
  int queued = 0;

  (void)state;
  assert_non_null(wk);
  for (int i = 0; i < 6; i++) {
    jobs[i] = (struct job){{run, NULL}, &lock, &cond, &gate, &done, 0};
  }
  /* The one thread takes the first job and blocks on the gate; four more
   * fill the queue; the sixth is refused. */
  assert_int_equal(lk_worker_submit(wk, &jobs[0].work), 0);
  queued++;
  for (int tries = 0; tries < 1000; tries++) {
    if (lk_worker_submit(wk, &jobs[queued].work) == 0) {
      if (++queued == 5)
        break;
    } else {
      usleep(1000);
    }
  }
  assert_int_equal(queued, 5);
  assert_int_equal(lk_worker_submit(wk, &jobs[5].work), -EBUSY);
  pthread_mutex_lock(&lock);
  gate = true;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  /* Stopping runs everything queued first. */
  lk_worker_stop(wk);
  assert_int_equal(done, 5);
  for (int i = 0; i < 5; i++)
    assert_false(pthread_equal(jobs[i].ran_on, pthread_self()));
  assert_int_equal(lk_worker_submit(wk, &jobs[5].work), -ESHUTDOWN);
  lk_worker_stop(wk);
  lk_worker_free(wk);
  lk_worker_free(NULL);
  assert_null(lk_worker_new(0, 1));
  assert_null(lk_worker_new(1, 0));
  assert_null(lk_worker_new(65, 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_runs_bounded_and_drains),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
