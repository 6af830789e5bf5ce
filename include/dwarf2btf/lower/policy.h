#pragma once
/// What the lowering may emit and how it falls back: a plain value passed
/// down from the command line (no globals). The defaults are pahole's
/// `--btf_features=default` set, except `flattenArrays`: pahole 1.24 (the
/// installed oracle) flattens `int v[2][3]` into one ARRAY of 6 elements,
/// while we keep the dimensions as nested ARRAYs unless asked to flatten.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace d2b::lower {

/// How units with DW_AT_language DW_LANG_Rust are lowered (issue 3).
/// Presets: `kernel` (default: kernel-accepted, C-dumpable, CO-RE-readable,
/// FUNCs named by symbol, clashing type names qualified), `bpf-linker`
/// (bpf-linker's naming: Rust primitive names, leaf FUNC names, opaque data
/// enums, no qualification) and
/// `exclude` (Rust units skipped, pahole's --lang_exclude=rust).
struct RustPolicy {
  enum class Preset { Kernel, BpfLinker, Exclude };
  Preset preset = Preset::Kernel;
  // Data-carrying enums: Layout = STRUCT E { union { struct E__discr __discr;
  // struct A A; ... } } with every field at its real offset; Opaque = a
  // member-less STRUCT of E's size, as bpf-linker emits it.
  enum class DataEnums { Layout, Opaque } dataEnums = DataEnums::Layout;
  bool cPrimitiveNames = true;        // u32 -> "unsigned int" (dedups with C, dumps as C)
  std::string charName = "rust_char"; // `char` must not print as C's 1-byte char
  size_t maxNameLen = 128;            // bpf-linker's cap (the pre-6.1 kernel limit)
  // FUNC names: Linkage = the ELF symbol (v0/legacy mangled; what fentry and
  // kallsyms know), Leaf = the sanitized DW_AT_name, as bpf-linker emits.
  enum class FuncNames { Linkage, Leaf } funcNames = FuncNames::Linkage;
  // Types of one unit sharing a name get their module path (crate::a::S).
  bool qualifyClashes = true;

  /// The knob values of preset `p`.
  static RustPolicy forPreset(Preset p) {
    RustPolicy r;
    r.preset = p;
    r.cPrimitiveNames = p != Preset::BpfLinker;
    r.dataEnums = p == Preset::BpfLinker ? DataEnums::Opaque : DataEnums::Layout;
    r.funcNames = p == Preset::BpfLinker ? FuncNames::Leaf : FuncNames::Linkage;
    r.qualifyClashes = p != Preset::BpfLinker;
    return r;
  }
};

/// What to do with a name defined differently by several units (README "Name
/// clashes"). Functions: Skip is pahole's rule (a name whose instances have
/// conflicting prototypes, or are same-named statics at different addresses,
/// gets no FUNC); First keeps the first instance in unit order; KeepAll emits
/// one FUNC per distinct prototype, all of that name (legal BTF).
enum class FuncClash { Skip, First, KeepAll };
/// Variables of one name at different addresses: KeepAll (pahole: one VAR
/// each), First (the first in unit order), Skip (none of them).
enum class VarClash { KeepAll, First, Skip };

struct Policy {
  bool floats = true;         // DW_ATE_float -> FLOAT; false: INT, as pahole without float
  bool enum64 = true;         // enums wider than 4 bytes -> ENUM64; false: truncated ENUM
  bool declTags = true;       // DECL_TAG from btf_decl_tag annotations
  bool typeTags = true;       // TYPE_TAG from btf_type_tag annotations on pointers
  bool flattenArrays = false; // multi-dimensional arrays as one ARRAY of the product
  bool funcs = true;          // collect FunctionRecords for the FUNC stage
  bool consistentFunc = true; // passed on to the FUNC stage
  FuncClash funcClash = FuncClash::Skip; // same-named functions that differ across units
  VarClash varClash = VarClash::KeepAll; // same-named variables at different addresses
  enum class VarScope { None, PerCpu, All } vars = VarScope::PerCpu;
  std::vector<int> langExclude; // DW_LANG codes whose units are skipped entirely
  RustPolicy rust;              // Rust units (exclude also puts DW_LANG_Rust in langExclude)

  bool excludes(int lang) const {
    return std::find(langExclude.begin(), langExclude.end(), lang) != langExclude.end();
  }
};

} // namespace d2b::lower
