/* lk_test.h - helpers the unit tests share: cmocka and scratch directories.
 *
 * Only for tests/unit/test_*.c; everything is static inline so each test binary
 * gets its own copy.
 */
#ifndef LK_TEST_H
#define LK_TEST_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct lk_test_dir {
  char path[64];
} lk_test_dir;

/* Creates a fresh empty directory under /tmp; fails the test otherwise. */
static inline void lk_test_dir_make(lk_test_dir *d) {
  snprintf(d->path, sizeof(d->path), "/tmp/loket-unit-XXXXXX");
  assert_non_null(mkdtemp(d->path));
}

static inline int lk_test_rm_one(const char *path, const struct stat *st,
                                 int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag == FTW_DP)
    return rmdir(path);
  return unlink(path);
}

/* Removes the directory and everything in it. */
static inline void lk_test_dir_remove(lk_test_dir *d) {
  if (d->path[0] == '\0')
    return;
  nftw(d->path, lk_test_rm_one, 8, FTW_DEPTH | FTW_PHYS);
  d->path[0] = '\0';
}

#endif
