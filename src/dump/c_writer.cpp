// C text for types. A declaration is built the way C reads it, inside out:
// starting from the declared name we walk the BTF chain (pointer, array,
// function, qualifier) wrapping the declarator text, until a base type
// (a name, or an anonymous body written inline) ends the chain. Qualifiers
// that apply to the base type are written before it ("const int *p"), others
// after the '*' they qualify ("int *const p"); a pointer to an array or a
// function gets parentheses ("int (*p)[4]").
#include "c_writer.h"

namespace d2b::dump::c {
namespace {

/// Comment text must not end the comment early.
std::string commentSafe(std::string_view s) {
  std::string out(s);
  for (size_t pos; (pos = out.find("*/")) != std::string::npos;)
    out.replace(pos, 2, "* /");
  return out;
}

/// A C string literal body for `s`.
std::string quoted(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

} // namespace

bool Writer::elementHas(uint32_t id, Kind qual) const {
  // From an array (possibly under qualifiers), down through nested arrays to
  // the element type: is `qual` among the element's qualifiers?
  const Btf &btf = m_.btf();
  for (uint32_t guard = 0; id && guard <= btf.endId(); ++guard) {
    const btf::TypeView t = btf.type(id);
    if (t.kind() == Kind::Array) {
      id = t.tail()[0];
      continue;
    }
    if (t.kind() == qual)
      return true;
    if (t.kind() != Kind::Const && t.kind() != Kind::Volatile && t.kind() != Kind::Restrict &&
        t.kind() != Kind::TypeTag)
      return false;
    id = t.type();
  }
  return false;
}

std::string Writer::typeTag(uint32_t id) const {
  const btf::TypeView t = m_.btf().type(id);
  const std::string_view value = m_.btf().str(t.nameOff());
  // kind_flag tags carry a whole attribute ("address_space(1)").
  if (t.kflag())
    return fmt::format("__attribute__(({}))", value);
  return fmt::format("{}(\"{}\")", kTypeTagMacro, quoted(value));
}

void Writer::declaration(uint32_t type, std::string_view name, int indent) {
  declarationTo(out_, type, std::string(name), indent);
}

void Writer::aggregate(uint32_t id, int indent) { aggregateTo(out_, id, indent); }

void Writer::enumeration(uint32_t id, int indent) { enumerationTo(out_, id, indent); }

void Writer::declarationTo(fmt::memory_buffer &out, uint32_t id, std::string inner, int indent) {
  const Btf &btf = m_.btf();
  std::string quals; // qualifiers of the base type, written before it
  std::string tags;  // type tags of the base type, written after it
  // The first non-modifier below the current run of modifiers: the same for
  // every modifier of a run, so found once per run — looking it up at each
  // one would make a long const/volatile chain quadratic.
  constexpr uint32_t kUnknown = UINT32_MAX;
  uint32_t modsEnd = kUnknown;
  for (uint32_t guard = 0; id && guard <= btf.endId(); ++guard) {
    const btf::TypeView t = btf.type(id);
    const Kind k = t.kind();
    if (k != Kind::Const && k != Kind::Volatile && k != Kind::Restrict && k != Kind::TypeTag &&
        k != Kind::Ptr)
      modsEnd = kUnknown;
    switch (k) {
    case Kind::Ptr: {
      inner.insert(0, "*");
      modsEnd = m_.skipMods(t.type());
      const Kind next = m_.kindOf(modsEnd);
      if (next == Kind::Array || next == Kind::FuncProto)
        inner = "(" + inner + ")";
      id = t.type();
      continue;
    }
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::TypeTag: {
      const std::string word = k == Kind::Const      ? "const"
                               : k == Kind::Volatile ? "volatile"
                               : k == Kind::Restrict ? "restrict"
                                                     : typeTag(id);
      if (modsEnd == kUnknown)
        modsEnd = m_.skipMods(t.type());
      const Kind next = m_.kindOf(modsEnd);
      if (next == Kind::Array && k != Kind::TypeTag && elementHas(t.type(), k)) {
        // GCC qualifies an array whose elements are qualified (GCC bug 8354);
        // in C the qualifier of an array is its elements', so say it once.
      } else if (next == Kind::FuncProto && k != Kind::TypeTag) {
        // A qualified function type has no C spelling; the qualifier means
        // nothing for a function anyway.
      } else if (next != Kind::Ptr && next != Kind::Array && next != Kind::FuncProto) {
        if (k == Kind::TypeTag)
          tags += " " + word;
        else
          quals += word + " ";
      } else {
        inner = inner.empty() ? word : word + " " + inner;
      }
      id = t.type();
      continue;
    }
    case Kind::Array:
      inner += fmt::format("[{}]", t.tail()[2]);
      id = t.tail()[0];
      continue;
    case Kind::FuncProto: {
      std::string params = "(";
      const uint32_t n = t.vlen();
      if (n == 0)
        params += "void";
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t p = t.tail()[2 * i + 1];
        if (i)
          params += ", ";
        if (p == 0 && i + 1 == n) {
          params += "...";
          continue;
        }
        fmt::memory_buffer tmp;
        declarationTo(tmp, p, std::string(), indent);
        params.append(tmp.data(), tmp.size());
      }
      params += ")";
      inner += params;
      id = t.type();
      continue;
    }
    case Kind::Unkn:
    case Kind::Int:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Fwd:
    case Kind::Typedef:
    case Kind::Func:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::Float:
    case Kind::DeclTag:
      break;
    }
    break;
  }
  put(out, quals);
  const Kind k = m_.kindOf(id);
  switch (k) {
  case Kind::Int:
  case Kind::Float:
    put(out, m_.baseSpelling(id));
    break;
  case Kind::Typedef:
    put(out, m_.typedefName(id));
    break;
  case Kind::Struct:
  case Kind::Union:
    if (m_.tagName(id).empty())
      aggregateTo(out, id, indent);
    else
      fmt::format_to(fmt::appender(out), "{} {}", k == Kind::Union ? "union" : "struct",
                     m_.tagName(id));
    break;
  case Kind::Enum:
  case Kind::Enum64:
    if (m_.tagName(id).empty())
      enumerationTo(out, id, indent);
    else
      fmt::format_to(fmt::appender(out), "enum {}", m_.tagName(id));
    break;
  case Kind::Fwd:
    fmt::format_to(fmt::appender(out), "{} {}", m_.btf().type(id).kflag() ? "union" : "struct",
                   m_.tagName(id));
    break;
  case Kind::Unkn: // void
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::FuncProto:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
  case Kind::TypeTag:
    // Only void gets here: the model rejected non-type references and
    // cycles before anything was written.
    put(out, "void");
    break;
  }
  put(out, tags);
  if (!inner.empty()) {
    out.push_back(' ');
    put(out, inner);
  }
}

void Writer::aggregateTo(fmt::memory_buffer &out, uint32_t id, int indent) {
  const Kind k = m_.kindOf(id);
  const Layout &l = m_.layout(id);
  const std::vector<std::string_view> names = m_.memberNames(id);
  put(out, k == Kind::Union ? "union" : "struct");
  if (!m_.tagName(id).empty()) {
    out.push_back(' ');
    put(out, m_.tagName(id));
  }
  put(out, " {\n");
  for (const std::string &n : l.notes) {
    tabs(out, indent + 1);
    fmt::format_to(fmt::appender(out), "/* dwarf2btf: layout differs from BTF [{}]: {} */\n", id,
                   commentSafe(n));
  }
  itemsTo(out, l.items, id, names, indent + 1);
  tabs(out, indent);
  out.push_back('}');
  if (l.packed)
    put(out, " __attribute__((packed))");
  if (l.alignAttr)
    fmt::format_to(fmt::appender(out), " __attribute__((aligned({})))", l.alignAttr);
}

void Writer::itemsTo(fmt::memory_buffer &out, const std::vector<Item> &items, uint32_t owner,
                     const std::vector<std::string_view> &names, int indent) {
  const btf::TypeView t = m_.btf().type(owner);
  for (const Item &it : items) {
    tabs(out, indent);
    switch (it.what) {
    case Item::What::Member:
      declarationTo(out, t.tail()[3 * it.member + 1], std::string(names[it.member]), indent);
      if (it.bits)
        fmt::format_to(fmt::appender(out), ": {}", it.bits);
      put(out, ";\n");
      break;
    case Item::What::Pad:
      fmt::format_to(fmt::appender(out), "{}: {};\n", it.padType, it.bits);
      break;
    case Item::What::NamedPad:
      fmt::format_to(fmt::appender(out), "char __d2b_pad{}_{}[{}];\n", owner, it.member, it.bits);
      break;
    case Item::What::Group:
      put(out, it.groupIsUnion ? "union {\n" : "struct {\n");
      itemsTo(out, it.children, owner, names, indent + 1);
      tabs(out, indent);
      put(out, it.groupPacked ? "} __attribute__((packed));\n" : "};\n");
      break;
    case Item::What::Skipped:
      fmt::format_to(fmt::appender(out), "/* left out: member {} of type [{}] */\n",
                     commentSafe(names[it.member].empty() ? "(anon)" : names[it.member]),
                     t.tail()[3 * it.member + 1]);
      break;
    }
  }
}

void Writer::enumerationTo(fmt::memory_buffer &out, uint32_t id, int indent) {
  const btf::TypeView t = m_.btf().type(id);
  put(out, "enum");
  if (!m_.tagName(id).empty()) {
    out.push_back(' ');
    put(out, m_.tagName(id));
  }
  put(out, " {\n");
  for (uint32_t i = 0; i < t.vlen(); ++i) {
    tabs(out, indent + 1);
    put(out, m_.enumeratorName(id, i));
    if (t.kind() == Kind::Enum) {
      const uint32_t v = t.tail()[2 * i + 1];
      if (t.kflag())
        fmt::format_to(fmt::appender(out), " = {},\n", int32_t(v));
      else
        fmt::format_to(fmt::appender(out), " = {},\n", v);
      continue;
    }
    const uint64_t v = uint64_t(t.tail()[3 * i + 2]) << 32 | t.tail()[3 * i + 1];
    if (!t.kflag())
      fmt::format_to(fmt::appender(out), " = {}ULL,\n", v);
    else if (int64_t(v) == INT64_MIN)
      put(out, " = (-9223372036854775807LL - 1),\n"); // the literal itself would overflow
    else
      fmt::format_to(fmt::appender(out), " = {}LL,\n", int64_t(v));
  }
  if (t.vlen() == 0) {
    // C has no empty enum; one placeholder keeps the type usable.
    tabs(out, indent + 1);
    fmt::format_to(fmt::appender(out), "__d2b_empty_enum_{} = 0,\n", id);
  }
  tabs(out, indent);
  out.push_back('}');
  put(out, m_.enumModeAttr(id));
}

} // namespace d2b::dump::c
