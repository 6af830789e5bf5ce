// Function selection on hand-built records, BTF types and symbol tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dwarf2btf/encode/func_analysis.h"
#include "dwarf2btf/encode/functions.h"

using namespace d2b;
using namespace d2b::encode;
using model::FunctionRecord;
using model::ParamLocation;
using model::ParamRecord;

namespace {

/// Types shared by the tests, in one Btf.
struct Types {
  btf::Btf b;
  uint32_t intT, constInt, longT, charT, int128, ptrInt;
  uint32_t structFoo, fwdFoo, unionBig, structBig, typedefFoo, typedefOther;
  uint32_t packed, typedefPacked, anonPacked, floatT, arr4, arr5, proto1, proto2;
  Types() {
    intT = b.addInt("int", 4, btf::kIntSigned);
    constInt = b.addConst(intT);
    longT = b.addInt("long", 8, btf::kIntSigned);
    charT = b.addInt("char", 1, btf::kIntSigned);
    int128 = b.addInt("__int128", 16, btf::kIntSigned);
    ptrInt = b.addPtr(intT);
    btf::Member m[] = {{"x", intT, 0, 0}};
    structFoo = b.addComposite(false, "foo", 4, m);
    fwdFoo = b.addFwd("foo", false);
    unionBig = b.addComposite(true, "big", 24, m);
    structBig = b.addComposite(false, "sbig", 24, m);
    typedefFoo = b.addTypedef("foo_t", structFoo);
    typedefOther = b.addTypedef("other_t", structFoo);
    packed = b.addComposite(false, "pk", 5, m);
    typedefPacked = b.addTypedef("pk_t", packed);
    anonPacked = b.addComposite(false, "", 5, m);
    floatT = b.addFloat("double", 8);
    arr4 = b.addArray(intT, intT, 4);
    arr5 = b.addArray(intT, intT, 5);
    btf::Param p1[] = {{"a", intT}};
    proto1 = b.addFuncProto(intT, p1);
    btf::Param p2[] = {{"a", longT}};
    proto2 = b.addFuncProto(intT, p2);
  }
};

ParamRecord reg(std::string name, uint32_t type, int r) {
  ParamRecord p;
  p.name = std::move(name);
  p.type = type;
  p.location = ParamLocation::Register;
  p.dwarfReg = r;
  return p;
}

ParamRecord at(std::string name, uint32_t type, ParamLocation loc) {
  ParamRecord p;
  p.name = std::move(name);
  p.type = type;
  p.location = loc;
  return p;
}

FunctionRecord fn(std::string name, uint64_t lowPc, std::vector<ParamRecord> params,
                  uint32_t ret = 0, uint32_t cu = 0, uint64_t die = 0x100) {
  FunctionRecord f;
  f.name = std::move(name);
  f.hasLowPc = lowPc != 0;
  f.lowPc = lowPc;
  f.params = std::move(params);
  f.returnType = ret;
  f.cuIndex = cu;
  f.dieOffset = die;
  return f;
}

elf::SymbolTable symtab(std::vector<std::pair<std::string, uint64_t>> funcs) {
  elf::SymbolTable t;
  for (auto &[n, a] : funcs)
    t.addFunction(n, a);
  t.finalize();
  return t;
}

/// All FUNCs in `b` after `from`, as "name(params) -> ret" with ids.
std::vector<std::string> funcs(const btf::Btf &b, uint32_t from) {
  std::vector<std::string> out;
  for (uint32_t id = from; id < b.endId(); ++id) {
    if (b.type(id).kind() != btf::Kind::Func)
      continue;
    btf::TypeView proto = b.type(b.type(id).type());
    std::string s = std::string(b.name(id)) + "(";
    for (uint32_t i = 0; i < proto.vlen(); ++i)
      s += (i ? "," : "") + std::string(b.str(proto.tail()[2 * i])) + ":" +
           std::to_string(proto.tail()[2 * i + 1]);
    s += ")->" + std::to_string(proto.type());
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> notes(const DiagEngine &d) {
  std::vector<std::string> out;
  for (const Diagnostic &x : d.sortedDiagnostics())
    out.push_back(x.message);
  std::sort(out.begin(), out.end());
  return out;
}

FuncOptions verbose() {
  FuncOptions o;
  o.verbose = true;
  return o;
}

} // namespace

TEST(Functions, EmitsProtoAndStaticFuncSortedByName) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = symtab({{"zeta", 0x100}, {"alpha", 0x200}});
  std::vector<FunctionRecord> recs = {
      fn("zeta", 0x100, {reg("a", t.intT, 5), reg("b", t.ptrInt, 4)}, t.longT),
      fn("alpha", 0x200, {}, t.intT, 1),
  };
  DiagEngine d;
  FunctionStats st = addFunctions(t.b, recs, syms, {}, d);
  EXPECT_EQ(st.emitted, 2u);
  EXPECT_EQ(st.skipped, 0u);
  EXPECT_EQ(funcs(t.b, start), (std::vector<std::string>{"alpha()->" + std::to_string(t.intT),
                                                         "zeta(a:" + std::to_string(t.intT) +
                                                             ",b:" + std::to_string(t.ptrInt) +
                                                             ")->" + std::to_string(t.longT)}));
  // FUNC_PROTO precedes its FUNC; linkage static.
  EXPECT_EQ(t.b.type(start).kind(), btf::Kind::FuncProto);
  EXPECT_EQ(t.b.type(start + 1).kind(), btf::Kind::Func);
  EXPECT_EQ(t.b.type(start + 1).vlen(), uint32_t(btf::FuncLinkage::Static));
}

TEST(Functions, CandidateFilters) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = symtab({{"decl", 1}, {"unnamed", 2}, {"ok", 3}});
  FunctionRecord decl = fn("decl", 0, {});
  decl.declaration = true;
  std::vector<FunctionRecord> recs = {decl, fn("unnamed", 2, {reg("", t.intT, 5)}),
                                      fn("nosym", 4, {}), fn("ok", 3, {reg("a", t.intT, 5)})};
  DiagEngine d;
  FunctionStats st = addFunctions(t.b, recs, syms, {}, d);
  EXPECT_EQ(st.records, 4u);
  EXPECT_EQ(st.declarations, 1u);
  EXPECT_EQ(st.unnamedParams, 1u);
  EXPECT_EQ(st.noSymbol, 1u);
  EXPECT_EQ(st.instances, 1u);
  EXPECT_EQ(funcs(t.b, start), (std::vector<std::string>{"ok(a:1)->0"}));
}

