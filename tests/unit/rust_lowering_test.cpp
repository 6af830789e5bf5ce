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
