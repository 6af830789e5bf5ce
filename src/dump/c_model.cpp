// The C model's analysis: reference and cycle checks, reachability, C names
// and base-type spellings. Layout lives in c_layout.cpp.
#include "c_model.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "dwarf2btf/btf/field_iter.h"

namespace d2b::dump::c {
namespace {

// Sorted, for binary search: names are checked by the hundred thousand.
constexpr std::string_view kKeywords[] = {
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Bool",
    "_Complex",
    "_Float16",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "__asm__",
    "__attribute__",
    "__extension__",
    "__int128",
    "__typeof__",
    "asm",
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "typeof",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
};

static_assert(std::is_sorted(std::begin(kKeywords), std::end(kKeywords)));

bool isKeyword(std::string_view s) {
  return std::binary_search(std::begin(kKeywords), std::end(kKeywords), s);
}

bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }

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

bool isCIdentifier(std::string_view s) {
  if (s.empty() || !isIdentStart(s[0]))
    return false;
  for (char c : s)
    if (!isIdentChar(c))
      return false;
  return !isKeyword(s);
}

/// Turns a name that is not a C identifier (a Rust path, a keyword) into one.
static std::string repairIdent(std::string_view raw) {
  std::string s;
  s.reserve(raw.size() + 2);
  for (char c : raw)
    s += isIdentChar(c) ? c : '_';
  if (s.empty() || !isIdentStart(s[0]))
    s = "_" + s;
  if (isKeyword(s))
    s += '_';
  return s;
}

std::string_view Model::ident(std::string_view raw) {
  if (isCIdentifier(raw))
    return raw;
  return storage_.emplace_back(repairIdent(raw));
}

Error Model::checkGraph() {
  const uint32_t end = btf_.endId();
  // Every reference must name an existing type, and a type may only refer to
  // things that are types in C.
  for (uint32_t id = 1; id < end; ++id) {
    const Kind k = btf_.type(id).kind();
    if (k == Kind::TypeTag)
      has_type_tags_ = true;
    Error err;
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

std::string_view Model::intSpelling(uint32_t id, Error &err) {
  const btf::TypeView t = btf_.type(id);
  const std::string_view name = btf_.name(id);
  // Keep the BTF name when it is a C spelling of an integer of the same size.
  int nChar = 0, nShort = 0, nLong = 0, nInt = 0, nSign = 0, nBool = 0, n128 = 0, other = 0;
  for (size_t pos = 0; pos < name.size();) {
    size_t sp = name.find(' ', pos);
    std::string_view word = name.substr(pos, sp == std::string_view::npos ? sp : sp - pos);
    pos = sp == std::string_view::npos ? name.size() : sp + 1;
    if (word == "char")
      ++nChar;
    else if (word == "short")
      ++nShort;
    else if (word == "long")
      ++nLong;
    else if (word == "int")
      ++nInt;
    else if (word == "signed" || word == "unsigned")
      ++nSign;
    else if (word == "_Bool")
      ++nBool;
    else if (word == "__int128")
      ++n128;
    else
      ++other;
  }
  const int kinds = (nChar > 0) + (nShort > 0) + (nLong > 0) + (nBool > 0) + (n128 > 0);
  const bool valid = !name.empty() && other == 0 && kinds <= 1 && nChar <= 1 && nShort <= 1 &&
                     nLong <= 2 && nInt <= 1 && nSign <= 1 && nBool + nSign <= 1 &&
                     !(nChar && nInt) && !(nBool && nInt) && !(n128 && nInt);
  if (valid) {
    uint64_t csize = nBool || nChar ? 1
                     : nShort       ? 2
                     : nLong == 2   ? 8
                     : nLong        ? ptr_size_
                     : n128         ? 16
                                    : 4;
    if (csize == t.size())
      return name;
  }
  const uint32_t enc = btf::intEncoding(t.tail()[0]);
  const bool isSigned = enc & btf::kIntSigned;
  switch (t.size()) {
  case 1:
    if (enc & btf::kIntBool)
      return "_Bool";
    if (enc & btf::kIntChar)
      return "char";
    return isSigned ? "signed char" : "unsigned char";
  case 2:
    return isSigned ? "short" : "unsigned short";
  case 4:
    return isSigned ? "int" : "unsigned int";
  case 8:
    return isSigned ? "long long" : "unsigned long long";
  case 16:
    return isSigned ? "__int128" : "unsigned __int128";
  default:
    if (reachable_[id] && !err)
      err = Error(fmt::format("type [{}] INT '{}' has size {}, which no C integer type has", id,
                              name, t.size()));
    return "int";
  }
}

std::string_view Model::floatSpelling(uint32_t id, Error &err) {
  const uint32_t size = btf_.type(id).size();
  const std::string_view name = btf_.name(id);
  if ((name == "float" && size == 4) || (name == "double" && size == 8) ||
      (name == "long double" && (size == 16 || (size == 12 && ptr_size_ == 4))) ||
      (name == "_Float16" && size == 2) || (name == "__float128" && size == 16))
    return name;
  switch (size) {
  case 2:
    return "_Float16";
  case 4:
    return "float";
  case 8:
    return "double";
  case 16:
    return "long double";
  default:
    if (reachable_[id] && !err)
      err = Error(fmt::format("type [{}] FLOAT '{}' has size {}, which no C floating type has", id,
                              name, size));
    return "double";
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

void Model::assignNames() {
  const uint32_t end = btf_.endId();
  names_.assign(end, std::string_view());
  // C has one namespace for struct/union/enum tags and one for ordinary
  // identifiers (typedefs, enumerators). A repeated name gets bpftool's
  // ___N suffix, N counting occurrences from 2.
  struct Use {
    uint32_t count = 0; // occurrences so far; the next duplicate gets ___(count+1)
    Kind owner;         // kind of the type that took the plain name (tags)
  };
  using Namespace = std::unordered_map<std::string_view, Use>;
  Namespace tags, idents;
  tags.reserve(end / 4);
  idents.reserve(end / 2);
  auto unique = [&](Namespace &ns, std::string_view base, Kind kind) -> std::string_view {
    Use &use = ns.try_emplace(base, Use{0, kind}).first->second;
    if (++use.count == 1)
      return base;
    for (uint32_t n = std::max(use.count, 2u);; ++n) {
      std::string cand = fmt::format("{}___{}", base, n);
      if (ns.count(cand))
        continue;
      std::string_view v = storage_.emplace_back(std::move(cand));
      ns.emplace(v, Use{1, kind});
      ns[base].count = n;
      return v;
    }
  };
  Error ignored;
  for (uint32_t id = 1; id < end; ++id) {
    const btf::TypeView t = btf_.type(id);
    const std::string_view raw = btf_.name(id);
    switch (t.kind()) {
    case Kind::Int:
      names_[id] = intSpelling(id, ignored);
      break;
    case Kind::Float:
      names_[id] = floatSpelling(id, ignored);
      break;
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
      if (!raw.empty()) {
        names_[id] = unique(tags, ident(raw), t.kind());
      }
      if (t.kind() == Kind::Enum || t.kind() == Kind::Enum64) {
        const uint32_t stride = t.kind() == Kind::Enum ? 2 : 3;
        for (uint32_t i = 0; i < t.vlen(); ++i) {
          std::string_view e = btf_.str(t.tail()[stride * i]);
          std::string_view n = unique(idents, ident(e), t.kind());
          if (n != e)
            enumerator_names_.emplace(uint64_t(id) << 16 | i, n);
        }
      }
      break;
    case Kind::Typedef:
      names_[id] = isBuiltinTypedef(id) ? raw : unique(idents, ident(raw), t.kind());
      break;
    case Kind::Unkn:
    case Kind::Ptr:
    case Kind::Array:
    case Kind::Fwd:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
    case Kind::TypeTag:
      break;
    }
  }
  // FWDs last, so that they can join the definition they declare.
  std::unordered_map<std::string, std::string_view> fwdNames;
  for (uint32_t id = 1; id < end; ++id) {
    if (kindOf(id) != Kind::Fwd)
      continue;
    const Kind want = btf_.type(id).kflag() ? Kind::Union : Kind::Struct;
    std::string_view base = ident(btf_.name(id));
    // Join the definition of the same kind that has the plain name.
    auto owner = tags.find(base);
    if (owner != tags.end() && owner->second.owner == want) {
      names_[id] = base;
      continue;
    }
    std::string key = fmt::format("{}:{}", int(want), base);
    auto it = fwdNames.find(key);
    if (it == fwdNames.end())
      it = fwdNames.emplace(key, unique(tags, base, want)).first;
    names_[id] = it->second;
  }
}

Error Model::analyze() {
  const uint32_t end = btf_.endId();
  // The pointer size follows the BTF's own `long`, so ILP32 BTF lays out
  // like the target it came from.
  for (uint32_t id = 1; id < end; ++id) {
    if (kindOf(id) != Kind::Int)
      continue;
    std::string_view n = btf_.name(id);
    // Only a plausible `long` decides: a corrupt size 0 would make pointers
    // align to 0 (a division by zero in the layout).
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

std::string_view Model::enumeratorName(uint32_t id, uint32_t i) const {
  auto it = enumerator_names_.find(uint64_t(id) << 16 | i);
  if (it != enumerator_names_.end())
    return it->second;
  const btf::TypeView t = btf_.type(id);
  return btf_.str(t.tail()[(t.kind() == Kind::Enum ? 2 : 3) * i]);
}

std::vector<std::string_view> Model::memberNames(uint32_t id) {
  const btf::TypeView t = btf_.type(id);
  std::vector<std::string_view> out;
  out.reserve(t.vlen());
  for (uint32_t i = 0; i < t.vlen(); ++i) {
    const uint32_t *m = t.tail() + 3 * i;
    std::string_view raw = btf_.str(m[0]);
    if (!raw.empty()) {
      out.push_back(ident(raw));
      continue;
    }
    // Unnamed bitfields and anonymous struct/union members are legal C;
    // anything else unnamed gets a name so it can be declared.
    const bool bitfield = t.kflag() && btf::memberBitfieldSize(m[2]);
    if (bitfield || isAnonAggregate(m[1]))
      out.push_back({});
    else
      out.push_back(storage_.emplace_back(fmt::format("__unnamed_{}", i)));
  }
  // Member names must be unique within the aggregate; BTF does not promise
  // it (Rust, repaired names).
  std::unordered_set<std::string_view> seen;
  seen.reserve(out.size());
  for (std::string_view &name : out) {
    if (name.empty() || seen.insert(name).second)
      continue;
    for (uint32_t n = 2;; ++n) {
      std::string cand = fmt::format("{}___{}", name, n);
      if (!seen.count(cand) &&
          std::find(out.begin(), out.end(), std::string_view(cand)) == out.end()) {
        name = storage_.emplace_back(std::move(cand));
        seen.insert(name);
        break;
      }
    }
  }
  return out;
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

uint32_t Model::resolve(uint32_t id) const {
  for (uint32_t guard = 0; id && guard < btf_.endId(); ++guard) {
    const Kind k = kindOf(id);
    if (k != Kind::Const && k != Kind::Volatile && k != Kind::Restrict && k != Kind::TypeTag &&
        k != Kind::Typedef)
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
