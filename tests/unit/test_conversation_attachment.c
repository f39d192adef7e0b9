/* Unit tests for core/attachment.h: the type allow-list against magic
 * bytes, names, hashes, blobs written once, and the download header. */
#include "lk_test.h"

#include <sys/stat.h>

#include "core/attachment.h"
#include "core/ids.h"

static const lk_conv_caller caller = {"token:tok_0000000000000001", "", "r",
                                      false};

static int prepare(const char *type, const char *name, const void *data,
                   size_t len, lk_attachment_op *op, lk_invalid *why) {
  return lk_attachment_prepare(op, &caller, type, name, data, len, why);
}

static void test_types(void **state) {
  static const unsigned char png[] = "\x89PNG\r\n\x1a\nrest";
  static const char pdf[] = "%PDF-1.7 ...";
  lk_attachment_op op;
  lk_invalid why;

  (void)state;
  assert_int_equal(prepare("application/pdf", "a.pdf", pdf, 12, &op, &why), 0);
  assert_string_equal(op.row.media_type, "application/pdf");
  assert_int_equal(op.row.size, 12);
  assert_int_equal(strlen(op.row.sha256), 64);
  assert_string_equal(op.row.created_by, caller.actor);
  assert_true(lk_uuid_valid(op.row.id));
  /* parameters and case of the declared type do not matter */
  assert_int_equal(prepare("Image/PNG; charset=binary", "p", png,
                           sizeof(png) - 1, &op, &why),
                   0);
  assert_string_equal(op.row.media_type, "image/png");
  /* a claim the bytes do not back */
  assert_int_equal(prepare("image/png", "a", pdf, 12, &op, &why), LK_EINVALID);
  assert_string_equal(why.field, "/mediaType");
  assert_int_equal(prepare("application/pdf", "a", png, 8, &op, &why),
                   LK_EINVALID);
  /* never accepted */
  assert_int_equal(prepare("image/svg+xml", "a", "<svg/>", 6, &op, &why),
                   LK_EINVALID);
  assert_int_equal(prepare("text/html", "a", "<p>", 3, &op, &why), LK_EINVALID);
  assert_int_equal(
      prepare("text/plain", "a", "\n <SVG onload=x>", 16, &op, &why),
      LK_EINVALID);
  assert_int_equal(
      prepare("text/plain", "a", "\xef\xbb\xbf<!DOCTYPE html>", 18, &op, &why),
      LK_EINVALID);
  assert_int_equal(prepare("text/plain", "a", "a\xff", 2, &op, &why),
                   LK_EINVALID);
  assert_int_equal(prepare(NULL, "a", pdf, 12, &op, &why), LK_EINVALID);
  assert_int_equal(prepare("", "a", pdf, 12, &op, &why), LK_EINVALID);
  assert_int_equal(prepare("application/pdf", "a", pdf, 0, &op, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/content");
  assert_int_equal(
      prepare("text/plain", "a", "platte <b>tekst</b>", 19, &op, &why), 0);
}

static void test_names(void **state) {
  static const char pdf[] = "%PDF-1.7";
  lk_attachment_op op;
  lk_invalid why;

  (void)state;
  assert_int_equal(
      prepare("application/pdf", "../../etc/passwd", pdf, 8, &op, &why), 0);
  assert_string_equal(op.row.filename, "passwd");
  assert_int_equal(
      prepare("application/pdf", "C:\\Users\\x\\brief.pdf", pdf, 8, &op, &why),
      0);
  assert_string_equal(op.row.filename, "brief.pdf");
  assert_int_equal(prepare("application/pdf", NULL, pdf, 8, &op, &why), 0);
  assert_string_equal(op.row.filename, "bijlage");
  assert_int_equal(prepare("application/pdf", "a/..", pdf, 8, &op, &why),
                   LK_EINVALID);
  assert_int_equal(prepare("application/pdf", "a\nb", pdf, 8, &op, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/filename");
}

static void test_blob_once(void **state) {
  static const char pdf[] = "%PDF-1.7 inhoud";
  lk_attachment_op op;
  lk_invalid why;
  lk_test_dir dir;
  char path[256];
  struct stat st;

  (void)state;
  lk_test_dir_make(&dir);
  assert_int_equal(prepare("application/pdf", "a", pdf, 15, &op, &why), 0);
  assert_int_equal(lk_attachment_store_blob(dir.path, &op, pdf, 15), 0);
  snprintf(path, sizeof(path), "%s/blobs/%.2s/%s", dir.path, op.row.sha256,
           op.row.sha256);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 15);
  /* the second time finds it and writes nothing */
  chmod(path, 0400);
  assert_int_equal(lk_attachment_store_blob(dir.path, &op, pdf, 15), 0);
  lk_test_dir_remove(&dir);
}

static void test_disposition(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_attachment_disposition(&b, "rapport \"é\" <x>;%.pdf");
  assert_string_equal(b.data,
                      "attachment; filename=\"rapport ___ _x___.pdf\""
                      "; filename*=UTF-8''rapport%20%22%C3%A9%22%20%3Cx%3E%3B"
                      "%25.pdf");
  lk_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_blob_once),
      cmocka_unit_test(test_disposition),
  };

  lk_ids_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
