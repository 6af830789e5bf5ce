#pragma once
/// Enumeration of the units of an input's DWARF: compile units and partial
/// units in .debug_info, DWARF 5 type units (DW_UT_type, also in
/// .debug_info) and DWARF 4 type units in .debug_types.
///
///   Expected<std::vector<UnitRef>> units = listUnits(dw, "vmlinux");
///   Expected<Dwarf_Die> cu = unitDie(dw, (*units)[0], "vmlinux");
///   (*units)[0].language = *unitLanguage(dw, (*units)[0], "vmlinux");
#include <cstdint>
#include <string>
#include <vector>

#include <elfutils/libdw.h>

#include "dwarf2btf/support/diag.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::dwarf {

/// Where one unit lives; valid for every handle of the same input.
struct UnitRef {
  uint64_t headerOffset = 0; // offset of the unit header in its section
  uint64_t dieOffset = 0;    // offset of the unit DIE
  bool typesSection = false; // DWARF 4 .debug_types
  bool typeUnit = false;     // DW_UT_type / DW_UT_split_type / .debug_types
  uint16_t version = 0;
  /// DW_AT_language (0 if absent): not read by listUnits (reading it parses
  /// each unit's abbreviations, ~0.1 s on vmlinux before any work could
  /// start), but by whoever walks the unit (unitLanguage).
  uint16_t language = 0;
  const char *sectionName() const { return typesSection ? ".debug_types" : ".debug_info"; }
};

/// Bytes of .debug_info and .debug_types as stored (a compressed section
/// counts its compressed size): how much walking the units will be.
uint64_t unitSectionBytes(Dwarf *dw);

/// Lists every unit, .debug_info first, in section order.
Expected<std::vector<UnitRef>> listUnits(Dwarf *dw, const std::string &file);

/// The DW_AT_language of `u`'s unit DIE in handle `dw` (0 if absent).
Expected<uint16_t> unitLanguage(Dwarf *dw, const UnitRef &u, const std::string &file);

/// One warning (rule dwarf.unknown-language) per DW_AT_language value the
/// tool does not know, at the first unit using it: such units are lowered as
/// C. Needs the units' `language` filled in.
void reportUnknownLanguages(const std::vector<UnitRef> &units, const std::string &file,
                            DiagEngine &diag);

/// The unit DIE of `u` in handle `dw`.
Expected<Dwarf_Die> unitDie(Dwarf *dw, const UnitRef &u, const std::string &file);

} // namespace d2b::dwarf
