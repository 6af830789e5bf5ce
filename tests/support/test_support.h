#pragma once
/// Helpers shared by the test programs: running commands, temporary
/// directories, locating the tool and the fixtures.
#include <filesystem>
#include <string>
#include <vector>

namespace d2b::test {

struct RunResult {
  int status = -1; // exit status, or 128+signal
  std::string out;
  std::string err;
};

/// Runs `cmd` through /bin/sh, capturing stdout and stderr.
RunResult run(const std::string &cmd);
/// Absolute path of the dwarf2btf binary under test.
std::string tool();
/// Absolute path below the source tree's testdata/.
std::string testdata(const std::string &rel);
/// The distribution's debug vmlinux: $D2B_DEBUG_VMLINUX, else the newest
/// /usr/lib/debug/boot/vmlinux-* (linux-image-*-dbg), else "".
std::string debugVmlinux();
/// True if `prog` is found on PATH.
bool haveProgram(const std::string &prog);
/// A fresh directory removed when the object is destroyed.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  std::string path(const std::string &name) const { return (dir_ / name).string(); }
  const std::filesystem::path &dir() const { return dir_; }

private:
  std::filesystem::path dir_;
};
std::string readFile(const std::string &path);
void writeFile(const std::string &path, const std::string &data);
/// Files in testdata/bin matching a suffix, sorted.
std::vector<std::string> fixtures(const std::string &suffix = ".o");

} // namespace d2b::test
