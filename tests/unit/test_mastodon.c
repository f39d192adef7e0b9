/* test_mastodon.c - the Mastodon channel's status text and configuration
 * (sending is tested against a stand-in server in
 * tests/integration/test_mastodon.py). */
#include "lk_test.h"

#include <errno.h>

#include "channels/mastodon.h"
#include "util/utf8.h"

/* Characters (code points) of valid UTF-8 `s`. */
static size_t chars(const char *s) {
  size_t n = 0;

  for (; *s != '\0'; s++) {
    if (((unsigned char)*s & 0xc0) != 0x80)
      n++;
  }
  return n;
}

static void status(lk_buf *b, const char *title, const char *text,
                   const char *link) {
  lk_buf_reset(b);
  assert_int_equal(lk_mastodon_status_text(b, title, text, link), 0);
  assert_true(lk_utf8_valid(b->data, b->len));
}

static void short_text_is_whole(void **state) {
  lk_buf b = LK_BUF_INIT;

  (void)state;
  status(&b, "Gaslek", "Ramen dicht.\nDeuren ook.", "https://x.nl/actueel/1");
  assert_string_equal(b.data, "Gaslek\n\nRamen dicht.\nDeuren ook.\n\n"
                              "https://x.nl/actueel/1");
  status(&b, "Gaslek", "", "https://x.nl/a");
  assert_string_equal(b.data, "Gaslek\n\nhttps://x.nl/a");
  status(&b, "Gaslek", NULL, NULL);
  assert_string_equal(b.data, "Gaslek");
  lk_buf_free(&b);
}

static void long_text_is_cut_at_a_character(void **state) {
  const char *link = "https://loket.gemeente.example/actueel/"
                     "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  char text[1001];
  lk_buf b = LK_BUF_INIT;
  size_t n = 0;

  (void)state;
  /* "é" is two bytes: a byte limit would split one. */
  while (n + 2 < sizeof(text)) {
    memcpy(text + n, "\xc3\xa9", 2);
    n += 2;
  }
  text[n] = '\0';
  status(&b, "Weg dicht", text, link);
  assert_int_equal(chars(b.data), LK_MASTODON_STATUS_MAX);
  assert_non_null(strstr(b.data, "\xc3\xa9\xe2\x80\xa6\n\nhttps://"));
  assert_int_equal(strncmp(b.data, "Weg dicht\n\n\xc3\xa9", 13), 0);
  assert_string_equal(b.data + b.len - strlen(link), link);

  /* Exactly at the limit: nothing cut. */
  {
    size_t room = LK_MASTODON_STATUS_MAX - 2 - chars(link) - 3 - 2;
    char exact[600];

    memset(exact, 'a', room);
    exact[room] = '\0';
    status(&b, "abc", exact, link);
    assert_int_equal(chars(b.data), LK_MASTODON_STATUS_MAX);
    assert_null(strstr(b.data, "\xe2\x80\xa6"));
    exact[room] = 'a';
    exact[room + 1] = '\0';
    status(&b, "abc", exact, link);
    assert_int_equal(chars(b.data), LK_MASTODON_STATUS_MAX);
    assert_non_null(strstr(b.data, "a\xe2\x80\xa6\n\n"));
  }
  /* A cut after a space does not leave the space before the ellipsis. */
  {
    char spaced[600];
    size_t room = LK_MASTODON_STATUS_MAX - 1 - 3 - 2;

    memset(spaced, 'b', sizeof(spaced) - 1);
    spaced[sizeof(spaced) - 1] = '\0';
    spaced[room - 1] = ' ';
    status(&b, "abc", spaced, NULL);
    assert_non_null(strstr(b.data, "b\xe2\x80\xa6"));
    assert_null(strstr(b.data, " \xe2\x80\xa6"));
  }
  lk_buf_free(&b);
}

static void link_must_leave_room(void **state) {
  char link[600];
  lk_buf b = LK_BUF_INIT;

  (void)state;
  memset(link, 'x', sizeof(link) - 1);
  link[sizeof(link) - 1] = '\0';
  assert_int_equal(lk_mastodon_status_text(&b, "t", "x", link), -1);
  lk_buf_free(&b);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void configuration(void **state) {
  lk_test_dir d;
  char path[128];
  char err[256];
  lk_mastodon *m = NULL;
  lk_outbox *ob = lk_outbox_new(NULL, NULL, NULL);
  lk_mastodon_config c = {.url = "https://social.example/",
                          .public_url = "https://loket.example",
                          .token_file = path};

  (void)state;
  lk_test_dir_make(&d);
  snprintf(path, sizeof(path), "%s/token", d.path);
  write_file(path, "sekrit-token-value\n");
  c.url = "ftp://social.example";
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "--mastodon-url"));
  c.url = "https://";
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  c.url = "https:///x";
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  c.url = "https://social.example/?a=b";
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  c.url = "https://social.example/";
  c.public_url = NULL;
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "--public-url"));
  c.public_url = "https://loket.example";
  c.visibility = "direct";
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  c.visibility = "unlisted";
  write_file(path, "sekrit token value\n");
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  assert_null(strstr(err, "sekrit"));
  write_file(path, "\n");
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "empty"));
  write_file(path, "sekrit-token-value\n");
  assert_int_equal(lk_mastodon_new(&c, ob, &m, err, sizeof(err)), 0);
  assert_non_null(m);
  /* The sender is registered: a second channel cannot take the kind. */
  assert_int_equal(lk_outbox_register(ob, "mastodon", lk_mastodon_send, m),
                   -EEXIST);
  lk_outbox_free(ob);
  lk_mastodon_free(m);
  lk_test_dir_remove(&d);
}

/* Retry-After in seconds or as an HTTP date, X-RateLimit-Reset as
 * Mastodon sends it (ISO 8601): the longer wait wins. */
static void wait_hints(void **state) {
  /* 2026-11-28T19:00:00Z */
  int64_t now = 1795892400000LL;

  (void)state;
  assert_int_equal(lk_mastodon_wait_ms(NULL, NULL, now), 0);
  assert_int_equal(lk_mastodon_wait_ms("120", NULL, now), 120000);
  assert_int_equal(
      lk_mastodon_wait_ms("Sat, 28 Nov 2026 19:01:00 GMT", NULL, now), 60000);
  assert_int_equal(lk_mastodon_wait_ms(NULL, "2026-11-28T19:05:00.000Z", now),
                   300000);
  assert_int_equal(
      lk_mastodon_wait_ms(NULL, "2026-11-28T20:05:00.500+01:00", now), 300500);
  assert_int_equal(lk_mastodon_wait_ms("10", "2026-11-28T19:00:30Z", now),
                   30000);
  assert_int_equal(lk_mastodon_wait_ms("90", "2026-11-28T19:00:30Z", now),
                   90000);
  /* A reset in the past or nonsense: no hint. */
  assert_int_equal(lk_mastodon_wait_ms(NULL, "2026-11-28T18:00:00Z", now), 0);
  assert_int_equal(lk_mastodon_wait_ms("soon", "later", now), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(short_text_is_whole),
      cmocka_unit_test(long_text_is_cut_at_a_character),
      cmocka_unit_test(link_must_leave_room),
      cmocka_unit_test(configuration),
      cmocka_unit_test(wait_hints),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
