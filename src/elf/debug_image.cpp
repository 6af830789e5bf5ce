#include "debug_image.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <map>
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

// What we know about one section before rewriting anything.
struct Section {
  size_t index = 0;
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t entsize = 0;
  uint32_t info = 0;
  // SHF_COMPRESSED: the payload after the compression header.
  bool compressed = false;
  uint32_t chType = 0;
  uint64_t chSize = 0;
  uint64_t chAlign = 1;
  uint64_t payloadOffset = 0;
  uint64_t payloadSize = 0;
};

// Header fields to rewrite for one section.
struct Patch {
  size_t index = 0;
  bool setName = false;
  uint32_t name = 0;
  bool setType = false;
  uint32_t type = 0;
  bool setInfo = false;
  uint32_t info = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t align = 1;
};

uint64_t getField(const uint8_t *p, int bytes, bool big) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (big ? 8 * (bytes - 1 - i) : 8 * i);
  return v;
}

// Writes an unsigned field of `bytes` width at `p` in the file's byte order.
void putField(uint8_t *p, uint64_t v, int bytes, bool big) {
  for (int i = 0; i < bytes; ++i) {
    int shift = big ? 8 * (bytes - 1 - i) : 8 * i;
    p[i] = uint8_t(v >> shift);
  }
}

