#include "test_support.h"

#include <cstdlib>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace d2b::test {

RunResult run(const std::string &cmd) {
  TempDir t;
  std::string errPath = t.path("stderr");
  std::string full = "(" + cmd + ") 2>" + errPath;
  RunResult r;
  FILE *p = popen(full.c_str(), "r");
  if (!p)
    throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.err = readFile(errPath);
  return r;
}

std::string tool() { return D2B_BINARY; }
std::string testdata(const std::string &rel) {
  return std::string(D2B_SOURCE_DIR) + "/testdata/" + rel;
}

std::string debugVmlinux() {
  if (const char *env = std::getenv("D2B_DEBUG_VMLINUX"); env && *env)
    return env;
  std::string newest;
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator("/usr/lib/debug/boot", ec))
    if (e.path().filename().string().rfind("vmlinux-", 0) == 0 && e.is_regular_file(ec))
      newest = std::max(newest, e.path().string());
  return newest;
}

bool haveProgram(const std::string &prog) {
  return run("command -v " + prog + " >/dev/null").status == 0;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "d2b-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string readFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void writeFile(const std::string &path, const std::string &data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

std::vector<std::string> fixtures(const std::string &suffix) {
  std::vector<std::string> out;
  for (auto &e : std::filesystem::directory_iterator(testdata("bin"))) {
    std::string p = e.path().string();
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace d2b::test
