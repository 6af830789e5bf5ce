#include "dwarf2btf/elf/section_writer.h"

#include "dwarf2btf/elf/section_layout.h"
#include "dwarf2btf/support/atomic_file.h"

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace d2b::elf {
namespace {

struct ElfDeleter {
  void operator()(Elf *elf) const { elf_end(elf); }
};
using ElfPtr = std::unique_ptr<Elf, ElfDeleter>;

/// Closes a descriptor opened through FileOps.
class FdCloser {
public:
  FdCloser(FileOps &ops, int fd) : ops_(ops), fd_(fd) {}
  ~FdCloser() { ops_.close(fd_); }
  FdCloser(const FdCloser &) = delete;
  FdCloser &operator=(const FdCloser &) = delete;

private:
  FileOps &ops_;
  int fd_;
};

std::string elfError() { return elf_errmsg(-1); }

/// Reads the headers the layout depends on. libelf validates the identity,
/// resolves extended numbering (e_shnum/e_phnum/e_shstrndx escapes) and
/// converts to host byte order.
Expected<LayoutInput> readLayoutInput(Elf *elf) {
  LayoutInput in;
  size_t rawSize = 0;
  const char *raw = elf_rawfile(elf, &rawSize);
  if (!raw)
    return Error("cannot read the file image: " + elfError());
  in.file = {reinterpret_cast<const uint8_t *>(raw), rawSize};
  if (!gelf_getehdr(elf, &in.ehdr))
    return Error("cannot read ELF header: " + elfError());
  size_t phnum = 0, shnum = 0;
  if (elf_getphdrnum(elf, &phnum) != 0)
    return Error("cannot read the number of program headers: " + elfError());
  if (elf_getshdrnum(elf, &shnum) != 0)
    return Error("cannot read the number of sections: " + elfError());
  if (shnum != 0 && elf_getshdrstrndx(elf, &in.shstrndx) != 0)
    return Error("cannot read the section name table index: " + elfError());
  in.phdrs.resize(phnum);
  for (size_t i = 0; i < phnum; ++i)
    if (!gelf_getphdr(elf, static_cast<int>(i), &in.phdrs[i]))
      return Error(fmt::format("cannot read program header [{}]: {}", i, elfError()));
  in.shdrs.resize(shnum);
  for (size_t i = 0; i < shnum; ++i) {
    Elf_Scn *scn = elf_getscn(elf, i);
    if (!scn || !gelf_getshdr(scn, &in.shdrs[i]))
      return Error(fmt::format("cannot read section header [{}]: {}", i, elfError()));
  }
  return in;
}

/// Converts host-order structures to the file's class and byte order.
Expected<std::vector<uint8_t>> toFileBytes(const void *native, size_t size, Elf_Type type,
                                           bool is64, unsigned char encoding) {
  std::vector<uint8_t> out(size); // headers have the same size in memory and on disk
  Elf_Data src{const_cast<void *>(native), type, EV_CURRENT, size, 0, 0};
  Elf_Data dst{out.data(), type, EV_CURRENT, out.size(), 0, 0};
  if (!(is64 ? elf64_xlatetof(&dst, &src, encoding) : elf32_xlatetof(&dst, &src, encoding)))
    return Error("cannot encode headers: " + elfError());
  return out;
}

template <class Ehdr> Ehdr narrowEhdr(const GElf_Ehdr &g) {
  Ehdr e;
  std::memcpy(e.e_ident, g.e_ident, EI_NIDENT);
  e.e_type = g.e_type;
  e.e_machine = g.e_machine;
  e.e_version = g.e_version;
  e.e_entry = g.e_entry;
  e.e_phoff = g.e_phoff;
  e.e_shoff = g.e_shoff;
  e.e_flags = g.e_flags;
  e.e_ehsize = g.e_ehsize;
  e.e_phentsize = g.e_phentsize;
  e.e_phnum = g.e_phnum;
  e.e_shentsize = g.e_shentsize;
  e.e_shnum = g.e_shnum;
  e.e_shstrndx = g.e_shstrndx;
  return e;
}

template <class Shdr> Shdr narrowShdr(const GElf_Shdr &g) {
  Shdr s;
  s.sh_name = g.sh_name;
  s.sh_type = g.sh_type;
  s.sh_flags = g.sh_flags;
  s.sh_addr = g.sh_addr;
  s.sh_offset = g.sh_offset;
  s.sh_size = g.sh_size;
  s.sh_link = g.sh_link;
  s.sh_info = g.sh_info;
  s.sh_addralign = g.sh_addralign;
  s.sh_entsize = g.sh_entsize;
  return s;
}

/// Encodes the new ELF header and section header table. For ELF32 every value
/// fits: the planner checked the offsets and the rest came from the input.
template <class Ehdr, class Shdr>
Error encodeHeaders(const LayoutPlan &plan, bool is64, std::vector<uint8_t> &ehdrBytes,
                    std::vector<uint8_t> &headerTableBytes) {
  const unsigned char encoding = plan.ehdr.e_ident[EI_DATA];
  Ehdr ehdr = narrowEhdr<Ehdr>(plan.ehdr);
  Expected<std::vector<uint8_t>> e = toFileBytes(&ehdr, sizeof ehdr, ELF_T_EHDR, is64, encoding);
  if (!e)
    return e.error();
  std::vector<Shdr> shdrs;
  shdrs.reserve(plan.shdrs.size());
  for (const GElf_Shdr &s : plan.shdrs)
    shdrs.push_back(narrowShdr<Shdr>(s));
  Expected<std::vector<uint8_t>> t =
      toFileBytes(shdrs.data(), shdrs.size() * sizeof(Shdr), ELF_T_SHDR, is64, encoding);
  if (!t)
    return t.error();
  ehdrBytes = std::move(*e);
  headerTableBytes = std::move(*t);
  return Error::success();
}

bool sameFile(const std::string &a, const struct stat &aStat, const std::string &b) {
  struct stat bStat;
  return a == b || (::stat(b.c_str(), &bStat) == 0 && bStat.st_dev == aStat.st_dev &&
                    bStat.st_ino == aStat.st_ino);
}

} // namespace

Error writeElfWithSection(const std::string &input, const std::string &output,
                          std::string_view sectionName, std::span<const uint8_t> data) {
  FileOps ops;
  return writeElfWithSection(input, output, sectionName, data, ops);
}

Error writeElfWithSection(const std::string &input, const std::string &output,
                          std::string_view sectionName, std::span<const uint8_t> data,
                          FileOps &ops) {
  int fd = ops.open(input.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return Error(fmt::format("{}: cannot open: {}", input, errnoText(errno)));
  FdCloser closer(ops, fd);
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return Error(fmt::format("{}: cannot stat: {}", input, errnoText(errno)));
  if (!S_ISREG(st.st_mode))
    return Error(fmt::format("{}: not a regular file", input));

  elf_version(EV_CURRENT);
  // The mapping stays valid while the output is written, even in place: the
  // input is replaced by rename, never modified.
  ElfPtr elf(elf_begin(fd, ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
    return Error(fmt::format("{}: not an ELF file", input));
  Expected<LayoutInput> in = readLayoutInput(elf.get());
  if (!in)
    return in.error().withContext(input);
  Expected<LayoutPlan> plan = planSection(*in, sectionName, data.size());
  if (!plan)
    return plan.error().withContext(input);

  const bool is64 = in->ehdr.e_ident[EI_CLASS] == ELFCLASS64;
  std::vector<uint8_t> ehdrBytes, headerTableBytes;
  Error encoded =
      is64 ? encodeHeaders<Elf64_Ehdr, Elf64_Shdr>(*plan, is64, ehdrBytes, headerTableBytes)
           : encodeHeaders<Elf32_Ehdr, Elf32_Shdr>(*plan, is64, ehdrBytes, headerTableBytes);
  if (encoded)
    return encoded.withContext(input);

  FileAttributes attrs;
  attrs.mode = st.st_mode & 07777;
  if (::geteuid() == 0 && sameFile(input, st, output))
    attrs.owner = FileAttributes::Owner{st.st_uid, st.st_gid};

  Expected<AtomicFile> out = AtomicFile::create(output, ops);
  if (!out)
    return out.error();
  for (const OutputPiece &piece : outputPieces(*plan, *in, data, ehdrBytes, headerTableBytes)) {
    assert(piece.offset >= out->size() && "output pieces overlap");
    if (Error e = out->writeZeros(piece.offset - out->size()))
      return e;
    if (Error e = piece.fromInput ? out->appendFileRange(fd, piece.offset, piece.bytes)
                                  : out->write(piece.bytes))
      return e;
  }
  return out->commit(attrs);
}

bool hasSection(const std::string &path, std::string_view name) {
  FileOps ops;
  int fd = ops.open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return false;
  FdCloser closer(ops, fd);
  elf_version(EV_CURRENT);
  ElfPtr elf(elf_begin(fd, ELF_C_READ_MMAP, nullptr));
  size_t shstrndx = 0;
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF || elf_getshdrstrndx(elf.get(), &shstrndx) != 0)
    return false;
  for (Elf_Scn *scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    const char *n =
        gelf_getshdr(scn, &shdr) ? elf_strptr(elf.get(), shstrndx, shdr.sh_name) : nullptr;
    if (n && name == n)
      return true;
  }
  return false;
}

} // namespace d2b::elf
