// The huge-page heap (src/tools/heap_pages.h): a run that asks for it starts
// itself again with glibc.malloc.hugetlb=1, says so under --report -v, and
// writes the same bytes; small inputs, DWARF2BTF_HUGE_PAGES=0 and a tunable the
// user chose keep the ordinary heap; nothing printed before the restart is
// printed twice.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gnu/libc-version.h>
#include <optional>
#include <string>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

const std::string kFixture = "bin/multi.gcc.dwarf5.O2.exe";
constexpr const char *kHuge = "heap: transparent huge pages (glibc.malloc.hugetlb=1)";
constexpr const char *kOrdinary = "heap: ordinary pages";

/// Sets (or, with nullptr, removes) an environment variable for the
/// scope: the tool inherits the test's environment.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name))
      old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

private:
  const char *name_;
  std::optional<std::string> old_;
};

/// Why this machine cannot have the huge-page heap, or "" when it can.
std::string unsupported() {
  unsigned major = 0, minor = 0;
  if (std::sscanf(gnu_get_libc_version(), "%u.%u", &major, &minor) != 2 ||
      (major == 2 && minor < 35))
    return std::string("glibc ") + gnu_get_libc_version() + " has no glibc.malloc.hugetlb";
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(f, line) || line.find("[never]") != std::string::npos)
    return "transparent huge pages are off in the kernel";
  return "";
}

size_t occurrences(const std::string &haystack, const std::string &needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

TEST(HeapPages, ForcedRunRestartsWithHugePagesAndWritesTheSameBytes) {
  if (std::string why = unsupported(); !why.empty())
    GTEST_SKIP() << why;
  ScopedEnv tunables("GLIBC_TUNABLES", nullptr);
  TempDir dir;
  Encoded huge, plain;
  {
    ScopedEnv mode("DWARF2BTF_HUGE_PAGES", "1");
    huge = encodeRaw(testdata(kFixture), dir, "--report -v", "huge.btf");
  }
  {
    ScopedEnv mode("DWARF2BTF_HUGE_PAGES", "0");
    plain = encodeRaw(testdata(kFixture), dir, "--report -v", "plain.btf");
  }
  ASSERT_EQ(huge.run.status, 0) << describe(huge.run);
  ASSERT_EQ(plain.run.status, 0) << describe(plain.run);
  EXPECT_EQ(occurrences(huge.run.err, kHuge), 1u) << huge.run.err;
  EXPECT_EQ(occurrences(plain.run.err, kOrdinary), 1u) << plain.run.err;
  EXPECT_FALSE(huge.btf.empty());
  EXPECT_EQ(huge.btf, plain.btf);
}

TEST(HeapPages, SmallInputKeepsTheOrdinaryHeap) {
  ScopedEnv tunables("GLIBC_TUNABLES", nullptr);
  ScopedEnv mode("DWARF2BTF_HUGE_PAGES", nullptr);
  TempDir dir;
  Encoded e = encodeRaw(testdata(kFixture), dir, "--report -v");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  EXPECT_EQ(occurrences(e.run.err, kOrdinary), 1u) << e.run.err;
}

TEST(HeapPages, TheUsersTunableWins) {
  ScopedEnv tunables("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0");
  ScopedEnv mode("DWARF2BTF_HUGE_PAGES", "1");
  TempDir dir;
  Encoded e = encodeRaw(testdata(kFixture), dir, "--report -v");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  EXPECT_EQ(occurrences(e.run.err, kOrdinary), 1u) << e.run.err;
}

TEST(HeapPages, PaholeNotesArePrintedOnceAcrossTheRestart) {
  ScopedEnv tunables("GLIBC_TUNABLES", nullptr);
  ScopedEnv mode("DWARF2BTF_HUGE_PAGES", "1");
  TempDir dir;
  const std::string out = dir.path("out.btf");
  RunResult r =
      runTool("pahole -V --btf_features=no_such_feature -J --btf_encode_detached=" + quote(out) +
              " " + quote(testdata(kFixture)));
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(occurrences(r.err + r.out, "Ignoring unsupported feature 'no_such_feature'"), 1u)
      << r.err;
}

} // namespace
