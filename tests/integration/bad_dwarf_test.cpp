// Hand-assembled DWARF that no compiler emits: missing sizes and types,
// dangling references, references to non-type DIEs, typedef and qualifier
// cycles, location expressions as member offsets. encodeTypes must produce
// usable BTF, one diagnostic per problem, and never hang or crash.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "dwarf2btf/encode/encoder.h"
#include "test_support.h"

using namespace d2b;
using namespace d2b::test;

namespace {

// DWARF 4, one CU. DIE offsets are noted for the expected diagnostics.
const char *kBadDwarf = R"(
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x0b; .byte 0, 0  # compile_unit
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b; .byte 0, 0 # base
	.uleb128 3, 0x0f; .byte 0; .uleb128 0x0b, 0x0b; .byte 0, 0                  # pointer, no type
	.uleb128 4, 0x13; .byte 1; .uleb128 0x03, 0x08; .byte 0, 0                  # struct, no size
	.uleb128 5, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b; .byte 0, 0 # member
	.uleb128 6, 0x16; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13; .byte 0, 0      # typedef
	.uleb128 7, 0x13; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x0b; .byte 0, 0      # struct
	.uleb128 8, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x18; .byte 0, 0 # member, exprloc
	.uleb128 9, 0x26; .byte 0; .uleb128 0x49, 0x13; .byte 0, 0                  # const
	.byte 0

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "bad.c"; .byte 0x0c                      # 0x0b
.Lint:	.uleb128 2; .string "int"; .byte 4, 5                        # 0x13
.Lvp:	.uleb128 3; .byte 8                                           # 0x1a void *
.Lnosize: .uleb128 4; .string "nosize"                               # 0x1c
.Lm:	.uleb128 5; .string "m"; .long .Lint - .Lcu; .byte 0         # 0x24
	.byte 0
.Lloop1: .uleb128 6; .string "loop1"; .long .Lloop2 - .Lcu          # 0x2d
.Lloop2: .uleb128 6; .string "loop2"; .long .Lloop1 - .Lcu          # 0x38
	.uleb128 6; .string "dangling"; .long 0x7fff                  # 0x43
	.uleb128 7; .string "expr"; .byte 16                           # 0x51
	.uleb128 8; .string "a"; .long .Lint - .Lcu; .uleb128 2; .byte 0x23, 8  # 0x58
	.uleb128 8; .string "b"; .long .Lint - .Lcu; .uleb128 1; .byte 0x96     # 0x62
	.byte 0
.Lcself: .uleb128 9; .long .Lcself - .Lcu                          # 0x6c
	.uleb128 6; .string "uses_vp"; .long .Lvp - .Lcu              # 0x71
	.uleb128 6; .string "notype"; .long .Lm - .Lcu                # 0x7e
	.byte 0
.Lend:
)";

} // namespace

TEST(BadDwarf, RecoversAndReportsEveryProblem) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc (assembler driver) not installed";
  TempDir dir;
  writeFile(dir.path("bad.s"), kBadDwarf);
  const std::string obj = dir.path("bad.o");
  RunResult as = run(fmt::format("gcc -c {} -o {}", dir.path("bad.s"), obj));
  ASSERT_EQ(as.status, 0) << as.err;

  for (unsigned jobs : {1u, 4u}) {
    encode::EncodeOptions o;
    o.jobs = jobs;
    DiagEngine diag;
    Expected<encode::TypesResult> r = encode::encodeTypes(obj, o, diag);
    ASSERT_TRUE(r) << r.error().message();
    const btf::Btf &b = r->btf;
    std::string got;
    for (uint32_t id = 1; id < b.endId(); ++id) {
      btf::TypeView t = b.type(id);
      got += fmt::format("[{}] {} '{}' {}\n", id, btf::kindName(t.kind()), b.name(id),
                         t.kind() == btf::Kind::Struct || t.kind() == btf::Kind::Int ||
                                 t.kind() == btf::Kind::Fwd
                             ? t.size()
                             : t.type());
      if (t.kind() == btf::Kind::Struct)
        for (uint32_t i = 0; i < t.vlen(); ++i)
          got += fmt::format("  {} type={} off={}\n", b.str(t.tail()[3 * i]), t.tail()[3 * i + 1],
                             t.tail()[3 * i + 2]);
    }
    EXPECT_EQ(got, "[1] INT 'int' 4\n"
                   "[2] PTR '' 0\n"
                   "[3] FWD 'nosize' 0\n"
                   "[4] TYPEDEF 'loop1' 5\n"
                   "[5] TYPEDEF 'loop2' 0\n"
                   "[6] TYPEDEF 'dangling' 0\n"
                   "[7] STRUCT 'expr' 16\n"
                   "  a type=1 off=64\n"
                   "  b type=1 off=0\n"
                   "[8] CONST '' 0\n"
                   "[9] TYPEDEF 'uses_vp' 2\n"
                   "[10] TYPEDEF 'notype' 0\n");

    std::string msgs;
    for (const Diagnostic &d : diag.sortedDiagnostics())
      msgs += d.format() + "\n";
    const std::string f = obj + ": .debug_info: DIE ";
    EXPECT_EQ(msgs,
              f +
                  "0x1c DW_TAG_structure_type 'nosize': warning: struct/union without "
                  "DW_AT_byte_size; encoded as a forward declaration [dwarf.missing-byte-size]\n" +
                  f +
                  "0x38 'loop2': warning: type refers back to itself without a struct or "
                  "function in between; the reference is lowered to void [c.type-cycle]\n" +
                  f +
                  "0x43 DW_TAG_typedef 'dangling': warning: DW_AT_type refers to unit "
                  "offset 0x7fff, which is not a DIE; lowered to void [dwarf.dangling-ref]\n" +
                  f +
                  "0x62 DW_TAG_member 'b': warning: DW_AT_data_member_location is not a "
                  "constant offset; member placed at 0 [dwarf.bad-member-location]\n" +
                  f +
                  "0x6c: warning: type refers back to itself without a struct or function "
                  "in between; the reference is lowered to void [c.type-cycle]\n" +
                  f +
                  "0x7e DW_TAG_typedef 'notype': warning: DW_AT_type refers to a "
                  "DW_TAG_member DIE at 0x24; lowered to void [dwarf.not-a-type]\n");
  }
}
