// Table-driven tests of BTF dedup: each case builds input types with the Btf
// builder (several "CUs" concatenated), runs dedup and compares the result,
// printed one line per type, with the expected types.
#include <array>
#include <functional>
#include <memory>
#include <random>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "btf_text.h"
#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dedup/dedup.h"

using namespace d2b;
using namespace d2b::btf;
using dedup::DedupOptions;
using dedup::LibbpfRules;
using test::typeLines;

namespace {

std::string intLine(uint32_t id, const char *name = "int", uint32_t size = 4) {
  return fmt::format("[{}] INT '{}' size={} bits_offset=0 nr_bits={} encoding=SIGNED", id, name,
                     size, size * 8);
}
uint32_t addIntT(Btf &b, const char *name = "int", uint32_t size = 4) {
  return b.addInt(name, size, kIntSigned);
}
uint32_t addStruct(Btf &b, const char *name, uint32_t size, std::initializer_list<Member> ms) {
  return b.addComposite(false, name, size, std::span(ms.begin(), ms.size()));
}
uint32_t addProto(Btf &b, uint32_t ret, std::initializer_list<Param> ps) {
  return b.addFuncProto(ret, std::span(ps.begin(), ps.size()));
}

struct Case {
  const char *name;
  std::function<void(Btf &)> build;
  std::vector<std::string> expected;
  LibbpfRules rules = LibbpfRules::Current;
  std::function<void(Btf &)> buildBase = nullptr;
  /// A second dedup finds nothing more to merge.
  bool stable = true;
};

std::vector<Case> cases() {
  std::vector<Case> c;

  c.push_back({"DuplicateInts",
               [](Btf &b) {
                 addIntT(b);
                 addIntT(b);
                 addIntT(b, "long", 8);
                 uint32_t i = addIntT(b);
                 b.addPtr(i);
                 b.addFloat("double", 8);
                 b.addFloat("double", 8);
               },
               {intLine(1), intLine(2, "long", 8), "[3] PTR '(anon)' type_id=1",
                "[4] FLOAT 'double' size=8"}});

  // Two CUs each defining A and B, which point at each other.
  c.push_back({"StructsReferencingEachOtherAcrossCUs",
               [](Btf &b) {
                 for (int cu = 0; cu < 2; ++cu) {
                   uint32_t i = addIntT(b);
                   uint32_t a = b.endId(), pb = a + 1, bb = a + 2, pa = a + 3;
                   addStruct(b, "A", 16, {{"a", i, 0}, {"b", pb, 64}});
                   b.addPtr(bb);
                   addStruct(b, "B", 16, {{"x", i, 0}, {"a", pa, 64}});
                   b.addPtr(a);
                 }
               },
               {intLine(1),
                "[2] STRUCT 'A' size=16 vlen=2 {'a' type_id=1 bits_offset=0; 'b' type_id=3 "
                "bits_offset=64}",
                "[3] PTR '(anon)' type_id=4",
                "[4] STRUCT 'B' size=16 vlen=2 {'x' type_id=1 bits_offset=0; 'a' type_id=5 "
                "bits_offset=64}",
                "[5] PTR '(anon)' type_id=2"}});

  // CU1 only declares foo; CU2 defines it. The FWD resolves during the
  // graph comparison of `bar` and both pointers collapse.
  c.push_back({"FwdResolvedByGraphComparison",
               [](Btf &b) {
                 addIntT(b);
                 uint32_t f = b.addFwd("foo", false);
                 uint32_t p = b.addPtr(f);
                 addStruct(b, "bar", 8, {{"p", p, 0}});
                 uint32_t i2 = addIntT(b);
                 uint32_t foo = addStruct(b, "foo", 4, {{"x", i2, 0}});
                 uint32_t p2 = b.addPtr(foo);
                 addStruct(b, "bar", 8, {{"p", p2, 0}});
               },
               {intLine(1), "[2] PTR '(anon)' type_id=4",
                "[3] STRUCT 'bar' size=8 vlen=1 {'p' type_id=2 bits_offset=0}",
                "[4] STRUCT 'foo' size=4 vlen=1 {'x' type_id=1 bits_offset=0}"}});

  // `struct foo; struct foo *g;` in CU1, the definition in CU2: no graph
  // links them, so the unique-name pass resolves the FWD.
  c.push_back({"FwdResolvedByUniqueName",
               [](Btf &b) {
                 uint32_t f = b.addFwd("foo", false);
                 b.addPtr(f);
                 uint32_t i = addIntT(b);
                 uint32_t foo = addStruct(b, "foo", 4, {{"u", i, 0}});
                 b.addPtr(foo);
               },
               {"[1] PTR '(anon)' type_id=3", intLine(2),
                "[3] STRUCT 'foo' size=4 vlen=1 {'u' type_id=2 bits_offset=0}"}});

  // Two different structs named foo: a FWD cannot tell which one it means.
  c.push_back(
      {"AmbiguousFwdStays",
       [](Btf &b) {
         uint32_t i = addIntT(b);
         addStruct(b, "foo", 4, {{"a", i, 0}});
         uint32_t l = addIntT(b, "long", 8);
         addStruct(b, "foo", 8, {{"a", l, 0}});
         uint32_t f = b.addFwd("foo", false);
         b.addPtr(f);
       },
       {intLine(1), "[2] STRUCT 'foo' size=4 vlen=1 {'a' type_id=1 bits_offset=0}",
        intLine(3, "long", 8), "[4] STRUCT 'foo' size=8 vlen=1 {'a' type_id=3 bits_offset=0}",
        "[5] FWD 'foo' fwd_kind=struct", "[6] PTR '(anon)' type_id=5"}});

  // `holder` with a FWD member matches both canonical holders; the policy is
  // that the oldest canonical wins (libbpf's choice depends on its hash
  // table layout). The FWD then stands for that holder's X.
  c.push_back(
      {"AmbiguousCandidatesOldestWins",
       [](Btf &b) {
         uint32_t i = addIntT(b);
         uint32_t x1 = addStruct(b, "X", 4, {{"a", i, 0}});
         uint32_t u = b.addInt("unsigned int", 4, 0);
         uint32_t x2 = addStruct(b, "X", 4, {{"a", u, 0}});
         addStruct(b, "holder", 8, {{"p", b.addPtr(x1), 0}});
         addStruct(b, "holder", 8, {{"p", b.addPtr(x2), 0}});
         addStruct(b, "holder", 8, {{"p", b.addPtr(b.addFwd("X", false)), 0}});
       },
       {intLine(1), "[2] STRUCT 'X' size=4 vlen=1 {'a' type_id=1 bits_offset=0}",
        "[3] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
        "[4] STRUCT 'X' size=4 vlen=1 {'a' type_id=3 bits_offset=0}", "[5] PTR '(anon)' type_id=2",
        "[6] STRUCT 'holder' size=8 vlen=1 {'p' type_id=5 bits_offset=0}",
        "[7] PTR '(anon)' type_id=4",
        "[8] STRUCT 'holder' size=8 vlen=1 {'p' type_id=7 bits_offset=0}"}});

  // An enum forward declaration with two different definitions of its name
  // takes the oldest; a struct FWD in that situation stays (see above).
  c.push_back(
      {"EnumFwdWithTwoDefinitionsTakesOldest",
       [](Btf &b) {
         EnumValue a[] = {{"A", 1}}, bv[] = {{"B", 2}};
         b.addEnum("e", 4, false, a);
         b.addEnum("e", 4, false, bv);
         b.addPtr(b.addEnum("e", 4, false, {}));
       },
       {"[1] ENUM 'e' encoding=UNSIGNED size=4 vlen=1 {'A' val=1}",
        "[2] ENUM 'e' encoding=UNSIGNED size=4 vlen=1 {'B' val=2}", "[3] PTR '(anon)' type_id=1"}});

  // A union forward declaration never resolves to a struct.
  c.push_back({"UnionFwdDoesNotMatchStruct",
               [](Btf &b) {
                 uint32_t i = addIntT(b);
                 addStruct(b, "foo", 4, {{"a", i, 0}});
                 b.addFwd("foo", true);
               },
               {intLine(1), "[2] STRUCT 'foo' size=4 vlen=1 {'a' type_id=1 bits_offset=0}",
                "[3] FWD 'foo' fwd_kind=union"}});

  c.push_back({"SelfReferentialStruct",
               [](Btf &b) {
                 for (int cu = 0; cu < 3; ++cu) {
                   uint32_t l = b.endId();
                   addStruct(b, "list", 8, {{"next", l + 1, 0}});
                   b.addPtr(l);
                 }
               },
               {"[1] STRUCT 'list' size=8 vlen=1 {'next' type_id=2 bits_offset=0}",
                "[2] PTR '(anon)' type_id=1"}});

  // The second CU lists B before A; cycles through both still match.
  c.push_back(
      {"MutuallyRecursiveStructsInOtherOrder",
       [](Btf &b) {
         addStruct(b, "A", 8, {{"b", 2, 0}});
         b.addPtr(3);
         addStruct(b, "B", 8, {{"a", 4, 0}});
         b.addPtr(1);
         addStruct(b, "B", 8, {{"a", 6, 0}});
         b.addPtr(7);
         addStruct(b, "A", 8, {{"b", 8, 0}});
         b.addPtr(5);
       },
       {"[1] STRUCT 'A' size=8 vlen=1 {'b' type_id=2 bits_offset=0}", "[2] PTR '(anon)' type_id=3",
        "[3] STRUCT 'B' size=8 vlen=1 {'a' type_id=4 bits_offset=0}",
        "[4] PTR '(anon)' type_id=1"}});

  // Same name and layout but a member of another type: not merged.
  c.push_back(
      {"SameShapeDifferentMemberTypesStaySeparate",
       [](Btf &b) {
         uint32_t i = addIntT(b);
         uint32_t u = b.addInt("unsigned int", 4, 0);
         addStruct(b, "s", 4, {{"a", i, 0}});
         addStruct(b, "s", 4, {{"a", u, 0}});
         addStruct(b, "s", 4, {{"a", i, 0}});
       },
       {intLine(1), "[2] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
        "[3] STRUCT 's' size=4 vlen=1 {'a' type_id=1 bits_offset=0}",
        "[4] STRUCT 's' size=4 vlen=1 {'a' type_id=2 bits_offset=0}"}});

  c.push_back({"ConstVolatileChains",
               [](Btf &b) {
                 uint32_t i = addIntT(b);
                 b.addPtr(b.addVolatile(b.addConst(i)));
                 uint32_t i2 = addIntT(b);
                 b.addPtr(b.addVolatile(b.addConst(i2)));
                 b.addVolatile(i2);
                 b.addRestrict(b.addPtr(i2));
               },
               {intLine(1), "[2] CONST '(anon)' type_id=1", "[3] VOLATILE '(anon)' type_id=2",
                "[4] PTR '(anon)' type_id=3", "[5] VOLATILE '(anon)' type_id=1",
                "[6] PTR '(anon)' type_id=1", "[7] RESTRICT '(anon)' type_id=6"}});

  c.push_back(
      {"FuncProtosAndFuncs",
       [](Btf &b) {
         uint32_t i = addIntT(b);
         b.addFunc("f", addProto(b, i, {{"x", i}, {"y", i}}), FuncLinkage::Global);
         uint32_t i2 = addIntT(b);
         b.addFunc("f", addProto(b, i2, {{"x", i2}, {"y", i2}}), FuncLinkage::Global);
         b.addFunc("g", addProto(b, i2, {{"x", i2}, {"", 0}}), FuncLinkage::Static);
         b.addFunc("f", addProto(b, i2, {{"x", i2}, {"y", i2}}), FuncLinkage::Static);
       },
       {intLine(1), "[2] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2 {'x' type_id=1; 'y' type_id=1}",
        "[3] FUNC 'f' type_id=2 linkage=global",
        "[4] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2 {'x' type_id=1; '(anon)' type_id=0}",
        "[5] FUNC 'g' type_id=4 linkage=static", "[6] FUNC 'f' type_id=2 linkage=static"}});

  for (LibbpfRules rules : {LibbpfRules::Current, LibbpfRules::V1_1})
    c.push_back({rules == LibbpfRules::Current ? "TypedefChains" : "TypedefChainsV1_1",
                 [](Btf &b) {
                   for (int cu = 0; cu < 2; ++cu) {
                     uint32_t u = b.addInt("unsigned int", 4, 0);
                     b.addTypedef("u32", b.addTypedef("__u32", u));
                   }
                 },
                 {"[1] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
                  "[2] TYPEDEF '__u32' type_id=1", "[3] TYPEDEF 'u32' type_id=2"},
                 rules});

  // typedef struct foo foo_t; with foo only declared in CU1.
  for (LibbpfRules rules : {LibbpfRules::Current, LibbpfRules::V1_1})
    c.push_back({rules == LibbpfRules::Current ? "TypedefOfFwd" : "TypedefOfFwdV1_1",
                 [](Btf &b) {
                   b.addTypedef("foo_t", b.addFwd("foo", false));
                   uint32_t i = addIntT(b);
                   b.addTypedef("foo_t", addStruct(b, "foo", 4, {{"x", i, 0}}));
                 },
                 {"[1] TYPEDEF 'foo_t' type_id=3", intLine(2),
                  "[3] STRUCT 'foo' size=4 vlen=1 {'x' type_id=2 bits_offset=0}"},
                 rules});

  // Go-style `type T *T`: only a loop through a typedef. Current libbpf
  // compares typedefs as graphs, so this dedups instead of failing.
  c.push_back({"RecursiveTypedef",
               [](Btf &b) {
                 for (int cu = 0; cu < 2; ++cu) {
                   uint32_t t = b.endId();
                   b.addTypedef("T", t + 1);
                   b.addPtr(t);
                 }
               },
               {"[1] TYPEDEF 'T' type_id=2", "[2] PTR '(anon)' type_id=1"}});

  c.push_back({"Arrays",
               [](Btf &b) {
                 uint32_t i = addIntT(b);
                 addStruct(b, "s", 16, {{"a", b.addArray(i, i, 4), 0}});
                 uint32_t i2 = addIntT(b);
                 addStruct(b, "s", 16, {{"a", b.addArray(i2, i2, 4), 0}});
                 b.addArray(i2, i2, 8);
                 b.addArray(b.addArray(i2, i2, 4), i2, 2);
               },
               {intLine(1), "[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4",
                "[3] STRUCT 's' size=16 vlen=1 {'a' type_id=2 bits_offset=0}",
                "[4] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=8",
                "[5] ARRAY '(anon)' type_id=2 index_type_id=1 nr_elems=2"}});

  // A compiler emitted the same array type twice inside CU2; both rule sets
  // tolerate that.
  for (LibbpfRules rules : {LibbpfRules::Current, LibbpfRules::V1_1})
    c.push_back(
        {rules == LibbpfRules::Current ? "DuplicateArrayInsideCU" : "DuplicateArrayInsideCUV1_1",
         [](Btf &b) {
           uint32_t i = addIntT(b);
           uint32_t a = b.addArray(i, i, 4);
           addStruct(b, "s", 32, {{"a", a, 0}, {"b", a, 128}});
           uint32_t i2 = addIntT(b);
           uint32_t a1 = b.addArray(i2, i2, 4);
           uint32_t a2 = b.addArray(i2, i2, 4);
           addStruct(b, "s", 32, {{"a", a1, 0}, {"b", a2, 128}});
         },
         {intLine(1), "[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4",
          "[3] STRUCT 's' size=32 vlen=2 {'a' type_id=2 bits_offset=0; 'b' type_id=2 "
          "bits_offset=128}"},
         rules});

  // Duplicated pointers inside one CU: libbpf >= 1.6 tolerates them, older
  // libbpf keeps a second copy of the struct.
  auto dupPtrs = [](Btf &b) {
    uint32_t i = addIntT(b);
    uint32_t p = b.addPtr(i);
    addStruct(b, "s", 16, {{"a", p, 0}, {"b", p, 64}});
    uint32_t i2 = addIntT(b);
    uint32_t p1 = b.addPtr(i2);
    uint32_t p2 = b.addPtr(i2);
    addStruct(b, "s", 16, {{"a", p1, 0}, {"b", p2, 64}});
  };
  const std::string dupS = "STRUCT 's' size=16 vlen=2 {'a' type_id=2 bits_offset=0; 'b' type_id=2 "
                           "bits_offset=64}";
  c.push_back({"DuplicatePointerInsideCU",
               dupPtrs,
               {intLine(1), "[2] PTR '(anon)' type_id=1", "[3] " + dupS}});
  c.push_back({"DuplicatePointerInsideCUV1_1",
               dupPtrs,
               {intLine(1), "[2] PTR '(anon)' type_id=1", "[3] " + dupS, "[4] " + dupS},
               LibbpfRules::V1_1,
               nullptr,
               /*stable=*/false});

  c.push_back(
      {"EnumsAndEnum64",
       [](Btf &b) {
         uint32_t fwdF = b.addEnum("f", 4, false, {});
         b.addPtr(fwdF);
         EnumValue a0[] = {{"A", 0}};
         b.addEnum("f", 4, false, a0);
         EnumValue big[] = {{"X", 1ull << 40}};
         b.addEnum("big", 8, false, big);
         // An ENUM (4-byte) forward declaration of an ENUM64.
         b.addPtr(b.addEnum("big", 4, false, {}));
         EnumValue a1[] = {{"A", 1}};
         b.addEnum("e", 4, false, a1);
         uint32_t tail[3] = {b.addString("A"), 1, 0};
         b.addType(Kind::Enum64, b.addString("e"), 1, false, 8, tail);
         b.addEnum("f", 4, false, a0);
       },
       {"[1] PTR '(anon)' type_id=2", "[2] ENUM 'f' encoding=UNSIGNED size=4 vlen=1 {'A' val=0}",
        "[3] ENUM64 'big' encoding=UNSIGNED size=8 vlen=1 {'X' val=1099511627776}",
        "[4] PTR '(anon)' type_id=3", "[5] ENUM 'e' encoding=UNSIGNED size=4 vlen=1 {'A' val=1}",
        "[6] ENUM64 'e' encoding=UNSIGNED size=8 vlen=1 {'A' val=1}"}});

  c.push_back({"SignedEnumDiffersFromUnsigned",
               [](Btf &b) {
                 EnumValue v[] = {{"A", 1}};
                 b.addEnum("e", 4, true, v);
                 b.addEnum("e", 4, false, v);
                 b.addEnum("e", 4, true, v);
               },
               {"[1] ENUM 'e' encoding=SIGNED size=4 vlen=1 {'A' val=1}",
                "[2] ENUM 'e' encoding=UNSIGNED size=4 vlen=1 {'A' val=1}"}});

  c.push_back({"VarAndDatasecAreNeverMerged",
               [](Btf &b) {
                 uint32_t i = addIntT(b);
                 uint32_t v1 = b.addVar("v", i, VarLinkage::GlobalAllocated);
                 uint32_t v2 = b.addVar("v", addIntT(b), VarLinkage::GlobalAllocated);
                 SecVar vs[] = {{v1, 0, 4}, {v2, 4, 4}};
                 b.addDatasec(".data", 8, vs);
                 b.addDatasec(".data", 8, vs);
               },
               {intLine(1), "[2] VAR 'v' type_id=1, linkage=global",
                "[3] VAR 'v' type_id=1, linkage=global",
                "[4] DATASEC '.data' size=8 vlen=2 {type_id=2 offset=0 size=4; type_id=3 "
                "offset=4 size=4}",
                "[5] DATASEC '.data' size=8 vlen=2 {type_id=2 offset=0 size=4; type_id=3 "
                "offset=4 size=4}"}});

  c.push_back({"TagsAndBitfields",
               [](Btf &b) {
                 for (int cu = 0; cu < 2; ++cu) {
                   uint32_t i = addIntT(b);
                   uint32_t p = b.addPtr(b.addTypeTag("user", i));
                   uint32_t s = addStruct(b, "s", 16, {{"p", p, 0}, {"f", i, 64, 3}});
                   b.addDeclTag("tag", s, -1);
                   b.addDeclTag("tag", s, 1);
                 }
               },
               {intLine(1), "[2] TYPE_TAG 'user' type_id=1", "[3] PTR '(anon)' type_id=2",
                "[4] STRUCT 's' size=16 vlen=2 {'p' type_id=3 bits_offset=0; 'f' type_id=1 "
                "bits_offset=64 bitfield_size=3}",
                "[5] DECL_TAG 'tag' type_id=4 component_idx=-1",
                "[6] DECL_TAG 'tag' type_id=4 component_idx=1"}});

  // Split BTF: equal types collapse into base ids, new ones follow the base.
  c.push_back(
      {"SplitAgainstBase",
       [](Btf &b) {
         uint32_t i = addIntT(b);                              // [5] -> [1]
         uint32_t foo = addStruct(b, "foo", 4, {{"x", i, 0}}); // [6] -> [2]
         uint32_t pfoo = b.addPtr(foo);                        // [7] -> [3]
         addStruct(b, "bar", 4, {{"y", i, 0}});                // new
         b.addPtr(4);                                          // PTR to base FWD bar: new
         addStruct(b, "baz", 8, {{"f", pfoo, 0}});             // new
         addIntT(b, "long", 8);                                // new
       },
       {"[5] STRUCT 'bar' size=4 vlen=1 {'y' type_id=1 bits_offset=0}",
        "[6] PTR '(anon)' type_id=4",
        "[7] STRUCT 'baz' size=8 vlen=1 {'f' type_id=3 bits_offset=0}", intLine(8, "long", 8)},
       LibbpfRules::Current,
       [](Btf &base) {
         uint32_t i = addIntT(base);
         uint32_t foo = addStruct(base, "foo", 4, {{"x", i, 0}});
         base.addPtr(foo);
         base.addFwd("bar", false);
       }});

  // The base only declares bar. A split `holder` whose bar is defined would
  // need that base FWD resolved, so holder stays a split type, but split
  // references to the base FWD now reach the split definition.
  c.push_back({"SplitDoesNotAlterBaseFwd",
               [](Btf &b) {
                 uint32_t i = addIntT(b);
                 uint32_t bar = addStruct(b, "bar", 4, {{"y", i, 0}});
                 addStruct(b, "holder", 8, {{"p", b.addPtr(bar), 0}});
                 b.addPtr(2);
               },
               {"[5] STRUCT 'bar' size=4 vlen=1 {'y' type_id=1 bits_offset=0}",
                "[6] PTR '(anon)' type_id=5",
                "[7] STRUCT 'holder' size=8 vlen=1 {'p' type_id=6 bits_offset=0}"},
               LibbpfRules::Current,
               [](Btf &base) {
                 addIntT(base);
                 uint32_t f = base.addFwd("bar", false);
                 addStruct(base, "holder", 8, {{"p", base.addPtr(f), 0}});
               }});

  c.push_back({"SplitEnumFwdMatchesBaseEnum",
               [](Btf &b) {
                 uint32_t fwd = b.addEnum("e", 4, false, {});
                 b.addPtr(fwd);
                 EnumValue v[] = {{"A", 1}};
                 b.addEnum("e", 4, false, v);
                 b.addConst(fwd); // the only type the base lacks
               },
               {"[3] CONST '(anon)' type_id=1"},
               LibbpfRules::Current,
               [](Btf &base) {
                 EnumValue v[] = {{"A", 1}};
                 base.addEnum("e", 4, false, v);
                 base.addPtr(1);
               }});

  return c;
}

class DedupCase : public ::testing::TestWithParam<Case> {};

TEST_P(DedupCase, ProducesExpectedTypes) {
  const Case &tc = GetParam();
  Btf base;
  std::unique_ptr<Btf> b;
  if (tc.buildBase) {
    tc.buildBase(base);
    b = std::make_unique<Btf>(&base);
  } else {
    b = std::make_unique<Btf>();
  }
  tc.build(*b);
  const uint32_t in = b->ownCount();
  DedupOptions opts;
  opts.rules = tc.rules;
  auto st = dedup::dedup(*b, opts);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(typeLines(*b), tc.expected);
  EXPECT_EQ(st->typesIn, in);
  EXPECT_EQ(st->typesOut, b->ownCount());

  // Hashing only narrows searches: with every key colliding the result is
  // the same.
  {
    Btf collide;
    if (tc.buildBase)
      collide = Btf(&base);
    tc.build(collide);
    DedupOptions slow = opts;
    slow.forceHashCollisions = true;
    auto st2 = dedup::dedup(collide, slow);
    ASSERT_TRUE(st2) << st2.error().message();
    EXPECT_EQ(collide.serialize(std::endian::little), b->serialize(std::endian::little));
  }

  // Dedup of deduped BTF keeps every type (the string section may be
  // reordered: first references follow the new type order).
  auto again = dedup::dedup(*b, opts);
  ASSERT_TRUE(again) << again.error().message();
  if (tc.stable) {
    EXPECT_EQ(typeLines(*b), tc.expected);
  }
}

// Batch mode's prepared base (indexed once, shared) gives byte-identical
// output, and one PreparedBase serves several splits in a row.
class DedupSplitCase : public ::testing::TestWithParam<Case> {};

std::vector<Case> splitCases() {
  std::vector<Case> out;
  for (Case &c : cases())
    if (c.buildBase)
      out.push_back(std::move(c));
  return out;
}

TEST_P(DedupSplitCase, PreparedBaseGivesTheSameResult) {
  const Case &tc = GetParam();
  Btf base;
  tc.buildBase(base);
  DedupOptions opts;
  opts.rules = tc.rules;
  auto pb = dedup::PreparedBase::create(base, opts);
  ASSERT_TRUE(pb) << pb.error().message();
  Btf plain(&base);
  tc.build(plain);
  ASSERT_TRUE(dedup::dedup(plain, opts));
  for (int round = 0; round < 2; ++round) {
    Btf split(&base);
    tc.build(split);
    auto st = dedup::dedup(split, opts, **pb);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(split.serialize(std::endian::little), plain.serialize(std::endian::little));
    EXPECT_EQ(typeLines(split), tc.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DedupCase, ::testing::ValuesIn(cases()),
                         [](const auto &info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(SplitCases, DedupSplitCase, ::testing::ValuesIn(splitCases()),
                         [](const auto &info) { return std::string(info.param.name); });

// ---- statistics -----------------------------------------------------------

TEST(Dedup, StatsCountMergesPerPass) {
  Btf b;
  uint32_t f = b.addFwd("foo", false);
  b.addPtr(f);
  uint32_t i = addIntT(b);
  uint32_t foo = addStruct(b, "foo", 4, {{"u", i, 0}});
  b.addPtr(foo);
  addIntT(b);
  addStruct(b, "foo", 4, {{"u", i, 0}});
  auto st = dedup::dedup(b);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->typesIn, 7u);
  EXPECT_EQ(st->typesOut, 3u);
  EXPECT_EQ(st->primMerged, 2u); // the second int, the FWD
  EXPECT_EQ(st->compositeMerged, 1u);
  EXPECT_EQ(st->refMerged, 1u);
  EXPECT_EQ(st->fwdsResolved, 1u);
  EXPECT_EQ(st->fwdsResolvedByName, 1u);
}

// ---- strings ----------------------------------------------------------------

TEST(Dedup, StringsAreCompactedInFirstReferenceOrder) {
  Btf b;
  b.addString("never_used");
  // Raw bytes with "x" twice: two offsets for one string.
  const uint32_t base = b.strings().size();
  b.strings().appendRaw(std::string_view("x\0y\0x\0", 6));
  b.addType(Kind::Int, base + 2, 0, false, 1, std::array<uint32_t, 1>{makeIntEncoding(0, 0, 8)});
  b.addType(Kind::Int, base + 4, 0, false, 2, std::array<uint32_t, 1>{makeIntEncoding(0, 0, 16)});
  b.addType(Kind::Int, base + 0, 0, false, 2, std::array<uint32_t, 1>{makeIntEncoding(0, 0, 16)});
  auto st = dedup::dedup(b);
  ASSERT_TRUE(st) << st.error().message();
  const auto &bytes = b.strings().bytes();
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), std::string("\0y\0x\0", 5));
  EXPECT_EQ(st->stringBytesOut, 5u);
  // With one offset per string the two 'x' ints became equal.
  EXPECT_EQ(typeLines(b), (std::vector<std::string>{
                              "[1] INT 'y' size=1 bits_offset=0 nr_bits=8 encoding=(none)",
                              "[2] INT 'x' size=2 bits_offset=0 nr_bits=16 encoding=(none)"}));
}

TEST(Dedup, SplitStringsReuseBaseOffsets) {
  Btf base;
  addIntT(base);
  Btf split(&base);
  addIntT(split, "long", 8);
  split.strings().add("int"); // a split copy of a base string, then used
  const uint32_t own = split.strings().find("int");
  ASSERT_GE(own, base.strings().size());
  split.addType(Kind::Int, own, 0, false, 4,
                std::array<uint32_t, 1>{makeIntEncoding(kIntSigned, 0, 32)});
  auto st = dedup::dedup(split);
  ASSERT_TRUE(st) << st.error().message();
  // The int collapses into base [1]; only "long" stays in the split strings.
  EXPECT_EQ(typeLines(split), (std::vector<std::string>{intLine(2, "long", 8)}));
  const auto &bytes = split.strings().bytes();
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), std::string("long\0", 5));
  EXPECT_EQ(split.strings().firstOffset(), base.strings().size());
}

