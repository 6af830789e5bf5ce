// Invalid BTF cases, part 2: rules checked while resolving types, the
// type-tag chain check, names, and the unlogged special-field phase.
#include "btf_case_builders.h"

namespace d2b::test::cases {

void addResolveCases(std::vector<BtfCase> &c) {
  // --- STRUCT / UNION, resolve (R7, R9, member checks) ------------------------
  c.push_back(bad(
      "MemberFwd",
      [] {
        Btf b;
        b.addFwd("F", false);
        structOf(b, "S", 8, {{"f", 1, 0}});
        return b;
      },
      2, "\tf type_id=1 bits_offset=0", "Invalid member"));
  c.push_back(bad(
      "MemberFuncProto",
      [] {
        Btf b;
        protoOf(b, 0, {});
        structOf(b, "S", 8, {{"f", 1, 0}});
        return b;
      },
      2, "\tf type_id=1 bits_offset=0", "Invalid member"));
  c.push_back(bad(
      "MemberTypedefOfVoid",
      [] {
        Btf b;
        b.addTypedef("v", 0);
        structOf(b, "S", 4, {{"a", 1, 0}});
        return b;
      },
      2, "\ta type_id=1 bits_offset=0", "Invalid member"));
  c.push_back(bad(
      "MemberNotByteAligned",
      [] {
        Btf b;
        u8(b);
        structOf(b, "In", 1, {{"x", 1, 0}});
        structOf(b, "Out", 2, {{"i", 2, 4}});
        return b;
      },
      3, "\ti type_id=2 bits_offset=4", "Member is not byte aligned"));
  c.push_back(bad(
      "MemberExceedsStruct",
      [] {
        Btf b;
        u32(b);
        structOf(b, "S", 4, {{"a", 1, 32}});
        return b;
      },
      2, "\ta type_id=1 bits_offset=32", "Member exceeds struct_size"));
  c.push_back(bad(
      "PtrMemberExceedsStruct",
      [] {
        Btf b;
        u32(b);
        b.addPtr(1);
        structOf(b, "S", 4, {{"p", 2, 0}});
        return b;
      },
      3, "\tp type_id=2 bits_offset=0", "Member exceeds struct_size"));
  c.push_back(bad(
      "IntMemberCopyBits",
      [] {
        Btf b;
        b.addInt("u128", 16, 0);
        structOf(b, "S", 32, {{"a", 1, 4}});
        return b;
      },
      2, "\ta type_id=1 bits_offset=4", "nr_copy_bits exceeds 128"));
  c.push_back(bad(
      "FloatMisaligned",
      [] {
        Btf b;
        u8(b);
        b.addFloat("f64", 8);
        structOf(b, "P", 9, {{"a", 1, 0}, {"f", 2, 8}});
        return b;
      },
      3, "\tf type_id=2 bits_offset=8", "Member is not properly aligned"));
  c.push_back(bad(
      "FloatThroughTypedefMisaligned",
      [] {
        Btf b;
        b.addFloat("double", 8);
        b.addTypedef("f64", 1);
        structOf(b, "P", 9, {{"f", 2, 8}});
        return b;
      },
      3, "\tf type_id=1 bits_offset=8", "Member is not properly aligned"));
  c.push_back(bad(
      "KflagIntNotRegular",
      [] {
        Btf b;
        b.addInt("u3", 1, 0, 3);
        structOf(b, "S", 4, {{"a", 1, 0, 3}});
        return b;
      },
      2, "\ta type_id=1 bitfield_size=3 bits_offset=0", "Invalid member base type"));
  c.push_back(bad(
      "KflagBitfieldWiderThanInt",
      [] {
        Btf b;
        u8(b);
        structOf(b, "S", 4, {{"a", 1, 0, 9}});
        return b;
      },
      2, "\ta type_id=1 bitfield_size=9 bits_offset=0", "Invalid member bitfield_size"));
  c.push_back(bad(
      "KflagIntUnaligned",
      [] {
        Btf b;
        u32(b);
        structOf(b, "S", 8, {{"b", 1, 0, 1}, {"a", 1, 4, 0}});
        return b;
      },
      2, "\ta type_id=1 bitfield_size=0 bits_offset=4", "Invalid member offset"));
  c.push_back(bad(
      "KflagPtrBitfield",
      [] {
        Btf b;
        u32(b);
        b.addPtr(1);
        structOf(b, "S", 8, {{"p", 2, 0, 3}});
        return b;
      },
      3, "\tp type_id=2 bitfield_size=3 bits_offset=0", "Invalid member bitfield_size"));
  c.push_back(bad(
      "KflagEnumUnaligned",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"A", 0}};
        b.addEnum("E", 4, false, v);
        u8(b);
        structOf(b, "S", 8, {{"b", 2, 0, 1}, {"e", 1, 4, 0}});
        return b;
      },
      3, "\te type_id=1 bitfield_size=0 bits_offset=4", "Member is not byte aligned"));

  // --- ENUM / ENUM64 (R10) ----------------------------------------------------
  c.push_back(bad(
      "Enum64Size16",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"A", 1}};
        b.addEnum("E", 16, false, v);
        return b;
      },
      1, "[1] ENUM64 E size=16 vlen=1", "Unexpected size"));
  c.push_back(bad(
      "EnumSize3",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"A", 1}};
        b.addEnum("E", 3, false, v);
        return b;
      },
      1, "[1] ENUM E size=3 vlen=1", "Unexpected size"));
  c.push_back(bad(
      "EnumGenericName",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"A", 1}};
        b.addEnum("E<u8>", 1, false, v);
        return b;
      },
      1, "[1] ENUM E<u8> size=1 vlen=1", "Invalid name"));
  c.push_back(bad(
      "EnumeratorBadName",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"A", 1}, {"B-1", 2}};
        b.addEnum("E", 4, false, v);
        return b;
      },
      1, "[1] ENUM E size=4 vlen=2", "Invalid name"));
  c.push_back(bad(
      "EnumeratorAnonymous",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"", 1}};
        b.addEnum("E", 4, false, v);
        return b;
      },
      1, "[1] ENUM E size=4 vlen=1", "Invalid name"));
  c.push_back(bad(
      "EnumeratorNameOffsetInvalid",
      [] {
        Btf b;
        raw(b, Kind::Enum, b.addString("E"), 1, false, 4, {5000, 1});
        return b;
      },
      1, "", "\tInvalid name_offset:5000"));

  // --- FUNC_PROTO / FUNC (R1, R6, R7, R13) -----------------------------------
  c.push_back(bad(
      "FuncGenericName",
      [] {
        Btf b;
        u64(b);
        protoOf(b, 1, {{"x", 1}});
        b.addFunc("generic_fn<u64>", 2, btf::FuncLinkage::Static);
        return b;
      },
      3, "[3] FUNC generic_fn<u64> type_id=2", "Invalid name"));
  c.push_back(bad(
      "FuncExternLinkage",
      [] {
        Btf b;
        u64(b);
        protoOf(b, 1, {{"x", 1}});
        b.addFunc("f", 2, btf::FuncLinkage::Extern);
        return b;
      },
      3, "[3] FUNC f type_id=2", "Invalid func linkage"));
  c.push_back(bad(
      "FuncKflag",
      [] {
        Btf b;
        u64(b);
        protoOf(b, 1, {});
        raw(b, Kind::Func, b.addString("f"), 0, true, 2);
        return b;
      },
      3, "[3] FUNC f type_id=2", "Invalid btf_info kind_flag"));
  c.push_back(bad(
      "FuncUnnamedArg",
      [] {
        Btf b;
        u32(b);
        protoOf(b, 1, {{"", 1}});
        b.addFunc("f", 2, btf::FuncLinkage::Global);
        return b;
      },
      3, "[3] FUNC f type_id=2", "Invalid arg#1"));
  c.push_back(bad(
      "FuncTypeNotProto",
      [] {
        Btf b;
        u32(b);
        b.addFunc("f", 1, btf::FuncLinkage::Static);
        return b;
      },
      2, "[2] FUNC f type_id=1", "Invalid type_id"));
  c.push_back(bad(
      "ProtoNamed",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::FuncProto, b.addString("fn(u32)"), 0, false, 1);
        return b;
      },
      2, "[2] FUNC_PROTO fn(u32) return=1 args=(void)", "Invalid name"));
  c.push_back(bad(
      "ProtoKflag",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::FuncProto, 0, 0, true, 1);
        return b;
      },
      2, "[2] FUNC_PROTO (anon) return=1 args=(void)", "Invalid btf_info kind_flag"));
  c.push_back(bad(
      "ProtoArgFwd",
      [] {
        Btf b;
        b.addFwd("F", false);
        protoOf(b, 0, {{"a", 1}});
        return b;
      },
      2, "[2] FUNC_PROTO (anon) return=0 args=(1 a)", "Invalid arg#1"));
  c.push_back(bad(
      "ProtoArgBadName",
      [] {
        Btf b;
        u32(b);
        protoOf(b, 0, {{"0", 1}});
        return b;
      },
      2, "[2] FUNC_PROTO (anon) return=0 args=(1 0)", "Invalid arg#1"));
  c.push_back(bad(
      "ProtoNamedVararg",
      [] {
        Btf b;
        u32(b);
        protoOf(b, 0, {{"a", 1}, {"rest", 0}});
        return b;
      },
      2, "[2] FUNC_PROTO (anon) return=0 args=(1 a, vararg)", "Invalid arg#2"));
  c.push_back(bad(
      "ProtoVoidArgNotLast",
      [] {
        Btf b;
        u32(b);
        protoOf(b, 0, {{"a", 0}, {"b", 1}});
        return b;
      },
      2, "[2] FUNC_PROTO (anon) return=0 args=(0 a, 1 b)", "Invalid arg#1"));
  c.push_back(bad(
      "ProtoReturnFwd",
      [] {
        Btf b;
        b.addFwd("F", false);
        protoOf(b, 1, {});
        return b;
      },
      2, "[2] FUNC_PROTO (anon) return=1 args=(void)", "Invalid return type"));

  // --- VAR (R1, R7, R13) -------------------------------------------------------
  c.push_back(bad(
      "VarGenericName",
      [] {
        Btf b;
        u32(b);
        b.addVar("FOO<u32>", 1, btf::VarLinkage::GlobalAllocated);
        return b;
      },
      2, "[2] VAR FOO<u32> type_id=1 linkage=1", "Invalid name"));
  c.push_back(bad(
      "VarVoid",
      [] {
        Btf b;
        b.addVar("CH", 0, btf::VarLinkage::GlobalAllocated);
        return b;
      },
      1, "[1] VAR CH type_id=0 linkage=1", "Invalid type_id"));
  c.push_back(bad(
      "VarExternLinkage",
      [] {
        Btf b;
        u32(b);
        b.addVar("x", 1, btf::VarLinkage::GlobalExtern);
        return b;
      },
      2, "[2] VAR x type_id=1 linkage=2", "Linkage not supported"));
  c.push_back(bad(
      "VarKflag",
      [] {
        Btf b;
        u32(b);
        raw(b, Kind::Var, b.addString("x"), 0, true, 1, {0});
        return b;
      },
      2, "[2] VAR x type_id=1 linkage=0", "Invalid btf_info kind_flag"));
  c.push_back(bad(
      "VarOfFwd",
      [] {
        Btf b;
        b.addFwd("F", false);
        b.addVar("v", 1, btf::VarLinkage::Static);
        return b;
      },
      2, "[2] VAR v type_id=1 linkage=0", "Invalid type_id"));

  // --- DATASEC (R8) ------------------------------------------------------------
  c.push_back(bad(
      "DatasecZeroSizeVar",
      [] {
        Btf b;
        u32(b);
        b.addVar("x", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 0, 0}};
        b.addDatasec(".data", 4, v);
        return b;
      },
      3, "\t type_id=2 offset=0 size=0", "Invalid size"));
  c.push_back(bad(
      "DatasecUnsorted",
      [] {
        Btf b;
        u32(b);
        b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
        b.addVar("b", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 4, 4}, {3, 0, 4}};
        b.addDatasec(".data", 8, v);
        return b;
      },
      4, "\t type_id=3 offset=0 size=4", "Invalid offset"));
  c.push_back(bad(
      "DatasecEntryPastEnd",
      [] {
        Btf b;
        u32(b);
        b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 2, 4}};
        b.addDatasec(".data", 4, v);
        return b;
      },
      3, "\t type_id=2 offset=2 size=4", "Invalid offset+size"));
  c.push_back(bad(
      "DatasecSizeZero",
      [] {
        Btf b;
        u32(b);
        b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 0, 4}};
        b.addDatasec(".data", 0, v);
        return b;
      },
      3, "[3] DATASEC .data size=0 vlen=1", "size == 0"));
  c.push_back(bad(
      "DatasecAnonymous",
      [] {
        Btf b;
        u32(b);
        b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 0, 4}};
        b.addDatasec("", 4, v);
        return b;
      },
      3, "[3] DATASEC (anon) size=4 vlen=1", "Invalid name"));
  c.push_back(bad(
      "DatasecControlChar",
      [] {
        Btf b;
        u32(b);
        b.addVar("a", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 0, 4}};
        b.addDatasec(".da\tta", 4, v);
        return b;
      },
      3, "[3] DATASEC .da\tta size=4 vlen=1", "Invalid name"));
  c.push_back(bad(
      "DatasecNotVar",
      [] {
        Btf b;
        u32(b);
        btf::SecVar v[] = {{1, 0, 4}};
        b.addDatasec(".data", 4, v);
        return b;
      },
      2, "\t type_id=1 offset=0 size=4", "Not a VAR kind member"));
  c.push_back(bad(
      "DatasecVarTooSmall",
      [] {
        Btf b;
        u64(b);
        b.addVar("x", 1, btf::VarLinkage::GlobalAllocated);
        btf::SecVar v[] = {{2, 0, 4}};
        b.addDatasec(".data", 8, v);
        return b;
      },
      3, "\t type_id=2 offset=0 size=4", "Invalid size"));

  // --- FLOAT ---------------------------------------------------------------------
  c.push_back(bad(
      "FloatSize3",
      [] {
        Btf b;
        b.addFloat("f", 3);
        return b;
      },
      1, "[1] FLOAT f size=3", "Invalid type_size"));
  c.push_back(bad(
      "FloatKflag",
      [] {
        Btf b;
        raw(b, Kind::Float, b.addString("f"), 0, true, 4);
        return b;
      },
      1, "[1] FLOAT f size=4", "Invalid btf_info kind_flag"));

  // --- DECL_TAG (R14) --------------------------------------------------------
  c.push_back(bad(
      "DeclTagOnEnum",
      [] {
        Btf b;
        btf::EnumValue v[] = {{"A", 0}};
        b.addEnum("E", 4, false, v);
        b.addDeclTag("x", 1, -1);
        return b;
      },
      2, "[2] DECL_TAG x type=1 component_idx=-1", "Invalid type_id"));
  c.push_back(bad(
      "DeclTagEmptyValue",
      [] {
        Btf b;
        u32(b);
        structOf(b, "S", 4, {{"a", 1, 0}});
        b.addDeclTag("", 2, -1);
        return b;
      },
      3, "[3] DECL_TAG (anon) type=2 component_idx=-1", "Invalid value"));
  c.push_back(bad(
      "DeclTagComponentBelowMinusOne",
      [] {
        Btf b;
        u32(b);
        structOf(b, "S", 4, {{"a", 1, 0}});
        b.addDeclTag("t", 2, -2);
        return b;
      },
      3, "[3] DECL_TAG t type=2 component_idx=-2", "Invalid component_idx"));
  c.push_back(bad(
      "DeclTagMemberIndexTooLarge",
      [] {
        Btf b;
        u32(b);
        structOf(b, "S", 4, {{"a", 1, 0}});
        b.addDeclTag("t", 2, 1);
        return b;
      },
      3, "[3] DECL_TAG t type=2 component_idx=1", "Invalid component_idx"));
  c.push_back(bad(
      "DeclTagComponentOnVar",
      [] {
        Btf b;
        u32(b);
        b.addVar("v", 1, btf::VarLinkage::Static);
        b.addDeclTag("t", 2, 0);
        return b;
      },
      3, "[3] DECL_TAG t type=2 component_idx=0", "Invalid component_idx"));
  c.push_back(bad(
      "DeclTagArgIndexTooLarge",
      [] {
        Btf b;
        u32(b);
        protoOf(b, 1, {{"a", 1}});
        b.addFunc("f", 2, btf::FuncLinkage::Static);
        b.addDeclTag("t", 3, 1);
        return b;
      },
      4, "[4] DECL_TAG t type=3 component_idx=1", "Invalid component_idx"));

  // --- Resolve walk: depth, loops, dangling and wrong-kind references (R12) --
  c.push_back(bad(
      "ResolveDepthExceeded",
      [] {
        // N0 -> N1 -> ... -> N32 -> u32: 33 structs referring forward.
        Btf b;
        for (uint32_t i = 0; i < 33; ++i)
          structOf(b, ("N" + std::to_string(i)).c_str(), 4, {{"x", i + 2, 0}});
        u32(b);
        return b;
      },
      1, "[1] STRUCT N0 size=4 vlen=1", "Exceeded max resolving depth:32", E2BIG));
  c.push_back(bad(
      "StructLoop",
      [] {
        Btf b;
        structOf(b, "A", 4, {{"b", 2, 0}});
        structOf(b, "B", 4, {{"a", 1, 0}});
        return b;
      },
      1, "[1] STRUCT A size=4 vlen=1", "Loop detected", EEXIST));
  c.push_back(bad(
      "PtrConstLoop",
      [] {
        Btf b;
        b.addConst(2);
        b.addPtr(1);
        return b;
      },
      1, "[1] CONST (anon) type_id=2", "Loop detected", EEXIST));
  c.push_back(bad(
      "TypedefSelfLoop",
      [] {
        Btf b;
        b.addTypedef("t", 1);
        return b;
      },
      1, "[1] TYPEDEF t type_id=1", "Loop detected", EEXIST));
  c.push_back(bad(
      "ConstDangling",
      [] {
        Btf b;
        b.addConst(5);
        return b;
      },
      1, "[1] CONST (anon) type_id=5", "Invalid type_id"));
  c.push_back(bad(
      "TypedefOfVar",
      [] {
        Btf b;
        u32(b);
        b.addVar("v", 1, btf::VarLinkage::Static);
        b.addTypedef("t", 2);
        return b;
      },
      3, "[3] TYPEDEF t type_id=2", "Invalid type_id"));
  c.push_back(bad(
      "PtrToDatasec",
      [] {
        Btf b;
        u32(b);
        b.addVar("v", 1, btf::VarLinkage::Static);
        btf::SecVar v[] = {{2, 0, 4}};
        b.addDatasec(".data", 4, v);
        b.addPtr(3);
        return b;
      },
      4, "[4] PTR (anon) type_id=3", "Invalid type_id"));
  c.push_back(bad(
      "TypeTagAfterConst",
      [] {
        Btf b;
        u32(b);
        b.addTypeTag("user", 1);
        b.addConst(2);
        b.addPtr(3);
        return b;
      },
      3, "", "Type tags don't precede modifiers"));

  // --- Names (R1 length and characters) --------------------------------------
  c.push_back(bad(
      "Name513Chars",
      [] {
        Btf b;
        u32(b);
        structOf(b, std::string(513, 'a').c_str(), 4, {{"x", 1, 0}});
        return b;
      },
      2, "[2] STRUCT " + std::string(513, 'a') + " size=4 vlen=1", "Invalid name"));
  c.push_back(bad(
      "NameLogPieceClipped",
      [] {
        // The kernel formats "[2] STRUCT <name> " into a 1024-byte buffer.
        Btf b;
        u32(b);
        structOf(b, std::string(1100, 'a').c_str(), 4, {{"x", 1, 0}});
        return b;
      },
      2, "[2] STRUCT " + std::string(1012, 'a') + "size=4 vlen=1", "Invalid name"));
  c.push_back(bad(
      "NameUtf8",
      [] {
        Btf b;
        u8(b);
        structOf(b,
                 "Gr\xC3\xB6\xC3\x9F"
                 "e",
                 1, {{"x", 1, 0}});
        return b;
      },
      2,
      "[2] STRUCT Gr\xC3\xB6\xC3\x9F"
      "e size=1 vlen=1",
      "Invalid name"));

  // --- Special fields (btf_parse_struct_metas): rejected without a log ----
  c.push_back(unlogged(
      "SpecialTwoSpinLocks",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        structOf(b, "S", 8, {{"a", sl, 0}, {"b", sl, 32}});
        return b;
      },
      3, "STRUCT S: more than one bpf_spin_lock", E2BIG));
  c.push_back(unlogged(
      "SpecialLockAndArrayOfLocks",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        uint32_t arr = b.addArray(sl, i, 2);
        structOf(b, "S", 12, {{"x", sl, 0}, {"a", arr, 32}});
        return b;
      },
      4, "STRUCT S: more than one bpf_spin_lock", E2BIG));
  c.push_back(unlogged(
      "SpecialBothLockKinds",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        uint32_t rl = lockOf(b, i, "bpf_res_spin_lock");
        structOf(b, "S", 8, {{"a", sl, 0}, {"b", rl, 32}});
        return b;
      },
      4, "STRUCT S: both bpf_spin_lock and bpf_res_spin_lock", EINVAL));
  c.push_back(unlogged(
      "SpecialLockWrongSize",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i, "bpf_spin_lock", 8);
        structOf(b, "S", 8, {{"a", sl, 0}});
        return b;
      },
      3, "STRUCT S: uses a special type but has no usable special field", EFAULT));
  c.push_back(unlogged(
      "SpecialUserPointerNextToLock",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        uint32_t p = b.addPtr(b.addTypeTag("user", i));
        structOf(b, "S", 16, {{"a", sl, 0}, {"p", p, 64}});
        return b;
      },
      5, "STRUCT S: pointer tagged \"user\", not a kptr tag", EINVAL));
  c.push_back(unlogged(
      "SpecialKptrToInt",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t t = structOf(b, "T", 4, {{"v", i, 0}});
        uint32_t ok = b.addPtr(b.addTypeTag("kptr", t));
        uint32_t bad = b.addPtr(b.addTypeTag("kptr", i));
        structOf(b, "S", 16, {{"k", ok, 0}, {"p", bad, 64}});
        return b;
      },
      7, "STRUCT S: kptr does not point to a struct", EINVAL));
  c.push_back(unlogged(
      "SpecialTooManyKptrs",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t t = structOf(b, "T", 4, {{"v", i, 0}});
        uint32_t p = b.addPtr(b.addTypeTag("kptr", t));
        uint32_t arr = b.addArray(p, i, 11);
        structOf(b, "S", 96, {{"q", p, 0}, {"p", arr, 64}});
        return b;
      },
      6, "STRUCT S: more than 11 special fields", E2BIG));
  c.push_back(unlogged(
      "SpecialFieldsOverlap",
      [] {
        Btf b;
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        uint32_t rc = lockOf(b, i, "bpf_refcount");
        structOf(b, "S", 8, {{"r", rc, 0}, {"l", sl, 0}});
        return b;
      },
      4, "STRUCT S: bpf_spin_lock overlaps the previous special field", EEXIST));
  c.push_back(unlogged(
      "SpecialListHeadWithoutContains",
      [] {
        Btf b;
        uint32_t head = listTypes(b);
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        structOf(b, "S", 24, {{"lock", sl, 0}, {"head", head, 64}});
        return b;
      },
      7, "STRUCT S: bpf_list_head member #1 without exactly one \"contains:\" decl tag", EINVAL));
  c.push_back(unlogged(
      "SpecialListNodeMissing",
      [] {
        Btf b;
        uint32_t head = listTypes(b);
        uint32_t i = b.addInt("int", 4, btf::kIntSigned);
        uint32_t sl = lockOf(b, i);
        uint32_t s = structOf(b, "S", 24, {{"lock", sl, 0}, {"head", head, 64}});
        b.addDeclTag("contains:elem:nod", s, 1);
        return b;
      },
      7, "STRUCT S: no member nod in elem", ENOENT));
  c.push_back(unlogged(
      "SpecialListWithoutLock",
      [] {
        Btf b;
        uint32_t head = listTypes(b);
        uint32_t s = structOf(b, "S", 24, {{"head", head, 64}});
        b.addDeclTag("contains:elem:node", s, 0);
        return b;
      },
      5, "STRUCT S: bpf_list_head/bpf_rb_root without a lock", EINVAL));
}

} // namespace d2b::test::cases
