// Variable selection on hand-built records, BTF types and section tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <elf.h>
#include <random>

#include "dwarf2btf/encode/variables.h"

using namespace d2b;
using namespace d2b::encode;
using model::VariableRecord;

namespace {

// Section indexes of the table below.
constexpr uint32_t kText = 1, kData = 2, kPerCpu = 3, kBss = 4, kComment = 5, kInit = 6;

elf::SymbolTable sections(std::vector<elf::ObjectSymbol> objects = {}) {
  elf::SymbolTable t;
  t.addSection({0, "", SHT_NULL, 0, 0, 0});
  t.addSection({0, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1000, 0x1000});
  t.addSection({0, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x4000, 0x1000});
  // Linked at 0, as on x86_64 vmlinux.
  t.addSection({0, ".data..percpu", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0, 0x800});
  t.addSection({0, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x5000, 0x1000});
  t.addSection({0, ".comment", SHT_PROGBITS, 0, 0, 0x1000});
  t.addSection({0, ".init.data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x8000, 0x100});
  for (auto &o : objects)
    t.addObject(o);
  t.finalize();
  return t;
}

struct Types {
  btf::Btf b;
  uint32_t intT, longT, arr;
  Types() {
    intT = b.addInt("int", 4, btf::kIntSigned);
    longT = b.addInt("long", 8, btf::kIntSigned);
    arr = b.addArray(intT, intT, 16);
  }
};

VariableRecord var(std::string name, uint64_t addr, uint32_t type, uint64_t size, uint32_t cu = 0,
                   uint64_t die = 0x100) {
  VariableRecord v;
  v.name = std::move(name);
  v.hasAddress = true;
  v.address = addr;
  v.type = type;
  v.byteSize = size;
  v.cuIndex = cu;
  v.dieOffset = die;
  return v;
}

/// "name@offset+size" for every entry of every DATASEC, by section, plus the
/// DATASEC sizes: "sec size=N: a@0+4 b@8+8".
std::vector<std::string> datasecs(const btf::Btf &b, uint32_t from) {
  std::vector<std::string> out;
  for (uint32_t id = from; id < b.endId(); ++id) {
    btf::TypeView t = b.type(id);
    if (t.kind() != btf::Kind::Datasec)
      continue;
    std::string s = std::string(b.name(id)) + " size=" + std::to_string(t.size()) + ":";
    for (uint32_t i = 0; i < t.vlen(); ++i) {
      const uint32_t *e = t.tail() + 3 * i;
      EXPECT_EQ(b.type(e[0]).kind(), btf::Kind::Var);
      s +=
          " " + std::string(b.name(e[0])) + "@" + std::to_string(e[1]) + "+" + std::to_string(e[2]);
    }
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> vars(const btf::Btf &b, uint32_t from) {
  std::vector<std::string> out;
  for (uint32_t id = from; id < b.endId(); ++id)
    if (b.type(id).kind() == btf::Kind::Var)
      out.push_back(std::string(b.name(id)) + (b.type(id).tail()[0] ? ":global" : ":static"));
  return out;
}

VarOptions scope(VarOptions::Scope s) {
  VarOptions o;
  o.scope = s;
  return o;
}

} // namespace

TEST(Variables, PerCpuOnlyByDefault) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = sections({{"runqueues", 0, 64, kPerCpu}});
  std::vector<VariableRecord> recs = {var("counter", 0x40, t.longT, 8),
                                      var("runqueues", 0, t.arr, 64),
                                      var("jiffies", 0x4000, t.longT, 8)};
  recs[1].external = true;
  DiagEngine d;
  VariableStats st = addVariables(t.b, recs, syms, {}, d);
  EXPECT_EQ(st.emitted, 2u);
  EXPECT_EQ(st.outOfScope, 1u);
  EXPECT_EQ(st.datasecs, 1u);
  EXPECT_EQ(datasecs(t.b, start),
            (std::vector<std::string>{".data..percpu size=72: runqueues@0+64 counter@64+8"}));
  // VARs in CU/DIE order; linkage from DW_AT_external.
  EXPECT_EQ(vars(t.b, start), (std::vector<std::string>{"counter:static", "runqueues:global"}));
}

TEST(Variables, AllSectionsInIndexOrder) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = sections();
  std::vector<VariableRecord> recs = {
      var("b", 0x5010, t.intT, 4, 0, 1), var("pc", 0x10, t.intT, 4, 0, 2),
      var("d2", 0x4008, t.intT, 4, 1, 3), var("d1", 0x4004, t.intT, 4, 2, 4),
      var("initv", 0x8000 + 0x20, t.intT, 4, 0, 5)};
  DiagEngine d;
  VariableStats st = addVariables(t.b, recs, syms, scope(VarOptions::Scope::All), d);
  EXPECT_EQ(st.emitted, 5u);
  EXPECT_EQ(
      datasecs(t.b, start),
      (std::vector<std::string>{".data size=12: d1@4+4 d2@8+4", ".data..percpu size=20: pc@16+4",
                                ".bss size=20: b@16+4", ".init.data size=36: initv@32+4"}));
  Types u;
  uint32_t ustart = u.b.endId();
  EXPECT_EQ(addVariables(u.b, recs, syms, scope(VarOptions::Scope::None), d).emitted, 0u);
  EXPECT_EQ(u.b.endId(), ustart);
}

TEST(Variables, NotStaticStorage) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = sections();
  VariableRecord decl = var("decl", 0x10, t.intT, 4);
  decl.declaration = true;
  VariableRecord local = var("local", 0x14, t.intT, 4);
  local.topLevel = false;
  VariableRecord art = var("art", 0x18, t.intT, 4);
  art.artificial = true;
  VariableRecord reg = var("reg", 0, t.intT, 4);
  reg.hasAddress = false;
  // gcc describes `&per_cpu_var` held in a local as DW_OP_addr; DW_OP_stack_value.
  VariableRecord value = var("ptr", 0x1c, t.intT, 4);
  value.addressIsValue = true;
  DiagEngine d;
  VariableStats st = addVariables(t.b, {decl, local, art, reg, value}, syms, {}, d);
  EXPECT_EQ(st.notStatic, 5u);
  EXPECT_EQ(st.emitted, 0u);
  EXPECT_EQ(t.b.endId(), start);
}

TEST(Variables, PrefixFilter) {
  EXPECT_TRUE(isFilteredVariableName("__UNIQUE_ID_x12"));
  EXPECT_TRUE(isFilteredVariableName("__tpstrtab_sched_switch"));
  EXPECT_TRUE(isFilteredVariableName("__exitcall_foo"));
  EXPECT_TRUE(isFilteredVariableName("__gendwarfksyms_ptr_x"));
  EXPECT_TRUE(isFilteredVariableName("__func_stack_frame_non_standard_f"));
  EXPECT_FALSE(isFilteredVariableName("__per_cpu_offset"));
  EXPECT_FALSE(isFilteredVariableName("UNIQUE_ID"));
  Types t;
  DiagEngine d;
  VariableStats st = addVariables(
      t.b, {var("__UNIQUE_ID_a1", 0x10, t.intT, 4), var("ok", 0x20, t.intT, 4)}, sections(), {}, d);
  EXPECT_EQ(st.filtered, 1u);
  EXPECT_EQ(st.emitted, 1u);
  EXPECT_EQ(d.counts()[kRuleVarPrefix], 1u);
}

TEST(Variables, OffsetZeroNeedsObjectSymbol) {
  Types t;
  uint32_t start = t.b.endId();
  // "gone" sat in a discarded section: DWARF says 0, no symbol in .data..percpu.
  auto syms = sections({{"gone", 0x4000, 4, kData}, {"real", 0, 4, kPerCpu}});
  DiagEngine d;
  VarOptions o;
  o.verbose = true;
  VariableStats st = addVariables(
      t.b, {var("gone", 0, t.intT, 4, 0, 0x10), var("real", 0, t.intT, 4, 1, 0x20)}, syms, o, d);
  EXPECT_EQ(st.noSymbol, 1u);
  EXPECT_EQ(datasecs(t.b, start), (std::vector<std::string>{".data..percpu size=4: real@0+4"}));
  auto diags = d.sortedDiagnostics();
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].format(),
            ".debug_info: DIE 0x10 DW_TAG_variable 'gone': note: variable 'gone' at offset 0 of "
            ".data..percpu has no symbol there [var.skip.no-symbol]");
}

