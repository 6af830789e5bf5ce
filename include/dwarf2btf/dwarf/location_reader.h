#pragma once
/// Reading DW_AT_location lists straight from the section bytes.
///
/// libdw's dwarf_getlocations caches every expression it decodes in its unit
/// until dwarf_end (about 80 MB over Debian's vmlinux, for parameter
/// locations alone). LocationReader lists the same entries and operations,
/// without the cache, for the forms and section layouts it knows; for
/// anything else it answers Unsupported and the caller asks libdw, so the
/// result never differs from libdw's.
///
///   LocationReader r(unitDie, unit.headerOffset);
///   LocationList list;
///   if (r.read(attr, list) == LocationReader::Status::Read)
///     for (size_t e = 0; e < list.entries(); ++e) use(list.entry(e));
#include <cstdint>
#include <elfutils/libdw.h>
#include <span>
#include <vector>

namespace d2b::dwarf {

/// The entries of one location list, in list order, each a span of
/// operations. For DW_OP_entry_value / DW_OP_GNU_entry_value, `number2` is
/// not libdw's block pointer but the outcome of decoding the sub-expression
/// as libdw's dwarf_getlocation_attr + dwarf_getlocation would:
/// kSubInvalid when libdw would fail, else the number of its operations,
/// and `offset` holds the atom of the first (0 when there is none).
struct LocationList {
  static constexpr Dwarf_Word kSubInvalid = ~Dwarf_Word(0);
  std::vector<Dwarf_Op> ops;
  std::vector<uint32_t> ends; // end of each entry in `ops`

  size_t entries() const { return ends.size(); }
  std::span<const Dwarf_Op> entry(size_t e) const {
    const uint32_t from = e ? ends[e - 1] : 0;
    return {ops.data() + from, ops.data() + ends[e]};
  }
  void clear() {
    ops.clear();
    ends.clear();
  }
};

/// Lists a unit's DW_AT_location values as libdw's dwarf_getlocations would
/// (see the file comment). One per unit walk; not thread-safe.
class LocationReader {
public:
  enum class Status : uint8_t {
    Read,       // `out` holds what libdw would list (possibly cut short where libdw fails)
    Unsupported // a case left to libdw; `out` is meaningless
  };

  LocationReader(Dwarf_Die &unitDie, uint64_t headerOffset);

  /// The location list of `attr` (a DW_AT_location of a DIE of this unit).
  Status read(Dwarf_Attribute &attr, LocationList &out);

private:
  enum class Expr : uint8_t { Ok, Invalid, Unsupported };
  struct Section {
    const unsigned char *data = nullptr;
    size_t size = 0;
  };

  bool setUp();
  Expr expression(const unsigned char *p, size_t len, LocationList &out, bool nested);
  Expr subExpression(const unsigned char *valp, Dwarf_Op &op);
  bool loclistsBase(uint64_t &base);
  bool addrIndexOk(uint64_t index);

  Dwarf_Die unitDie_;
  uint64_t headerOffset_;
  bool bigEndian_ = false; // the input's byte order, set up with the sections
  int state_ = 0;          // 0 not set up, 1 usable, -1 everything Unsupported
  Dwarf_Half version_ = 0;
  uint8_t addressSize_ = 0, offsetSize_ = 0, unitType_ = 0;
  const unsigned char *unitEnd_ = nullptr; // libdw's end of the unit in .debug_info
  const unsigned char *subEnd_ = nullptr;  // end of the data the current list is in
  Section loc_, loclists_, addr_;
  int baseOk_ = -1; // __libdw_cu_base_address would succeed (-1: not known yet)
  int64_t locsBase_ = -1;
  int64_t addrBase_ = -1;
  LocationList scratch_; // sub-expressions
};

} // namespace d2b::dwarf
