#pragma once
// Where diagnostics about a function or variable record point: its DIE.
#include <cstdint>
#include <string>

#include "dwarf2btf/model/symbol_records.h"
#include "dwarf2btf/support/diag.h"

namespace d2b::encode {

/// A DIE of `.debug_info` in `file`.
inline Location dieLocation(const std::string &file, uint64_t dieOffset, const char *tag,
                            const std::string &name) {
  Location l;
  l.file = file;
  l.section = ".debug_info";
  l.die_offset = dieOffset;
  l.tag = tag;
  l.name = name;
  return l;
}

/// The DW_TAG_subprogram DIE of `rec` in `file`.
inline Location locationOf(const model::FunctionRecord &rec, const std::string &file) {
  return dieLocation(file, rec.dieOffset, "DW_TAG_subprogram", rec.name);
}

/// The DW_TAG_variable DIE of `rec` in `file`.
inline Location locationOf(const model::VariableRecord &rec, const std::string &file) {
  return dieLocation(file, rec.dieOffset, "DW_TAG_variable", rec.name);
}

} // namespace d2b::encode
