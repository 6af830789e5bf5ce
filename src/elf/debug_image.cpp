#include "debug_image.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <gelf.h>
#include <zlib.h>
#include <zstd.h>

namespace d2b::elf {
namespace {

constexpr uint32_t kCompressZlib = 1; // ELFCOMPRESS_ZLIB
constexpr uint32_t kCompressZstd = 2; // ELFCOMPRESS_ZSTD (newer than libelf 0.188)

struct Pending {
  size_t index = 0;
  std::string name;
  uint32_t type = 0;
  uint64_t size = 0;   // uncompressed
  uint64_t align = 0;  // ch_addralign
  uint64_t offset = 0; // raw payload offset in the file (after the Chdr)
  uint64_t rawSize = 0;
  uint64_t flags = 0;
};

// Writes an unsigned field of `bytes` width at `p` in the file's byte order.
void putField(uint8_t *p, uint64_t v, int bytes, bool big) {
  for (int i = 0; i < bytes; ++i) {
    int shift = big ? 8 * (bytes - 1 - i) : 8 * i;
    p[i] = uint8_t(v >> shift);
  }
}

Error decompress(const Pending &s, const uint8_t *src, std::vector<uint8_t> &out,
                 const std::string &path) {
  out.resize(s.size);
  if (s.type == kCompressZlib) {
    uLongf len = uLongf(s.size);
    int rc = uncompress(out.data(), &len, src, uLong(s.rawSize));
    if (rc != Z_OK || len != s.size)
      return Error(
          fmt::format("{}: {}: corrupt zlib-compressed section (zlib error {})", path, s.name, rc));
    return Error::success();
  }
  size_t got = ZSTD_decompress(out.data(), out.size(), src, s.rawSize);
  if (ZSTD_isError(got) || got != s.size)
    return Error(fmt::format("{}: {}: corrupt zstd-compressed section: {}", path, s.name,
                             ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch"));
  return Error::success();
}

} // namespace

Expected<DecompressedImage> buildDecompressedImage(int fd, const std::string &path) {
  DecompressedImage result;
  Elf *e = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (!e)
    return Error(fmt::format("{}: {}", path, elf_errmsg(-1)));
  GElf_Ehdr eh;
  size_t shstrndx = 0;
  if (!gelf_getehdr(e, &eh) || elf_getshdrstrndx(e, &shstrndx) != 0) {
    std::string msg = elf_errmsg(-1);
    elf_end(e);
    return Error(fmt::format("{}: bad ELF header: {}", path, msg));
  }
  std::vector<Pending> todo;
  for (Elf_Scn *scn = elf_nextscn(e, nullptr); scn; scn = elf_nextscn(e, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_COMPRESSED) || sh.sh_type == SHT_NOBITS)
      continue;
    const char *name = elf_strptr(e, shstrndx, sh.sh_name);
    if (!name || std::strncmp(name, ".debug", 6) != 0)
      continue;
    GElf_Chdr ch;
    if (!gelf_getchdr(scn, &ch)) {
      // libelf rejects compression types it does not know (zstd in 0.188),
      // so read the header fields straight from the section bytes.
      Elf_Data *raw = elf_rawdata(scn, nullptr);
      const bool is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
      const size_t need = is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
      if (!raw || raw->d_size < need) {
        elf_end(e);
        return Error(fmt::format("{}: {}: truncated compression header", path, name));
      }
      Elf_Data src = *raw, dst = *raw;
      GElf_Chdr tmp;
      src.d_type = ELF_T_CHDR;
      src.d_size = need;
      dst.d_buf = &tmp;
      dst.d_size = sizeof(tmp);
      if (!gelf_xlatetom(e, &dst, &src, eh.e_ident[EI_DATA])) {
        elf_end(e);
        return Error(fmt::format("{}: {}: bad compression header", path, name));
      }
      if (is64) {
        ch = tmp;
      } else {
        Elf32_Chdr c32;
        std::memcpy(&c32, &tmp, sizeof(c32));
        ch.ch_type = c32.ch_type;
        ch.ch_size = c32.ch_size;
        ch.ch_addralign = c32.ch_addralign;
      }
    }
    if (ch.ch_type != kCompressZlib && ch.ch_type != kCompressZstd) {
      elf_end(e);
      return Error(fmt::format("{}: {}: unsupported compression type {}", path, name, ch.ch_type));
    }
    const size_t hdr = eh.e_ident[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
    if (sh.sh_size < hdr) {
      elf_end(e);
      return Error(fmt::format("{}: {}: truncated compressed section", path, name));
    }
    Pending p;
    p.index = elf_ndxscn(scn);
    p.name = name;
    p.type = ch.ch_type;
    p.size = ch.ch_size;
    p.align = ch.ch_addralign ? ch.ch_addralign : 1;
    p.offset = sh.sh_offset + hdr;
    p.rawSize = sh.sh_size - hdr;
    p.flags = sh.sh_flags & ~uint64_t(SHF_COMPRESSED);
    todo.push_back(std::move(p));
  }
  const uint64_t shoff = eh.e_shoff;
  const uint16_t shentsize = eh.e_shentsize;
  const bool big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
  const bool is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
  elf_end(e);
  if (todo.empty())
    return result;

  struct stat st;
  if (fstat(fd, &st) != 0)
    return Error(fmt::format("{}: stat: {}", path, std::strerror(errno)));
  const size_t fileSize = size_t(st.st_size);
  void *map = mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED)
    return Error(fmt::format("{}: mmap: {}", path, std::strerror(errno)));
  const uint8_t *file = static_cast<const uint8_t *>(map);

  int mfd = memfd_create("dwarf2btf-image", MFD_CLOEXEC);
  if (mfd < 0) {
    munmap(map, fileSize);
    return Error(fmt::format("{}: memfd_create: {}", path, std::strerror(errno)));
  }
  auto fail = [&](Error err) -> Expected<DecompressedImage> {
    munmap(map, fileSize);
    close(mfd);
    return err;
  };
  // Section headers are patched in a copy of the header table, written last.
  if (shoff + uint64_t(shentsize) * 1 > fileSize)
    return fail(Error(fmt::format("{}: section headers beyond end of file", path)));
  auto writeAll = [&](const void *buf, size_t n, uint64_t at) -> bool {
    const uint8_t *p = static_cast<const uint8_t *>(buf);
    while (n) {
      ssize_t w = pwrite(mfd, p, n, off_t(at));
      if (w <= 0)
        return false;
      p += w;
      n -= size_t(w);
      at += uint64_t(w);
    }
    return true;
  };
  if (!writeAll(file, fileSize, 0))
    return fail(Error(fmt::format("{}: writing image: {}", path, std::strerror(errno))));

  uint64_t end = fileSize;
  std::vector<uint8_t> out;
  for (const Pending &s : todo) {
    if (s.offset + s.rawSize > fileSize)
      return fail(Error(fmt::format("{}: {}: compressed data beyond end of file", path, s.name)));
    if (Error err = decompress(s, file + s.offset, out, path))
      return fail(err);
    end = (end + 15) & ~uint64_t(15);
    if (!writeAll(out.data(), out.size(), end))
      return fail(Error(fmt::format("{}: writing image: {}", path, std::strerror(errno))));
    const uint64_t at = shoff + uint64_t(s.index) * shentsize;
    if (at + shentsize > fileSize)
      return fail(Error(fmt::format("{}: section header {} beyond end of file", path, s.index)));
    std::vector<uint8_t> sh(file + at, file + at + shentsize);
    if (is64) {
      putField(&sh[8], s.flags, 8, big);
      putField(&sh[24], end, 8, big);
      putField(&sh[32], s.size, 8, big);
      putField(&sh[48], s.align, 8, big);
    } else {
      putField(&sh[8], s.flags, 4, big);
      putField(&sh[16], end, 4, big);
      putField(&sh[20], s.size, 4, big);
      putField(&sh[32], s.align, 4, big);
    }
    if (!writeAll(sh.data(), sh.size(), at))
      return fail(Error(fmt::format("{}: writing image: {}", path, std::strerror(errno))));
    end += s.size;
  }
  munmap(map, fileSize);
  result.fd = mfd;
  result.sections = unsigned(todo.size());
  return result;
}

} // namespace d2b::elf
