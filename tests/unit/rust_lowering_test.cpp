// The Rust lowering on hand-built DW_LANG_Rust type graphs: sanitized names,
// offset-sorted members, zero-sized members, `char`, c_void, 16-byte enums,
// data-carrying enums (tagged-union layout and the bpf-linker opaque form),
// dependency-first emission, and the diagnostics each lossy decision leaves.
#include <gtest/gtest.h>

#include <sstream>

#include "dwarf2btf/dump/dump_raw.h"
#include "dwarf2btf/lower/lowering.h"

using namespace d2b;
using namespace d2b::model;

namespace {

constexpr uint16_t kRust = 0x1c;

struct Built {
  TypeGraph g;
  NodeId add(TypeNode n) {
    n.language = kRust;
    return g.addNode(n);
  }
  NodeId base(std::string_view name, uint64_t size, BaseEncoding e) {
    return add(TypeNode::base(name, size, e));
  }
  NodeId composite(std::string_view name, uint64_t size, std::vector<MemberNode> ms,
                   CompositeKind k = CompositeKind::Struct) {
    TypeNode n;
    n.kind = NodeKind::Composite;
    n.sub = uint8_t(k);
    n.name = name;
    n.byteSize = size;
    n.first = g.memberCount();
    n.count = uint32_t(ms.size());
    for (const MemberNode &m : ms)
      g.addMember(m);
    return add(n);
  }
};

std::string lower(const TypeGraph &g, const lower::Policy &p, DiagEngine &diag) {
  lower::LowerContext ctx{"t.o"};
  lower::LoweredUnit u = lower::lowerGraph(g, p, ctx, diag);
  std::ostringstream os;
  dump::dumpRaw(u.btf, os);
  return os.str();
}

TEST(RustLowering, NamesMembersAndPrimitives) {
  Built b;
  NodeId u8 = b.base("u8", 1, BaseEncoding::Unsigned);
  NodeId u32 = b.base("u32", 4, BaseEncoding::Unsigned);
  NodeId unit = b.base("()", 0, BaseEncoding::Unsigned);
  NodeId ch = b.base("char", 4, BaseEncoding::Other);
  NodeId ptr = b.add(TypeNode::pointer(unit));
  // Default repr: rustc placed b first, then a; `()` member in between.
  b.composite("Foo<u32>", 12,
              {{"a", u8, 64}, {"u", unit, 64}, {"b", u32, 0}, {"0", ch, 32}, {"p", ptr, 0}});
  DiagEngine diag;
  lower::Policy p;
  std::string out = lower(b.g, p, diag);
  EXPECT_NE(out.find("[1] INT 'unsigned char' size=1"), std::string::npos) << out;
  EXPECT_NE(out.find("INT 'rust_char' size=4 bits_offset=0 nr_bits=32 encoding=(none)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("PTR '(anon)' type_id=0"), std::string::npos) << out; // *const () -> void *
  EXPECT_NE(out.find("STRUCT 'Foo_3C_u32_3E_' size=12 vlen=4\n"
                     "\t'b' type_id=2 bits_offset=0\n"
                     "\t'p' type_id=4 bits_offset=0\n"
                     "\t'__0' type_id=3 bits_offset=32\n"
                     "\t'a' type_id=1 bits_offset=64"),
            std::string::npos)
      << out;
  auto c = diag.counts();
  EXPECT_EQ(c["rust.rename.type"], 1u);
  EXPECT_EQ(c["rust.rename.member"], 1u);
  EXPECT_EQ(c["rust.drop.zst-member"], 1u);
  EXPECT_EQ(c["rust.rename.char"], 1u);
}

TEST(RustLowering, BpfLinkerPresetKeepsRustPrimitiveNames) {
  Built b;
  b.base("u32", 4, BaseEncoding::Unsigned);
  DiagEngine diag;
  lower::Policy p;
  p.rust = lower::RustPolicy::forPreset(lower::RustPolicy::Preset::BpfLinker);
  EXPECT_NE(lower(b.g, p, diag).find("INT 'u32' size=4"), std::string::npos);
}

TEST(RustLowering, CVoidIsVoidAndWideEnumIsTypedefInt) {
  Built b;
  TypeNode cv;
  cv.kind = NodeKind::Enum;
  cv.name = "c_void";
  cv.byteSize = 1;
  NodeId cvoid = b.add(cv);
  b.add(TypeNode::pointer(cvoid));
  TypeNode w;
  w.kind = NodeKind::Enum;
  w.name = "Wide";
  w.byteSize = 16;
  w.isSigned = true;
  b.add(w);
  DiagEngine diag;
  std::string out = lower(b.g, lower::Policy{}, diag);
  EXPECT_EQ(out, "[1] PTR '(anon)' type_id=0\n"
                 "[2] INT '__int128' size=16 bits_offset=0 nr_bits=128 encoding=SIGNED\n"
                 "[3] TYPEDEF 'Wide' type_id=2\n");
  EXPECT_EQ(diag.counts()["rust.enum128-as-int"], 1u);
}

// #[repr(i128)] enum Wide { Neg = -1, Pos = 1, Far = -(1 << 100) }: the
// first two fit in 64 bits and go to ENUM64 Wide__values; Far is reported.
TEST(RustLowering, WideEnumKeepsEnumeratorsThatFitIn64Bits) {
  Built b;
  TypeNode w;
  w.kind = NodeKind::Enum;
  w.name = "Wide";
  w.byteSize = 16;
  w.isSigned = true;
  w.dieOffset = 0x40;
  w.first = b.g.enumeratorCount();
  b.g.addEnumerator({"Neg", ~uint64_t(0), ~uint64_t(0)});
  b.g.addEnumerator({"Pos", 1, 0});
  b.g.addEnumerator({"Far", 0, 0xfffffff000000000ULL});
  w.count = 3;
  b.add(w);
  DiagEngine diag;
  std::string out = lower(b.g, lower::Policy{}, diag);
  EXPECT_EQ(out, "[1] INT '__int128' size=16 bits_offset=0 nr_bits=128 encoding=SIGNED\n"
                 "[2] TYPEDEF 'Wide' type_id=1\n"
                 "[3] ENUM64 'Wide__values' encoding=SIGNED size=8 vlen=2\n"
                 "\t'Neg' val=-1LL\n"
                 "\t'Pos' val=1LL\n");
  auto c = diag.counts();
  EXPECT_EQ(c["rust.enum128-as-int"], 1u);
  EXPECT_EQ(c["rust.enum128.value-dropped"], 1u);
  bool found = false;
  for (const Diagnostic &x : diag.sortedDiagnostics())
    found |= x.rule == "rust.enum128.value-dropped" &&
             x.message == "enumerator 'Far' = 0xfffffff0000000000000000000000000 does not fit in "
                          "64 bits; left out of 'Wide__values'";
  EXPECT_TRUE(found);
  // A u128 enum: values below 2^64 fit, unsigned.
  Built u;
  TypeNode f = w;
  f.name = "Flags";
  f.isSigned = false;
  f.first = u.g.enumeratorCount();
  u.g.addEnumerator({"Small", 7, 0});
  u.g.addEnumerator({"Max", ~uint64_t(0), ~uint64_t(0)});
  f.count = 2;
  u.add(f);
  DiagEngine d2;
  out = lower(u.g, lower::Policy{}, d2);
  EXPECT_NE(
      out.find("[3] ENUM64 'Flags__values' encoding=UNSIGNED size=8 vlen=1\n\t'Small' val=7ULL\n"),
      std::string::npos)
      << out;
}

// A coroutine-like struct: ordinary members beside the variant part.
TEST(RustLowering, MembersBesideVariantPartKeepTheirOffsets) {
  Built b;
  NodeId u32 = b.base("u32", 4, BaseEncoding::Unsigned);
  NodeId u64 = b.base("u64", 8, BaseEncoding::Unsigned);
  NodeId u8 = b.base("u8", 1, BaseEncoding::Unsigned);
  NodeId unit = b.base("()", 0, BaseEncoding::Unsigned);
  NodeId unres = b.composite("Unresumed", 24, {});
  NodeId susp = b.composite("Suspend0", 24, {{"x", u32, 160}});
  TypeNode e;
  e.kind = NodeKind::Composite;
  e.name = "Gen";
  e.byteSize = 24;
  e.variantPart = true;
  e.hasDiscr = true;
  e.first = b.g.memberCount();
  b.g.addMember({"upvar", u64, 64});
  b.g.addMember({"z", unit, 0});
  b.g.addMember({"resume", u32, 0});
  e.count = 3;
  b.g.addMember({"", u8, 128});
  b.g.addMember({"0", unres, 0});
  b.g.addMember({"1", susp, 0});
  e.variantCount = 3;
  b.add(e);
  DiagEngine diag;
  std::string out = lower(b.g, lower::Policy{}, diag);
  EXPECT_NE(out.find("[6] STRUCT '(anon)' size=24 vlen=2\n"
                     "\t'resume' type_id=1 bits_offset=0\n"
                     "\t'upvar' type_id=2 bits_offset=64\n"
                     "[7] STRUCT 'Gen__discr' size=24 vlen=1\n"
                     "\t'value' type_id=3 bits_offset=128\n"
                     "[8] UNION '(anon)' size=24 vlen=4\n"
                     "\t'(anon)' type_id=6 bits_offset=0\n"
                     "\t'__discr' type_id=7 bits_offset=0\n"
                     "\t'Unresumed' type_id=4 bits_offset=0\n"
                     "\t'Suspend0' type_id=5 bits_offset=0\n"
                     "[9] STRUCT 'Gen' size=24 vlen=1\n"
                     "\t'(anon)' type_id=8 bits_offset=0\n"),
            std::string::npos)
      << out;
  auto c = diag.counts();
  EXPECT_EQ(c["rust.data-enum-members"], 1u);
  EXPECT_EQ(c["rust.drop.zst-member"], 1u);
  EXPECT_EQ(c["rust.opaque.data-enum-members"], 0u);
}

// --rust-qualify-clashes: the encoder hands the clashing nodes' paths in.
TEST(RustLowering, ClashingNamesTakeTheirPath) {
  Built b;
  NodeId u8 = b.base("u8", 1, BaseEncoding::Unsigned);
  NodeId u64 = b.base("u64", 8, BaseEncoding::Unsigned);
  NodeId a = b.composite("S", 1, {{"x", u8, 0}});
  NodeId bs = b.composite("S", 8, {{"y", u64, 0}});
  std::unordered_map<NodeId, std::string> paths{{a, "k::a::S"}, {bs, "k::b::S"}};
  lower::LowerContext ctx{"t.o", &paths};
  DiagEngine diag;
  lower::LoweredUnit u = lower::lowerGraph(b.g, lower::Policy{}, ctx, diag);
  std::ostringstream os;
  dump::dumpRaw(u.btf, os);
  EXPECT_NE(os.str().find("STRUCT 'k_3A__3A_a_3A__3A_S' size=1"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("STRUCT 'k_3A__3A_b_3A__3A_S' size=8"), std::string::npos) << os.str();
  EXPECT_EQ(diag.counts()["rust.qualify.clash"], 2u);
}

// Option<(u32, &u8)>-like: the niche discriminant is the pointer at byte 8.
NodeId dataEnum(Built &b) {
  NodeId u32 = b.base("u32", 4, BaseEncoding::Unsigned);
  NodeId u8 = b.base("u8", 1, BaseEncoding::Unsigned);
  NodeId p = b.add(TypeNode::pointer(u8));
  NodeId none = b.composite("None", 16, {});
  NodeId some = b.composite("Some", 16, {{"__0", u32, 0}, {"__1", p, 64}});
  TypeNode e;
  e.kind = NodeKind::Composite;
  e.name = "Option<(u32, &u8)>";
  e.byteSize = 16;
  e.variantPart = true;
  e.hasDiscr = true;
  e.first = b.g.memberCount();
  e.count = 0;
  b.g.addMember({"", p, 64});
  b.g.addMember({"None", none, 0});
  b.g.addMember({"Some", some, 0});
  e.variantCount = 3;
  return b.add(e);
}

TEST(RustLowering, DataEnumAsTaggedUnion) {
  Built b;
  dataEnum(b);
  DiagEngine diag;
  std::string out = lower(b.g, lower::Policy{}, diag);
  const std::string name = "Option_3C__28_u32_2C__20__26_u8_29__3E_";
  // The name ends in an escape's '_', so one more '_' joins it: "___" would
  // read as a CO-RE flavor suffix.
  EXPECT_EQ(out.find("___"), std::string::npos) << out;
  EXPECT_NE(out.find("STRUCT '" + name +
                     "_discr' size=16 vlen=1\n"
                     "\t'value' type_id=3 bits_offset=64\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("UNION '(anon)' size=16 vlen=3\n"
                     "\t'__discr' type_id=6 bits_offset=0\n"
                     "\t'None' type_id=4 bits_offset=0\n"
                     "\t'Some' type_id=5 bits_offset=0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("STRUCT '" + name + "' size=16 vlen=1\n\t'(anon)' type_id=7 bits_offset=0"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("STRUCT '" + name + "_Some' size=16 vlen=2"), std::string::npos) << out;
  EXPECT_EQ(diag.counts()["rust.data-enum-layout"], 1u);
}

TEST(RustLowering, DataEnumOpaqueUnderBpfLinker) {
  Built b;
  dataEnum(b);
  DiagEngine diag;
  lower::Policy p;
  p.rust = lower::RustPolicy::forPreset(lower::RustPolicy::Preset::BpfLinker);
  std::string out = lower(b.g, p, diag);
  EXPECT_NE(out.find("STRUCT 'Option_3C__28_u32_2C__20__26_u8_29__3E_' size=16 vlen=0"),
            std::string::npos)
      << out;
  auto d = diag.sortedDiagnostics();
  ASSERT_FALSE(d.empty());
  bool found = false;
  for (const Diagnostic &x : d)
    found |= x.rule == "rust.opaque.data-enum" &&
             x.message == "data-carrying enum encoded as an opaque struct of its size (policy)";
  EXPECT_TRUE(found);
}

TEST(RustLowering, UnionMemberOffZeroBecomesOpaque) {
  Built b;
  NodeId u32 = b.base("u32", 4, BaseEncoding::Unsigned);
  b.composite("U", 8, {{"a", u32, 0}, {"b", u32, 32}}, CompositeKind::Union);
  DiagEngine diag;
  std::string out = lower(b.g, lower::Policy{}, diag);
  EXPECT_NE(out.find("UNION 'U' size=8 vlen=0"), std::string::npos) << out;
  EXPECT_EQ(diag.counts()["rust.opaque.union-offset"], 1u);
}

TEST(RustLowering, DependenciesAreEmittedFirst) {
  // N0 { N1 } ... N39 { u8 }: nodes met outermost first would need 40
  // levels of forward resolution; the kernel allows 32.
  Built b;
  std::vector<NodeId> ns;
  for (int i = 0; i < 40; ++i) {
    TypeNode n;
    n.kind = NodeKind::Composite;
    n.byteSize = 1;
    ns.push_back(b.add(n));
  }
  NodeId u8 = b.base("u8", 1, BaseEncoding::Unsigned);
  for (int i = 0; i < 40; ++i) {
    TypeNode &n = b.g.node(ns[i]);
    n.first = b.g.memberCount();
    n.count = 1;
    b.g.addMember({"__0", i + 1 < 40 ? ns[i + 1] : u8, 0});
  }
  DiagEngine diag;
  lower::LowerContext ctx{"t.o"};
  lower::LoweredUnit u = lower::lowerGraph(b.g, lower::Policy{}, ctx, diag);
  for (int i = 0; i + 1 < 40; ++i)
    EXPECT_GT(u.nodeIds[ns[i]], u.nodeIds[ns[i + 1]]) << i;
  EXPECT_EQ(u.nodeIds[u8], 1u);
}

} // namespace
