// Same-named types after dedup; see encode/type_clashes.h.
#include "dwarf2btf/encode/type_clashes.h"

#include <fmt/format.h>
#include <map>
#include <vector>

#include "dwarf2btf/btf/format.h"

namespace d2b::encode {

namespace {

// The C namespace a definition of kind `k` lives in, or nullptr for kinds
// that are not named definitions (FWD included: it names no layout).
const char *namespaceOf(btf::Kind k) {
  switch (k) {
  case btf::Kind::Struct:
  case btf::Kind::Union:
  case btf::Kind::Enum:
  case btf::Kind::Enum64:
    return "tag";
  case btf::Kind::Typedef:
    return "typedef";
  case btf::Kind::Unkn:
  case btf::Kind::Int:
  case btf::Kind::Ptr:
  case btf::Kind::Array:
  case btf::Kind::Fwd:
  case btf::Kind::Volatile:
  case btf::Kind::Const:
  case btf::Kind::Restrict:
  case btf::Kind::Func:
  case btf::Kind::FuncProto:
  case btf::Kind::Var:
  case btf::Kind::Datasec:
  case btf::Kind::Float:
  case btf::Kind::DeclTag:
  case btf::Kind::TypeTag:
    return nullptr;
  }
  return nullptr;
}

std::string lowerKind(btf::Kind k) {
  std::string s(btf::kindName(k));
  for (char &c : s)
    c = char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

} // namespace

TypeClashStats reportTypeClashes(const btf::Btf &btf, const TypeClashOptions &opts,
                                 DiagEngine &diag) {
  // (namespace, name) -> ids, in id order; std::map keeps the report sorted.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<uint32_t>> defs;
  for (uint32_t id = btf.startId(); id < btf.endId(); ++id) {
    const btf::TypeView t = btf.type(id);
    const char *ns = namespaceOf(t.kind());
    if (!ns || !t.nameOff())
      continue;
    defs[{ns, btf.str(t.nameOff())}].push_back(id);
  }
  TypeClashStats st;
  for (const auto &[key, ids] : defs) {
    if (ids.size() < 2)
      continue;
    ++st.names;
    st.types += ids.size();
    if (!opts.verbose) {
      diag.count(kRuleTypeClash);
      continue;
    }
    // A crafted input can give one name a hundred thousand definitions; the
    // note names the first few, enough to find them with `dump`.
    constexpr size_t kListed = 8;
    std::string list;
    for (size_t i = 0; i < ids.size() && i < kListed; ++i)
      list += fmt::format("{}{} [{}]", list.empty() ? "" : ", ", lowerKind(btf.type(ids[i]).kind()),
                          ids[i]);
    if (ids.size() > kListed)
      list += fmt::format(", and {} more", ids.size() - kListed);
    Location where;
    where.file = opts.file;
    where.btf_id = ids.front();
    diag.report(Diagnostic{Severity::Note, kRuleTypeClash, where,
                           fmt::format("'{}' has {} different definitions ({}); all kept",
                                       key.second, ids.size(), list)});
  }
  return st;
}

} // namespace d2b::encode
