// The C dump, on small hand-built inputs with the exact text expected:
// declarators, definition order, forward declarations, padding and packing,
// name clashes and repairs, enum sizes, layouts C cannot state directly, type
// tags, and the errors for types C cannot express. Compiling the output and
// checking the layouts with a compiler is tests/integration/dump_test.cpp.
#include <gtest/gtest.h>

#include <sstream>

#include "dwarf2btf/dump/dump_c.h"

using namespace d2b;
using namespace d2b::btf;

namespace {

const char *kHead = "#ifndef __VMLINUX_H__\n"
                    "#define __VMLINUX_H__\n"
                    "\n"
                    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                    "#pragma clang attribute push (__attribute__((preserve_access_index)), "
                    "apply_to = record)\n"
                    "#endif\n"
                    "\n";
const char *kTail = "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                    "#pragma clang attribute pop\n"
                    "#endif\n"
                    "\n"
                    "#endif /* __VMLINUX_H__ */\n";

/// The dump without bpftool's fixed preamble and trailer.
std::string body(const Btf &b) {
  std::ostringstream os;
  Error e = dump::dumpC(b, os);
  if (e)
    return "error: " + e.message();
  std::string s = os.str();
  const std::string head = kHead, tail = kTail;
  EXPECT_EQ(s.substr(0, head.size()), head);
  EXPECT_GE(s.size(), head.size() + tail.size());
  EXPECT_EQ(s.substr(s.size() - tail.size()), tail);
  return s.substr(head.size(), s.size() - head.size() - tail.size());
}

std::string error(const Btf &b) {
  std::ostringstream os;
  Error e = dump::dumpC(b, os);
  EXPECT_TRUE(os.str().empty()) << "nothing is written on failure";
  return e ? e.message() : "<no error>";
}

std::string asserts(const Btf &b) {
  std::ostringstream os;
  EXPECT_FALSE(dump::dumpCLayoutAsserts(b, os));
  return os.str();
}

} // namespace

TEST(DumpC, EmptyBtfIsJustThePreamble) {
  Btf b;
  EXPECT_EQ(body(b), "");
}

TEST(DumpC, DeclaratorsFollowCSyntax) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned);  // [1]
  const uint32_t c = b.addInt("char", 1, kIntSigned); // [2]
  const uint32_t ci = b.addConst(i);                  // [3]
  const uint32_t pci = b.addPtr(ci);                  // [4] const int *
  const uint32_t pi = b.addPtr(i);                    // [5]
  const uint32_t cpi = b.addConst(pi);                // [6] int *const
  const uint32_t a4 = b.addArray(i, i, 4);            // [7]
  const uint32_t pa4 = b.addPtr(a4);                  // [8] int (*)[4]
  const uint32_t fv = b.addFuncProto(i, {});          // [9] int (void)
  const uint32_t pfv = b.addPtr(fv);                  // [10]
  const uint32_t apfv = b.addArray(pfv, i, 2);        // [11] int (*[2])(void)
  Param pc[] = {{"", c}};
  const uint32_t fc = b.addFuncProto(i, pc); // [12] int (char)
  const uint32_t pfc = b.addPtr(fc);         // [13]
  Param pi1[] = {{"x", i}};
  const uint32_t fi = b.addFuncProto(pfc, pi1); // [14]
  const uint32_t pfi = b.addPtr(fi);            // [15] int (*(*)(int))(char)
  const uint32_t cc = b.addConst(c);            // [16]
  const uint32_t acc = b.addArray(cc, i, 3);    // [17]
  const uint32_t cacc = b.addConst(acc);        // [18] GCC: const on the array too
  const uint32_t vi = b.addVolatile(i);         // [19]
  const uint32_t pvi = b.addPtr(vi);            // [20]
  const uint32_t rpvi = b.addRestrict(pvi);     // [21] volatile int *restrict
  const uint32_t ppc = b.addPtr(b.addPtr(c));   // [22,23] char **
  Member m[] = {{"a", pci, 0},   {"b", cpi, 64},   {"c", pa4, 128},  {"d", apfv, 192},
                {"e", pfi, 320}, {"f", cacc, 384}, {"g", rpvi, 448}, {"h", ppc, 512}};
  b.addComposite(false, "decls", 72, m);
  EXPECT_EQ(body(b), "struct decls {\n"
                     "\tconst int *a;\n"
                     "\tint *const b;\n"
                     "\tint (*c)[4];\n"
                     "\tint (*d[2])(void);\n"
                     "\tint (*(*e)(int))(char);\n"
                     "\tconst char f[3];\n"
                     "\tvolatile int *restrict g;\n"
                     "\tchar **h;\n"
                     "};\n\n");
}

