// C names for BTF types: identifier repair, the tag and ordinary-identifier
// namespaces with bpftool's ___N suffixes, member names, and the spelling of
// INT/FLOAT base types.
#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "c_model.h"

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

} // namespace

bool isCIdentifier(std::string_view s) {
  if (s.empty() || !isIdentStart(s[0]))
    return false;
  for (char c : s)
    if (!isIdentChar(c))
      return false;
  return !isKeyword(s);
}

namespace {

/// Turns a name that is not a C identifier (a Rust path, a keyword) into one.
std::string repairIdent(std::string_view raw) {
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

} // namespace

std::string_view Model::ident(std::string_view raw) {
  if (isCIdentifier(raw))
    return raw;
  return storage_.emplace_back(repairIdent(raw));
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

} // namespace d2b::dump::c
