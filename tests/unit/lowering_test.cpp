// The C lowering on hand-built type graphs: every node kind, bitfields,
// type-tag order, arrays (nested and flattened), index type, aliases,
// policy switches and diagnostics. Output is compared in bpftool's format.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "dwarf2btf/lower/c_lowering.h"
#include "dwarf2btf/lower/lowering.h"

using namespace d2b;
using namespace d2b::model;
using d2b::btf::Kind;

namespace {

// bpftool-style text of every type (enough of it for these tests).
std::string dump(const btf::Btf &b) {
  std::string out;
  auto nm = [&](uint32_t off) {
    std::string_view s = b.str(off);
    return s.empty() ? std::string("(anon)") : std::string(s);
  };
  for (uint32_t id = b.startId(); id < b.endId(); ++id) {
    btf::TypeView t = b.type(id);
    std::string kind(btf::kindName(t.kind()));
    out += fmt::format("[{}] {} '{}'", id, kind, nm(t.nameOff()));
    const uint32_t *tail = t.tail();
    switch (t.kind()) {
    case Kind::Int: {
      uint32_t e = btf::intEncoding(tail[0]);
      out += fmt::format(" size={} bits_offset={} nr_bits={} encoding={}", t.size(),
                         btf::intOffset(tail[0]), btf::intBits(tail[0]),
                         e == btf::kIntSigned ? "SIGNED"
                         : e == btf::kIntBool ? "BOOL"
                         : e == btf::kIntChar ? "CHAR"
                                              : "(none)");
      break;
    }
    case Kind::Ptr:
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::TypeTag:
      out += fmt::format(" type_id={}", t.type());
      break;
    case Kind::Array:
      out += fmt::format(" type_id={} index_type_id={} nr_elems={}", tail[0], tail[1], tail[2]);
      break;
    case Kind::Struct:
    case Kind::Union:
      out += fmt::format(" size={} vlen={}", t.size(), t.vlen());
      for (uint32_t i = 0; i < t.vlen(); ++i) {
        const uint32_t *m = tail + 3 * i;
        if (t.kflag() && btf::memberBitfieldSize(m[2]))
          out += fmt::format("\n\t'{}' type_id={} bits_offset={} bitfield_size={}", nm(m[0]), m[1],
                             btf::memberBitOffset(m[2]), btf::memberBitfieldSize(m[2]));
        else
          out += fmt::format("\n\t'{}' type_id={} bits_offset={}", nm(m[0]), m[1],
                             t.kflag() ? btf::memberBitOffset(m[2]) : m[2]);
      }
      break;
    case Kind::Enum:
      out += fmt::format(" encoding={} size={} vlen={}", t.kflag() ? "SIGNED" : "UNSIGNED",
                         t.size(), t.vlen());
      for (uint32_t i = 0; i < t.vlen(); ++i)
        out += t.kflag() ? fmt::format("\n\t'{}' val={}", nm(tail[2 * i]), int32_t(tail[2 * i + 1]))
                         : fmt::format("\n\t'{}' val={}", nm(tail[2 * i]), tail[2 * i + 1]);
      break;
    case Kind::Enum64:
      out += fmt::format(" encoding={} size={} vlen={}", t.kflag() ? "SIGNED" : "UNSIGNED",
                         t.size(), t.vlen());
      for (uint32_t i = 0; i < t.vlen(); ++i) {
        uint64_t v = tail[3 * i + 1] | uint64_t(tail[3 * i + 2]) << 32;
        out += t.kflag() ? fmt::format("\n\t'{}' val={}LL", nm(tail[3 * i]), int64_t(v))
                         : fmt::format("\n\t'{}' val={}ULL", nm(tail[3 * i]), v);
      }
      break;
    case Kind::Fwd:
      out += fmt::format(" fwd_kind={}", t.kflag() ? "union" : "struct");
      break;
    case Kind::FuncProto:
      out += fmt::format(" ret_type_id={} vlen={}", t.type(), t.vlen());
      for (uint32_t i = 0; i < t.vlen(); ++i)
        out += fmt::format("\n\t'{}' type_id={}", nm(tail[2 * i]), tail[2 * i + 1]);
      break;
    case Kind::Float:
      out += fmt::format(" size={}", t.size());
      break;
    case Kind::DeclTag:
      out += fmt::format(" type_id={} component_idx={}", t.type(), int32_t(tail[0]));
      break;
    case Kind::Unkn:
    case Kind::Func:
    case Kind::Var:
    case Kind::Datasec:
      break;
    }
    out += "\n";
  }
  return out;
}

struct Lowered {
  lower::LoweredUnit unit;
  std::string text;
};

Lowered lowerIt(const TypeGraph &g, const lower::Policy &p, DiagEngine &diag) {
  Lowered l{lower::lowerGraph(g, p, {"t.o"}, diag), ""};
  l.text = dump(l.unit.btf);
  return l;
}

Lowered lowerIt(const TypeGraph &g, const lower::Policy &p = {}) {
  DiagEngine diag;
  return lowerIt(g, p, diag);
}

NodeId addComposite(TypeGraph &g, std::string_view name, uint64_t size,
                    std::initializer_list<MemberNode> members, bool isUnion = false) {
  TypeNode n;
  n.kind = NodeKind::Composite;
  n.sub = uint8_t(isUnion ? CompositeKind::Union : CompositeKind::Struct);
  n.name = name;
  n.byteSize = size;
  n.first = g.memberCount();
  n.count = uint32_t(members.size());
  for (const MemberNode &m : members)
    g.addMember(m);
  return g.addNode(n);
}

} // namespace