TEST(DumpC, TypedefsFunctionTypesAndVarargs) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned);
  Param ps[] = {{"fmt", b.addPtr(b.addConst(b.addInt("char", 1, kIntSigned)))}, {"", 0}};
  const uint32_t fn = b.addFuncProto(i, ps);
  b.addTypedef("printf_fn", fn);            // a function type
  b.addTypedef("printf_ptr", b.addPtr(fn)); // a pointer to one
  Member anon[] = {{"x", i, 0}};
  b.addTypedef("wrapped_t", b.addComposite(false, "", 4, anon)); // typedef of an anonymous struct
  b.addTypedef("__builtin_va_list", b.addPtr(b.addInt("char", 1, kIntSigned))); // never redefined
  EXPECT_EQ(body(b), "typedef int printf_fn(const char *, ...);\n\n"
                     "typedef int (*printf_ptr)(const char *, ...);\n\n"
                     "typedef struct {\n"
                     "\tint x;\n"
                     "} wrapped_t;\n\n");
}

TEST(DumpC, DefinitionsComeBeforeUseByValue) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned); // [1]
  b.addTypedef("S_t", 4);                            // [2] typedef struct S S_t
  Member u[] = {{"s", 2, 0}, {"e", 6, 32}};
  b.addComposite(false, "U", 8, u); // [3] uses S_t and enum E by value
  Member s[] = {{"x", i, 0}};
  b.addComposite(false, "S", 4, s); // [4]
  b.addPtr(3);                      // [5]
  EnumValue e[] = {{"E1", 1}};
  b.addEnum("E", 4, false, e); // [6]
  EXPECT_EQ(body(b), "typedef struct S S_t;\n\n"
                     "struct S {\n"
                     "\tint x;\n"
                     "};\n\n"
                     "enum E {\n"
                     "\tE1 = 1,\n"
                     "};\n\n"
                     "struct U {\n"
                     "\tS_t s;\n"
                     "\tenum E e;\n"
                     "};\n\n");
}

TEST(DumpC, ForwardDeclarationsOnlyWherePrototypeScopeNeedsThem) {
  Btf b;
  b.addInt("int", 4, kIntSigned); // [1]
  Param p[] = {{"", 5}};          // struct B * in a parameter list
  b.addFuncProto(0, p);           // [2]
  Member a[] = {{"cb", 4, 0}, {"self", 6, 64}, {"b", 5, 128}};
  b.addComposite(false, "A", 24, a); // [3]
  b.addPtr(2);                       // [4]
  b.addPtr(7);                       // [5] struct B *
  b.addPtr(3);                       // [6] struct A *
  Member bm[] = {{"a", 6, 0}};
  b.addComposite(false, "B", 8, bm); // [7]
  EXPECT_EQ(body(b), "struct B;\n\n"
                     "struct A {\n"
                     "\tvoid (*cb)(struct B *);\n"
                     "\tstruct A *self;\n"
                     "\tstruct B *b;\n"
                     "};\n\n"
                     "struct B {\n"
                     "\tstruct A *a;\n"
                     "};\n\n");
}

