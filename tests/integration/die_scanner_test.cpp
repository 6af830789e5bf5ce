// DieScanner reads a unit's DIE tree front to back instead of through libdw's
// dwarf_child/dwarf_siblingof. On every unit of fixtures from gcc, clang and
// rustc (DWARF 4 and 5, .debug_types and DWARF 5 type units, compressed
// sections, LTO units that refer to each other) it must give libdw's answers:
// the same pre-order walk for any choice of subtrees to descend, the same
// next sibling, and the same attribute values. A unit it cannot read in full
// must be refused before anything is reported, so the caller can use libdw.
#include <filesystem>
#include <optional>
#include <string_view>

#include <gelf.h>

#include <gtest/gtest.h>

#include "../../src/dwarf/die_scanner.h"
#include "../../src/dwarf/die_util.h"
#include "e2e_support.h"
#include "libdw_support.h"
#include "test_support.h"

using d2b::dwarf::AbbrevCache;
using d2b::dwarf::DieAttrs;
using d2b::dwarf::DieScanner;

namespace {

struct Unit {
  Dwarf_Die die;
  uint64_t headerOffset, dieOffset;
  uint64_t nextOffset; // libdw's offset of the next unit
};

std::vector<Unit> unitsOf(Dwarf *dw) {
  std::vector<Unit> out;
  for (bool types : {false, true}) {
    Dwarf_Off off = 0, next = 0;
    size_t hsize = 0;
    uint64_t sig = 0;
    Dwarf_Off typeOff = 0;
    while (dwarf_next_unit(dw, off, &next, &hsize, nullptr, nullptr, nullptr, nullptr,
                           types ? &sig : nullptr, types ? &typeOff : nullptr) == 0) {
      Unit u{};
      u.headerOffset = off;
      u.dieOffset = off + hsize;
      u.nextOffset = next;
      if (types ? dwarf_offdie_types(dw, u.dieOffset, &u.die)
                : dwarf_offdie(dw, u.dieOffset, &u.die))
        out.push_back(u);
      off = next;
    }
  }
  return out;
}

// The reference: libdw's pre-order walk, descending where `descend` says.
template <class Descend>
std::vector<std::pair<const void *, int>> libdwWalk(Dwarf_Die &unit, Descend &&descend) {
  std::vector<std::pair<const void *, int>> out;
  std::vector<std::pair<Dwarf_Die, int>> stack; // DIE, depth
  Dwarf_Die c;
  if (dwarf_child(&unit, &c) == 0)
    stack.push_back({c, 1});
  while (!stack.empty()) {
    auto [d, depth] = stack.back();
    stack.pop_back();
    out.push_back({d.addr, dwarf_tag(&d)});
    Dwarf_Die s;
    if (dwarf_siblingof(&d, &s) == 0)
      stack.push_back({s, depth});
    if (descend(dwarf_tag(&d)) && dwarf_haschildren(&d) && dwarf_child(&d, &s) == 0)
      stack.push_back({s, depth + 1});
  }
  return out;
}

/// A DieScanner reset for unit `u`, with the abbreviation cache it uses.
struct UnitScanner {
  AbbrevCache cache;
  DieScanner scanner;
  bool ok = false; // reset() accepted the unit
  /// `classify`: with DieAttrs' classifier, as the encoder sets it (kept
  /// attributes of fixed-size abbreviations at precomputed offsets).
  explicit UnitScanner(const Unit &u, bool classify = true) {
    if (classify)
      scanner.setClassifier(&DieAttrs::slotFor);
    const unsigned char *end = AbbrevCache::unitEnd(u.die, u.headerOffset, u.dieOffset);
    cache.reset(u.die.cu, end);
    ok = scanner.reset(u.die, u.headerOffset, u.dieOffset, end, cache);
  }
};

/// scan() visiting every subtree (descend) or none.
bool scanAll(DieScanner &scanner, bool descend, std::vector<DieScanner::Entry> &got) {
  got.clear();
  return scanner.scan(
      0,
      [descend](int, uint8_t) {
        return DieScanner::Step{descend, 0};
      },
      got);
}

/// testdata/`rel` assembled with gcc into `dir`, or "" (and a failure) when
/// gcc cannot assemble it.
std::string assemble(d2b::test::TempDir &dir, const std::string &rel) {
  const std::string obj = dir.path("asm.o");
  auto as = d2b::test::run("gcc -c " + d2b::test::e2e::quote(d2b::test::testdata(rel)) + " -o " +
                           d2b::test::e2e::quote(obj));
  EXPECT_EQ(as.status, 0) << as.err;
  return as.status == 0 ? obj : "";
}

struct Counts {
  size_t dies = 0, siblingsFound = 0, attrsCompared = 0, units = 0;
  size_t childrenFound = 0, refsResolved = 0, stringsRead = 0;
  size_t trackedDies = 0; // read through the classifier's precomputed offsets
};

/// scanner.firstChild(d) against dwarf_haschildren + dwarf_child.
void expectSameFirstChild(DieScanner &scanner, Dwarf_Die d, Counts &n) {
  Dwarf_Die mine, theirs;
  const bool has = dwarf_haschildren(&d) && dwarf_child(&d, &theirs) == 0;
  switch (scanner.firstChild(d, mine)) {
  case DieScanner::Sibling::Found:
    ++n.childrenFound;
    ASSERT_TRUE(has) << "DIE " << dwarf_dieoffset(&d);
    EXPECT_EQ(mine.addr, theirs.addr);
    EXPECT_EQ(mine.cu, theirs.cu);
    if (mine.abbrev) {
      EXPECT_EQ(dwarf_tag(&mine), dwarf_tag(&theirs));
    }
    break;
  case DieScanner::Sibling::None:
    EXPECT_FALSE(has) << "DIE " << dwarf_dieoffset(&d);
    break;
  case DieScanner::Sibling::Unknown:
    break;
  }
}

void compareFile(const std::string &path, Counts &n, size_t stride = 1, bool classify = true) {
  d2b::test::OpenedDwarf o(path);
  ASSERT_NE(o.dw, nullptr) << path;
  std::vector<Unit> units = unitsOf(o.dw);
  for (size_t i = 0; i < units.size(); i += stride) {
    Unit &u = units[i];
    SCOPED_TRACE("unit at " + std::to_string(u.dieOffset));
    UnitScanner us(u, classify);
    ASSERT_TRUE(us.ok);
    DieScanner &scanner = us.scanner;
    ++n.units;
    // The unit's end, from its length in the file's byte order.
    const auto *section = static_cast<const unsigned char *>(u.die.addr) - u.dieOffset;
    EXPECT_EQ(AbbrevCache::unitEnd(u.die, u.headerOffset, u.dieOffset), section + u.nextOffset);
    // Descend everywhere, then only into some tags (the rest skipped, by
    // DW_AT_sibling where the producer gives it).
    for (int rule = 0; rule < 2; ++rule) {
      auto descend = [rule](int tag) {
        return rule == 0 || tag == DW_TAG_subprogram || tag == DW_TAG_structure_type ||
               tag == DW_TAG_namespace || tag == DW_TAG_lexical_block;
      };
      std::vector<DieScanner::Entry> got;
      ASSERT_TRUE(scanner.scan(
          7,
          [&](int tag, uint8_t scope) {
            return DieScanner::Step{descend(tag), uint8_t(scope + 1)};
          },
          got));
      auto want = libdwWalk(u.die, descend);
      ASSERT_EQ(got.size(), want.size()) << "rule " << rule;
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(static_cast<const void *>(got[i].addr), want[i].first)
            << "rule " << rule << " #" << i;
        Dwarf_Die d{};
        d.addr = const_cast<unsigned char *>(got[i].addr);
        d.cu = u.die.cu;
        d.abbrev = got[i].abbrev;
        EXPECT_EQ(dwarf_tag(&d), want[i].second);
        EXPECT_GE(got[i].scope, 7);
        EXPECT_EQ(got[i].tag, want[i].second);
      }
      // Listing only some of the visited DIEs: the same ones, in order, and
      // all of them counted.
      auto keep = [](const DieScanner::Info &info, uint8_t scope) {
        return info.tag == DW_TAG_subprogram || info.tag == DW_TAG_member || scope % 2 == 0;
      };
      std::vector<DieScanner::Entry> kept;
      ASSERT_TRUE(scanner.scan(
          7,
          [&](int tag, uint8_t scope) {
            return DieScanner::Step{descend(tag), uint8_t(scope + 1)};
          },
          keep, kept));
      EXPECT_EQ(scanner.visitedCount(), got.size());
      std::vector<const unsigned char *> want2, got2;
      for (const DieScanner::Entry &e : got)
        if (e.tag == DW_TAG_subprogram || e.tag == DW_TAG_member || e.scope % 2 == 0)
          want2.push_back(e.addr);
      for (const DieScanner::Entry &e : kept)
        got2.push_back(e.addr);
      EXPECT_EQ(got2, want2) << "rule " << rule;
    }
    // Every DIE: next sibling and attribute values as libdw reads them.
    for (auto [addr, tag] : libdwWalk(u.die, [](int) { return true; })) {
      Dwarf_Die d{};
      d.addr = const_cast<void *>(addr);
      d.cu = u.die.cu;
      Dwarf_Die mine, theirs;
      const int rc = dwarf_siblingof(&d, &theirs);
      switch (scanner.siblingOf(d, mine)) {
      case DieScanner::Sibling::Found:
        ++n.siblingsFound;
        ASSERT_EQ(rc, 0);
        EXPECT_EQ(mine.addr, theirs.addr);
        if (mine.abbrev) {
          EXPECT_EQ(dwarf_tag(&mine), dwarf_tag(&theirs));
          EXPECT_EQ(mine.abbrev, theirs.abbrev);
        }
        break;
      case DieScanner::Sibling::None:
        EXPECT_EQ(rc, 1);
        break;
      case DieScanner::Sibling::Unknown:
        break;
      }
      ++n.dies;
      EXPECT_EQ(scanner.offsetOf(static_cast<const unsigned char *>(addr)), dwarf_dieoffset(&d));
      expectSameFirstChild(scanner, d, n); // the values read afresh
      Dwarf_Die a = d, b = d;
      DieAttrs fast(a, &scanner), slow(b);
      if (const unsigned char *v; scanner.infoAt(d, v) && scanner.infoAt(d, v)->hasTracked)
        ++n.trackedDies;
      // Again, now that reading the attributes noted where the values end.
      expectSameFirstChild(scanner, d, n);
      if (Dwarf_Die again; scanner.siblingOf(d, again) == DieScanner::Sibling::Found) {
        ASSERT_EQ(rc, 0);
        EXPECT_EQ(again.addr, theirs.addr);
      }
      for (unsigned at : {unsigned(DW_AT_name),
                          unsigned(DW_AT_type),
                          unsigned(DW_AT_byte_size),
                          unsigned(DW_AT_bit_size),
                          unsigned(DW_AT_data_member_location),
                          unsigned(DW_AT_data_bit_offset),
                          unsigned(DW_AT_encoding),
                          unsigned(DW_AT_declaration),
                          unsigned(DW_AT_external),
                          unsigned(DW_AT_decl_file),
                          unsigned(DW_AT_decl_line),
                          unsigned(DW_AT_abstract_origin),
                          unsigned(DW_AT_specification),
                          unsigned(DW_AT_linkage_name),
                          unsigned(DW_AT_MIPS_linkage_name),
                          unsigned(DW_AT_inline),
                          unsigned(DW_AT_calling_convention),
                          unsigned(DW_AT_low_pc),
                          unsigned(DW_AT_entry_pc),
                          unsigned(DW_AT_ranges),
                          unsigned(DW_AT_location),
                          unsigned(DW_AT_artificial),
                          unsigned(DW_AT_bit_offset),
                          unsigned(DW_AT_const_value),
                          unsigned(DW_AT_count),
                          unsigned(DW_AT_upper_bound),
                          unsigned(DW_AT_lower_bound),
                          d2b::dwarf::kAtGnuAnnotation}) {
        Dwarf_Attribute x, y;
        const bool hx = fast.get(at, &x), hy = slow.get(at, &y);
        ASSERT_EQ(hx, hy) << "DIE " << dwarf_dieoffset(&d) << " attribute " << at;
        if (!hx)
          continue;
        ++n.attrsCompared;
        EXPECT_EQ(x.code, y.code);
        EXPECT_EQ(x.form, y.form);
        EXPECT_EQ(x.valp, y.valp);
        EXPECT_EQ(fast.udata(at), slow.udata(at));
        EXPECT_EQ(fast.flag(at), slow.flag(at));
        // A reference the scanner resolves: where libdw's points, same tag.
        if (const unsigned char *t = scanner.refTarget(x.form, x.valp)) {
          ++n.refsResolved;
          Dwarf_Die target;
          ASSERT_NE(dwarf_formref_die(&y, &target), nullptr);
          EXPECT_EQ(static_cast<const void *>(t), target.addr);
          if (const DieScanner::Info *info = scanner.infoOfDie(t)) {
            EXPECT_EQ(info->tag, dwarf_tag(&target));
          }
        }
        if (std::optional<std::string_view> s = scanner.strp(x.form, x.valp)) {
          ++n.stringsRead;
          EXPECT_EQ(*s, std::string_view(dwarf_formstring(&y)));
        }
      }
      EXPECT_EQ(fast.name(), slow.name());
    }
  }
}

