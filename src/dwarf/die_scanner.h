#pragma once
// Private to src/dwarf: a unit's DIE tree read in one linear pass with the
// unit's abbreviations, instead of libdw's dwarf_child/dwarf_siblingof.
#include <cstdint>
#include <cstring>
#include <vector>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "abbrev_cache.h"

namespace d2b::dwarf {

/// Reads one unit's DIEs in pre-order, skipping attribute values by their
/// forms. A pre-order walk built on dwarf_siblingof reads each nested DIE
/// once per ancestor whose subtree it skips to find the next sibling (when
/// DW_AT_sibling is absent), and libdw looks each of those DIEs' abbreviation
/// up behind a lock; reading the section front to back does it once.
///
/// The scanner only takes units it fully understands. Anything else (a code
/// with no abbreviation, an unknown form or DW_FORM_indirect, a DW_AT_sibling
/// that disagrees with the tree, data ending inside the tree) makes scan()
/// return false before the caller has acted on any DIE, and the caller walks
/// the unit with libdw instead, so odd input keeps libdw's behaviour and
/// messages exactly.
class DieScanner {
public:
  /// One DIE to visit, and the scope it was reached in.
  struct Entry {
    const unsigned char *addr;
    Dwarf_Abbrev *abbrev; // libdw's, as dwarf_tag would fill it in
    uint8_t scope;
  };
  /// What to do with a DIE's children.
  struct Step {
    bool visit = false; // visit the children (else skip the subtree)
    uint8_t childScope = 0;
  };

  /// An abbreviation as the scanner reads it.
  struct Info {
    Dwarf_Abbrev *lib = nullptr; // null: not looked up yet, or refused
    bool refused = false;        // the scanner cannot read DIEs with this code
    int tag = 0;
    bool children = false;
    bool fixed = false;     // every value has a fixed size
    bool signature = false; // has DW_AT_signature
    uint32_t fixedSize = 0;
    uint32_t first = 0; // names_/forms_/sizes_[first, first + count)
    uint32_t count = 0;
    int32_t sibling = -1; // index of DW_AT_sibling among the attributes, -1: none
  };

  /// Prepares for the DIEs of `cuDie`'s unit (header at `headerOffset`,
  /// unit DIE at `dieOffset` in its section, data ending at `end`), whose
  /// libdw abbreviations `abbrevs` finds. False when libdw cannot describe
  /// the unit; the scanner then reads none of its DIEs.
  bool reset(const Dwarf_Die &cuDie, uint64_t headerOffset, uint64_t dieOffset,
             const unsigned char *end, AbbrevCache &abbrevs);

  /// The abbreviation of `d` when it is a DIE of this unit the scanner can
  /// read; `values` is then where its attribute values start.
  const Info *infoAt(const Dwarf_Die &d, const unsigned char *&values);

  /// Calls f(name, form, valp) for each attribute value of a DIE with
  /// abbreviation `info` whose values start at `p`. False when the data does
  /// not hold them (then some calls may have been made).
  template <class F> bool forEachValue(const Info &info, const unsigned char *p, F &&f) const;

  enum class Sibling { Found, None, Unknown };
  /// Like dwarf_siblingof(&d, &out) for a DIE without children or with
  /// DW_AT_sibling: Found (out set, its abbreviation filled in when known) or
  /// None. Unknown when the scanner cannot tell; ask libdw.
  Sibling siblingOf(const Dwarf_Die &d, Dwarf_Die &out);

  /// Appends the unit DIE's descendants to `out` in pre-order, as a walk
  /// that calls `step(tag, scope)` on each DIE would visit them; children of
  /// the unit DIE are in scope `unitScope`. False (and `out` unspecified)
  /// when the unit must be left to libdw.
  template <class StepFn> bool scan(uint8_t unitScope, StepFn &&step, std::vector<Entry> &out);

private:
  // A level of the tree being read: the children of one DIE.
  struct Level {
    bool visit;
    uint8_t scope;
    const unsigned char *sibling; // where the owner's DW_AT_sibling points, or null
  };

