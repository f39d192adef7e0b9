/* conversation_writes.c - conversations created per second through the
 * store alone (no HTTP): N threads each loop lk_conv_create_prepare() and
 * lk_store_write() of a conversation from a new sender (so a new party and
 * address too), acknowledged after a full fsync.  Shows the writer's
 * ceiling for POST /api/v1/conversations (see bench/conversations.sh for
 * the figure over HTTP).
 *
 * Usage: conversation_writes [--dir BASE] [--threads N] [--seconds S]
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conversation.h"
#include "core/ids.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

static lk_store *store;
static atomic_bool running;
static atomic_long done;
static atomic_long failed;

static void *writer(void *arg) {
  lk_conv_caller caller = {"token:tok_bench000000000", "", "bench", false};
  lk_conv_create_op *op = malloc(sizeof(*op));
  long id = (long)(intptr_t)arg;
  char name[64];
  char email[96];
  long n = 0;

  while (op != NULL && atomic_load(&running)) {
    lk_conv_create_in in = {.channel = "webformulier",
                            .subject = "Melding openbare ruimte",
                            .content = "De lantaarnpaal voor ons huis is al "
                                       "een week kapot.",
                            .from_name = name,
                            .from_email = email};
    lk_invalid why;

    snprintf(name, sizeof(name), "Inwoner %ld-%ld", id, n);
    snprintf(email, sizeof(email), "inwoner.%ld.%ld@example.nl", id, n++);
    if (lk_conv_create_prepare(op, &caller, &in, &why) != 0 ||
        lk_store_write(store, lk_conv_create_apply, op) != 0)
      atomic_fetch_add(&failed, 1);
    else
      atomic_fetch_add(&done, 1);
  }
  free(op);
  return NULL;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"dir", required_argument, NULL, 'd'},
      {"threads", required_argument, NULL, 't'},
      {"seconds", required_argument, NULL, 's'},
      {NULL, 0, NULL, 0}};
  const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
  long threads = 64;
  long seconds = 5;
  char dir[256];
  lk_store_options so = {.group_commit = true};
  pthread_t *t;
  lk_store_stats st;
  uint64_t c0;
  long d0;
  int opt;

  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (opt == 'd')
      base = optarg;
    else if (opt == 't')
      threads = strtol(optarg, NULL, 10);
    else if (opt == 's')
      seconds = strtol(optarg, NULL, 10);
    else
      return 2;
  }
  if (threads < 1 || threads > 1024 || seconds < 1)
    return 2;
  lk_log_set_level(LK_LOG_WARN);
  lk_ids_init();
  snprintf(dir, sizeof(dir), "%s/loket-convw-XXXXXX", base);
  if (mkdtemp(dir) == NULL)
    return 1;
  so.dir = dir;
  if (lk_store_open(&so, &store) != 0)
    return 1;
  t = calloc((size_t)threads, sizeof(*t));
  atomic_store(&running, true);
  for (long i = 0; i < threads; i++)
    pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
  sleep(1); /* warm-up */
  d0 = atomic_load(&done);
  lk_store_stats_get(store, &st);
  c0 = st.commits;
  sleep((unsigned)seconds);
  lk_store_stats_get(store, &st);
  printf("threads %ld: %.0f conversations/s, %.0f commits/s, %ld failed\n",
         threads, (double)(atomic_load(&done) - d0) / (double)seconds,
         (double)(st.commits - c0) / (double)seconds, atomic_load(&failed));
  atomic_store(&running, false);
  for (long i = 0; i < threads; i++)
    pthread_join(t[i], NULL);
  free(t);
  lk_store_close(store);
  {
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
      return 1;
  }
  return 0;
}
