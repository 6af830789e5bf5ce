// The C model's analysis: reference and cycle checks, reachability, member
// decoding. Names and spellings live in c_names.cpp, layout in c_layout.cpp.
#include "c_model.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "dwarf2btf/btf/field_iter.h"

namespace d2b::dump::c {
namespace {

/// True for the kinds that stand for a type in C (what a member, typedef,
/// pointer or parameter may refer to).
bool isTypeKind(Kind k) {
  switch (k) {
  case Kind::Unkn: // void, for id 0
  case Kind::Int:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Struct:
  case Kind::Union:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::FuncProto:
  case Kind::Float:
  case Kind::TypeTag:
    return true;
  case Kind::Func:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
    return false;
  }
  return false;
}

/// Kinds written inline wherever they are used (no name of their own), so a
/// cycle made only of them cannot be written in C.
bool isInlineKind(const Btf &btf, uint32_t id) {
  if (id == 0)
    return false;
  switch (btf.type(id).kind()) {
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::FuncProto:
  case Kind::TypeTag:
    return true;
  case Kind::Struct:
  case Kind::Union:
    return btf.name(id).empty();
  case Kind::Unkn:
  case Kind::Int:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Func:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::Float:
  case Kind::DeclTag:
    return false;
  }
  return false;
}

/// Calls f(id) for each type a type refers to in C, leaving out the index
/// type of arrays, which C never spells.
template <class F> void forEachCRef(const Btf &btf, uint32_t id, F &&f) {
  const uint32_t *w = btf.typeWords(id);
  const bool isArray = btf::kindOf(w) == Kind::Array;
  btf::forEachTypeIdField(w, [&](const uint32_t &ref) {
    if (isArray && &ref == w + 4)
      return;
    f(ref);
  });
}

} // namespace

Error Model::checkGraph() {
  const uint32_t end = btf_.endId();
  // Every reference must name an existing type, and a type may only refer to
  // things that are types in C.
  for (uint32_t id = 1; id < end; ++id) {
    const Kind k = btf_.type(id).kind();
    if (k == Kind::TypeTag)
      has_type_tags_ = true;
    Error err;
    btf::forEachStrField(btf_.typeWords(id), [&](const uint32_t &off) {
      if (!err && !btf_.validStrOffset(off))
        err = Error(fmt::format("type [{}] {} has string offset {:#x}, outside the strings", id,
                                btf::kindName(k), off));
    });
    btf::forEachTypeIdField(btf_.typeWords(id), [&](const uint32_t &ref) {
      if (!err && ref >= end)
        err = Error(fmt::format("type [{}] {} refers to type [{}], which does not exist", id,
                                btf::kindName(k), ref));
    });
    if (err)
      return err;
    if (!isTypeKind(k))
      continue;
    forEachCRef(btf_, id, [&](uint32_t ref) {
      if (!err && !isTypeKind(kindOf(ref)))
        err = Error(fmt::format("type [{}] {} refers to [{}] {}, which is not a type", id,
                                btf::kindName(k), ref, btf::kindName(kindOf(ref))));
    });
    if (err)
      return err;
  }
  // A cycle through unnamed types only (e.g. a pointer to itself) has no C
  // spelling. Iterative DFS: 0 = new, 1 = on the stack, 2 = done.
  std::vector<uint8_t> color(end, 0);
  struct Frame {
    uint32_t id;
    size_t pendingStart; // this frame's unvisited edges are pending[pendingStart..]
  };
  std::vector<Frame> frames;
  std::vector<uint32_t> pending;
  auto push = [&](uint32_t id) {
    color[id] = 1;
    frames.push_back({id, pending.size()});
    forEachCRef(btf_, id, [&](uint32_t ref) {
      if (isInlineKind(btf_, ref))
        pending.push_back(ref);
    });
  };
  for (uint32_t root = 1; root < end; ++root) {
    if (color[root] || !isInlineKind(btf_, root))
      continue;
    push(root);
    while (!frames.empty()) {
      if (pending.size() == frames.back().pendingStart) {
        color[frames.back().id] = 2;
        frames.pop_back();
        continue;
      }
      const uint32_t ref = pending.back();
      pending.pop_back();
      if (color[ref] == 1)
        return Error(fmt::format("type [{}] {} is part of a cycle of unnamed types, which C "
                                 "cannot express",
                                 ref, btf::kindName(kindOf(ref))));
      if (color[ref] == 0)
        push(ref);
    }
  }
  return Error::success();
}

void Model::markReachable() {
  const uint32_t end = btf_.endId();
  reachable_.assign(end, false);
  std::vector<uint32_t> work;
  for (uint32_t id = 1; id < end; ++id) {
    const Kind k = kindOf(id);
    const bool named = !btf_.name(id).empty();
    const bool root =
        k == Kind::Typedef || k == Kind::Fwd ||
        (named && (k == Kind::Struct || k == Kind::Union || k == Kind::Enum || k == Kind::Enum64));
    if (!root)
      continue;
    reachable_[id] = true;
    forEachCRef(btf_, id, [&](uint32_t ref) { work.push_back(ref); });
    while (!work.empty()) {
      uint32_t r = work.back();
      work.pop_back();
      if (r == 0 || reachable_[r])
        continue;
      reachable_[r] = true;
      if (isInlineKind(btf_, r))
        forEachCRef(btf_, r, [&](uint32_t ref) { work.push_back(ref); });
    }
  }
}

bool Model::isBuiltinTypedef(uint32_t id) const {
  // The compiler defines these itself; a definition from GCC's BTF would
  // clash with clang's built-in one.
  return kindOf(id) == Kind::Typedef && btf_.name(id) == "__builtin_va_list";
}

bool Model::isAnonAggregate(uint32_t id) const {
  const Kind k = kindOf(id);
  return (k == Kind::Struct || k == Kind::Union) && btf_.name(id).empty();
}

Error Model::analyze() {
  const uint32_t end = btf_.endId();
  // The pointer size follows the BTF's own `long`, so ILP32 BTF lays out
  // like the target it came from.
  for (uint32_t id = 1; id < end; ++id) {
    if (kindOf(id) != Kind::Int)
      continue;
    std::string_view n = btf_.name(id);
    const uint32_t size = btf_.type(id).size();
    if ((n == "long int" || n == "long unsigned int" || n == "long" || n == "unsigned long") &&
        (size == 4 || size == 8)) {
      ptr_size_ = size;
      break;
    }
  }
  if (Error e = checkGraph())
    return e;
  markReachable();
  assignNames();
  // Report base types C cannot spell only if something prints them.
  Error err;
  for (uint32_t id = 1; id < end && !err; ++id) {
    if (kindOf(id) == Kind::Int)
      intSpelling(id, err);
    else if (kindOf(id) == Kind::Float)
      floatSpelling(id, err);
  }
  busy_.assign(end, 0);
  layout_index_.assign(end, 0);
  return err;
}

uint32_t Model::skipMods(uint32_t id) const {
  for (uint32_t guard = 0; id && guard < btf_.endId(); ++guard) {
    const Kind k = kindOf(id);
    if (k != Kind::Const && k != Kind::Volatile && k != Kind::Restrict && k != Kind::TypeTag)
      break;
    id = btf_.type(id).type();
  }
  return id;
}

std::vector<Field> Model::fields(uint32_t id) const {
  const btf::TypeView t = btf_.type(id);
  std::vector<Field> out;
  out.reserve(t.vlen());
  for (uint32_t i = 0; i < t.vlen(); ++i) {
    const uint32_t *m = t.tail() + 3 * i;
    Field f{i, m[1], t.kflag() ? btf::memberBitOffset(m[2]) : m[2],
            t.kflag() ? btf::memberBitfieldSize(m[2]) : 0};
    // Without kind_flag, old encoders express a bitfield as a member whose
    // INT type is narrower than its size.
    if (!t.kflag()) {
      uint32_t base = skipMods(m[1]);
      if (kindOf(base) == Kind::Int) {
        const btf::TypeView it = btf_.type(base);
        const uint32_t enc = it.tail()[0];
        if (btf::intBits(enc) != it.size() * 8 || btf::intOffset(enc) != 0) {
          f.bitfield = btf::intBits(enc);
          f.bitOff += btf::intOffset(enc);
        }
      }
    }
    out.push_back(f);
  }
  return out;
}

std::string_view Model::enumModeAttr(uint32_t id) const {
  const btf::TypeView t = btf_.type(id);
  // Size the compiler gives the enum from its values: int or unsigned int if
  // they all fit, else a 64-bit type.
  bool fitsInt = true, fitsUnsigned = true;
  for (uint32_t i = 0; i < t.vlen(); ++i) {
    int64_t sv;
    uint64_t uv;
    if (t.kind() == Kind::Enum) {
      uv = t.tail()[2 * i + 1];
      sv = t.kflag() ? int64_t(int32_t(uv)) : int64_t(uv);
    } else {
      uv = uint64_t(t.tail()[3 * i + 2]) << 32 | t.tail()[3 * i + 1];
      sv = int64_t(uv);
      if (!t.kflag() && uv > uint64_t(INT64_MAX))
        sv = INT64_MAX; // a huge unsigned value: fits neither 32-bit type
    }
    if (sv < INT32_MIN || sv > INT32_MAX)
      fitsInt = false;
    if (sv < 0 || sv > int64_t(UINT32_MAX))
      fitsUnsigned = false;
  }
  const uint32_t natural = fitsInt || fitsUnsigned ? 4 : 8;
  if (t.size() == natural)
    return "";
  switch (t.size()) {
  case 1:
    return " __attribute__((mode(QI)))";
  case 2:
    return " __attribute__((mode(HI)))";
  case 8:
    return " __attribute__((mode(DI)))";
  default:
    return "";
  }
}

} // namespace d2b::dump::c
