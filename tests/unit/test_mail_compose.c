/* Unit tests for channels/mail_compose.h and the From parsing of
 * channels/mail.h: encoded words, quoted-printable, header injection. */
#include "lk_test.h"

#include <sodium.h>

#include "channels/mail.h"
#include "channels/mail_compose.h"
#include "core/ids.h"

static void qp(const char *in, const char *want) {
  lk_buf b = LK_BUF_INIT;

  lk_mail_qp(&b, in);
  assert_true(lk_buf_ok(&b));
  assert_string_equal(b.data, want);
  lk_buf_free(&b);
}

static void test_qp(void **state) {
  (void)state;
  qp("hallo", "hallo");
  qp("a=b", "a=3Db");
  qp("één", "=C3=A9=C3=A9n");
  /* Line ends become CRLF; trailing white space is encoded. */
  qp("a \nb\r\nc\t", "a=20\r\nb\r\nc=09");
  qp("x y", "x y");
}

static void test_qp_lines_stay_short(void **state) {
  char in[400];
  lk_buf b = LK_BUF_INIT;
  size_t col = 0;

  (void)state;
  for (size_t i = 0; i + 2 < sizeof(in); i += 2)
    memcpy(in + i, "\xc3\xa9", 2); /* é: three characters each encoded */
  in[sizeof(in) - 2] = '\0';
  lk_mail_qp(&b, in);
  assert_true(lk_buf_ok(&b));
  for (const char *p = b.data; *p != '\0'; p++) {
    if (*p == '\r') {
      assert_int_equal(p[1], '\n');
      assert_int_equal(p[-1], '='); /* only soft breaks here */
      col = 0;
      p++;
      continue;
    }
    col++;
    assert_true(col <= 76);
    /* No "=XX" is split across lines. */
    if (*p == '=' && p[1] != '\r')
      assert_true(p[1] != '\0' && p[2] != '\0');
  }
  lk_buf_free(&b);
}

