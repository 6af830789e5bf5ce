// readBtfBytes(), readBtf(): find the BTF data in a file. An ELF file is
// opened with libelf and only its section is read: in a kernel build every
// module's run takes vmlinux as its base, and that file is hundreds of MB of
// which .BTF is a few. Anything else is raw BTF: a regular file is mapped,
// and what cannot be mapped is read to EOF (sysfs files report a size that
// need not match their content).
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <gelf.h>
#include <libelf.h>
#include <memory>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "dwarf2btf/btf/reader.h"

namespace d2b::btf {
namespace {

/// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

Error openFile(const std::string &path, Fd &out) {
  out.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (out.fd < 0)
    return Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  return Error::success();
}

/// True if the file starts with the ELF magic (read without moving the
/// file position; false where the file cannot be read that way).
bool startsWithElfMagic(int fd) {
  char magic[SELFMAG];
  return ::pread(fd, magic, SELFMAG, 0) == SELFMAG && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

Expected<std::vector<uint8_t>> readWholeFile(const std::string &path, int fd) {
  // st_size is only a hint (sysfs may report anything); read until EOF.
  struct stat st;
  std::vector<uint8_t> data;
  size_t used = 0;
  data.resize(fstat(fd, &st) == 0 && st.st_size > 0 ? size_t(st.st_size) + 1 : 1 << 16);
  for (;;) {
    if (used == data.size())
      data.resize(data.size() * 2);
    ssize_t n = ::read(fd, data.data() + used, data.size() - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return Error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    }
    if (n == 0)
      break;
    used += size_t(n);
  }
  data.resize(used);
  return data;
}

struct ElfCloser {
  void operator()(Elf *e) const { elf_end(e); }
};

Error elfError(const std::string &path, const char *what) {
  return Error(fmt::format("{}: {}: {}", path, what, elf_errmsg(-1)));
}

/// Passes the named section's bytes to `use` (they live only during the
/// call: usually libelf's mapping of the file, not a copy); false if the ELF
/// has no such section.
Expected<bool> visitElfSection(const std::string &path, int fd, const char *section,
                               const std::function<Error(std::span<const uint8_t>)> &use) {
  if (elf_version(EV_CURRENT) == EV_NONE)
    return elfError(path, "cannot initialize libelf");
  std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd, ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
    return elfError(path, "cannot read ELF");
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf.get(), &shstrndx) != 0)
    return elfError(path, "cannot read ELF section names");
  for (Elf_Scn *scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr))
      return elfError(path, "cannot read ELF section header");
    const char *name = elf_strptr(elf.get(), shstrndx, shdr.sh_name);
    if (!name || std::strcmp(name, section) != 0)
      continue;
    if (shdr.sh_type == SHT_NOBITS)
      return Error(fmt::format("{}: {} section has no data (SHT_NOBITS)", path, section));
    // A compressed .BTF is unusual but legal ELF; libelf inflates it in place.
    if ((shdr.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
      return elfError(path, fmt::format("cannot decompress {} section", section).c_str());
    (void)elf_errno(); // clear any stale error so a failing read is reported as such
    std::vector<std::span<const uint8_t>> pieces;
    Elf_Data *d = nullptr;
    while ((d = elf_getdata(scn, d)) != nullptr) {
      if (!d->d_buf && d->d_size)
        return elfError(path, fmt::format("cannot read {} section", section).c_str());
      pieces.emplace_back(static_cast<const uint8_t *>(d->d_buf), d->d_size);
    }
    if (int e = elf_errno(); e != 0)
      return Error(fmt::format("{}: cannot read {} section: {}", path, section, elf_errmsg(e)));
    if (pieces.size() == 1) {
      if (Error e = use(pieces[0]))
        return e;
      return true;
    }
    std::vector<uint8_t> joined;
    for (std::span<const uint8_t> piece : pieces)
      joined.insert(joined.end(), piece.begin(), piece.end());
    if (Error e = use(joined))
      return e;
    return true;
  }
  return false;
}

/// Raw BTF starts with the magic in the writer's byte order.
Error checkRawMagic(const std::string &path, std::span<const uint8_t> d) {
  if (d.size() >= 2 && ((d[0] == 0x9f && d[1] == 0xeb) || (d[0] == 0xeb && d[1] == 0x9f)))
    return Error::success();
  if (d.empty())
    return Error(fmt::format("{}: empty file, expected ELF or raw BTF", path));
  return Error(fmt::format("{}: not an ELF file or raw BTF (starts with {:02x})", path,
                           fmt::join(d.begin(), d.begin() + std::min<size_t>(d.size(), 4), " ")));
}

/// A read-only mapping of a whole regular file, unmapped on scope exit.
struct Mapping {
  void *addr = MAP_FAILED;
  size_t size = 0;
  Mapping() = default;
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;
  ~Mapping() {
    if (addr != MAP_FAILED)
      munmap(addr, size);
  }
};

/// Passes the BTF data of `path` (see readBtfBytes) to `use`. ELF sections
/// and regular raw files are mapped rather than read: the base of every
/// module's run is ~4 MB of vmlinux BTF, and copying it cost ~1,000 page
/// faults per process.
Error withBtfBytes(const std::string &path,
                   const std::function<Error(std::span<const uint8_t>)> &use) {
  Fd f;
  if (Error e = openFile(path, f))
    return e;
  if (startsWithElfMagic(f.fd)) {
    Expected<bool> found = visitElfSection(path, f.fd, ".BTF", use);
    if (!found)
      return found.error();
    if (!*found)
      return Error(fmt::format("{}: no .BTF section", path));
    return Error::success();
  }
  // sysfs files are not regular and report a size that need not match.
  struct stat st;
  if (fstat(f.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    Mapping m;
    m.size = size_t(st.st_size);
    m.addr = mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, f.fd, 0);
    if (m.addr != MAP_FAILED) {
      const std::span<const uint8_t> bytes(static_cast<const uint8_t *>(m.addr), m.size);
      if (Error e = checkRawMagic(path, bytes))
        return e;
      return use(bytes);
    }
  }
  Expected<std::vector<uint8_t>> data = readWholeFile(path, f.fd);
  if (!data)
    return data.error();
  if (Error e = checkRawMagic(path, *data))
    return e;
  return use(*data);
}

} // namespace