TEST(CLowering, BaseTypes) {
  TypeGraph g;
  g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  g.addNode(TypeNode::base("char", 1, BaseEncoding::SignedChar));
  g.addNode(TypeNode::base("unsigned char", 1, BaseEncoding::UnsignedChar));
  g.addNode(TypeNode::base("_Bool", 1, BaseEncoding::Bool));
  g.addNode(TypeNode::base("__int128", 16, BaseEncoding::Signed));
  g.addNode(TypeNode::base("double", 8, BaseEncoding::Float));
  g.addNode(TypeNode::base("complex float", 8, BaseEncoding::ComplexFloat));
  g.addNode(TypeNode::base("DW_ATE_unsigned_24", 3, BaseEncoding::Unsigned));
  g.addNode(TypeNode::base("DW_ATE_unsigned_256", 32, BaseEncoding::Unsigned));
  g.addNode(TypeNode::base("nosize", 0, BaseEncoding::Signed));
  EXPECT_EQ(lowerIt(g).text,
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=SIGNED\n"
            "[3] INT 'unsigned char' size=1 bits_offset=0 nr_bits=8 encoding=(none)\n"
            "[4] INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL\n"
            "[5] INT '__int128' size=16 bits_offset=0 nr_bits=128 encoding=SIGNED\n"
            "[6] FLOAT 'double' size=8\n"
            "[7] INT 'complex float' size=8 bits_offset=0 nr_bits=64 encoding=(none)\n"
            "[8] INT '__SANITIZED_FAKE_INT__' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
            "[9] INT '__SANITIZED_FAKE_INT__' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
            "[10] INT '__SANITIZED_FAKE_INT__' size=4 bits_offset=0 nr_bits=32 "
            "encoding=SIGNED\n");
}

TEST(CLowering, FloatsOffBecomeUnsignedInts) {
  TypeGraph g;
  g.addNode(TypeNode::base("long double", 16, BaseEncoding::Float));
  lower::Policy p;
  p.floats = false;
  EXPECT_EQ(lowerIt(g, p).text,
            "[1] INT 'long double' size=16 bits_offset=0 nr_bits=128 encoding=(none)\n");
}

