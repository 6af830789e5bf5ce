#pragma once
// Private to src/dwarf: a unit's DIE tree read in one linear pass with the
// unit's abbreviations, instead of libdw's dwarf_child/dwarf_siblingof.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
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
    uint16_t tag;
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
    int32_t sibling = -1;       // index of DW_AT_sibling among the attributes, -1: none
    uint32_t siblingOffset = 0; // where its value sits among fixed-size values
    // With a classifier and fixed values: tracked_[firstTracked, +trackedCount)
    // are the attributes it keeps, first occurrence of each.
    bool hasTracked = false;
    uint32_t firstTracked = 0;
    uint32_t trackedCount = 0;
  };

  /// The slot (0..31) a reader keeps an attribute code in, or -1 when it
  /// ignores the code. With one set (before reset), abbreviations whose
  /// values all have fixed sizes list the kept attributes with their
  /// offsets once, so reading a DIE's kept values skips the others.
  using Classifier = int (*)(unsigned name);
  void setClassifier(Classifier classify) { classify_ = classify; }
  /// A kept attribute of an abbreviation (see Classifier).
  struct Tracked {
    uint16_t name;
    uint16_t form;
    uint16_t offset; // from the start of the DIE's values
    int8_t slot;
  };
  /// The kept attributes of `info` when info.hasTracked.
  std::span<const Tracked> trackedOf(const Info &info) const {
    return {tracked_.data() + info.firstTracked, info.trackedCount};
  }
  /// One past the values of a DIE with fixed-size abbreviation `info` whose
  /// values start at `p`; null when the unit ends first.
  const unsigned char *fixedValuesEnd(const Info &info, const unsigned char *p) const {
    return size_t(end_ - p) >= info.fixedSize ? p + info.fixedSize : nullptr;
  }

  /// The attribute codes and forms of `info`, in declaration order.
  std::span<const uint16_t> namesOf(const Info &info) const {
    return {names_.data() + info.first, info.count};
  }
  std::span<const uint16_t> formsOf(const Info &info) const {
    return {forms_.data() + info.first, info.count};
  }

  /// Prepares for the DIEs of `cuDie`'s unit (header at `headerOffset`,
  /// unit DIE at `dieOffset` in its section, data ending at `end`), whose
  /// libdw abbreviations `abbrevs` finds. False when libdw cannot describe
  /// the unit; the scanner then reads none of its DIEs.
  bool reset(const Dwarf_Die &cuDie, uint64_t headerOffset, uint64_t dieOffset,
             const unsigned char *end, AbbrevCache &abbrevs);

  /// The abbreviation of `d` when it is a DIE of this unit the scanner can
  /// read; `values` is then where its attribute values start.
  const Info *infoAt(const Dwarf_Die &d, const unsigned char *&values);

  /// The abbreviation of the DIE at `die` (of this unit) and where its
  /// values start; null when the scanner cannot read it.
  const Info *dieInfo(const unsigned char *die, const unsigned char *&values) {
    return codeInfo(die, values);
  }
  /// Calls f(name, form, valp, next, implicitValue) for each attribute of a
  /// DIE with abbreviation `info` whose values start at `p` (`next`: where
  /// the value ends; `implicitValue`: a DW_FORM_implicit_const's value) and
  /// returns where the values end; null when the data does not hold them.
  template <class F>
  const unsigned char *forEachValueSpan(const Info &info, const unsigned char *p, F &&f) const {
    for (uint32_t i = 0; i < info.count; ++i) {
      const uint32_t k = info.first + i;
      const unsigned char *next = skipValue(sizes_[k], forms_[k], p);
      if (!next)
        return nullptr;
      f(unsigned(names_[k]), unsigned(forms_[k]), p, next, implicit_[k]);
      p = next;
    }
    return p;
  }
  /// Per attribute of `info`: the value size (>= 0 fixed, < 0 variable) and
  /// the DW_FORM_implicit_const value (else 0).
  std::span<const int8_t> sizesOf(const Info &info) const {
    return {sizes_.data() + info.first, info.count};
  }
  std::span<const int64_t> implicitOf(const Info &info) const {
    return {implicit_.data() + info.first, info.count};
  }
  /// A small number naming `info` in this unit (its abbreviation code).
  uint32_t codeOf(const Info &info) const { return uint32_t(&info - byCode_.data()); }
  /// The end of the unit's DIE data.
  const unsigned char *end() const { return end_; }
  uint16_t version() const { return version_; }
  uint8_t addressSize() const { return addressSize_; }
  uint8_t offsetSize() const { return offsetSize_; }

  /// Calls f(name, form, valp) for each attribute value of a DIE with
  /// abbreviation `info` whose values start at `p`, and returns where they
  /// end. Null when the data does not hold them (then some calls may have
  /// been made).
  template <class F>
  const unsigned char *forEachValue(const Info &info, const unsigned char *p, F &&f) const;

  /// Remembers that the values of the DIE at `die` (abbreviation `info`)
  /// end at `end`, so that stepping to its first child or its sibling next
  /// does not read them again.
  void noteValuesEnd(const unsigned char *die, const Info &info, const unsigned char *end) {
    memoDie_ = die;
    memoCode_ = uint64_t(&info - byCode_.data());
    memoEnd_ = end;
  }

  /// The DIE a unit-local reference (DW_FORM_ref1/2/4/8/ref_udata) at
  /// `valp` points to, when it lies inside this unit's DIEs; null for other
  /// forms and for anything libdw should judge.
  const unsigned char *refTarget(unsigned form, const unsigned char *valp) const;
  /// The abbreviation of the DIE at `die` (a DIE of this unit), null when
  /// the scanner cannot read it.
  const Info *infoOfDie(const unsigned char *die);
  /// Offset of `die` in its section (dwarf_dieoffset).
  uint64_t offsetOf(const unsigned char *die) const { return uint64_t(die - section_); }
  /// The string a DW_FORM_strp value at `valp` names, nullopt when libdw
  /// should read it (another form, no .debug_str known, offset past it).
  /// A string the section ends inside (no NUL) ends with the section, where
  /// libdw would hand out a pointer that reads on past it.
  std::optional<std::string_view> strp(unsigned form, const unsigned char *valp) const {
    if (form != DW_FORM_strp || !str_)
      return std::nullopt;
    const uint64_t off = readFixed(valp, offsetSize_, bigEndian_);
    if (off >= strSize_)
      return std::nullopt;
    return std::string_view(str_ + off, strnlen(str_ + off, size_t(strSize_ - off)));
  }
  /// Where strp(form, valp) would start its string and how far the section
  /// goes from there, without reading the string: null when strp() would
  /// answer nullopt. For a caller that prefetches the bytes before it
  /// measures them.
  const char *strpStart(unsigned form, const unsigned char *valp, size_t &room) const {
    if (form != DW_FORM_strp || !str_)
      return nullptr;
    const uint64_t off = readFixed(valp, offsetSize_, bigEndian_);
    if (off >= strSize_)
      return nullptr;
    room = size_t(strSize_ - off);
    return str_ + off;
  }
  /// A constant of form data1/2/4/8 or udata at `valp` (what
  /// dwarf_formudata gives for them), nullopt for other forms. data4/8
  /// only when `plain`: libdw reads them as section offsets for some
  /// attributes in DWARF 2/3.
  std::optional<uint64_t> constant(unsigned form, const unsigned char *valp, bool plain) const {
    switch (form) {
    case DW_FORM_data1:
      return *valp;
    case DW_FORM_data2:
      return readFixed(valp, 2, bigEndian_);
    case DW_FORM_data4:
      return plain ? std::optional<uint64_t>(readFixed(valp, 4, bigEndian_)) : std::nullopt;
    case DW_FORM_data8:
      return plain ? std::optional<uint64_t>(readFixed(valp, 8, bigEndian_)) : std::nullopt;
    case DW_FORM_udata: {
      uint64_t v;
      return readUleb(valp, end_, v) ? std::optional<uint64_t>(v) : std::nullopt;
    }
    default:
      return std::nullopt;
    }
  }

  enum class Sibling { Found, None, Unknown };
  /// Like dwarf_siblingof(&d, &out) for a DIE without children or with
  /// DW_AT_sibling: Found (out set, its abbreviation filled in when known) or
  /// None. Unknown when the scanner cannot tell; ask libdw.
  Sibling siblingOf(const Dwarf_Die &d, Dwarf_Die &out);
  /// Like dwarf_haschildren(&d) && dwarf_child(&d, &out) == 0, in the same
  /// terms as siblingOf.
  Sibling firstChild(const Dwarf_Die &d, Dwarf_Die &out);

  /// Appends the unit DIE's descendants to `out` in pre-order, as a walk
  /// that calls `step(tag, scope)` on each DIE would visit them; children of
  /// the unit DIE are in scope `unitScope`. False (and `out` unspecified)
  /// when the unit must be left to libdw.
  template <class StepFn> bool scan(uint8_t unitScope, StepFn &&step, std::vector<Entry> &out) {
    return scan(
        unitScope, step, [](const Info &, uint8_t) { return true; }, out);
  }
  /// scan() listing only the visited DIEs for which `keep(info, scope)`
  /// holds; visitedCount() tells how many were visited in all.
  template <class StepFn, class KeepFn>
  bool scan(uint8_t unitScope, StepFn &&step, KeepFn &&keep, std::vector<Entry> &out);
  /// DIEs the last scan() visited, listed or not.
  uint64_t visitedCount() const { return visited_; }

