#include "bad_btf_cases.h"

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
  if (strLen && strStart + strLen <= raw.size() && raw[strStart] == 0)
    b.strings().appendRaw(std::string_view(reinterpret_cast<const char *>(raw.data()) + strStart + 1,
                                           strLen - 1));
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

namespace {

// Small builders so each case reads as the BTF it describes.
uint32_t u8(Btf &b) { return b.addInt("u8", 1, 0); }
uint32_t u32(Btf &b) { return b.addInt("u32", 4, 0); }
uint32_t u64(Btf &b) { return b.addInt("u64", 8, 0); }
uint32_t raw(Btf &b, Kind k, uint32_t nameOff, uint32_t vlen, bool kflag, uint32_t sizeOrType,
             std::vector<uint32_t> tail = {}) {
  std::vector<uint32_t> w{nameOff, btf::makeInfo(k, vlen, kflag), sizeOrType};
  w.insert(w.end(), tail.begin(), tail.end());
  return b.addRawType(w);
}
uint32_t rawWords(Btf &b, std::vector<uint32_t> w) { return b.addRawType(w); }
uint32_t structOf(Btf &b, const char *name, uint32_t size, std::vector<Member> members,
                  bool isUnion = false) {
  return b.addComposite(isUnion, name, size, members);
}
uint32_t protoOf(Btf &b, uint32_t ret, std::vector<btf::Param> params) {
  return b.addFuncProto(ret, params);
}

BtfCase bad(std::string name, std::function<Btf()> build, uint32_t id, std::string line,
            std::string msg, int err = EINVAL) {
  return BtfCase{std::move(name), std::move(build), id, std::move(line), std::move(msg), err};
}
/// A rejection of the special-field phase, which the kernel does not log.
BtfCase unlogged(std::string name, std::function<Btf()> build, uint32_t id, std::string msg,
                 int err) {
  return BtfCase{std::move(name), std::move(build), id, "", std::move(msg), err, false};
}
uint32_t lockOf(Btf &b, uint32_t member, const char *name = "bpf_spin_lock", uint32_t size = 4) {
  return structOf(b, name, size, {{"val", member, 0}});
}
/// bpf_list_node (24 bytes), bpf_list_head (16) and an element type "elem"
/// with a "node" member; returns the list head's id.
uint32_t listTypes(Btf &b) {
  uint32_t l = b.addInt("long", 8, btf::kIntSigned);
  uint32_t node = structOf(b, "bpf_list_node", 24, {{"a", l, 0}, {"b", l, 64}, {"c", l, 128}});
  uint32_t head = structOf(b, "bpf_list_head", 16, {{"a", l, 0}, {"b", l, 64}});
  structOf(b, "elem", 32, {{"v", l, 0}, {"node", node, 64}});
  return head;
}

std::vector<BtfCase> makeInvalid() {
  std::vector<BtfCase> c;
  // --- Header and structure -------------------------------------------------
  c.push_back(bad("NoTypes", [] { return Btf(); }, 0, "", "No type found"));
  c.push_back(bad("InfoVlenOverflow", [] {
    Btf b;
    b.addInt("int", 4, btf::kIntSigned);
    rawWords(b, {b.addString("U"), 0x05010000, 4});
    return b;
  }, 2, "[2]", "Invalid btf_info:5010000"));
  c.push_back(bad("KindTooLarge", [] {
    Btf b;
    rawWords(b, {0, 20u << 24, 0});
    return b;
  }, 1, "[1]", "Invalid kind:20"));
  c.push_back(bad("KindUnknown", [] {
    Btf b;
    rawWords(b, {0, 0, 0});
    return b;
  }, 1, "[1]", "Invalid kind:0"));
  c.push_back(bad("NameOffsetOutOfRange", [] {
    Btf b;
    raw(b, Kind::Int, 1000, 0, false, 4, {btf::makeIntEncoding(0, 0, 32)});
    return b;
  }, 1, "[1]", "Invalid name_offset:1000"));
  c.push_back(bad("TypeHeaderTruncated", [] {
    Btf b;
    u32(b);
    rawWords(b, {0, 0});
    return b;
  }, 2, "[2]", "meta_left:8 meta_needed:12"));
  c.push_back(bad("MembersTruncated", [] {
    Btf b;
    u32(b);
    rawWords(b, {b.addString("s"), btf::makeInfo(Kind::Struct, 2, false), 8, 0, 1, 0});
    return b;
  }, 2, "[2] STRUCT s", "meta_left:12 meta_needed:24"));

  // --- INT ------------------------------------------------------------------
  const uint32_t s32 = btf::makeIntEncoding(btf::kIntSigned, 0, 32);
  c.push_back(bad("IntVlen", [s32] {
    Btf b;
    raw(b, Kind::Int, b.addString("int"), 1, false, 4, {s32});
    return b;
  }, 1, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED", "vlen != 0"));
  c.push_back(bad("IntKflag", [s32] {
    Btf b;
    raw(b, Kind::Int, b.addString("int"), 0, true, 4, {s32});
    return b;
  }, 1, "[1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
     "Invalid btf_info kind_flag"));
  c.push_back(bad("IntDataReservedBits", [] {
    Btf b;
    raw(b, Kind::Int, b.addString("int"), 0, false, 4, {0x10000020});
    return b;
  }, 1, "[1] INT int", "Invalid int_data:10000020"));
  c.push_back(bad("IntBitsOver128", [] {
    Btf b;
    b.addInt("i", 16, 0, 120, 16);
    return b;
  }, 1, "[1] INT i size=16 bits_offset=16 nr_bits=120 encoding=(none)", "nr_bits exceeds 128"));
  c.push_back(bad("IntBitsOverSize", [] {
    Btf b;
    b.addInt("c", 1, 0, 16);
    return b;
  }, 1, "[1] INT c size=1 bits_offset=0 nr_bits=16 encoding=(none)",
     "nr_bits exceeds type_size"));
  c.push_back(bad("IntTwoEncodings", [] {
    Btf b;
    b.addInt("x", 4, btf::kIntSigned | btf::kIntChar);
    return b;
  }, 1, "[1] INT x size=4 bits_offset=0 nr_bits=32 encoding=UNKN", "Unsupported encoding", 524));

  // --- PTR, modifiers, TYPEDEF, TYPE_TAG (R3) -------------------------------
  c.push_back(bad("PtrNamed", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Ptr, b.addString("&u32"), 0, false, 1);
    return b;
  }, 2, "[2] PTR &u32 type_id=1", "Invalid name"));
  c.push_back(bad("ConstNamed", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Const, b.addString("c"), 0, false, 1);
    return b;
  }, 2, "[2] CONST c type_id=1", "Invalid name"));
  c.push_back(bad("VolatileVlen", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Volatile, 0, 1, false, 1);
    return b;
  }, 2, "[2] VOLATILE (anon) type_id=1", "vlen != 0"));
  c.push_back(bad("RestrictKflag", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Restrict, 0, 0, true, 1);
    return b;
  }, 2, "[2] RESTRICT (anon) type_id=1", "Invalid btf_info kind_flag"));
  c.push_back(bad("PtrTypeIdTooLarge", [] {
    Btf b;
    u32(b);
    b.addPtr(0x100000);
    return b;
  }, 2, "[2] PTR (anon) type_id=1048576", "Invalid type_id"));
  c.push_back(bad("TypedefAnonymous", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Typedef, 0, 0, false, 1);
    return b;
  }, 2, "[2] TYPEDEF (anon) type_id=1", "Invalid name"));
  c.push_back(bad("TypedefGenericName", [] {
    Btf b;
    u32(b);
    b.addTypedef("Vec<u8>", 1);
    return b;
  }, 2, "[2] TYPEDEF Vec<u8> type_id=1", "Invalid name"));
  c.push_back(bad("TypeTagEmpty", [] {
    Btf b;
    u32(b);
    raw(b, Kind::TypeTag, 0, 0, false, 1);
    return b;
  }, 2, "[2] TYPE_TAG (anon) type_id=1", "Invalid name"));

  // --- FWD ------------------------------------------------------------------
  c.push_back(bad("FwdGenericName", [] {
    Btf b;
    b.addFwd("Foo<T>", false);
    return b;
  }, 1, "[1] FWD Foo<T> struct", "Invalid name"));
  c.push_back(bad("FwdTypeNonZero", [] {
    Btf b;
    raw(b, Kind::Fwd, b.addString("f"), 0, false, 1);
    return b;
  }, 1, "[1] FWD f struct", "type != 0"));
  c.push_back(bad("FwdVlen", [] {
    Btf b;
    raw(b, Kind::Fwd, b.addString("u"), 1, true, 0);
    return b;
  }, 1, "[1] FWD u union", "vlen != 0"));

  // --- ARRAY ----------------------------------------------------------------
  c.push_back(bad("ArrayNamed", [] {
    Btf b;
    u8(b);
    u32(b);
    raw(b, Kind::Array, b.addString("u8[4]"), 0, false, 0, {1, 2, 4});
    return b;
  }, 3, "[3] ARRAY u8[4] type_id=1 index_type_id=2 nr_elems=4", "Invalid name"));
  c.push_back(bad("ArraySizeSet", [] {
    Btf b;
    u8(b);
    u32(b);
    raw(b, Kind::Array, 0, 0, false, 4, {1, 2, 4});
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "size != 0"));
  c.push_back(bad("ArrayKflag", [] {
    Btf b;
    u8(b);
    u32(b);
    raw(b, Kind::Array, 0, 0, true, 0, {1, 2, 4});
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "Invalid btf_info kind_flag"));
  c.push_back(bad("ArrayElemVoid", [] {
    Btf b;
    u8(b);
    u32(b);
    b.addArray(0, 2, 4);
    return b;
  }, 3, "[3] ARRAY (anon) type_id=0 index_type_id=2 nr_elems=4", "Invalid elem"));
  c.push_back(bad("ArrayIndexVoid", [] {
    Btf b;
    u8(b);
    u32(b);
    b.addArray(1, 0, 4);
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=0 nr_elems=4", "Invalid index"));
  c.push_back(bad("ArrayIndexFloat", [] {
    Btf b;
    u8(b);
    b.addFloat("float", 4);
    b.addArray(1, 2, 4);
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "Invalid index"));
  c.push_back(bad("ArrayOfBitfieldInt", [] {
    Btf b;
    b.addInt("u3", 1, 0, 3);
    u32(b);
    b.addArray(1, 2, 4);
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=4", "Invalid array of int"));
  c.push_back(bad("ArraySizeOverflow", [] {
    Btf b;
    u64(b);
    u32(b);
    b.addArray(1, 2, 0x20000000);
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=536870912",
     "Array size overflows U32_MAX"));
  c.push_back(bad("ArrayOfFwd", [] {
    Btf b;
    b.addFwd("F", false);
    u32(b);
    b.addArray(1, 2, 1);
    return b;
  }, 3, "[3] ARRAY (anon) type_id=1 index_type_id=2 nr_elems=1", "Invalid elem"));

  // --- STRUCT / UNION, check_meta (R1, R2, R4, R5) ----------------------------
  c.push_back(bad("StructGenericName", [] {
    Btf b;
    u32(b);
    structOf(b, "Foo<u32>", 4, {{"a", 1, 0}});
    return b;
  }, 2, "[2] STRUCT Foo<u32> size=4 vlen=1", "Invalid name"));
  c.push_back(bad("MemberClosureName", [] {
    Btf b;
    u32(b);
    structOf(b, "s", 4, {{"{closure#0}", 1, 0}});
    return b;
  }, 2, "\t{closure#0} type_id=1 bits_offset=0", "Invalid name"));
  c.push_back(bad("MemberNumericName", [] {
    Btf b;
    u32(b);
    structOf(b, "s", 4, {{"0", 1, 0}});
    return b;
  }, 2, "\t0 type_id=1 bits_offset=0", "Invalid name"));
  c.push_back(bad("MemberOffsetsDecrease", [] {
    Btf b;
    u32(b);
    u8(b);
    structOf(b, "S", 8, {{"a", 1, 32}, {"b", 2, 0}});
    return b;
  }, 3, "\tb type_id=2 bits_offset=0", "Invalid member bits_offset"));
  c.push_back(bad("UnionMemberNotAtZero", [] {
    Btf b;
    u64(b);
    structOf(b, "U", 16, {{"a", 1, 0}, {"", 1, 64}}, true);
    return b;
  }, 2, "\t(anon) type_id=1 bits_offset=64", "Invalid member bits_offset"));
  c.push_back(bad("MemberOffsetPastEnd", [] {
    Btf b;
    u8(b);
    structOf(b, "S", 4, {{"a", 1, 40}});
    return b;
  }, 2, "\ta type_id=1 bits_offset=40", "Member bits_offset exceeds its struct size"));
  c.push_back(bad("MemberVoid", [] {
    Btf b;
    u32(b);
    structOf(b, "S", 4, {{"a", 0, 0}});
    return b;
  }, 2, "\ta type_id=0 bits_offset=0", "Invalid type_id"));
  c.push_back(bad("MemberNameOffsetInvalid", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Struct, b.addString("S"), 1, false, 4, {5000, 1, 0});
    return b;
  }, 2, "\t(invalid-name-offset) type_id=1 bits_offset=0", "Invalid member name_offset:5000"));

  // --- STRUCT / UNION, resolve (R7, R9, member checks) ------------------------
  c.push_back(bad("MemberFwd", [] {
    Btf b;
    b.addFwd("F", false);
    structOf(b, "S", 8, {{"f", 1, 0}});
    return b;
  }, 2, "\tf type_id=1 bits_offset=0", "Invalid member"));
  c.push_back(bad("MemberFuncProto", [] {
    Btf b;
    protoOf(b, 0, {});
    structOf(b, "S", 8, {{"f", 1, 0}});
    return b;
  }, 2, "\tf type_id=1 bits_offset=0", "Invalid member"));
  c.push_back(bad("MemberTypedefOfVoid", [] {
    Btf b;
    b.addTypedef("v", 0);
    structOf(b, "S", 4, {{"a", 1, 0}});
    return b;
  }, 2, "\ta type_id=1 bits_offset=0", "Invalid member"));
  c.push_back(bad("MemberNotByteAligned", [] {
    Btf b;
    u8(b);
    structOf(b, "In", 1, {{"x", 1, 0}});
    structOf(b, "Out", 2, {{"i", 2, 4}});
    return b;
  }, 3, "\ti type_id=2 bits_offset=4", "Member is not byte aligned"));
  c.push_back(bad("MemberExceedsStruct", [] {
    Btf b;
    u32(b);
    structOf(b, "S", 4, {{"a", 1, 32}});
    return b;
  }, 2, "\ta type_id=1 bits_offset=32", "Member exceeds struct_size"));
  c.push_back(bad("PtrMemberExceedsStruct", [] {
    Btf b;
    u32(b);
    b.addPtr(1);
    structOf(b, "S", 4, {{"p", 2, 0}});
    return b;
  }, 3, "\tp type_id=2 bits_offset=0", "Member exceeds struct_size"));
  c.push_back(bad("IntMemberCopyBits", [] {
    Btf b;
    b.addInt("u128", 16, 0);
    structOf(b, "S", 32, {{"a", 1, 4}});
    return b;
  }, 2, "\ta type_id=1 bits_offset=4", "nr_copy_bits exceeds 128"));
  c.push_back(bad("FloatMisaligned", [] {
    Btf b;
    u8(b);
    b.addFloat("f64", 8);
    structOf(b, "P", 9, {{"a", 1, 0}, {"f", 2, 8}});
    return b;
  }, 3, "\tf type_id=2 bits_offset=8", "Member is not properly aligned"));
  c.push_back(bad("FloatThroughTypedefMisaligned", [] {
    Btf b;
    b.addFloat("double", 8);
    b.addTypedef("f64", 1);
    structOf(b, "P", 9, {{"f", 2, 8}});
    return b;
  }, 3, "\tf type_id=1 bits_offset=8", "Member is not properly aligned"));
  c.push_back(bad("KflagIntNotRegular", [] {
    Btf b;
    b.addInt("u3", 1, 0, 3);
    structOf(b, "S", 4, {{"a", 1, 0, 3}});
    return b;
  }, 2, "\ta type_id=1 bitfield_size=3 bits_offset=0", "Invalid member base type"));
  c.push_back(bad("KflagBitfieldWiderThanInt", [] {
    Btf b;
    u8(b);
    structOf(b, "S", 4, {{"a", 1, 0, 9}});
    return b;
  }, 2, "\ta type_id=1 bitfield_size=9 bits_offset=0", "Invalid member bitfield_size"));
  c.push_back(bad("KflagIntUnaligned", [] {
    Btf b;
    u32(b);
    structOf(b, "S", 8, {{"b", 1, 0, 1}, {"a", 1, 4, 0}});
    return b;
  }, 2, "\ta type_id=1 bitfield_size=0 bits_offset=4", "Invalid member offset"));
  c.push_back(bad("KflagPtrBitfield", [] {
    Btf b;
    u32(b);
    b.addPtr(1);
    structOf(b, "S", 8, {{"p", 2, 0, 3}});
    return b;
  }, 3, "\tp type_id=2 bitfield_size=3 bits_offset=0", "Invalid member bitfield_size"));
  c.push_back(bad("KflagEnumUnaligned", [] {
    Btf b;
    btf::EnumValue v[] = {{"A", 0}};
    b.addEnum("E", 4, false, v);
    u8(b);
    structOf(b, "S", 8, {{"b", 2, 0, 1}, {"e", 1, 4, 0}});
    return b;
  }, 3, "\te type_id=1 bitfield_size=0 bits_offset=4", "Member is not byte aligned"));

  // --- ENUM / ENUM64 (R10) ----------------------------------------------------
  c.push_back(bad("Enum64Size16", [] {
    Btf b;
    btf::EnumValue v[] = {{"A", 1}};
    b.addEnum("E", 16, false, v);
    return b;
  }, 1, "[1] ENUM64 E size=16 vlen=1", "Unexpected size"));
  c.push_back(bad("EnumSize3", [] {
    Btf b;
    btf::EnumValue v[] = {{"A", 1}};
    b.addEnum("E", 3, false, v);
    return b;
  }, 1, "[1] ENUM E size=3 vlen=1", "Unexpected size"));
  c.push_back(bad("EnumGenericName", [] {
    Btf b;
    btf::EnumValue v[] = {{"A", 1}};
    b.addEnum("E<u8>", 1, false, v);
    return b;
  }, 1, "[1] ENUM E<u8> size=1 vlen=1", "Invalid name"));
  c.push_back(bad("EnumeratorBadName", [] {
    Btf b;
    btf::EnumValue v[] = {{"A", 1}, {"B-1", 2}};
    b.addEnum("E", 4, false, v);
    return b;
  }, 1, "[1] ENUM E size=4 vlen=2", "Invalid name"));
  c.push_back(bad("EnumeratorAnonymous", [] {
    Btf b;
    btf::EnumValue v[] = {{"", 1}};
    b.addEnum("E", 4, false, v);
    return b;
  }, 1, "[1] ENUM E size=4 vlen=1", "Invalid name"));
  c.push_back(bad("EnumeratorNameOffsetInvalid", [] {
    Btf b;
    raw(b, Kind::Enum, b.addString("E"), 1, false, 4, {5000, 1});
    return b;
  }, 1, "", "\tInvalid name_offset:5000"));

  // --- FUNC_PROTO / FUNC (R1, R6, R7, R13) -----------------------------------
  c.push_back(bad("FuncGenericName", [] {
    Btf b;
    u64(b);
    protoOf(b, 1, {{"x", 1}});
    b.addFunc("generic_fn<u64>", 2, btf::FuncLinkage::Static);
    return b;
  }, 3, "[3] FUNC generic_fn<u64> type_id=2", "Invalid name"));
  c.push_back(bad("FuncExternLinkage", [] {
    Btf b;
    u64(b);
    protoOf(b, 1, {{"x", 1}});
    b.addFunc("f", 2, btf::FuncLinkage::Extern);
    return b;
  }, 3, "[3] FUNC f type_id=2", "Invalid func linkage"));
  c.push_back(bad("FuncKflag", [] {
    Btf b;
    u64(b);
    protoOf(b, 1, {});
    raw(b, Kind::Func, b.addString("f"), 0, true, 2);
    return b;
  }, 3, "[3] FUNC f type_id=2", "Invalid btf_info kind_flag"));
  c.push_back(bad("FuncUnnamedArg", [] {
    Btf b;
    u32(b);
    protoOf(b, 1, {{"", 1}});
    b.addFunc("f", 2, btf::FuncLinkage::Global);
    return b;
  }, 3, "[3] FUNC f type_id=2", "Invalid arg#1"));
  c.push_back(bad("FuncTypeNotProto", [] {
    Btf b;
    u32(b);
    b.addFunc("f", 1, btf::FuncLinkage::Static);
    return b;
  }, 2, "[2] FUNC f type_id=1", "Invalid type_id"));
  c.push_back(bad("ProtoNamed", [] {
    Btf b;
    u32(b);
    raw(b, Kind::FuncProto, b.addString("fn(u32)"), 0, false, 1);
    return b;
  }, 2, "[2] FUNC_PROTO fn(u32) return=1 args=(void)", "Invalid name"));
  c.push_back(bad("ProtoKflag", [] {
    Btf b;
    u32(b);
    raw(b, Kind::FuncProto, 0, 0, true, 1);
    return b;
  }, 2, "[2] FUNC_PROTO (anon) return=1 args=(void)", "Invalid btf_info kind_flag"));
  c.push_back(bad("ProtoArgFwd", [] {
    Btf b;
    b.addFwd("F", false);
    protoOf(b, 0, {{"a", 1}});
    return b;
  }, 2, "[2] FUNC_PROTO (anon) return=0 args=(1 a)", "Invalid arg#1"));
  c.push_back(bad("ProtoArgBadName", [] {
    Btf b;
    u32(b);
    protoOf(b, 0, {{"0", 1}});
    return b;
  }, 2, "[2] FUNC_PROTO (anon) return=0 args=(1 0)", "Invalid arg#1"));
  c.push_back(bad("ProtoNamedVararg", [] {
    Btf b;
    u32(b);
    protoOf(b, 0, {{"a", 1}, {"rest", 0}});
    return b;
  }, 2, "[2] FUNC_PROTO (anon) return=0 args=(1 a, vararg)", "Invalid arg#2"));
  c.push_back(bad("ProtoVoidArgNotLast", [] {
    Btf b;
    u32(b);
    protoOf(b, 0, {{"a", 0}, {"b", 1}});
    return b;
  }, 2, "[2] FUNC_PROTO (anon) return=0 args=(0 a, 1 b)", "Invalid arg#1"));
  c.push_back(bad("ProtoReturnFwd", [] {
    Btf b;
    b.addFwd("F", false);
    protoOf(b, 1, {});
    return b;
  }, 2, "[2] FUNC_PROTO (anon) return=1 args=(void)", "Invalid return type"));

  // --- VAR (R1, R7, R13) -------------------------------------------------------
  c.push_back(bad("VarGenericName", [] {
    Btf b;
    u32(b);
    b.addVar("FOO<u32>", 1, btf::VarLinkage::GlobalAllocated);
    return b;
  }, 2, "[2] VAR FOO<u32> type_id=1 linkage=1", "Invalid name"));
  c.push_back(bad("VarVoid", [] {
    Btf b;
    b.addVar("CH", 0, btf::VarLinkage::GlobalAllocated);
    return b;
  }, 1, "[1] VAR CH type_id=0 linkage=1", "Invalid type_id"));
  c.push_back(bad("VarExternLinkage", [] {
    Btf b;
    u32(b);
    b.addVar("x", 1, btf::VarLinkage::GlobalExtern);
    return b;
  }, 2, "[2] VAR x type_id=1 linkage=2", "Linkage not supported"));
  c.push_back(bad("VarKflag", [] {
    Btf b;
    u32(b);
    raw(b, Kind::Var, b.addString("x"), 0, true, 1, {0});
    return b;
  }, 2, "[2] VAR x type_id=1 linkage=0", "Invalid btf_info kind_flag"));
  c.push_back(bad("VarOfFwd", [] {
    Btf b;
    b.addFwd("F", false);
    b.addVar("v", 1, btf::VarLinkage::Static);
    return b;
  }, 2, "[2] VAR v type_id=1 linkage=0", "Invalid type_id"));

  // --- DATASEC (R8) ------------------------------------------------------------
  c.push_back(bad("DatasecZeroSizeVar", [] {
    Btf b;
    u32(b);
    b.addVar("x", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 0, 0}};
    b.addDatasec(".data", 4, v);
    return b;
  }, 3, "\t type_id=2 offset=0 size=0", "Invalid size"));
  c.push_back(bad("DatasecUnsorted", [] {
    Btf b;
    u32(b);
    b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
    b.addVar("b", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 4, 4}, {3, 0, 4}};
    b.addDatasec(".data", 8, v);
    return b;
  }, 4, "\t type_id=3 offset=0 size=4", "Invalid offset"));
  c.push_back(bad("DatasecEntryPastEnd", [] {
    Btf b;
    u32(b);
    b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 2, 4}};
    b.addDatasec(".data", 4, v);
    return b;
  }, 3, "\t type_id=2 offset=2 size=4", "Invalid offset+size"));
  c.push_back(bad("DatasecSizeZero", [] {
    Btf b;
    u32(b);
    b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 0, 4}};
    b.addDatasec(".data", 0, v);
    return b;
  }, 3, "[3] DATASEC .data size=0 vlen=1", "size == 0"));
  c.push_back(bad("DatasecAnonymous", [] {
    Btf b;
    u32(b);
    b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 0, 4}};
    b.addDatasec("", 4, v);
    return b;
  }, 3, "[3] DATASEC (anon) size=4 vlen=1", "Invalid name"));
  c.push_back(bad("DatasecControlChar", [] {
    Btf b;
    u32(b);
    b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 0, 4}};
    b.addDatasec(".da\tta", 4, v);
    return b;
  }, 3, "[3] DATASEC .da\tta size=4 vlen=1", "Invalid name"));
  c.push_back(bad("DatasecNotVar", [] {
    Btf b;
    u32(b);
    btf::SecVar v[] = {{1, 0, 4}};
    b.addDatasec(".data", 4, v);
    return b;
  }, 2, "\t type_id=1 offset=0 size=4", "Not a VAR kind member"));
  c.push_back(bad("DatasecVarTooSmall", [] {
    Btf b;
    u64(b);
    b.addVar("x", 1, btf::VarLinkage::GlobalAllocated);
    btf::SecVar v[] = {{2, 0, 4}};
    b.addDatasec(".data", 8, v);
    return b;
  }, 3, "\t type_id=2 offset=0 size=4", "Invalid size"));

  // --- FLOAT ---------------------------------------------------------------------
  c.push_back(bad("FloatSize3", [] {
    Btf b;
    b.addFloat("f", 3);
    return b;
  }, 1, "[1] FLOAT f size=3", "Invalid type_size"));
  c.push_back(bad("FloatKflag", [] {
    Btf b;
    raw(b, Kind::Float, b.addString("f"), 0, true, 4);
    return b;
  }, 1, "[1] FLOAT f size=4", "Invalid btf_info kind_flag"));

  // --- DECL_TAG (R14) --------------------------------------------------------
  c.push_back(bad("DeclTagOnEnum", [] {
    Btf b;
    btf::EnumValue v[] = {{"A", 0}};
    b.addEnum("E", 4, false, v);
    b.addDeclTag("x", 1, -1);
    return b;
  }, 2, "[2] DECL_TAG x type=1 component_idx=-1", "Invalid type_id"));
  c.push_back(bad("DeclTagEmptyValue", [] {
    Btf b;
    u32(b);
    structOf(b, "S", 4, {{"a", 1, 0}});
    b.addDeclTag("", 2, -1);
    return b;
  }, 3, "[3] DECL_TAG (anon) type=2 component_idx=-1", "Invalid value"));
  c.push_back(bad("DeclTagComponentBelowMinusOne", [] {
    Btf b;
    u32(b);
    structOf(b, "S", 4, {{"a", 1, 0}});
    b.addDeclTag("t", 2, -2);
    return b;
  }, 3, "[3] DECL_TAG t type=2 component_idx=-2", "Invalid component_idx"));
  c.push_back(bad("DeclTagMemberIndexTooLarge", [] {
    Btf b;
    u32(b);
    structOf(b, "S", 4, {{"a", 1, 0}});
    b.addDeclTag("t", 2, 1);
    return b;
  }, 3, "[3] DECL_TAG t type=2 component_idx=1", "Invalid component_idx"));
  c.push_back(bad("DeclTagComponentOnVar", [] {
    Btf b;
    u32(b);
    b.addVar("v", 1, btf::VarLinkage::Static);
    b.addDeclTag("t", 2, 0);
    return b;
  }, 3, "[3] DECL_TAG t type=2 component_idx=0", "Invalid component_idx"));
  c.push_back(bad("DeclTagArgIndexTooLarge", [] {
    Btf b;
    u32(b);
    protoOf(b, 1, {{"a", 1}});
    b.addFunc("f", 2, btf::FuncLinkage::Static);
    b.addDeclTag("t", 3, 1);
    return b;
  }, 4, "[4] DECL_TAG t type=3 component_idx=1", "Invalid component_idx"));

  // --- Resolve walk: depth, loops, dangling and wrong-kind references (R12) --
  c.push_back(bad("ResolveDepthExceeded", [] {
    // N0 -> N1 -> ... -> N32 -> u32: 33 structs referring forward.
    Btf b;
    for (uint32_t i = 0; i < 33; ++i)
      structOf(b, ("N" + std::to_string(i)).c_str(), 4, {{"x", i + 2, 0}});
    u32(b);
    return b;
  }, 1, "[1] STRUCT N0 size=4 vlen=1", "Exceeded max resolving depth:32", E2BIG));
  c.push_back(bad("StructLoop", [] {
    Btf b;
    structOf(b, "A", 4, {{"b", 2, 0}});
    structOf(b, "B", 4, {{"a", 1, 0}});
    return b;
  }, 1, "[1] STRUCT A size=4 vlen=1", "Loop detected", EEXIST));
  c.push_back(bad("PtrConstLoop", [] {
    Btf b;
    b.addConst(2);
    b.addPtr(1);
    return b;
  }, 1, "[1] CONST (anon) type_id=2", "Loop detected", EEXIST));
  c.push_back(bad("TypedefSelfLoop", [] {
    Btf b;
    b.addTypedef("t", 1);
    return b;
  }, 1, "[1] TYPEDEF t type_id=1", "Loop detected", EEXIST));
  c.push_back(bad("ConstDangling", [] {
    Btf b;
    b.addConst(5);
    return b;
  }, 1, "[1] CONST (anon) type_id=5", "Invalid type_id"));
  c.push_back(bad("TypedefOfVar", [] {
    Btf b;
    u32(b);
    b.addVar("v", 1, btf::VarLinkage::Static);
    b.addTypedef("t", 2);
    return b;
  }, 3, "[3] TYPEDEF t type_id=2", "Invalid type_id"));
  c.push_back(bad("PtrToDatasec", [] {
    Btf b;
    u32(b);
    b.addVar("v", 1, btf::VarLinkage::Static);
    btf::SecVar v[] = {{2, 0, 4}};
    b.addDatasec(".data", 4, v);
    b.addPtr(3);
    return b;
  }, 4, "[4] PTR (anon) type_id=3", "Invalid type_id"));
  c.push_back(bad("TypeTagAfterConst", [] {
    Btf b;
    u32(b);
    b.addTypeTag("user", 1);
    b.addConst(2);
    b.addPtr(3);
    return b;
  }, 3, "", "Type tags don't precede modifiers"));

  // --- Names (R1 length and characters) --------------------------------------
  c.push_back(bad("Name513Chars", [] {
    Btf b;
    u32(b);
    structOf(b, std::string(513, 'a').c_str(), 4, {{"x", 1, 0}});
    return b;
  }, 2, "[2] STRUCT " + std::string(513, 'a') + " size=4 vlen=1", "Invalid name"));
  c.push_back(bad("NameLogPieceClipped", [] {
    // The kernel formats "[2] STRUCT <name> " into a 1024-byte buffer.
    Btf b;
    u32(b);
    structOf(b, std::string(1100, 'a').c_str(), 4, {{"x", 1, 0}});
    return b;
  }, 2, "[2] STRUCT " + std::string(1012, 'a') + "size=4 vlen=1", "Invalid name"));
  c.push_back(bad("NameUtf8", [] {
    Btf b;
    u8(b);
    structOf(b, "Gr\xC3\xB6\xC3\x9F" "e", 1, {{"x", 1, 0}});
    return b;
  }, 2, "[2] STRUCT Gr\xC3\xB6\xC3\x9F" "e size=1 vlen=1", "Invalid name"));

  // --- Special fields (btf_parse_struct_metas): rejected without a log ----
  c.push_back(unlogged("SpecialTwoSpinLocks", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    structOf(b, "S", 8, {{"a", sl, 0}, {"b", sl, 32}});
    return b;
  }, 3, "STRUCT S: more than one bpf_spin_lock", E2BIG));
  c.push_back(unlogged("SpecialLockAndArrayOfLocks", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t arr = b.addArray(sl, i, 2);
    structOf(b, "S", 12, {{"x", sl, 0}, {"a", arr, 32}});
    return b;
  }, 4, "STRUCT S: more than one bpf_spin_lock", E2BIG));
  c.push_back(unlogged("SpecialBothLockKinds", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t rl = lockOf(b, i, "bpf_res_spin_lock");
    structOf(b, "S", 8, {{"a", sl, 0}, {"b", rl, 32}});
    return b;
  }, 4, "STRUCT S: both bpf_spin_lock and bpf_res_spin_lock", EINVAL));
  c.push_back(unlogged("SpecialLockWrongSize", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i, "bpf_spin_lock", 8);
    structOf(b, "S", 8, {{"a", sl, 0}});
    return b;
  }, 3, "STRUCT S: uses a special type but has no usable special field", EFAULT));
  c.push_back(unlogged("SpecialUserPointerNextToLock", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t p = b.addPtr(b.addTypeTag("user", i));
    structOf(b, "S", 16, {{"a", sl, 0}, {"p", p, 64}});
    return b;
  }, 5, "STRUCT S: pointer tagged \"user\", not a kptr tag", EINVAL));
  c.push_back(unlogged("SpecialKptrToInt", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t t = structOf(b, "T", 4, {{"v", i, 0}});
    uint32_t ok = b.addPtr(b.addTypeTag("kptr", t));
    uint32_t bad = b.addPtr(b.addTypeTag("kptr", i));
    structOf(b, "S", 16, {{"k", ok, 0}, {"p", bad, 64}});
    return b;
  }, 7, "STRUCT S: kptr does not point to a struct", EINVAL));
  c.push_back(unlogged("SpecialTooManyKptrs", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t t = structOf(b, "T", 4, {{"v", i, 0}});
    uint32_t p = b.addPtr(b.addTypeTag("kptr", t));
    uint32_t arr = b.addArray(p, i, 11);
    structOf(b, "S", 96, {{"q", p, 0}, {"p", arr, 64}});
    return b;
  }, 6, "STRUCT S: more than 11 special fields", E2BIG));
  c.push_back(unlogged("SpecialFieldsOverlap", [] {
    Btf b;
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t rc = lockOf(b, i, "bpf_refcount");
    structOf(b, "S", 8, {{"r", rc, 0}, {"l", sl, 0}});
    return b;
  }, 4, "STRUCT S: bpf_spin_lock overlaps the previous special field", EEXIST));
  c.push_back(unlogged("SpecialListHeadWithoutContains", [] {
    Btf b;
    uint32_t head = listTypes(b);
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    structOf(b, "S", 24, {{"lock", sl, 0}, {"head", head, 64}});
    return b;
  }, 7, "STRUCT S: bpf_list_head member #1 without exactly one \"contains:\" decl tag", EINVAL));
  c.push_back(unlogged("SpecialListNodeMissing", [] {
    Btf b;
    uint32_t head = listTypes(b);
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t s = structOf(b, "S", 24, {{"lock", sl, 0}, {"head", head, 64}});
    b.addDeclTag("contains:elem:nod", s, 1);
    return b;
  }, 7, "STRUCT S: no member nod in elem", ENOENT));
  c.push_back(unlogged("SpecialListWithoutLock", [] {
    Btf b;
    uint32_t head = listTypes(b);
    uint32_t s = structOf(b, "S", 24, {{"head", head, 64}});
    b.addDeclTag("contains:elem:node", s, 0);
    return b;
  }, 5, "STRUCT S: bpf_list_head/bpf_rb_root without a lock", EINVAL));
  return c;
}

