/* Unit tests for channels/mail_parse.h (GMime), core/mail_token.h (reply
 * tokens) and the attachments and Message-ID of channels/mail_compose.h. */
#include "lk_test.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "channels/mail_compose.h"
#include "channels/mail_parse.h"
#include "core/ids.h"
#include "core/mail_token.h"

static void parse(const char *raw, lk_inmail *m) {
  assert_int_equal(lk_mail_parse(raw, strlen(raw), NULL, m), 0);
}

static void test_plain_latin1_qp(void **state) {
  lk_inmail m;

  (void)state;
  parse("From: =?iso-8859-1?q?Ren=E9?= <rene@example.nl>\r\n"
        "Subject: =?utf-8?b?Q2Fmw6k=?=\r\n"
        "Message-ID: <a@b.nl>\r\nIn-Reply-To: <x@y.nl>\r\n"
        "References: <w@y.nl> <x@y.nl>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Caf=E9\r\nregel=\r\n twee\x01\r\n",
        &m);
  assert_string_equal(m.message_id, "a@b.nl");
  assert_string_equal(m.from, "rene@example.nl");
  assert_string_equal(m.from_name, "René");
  assert_string_equal(m.subject, "Café");
  assert_string_equal(m.text, "Café\nregel twee");
  assert_int_equal(m.nrefs, 2);
  assert_string_equal(m.refs[0], "x@y.nl"); /* In-Reply-To first */
  assert_string_equal(m.refs[1], "w@y.nl");
  assert_null(m.noise);
  lk_inmail_free(&m);
}

/* What is labelled iso-8859-1 or us-ascii, or not labelled, is decoded
 * as windows-1252 (WHATWG): its euro sign and curly quotes survive. */
static void test_latin1_is_cp1252(void **state) {
  static const char *const labels[] = {"; charset=iso-8859-1",
                                       "; charset=\"ISO-8859-1\"",
                                       "; charset=us-ascii", ""};
  char raw[512];
  lk_inmail m;

  (void)state;
  for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
    snprintf(raw, sizeof(raw),
             "From: a@b.nl\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain%s\r\n"
             "Content-Transfer-Encoding: 8bit\r\n\r\n"
             "\x80 5 voor \x92t caf\xe9\r\n",
             labels[i]);
    parse(raw, &m);
    assert_string_equal(m.text, "€ 5 voor ’t café");
    lk_inmail_free(&m);
  }
  /* Unlabelled but valid UTF-8 stays UTF-8. */
  parse("From: a@b.nl\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain\r\n\r\ncaf\xc3\xa9 \xe2\x82\xac\r\n",
        &m);
  assert_string_equal(m.text, "café €");
  lk_inmail_free(&m);
}

/* A mail forwarded as attachment (message/rfc822) is kept as a bijlage
 * "<subject>.eml", not silently lost. */
static void test_forwarded_message(void **state) {
  lk_inmail m;

  (void)state;
  parse("From: a@b.nl\r\nSubject: Fwd: klacht\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nZie bijlage.\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n"
        "Content-Disposition: attachment\r\n\r\n"
        "From: buur@example.nl\r\nSubject: Overlast a/b\r\n"
        "Content-Type: text/plain\r\n\r\nHet origineel.\r\n"
        "--b--\r\n",
        &m);
  assert_string_equal(m.text, "Zie bijlage.");
  assert_int_equal(m.nparts, 1);
  assert_int_equal(m.dropped, 0);
  assert_string_equal(m.parts[0].filename, "Overlast a-b.eml");
  assert_string_equal(m.parts[0].media_type, "text/plain");
  assert_non_null(
      memmem(m.parts[0].data, m.parts[0].len, "Het origineel.", 14));
  assert_non_null(
      memmem(m.parts[0].data, m.parts[0].len, "From: buur@example.nl", 21));
  lk_inmail_free(&m);
}

static void test_html_only_cp1252(void **state) {
  lk_inmail m;

  (void)state;
  parse("From: a@b.nl\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=windows-1252\r\n\r\n"
        "<head><title>t</title><style>p{}</style></head><script>evil()"
        "</script><p>\x80 5 &amp; &#246;&lt;b&gt;</p><br>twee<!-- c -->\r\n",
        &m);
  assert_string_equal(m.text, "€ 5 & ö<b>\n\ntwee");
  /* No Message-ID: one made of the bytes, the same each time. */
  assert_true(strncmp(m.message_id, "sha256-", 7) == 0);
  lk_inmail_free(&m);
}

