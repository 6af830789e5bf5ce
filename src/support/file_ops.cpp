#include "dwarf2btf/support/file_ops.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace d2b {

std::string errnoText(int err) {
  char buf[256];
  // The GNU strerror_r returns a pointer to the message, which may or may not be `buf`.
  return strerror_r(err, buf, sizeof buf);
}

int FileOps::open(const char *path, int flags, mode_t mode) { return ::open(path, flags, mode); }
int FileOps::access(const char *path, int how) {
  return ::faccessat(AT_FDCWD, path, how, AT_EACCESS);
}
int FileOps::createTemp(char *pathTemplate) { return ::mkostemp(pathTemplate, O_CLOEXEC); }
ssize_t FileOps::write(int fd, const void *buf, size_t size) { return ::write(fd, buf, size); }
ssize_t FileOps::copyRange(int inFd, loff_t inOffset, int outFd, size_t size) {
  return ::copy_file_range(inFd, &inOffset, outFd, nullptr, size, 0);
}
int FileOps::fsync(int fd) { return ::fsync(fd); }
int FileOps::fchmod(int fd, mode_t mode) { return ::fchmod(fd, mode); }
int FileOps::fchown(int fd, uid_t uid, gid_t gid) { return ::fchown(fd, uid, gid); }
int FileOps::rename(const char *from, const char *to) { return ::rename(from, to); }
int FileOps::unlink(const char *path) { return ::unlink(path); }
int FileOps::close(int fd) { return ::close(fd); }

bool FailingFileOps::shouldFail(FileOp op) {
  unsigned n = ++calls_[static_cast<size_t>(op)];
  if (op != op_ || n != nth_)
    return false;
  fired_ = true;
  errno = err_;
  return true;
}

int FailingFileOps::open(const char *path, int flags, mode_t mode) {
  return shouldFail(FileOp::Open) ? -1 : FileOps::open(path, flags, mode);
}
int FailingFileOps::access(const char *path, int how) {
  return shouldFail(FileOp::Access) ? -1 : FileOps::access(path, how);
}
int FailingFileOps::createTemp(char *pathTemplate) {
  return shouldFail(FileOp::CreateTemp) ? -1 : FileOps::createTemp(pathTemplate);
}
ssize_t FailingFileOps::write(int fd, const void *buf, size_t size) {
  return shouldFail(FileOp::Write) ? -1 : FileOps::write(fd, buf, size);
}
ssize_t FailingFileOps::copyRange(int inFd, loff_t inOffset, int outFd, size_t size) {
  return shouldFail(FileOp::CopyRange) ? -1 : FileOps::copyRange(inFd, inOffset, outFd, size);
}
int FailingFileOps::fsync(int fd) { return shouldFail(FileOp::Fsync) ? -1 : FileOps::fsync(fd); }
int FailingFileOps::fchmod(int fd, mode_t mode) {
  return shouldFail(FileOp::Chmod) ? -1 : FileOps::fchmod(fd, mode);
}
int FailingFileOps::fchown(int fd, uid_t uid, gid_t gid) {
  return shouldFail(FileOp::Chown) ? -1 : FileOps::fchown(fd, uid, gid);
}
int FailingFileOps::rename(const char *from, const char *to) {
  return shouldFail(FileOp::Rename) ? -1 : FileOps::rename(from, to);
}
int FailingFileOps::unlink(const char *path) {
  return shouldFail(FileOp::Unlink) ? -1 : FileOps::unlink(path);
}
int FailingFileOps::close(int fd) {
  if (!shouldFail(FileOp::Close))
    return FileOps::close(fd);
  // Like a real close() that reports an error, the descriptor is gone
  // afterwards; closing it here keeps tests from leaking descriptors.
  int saved = errno;
  FileOps::close(fd);
  errno = saved;
  return -1;
}

} // namespace d2b
