#pragma once
/// The file-system calls the output stage makes, behind one small interface so
/// that tests can make any of them fail at the Nth call (fault injection).
///
///   FileOps sys;                                        // the real calls
///   FailingFileOps ops(FileOp::Rename, 1, EXDEV);       // first rename fails
///   Error e = writeFileAtomic(path, bytes, 0644, ops);
#include <array>
#include <cstddef>
#include <string>
#include <sys/types.h>

namespace d2b {

/// The operations that go through FileOps; names a call for FailingFileOps.
enum class FileOp {
  Open,
  Access,
  CreateTemp,
  Write,
  CopyRange,
  Fsync,
  Chmod,
  Chown,
  Rename,
  Unlink,
  Close
};
inline constexpr size_t kFileOpCount = 11;

/// The text for an errno value ("Permission denied"), safe to call from any thread.
std::string errnoText(int err);

/// Thin wrappers over the POSIX calls; each returns what the call returns and
/// leaves errno set on failure. The base class performs the real calls.
class FileOps {
public:
  virtual ~FileOps() = default;
  virtual int open(const char *path, int flags, mode_t mode);
  /// faccessat(AT_FDCWD, path, how, AT_EACCESS): checks with the effective ids.
  virtual int access(const char *path, int how);
  /// mkostemp(pathTemplate, O_CLOEXEC); rewrites the XXXXXX in place.
  virtual int createTemp(char *pathTemplate);
  virtual ssize_t write(int fd, const void *buf, size_t size);
  /// copy_file_range(inFd, &inOffset, outFd, nullptr, size, 0): copies in the
  /// kernel (or shares extents) and appends at outFd's file position.
  virtual ssize_t copyRange(int inFd, loff_t inOffset, int outFd, size_t size);
  virtual int fsync(int fd);
  virtual int fchmod(int fd, mode_t mode);
  virtual int fchown(int fd, uid_t uid, gid_t gid);
  virtual int rename(const char *from, const char *to);
  virtual int unlink(const char *path);
  virtual int close(int fd);
};

/// FileOps that makes the `nth` call (1-based) of one operation fail with
/// `err`, passing every other call through to the system. Counts all calls.
class FailingFileOps : public FileOps {
public:
  FailingFileOps(FileOp op, unsigned nth, int err) : op_(op), nth_(nth), err_(err) {}
  /// How many calls of `op` were made so far (including the failed one).
  unsigned calls(FileOp op) const { return calls_[static_cast<size_t>(op)]; }
  /// True once the injected failure has happened.
  bool fired() const { return fired_; }

  int open(const char *path, int flags, mode_t mode) override;
  int access(const char *path, int how) override;
  int createTemp(char *pathTemplate) override;
  ssize_t write(int fd, const void *buf, size_t size) override;
  ssize_t copyRange(int inFd, loff_t inOffset, int outFd, size_t size) override;
  int fsync(int fd) override;
  int fchmod(int fd, mode_t mode) override;
  int fchown(int fd, uid_t uid, gid_t gid) override;
  int rename(const char *from, const char *to) override;
  int unlink(const char *path) override;
  int close(int fd) override;

private:
  bool shouldFail(FileOp op);

  FileOp op_;
  unsigned nth_;
  int err_;
  bool fired_ = false;
  std::array<unsigned, kFileOpCount> calls_{};
};

} // namespace d2b
