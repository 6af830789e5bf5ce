// Struct and union layout for the C dumper.
//
// BTF records where each member is; C records only the order and lets the
// compiler place members by alignment. To make the compiler arrive at the
// BTF offsets we simulate its placement (System V / Itanium rules, which x86-64,
// arm64 and the bpf target share) member by member:
//
//  * a plain member goes to the next multiple of its alignment; a bitfield
//    stays where the previous one ended unless it would straddle a unit of
//    its type, then it moves to the next unit;
//  * if the member lands before its BTF offset we insert unnamed bitfields
//    (`long: 64;`, `int: 32;`, `char: 3;`), which take space but, being
//    unnamed, do not change the aggregate's alignment;
//  * if it would land after its offset, or the offset is not aligned for its
//    type, or the size is not a multiple of the alignment, the aggregate must
//    be packed: we start over with every alignment 1 and pad explicitly;
//  * the tail is padded up to the BTF size.
//
// BTF that C cannot state directly gets a faithful encoding where one exists:
// members sharing an offset become an anonymous union, a union member at a
// nonzero offset (Rust niche enums) is wrapped in an anonymous struct that
// pads it into place, a union larger than its members gets aligned(N) or a
// padding array. What cannot be encoded (partial overlaps, misplaced
// non-bitfields) is left out with a note, which the writer prints.
#include <algorithm>

#include <fmt/format.h>

#include "c_model.h"

