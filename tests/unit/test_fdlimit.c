/* Unit tests for util/fdlimit.h: the soft limit is raised and the
 * descriptor table is grown (FDSize in /proc/self/status). */
#include "lk_test.h"

#include <dirent.h>
#include <sys/resource.h>

#include "util/fdlimit.h"

/* The process's descriptor table size, from /proc/self/status. */
static long fd_table_size(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long n = -1;

  assert_non_null(f);
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, "FDSize:", 7) == 0) {
      n = strtol(line + 7, NULL, 10);
      break;
    }
  }
  fclose(f);
  return n;
}

static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;

  assert_non_null(d);
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

static void test_raise_and_grow(void **state) {
  struct rlimit rl;
  long got, want;
  int fds = open_fds();

  (void)state;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 4096)
    skip();
  /* Start from a soft limit of 1,024 and a table that has not grown. */
  rl.rlim_cur = 1024;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
  assert_true(fd_table_size() < 4096);
  got = lk_fdlimit_raise(4096);
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
  want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1L << 20)
             ? 1L << 20
             : (long)rl.rlim_max;
  assert_int_equal(got, want);
  assert_int_equal((long)rl.rlim_cur, want);
  assert_true(fd_table_size() >= 4096);
  /* No descriptor is left open by it. */
  assert_int_equal(open_fds(), fds);
}

/* Runs last: it lowers the hard limit, which cannot be undone. */
static void test_slots_above_the_limit(void **state) {
  struct rlimit rl = {6000, 6000};

  (void)state;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    skip();
  /* More slots than the limit allows: the table grows to the limit. */
  assert_int_equal(lk_fdlimit_raise(1u << 30), 6000);
  assert_true(fd_table_size() >= 6000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_raise_and_grow),
      cmocka_unit_test(test_slots_above_the_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