TEST(DieScanner, SameWalkSiblingsAndValuesAsLibdw) {
  Counts n;
  for (const char *f :
       {"bin/multi.gcc.dwarf5.O2.exe", "bin/multi.gcc.dwarf4.O2.so", "bin/kinds.clang.dwarf4.O2.o",
        "bin/kinds.gcc.dwarf4.O2.types.o", "bin/kinds.clang.dwarf5.O2.zlib.o",
        "bin/typeunits.clang.dwarf5.O2.types.o", "bin/typeunits.clang.dwarf4.O2.types.o",
        "bin/tags.gcc.dwarf5.O2.o", "bin/tags.clang.dwarf5.O2.o", "bin/optimized.gcc.dwarf5.O2.o",
        "bin/lto/lto.full.ldr.o", "bin/lto/lto.thin.so", "bin/rust/enums.rustc.dwarf5.O2.o",
        "bin/rust/mixed.rustc+gcc.dwarf4.O2.ldr.o", "bin/rust/wide.rustc.dwarf4.O0.o",
        "cross/big_endian.s390x.dwarf3.o"}) {
    SCOPED_TRACE(f);
    compareFile(d2b::test::testdata(f), n);
    Counts unclassified; // every DIE's values read one by one
    compareFile(d2b::test::testdata(f), unclassified, 1, false);
  }
  std::printf("units %zu DIEs %zu siblings found %zu attributes %zu first children %zu "
              "references %zu strings %zu fixed-offset DIEs %zu\n",
              n.units, n.dies, n.siblingsFound, n.attrsCompared, n.childrenFound, n.refsResolved,
              n.stringsRead, n.trackedDies);
  EXPECT_GT(n.units, 20u);
  EXPECT_GT(n.dies, 2000u);
  EXPECT_GT(n.siblingsFound, n.dies / 2);
  EXPECT_GT(n.attrsCompared, n.dies);
  EXPECT_GT(n.childrenFound, n.dies / 10);
  EXPECT_GT(n.refsResolved, n.dies / 4);
  EXPECT_GT(n.stringsRead, n.dies / 10);
  EXPECT_GT(n.trackedDies, n.dies / 2);
}

