#include "dwarf2btf/elf/elf_input.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <sys/mman.h>

#include "debug_image.h"

namespace d2b::elf {

/// A read-only private mapping of the whole input (or of its decompressed
/// image) and the common release mark of the handles reading it.
struct SharedMapping {
  void *base = nullptr;
  size_t size = 0;
  std::mutex mu;          // guards `released`
  uintptr_t released = 0; // .debug_info pages below this address were given back
  ~SharedMapping() {
    if (base)
      munmap(base, size);
  }
};

// ---- DwarfHandle ----------------------------------------------------------

DwarfHandle::DwarfHandle(DwarfHandle &&o) noexcept
    : dwfl_(o.dwfl_), elf_(o.elf_), dwarf_(o.dwarf_), fd_(o.fd_), shared_(std::move(o.shared_)),
      info_(o.info_), infoSize_(o.infoSize_), released_(o.released_), side_(std::move(o.side_)) {
  o.info_ = nullptr;
  o.infoSize_ = 0;
  o.released_ = 0;
  o.dwfl_ = nullptr;
  o.elf_ = nullptr;
  o.dwarf_ = nullptr;
  o.fd_ = -1;
}

DwarfHandle &DwarfHandle::operator=(DwarfHandle &&o) noexcept {
  if (this != &o) {
    reset();
    std::swap(dwfl_, o.dwfl_);
    std::swap(elf_, o.elf_);
    std::swap(dwarf_, o.dwarf_);
    std::swap(fd_, o.fd_);
    std::swap(shared_, o.shared_);
    std::swap(info_, o.info_);
    std::swap(infoSize_, o.infoSize_);
    std::swap(released_, o.released_);
    std::swap(side_, o.side_);
  }
  return *this;
}

DwarfHandle::~DwarfHandle() { reset(); }

void DwarfHandle::reset() {
  if (dwfl_) {
    dwfl_end(dwfl_); // owns the module's Elf, Dwarf and fd
  } else {
    if (dwarf_)
      dwarf_end(dwarf_);
    if (elf_)
      elf_end(elf_);
    if (fd_ >= 0)
      close(fd_);
  }
  dwfl_ = nullptr;
  elf_ = nullptr;
  dwarf_ = nullptr;
  fd_ = -1;
  shared_.reset(); // after elf_end: the Elf reads the mapping
  info_ = nullptr;
  infoSize_ = 0;
  released_ = 0;
  side_.clear();
}

namespace {

// True when [p, p+n) lies in one read-only, private mapping of a file (per
// /proc/self/maps). libelf falls back to reading into the heap when mmap
// fails; dropping heap pages would zero them, so anything else is refused.
bool isReadOnlyFileMapping(const char *p, size_t n) {
  FILE *maps = std::fopen("/proc/self/maps", "re");
  if (!maps)
    return false;
  const uintptr_t lo = uintptr_t(p), hi = uintptr_t(p) + n;
  bool ok = false;
  char line[512];
  while (std::fgets(line, sizeof line, maps)) {
    unsigned long start = 0, end = 0, inode = 0;
    char perms[8] = {};
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %lu", &start, &end, perms, &inode) != 4)
      continue;
    if (start <= lo && hi <= end) {
      ok = std::strcmp(perms, "r--p") == 0 && inode != 0;
      break;
    }
  }
  std::fclose(maps);
  return ok;
}

} // namespace

void DwarfHandle::findDebugInfo() {
  // Only for handles made by elf_begin(ELF_C_READ_MMAP), whose mapping is
  // PROT_READ and MAP_PRIVATE: nothing in it was written, so dropped pages
  // come back unchanged. Section data that libelf copied or converted lies
  // outside the raw file and is left alone.
  size_t rawSize = 0;
  const char *raw = dwfl_ || !elf_ ? nullptr : elf_rawfile(elf_, &rawSize);
  size_t shstrndx = 0;
  if (!raw || elf_getshdrstrndx(elf_, &shstrndx) != 0)
    return;
  if (!isReadOnlyFileMapping(raw, rawSize))
    return;
  for (Elf_Scn *scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
    GElf_Shdr sh;
    const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf_, shstrndx, sh.sh_name) : nullptr;
    if (!name || std::strncmp(name, ".debug_", 7) != 0 || sh.sh_type != SHT_PROGBITS)
      continue;
    Elf_Data *d = elf_rawdata(scn, nullptr);
    const char *buf = d ? static_cast<const char *>(d->d_buf) : nullptr;
    if (!buf || buf < raw || d->d_size > rawSize || buf - raw > ptrdiff_t(rawSize - d->d_size))
      continue;
    if (std::strcmp(name, ".debug_info") == 0) {
      info_ = buf;
      infoSize_ = d->d_size;
    } else if (std::strcmp(name, ".debug_str") != 0) {
      side_.push_back({buf, d->d_size});
    }
  }
}