Expected<std::vector<uint8_t>> readBtfBytes(const std::string &path) {
  std::vector<uint8_t> out;
  if (Error e = withBtfBytes(path, [&](std::span<const uint8_t> bytes) {
        out.assign(bytes.begin(), bytes.end());
        return Error::success();
      }))
    return e;
  return out;
}

Expected<ParsedBtf> readBtf(const std::string &path, const Btf *base) {
  // One named result, constructed in place (see parseBtf).
  Expected<ParsedBtf> result = Error("no BTF read");
  if (Error e = withBtfBytes(path, [&](std::span<const uint8_t> bytes) {
        result = parseBtf(bytes, base, path);
        return result ? Error::success() : result.error();
      }))
    return e;
  return result;
}

Expected<std::optional<std::vector<uint8_t>>> readDistilledBaseBytes(const std::string &path) {
  Fd f;
  if (Error e = openFile(path, f))
    return e;
  if (!startsWithElfMagic(f.fd))
    return std::optional<std::vector<uint8_t>>();
  std::vector<uint8_t> out;
  Expected<bool> found =
      visitElfSection(path, f.fd, ".BTF.base", [&](std::span<const uint8_t> bytes) {
        out.assign(bytes.begin(), bytes.end());
        return Error::success();
      });
  if (!found)
    return found.error();
  if (!*found)
    return std::optional<std::vector<uint8_t>>();
  return std::optional(std::move(out));
}

} // namespace d2b::btf
