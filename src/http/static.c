/* static.c - files under web/static/ at /static/, the front-end bundle
 * (web/dist/assets/) at /assets/, and the OpenAPI document, with ETag and
 * 304. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "http/assets.h"
#include "http/problem.h"
#include "http/static.h"
#include "store/store.h"
#include "util/log.h"

static const struct {
  const char *ext;
  const char *type;
} types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/vnd.microsoft.icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *type_of(const char *path) {
  const char *dot = strrchr(path, '.');

  if (dot != NULL && strchr(dot, '/') == NULL) {
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
      if (strcmp(dot, types[i].ext) == 0)
        return types[i].type;
    }
  }
  return "application/octet-stream";
}

/* Refuses paths that could leave the folder or reach hidden files. */
static bool path_safe(const char *rel) {
  const char *p = rel;

  if (*rel == '\0' || strchr(rel, '\\') != NULL)
    return false;
  for (;;) {
    if (*p == '.' || *p == '/' || *p == '\0')
      return false; /* hidden file, "..", or an empty segment */
    p = strchr(p, '/');
    if (p == NULL)
      return true;
    p++;
  }
}

/* True if `path` resolves to a place inside `web_dir`/`sub`: a symbolic
 * link anywhere on the way must not lead out of it. */
static bool inside(const char *web_dir, const char *sub, const char *path) {
  char root[PATH_MAX];
  char dir[PATH_MAX];
  char real[PATH_MAX];
  size_t n;

  if (snprintf(dir, sizeof(dir), "%s/%s", web_dir, sub) >= (int)sizeof(dir) ||
      realpath(dir, root) == NULL || realpath(path, real) == NULL)
    return false;
  n = strlen(root);
  return strncmp(real, root, n) == 0 && real[n] == '/';
}

static bool etag_matches(const char *header, const char *etag) {
  const char *p;
  size_t len = strlen(etag);

  if (header == NULL)
    return false;
  if (strcmp(header, "*") == 0)
    return true;
  for (p = header; (p = strstr(p, etag)) != NULL; p += len) {
    char after = p[len];
    if (after == '\0' || after == ',' || after == ' ')
      return true;
  }
  return false;
}

/* Answers with the regular file at `path`, with an ETag, or 304. */
static void serve_file(lk_req *req, const char *path,
                       const char *cache_control) {
  char etag[64];
  struct stat st;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0)
      close(fd);
    lk_req_not_found(req);
    return;
  }
  snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
           (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
               (unsigned long long)st.st_mtim.tv_nsec);
  lk_req_add_header(req, "ETag", etag);
  lk_req_add_header(req, "Cache-Control", cache_control);
  if (etag_matches(lk_req_header(req, "If-None-Match"), etag)) {
    close(fd);
    /* libmicrohttpd 0.9.75 adds "Content-Length: 0" here and will not
     * let a handler replace it (it would send both). */
    lk_req_respond(req, 304, NULL, "", 0);
    return;
  }
  lk_req_respond_fd(req, 200, type_of(path), fd, (uint64_t)st.st_size);
}

void lk_http_static(lk_req *req) {
  const char *rel = lk_req_param(req, "*");
  const char *web = lk_req_app(req)->web_dir;
  char path[PATH_MAX];

  if (rel == NULL || !path_safe(rel) ||
      snprintf(path, sizeof(path), "%s/static/%s", web, rel) >=
          (int)sizeof(path) ||
      !inside(web, "static", path)) {
    lk_req_not_found(req);
    return;
  }
  serve_file(req, path, "public, max-age=300");
}

void lk_http_assets(lk_req *req) {
  const char *rel = lk_req_param(req, "*");
  const char *web = lk_req_app(req)->web_dir;
  char path[PATH_MAX];

  /* The build writes one flat folder: a '/' is never part of a name. */
  if (rel == NULL || !path_safe(rel) || strchr(rel, '/') != NULL ||
      snprintf(path, sizeof(path), "%s/dist/assets/%s", web, rel) >=
          (int)sizeof(path) ||
      !inside(web, "dist/assets", path)) {
    lk_req_not_found(req);
    return;
  }
  /* A hashed name is a promise that the bytes never change; anything
   * else the build may replace under the same name. */
  serve_file(req, path,
             lk_asset_hashed(rel) ? "public, max-age=31536000, immutable"
                                  : "public, max-age=300");
}

/* Adds every member of `from` to `into`; with `nested`, objects found in
 * both are merged one level down (components: schemas, responses ...). */
static void merge_members(json_t *into, json_t *from, bool nested) {
  const char *key;
  json_t *v;

  json_object_foreach(from, key, v) {
    json_t *have = json_object_get(into, key);

    if (nested && json_is_object(have) && json_is_object(v))
      merge_members(have, v, false);
    else
      json_object_set(into, key, v);
  }
}

/* The base document with the paths and components of each part in
 * web/openapi.d/ (one file per area of the API) merged in, or NULL. */
static json_t *openapi_document(const char *web) {
  char path[PATH_MAX];
  json_t *doc;
  glob_t g;

  snprintf(path, sizeof(path), "%s/openapi.json", web);
  doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(doc)) {
    json_decref(doc);
    return NULL;
  }
  snprintf(path, sizeof(path), "%s/openapi.d/*.json", web);
  if (glob(path, 0, NULL, &g) != 0)
    return doc;
  for (size_t i = 0; i < g.gl_pathc; i++) {
    json_t *part = json_load_file(g.gl_pathv[i], JSON_REJECT_DUPLICATES, NULL);
    const char *area[] = {"paths", "components", "tags"};

    for (size_t k = 0; json_is_object(part) && k < 3; k++) {
      json_t *from = json_object_get(part, area[k]);
      json_t *into = json_object_get(doc, area[k]);

      if (json_is_array(from) && json_is_array(into))
        json_array_extend(into, from);
      else if (json_is_object(from) && json_is_object(into))
        merge_members(into, from, k == 1);
      else if (from != NULL && into == NULL)
        json_object_set(doc, area[k], from);
    }
    if (!json_is_object(part))
      lk_log(LK_LOG_ERROR, "openapi part is not a JSON object", "file",
             g.gl_pathv[i], NULL);
    json_decref(part);
  }
  globfree(&g);
  return doc;
}

/* GET /api/openapi.json: the description of this API, web/openapi.json
 * merged with its parts in web/openapi.d/. */
void lk_http_openapi(lk_req *req) {
  json_t *doc = openapi_document(lk_req_app(req)->web_dir);
  unsigned char digest[16];
  char etag[40];
  char *text;
  lk_buf b = LK_BUF_INIT;

  if (doc == NULL) {
    lk_req_not_found(req);
    return;
  }
  text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (text == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  crypto_generichash(digest, sizeof(digest), (unsigned char *)text,
                     strlen(text), NULL, 0);
  etag[0] = '"';
  sodium_bin2hex(etag + 1, sizeof(etag) - 2, digest, sizeof(digest));
  etag[33] = '"';
  etag[34] = '\0';
  lk_req_add_header(req, "ETag", etag);
  lk_req_add_header(req, "Cache-Control", "public, max-age=300");
  if (etag_matches(lk_req_header(req, "If-None-Match"), etag)) {
    free(text);
    lk_req_respond(req, 304, NULL, "", 0);
    return;
  }
  lk_buf_puts(&b, text);
  lk_buf_putc(&b, '\n');
  free(text);
  lk_req_respond_buf(req, 200, "application/json", &b);
}
