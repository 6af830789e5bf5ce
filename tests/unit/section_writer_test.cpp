// Hermetic tests of the ELF section writer: ELF files are crafted with libelf
// in a TempDir, written with writeElfWithSection and read back with libelf.
#include "dwarf2btf/elf/section_layout.h"
#include "dwarf2btf/elf/section_writer.h"
#include "output_checks.h"
#include "test_support.h"

#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <grp.h>
#include <gtest/gtest.h>
#include <libelf.h>
#include <map>
#include <regex>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace d2b::test {
namespace {

namespace fs = std::filesystem;
using elf::writeElfWithSection;

struct CraftSection {
  std::string name;
  uint32_t type = SHT_PROGBITS;
  uint64_t flags = 0;
  std::string data;
  uint64_t addr = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t align = 1;
};

struct CraftSpec {
  unsigned char elfClass = ELFCLASS64;
  unsigned char encoding = ELFDATA2LSB;
  uint16_t type = ET_REL;
  std::vector<CraftSection> sections; ///< after the null section
  bool nameTableLast = false;         ///< else .shstrtab is section 1
  bool loadSegment = false;           ///< one PT_LOAD over the SHF_ALLOC sections
  std::string trailing;               ///< bytes appended after libelf's output
};

/// Writes an ELF file as libelf lays it out: headers, sections in index order,
/// section header table last. Extended numbering is set up when needed.
void craftElf(const std::string &path, const CraftSpec &spec) {
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  Elf *elf = elf_begin(fd, ELF_C_WRITE, nullptr);
  ASSERT_NE(elf, nullptr);
  ASSERT_NE(gelf_newehdr(elf, spec.elfClass), nullptr);
  GElf_Ehdr eh;
  gelf_getehdr(elf, &eh);
  eh.e_ident[EI_DATA] = spec.encoding;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = spec.type;
  eh.e_machine = spec.elfClass == ELFCLASS64 ? EM_X86_64 : EM_386;
  eh.e_version = EV_CURRENT;

  std::vector<CraftSection> all = spec.sections;
  CraftSection names;
  names.name = ".shstrtab";
  names.type = SHT_STRTAB;
  size_t namesIndex = spec.nameTableLast ? all.size() + 1 : 1;
  all.insert(spec.nameTableLast ? all.end() : all.begin(), names);
  // The name table: each distinct name once.
  std::string table(1, '\0');
  std::map<std::string, size_t> offsets;
  for (const CraftSection &s : all)
    if (!offsets.count(s.name)) {
      offsets[s.name] = table.size();
      table += s.name + '\0';
    }
  all[namesIndex - 1].data = table;

  std::vector<std::string> keep; // libelf keeps pointers to the data until elf_update
  keep.reserve(all.size());
  for (const CraftSection &s : all) {
    Elf_Scn *scn = elf_newscn(elf);
    ASSERT_NE(scn, nullptr);
    keep.push_back(s.data);
    // Every section gets a data descriptor, NOBITS too (libelf needs its
    // version); a NOBITS section's size comes from d_size but has no bytes.
    Elf_Data *d = elf_newdata(scn);
    d->d_buf = s.type == SHT_NOBITS || s.data.empty() ? nullptr : keep.back().data();
    d->d_size = keep.back().size();
    d->d_type = ELF_T_BYTE;
    d->d_version = EV_CURRENT;
    d->d_align = s.align;
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    sh.sh_name = offsets[s.name];
    sh.sh_type = s.type;
    sh.sh_flags = s.flags;
    sh.sh_addr = s.addr;
    sh.sh_link = s.link;
    sh.sh_info = s.info;
    sh.sh_addralign = s.align;
    gelf_update_shdr(scn, &sh);
  }
  if (namesIndex >= SHN_LORESERVE) {
    eh.e_shstrndx = SHN_XINDEX;
    GElf_Shdr s0;
    gelf_getshdr(elf_getscn(elf, 0), &s0);
    s0.sh_link = namesIndex;
    gelf_update_shdr(elf_getscn(elf, 0), &s0);
  } else {
    eh.e_shstrndx = namesIndex;
  }
  gelf_update_ehdr(elf, &eh);
  if (spec.loadSegment) { // after the header update, which would reset e_phnum
    ASSERT_NE(gelf_newphdr(elf, 1), nullptr);
  }
  ASSERT_GE(elf_update(elf, ELF_C_NULL), 0) << elf_errmsg(-1);
  if (spec.loadSegment) {
    GElf_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R;
    ph.p_align = 1;
    bool first = true;
    for (size_t i = 1; i <= all.size(); ++i) {
      GElf_Shdr sh;
      gelf_getshdr(elf_getscn(elf, i), &sh);
      if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS)
        continue;
      if (first) {
        ph.p_offset = sh.sh_offset;
        ph.p_vaddr = ph.p_paddr = sh.sh_addr;
        first = false;
      }
      ph.p_filesz = ph.p_memsz = sh.sh_offset + sh.sh_size - ph.p_offset;
    }
    gelf_update_phdr(elf, 0, &ph);
  }
  ASSERT_GE(elf_update(elf, ELF_C_WRITE), 0) << elf_errmsg(-1);
  elf_end(elf);
  close(fd);
  if (!spec.trailing.empty()) {
    std::string bytes = readFile(path) + spec.trailing;
    writeFile(path, bytes);
  }
}