// ---- errors -------------------------------------------------------------------

std::string dedupError(Btf &b, LibbpfRules rules = LibbpfRules::Current) {
  DedupOptions o;
  o.rules = rules;
  auto st = dedup::dedup(b, o);
  return st ? "(no error)" : st.error().message();
}

TEST(DedupErrors, ReferenceLoopNamesTheType) {
  Btf b;
  b.addPtr(2);
  b.addConst(1);
  EXPECT_EQ(dedupError(b), "dedup: type [1]: reference loop: CONST [2] refers back to it");
}

TEST(DedupErrors, RecursiveTypedefIsALoopUnderOldRules) {
  Btf b;
  b.addTypedef("T", 2);
  b.addPtr(1);
  EXPECT_EQ(dedupError(b, LibbpfRules::V1_1),
            "dedup: type [1]: reference loop: PTR [2] refers back to it");
  Btf ok;
  ok.addTypedef("T", 2);
  ok.addPtr(1);
  EXPECT_EQ(dedupError(ok, LibbpfRules::Current), "(no error)");
}

TEST(DedupErrors, InvalidTypeId) {
  Btf b;
  addIntT(b);
  b.addPtr(99);
  EXPECT_EQ(dedupError(b), "dedup: type [2]: refers to type id 99, but the last type id is 2");
}