static void test_attachments_and_limits(void **state) {
  lk_inmail_limits lim = {.part_max = 8, .total_max = 100};
  const char *raw =
      "From: a@b.nl\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\ntekst\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\n"
      "Content-ID: <img1>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "aGFsbG8=\r\n"
      "--b\r\nContent-Type: application/pdf\r\n"
      "Content-Disposition: attachment; filename=\"groot.pdf\"\r\n\r\n"
      "0123456789abcdef\r\n--b--\r\n";
  lk_inmail m;

  (void)state;
  assert_int_equal(lk_mail_parse(raw, strlen(raw), &lim, &m), 0);
  assert_string_equal(m.text, "tekst");
  assert_int_equal(m.nparts, 1); /* the inline image, decoded */
  assert_int_equal(m.parts[0].len, 5);
  assert_memory_equal(m.parts[0].data, "hallo", 5);
  assert_string_equal(m.parts[0].media_type, "image/png");
  assert_int_equal(m.dropped, 1); /* over part_max */
  lk_inmail_free(&m);
}

static void test_noise(void **state) {
  static const char *const noisy[] = {"Auto-Submitted: auto-replied\r\n",
                                      "Auto-Submitted: auto-generated\r\n",
                                      "X-Autoreply: yes\r\n",
                                      "X-Autorespond: x\r\n",
                                      "Precedence: bulk\r\n",
                                      "Precedence: junk\r\n",
                                      "Precedence: list\r\n",
                                      "Return-Path: <>\r\n"};
  char raw[512];
  lk_inmail m;

  (void)state;
  for (size_t i = 0; i < sizeof(noisy) / sizeof(noisy[0]); i++) {
    snprintf(raw, sizeof(raw), "From: a@b.nl\r\n%sSubject: x\r\n\r\nt\r\n",
             noisy[i]);
    parse(raw, &m);
    assert_non_null(m.noise);
    lk_inmail_free(&m);
  }
  parse("From: a@b.nl\r\nAuto-Submitted: no\r\nPrecedence: first-class\r\n"
        "\r\nt\r\n",
        &m);
  assert_null(m.noise);
  lk_inmail_free(&m);
}

#define DSN_FMT                                                                \
  "From: MAILER-DAEMON@x.nl\r\nAuto-Submitted: auto-replied\r\n"               \
  "MIME-Version: 1.0\r\nContent-Type: multipart/report;"                       \
  " report-type=delivery-status; boundary=b\r\n\r\n"                           \
  "--b\r\nContent-Type: text/plain\r\n\r\nsorry\r\n"                           \
  "--b\r\nContent-Type: message/delivery-status\r\n\r\n"                       \
  "Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@b.nl\r\n"           \
  "Action: %s\r\nStatus: 5.1.1\r\n"                                            \
  "--b\r\nContent-Type: %s\r\n\r\n"                                            \
  "Message-ID: <lk.orig@gemeente.nl>\r\nSubject: x\r\n\r\n%s"                  \
  "--b--\r\n"

static void test_dsn(void **state) {
  char raw[1024];
  lk_inmail m;

  (void)state;
  snprintf(raw, sizeof(raw), DSN_FMT, "failed", "message/rfc822", "body\r\n");
  parse(raw, &m);
  assert_non_null(m.noise);
  assert_string_equal(m.bounced_id, "lk.orig@gemeente.nl");
  lk_inmail_free(&m);
  snprintf(raw, sizeof(raw), DSN_FMT, "failed", "text/rfc822-headers", "");
  parse(raw, &m);
  assert_string_equal(m.bounced_id, "lk.orig@gemeente.nl");
  lk_inmail_free(&m);
  /* Delayed is no failure. */
  snprintf(raw, sizeof(raw), DSN_FMT, "delayed", "message/rfc822", "b\r\n");
  parse(raw, &m);
  assert_non_null(m.noise);
  assert_string_equal(m.bounced_id, "");
  lk_inmail_free(&m);
}

