// kfunc DECL_TAGs (pahole's decl_tag_kfuncs) on an object whose .BTF_ids
// section is laid out as include/linux/btf_ids.h lays it out: one set8 with
// BTF_SET8_KFUNCS (two kfuncs, one with KF_FASTCALL) and one plain set8.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

const char *kSource = R"(
__attribute__((noinline)) int my_kfunc(int x) { return x + 1; }
__attribute__((noinline)) int my_fast_kfunc(int *p) { return *p; }
__attribute__((noinline)) int not_kfunc(int x) { return x * 2; }
asm(".pushsection .BTF_ids,\"a\"\n"
    "__BTF_ID__set8__test_kfuncs:\n"
    ".long 0\n.long 1\n" /* cnt (filled by resolve_btfids), flags: BTF_SET8_KFUNCS */
    "__BTF_ID__func__my_kfunc__1:\n.long 0\n.long 0\n"
    "__BTF_ID__func__my_fast_kfunc__2:\n.long 0\n.long 0x1000\n" /* KF_FASTCALL */
    ".size __BTF_ID__set8__test_kfuncs, .-__BTF_ID__set8__test_kfuncs\n"
    "__BTF_ID__set8__plain:\n"
    ".long 0\n.long 0\n"
    "__BTF_ID__func__not_kfunc__3:\n.long 0\n.long 0\n"
    ".size __BTF_ID__set8__plain, .-__BTF_ID__set8__plain\n"
    ".popsection\n");
)";

std::string paholeLink() {
  return (std::filesystem::path(toolPath()).parent_path() / "pahole").string();
}

/// "DECL_TAG 'tag' -> FUNC name" lines of a dump, resolving type ids.
std::vector<std::string> kfuncTags(const std::string &dump) {
  std::map<std::string, std::string> funcs; // id -> name
  std::regex func(R"(^\[(\d+)\] FUNC '([^']+)')");
  std::regex tag(R"(^\[\d+\] DECL_TAG '([^']+)' type_id=(\d+) component_idx=-1)");
  std::vector<std::pair<std::string, std::string>> tags;
  std::istringstream in(dump);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, func))
      funcs[m[1]] = m[2];
    else if (std::regex_search(line, m, tag))
      tags.emplace_back(m[1], m[2]);
  }
  std::vector<std::string> out;
  for (const auto &[t, id] : tags)
    out.push_back(t + " -> " + funcs[id]);
  std::sort(out.begin(), out.end());
  return out;
}

class KfuncTags : public ::testing::Test {
protected:
  void SetUp() override {
    if (!haveProgram("gcc"))
      GTEST_SKIP() << "gcc not found";
    writeFile(dir_.path("k.c"), kSource);
    RunResult c =
        run("gcc -g -O2 -c -o " + quote(dir_.path("k.o")) + " " + quote(dir_.path("k.c")));
    ASSERT_EQ(c.status, 0) << c.err;
  }
  std::vector<std::string> encode(const std::string &args) {
    RunResult r = run(quote(paholeLink()) + " -J " + args + " --btf_encode_detached=" +
                      quote(dir_.path("k.btf")) + " " + quote(dir_.path("k.o")));
    EXPECT_EQ(r.status, 0) << r.err;
    RunResult d = runTool("dump " + quote(dir_.path("k.btf")));
    EXPECT_EQ(d.status, 0) << d.err;
    return kfuncTags(d.out);
  }
  TempDir dir_;
};

} // namespace

TEST_F(KfuncTags, DefaultFeaturesTagKfuncsOnly) {
  EXPECT_EQ(encode("--btf_features=default"),
            (std::vector<std::string>{"bpf_fastcall -> my_fast_kfunc", "bpf_kfunc -> my_fast_kfunc",
                                      "bpf_kfunc -> my_kfunc"}));
  RunResult k = runTool("check --kernel " + quote(dir_.path("k.btf")));
  EXPECT_EQ(k.status, 0) << k.out << k.err;
}

TEST_F(KfuncTags, OffWithoutTheFeature) {
  EXPECT_TRUE(encode("--btf_gen_floats").empty());                         // legacy flags
  EXPECT_TRUE(encode("--btf_features=decl_tag,float").empty());            // not requested
  EXPECT_TRUE(encode("--btf_features=decl_tag_kfuncs,float").empty());     // needs decl_tag
  EXPECT_EQ(encode("--btf_features=decl_tag,decl_tag_kfuncs").size(), 3u); // both
}

TEST_F(KfuncTags, EncodeSubcommandFlag) {
  RunResult r = runTool("encode --kfunc-tags --raw " + quote(dir_.path("e.btf")) + " " +
                        quote(dir_.path("k.o")));
  ASSERT_EQ(r.status, 0) << r.err;
  RunResult d = runTool("dump " + quote(dir_.path("e.btf")));
  EXPECT_EQ(kfuncTags(d.out).size(), 3u) << d.out;
}