TEST(Functions, NoFunctionSymbolsMeansNoFunctions) {
  Types t;
  uint32_t start = t.b.endId();
  DiagEngine d;
  FunctionRecord ext = fn("main", 0x10, {});
  ext.external = true;
  FunctionStats st = addFunctions(t.b, {ext}, symtab({}), {}, d);
  EXPECT_EQ(st.emitted, 0u);
  EXPECT_EQ(t.b.endId(), start);
}

TEST(Functions, VarargsBecomeTrailingVoidParam) {
  Types t;
  uint32_t start = t.b.endId();
  FunctionRecord f = fn("printk", 0x10, {reg("fmt", t.ptrInt, 5)}, t.intT);
  f.varargs = true;
  DiagEngine d;
  addFunctions(t.b, {f}, symtab({{"printk", 0x10}}), {}, d);
  EXPECT_EQ(funcs(t.b, start),
            (std::vector<std::string>{"printk(fmt:" + std::to_string(t.ptrInt) + ",:0)->1"}));
}

TEST(Functions, DeclTagsForFunctionAndParams) {
  Types t;
  FunctionRecord f = fn("k", 0x10, {reg("a", t.intT, 5), reg("b", t.intT, 4)});
  f.declTags = {"bpf_kfunc"};
  f.params[1].declTags = {"nonnull", "user"};
  for (bool tags : {true, false}) {
    Types u;
    uint32_t start = u.b.endId();
    FuncOptions o;
    o.declTags = tags;
    DiagEngine d;
    FunctionStats st = addFunctions(u.b, {f}, symtab({{"k", 0x10}}), o, d);
    if (!tags) {
      EXPECT_EQ(st.declTags, 0u);
      EXPECT_EQ(u.b.endId(), start + 2);
      continue;
    }
    EXPECT_EQ(st.declTags, 3u);
    ASSERT_EQ(u.b.endId(), start + 5);
    uint32_t func = start + 1;
    std::vector<std::tuple<std::string, uint32_t, int32_t>> got;
    for (uint32_t id = start + 2; id < u.b.endId(); ++id) {
      btf::TypeView v = u.b.type(id);
      ASSERT_EQ(v.kind(), btf::Kind::DeclTag);
      got.emplace_back(std::string(u.b.name(id)), v.type(), int32_t(v.tail()[0]));
    }
    EXPECT_EQ(got, (std::vector<std::tuple<std::string, uint32_t, int32_t>>{
                       {"bpf_kfunc", func, -1}, {"nonnull", func, 1}, {"user", func, 1}}));
  }
}

TEST(Functions, OptimizedParamsAloneDoNotSkip) {
  // HEAD (fb8328e): a parameter optimized out of a function whose calling
  // convention is intact is still passed by callers.
  Types t;
  uint32_t start = t.b.endId();
  auto syms = symtab({{"bar", 0x10}});
  DiagEngine d;
  FunctionStats st = addFunctions(
      t.b, {fn("bar", 0x10, {reg("a", t.intT, 5), at("b", t.intT, ParamLocation::Unknown)})}, syms,
      verbose(), d);
  EXPECT_EQ(st.emitted, 1u);
  EXPECT_EQ(funcs(t.b, start).size(), 1u);
  EXPECT_TRUE(notes(d).empty());
}

