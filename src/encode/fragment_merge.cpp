#include "fragment_merge.h"

namespace d2b::encode {

void FragmentMerger::append(Fragment &frag, std::vector<model::FunctionRecord> &functions,
                            std::vector<model::VariableRecord> &variables) {
  const btf::Btf &src = frag.btf;
  // Fragment id k becomes k + shift; 0 (void) stays 0.
  const uint32_t shift = target_.endId() - 1;
  auto mapId = [shift](uint32_t &id) {
    if (id)
      id += shift;
  };
  strMap_.assign(src.strings().size(), UINT32_MAX);
  auto mapStr = [&](uint32_t &off) {
    uint32_t &m = strMap_[off];
    if (m == UINT32_MAX)
      m = target_.addString(src.strings().at(off));
    off = m;
  };
  const uint32_t first = target_.appendRawTypes(src);
  for (uint32_t id = first; id < target_.endId(); ++id) {
    uint32_t *words = target_.mutableTypeWords(id);
    btf::forEachTypeIdField(words, mapId);
    btf::forEachStrField(words, mapStr);
  }
  for (model::FunctionRecord &f : frag.functions) {
    mapId(f.returnType);
    for (model::ParamRecord &p : f.params)
      mapId(p.type);
    functions.push_back(std::move(f));
  }
  for (model::VariableRecord &v : frag.variables) {
    mapId(v.type);
    variables.push_back(std::move(v));
  }
  totals_.dies += frag.dies;
  totals_.nodes += frag.nodes;
  totals_.foreignTypes += frag.foreignTypes;
  totals_.functionsWithoutSymbol += frag.functionsWithoutSymbol;
}

} // namespace d2b::encode
