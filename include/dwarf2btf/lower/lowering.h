#pragma once
/// Lowering a per-CU type graph into a standalone BTF fragment (ids from 1),
/// dispatching each node to the lowering of its unit's language. Only the C
/// lowering exists; other languages (Rust, issue 3) plug in through
/// loweringFor().
///
///   LoweredUnit u = lowerGraph(graph, policy, {file}, diag);
///   uint32_t id = u.nodeIds[node]; // BTF id of a graph node (0 = void)
///
/// Layout is decided before anything is emitted: every node gets a fixed
/// block of BTF ids, so forward references (a struct member pointing at a
/// later struct) are written with their final ids in one pass.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/lower/policy.h"
#include "dwarf2btf/model/type_graph.h"
#include "dwarf2btf/support/diag.h"

namespace d2b::lower {

struct LowerContext {
  std::string_view file; // for diagnostics
  /// Rust: full scope paths ("crate::a::S") of nodes whose names clash in
  /// their unit (policy.rust.qualifyClashes); null or absent: the leaf name.
  const std::unordered_map<model::NodeId, std::string> *rustPaths = nullptr;
  /// Per node: the merged type it repeats (dwarf::UnitGraph::external), 0
  /// for none. Such a node becomes a placeholder (LoweredUnit::externals).
  const std::vector<uint32_t> *external = nullptr;
  /// When set, gets 1 at every node a diagnostic was reported or counted for.
  std::vector<uint8_t> *tainted = nullptr;
};

/// The fragment of one unit and the id of each graph node in it.
struct LoweredUnit {
  btf::Btf btf;
  std::vector<uint32_t> nodeIds; // indexed by NodeId; 0 for nodes lowered to void
  /// (placeholder id, merged id) for each external node: a nameless FWD
  /// standing for a type merged already, which is mapped, never appended.
  std::vector<std::pair<uint32_t, uint32_t>> externals;
};

/// How a node maps onto BTF ids: `count` consecutive types whose `entry`-th
/// is what references to the node point at; or an alias of another node
/// (count 0) such as void or a dropped qualifier.
struct NodeLayout {
  uint32_t count = 0;
  uint32_t entry = 0;
  bool alias = false;
  model::NodeId aliasOf = model::kVoidNode;
};

/// State shared by the node lowerings while one graph is lowered.
struct LowerState {
  const model::TypeGraph &graph;
  const Policy &policy;
  const LowerContext &ctx;
  DiagEngine &diag;
  btf::Btf &btf;
  const std::vector<uint32_t> &ids; // final id of every node
  const std::vector<bool> &cutEdge; // node's `type` edge closes a cycle: emit void
  uint32_t indexType = 0;           // ARRAY index type ("int")
  std::vector<model::NodeId>
      variantOwner; // Rust: the data enum whose variant a struct is (0: none)

  /// The BTF id node `n`'s `type` edge points at (0 where a cycle was cut).
  uint32_t targetOf(model::NodeId n) const { return cutEdge[n] ? 0 : ids[graph.node(n).type]; }

  /// Reports a recoverable problem on node `n` under `rule`.
  void report(model::NodeId n, const char *rule, std::string message) const;
  /// Counts `rule` for node `n`.
  void count(model::NodeId n, const char *rule) const;
  /// Notes that node `n` was reported on (LowerContext::tainted).
  void taint(model::NodeId n) const {
    if (ctx.tainted) {
      if (ctx.tainted->size() <= n)
        ctx.tainted->resize(graph.size());
      (*ctx.tainted)[n] = 1;
    }
  }
};

/// One language's mapping from graph nodes to BTF types.
class NodeLowering {
public:
  virtual ~NodeLowering() = default;
  virtual NodeLayout layout(const model::TypeGraph &g, model::NodeId n, const Policy &p) const = 0;
  /// Emits exactly layout(n).count types; the first gets id `firstId`.
  virtual void emit(LowerState &s, model::NodeId n, uint32_t firstId) const = 0;
  /// Emits the DECL_TAGs of node `n` (run after every node is emitted).
  virtual void emitDeclTags(LowerState &s, model::NodeId n) const = 0;
};

/// The lowering for DWARF language code `lang` (C for every language today).
const NodeLowering &loweringFor(uint16_t lang);

/// Lowers `g` into a new fragment.
LoweredUnit lowerGraph(const model::TypeGraph &g, const Policy &policy, const LowerContext &ctx,
                       DiagEngine &diag);

} // namespace d2b::lower
