// DwarfHandle::releaseDebugInfo drops pages of the mapped .debug_info (and
// releaseSideSections those of the other debug sections); what libdw reads
// afterwards must be unchanged (the pages come back from the file), for
// mapped inputs and for libdwfl (ET_REL) handles alike.
#include <gtest/gtest.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "dwarf2btf/dwarf/units.h"
#include "dwarf2btf/elf/elf_input.h"
#include "test_support.h"

using namespace d2b;

namespace {

/// Name and DIE count of every unit, read through `dw`.
std::vector<std::string> walkAll(Dwarf *dw, const std::string &file) {
  std::vector<std::string> out;
  auto units = dwarf::listUnits(dw, file);
  EXPECT_TRUE(bool(units)) << units.error().message();
  if (!units)
    return out;
  for (const dwarf::UnitRef &u : *units) {
    auto cu = dwarf::unitDie(dw, u, file);
    EXPECT_TRUE(bool(cu));
    if (!cu)
      continue;
    const char *name = dwarf_diename(&*cu);
    size_t dies = 0;
    Dwarf_Die c;
    if (dwarf_child(&*cu, &c) == 0)
      do
        ++dies;
      while (dwarf_siblingof(&c, &c) == 0);
    out.push_back(std::string(name ? name : "?") + ":" + std::to_string(dies));
  }
  return out;
}

void expectSameAfterRelease(const std::string &fixture) {
  const std::string path = test::testdata(fixture);
  auto in = elf::ElfInput::open(path);
  ASSERT_TRUE(bool(in)) << in.error().message();
  auto h = (*in)->openDwarf();
  ASSERT_TRUE(bool(h)) << h.error().message();
  const std::vector<std::string> before = walkAll(h->dwarf(), path);
  ASSERT_FALSE(before.empty());
  h->releaseDebugInfo(64); // less than a page: nothing to drop
  h->releaseDebugInfo();   // all of it
  (*in)->primary().releaseDebugInfo();
  EXPECT_EQ(walkAll(h->dwarf(), path), before);
  EXPECT_EQ(walkAll((*in)->primary().dwarf(), path), before);
}

/// Every debug section's bytes as the handle's ELF holds them, by name.
std::map<std::string, std::string> debugSections(Elf *elf) {
  std::map<std::string, std::string> out;
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    return out;
  for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : nullptr;
    Elf_Data *d =
        name && std::string_view(name).starts_with(".debug_") ? elf_rawdata(scn, nullptr) : nullptr;
    if (d && d->d_buf)
      out[name] = std::string(static_cast<const char *>(d->d_buf), d->d_size);
  }
  return out;
}

void expectSameAfterSideRelease(const std::string &fixture) {
  const std::string path = test::testdata(fixture);
  auto in = elf::ElfInput::open(path);
  ASSERT_TRUE(bool(in)) << in.error().message();
  auto h = (*in)->openDwarf();
  ASSERT_TRUE(bool(h)) << h.error().message();
  const std::vector<std::string> walked = walkAll(h->dwarf(), path);
  const std::map<std::string, std::string> before = debugSections(h->elf());
  ASSERT_TRUE(before.contains(".debug_abbrev"));
  h->releaseSideSections();
  h->releaseSideSections(); // twice: nothing left to drop
  EXPECT_EQ(debugSections(h->elf()), before);
  EXPECT_EQ(walkAll(h->dwarf(), path), walked);
}

TEST(ElfRelease, SideSectionsReadTheSameAfterRelease) {
  expectSameAfterSideRelease("bin/multi.gcc.dwarf5.O2.exe");
  expectSameAfterSideRelease("bin/multi.clang.dwarf5.O2.lld.exe");
  expectSameAfterSideRelease("bin/multi.gcc.dwarf5.O2.ldr.o");
  expectSameAfterSideRelease("bin/kinds.gcc.dwarf5.O2.zstd.o");
}

