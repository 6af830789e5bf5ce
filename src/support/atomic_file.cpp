#include "dwarf2btf/support/atomic_file.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace d2b {
namespace {

namespace fs = std::filesystem;

/// Follows a symbolic link so that rename() replaces its target rather than
/// the link itself. A dangling link is left alone (the link gets replaced).
std::string resolveDestination(const std::string &path) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec)))
    return path;
  fs::path target = fs::canonical(path, ec);
  return ec ? path : target.string();
}

std::string directoryOf(const std::string &path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

/// Temporaries are named `.<name>.tmp-<pid>-XXXXXX`: a process killed by
/// SIGKILL (or a power cut) cannot remove its own, so the next write of the
/// same destination removes those whose writer no longer exists. A live
/// writer's file is never touched; a reused pid only means a stale file
/// survives one more run. Errors are ignored: this is housekeeping.
void removeStaleTemps(const std::string &dir, const std::string &prefix, FileOps &ops) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
      continue;
    std::string_view rest = std::string_view(name).substr(prefix.size());
    const size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string_view::npos || rest.size() - dash - 1 != 6)
      continue;
    pid_t pid = 0;
    bool digits = true;
    for (char c : rest.substr(0, dash)) {
      digits = digits && c >= '0' && c <= '9' && pid < 100000000;
      pid = pid * 10 + (c - '0');
    }
    if (!digits || pid <= 0)
      continue;
    if (::kill(pid, 0) != 0 && errno == ESRCH)
      ops.unlink(it->path().c_str());
  }
}

} // namespace

std::optional<FileAttributes> existingAttributes(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt;
  FileAttributes attrs;
  attrs.mode = st.st_mode & 07777;
  if (::geteuid() == 0)
    attrs.owner = FileAttributes::Owner{st.st_uid, st.st_gid};
  return attrs;
}

Expected<AtomicFile> AtomicFile::create(const std::string &path, FileOps &ops) {
  std::string dest = resolveDestination(path);
  struct stat st;
  if (::stat(dest.c_str(), &st) == 0 && ops.access(dest.c_str(), W_OK) != 0)
    return Error(fmt::format("{}: cannot write: {}", path, errnoText(errno)));

  std::string dir = directoryOf(dest);
  // Hidden, and short enough that the suffix never pushes it past NAME_MAX.
  std::string base = fs::path(dest).filename().string().substr(0, 200);
  const std::string prefix = "." + base + ".tmp-";
  std::string temp = fmt::format("{}/{}{}-XXXXXX", dir, prefix, ::getpid());
  int fd = ops.createTemp(temp.data());
  if (fd < 0)
    return Error(
        fmt::format("{}: cannot create temporary file in {}: {}", path, dir, errnoText(errno)));
  removeStaleTemps(dir, prefix, ops);
  return AtomicFile(ops, path, std::move(dest), std::move(temp), fd);
}

AtomicFile::AtomicFile(AtomicFile &&other) noexcept
    : ops_(other.ops_), display_(std::move(other.display_)), dest_(std::move(other.dest_)),
      temp_(std::move(other.temp_)), fd_(other.fd_), size_(other.size_),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true; // the moved-from object owns no temporary any more
}

AtomicFile::~AtomicFile() {
  if (!committed_)
    fail(Error());
}

Error AtomicFile::errnoError(const char *what, int err) const {
  return Error(fmt::format("{}: {} {}: {}", display_, what, temp_, errnoText(err)));
}

Error AtomicFile::fail(Error err) {
  if (fd_ >= 0)
    ops_->close(fd_);
  fd_ = -1;
  ops_->unlink(temp_.c_str());
  committed_ = true; // nothing left to clean up
  return err;
}

Error AtomicFile::closedError() const {
  return Error(fmt::format("{}: temporary file {} is already closed", display_, temp_));
}

Error AtomicFile::write(std::span<const uint8_t> bytes) {
  if (fd_ < 0)
    return closedError();
  while (!bytes.empty()) {
    ssize_t n = ops_->write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return fail(errnoError("cannot write temporary file", n < 0 ? errno : EIO));
    bytes = bytes.subspan(static_cast<size_t>(n));
    size_ += static_cast<uint64_t>(n);
  }
  return Error::success();
}

Error AtomicFile::appendFileRange(int fd, uint64_t offset, std::span<const uint8_t> bytes) {
  if (fd_ < 0)
    return closedError();
  uint64_t done = 0;
  while (done < bytes.size()) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(bytes.size() - done, 1u << 30));
    ssize_t n = ops_->copyRange(fd, static_cast<loff_t>(offset + done), fd_, chunk);
    if (n < 0 && errno == EINTR)
      continue;
    // Not supported between these files or file systems: copy through memory.
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
      return write(bytes.subspan(done));
    if (n < 0)
      return fail(errnoError("cannot write temporary file", errno));
    if (n == 0)
      return fail(Error(fmt::format("{}: input ended early while copying it to temporary file {}",
                                    display_, temp_)));
    done += static_cast<uint64_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
  return Error::success();
}

Error AtomicFile::writeZeros(uint64_t count) {
  static constexpr std::array<uint8_t, 4096> kZeros{};
  while (count > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(count, kZeros.size()));
    if (Error e = write(std::span(kZeros.data(), chunk)))
      return e;
    count -= chunk;
  }
  return Error::success();
}

Error AtomicFile::commit(const FileAttributes &attrs) {
  if (fd_ < 0)
    return closedError();
  if (ops_->fchmod(fd_, attrs.mode) != 0)
    return fail(errnoError(
        fmt::format("cannot set mode {:04o} on temporary file", attrs.mode).c_str(), errno));
  if (attrs.owner && ops_->fchown(fd_, attrs.owner->uid, attrs.owner->gid) != 0)
    return fail(errnoError("cannot set owner of temporary file", errno));
  if (attrs.durable && ops_->fsync(fd_) != 0)
    return fail(errnoError("cannot sync temporary file", errno));
  int fd = fd_;
  fd_ = -1;
  if (ops_->close(fd) != 0)
    return fail(errnoError("cannot close temporary file", errno));
  if (ops_->rename(temp_.c_str(), dest_.c_str()) != 0)
    return fail(errnoError("cannot rename temporary file", errno));
  committed_ = true;
  if (!attrs.durable)
    return Error::success();

  // Make the rename itself durable. The new file is complete and in place
  // whatever happens here, so a failure is not reported as a failed write.
  int dirFd = ops_->open(directoryOf(dest_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dirFd >= 0) {
    ops_->fsync(dirFd);
    ops_->close(dirFd);
  }
  return Error::success();
}

Error writeFileAtomic(const std::string &path, std::span<const uint8_t> data, mode_t mode,
                      bool durable) {
  FileOps ops;
  return writeFileAtomic(path, data, mode, ops, durable);
}

Error writeFileAtomic(const std::string &path, std::span<const uint8_t> data, mode_t mode,
                      FileOps &ops, bool durable) {
  Expected<AtomicFile> file = AtomicFile::create(path, ops);
  if (!file)
    return file.error();
  // Decided before anything is written: an existing file keeps its attributes.
  FileAttributes attrs = existingAttributes(file->destination()).value_or(FileAttributes{mode, {}});
  attrs.durable = durable;
  if (Error e = file->write(data))
    return e;
  return file->commit(attrs);
}

} // namespace d2b
