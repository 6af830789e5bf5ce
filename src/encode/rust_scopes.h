#pragma once
/// Module-path qualification of clashing Rust type names (issue 3): within
/// one Rust unit, struct/union/enum definitions that share a DW_AT_name
/// (`a::S` and `b::S`) would become BTF types with one name and different
/// layouts, which C dumps can only tell apart as `S` and `S___2` (a CO-RE
/// flavor suffix). With `--rust-qualify-clashes` each of them is named by
/// its full DWARF scope path instead (`crate::a::S`, sanitized as usual).
///
/// Per unit, so the result is the same for every -j.
#include <elfutils/libdw.h>
#include <string>
#include <unordered_map>

#include "dwarf2btf/dwarf/units.h"
#include "dwarf2btf/model/type_graph.h"

namespace d2b::encode {

/// Node -> "crate::mod::Leaf" for every node of `g` whose name clashes with
/// another definition of the unit and that has an enclosing scope. Variant
/// structs are left out: they are named after their enum.
std::unordered_map<model::NodeId, std::string> rustClashPaths(Dwarf *dw, const dwarf::UnitRef &unit,
                                                              const model::TypeGraph &g);

} // namespace d2b::encode