TEST(CLowering, OddFloatSizeFallsBackToIntWithDiagnostic) {
  TypeGraph g;
  TypeNode f = TypeNode::base("__float80", 10, BaseEncoding::Float);
  f.dieOffset = 0x2a;
  g.addNode(f);
  DiagEngine diag;
  Lowered l = lowerIt(g, {}, diag);
  EXPECT_EQ(l.text, "[1] INT '__SANITIZED_FAKE_INT__' size=4 bits_offset=0 nr_bits=32 "
                    "encoding=(none)\n");
  auto ds = diag.sortedDiagnostics();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].format(),
            "t.o: .debug_info: DIE 0x2a '__float80': warning: floating point type of 10 bytes "
            "has no BTF FLOAT form; encoded as INT [c.bad-float-size]");
}

TEST(CLowering, PointersQualifiersTypedefsAndForwardReferences) {
  TypeGraph g;
  NodeId ptr = g.addNode(TypeNode::pointer(0)); // patched below: points at a later node
  NodeId c = g.addNode(TypeNode::qualified(Qualifier::Const, 0));
  NodeId v = g.addNode(TypeNode::qualified(Qualifier::Volatile, c));
  NodeId r = g.addNode(TypeNode::qualified(Qualifier::Restrict, ptr));
  NodeId td = g.addNode(TypeNode::typedefOf("u32", 0));
  NodeId u = g.addNode(TypeNode::base("unsigned int", 4, BaseEncoding::Unsigned));
  g.node(ptr).type = v;
  g.node(c).type = u;
  g.node(td).type = u;
  NodeId ref = g.addNode(TypeNode::pointer(u, PointerKind::Reference));
  NodeId vp = g.addNode(TypeNode::pointer(kVoidNode));
  Lowered l = lowerIt(g);
  EXPECT_EQ(l.text, "[1] PTR '(anon)' type_id=3\n"
                    "[2] CONST '(anon)' type_id=6\n"
                    "[3] VOLATILE '(anon)' type_id=2\n"
                    "[4] RESTRICT '(anon)' type_id=1\n"
                    "[5] TYPEDEF 'u32' type_id=6\n"
                    "[6] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
                    "[7] PTR '(anon)' type_id=6\n"
                    "[8] PTR '(anon)' type_id=0\n");
  EXPECT_EQ(l.unit.nodeIds[r], 4u);
  EXPECT_EQ(l.unit.nodeIds[ref], 7u);
  EXPECT_EQ(l.unit.nodeIds[vp], 8u);
}

TEST(CLowering, AtomicAndUnspecifiedAreAliases) {
  TypeGraph g;
  NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  NodeId a = g.addNode(TypeNode::qualified(Qualifier::Atomic, i));
  NodeId ca = g.addNode(TypeNode::qualified(Qualifier::Const, a));
  TypeNode unspec; // DW_TAG_unspecified_type: void
  unspec.kind = NodeKind::Void;
  unspec.name = "decltype(nullptr)";
  NodeId un = g.addNode(unspec);
  NodeId pu = g.addNode(TypeNode::pointer(un));
  Lowered l = lowerIt(g);
  EXPECT_EQ(l.text, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                    "[2] CONST '(anon)' type_id=1\n"
                    "[3] PTR '(anon)' type_id=0\n");
  EXPECT_EQ(l.unit.nodeIds[a], 1u);
  EXPECT_EQ(l.unit.nodeIds[ca], 2u);
  EXPECT_EQ(l.unit.nodeIds[un], 0u);
  EXPECT_EQ(l.unit.nodeIds[pu], 3u);
}