// A distribution kernel's units: every 8th of its ~2,200 (about two seconds).
TEST(DieScanner, SameAsLibdwOnADebugVmlinux) {
  const std::string vmlinux = d2b::test::debugVmlinux();
  if (vmlinux.empty())
    GTEST_SKIP() << "no /usr/lib/debug/boot/vmlinux-* (install linux-image-*-dbg)";
  Counts n;
  compareFile(vmlinux, n, 8);
  std::printf("%s: units %zu DIEs %zu siblings found %zu attributes %zu first children %zu "
              "references %zu strings %zu fixed-offset DIEs %zu\n",
              vmlinux.c_str(), n.units, n.dies, n.siblingsFound, n.attrsCompared, n.childrenFound,
              n.refsResolved, n.stringsRead, n.trackedDies);
  EXPECT_GT(n.units, 200u);
  EXPECT_GT(n.siblingsFound, n.dies / 2);
  EXPECT_GT(n.childrenFound, n.dies / 10);
  EXPECT_GT(n.refsResolved, n.dies / 4);
  EXPECT_GT(n.stringsRead, n.dies / 10);
  EXPECT_GT(n.trackedDies, n.dies / 2);
}

TEST(DieScanner, RefusesAUnitWithAFormItCannotSkip) {
  // unknown_form.s gives an attribute form 0x2d, which nobody can size.
  if (!d2b::test::haveProgram("gcc"))
    GTEST_SKIP() << "gcc (assembler driver) not installed";
  d2b::test::TempDir dir;
  const std::string obj = assemble(dir, "dwarf-asm/unknown_form.s");
  ASSERT_FALSE(obj.empty());
  d2b::test::OpenedDwarf o(obj);
  ASSERT_NE(o.dw, nullptr);
  auto units = unitsOf(o.dw);
  ASSERT_FALSE(units.empty());
  Unit &u = units.front();
  UnitScanner us(u);
  ASSERT_TRUE(us.ok);
  DieScanner &scanner = us.scanner;
  std::vector<DieScanner::Entry> got;
  EXPECT_FALSE(scanAll(scanner, true, got));
  // Nor does it answer for a DIE with that abbreviation.
  Dwarf_Die c, s;
  ASSERT_EQ(dwarf_child(&u.die, &c), 0);
  bool refused = false;
  do {
    const unsigned char *values;
    if (dwarf_tag(&c) == DW_TAG_typedef) {
      refused = true;
      EXPECT_EQ(scanner.infoAt(c, values), nullptr);
      EXPECT_EQ(scanner.siblingOf(c, s), DieScanner::Sibling::Unknown);
      break;
    }
  } while (dwarf_siblingof(&c, &c) == 0);
  EXPECT_TRUE(refused) << "the fixture's typedef carries the unknown form";
}