TEST(Variables, SizeNameAndTypeChecks) {
  Types t;
  uint32_t start = t.b.endId();
  DiagEngine d;
  VarOptions o;
  o.file = "vmlinux";
  VariableStats st = addVariables(
      t.b,
      {var("empty", 0x10, t.intT, 0, 0, 1), var("huge", 0x20, t.intT, uint64_t(1) << 32, 0, 2),
       var("bad-name", 0x30, t.intT, 4, 0, 3), var("voidy", 0x40, 0, 4, 0, 4),
       var("fine", 0x50, t.intT, 4, 0, 5)},
      sections(), o, d);
  EXPECT_EQ(st.invalid, 4u);
  EXPECT_EQ(vars(t.b, start), (std::vector<std::string>{"fine:static"}));
  std::vector<std::string> msgs;
  for (const Diagnostic &x : d.sortedDiagnostics())
    msgs.push_back(x.format());
  EXPECT_EQ(msgs, (std::vector<std::string>{
                      "vmlinux: .debug_info: DIE 0x3 DW_TAG_variable 'bad-name': warning: invalid "
                      "BTF variable name 'bad-name', variable skipped [var.skip.invalid-name]",
                      "vmlinux: .debug_info: DIE 0x4 DW_TAG_variable 'voidy': warning: variable "
                      "'voidy' has void type, skipped [var.skip.void-type]"}));
  EXPECT_EQ(d.counts()[kRuleVarSize], 2u);
}

