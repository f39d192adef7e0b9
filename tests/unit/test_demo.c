/* test_demo.c - the demo generator's building blocks, and that the staff
 * log-ins `loket demo` prints are the accounts' real passwords. */
#include "lk_test.h"

#include <fcntl.h>

#include "cli/cli.h"
#include "core/demo_names.h"
#include "core/ids.h"
#include "core/party.h"
#include "core/user.h"
#include "store/store.h"

static void bsn_eleven_test(void **state) {
  lk_rng r;
  char bsn[10];

  (void)state;
  assert_true(lk_bsn_valid("111222333"));
  assert_true(lk_bsn_valid("123456782"));
  assert_false(lk_bsn_valid("123456789"));
  assert_false(lk_bsn_valid("000000000")); /* sum 0 */
  assert_false(lk_bsn_valid("12345678"));
  assert_false(lk_bsn_valid("12345678a"));
  lk_rng_seed(&r, 42);
  for (int i = 0; i < 10000; i++) {
    lk_bsn_random(&r, bsn);
    assert_int_equal(strlen(bsn), 9);
    assert_true(bsn[0] != '0');
    assert_true(lk_bsn_valid(bsn));
  }
}

static void rng_is_reproducible_test(void **state) {
  lk_rng a;
  lk_rng b;
  char ua[37];
  char ub[37];

  (void)state;
  lk_rng_seed(&a, 7);
  lk_rng_seed(&b, 7);
  for (int i = 0; i < 100; i++)
    assert_true(lk_rng_next(&a) == lk_rng_next(&b));
  for (int i = 0; i < 1000; i++) {
    int64_t v = lk_rng_range(&a, -3, 3);
    assert_true(v >= -3 && v <= 3);
    assert_true(lk_rng_below(&a, 10) < 10);
  }
  lk_rng_seed(&a, 9);
  lk_rng_seed(&b, 9);
  lk_rng_uuid7(&a, 1795881566709LL, ua);
  lk_rng_uuid7(&b, 1795881566709LL, ub);
  assert_true(lk_uuid_valid(ua));
  assert_string_equal(ua, ub);
  assert_int_equal(ua[14], '7');
  assert_true(strchr("89ab", ua[19]) != NULL);
  assert_memory_equal(ua, "01a222e2-01f5", 13); /* the time, in ms */
}

static void surname_split_test(void **state) {
  char pre[16];

  (void)state;
  assert_string_equal(lk_demo_split_surname("van den Berg", pre, 16), "Berg");
  assert_string_equal(pre, "van den");
  assert_string_equal(lk_demo_split_surname("van 't Hof", pre, 16), "Hof");
  assert_string_equal(pre, "van 't");
  assert_string_equal(lk_demo_split_surname("Jansen", pre, 16), "Jansen");
  assert_string_equal(pre, "");
  assert_string_equal(lk_demo_split_surname("El Amrani", pre, 16), "El Amrani");
  assert_string_equal(pre, "");
}

/* Runs `loket demo` in-process with its stdout in a file. */
static void run_demo(const char *dir, const char *out) {
  char *argv[] = {"demo", "--parties", "40",        "--contacts",
                  "100",  "--data",    (char *)dir, NULL};
  int saved = dup(STDOUT_FILENO);
  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  assert_true(saved >= 0 && fd >= 0);
  fflush(stdout);
  dup2(fd, STDOUT_FILENO);
  close(fd);
  assert_int_equal(lk_cli_demo(7, argv), 0);
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
}

static void printed_passwords_log_in_test(void **state) {
  lk_test_dir d;
  char data[128];
  char out[128];
  char line[512];
  lk_store_options so = {0};
  lk_store *s;
  FILE *f;
  int logins = 0;

  (void)state;
  lk_test_dir_make(&d);
  snprintf(data, sizeof(data), "%s/data", d.path);
  snprintf(out, sizeof(out), "%s/out.txt", d.path);
  run_demo(data, out);
  so.dir = data;
  so.group_commit = true;
  assert_int_equal(lk_store_open(&so, &s), 0);
  f = fopen(out, "r");
  assert_non_null(f);
  while (fgets(line, sizeof(line), f) != NULL) {
    char role[16], email[256], password[64];
    char *p = line;
    lk_user_row u;
    int n = 0;

    /* "  agent       jan.devries@gemeente.example   <password>" */
    if (strncmp(line, "  admin ", 8) != 0 &&
        strncmp(line, "  supervisor ", 13) != 0 &&
        strncmp(line, "  agent ", 8) != 0)
      continue;
    for (char *w[3] = {role, email, password}; n < 3; n++) {
      size_t len;

      p += strspn(p, " ");
      len = strcspn(p, " \n");
      assert_true(len > 0 && len < 64 + 192 * (n == 1));
      memcpy(w[n], p, len);
      w[n][len] = '\0';
      p += len;
    }
    assert_int_equal(lk_user_check_password(s, email, password, &u), 0);
    assert_string_equal(u.role, role);
    password[0] ^= 1;
    assert_int_equal(lk_user_check_password(s, email, password, &u),
                     LK_STORE_NOTFOUND);
    logins++;
  }
  fclose(f);
  assert_true(logins >= 10);
  lk_store_close(s);
  lk_test_dir_remove(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bsn_eleven_test),
      cmocka_unit_test(rng_is_reproducible_test),
      cmocka_unit_test(surname_split_test),
      cmocka_unit_test(printed_passwords_log_in_test),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