Error decompress(const Section &s, const uint8_t *src, std::vector<uint8_t> &out,
                 const std::string &path) {
  // The header's size is input data: a corrupt one must not make us allocate
  // gigabytes (or throw length_error). Deflate cannot expand more than
  // ~1032:1; a zstd frame states its content size, which must agree.
  if (s.chType == kCompressZlib ? s.chSize > s.payloadSize * 1040 + 4096
                                : ZSTD_getFrameContentSize(src, s.payloadSize) != s.chSize)
    return Error(fmt::format("{}: {}: compression header claims {} bytes, which the {} bytes of "
                             "compressed data cannot hold",
                             path, s.name, s.chSize, s.payloadSize));
  const size_t at = out.size();
  out.resize(at + s.chSize);
  if (s.chType == kCompressZlib) {
    uLongf len = uLongf(s.chSize);
    int rc = uncompress(out.data() + at, &len, src, uLong(s.payloadSize));
    if (rc != Z_OK || len != s.chSize)
      return Error(
          fmt::format("{}: {}: corrupt zlib-compressed section (zlib error {})", path, s.name, rc));
    return Error::success();
  }
  size_t got = ZSTD_decompress(out.data() + at, s.chSize, src, s.payloadSize);
  if (ZSTD_isError(got) || got != s.chSize)
    return Error(fmt::format("{}: {}: corrupt zstd-compressed section: {}", path, s.name,
                             ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch"));
  return Error::success();
}

// Reads the compression header of `scn`. libelf 0.188 rejects compression
// types it does not know (zstd), so fall back to translating the raw bytes.
Error readChdr(Elf *e, Elf_Scn *scn, const GElf_Ehdr &eh, Section &s, const std::string &path) {
  const bool is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
  const size_t hdr = is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
  GElf_Chdr ch;
  if (!gelf_getchdr(scn, &ch)) {
    Elf_Data *raw = elf_rawdata(scn, nullptr);
    if (!raw || raw->d_size < hdr)
      return Error(fmt::format("{}: {}: truncated compression header", path, s.name));
    Elf_Data src = *raw, dst = *raw;
    unsigned char tmp[sizeof(Elf64_Chdr)];
    src.d_type = ELF_T_CHDR;
    src.d_size = hdr;
    dst.d_buf = tmp;
    dst.d_size = sizeof(tmp);
    if (!gelf_xlatetom(e, &dst, &src, eh.e_ident[EI_DATA]))
      return Error(fmt::format("{}: {}: bad compression header", path, s.name));
    if (is64) {
      Elf64_Chdr c;
      std::memcpy(&c, tmp, sizeof(c));
      ch.ch_type = c.ch_type;
      ch.ch_size = c.ch_size;
      ch.ch_addralign = c.ch_addralign;
    } else {
      Elf32_Chdr c;
      std::memcpy(&c, tmp, sizeof(c));
      ch.ch_type = c.ch_type;
      ch.ch_size = c.ch_size;
      ch.ch_addralign = c.ch_addralign;
    }
  }
  if (ch.ch_type != kCompressZlib && ch.ch_type != kCompressZstd)
    return Error(fmt::format("{}: {}: unsupported compression type {}", path, s.name, ch.ch_type));
  if (s.size < hdr)
    return Error(fmt::format("{}: {}: truncated compressed section", path, s.name));
  s.compressed = true;
  s.chType = ch.ch_type;
  s.chSize = ch.ch_size;
  s.chAlign = ch.ch_addralign ? ch.ch_addralign : 1;
  s.payloadOffset = s.offset + hdr;
  s.payloadSize = s.size - hdr;
  return Error::success();
}

bool isDebugSection(const Section &s) {
  return s.type == SHT_PROGBITS && s.name.rfind(".debug", 0) == 0;
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
  std::vector<Section> sections;
  for (Elf_Scn *scn = elf_nextscn(e, nullptr); scn; scn = elf_nextscn(e, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      continue;
    Section s;
    s.index = elf_ndxscn(scn);
    const char *name = elf_strptr(e, shstrndx, sh.sh_name);
    s.name = name ? name : "";
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.offset = sh.sh_offset;
    s.size = sh.sh_size;
    s.entsize = sh.sh_entsize;
    s.info = sh.sh_info;
    if (isDebugSection(s) && (sh.sh_flags & SHF_COMPRESSED)) {
      if (Error err = readChdr(e, scn, eh, s, path)) {
        elf_end(e);
        return err;
      }
    }
    sections.push_back(std::move(s));
  }
  elf_end(e);

  // Debug sections by name. Relocatable objects built with type units keep
  // each unit in its own COMDAT .debug_types (DWARF 4) or .debug_info (DWARF
  // 5) section; libdw reads only the first section of a name, so same-named
  // sections are concatenated into the first (DWARF units are
  // self-delimiting) and their relocations merged with shifted offsets.
  std::map<std::string, std::vector<size_t>> byName; // name -> positions in `sections`
  for (size_t i = 0; i < sections.size(); ++i)
    if (isDebugSection(sections[i]))
      byName[sections[i].name].push_back(i);
  bool work = false;
  for (const auto &[name, idx] : byName)
    for (size_t i : idx)
      work |= idx.size() > 1 || sections[i].compressed;
  if (!work)
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
  auto inFile = [&](uint64_t off, uint64_t size) {
    return off <= fileSize && size <= fileSize - off;
  };
  if (!writeAll(file, fileSize, 0))
    return fail(Error(fmt::format("{}: writing image: {}", path, std::strerror(errno))));

  const bool big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
  const bool is64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
  uint64_t end = fileSize;
  std::vector<Patch> patches;
  std::vector<uint8_t> blob;
  auto append = [&](const std::vector<uint8_t> &data) -> Expected<uint64_t> {
    end = (end + 15) & ~uint64_t(15);
    uint64_t at = end;
    if (!writeAll(data.data(), data.size(), at))
      return Error(fmt::format("{}: writing image: {}", path, std::strerror(errno)));
    end += data.size();
    return at;
  };

  for (const auto &[name, idx] : byName) {
    if (idx.size() == 1 && !sections[idx[0]].compressed)
      continue;
    // Contents, and where each member starts in the merged section.
    blob.clear();
    std::map<size_t, uint64_t> startOf; // section index -> offset in blob
    uint64_t align = 1;
    for (size_t i : idx) {
      const Section &s = sections[i];
      startOf[s.index] = blob.size();
      if (s.compressed) {
        if (!inFile(s.payloadOffset, s.payloadSize))
          return fail(Error(fmt::format("{}: {}: compressed data beyond end of file", path, name)));
        if (Error err = decompress(s, file + s.payloadOffset, blob, path))
          return fail(err);
        align = std::max(align, s.chAlign);
      } else {
        if (!inFile(s.offset, s.size))
          return fail(Error(fmt::format("{}: {}: section beyond end of file", path, name)));
        blob.insert(blob.end(), file + s.offset, file + s.offset + s.size);
      }
    }
    Expected<uint64_t> at = append(blob);
    if (!at)
      return fail(at.error());
    const Section &first = sections[idx[0]];
    // libdw skips SHF_GROUP debug sections unless asked for one group; the
    // merged section belongs to no single group any more.
    const uint64_t mergedFlags =
        first.flags & ~uint64_t(SHF_COMPRESSED) & (idx.size() > 1 ? ~uint64_t(SHF_GROUP) : ~0ull);
    Patch p{first.index,
            false,
            0,
            false,
            0,
            false,
            0,
            mergedFlags,
            *at,
            blob.size(),
            idx.size() == 1 ? align : 1};
    patches.push_back(p);
    if (idx.size() == 1)
      continue;
    // The other members become anonymous, inert PROGBITS.
    for (size_t k = 1; k < idx.size(); ++k) {
      const Section &s = sections[idx[k]];
      patches.push_back({s.index, true, 0, false, 0, false, 0, s.flags & ~uint64_t(SHF_COMPRESSED),
                         s.offset, 0, 1});
    }
    // Relocations against the members, merged into one section whose offsets
    // are relative to the merged content.
    blob.clear();
    const Section *relFirst = nullptr;
    for (const Section &r : sections) {
      if ((r.type != SHT_RELA && r.type != SHT_REL) || !startOf.count(r.info))
        continue;
      // An entry must at least hold r_offset and r_info.
      if (r.entsize < 2u * (is64 ? 8u : 4u) || !inFile(r.offset, r.size))
        return fail(Error(fmt::format("{}: {}: bad relocation section", path, r.name)));
      if (!relFirst) {
        relFirst = &r;
      } else if (r.type != relFirst->type || r.entsize != relFirst->entsize) {
        return fail(Error(fmt::format("{}: {}: mixed relocation formats", path, name)));
      }
      const uint64_t shift = startOf[r.info];
      const int width = is64 ? 8 : 4;
      for (uint64_t o = 0; o + r.entsize <= r.size; o += r.entsize) {
        size_t at2 = blob.size();
        blob.insert(blob.end(), file + r.offset + o, file + r.offset + o + r.entsize);
        putField(&blob[at2], getField(&blob[at2], width, big) + shift, width, big);
      }
      if (&r != relFirst)
        patches.push_back({r.index, true, 0, true, SHT_PROGBITS, false, 0, 0, r.offset, 0, 1});
    }
    if (relFirst) {
      Expected<uint64_t> rat = append(blob);
      if (!rat)
        return fail(rat.error());
      // The merged relocations apply to the first member, which now holds
      // every member's content.
      patches.push_back({relFirst->index, false, 0, false, 0, true, uint32_t(first.index),
                         relFirst->flags, *rat, blob.size(), is64 ? 8u : 4u});
    }
    result.merged += unsigned(idx.size() - 1);
  }
  for (const auto &[name, idx] : byName)
    for (size_t i : idx)
      result.sections += sections[i].compressed;

  // Section header fields: (offset, width) for 64- and 32-bit classes.
  const uint64_t shoff = eh.e_shoff;
  const uint16_t shentsize = eh.e_shentsize;
  if (!patches.empty() && shentsize < (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)))
    return fail(Error(fmt::format("{}: section header entry size {} is too small", path, shentsize)));
  for (const Patch &p : patches) {
    const uint64_t at = shoff + uint64_t(p.index) * shentsize;
    if (!inFile(at, shentsize))
      return fail(Error(fmt::format("{}: section header {} beyond end of file", path, p.index)));
    std::vector<uint8_t> sh(file + at, file + at + shentsize);
    if (is64) {
      if (p.setName)
        putField(&sh[0], p.name, 4, big);
      if (p.setType)
        putField(&sh[4], p.type, 4, big);
      if (p.setInfo)
        putField(&sh[44], p.info, 4, big);
      putField(&sh[8], p.flags, 8, big);
      putField(&sh[24], p.offset, 8, big);
      putField(&sh[32], p.size, 8, big);
      putField(&sh[48], p.align, 8, big);
    } else {
      if (p.setName)
        putField(&sh[0], p.name, 4, big);
      if (p.setType)
        putField(&sh[4], p.type, 4, big);
      if (p.setInfo)
        putField(&sh[28], p.info, 4, big);
      putField(&sh[8], p.flags, 4, big);
      putField(&sh[16], p.offset, 4, big);
      putField(&sh[20], p.size, 4, big);
      putField(&sh[32], p.align, 4, big);
    }
    if (!writeAll(sh.data(), sh.size(), at))
      return fail(Error(fmt::format("{}: writing image: {}", path, std::strerror(errno))));
  }
  munmap(map, fileSize);
  result.fd = mfd;
  return result;
}

} // namespace d2b::elf