TEST(CLowering, AtomicCycleIsVoidAndReported) {
  TypeGraph g;
  NodeId a = g.addNode(TypeNode::qualified(Qualifier::Atomic, 2));
  NodeId b = g.addNode(TypeNode::qualified(Qualifier::Atomic, a));
  g.node(a).dieOffset = 0x10;
  g.node(b).dieOffset = 0x20;
  NodeId p = g.addNode(TypeNode::pointer(a));
  DiagEngine diag;
  Lowered l = lowerIt(g, {}, diag);
  EXPECT_EQ(l.text, "[1] PTR '(anon)' type_id=0\n");
  EXPECT_EQ(l.unit.nodeIds[p], 1u);
  EXPECT_EQ(diag.counts()["c.type-cycle"], 1u);
}

TEST(CLowering, StructWithBitfieldsSetsKindFlag) {
  TypeGraph g;
  NodeId u = g.addNode(TypeNode::base("unsigned int", 4, BaseEncoding::Unsigned));
  NodeId l = g.addNode(TypeNode::base("long", 8, BaseEncoding::Signed));
  addComposite(g, "bf", 16, {{"a", u, 0, 3}, {"b", u, 3, 5}, {"c", l, 64, 0}, {"", u, 8, 1}});
  addComposite(g, "plain", 16, {{"x", l, 0, 0}, {"y", l, 64, 0}});
  EXPECT_EQ(lowerIt(g).text,
            "[1] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
            "[2] INT 'long' size=8 bits_offset=0 nr_bits=64 encoding=SIGNED\n"
            "[3] STRUCT 'bf' size=16 vlen=4\n"
            "\t'a' type_id=1 bits_offset=0 bitfield_size=3\n"
            "\t'b' type_id=1 bits_offset=3 bitfield_size=5\n"
            "\t'c' type_id=2 bits_offset=64\n"
            "\t'(anon)' type_id=1 bits_offset=8 bitfield_size=1\n"
            "[4] STRUCT 'plain' size=16 vlen=2\n"
            "\t'x' type_id=2 bits_offset=0\n"
            "\t'y' type_id=2 bits_offset=64\n");
  lower::LoweredUnit lu = lower::lowerGraph(g, {}, {"t.o"}, *std::make_unique<DiagEngine>());
  EXPECT_TRUE(lu.btf.type(3).kflag());
  EXPECT_FALSE(lu.btf.type(4).kflag());
}

TEST(CLowering, UnionsClassesAndDeclarations) {
  TypeGraph g;
  NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  addComposite(g, "u", 4, {{"i", i, 0, 0}}, true);
  NodeId cls = addComposite(g, "C", 4, {{"m", i, 0, 0}});
  g.node(cls).sub = uint8_t(CompositeKind::Class);
  NodeId fs = addComposite(g, "fs", 0, {});
  g.node(fs).declaration = true;
  NodeId fu = addComposite(g, "fu", 0, {}, true);
  g.node(fu).declaration = true;
  NodeId anon = addComposite(g, "", 4, {{"", i, 0, 0}});
  (void)anon;
  EXPECT_EQ(lowerIt(g).text, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                             "[2] UNION 'u' size=4 vlen=1\n"
                             "\t'i' type_id=1 bits_offset=0\n"
                             "[3] STRUCT 'C' size=4 vlen=1\n"
                             "\t'm' type_id=1 bits_offset=0\n"
                             "[4] FWD 'fs' fwd_kind=struct\n"
                             "[5] FWD 'fu' fwd_kind=union\n"
                             "[6] STRUCT '(anon)' size=4 vlen=1\n"
                             "\t'(anon)' type_id=1 bits_offset=0\n");
}

TEST(CLowering, BitfieldBeyondKindFlagRangeIsReported) {
  TypeGraph g;
  NodeId u = g.addNode(TypeNode::base("unsigned int", 4, BaseEncoding::Unsigned));
  NodeId s = addComposite(g, "huge", 4u << 21, {{"a", u, 0, 1}, {"far", u, 1u << 24, 0}});
  g.node(s).dieOffset = 0x99;
  DiagEngine diag;
  Lowered l = lowerIt(g, {}, diag);
  EXPECT_NE(l.text.find("'far' type_id=1 bits_offset=0\n"), std::string::npos) << l.text;
  auto ds = diag.sortedDiagnostics();
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].format(),
            "t.o: .debug_info: DIE 0x99 'huge': warning: member 'far' at bit offset 16777216 "
            "cannot be encoded; placed at 0 [c.member-offset-too-large]");
}

