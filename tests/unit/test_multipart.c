/* Unit tests for http/multipart.h: the parts of browser-style bodies, and
 * the bodies that are refused. */
#include "lk_test.h"

#include "http/multipart.h"

#define CT "multipart/form-data; boundary=XyZ"

static int parse(const char *ct, const char *body, lk_multipart *m) {
  return lk_multipart_parse(ct, body, strlen(body), m);
}

static void test_browser_body(void **state) {
  static const char body[] =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"soort\"\r\n\r\n"
      "klacht\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"bericht\"\r\n\r\n"
      "regel 1\r\nregel 2\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"bijlage\"; "
      "filename=\"a \\\"b\\\".pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n"
      "%PDF-\r\n--Xy Z\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"leeg\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n"
      "\r\n"
      "--XyZ--\r\n";
  lk_multipart m;
  const lk_part *p;

  (void)state;
  assert_int_equal(parse(CT, body, &m), 0);
  assert_int_equal(m.n, 4);
  p = lk_multipart_get(&m, "soort");
  assert_non_null(p);
  assert_false(p->is_file);
  assert_int_equal(p->len, 6);
  assert_memory_equal(p->data, "klacht", 6);
  p = lk_multipart_get(&m, "bericht");
  assert_int_equal(p->len, 16);
  assert_memory_equal(p->data, "regel 1\r\nregel 2", 16);
  p = lk_multipart_get(&m, "bijlage");
  assert_true(p->is_file);
  assert_string_equal(p->filename, "a \"b\".pdf");
  assert_string_equal(p->type, "application/pdf");
  assert_int_equal(p->len, strlen("%PDF-\r\n--Xy Z"));
  p = lk_multipart_get(&m, "leeg");
  assert_true(p->is_file);
  assert_string_equal(p->filename, "");
  assert_int_equal(p->len, 0);
  assert_null(lk_multipart_get(&m, "anders"));
}

static void test_content_types(void **state) {
  static const char body[] = "--b\r\nContent-Disposition: form-data; "
                             "name=a\r\n\r\n1\r\n--b--";
  lk_multipart m;

  (void)state;
  assert_true(lk_multipart_is("multipart/form-data; boundary=b"));
  assert_true(lk_multipart_is("Multipart/Form-Data;boundary=b"));
  assert_false(lk_multipart_is("multipart/form-datax; boundary=b"));
  assert_false(lk_multipart_is("application/x-www-form-urlencoded"));
  assert_false(lk_multipart_is(NULL));
  assert_int_equal(parse("multipart/form-data; boundary=\"b\"", body, &m), 0);
  assert_int_equal(m.n, 1);
  assert_string_equal(m.parts[0].name, "a");
  /* a preamble before the first delimiter is skipped */
  assert_int_equal(parse("multipart/form-data; boundary=b",
                         "preamble\r\n--b\r\nContent-Disposition: form-data;"
                         " name=\"x\"\r\n\r\nv\r\n--b--\r\n",
                         &m),
                   0);
  assert_int_equal(m.n, 1);
}

static void test_refused(void **state) {
  static const char *const bad[] = {
      /* no closing delimiter */
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",
      /* no name */
      "--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--",
      /* not form-data */
      "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n"
      "--XyZ--",
      /* a header line without colon */
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nrubbish\r\n"
      "\r\n1\r\n--XyZ--",
      /* unterminated quoted name */
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n"
      "--XyZ--",
      /* no headers at all */
      "--XyZ\r\n\r\n1\r\n--XyZ--",
      /* no boundary anywhere */
      "name=a",
      "",
  };
  char big[400];
  lk_multipart m;

  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (parse(CT, bad[i], &m) != LK_MULTIPART_EINVAL)
      fail_msg("accepted body %zu", i);
  }
  assert_int_equal(parse("multipart/form-data", "--XyZ--", &m),
                   LK_MULTIPART_EINVAL);
  assert_int_equal(parse("multipart/form-data; boundary=", "----", &m),
                   LK_MULTIPART_EINVAL);
  memset(big, 'b', sizeof(big));
  memcpy(big, "multipart/form-data; boundary=", 30);
  big[sizeof(big) - 1] = '\0';
  assert_int_equal(parse(big, "--b--", &m), LK_MULTIPART_EINVAL);
  /* a filename longer than the field */
  {
    char body[600];
    int n = snprintf(body, sizeof(body),
                     "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                     "filename=\"%0300d\"\r\n\r\n1\r\n--XyZ--",
                     0);

    assert_true(n > 0);
    assert_int_equal(parse(CT, body, &m), LK_MULTIPART_EINVAL);
  }
}

static void test_too_many_parts(void **state) {
  char body[8192];
  size_t n = 0;
  lk_multipart m;

  (void)state;
  for (int i = 0; i <= LK_MULTIPART_MAX; i++)
    n += (size_t)snprintf(body + n, sizeof(body) - n,
                          "--XyZ\r\nContent-Disposition: form-data; "
                          "name=\"f%d\"\r\n\r\nx\r\n",
                          i);
  snprintf(body + n, sizeof(body) - n, "--XyZ--\r\n");
  assert_int_equal(parse(CT, body, &m), LK_MULTIPART_E2BIG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_browser_body),
      cmocka_unit_test(test_content_types),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_too_many_parts),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