TEST(Variables, NameValidity) {
  EXPECT_TRUE(isValidBtfVarName("a"));
  EXPECT_TRUE(isValidBtfVarName("_x.y9"));
  EXPECT_TRUE(isValidBtfVarName(".L"));
  EXPECT_FALSE(isValidBtfVarName(""));
  EXPECT_FALSE(isValidBtfVarName("9a"));
  EXPECT_FALSE(isValidBtfVarName("a b"));
  EXPECT_FALSE(isValidBtfVarName("a$"));
  EXPECT_TRUE(isValidBtfVarName(std::string(127, 'a')));
  EXPECT_FALSE(isValidBtfVarName(std::string(128, 'a')));
}

TEST(Variables, OffsetBeyondU32) {
  Types t;
  elf::SymbolTable syms;
  syms.addSection({0, "", SHT_NULL, 0, 0, 0});
  syms.addSection({0, ".data..percpu", SHT_PROGBITS, SHF_ALLOC, 0, uint64_t(1) << 33});
  syms.finalize();
  DiagEngine d;
  VariableStats st =
      addVariables(t.b, {var("far", (uint64_t(1) << 32) + 8, t.intT, 4)}, syms, {}, d);
  EXPECT_EQ(st.invalid, 1u);
  EXPECT_EQ(d.counts()[kRuleVarOffset], 1u);
}

TEST(Variables, NonAllocAndOutsideSectionsIgnored) {
  Types t;
  DiagEngine d;
  // 0x900 is past .data..percpu (size 0x800); .comment (non-alloc, addr 0)
  // would cover 0x10 if non-alloc sections counted, but .data..percpu comes
  // first anyway; 0x3000 is in no section.
  VariableStats st =
      addVariables(t.b, {var("past", 0x900, t.intT, 4), var("nowhere", 0x3000, t.intT, 4)},
                   sections(), scope(VarOptions::Scope::All), d);
  EXPECT_EQ(st.outOfScope, 2u);
  elf::SymbolTable s = sections();
  EXPECT_EQ(s.sectionContaining(0x90), &s.sections()[kPerCpu]);
  EXPECT_EQ(s.sectionContaining(0x850), nullptr); // .comment is not allocated
  EXPECT_EQ(s.sectionContaining(0x1000), &s.sections()[kText]);
  (void)kBss;
  (void)kComment;
  (void)kInit;
}

