#include "dwarf2btf/elf/symbols.h"

#include <algorithm>
#include <bit>
#include <fmt/format.h>
#include <gelf.h>
#include <tuple>
#include <xxhash.h>

namespace d2b::elf {

namespace {

/// The part of a symbol name from its first '.', or "" if it has none.
std::string_view suffixOf(std::string_view name) {
  size_t dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot);
}

bool suffixContains(std::string_view name, std::initializer_list<std::string_view> needles) {
  std::string_view suffix = suffixOf(name);
  for (std::string_view n : needles)
    if (suffix.find(n) != std::string_view::npos)
      return true;
  return false;
}

std::string elfError() { return elf_errmsg(-1); }

/// The hash the function groups are indexed by (SymbolTable::keyIndex_).
uint64_t keyHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

} // namespace

std::string_view functionKey(std::string_view symbolName) {
  return symbolName.substr(0, symbolName.find('.'));
}

bool isFunctionFragment(std::string_view symbolName) {
  return suffixContains(symbolName, {".cold", ".part"});
}

bool isOptimizedClone(std::string_view symbolName) {
  return suffixContains(symbolName, {".constprop", ".isra"});
}

bool FunctionGroup::hasAddress(uint64_t address) const {
  return std::any_of(symbols.begin(), symbols.end(),
                     [&](const FunctionSymbol &s) { return s.address == address; });
}

void SymbolTable::addFunction(std::string_view name, uint64_t address) {
  if (isFunctionFragment(name) || functionKey(name).empty())
    return;
  pending_.push_back(FunctionSymbol{std::string(name), address});
}

void SymbolTable::reserve(size_t symbols) {
  pending_.reserve(symbols);
  objects_.reserve(symbols);
}

void SymbolTable::addObject(ObjectSymbol sym) { objects_.push_back(std::move(sym)); }

void SymbolTable::addSection(SectionInfo sec) {
  sec.index = uint32_t(sections_.size());
  sections_.push_back(std::move(sec));
}

void SymbolTable::finalize() {
  // Positions sorted, not the symbols (each holds a string); ties keep
  // symbol-table order inside a group.
  std::vector<std::pair<std::string_view, uint32_t>> order(pending_.size());
  for (uint32_t i = 0; i < pending_.size(); ++i)
    order[i] = {functionKey(pending_[i].name), i};
  std::sort(order.begin(), order.end());
  if (groups_.empty())
    groups_.reserve(pending_.size());
  for (const auto &[key, i] : order) {
    FunctionSymbol &s = pending_[i];
    if (groups_.empty() || groups_.back().key != key) {
      // Groups from an earlier finalize() stay valid: merge into them.
      auto it =
          std::lower_bound(groups_.begin(), groups_.end(), key,
                           [](const FunctionGroup &g, std::string_view k) { return g.key < k; });
      if (it == groups_.end() || it->key != key)
        it = groups_.insert(it, FunctionGroup{std::string(key), {}, false});
      it->symbols.push_back(std::move(s));
      continue;
    }
    groups_.back().symbols.push_back(std::move(s));
  }
  pending_.clear();
  keyIndex_.assign(std::bit_ceil(groups_.size() * 2 + 1), 0);
  const size_t mask = keyIndex_.size() - 1;
  for (uint32_t k = 0; k < groups_.size(); ++k) {
    const uint64_t h = keyHash(groups_[k].key);
    size_t i = size_t(h) & mask;
    while (keyIndex_[i])
      i = (i + 1) & mask;
    keyIndex_[i] = (h >> 32) << 32 | (uint64_t(k) + 1);
  }
  for (FunctionGroup &g : groups_) {
    g.ambiguousAddr = false;
    for (const FunctionSymbol &s : g.symbols)
      if (s.address != g.symbols.front().address)
        g.ambiguousAddr = true;
  }

  // Index by position rather than by string_view so that copies of the
  // table stay valid.
  objectIndex_.resize(objects_.size());
  for (uint32_t i = 0; i < objects_.size(); ++i)
    objectIndex_[i] = i;
  std::sort(objectIndex_.begin(), objectIndex_.end(), [&](uint32_t a, uint32_t b) {
    const ObjectSymbol &x = objects_[a], &y = objects_[b];
    return std::tie(x.name, x.section) < std::tie(y.name, y.section);
  });
}

const FunctionGroup *SymbolTable::findFunction(std::string_view key) const {
  // Asked for every function a kernel's units define, most of them inline
  // functions of headers without a symbol: those end at a slot of a table
  // that stays in cache, without touching a group's name.
  if (keyIndex_.empty())
    return nullptr;
  const uint64_t h = keyHash(key);
  const uint32_t tag = uint32_t(h >> 32);
  const size_t mask = keyIndex_.size() - 1;
  for (size_t i = size_t(h) & mask;; i = (i + 1) & mask) {
    const uint64_t slot = keyIndex_[i];
    if (!slot)
      return nullptr;
    if (uint32_t(slot >> 32) == tag) {
      const FunctionGroup &g = groups_[uint32_t(slot) - 1];
      if (g.key == key)
        return &g;
    }
  }
}

bool SymbolTable::hasObject(std::string_view name, uint32_t section) const {
  auto key = [&](uint32_t i) {
    return std::pair<std::string_view, uint32_t>(objects_[i].name, objects_[i].section);
  };
  const std::pair<std::string_view, uint32_t> want(name, section);
  auto it = std::lower_bound(objectIndex_.begin(), objectIndex_.end(), want,
                             [&](uint32_t i, const auto &k) { return key(i) < k; });
  return it != objectIndex_.end() && key(*it) == want;
}