TEST(CLowering, EnumsSignednessAndEnum64) {
  TypeGraph g;
  auto addEnum = [&](std::string_view name, uint64_t size, bool isSigned,
                     std::initializer_list<EnumeratorNode> values, bool decl = false) {
    TypeNode n;
    n.kind = NodeKind::Enum;
    n.name = name;
    n.byteSize = size;
    n.isSigned = isSigned;
    n.declaration = decl;
    n.first = g.enumeratorCount();
    n.count = uint32_t(values.size());
    for (const auto &v : values)
      g.addEnumerator(v);
    return g.addNode(n);
  };
  addEnum("small", 4, true, {{"A", uint64_t(-1)}, {"B", 2}});
  addEnum("uns", 4, false, {{"U", 0xffffffffu}});
  addEnum("big", 8, false, {{"X", 1}, {"Y", 0x100000000ull}});
  addEnum("sbig", 8, true, {{"N", uint64_t(-5)}});
  addEnum("fwd", 0, false, {}, true);
  addEnum("one", 1, false, {{"Z", 7}});
  EXPECT_EQ(lowerIt(g).text, "[1] ENUM 'small' encoding=SIGNED size=4 vlen=2\n"
                             "\t'A' val=-1\n"
                             "\t'B' val=2\n"
                             "[2] ENUM 'uns' encoding=UNSIGNED size=4 vlen=1\n"
                             "\t'U' val=4294967295\n"
                             "[3] ENUM64 'big' encoding=UNSIGNED size=8 vlen=2\n"
                             "\t'X' val=1ULL\n"
                             "\t'Y' val=4294967296ULL\n"
                             "[4] ENUM64 'sbig' encoding=SIGNED size=8 vlen=1\n"
                             "\t'N' val=-5LL\n"
                             "[5] ENUM 'fwd' encoding=UNSIGNED size=4 vlen=0\n"
                             "[6] ENUM 'one' encoding=UNSIGNED size=1 vlen=1\n"
                             "\t'Z' val=7\n");
  lower::Policy p;
  p.enum64 = false;
  std::string text = lowerIt(g, p).text;
  EXPECT_NE(text.find("[3] ENUM 'big' encoding=UNSIGNED size=4 vlen=2\n\t'X' val=1\n\t'Y' val=0\n"),
            std::string::npos)
      << text;
}

TEST(CLowering, NestedArraysUseIntIndexFromTheUnit) {
  TypeGraph g;
  NodeId s = g.addNode(TypeNode::base("short", 2, BaseEncoding::Signed));
  TypeNode a;
  a.kind = NodeKind::Array;
  a.type = s;
  a.first = g.dimCount();
  a.count = 3;
  g.addDim({2});
  g.addDim({3});
  g.addDim({4});
  NodeId arr = g.addNode(a);
  TypeNode flex;
  flex.kind = NodeKind::Array;
  flex.type = s;
  flex.first = g.dimCount();
  flex.count = 1;
  g.addDim({0});
  g.addNode(flex);
  NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  Lowered l = lowerIt(g);
  EXPECT_EQ(l.text, "[1] INT 'short' size=2 bits_offset=0 nr_bits=16 encoding=SIGNED\n"
                    "[2] ARRAY '(anon)' type_id=3 index_type_id=6 nr_elems=2\n"
                    "[3] ARRAY '(anon)' type_id=4 index_type_id=6 nr_elems=3\n"
                    "[4] ARRAY '(anon)' type_id=1 index_type_id=6 nr_elems=4\n"
                    "[5] ARRAY '(anon)' type_id=1 index_type_id=6 nr_elems=0\n"
                    "[6] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n");
  EXPECT_EQ(l.unit.nodeIds[arr], 2u);
  EXPECT_EQ(l.unit.nodeIds[i], 6u);
}