TEST(DumpC, PaddingPackingAndBitfields) {
  Btf b;
  const uint32_t c = b.addInt("char", 1, kIntSigned);
  const uint32_t i = b.addInt("int", 4, kIntSigned);
  const uint32_t u = b.addInt("unsigned int", 4, 0);
  const uint32_t l = b.addInt("long", 8, kIntSigned);
  Member gap[] = {{"c", c, 0}, {"i", i, 64}};
  b.addComposite(false, "gap", 12, gap); // i at 8 instead of 4
  Member pk[] = {{"c", c, 0}, {"l", l, 8}};
  b.addComposite(false, "pk", 9, pk); // l misaligned: packed
  Member bf[] = {{"a", u, 0, 3}, {"b", u, 8, 4}, {"c", u, 30, 4}, {"d", c, 40}};
  b.addComposite(false, "bf", 8, bf); // b after a gap; c straddles: packed
  Member tail[] = {{"x", i, 0}};
  b.addComposite(false, "tail", 16, tail); // over-aligned: tail padding
  EXPECT_EQ(body(b), "struct gap {\n"
                     "\tchar c;\n"
                     "\tchar: 8;\n"
                     "\tshort: 16;\n"
                     "\tint: 32;\n"
                     "\tint i;\n"
                     "};\n\n"
                     "struct pk {\n"
                     "\tchar c;\n"
                     "\tlong l;\n"
                     "} __attribute__((packed));\n\n"
                     "struct bf {\n"
                     "\tunsigned int a: 3;\n"
                     "\tchar: 5;\n"
                     "\tunsigned int b: 4;\n"
                     "\tchar: 4;\n"
                     "\tchar: 8;\n"
                     "\tchar: 6;\n"
                     "\tunsigned int c: 4;\n"
                     "\tchar d;\n" // a plain member starts at the next byte by itself
                     "\tshort: 16;\n"
                     "} __attribute__((packed));\n\n"
                     "struct tail {\n"
                     "\tint x;\n"
                     "\tint: 32;\n"
                     "\tlong: 64;\n"
                     "};\n\n");
}

TEST(DumpC, BigGapsBecomeOneByteArray) {
  Btf b;
  const uint32_t c = b.addInt("char", 1, kIntSigned);
  Member m[] = {{"first", c, 0}, {"page", c, 4096 * 8}};
  b.addComposite(false, "big", 4097, m);
  EXPECT_EQ(body(b), "struct big {\n"
                     "\tchar first;\n"
                     "\tchar __d2b_pad2_0[4095];\n" // pad 0 of type [2]
                     "\tchar page;\n"
                     "};\n\n");
}

TEST(DumpC, LegacyBitfieldsWithoutKindFlag) {
  Btf b;
  const uint32_t narrow = b.addInt("unsigned int", 4, 0, /*bits=*/5, /*off=*/2);
  const uint32_t c = b.addInt("char", 1, kIntSigned);
  Member m[] = {{"m", narrow, 0}, {"n", c, 8}};
  b.addComposite(false, "legacy", 4, m);
  EXPECT_EQ(body(b), "struct legacy {\n"
                     "\tchar: 2;\n"
                     "\tunsigned int m: 5;\n"
                     "\tchar n;\n"
                     "};\n\n");
}

TEST(DumpC, EnumsGetTheirBtfSize) {
  Btf b;
  EnumValue small[] = {{"S0", 0}, {"S1", 1}};
  b.addEnum("byte", 1, false, small);
  b.addEnum("half", 2, false, small);
  b.addEnum("wide", 8, false, small); // ENUM64 of small values
  uint32_t vals[] = {b.addString("W0"), 0};
  b.addType(Kind::Enum, b.addString("wide32"), 1, false, 8, vals); // 32-bit kind, 8 bytes
  EnumValue huge[] = {{"H", 1ull << 40}};
  b.addEnum("huge", 8, false, huge);
  EnumValue neg[] = {{"MIN", uint64_t(INT64_MIN)}, {"M1", uint64_t(-1)}};
  b.addEnum("neg", 8, true, neg);
  b.addEnum("empty", 4, false, {});
  EXPECT_EQ(body(b),
            "enum byte {\n\tS0 = 0,\n\tS1 = 1,\n} __attribute__((mode(QI)));\n\n"
            "enum half {\n\tS0___2 = 0,\n\tS1___2 = 1,\n} __attribute__((mode(HI)));\n\n"
            "enum wide {\n\tS0___3 = 0ULL,\n\tS1___3 = 1ULL,\n} __attribute__((mode(DI)));\n\n"
            "enum wide32 {\n\tW0 = 0,\n} __attribute__((mode(DI)));\n\n"
            "enum huge {\n\tH = 1099511627776ULL,\n};\n\n"
            "enum neg {\n\tMIN = (-9223372036854775807LL - 1),\n\tM1 = -1LL,\n};\n\n"
            "enum empty {\n\t__d2b_empty_enum_7 = 0,\n};\n\n");
}

