#pragma once
/// The ELF facts the function/variable selection needs: function symbols
/// grouped by their base name (the name up to the first '.'), object symbols,
/// and the section table. Read once per input with readSymbols(); tests build
/// one by hand with the add*() methods followed by finalize().
///
///   Expected<elf::SymbolTable> syms = elf::readSymbols(elf, path);
///   if (const elf::FunctionGroup *g = syms->findFunction("vfs_read")) ...
///
/// Addresses are in the same space as the DWARF addresses: st_value for
/// executables and shared objects, st_value + sh_addr of the symbol's section
/// for ET_REL (whose section headers carry the layout the DWARF relocation
/// used, e.g. libdwfl's offline layout).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libelf.h>

#include "dwarf2btf/support/expected.h"

namespace d2b::elf {

/// One ELF section header, as far as symbol and variable placement needs it.
struct SectionInfo {
  uint32_t index = 0;
  std::string name;
  uint32_t type = 0;  // SHT_*
  uint64_t flags = 0; // SHF_*
  uint64_t addr = 0;
  uint64_t size = 0;
};

/// A function symbol (STT_FUNC) with its full name, e.g. "foo.isra.0".
struct FunctionSymbol {
  std::string name;
  uint64_t address = 0;
};

/// All function symbols sharing one base name ("foo" for "foo",
/// "foo.isra.0", "foo.constprop.1"), in symbol-table order.
struct FunctionGroup {
  std::string key;
  std::vector<FunctionSymbol> symbols;
  /// More than one distinct address: same-named statics from different CUs,
  /// so an address cannot be tied to one definition.
  bool ambiguousAddr = false;
  /// True if a symbol of this group sits at `address`.
  bool hasAddress(uint64_t address) const;
};

/// An object symbol (STT_OBJECT).
struct ObjectSymbol {
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
  uint32_t section = 0; // resolved section index (SHN_XINDEX followed)
};

/// Function groups, object symbols and sections of one ELF file.
class SymbolTable {
public:
  /// Adds a function symbol by its full name; names whose '.'-suffix
  /// contains ".cold" or ".part" (code fragments, not functions) and names
  /// with an empty base are ignored. Call finalize() after the last add.
  void addFunction(std::string_view name, uint64_t address);
  void addObject(ObjectSymbol sym);
  /// Room for `symbols` function and object symbols each (a symbol table's
  /// count: untouched capacity costs no memory).
  void reserve(size_t symbols);
  /// Sections must be added in index order, starting with index 0.
  void addSection(SectionInfo sec);
  /// Groups functions by base name, computes ambiguity, indexes objects.
  void finalize();

  /// The group whose base name is `key`, or nullptr.
  const FunctionGroup *findFunction(std::string_view key) const;
  /// Groups sorted by key.
  std::span<const FunctionGroup> functions() const { return groups_; }
  /// True if an STT_OBJECT symbol named `name` is defined in `section`.
  bool hasObject(std::string_view name, uint32_t section) const;
  std::span<const ObjectSymbol> objects() const { return objects_; }
  std::span<const SectionInfo> sections() const { return sections_; }
  /// The lowest-indexed allocated PROGBITS/NOBITS section whose address range
  /// contains `address`, or nullptr. Variables live only in such sections.
  const SectionInfo *sectionContaining(uint64_t address) const;

  /// ".symtab", ".dynsym", or "" when the file has no symbol table.
  std::string symtabName;
  uint16_t machine = 0;    // e_machine
  uint8_t addressSize = 8; // 4 for ELFCLASS32
  uint16_t elfType = 0;    // e_type

private:
  std::vector<FunctionSymbol> pending_; // before finalize(): (name, address)
  std::vector<FunctionGroup> groups_;
  // groups_ by the hash of their key, open addressing over a power of two:
  // (high 32 bits of the hash) << 32 | (position + 1), 0 when empty.
  std::vector<uint64_t> keyIndex_;
  std::vector<ObjectSymbol> objects_;
  std::vector<uint32_t> objectIndex_; // positions in objects_, sorted by (name, section)
  std::vector<SectionInfo> sections_;
};

/// The base name of a function symbol: everything before the first '.'.
std::string_view functionKey(std::string_view symbolName);
/// True for symbols that are pieces of a function rather than a function
/// (".cold" / ".part" in the suffix after the first '.').
bool isFunctionFragment(std::string_view symbolName);
/// True for clones whose calling convention the compiler may have changed
/// (".isra" / ".constprop" in the suffix after the first '.').
bool isOptimizedClone(std::string_view symbolName);

/// Reads .symtab (falling back to .dynsym) and the section headers of `elf`.
/// `path` is used in error messages only.
Expected<SymbolTable> readSymbols(Elf *elf, const std::string &path);

} // namespace d2b::elf