TEST(DedupErrors, InvalidStringOffset) {
  Btf b;
  b.addType(Kind::Fwd, 5000, 0, false, 0);
  EXPECT_EQ(dedupError(b), "dedup: type [1]: invalid string offset 0x1388");
}

TEST(DedupErrors, UnknownKind) {
  Btf b;
  const uint32_t w[3] = {0, 25u << 24, 0};
  b.addRawType(w);
  EXPECT_EQ(dedupError(b), "dedup: type [1]: unknown kind 25");
  Btf u;
  const uint32_t z[3] = {0, 0, 0};
  u.addRawType(z);
  EXPECT_EQ(dedupError(u), "dedup: type [1]: unknown kind 0");
}

TEST(DedupErrors, TruncatedRecord) {
  Btf b;
  addIntT(b);
  const uint32_t w[3] = {0, makeInfo(Kind::Int, 0, false), 4};
  b.addRawType(w);
  EXPECT_EQ(dedupError(b), "dedup: type [2]: INT with vlen 0 needs 4 words, record has 3");
}

TEST(DedupErrors, VarInsideStructGraph) {
  Btf b;
  uint32_t i = addIntT(b);
  addStruct(b, "s", 4, {{"m", b.addVar("v", i, VarLinkage::Static), 0}});
  addStruct(b, "s", 4, {{"m", b.addVar("v", i, VarLinkage::Static), 0}});
  EXPECT_EQ(dedupError(b), "dedup: types [4] and [2]: a VAR cannot be part of a type graph");
}

