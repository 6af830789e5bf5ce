#include "bad_btf_cases.h"

#include "btf_case_builders.h"

#include <cerrno>
#include <cstring>

namespace d2b::test {

using btf::Btf;
using btf::Kind;
using btf::Member;

std::string BtfCase::logLine() const {
  return kernelLine.empty() ? message : kernelLine + " " + message;
}

btf::Btf rawToBtf(std::span<const uint8_t> raw) {
  Btf b;
  auto word = [&](size_t off) {
    uint32_t v = 0;
    if (off + 4 <= raw.size())
      std::memcpy(&v, raw.data() + off, 4);
    return v;
  };
  const uint32_t hdrLen = word(4), typeOff = word(8), typeLen = word(12);
  const uint32_t strOff = word(16), strLen = word(20);
  const size_t strStart = size_t(hdrLen) + strOff;
  // appendRaw keeps file offsets when handed the whole section.
  if (strLen && strStart + strLen <= raw.size())
    b.strings().appendRaw(
        std::string_view(reinterpret_cast<const char *>(raw.data()) + strStart, strLen));
  std::vector<uint32_t> words(typeLen / 4);
  if (size_t(hdrLen) + typeOff + typeLen <= raw.size())
    std::memcpy(words.data(), raw.data() + hdrLen + typeOff, words.size() * 4);
  size_t cur = 0;
  while (cur < words.size()) {
    const size_t left = words.size() - cur;
    size_t n = left;
    if (left >= 3) {
      const uint32_t kind = btf::infoKindRaw(words[cur + 1]);
      if (kind >= 1 && kind <= btf::kMaxKind)
        n = 3 + btf::tailWords(Kind(kind), btf::infoVlen(words[cur + 1]));
    }
    n = std::min(n, left);
    b.addRawType(std::span(words.data() + cur, n));
    cur += n;
  }
  return b;
}

namespace cases {

void addMetaCases(std::vector<BtfCase> &c) {
  // --- Header and structure -------------------------------------------------
  c.push_back(bad(
      "NoTypes", [] { return Btf(); }, 0, "", "No type found"));
  c.push_back(bad(
      "InfoVlenOverflow",
      [] {
        Btf b;
        b.addInt("int", 4, btf::kIntSigned);
        rawWords(b, {b.addString("U"), 0x05010000, 4});
        return b;
      },
      2, "[2]", "Invalid btf_info:5010000"));
  c.push_back(bad(
      "KindTooLarge",
      [] {
        Btf b;
        rawWords(b, {0, 20u << 24, 0});
        return b;
      },
      1, "[1]", "Invalid kind:20"));
  c.push_back(bad(
      "KindUnknown",
      [] {
        Btf b;
        rawWords(b, {0, 0, 0});
        return b;
      },
      1, "[1]", "Invalid kind:0"));
  c.push_back(bad(
      "NameOffsetOutOfRange",
      [] {
        Btf b;
        raw(b, Kind::Int, 1000, 0, false, 4, {btf::makeIntEncoding(0, 0, 32)});
        return b;
      },
      1, "[1]", "Invalid name_offset:1000"));
  c.push_back(bad(
      "TypeHeaderTruncated",
      [] {
        Btf b;
        u32(b);
        rawWords(b, {0, 0});
        return b;
      },
      2, "[2]", "meta_left:8 meta_needed:12"));
  c.push_back(bad(
      "MembersTruncated",
      [] {
        Btf b;
        u32(b);
        rawWords(b, {b.addString("s"), btf::makeInfo(Kind::Struct, 2, false), 8, 0, 1, 0});
        return b;
      },
      2, "[2] STRUCT s", "meta_left:12 meta_needed:24"));

  // --- INT ------------------------------------------------------------------
  const uint32_t s32 = btf::makeIntEncoding(btf::kIntSigned, 0, 32);
  c.push_back(bad(
      "IntVlen",
      [s32] {
        Btf b;
        raw(b, Kind::Int, b.addString("int"), 1, false, 4, {s32});
        return b;
      },
      1, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED", "vlen != 0"));
  c.push_back(bad(
      "IntKflag",
      [s32] {
        Btf b;
        raw(b, Kind::Int, b.addString("int"), 0, true, 4, {s32});
        return b;
      },
      1, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
      "Invalid btf_info kind_flag"));
  c.push_back(bad(
      "IntDataReservedBits",
      [] {
        Btf b;
        raw(b, Kind::Int, b.addString("int"), 0, false, 4, {0x10000020});
        return b;
      },
      1, "[1] INT int", "Invalid int_data:10000020"));
  c.push_back(bad(
      "IntBitsOver128",
      [] {
        Btf b;
        b.addInt("i", 16, 0, 120, 16);
        return b;
      },
      1, "[1] INT i size=16 bits_offset=16 nr_bits=120 encoding=(none)", "nr_bits exceeds 128"));
  c.push_back(bad(
      "IntBitsOverSize",
      [] {
        Btf b;
        b.addInt("c", 1, 0, 16);
        return b;
      },
      1, "[1] INT c size=1 bits_offset=0 nr_bits=16 encoding=(none)", "nr_bits exceeds type_size"));
  c.push_back(bad(
      "IntTwoEncodings",
      [] {
        Btf b;
        b.addInt("x", 4, btf::kIntSigned | btf::kIntChar);
        return b;
      },
      1, "[1] INT x size=4 bits_offset=0 nr_bits=32 encoding=UNKN", "Unsupported encoding", 524));

  // --- PTR, modifiers, TYPEDEF, TYPE_TAG (R3) -------------------------------
  c.push_back(bad(
      "PtrNamed",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Ptr, b.addString("&u32"), 0, false, 1);
        return b;
      },
      2, "[2] PTR &u32 type_id=1", "Invalid name"));
  c.push_back(bad(
      "ConstNamed",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Const, b.addString("c"), 0, false, 1);
        return b;
      },
      2, "[2] CONST c type_id=1", "Invalid name"));
  c.push_back(bad(
      "VolatileVlen",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Volatile, 0, 1, false, 1);
        return b;
      },
      2, "[2] VOLATILE (anon) type_id=1", "vlen != 0"));
  c.push_back(bad(
      "RestrictKflag",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Restrict, 0, 0, true, 1);
        return b;
      },
      2, "[2] RESTRICT (anon) type_id=1", "Invalid btf_info kind_flag"));
  c.push_back(bad(
      "PtrTypeIdTooLarge",
      [] {
        Btf b;
        u32(b);
        b.addPtr(0x100000);
        return b;
      },
      2, "[2] PTR (anon) type_id=1048576", "Invalid type_id"));
  c.push_back(bad(
      "TypedefAnonymous",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Typedef, 0, 0, false, 1);
        return b;
      },
      2, "[2] TYPEDEF (anon) type_id=1", "Invalid name"));
  c.push_back(bad(
      "TypedefGenericName",
      [] {
        Btf b;
        u32(b);
        b.addTypedef("Vec<u8>", 1);
        return b;
      },
      2, "[2] TYPEDEF Vec<u8> type_id=1", "Invalid name"));
  c.push_back(bad(
      "TypeTagEmpty",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::TypeTag, 0, 0, false, 1);
        return b;
      },
      2, "[2] TYPE_TAG (anon) type_id=1", "Invalid name"));

  // --- FWD ------------------------------------------------------------------
  c.push_back(bad(
      "FwdGenericName",
      [] {
        Btf b;
        b.addFwd("Foo<T>", false);
        return b;
      },
      1, "[1] FWD Foo<T> struct", "Invalid name"));
  c.push_back(bad(
      "FwdTypeNonZero",
      [] {
        Btf b;
        raw(b, Kind::Fwd, b.addString("f"), 0, false, 1);
        return b;
      },
      1, "[1] FWD f struct", "type != 0"));
  c.push_back(bad(
      "FwdVlen",
      [] {
        Btf b;
        raw(b, Kind::Fwd, b.addString("u"), 1, true, 0);
        return b;
      },
      1, "[1] FWD u union", "vlen != 0"));

  // --- ARRAY ----------------------------------------------------------------
  c.push_back(bad(
      "ArrayNamed",
      [] {
        Btf b;
        u8(b);
        u32(b);
        raw(b, Kind::Array, b.addString("u8[4]"), 0, false, 0, {1, 2, 4});
        return b;
      },
      3, "[3] ARRAY u8[4] type_id=1 index_type_id=2 nr_elems=4", "Invalid name"));
  c.push_back(bad(
      "ArraySizeSet",
      [] {
        Btf b;
        u8(b);
        u32(b);
        raw(b, Kind::Array, 0, 0, false, 4, {1, 2, 4});
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "size != 0"));
  c.push_back(bad(
      "ArrayKflag",
      [] {
        Btf b;
        u8(b);
        u32(b);
        raw(b, Kind::Array, 0, 0, true, 0, {1, 2, 4});
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "Invalid btf_info kind_flag"));
  c.push_back(bad(
      "ArrayElemVoid",
      [] {
        Btf b;
        u8(b);
        u32(b);
        b.addArray(0, 2, 4);
        return b;
      },
      3, "[3] ARRAY (anon) type_id=0 index_type_id=2 nr_elems=4", "Invalid elem"));
  c.push_back(bad(
      "ArrayIndexVoid",
      [] {
        Btf b;
        u8(b);
        u32(b);
        b.addArray(1, 0, 4);
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=0 nr_elems=4", "Invalid index"));
  c.push_back(bad(
      "ArrayIndexFloat",
      [] {
        Btf b;
        u8(b);
        b.addFloat("float", 4);
        b.addArray(1, 2, 4);
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "Invalid index"));
  c.push_back(bad(
      "ArrayOfBitfieldInt",
      [] {
        Btf b;
        b.addInt("u3", 1, 0, 3);
        u32(b);
        b.addArray(1, 2, 4);
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "Invalid array of int"));
  c.push_back(bad(
      "ArraySizeOverflow",
      [] {
        Btf b;
        u64(b);
        u32(b);
        b.addArray(1, 2, 0x20000000);
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=536870912",
      "Array size overflows U32_MAX"));
  c.push_back(bad(
      "ArrayOfFwd",
      [] {
        Btf b;
        b.addFwd("F", false);
        u32(b);
        b.addArray(1, 2, 1);
        return b;
      },
      3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=1", "Invalid elem"));

  // --- STRUCT / UNION, check_meta (R1, R2, R4, R5) ----------------------------
  c.push_back(bad(
      "StructGenericName",
      [] {
        Btf b;
        u32(b);
        structOf(b, "Foo<u32>", 4, {{"a", 1, 0}});
        return b;
      },
      2, "[2] STRUCT Foo<u32> size=4 vlen=1", "Invalid name"));
  c.push_back(bad(
      "MemberClosureName",
      [] {
        Btf b;
        u32(b);
        structOf(b, "s", 4, {{"{closure#0}", 1, 0}});
        return b;
      },
      2, "\t{closure#0} type_id=1 bits_offset=0", "Invalid name"));
  c.push_back(bad(
      "MemberNumericName",
      [] {
        Btf b;
        u32(b);
        structOf(b, "s", 4, {{"0", 1, 0}});
        return b;
      },
      2, "\t0 type_id=1 bits_offset=0", "Invalid name"));
  c.push_back(bad(
      "MemberOffsetsDecrease",
      [] {
        Btf b;
        u32(b);
        u8(b);
        structOf(b, "S", 8, {{"a", 1, 32}, {"b", 2, 0}});
        return b;
      },
      3, "\tb type_id=2 bits_offset=0", "Invalid member bits_offset"));
  c.push_back(bad(
      "UnionMemberNotAtZero",
      [] {
        Btf b;
        u64(b);
        structOf(b, "U", 16, {{"a", 1, 0}, {"", 1, 64}}, true);
        return b;
      },
      2, "\t(anon) type_id=1 bits_offset=64", "Invalid member bits_offset"));
  c.push_back(bad(
      "MemberOffsetPastEnd",
      [] {
        Btf b;
        u8(b);
        structOf(b, "S", 4, {{"a", 1, 40}});
        return b;
      },
      2, "\ta type_id=1 bits_offset=40", "Member bits_offset exceeds its struct size"));
  c.push_back(bad(
      "MemberVoid",
      [] {
        Btf b;
        u32(b);
        structOf(b, "S", 4, {{"a", 0, 0}});
        return b;
      },
      2, "\ta type_id=0 bits_offset=0", "Invalid type_id"));
  c.push_back(bad(
      "MemberNameOffsetInvalid",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Struct, b.addString("S"), 1, false, 4, {5000, 1, 0});
        return b;
      },
      2, "\t(invalid-name-offset) type_id=1 bits_offset=0", "Invalid member name_offset:5000"));
}

} // namespace cases

const std::vector<BtfCase> &invalidBtfCases() {
  static const std::vector<BtfCase> all = [] {
    std::vector<BtfCase> c;
    cases::addMetaCases(c);
    cases::addResolveCases(c);
    return c;
  }();
  return all;
}

const std::vector<BtfCase> &validBtfCases() {
  static const std::vector<BtfCase> all = [] {
    std::vector<BtfCase> c;
    cases::addValidCases(c);
    return c;
  }();
  return all;
}

} // namespace d2b::test
