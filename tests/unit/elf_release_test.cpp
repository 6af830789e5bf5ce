// DwarfHandle::releaseDebugInfo drops pages of the mapped .debug_info; what
// libdw reads afterwards must be unchanged (the pages come back from the
// file), for mapped inputs and for libdwfl (ET_REL) handles alike.
#include <gtest/gtest.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

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

} // namespace