TEST(DedupErrors, BrokenBaseIsReported) {
  Btf base;
  base.addPtr(7);
  Btf split(&base);
  addIntT(split);
  EXPECT_EQ(dedupError(split),
            "dedup: base type [1]: refers to type id 7, but the last type id is 1");
}

// parseBtf checks what dedup would, so a base read from bytes is not checked
// again; changing it afterwards must bring the check back.
TEST(DedupErrors, ParsedBaseChangedInPlaceIsCheckedAgain) {
  Btf built;
  addIntT(built);
  built.addPtr(1);
  auto parsed = parseBtf(built.serialize(std::endian::little), nullptr, "base.btf");
  ASSERT_TRUE(parsed) << parsed.error().message();
  Btf &base = parsed->btf;
  EXPECT_EQ(base.checkedTypes(), 2u);
  {
    Btf split(&base);
    addIntT(split);
    EXPECT_EQ(dedupError(split), "(no error)");
  }
  base.mutableTypeWords(2)[2] = 7;
  EXPECT_EQ(base.checkedTypes(), 0u);
  Btf split(&base);
  addIntT(split);
  EXPECT_EQ(dedupError(split),
            "dedup: base type [2]: refers to type id 7, but the last type id is 2");
}

TEST(DedupErrors, PreparedBaseMismatch) {
  Btf base, other;
  addIntT(base);
  addIntT(other);
  auto pb = dedup::PreparedBase::create(base);
  ASSERT_TRUE(pb);
  Btf split(&other);
  addIntT(split);
  auto st = dedup::dedup(split, {}, **pb);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "dedup: the BTF's base is not the prepared base");
  Btf onBase(&base);
  DedupOptions old;
  old.rules = LibbpfRules::V1_1;
  auto st2 = dedup::dedup(onBase, old, **pb);
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.error().message(), "dedup: options differ from the prepared base's");
  Btf broken;
  broken.addPtr(7);
  auto bad = dedup::PreparedBase::create(broken);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "dedup: base type [1]: refers to type id 7, but the last type id is 1");
}

