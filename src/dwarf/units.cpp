#include "dwarf2btf/dwarf/units.h"

#include <cstring>
#include <dwarf.h>
#include <fmt/format.h>
#include <gelf.h>
#include <set>

#include "abbrev_cache.h"
#include "dwarf_codes.h"

namespace d2b::dwarf {

namespace {

// Size of the uncompressed section `name` as libdw sees it, or UINT64_MAX
// when unknown (GNU .zdebug compression changes sizes behind our back).
uint64_t sectionSize(Dwarf *dw, const char *name) {
  GElf_Shdr sh;
  if (!sectionNamed(dw, name, sh))
    return UINT64_MAX;
  return (sh.sh_flags & SHF_COMPRESSED) ? UINT64_MAX : sh.sh_size;
}

Error scan(Dwarf *dw, bool types, std::vector<UnitRef> &out, const std::string &file) {
  const char *section = types ? ".debug_types" : ".debug_info";
  const uint64_t size = sectionSize(dw, section);
  Dwarf_Off off = 0, next = 0;
  size_t headerSize = 0;
  Dwarf_Half version = 0;
  uint64_t signature = 0;
  Dwarf_Off typeOffset = 0;
  for (;;) {
    int rc = dwarf_next_unit(dw, off, &next, &headerSize, &version, nullptr, nullptr, nullptr,
                             types ? &signature : nullptr, types ? &typeOffset : nullptr);
    if (rc == 1)
      return Error::success();
    if (rc != 0)
      return Error(
          fmt::format("{}: {}+{:#x}: bad unit header: {}", file, section, off, dwarf_errmsg(-1)));
    // libdw accepts a unit whose length runs past the section and reads
    // what is there; such a file is truncated or corrupt.
    if (next > size)
      return Error(fmt::format("{}: {}+{:#x}: unit length {:#x} runs past the end of the "
                               "section ({:#x} bytes)",
                               file, section, off, next - off, size));
    UnitRef u;
    u.headerOffset = off;
    u.dieOffset = off + headerSize;
    u.typesSection = types;
    u.version = version;
    Dwarf_Die die;
    Dwarf_Die *d =
        types ? dwarf_offdie_types(dw, u.dieOffset, &die) : dwarf_offdie(dw, u.dieOffset, &die);
    if (!d)
      return Error(fmt::format("{}: {}+{:#x}: cannot read unit DIE: {}", file, section, u.dieOffset,
                               dwarf_errmsg(-1)));
    uint8_t unitType = 0;
    Dwarf_Half v2 = 0;
    if (dwarf_cu_info(die.cu, &v2, &unitType, nullptr, nullptr, nullptr, nullptr, nullptr) != 0)
      return Error(fmt::format("{}: {}+{:#x}: bad unit: {}", file, section, off, dwarf_errmsg(-1)));
    u.typeUnit = types || unitType == DW_UT_type || unitType == DW_UT_split_type;
    out.push_back(u);
    if (next <= off)
      return Error(fmt::format("{}: {}+{:#x}: unit does not advance", file, section, off));
    off = next;
  }
}

} // namespace

uint64_t unitSectionBytes(Dwarf *dw) {
  uint64_t total = 0;
  GElf_Shdr sh;
  for (const char *name : {".debug_info", ".debug_types"})
    if (sectionNamed(dw, name, sh))
      total += sh.sh_size;
  return total;
}

Expected<std::vector<UnitRef>> listUnits(Dwarf *dw, const std::string &file) {
  std::vector<UnitRef> out;
  if (Error e = scan(dw, false, out, file))
    return e;
  if (Error e = scan(dw, true, out, file))
    return e;
  return out;
}

void reportUnknownLanguages(const std::vector<UnitRef> &units, const std::string &file,
                            DiagEngine &diag) {
  std::set<uint16_t> seen;
  for (const UnitRef &u : units) {
    if (u.language == 0 || isKnownLanguage(u.language) || !seen.insert(u.language).second)
      continue;
    Diagnostic d;
    d.severity = Severity::Warning;
    d.rule = "dwarf.unknown-language";
    d.where.file = file;
    d.where.section = u.sectionName();
    d.where.die_offset = u.dieOffset;
    d.message = fmt::format("unknown DW_AT_language {:#x}; its units are lowered as C", u.language);
    diag.report(std::move(d));
  }
}

Expected<uint16_t> unitLanguage(Dwarf *dw, const UnitRef &u, const std::string &file) {
  Expected<Dwarf_Die> die = unitDie(dw, u, file);
  if (!die)
    return die.error();
  const int lang = dwarf_srclang(&*die);
  return uint16_t(lang > 0 ? lang : 0);
}

Expected<Dwarf_Die> unitDie(Dwarf *dw, const UnitRef &u, const std::string &file) {
  Dwarf_Die die;
  Dwarf_Die *d = u.typesSection ? dwarf_offdie_types(dw, u.dieOffset, &die)
                                : dwarf_offdie(dw, u.dieOffset, &die);
  if (!d)
    return Error(fmt::format("{}: {}+{:#x}: cannot read unit DIE: {}", file, u.sectionName(),
                             u.dieOffset, dwarf_errmsg(-1)));
  return die;
}

} // namespace d2b::dwarf
