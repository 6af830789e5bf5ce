#pragma once
/// Tarjan's strongly connected components, iteratively (a deep graph does
/// not recurse). Nodes are 1 .. n-1; an edge to 0 is no edge.
///
///   forEachScc(n, [&](uint32_t v) { return std::span(edges[v]); },
///              [&](std::span<const uint32_t> members) { ... });
///
/// `finish` runs once per component, after every component it reaches (so
/// whatever is computed bottom-up is known for everything outside it), with
/// its members; the last member is the first one the walk met.
#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace d2b {

template <class EdgesOf, class Finish>
void forEachScc(uint32_t n, EdgesOf &&edgesOf, Finish &&finish) {
  std::vector<uint32_t> index(n, 0), low(n, 0);
  std::vector<uint8_t> onStack(n, 0);
  std::vector<uint32_t> stack, members;
  std::vector<std::pair<uint32_t, uint32_t>> call; // (node, next edge position)
  uint32_t counter = 0;
  for (uint32_t start = 1; start < n; ++start) {
    if (index[start])
      continue;
    index[start] = low[start] = ++counter;
    stack.push_back(start);
    onStack[start] = 1;
    call.push_back({start, 0});
    while (!call.empty()) {
      const uint32_t v = call.back().first;
      const auto es = edgesOf(v);
      if (call.back().second < es.size()) {
        const uint32_t w = es[call.back().second++];
        if (w == 0)
          continue;
        if (!index[w]) {
          index[w] = low[w] = ++counter;
          stack.push_back(w);
          onStack[w] = 1;
          call.push_back({w, 0});
        } else if (onStack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      call.pop_back();
      if (low[v] == index[v]) {
        members.clear();
        uint32_t m;
        do {
          m = stack.back();
          stack.pop_back();
          onStack[m] = 0;
          members.push_back(m);
        } while (m != v);
        finish(std::span<const uint32_t>(members));
      }
      if (!call.empty())
        low[call.back().first] = std::min(low[call.back().first], low[v]);
    }
  }
}

} // namespace d2b