// ---- determinism and scale ----------------------------------------------------

// Many CUs of a small graph with pointer cycles, each CU in a different type
// order: the output must not depend on the order beyond "first seen wins".
TEST(Dedup, ManyShuffledCUsCollapseToOneCopy) {
  Btf b;
  for (int cu = 0; cu < 50; ++cu) {
    // node { node *next; leaf *l; int v; }, leaf { node *up; }
    uint32_t base = b.endId();
    if (cu % 2 == 0) {
      uint32_t i = addIntT(b); // base+0
      addStruct(b, "node", 24, {{"next", base + 2, 0}, {"l", base + 4, 64}, {"v", i, 128}});
      b.addPtr(base + 1);                             // base+2
      addStruct(b, "leaf", 8, {{"up", base + 2, 0}}); // base+3
      b.addPtr(base + 3);                             // base+4
    } else {
      addStruct(b, "leaf", 8, {{"up", base + 3, 0}}); // base+0
      b.addPtr(base + 0);                             // base+1
      uint32_t i = addIntT(b);                        // base+2
      b.addPtr(base + 4);                             // base+3
      addStruct(b, "node", 24, {{"next", base + 3, 0}, {"l", base + 1, 64}, {"v", i, 128}});
    }
  }
  auto st = dedup::dedup(b);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(typeLines(b),
            (std::vector<std::string>{
                intLine(1),
                "[2] STRUCT 'node' size=24 vlen=3 {'next' type_id=3 bits_offset=0; 'l' type_id=5 "
                "bits_offset=64; 'v' type_id=1 bits_offset=128}",
                "[3] PTR '(anon)' type_id=2",
                "[4] STRUCT 'leaf' size=8 vlen=1 {'up' type_id=3 bits_offset=0}",
                "[5] PTR '(anon)' type_id=4"}));
}