/// A relocatable object with code, data, a relocation section and symbols.
CraftSpec sampleObject(unsigned char elfClass = ELFCLASS64, unsigned char encoding = ELFDATA2LSB) {
  CraftSpec spec;
  spec.elfClass = elfClass;
  spec.encoding = encoding;
  spec.sections = {
      {".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, std::string(37, '\x90'), 0, 0, 0, 16},
      {".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "data bytes", 0, 0, 0, 8},
      {".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, std::string(64, '\0'), 0, 0, 0, 8},
      {".symtab", SHT_SYMTAB, 0, std::string(elfClass == ELFCLASS64 ? 48 : 32, '\0'), 0, 6, 1, 8},
      {".strtab", SHT_STRTAB, 0, std::string("\0sym\0", 5)},
      {".rela.text", SHT_RELA, SHF_INFO_LINK, std::string(24, '\0'), 0, 5, 2, 8},
  };
  return spec;
}

/// Every section of `before` appears in `after` with the same index, header and
/// bytes, except the name table, which may have moved and grown by `name`.
void expectSectionsKept(const ElfInfo &before, const ElfInfo &after) {
  ASSERT_GE(after.sections.size(), before.sections.size());
  EXPECT_EQ(after.shstrndx, before.shstrndx);
  for (size_t i = 1; i < before.sections.size(); ++i) {
    const SectionInfo &b = before.sections[i];
    const SectionInfo &a = after.sections[i];
    SCOPED_TRACE("section [" + std::to_string(i) + "] " + b.name);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.hdr.sh_type, b.hdr.sh_type);
    EXPECT_EQ(a.hdr.sh_flags, b.hdr.sh_flags);
    EXPECT_EQ(a.hdr.sh_addr, b.hdr.sh_addr);
    EXPECT_EQ(a.hdr.sh_link, b.hdr.sh_link);
    EXPECT_EQ(a.hdr.sh_info, b.hdr.sh_info);
    EXPECT_EQ(a.hdr.sh_addralign, b.hdr.sh_addralign);
    EXPECT_EQ(a.hdr.sh_entsize, b.hdr.sh_entsize);
    if (i == before.shstrndx) {
      EXPECT_EQ(a.data.substr(0, b.data.size()), b.data);
      continue;
    }
    EXPECT_EQ(a.hdr.sh_offset, b.hdr.sh_offset);
    EXPECT_EQ(a.hdr.sh_size, b.hdr.sh_size);
    EXPECT_EQ(a.data, b.data);
  }
}

void expectNewSection(const ElfInfo &out, const std::string &name, const std::string &data) {
  ASSERT_EQ(out.error, "");
  auto found = out.named(name);
  ASSERT_EQ(found.size(), 1u);
  const SectionInfo &s = *found[0];
  EXPECT_EQ(s.hdr.sh_type, SHT_PROGBITS);
  EXPECT_EQ(s.hdr.sh_flags, 0u);
  EXPECT_EQ(s.hdr.sh_addr, 0u);
  EXPECT_EQ(s.hdr.sh_addralign, 1u);
  EXPECT_EQ(s.hdr.sh_link, 0u);
  EXPECT_EQ(s.hdr.sh_info, 0u);
  EXPECT_EQ(s.hdr.sh_entsize, 0u);
  EXPECT_EQ(s.data, data);
}

// --- formats -----------------------------------------------------------------

struct Format {
  unsigned char elfClass;
  unsigned char encoding;
};

class SectionWriterFormat : public ::testing::TestWithParam<Format> {};

TEST_P(SectionWriterFormat, AddsSectionAndKeepsEverythingElse) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o");
  craftElf(in, sampleObject(GetParam().elfClass, GetParam().encoding));
  std::string btf = "\x9f\xeb\x01\x00 some BTF bytes";
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf(btf)));

  ElfInfo before = readElf(in), after = readElf(out);
  ASSERT_EQ(after.error, "");
  expectNewSection(after, ".BTF", btf);
  EXPECT_EQ(after.named(".BTF")[0]->index, before.sections.size())
      << "appended as the last section";
  EXPECT_EQ(after.sections.size(), before.sections.size() + 1);
  expectSectionsKept(before, after);
  EXPECT_EQ(after.ehdr.e_ident[EI_CLASS], GetParam().elfClass);
  EXPECT_EQ(after.ehdr.e_ident[EI_DATA], GetParam().encoding);
  EXPECT_EQ(after.ehdr.e_type, before.ehdr.e_type);
  EXPECT_EQ(after.ehdr.e_machine, before.ehdr.e_machine);

  // Every input byte up to the old name table is unchanged, apart from the
  // ELF header's e_shoff/e_shnum.
  std::string a = readFile(in), b = readFile(out);
  uint64_t names = before.sections[before.shstrndx].hdr.sh_offset;
  size_t ehsize = GetParam().elfClass == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  EXPECT_EQ(b.substr(ehsize, names - ehsize), a.substr(ehsize, names - ehsize));
  EXPECT_EQ(b.substr(0, EI_NIDENT), a.substr(0, EI_NIDENT));
}