// A struct whose DW_AT_sibling skips the DIE that really follows it: libdw's
// walk follows the attribute, a front-to-back read would not, so the scanner
// must refuse the unit, and encode then gives libdw's reading of it.
TEST(DieScanner, RefusesASiblingThatDisagreesWithTheTree) {
  if (!d2b::test::haveProgram("gcc"))
    GTEST_SKIP() << "gcc (assembler driver) not installed";
  d2b::test::TempDir dir;
  const std::string obj = assemble(dir, "dwarf-asm/bad_sibling.s");
  ASSERT_FALSE(obj.empty());
  {
    d2b::test::OpenedDwarf o(obj);
    ASSERT_NE(o.dw, nullptr);
    auto units = unitsOf(o.dw);
    ASSERT_EQ(units.size(), 1u);
    UnitScanner us(units.front());
    ASSERT_TRUE(us.ok);
    std::vector<DieScanner::Entry> got;
    EXPECT_FALSE(scanAll(us.scanner, true, got));
    // Skipping the struct's members, it follows DW_AT_sibling as libdw does.
    ASSERT_TRUE(scanAll(us.scanner, false, got));
    EXPECT_EQ(got.size(), 3u) << "int, s, shown_t";
  }
  const std::string raw = dir.path("s.btf");
  auto enc = d2b::test::e2e::runTool("encode --raw " + d2b::test::e2e::quote(raw) + " " +
                                     d2b::test::e2e::quote(obj));
  ASSERT_EQ(enc.status, 0) << enc.err;
  auto dump = d2b::test::e2e::runTool("dump " + d2b::test::e2e::quote(raw));
  ASSERT_EQ(dump.status, 0) << dump.err;
  EXPECT_NE(dump.out.find("TYPEDEF 'shown_t'"), std::string::npos) << dump.out;
  EXPECT_EQ(dump.out.find("hidden_t"), std::string::npos) << dump.out;
}