TEST(Functions, OptimizedParamsOfConstpropCloneSkip) {
  Types t;
  uint32_t start = t.b.endId();
  // gcc: foo.constprop.0 at low_pc, parameter c only a DW_OP_GNU_parameter_ref.
  auto syms = symtab({{"foo.constprop.0", 0x1160}, {"bar", 0x1170}});
  std::vector<FunctionRecord> recs = {
      fn("foo", 0,
         {at("a", t.intT, ParamLocation::Unknown), at("b", t.intT, ParamLocation::Unknown),
          at("c", t.intT, ParamLocation::Unknown)},
         t.intT, 0, 0xc2),
      fn("foo", 0x1160,
         {reg("a", t.intT, 5), reg("b", t.intT, 4), at("c", t.intT, ParamLocation::Other)}, t.intT,
         0, 0x123),
      fn("bar", 0x1170, {reg("a", t.intT, 5), reg("b", t.intT, 4)}, t.intT, 0, 0xec),
  };
  recs[0].inlineOnly = true;
  DiagEngine d;
  FunctionStats st = addFunctions(t.b, recs, syms, verbose(), d);
  EXPECT_EQ(st.functions, 2u);
  EXPECT_EQ(st.emitted, 1u);
  EXPECT_EQ(st.skippedByRule[kRuleOptimizedParams], 1u);
  EXPECT_EQ(funcs(t.b, start), (std::vector<std::string>{"bar(a:1,b:1)->1"}));
  EXPECT_EQ(notes(d), (std::vector<std::string>{
                          "foo : skipping BTF encoding of function due to optimized parameters"}));
  auto diags = d.sortedDiagnostics();
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].rule, kRuleOptimizedParams);
  EXPECT_EQ(diags[0].severity, Severity::Note);
  EXPECT_EQ(diags[0].where.die_offset, 0x123u); // the instance at the symbol
}

TEST(Functions, NotVerboseCountsWithoutNotes) {
  Types t;
  auto syms = symtab({{"foo.isra.0", 0x10}});
  DiagEngine d;
  addFunctions(t.b, {fn("foo", 0x10, {at("a", t.intT, ParamLocation::ConstValue)})}, syms, {}, d);
  EXPECT_TRUE(d.sortedDiagnostics().empty());
  EXPECT_EQ(d.counts()[kRuleOptimizedParams], 1u);
}

TEST(Functions, ClangNocallSignatureChange) {
  Types t;
  auto syms = symtab({{"f", 0x10}});
  FunctionRecord f = fn("f", 0x10, {at("a", t.intT, ParamLocation::Unknown), reg("b", t.intT, 4)});
  f.nocall = true;
  {
    // gcc never gets the nocall treatment (pahole reads it in clang CUs only);
    // b in rsi is its ABI slot, so nothing else is wrong.
    Types u;
    DiagEngine d;
    EXPECT_EQ(addFunctions(u.b, {f}, syms, {}, d).emitted, 1u);
  }
  f.producerClang = true;
  DiagEngine d;
  FunctionStats st = addFunctions(t.b, {f}, syms, verbose(), d);
  EXPECT_EQ(st.emitted, 0u);
  EXPECT_EQ(notes(d), (std::vector<std::string>{
                          "f : skipping BTF encoding of function due to optimized parameters"}));
}

TEST(Functions, UnexpectedRegisterX86) {
  Types t;
  auto syms = symtab({{"f", 0x10}, {"g", 0x20}, {"h", 0x30}});
  DiagEngine d;
  FunctionStats st = addFunctions(
      t.b,
      {// a arrives in %rsi: the first argument register is %rdi.
       fn("f", 0x10, {reg("a", t.intT, 4)}),
       // the same with a struct parameter: exempt.
       fn("g", 0x20, {reg("a", t.intT, 4), reg("s", t.typedefFoo, 5)}),
       // all in place.
       fn("h", 0x30,
          {reg("a", t.intT, 5), reg("b", t.intT, 4), reg("c", t.intT, 1), reg("d", t.intT, 2),
           reg("e", t.intT, 8), reg("f", t.intT, 9), at("g", t.intT, ParamLocation::Other)})},
      syms, verbose(), d);
  EXPECT_EQ(st.emitted, 2u);
  EXPECT_EQ(notes(d),
            (std::vector<std::string>{
                "f : skipping BTF encoding of function due to unexpected register usage for "
                "parameter"}));
}