namespace {

// Gives back the whole pages inside [p, p+n): the first and last may hold
// bytes of the neighbouring sections.
void dropPages(const char *p, uint64_t n) {
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t from = (uintptr_t(p) + page - 1) & ~(page - 1);
  const uintptr_t to = (uintptr_t(p) + n) & ~(page - 1);
  if (to > from)
    madvise(reinterpret_cast<void *>(from), to - from, MADV_DONTNEED);
}

} // namespace

void DwarfHandle::releaseSideSections() const {
  for (const auto &[p, n] : side_)
    dropPages(p, n);
}

void DwarfHandle::dropDebugInfo(uint64_t end) const {
  if (info_)
    dropPages(info_, std::min(end, infoSize_));
}

void DwarfHandle::releaseDebugInfo(uint64_t end) const {
  if (!info_)
    return;
  std::unique_lock<std::mutex> lock;
  if (shared_)
    lock = std::unique_lock(shared_->mu);
  uintptr_t &mark = shared_ ? shared_->released : released_;
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  // Whole pages only: the first may hold bytes of the section before.
  // Each call gives back only what the last one did not: madvise walks the
  // page tables of the whole range it is given, mapped or not.
  const uintptr_t from = std::max((uintptr_t(info_) + page - 1) & ~(page - 1), uintptr_t(mark));
  const uintptr_t to = (uintptr_t(info_) + std::min(end, infoSize_)) & ~(page - 1);
  // In steps of at least 2 MiB (or all of it): each call costs the other
  // threads a TLB flush, whatever its length.
  constexpr uintptr_t kStep = uintptr_t(2) << 20;
  if (to > from && (to - from >= kStep || end >= infoSize_)) {
    madvise(reinterpret_cast<void *>(from), to - from, MADV_DONTNEED);
    mark = to;
  }
}

// ---- ElfInput -------------------------------------------------------------

