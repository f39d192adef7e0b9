/* calamity.c - the calamity mode's state, page cache and load shedding.
 *
 * The cache holds at most CACHE_SLOTS rendered responses (the front page
 * /actueel, its JSON, and the calamity notice's page and JSON) keyed by
 * path.  A generation counter, bumped by the bus listener for every
 * notice.* and calamity.changed event, makes them stale; the rendering
 * happens on the request thread that next asks, never on the writer.
 */
#include "pages/calamity.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ki/ki.h"
#include "app.h"
#include "http/problem.h"
#include "http/server.h"
#include "store/calamity.h"

#define CACHE_SLOTS 4
#define PATH_MAX_LEN 96

struct slot {
  char path[PATH_MAX_LEN];
  char type[48];
  char etag[24];
  char *data;
  size_t len;
  uint64_t gen;
};

struct lk_calamity {
  lk_bus *bus;
  lk_bus_listener *listener;
  pthread_mutex_t lock; /* id and slots */
  char id[LK_CALAMITY_ID_MAX];
  atomic_bool on;
  _Atomic uint64_t gen;
  struct slot slots[CACHE_SLOTS];
};

/* The generation seen by the request being rendered on this thread. */
static _Thread_local uint64_t render_gen;

/* Bus listener (writer thread): cheap bookkeeping only. */
static void on_event(const lk_event *ev, void *ud) {
  lk_calamity *c = ud;
  json_t *doc, *id;

  if (strncmp(ev->type, "notice.", 7) == 0) {
    atomic_fetch_add(&c->gen, 1);
    return;
  }
  if (strcmp(ev->type, "calamity.changed") != 0)
    return;
  doc = json_loadb(ev->json, ev->json_len, 0, NULL);
  id = json_object_get(json_object_get(doc, "data"), "noticeId");
  pthread_mutex_lock(&c->lock);
  snprintf(c->id, sizeof(c->id), "%s",
           json_is_string(id) ? json_string_value(id) : "");
  atomic_store(&c->on, c->id[0] != '\0');
  pthread_mutex_unlock(&c->lock);
  atomic_fetch_add(&c->gen, 1);
  json_decref(doc);
}

lk_calamity *lk_calamity_new(lk_store *store, lk_bus *bus) {
  lk_calamity *c = calloc(1, sizeof(*c));

  if (c == NULL)
    return NULL;
  pthread_mutex_init(&c->lock, NULL);
  atomic_init(&c->gen, 1);
  if (lk_store_calamity_get(store, c->id) != 0) {
    lk_calamity_free(c);
    return NULL;
  }
  atomic_init(&c->on, c->id[0] != '\0');
  c->bus = bus;
  c->listener = lk_bus_listen(bus, on_event, c);
  if (c->listener == NULL) {
    lk_calamity_free(c);
    return NULL;
  }
  return c;
}

void lk_calamity_free(lk_calamity *c) {
  if (c == NULL)
    return;
  if (c->listener != NULL)
    lk_bus_unlisten(c->bus, c->listener);
  for (int i = 0; i < CACHE_SLOTS; i++)
    free(c->slots[i].data);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

bool lk_calamity_active(lk_calamity *c, char *id, size_t size) {
  bool on;

  if (c == NULL || !atomic_load(&c->on))
    return false;
  pthread_mutex_lock(&c->lock);
  on = c->id[0] != '\0';
  if (id != NULL && size > 0)
    snprintf(id, size, "%s", c->id);
  pthread_mutex_unlock(&c->lock);
  return on;
}

/* The slot index of `path` while on (-1: not a calamity page). */
static int slot_of(lk_calamity *c, const char *path) {
  size_t n = strlen(c->id);

  if (strcmp(path, "/actueel") == 0)
    return 0;
  if (strcmp(path, "/actueel.json") == 0)
    return 1;
  if (strncmp(path, "/actueel/", 9) != 0 || strncmp(path + 9, c->id, n) != 0)
    return -1;
  if (path[9 + n] == '\0')
    return 2;
  return strcmp(path + 9 + n, ".json") == 0 ? 3 : -1;
}

bool lk_calamity_serve(lk_req *req) {
  lk_calamity *c = lk_req_app(req)->calamity;
  const char *inm;
  struct slot *s;
  int i;

  render_gen = 0;
  if (c == NULL || !atomic_load(&c->on))
    return false;
  render_gen = atomic_load(&c->gen);
  pthread_mutex_lock(&c->lock);
  i = c->id[0] != '\0' ? slot_of(c, lk_req_path(req)) : -1;
  s = i >= 0 ? &c->slots[i] : NULL;
  if (s == NULL || s->data == NULL || s->gen != render_gen ||
      strcmp(s->path, lk_req_path(req)) != 0) {
    pthread_mutex_unlock(&c->lock);
    return false;
  }
  lk_req_add_header(req, "Cache-Control", LK_CALAMITY_CACHE_CONTROL);
  lk_req_add_header(req, "ETag", s->etag);
  inm = lk_req_header(req, "If-None-Match");
  if (inm != NULL && (strstr(inm, s->etag) != NULL || strcmp(inm, "*") == 0))
    lk_req_respond(req, 304, s->type, "", 0);
  else
    lk_req_respond(req, 200, s->type, s->data, s->len);
  pthread_mutex_unlock(&c->lock);
  return true;
}

bool lk_calamity_keep(lk_req *req, const char *type, const char *data,
                      size_t len, const char *etag) {
  lk_calamity *c = lk_req_app(req)->calamity;
  struct slot *s;
  char *copy;
  int i;

  if (c == NULL || !atomic_load(&c->on))
    return false;
  pthread_mutex_lock(&c->lock);
  i = c->id[0] != '\0' && render_gen != 0 ? slot_of(c, lk_req_path(req)) : -1;
  copy = i >= 0 ? malloc(len + 1) : NULL;
  if (copy != NULL) {
    s = &c->slots[i];
    memcpy(copy, data, len);
    free(s->data);
    s->data = copy;
    s->len = len;
    s->gen = render_gen;
    snprintf(s->path, sizeof(s->path), "%s", lk_req_path(req));
    snprintf(s->type, sizeof(s->type), "%s", type);
    snprintf(s->etag, sizeof(s->etag), "%s", etag);
  }
  pthread_mutex_unlock(&c->lock);
  return true;
}

bool lk_calamity_refuse(lk_req *req) {
  lk_calamity *c = lk_req_app(req)->calamity;
  const char *path = lk_req_path(req);
  const char *ki = LK_KI_BASE "/";
  bool heavy;

  if (c == NULL || !atomic_load(&c->on) ||
      strcmp(lk_req_method(req), "GET") != 0)
    return false;
  heavy = strcmp(path, "/api/v1/search") == 0 ||
          strcmp(path, "/api/v1/conversations") == 0 ||
          (strncmp(path, ki, strlen(ki)) == 0 && path[strlen(ki)] != '\0' &&
           strchr(path + strlen(ki), '/') == NULL);
  if (!heavy)
    return false;
  lk_req_add_header(req, "Retry-After", "60");
  lk_req_problem(req, 503, "calamity-mode", "Tijdelijk niet beschikbaar",
                 "wegens een calamiteit is dit onderdeel tijdelijk "
                 "uitgeschakeld; probeer het over een minuut opnieuw",
                 NULL);
  return true;
}