// Block lengths and DW_AT_sibling are in the target's byte order: the
// big-endian fixture's member location (a block2 expression), enumerator
// constants and the variable after a block4 location read right.
TEST(DieScanner, ReadsABigEndianUnitAsLibdwDoes) {
  const std::string obj = d2b::test::testdata("cross/big_endian.s390x.dwarf3.o");
  d2b::test::TempDir dir;
  const std::string raw = dir.path("be.btf");
  auto enc = d2b::test::e2e::runTool("encode --report --raw " + d2b::test::e2e::quote(raw) + " " +
                                     d2b::test::e2e::quote(obj));
  ASSERT_EQ(enc.status, 0) << enc.err;
  EXPECT_NE((enc.out + enc.err).find("nothing was dropped"), std::string::npos) << enc.err;
  auto dump = d2b::test::e2e::runTool("dump " + d2b::test::e2e::quote(raw));
  ASSERT_EQ(dump.status, 0) << dump.err;
  EXPECT_EQ(dump.out, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                      "[2] INT 'short unsigned int' size=2 bits_offset=0 nr_bits=16 "
                      "encoding=(none)\n"
                      "[3] STRUCT 'pair' size=16 vlen=2\n"
                      "\t'first' type_id=1 bits_offset=0\n"
                      "\t'second' type_id=1 bits_offset=64\n"
                      "[4] ENUM 'mode' encoding=UNSIGNED size=2 vlen=2\n"
                      "\t'MODE_OFF' val=0\n"
                      "\t'MODE_ON' val=258\n"
                      "[5] TYPEDEF 'mode_t' type_id=4\n");
}

