#pragma once
/// The opened input ELF: header facts, a decompressed image when debug
/// sections are compressed, and independent DWARF handles for worker threads.
///
///   Expected<std::shared_ptr<ElfInput>> in = ElfInput::open("foo.o");
///   Expected<DwarfHandle> h = (*in)->openDwarf(); // one per thread
///   Dwarf *dw = h->dwarf();
///
/// libdw is not thread-safe on one Dwarf*, so each worker opens its own
/// handle. Handles of an executable or shared object in the host's byte
/// order read one mapping of the file that they all share (elf_memory): a
/// page is faulted in once per process rather than once per handle.
/// Relocatable objects (ET_REL) go through libdwfl's offline reporting so
/// relocations in the debug sections are applied; the Elf* of such a handle
/// carries the sh_addr layout libdwfl chose, which the symbol stage needs
/// (symbol address = st_value + sh_addr) to match DWARF addresses.
/// Compressed debug sections (zlib or zstd, SHF_COMPRESSED) are
/// decompressed once into an in-memory image (a memfd) that every handle
/// opens: libdw 0.188 cannot read zstd, and decompressing zlib once beats
/// doing it per handle.
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dwarf2btf/support/expected.h"

typedef struct Elf Elf;
typedef struct Dwarf Dwarf;
typedef struct Dwfl Dwfl;

namespace d2b::elf {

struct SharedMapping; // the file mapping the handles of one ElfInput share

/// One DWARF view of the input, owned by one thread at a time.
class DwarfHandle {
public:
  DwarfHandle() = default;
  DwarfHandle(DwarfHandle &&o) noexcept;
  DwarfHandle &operator=(DwarfHandle &&o) noexcept;
  DwarfHandle(const DwarfHandle &) = delete;
  DwarfHandle &operator=(const DwarfHandle &) = delete;
  ~DwarfHandle();

  Dwarf *dwarf() const { return dwarf_; }
  /// The ELF the DWARF was read from; for ET_REL its section headers hold
  /// the addresses the debug info was relocated against.
  Elf *elf() const { return elf_; }
  /// Gives the pages of .debug_info below section offset `end` back to the
  /// kernel (madvise MADV_DONTNEED) when they are a read-only file mapping:
  /// a walk in unit order never returns to them, and if it does (a reference
  /// into an earlier unit) they are read again from the page cache (and
  /// stay: each page is given back once). Keeps
  /// peak RSS from growing with every handle's copy of the section. No-op
  /// for libdwfl (ET_REL) handles, whose relocated sections are private.
  ///
  /// On a shared mapping (sharesMapping()) the pages are given back for
  /// every handle and the mark "given back below here" is common, so `end`
  /// must be the lowest offset any handle still reads.
  void releaseDebugInfo(uint64_t end = UINT64_MAX) const;
  /// Gives back the pages of .debug_info below `end` (same conditions),
  /// those below releaseDebugInfo's mark included, without moving the mark:
  /// for pages read again after they were given back (a pass over the unit
  /// headers before the walk, a fresh handle finding its first unit).
  void dropDebugInfo(uint64_t end = UINT64_MAX) const;
  /// True when this handle reads the file through the mapping all handles
  /// of its ElfInput share.
  bool sharesMapping() const { return shared_ != nullptr; }
  /// Gives back the pages of the other debug sections (.debug_abbrev,
  /// .debug_loclists, .debug_line...; not .debug_str, which every unit
  /// reads all over) under the same conditions as releaseDebugInfo. A
  /// worker reads them roughly in unit order too, so calling this every few
  /// dozen units keeps a long-lived handle's file pages from adding up.
  void releaseSideSections() const;
  /// True when opening another handle is cheap (no libdwfl relocation), so
  /// a worker may replace its handle to drop libdw's per-unit caches.
  bool cheapToReopen() const { return dwfl_ == nullptr; }

private:
  friend class ElfInput;
  void reset();
  void findDebugInfo();
  Dwfl *dwfl_ = nullptr; // owns elf_/dwarf_ when set
  Elf *elf_ = nullptr;
  Dwarf *dwarf_ = nullptr;
  int fd_ = -1;
  std::shared_ptr<SharedMapping> shared_; // kept mapped while a handle reads it
  const char *info_ = nullptr;            // .debug_info inside a read-only mapping, or null
  uint64_t infoSize_ = 0;
  mutable uintptr_t released_ = 0; // releaseDebugInfo gave back the pages below this address
  std::vector<std::pair<const char *, uint64_t>> side_; // releaseSideSections' ranges
};

/// Facts about the input file and a factory of DWARF handles.
class ElfInput {
public:
  /// Opens `path`, checks it is ELF with DWARF, decompresses compressed debug
  /// sections. Errors name the file ("x.o: not an ELF file").
  static Expected<std::shared_ptr<ElfInput>> open(const std::string &path);
  ~ElfInput();
  ElfInput(const ElfInput &) = delete;
  ElfInput &operator=(const ElfInput &) = delete;

  const std::string &path() const { return path_; }
  uint16_t elfType() const { return elf_type_; }
  uint16_t machine() const { return machine_; }
  uint8_t elfClass() const { return elf_class_; }
  std::endian byteOrder() const { return order_; }
  unsigned addressSize() const { return elf_class_ == 2 ? 8 : 4; }
  /// Number of debug sections that were compressed and decompressed here.
  unsigned decompressedSections() const { return decompressed_; }
  /// Number of same-named debug sections (COMDAT type units in ET_REL)
  /// folded into the first section of their name.
  unsigned mergedSections() const { return merged_; }

  /// A new, independent DWARF handle (libdwfl-relocated for ET_REL).
  Expected<DwarfHandle> openDwarf() const;
  /// The handle opened by open(); use it from one thread only.
  const DwarfHandle &primary() const { return primary_; }
  /// The Elf* for symbol lookup: same section layout as the DWARF addresses.
  Elf *symbolsElf() const { return primary_.elf(); }

private:
  ElfInput() = default;
  Error prepareImage();
  void mapShared();

  std::string path_;
  int fd_ = -1;    // the original file
  int image_ = -1; // memfd with decompressed debug sections, or -1
  uint16_t elf_type_ = 0;
  uint16_t machine_ = 0;
  uint8_t elf_class_ = 0;
  std::endian order_ = std::endian::little;
  unsigned decompressed_ = 0;
  unsigned merged_ = 0;
  std::shared_ptr<SharedMapping> shared_; // or null: each handle maps the file
  DwarfHandle primary_;
};

} // namespace d2b::elf