namespace {

/// libdwfl's last error. dwfl_errmsg() returns NULL when the failure came
/// from libdw without a libdw error set (seen with corrupt .debug_* section
/// headers), and fmt throws on a null string.
const char *dwflError() {
  const char *m = dwfl_errmsg(-1);
  return m ? m : "no usable DWARF sections";
}

// Separate debuginfo files are not looked up: the input must carry its own
// DWARF, as it does for pahole.
int noDebuginfo(Dwfl_Module *, void **, const char *, Dwarf_Addr, const char *, const char *,
                GElf_Word, char **) {
  return -1;
}

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = nullptr,
    .find_debuginfo = noDebuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

/// A file that starts like ELF but ends inside its own header. libelf only
/// says "not ELF" for those, which hides that the file was cut short.
Error truncatedHeader(int fd, uint64_t fileSize, const std::string &path) {
  unsigned char id[EI_NIDENT] = {};
  const ssize_t n = pread(fd, id, sizeof id, 0);
  if (n < SELFMAG || std::memcmp(id, ELFMAG, SELFMAG) != 0)
    return Error::success();
  const bool known = n > EI_CLASS && (id[EI_CLASS] == ELFCLASS32 || id[EI_CLASS] == ELFCLASS64);
  if (n > EI_CLASS && !known)
    return Error::success(); // a bad class is not truncation
  const uint64_t need =
      known && id[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  if (fileSize >= need)
    return Error::success();
  return Error(fmt::format("{}: truncated: the ELF header needs {}{} bytes, the file has {}", path,
                           known ? "" : "at least ", need, fileSize));
}

/// The section header table or a section's contents reaching past the end
/// of the file: the file was cut short (or a size/offset field is corrupt).
/// Checked before anything else reads the file, so the message says that
/// rather than "no .debug_info section" or libelf's "invalid section header".
Error truncatedSections(Elf *e, const GElf_Ehdr &eh, uint64_t fileSize, const std::string &path) {
  if (eh.e_shoff == 0)
    return Error::success();
  size_t shnum = eh.e_shnum;
  if (shnum == 0 && elf_getshdrnum(e, &shnum) != 0)
    shnum = 1; // extended numbering: section 0 holds the count
  const uint64_t tableEnd = eh.e_shoff + uint64_t(shnum) * eh.e_shentsize;
  if (eh.e_shoff > fileSize || tableEnd > fileSize)
    return Error(fmt::format("{}: truncated: the section header table [{:#x}, {:#x}) extends past "
                             "the end of the file ({} bytes)",
                             path, eh.e_shoff, tableEnd, fileSize));
  size_t shstrndx = 0;
  const bool names = elf_getshdrstrndx(e, &shstrndx) == 0;
  for (Elf_Scn *scn = elf_nextscn(e, nullptr); scn; scn = elf_nextscn(e, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || sh.sh_size == 0)
      continue;
    const uint64_t end = sh.sh_offset + sh.sh_size;
    if (sh.sh_offset <= fileSize && end >= sh.sh_offset && end <= fileSize)
      continue;
    const char *name = names ? elf_strptr(e, shstrndx, sh.sh_name) : nullptr;
    const std::string what =
        name && *name ? std::string(name) : fmt::format("#{}", elf_ndxscn(scn));
    return Error(fmt::format("{}: truncated or corrupt: section {} [{:#x}, {:#x}) extends past "
                             "the end of the file ({} bytes)",
                             path, what, sh.sh_offset, end, fileSize));
  }
  return Error::success();
}

} // namespace

ElfInput::~ElfInput() {
  primary_ = DwarfHandle();
  if (image_ >= 0)
    close(image_);
  if (fd_ >= 0)
    close(fd_);
}

Expected<std::shared_ptr<ElfInput>> ElfInput::open(const std::string &path) {
  elf_version(EV_CURRENT);
  std::shared_ptr<ElfInput> in(new ElfInput());
  in->path_ = path;
  in->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in->fd_ < 0)
    return Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));

  struct stat st;
  if (fstat(in->fd_, &st) != 0)
    return Error(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  const uint64_t fileSize = uint64_t(st.st_size);
  if (Error err = truncatedHeader(in->fd_, fileSize, path))
    return err;
  Elf *e = elf_begin(in->fd_, ELF_C_READ_MMAP, nullptr);
  if (!e || elf_kind(e) != ELF_K_ELF) {
    if (e)
      elf_end(e);
    return Error(fmt::format("{}: not an ELF file", path));
  }
  GElf_Ehdr eh;
  if (!gelf_getehdr(e, &eh)) {
    std::string msg = elf_errmsg(-1);
    elf_end(e);
    return Error(fmt::format("{}: bad ELF header: {}", path, msg));
  }
  in->elf_type_ = eh.e_type;
  in->machine_ = eh.e_machine;
  in->elf_class_ = eh.e_ident[EI_CLASS];
  in->order_ = eh.e_ident[EI_DATA] == ELFDATA2MSB ? std::endian::big : std::endian::little;
  // Only regular files (memfds included) have a size to compare against.
  if (S_ISREG(st.st_mode)) {
    if (Error err = truncatedSections(e, eh, fileSize, path)) {
      elf_end(e);
      return err;
    }
  }
  // Say plainly when there is no DWARF at all, rather than relaying whichever
  // of libdw's or libdwfl's wordings the open path would produce.
  bool hasInfo = false;
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(e, &shstrndx) == 0) {
    for (Elf_Scn *scn = elf_nextscn(e, nullptr); scn && !hasInfo; scn = elf_nextscn(e, scn)) {
      GElf_Shdr sh;
      const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : nullptr;
      hasInfo =
          name && (std::strcmp(name, ".debug_info") == 0 || std::strcmp(name, ".zdebug_info") == 0);
    }
  }
  elf_end(e);
  if (!hasInfo)
    return Error(fmt::format("{}: no DWARF debug information (no .debug_info section)", path));

  if (Error err = in->prepareImage())
    return err;
  in->mapShared();
  Expected<DwarfHandle> h = in->openDwarf();
  if (!h)
    return h.error();
  in->primary_ = std::move(*h);
  return in;
}

