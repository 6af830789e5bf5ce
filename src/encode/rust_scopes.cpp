#include "rust_scopes.h"

#include <dwarf.h>
#include <map>
#include <unordered_set>
#include <vector>

namespace d2b::encode {

namespace {

using model::NodeId;
using model::NodeKind;

// Tags whose name becomes part of the path of the types nested in them.
bool namesScope(int tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_subprogram || tag == DW_TAG_structure_type ||
         tag == DW_TAG_union_type || tag == DW_TAG_enumeration_type;
}

} // namespace

std::unordered_map<NodeId, std::string> rustClashPaths(Dwarf *dw, const dwarf::UnitRef &unit,
                                                       const model::TypeGraph &g) {
  std::unordered_map<NodeId, std::string> out;
  if (unit.typesSection)
    return out;
  std::vector<bool> isVariant(g.size(), false);
  for (NodeId i = 1; i < g.size(); ++i) {
    const model::TypeNode &t = g.node(i);
    if (!t.variantPart)
      continue;
    auto vm = g.variantMembers(t);
    for (size_t k = t.hasDiscr ? 1 : 0; k < vm.size(); ++k)
      if (vm[k].type < g.size())
        isVariant[vm[k].type] = true;
  }
  // (enum?, name) -> nodes; struct and union tags share C's tag namespace.
  std::map<std::pair<bool, std::string_view>, std::vector<NodeId>> groups;
  for (NodeId i = 1; i < g.size(); ++i) {
    const model::TypeNode &t = g.node(i);
    if (t.foreign || t.declaration || t.name.empty() || isVariant[i] ||
        (t.kind != NodeKind::Composite && t.kind != NodeKind::Enum))
      continue;
    groups[{t.kind == NodeKind::Enum, t.name}].push_back(i);
  }
  std::unordered_map<uint64_t, NodeId> wanted; // DIE offset -> node
  for (const auto &[key, nodes] : groups)
    if (nodes.size() > 1)
      for (NodeId i : nodes)
        wanted.emplace(g.node(i).dieOffset, i);
  if (wanted.empty())
    return out;

  // One pre-order walk of the unit with the path of named scopes.
  Dwarf_Die cu;
  if (!dwarf_offdie(dw, unit.dieOffset, &cu))
    return out;
  struct Frame {
    Dwarf_Die die;
    size_t depth; // path entries in force for this DIE
  };
  std::vector<std::string> path;
  std::vector<Frame> stack;
  Dwarf_Die c;
  if (dwarf_child(&cu, &c) == 0)
    stack.push_back({c, 0});
  while (!stack.empty() && out.size() < wanted.size()) {
    Frame f = stack.back();
    stack.pop_back();
    path.resize(f.depth);
    Dwarf_Die sib;
    if (dwarf_siblingof(&f.die, &sib) == 0)
      stack.push_back({sib, f.depth});
    const int tag = dwarf_tag(&f.die);
    const char *name = dwarf_diename(&f.die);
    if (auto it = wanted.find(dwarf_dieoffset(&f.die)); it != wanted.end() && !path.empty()) {
      std::string p;
      for (const std::string &s : path)
        p += s + "::";
      out.emplace(it->second, p + (name ? name : ""));
    }
    size_t depth = f.depth;
    if (namesScope(tag)) {
      path.push_back(name ? name : "");
      ++depth;
    } else if (tag != DW_TAG_lexical_block) {
      continue;
    }
    if (dwarf_child(&f.die, &c) == 0)
      stack.push_back({c, depth});
  }
  return out;
}

} // namespace d2b::encode
