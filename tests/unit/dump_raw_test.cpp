// The raw dump, line by line as bpftool 7.1 prints it. The golden text for
// the every-kind sample was taken from `bpftool btf dump file` and is
// re-checked against bpftool itself by tests/integration/dump_test.cpp.
#include <gtest/gtest.h>

#include <sstream>

#include "btf_samples.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_raw.h"

using namespace d2b;
using namespace d2b::btf;

namespace {

std::string raw(const Btf &b) {
  std::ostringstream os;
  dump::dumpRaw(b, os);
  return os.str();
}

} // namespace

TEST(DumpRaw, EveryKind) {
  Btf b;
  test::addEveryKind(b);
  EXPECT_EQ(raw(b),
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n"
            "[3] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=CHAR\n"
            "[4] INT '_Bool' size=1 bits_offset=0 nr_bits=8 encoding=BOOL\n"
            "[5] INT 'long unsigned int' size=8 bits_offset=0 nr_bits=64 encoding=(none)\n"
            "[6] INT 'long long int' size=8 bits_offset=0 nr_bits=64 encoding=SIGNED\n"
            "[7] INT 'short int' size=2 bits_offset=0 nr_bits=16 encoding=SIGNED\n"
            "[8] INT '__int128 unsigned' size=16 bits_offset=0 nr_bits=128 encoding=(none)\n"
            "[9] INT 'unsigned int' size=4 bits_offset=2 nr_bits=5 encoding=(none)\n"
            "[10] FLOAT 'double' size=8\n"
            "[11] FLOAT 'float' size=4\n"
            "[12] PTR '(anon)' type_id=1\n"
            "[13] CONST '(anon)' type_id=3\n"
            "[14] PTR '(anon)' type_id=13\n"
            "[15] VOLATILE '(anon)' type_id=1\n"
            "[16] RESTRICT '(anon)' type_id=12\n"
            "[17] ARRAY '(anon)' type_id=3 index_type_id=2 nr_elems=16\n"
            "[18] ARRAY '(anon)' type_id=17 index_type_id=2 nr_elems=4\n"
            "[19] STRUCT 'point' size=8 vlen=2\n"
            "\t'x' type_id=1 bits_offset=0\n"
            "\t'y' type_id=1 bits_offset=32\n"
            "[20] UNION 'num' size=8 vlen=2\n"
            "\t'i' type_id=1 bits_offset=0\n"
            "\t'l' type_id=5 bits_offset=0\n"
            "[21] ENUM 'color' encoding=UNSIGNED size=4 vlen=3\n"
            "\t'RED' val=0\n"
            "\t'GREEN' val=1\n"
            "\t'BLUE' val=4294967295\n"
            "[22] ENUM 'sign' encoding=SIGNED size=4 vlen=2\n"
            "\t'NEG' val=-1\n"
            "\t'POS' val=1\n"
            "[23] ENUM64 'big' encoding=UNSIGNED size=8 vlen=2\n"
            "\t'HUGE' val=1099511627776ULL\n"
            "\t'ONE' val=1ULL\n"
            "[24] ENUM64 'sbig' encoding=SIGNED size=8 vlen=2\n"
            "\t'SMALLEST' val=-9223372036854775808LL\n"
            "\t'MINUS_TWO' val=-2LL\n"
            "[25] ENUM 'tiny' encoding=UNSIGNED size=1 vlen=2\n"
            "\t'T0' val=0\n"
            "\t'T1' val=1\n"
            "[26] FWD 'opaque' fwd_kind=struct\n"
            "[27] FWD 'ufwd' fwd_kind=union\n"
            "[28] TYPEDEF 'point_t' type_id=19\n"
            "[29] FUNC_PROTO '(anon)' ret_type_id=1 vlen=3\n"
            "\t'a' type_id=1\n"
            "\t's' type_id=14\n"
            "\t'(anon)' type_id=0\n"
            "[30] FUNC 'add' type_id=29 linkage=global\n"
            "[31] FUNC 'helper' type_id=29 linkage=static\n"
            "[32] FUNC 'ext_fn' type_id=29 linkage=extern\n"
            "[33] VAR 'counter' type_id=1, linkage=global\n"
            "[34] VAR 'local' type_id=1, linkage=static\n"
            "[35] VAR 'ext_var' type_id=1, linkage=extern\n"
            "[36] DATASEC '.data' size=8 vlen=2\n"
            "\ttype_id=33 offset=0 size=4 (VAR 'counter')\n"
            "\ttype_id=34 offset=4 size=4 (VAR 'local')\n"
            "[37] DATASEC '.ksyms' size=0 vlen=1\n"
            "\ttype_id=35 offset=0 size=4 (VAR 'ext_var')\n"
            "[38] DECL_TAG 'kfunc' type_id=30 component_idx=-1\n"
            "[39] DECL_TAG 'arg_tag' type_id=30 component_idx=1\n"
            "[40] TYPE_TAG 'user' type_id=1\n"
            "[41] PTR '(anon)' type_id=40\n"
            "[42] STRUCT 'flags' size=8 vlen=5\n"
            "\t'a' type_id=2 bits_offset=0 bitfield_size=3\n"
            "\t'b' type_id=2 bits_offset=3 bitfield_size=5\n"
            "\t'c' type_id=1 bits_offset=8 bitfield_size=1\n"
            "\t'd' type_id=3 bits_offset=16\n"
            "\t'e' type_id=2 bits_offset=32 bitfield_size=20\n"
            "[43] STRUCT 'legacy' size=4 vlen=2\n"
            "\t'm' type_id=9 bits_offset=0\n"
            "\t'n' type_id=3 bits_offset=8\n"
            "[44] PTR '(anon)' type_id=45\n"
            "[45] STRUCT 'node' size=16 vlen=2\n"
            "\t'next' type_id=44 bits_offset=0\n"
            "\t'val' type_id=1 bits_offset=64\n"
            "[46] STRUCT 'packed_s' size=5 vlen=2\n"
            "\t'c' type_id=3 bits_offset=0\n"
            "\t'i' type_id=1 bits_offset=8\n"
            "[47] STRUCT 'padded' size=12 vlen=2\n"
            "\t'c' type_id=3 bits_offset=0\n"
            "\t'i' type_id=1 bits_offset=64\n"
            "[48] STRUCT 'aligned64' size=64 vlen=1\n"
            "\t'x' type_id=1 bits_offset=0\n"
            "[49] STRUCT 'outer' size=128 vlen=2\n"
            "\t'a' type_id=48 bits_offset=0\n"
            "\t'b' type_id=3 bits_offset=512\n"
            "[50] UNION 'ualigned' size=16 vlen=1\n"
            "\t'x' type_id=1 bits_offset=0\n"
            "[51] STRUCT 'anon_holder' size=24 vlen=3\n"
            "\t'(anon)' type_id=52 bits_offset=0\n"
            "\t'inner' type_id=53 bits_offset=64\n"
            "\t'grid' type_id=55 bits_offset=128\n"
            "[52] UNION '(anon)' size=8 vlen=2\n"
            "\t'u1' type_id=1 bits_offset=0\n"
            "\t'u2' type_id=5 bits_offset=0\n"
            "[53] STRUCT '(anon)' size=8 vlen=1\n"
            "\t'p' type_id=12 bits_offset=0\n"
            "[54] ARRAY '(anon)' type_id=7 index_type_id=2 nr_elems=2\n"
            "[55] ARRAY '(anon)' type_id=54 index_type_id=2 nr_elems=2\n"
            "[56] TYPEDEF 'cb_t' type_id=57\n"
            "[57] PTR '(anon)' type_id=29\n"
            "[58] STRUCT 'ops' size=16 vlen=2\n"
            "\t'cb' type_id=56 bits_offset=0\n"
            "\t'raw' type_id=57 bits_offset=64\n"
            "[59] STRUCT 'point' size=4 vlen=1\n"
            "\t'z' type_id=1 bits_offset=0\n"
            "[60] TYPEDEF 'point_t' type_id=59\n"
            "[61] ENUM '(anon)' encoding=UNSIGNED size=4 vlen=1\n"
            "\t'ANON_A' val=5\n"
            "[62] STRUCT 'qual' size=32 vlen=4\n"
            "\t'cp' type_id=14 bits_offset=0\n"
            "\t'ip' type_id=16 bits_offset=64\n"
            "\t'vi' type_id=15 bits_offset=128\n"
            "\t'up' type_id=41 bits_offset=192\n"
            "[63] DECL_TAG 'member_tag' type_id=19 component_idx=0\n"
            "[64] STRUCT 'with_enums' size=16 vlen=3\n"
            "\t'c' type_id=21 bits_offset=0\n"
            "\t't' type_id=25 bits_offset=32\n"
            "\t'b' type_id=23 bits_offset=64\n"
            "[65] FUNC_PROTO '(anon)' ret_type_id=0 vlen=0\n"
            "[66] PTR '(anon)' type_id=65\n"
            "[67] STRUCT 'vfn' size=8 vlen=1\n"
            "\t'f' type_id=66 bits_offset=0\n"
            "[68] STRUCT 'uses_fwd' size=16 vlen=2\n"
            "\t'o' type_id=69 bits_offset=0\n"
            "\t'u' type_id=70 bits_offset=64\n"
            "[69] PTR '(anon)' type_id=26\n"
            "[70] PTR '(anon)' type_id=27\n");
}

