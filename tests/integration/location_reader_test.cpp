// LocationReader lists DW_AT_location values from the section bytes instead
// of libdw's dwarf_getlocations (whose cache grows until dwarf_end). Where it
// answers, it must list exactly what libdw lists: the same entries, the same
// operations, and for DW_OP_entry_value the sub-expression libdw's
// dwarf_getlocation_attr + dwarf_getlocation give. Files are opened as the
// tool opens them (ElfInput: relocated, decompressed), over fixtures from
// gcc, clang and rustc (DWARF 4 and 5, executables, shared objects,
// relocatable objects, LTO), a hand-written unit with every loclists entry
// kind and broken lists, and a distribution vmlinux when installed.
#include <cstdio>
#include <filesystem>
#include <functional>

#include <dwarf.h>
#include <gtest/gtest.h>

#include "dwarf2btf/dwarf/location_reader.h"
#include "dwarf2btf/dwarf/units.h"
#include "dwarf2btf/elf/elf_input.h"
#include "e2e_support.h"
#include "test_support.h"

using d2b::dwarf::LocationList;
using d2b::dwarf::LocationReader;

namespace {

struct Op {
  unsigned atom;
  Dwarf_Word number, number2;
  bool operator==(const Op &) const = default;
};
using Entry = std::vector<Op>;

std::string show(const std::vector<Entry> &list) {
  std::string s;
  for (const Entry &e : list) {
    s += "[";
    for (const Op &o : e)
      s += " " + std::to_string(o.atom) + ":" + std::to_string(o.number) + ":" +
           std::to_string(o.number2);
    s += " ]";
  }
  return s;
}

// DW_OP_entry_value's sub-expression as our reader reports it: its number of
// operations (or kSubInvalid) and the atom of its first.
bool isEntryValue(unsigned atom) {
  return atom == DW_OP_entry_value || atom == DW_OP_GNU_entry_value;
}
bool hasBlockOperand(unsigned atom) {
  return isEntryValue(atom) || atom == DW_OP_implicit_value || atom == DW_OP_const_type ||
         atom == DW_OP_GNU_const_type;
}

Op normalized(Dwarf_Attribute &attr, const Dwarf_Op &op) {
  Op o{op.atom, op.number, op.number2};
  if (isEntryValue(op.atom)) {
    Dwarf_Attribute sub;
    Dwarf_Op *subOps = nullptr;
    size_t subN = 0;
    if (dwarf_getlocation_attr(&attr, &op, &sub) == 0 &&
        dwarf_getlocation(&sub, &subOps, &subN) == 0)
      o.number2 = subN * 0x10000 + (subN ? subOps[0].atom : 0);
    else
      o.number2 = LocationList::kSubInvalid;
  } else if (hasBlockOperand(op.atom)) {
    o.number2 = 0; // libdw's pointer into the data
  }
  return o;
}

std::vector<Entry> libdwList(Dwarf_Attribute &attr) {
  std::vector<Entry> out;
  Dwarf_Addr base, start, end;
  Dwarf_Op *ops;
  size_t n;
  for (ptrdiff_t off = 0;
       (off = dwarf_getlocations(&attr, off, &base, &start, &end, &ops, &n)) > 0;) {
    Entry e;
    for (size_t i = 0; i < n; ++i)
      e.push_back(normalized(attr, ops[i]));
    out.push_back(e);
  }
  return out;
}

std::vector<Entry> ourList(const LocationList &list) {
  std::vector<Entry> out;
  for (size_t e = 0; e < list.entries(); ++e) {
    Entry en;
    for (const Dwarf_Op &op : list.entry(e)) {
      Op o{op.atom, op.number, op.number2};
      if (isEntryValue(op.atom))
        o.number2 = op.number2 == LocationList::kSubInvalid
                        ? LocationList::kSubInvalid
                        : op.number2 * 0x10000 + (op.number2 ? op.offset : 0);
      else if (hasBlockOperand(op.atom))
        o.number2 = 0;
      en.push_back(o);
    }
    out.push_back(en);
  }
  return out;
}

struct Counts {
  size_t units = 0, read = 0, unsupported = 0, entries = 0, entryValues = 0;
};

void forEachDie(Dwarf_Die &parent, const std::function<void(Dwarf_Die &)> &f) {
  Dwarf_Die c;
  if (!dwarf_haschildren(&parent) || dwarf_child(&parent, &c) != 0)
    return;
  do {
    f(c);
    forEachDie(c, f);
  } while (dwarf_siblingof(&c, &c) == 0);
}

void compareFile(const std::string &path, Counts &n, size_t stride = 1) {
  auto in = d2b::elf::ElfInput::open(path);
  ASSERT_TRUE(in) << in.error().message();
  auto handle = (*in)->openDwarf();
  ASSERT_TRUE(handle) << handle.error().message();
  Dwarf *dw = handle->dwarf();
  auto units = d2b::dwarf::listUnits(dw, path);
  ASSERT_TRUE(units) << units.error().message();
  for (size_t i = 0; i < units->size(); i += stride) {
    const d2b::dwarf::UnitRef &u = (*units)[i];
    auto die = d2b::dwarf::unitDie(dw, u, path);
    ASSERT_TRUE(die);
    ++n.units;
    LocationReader reader(*die, u.headerOffset);
    LocationList list;
    forEachDie(*die, [&](Dwarf_Die &d) {
      Dwarf_Attribute a;
      if (!dwarf_attr(&d, DW_AT_location, &a))
        return;
      if (reader.read(a, list) == LocationReader::Status::Unsupported) {
        ++n.unsupported;
        return;
      }
      ++n.read;
      std::vector<Entry> want = libdwList(a), got = ourList(list);
      n.entries += got.size();
      for (const Entry &e : got)
        for (const Op &o : e)
          n.entryValues += isEntryValue(o.atom);
      ASSERT_EQ(show(got), show(want)) << path << ": DIE " << std::hex << dwarf_dieoffset(&d);
    });
  }
}

TEST(LocationReader, ListsWhatLibdwListsOnFixtures) {
  Counts n;
  std::vector<std::string> files;
  for (const char *dir : {"bin", "bin/lto", "bin/rust"})
    for (const auto &e : std::filesystem::directory_iterator(d2b::test::testdata(dir))) {
      const std::string p = e.path().string();
      if (e.is_regular_file() && (p.ends_with(".o") || p.ends_with(".so") || p.ends_with(".exe")))
        files.push_back(p);
    }
  files.push_back(d2b::test::testdata("cross/big_endian.s390x.dwarf3.o"));
  std::sort(files.begin(), files.end());
  for (const std::string &f : files) {
    SCOPED_TRACE(f);
    compareFile(f, n);
  }
  std::printf("files %zu units %zu locations read %zu (entries %zu, entry values %zu), left to "
              "libdw %zu\n",
              files.size(), n.units, n.read, n.entries, n.entryValues, n.unsupported);
  EXPECT_GT(files.size(), 40u);
  EXPECT_GT(n.read, 1000u);
  EXPECT_GT(n.entries, n.read) << "location lists, not only single expressions";
  EXPECT_GT(n.entryValues, 10u);
  EXPECT_LE(n.unsupported * 100, n.read) << "at most 1% left to libdw";
}

// A hand-written DWARF 5 unit: each DW_LLE kind, an entry value, an empty
// expression, lists cut short by an unknown entry kind, a truncated
// operation and an address index past .debug_addr, a DWARF 4 style block.
TEST(LocationReader, ListsWhatLibdwListsOnHandWrittenLists) {
  if (!d2b::test::haveProgram("gcc"))
    GTEST_SKIP() << "gcc (assembler driver) not installed";
  d2b::test::TempDir dir;
  const std::string obj = dir.path("loc.o");
  auto as = d2b::test::run("gcc -c " +
                           d2b::test::e2e::quote(d2b::test::testdata("dwarf-asm/loclists.s")) +
                           " -o " + d2b::test::e2e::quote(obj));
  ASSERT_EQ(as.status, 0) << as.err;
  Counts n;
  compareFile(obj, n);
  std::printf("locations read %zu (entries %zu), left to libdw %zu\n", n.read, n.entries,
              n.unsupported);
  EXPECT_EQ(n.read, 9u);
  EXPECT_EQ(n.unsupported, 1u) << "the unknown operation";
}

// A distribution kernel's units: every 16th.
TEST(LocationReader, ListsWhatLibdwListsOnADebugVmlinux) {
  const std::string vmlinux = d2b::test::debugVmlinux();
  if (vmlinux.empty())
    GTEST_SKIP() << "no /usr/lib/debug/boot/vmlinux-* (install linux-image-*-dbg)";
  Counts n;
  compareFile(vmlinux, n, 16);
  std::printf("%s: units %zu locations read %zu (entries %zu, entry values %zu), left to libdw "
              "%zu\n",
              vmlinux.c_str(), n.units, n.read, n.entries, n.entryValues, n.unsupported);
  EXPECT_GT(n.read, 10000u);
  EXPECT_LE(n.unsupported * 100, n.read);
}

} // namespace