/// The raw data of the section called `name`, or null.
Elf_Data *rawSection(Elf *elf, std::string_view name) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    return nullptr;
  for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : nullptr;
    if (n && n == name)
      return elf_rawdata(scn, nullptr);
  }
  return nullptr;
}

/// Pages among the whole pages inside [p, p+n) that this process has
/// mapped (/proc/self/pagemap's "present" bit; mincore would answer for the
/// page cache, which keeps the file's pages either way).
size_t mappedPages(const char *p, size_t n) {
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t from = (uintptr_t(p) + page - 1) & ~(page - 1);
  const uintptr_t to = (uintptr_t(p) + n) & ~(page - 1);
  if (to <= from)
    return 0;
  std::vector<uint64_t> entries((to - from) / page);
  const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return SIZE_MAX;
  const ssize_t want = ssize_t(entries.size() * 8);
  const ssize_t got = pread(fd, entries.data(), size_t(want), off_t(from / page * 8));
  close(fd);
  if (got != want)
    return SIZE_MAX;
  return size_t(
      std::count_if(entries.begin(), entries.end(), [](uint64_t e) { return (e >> 63) & 1; }));
}

// The fixtures' sections are smaller than a page, so nothing is dropped
// there; vmlinux's .debug_abbrev (5 MB) shows that pages do go, and come
// back with the same bytes.
TEST(ElfRelease, VmlinuxSideSectionsAreDroppedAndReadTheSame) {
  const std::string path = test::debugVmlinux();
  if (path.empty())
    GTEST_SKIP() << "no debug vmlinux (linux-image-*-dbg)";
  auto in = elf::ElfInput::open(path);
  ASSERT_TRUE(bool(in)) << in.error().message();
  auto h = (*in)->openDwarf();
  ASSERT_TRUE(bool(h)) << h.error().message();
  Elf_Data *abbrev = rawSection(h->elf(), ".debug_abbrev");
  ASSERT_TRUE(abbrev && abbrev->d_buf && abbrev->d_size > (1u << 20));
  const char *mapped = static_cast<const char *>(abbrev->d_buf);
  const std::string copy(mapped, abbrev->d_size); // touches every page
  const size_t before = mappedPages(mapped, copy.size());
  if (before == SIZE_MAX)
    GTEST_SKIP() << "cannot read /proc/self/pagemap";
  ASSERT_GT(before, copy.size() / 8192);
  h->releaseSideSections();
  EXPECT_EQ(mappedPages(mapped, copy.size()), 0u);
  EXPECT_EQ(std::string_view(mapped, copy.size()), copy); // faulted back in from the file
}

TEST(ElfRelease, MappedExecutableReadsTheSameAfterRelease) {
  expectSameAfterRelease("bin/multi.gcc.dwarf5.O2.exe");
}

TEST(ElfRelease, RelocatableObjectIsUnaffected) {
  expectSameAfterRelease("bin/multi.gcc.dwarf5.O2.ldr.o");
}

TEST(ElfRelease, DecompressedImageReadsTheSameAfterRelease) {
  expectSameAfterRelease("bin/kinds.gcc.dwarf5.O2.zstd.o");
}

TEST(ElfRelease, MovedHandleStillReleasesSafely) {
  const std::string path = test::testdata("bin/multi.clang.dwarf5.O2.lld.exe");
  auto in = elf::ElfInput::open(path);
  ASSERT_TRUE(bool(in));
  auto h = (*in)->openDwarf();
  ASSERT_TRUE(bool(h));
  elf::DwarfHandle moved = std::move(*h);
  h->releaseDebugInfo(); // moved-from: no mapping, no-op
  const std::vector<std::string> before = walkAll(moved.dwarf(), path);
  moved.releaseDebugInfo();
  EXPECT_EQ(walkAll(moved.dwarf(), path), before);
}

