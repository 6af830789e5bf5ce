#include "fragment_merge.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <xxhash.h>

#include "dwarf2btf/btf/field_iter.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/support/scc.h"

namespace d2b::encode {

namespace {

constexpr uint32_t kUnset = UINT32_MAX;

// Folding gives up on graphs larger than this (they are appended instead),
// and tries this many earlier copies per hash: both only bound the work a
// hash collision can cost.
constexpr size_t kMaxPairs = size_t(1) << 16;
constexpr size_t kMaxCandidates = 4;
// Rounds of neighbour hashing inside a reference cycle (a struct reaching
// itself through pointers); outside cycles a hash covers the whole graph.
constexpr int kCycleRounds = 4;

inline uint64_t mix(uint64_t acc, uint64_t x) {
  acc = (acc ^ x) * 0x9E3779B97F4A7C15ull;
  return acc ^ (acc >> 31);
}

/// The dedup encode runs uses the current rules (TYPEDEF compared as a graph).
bool isRefKind(const uint32_t *w) { return dedup::decidedByReferencePass(btf::kindOf(w)); }

} // namespace

Shapes shapeHashes(const btf::Btf &b, std::span<const std::pair<uint32_t, uint32_t>> externals) {
  const uint32_t n = b.ownCount();
  Shapes out;
  std::vector<uint64_t> &hash = out.hash;
  std::vector<uint32_t> &rep = out.rep;
  hash.assign(n + 1, 0);
  rep.resize(n + 1);
  std::vector<uint64_t> own(n + 1);
  // References of each type, in field order (CSR).
  std::vector<uint32_t> first(n + 2, 0), refs;
  refs.reserve(size_t(n) * 3);
  std::vector<uint32_t> scratch;
  std::vector<uint64_t> &strInfo = out.strings;
  strInfo.assign(b.strings().size(), 0);
  auto hashString = [&](uint32_t off) {
    uint64_t &info = strInfo[off];
    if (!info) {
      const std::string_view str = b.strings().at(off);
      info = uint64_t(btf::StringTable::hashOf(str)) << 32 | (str.size() + 1);
    }
    return info;
  };
  for (uint32_t id = 1; id <= n; ++id) {
    const uint32_t *w = b.typeWords(id);
    scratch.assign(w, w + btf::wordCountOf(w));
    btf::forEachTypeIdField(scratch.data(), [&](uint32_t &t) {
      refs.push_back(t <= n ? t : 0);
      t = 0;
    });
    btf::forEachStrField(scratch.data(),
                         [&](uint32_t &off) { off = uint32_t(hashString(off) >> 32); });
    own[id] = XXH3_64bits(scratch.data(), scratch.size() * 4);
    first[id + 1] = uint32_t(refs.size());
  }
  std::vector<uint8_t> isExternal(n + 1, 0);
  for (const auto &[id, merged] : externals) {
    own[id] = mix(0xe47e5a11ull, merged);
    isExternal[id] = 1;
  }
  auto refsOf = [&](uint32_t id) {
    return std::span<const uint32_t>(refs.data() + first[id], first[id + 1] - first[id]);
  };
  out.referenced.assign(n + 1, 0);
  for (uint32_t r : refs)
    out.referenced[r] = 1;

  // Repeats inside the fragment (a compiler may emit `const int` or a
  // prototype several times in one unit) share a class (its representative
  // is chosen below). Only acyclic types are compared: for them equal words
  // and equal classes of referents mean equal graphs.
  std::vector<uint32_t> cls(n + 1, 0);
  // key -> first type of that class, open addressing (0: empty)
  std::vector<std::pair<uint64_t, uint32_t>> byKey(std::bit_ceil(size_t(n) * 2 + 2));
  const size_t keyMask = byKey.size() - 1;
  auto sameClass = [&](uint32_t x, uint32_t y) {
    const uint32_t *wx = b.typeWords(x), *wy = b.typeWords(y);
    if (!btf::equalApartFromTypeIds(wx, wy)) // string offsets are interned
      return false;
    const std::span<const uint32_t> rx = refsOf(x), ry = refsOf(y);
    for (size_t i = 0; i < rx.size(); ++i)
      if ((rx[i] ? cls[rx[i]] : 0) != (ry[i] ? cls[ry[i]] : 0))
        return false;
    return true;
  };
  auto classOf = [&](uint64_t key, uint32_t id) {
    for (size_t i = size_t(key) & keyMask;; i = (i + 1) & keyMask) {
      auto &[k, first] = byKey[i];
      if (!first) {
        byKey[i] = {key, id};
        return id;
      }
      if (k == key && sameClass(first, id))
        return cls[first];
    }
  };

  // Components of the reference graph (support/scc.h): each is finished
  // after every component it reaches, so the hashes it needs from outside
  // are known by then.
  std::vector<uint64_t> local, sorted;
  auto finish = [&](std::span<const uint32_t> members) {
    const uint32_t root = members.back();
    const bool cyclic =
        members.size() > 1 || std::ranges::find(refsOf(root), root) != refsOf(root).end();
    if (isExternal[root]) { // a placeholder: no references, its own class
      hash[root] = own[root];
      cls[root] = root;
      return;
    }
    if (!cyclic) {
      uint64_t acc = own[root];
      uint64_t key = own[root];
      for (uint32_t r : refsOf(root)) {
        acc = mix(acc, r ? hash[r] : 0x5bd1e995ull);
        key = mix(key, r ? cls[r] : 0);
      }
      hash[root] = acc;
      cls[root] = classOf(key, root);
      return;
    }
    // A cycle: every member reaches every other, so each member's hash
    // takes in a signature of the whole component (its members' local
    // hashes as a multiset, independent of id order) and a few rounds of
    // its neighbourhood inside it.
    local.resize(members.size());
    for (uint32_t m : members) {
      hash[m] = own[m];
      cls[m] = m;
    }
    for (int round = 0; round < kCycleRounds; ++round) {
      for (size_t i = 0; i < members.size(); ++i) {
        uint64_t acc = own[members[i]];
        for (uint32_t r : refsOf(members[i]))
          acc = mix(acc, r ? hash[r] : 0x5bd1e995ull);
        local[i] = acc;
      }
      for (size_t i = 0; i < members.size(); ++i)
        hash[members[i]] = local[i];
    }
    sorted = local;
    std::ranges::sort(sorted);
    const uint64_t sig = XXH3_64bits(sorted.data(), sorted.size() * 8);
    for (size_t i = 0; i < members.size(); ++i)
      hash[members[i]] = mix(local[i], sig);
  };
  forEachScc(n + 1, refsOf, finish);
  // Representatives: the member the dedup would make canonical, so that
  // folding repeats into it leaves every canonical choice as it was. Most
  // passes go in id order (the smallest id wins); the reference pass
  // resolves referents first, depth first from each type in id order, so
  // there the first member that walk finishes wins.
  std::vector<uint32_t> rank(n + 1, kUnset);
  std::vector<std::pair<uint32_t, uint32_t>> call; // (type, next reference position)
  uint32_t finished = 0;
  for (uint32_t root = 1; root <= n; ++root) {
    if (!isRefKind(b.typeWords(root)) || rank[root] != kUnset)
      continue;
    rank[root] = kUnset - 1; // on the walk
    call.push_back({root, 0});
    while (!call.empty()) {
      const uint32_t v = call.back().first;
      const std::span<const uint32_t> rs = refsOf(v);
      if (call.back().second < rs.size()) {
        const uint32_t w = rs[call.back().second++];
        if (w && rank[w] == kUnset && isRefKind(b.typeWords(w))) {
          rank[w] = kUnset - 1;
          call.push_back({w, 0});
        }
        continue;
      }
      call.pop_back();
      rank[v] = finished++;
    }
  }
  auto before = [&](uint32_t x, uint32_t y) { // x wins over y in one class
    return rank[x] != rank[y] ? rank[x] < rank[y] : x < y;
  };
  std::vector<uint32_t> best(n + 1, 0);
  for (uint32_t id = 1; id <= n; ++id)
    if (!best[cls[id]] || before(id, best[cls[id]]))
      best[cls[id]] = id;
  rep[0] = 0;
  for (uint32_t id = 1; id <= n; ++id)
    rep[id] = best[cls[id]];
  return out;
}

// ---- ShapeIndex ---------------------------------------------------------------

void FragmentMerger::ShapeIndex::grow() { reserve(std::max<size_t>(used_ * 2, 512)); }

void FragmentMerger::ShapeIndex::reserve(size_t entries) {
  const size_t want = std::bit_ceil(entries * 2);
  if (want <= slots_.size())
    return;
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(want, Entry{});
  const size_t mask = slots_.size() - 1;
  for (const Entry &e : old) {
    if (!e.id)
      continue;
    size_t i = e.slot & mask;
    while (slots_[i].id)
      i = (i + 1) & mask;
    slots_[i] = e;
  }
}

void FragmentMerger::ShapeIndex::add(uint64_t hash, uint32_t id) {
  if ((used_ + 1) * 2 > slots_.size())
    grow();
  const size_t mask = slots_.size() - 1;
  const Entry e = entryOf(hash, id);
  size_t i = e.slot & mask;
  while (slots_[i].id)
    i = (i + 1) & mask;
  slots_[i] = e;
  ++used_;
}

void FragmentMerger::ShapeIndex::find(uint64_t hash, std::vector<uint32_t> &out, size_t max) const {
  out.clear();
  if (slots_.empty())
    return;
  const size_t mask = slots_.size() - 1;
  const Entry want = entryOf(hash, 0);
  for (size_t i = want.slot & mask; slots_[i].id; i = (i + 1) & mask)
    if (slots_[i].slot == want.slot && slots_[i].tag == want.tag)
      out.push_back(slots_[i].id);
  // Probe runs wrap and rehashing reorders them: oldest first by id.
  if (out.size() > 1)
    std::ranges::sort(out);
  if (out.size() > max)
    out.resize(max);
}

// ---- merging ------------------------------------------------------------------

uint32_t FragmentMerger::mapString(const btf::Btf &src, uint32_t off) {
  uint32_t &m = strMap_[off];
  if (m != kUnset)
    return m;
  const uint64_t info = off < strInfo_->size() ? (*strInfo_)[off] : 0;
  if (info)
    m = target_.strings().add(
        std::string_view(src.strings().bytes().data() + off, uint32_t(info) - 1),
        uint32_t(info >> 32));
  else
    m = target_.addString(src.strings().at(off));
  return m;
}

bool FragmentMerger::sameString(const btf::Btf &src, uint32_t off, uint32_t targetOff) {
  uint32_t &m = strMap_[off];
  if (m != kUnset)
    return m == targetOff; // the target interns: one offset per string
  // Compare the bytes (and the NUL) at targetOff instead of looking the
  // string up: the target's table is large, and a fold compares far more
  // strings than an append adds.
  const std::vector<char> &mine = src.strings().bytes();
  const std::vector<char> &theirs = target_.strings().bytes();
  const uint64_t info = off < strInfo_->size() ? (*strInfo_)[off] : 0;
  const size_t len = info ? uint32_t(info) - 1 : src.strings().at(off).size();
  const size_t at = targetOff - target_.strings().firstOffset();
  if (targetOff < target_.strings().firstOffset() || at + len >= theirs.size() ||
      std::memcmp(mine.data() + off, theirs.data() + at, len + 1) != 0)
    return false;
  m = targetOff;
  return true;
}

bool FragmentMerger::fold(const btf::Btf &src, uint32_t a, uint32_t b) {
  stack_.clear();
  tentative_.clear();
  stack_.push_back({a, b});
  bool ok = true;
  while (ok && !stack_.empty()) {
    const auto [x, y] = stack_.back();
    stack_.pop_back();
    if (x == 0 || y == 0) {
      ok = x == y;
      continue;
    }
    if (idMap_[x] != kUnset) {
      ok = idMap_[x] == y;
      continue;
    }
    const uint32_t *wx = src.typeWords(x);
    const uint32_t *wy = target_.typeWords(y);
    if (wx[1] != wy[1]) {
      ok = false;
      break;
    }
    // Lowering emits no records (FUNC, VAR, DATASEC come after the merge),
    // and those are never merged by dedup either: refuse them.
    if (const btf::Kind k = btf::kindOf(wx); k == btf::Kind::Var || k == btf::Kind::Datasec ||
                                             k == btf::Kind::Func || k == btf::Kind::Unkn) {
      ok = false;
      break;
    }
    const uint32_t n = btf::wordCountOf(wx);
    roles_.assign(n, 0);
    btf::forEachTypeIdField(wx, [&](const uint32_t &f) { roles_[&f - wx] = 1; });
    btf::forEachStrField(wx, [&](const uint32_t &f) { roles_[&f - wx] = 2; });
    for (uint32_t i = 0; i < n && ok; ++i) {
      switch (roles_[i]) {
      case 0:
        ok = wx[i] == wy[i];
        break;
      case 1:
        stack_.push_back({wx[i], wy[i]});
        break;
      default:
        ok = sameString(src, wx[i], wy[i]);
        break;
      }
    }
    if (!ok)
      break;
    idMap_[x] = y;
    tentative_.push_back(x);
    ok = tentative_.size() <= kMaxPairs;
  }
  if (!ok)
    for (uint32_t x : tentative_)
      idMap_[x] = kUnset;
  return ok;
}

void FragmentMerger::appendAll(const btf::Btf &src) {
  // Fragment id k becomes k + shift; 0 (void) stays 0.
  const uint32_t shift = target_.endId() - 1;
  idMap_.resize(src.ownCount() + 1);
  for (uint32_t k = 0; k < idMap_.size(); ++k)
    idMap_[k] = k ? k + shift : 0;
  const uint32_t first = target_.appendRawTypes(src);
  for (uint32_t id = first; id < target_.endId(); ++id) {
    uint32_t *words = target_.mutableTypeWords(id);
    btf::forEachTypeIdField(words, [shift](uint32_t &t) {
      if (t)
        t += shift;
    });
    btf::forEachStrField(words, [&](uint32_t &off) { off = mapString(src, off); });
  }
}

void FragmentMerger::mapKnown(const Fragment &frag) {
  const uint32_t n = frag.btf.ownCount();
  idMap_.assign(n + 1, kUnset);
  idMap_[0] = 0;
  for (const auto &[id, merged] : frag.externals)
    idMap_[id] = merged;
  uint64_t known = frag.externals.size();
  // The worker looked its types up while other units were still being
  // merged; now every earlier unit is, so what it found missing may be
  // known. Whatever -j is, a unit's types are then mapped exactly where a
  // single worker would have skipped them.
  if (registry_) {
    const std::vector<Fragment::Signed> &p = frag.publish;
    for (size_t i = 0; i < p.size();) {
      size_t end = i + 1;
      if (p[i].cycle)
        while (end < p.size() && p[end].cycle == p[i].cycle)
          ++end;
      found_.clear();
      for (size_t k = i; k < end; ++k) {
        if (k + 8 < p.size())
          registry_->prefetch(p[k + 8].sig);
        const uint32_t merged = registry_->find(p[k].sig);
        if (!merged)
          break;
        found_.push_back(merged);
      }
      if (found_.size() == end - i)
        for (size_t k = i; k < end; ++k)
          if (idMap_[p[k].id] == kUnset) {
            idMap_[p[k].id] = found_[k - i];
            ++known;
          }
      i = end;
    }
  }
  totals_.external += known;
}

void FragmentMerger::internStrings(const Fragment &frag, uint32_t firstNew) {
  // The merged table is large, and each string interned into it probes a
  // random slot and then the bytes the slot names: two cache misses in a
  // row. Looking the appended types' strings up in three passes (hash and
  // prefetch the slots, prefetch the bytes they name, intern) overlaps them.
  const btf::Btf &src = frag.btf;
  pending_.clear();
  for (uint32_t a = 1; a <= src.ownCount(); ++a) {
    if (idMap_[a] < firstNew)
      continue;
    btf::forEachStrField(src.typeWords(a), [&](const uint32_t &off) {
      if (strMap_[off] == kUnset) {
        strMap_[off] = kUnset - 1; // pending
        pending_.push_back({off, 0});
      }
    });
  }
  btf::StringTable &table = target_.strings();
  for (auto &[off, hash] : pending_) {
    hash = btf::StringTable::hashOf(src.strings().at(off));
    table.prefetchSlot(hash);
  }
  for (const auto &[off, hash] : pending_)
    table.prefetchBytes(hash);
  for (const auto &[off, hash] : pending_)
    strMap_[off] = table.add(src.strings().at(off), hash);
}

void FragmentMerger::appendMapped(const Fragment &frag) {
  const btf::Btf &src = frag.btf;
  const uint32_t n = src.ownCount();
  mapKnown(frag);
  const uint32_t firstNew = target_.endId();
  uint32_t next = firstNew;
  for (uint32_t a = 1; a <= n; ++a)
    if (idMap_[a] != kUnset)
      ++totals_.folded;
  for (uint32_t a = 1; a <= n; ++a)
    if (idMap_[a] == kUnset)
      idMap_[a] = next++;
  internStrings(frag, firstNew);
  for (uint32_t a = 1; a <= n; ++a) {
    if (idMap_[a] < firstNew)
      continue; // known already
    const uint32_t *w = src.typeWords(a);
    const uint32_t id = target_.addRawType(std::span(w, btf::wordCountOf(w)));
    uint32_t *words = target_.mutableTypeWords(id);
    btf::forEachTypeIdField(words, [&](uint32_t &t) { t = idMap_[t]; });
    btf::forEachStrField(words, [&](uint32_t &off) { off = mapString(src, off); });
  }
}

void FragmentMerger::appendFolding(const Fragment &frag) {
  // Sized at the first fragment that folds: units that skip their repeats
  // by signature never need the index.
  if (reserveWanted_) {
    index_.reserve(reserveWanted_);
    reserveWanted_ = 0;
  }
  const btf::Btf &src = frag.btf;
  const uint32_t n = src.ownCount();
  mapKnown(frag);
  // Types nothing else in the unit refers to first: a fold maps everything
  // a type reaches, so starting from the tops leaves the fewest lookups.
  for (bool tops : {true, false}) {
    for (uint32_t a = 1; a <= n; ++a) {
      if (idMap_[a] != kUnset || (tops && frag.shapes.referenced[a]))
        continue; // reached from a type that folded, or not a top
      index_.find(frag.shapes.hash[a], candidates_, kMaxCandidates);
      for (uint32_t b : candidates_)
        if (fold(src, a, b))
          break;
    }
  }
  const uint32_t firstNew = target_.endId();
  uint32_t next = firstNew;
  // Representatives first: a repeat may come before the member it repeats.
  for (uint32_t a = 1; a <= n; ++a)
    if (idMap_[a] == kUnset && frag.shapes.rep[a] == a)
      idMap_[a] = next++;
  for (uint32_t a = 1; a <= n; ++a) {
    if (idMap_[a] == kUnset)
      idMap_[a] = idMap_[frag.shapes.rep[a]];
    if (idMap_[a] < firstNew || frag.shapes.rep[a] != a)
      ++totals_.folded;
  }
  for (uint32_t a = 1; a <= n; ++a) {
    if (idMap_[a] < firstNew || frag.shapes.rep[a] != a)
      continue;
    const uint32_t *w = src.typeWords(a);
    const uint32_t id = target_.addRawType(std::span(w, btf::wordCountOf(w)));
    uint32_t *words = target_.mutableTypeWords(id);
    btf::forEachTypeIdField(words, [&](uint32_t &t) { t = idMap_[t]; });
    btf::forEachStrField(words, [&](uint32_t &off) { off = mapString(src, off); });
    index_.add(frag.shapes.hash[a], id);
  }
}

void FragmentMerger::append(Fragment &frag, std::vector<model::FunctionRecord> &functions,
                            std::vector<model::VariableRecord> &variables) {
  const btf::Btf &src = frag.btf;
  strMap_.assign(src.strings().size(), kUnset);
  strInfo_ = &frag.shapes.strings;
  if (fold_ && frag.shapes.hash.size() == src.ownCount() + 1)
    appendFolding(frag);
  else if (registry_)
    appendMapped(frag);
  else
    appendAll(src);
  if (registry_)
    for (const Fragment::Signed &p : frag.publish)
      if (p.offer)
        registry_->insert(p.sig, idMap_[p.id]);
  auto mapId = [&](uint32_t &id) { id = idMap_[id]; };
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