TEST(Functions, RegisterTablesPerArchitecture) {
  Types t;
  struct Case {
    uint16_t machine;
    uint8_t addressSize;
    std::vector<int> good;
  };
  std::vector<Case> cases = {{EM_X86_64, 8, {5, 4, 1, 2, 8, 9}},
                             {EM_AARCH64, 8, {0, 1, 2, 3, 4, 5, 6, 7}},
                             {EM_S390, 8, {2, 3, 4, 5, 6}},
                             {EM_ARM, 4, {0, 1, 2, 3}},
                             {EM_RISCV, 8, {10, 11, 12, 13, 14, 15, 16, 17}},
                             {EM_PPC64, 8, {3, 4, 5, 6, 7, 8, 9, 10}},
                             {EM_LOONGARCH, 8, {4, 5, 6, 7, 8, 9, 10, 11}}};
  for (const Case &c : cases) {
    CallAbi abi = callAbiFor(c.machine, c.addressSize);
    ASSERT_EQ(abi.registerParams, c.good.size()) << c.machine;
    FunctionRecord ok = fn("f", 1, {});
    for (size_t i = 0; i < c.good.size(); ++i)
      ok.params.push_back(reg("p" + std::to_string(i), t.intT, c.good[i]));
    InstanceFacts f = analyzeInstance(ok, t.b, abi);
    EXPECT_FALSE(f.unexpectedReg) << c.machine;
    EXPECT_FALSE(f.optimizedParams) << c.machine;
    std::swap(ok.params[0].dwarfReg, ok.params[1].dwarfReg);
    EXPECT_TRUE(analyzeInstance(ok, t.b, abi).unexpectedReg) << c.machine;
  }
  // Unknown architectures are not checked.
  FunctionRecord any = fn("f", 1, {reg("a", t.intT, 17)});
  EXPECT_FALSE(analyzeInstance(any, t.b, callAbiFor(EM_NONE, 8)).unexpectedReg);
  // SPARC counts six argument registers without knowing them: under either
  // rule set nothing is judged (pahole's clang rules would flag %i0).
  CallAbi sparc = callAbiFor(EM_SPARCV9, 8);
  EXPECT_EQ(sparc.registerParams, 6);
  FunctionRecord onSparc = fn("f", 1, {reg("a", t.intT, 24), reg("b", t.intT, 8)});
  EXPECT_FALSE(analyzeInstance(onSparc, t.b, sparc).unexpectedReg);
  onSparc.producerClang = true;
  EXPECT_FALSE(analyzeInstance(onSparc, t.b, sparc).unexpectedReg);
}

TEST(Functions, GccLocationRules) {
  Types t;
  CallAbi x86 = callAbiFor(EM_X86_64, 8);
  // A stack location where a register was expected: optimized, not unexpected.
  InstanceFacts f = analyzeInstance(fn("f", 1, {at("a", t.intT, ParamLocation::Other)}), t.b, x86);
  EXPECT_TRUE(f.optimizedParams);
  EXPECT_FALSE(f.unexpectedReg);
  // A register number above 31 (DW_OP_regx) is not decoded by pahole: unknown.
  f = analyzeInstance(fn("f", 1, {reg("a", t.intT, 40)}), t.b, x86);
  EXPECT_TRUE(f.optimizedParams);
  EXPECT_FALSE(f.unexpectedReg);
  // __int128 takes %rdi:%rsi, so the next argument is in %rdx.
  f = analyzeInstance(fn("f", 1, {reg("a", t.int128, 5), reg("b", t.intT, 1)}), t.b, x86);
  EXPECT_FALSE(f.unexpectedReg);
  // gcc rules count a 24-byte union passed in memory as one register.
  f = analyzeInstance(fn("f", 1, {at("u", t.unionBig, ParamLocation::Other), reg("b", t.intT, 5)}),
                      t.b, x86);
  EXPECT_TRUE(f.unexpectedReg);
  // Floating-point arguments live in SSE registers: pahole's tables flag them.
  f = analyzeInstance(fn("f", 1, {reg("d", t.floatT, 17)}), t.b, x86);
  EXPECT_TRUE(f.unexpectedReg);
}

TEST(Functions, ClangLocationRules) {
  Types t;
  CallAbi x86 = callAbiFor(EM_X86_64, 8);
  FunctionRecord r = fn("f", 1, {at("u", t.unionBig, ParamLocation::Other), reg("b", t.intT, 5)});
  r.producerClang = true;
  // A parameter passed in memory takes no register under clang's rules.
  InstanceFacts f = analyzeInstance(r, t.b, x86);
  EXPECT_FALSE(f.unexpectedReg);
  // Stack locations are not "optimized" for clang; missing ones are.
  EXPECT_FALSE(f.optimizedParams);
  r.params[1] = reg("b", t.intT, 4);
  EXPECT_TRUE(analyzeInstance(r, t.b, x86).unexpectedReg);
  // Only-constant parameters are still optimized (no DW_AT_location).
  r.params[1] = at("b", t.intT, ParamLocation::ConstValue);
  f = analyzeInstance(r, t.b, x86);
  EXPECT_TRUE(f.optimizedParams);
  EXPECT_FALSE(f.unexpectedReg);
}