TEST_P(SectionWriterFormat, ReplacesWithLargerAndSmallerData) {
  TempDir t;
  std::string path = t.path("obj.o");
  craftElf(path, sampleObject(GetParam().elfClass, GetParam().encoding));
  ElfInfo original = readElf(path);
  std::string small = "first", large(5000, 'L'), tiny = "x";

  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf(small)));
  uint64_t sizeWithSmall = fs::file_size(path);
  ElfInfo first = readElf(path);
  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf(large)));
  ElfInfo second = readElf(path);
  expectNewSection(second, ".BTF", large);
  EXPECT_EQ(second.sections.size(), first.sections.size()) << "replaced, not added";
  EXPECT_EQ(second.named(".BTF")[0]->index, first.named(".BTF")[0]->index);
  expectSectionsKept(original, second);

  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf(tiny)));
  expectNewSection(readElf(path), ".BTF", tiny);
  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf(small)));
  expectNewSection(readElf(path), ".BTF", small);
  EXPECT_EQ(fs::file_size(path), sizeWithSmall) << "old tails are dropped, not accumulated";
}

INSTANTIATE_TEST_SUITE_P(
    AllClassesAndByteOrders, SectionWriterFormat,
    ::testing::Values(Format{ELFCLASS64, ELFDATA2LSB}, Format{ELFCLASS64, ELFDATA2MSB},
                      Format{ELFCLASS32, ELFDATA2LSB}, Format{ELFCLASS32, ELFDATA2MSB}),
    [](const auto &info) {
      return std::string(info.param.elfClass == ELFCLASS64 ? "Elf64" : "Elf32") +
             (info.param.encoding == ELFDATA2LSB ? "Lsb" : "Msb");
    });

