#include "dwarf2btf/lower/lowering.h"

#include <cassert>
#include <dwarf.h>

#include "dwarf2btf/lower/c_lowering.h"
#include "dwarf2btf/lower/rust_lowering.h"

namespace d2b::lower {

using model::NodeId;
using model::NodeKind;

void LowerState::report(NodeId n, const char *rule, std::string message) const {
  const model::TypeNode &node = graph.node(n);
  if (node.foreign) // reported when its own unit is lowered
    return;
  taint(n);
  Diagnostic d;
  d.severity = Severity::Warning;
  d.rule = rule;
  d.where.file = std::string(ctx.file);
  d.where.die_offset = node.dieOffset;
  if (node.dieOffset != UINT64_MAX)
    d.where.section = node.inTypesSection ? ".debug_types" : ".debug_info";
  d.where.name = std::string(node.name);
  d.message = std::move(message);
  diag.report(std::move(d));
}

void LowerState::count(NodeId n, const char *rule) const {
  taint(n);
  diag.count(rule);
}

const NodeLowering &loweringFor(uint16_t lang) {
  static const CLowering c;
  static const RustLowering rust;
  return lang == DW_LANG_Rust ? static_cast<const NodeLowering &>(rust) : c;
}

namespace {

// Nodes whose single `type` edge cannot legally close a cycle: a loop made
// only of these (typedef A -> typedef B -> A, const -> itself) is corrupt
// DWARF that BTF cannot express. Composites and function prototypes may sit
// on cycles (struct node { struct node *next; }), so they stop the search.
bool isChainNode(const model::TypeNode &n) {
  return n.kind == NodeKind::Typedef || n.kind == NodeKind::Qualifier ||
         n.kind == NodeKind::Pointer || n.kind == NodeKind::Array;
}

// Marks, for every cycle of chain nodes, the edge that closes it. Each chain
// node has exactly one outgoing edge, so a walk with on-path/done colours
// finds every cycle in linear time without recursion.
std::vector<bool> findCycleEdges(const model::TypeGraph &g) {
  const size_t n = g.size();
  std::vector<bool> cut(n, false);
  std::vector<uint8_t> state(n, 0); // 0 new, 1 on the current path, 2 done
  std::vector<NodeId> path;
  for (NodeId start = 1; start < n; ++start) {
    if (state[start] || !isChainNode(g.node(start)))
      continue;
    path.clear();
    NodeId cur = start;
    while (cur != model::kVoidNode && cur < n && state[cur] == 0 && isChainNode(g.node(cur))) {
      state[cur] = 1;
      path.push_back(cur);
      cur = g.node(cur).type;
    }
    if (cur != model::kVoidNode && cur < n && state[cur] == 1)
      cut[path.back()] = true;
    for (NodeId p : path)
      state[p] = 2;
  }
  return cut;
}

// The order nodes get their BTF ids in. C units keep the walker's order
// (pahole's). Rust units are emitted dependencies first: the kernel resolves
// at most 32 levels of forward references (R12), and rustc's newtype and
// wrapper chains (`MaybeUninit<ManuallyDrop<...>>`) are deeper than that.
std::vector<NodeId> emissionOrder(const model::TypeGraph &g) {
  const size_t n = g.size();
  std::vector<NodeId> order;
  order.reserve(n);
  bool rust = false;
  for (NodeId i = 1; i < n && !rust; ++i)
    rust = g.node(i).language == DW_LANG_Rust;
  if (!rust) {
    for (NodeId i = 1; i < n; ++i)
      order.push_back(i);
    return order;
  }
  // Iterative post-order DFS; an edge to a node on the current path (a
  // cycle, always through a pointer in valid DWARF) is not followed.
  std::vector<uint8_t> state(n, 0); // 0 new, 1 on the path, 2 emitted
  struct Frame {
    NodeId node;
    std::vector<NodeId> next;
    size_t at = 0;
  };
  auto edges = [&](NodeId id) {
    const model::TypeNode &t = g.node(id);
    std::vector<NodeId> e;
    if (t.type != model::kVoidNode)
      e.push_back(t.type);
    if (t.kind == NodeKind::Composite)
      for (const model::MemberNode &m : g.members(t))
        e.push_back(m.type);
    if (t.kind == NodeKind::Subroutine)
      for (const model::ParamNode &p : g.params(t))
        e.push_back(p.type);
    return e;
  };
  std::vector<Frame> stack;
  for (NodeId root = 1; root < n; ++root) {
    if (state[root])
      continue;
    state[root] = 1;
    stack.push_back({root, edges(root)});
    while (!stack.empty()) {
      Frame &f = stack.back();
      if (f.at < f.next.size()) {
        NodeId c = f.next[f.at++];
        if (c != model::kVoidNode && c < n && state[c] == 0) {
          state[c] = 1;
          stack.push_back({c, edges(c)});
        }
        continue;
      }
      state[f.node] = 2;
      order.push_back(f.node);
      stack.pop_back();
    }
  }
  return order;
}

bool isCInt(const model::TypeNode &n) {
  return n.kind == NodeKind::Base && n.name == "int" && n.byteSize == 4 &&
         n.encoding() == model::BaseEncoding::Signed;
}

} // namespace

LoweredUnit lowerGraph(const model::TypeGraph &g, const Policy &policy, const LowerContext &ctx,
                       DiagEngine &diag) {
  LoweredUnit u;
  const size_t n = g.size();
  // About one name per node (members share their struct's node), and at
  // least as many types and ~5 words each: sized once instead of doubling.
  // A node an earlier unit merged is one placeholder type without a name
  // (on vmlinux most nodes of a unit).
  size_t external = 0;
  if (ctx.external)
    for (uint32_t merged : *ctx.external)
      external += merged != 0;
  const size_t own = n - std::min(external, n);
  u.btf.strings().reserve(own, own * 16);
  u.btf.reserve(own * 5 + (n - own) * 3, n);
  std::vector<NodeLayout> lay(n);
  std::vector<uint32_t> first(n, 0);
  std::vector<uint32_t> ids(n, 0);
  lay[0].alias = true; // void

  const std::vector<NodeId> order = emissionOrder(g);
  uint32_t next = 1;
  bool needIndex = false;
  NodeId intNode = 0;
  auto externalOf = [&](NodeId i) -> uint32_t {
    return ctx.external && i < ctx.external->size() ? (*ctx.external)[i] : 0;
  };
  for (NodeId i : order) {
    const model::TypeNode &node = g.node(i);
    if (externalOf(i))
      lay[i] = NodeLayout{1, 0, false, model::kVoidNode};
    else
      lay[i] = loweringFor(node.language).layout(g, i, policy);
    if (!lay[i].alias) {
      first[i] = next;
      ids[i] = next + lay[i].entry;
      next += lay[i].count;
    }
    needIndex |= node.kind == NodeKind::Array;
    if (!intNode && isCInt(node))
      intNode = i;
  }
  const std::vector<bool> cut = findCycleEdges(g);
  LowerState s{g, policy, ctx, diag, u.btf, ids, cut, 0, {}};
  // Rust variant structs are named after their enum (Option__Some), since
  // every Option's variants share the leaf names None and Some.
  for (NodeId i = 1; i < n; ++i) {
    const model::TypeNode &t = g.node(i);
    if (!t.variantPart)
      continue;
    if (s.variantOwner.empty())
      s.variantOwner.assign(n, model::kVoidNode);
    auto vm = g.variantMembers(t);
    for (size_t k = t.hasDiscr ? 1 : 0; k < vm.size(); ++k)
      if (vm[k].type < n && g.node(vm[k].type).kind == NodeKind::Composite &&
          !s.variantOwner[vm[k].type])
        s.variantOwner[vm[k].type] = i;
  }
  for (NodeId i = 1; i < n; ++i)
    if (cut[i])
      s.report(i, "c.type-cycle",
               "type refers back to itself without a struct or function in between; the "
               "reference is lowered to void");
  // Aliases resolve to the first non-alias node down their chain; an alias
  // whose chain crosses a cut edge (a cycle, e.g. an atomic type naming
  // itself) is void.
  for (NodeId i = 1; i < n; ++i) {
    if (!lay[i].alias)
      continue;
    NodeId j = i;
    while (j != model::kVoidNode && lay[j].alias && !cut[j])
      j = lay[j].aliasOf;
    ids[i] = j == model::kVoidNode || lay[j].alias ? 0 : ids[j];
  }
  if (needIndex)
    s.indexType = intNode && ids[intNode] ? ids[intNode] : next;

  for (NodeId i : order) {
    if (lay[i].alias)
      continue;
    if (const uint32_t merged = externalOf(i)) {
      u.btf.addFwd("", false);
      u.externals.push_back({first[i], merged});
      continue;
    }
    loweringFor(g.node(i).language).emit(s, i, first[i]);
    assert(u.btf.endId() == first[i] + lay[i].count && "lowering emitted a different count");
  }
  // pahole adds `int` for array indices at the end of the CU when the CU
  // has none of its own.
  if (needIndex && s.indexType == next)
    u.btf.addInt("int", 4, btf::kIntSigned);
  if (policy.declTags)
    for (NodeId i = 1; i < n; ++i)
      if (!lay[i].alias && !externalOf(i))
        loweringFor(g.node(i).language).emitDeclTags(s, i);
  u.nodeIds = std::move(ids);
  return u;
}

} // namespace d2b::lower