TEST(Functions, UncertainLocationOfPackedStructOnStack) {
  Types t;
  auto syms = symtab({{"f", 0x10}, {"g", 0x20}, {"h", 0x30}, {"k", 0x40}});
  auto sixRegs = [&] {
    return std::vector<ParamRecord>{reg("a", t.intT, 5), reg("b", t.intT, 4), reg("c", t.intT, 1),
                                    reg("d", t.intT, 2), reg("e", t.intT, 8), reg("f", t.intT, 9)};
  };
  auto packedParam = [&](uint32_t type) {
    ParamRecord p = at("p", type, ParamLocation::Other);
    p.isStructByValue = p.isPackedStruct = true;
    return p;
  };
  std::vector<FunctionRecord> recs;
  recs.push_back(fn("f", 0x10, sixRegs()));
  recs.back().params.push_back(packedParam(t.packed)); // named packed struct, 7th: uncertain
  recs.push_back(fn("g", 0x20, sixRegs()));
  recs.back().params.push_back(packedParam(t.typedefPacked)); // through a typedef: not checked
  recs.push_back(fn("h", 0x30, sixRegs()));
  recs.back().params.push_back(packedParam(t.anonPacked)); // anonymous: not checked
  recs.push_back(fn("k", 0x40, {packedParam(t.packed)}));  // in a register slot: fine
  recs.back().params[0] = reg("p", t.packed, 5);
  recs.back().params[0].isPackedStruct = true;
  DiagEngine d;
  FunctionStats st = addFunctions(t.b, recs, syms, verbose(), d);
  EXPECT_EQ(st.emitted, 3u);
  EXPECT_EQ(notes(d), (std::vector<std::string>{
                          "f : skipping BTF encoding of function due to uncertain parameter "
                          "location"}));
}

TEST(Functions, ReorderedAndAmbiguous) {
  Types t;
  auto syms = symtab({{"r", 0x10}, {"amb", 0x20}, {"amb", 0x30}, {"same", 0x40}, {"same", 0x40}});
  FunctionRecord r = fn("r", 0x10, {reg("a", t.intT, 5)});
  r.reorderedParams = true;
  DiagEngine d;
  FunctionStats st = addFunctions(
      t.b, {r, fn("amb", 0x20, {reg("a", t.intT, 5)}), fn("same", 0x40, {reg("a", t.intT, 5)})},
      syms, verbose(), d);
  EXPECT_EQ(st.emitted, 1u); // "same": two symbols at one address are not ambiguous
  EXPECT_EQ(notes(d), (std::vector<std::string>{
                          "amb : skipping BTF encoding of function due to ambiguous address",
                          "r : skipping BTF encoding of function due to reordered parameters"}));
}

TEST(Functions, AmbiguousTakesPrecedence) {
  Types t;
  auto syms = symtab({{"f", 0x10}, {"f.isra.0", 0x20}});
  FunctionRecord f = fn("f", 0x20, {reg("a", t.intT, 4), at("b", t.intT, ParamLocation::Unknown)});
  f.reorderedParams = true;
  DiagEngine d;
  addFunctions(t.b, {f}, syms, verbose(), d);
  EXPECT_EQ(notes(d), (std::vector<std::string>{
                          "f : skipping BTF encoding of function due to ambiguous address"}));
}

TEST(Functions, InconsistentPrototypes) {
  Types t;
  auto syms = symtab({{"f", 0x10}});
  std::vector<FunctionRecord> recs = {fn("f", 0x10, {reg("a", t.intT, 5)}, t.intT, 0),
                                      fn("f", 0, {reg("a", t.longT, 5)}, t.intT, 1)};
  {
    DiagEngine d;
    FunctionStats st = addFunctions(t.b, recs, syms, verbose(), d);
    EXPECT_EQ(st.emitted, 0u);
    EXPECT_EQ(notes(d),
              (std::vector<std::string>{
                  "f : skipping BTF encoding of function due to inconsistent prototype",
                  "f : skipping BTF encoding of function due to param type mismatch for param#1 "
                  "a != a"}));
  }
  // Without consistent_func the instance at the symbol address is emitted.
  Types u;
  uint32_t start = u.b.endId();
  FuncOptions o = verbose();
  o.consistentFunc = false;
  DiagEngine d;
  EXPECT_EQ(addFunctions(u.b, recs, syms, o, d).emitted, 1u);
  EXPECT_EQ(funcs(u.b, start), (std::vector<std::string>{"f(a:1)->1"}));
  EXPECT_TRUE(notes(d).empty());
}

TEST(Functions, PrototypeMismatchWording) {
  Types t;
  auto m = [&](FunctionRecord a, FunctionRecord b) {
    return prototypeMismatch(t.b, a, b).value_or("match");
  };
  EXPECT_EQ(m(fn("f", 0, {reg("a", t.intT, 5)}), fn("f", 0, {})),
            "param count mismatch; 1 params != 0 params");
  EXPECT_EQ(m(fn("f", 0, {}, t.intT), fn("f", 0, {}, t.longT)), "return type mismatch");
  EXPECT_EQ(m(fn("f", 0, {reg("x", t.intT, 5)}), fn("f", 0, {reg("y", t.charT, 5)})),
            "param type mismatch for param#1 x != y");
  FunctionRecord va = fn("f", 0, {reg("x", t.intT, 5)});
  va.varargs = true;
  EXPECT_EQ(m(va, fn("f", 0, {reg("x", t.intT, 5), reg("y", t.intT, 4)})),
            "param type mismatch for param#2  != y");
  EXPECT_EQ(m(va, va), "match");
}