// --- names and layout -------------------------------------------------------

TEST(SectionWriter, ReusesAnExistingNameString) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o");
  CraftSpec spec = sampleObject();
  spec.sections.push_back({".rela.BTF", SHT_PROGBITS, 0, "r"}); // ".BTF\0" is its tail
  craftElf(in, spec);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("data")));
  ElfInfo before = readElf(in), after = readElf(out);
  expectNewSection(after, ".BTF", "data");
  EXPECT_EQ(after.sections[after.shstrndx].data, before.sections[before.shstrndx].data);
}

TEST(SectionWriter, KeepsLoadedSegmentsAndProgramHeaders) {
  TempDir t;
  std::string in = t.path("exe"), out = t.path("exe.out");
  CraftSpec spec = sampleObject();
  spec.type = ET_EXEC;
  spec.loadSegment = true;
  spec.sections[0].addr = 0x401000;
  spec.sections[1].addr = 0x401040;
  craftElf(in, spec);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("btf")));
  ElfInfo before = readElf(in), after = readElf(out);
  ASSERT_EQ(after.phdrs.size(), 1u);
  EXPECT_EQ(std::memcmp(&after.phdrs[0], &before.phdrs[0], sizeof(GElf_Phdr)), 0);
  EXPECT_EQ(after.ehdr.e_phoff, before.ehdr.e_phoff);
  EXPECT_EQ(after.ehdr.e_entry, before.ehdr.e_entry);
  const GElf_Phdr &p = before.phdrs[0];
  EXPECT_EQ(readFile(out).substr(p.p_offset, p.p_filesz),
            readFile(in).substr(p.p_offset, p.p_filesz));
  expectSectionsKept(before, after);
}

TEST(SectionWriter, KeepsUnknownTrailingBytes) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o");
  CraftSpec spec = sampleObject();
  spec.trailing = "~Module signature appended~\n";
  craftElf(in, spec);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("btf")));
  std::string a = readFile(in), b = readFile(out);
  ASSERT_GT(b.size(), a.size());
  EXPECT_EQ(b.substr(sizeof(Elf64_Ehdr), a.size() - sizeof(Elf64_Ehdr)),
            a.substr(sizeof(Elf64_Ehdr)));
  expectNewSection(readElf(out), ".BTF", "btf");
}

TEST(SectionWriter, DropsOnlyTheOldTablesFromTheTail) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o");
  craftElf(in, sampleObject());
  ElfInfo before = readElf(in);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("12345678")));
  // libelf puts the name table at index 1, in the middle: it moves (it grows)
  // and the old header table at the end is dropped.
  uint64_t lastSectionEnd = 0;
  for (const SectionInfo &s : before.sections)
    if (s.index != 0 && s.index != before.shstrndx && s.hdr.sh_type != SHT_NOBITS)
      lastSectionEnd = std::max(lastSectionEnd, s.hdr.sh_offset + s.hdr.sh_size);
  ElfInfo after = readElf(out);
  const SectionInfo &btf = *after.named(".BTF")[0];
  EXPECT_EQ(btf.hdr.sh_offset, (lastSectionEnd + 7) / 8 * 8);
  EXPECT_EQ(btf.hdr.sh_offset % 8, 0u);
  EXPECT_EQ(after.sections[after.shstrndx].hdr.sh_offset, btf.hdr.sh_offset + 8);
  EXPECT_EQ(after.ehdr.e_shoff % 8, 0u);
  EXPECT_EQ(fs::file_size(out), after.ehdr.e_shoff + after.sections.size() * sizeof(Elf64_Shdr));
}