TEST(DumpC, NamesClashAndAreRepaired) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned); // [1]
  Member one[] = {{"a", i, 0}};
  b.addComposite(false, "dup", 4, one); // [2] struct dup
  b.addComposite(true, "dup", 4, one);  // [3] union dup___2
  b.addFwd("dup", false);               // [4] joins struct dup
  b.addFwd("dup", true);                // [5] union: a name of its own
  EnumValue e[] = {{"dup_t", 1}};
  b.addEnum("", 4, false, e); // [6] enumerator 'dup_t'
  b.addTypedef("dup_t", i);   // [7] same namespace: ___2
  Member rust[] = {{"int", i, 0}, {"x", i, 32}, {"x", i, 64}, {"", i, 96}};
  b.addComposite(false, "core::option::Option<u32>", 16, rust); // [8]
  b.addPtr(4);                                                  // [9]
  b.addPtr(5);                                                  // [10]
  Member refs[] = {{"s", 9, 0}, {"u", 10, 64}};
  b.addComposite(false, "refs", 16, refs); // [11]
  EXPECT_EQ(body(b), "struct dup {\n\tint a;\n};\n\n"
                     "union dup___2 {\n\tint a;\n};\n\n"
                     "union dup___3;\n\n"
                     "enum {\n\tdup_t = 1,\n};\n\n"
                     "typedef int dup_t___2;\n\n"
                     "struct core__option__Option_u32_ {\n"
                     "\tint int_;\n"
                     "\tint x;\n"
                     "\tint x___2;\n"
                     "\tint __unnamed_3;\n"
                     "};\n\n"
                     "struct refs {\n"
                     "\tstruct dup *s;\n"
                     "\tunion dup___3 *u;\n"
                     "};\n\n");
}

TEST(DumpC, IntegerAndFloatSpellingsFollowTheSize) {
  Btf b;
  const uint32_t u8 = b.addInt("u8", 1, 0); // Rust names
  const uint32_t i64 = b.addInt("i64", 8, kIntSigned);
  const uint32_t rchar = b.addInt("char", 4, 0); // Rust char: 4 bytes
  const uint32_t rbool = b.addInt("bool", 1, kIntBool);
  const uint32_t u128 = b.addInt("u128", 16, 0);
  const uint32_t f32 = b.addFloat("f32", 4);
  const uint32_t keep = b.addInt("long unsigned int", 8, 0);
  Member m[] = {{"a", u8, 0},    {"b", i64, 64},   {"c", rchar, 128}, {"d", rbool, 160},
                {"e", f32, 192}, {"f", keep, 256}, {"g", u128, 384}};
  b.addComposite(false, "spell", 64, m);
  EXPECT_EQ(body(b), "struct spell {\n"
                     "\tunsigned char a;\n"
                     "\tlong long b;\n"
                     "\tunsigned int c;\n"
                     "\t_Bool d;\n"
                     "\tfloat e;\n"
                     "\tlong unsigned int f;\n"
                     "\tunsigned __int128 g;\n"
                     "};\n\n");
}

