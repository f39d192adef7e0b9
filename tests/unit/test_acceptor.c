/* Unit tests for the acceptor's choice of daemon (http/acceptor.c): which
 * request lines are public event streams, and when to wait for more. */
#include "lk_test.h"

#include <string.h>

#include "http/internal.h"

static int classify(const char *s) {
  return lk_http_classify(s, strlen(s));
}

static void test_streams(void **state) {
  (void)state;
  assert_int_equal(classify("GET /actueel/stream HTTP/1.1\r\n\r\n"),
                   LK_HTTP_CLASSIFY_STREAM);
  assert_int_equal(
      classify("GET /actueel/0190a-b/stream HTTP/1.1\r\nHost: x\r\n\r\n"),
      LK_HTTP_CLASSIFY_STREAM);
  assert_int_equal(
      classify("GET /actueel/stream?lastEventId=7 HTTP/1.1\r\nA: b\r\n\r\n"),
      LK_HTTP_CLASSIFY_STREAM);
  assert_int_equal(classify("GET /actueel/x/stream HTTP/1.0\n\n"),
                   LK_HTTP_CLASSIFY_STREAM);
}

static void test_everything_else(void **state) {
  (void)state;
  assert_int_equal(classify("GET /actueel HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("GET /actueel/ HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("GET /actueel/x/feed.atom HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("GET /actueel/streamx HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("GET /api/v1/events HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("GET /x/actueel/stream HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  /* Not a GET: HEAD of a stream, and writes, go to the main daemon. */
  assert_int_equal(classify("HEAD /actueel/stream HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("POST /actueel/stream HTTP/1.1\r\n"),
                   LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(classify("\x16\x03\x01\x02\x00"), LK_HTTP_CLASSIFY_MAIN);
}

static void test_waits_for_the_request_line(void **state) {
  char longpath[LK_HTTP_PEEK_MAX];

  (void)state;
  assert_int_equal(classify(""), LK_HTTP_CLASSIFY_WAIT);
  assert_int_equal(classify("GE"), LK_HTTP_CLASSIFY_WAIT);
  assert_int_equal(classify("GET "), LK_HTTP_CLASSIFY_WAIT);
  assert_int_equal(classify("GET /actueel/str"), LK_HTTP_CLASSIFY_WAIT);
  assert_int_equal(classify("GX"), LK_HTTP_CLASSIFY_MAIN);
  /* A stream's headers must end before it is handed over. */
  assert_int_equal(classify("GET /actueel/stream HTTP/1.1\r\nHost: x\r\n"),
                   LK_HTTP_CLASSIFY_WAIT);
  /* A path longer than what is peeked is not a stream path. */
  memset(longpath, 'a', sizeof(longpath));
  memcpy(longpath, "GET /", 5);
  assert_int_equal(lk_http_classify(longpath, LK_HTTP_PEEK_MAX),
                   LK_HTTP_CLASSIFY_MAIN);
}

static void test_long_headers_go_to_the_main_daemon(void **state) {
  char req[LK_HTTP_PEEK_MAX];
  static const char line[] = "GET /actueel/stream HTTP/1.1\r\nCookie: ";

  (void)state;
  memset(req, 'c', sizeof(req));
  memcpy(req, line, sizeof(line) - 1);
  assert_int_equal(lk_http_classify(req, sizeof(req)), LK_HTTP_CLASSIFY_MAIN);
  assert_int_equal(lk_http_classify(req, sizeof(req) - 1),
                   LK_HTTP_CLASSIFY_WAIT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_streams),
      cmocka_unit_test(test_everything_else),
      cmocka_unit_test(test_waits_for_the_request_line),
      cmocka_unit_test(test_long_headers_go_to_the_main_daemon),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