TEST(Functions, LooseTypeMatching) {
  Types t;
  EXPECT_TRUE(typesMatch(t.b, t.intT, t.constInt)); // const ignored
  EXPECT_TRUE(typesMatch(t.b, t.constInt, t.intT));
  EXPECT_TRUE(typesMatch(t.b, t.structFoo, t.fwdFoo));         // FWD == struct of that name
  EXPECT_FALSE(typesMatch(t.b, t.typedefFoo, t.typedefOther)); // typedefs by name
  EXPECT_FALSE(typesMatch(t.b, t.typedefFoo, t.structFoo));
  EXPECT_FALSE(typesMatch(t.b, t.intT, t.longT));
  EXPECT_FALSE(typesMatch(t.b, t.intT, 0));
  EXPECT_TRUE(typesMatch(t.b, 0, 0));
  EXPECT_FALSE(typesMatch(t.b, t.arr4, t.arr5));
  EXPECT_FALSE(typesMatch(t.b, t.proto1, t.proto2));
  // Structural comparison below pointers, across duplicate copies of types.
  uint32_t int2 = t.b.addInt("int", 4, btf::kIntSigned);
  uint32_t fwdPtr = t.b.addPtr(t.fwdFoo);
  uint32_t structPtr = t.b.addPtr(t.structFoo);
  EXPECT_TRUE(typesMatch(t.b, t.ptrInt, t.b.addPtr(t.b.addConst(int2))));
  EXPECT_TRUE(typesMatch(t.b, fwdPtr, structPtr));
  btf::Param p[] = {{"a", int2}};
  EXPECT_TRUE(typesMatch(t.b, t.proto1, t.b.addFuncProto(int2, p)));
  uint32_t unsignedInt = t.b.addInt("int", 4, 0);
  EXPECT_FALSE(typesMatch(t.b, t.intT, unsignedInt));               // encoding differs
  EXPECT_FALSE(typesMatch(t.b, t.fwdFoo, t.b.addFwd("foo", true))); // union fwd
}

TEST(Functions, ConstOnlyDifferenceIsConsistent) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = symtab({{"f", 0x10}});
  DiagEngine d;
  FunctionStats st = addFunctions(
      t.b,
      {fn("f", 0x10, {reg("a", t.constInt, 5)}, 0, 0), fn("f", 0x10, {reg("a", t.intT, 5)}, 0, 1)},
      syms, verbose(), d);
  EXPECT_EQ(st.emitted, 1u);
  EXPECT_EQ(funcs(t.b, start),
            (std::vector<std::string>{"f(a:" + std::to_string(t.constInt) + ")->0"}));
}

TEST(Functions, UnexpectedRegisterStopsPrototypeComparison) {
  // pahole compares prototypes only until a verdict makes the function
  // unusable; which reason is printed therefore depends on instance order
  // (CU order here).
  Types t;
  auto syms = symtab({{"f", 0x10}});
  FunctionRecord good = fn("f", 0x10, {reg("a", t.intT, 5)}, 0, 0);
  FunctionRecord badReg = fn("f", 0, {reg("a", t.intT, 4)}, 0, 1);
  FunctionRecord other = fn("f", 0, {reg("a", t.longT, 5)}, 0, 2);
  DiagEngine d1;
  addFunctions(t.b, {good, badReg, other}, syms, verbose(), d1);
  EXPECT_EQ(notes(d1), (std::vector<std::string>{"f : skipping BTF encoding of function due to "
                                                 "unexpected register usage for parameter"}));
  badReg.cuIndex = 3;
  DiagEngine d2;
  addFunctions(t.b, {good, badReg, other}, syms, verbose(), d2);
  EXPECT_EQ(notes(d2),
            (std::vector<std::string>{
                "f : skipping BTF encoding of function due to inconsistent prototype",
                "f : skipping BTF encoding of function due to param type mismatch for param#1 "
                "a != a"}));
}

TEST(Functions, ChoosesInstanceAtSymbolAddress) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = symtab({{"f", 0x40}});
  // The weak definition (CU 0) is not at the symbol; the strong one (CU 1) is.
  DiagEngine d;
  addFunctions(t.b,
               {fn("f", 0x10, {reg("weak", t.intT, 5)}, 0, 0),
                fn("f", 0x40, {reg("strong", t.intT, 5)}, 0, 1)},
               syms, {}, d);
  EXPECT_EQ(funcs(t.b, start), (std::vector<std::string>{"f(strong:1)->0"}));
}

