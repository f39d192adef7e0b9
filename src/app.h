/* app.h - what a running Loket holds, handed to every HTTP handler. */
#ifndef LK_APP_H
#define LK_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "events/bus.h"
#include "store/store.h"

struct lk_token_cache;

typedef struct lk_app {
  lk_store *store;
  lk_bus *bus;
  struct lk_token_cache *tokens; /* verified API tokens */
  const char *web_dir;           /* static files */
  size_t max_body;               /* largest request body accepted, bytes */
  size_t max_upload; /* the same for LK_ROUTE_UPLOAD routes (attachments) */
  int heartbeat_ms;  /* SSE comment interval */
  atomic_bool shutting_down;
} lk_app;

#endif
