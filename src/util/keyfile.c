/* keyfile.c - atomically made key files (see keyfile.h). */
#include "util/keyfile.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>

static int read_full(int fd, unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r < 0 ? -errno : LK_KEYFILE_BAD;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int write_full(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);

    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return w < 0 ? -errno : -EIO;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Makes the key file without ever showing a partial one: the key is
 * written and synced under a private temporary name, then link()ed into
 * place, which fails with EEXIST if another process got there first
 * (then its key is the one).  A crash leaves at most a stray temporary
 * file, never an empty key that blocks every later start.  Returns 0,
 * -EEXIST (read the other one) or a negative errno. */
static int create_key(const char *dir, const char *path, unsigned char *key,
                      size_t len) {
  char tmp[4096];
  unsigned char nonce[8];
  char hex[sizeof(nonce) * 2 + 1];
  int fd, rc, dfd;

  randombytes_buf(nonce, sizeof(nonce));
  sodium_bin2hex(hex, sizeof(hex), nonce, sizeof(nonce));
  if (snprintf(tmp, sizeof(tmp), "%s.%ld.%s.tmp", path, (long)getpid(), hex) >=
      (int)sizeof(tmp))
    return -ENAMETOOLONG;
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return -errno;
  randombytes_buf(key, len);
  rc = write_full(fd, key, len);
  if (rc == 0 && fsync(fd) != 0)
    rc = -errno;
  if (close(fd) != 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && link(tmp, path) != 0)
    rc = -errno;
  unlink(tmp);
  if (rc != 0)
    return rc;
  /* The new name must survive a crash too. */
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -errno;
  if (fsync(dfd) != 0)
    rc = -errno;
  close(dfd);
  return rc;
}

int lk_keyfile_load(const char *dir, const char *name, unsigned char *key,
                    size_t len) {
  char path[4096];
  unsigned char extra;
  int fd, rc;

  if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
    return -ENAMETOOLONG;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    rc = create_key(dir, path, key, len);
    if (rc != -EEXIST) /* lost a race with another process: read theirs */
      return rc;
    fd = open(path, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0)
    return -errno;
  rc = read_full(fd, key, len);
  /* Exactly len bytes: shorter or longer is not a key this code wrote. */
  if (rc == 0 && read(fd, &extra, 1) != 0)
    rc = LK_KEYFILE_BAD;
  close(fd);
  return rc;
}