Error ElfInput::prepareImage() {
  Expected<DecompressedImage> img = buildDecompressedImage(fd_, path_);
  if (!img)
    return img.error();
  decompressed_ = img->sections;
  merged_ = img->merged;
  image_ = img->fd;
  return Error::success();
}

void ElfInput::mapShared() {
  // libelf takes memory given to elf_memory for writable: it converts
  // sections of the other byte order in place, and decompressing a section
  // (libdw does so for .zdebug_* and SHF_COMPRESSED ones) rewrites its
  // header there. The mapping is read-only, so those inputs keep a mapping
  // per handle, as do ET_REL ones, which libdwfl relocates in its own.
  if (elf_type_ == ET_REL || order_ != std::endian::native)
    return;
  const int src = image_ >= 0 ? image_ : fd_;
  struct stat st;
  if (fstat(src, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
    return;
  const size_t size = size_t(st.st_size);
  void *p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, src, 0);
  if (p == MAP_FAILED)
    return; // each handle maps the file itself
  auto map = std::make_shared<SharedMapping>();
  map->base = p;
  map->size = size;
  // Reading section headers writes nothing.
  Elf *e = elf_memory(static_cast<char *>(p), size);
  size_t shstrndx = 0;
  bool plain = e && elf_kind(e) == ELF_K_ELF && elf_getshdrstrndx(e, &shstrndx) == 0;
  for (Elf_Scn *scn = plain ? elf_nextscn(e, nullptr) : nullptr; scn && plain;
       scn = elf_nextscn(e, scn)) {
    GElf_Shdr sh;
    const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : nullptr;
    plain = name && !(sh.sh_flags & SHF_COMPRESSED) && std::strncmp(name, ".zdebug", 7) != 0;
  }
  if (e)
    elf_end(e);
  if (plain)
    shared_ = std::move(map);
}

Expected<DwarfHandle> ElfInput::openDwarf() const {
  const int src = image_ >= 0 ? image_ : fd_;
  DwarfHandle h;
  if (shared_) {
    h.shared_ = shared_;
    h.elf_ = elf_memory(static_cast<char *>(shared_->base), shared_->size);
  } else {
    // Each handle needs its own file offset-independent view; elf_begin with
    // mmap does not use the file position, so a dup is enough.
    h.fd_ = fcntl(src, F_DUPFD_CLOEXEC, 0);
    if (h.fd_ < 0)
      return Error(fmt::format("{}: dup: {}", path_, std::strerror(errno)));
  }
  if (!shared_ && elf_type_ == ET_REL) {
    h.dwfl_ = dwfl_begin(&kOfflineCallbacks);
    if (!h.dwfl_)
      return Error(fmt::format("{}: libdwfl: {}", path_, dwflError()));
    dwfl_report_begin(h.dwfl_);
    int fd = h.fd_;
    h.fd_ = -1; // libdwfl owns it from here on
    Dwfl_Module *mod = dwfl_report_offline(h.dwfl_, path_.c_str(), path_.c_str(), fd);
    if (!mod)
      return Error(fmt::format("{}: libdwfl: {}", path_, dwflError()));
    dwfl_report_end(h.dwfl_, nullptr, nullptr);
    Dwarf_Addr bias = 0;
    h.dwarf_ = dwfl_module_getdwarf(mod, &bias);
    GElf_Addr ebias = 0;
    h.elf_ = dwfl_module_getelf(mod, &ebias);
    if (!h.dwarf_)
      return Error(
          fmt::format("{}: no DWARF debug information (.debug_info): {}", path_, dwflError()));
    return h;
  }
  if (!shared_)
    h.elf_ = elf_begin(h.fd_, ELF_C_READ_MMAP, nullptr);
  if (!h.elf_)
    return Error(fmt::format("{}: {}", path_, elf_errmsg(-1)));
  h.dwarf_ = dwarf_begin_elf(h.elf_, DWARF_C_READ, nullptr);
  if (!h.dwarf_)
    return Error(
        fmt::format("{}: no DWARF debug information (.debug_info): {}", path_, dwarf_errmsg(-1)));
  h.findDebugInfo();
  return h;
}

} // namespace d2b::elf
