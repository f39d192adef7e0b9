#include "util/fdlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_FDS (1L << 20)

long lk_fdlimit_raise(unsigned slots) {
  struct rlimit rl;
  long cur, want;
  int fd, high;

  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return -errno;
  cur = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)MAX_FDS
            ? MAX_FDS
            : (long)rl.rlim_cur;
  if (cur < MAX_FDS && rl.rlim_cur < rl.rlim_max) {
    struct rlimit up = rl;

    up.rlim_cur = rl.rlim_max > (rlim_t)MAX_FDS ? (rlim_t)MAX_FDS : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &up) == 0)
      cur = (long)up.rlim_cur;
  }
  /* The table grows to hold the highest descriptor and never shrinks:
   * one descriptor at slots - 1, closed at once, leaves it that large. */
  want = (long)slots < cur ? (long)slots : cur;
  fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && want > fd + 1) {
    high = fcntl(fd, F_DUPFD_CLOEXEC, (int)(want - 1));
    if (high >= 0)
      close(high);
  }
  if (fd >= 0)
    close(fd);
  return cur;
}