TEST(CLowering, FlattenedArrayAndSyntheticIndexInt) {
  TypeGraph g;
  NodeId c = g.addNode(TypeNode::base("char", 1, BaseEncoding::SignedChar));
  TypeNode a;
  a.kind = NodeKind::Array;
  a.type = c;
  a.first = g.dimCount();
  a.count = 2;
  g.addDim({2});
  g.addDim({3});
  g.addNode(a);
  lower::Policy p;
  p.flattenArrays = true;
  EXPECT_EQ(lowerIt(g, p).text, "[1] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=SIGNED\n"
                                "[2] ARRAY '(anon)' type_id=1 index_type_id=3 nr_elems=6\n"
                                "[3] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n");
}

TEST(CLowering, TypeTagsChainInPaholeOrder) {
  TypeGraph g;
  NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  TypeNode p = TypeNode::pointer(i);
  p.tagFirst = g.annotationCount();
  p.tagCount = 3;
  g.addAnnotation({TagKind::TypeTag, "outer"});
  g.addAnnotation({TagKind::DeclTag, "ignored-on-pointers"});
  g.addAnnotation({TagKind::TypeTag, "inner"});
  NodeId pid = g.addNode(p);
  g.addNode(TypeNode::pointer(pid));
  Lowered l = lowerIt(g);
  EXPECT_EQ(l.text, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                    "[2] TYPE_TAG 'outer' type_id=1\n"
                    "[3] TYPE_TAG 'inner' type_id=2\n"
                    "[4] PTR '(anon)' type_id=3\n"
                    "[5] PTR '(anon)' type_id=4\n");
  EXPECT_EQ(l.unit.nodeIds[pid], 4u);
  lower::Policy off;
  off.typeTags = false;
  EXPECT_EQ(lowerIt(g, off).text, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                                  "[2] PTR '(anon)' type_id=1\n"
                                  "[3] PTR '(anon)' type_id=2\n");
}

TEST(CLowering, DeclTagsAfterAllTypes) {
  TypeGraph g;
  NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  uint32_t mt = g.addAnnotation({TagKind::DeclTag, "mtag"});
  TypeNode s;
  s.kind = NodeKind::Composite;
  s.name = "tagged";
  s.byteSize = 8;
  s.first = g.memberCount();
  s.count = 2;
  g.addMember({"a", i, 0, 0});
  g.addMember({"b", i, 32, 0, mt, 1});
  s.tagFirst = g.addAnnotation({TagKind::DeclTag, "stag"});
  s.tagCount = 1;
  g.addNode(s);
  TypeNode td = TypeNode::typedefOf("tint", i);
  td.tagFirst = g.addAnnotation({TagKind::DeclTag, "ttag"});
  td.tagCount = 1;
  g.addNode(td);
  EXPECT_EQ(lowerIt(g).text, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                             "[2] STRUCT 'tagged' size=8 vlen=2\n"
                             "\t'a' type_id=1 bits_offset=0\n"
                             "\t'b' type_id=1 bits_offset=32\n"
                             "[3] TYPEDEF 'tint' type_id=1\n"
                             "[4] DECL_TAG 'mtag' type_id=2 component_idx=1\n"
                             "[5] DECL_TAG 'stag' type_id=2 component_idx=-1\n"
                             "[6] DECL_TAG 'ttag' type_id=3 component_idx=-1\n");
  lower::Policy p;
  p.declTags = false;
  EXPECT_EQ(lowerIt(g, p).unit.btf.ownCount(), 3u);
}

