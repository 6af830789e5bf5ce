// The floor of issue #5: a bare libdw walk over every DIE of every unit
// (compile and type units) that reads what any converter must read (name,
// type reference, byte size, member offset) and builds nothing. One thread.
// bench/vmlinux.sh times it beside dwarf2btf and pahole, so "no slower than
// the floor" is measured on the machine at hand instead of quoted.
//
// Usage: walk_floor FILE
// Prints the DIE count and a checksum of what was read (which also keeps
// the reads from being optimized away); exits 1 when the file has no DWARF.
#include <cinttypes>
#include <cstdio>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace {

struct Totals {
  uint64_t dies = 0, units = 0, sum = 0;
};

void visit(Dwarf_Die *die, Totals &t) {
  ++t.dies;
  if (const char *name = dwarf_diename(die))
    t.sum += uint8_t(name[0]);
  Dwarf_Attribute attr;
  Dwarf_Die target;
  if (dwarf_attr(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, &target))
    t.sum += dwarf_dieoffset(&target);
  Dwarf_Word word;
  if (dwarf_attr(die, DW_AT_byte_size, &attr) && dwarf_formudata(&attr, &word) == 0)
    t.sum += word;
  if (dwarf_attr(die, DW_AT_data_member_location, &attr) && dwarf_formudata(&attr, &word) == 0)
    t.sum += word;
}

void walkUnit(Dwarf_Die *unitDie, Totals &t) {
  // Depth-first in DIE order, iteratively: a stack of the current DIE at
  // each open level.
  std::vector<Dwarf_Die> stack{*unitDie};
  visit(unitDie, t);
  for (;;) {
    Dwarf_Die child;
    if (dwarf_child(&stack.back(), &child) == 0) {
      visit(&child, t);
      stack.push_back(child);
      continue;
    }
    for (;;) {
      if (stack.size() == 1)
        return;
      Dwarf_Die next;
      if (dwarf_siblingof(&stack.back(), &next) == 0) {
        visit(&next, t);
        stack.back() = next;
        break;
      }
      stack.pop_back();
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: walk_floor FILE\n");
    return 2;
  }
  const int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    std::perror(argv[1]);
    return 1;
  }
  Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
  if (!dw) {
    std::fprintf(stderr, "walk_floor: %s: %s\n", argv[1], dwarf_errmsg(-1));
    return 1;
  }
  Totals t;
  // Compile units, then .debug_types units (DWARF 4); DWARF 5 type units are
  // in .debug_info and come with the first pass.
  for (int types = 0; types < 2; ++types) {
    Dwarf_Off off = 0, next;
    size_t headerSize;
    Dwarf_Half version;
    Dwarf_Off abbrev;
    uint8_t addressSize, offsetSize;
    uint64_t signature;
    Dwarf_Off typeOffset;
    while (dwarf_next_unit(dw, off, &next, &headerSize, &version, &abbrev, &addressSize,
                           &offsetSize, types ? &signature : nullptr,
                           types ? &typeOffset : nullptr) == 0) {
      Dwarf_Die unitDie;
      if ((types ? dwarf_offdie_types : dwarf_offdie)(dw, off + headerSize, &unitDie)) {
        ++t.units;
        walkUnit(&unitDie, t);
      }
      off = next;
    }
  }
  dwarf_end(dw);
  close(fd);
  if (t.units == 0) {
    std::fprintf(stderr, "walk_floor: %s: no DWARF units\n", argv[1]);
    return 1;
  }
  std::printf("units %" PRIu64 " dies %" PRIu64 " checksum %" PRIu64 "\n", t.units, t.dies, t.sum);
  return 0;
}