namespace d2b::dump::c {
namespace {

constexpr uint64_t kNoEnd = UINT64_MAX;
constexpr uint32_t kMaxNesting = 1000;

uint64_t alignUp(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

/// Gaps wider than this are one named char array instead of a run of
/// `long: 64;` lines: a struct of 4 GiB (or a corrupt member offset) would
/// otherwise print hundreds of millions of lines.
constexpr uint64_t kMaxBitfieldPadBits = 64 * 1024 * 8;

/// Unnamed bitfields covering bits [from, to), each inside a unit of its own
/// type so the compiler puts it exactly there.
void appendPadding(std::vector<Item> &items, uint64_t from, uint64_t to, uint32_t ptrSize) {
  if (to > from && to - from > kMaxBitfieldPadBits) {
    // Bitfields up to the next byte, then one array of whole bytes; the
    // array has alignment 1, so it lands exactly where the bitfields end.
    const uint64_t byteFrom = (from + 7) / 8 * 8;
    appendPadding(items, from, byteFrom, ptrSize);
    const uint64_t bytes = (to - byteFrom) / 8;
    Item gap;
    gap.what = Item::What::Gap;
    gap.member = uint32_t(byteFrom / 8);
    gap.bits = uint32_t(bytes);
    items.push_back(std::move(gap));
    from = byteFrom + bytes * 8;
  }
  while (from < to) {
    uint64_t w;
    const char *type;
    if (from % 8) {
      w = std::min<uint64_t>(to - from, 8 - from % 8);
      type = "char";
    } else if (from % 64 == 0 && to - from >= 64) {
      w = 64;
      type = ptrSize == 8 ? "long" : "long long";
    } else if (from % 32 == 0 && to - from >= 32) {
      w = 32;
      type = "int";
    } else if (from % 16 == 0 && to - from >= 16) {
      w = 16;
      type = "short";
    } else {
      w = std::min<uint64_t>(8, to - from);
      type = "char";
    }
    Item pad;
    pad.what = Item::What::Pad;
    pad.padType = type;
    pad.bits = uint32_t(w);
    items.push_back(std::move(pad));
    from += w;
  }
}

Item memberItem(const Field &f) {
  Item it;
  it.what = Item::What::Member;
  it.member = f.member;
  it.bits = f.bitfield;
  return it;
}

Item skippedItem(const Field &f) {
  Item it;
  it.what = Item::What::Skipped;
  it.member = f.member;
  return it;
}

/// Result of laying out one aggregate body in one mode.
struct Placed {
  std::vector<Item> items;
  uint64_t sizeBits = 0; // sizeof the compiler gives the body, in bits
  uint32_t align = 1;
  uint32_t alignAttr = 0;
  bool needPacking = false; // the natural layout cannot reach the BTF offsets
};

class Placer {
public:
  Placer(Model &m, uint32_t owner, std::vector<std::string> &notes)
      : m_(m), owner_(owner), notes_(notes) {}

  Placed placeStruct(std::vector<Field> fs, bool packed, uint64_t endBits);
  Placed placeUnion(const std::vector<Field> &fs, bool packed, uint64_t endBits);

private:
  std::string label(const Field &f) const {
    const btf::TypeView t = m_.btf().type(owner_);
    std::string_view n = m_.btf().str(t.tail()[3 * f.member]);
    return n.empty() ? fmt::format("#{}", f.member) : fmt::format("'{}'", n);
  }
  void note(std::string s) { notes_.push_back(std::move(s)); }

  Model &m_;
  uint32_t owner_;
  std::vector<std::string> &notes_;
};

Placed Placer::placeStruct(std::vector<Field> fs, bool packed, uint64_t endBits) {
  Placed p;
  // Members are written in offset order, whatever order the BTF lists them.
  std::stable_sort(fs.begin(), fs.end(),
                   [](const Field &a, const Field &b) { return a.bitOff < b.bitOff; });
  uint64_t cursor = 0;
  uint32_t maxAlign = 1;
  // The last plain member or union group: a later member at the same offset
  // joins it in an anonymous union.
  size_t last = SIZE_MAX;
  uint64_t lastStart = 0, lastSize = 0;
  uint32_t lastAlign = 1;
  auto pad = [&](uint64_t to) {
    appendPadding(p.items, cursor, to, m_.ptrSize());
    cursor = to;
  };
  for (const Field &f : fs) {
    if (f.bitOff < cursor) {
      if (!f.bitfield && last != SIZE_MAX && f.bitOff == lastStart) {
        Item &g = p.items[last];
        if (g.what == Item::What::Member) {
          Item first = std::move(g);
          g = Item();
          g.what = Item::What::Group;
          g.groupIsUnion = true;
          g.groupPacked = packed;
          g.children.push_back(std::move(first));
        }
        g.children.push_back(memberItem(f));
        const uint32_t al = packed ? 1 : m_.alignOf(f.type);
        lastAlign = std::max(lastAlign, al);
        lastSize = std::max(lastSize, m_.sizeOf(f.type) * 8);
        if (lastStart % (uint64_t(lastAlign) * 8))
          p.needPacking = true;
        cursor = std::max(cursor, lastStart + alignUp(lastSize, uint64_t(lastAlign) * 8));
        maxAlign = std::max(maxAlign, al);
        continue;
      }
      note(fmt::format("member {} at bit {} overlaps the member before it; left out", label(f),
                       f.bitOff));
      p.items.push_back(skippedItem(f));
      continue;
    }
    if (!f.bitfield) {
      if (f.bitOff % 8) {
        note(fmt::format("member {} at bit {} is neither byte-aligned nor a bitfield; left out",
                         label(f), f.bitOff));
        p.items.push_back(skippedItem(f));
        continue;
      }
      const uint32_t al = packed ? 1 : m_.alignOf(f.type);
      const uint64_t size = m_.sizeOf(f.type) * 8;
      const uint64_t natural = alignUp(cursor, uint64_t(al) * 8);
      if (natural > f.bitOff) {
        p.needPacking = true;
      } else if (natural < f.bitOff) {
        pad(f.bitOff);
        if (f.bitOff % (uint64_t(al) * 8))
          p.needPacking = true;
      }
      p.items.push_back(memberItem(f));
      last = p.items.size() - 1;
      lastStart = f.bitOff;
      lastSize = size;
      lastAlign = al;
      cursor = f.bitOff + size;
      maxAlign = std::max(maxAlign, al);
      continue;
    }
    const uint32_t al = m_.alignOf(f.type);
    const uint64_t typeBits = m_.sizeOf(f.type) * 8;
    if (f.bitfield > typeBits) {
      note(fmt::format("bitfield {} is {} bits wide, wider than its {}-bit type; left out",
                       label(f), f.bitfield, typeBits));
      p.items.push_back(skippedItem(f));
      continue;
    }
    const uint64_t unit = uint64_t(al) * 8;
    auto fits = [&](uint64_t pos) { return packed || pos / unit == (pos + f.bitfield - 1) / unit; };
    const uint64_t natural = fits(cursor) ? cursor : alignUp(cursor, unit);
    if (natural > f.bitOff) {
      p.needPacking = true;
    } else if (natural < f.bitOff) {
      pad(f.bitOff);
      if (!fits(f.bitOff))
        p.needPacking = true;
    }
    p.items.push_back(memberItem(f));
    last = SIZE_MAX;
    cursor = f.bitOff + f.bitfield;
    if (!packed)
      maxAlign = std::max(maxAlign, al); // named bitfields align the aggregate like their type
  }
  p.align = packed ? 1 : maxAlign;
  if (endBits != kNoEnd) {
    if (cursor > endBits) {
      note(fmt::format("members end at bit {}, past the size of {} bytes", cursor, endBits / 8));
    } else {
      uint64_t natEnd = alignUp(cursor, uint64_t(p.align) * 8);
      if (natEnd < endBits) {
        pad(endBits);
        natEnd = alignUp(endBits, uint64_t(p.align) * 8);
      }
      if (natEnd != endBits)
        p.needPacking = true;
    }
  }
  p.sizeBits = alignUp(cursor, uint64_t(p.align) * 8);
  return p;
}

Placed Placer::placeUnion(const std::vector<Field> &fs, bool packed, uint64_t endBits) {
  Placed p;
  uint64_t maxSize = 0;
  uint32_t maxAlign = 1;
  for (const Field &f : fs) {
    if (f.bitOff == 0) {
      const uint64_t typeBits = m_.sizeOf(f.type) * 8;
      if (f.bitfield > typeBits) {
        note(fmt::format("bitfield {} is {} bits wide, wider than its {}-bit type; left out",
                         label(f), f.bitfield, typeBits));
        p.items.push_back(skippedItem(f));
        continue;
      }
      p.items.push_back(memberItem(f));
      maxSize = std::max<uint64_t>(maxSize, f.bitfield ? f.bitfield : typeBits);
      maxAlign = std::max(maxAlign, packed ? 1 : m_.alignOf(f.type));
      continue;
    }
    // C puts every union member at offset 0; a struct of padding and the
    // member moves it to where the BTF has it.
    Placed inner = placeStruct({f}, false, kNoEnd);
    bool innerPacked = false;
    if (inner.needPacking) {
      inner = placeStruct({f}, true, kNoEnd);
      innerPacked = true;
    }
    Item g;
    g.what = Item::What::Group;
    g.groupIsUnion = false;
    g.groupPacked = innerPacked;
    g.children = std::move(inner.items);
    p.items.push_back(std::move(g));
    maxSize = std::max(maxSize, inner.sizeBits);
    maxAlign = std::max(maxAlign, packed ? 1 : inner.align);
  }
  p.align = packed ? 1 : maxAlign;
  uint64_t natSize = alignUp(maxSize, uint64_t(p.align) * 8);
  if (natSize > endBits) {
    if (packed)
      note(fmt::format("members need {} bytes, more than the size of {} bytes", natSize / 8,
                       endBits / 8));
    p.needPacking = true;
  } else if (natSize < endBits) {
    // A union bigger than its members was declared aligned(N), or padded.
    for (uint64_t a = uint64_t(p.align) * 2; a <= 4096; a *= 2) {
      if (alignUp(maxSize, a * 8) == endBits) {
        p.alignAttr = uint32_t(a);
        p.align = uint32_t(a);
        break;
      }
    }
    if (!p.alignAttr) {
      Item pad;
      pad.what = Item::What::NamedPad;
      pad.bits = uint32_t(endBits / 8);
      p.items.push_back(std::move(pad));
      if (alignUp(endBits, uint64_t(p.align) * 8) != endBits)
        p.needPacking = true;
    }
    natSize = endBits;
  }
  p.sizeBits = natSize;
  return p;
}

} // namespace

uint64_t Model::sizeOf(uint32_t id) {
  uint64_t mult = 1;
  for (uint32_t guard = 0; id && guard <= btf_.endId(); ++guard) {
    const btf::TypeView t = btf_.type(id);
    switch (t.kind()) {
    case Kind::Int:
    case Kind::Float:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Struct:
    case Kind::Union:
      return mult * t.size();
    case Kind::Ptr:
      return mult * ptr_size_;
    case Kind::Array:
      // Clamp: offsets are 32-bit, anything this large cannot fit anyway.
      mult = std::min<uint64_t>(mult * t.tail()[2], uint64_t(1) << 40);
      id = t.tail()[0];
      continue;
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::TypeTag:
      id = t.type();
      continue;
    case Kind::Unkn:
    case Kind::Fwd:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
      return 0;
    }
    return 0;
  }
  return 0;
}

uint32_t Model::alignOf(uint32_t id) {
  for (uint32_t guard = 0; id && guard <= btf_.endId(); ++guard) {
    const btf::TypeView t = btf_.type(id);
    switch (t.kind()) {
    case Kind::Int:
    case Kind::Float:
    case Kind::Enum:
    case Kind::Enum64: {
      // Scalars align to their size, up to 16 (__int128, long double); ILP32
      // targets align 8-byte scalars to 4.
      uint32_t a = 1;
      while (a < 16 && a * 2 <= t.size() && t.size() % (a * 2) == 0)
        a *= 2;
      return ptr_size_ == 4 ? std::min(a, 4u) : a;
    }
    case Kind::Ptr:
      return ptr_size_;
    case Kind::Struct:
    case Kind::Union:
      return layout(id).align;
    case Kind::Array:
      id = t.tail()[0];
      continue;
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::TypeTag:
      id = t.type();
      continue;
    case Kind::Unkn:
    case Kind::Fwd:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
      return 1;
    }
    return 1;
  }
  return 1;
}

const Layout &Model::layout(uint32_t id) {
  if (layout_index_[id])
    return layouts_[layout_index_[id] - 1];
  // A struct containing itself by value (broken BTF) or absurd nesting: the
  // writer reports the cycle; here it only must not recurse forever.
  static const Layout kPlaceholder;
  if (busy_[id] || nesting_ >= kMaxNesting) {
    if (nesting_ >= kMaxNesting)
      too_deep_ = true;
    return kPlaceholder;
  }
  busy_[id] = 1;
  ++nesting_;
  Layout l = computeLayout(id);
  --nesting_;
  busy_[id] = 0;
  layouts_.push_back(std::move(l));
  layout_index_[id] = uint32_t(layouts_.size());
  return layouts_.back();
}

Layout Model::computeLayout(uint32_t id) {
  const btf::TypeView t = btf_.type(id);
  const bool isUnion = t.kind() == Kind::Union;
  const std::vector<Field> fs = fields(id);
  const uint64_t endBits = uint64_t(t.size()) * 8;
  Layout out;
  for (bool packed : {false, true}) {
    std::vector<std::string> notes;
    Placer placer(*this, id, notes);
    Placed p =
        isUnion ? placer.placeUnion(fs, packed, endBits) : placer.placeStruct(fs, packed, endBits);
    if (p.needPacking && !packed)
      continue;
    out.packed = packed;
    out.align = p.align;
    out.alignAttr = p.alignAttr;
    out.items = std::move(p.items);
    out.notes = std::move(notes);
    break;
  }
  return out;
}

} // namespace d2b::dump::c
