/* assets.c - the manifest of the front-end bundle (see assets.h). */
#include "http/assets.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define HASH_LEN 8

struct asset {
  char name[LK_ASSET_NAME_MAX + 1];
  char url[sizeof(LK_ASSETS_PREFIX) + LK_ASSET_NAME_MAX + 1];
};

static struct asset table[LK_ASSETS_MAX];
static size_t count;

/* Letters, digits, '.', '-' and '_', not starting with '.': a plain file
 * name that cannot climb out of a folder or hide. */
static bool plain_name(const char *s) {
  size_t n = strlen(s);

  if (n == 0 || n > LK_ASSET_NAME_MAX || s[0] == '.')
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

bool lk_asset_hashed(const char *file) {
  const char *dot = strrchr(file, '.');
  const char *h;

  if (!plain_name(file) || dot == NULL || dot - file < HASH_LEN + 2 ||
      dot[1] == '\0')
    return false;
  h = dot - HASH_LEN;
  if (h[-1] != '-')
    return false;
  for (int i = 0; i < HASH_LEN; i++) {
    if (!((h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9')))
      return false;
  }
  return true;
}

__attribute__((format(printf, 4, 5))) static int
fail(char *why, size_t why_len, int rc, const char *fmt, ...) {
  va_list ap;

  if (why != NULL && why_len > 0) {
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  count = 0;
  return rc;
}

void lk_assets_clear(void) {
  count = 0;
}

int lk_assets_load(const char *web_dir, char *why, size_t why_len) {
  char path[PATH_MAX];
  json_error_t err;
  json_t *doc, *assets, *v;
  const char *name;
  struct stat st;

  count = 0;
  if (snprintf(path, sizeof(path), "%s/dist/manifest.json", web_dir) >=
      (int)sizeof(path))
    return fail(why, why_len, -EINVAL, "web folder path too long: %s", web_dir);
  if (stat(path, &st) != 0)
    return fail(why, why_len, -ENOENT, "no %s (run npm run build)", path);
  doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  assets = json_object_get(doc, "assets");
  if (!json_is_object(doc) ||
      json_integer_value(json_object_get(doc, "version")) != 1 ||
      !json_is_object(assets)) {
    json_decref(doc);
    return fail(why, why_len, -EINVAL,
                "%s is not a version 1 manifest (rebuild with npm run build)",
                path);
  }
  json_object_foreach(assets, name, v) {
    const char *file = json_string_value(v);
    struct asset *a = &table[count];
    int rc = 0;

    /* The message first: `name` and `file` live in `doc`. */
    if (count == LK_ASSETS_MAX || !plain_name(name) || file == NULL ||
        !lk_asset_hashed(file))
      rc = fail(why, why_len, -EINVAL,
                "bad or too many entries in the manifest, at \"%s\"", name);
    else if (snprintf(path, sizeof(path), "%s/dist/assets/%s", web_dir, file) >=
                 (int)sizeof(path) ||
             stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      rc = fail(why, why_len, -EINVAL,
                "the manifest names %s, which is missing (rebuild with "
                "npm run build)",
                file);
    if (rc != 0) {
      json_decref(doc);
      return rc;
    }
    snprintf(a->name, sizeof(a->name), "%s", name);
    snprintf(a->url, sizeof(a->url), "%s%s", LK_ASSETS_PREFIX, file);
    count++;
  }
  json_decref(doc);
  return 0;
}

const char *lk_asset_url(const char *name) {
  for (size_t i = 0; i < count; i++) {
    if (strcmp(table[i].name, name) == 0)
      return table[i].url;
  }
  return NULL;
}
