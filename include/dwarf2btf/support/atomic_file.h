#pragma once
/// Writing a file so that readers see either the old file or the complete new
/// one, never a partial file: the bytes go to a temporary file in the same
/// directory, which is synced and renamed over the destination. On any failure
/// the temporary is removed and the destination is left as it was.
///
///   Expected<AtomicFile> f = AtomicFile::create(path, ops);
///   if (!f) return f.error();
///   if (Error e = f->write(bytes)) return e;
///   return f->commit({.mode = 0644});
#include "dwarf2btf/support/expected.h"
#include "dwarf2btf/support/file_ops.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <sys/types.h>

namespace d2b {

/// Permissions and owner given to a file when it is committed.
struct FileAttributes {
  mode_t mode = 0644;
  struct Owner {
    uid_t uid;
    gid_t gid;
  };
  std::optional<Owner> owner; ///< set only when running as root
  /// Sync the file before the rename and its directory after, so the new
  /// file survives a crash. Without it the write is still atomic for readers
  /// (old file or complete new one), but a crash may lose the new file; for
  /// many new outputs whose caller syncs them all once (batch --raw-dir).
  bool durable = true;
};

/// The mode (and, when running as root, the owner) of an existing file, so a
/// rewrite keeps them; nullopt if `path` does not exist.
std::optional<FileAttributes> existingAttributes(const std::string &path);

/// A file under construction: a temporary next to `path`, renamed over `path`
/// by commit(). Destroying it without a successful commit removes the temporary.
class AtomicFile {
public:
  /// Starts writing `path`. If `path` is a symbolic link, its target is
  /// replaced and the link kept. Fails if `path` exists but is not writable.
  static Expected<AtomicFile> create(const std::string &path, FileOps &ops);

  AtomicFile(AtomicFile &&other) noexcept;
  AtomicFile &operator=(AtomicFile &&) = delete;
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;
  ~AtomicFile();

  /// Appends bytes. After a failed call the temporary is gone and every later call fails.
  Error write(std::span<const uint8_t> bytes);
  /// Appends bytes [offset, offset + bytes.size()) of the file open as `fd`,
  /// whose contents are `bytes` (a mapping of it): copied by the kernel
  /// (copy_file_range) where possible, else written from `bytes`.
  Error appendFileRange(int fd, uint64_t offset, std::span<const uint8_t> bytes);
  /// Appends `count` zero bytes (padding).
  Error writeZeros(uint64_t count);
  /// Bytes written so far.
  uint64_t size() const { return size_; }
  /// Sets mode and owner, syncs, and renames the temporary over the destination.
  Error commit(const FileAttributes &attrs);

  /// The file that commit() replaces (a symbolic link resolved).
  const std::string &destination() const { return dest_; }
  /// The temporary file's path.
  const std::string &tempPath() const { return temp_; }

private:
  AtomicFile(FileOps &ops, std::string displayPath, std::string dest, std::string temp, int fd)
      : ops_(&ops), display_(std::move(displayPath)), dest_(std::move(dest)),
        temp_(std::move(temp)), fd_(fd) {}
  /// Closes and removes the temporary, then returns `err`.
  Error fail(Error err);
  Error errnoError(const char *what, int err) const;
  /// For calls after a failure or commit, which already closed the temporary.
  Error closedError() const;

  FileOps *ops_;
  std::string display_; ///< the path as the caller named it, for messages
  std::string dest_;
  std::string temp_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool committed_ = false;
};

/// Writes `data` to `path` atomically. A new file gets `mode`; an existing
/// file keeps its mode (and its owner when running as root).
Error writeFileAtomic(const std::string &path, std::span<const uint8_t> data, mode_t mode = 0644,
                      bool durable = true);
/// Same, with the file-system calls going through `ops`.
Error writeFileAtomic(const std::string &path, std::span<const uint8_t> data, mode_t mode,
                      FileOps &ops, bool durable = true);

} // namespace d2b