const SectionInfo *SymbolTable::sectionContaining(uint64_t address) const {
  // Index order, as pahole does, so overlapping ranges resolve the same way.
  // Unlike pahole, non-SHF_ALLOC sections are ignored: they have sh_addr 0
  // and would swallow variables at low addresses (the per-CPU section of
  // x86_64 vmlinux is linked at 0).
  for (const SectionInfo &s : sections_) {
    if (s.index == 0 || !(s.flags & SHF_ALLOC))
      continue;
    if (s.type != SHT_PROGBITS && s.type != SHT_NOBITS)
      continue;
    if (s.addr <= address && address - s.addr < s.size)
      return &s;
  }
  return nullptr;
}

Expected<SymbolTable> readSymbols(Elf *elf, const std::string &path) {
  SymbolTable t;
  GElf_Ehdr eh;
  if (!gelf_getehdr(elf, &eh))
    return Error(fmt::format("{}: cannot read the ELF header: {}", path, elfError()));
  t.machine = eh.e_machine;
  t.elfType = eh.e_type;
  t.addressSize = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;

  // elf_getshdrnum/elf_getshdrstrndx follow extended numbering (the real
  // counts live in section 0 when e_shnum/e_shstrndx overflow).
  size_t shnum = 0, shstrndx = 0;
  if (elf_getshdrnum(elf, &shnum) != 0)
    return Error(fmt::format("{}: cannot read the section count: {}", path, elfError()));
  if (shnum > 0 && elf_getshdrstrndx(elf, &shstrndx) != 0)
    return Error(fmt::format("{}: cannot find the section name table: {}", path, elfError()));

  size_t symtabIdx = 0, dynsymIdx = 0, shndxIdx = 0;
  std::vector<GElf_Shdr> shdrs(shnum);
  for (size_t i = 0; i < shnum; ++i) {
    Elf_Scn *scn = elf_getscn(elf, i);
    if (!scn || !gelf_getshdr(scn, &shdrs[i]))
      return Error(fmt::format("{}: section header {}: {}", path, i, elfError()));
    const GElf_Shdr &sh = shdrs[i];
    const char *name = i ? elf_strptr(elf, shstrndx, sh.sh_name) : "";
    t.addSection(SectionInfo{uint32_t(i), name ? name : "", sh.sh_type, sh.sh_flags, sh.sh_addr,
                             sh.sh_size});
    if (sh.sh_type == SHT_SYMTAB && !symtabIdx)
      symtabIdx = i;
    else if (sh.sh_type == SHT_DYNSYM && !dynsymIdx)
      dynsymIdx = i;
  }
  const size_t symIdx = symtabIdx ? symtabIdx : dynsymIdx;
  if (!symIdx) {
    t.finalize();
    return t;
  }
  for (size_t i = 1; i < shnum; ++i)
    if (shdrs[i].sh_type == SHT_SYMTAB_SHNDX && shdrs[i].sh_link == symIdx)
      shndxIdx = i;

  const GElf_Shdr &symSh = shdrs[symIdx];
  t.symtabName = t.sections()[symIdx].name;
  const std::string where = fmt::format("{}: {}", path, t.symtabName);
  if (symSh.sh_entsize == 0)
    return Error(where + ": sh_entsize is 0");
  if (symSh.sh_link >= shnum)
    return Error(fmt::format("{}: sh_link {} is not a section", where, symSh.sh_link));
  Elf_Data *syms = elf_getdata(elf_getscn(elf, symIdx), nullptr);
  if (!syms)
    return Error(fmt::format("{}: cannot read symbols: {}", where, elfError()));
  Elf_Data *xndx = shndxIdx ? elf_getdata(elf_getscn(elf, shndxIdx), nullptr) : nullptr;
  if (shndxIdx && !xndx)
    return Error(fmt::format("{}: {}: cannot read extended section indexes: {}", path,
                             t.sections()[shndxIdx].name, elfError()));

  const size_t count = symSh.sh_size / symSh.sh_entsize;
  t.reserve(count);
  const bool relocatable = eh.e_type == ET_REL;
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    Elf32_Word xsec = 0;
    if (!gelf_getsymshndx(syms, xndx, int(i), &sym, &xsec))
      return Error(
          fmt::format("{}+{:#x}: symbol {}: {}", where, i * symSh.sh_entsize, i, elfError()));
    const int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_OBJECT)
      continue;
    const bool extended = sym.st_shndx == SHN_XINDEX;
    if (extended && !xndx)
      return Error(fmt::format("{}+{:#x}: symbol {} uses SHN_XINDEX but there is no "
                               "SHT_SYMTAB_SHNDX section",
                               where, i * symSh.sh_entsize, i));
    const uint32_t section = extended ? xsec : sym.st_shndx;
    // Undefined symbols (imports in .dynsym) define nothing here.
    if (section == SHN_UNDEF)
      continue;
    const char *name = elf_strptr(elf, symSh.sh_link, sym.st_name);
    if (!name || !*name)
      continue;
    const bool realSection = extended || sym.st_shndx < SHN_LORESERVE;
    uint64_t address = sym.st_value;
    if (relocatable && realSection && section < shnum)
      address += shdrs[section].sh_addr;
    if (type == STT_FUNC)
      t.addFunction(name, address);
    else
      t.addObject(ObjectSymbol{name, address, sym.st_size, section});
  }
  t.finalize();
  return t;
}

} // namespace d2b::elf