static void test_header_words(void **state) {
  lk_buf b = LK_BUF_INIT;
  char title[200];

  (void)state;
  lk_mail_header_text(&b, "Gewoon ASCII", 9);
  assert_string_equal(b.data, "Gewoon ASCII");
  lk_buf_reset(&b);
  /* "=?" in plain text would be read as an encoded word: encode it. */
  lk_mail_header_text(&b, "a =?x?= b", 9);
  assert_non_null(strstr(b.data, "=?UTF-8?B?"));
  lk_buf_reset(&b);
  lk_mail_header_text(&b, "Wegafsluiting: één", 9);
  assert_string_equal(b.data, "=?UTF-8?B?V2VnYWZzbHVpdGluZzogw6nDqW4=?=");
  lk_buf_reset(&b);
  /* Long text: several words, each at most 75 characters, never cutting
   * a character in two (each word decodes to valid UTF-8). */
  for (size_t i = 0; i + 2 < sizeof(title); i += 2)
    memcpy(title + i, "\xc3\xab", 2);
  title[sizeof(title) - 2] = '\0';
  lk_mail_header_text(&b, title, 9);
  for (char *w = b.data; (w = strstr(w, "=?UTF-8?B?")) != NULL;) {
    char *end = strstr(w + 10, "?=");
    unsigned char bin[64];
    size_t n;

    assert_non_null(end);
    assert_true(end + 2 - w <= 75);
    assert_int_equal(sodium_base642bin(bin, sizeof(bin), w + 10,
                                       (size_t)(end - w - 10), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(n % 2, 0);
    assert_int_equal(bin[0], 0xc3);
    w = end + 2;
  }
  lk_buf_free(&b);
}

static const char *compose(lk_mail *m, lk_buf *b) {
  static char id[LK_MAIL_MESSAGE_ID_MAX];

  lk_buf_reset(b);
  return lk_mail_compose(m, b, id) == 0 ? id : NULL;
}

static void test_compose(void **state) {
  lk_mail_header hs[] = {{"List-Unsubscribe", "<https://x.nl/a?token=t>"}};
  lk_mail m = {.from_name = "Gemeente \"Voorbeeld\"",
               .from = "actueel@gemeente.nl",
               .to = "jan@example.nl",
               .subject = "Storing: één",
               .text = "Regel 1\nRegel 2",
               .html = "<p>Regel</p>",
               .date_ms = 1795874683085LL,
               .headers = hs,
               .nheaders = 1};
  lk_buf b = LK_BUF_INIT;
  const char *id;

  (void)state;
  id = compose(&m, &b);
  assert_non_null(id);
  assert_non_null(strstr(b.data, "Date: Sat, 28 Nov 2026 14:04:43 +0000\r\n"));
  assert_non_null(strstr(id, "@gemeente.nl>"));
  assert_non_null(strstr(b.data, "From: \"Gemeente \\\"Voorbeeld\\\"\" "
                                 "<actueel@gemeente.nl>\r\n"));
  assert_non_null(strstr(b.data, "To: <jan@example.nl>\r\n"));
  assert_non_null(strstr(b.data, "Subject: =?UTF-8?B?"));
  assert_non_null(
      strstr(b.data, "List-Unsubscribe: <https://x.nl/a?token=t>\r\n"));
  assert_non_null(strstr(b.data, "multipart/alternative"));
  assert_non_null(strstr(b.data, "Content-Type: text/plain; charset=utf-8"));
  assert_non_null(strstr(b.data, "Content-Type: text/html; charset=utf-8"));
  assert_non_null(strstr(b.data, "Regel 1\r\nRegel 2"));
  /* Headers end before the body; every line ends in CRLF. */
  assert_non_null(strstr(b.data, "\r\n\r\n"));
  for (const char *p = b.data; (p = strchr(p, '\n')) != NULL; p++)
    assert_int_equal(p[-1], '\r');
  for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
    assert_true(*p < 0x80);

  /* A non-ASCII display name is encoded. */
  m.from_name = "Gemeente Súdwest";
  m.html = NULL;
  assert_non_null(compose(&m, &b));
  assert_non_null(strstr(b.data, "From: =?UTF-8?B?"));
  assert_null(strstr(b.data, "multipart"));
  lk_buf_free(&b);
}

static void test_compose_refuses_injection(void **state) {
  lk_mail_header bad[] = {{"X-Test", "a\r\nBcc: x@y.nl"}};
  lk_mail_header badname[] = {{"X Test:", "a"}};
  lk_mail m = {.from = "a@b.nl",
               .to = "c@d.nl",
               .subject = "ok",
               .text = "",
               .date_ms = 1};
  lk_buf b = LK_BUF_INIT;

  (void)state;
  assert_non_null(compose(&m, &b));
  m.subject = "ok\r\nBcc: evil@x.nl";
  assert_null(compose(&m, &b));
  m.subject = "ok";
  m.to = "c@d.nl>\r\nBcc: <x@y.nl";
  assert_null(compose(&m, &b));
  m.to = "c@d.nl";
  m.from_name = "Naam\nBcc: x";
  assert_null(compose(&m, &b));
  m.from_name = NULL;
  m.headers = bad;
  m.nheaders = 1;
  assert_null(compose(&m, &b));
  m.headers = badname;
  assert_null(compose(&m, &b));
  lk_buf_free(&b);
}

static void test_addresses_and_from(void **state) {
  lk_mailer mr = {0};

  (void)state;
  assert_true(lk_mail_address_ok("jan.jansen+x@example.nl"));
  assert_false(lk_mail_address_ok("jan"));
  assert_false(lk_mail_address_ok("@example.nl"));
  assert_false(lk_mail_address_ok("jan@"));
  assert_false(lk_mail_address_ok("a@b@c"));
  assert_false(lk_mail_address_ok("a b@c.nl"));
  assert_false(lk_mail_address_ok("a<b@c.nl"));
  assert_int_equal(lk_mailer_set_from(&mr, "Gemeente Voorbeeld <a@b.nl>"), 0);
  assert_string_equal(mr.from, "a@b.nl");
  assert_string_equal(mr.from_name, "Gemeente Voorbeeld");
  assert_int_equal(lk_mailer_set_from(&mr, "\"Gemeente\" <a@b.nl>"), 0);
  assert_string_equal(mr.from_name, "Gemeente");
  assert_int_equal(lk_mailer_set_from(&mr, "a@b.nl"), 0);
  assert_string_equal(mr.from_name, "");
  assert_int_equal(lk_mailer_set_from(&mr, "Naam <geen-adres>"), -1);
  assert_int_equal(lk_mailer_set_from(&mr, "Naam <a@b.nl"), -1);
}

static void test_smtp_config(void **state) {
  lk_smtp_config c = {0};
  char err[200];

  (void)state;
  assert_int_equal(lk_smtp_config_init(&c, "smtp://127.0.0.1:25", NULL, NULL,
                                       err, sizeof(err)),
                   0);
  assert_int_equal(c.connect_timeout_ms, 10000);
  assert_int_equal(
      lk_smtp_config_init(&c, "http://x", NULL, NULL, err, sizeof(err)), -1);
  /* A password in the URL is refused, and not repeated in the error. */
  assert_int_equal(lk_smtp_config_init(&c, "smtp://u:geheim@x:25", NULL, NULL,
                                       err, sizeof(err)),
                   -1);
  assert_null(strstr(err, "geheim"));
  assert_int_equal(
      lk_smtp_config_init(&c, "smtps://", NULL, NULL, err, sizeof(err)), -1);
}

/* AUTH only where the password cannot go in clear. */
static void test_smtp_auth_needs_tls(void **state) {
  lk_smtp_config c = {0};
  char err[200];

  (void)state;
  assert_int_equal(lk_smtp_config_init(&c, "smtp://mail.example.nl:587", "u",
                                       NULL, err, sizeof(err)),
                   -1);
  assert_non_null(strstr(err, "in clear"));
  assert_non_null(strstr(err, "--smtp-starttls"));
  c.starttls = true; /* CURLUSESSL_ALL: TLS or nothing */
  assert_int_equal(lk_smtp_config_init(&c, "smtp://mail.example.nl:587", "u",
                                       NULL, err, sizeof(err)),
                   0);
  c.starttls = false;
  assert_int_equal(lk_smtp_config_init(&c, "smtps://mail.example.nl", "u", NULL,
                                       err, sizeof(err)),
                   0);
  /* No user: nothing secret to protect. */
  assert_int_equal(lk_smtp_config_init(&c, "smtp://mail.example.nl", NULL, NULL,
                                       err, sizeof(err)),
                   0);
  /* The explicit escape hatch, for a test server on this machine only. */
  c.insecure_auth = true;
  assert_int_equal(lk_smtp_config_init(&c, "smtp://127.0.0.1:2525", "u", NULL,
                                       err, sizeof(err)),
                   0);
  assert_int_equal(
      lk_smtp_config_init(&c, "smtp://localhost", "u", NULL, err, sizeof(err)),
      0);
  assert_int_equal(
      lk_smtp_config_init(&c, "smtp://[::1]:25", "u", NULL, err, sizeof(err)),
      0);
  assert_int_equal(lk_smtp_config_init(&c, "smtp://mail.example.nl:25", "u",
                                       NULL, err, sizeof(err)),
                   -1);
  assert_non_null(strstr(err, "loopback"));
  assert_int_equal(lk_smtp_config_init(&c, "smtp://127.0.0.1.example.nl", "u",
                                       NULL, err, sizeof(err)),
                   -1);
  assert_int_equal(lk_smtp_config_init(&c, "smtp://localhost.evil.nl", "u",
                                       NULL, err, sizeof(err)),
                   -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_qp),
      cmocka_unit_test(test_qp_lines_stay_short),
      cmocka_unit_test(test_header_words),
      cmocka_unit_test(test_compose),
      cmocka_unit_test(test_compose_refuses_injection),
      cmocka_unit_test(test_addresses_and_from),
      cmocka_unit_test(test_smtp_config),
      cmocka_unit_test(test_smtp_auth_needs_tls),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