TEST(Functions, PrefersInstanceWithoutOptimizedSkip) {
  Types t;
  uint32_t start = t.b.endId();
  auto syms = symtab({{"f", 0x40}});
  FunctionRecord changed = fn("f", 0x40, {at("a", t.intT, ParamLocation::Unknown)}, 0, 0);
  changed.producerClang = changed.nocall = true;
  FunctionRecord intact = fn("f", 0x40, {reg("b", t.intT, 5)}, 0, 1);
  DiagEngine d;
  FunctionStats st = addFunctions(t.b, {changed, intact}, syms, {}, d);
  EXPECT_EQ(st.emitted, 1u);
  EXPECT_EQ(funcs(t.b, start), (std::vector<std::string>{"f(b:1)->0"}));
}

TEST(Functions, DeterministicUnderShuffledInput) {
  Types base;
  auto syms = symtab({{"a", 0x10}, {"b", 0x20}, {"c.isra.0", 0x30}, {"d", 0x40}, {"e", 0x50}});
  std::vector<FunctionRecord> recs;
  for (uint32_t cu = 0; cu < 4; ++cu) {
    recs.push_back(fn("a", cu == 2 ? 0x10 : 0, {reg("x" + std::to_string(cu), base.intT, 5)},
                      base.intT, cu, 0x10 * cu));
    recs.push_back(fn("b", 0x20, {reg("y", cu % 2 ? base.constInt : base.intT, 5)}, 0, cu, 0x20));
    recs.push_back(fn("c", 0x30, {at("z", base.intT, ParamLocation::Unknown)}, 0, cu, 0x30));
    recs.push_back(fn("e", 0, {reg("w", cu == 1 ? base.longT : base.intT, 5)}, 0, cu, 0x50));
  }
  recs.push_back(fn("d", 0x40, {reg("v", base.ptrInt, 5)}, 0, 9, 0x40));
  std::vector<uint8_t> first;
  std::vector<std::string> firstNotes;
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    Types t;
    std::shuffle(recs.begin(), recs.end(), rng);
    DiagEngine d;
    addFunctions(t.b, recs, syms, verbose(), d);
    auto bytes = t.b.serialize(std::endian::little);
    if (round == 0) {
      first = bytes;
      firstNotes = notes(d);
      EXPECT_EQ(funcs(t.b, base.b.endId()),
                (std::vector<std::string>{"a(x2:1)->1", "b(y:1)->0",
                                          "d(v:" + std::to_string(base.ptrInt) + ")->0"}));
      continue;
    }
    EXPECT_EQ(bytes, first) << "round " << round;
    EXPECT_EQ(notes(d), firstNotes);
  }
}

// --clash-funcs: same-named statics in two units (two symbols, so an
// ambiguous address), one with a different prototype in a third unit.
namespace {

struct ClashCase {
  Types t;
  uint32_t start = t.b.endId();
  elf::SymbolTable syms = symtab({{"f", 0x100}, {"f", 0x200}, {"f", 0x300}, {"g", 0x400}});
  std::vector<FunctionRecord> recs = {
      fn("f", 0x300, {reg("a", t.longT, 5)}, t.intT, 2, 0x30),
      fn("f", 0x100, {reg("a", t.intT, 5)}, t.intT, 0, 0x10),
      fn("f", 0x200, {reg("a", t.intT, 5)}, t.intT, 1, 0x20),
      fn("g", 0x400, {}, t.intT, 0, 0x40),
  };
  FunctionStats run(lower::FuncClash c, DiagEngine &d, bool verbose = false) {
    FuncOptions o;
    o.clash = c;
    o.verbose = verbose;
    return addFunctions(t.b, recs, syms, o, d);
  }
};

} // namespace

TEST(FunctionClash, SkipIsPaholes) {
  ClashCase c;
  DiagEngine d;
  FunctionStats st = c.run(lower::FuncClash::Skip, d);
  EXPECT_EQ(funcs(c.t.b, c.start), std::vector<std::string>{"g()->" + std::to_string(c.t.intT)});
  EXPECT_EQ(st.clashes, 1u);
  EXPECT_EQ(d.counts().at(kRuleFuncClash), 1u);
  EXPECT_EQ(d.counts().at(kRuleAmbiguousAddr), 1u);
}

TEST(FunctionClash, FirstEmitsTheFirstUnitsInstance) {
  ClashCase c;
  DiagEngine d;
  FunctionStats st = c.run(lower::FuncClash::First, d);
  const std::string i = std::to_string(c.t.intT);
  EXPECT_EQ(funcs(c.t.b, c.start), (std::vector<std::string>{"f(a:" + i + ")->" + i, "g()->" + i}));
  EXPECT_EQ(st.clashes, 1u);
  EXPECT_EQ(st.skipped, 0u);
}