// A long chain of reference types, each referring to the next id, must not
// recurse on the call stack: resolving [2] walks the whole chain.
TEST(Dedup, DeepReferenceChainDoesNotOverflow) {
  Btf b;
  addIntT(b);
  const uint32_t n = 200000;
  for (uint32_t id = 2; id <= n + 1; ++id)
    b.addConst(id < n + 1 ? id + 1 : 1);
  auto st = dedup::dedup(b);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->typesOut, n + 1);
}

// A long chain of structs (each holding the next by value) compared across
// two CUs: the equivalence walk must not recurse on the call stack either.
TEST(Dedup, DeepStructChainDoesNotOverflow) {
  Btf b;
  const uint32_t n = 100000;
  for (int cu = 0; cu < 2; ++cu) {
    uint32_t first = b.endId();
    // Distinct names: same-named same-shape structs would all share one
    // candidate bucket and make this quadratic (as in libbpf).
    for (uint32_t i = 0; i < n; ++i)
      addStruct(b, fmt::format("s{}", i).c_str(), 4,
                {{"m", i + 1 < n ? first + i + 1 : first + n, 0}});
    addIntT(b);
  }
  auto st = dedup::dedup(b);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->typesOut, n + 1);
}

} // namespace

// ---- robustness ---------------------------------------------------------------

