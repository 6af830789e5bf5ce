#include "rust_layout_check.h"

#include <fmt/format.h>
#include <regex>
#include <set>
#include <sstream>

#include "dwarf2btf/lower/rust_names.h"

namespace d2b::test {

namespace {

using lower::rust::isValidIdentifier;
using lower::rust::sanitizeName;

// `base__suffix`, one `_` fewer when base already ends in one (no `___`).
std::string joinName(const std::string &base, const std::string &suffix) {
  return base + (!base.empty() && base.back() == '_' ? "_" : "__") + suffix;
}

const char *keyword(const DwarfType &t) {
  switch (t.kind) {
  case DwarfType::Kind::Struct:
    return "struct";
  case DwarfType::Kind::Union:
    return "union";
  case DwarfType::Kind::Enum:
    return t.size == 16 ? "typedef" : "enum";
  }
  return "struct";
}

// What the C header defines: "struct X" / "union X" / "enum X" /
// "typedef X" -> identifiers declared inside the body (any depth).
std::map<std::string, std::set<std::string>> parseHeader(const std::string &h) {
  std::map<std::string, std::set<std::string>> out;
  static const std::regex open(R"(^(struct|union|enum) (\w+) \{)");
  static const std::regex tdef(R"(^typedef .*\b(\w+);$)");
  static const std::regex member(R"((\w+)(\[[^;]*\])*(: \d+)?;$)");
  std::istringstream is(h);
  std::string line;
  std::set<std::string> *body = nullptr;
  int depth = 0;
  while (std::getline(is, line)) {
    std::smatch m;
    if (!body && std::regex_search(line, m, open)) {
      body = &out[m[1].str() + " " + m[2].str()];
      depth = 0;
    } else if (!body && std::regex_search(line, m, tdef)) {
      out["typedef " + m[1].str()];
      continue;
    }
    if (!body)
      continue;
    for (char c : line)
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    if (depth <= 0 && line.find('}') != std::string::npos) {
      body = nullptr;
      continue;
    }
    static const std::regex fnPtr(R"(\(\*(\w+)\)\()");
    if (std::regex_search(line, m, fnPtr)) {
      body->insert(m[1].str());
      continue;
    }
    if (std::regex_search(line, m, member) && line.find("long:") == std::string::npos &&
        line.find("int:") == std::string::npos && line.find("char:") == std::string::npos &&
        line.find("short:") == std::string::npos)
      body->insert(m[1].str());
  }
  return out;
}

// A layout fingerprint: two DWARF types with one C name and different
// fingerprints cannot both be checked under that name.
std::string fingerprint(const DwarfType &t) {
  std::string f = fmt::format("{}:{}:", int(t.kind), t.size);
  for (const DwarfMember &m : t.members)
    f += fmt::format("{}@{}/{},", m.name, m.offset, m.size);
  for (const DwarfVariant &v : t.variants)
    f += fmt::format("|{}:{}@{}", v.name, v.typeName, v.offset);
  return f;
}

} // namespace

std::string rustFieldName(const std::string &name) {
  if (name.empty() || isValidIdentifier(name))
    return name;
  return "__" + sanitizeName(name, lower::rust::kBpfLinkerMaxName - 2);
}

std::string rustCName(const DwarfType &t) {
  if (t.name.empty())
    return {};
  const size_t cap = lower::rust::kBpfLinkerMaxName;
  if (!t.ownerDie || t.ownerName.empty())
    return sanitizeName(t.name, cap);
  std::string out = joinName(sanitizeName(t.ownerName, cap), sanitizeName(t.name, cap));
  if (out.size() > cap)
    out = sanitizeName(t.ownerName + "::" + t.name, cap);
  return out;
}

std::map<uint64_t, std::string> opaqueRulesFromReport(const std::string &report) {
  std::map<uint64_t, std::string> out;
  static const std::regex line(R"(DIE 0x([0-9a-f]+) .*\[(rust\.(opaque|enum128)[^\]]*)\])");
  std::istringstream is(report);
  std::string l;
  while (std::getline(is, l)) {
    std::smatch m;
    if (std::regex_search(l, m, line))
      out[std::stoull(m[1].str(), nullptr, 16)] = m[2].str();
  }
  return out;
}

LayoutProgram buildLayoutProgram(const LayoutInputs &in) {
  LayoutProgram p;
  const auto defined = parseHeader(in.header);
  std::map<uint64_t, const DwarfType *> byDie;
  for (const DwarfType &t : in.types)
    byDie[t.die] = &t;

  // C name of each type, and which C names stand for more than one layout.
  std::map<uint64_t, std::string> cName, rawName; // rawName: the (maybe qualified) Rust name
  std::map<std::string, std::set<std::string>> layoutsOf;
  for (const DwarfType &t : in.types) {
    std::string raw = t.name;
    if (in.qualified && !t.ownerDie) {
      // Qualification applies to names that clash within a unit.
      size_t same = 0;
      for (const DwarfType &o : in.types)
        same += !o.ownerDie &&
                (o.kind == DwarfType::Kind::Enum) == (t.kind == DwarfType::Kind::Enum) &&
                o.name == t.name && o.die != t.die;
      if (same && !t.scope.empty())
        raw = t.scope + "::" + t.name;
    }
    rawName[t.die] = raw;
    cName[t.die] = t.ownerDie ? rustCName(t) : sanitizeName(raw, lower::rust::kBpfLinkerMaxName);
  }
  // Variant structs follow their (maybe qualified) enum's name.
  for (const DwarfType &t : in.types)
    if (t.ownerDie && byDie.count(t.ownerDie) && !t.name.empty() && !rawName[t.ownerDie].empty()) {
      const std::string &ownerRaw = rawName[t.ownerDie];
      std::string n = joinName(sanitizeName(ownerRaw), sanitizeName(t.name));
      if (n.size() > lower::rust::kBpfLinkerMaxName)
        n = sanitizeName(ownerRaw + "::" + t.name);
      cName[t.die] = n;
    }
  for (const DwarfType &t : in.types)
    layoutsOf[std::string(keyword(t)) + " " + cName[t.die]].insert(fingerprint(t));

  std::ostringstream c;
  std::set<std::string> done;
  auto check = [&](const std::string &expr, uint64_t want, const std::string &label) {
    c << fmt::format("  CHECK({}, {}ULL, \"{}\");\n", expr, want, label);
    ++p.checks;
  };
  for (const DwarfType &t : in.types) {
    const std::string name = cName[t.die];
    const std::string kw = keyword(t);
    const std::string key = kw + " " + name;
    auto skip = [&](const std::string &why) {
      p.unchecked.push_back(fmt::format("DIE {:#x} {}: {}", t.die, t.name, why));
    };
    if (t.isCVoid()) {
      skip("core::ffi::c_void is lowered to void");
      continue;
    }
    if (name.empty()) {
      skip("anonymous type");
      continue;
    }
    if (layoutsOf[key].size() > 1) {
      skip(fmt::format("{} different layouts share the C name '{}'", layoutsOf[key].size(), name));
      continue;
    }
    auto def = defined.find(key);
    if (def == defined.end()) {
      skip(fmt::format("no '{}' in the C dump", key));
      continue;
    }
    if (!done.insert(key).second)
      continue; // the same type from another unit
    const std::string ty = kw == "typedef" ? name : key;
    check(fmt::format("sizeof({})", ty), t.size, name);
    if (t.kind == DwarfType::Kind::Enum)
      continue;
    auto opaque = in.opaqueRule.find(t.die);
    bool hasStorage = false;
    for (const DwarfMember &m : t.members)
      hasStorage |= m.size != 0 && !(t.kind == DwarfType::Kind::Struct && m.offset >= t.size);
    hasStorage |= !t.variants.empty();
    if (def->second.empty() && hasStorage) {
      skip(fmt::format("opaque ({})",
                       opaque != in.opaqueRule.end() ? opaque->second : "no rule reported"));
      continue;
    }
    for (const DwarfMember &m : t.members) {
      // Zero-sized, or at/past the end (an unsized tail, a fn item): no byte
      // of the struct holds it, and the lowering drops it by rule.
      if (m.size == 0 || (t.kind == DwarfType::Kind::Struct && m.offset >= t.size)) {
        ++p.droppedZstMembers;
        continue;
      }
      const std::string f = rustFieldName(m.name);
      check(fmt::format("__builtin_offsetof({}, {})", ty, f), m.offset, name + "." + f);
    }
    if (!t.variantPart)
      continue;
    if (t.discrOffset)
      check(fmt::format("__builtin_offsetof({}, __discr.value)", ty), *t.discrOffset,
            name + ".__discr.value");
    for (const DwarfVariant &v : t.variants) {
      auto vt = byDie.find(v.typeDie);
      if (vt == byDie.end())
        continue;
      std::string arm = v.name;
      if (!isValidIdentifier(arm))
        arm = isValidIdentifier(v.typeName) ? v.typeName : rustFieldName(v.name);
      check(fmt::format("__builtin_offsetof({}, {})", ty, arm), v.offset, name + "." + arm);
      for (const DwarfMember &m : vt->second->members) {
        if (m.size == 0)
          continue;
        const std::string f = rustFieldName(m.name);
        check(fmt::format("__builtin_offsetof({}, {}.{})", ty, arm, f), v.offset + m.offset,
              name + "." + arm + "." + f);
      }
    }
  }
  p.source = in.header +
             "\n#include <stdio.h>\n"
             "static int failures;\n"
             "#define CHECK(got, want, label) do { if ((unsigned long long)(got) != (want)) {"
             " ++failures; printf(\"FAIL %s: C says %llu, DWARF says %llu\\n\", label,"
             " (unsigned long long)(got), (unsigned long long)(want)); } } while (0)\n"
             "int main(void) {\n" +
             c.str() + fmt::format("  printf(\"checked {}\\n\");\n", p.checks) +
             "  return failures != 0;\n}\n";
  return p;
}

} // namespace d2b::test