TEST(SectionWriter, ReplacesLoadedSectionOnlyWithSameSize) {
  TempDir t;
  std::string path = t.path("vmlinux");
  CraftSpec spec = sampleObject();
  spec.type = ET_EXEC;
  spec.loadSegment = true;
  spec.sections[0].addr = 0x1000;
  spec.sections[1].addr = 0x1040;
  spec.sections.insert(spec.sections.begin() + 2,
                       {".BTF", SHT_PROGBITS, SHF_ALLOC, "old-btf!", 0x1100, 0, 0, 1});
  craftElf(path, spec);
  std::string original = readFile(path);
  ElfInfo before = readElf(path);

  Error e = writeElfWithSection(path, path, ".BTF", bytesOf("longer new btf"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(),
            path + ": section '.BTF' [4] is SHF_ALLOC (address 0x1100, 0x8 bytes in a loaded "
                   "segment) and can only be replaced by data of the same size, not 0xe bytes");
  EXPECT_EQ(readFile(path), original);

  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf("new-btf!")));
  ElfInfo after = readElf(path);
  const SectionInfo &s = *after.named(".BTF")[0];
  EXPECT_EQ(s.data, "new-btf!");
  EXPECT_EQ(s.hdr.sh_offset, before.named(".BTF")[0]->hdr.sh_offset) << "written in place";
  EXPECT_EQ(s.hdr.sh_flags, uint64_t{SHF_ALLOC});
  EXPECT_EQ(s.hdr.sh_addr, 0x1100u);
  EXPECT_EQ(after.sections.size(), before.sections.size());
}

TEST(SectionWriter, RelocatableAllocSectionMayChangeSize) {
  TempDir t;
  std::string path = t.path("prog.bpf.o");
  CraftSpec spec = sampleObject();
  spec.sections.push_back({".BTF", SHT_PROGBITS, SHF_ALLOC, "old", 0, 0, 0, 4});
  craftElf(path, spec);
  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf("a longer replacement")));
  ElfInfo info = readElf(path);
  const SectionInfo &s = *info.named(".BTF")[0];
  EXPECT_EQ(s.data, "a longer replacement");
  EXPECT_EQ(s.hdr.sh_flags, uint64_t{SHF_ALLOC});
}

TEST(SectionWriter, ReplacedSectionKeepsItsFlags) {
  TempDir t;
  std::string path = t.path("in.o");
  CraftSpec spec = sampleObject();
  spec.sections.push_back({".BTF", SHT_PROGBITS, SHF_EXCLUDE, "old", 0, 0, 0, 4});
  craftElf(path, spec);
  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf("new data")));
  ElfInfo info = readElf(path);
  const SectionInfo &s = *info.named(".BTF")[0];
  EXPECT_EQ(s.data, "new data");
  EXPECT_EQ(s.hdr.sh_flags, uint64_t{SHF_EXCLUDE});
  EXPECT_EQ(s.hdr.sh_addralign, 4u);
}

// --- extended section numbering --------------------------------------------

CraftSpec manySections(size_t total, bool nameTableLast) {
  CraftSpec spec;
  spec.nameTableLast = nameTableLast;
  // total = null section + fillers + .shstrtab
  spec.sections.assign(total - 2, CraftSection{".s", SHT_PROGBITS, 0, "", 0, 0, 0, 1});
  spec.sections.front().data = "first";
  return spec;
}

TEST(SectionWriter, SwitchesToExtendedNumberingAtTheLimit) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o");
  craftElf(in, manySections(SHN_LORESERVE - 1, false));
  ElfInfo before = readElf(in);
  ASSERT_EQ(before.ehdr.e_shnum, SHN_LORESERVE - 1);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("btf")));
  ElfInfo after = readElf(out);
  ASSERT_EQ(after.error, "");
  EXPECT_EQ(after.ehdr.e_shnum, 0);
  EXPECT_EQ(after.sections[0].hdr.sh_size, uint64_t{SHN_LORESERVE});
  EXPECT_EQ(after.sections.size(), size_t{SHN_LORESERVE});
  EXPECT_EQ(after.ehdr.e_shstrndx, 1);
  expectNewSection(after, ".BTF", "btf");
  EXPECT_EQ(after.named(".BTF")[0]->index, size_t{SHN_LORESERVE - 1});
}