private:
  // A level of the tree being read: the children of one DIE.
  struct Level {
    bool visit;
    uint8_t scope;
    const unsigned char *sibling; // where the owner's DW_AT_sibling points, or null
  };

  const Info *infoFor(const unsigned char *die, uint64_t code) {
    if (code < byCode_.size()) {
      const Info &info = byCode_[code];
      if (info.lib)
        return &info;
      if (info.refused)
        return nullptr;
    }
    return firstInfoFor(die, code);
  }
  /// infoFor the first time `code` is met: looks it up through libdw.
  const Info *firstInfoFor(const unsigned char *die, uint64_t code);
  void findStrings();
  void listTracked(Info &info);
  /// infoAt for a DIE of this unit, with where its values end (from the
  /// note when it is about `d`); null when the scanner cannot read it.
  const Info *valuesOf(const Dwarf_Die &d, const unsigned char *&end,
                       const unsigned char *&sibling);
  /// The abbreviation of the DIE at `die` of this unit, and where its
  /// values start; null when the scanner cannot read it.
  const Info *codeInfo(const unsigned char *die, const unsigned char *&values);
  /// `out` = the DIE at `p` of this unit, its abbreviation filled in when known.
  void dieAt(const unsigned char *p, Dwarf_Die &out);
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
  std::vector<int64_t> implicit_; // DW_FORM_implicit_const values (else 0)
  std::vector<Level> levels_;
  uint64_t visited_ = 0;
  Classifier classify_ = nullptr;
  std::vector<Tracked> tracked_;
  const char *str_ = nullptr; // .debug_str as libdw reads it, or null
  uint64_t strSize_ = 0;
  // See noteValuesEnd. The code, not an Info pointer: byCode_ may grow.
  const unsigned char *memoDie_ = nullptr;
  uint64_t memoCode_ = 0;
  const unsigned char *memoEnd_ = nullptr;
};

template <class StepFn, class KeepFn>
bool DieScanner::scan(uint8_t unitScope, StepFn &&step, KeepFn &&keep, std::vector<Entry> &out) {
  visited_ = 0;
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
    if (here.visit) {
      ++visited_;
      if (keep(*info, here.scope))
        out.push_back({die, info->lib, here.scope, uint16_t(info->tag)});
    }
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
const unsigned char *DieScanner::forEachValue(const Info &info, const unsigned char *p,
                                              F &&f) const {
  const uint16_t *names = names_.data() + info.first;
  const uint16_t *forms = forms_.data() + info.first;
  const int8_t *sizes = sizes_.data() + info.first;
  for (uint32_t i = 0; i < info.count; ++i) {
    const unsigned char *next = skipValue(sizes[i], forms[i], p);
    if (!next)
      return nullptr;
    f(unsigned(names[i]), unsigned(forms[i]), p);
    p = next;
  }
  return p;
}

} // namespace d2b::dwarf