TEST(DumpRaw, SameTextAfterAByteSwappedRoundTrip) {
  Btf b;
  test::addEveryKind(b);
  Expected<ParsedBtf> p = parseBtf(b.serialize(std::endian::big), nullptr, "be");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(raw(p->btf), raw(b));
}

TEST(DumpRaw, SplitBtfPrintsOnlyItsOwnTypesWithBaseNames) {
  Btf base;
  base.addInt("int", 4, kIntSigned);
  SecVar none[] = {{1, 0, 4}};
  base.addDatasec(".x", 4, none);
  Btf split(&base);
  split.addTypedef("int", 1); // the name comes from the base's strings
  SecVar v[] = {{1, 0, 4}, {3, 4, 4}};
  split.addDatasec(".bss", 8, v);
  EXPECT_EQ(raw(split), "[3] TYPEDEF 'int' type_id=1\n"
                        "[4] DATASEC '.bss' size=8 vlen=2\n"
                        "\ttype_id=1 offset=0 size=4 (INT 'int')\n"
                        "\ttype_id=3 offset=4 size=4 (TYPEDEF 'int')\n");
}

TEST(DumpRaw, OddValuesPrintLikeBpftool) {
  // What a hand-built (unvalidated) Btf can hold: bpftool's spellings for
  // unknown encodings and linkages, invalid or empty names, dangling ids.
  Btf b;
  b.addInt("weird", 4, kIntSigned | kIntChar);          // [1] encoding UNKN
  b.addType(Kind::Func, b.addString("f"), 7, false, 0); // [2] linkage (unknown)
  const uint32_t bad = 0x7fff;
  b.addType(Kind::Typedef, bad, 0, false, 1); // [3] name (invalid)
  const uint32_t empty = b.strings().size();
  b.strings().appendRaw(std::string_view("\0", 1)); // a second "" at a nonzero offset
  b.addType(Kind::Const, empty, 0, false, 1);       // [4] ''
  SecVar v[] = {{0, 0, 4}, {99, 4, 4}};
  b.addDatasec(".odd", 8, v); // [5] void and dangling vars
  uint32_t linkage = 9;
  b.addType(Kind::Var, b.addString("v"), 0, false, 1, std::span(&linkage, 1)); // [6]
  EXPECT_EQ(raw(b), "[1] INT 'weird' size=4 bits_offset=0 nr_bits=32 encoding=UNKN\n"
                    "[2] FUNC 'f' type_id=0 linkage=(unknown)\n"
                    "[3] TYPEDEF '(invalid)' type_id=1\n"
                    "[4] CONST '' type_id=1\n"
                    "[5] DATASEC '.odd' size=8 vlen=2\n"
                    "\ttype_id=0 offset=0 size=4 (UNKNOWN '(anon)')\n"
                    "\ttype_id=99 offset=4 size=4\n"
                    "[6] VAR 'v' type_id=1, linkage=(unknown)\n");
}

TEST(DumpRaw, LargeOutputIsComplete) {
  // More than one flush of the internal buffer.
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned);
  for (int n = 0; n < 20000; ++n)
    b.addPtr(i);
  const std::string text = raw(b);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 20001);
  EXPECT_NE(text.find("[20001] PTR '(anon)' type_id=1\n"), std::string::npos);
}