TEST(SectionWriter, KeepsExtendedNameTableIndex) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o");
  craftElf(in, manySections(70000, true));
  ElfInfo before = readElf(in);
  ASSERT_EQ(before.error, "");
  ASSERT_EQ(before.ehdr.e_shnum, 0);
  ASSERT_EQ(before.ehdr.e_shstrndx, SHN_XINDEX);
  ASSERT_EQ(before.shstrndx, 69999u);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("btf")));
  ElfInfo after = readElf(out);
  ASSERT_EQ(after.error, "");
  EXPECT_EQ(after.ehdr.e_shnum, 0);
  EXPECT_EQ(after.ehdr.e_shstrndx, SHN_XINDEX);
  EXPECT_EQ(after.sections[0].hdr.sh_link, 69999u);
  EXPECT_EQ(after.sections[0].hdr.sh_size, 70001u);
  expectNewSection(after, ".BTF", "btf");
  EXPECT_EQ(after.sections[1].data, "first");
  EXPECT_EQ(after.sections[69999].name, ".shstrtab");
}

// --- errors -----------------------------------------------------------------

TEST(SectionWriterErrors, MissingInput) {
  TempDir t;
  std::string in = t.path("missing.o");
  Error e = writeElfWithSection(in, in, ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), in + ": cannot open: No such file or directory");
  EXPECT_TRUE(listDir(t.dir()).empty());
}

TEST(SectionWriterErrors, NotAnElf) {
  TempDir t;
  std::string in = t.path("text.o");
  writeFile(in, "this is not an ELF file\n");
  Error e = writeElfWithSection(in, in, ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), in + ": not an ELF file");
  EXPECT_EQ(readFile(in), "this is not an ELF file\n");
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"text.o"});
}

TEST(SectionWriterErrors, EmptyFile) {
  TempDir t;
  std::string in = t.path("empty");
  writeFile(in, "");
  Error e = writeElfWithSection(in, in, ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), in + ": not an ELF file");
}

TEST(SectionWriterErrors, Directory) {
  TempDir t;
  Error e = writeElfWithSection(t.dir().string(), t.path("out"), ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), t.dir().string() + ": not a regular file");
}

TEST(SectionWriterErrors, TruncatedSection) {
  TempDir t;
  std::string in = t.path("cut.o");
  craftElf(in, sampleObject());
  ElfInfo info = readElf(in);
  // Point .data past the end of the file by patching its sh_offset in the table.
  std::string bytes = readFile(in);
  Elf64_Shdr sh;
  size_t at = info.ehdr.e_shoff + 3 * sizeof(Elf64_Shdr);
  std::memcpy(&sh, bytes.data() + at, sizeof sh);
  ASSERT_EQ(sh.sh_size, 10u);
  sh.sh_offset = bytes.size() - 4;
  std::memcpy(bytes.data() + at, &sh, sizeof sh);
  writeFile(in, bytes);
  Error e = writeElfWithSection(in, in, ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), in + ": section [3] '.data' (offset 0x" +
                             fmt::format("{:x}", bytes.size() - 4) +
                             ", size 0xa) extends past the end of the file (0x" +
                             fmt::format("{:x}", bytes.size()) + " bytes)");
  EXPECT_EQ(readFile(in), bytes);
}

TEST(SectionWriterErrors, DuplicateTargetSections) {
  TempDir t;
  std::string in = t.path("dup.o");
  CraftSpec spec = sampleObject();
  spec.sections.push_back({".BTF", SHT_PROGBITS, 0, "a"});
  spec.sections.push_back({".BTF", SHT_PROGBITS, 0, "b"});
  craftElf(in, spec);
  Error e = writeElfWithSection(in, in, ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), in + ": more than one section named '.BTF' ([8] and [9])");
}