static void test_authres(void **state) {
  const char *id = "mx.zuidbroek.test";
  lk_inmail m;
  lk_inmail_limits lim = {0, 0, "mx.zuidbroek.test"};
  const char *mail =
      "Authentication-Results: mx.zuidbroek.test; dmarc=fail\r\n"
      "Authentication-Results: mx.zuidbroek.test; dmarc=pass\r\n"
      "From: anna@example.nl\r\nMessage-ID: <a@b>\r\n\r\nhoi\r\n";
  const char *other =
      "Authentication-Results: mx.elders.test; dmarc=fail\r\n"
      "Authentication-Results: MX.Zuidbroek.test (comment; x=y);\r\n"
      "  dkim=pass header.d=example.nl header.s=s1\r\n"
      "From: anna@example.nl\r\nMessage-ID: <a@b>\r\n\r\nhoi\r\n";

  (void)state;
  assert_true(lk_mail_authres_proven(
      "mx.zuidbroek.test; dmarc=pass header.from=example.nl", id,
      "example.nl"));
  assert_true(lk_mail_authres_proven(
      "mx.zuidbroek.test 1; spf=pass smtp.mailfrom=bounce@Example.NL; "
      "dkim=fail",
      id, "example.nl"));
  assert_true(lk_mail_authres_proven(
      "mx.zuidbroek.test; dkim=pass (good) header.d=example.nl", id,
      "post.example.nl"));
  /* Another server, a failure, a domain not aligned, nothing at all. */
  assert_false(
      lk_mail_authres_proven("mx.elders.test; dmarc=pass", id, "example.nl"));
  assert_false(lk_mail_authres_proven("mx.zuidbroek.test.evil; dmarc=pass", id,
                                      "example.nl"));
  assert_false(lk_mail_authres_proven("mx.zuidbroek.test; dmarc=fail", id,
                                      "example.nl"));
  assert_false(lk_mail_authres_proven(
      "mx.zuidbroek.test; dkim=pass header.d=evil.example", id, "example.nl"));
  assert_false(lk_mail_authres_proven(
      "mx.zuidbroek.test; dkim=pass header.d=nl", id, "example.nl"));
  assert_false(lk_mail_authres_proven(
      "mx.zuidbroek.test; dkim=pass header.d=xexample.nl", id, "example.nl"));
  assert_false(lk_mail_authres_proven(
      "mx.zuidbroek.test; dmarc=pass header.from=evil.example", id,
      "example.nl"));
  assert_false(lk_mail_authres_proven(
      "mx.zuidbroek.test; spf=pass smtp.mailfrom=x@evil.example", id,
      "example.nl"));
  assert_false(
      lk_mail_authres_proven("mx.zuidbroek.test; none", id, "example.nl"));
  assert_false(lk_mail_authres_proven("mx.zuidbroek.test; x=y (dmarc=pass)", id,
                                      "example.nl"));
  assert_false(lk_mail_authres_proven("mx.zuidbroek.test; dmarc=pass", "",
                                      "example.nl"));
  /* In a mail: only the first header of the trusted id counts. */
  assert_int_equal(lk_mail_parse(mail, strlen(mail), &lim, &m), 0);
  assert_false(m.from_proven);
  lk_inmail_free(&m);
  assert_int_equal(lk_mail_parse(other, strlen(other), &lim, &m), 0);
  assert_true(m.from_proven);
  lk_inmail_free(&m);
  assert_int_equal(lk_mail_parse(other, strlen(other), NULL, &m), 0);
  assert_false(m.from_proven);
  lk_inmail_free(&m);
}

static void test_clean_text(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  lk_mail_clean_text("a\0b\xff\xc2\x85z\t\r\n  ", 12, true, 100, &b);
  assert_string_equal(b.data, "a b\xef\xbf\xbdz");
  lk_buf_reset(&b);
  /* Cut on a character boundary. */
  lk_mail_clean_text("ééé", 6, false, 5, &b);
  assert_string_equal(b.data, "éé");
  lk_buf_free(&b);
}

static void test_tokens(void **state) {
  lk_mail_key k1, k2;
  char id[300], contact[37];
  char conv[37], c2[37], cid[37];

  (void)state;
  randombytes_buf(k1.k, sizeof(k1.k));
  randombytes_buf(k2.k, sizeof(k2.k));
  lk_uuid_new(conv, 1);
  lk_uuid_new(c2, 2);
  lk_uuid_new(cid, 3);
  assert_int_equal(
      lk_mail_token_message_id(&k1, conv, cid, "gemeente.nl", id, sizeof(id)),
      0);
  assert_true(lk_mail_address_ok(id));
  assert_true(lk_mail_token_contact(id, contact));
  assert_string_equal(contact, cid);
  assert_true(lk_mail_token_verify(&k1, id, conv));
  assert_false(lk_mail_token_verify(&k2, id, conv)); /* another key */
  assert_false(lk_mail_token_verify(&k1, id, c2));   /* another thread */
  id[strlen("lk.") + 36 + 3] ^= 1;                   /* a forged tag */
  assert_false(lk_mail_token_verify(&k1, id, conv));
  assert_false(lk_mail_token_contact("a@b.nl", contact));
  assert_int_equal(lk_mail_token_message_id(&k1, conv, cid, "x", id, 20), -1);

  /* Bounce addresses (VERP). */
  assert_int_equal(lk_mail_bounce_address(&k1, cid, "vragen+post@gemeente.nl",
                                          id, sizeof(id)),
                   0);
  assert_true(lk_mail_address_ok(id));
  assert_int_equal(strncmp(id, "vragen+lkb-", 11), 0);
  assert_int_equal(strlen(id), strlen("vragen+lkb-@gemeente.nl") + 39);
  contact[0] = '\0';
  assert_true(lk_mail_bounce_contact(&k1, id, contact));
  assert_string_equal(contact, cid);
  for (char *p = id; *p; p++) /* a server may change the case */
    *p = (char)toupper((unsigned char)*p);
  assert_true(lk_mail_bounce_contact(&k1, id, contact));
  assert_false(lk_mail_bounce_contact(&k2, id, contact)); /* another key */
  id[11 + 30] = id[11 + 30] == 'A' ? 'B' : 'A';           /* forged */
  assert_false(lk_mail_bounce_contact(&k1, id, contact));
  assert_false(lk_mail_bounce_contact(&k1, "x+lkb-abc@y.nl", contact));
  assert_false(lk_mail_bounce_contact(&k1, "vragen@gemeente.nl", contact));
  assert_int_equal(lk_mail_bounce_address(&k1, "nope", "a@b.nl", id, 100), -1);
  assert_int_equal(lk_mail_bounce_address(&k1, cid, "a@b.nl", id, 20), -1);
}

