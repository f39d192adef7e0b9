/* app.h - what a running Loket holds, handed to every HTTP handler. */
#ifndef LK_APP_H
#define LK_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "events/bus.h"
#include "store/store.h"

struct lk_token_cache;
struct lk_assigner;

typedef struct lk_app {
  lk_store *store;
  lk_bus *bus;
  struct lk_token_cache *tokens; /* verified API tokens */
  struct lk_assigner *assigner;  /* round-robin assignment */
  const char *web_dir;           /* static files */
  size_t max_body;               /* largest request body accepted, bytes */
  int heartbeat_ms;              /* SSE comment interval */
  atomic_bool shutting_down;
} lk_app;

#endif