TEST(CLowering, SubroutinesWithVarargsAndUnnamedParams) {
  TypeGraph g;
  NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
  TypeNode f;
  f.kind = NodeKind::Subroutine;
  f.type = i;
  f.varargs = true;
  f.first = g.paramCount();
  f.count = 2;
  g.addParam({"", i});
  g.addParam({"fmt", i});
  g.addNode(f);
  TypeNode v;
  v.kind = NodeKind::Subroutine;
  g.addNode(v);
  EXPECT_EQ(lowerIt(g).text, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                             "[2] FUNC_PROTO '(anon)' ret_type_id=1 vlen=3\n"
                             "\t'(anon)' type_id=1\n"
                             "\t'fmt' type_id=1\n"
                             "\t'(anon)' type_id=0\n"
                             "[3] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0\n");
}

TEST(CLowering, IntShapeMatchesPahole) {
  EXPECT_EQ(lower::cIntShape(TypeNode::base("x", 8, BaseEncoding::Unsigned)).byteSize, 8u);
  EXPECT_EQ(lower::cIntShape(TypeNode::base("x", 12, BaseEncoding::Unsigned)).name,
            "__SANITIZED_FAKE_INT__");
  EXPECT_EQ(lower::cIntShape(TypeNode::base("x", 1, BaseEncoding::Bool)).encoding, btf::kIntBool);
  EXPECT_EQ(lower::cIntShape(TypeNode::base("x", 2, BaseEncoding::Other)).encoding, 0u);
}

TEST(CLowering, TypedefAndQualifierCyclesAreCutAndReported) {
  TypeGraph g;
  NodeId a = g.addNode(TypeNode::typedefOf("loop1", 2));
  NodeId b = g.addNode(TypeNode::typedefOf("loop2", a));
  NodeId c = g.addNode(TypeNode::qualified(Qualifier::Const, 3)); // const of itself
  NodeId at = g.addNode(TypeNode::qualified(Qualifier::Atomic, 5));
  NodeId td = g.addNode(TypeNode::typedefOf("via_atomic", at));
  g.node(b).dieOffset = 0x42;
  g.node(b).name = "loop2";
  NodeId p = g.addNode(TypeNode::pointer(a)); // pointers into the cycle stay valid
  DiagEngine diag;
  Lowered l = lowerIt(g, {}, diag);
  EXPECT_EQ(l.text, "[1] TYPEDEF 'loop1' type_id=2\n"
                    "[2] TYPEDEF 'loop2' type_id=0\n"
                    "[3] CONST '(anon)' type_id=0\n"
                    "[4] TYPEDEF 'via_atomic' type_id=0\n"
                    "[5] PTR '(anon)' type_id=1\n");
  EXPECT_EQ(l.unit.nodeIds[at], 4u); // the atomic alias resolves to its target
  EXPECT_EQ(l.unit.nodeIds[td], 4u);
  EXPECT_EQ(l.unit.nodeIds[p], 5u);
  EXPECT_EQ(l.unit.nodeIds[c], 3u);
  EXPECT_EQ(diag.counts()["c.type-cycle"], 3u);
  auto ds = diag.sortedDiagnostics();
  ASSERT_FALSE(ds.empty());
  EXPECT_EQ(
      ds.front().format(),
      "t.o: .debug_info: DIE 0x42 'loop2': warning: type refers back to itself without a struct or "
      "function in between; the reference is lowered to void [c.type-cycle]");
}

TEST(CLowering, SelfReferentialStructThroughPointerIsNotACycle) {
  TypeGraph g;
  NodeId p = g.addNode(TypeNode::pointer(2));
  addComposite(g, "node", 8, {{"next", p, 0, 0}});
  DiagEngine diag;
  EXPECT_EQ(lowerIt(g, {}, diag).text, "[1] PTR '(anon)' type_id=2\n"
                                       "[2] STRUCT 'node' size=8 vlen=1\n"
                                       "\t'next' type_id=1 bits_offset=0\n");
  EXPECT_TRUE(diag.sortedDiagnostics().empty());
}