/* mail.key is made whole or not at all; an empty or short one (a crash
 * of an older version mid-write) is a clear error, never a new key. */
static void test_mail_key_file(void **state) {
  lk_test_dir dir;
  lk_mail_key k1, k2, zero = {0};
  char path[128];
  struct stat st;
  FILE *f;

  (void)state;
  lk_test_dir_make(&dir);
  assert_int_equal(lk_mail_key_load(dir.path, &k1), 0);
  assert_memory_not_equal(&k1, &zero, sizeof(k1));
  snprintf(path, sizeof(path), "%s/mail.key", dir.path);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, LK_MAIL_KEY_BYTES);
  assert_int_equal(lk_mail_key_load(dir.path, &k2), 0);
  assert_memory_equal(&k1, &k2, sizeof(k1));
  f = fopen(path, "wb");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(lk_mail_key_load(dir.path, &k2), LK_MAIL_KEY_BAD);
  f = fopen(path, "wb");
  assert_non_null(f);
  fwrite(&k1, 1, 5, f);
  fclose(f);
  assert_int_equal(lk_mail_key_load(dir.path, &k2), LK_MAIL_KEY_BAD);
  assert_int_equal(unlink(path), 0);
  lk_test_dir_remove(&dir);
}

static void test_compose_attachment(void **state) {
  static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0, 1, 2};
  lk_mail_attachment a = {"kaart é.png", "image/png", png, sizeof(png)};
  lk_mail m = {.from = "v@gemeente.nl",
               .to = "a@b.nl",
               .subject = "Re: x",
               .text = "zie bijlage",
               .date_ms = 1,
               .message_id = "lk.1.2@gemeente.nl",
               .attachments = &a,
               .nattachments = 1};
  char mid[LK_MAIL_MESSAGE_ID_MAX];
  lk_buf b = LK_BUF_INIT;
  lk_inmail in;

  (void)state;
  assert_int_equal(lk_mail_compose(&m, &b, mid), 0);
  assert_string_equal(mid, "<lk.1.2@gemeente.nl>");
  assert_non_null(strstr(b.data, "multipart/mixed"));
  assert_non_null(strstr(b.data, "filename*=utf-8''kaart%20%C3%A9.png"));
  /* What we send, GMime reads back. */
  assert_int_equal(lk_mail_parse(b.data, b.len, NULL, &in), 0);
  assert_string_equal(in.message_id, "lk.1.2@gemeente.nl");
  assert_string_equal(in.text, "zie bijlage");
  assert_int_equal(in.nparts, 1);
  assert_string_equal(in.parts[0].filename, "kaart é.png");
  assert_memory_equal(in.parts[0].data, png, sizeof(png));
  lk_inmail_free(&in);
  m.message_id = "geen id";
  lk_buf_reset(&b);
  assert_int_equal(lk_mail_compose(&m, &b, mid), -1);
  lk_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_latin1_qp),
      cmocka_unit_test(test_latin1_is_cp1252),
      cmocka_unit_test(test_forwarded_message),
      cmocka_unit_test(test_html_only_cp1252),
      cmocka_unit_test(test_attachments_and_limits),
      cmocka_unit_test(test_noise),
      cmocka_unit_test(test_dsn),
      cmocka_unit_test(test_authres),
      cmocka_unit_test(test_clean_text),
      cmocka_unit_test(test_tokens),
      cmocka_unit_test(test_mail_key_file),
      cmocka_unit_test(test_compose_attachment),
  };

  if (lk_ids_init() != 0 || sodium_init() < 0)
    return 1;
  lk_mail_parse_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
