/* LD_PRELOAD fault injector for the crash-safety tests
 * (tests/integration/crash_safety_test.cpp). Fails the Nth call of one class
 * of file-system call in the process it is loaded into, as a full disk or a
 * failing device would, then lets every later call through:
 *
 *   D2B_FAIL_CALL   write  (write, pwrite, pwrite64, writev, copy_file_range)
 *                   fsync  (fsync, fdatasync)
 *                   rename (rename, renameat, renameat2)
 *   D2B_FAIL_AT     N, 1-based count of calls of that class
 *   D2B_FAIL_ERRNO  errno to fail with (default ENOSPC)
 *
 * When the call fires, the shim creates the file named by D2B_FAIL_MARK (if
 * set), so a test can tell "the Nth call happened" from "the run made fewer
 * calls". Only calls through the dynamic symbol table are seen: glibc's own
 * stdio reaches the kernel without them, so stdout/stderr are not counted. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long counter;

/* Nonzero when this call of class `cls` is the one to fail (errno set). */
static int shouldFail(const char *cls) {
  const char *want = getenv("D2B_FAIL_CALL");
  const char *at = getenv("D2B_FAIL_AT");
  if (!want || !at || strcmp(want, cls) != 0)
    return 0;
  long n = atomic_fetch_add(&counter, 1) + 1;
  if (n != atol(at))
    return 0;
  const char *mark = getenv("D2B_FAIL_MARK");
  if (mark) {
    /* Raw syscall-free path: open/close are not intercepted. */
    int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
      close(fd);
  }
  const char *e = getenv("D2B_FAIL_ERRNO");
  errno = e ? atoi(e) : ENOSPC;
  return 1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n) {
  if (shouldFail("write"))
    return -1;
  return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  if (shouldFail("write"))
    return -1;
  return REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) {
  if (shouldFail("write"))
    return -1;
  return REAL(pwrite64)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  if (shouldFail("write"))
    return -1;
  return REAL(writev)(fd, iov, cnt);
}

ssize_t copy_file_range(int in, off64_t *inOff, int out, off64_t *outOff, size_t n,
                        unsigned flags) {
  if (shouldFail("write"))
    return -1;
  return REAL(copy_file_range)(in, inOff, out, outOff, n, flags);
}

int fsync(int fd) {
  if (shouldFail("fsync"))
    return -1;
  return REAL(fsync)(fd);
}

int fdatasync(int fd) {
  if (shouldFail("fsync"))
    return -1;
  return REAL(fdatasync)(fd);
}

int rename(const char *from, const char *to) {
  if (shouldFail("rename"))
    return -1;
  return REAL(rename)(from, to);
}

int renameat(int fromDir, const char *from, int toDir, const char *to) {
  if (shouldFail("rename"))
    return -1;
  return REAL(renameat)(fromDir, from, toDir, to);
}

int renameat2(int fromDir, const char *from, int toDir, const char *to, unsigned flags) {
  if (shouldFail("rename"))
    return -1;
  return REAL(renameat2)(fromDir, from, toDir, to, flags);
}
