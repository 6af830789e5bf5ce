#include "dwarf2btf/encode/kfuncs.h"

#include <fmt/format.h>
#include <gelf.h>

#include <cstring>
#include <string_view>

namespace d2b::encode {

namespace {

constexpr std::string_view kSet8Prefix = "__BTF_ID__set8__";
constexpr std::string_view kFuncPrefix = "__BTF_ID__func__";

uint32_t readWord(std::span<const uint8_t> data, uint64_t off, std::endian order) {
  uint32_t v = 0;
  std::memcpy(&v, data.data() + off, 4);
  return order == std::endian::native ? v : __builtin_bswap32(v);
}

/// "__BTF_ID__func__bpf_obj_new_impl__123" -> "bpf_obj_new_impl": the
/// macro appends "__<counter>" to keep the symbols unique.
std::string funcName(std::string_view sym) {
  sym.remove_prefix(kFuncPrefix.size());
  size_t cut = sym.rfind("__");
  if (cut != std::string_view::npos && cut > 0)
    sym = sym.substr(0, cut);
  return std::string(sym);
}

} // namespace

KfuncMap kfuncsFromBtfIds(std::span<const uint8_t> data, std::endian order,
                          std::span<const BtfIdsSymbol> symbols) {
  struct Range {
    uint64_t begin, end;
  };
  std::vector<Range> ranges;
  for (const BtfIdsSymbol &s : symbols) {
    if (!std::string_view(s.name).starts_with(kSet8Prefix))
      continue;
    if (s.offset + 8 > data.size())
      continue;
    if (readWord(data, s.offset + 4, order) & kBtfSet8Kfuncs)
      ranges.push_back({s.offset, s.offset + s.size});
  }
  KfuncMap out;
  if (ranges.empty())
    return out;
  for (const BtfIdsSymbol &s : symbols) {
    if (!std::string_view(s.name).starts_with(kFuncPrefix))
      continue;
    bool inside = false;
    for (const Range &r : ranges)
      inside = inside || (s.offset >= r.begin && s.offset < r.end);
    if (!inside || s.offset + 8 > data.size())
      continue;
    // The symbol marks the pair's id; its flags word follows.
    out[funcName(s.name)] = readWord(data, s.offset + 4, order);
  }
  return out;
}

Expected<KfuncMap> collectKfuncs(Elf *elf, const std::string &file) {
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf, &ehdr))
    return Error(fmt::format("{}: cannot read the ELF header: {}", file, elf_errmsg(-1)));
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    return Error(fmt::format("{}: cannot read the section name table: {}", file, elf_errmsg(-1)));
  Elf_Scn *ids = nullptr, *symtab = nullptr;
  GElf_Shdr idsHdr{}, symHdr{};
  for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      continue;
    const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (name && std::strcmp(name, ".BTF_ids") == 0 && sh.sh_type != SHT_NOBITS) {
      ids = scn;
      idsHdr = sh;
    } else if (sh.sh_type == SHT_SYMTAB) {
      symtab = scn;
      symHdr = sh;
    }
  }
  if (!ids || !symtab)
    return KfuncMap{};
  // Raw bytes: the words are converted by hand with the ELF's byte order.
  Elf_Data *data = elf_rawdata(ids, nullptr);
  if (!data || !data->d_buf)
    return Error(fmt::format("{}: .BTF_ids: cannot read the section: {}", file, elf_errmsg(-1)));
  const std::endian order =
      ehdr.e_ident[EI_DATA] == ELFDATA2MSB ? std::endian::big : std::endian::little;
  const size_t idsIndex = elf_ndxscn(ids);
  // Symbol values are section offsets in relocatable objects, addresses
  // elsewhere.
  const uint64_t base = ehdr.e_type == ET_REL ? 0 : idsHdr.sh_addr;

  Elf_Data *symData = elf_getdata(symtab, nullptr);
  if (!symData)
    return Error(fmt::format("{}: cannot read the symbol table: {}", file, elf_errmsg(-1)));
  const size_t count = symHdr.sh_entsize ? symHdr.sh_size / symHdr.sh_entsize : 0;
  std::vector<BtfIdsSymbol> syms;
  for (size_t i = 0; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(symData, int(i), &sym) || sym.st_shndx != idsIndex)
      continue;
    const char *name = elf_strptr(elf, symHdr.sh_link, sym.st_name);
    if (!name || std::strncmp(name, "__BTF_ID__", 10) != 0)
      continue;
    if (sym.st_value < base || sym.st_value - base > data->d_size)
      return Error(fmt::format("{}: .BTF_ids: symbol {} at 0x{:x} lies outside the section", file,
                               name, sym.st_value));
    syms.push_back({name, sym.st_value - base, sym.st_size});
  }
  std::span<const uint8_t> bytes(static_cast<const uint8_t *>(data->d_buf), data->d_size);
  return kfuncsFromBtfIds(bytes, order, syms);
}

} // namespace d2b::encode