TEST(Variables, DuplicatesKeepOneOverlapsDropped) {
  Types t;
  uint32_t start = t.b.endId();
  DiagEngine d;
  std::vector<VariableRecord> recs = {
      var("twice", 0x10, t.intT, 4, 3, 0x30), // same definition seen from two CUs
      var("twice", 0x10, t.intT, 4, 1, 0x10), var("big", 0x20, t.arr, 64, 0, 0x5), // 0x20..0x60
      var("inside", 0x28, t.intT, 4, 0, 0x6),                                      // overlaps big
      var("alias", 0x20, t.longT, 8, 2, 0x7), // same address, other name: overlap
      var("after", 0x60, t.intT, 4, 0, 0x8),
  };
  VariableStats st = addVariables(t.b, recs, sections(), {}, d);
  EXPECT_EQ(st.duplicates, 1u);
  EXPECT_EQ(st.overlaps, 2u);
  EXPECT_EQ(datasecs(t.b, start),
            (std::vector<std::string>{".data..percpu size=100: twice@16+4 big@32+64 after@96+4"}));
  // The kept duplicate is the first in CU order; only survivors become VARs.
  EXPECT_EQ(vars(t.b, start),
            (std::vector<std::string>{"big:static", "after:static", "twice:static"}));
  std::vector<std::string> msgs;
  for (const Diagnostic &x : d.sortedDiagnostics())
    msgs.push_back(x.message);
  EXPECT_EQ(msgs,
            (std::vector<std::string>{
                "variable 'inside' at .data..percpu+0x28 (size 4) overlaps 'big' at 0x20 (size "
                "64), skipped",
                "variable 'alias' at .data..percpu+0x20 (size 8) overlaps 'big' at 0x20 (size 64), "
                "skipped"}));
}

TEST(Variables, DeclTags) {
  for (bool tags : {true, false}) {
    Types t;
    uint32_t start = t.b.endId();
    VariableRecord v = var("tagged", 0x10, t.intT, 4);
    v.declTags = {"a", "b"};
    VarOptions o;
    o.declTags = tags;
    DiagEngine d;
    VariableStats st = addVariables(t.b, {v}, sections(), o, d);
    EXPECT_EQ(st.declTags, tags ? 2u : 0u);
    uint32_t varId = start;
    ASSERT_EQ(t.b.type(varId).kind(), btf::Kind::Var);
    if (!tags) {
      EXPECT_EQ(t.b.type(start + 1).kind(), btf::Kind::Datasec);
      continue;
    }
    for (uint32_t i = 0; i < 2; ++i) {
      btf::TypeView tag = t.b.type(start + 1 + i);
      ASSERT_EQ(tag.kind(), btf::Kind::DeclTag);
      EXPECT_EQ(tag.type(), varId);
      EXPECT_EQ(int32_t(tag.tail()[0]), -1);
      EXPECT_EQ(t.b.name(start + 1 + i), i ? "b" : "a");
    }
  }
}

TEST(Variables, DeterministicUnderShuffledInput) {
  std::vector<VariableRecord> recs;
  Types base;
  for (uint32_t i = 0; i < 40; ++i)
    recs.push_back(var("v" + std::to_string(i), 0x4000 + 8 * (i % 30), base.longT, 8, i % 5, i));
  std::mt19937 rng(7);
  std::vector<uint8_t> first;
  for (int round = 0; round < 10; ++round) {
    std::shuffle(recs.begin(), recs.end(), rng);
    Types t;
    DiagEngine d;
    addVariables(t.b, recs, sections(), scope(VarOptions::Scope::All), d);
    auto bytes = t.b.serialize(std::endian::little);
    if (round == 0)
      first = bytes;
    else
      EXPECT_EQ(bytes, first);
  }
}
