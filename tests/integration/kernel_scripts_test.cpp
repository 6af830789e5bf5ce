// The BTF steps of a real kernel build (Debian's linux-source-6.1) run with
// our `pahole` symlink as PAHOLE: scripts/pahole-version.sh,
// scripts/pahole-flags.sh, link-vmlinux.sh's gen_btf and Makefile.modfinal's
// cmd_btf_ko, on fixture objects instead of a kernel. The scripts are taken
// from the tarball unchanged; only what a kernel tree would provide around
// them is stubbed (vmlinux_link/info/is_enabled; resolve_btfids, which is
// built inside a kernel tree, is `true`).
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

constexpr const char *kTarball = "/usr/src/linux-source-6.1.tar.xz";

std::string paholeLink() {
  return (std::filesystem::path(toolPath()).parent_path() / "pahole").string();
}

/// The kernel's verdict through `check --kernel`, or "" when skipped.
std::string kernelCheck(const std::string &file, const std::string &base = "") {
  RunResult r = runTool("check --kernel " + (base.empty() ? "" : "--base " + quote(base) + " ") +
                        quote(file));
  if (r.out.find("check skipped") != std::string::npos)
    return "";
  return r.out + r.err;
}

class KernelScripts : public ::testing::Test {
protected:
  void SetUp() override {
    if (!std::filesystem::exists(kTarball))
      GTEST_SKIP() << kTarball << " is missing (scripts/setup.sh test installs linux-source-6.1)";
    for (const char *p : {"tar", "xz", "make", "objcopy", "readelf"})
      if (!haveProgram(p))
        GTEST_SKIP() << p << " not found";
    RunResult t = run("cd " + quote(dir_.path("")) + " && tar xJf " + kTarball +
                      " --strip-components=1 linux-source-6.1/scripts/pahole-version.sh "
                      "linux-source-6.1/scripts/pahole-flags.sh "
                      "linux-source-6.1/scripts/link-vmlinux.sh "
                      "linux-source-6.1/scripts/Makefile.modfinal");
    ASSERT_EQ(t.status, 0) << t.err;
  }
  /// Runs `cmd` in the extracted tree with PAHOLE set to our symlink.
  RunResult sh(const std::string &cmd) {
    return run("cd " + quote(dir_.path("")) + " && export PAHOLE=" + quote(paholeLink()) + " && " +
               cmd);
  }
  TempDir dir_;
};

} // namespace

TEST_F(KernelScripts, VersionFlagsVmlinuxAndModule) {
  // Kconfig's CONFIG_PAHOLE_VERSION.
  RunResult v = sh("sh scripts/pahole-version.sh \"$PAHOLE\"");
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(v.out, "127\n");
  // PAHOLE_FLAGS as 6.1's Makefile computes it for a v1.27 pahole.
  RunResult f = sh("sh scripts/pahole-flags.sh");
  ASSERT_EQ(f.status, 0) << f.err;
  const std::string flags =
      "--btf_gen_floats -j --lang_exclude=rust --skip_encoding_btf_inconsistent_proto "
      "--btf_gen_optimized";
  ASSERT_EQ(f.out, flags + "\n");

  // vmlinux: gen_btf from link-vmlinux.sh, on an executable fixture.
  std::filesystem::copy_file(testdata("bin/multi.gcc.dwarf5.O2.exe"),
                             dir_.path(".tmp_vmlinux.btf"));
  writeFile(dir_.path("gen_btf.sh"),
            "set -e\n"
            "vmlinux_link() { :; }\n"
            "info() { printf '  %-7s %s\\n' \"$1\" \"$2\"; }\n"
            "is_enabled() { return 1; }\n"
            "eval \"$(sed -n '/^gen_btf()/,/^}/p' scripts/link-vmlinux.sh)\"\n"
            "OBJCOPY=objcopy PAHOLE_FLAGS=\"" +
                flags +
                "\"\n"
                "gen_btf .tmp_vmlinux.btf .btf.vmlinux.bin.o\n");
  RunResult g = sh("bash gen_btf.sh");
  ASSERT_EQ(g.status, 0) << g.out << g.err;
  EXPECT_EQ(g.out, "  BTF     .btf.vmlinux.bin.o\n");
  RunResult sec = run("readelf -SW " + quote(dir_.path(".btf.vmlinux.bin.o")));
  EXPECT_NE(sec.out.find(".BTF"), std::string::npos) << sec.out;
  RunResult hdr = run("readelf -h " + quote(dir_.path(".btf.vmlinux.bin.o")));
  EXPECT_NE(hdr.out.find("REL (Relocatable file)"), std::string::npos) << hdr.out;
  std::string k = kernelCheck(dir_.path(".tmp_vmlinux.btf"));
  if (!k.empty()) {
    EXPECT_NE(k.find("kernel: accepted"), std::string::npos) << k;
  }

  // Module: cmd_btf_ko from Makefile.modfinal, run by make with the base
  // named vmlinux in the current directory, as in a kernel tree.
  std::filesystem::copy_file(dir_.path(".tmp_vmlinux.btf"), dir_.path("vmlinux"));
  std::filesystem::copy_file(testdata("bin/multi.gcc.dwarf5.O2.ldr.o"), dir_.path("mod.ko"));
  writeFile(dir_.path("Makefile"), "OBJCOPY := objcopy\n"
                                   "RESOLVE_BTFIDS := true\n"
                                   "PAHOLE_FLAGS := " +
                                       flags +
                                       "\n"
                                       "$(eval $(shell sed -n '/^quiet_cmd_btf_ko/,/^\\t*fi;$$/p' "
                                       "scripts/Makefile.modfinal > btf_ko.mk))\n"
                                       "include btf_ko.mk\n"
                                       "mod.ko: FORCE\n"
                                       "\t$(cmd_btf_ko)\n"
                                       "FORCE:\n");
  RunResult m = sh("make -s PAHOLE=\"$PAHOLE\" mod.ko");
  ASSERT_EQ(m.status, 0) << m.out << m.err;
  RunResult ms = run("readelf -SW " + quote(dir_.path("mod.ko")));
  EXPECT_NE(ms.out.find(".BTF"), std::string::npos) << ms.out;
  std::string mk = kernelCheck(dir_.path("mod.ko"), dir_.path("vmlinux"));
  if (!mk.empty()) {
    EXPECT_NE(mk.find("kernel: accepted"), std::string::npos) << mk;
  }
}