TEST(ElfRelease, HandlesOfAnExecutableShareOneMapping) {
  for (const char *fixture : {"bin/multi.gcc.dwarf5.O2.exe", "bin/multi.clang.dwarf5.O2.lld.exe"}) {
    SCOPED_TRACE(fixture);
    const std::string path = test::testdata(fixture);
    auto in = elf::ElfInput::open(path);
    ASSERT_TRUE(bool(in)) << in.error().message();
    auto a = (*in)->openDwarf(), b = (*in)->openDwarf();
    ASSERT_TRUE(a && b);
    EXPECT_TRUE((*in)->primary().sharesMapping());
    EXPECT_TRUE(a->sharesMapping() && b->sharesMapping());
    const auto sa = debugSections(a->elf()), sb = debugSections(b->elf());
    EXPECT_EQ(sa, sb);
    size_t shstrndx = 0;
    ASSERT_EQ(elf_getshdrstrndx(a->elf(), &shstrndx), 0);
    // Not copies: the same bytes at the same address.
    for (Elf *e : {a->elf(), b->elf()}) {
      size_t n = 0;
      EXPECT_EQ(elf_rawfile(e, &n), elf_rawfile(a->elf(), nullptr));
    }
    // The handles live on without the input or each other.
    const std::vector<std::string> walked = walkAll(a->dwarf(), path);
    in->reset();
    a->releaseDebugInfo();
    *a = elf::DwarfHandle();
    EXPECT_EQ(walkAll(b->dwarf(), path), walked);
  }
}

TEST(ElfRelease, RelocatableAndCompressedInputsKeepAMappingPerHandle) {
  for (const char *fixture : {"bin/multi.gcc.dwarf5.O2.ldr.o", "bin/kinds.gcc.dwarf5.O2.zstd.o"}) {
    SCOPED_TRACE(fixture);
    auto in = elf::ElfInput::open(test::testdata(fixture));
    ASSERT_TRUE(bool(in)) << in.error().message();
    auto h = (*in)->openDwarf();
    ASSERT_TRUE(bool(h));
    EXPECT_FALSE(h->sharesMapping());
    EXPECT_FALSE((*in)->primary().sharesMapping());
  }
}

// On a shared mapping the release mark is common: what one handle gave back
// another does not give back again (the walk publishes the lowest unit any
// worker still reads), while dropDebugInfo gives back pages below the mark
// that were read again.
TEST(ElfRelease, VmlinuxSharedReleaseMarkIsCommon) {
  const std::string path = test::debugVmlinux();
  if (path.empty())
    GTEST_SKIP() << "no debug vmlinux (linux-image-*-dbg)";
  auto in = elf::ElfInput::open(path);
  ASSERT_TRUE(bool(in)) << in.error().message();
  auto a = (*in)->openDwarf(), b = (*in)->openDwarf();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->sharesMapping() && b->sharesMapping());
  Elf_Data *infoData = rawSection(a->elf(), ".debug_info");
  ASSERT_TRUE(infoData && infoData->d_buf);
  const char *info = static_cast<const char *>(infoData->d_buf);
  constexpr size_t kLen = size_t(8) << 20;
  const std::string copy(info, kLen); // maps the first 8 MB
  const size_t mapped = mappedPages(info, kLen);
  if (mapped == SIZE_MAX)
    GTEST_SKIP() << "cannot read /proc/self/pagemap";
  ASSERT_GT(mapped, kLen / 8192);
  a->releaseDebugInfo(kLen);
  EXPECT_LT(mappedPages(info, kLen), 2u);        // the first page may hold the section before
  EXPECT_EQ(std::string_view(info, kLen), copy); // read again, through either handle
  b->releaseDebugInfo(kLen / 2);                 // below the common mark: nothing
  EXPECT_GT(mappedPages(info, kLen / 2), kLen / 16384); // the first half still mapped
  b->dropDebugInfo(kLen / 2);
  EXPECT_LT(mappedPages(info, kLen / 2), 2u);
  EXPECT_GT(mappedPages(info + kLen / 2, kLen / 2), kLen / 16384); // still mapped
}

} // namespace