TEST(DumpC, LayoutsCCannotStateDirectly) {
  Btf b;
  const uint32_t u8 = b.addInt("unsigned char", 1, 0);
  const uint32_t u32 = b.addInt("unsigned int", 4, 0);
  const uint32_t u64 = b.addInt("long long unsigned int", 8, 0);
  // Rust niche enum lowered as a union whose discriminant is not at 0.
  Member niche[] = {{"value", u64, 0}, {"tag", u32, 64}};
  b.addComposite(true, "niche", 16, niche);
  // Variant part flattened into one struct: members share offset 0.
  Member variants[] = {{"a", u32, 0}, {"b", u64, 0}, {"after", u8, 64}};
  b.addComposite(false, "variants", 16, variants);
  // A partial overlap and a misplaced non-bitfield cannot be written.
  Member broken[] = {{"x", u64, 0}, {"y", u32, 32}, {"z", u8, 75}};
  b.addComposite(false, "broken", 16, broken);
  // A union larger than its members with no power-of-two fit.
  Member odd[] = {{"x", u32, 0}};
  b.addComposite(true, "odd", 12, odd);
  EXPECT_EQ(body(b), "union niche {\n"
                     "\tlong long unsigned int value;\n"
                     "\tstruct {\n"
                     "\t\tlong: 64;\n"
                     "\t\tunsigned int tag;\n"
                     "\t};\n"
                     "};\n\n"
                     "struct variants {\n"
                     "\tunion {\n"
                     "\t\tunsigned int a;\n"
                     "\t\tlong long unsigned int b;\n"
                     "\t};\n"
                     "\tunsigned char after;\n"
                     "};\n\n"
                     "struct broken {\n"
                     "\t/* dwarf2btf: layout differs from BTF [6]: member 'y' at bit 32 overlaps "
                     "the member before it; left out */\n"
                     "\t/* dwarf2btf: layout differs from BTF [6]: member 'z' at bit 75 is "
                     "neither byte-aligned nor a bitfield; left out */\n"
                     "\tlong long unsigned int x;\n"
                     "\t/* left out: member y of type [2] */\n"
                     "\t/* left out: member z of type [1] */\n"
                     "\tlong: 64;\n"
                     "};\n\n"
                     "union odd {\n"
                     "\tunsigned int x;\n"
                     "\tchar __d2b_pad7_0[12];\n"
                     "};\n\n");
  EXPECT_EQ(asserts(b),
            "_Static_assert(sizeof(union niche) == 16, \"sizeof(union niche)\");\n"
            "_Static_assert(__builtin_offsetof(union niche, value) == 0, "
            "\"union niche.value\");\n"
            "_Static_assert(__builtin_offsetof(union niche, tag) == 8, "
            "\"union niche.tag\");\n"
            "_Static_assert(sizeof(struct variants) == 16, "
            "\"sizeof(struct variants)\");\n"
            "_Static_assert(__builtin_offsetof(struct variants, a) == 0, "
            "\"struct variants.a\");\n"
            "_Static_assert(__builtin_offsetof(struct variants, b) == 0, "
            "\"struct variants.b\");\n"
            "_Static_assert(__builtin_offsetof(struct variants, after) == 8, "
            "\"struct variants.after\");\n"
            "_Static_assert(sizeof(struct broken) == 16, \"sizeof(struct broken)\");\n"
            "_Static_assert(__builtin_offsetof(struct broken, x) == 0, "
            "\"struct broken.x\");\n"
            "_Static_assert(sizeof(union odd) == 12, \"sizeof(union odd)\");\n"
            "_Static_assert(__builtin_offsetof(union odd, x) == 0, \"union odd.x\");\n");
}

TEST(DumpC, AnonymousMembersAreInlinedAndAssertedThroughTheirPath) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned); // [1]
  Member in[] = {{"p", i, 0}, {"q", i, 32}};
  const uint32_t inner = b.addComposite(false, "", 8, in); // [2]
  Member un[] = {{"u", i, 0}};
  const uint32_t anonU = b.addComposite(true, "", 4, un); // [3]
  Member out[] = {{"head", i, 0}, {"", anonU, 32}, {"nested", inner, 64}};
  b.addComposite(false, "outer", 16, out);
  EXPECT_EQ(body(b), "struct outer {\n"
                     "\tint head;\n"
                     "\tunion {\n"
                     "\t\tint u;\n"
                     "\t};\n"
                     "\tstruct {\n"
                     "\t\tint p;\n"
                     "\t\tint q;\n"
                     "\t} nested;\n"
                     "};\n\n");
  EXPECT_EQ(asserts(b),
            "_Static_assert(sizeof(struct outer) == 16, \"sizeof(struct outer)\");\n"
            "_Static_assert(__builtin_offsetof(struct outer, head) == 0, \"struct outer.head\");\n"
            "_Static_assert(__builtin_offsetof(struct outer, u) == 4, \"struct outer.u\");\n"
            "_Static_assert(__builtin_offsetof(struct outer, nested) == 8, "
            "\"struct outer.nested\");\n"
            "_Static_assert(__builtin_offsetof(struct outer, nested.p) == 8, "
            "\"struct outer.nested.p\");\n"
            "_Static_assert(__builtin_offsetof(struct outer, nested.q) == 12, "
            "\"struct outer.nested.q\");\n");
}

TEST(DumpC, TypeTagsUseAGuardedMacro) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned);
  const uint32_t user = b.addTypeTag("user", i);
  const uint32_t attr = b.addType(Kind::TypeTag, b.addString("address_space(1)"), 0, true, i);
  Member m[] = {{"u", b.addPtr(user), 0}, {"a", b.addPtr(attr), 64}};
  b.addComposite(false, "tagged", 16, m);
  std::ostringstream os;
  ASSERT_FALSE(dump::dumpC(b, os));
  EXPECT_NE(os.str().find("#ifndef __btf_type_tag\n"
                          "#if defined(__has_attribute) && !defined(BPF_NO_TYPE_TAGS)\n"
                          "#if __has_attribute(btf_type_tag)\n"
                          "#define __btf_type_tag(x) __attribute__((btf_type_tag(x)))\n"
                          "#endif\n"
                          "#endif\n"
                          "#ifndef __btf_type_tag\n"
                          "#define __btf_type_tag(x)\n"
                          "#endif\n"
                          "#endif\n\n"
                          "struct tagged {\n"
                          "\tint __btf_type_tag(\"user\") *u;\n"
                          "\tint __attribute__((address_space(1))) *a;\n"
                          "};\n\n"),
            std::string::npos)
      << os.str();
}

