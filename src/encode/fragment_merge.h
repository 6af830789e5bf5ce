#pragma once
// Private to src/encode: appending per-unit fragments to the result Btf.
#include <cstdint>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/model/symbol_records.h"

namespace d2b::encode {

/// What one unit produced: a standalone fragment (ids from 1) and records
/// whose type ids are fragment ids.
struct Fragment {
  btf::Btf btf;
  std::vector<model::FunctionRecord> functions;
  std::vector<model::VariableRecord> variables;
  uint64_t dies = 0;
  uint64_t nodes = 0;
  uint64_t foreignTypes = 0;
  uint64_t functionsWithoutSymbol = 0; // records left out (EncodeOptions::matchFunctionSymbols)
};

/// Appends fragments in order: type ids are shifted past what is already in
/// the target (field_iter.h finds them), strings are re-interned in the
/// target's table, record ids are shifted the same way.
class FragmentMerger {
public:
  struct Totals {
    uint64_t dies = 0, nodes = 0, foreignTypes = 0, functionsWithoutSymbol = 0;
  };
  explicit FragmentMerger(btf::Btf &target) : target_(target) {}
  void append(Fragment &frag, std::vector<model::FunctionRecord> &functions,
              std::vector<model::VariableRecord> &variables);
  const Totals &totals() const { return totals_; }

private:
  btf::Btf &target_;
  Totals totals_;
  std::vector<uint32_t> strMap_; // fragment string offset -> target offset (scratch)
};

} // namespace d2b::encode