TEST(SectionWriterErrors, NameTableIsNotATarget) {
  TempDir t;
  std::string in = t.path("in.o");
  craftElf(in, sampleObject());
  Error e = writeElfWithSection(in, in, ".shstrtab", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), in + ": cannot replace the section name table '.shstrtab' [1]");
}

TEST(SectionWriterErrors, MissingOutputDirectory) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("no/such/dir/out.o");
  craftElf(in, sampleObject());
  Error e = writeElfWithSection(in, out, ".BTF", bytesOf("x"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), out + ": cannot create temporary file in " + t.path("no/such/dir") +
                             ": No such file or directory");
}

/// Runs `fn` in a child process that cannot override file permissions (as
/// root it becomes `nobody`) and returns the string `fn` produced.
std::string runUnprivileged(const std::function<std::string()> &fn) {
  int fds[2];
  if (pipe(fds) != 0)
    return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
      _exit(3);
    std::string s = fn();
    (void)!write(fds[1], s.data(), s.size());
    _exit(0);
  }
  close(fds[1]);
  std::string result;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    result.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "child failed with status " + std::to_string(status);
  return result;
}

TEST(SectionWriterErrors, ReadOnlyDirectory) {
  TempDir t;
  fs::permissions(t.dir(), fs::perms(0755));
  fs::create_directory(t.path("ro"));
  std::string in = t.path("ro/in.o");
  craftElf(in, sampleObject());
  fs::permissions(in, fs::perms(0666)); // the file is writable, its directory is not
  fs::permissions(t.dir() / "ro", fs::perms(0555));
  std::string original = readFile(in);
  std::string message = runUnprivileged(
      [&] { return writeElfWithSection(in, in, ".BTF", bytesOf("btf")).message(); });
  EXPECT_EQ(message,
            in + ": cannot create temporary file in " + t.path("ro") + ": Permission denied");
  EXPECT_EQ(readFile(in), original);
  EXPECT_EQ(listDir(t.dir() / "ro"), std::vector<std::string>{"in.o"});
}

TEST(SectionWriterErrors, ReadOnlyFileInPlace) {
  TempDir t;
  fs::permissions(t.dir(), fs::perms(0777));
  std::string in = t.path("in.o");
  craftElf(in, sampleObject());
  fs::permissions(in, fs::perms(0444));
  std::string original = readFile(in);
  std::string message = runUnprivileged(
      [&] { return writeElfWithSection(in, in, ".BTF", bytesOf("btf")).message(); });
  EXPECT_EQ(message, in + ": cannot write: Permission denied");
  EXPECT_EQ(readFile(in), original);
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"in.o"});
}

// --- in place: attributes, links, faults ------------------------------------

TEST(SectionWriterInPlace, KeepsModeAndOwner) {
  TempDir t;
  std::string path = t.path("prog");
  craftElf(path, sampleObject());
  ASSERT_EQ(chmod(path.c_str(), 0751), 0);
  bool root = geteuid() == 0;
  if (root) {
    ASSERT_EQ(chown(path.c_str(), 1234, 5678), 0);
  }
  struct stat before;
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  ASSERT_FALSE(writeElfWithSection(path, path, ".BTF", bytesOf("btf")));
  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_mode & 07777, 0751u);
  EXPECT_NE(after.st_ino, before.st_ino) << "replaced by rename";
  if (root) {
    EXPECT_EQ(after.st_uid, 1234u);
    EXPECT_EQ(after.st_gid, 5678u);
  }
  expectNewSection(readElf(path), ".BTF", "btf");
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"prog"});
}

TEST(SectionWriterInPlace, NewOutputGetsInputMode) {
  TempDir t;
  std::string in = t.path("prog"), out = t.path("prog.btf");
  craftElf(in, sampleObject());
  ASSERT_EQ(chmod(in.c_str(), 0755), 0);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("btf")));
  EXPECT_EQ(fs::status(out).permissions(), fs::perms(0755));
}

