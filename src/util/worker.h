/* worker.h - a few threads for slow CPU work, so HTTP threads never wait.
 *
 * Password hashing (argon2id: about 0.1 s and 64 MiB a time) would stall
 * every connection served by the HTTP thread that ran it.  Instead the
 * handler suspends its request and queues the work here; a worker thread
 * runs it and resumes the request.  Like Redis's bio.c: fixed threads, one
 * queue.  The queue is bounded, so a flood of log-ins is turned away (the
 * caller answers 503) instead of piling up memory and latency.
 */
#ifndef LK_WORKER_H
#define LK_WORKER_H

typedef struct lk_work {
  void (*fn)(struct lk_work *w); /* runs on a worker thread */
  struct lk_work *next;          /* private */
} lk_work;

typedef struct lk_worker lk_worker;

/* Starts `threads` threads (1..64) that take at most `max_pending` queued
 * items.  Returns NULL on bad arguments or failure. */
lk_worker *lk_worker_new(int threads, int max_pending);
/* Queues `w` (the caller keeps it alive until its fn has run).  Returns 0,
 * or -EBUSY when max_pending items wait already, or -ESHUTDOWN once
 * lk_worker_free() has begun; fn is then not called. */
int lk_worker_submit(lk_worker *wk, lk_work *w);
/* Runs what is queued and stops the threads; later submits get
 * -ESHUTDOWN.  Safe to call twice. */
void lk_worker_stop(lk_worker *wk);
/* lk_worker_stop(), then frees.  Safe with NULL. */
void lk_worker_free(lk_worker *wk);

#endif
