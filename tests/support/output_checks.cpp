#include "output_checks.h"

#include <algorithm>
#include <fcntl.h>
#include <libelf.h>
#include <regex>
#include <unistd.h>

namespace d2b::test {

std::vector<const SectionInfo *> ElfInfo::named(const std::string &name) const {
  std::vector<const SectionInfo *> out;
  for (const SectionInfo &s : sections)
    if (s.index != 0 && s.name == name)
      out.push_back(&s);
  return out;
}

std::string regexQuote(const std::string &text) {
  return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

std::vector<std::string> listDir(const std::filesystem::path &dir) {
  std::vector<std::string> names;
  for (const auto &e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

ElfInfo readElf(const std::string &path) {
  ElfInfo info;
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    info.error = "cannot open " + path;
    return info;
  }
  Elf *elf = elf_begin(fd, ELF_C_READ, nullptr);
  auto fail = [&](const std::string &what) {
    info.error = what + ": " + elf_errmsg(-1);
    if (elf)
      elf_end(elf);
    close(fd);
    return info;
  };
  if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &info.ehdr))
    return fail("not an ELF file");
  size_t shnum = 0, phnum = 0;
  if (elf_getshdrnum(elf, &shnum) || elf_getshdrstrndx(elf, &info.shstrndx) ||
      elf_getphdrnum(elf, &phnum))
    return fail("bad counts");
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr p;
    if (!gelf_getphdr(elf, static_cast<int>(i), &p))
      return fail("bad program header");
    info.phdrs.push_back(p);
  }
  for (size_t i = 0; i < shnum; ++i) {
    SectionInfo s;
    s.index = i;
    Elf_Scn *scn = elf_getscn(elf, i);
    if (!scn || !gelf_getshdr(scn, &s.hdr))
      return fail("bad section header " + std::to_string(i));
    if (i != 0) {
      const char *name = elf_strptr(elf, info.shstrndx, s.hdr.sh_name);
      if (!name)
        return fail("bad section name " + std::to_string(i));
      s.name = name;
      if (s.hdr.sh_type != SHT_NOBITS && s.hdr.sh_size != 0) {
        Elf_Data *d = elf_rawdata(scn, nullptr);
        if (!d)
          return fail("bad section data " + std::to_string(i));
        s.data.assign(static_cast<const char *>(d->d_buf), d->d_size);
      }
    }
    info.sections.push_back(std::move(s));
  }
  elf_end(elf);
  close(fd);
  return info;
}

} // namespace d2b::test