// Random well-formed records of every kind with arbitrary references (loops,
// VARs inside structs, FWDs everywhere): dedup either succeeds with valid
// ids or returns a located error; it never crashes or hangs.
TEST(Dedup, RandomGraphsNeverCrash) {
  std::mt19937 rng(12345);
  auto pick = [&](uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); };
  int errors = 0, successes = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    Btf b;
    const uint32_t names[] = {0, b.addString("a"), b.addString("b")};
    const uint32_t n = 2 + pick(40);
    for (uint32_t i = 0; i < n; ++i) {
      const Kind k = Kind(1 + pick(kMaxKind));
      const bool hasVlen = k == Kind::Struct || k == Kind::Union || k == Kind::Enum ||
                           k == Kind::Enum64 || k == Kind::FuncProto || k == Kind::Datasec;
      const uint32_t vlen = hasVlen ? pick(4) : (k == Kind::Func ? pick(3) : 0);
      std::vector<uint32_t> w(3 + tailWords(k, vlen));
      w[0] = names[pick(3)];
      w[1] = makeInfo(k, vlen, pick(2));
      w[2] = hasSize(k) ? 4 * (1 + pick(2)) : pick(n + 1);
      for (size_t j = 3; j < w.size(); ++j)
        w[j] = pick(4);
      forEachTypeIdField(w.data(), [&](uint32_t &id) { id = pick(n + 1); });
      forEachStrField(w.data(), [&](uint32_t &off) { off = names[pick(3)]; });
      b.addRawType(w);
    }
    for (LibbpfRules rules : {LibbpfRules::Current, LibbpfRules::V1_1}) {
      Btf copy = b;
      DedupOptions o;
      o.rules = rules;
      auto st = dedup::dedup(copy, o);
      if (!st) {
        ++errors;
        ASSERT_EQ(st.error().message().rfind("dedup: type", 0), 0u) << st.error().message();
        continue;
      }
      ++successes;
      ASSERT_LE(st->typesOut, st->typesIn);
      for (uint32_t id = 1; id < copy.endId(); ++id)
        forEachTypeIdField(copy.typeWords(id), [&](const uint32_t &t) {
          ASSERT_LT(t, copy.endId()) << "type [" << id << "]";
        });
    }
  }
  // Both outcomes must actually be exercised.
  EXPECT_GT(errors, 100);
  EXPECT_GT(successes, 100);
}
