#pragma once
// Where diagnostics about a function or variable record point: its DIE.
#include <string>

#include "dwarf2btf/model/symbol_records.h"
#include "dwarf2btf/support/diag.h"

namespace d2b::encode {

/// The DW_TAG_subprogram DIE of `rec` in `file`.
inline Location locationOf(const model::FunctionRecord &rec, const std::string &file) {
  Location l;
  l.file = file;
  l.section = ".debug_info";
  l.die_offset = rec.dieOffset;
  l.tag = "DW_TAG_subprogram";
  l.name = rec.name;
  return l;
}

/// The DW_TAG_variable DIE of `rec` in `file`.
inline Location locationOf(const model::VariableRecord &rec, const std::string &file) {
  Location l;
  l.file = file;
  l.section = ".debug_info";
  l.die_offset = rec.dieOffset;
  l.tag = "DW_TAG_variable";
  l.name = rec.name;
  return l;
}

} // namespace d2b::encode
