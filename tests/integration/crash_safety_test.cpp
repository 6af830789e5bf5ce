// In-place encoding under SIGKILL and under failing writes/fsyncs/renames
// (the LD_PRELOAD shim tests/preload/fault_shim.c): INPUT is either
// byte-identical to before or the complete encoded output, every failure is
// one line naming the file, and no temporary survives a run that could clean
// up. A SIGKILLed run cannot remove its own temporary; it is named
// `.<name>.tmp-<pid>-XXXXXX` and the next write of the same file removes it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

/// A fixture with DWARF in every flavour the writer handles.
std::string fixture() { return testdata("bin/multi.gcc.dwarf5.O2.exe"); }

/// Environment for a run under the shim; the sanitizers must accept a
/// preloaded library that is not their runtime.
std::string shimEnv(const std::string &call, int n, const std::string &mark) {
  return "env LD_PRELOAD=" + quote(D2B_FAULT_SHIM) + " D2B_FAIL_CALL=" + call +
         " D2B_FAIL_AT=" + std::to_string(n) + " D2B_FAIL_MARK=" + quote(mark) +
         " ASAN_OPTIONS=verify_asan_link_order=0:exitcode=134"
         " UBSAN_OPTIONS=halt_on_error=1:exitcode=134 ";
}

/// The complete in-place output for `input` (encoded on a copy).
std::string encodedBytes(const TempDir &dir, const std::string &input) {
  const std::string copy = dir.path("reference");
  fs::copy_file(input, copy);
  RunResult r = runTool("encode " + quote(copy));
  EXPECT_EQ(r.status, 0) << describe(r);
  std::string out = readFile(copy);
  fs::remove(copy);
  return out;
}

class FaultInjection : public ::testing::TestWithParam<std::string> {};

// Sweeps N = 1, 2, ... over the calls of one class until a run makes fewer
// than N: each failing run must leave INPUT byte-identical and no temporary.
TEST_P(FaultInjection, InPlaceEncodeLeavesInputIntact) {
  const std::string call = GetParam();
  TempDir dir;
  const std::string original = readFile(fixture());
  const std::string done = encodedBytes(dir, fixture());
  const std::string input = dir.path("in.exe");
  const std::string mark = dir.path("fired");
  int fired = 0;
  for (int n = 1; n <= 64; ++n) {
    SCOPED_TRACE(call + " call #" + std::to_string(n));
    fs::remove(mark);
    fs::remove(input);
    fs::copy_file(fixture(), input);
    RunResult r = run(shimEnv(call, n, mark) + "timeout -k 5 60 " + quote(tool()) + " encode " +
                      quote(input));
    EXPECT_FALSE(crashed(r)) << describe(r);
    if (!fs::exists(mark)) {
      // The run made fewer calls than n: it must have succeeded.
      EXPECT_EQ(r.status, 0) << describe(r);
      EXPECT_TRUE(readFile(input) == done) << "output differs from an undisturbed run";
      break;
    }
    ++fired;
    if (r.status == 0 && call == "fsync") {
      // The directory's fsync after the rename is best effort: the file is
      // already complete and in place, so the run succeeds.
      EXPECT_TRUE(readFile(input) == done) << "success reported but the output is not complete";
      EXPECT_EQ(listDir(dir.dir().string()), (std::vector<std::string>{"fired", "in.exe"}));
      continue;
    }
    EXPECT_EQ(r.status, 1) << describe(r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("dwarf2btf: " + input + ": ", 0), 0) << r.err;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
    EXPECT_TRUE(readFile(input) == original) << "INPUT changed by a failed run";
    EXPECT_EQ(listDir(dir.dir().string()), (std::vector<std::string>{"fired", "in.exe"}))
        << "temporary files left behind";
  }
  EXPECT_GT(fired, 0) << "the shim never fired for " << call;
}

INSTANTIATE_TEST_SUITE_P(Calls, FaultInjection, ::testing::Values("write", "fsync", "rename"));

/// Starts `tool encode input` and SIGKILLs it after `delay`; returns its pid.
pid_t killedRun(const std::string &input, std::chrono::microseconds delay) {
  pid_t pid = fork();
  if (pid == 0) {
    const std::string t = tool();
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(t.c_str(), t.c_str(), "encode", input.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  // Poll so that a run that ends before `delay` is reaped at once.
  const auto until = std::chrono::steady_clock::now() + delay;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      return pid;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return pid;
}

TEST(KillDuringEncode, InputIsOldOrNewAndTempsAreReclaimed) {
  TempDir dir;
  const std::string original = readFile(fixture());
  const std::string done = encodedBytes(dir, fixture());
  const std::string input = dir.path("in.exe");

  // How long an undisturbed run takes, so that the kills land all over it.
  fs::copy_file(fixture(), input);
  const auto t0 = std::chrono::steady_clock::now();
  (void)killedRun(input, std::chrono::seconds(30)); // exits long before
  const auto runTime =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(readFile(input) == done);

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int64_t> pick(0, runTime.count() * 6 / 5);
  int sawOld = 0, sawNew = 0, sawTemp = 0;
  for (int i = 0; i < 40; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i));
    fs::remove(input);
    fs::copy_file(fixture(), input);
    const pid_t pid = killedRun(input, std::chrono::microseconds(pick(rng)));
    const std::string now = readFile(input);
    const bool isOld = now == original, isNew = now == done;
    EXPECT_TRUE(isOld || isNew) << "INPUT is neither the original nor the complete output";
    sawOld += isOld;
    sawNew += isNew;
    // Only the killed process's own temporary may remain.
    const std::regex own("\\.in\\.exe\\.tmp-" + std::to_string(pid) + "-[A-Za-z0-9]{6}");
    for (const std::string &name : listDir(dir.dir().string())) {
      if (name == "in.exe")
        continue;
      EXPECT_TRUE(std::regex_match(name, own)) << "unexpected file " << name;
      ++sawTemp;
    }
    // The next complete run reclaims what the killed one left.
    RunResult r = runTool("encode " + quote(input));
    EXPECT_EQ(r.status, 0) << describe(r);
    EXPECT_TRUE(readFile(input) == done) << "re-encoding does not give the same bytes";
    EXPECT_EQ(listDir(dir.dir().string()), std::vector<std::string>{"in.exe"});
  }
  RecordProperty("killed_before_rename", sawOld);
  RecordProperty("killed_after_rename", sawNew);
  RecordProperty("stale_temporaries", sawTemp);
  std::printf("kill loop: %d runs left the original, %d the output, %d a stale temporary\n", sawOld,
              sawNew, sawTemp);
}

} // namespace
