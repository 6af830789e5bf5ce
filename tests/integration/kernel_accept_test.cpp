// End-to-end: the running kernel accepts the BTF that `dwarf2btf encode`
// produces for every fixture. Judged three ways: our offline `check`, our
// `check --kernel` (BPF_BTF_LOAD through the tool), and an independent
// BPF_BTF_LOAD through libbpf when the tests are linked with it.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "e2e_support.h"

#ifdef D2B_HAVE_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

/// One BPF_BTF_LOAD; returns 0 or the errno.
int loadOnce(const std::string &bytes, std::string *log) {
  std::string buf(log ? 16u << 20 : 0, '\0');
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.btf = reinterpret_cast<uint64_t>(bytes.data());
  attr.btf_size = static_cast<uint32_t>(bytes.size());
  if (log) {
    attr.btf_log_buf = reinterpret_cast<uint64_t>(buf.data());
    attr.btf_log_size = static_cast<uint32_t>(buf.size());
    attr.btf_log_level = 1;
  }
  long fd = syscall(__NR_bpf, BPF_BTF_LOAD, &attr, sizeof(attr));
  int err = fd < 0 ? errno : 0;
  if (fd >= 0)
    close(static_cast<int>(fd));
  if (log)
    *log = buf.c_str();
  return err;
}

/// Loads raw BTF bytes with bpf(BPF_BTF_LOAD); returns 0 or an errno and,
/// on failure, fills `log` with the verifier log. The first attempt runs
/// without a log: with one, the kernel fails with ENOSPC when the log does
/// not fit, whatever the verdict.
int loadRaw(const std::string &bytes, std::string &log) {
  int err = loadOnce(bytes, nullptr);
  if (err != 0)
    loadOnce(bytes, &log);
  return err;
}

/// The last `n` lines of a verifier log (the error is at the end).
std::string tail(const std::string &log, size_t n) {
  size_t pos = log.size();
  while (n-- > 0 && pos > 0) {
    pos = log.rfind('\n', pos - 1);
    if (pos == std::string::npos)
      return log;
  }
  return log.substr(pos);
}

/// Why kernel loading cannot be tested here, or "" if it can: loads a
/// minimal valid BTF (one INT) and looks at the errno.
std::string kernelSkipReason() {
  // Header (24 bytes), one INT "int" size 4 signed 32 bits, strings "\0int\0".
  const uint32_t words[] = {
      0x0001eb9f, 24, // magic 0xeb9f, version 1, flags 0; hdr_len
      0,          16,
      16,         5, // type_off, type_len, str_off, str_len
      1,          (1u << 24),
      4,          (1u << 24) | 32, // name_off=1, info=INT, size=4, encoding SIGNED, 32 bits
  };
  std::string blob(reinterpret_cast<const char *>(words), sizeof(words));
  blob.append("\0int\0", 5);
  std::string log;
  int err = loadRaw(blob, log);
  if (err == 0)
    return "";
  return std::string("BPF_BTF_LOAD of a minimal BTF failed: ") + std::strerror(err) +
         (err == EPERM ? " (needs CAP_BPF/root)" : "") + (log.empty() ? "" : "; log: " + log);
}

class KernelAccept : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    static const std::string reason = kernelSkipReason();
    if (!reason.empty())
      GTEST_SKIP() << reason;
  }
  TempDir dir_;
};

TEST_P(KernelAccept, OfflineCheckPasses) {
  Encoded e = encodeRaw(GetParam(), dir_);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult c = runTool("check " + quote(e.btfPath));
  EXPECT_EQ(c.status, 0) << "offline check rejects our own output: " << describe(c) << c.out;
}

TEST_P(KernelAccept, CheckKernelAccepts) {
  Encoded e = encodeRaw(GetParam(), dir_);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult c = runTool("check --kernel " + quote(e.btfPath));
  EXPECT_EQ(c.status, 0) << "kernel verdict: " << c.out << describe(c);
}

TEST_P(KernelAccept, DirectLoadAccepts) {
  // Independent of the tool's own loader: the raw syscall on the bytes.
  Encoded e = encodeRaw(GetParam(), dir_);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  ASSERT_FALSE(e.btf.empty());
  std::string log;
  int err = loadRaw(e.btf, log);
  EXPECT_EQ(err, 0) << "BPF_BTF_LOAD: " << std::strerror(err)
                    << "\nkernel log (tail):" << tail(log, 20);
}

#ifdef D2B_HAVE_LIBBPF
TEST_P(KernelAccept, LibbpfLoadsTheEncodedElf) {
  // The in-place-encoded ELF, read by libbpf's ELF path and loaded by it.
  std::string copy = dir_.path("elf");
  writeFile(copy, readFile(GetParam()));
  RunResult r = runTool("encode " + quote(copy));
  ASSERT_EQ(r.status, 0) << describe(r);
  struct btf *b = btf__parse_elf(copy.c_str(), nullptr);
  ASSERT_NE(b, nullptr) << "btf__parse_elf: " << std::strerror(errno);
  int err = btf__load_into_kernel(b);
  EXPECT_EQ(err, 0) << "btf__load_into_kernel: " << std::strerror(-err);
  btf__free(b);
}
#endif

INSTANTIATE_TEST_SUITE_P(Fixtures, KernelAccept, ::testing::ValuesIn(allFixtures()),
                         [](const auto &info) { return paramName(info.param); });

TEST(KernelProbe, MinimalBtfLoadsOrSkipsVisibly) {
  // Keeps the reason visible in the test log when every case above skips.
  std::string reason = kernelSkipReason();
  if (!reason.empty())
    GTEST_SKIP() << reason;
  SUCCEED();
}

} // namespace
