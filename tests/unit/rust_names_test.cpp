// Golden tests of the Rust name sanitization against bpf-linker's published
// examples, and of the SipHash behind its 128-byte cap.
#include "dwarf2btf/lower/rust_names.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <numeric>
#include <vector>

namespace d2b::lower::rust {
namespace {

TEST(SipHash, MatchesTheSipHash24PaperVectors) {
  // The SipHash paper's example: key 00..0f; messages 00..(n-1).
  const uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  std::vector<uint8_t> msg(15);
  std::iota(msg.begin(), msg.end(), 0);
  EXPECT_EQ(sipHash(2, 4, k0, k1, msg), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(sipHash(2, 4, k0, k1, {}), 0x726fdb47dd0e0e31ULL);
}

TEST(SipHash, MatchesRustDefaultHasher) {
  // Values printed by rustc 1.95's std::hash::DefaultHasher::new() after one
  // write() of the bytes (SipHash-1-3, keys 0, 0).
  EXPECT_EQ(rustDefaultHash(""), 0xd1fba762150c532cULL);
  EXPECT_EQ(rustDefaultHash("a"), 0x407448d2b89b1813ULL);
  EXPECT_EQ(rustDefaultHash("abcdefgh"), 0x3f7b849c0b8e35eaULL);
  EXPECT_EQ(rustDefaultHash("0123456789abcdef0"), 0xf738bb4f30801228ULL);
}

TEST(SanitizeName, BpfLinkerExamples) {
  EXPECT_EQ(sanitizeName("Option<&u32>"), "Option_3C__26_u32_3E_");
  EXPECT_EQ(sanitizeName("(u32, u64)"), "_28_u32_2C__20_u64_29_");
  EXPECT_EQ(sanitizeName("PerfEventArray<[u8; 32]>"), "PerfEventArray_3C__5B_u8_3B__20_32_5D__3E_");
  EXPECT_EQ(sanitizeName("MaybeUninit<u8>"), "MaybeUninit_3C_u8_3E_");
  EXPECT_EQ(sanitizeName("my_function<aya_bpf::BpfContext>"),
            "my_function_3C_aya_bpf_3A__3A_BpfContext_3E_");
  EXPECT_EQ(sanitizeName("my_function<aya_bpf::BpfContext, aya_log_ebpf::WriteToBuf>"),
            "my_function_3C_aya_bpf_3A__3A_BpfContext_2C__20_aya_log_ebpf_3A__3A_WriteToBuf_3E_");
}

TEST(SanitizeName, LongNameIsCutAndHashedLikeBpfLinker) {
  const std::string s =
      sanitizeName("my_function<aya_bpf::this::is::a::very::long::namespace::BpfContext, "
                   "aya_log_ebpf::this::is::a::very::long::namespace::WriteToBuf>");
  EXPECT_EQ(s.size(), 128u);
  EXPECT_EQ(s, "my_function_3C_aya_bpf_3A__3A_this_3A__3A_is_3A__3A_a_3A__3A_very_3A__3A_long_3A_"
               "_3A_namespace_3A__3A_BpfContex_94e4085604b3142f");
}

TEST(SanitizeName, HashIsNotZeroPadded) {
  // A 129-byte valid name is only cut; the suffix is the hash's unpadded hex.
  const std::string name(129, 'x');
  const std::string s = sanitizeName(name);
  char hex[17];
  snprintf(hex, sizeof hex, "%llx", (unsigned long long)rustDefaultHash(name));
  EXPECT_EQ(s, std::string(111, 'x') + "_" + hex);
  EXPECT_EQ(sanitizeName(std::string(128, 'x')), std::string(128, 'x'));
}

TEST(SanitizeName, ValidNamesAndHighBytes) {
  EXPECT_EQ(sanitizeName("task_struct"), "task_struct");
  EXPECT_EQ(sanitizeName("Größe"), "Gr_C3__B6__C3__9F_e");
  EXPECT_EQ(sanitizeName("{closure_env#0}"), "_7B_closure_env_23_0_7D_");
  EXPECT_EQ(sanitizeName("a.b"), "a_2E_b"); // bpf-linker escapes '.' too
}

TEST(Identifier, KernelRule) {
  EXPECT_TRUE(isValidIdentifier("__0"));
  EXPECT_TRUE(isValidIdentifier("_"));
  EXPECT_FALSE(isValidIdentifier("0"));
  EXPECT_FALSE(isValidIdentifier(""));
  EXPECT_FALSE(isValidIdentifier("Foo<u32>"));
  EXPECT_TRUE(hasFlavorSeparator(sanitizeName("<_<")));
  EXPECT_FALSE(hasFlavorSeparator("task_struct"));
  EXPECT_FALSE(hasFlavorSeparator("x___"));
}

} // namespace
} // namespace d2b::lower::rust
