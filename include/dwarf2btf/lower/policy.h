#pragma once
/// What the lowering may emit and how it falls back: a plain value passed
/// down from the command line (no globals). The defaults are pahole's
/// `--btf_features=default` set, except `flattenArrays`: pahole 1.24 (the
/// installed oracle) flattens `int v[2][3]` into one ARRAY of 6 elements,
/// while we keep the dimensions as nested ARRAYs unless asked to flatten.
#include <algorithm>
#include <vector>

namespace d2b::lower {

struct Policy {
  bool floats = true;         // DW_ATE_float -> FLOAT; false: INT, as pahole without float
  bool enum64 = true;         // enums wider than 4 bytes -> ENUM64; false: truncated ENUM
  bool declTags = true;       // DECL_TAG from btf_decl_tag annotations
  bool typeTags = true;       // TYPE_TAG from btf_type_tag annotations on pointers
  bool flattenArrays = false; // multi-dimensional arrays as one ARRAY of the product
  bool funcs = true;          // collect FunctionRecords for the FUNC stage
  bool consistentFunc = true; // passed on to the FUNC stage
  enum class VarScope { None, PerCpu, All } vars = VarScope::PerCpu;
  std::vector<int> langExclude; // DW_LANG codes whose units are skipped entirely

  bool excludes(int lang) const {
    return std::find(langExclude.begin(), langExclude.end(), lang) != langExclude.end();
  }
};

} // namespace d2b::lower