TEST(DumpC, UnreachableAnonymousEnumsStandAloneOthersInline) {
  Btf b;
  EnumValue a[] = {{"LONE", 1}};
  b.addEnum("", 4, false, a);
  EnumValue c[] = {{"INL", 2}};
  const uint32_t inl = b.addEnum("", 4, false, c);
  Member m[] = {{"e", inl, 0}};
  b.addComposite(false, "holds", 4, m);
  EXPECT_EQ(body(b), "enum {\n\tLONE = 1,\n};\n\n"
                     "struct holds {\n"
                     "\tenum {\n"
                     "\t\tINL = 2,\n"
                     "\t} e;\n"
                     "};\n\n");
}

TEST(DumpC, SplitBtfIncludesTheBaseSoTheHeaderStandsAlone) {
  Btf base;
  const uint32_t i = base.addInt("int", 4, kIntSigned);
  Member m[] = {{"x", i, 0}};
  base.addComposite(false, "in_base", 4, m);
  Btf split(&base);
  Member sm[] = {{"b", 2, 0}, {"p", split.addPtr(2), 64}};
  split.addComposite(false, "in_module", 16, sm);
  EXPECT_EQ(body(split), "struct in_base {\n\tint x;\n};\n\n"
                         "struct in_module {\n\tstruct in_base b;\n\tstruct in_base *p;\n};\n\n");
}

TEST(DumpC, NonsensePointerSizeFallsBackToEightBytes) {
  // Found by fuzzing: a corrupt `long` must not make alignments zero.
  Btf b;
  const uint32_t l = b.addInt("long int", 2, kIntSigned); // spelled by its size: short
  Member m[] = {{"p", b.addPtr(l), 0}, {"q", b.addPtr(l), 64}};
  b.addComposite(false, "ptrs", 16, m);
  EXPECT_EQ(body(b), "struct ptrs {\n\tshort *p;\n\tshort *q;\n};\n\n");
}

TEST(DumpC, ErrorsForTypesCCannotExpress) {
  {
    Btf b;
    Member m[] = {{"me", 1, 0}};
    b.addComposite(false, "loop", 4, m);
    EXPECT_EQ(error(b), "type [1] STRUCT 'loop' contains itself by value");
  }
  {
    Btf b;
    b.addInt("int", 4, kIntSigned);
    b.addPtr(9);
    EXPECT_EQ(error(b), "type [2] PTR refers to type [9], which does not exist");
  }
  {
    Btf b;
    b.addPtr(1);
    EXPECT_EQ(error(b), "type [1] PTR is part of a cycle of unnamed types, which C cannot "
                        "express");
  }
  {
    Btf b;
    b.addFwd("f", false);
    Member m[] = {{"v", 1, 0}};
    b.addComposite(false, "s", 4, m);
    EXPECT_EQ(error(b), "type [1] FWD 'f' is used by value but only declared, C needs its "
                        "definition");
  }
  {
    Btf b;
    b.addInt("odd", 3, 0);
    b.addTypedef("odd_t", 1);
    EXPECT_EQ(error(b), "type [1] INT 'odd' has size 3, which no C integer type has");
  }
  {
    Btf b;
    const uint32_t i = b.addInt("int", 4, kIntSigned);
    b.addFunc("f", b.addFuncProto(i, {}), FuncLinkage::Global);
    Member m[] = {{"fn", 3, 0}};
    b.addComposite(false, "s", 4, m);
    EXPECT_EQ(error(b), "type [4] STRUCT refers to [3] FUNC, which is not a type");
  }
  {
    Btf b;
    b.addType(Kind::Typedef, 0x7777, 0, false, 0);
    EXPECT_EQ(error(b), "type [1] TYPEDEF has string offset 0x7777, outside the strings");
  }
  {
    Btf b;
    b.addTypedef("T", 2);
    b.addPtr(1);
    EXPECT_EQ(error(b), "type [1] TYPEDEF 'T' refers to itself");
  }
}