TEST(FunctionClash, KeepAllEmitsOnePerPrototypeInUnitOrder) {
  ClashCase c;
  DiagEngine d;
  FunctionStats st = c.run(lower::FuncClash::KeepAll, d, true);
  const std::string i = std::to_string(c.t.intT), l = std::to_string(c.t.longT);
  EXPECT_EQ(funcs(c.t.b, c.start), (std::vector<std::string>{"f(a:" + i + ")->" + i,
                                                             "f(a:" + l + ")->" + i, "g()->" + i}));
  EXPECT_EQ(st.clashExtra, 1u);
  EXPECT_EQ(notes(d), std::vector<std::string>{
                          "function 'f' has 3 instances in 3 units with 2 prototypes at different "
                          "addresses; --clash-funcs keep-all: 2 FUNCs emitted"});
}

TEST(FunctionClash, KeepAllStillAppliesPerInstanceRules) {
  ClashCase c;
  // The long-typed instance passes its argument in the wrong register.
  c.recs[0].params[0].dwarfReg = 1;
  DiagEngine d;
  c.run(lower::FuncClash::KeepAll, d);
  const std::string i = std::to_string(c.t.intT);
  EXPECT_EQ(funcs(c.t.b, c.start), (std::vector<std::string>{"f(a:" + i + ")->" + i, "g()->" + i}));
  EXPECT_EQ(d.counts().at(kRuleUnexpectedReg), 1u);
}

TEST(FunctionClash, SameForEveryRecordOrder) {
  ClashCase a, b;
  std::reverse(b.recs.begin(), b.recs.end());
  DiagEngine da, db;
  a.run(lower::FuncClash::KeepAll, da, true);
  b.run(lower::FuncClash::KeepAll, db, true);
  EXPECT_EQ(a.t.b.serialize(std::endian::little), b.t.b.serialize(std::endian::little));
  EXPECT_EQ(notes(da), notes(db));
}

// Above a few thousand records addFunctions sorts and analyses them on
// several threads: the FUNCs, the counts and every note must be those of
// one thread, whatever the order the records come in.
TEST(Functions, ManyRecordsGiveTheSameResultOnAnyNumberOfThreads) {
  Types base;
  std::vector<std::pair<std::string, uint64_t>> symbols;
  std::vector<FunctionRecord> recs;
  for (uint32_t i = 0; i < 3000; ++i) {
    const std::string name = "f" + std::to_string(i);
    const uint64_t pc = 0x1000 + 0x10 * i;
    if (i % 7 != 0) // every 7th has no symbol
      symbols.push_back({name, pc});
    if (i % 11 == 0) // and every 11th a second, same-named static elsewhere
      symbols.push_back({name, pc + 0x8});
    // Two units define most of them; every 5th differs in its prototype in
    // the second, every 13th loses its parameter's location there.
    recs.push_back(fn(name, pc, {reg("a", base.intT, 5)}, base.intT, 0, 0x10 + i));
    ParamRecord p = i % 13 == 0 ? at("a", base.intT, ParamLocation::Unknown)
                                : reg("a", i % 5 == 0 ? base.longT : base.intT, 5);
    recs.push_back(fn(name, 0, {p}, base.intT, 1, 0x10 + i));
    if (i % 17 == 0) { // a declaration and an unnamed parameter
      FunctionRecord decl = fn(name, 0, {}, base.intT, 2, 0x10 + i);
      decl.declaration = true;
      recs.push_back(decl);
      recs.push_back(fn(name, 0, {reg("", base.intT, 5)}, base.intT, 3, 0x10 + i));
    }
  }
  ASSERT_GE(recs.size(), 4096u) << "too few records to take the parallel path";
  const elf::SymbolTable syms = symtab(symbols);
  std::mt19937 rng(7);
  std::vector<uint8_t> first;
  std::vector<std::string> firstNotes;
  FunctionStats firstStats;
  for (unsigned jobs : {1u, 2u, 4u, 16u}) {
    Types t;
    std::shuffle(recs.begin(), recs.end(), rng);
    FuncOptions o = verbose();
    o.jobs = jobs;
    DiagEngine d;
    const FunctionStats st = addFunctions(t.b, recs, syms, o, d);
    if (jobs == 1) {
      first = t.b.serialize(std::endian::little);
      firstNotes = notes(d);
      firstStats = st;
      EXPECT_GT(st.emitted, 1000u);
      EXPECT_GT(st.noSymbol, 0u);
      EXPECT_GT(st.declarations, 0u);
      EXPECT_GT(st.unnamedParams, 0u);
      EXPECT_GT(st.clashes, 0u);
      EXPECT_GT(st.skipped, 0u);
      continue;
    }
    EXPECT_EQ(t.b.serialize(std::endian::little), first) << jobs << " jobs";
    EXPECT_EQ(notes(d), firstNotes) << jobs << " jobs";
    EXPECT_EQ(st.emitted, firstStats.emitted);
    EXPECT_EQ(st.noSymbol, firstStats.noSymbol);
    EXPECT_EQ(st.declarations, firstStats.declarations);
    EXPECT_EQ(st.unnamedParams, firstStats.unnamedParams);
    EXPECT_EQ(st.clashes, firstStats.clashes);
    EXPECT_EQ(st.skipped, firstStats.skipped);
  }
}