  const Info *infoFor(const unsigned char *die, uint64_t code);
  /// Size of a value of `form` in this unit: >= 0 fixed, -1 variable, -2 not handled.
  int formSize(unsigned form) const;
  /// One past the value of `form` at `p`, null when the data does not hold it.
  /// `size` is formSize(form), looked up once per abbreviation.
  const unsigned char *skipValue(int size, unsigned form, const unsigned char *p) const {
    if (size >= 0)
      return end_ - p >= size ? p + size : nullptr;
    return skipVariable(form, p);
  }
  const unsigned char *skipVariable(unsigned form, const unsigned char *p) const;
  /// Skips the values of `info` at `p`; the DW_AT_sibling target (if any) in
  /// `sibling`. Null when the data does not hold them.
  const unsigned char *skipValues(const Info &info, const unsigned char *p,
                                  const unsigned char *&sibling) const;

  Dwarf_CU *cu_ = nullptr; // null: no unit to read
  AbbrevCache *abbrevs_ = nullptr;
  const unsigned char *unit_ = nullptr;    // the unit's header
  const unsigned char *section_ = nullptr; // the start of its section
  const unsigned char *first_ = nullptr;   // the unit DIE
  const unsigned char *end_ = nullptr;
  uint8_t addressSize_ = 8;
  uint8_t offsetSize_ = 4;
  uint16_t version_ = 0;
  bool bigEndian_ = false; // the input's byte order
  std::vector<Info> byCode_;
  std::vector<uint16_t> names_;
  std::vector<uint16_t> forms_;
  std::vector<int8_t> sizes_;
  std::vector<Level> levels_;
};

template <class StepFn>
bool DieScanner::scan(uint8_t unitScope, StepFn &&step, std::vector<Entry> &out) {
  if (!cu_)
    return false;
  const unsigned char *p = first_;
  levels_.clear();
  // The unit DIE itself: its children are the first level.
  uint64_t code;
  if (!readUleb(p, end_, code) || code == 0)
    return false;
  const Info *unitInfo = infoFor(first_, code);
  const unsigned char *sibling = nullptr;
  if (!unitInfo || !(p = skipValues(*unitInfo, p, sibling)))
    return false;
  if (!unitInfo->children)
    return true;
  levels_.push_back({true, unitScope, nullptr});
  while (!levels_.empty()) {
    if (p >= end_)
      return false; // the tree is not closed
    const unsigned char *die = p;
    if (!readUleb(p, end_, code))
      return false;
    if (code == 0) {
      const Level done = levels_.back();
      levels_.pop_back();
      if (done.sibling && done.sibling != p)
        return false;
      continue;
    }
    const Info *info = infoFor(die, code);
    if (!info || !(p = skipValues(*info, p, sibling)))
      return false;
    const Level here = levels_.back();
    if (here.visit)
      out.push_back({die, info->lib, here.scope});
    if (!info->children) {
      if (sibling && sibling != p)
        return false;
      continue;
    }
    const Step s = here.visit ? step(info->tag, here.scope) : Step{};
    if (!s.visit && sibling) {
      // Skip the subtree the way dwarf_siblingof does when the producer
      // says where it ends.
      if (sibling < p || sibling > end_)
        return false;
      p = sibling;
      continue;
    }
    levels_.push_back({s.visit, s.childScope, sibling});
  }
  return true;
}

template <class F>
bool DieScanner::forEachValue(const Info &info, const unsigned char *p, F &&f) const {
  const uint16_t *names = names_.data() + info.first;
  const uint16_t *forms = forms_.data() + info.first;
  const int8_t *sizes = sizes_.data() + info.first;
  for (uint32_t i = 0; i < info.count; ++i) {
    const unsigned char *next = skipValue(sizes[i], forms[i], p);
    if (!next)
      return false;
    f(unsigned(names[i]), unsigned(forms[i]), p);
    p = next;
  }
  return true;
}

} // namespace d2b::dwarf