// A .debug_str whose last string has no NUL (the section's last byte
// overwritten): strings read through the scanner end with the section.
TEST(DieScanner, AStringTheSectionEndsInsideEndsWithTheSection) {
  const std::string fixture = d2b::test::testdata("bin/multi.gcc.dwarf5.O2.exe");
  std::string bytes = d2b::test::readFile(fixture);
  uint64_t strOff = 0, strSize = 0;
  {
    d2b::test::OpenedDwarf o(fixture);
    ASSERT_NE(o.dw, nullptr);
    Elf *elf = dwarf_getelf(o.dw);
    size_t shstrndx = 0;
    ASSERT_EQ(elf_getshdrstrndx(elf, &shstrndx), 0);
    for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr sh;
      if (gelf_getshdr(scn, &sh) &&
          std::string_view(elf_strptr(elf, shstrndx, sh.sh_name)) == ".debug_str") {
        strOff = sh.sh_offset;
        strSize = sh.sh_size;
      }
    }
  }
  ASSERT_GT(strSize, 1u);
  ASSERT_EQ(bytes[strOff + strSize - 1], '\0');
  bytes[strOff + strSize - 1] = 'X';
  // The last string: from after the NUL before the section's last byte.
  const size_t lastStart = bytes.rfind('\0', strOff + strSize - 2) + 1;
  const std::string last = bytes.substr(lastStart, strOff + strSize - lastStart);
  d2b::test::TempDir dir;
  const std::string path = dir.path("unterminated.exe");
  d2b::test::writeFile(path, bytes);

  d2b::test::OpenedDwarf o(path);
  ASSERT_NE(o.dw, nullptr);
  size_t strings = 0;
  bool sawLast = false;
  for (Unit &u : unitsOf(o.dw)) {
    UnitScanner us(u);
    ASSERT_TRUE(us.ok);
    for (auto [addr, tag] : libdwWalk(u.die, [](int) { return true; })) {
      Dwarf_Die d{};
      d.addr = const_cast<void *>(addr);
      d.cu = u.die.cu;
      DieAttrs attrs(d, &us.scanner);
      Dwarf_Attribute a;
      if (!attrs.get(DW_AT_name, &a) || a.form != DW_FORM_strp)
        continue;
      const std::optional<std::string_view> s = us.scanner.strp(a.form, a.valp);
      ASSERT_TRUE(s.has_value());
      ++strings;
      sawLast |= *s == last;
      // Inside the section: its end is where the file's copy of it ends.
      const char *sectionEnd = dwarf_getstring(o.dw, 0, nullptr) + strSize;
      EXPECT_LE(s->data() + s->size(), sectionEnd);
      EXPECT_EQ(attrs.name(), *s);
    }
  }
  EXPECT_GT(strings, 5u);
  EXPECT_TRUE(sawLast) << "no DIE is named '" << last << "'";
}

TEST(DieScanner, RefusesAUnitItWasNotResetFor) {
  d2b::test::OpenedDwarf o(d2b::test::testdata("bin/multi.gcc.dwarf5.O2.exe"));
  ASSERT_NE(o.dw, nullptr);
  auto units = unitsOf(o.dw);
  ASSERT_GE(units.size(), 2u);
  UnitScanner us(units[0]);
  ASSERT_TRUE(us.ok);
  DieScanner &scanner = us.scanner;
  Dwarf_Die c, s;
  ASSERT_EQ(dwarf_child(&units[1].die, &c), 0);
  const unsigned char *values;
  EXPECT_EQ(scanner.infoAt(c, values), nullptr) << "a DIE of another unit";
  EXPECT_EQ(scanner.siblingOf(c, s), DieScanner::Sibling::Unknown);
  EXPECT_EQ(scanner.firstChild(c, s), DieScanner::Sibling::Unknown);
  EXPECT_EQ(scanner.infoOfDie(static_cast<const unsigned char *>(c.addr)), nullptr);
  // A unit whose data ends inside its tree is left to libdw.
  ASSERT_EQ(dwarf_child(&units[0].die, &c), 0);
  ASSERT_TRUE(scanner.reset(units[0].die, units[0].headerOffset, units[0].dieOffset,
                            static_cast<const unsigned char *>(c.addr) + 1, us.cache));
  std::vector<DieScanner::Entry> got;
  EXPECT_FALSE(scanAll(scanner, true, got));
}

} // namespace