TEST(SectionWriterInPlace, WritesThroughSymbolicLink) {
  TempDir t;
  std::string target = t.path("real.o"), link = t.path("link.o");
  craftElf(target, sampleObject());
  fs::create_symlink("real.o", link);
  ASSERT_FALSE(writeElfWithSection(link, link, ".BTF", bytesOf("btf")));
  EXPECT_TRUE(fs::is_symlink(link));
  expectNewSection(readElf(target), ".BTF", "btf");
}

TEST(SectionWriterInPlace, FailedRenameLeavesInputUntouched) {
  TempDir t;
  std::string path = t.path("obj.o");
  craftElf(path, sampleObject());
  std::string original = readFile(path);
  FailingFileOps ops(FileOp::Rename, 1, EXDEV);
  Error e = writeElfWithSection(path, path, ".BTF", bytesOf("btf"), ops);
  ASSERT_TRUE(e);
  EXPECT_TRUE(ops.fired());
  EXPECT_TRUE(std::regex_match(
      e.message(),
      std::regex(regexQuote(path + ": cannot rename temporary file " + t.path(".obj.o.tmp-")) +
                 "[0-9]+-[A-Za-z0-9]{6}: Invalid cross-device link")))
      << e.message();
  EXPECT_EQ(readFile(path), original);
  EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"obj.o"});
}

TEST(SectionWriterInPlace, CopiesThroughMemoryWhenTheKernelCannot) {
  TempDir t;
  std::string in = t.path("in.o"), out = t.path("out.o"), ref = t.path("ref.o");
  craftElf(in, sampleObject());
  ASSERT_FALSE(writeElfWithSection(in, ref, ".BTF", bytesOf("btf")));
  FailingFileOps ops(FileOp::CopyRange, 1, EXDEV);
  ASSERT_FALSE(writeElfWithSection(in, out, ".BTF", bytesOf("btf"), ops));
  EXPECT_TRUE(ops.fired());
  EXPECT_EQ(readFile(out), readFile(ref));
}

// Fails every file-system call in turn: each failure is reported, the input
// stays byte-identical and no temporary file is left behind. The directory
// sync after the rename is the one call whose failure is not an error.
TEST(SectionWriterInPlace, EveryFailingCallLeavesInputUntouched) {
  const FileOp ops[] = {FileOp::Open,      FileOp::Access, FileOp::CreateTemp, FileOp::Write,
                        FileOp::CopyRange, FileOp::Fsync,  FileOp::Chmod,      FileOp::Chown,
                        FileOp::Rename,    FileOp::Close};
  int checked = 0;
  for (FileOp op : ops) {
    for (unsigned nth = 1;; ++nth) {
      TempDir t;
      std::string path = t.path("obj.o");
      craftElf(path, sampleObject());
      std::string original = readFile(path);
      FailingFileOps failing(op, nth, EIO);
      Error e = writeElfWithSection(path, path, ".BTF", bytesOf("btf"), failing);
      if (!failing.fired())
        break;
      SCOPED_TRACE("operation " + std::to_string(static_cast<int>(op)) + " call " +
                   std::to_string(nth));
      bool renamed = failing.calls(FileOp::Rename) > 0 && !(op == FileOp::Rename && nth == 1);
      if (renamed) {
        // Only the directory sync (open/fsync/close of the directory) comes after the rename.
        EXPECT_FALSE(e) << e.message();
        expectNewSection(readElf(path), ".BTF", "btf");
      } else {
        ASSERT_TRUE(e);
        EXPECT_NE(e.message().find("Input/output error"), std::string::npos) << e.message();
        EXPECT_EQ(e.message().rfind(path + ": ", 0), 0u) << e.message();
        EXPECT_EQ(readFile(path), original);
      }
      EXPECT_EQ(listDir(t.dir()), std::vector<std::string>{"obj.o"});
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
}

} // namespace
} // namespace d2b::test
