/* test_assets.c - the bundle manifest (http/assets.h) and the layout that
 * links it (pages/layout.h). */
#include "lk_test.h"

#include <errno.h>
#include <sys/stat.h>

#include "http/assets.h"
#include "pages/layout.h"

static void put(const char *dir, const char *rel, const char *text) {
  char path[256];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* A web folder with dist/assets/ and, if `manifest`, a manifest. */
static void web(lk_test_dir *d, const char *manifest) {
  char path[256];

  lk_test_dir_make(d);
  snprintf(path, sizeof(path), "%s/dist", d->path);
  assert_int_equal(mkdir(path, 0700), 0);
  snprintf(path, sizeof(path), "%s/dist/assets", d->path);
  assert_int_equal(mkdir(path, 0700), 0);
  put(d->path, "dist/assets/loket-ABCD2345.css", "p{}");
  put(d->path, "dist/assets/actueel-WXYZ6789.js", "0");
  if (manifest != NULL)
    put(d->path, "dist/manifest.json", manifest);
}

static void test_hashed_names(void **state) {
  (void)state;
  assert_true(lk_asset_hashed("loket-ABCD2345.css"));
  assert_true(lk_asset_hashed("noto-sans-latin-wght-normal-QRST2345.woff2"));
  assert_true(lk_asset_hashed("a-12345678.js"));
  assert_false(lk_asset_hashed("loket.css"));
  assert_false(lk_asset_hashed("loket-abcd2345.css"));  /* lower case */
  assert_false(lk_asset_hashed("loket-ABCD234.css"));   /* 7 characters */
  assert_false(lk_asset_hashed("lokett_ABCD2345.css")); /* no dash */
  assert_false(lk_asset_hashed("-ABCD2345.css"));       /* no stem */
  assert_false(lk_asset_hashed("loket-ABCD2345."));     /* no extension */
  assert_false(lk_asset_hashed("loket-ABCD2345"));
  assert_false(lk_asset_hashed("../x-ABCD2345.css"));
  assert_false(lk_asset_hashed("sub/x-ABCD2345.css"));
  assert_false(lk_asset_hashed(".x-ABCD2345.css"));
  assert_false(lk_asset_hashed(""));
}

static void test_load_and_look_up(void **state) {
  lk_test_dir d;
  char why[512];
  lk_buf b = LK_BUF_INIT;

  (void)state;
  web(&d, "{\"version\":1,\"assets\":{\"loket.css\":\"loket-ABCD2345.css\","
          "\"actueel.js\":\"actueel-WXYZ6789.js\"}}");
  assert_int_equal(lk_assets_load(d.path, why, sizeof(why)), 0);
  assert_string_equal(lk_asset_url("loket.css"), "/assets/loket-ABCD2345.css");
  assert_string_equal(lk_asset_url("actueel.js"),
                      "/assets/actueel-WXYZ6789.js");
  assert_null(lk_asset_url("other.js"));

  lk_page_begin(&b, "T");
  lk_page_script(&b, "actueel.js");
  lk_page_script(&b, "other.js");
  lk_page_end(&b);
  assert_true(lk_buf_ok(&b));
  assert_non_null(strstr(b.data, "<link rel=\"stylesheet\" "
                                 "href=\"/assets/loket-ABCD2345.css\">"));
  assert_non_null(strstr(b.data, "<script src=\"/assets/actueel-WXYZ6789.js\""
                                 " defer></script>"));
  assert_null(strstr(b.data, "other"));
  assert_non_null(strstr(b.data, "utrecht-theme"));
  lk_buf_free(&b);

  lk_assets_clear();
  assert_null(lk_asset_url("loket.css"));
  lk_test_dir_remove(&d);
}

static void test_missing_manifest(void **state) {
  lk_test_dir d;
  char why[512];
  lk_buf b = LK_BUF_INIT;

  (void)state;
  web(&d, NULL);
  assert_int_equal(lk_assets_load(d.path, why, sizeof(why)), -ENOENT);
  assert_non_null(strstr(why, "npm run build"));
  assert_null(lk_asset_url("loket.css"));
  /* the page still renders, without style sheet or script */
  lk_page_begin(&b, "T");
  lk_page_script(&b, "actueel.js");
  lk_page_end(&b);
  assert_true(lk_buf_ok(&b));
  assert_null(strstr(b.data, "stylesheet"));
  assert_null(strstr(b.data, "<script"));
  lk_buf_free(&b);
  lk_test_dir_remove(&d);
}

static void test_broken_manifests(void **state) {
  static const char *const bad[] = {
      "",
      "[]",
      "{\"version\":2,\"assets\":{}}",
      "{\"version\":1}",
      "{\"version\":1,\"assets\":{\"loket.css\":\"loket.css\"}}",
      "{\"version\":1,\"assets\":{\"loket.css\":\"gone-ABCD2345.css\"}}",
      "{\"version\":1,\"assets\":{\"../x\":\"loket-ABCD2345.css\"}}",
      "{\"version\":1,\"assets\":{\"loket.css\":5}}",
      "{\"version\":1,\"assets\":{\"a\":\"loket-ABCD2345.css\","
      "\"a\":\"loket-ABCD2345.css\"}}",
  };
  char why[512];

  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    lk_test_dir d;

    web(&d, "{\"version\":1,\"assets\":{\"loket.css\":"
            "\"loket-ABCD2345.css\"}}");
    assert_int_equal(lk_assets_load(d.path, why, sizeof(why)), 0);
    put(d.path, "dist/manifest.json", bad[i]);
    why[0] = '\0';
    assert_int_equal(lk_assets_load(d.path, why, sizeof(why)), -EINVAL);
    assert_true(why[0] != '\0');
    /* a failed load leaves nothing half-read behind */
    assert_null(lk_asset_url("loket.css"));
    lk_test_dir_remove(&d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hashed_names),
      cmocka_unit_test(test_load_and_look_up),
      cmocka_unit_test(test_missing_manifest),
      cmocka_unit_test(test_broken_manifests),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
