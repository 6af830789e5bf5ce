#pragma once
/// Builds the type graph of one unit from its DIEs, plus the function and
/// variable records of the unit.
///
///   UnitGraph ug;
///   if (Error e = buildUnitGraph(input, ug, diag)) return e;
///
/// Every type DIE of the unit becomes a node, in DIE order, including types
/// nested in structs, functions and lexical blocks. DIEs of other units that
/// the unit references (DW_FORM_ref_addr, DW_FORM_ref_sig8 into type units)
/// are added to this unit's graph too, tagged with the language of the unit
/// they belong to. The walk and the reference resolution use explicit
/// worklists, so neither deep nesting nor reference cycles recurse.
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include <elfutils/libdw.h>

#include "dwarf2btf/dwarf/units.h"
#include "dwarf2btf/elf/symbols.h"
#include "dwarf2btf/model/symbol_records.h"
#include "dwarf2btf/model/type_graph.h"
#include "dwarf2btf/support/diag.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::dwarf {

/// A type DIE's identity across units (128 bits of its DWARF subgraph): two
/// type DIEs of C units with equal signatures have equal subgraphs (tags,
/// attributes and their forms, children, and referenced types in turn;
/// declaration coordinates aside), so they lower to equal BTF graphs.
struct TypeSignature {
  uint64_t lo = 0, hi = 0;
};

/// Types already merged, by signature (EncodeOptions::skipRepeats): a unit
/// asks it before filling its nodes, and a type found there is not read,
/// lowered, hashed or folded again. Read by workers while the merge adds.
class RepeatIndex {
public:
  virtual ~RepeatIndex() = default;
  /// The merged BTF id of a type with signature `s`; 0 when none is known.
  virtual uint32_t find(const TypeSignature &s) const = 0;
  /// Starts loading where find(s) will look.
  virtual void prefetch(const TypeSignature &s) const = 0;
};

struct UnitInput {
  Dwarf *dwarf = nullptr;
  const UnitRef *unit = nullptr;
  uint32_t cuIndex = 0;
  std::string file;
  std::endian order = std::endian::little; // for DWARF 2/3 bitfield offsets
  uint16_t machine = 0;                    // e_machine: parameter register conventions
  uint8_t addressSize = 8;
  bool collectFunctions = true;
  bool collectVariables = true;
  bool rustLeafFuncNames = false; // Rust FUNCs named by sanitized DW_AT_name, not the symbol
  /// When set, a C function whose name has no ELF function here gets a lean
  /// record: name and types only (the type nodes are made all the same),
  /// without parameter locations and the like, as it will be left out.
  const elf::SymbolTable *functionSymbols = nullptr;
  /// When set (C units of .debug_info), nodes whose signature it knows are
  /// external (UnitGraph::external).
  const RepeatIndex *repeats = nullptr;
};

/// The graph of one unit. Type fields of the records hold graph NodeIds
/// until the encoder replaces them by BTF ids.
struct UnitGraph {
  model::TypeGraph graph;
  std::vector<model::FunctionRecord> functions;
  std::vector<model::VariableRecord> variables;
  uint64_t dies = 0;         // DIEs visited in the unit
  uint64_t foreignTypes = 0; // nodes for DIEs of other units
  /// Per node (with UnitInput::repeats): the merged type the node repeats, 0
  /// for none. Such a node is filled only as far as lowering its neighbours
  /// needs (kind, name of base types, sizes, `type` edges, array bounds):
  /// no members, enumerators, parameters or annotations.
  std::vector<uint32_t> external;
  /// A node with a signature that is not external: the merge looks it up
  /// again (earlier units may have been merged since) and offers it.
  struct Signed {
    model::NodeId node;
    uint32_t cycle; // nodes of one reference cycle share it (0: none)
    TypeSignature sig;
  };
  /// Sorted by `cycle`, so that a cycle's nodes are next to each other.
  std::vector<Signed> publishable;
  /// Nodes that got a signature (external or publishable).
  uint64_t signedNodes = 0;
  /// Per node (may be shorter than the graph): 1 when filling it reported
  /// something, so that a unit skipping its repeat would not say it again.
  std::vector<uint8_t> tainted;
};

/// Walks the unit `in.unit` and fills `out`. Errors are libdw failures that
/// make the unit unreadable ("file: .debug_info+0x1f: ...").
Error buildUnitGraph(const UnitInput &in, UnitGraph &out, DiagEngine &diag);

} // namespace d2b::dwarf