BtfCase good(std::string name, std::function<Btf()> build) {
  return BtfCase{std::move(name), std::move(build)};
}

std::vector<BtfCase> makeValid() {
  std::vector<BtfCase> c;
  c.push_back(good("EveryKind", [] {
    Btf b;
    uint32_t i32 = b.addInt("int", 4, btf::kIntSigned);           // 1
    uint32_t ch = b.addInt("char", 1, btf::kIntChar);             // 2
    uint32_t p = b.addPtr(ch);                                     // 3
    uint32_t arr = b.addArray(ch, i32, 16);                        // 4
    uint32_t list = b.addComposite(false, "list", 16,              // 5
                                   std::vector<Member>{{"next", 6, 0}, {"val", i32, 64}});
    b.addPtr(list);                                                // 6
    uint32_t u = structOf(b, "u", 16, {{"a", arr, 0}, {"b", p, 0}}, true); // 7
    btf::EnumValue ev[] = {{"A", 0}, {"B", uint64_t(-1)}};
    uint32_t e = b.addEnum("e", 4, true, ev);                      // 8
    btf::EnumValue ev64[] = {{"BIG", 1ull << 40}};
    b.addEnum("e64", 8, false, ev64);                              // 9
    uint32_t td = b.addTypedef("u_t", u);                          // 10
    uint32_t cv = b.addConst(b.addVolatile(td));                   // 12 (11)
    b.addRestrict(p);                                              // 13
    uint32_t fl = b.addFloat("double", 8);                         // 14
    uint32_t fwd = b.addFwd("opaque", false);                      // 15
    uint32_t pf = b.addPtr(fwd);                                   // 16
    uint32_t proto = protoOf(b, i32, {{"x", i32}, {"o", pf}, {"", 0}}); // 17
    uint32_t fn = b.addFunc("f", proto, btf::FuncLinkage::Global); // 18
    uint32_t bits = structOf(b, "bits", 16,                        // 19
                             {{"a", i32, 0, 3}, {"b", i32, 3, 5}, {"c", e, 8, 0}, {"d", fl, 64}});
    (void)bits;
    uint32_t tag = b.addTypeTag("user", i32);                      // 20
    uint32_t pt = b.addPtr(tag);                                   // 21
    uint32_t v1 = b.addVar("counter", i32, btf::VarLinkage::GlobalAllocated); // 22
    uint32_t v2 = b.addVar("cv", cv, btf::VarLinkage::Static);     // 23
    btf::SecVar sv[] = {{v1, 0, 4}, {v2, 16, 16}};
    b.addDatasec(".data", 32, sv);                                 // 24
    b.addDeclTag("tagged", list, 1);                               // 25
    b.addDeclTag("arg", fn, 0);                                    // 26
    b.addDeclTag("whole", fn, -1);                                 // 27
    structOf(b, "holder", 8, {{"pt", pt, 0}});                     // 28
    return b;
  }));
  c.push_back(good("ForwardReferences", [] {
    Btf b;
    structOf(b, "outer", 16, {{"in", 2, 0}, {"p", 3, 64}}); // 1
    structOf(b, "inner", 8, {{"x", 4, 0}});                  // 2
    b.addPtr(1);                                             // 3
    b.addInt("long", 8, btf::kIntSigned);                    // 4
    return b;
  }));
  c.push_back(good("ResolveDepth32", [] {
    Btf b;
    for (uint32_t i = 0; i < 32; ++i)
      structOf(b, ("N" + std::to_string(i)).c_str(), 4, {{"x", i + 2, 0}});
    u32(b);
    return b;
  }));
  c.push_back(good("BackwardChain64", [] {
    // Dependencies first: depth stays small however long the chain.
    Btf b;
    u32(b);
    for (uint32_t i = 0; i < 64; ++i)
      structOf(b, ("W" + std::to_string(i)).c_str(), 4, {{"x", i + 1, 0}});
    return b;
  }));
  c.push_back(good("ZeroSizedThings", [] {
    Btf b;
    b.addInt("()", 0, 0, 0);                    // INT size 0, name unchecked
    b.addFloat("f<32>", 4);                     // FLOAT name unchecked
    structOf(b, "Empty", 0, {});                // size-0 struct
    structOf(b, "WithZst", 4, {{"z", 3, 0}, {"v", 5, 0}, {"t", 6, 32}});
    u32(b);                                     // 5
    b.addArray(5, 5, 0);                        // 6: flexible array
    return b;
  }));
  c.push_back(good("VoidModifiers", [] {
    Btf b;
    uint32_t cvoid = b.addConst(0);
    b.addPtr(cvoid);
    b.addTypedef("new_void", 0);
    uint32_t proto = protoOf(b, 0, {});
    b.addTypedef("fn_t", proto);
    return b;
  }));
  c.push_back(good("ConstOfFunc", [] {
    // A modifier of a FUNC resolves through it to its FUNC_PROTO.
    Btf b;
    u32(b);
    protoOf(b, 1, {});
    b.addFunc("f", 2, btf::FuncLinkage::Static);
    b.addConst(3);
    return b;
  }));
  c.push_back(good("DatasecBeforeVarSkipsSizeCheck", [] {
    // The VAR is resolved on demand from the DATASEC, and the kernel then
    // resumes after that entry without comparing its size to the type's.
    Btf b;
    u64(b);
    btf::SecVar v[] = {{3, 0, 4}};
    b.addDatasec(".data", 4, v);
    b.addVar("x", 1, btf::VarLinkage::GlobalAllocated);
    return b;
  }));
  c.push_back(good("Names", [] {
    Btf b;
    uint32_t i = u32(b);
    structOf(b, std::string(512, 'n').c_str(), 4, {{"x", i, 0}});
    structOf(b, "a.b", 4, {{".c", i, 0}});
    structOf(b, "\xC0\xE9t\xE9", 4, {{"x", i, 0}}); // Latin-1 letters
    b.addVar("v", i, btf::VarLinkage::GlobalAllocated);
    btf::SecVar s1[] = {{5, 0, 4}};
    b.addDatasec("maps/foo", 4, s1);
    b.addDatasec("my sec<1>", 4, s1);
    return b;
  }));
  c.push_back(good("TagsWithKindFlag", [] {
    Btf b;
    uint32_t i = u32(b);
    uint32_t tag = raw(b, Kind::TypeTag, b.addString("attr"), 0, true, i);
    b.addPtr(tag);
    uint32_t s = structOf(b, "S", 4, {{"a", i, 0}});
    raw(b, Kind::DeclTag, b.addString("attr"), 0, true, s, {0});
    return b;
  }));
  c.push_back(good("SpecialFieldsWellFormed", [] {
    Btf b;
    uint32_t head = listTypes(b);
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t s = structOf(b, "S", 24, {{"lock", sl, 0}, {"head", head, 64}});
    b.addDeclTag("contains:elem:node", s, 1);
    uint32_t t = structOf(b, "T", 4, {{"v", i, 0}});
    uint32_t kp = b.addPtr(b.addTypeTag("kptr", t));
    uint32_t arr = b.addArray(kp, i, 10);
    structOf(b, "K", 88, {{"q", kp, 0}, {"p", arr, 64}});
    structOf(b, "Plain", 8, {{"a", i, 0}, {"b", i, 32}}); // no special members
    return b;
  }));
  c.push_back(good("EqualOffsetsAndUnion", [] {
    Btf b;
    uint32_t i = u32(b);
    uint32_t z = b.addArray(i, i, 0);
    structOf(b, "S", 4, {{"a", i, 0}, {"b", z, 32}, {"c", z, 32}});
    structOf(b, "U", 4, {{"a", i, 0}, {"b", z, 0}}, true);
    return b;
  }));
  return c;
}

} // namespace

const std::vector<BtfCase> &invalidBtfCases() {
  static const std::vector<BtfCase> cases = makeInvalid();
  return cases;
}

const std::vector<BtfCase> &validBtfCases() {
  static const std::vector<BtfCase> cases = makeValid();
  return cases;
}

} // namespace d2b::test
