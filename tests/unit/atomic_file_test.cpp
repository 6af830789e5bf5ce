// Tests of AtomicFile / writeFileAtomic: temporary + rename discipline,
// attributes, and cleanup when a file-system call fails.
#include "dwarf2btf/support/atomic_file.h"
#include "output_checks.h"
#include "test_support.h"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace d2b::test {
namespace {

namespace fs = std::filesystem;

mode_t modeOf(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

TEST(AtomicFile, NewFileGetsExactlyTheGivenMode) {
  TempDir t;
  std::string path = t.path("raw.btf");
  mode_t old = umask(077); // the mode must not depend on the umask
  Error e = writeFileAtomic(path, bytesOf("raw"), 0640);
  umask(old);
  ASSERT_FALSE(e) << e.message();
  EXPECT_EQ(readFile(path), "raw");
  EXPECT_EQ(modeOf(path), 0640u);
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"raw.btf"});
}

TEST(AtomicFile, ExistingFileKeepsItsMode) {
  TempDir t;
  std::string path = t.path("raw.btf");
  writeFile(path, "old contents, longer than the new ones");
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  ASSERT_FALSE(writeFileAtomic(path, bytesOf("new"), 0644));
  EXPECT_EQ(readFile(path), "new");
  EXPECT_EQ(modeOf(path), 0600u);
}

TEST(AtomicFile, EmptyData) {
  TempDir t;
  std::string path = t.path("empty");
  ASSERT_FALSE(writeFileAtomic(path, {}, 0644));
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(fs::file_size(path), 0u);
}

TEST(AtomicFile, ReplacesTheTargetOfASymbolicLink) {
  TempDir t;
  std::string target = t.path("target"), link = t.path("link");
  writeFile(target, "old");
  fs::create_symlink("target", link);
  ASSERT_FALSE(writeFileAtomic(link, bytesOf("new"), 0644));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(readFile(target), "new");
}

TEST(AtomicFile, MissingDirectory) {
  TempDir t;
  std::string path = t.path("nope/raw.btf");
  Error e = writeFileAtomic(path, bytesOf("x"), 0644);
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), path + ": cannot create temporary file in " + t.path("nope") +
                             ": No such file or directory");
}

TEST(AtomicFile, RelativePathUsesCurrentDirectory) {
  TempDir t;
  fs::path old = fs::current_path();
  fs::current_path(t.dir());
  Error e = writeFileAtomic("rel.btf", bytesOf("x"), 0644);
  fs::current_path(old);
  ASSERT_FALSE(e) << e.message();
  EXPECT_EQ(readFile(t.path("rel.btf")), "x");
}

TEST(AtomicFile, FailedRenameKeepsOldFileAndRemovesTemporary) {
  TempDir t;
  std::string path = t.path("raw.btf");
  writeFile(path, "old");
  FailingFileOps ops(FileOp::Rename, 1, EXDEV);
  Error e = writeFileAtomic(path, bytesOf("new"), 0644, ops);
  ASSERT_TRUE(e);
  EXPECT_TRUE(std::regex_match(
      e.message(),
      std::regex(regexQuote(path + ": cannot rename temporary file " + t.path(".raw.btf.tmp-")) +
                 "[0-9]+-[A-Za-z0-9]{6}: Invalid cross-device link")))
      << e.message();
  EXPECT_EQ(readFile(path), "old");
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"raw.btf"});
}

TEST(AtomicFile, FailedWriteNamesTheTemporary) {
  TempDir t;
  std::string path = t.path("raw.btf");
  FailingFileOps ops(FileOp::Write, 1, ENOSPC);
  Error e = writeFileAtomic(path, bytesOf("data"), 0644, ops);
  ASSERT_TRUE(e);
  EXPECT_TRUE(std::regex_match(
      e.message(),
      std::regex(regexQuote(path + ": cannot write temporary file " + t.path(".raw.btf.tmp-")) +
                 "[0-9]+-[A-Za-z0-9]{6}: No space left on device")))
      << e.message();
  EXPECT_TRUE(listDir(t.dir()).empty());
}

TEST(AtomicFile, FailedSyncIsReported) {
  TempDir t;
  std::string path = t.path("raw.btf");
  writeFile(path, "old");
  FailingFileOps ops(FileOp::Fsync, 1, EIO);
  Error e = writeFileAtomic(path, bytesOf("new"), 0644, ops);
  ASSERT_TRUE(e);
  EXPECT_NE(e.message().find(": cannot sync temporary file "), std::string::npos) << e.message();
  EXPECT_EQ(readFile(path), "old");
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"raw.btf"});
}

// Not durable (batch --raw-dir, synced once at the end): still atomic, but
// neither the file nor its directory is synced, so a failing fsync is never
// reached.
TEST(AtomicFile, NotDurableWritesWithoutSync) {
  TempDir t;
  std::string path = t.path("raw.btf");
  writeFile(path, "old");
  FailingFileOps ops(FileOp::Fsync, 1, EIO);
  Error e = writeFileAtomic(path, bytesOf("new"), 0644, ops, false);
  ASSERT_FALSE(e) << e.message();
  EXPECT_EQ(ops.calls(FileOp::Fsync), 0u);
  EXPECT_EQ(readFile(path), "new");
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"raw.btf"});
}

TEST(AtomicFile, UncommittedFileIsRemoved) {
  TempDir t;
  FileOps ops;
  std::string temp;
  {
    Expected<AtomicFile> f = AtomicFile::create(t.path("out"), ops);
    ASSERT_TRUE(f);
    ASSERT_FALSE(f->write(bytesOf("partial")));
    temp = f->tempPath();
    EXPECT_TRUE(fs::exists(temp));
    AtomicFile moved(std::move(*f)); // the moved-from object must not remove it
    EXPECT_TRUE(fs::exists(temp));
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(listDir(t.dir()).empty());
}

TEST(AtomicFile, WriteZerosPads) {
  TempDir t;
  FileOps ops;
  Expected<AtomicFile> f = AtomicFile::create(t.path("out"), ops);
  ASSERT_TRUE(f);
  ASSERT_FALSE(f->write(bytesOf("ab")));
  ASSERT_FALSE(f->writeZeros(10000));
  ASSERT_FALSE(f->write(bytesOf("c")));
  EXPECT_EQ(f->size(), 10003u);
  ASSERT_FALSE(f->commit({0644, {}}));
  EXPECT_EQ(readFile(t.path("out")), "ab" + std::string(10000, '\0') + "c");
}

TEST(FailingFileOps, CountsCallsAndFailsOnlyTheChosenOne) {
  TempDir t;
  FailingFileOps ops(FileOp::Write, 2, EIO);
  Expected<AtomicFile> f = AtomicFile::create(t.path("out"), ops);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->write(bytesOf("one")));
  EXPECT_FALSE(ops.fired());
  EXPECT_TRUE(f->write(bytesOf("two")));
  EXPECT_TRUE(ops.fired());
  EXPECT_EQ(ops.calls(FileOp::Write), 2u);
  EXPECT_EQ(ops.calls(FileOp::CreateTemp), 1u);
  EXPECT_EQ(ops.calls(FileOp::Unlink), 1u) << "the failed file removed its temporary";
}

} // namespace
} // namespace d2b::test
