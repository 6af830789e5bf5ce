// Signatures of a unit's type DIEs, so that a type an earlier unit already
// merged is neither filled nor lowered again (EncodeOptions::skipRepeats).
//
// A signature stands for the DIE's whole DWARF subgraph: its tag, its
// attributes with their forms and value bytes, its children, and the
// signatures of the types it refers to. Declaration coordinates
// (DW_AT_decl_file/line/column) and DW_AT_sibling are left out: they differ
// between units and nothing the tool writes depends on them. Whatever could
// mean different things in two units is not signed at all (references to
// other units or to DIEs that are not types, string and address indexes,
// section offsets), and neither is anything that reaches such a DIE: those
// types are built as before.
//
// Inside a reference cycle (struct list_head reaching itself through its
// pointers) the members are first put in an order that does not depend on
// their ids: colour refinement, each member starting from its own content
// and the signatures of what it reaches outside the cycle, then taking in
// its neighbours' colours round by round until every colour is unique. The
// cycle is then written out in that order (each member's content, its edges
// as signatures or as ranks in the order) and hashed whole; a member's
// signature is that hash and its rank. Equal bytes mean the same graph, so
// the colours need not be strong hashes: they only choose the order. A
// cycle whose colours stop splitting before they are unique has symmetric
// members; it is left unsigned.
//
// The signatures are 128-bit XXH3 hashes of those serializations (a cycle
// member's is the cycle's hash offset by its rank), and equal
// signatures are taken to mean equal types without comparing the two (which
// would mean reading the earlier unit's DIEs again); that is the tradeoff
// DWARF type units make with their 64-bit signatures.
#include <algorithm>
#include <bit>
#include <cstring>
#include <xxhash.h>

#include "builder.h"
#include "dwarf2btf/support/scc.h"

namespace d2b::dwarf {

using model::NodeId;

namespace {

constexpr int kMaxDepth = 16;  // DIE nesting inside one type DIE
constexpr int kMaxRounds = 64; // refinement rounds inside one cycle

bool isCLanguage(uint16_t lang) {
  switch (lang) {
  case DW_LANG_C89:
  case DW_LANG_C:
  case DW_LANG_C99:
  case DW_LANG_C11:
  case 0x2c: // DW_LANG_C17
    return true;
  default:
    return false;
  }
}

template <class T> void put(SigBuffer &buf, const T &v) { buf.append(&v, sizeof(T)); }

TypeSignature hashOf(const SigBuffer &buf, uint64_t seed) {
  const XXH128_hash_t h = XXH3_128bits_withSeed(buf.data(), buf.size(), seed);
  return {h.low64, h.high64};
}

// Attributes whose values differ between units and matter to nothing written.
bool ignored(unsigned name) {
  return name == DW_AT_decl_file || name == DW_AT_decl_line || name == DW_AT_decl_column ||
         name == DW_AT_sibling;
}

enum class FormUse : uint8_t { Ref, Bytes, Implicit, Unsignable };

FormUse useOf(unsigned form) {
  switch (form) {
  case DW_FORM_ref1:
  case DW_FORM_ref2:
  case DW_FORM_ref4:
  case DW_FORM_ref8:
  case DW_FORM_ref_udata:
    return FormUse::Ref;
  case DW_FORM_implicit_const:
    return FormUse::Implicit;
  case DW_FORM_data1:
  case DW_FORM_data2:
  case DW_FORM_data4:
  case DW_FORM_data8:
  case DW_FORM_data16:
  case DW_FORM_udata:
  case DW_FORM_sdata:
  case DW_FORM_flag:
  case DW_FORM_flag_present:
  case DW_FORM_string:
  case DW_FORM_strp:      // offsets into .debug_str, the same in every unit
  case DW_FORM_line_strp: // and .debug_line_str
  case DW_FORM_block1:
  case DW_FORM_block2:
  case DW_FORM_block4:
  case DW_FORM_block:
  case DW_FORM_exprloc:
    return FormUse::Bytes;
  default: // unit-relative indexes, other units, sections, addresses
    return FormUse::Unsignable;
  }
}

// Refinement colours inside a cycle only order its members; what a
// signature stands for is the serialization they order, hashed in full.
// One 64x64->128-bit multiply folded (wyhash's mixing step), each input
// offset by its own constant so that equal inputs do not cancel: the
// rounds chain one per edge, so its latency is most of their cost.
inline uint64_t mix(uint64_t acc, uint64_t x) {
  const unsigned __int128 m =
      static_cast<unsigned __int128>(acc ^ 0xa0761d6478bd642full) * (x ^ 0xe7037ed1a0b428dbull);
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

} // namespace

const UnitBuilder::SigPlan &UnitBuilder::planFor(const DieScanner::Info &info) {
  const uint32_t code = scanner_.codeOf(info);
  if (code >= sigPlans_.size())
    sigPlans_.resize(code + 1);
  SigPlan &plan = sigPlans_[code];
  if (plan.state)
    return plan;
  const std::span<const uint16_t> names = scanner_.namesOf(info), forms = scanner_.formsOf(info);
  const std::span<const int8_t> sizes = scanner_.sizesOf(info);
  const std::span<const int64_t> implicit = scanner_.implicitOf(info);
  SigBuffer shape;
  put(shape, uint32_t(info.tag) | (info.children ? 1u << 31 : 0));
  bool fixed = true;
  uint32_t off = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const uint32_t size = sizes[i] < 0 ? 0 : uint32_t(sizes[i]);
    fixed &= sizes[i] >= 0;
    if (ignored(names[i])) {
      off += size;
      continue;
    }
    put(shape, uint32_t(names[i]) << 16 | uint32_t(forms[i]));
    switch (useOf(forms[i])) {
    case FormUse::Unsignable:
      plan.state = 3;
      return plan;
    case FormUse::Implicit:
      put(shape, implicit[i]);
      break;
    case FormUse::Ref:
      if (fixed)
        plan.refs.push_back({uint16_t(off), forms[i]});
      break;
    case FormUse::Bytes:
      if (!fixed || !size)
        break;
      if (!plan.copies.empty() && plan.copies.back().first + plan.copies.back().second == off)
        plan.copies.back().second = uint16_t(plan.copies.back().second + size);
      else
        plan.copies.push_back({uint16_t(off), uint16_t(size)});
      break;
    }
    off += size;
  }
  plan.shape = hashOf(shape, 0);
  plan.state = fixed && off < 0x8000 ? 1 : 2;
  plan.valuesSize = off;
  if (plan.state == 2) {
    plan.copies.clear();
    plan.refs.clear();
  }
  return plan;
}

model::NodeId UnitBuilder::refNode(unsigned form, const unsigned char *valp) {
  // An edge to a node that exists already; anything else would make filling
  // add nodes that a skipped type no longer adds. (Keys of non-type DIEs
  // that were met map to void.)
  // (Only units of .debug_info are signed: a DIE's key is its offset.)
  const unsigned char *t = scanner_.refTarget(form, valp);
  const uint32_t *node = t ? byKey_.find(scanner_.offsetOf(t)) : nullptr;
  return node ? *node : model::kVoidNode;
}

const unsigned char *UnitBuilder::skipSubtree(const unsigned char *die, int depth) {
  const unsigned char *values;
  const DieScanner::Info *info = scanner_.dieInfo(die, values);
  if (!info || depth > kMaxDepth)
    return nullptr;
  const unsigned char *p =
      scanner_.forEachValueSpan(*info, values, [](unsigned, unsigned, auto, auto, int64_t) {});
  if (!p || !info->children)
    return p;
  for (;;) {
    const unsigned char *q = p;
    uint64_t code;
    if (!readUleb(q, scanner_.end(), code))
      return nullptr;
    if (code == 0)
      return q;
    if (!(p = skipSubtree(p, depth + 1)))
      return nullptr;
  }
}

const unsigned char *UnitBuilder::serializeDie(const DieScanner::Info &info,
                                               const unsigned char *values, int depth,
                                               SigBuffer &buf, std::vector<NodeId> &edges) {
  if (depth > kMaxDepth)
    return nullptr;
  const SigPlan &plan = planFor(info);
  if (plan.state == 3)
    return nullptr;
  put(buf, plan.shape);
  const unsigned char *p;
  if (plan.state == 1) {
    if (size_t(scanner_.end() - values) < plan.valuesSize)
      return nullptr;
    for (const auto &[off, len] : plan.copies)
      buf.append(values + off, len);
    for (const auto &[off, form] : plan.refs) {
      const NodeId w = refNode(form, values + off);
      if (w == model::kVoidNode)
        return nullptr;
      edges.push_back(w);
    }
    p = values + plan.valuesSize;
  } else {
    bool ok = true;
    p = scanner_.forEachValueSpan(info, values,
                                  [&](unsigned name, unsigned form, const unsigned char *v,
                                      const unsigned char *next, int64_t) {
                                    if (!ok || ignored(name))
                                      return;
                                    switch (useOf(form)) {
                                    case FormUse::Ref:
                                      if (const NodeId w = refNode(form, v))
                                        edges.push_back(w);
                                      else
                                        ok = false;
                                      return;
                                    case FormUse::Bytes:
                                      buf.append(v, size_t(next - v));
                                      return;
                                    case FormUse::Implicit: // in the plan's shape
                                      return;
                                    case FormUse::Unsignable:
                                      ok = false;
                                      return;
                                    }
                                  });
    if (!ok)
      return nullptr;
  }
  if (!p)
    return nullptr;
  if (!info.children)
    return p;
  for (;;) {
    const unsigned char *q = p;
    uint64_t code;
    if (!readUleb(q, scanner_.end(), code))
      return nullptr;
    if (code == 0) {
      p = q;
      break;
    }
    const unsigned char *cv;
    const DieScanner::Info *ci = scanner_.dieInfo(p, cv);
    if (!ci)
      return nullptr;
    // A nested type is a node of its own; it matters here only where a
    // member refers to it.
    p = isTypeDie(ci->tag) ? skipSubtree(p, depth + 1)
                           : serializeDie(*ci, cv, depth + 1, buf, edges);
    if (!p)
      return nullptr;
  }
  put(buf, uint32_t(0)); // end of children
  return p;
}

void UnitBuilder::computeSignatures() {
  if (!in_.repeats || !scannerWalked_ || in_.unit->typeUnit || in_.unit->typesSection ||
      !isCLanguage(in_.unit->language))
    return;
  const uint32_t n = uint32_t(dies_.size());
  // Everything that is signed sits in this unit and in the same kind of
  // unit, so the unit's reading of forms is part of every signature.
  const uint64_t seed = uint64_t(scanner_.version()) | uint64_t(scanner_.addressSize()) << 16 |
                        uint64_t(scanner_.offsetSize()) << 24 | uint64_t('C') << 32;

  std::vector<TypeSignature> own(n);
  std::vector<uint8_t> opaque(n, 0);
  std::vector<uint16_t> tags(n, 0);
  std::vector<uint32_t> first(n + 1, 0);
  std::vector<NodeId> edges;
  edges.reserve(size_t(n) * 2);
  SigBuffer &buf = sigBuf_;
  opaque[0] = 1;
  for (NodeId v = 1; v < n; ++v) {
    first[v] = uint32_t(edges.size());
    const Dwarf_Die &d = dies_[v];
    buf.clear();
    const size_t e0 = edges.size();
    const unsigned char *values = nullptr;
    const DieScanner::Info *info =
        d.cu == cu_ ? scanner_.dieInfo(static_cast<const unsigned char *>(d.addr), values)
                    : nullptr;
    if (!info || !serializeDie(*info, values, 0, buf, edges)) {
      opaque[v] = 1;
      edges.resize(e0);
    } else {
      own[v] = hashOf(buf, seed);
      tags[v] = uint16_t(info->tag);
    }
  }
  first[n] = uint32_t(edges.size());
  auto edgesOf = [&](NodeId v) {
    return std::span<const NodeId>(edges.data() + first[v], first[v + 1] - first[v]);
  };

  // Components of the reference graph (support/scc.h): each is finished
  // after every component it reaches, whose signatures it takes in.
  std::vector<TypeSignature> sig(n);
  std::vector<uint8_t> unsigned_(n, 0); // opaque, reaches opaque, or symmetric
  std::vector<uint32_t> comp(n, 0), pos(n, 0);
  std::vector<uint64_t> color, next, seen;
  std::vector<uint32_t> order, rank, inFirst, inTo;
  std::vector<uint8_t> cyclicComp(n + 1, 0); // by component id
  uint32_t comps = 0;
  // How many different colours `c` holds (open addressing; 0 marks empty,
  // so colours are counted with their low bit set: merging two that differ
  // only there can only make a cycle look symmetric, never the reverse).
  auto distinct = [&](const std::vector<uint64_t> &c) {
    const size_t size = std::bit_ceil(c.size() * 2), mask = size - 1;
    seen.assign(size, 0);
    size_t k = 0;
    for (uint64_t x : c) {
      x |= 1;
      for (size_t i = (x >> 7) & mask;; i = (i + 1) & mask) {
        if (seen[i] == 0) {
          seen[i] = x;
          ++k;
          break;
        }
        if (seen[i] == x)
          break;
      }
    }
    return k;
  };
  auto finish = [&](std::span<const NodeId> members) {
    const NodeId root = members.back();
    const uint32_t c = ++comps;
    for (NodeId m : members)
      comp[m] = c;
    bool bad = false, cyclic = members.size() > 1;
    for (NodeId m : members) {
      bad |= opaque[m] != 0;
      for (NodeId w : edgesOf(m)) {
        cyclic |= w == m;
        bad |= comp[w] != c && unsigned_[w];
      }
    }
    if (bad) {
      for (NodeId m : members)
        unsigned_[m] = 1;
      return;
    }
    if (cyclic)
      cyclicComp[c] = 1;
    if (!cyclic) {
      // A leaf (a base type, a declaration) is its own content.
      if (edgesOf(root).empty()) {
        sig[root] = own[root];
        return;
      }
      buf.clear();
      put(buf, own[root]);
      for (NodeId w : edgesOf(root))
        put(buf, sig[w]);
      sig[root] = hashOf(buf, seed);
      return;
    }
    // Order the members by colour refinement: start from each member's own
    // content and what it reaches outside the cycle, take in the
    // neighbours' colours until every colour is unique. Members that never
    // get apart are symmetric; such a cycle is left unsigned. The edges
    // inside the cycle are listed once by member position, since every
    // round walks them again.
    const size_t k = members.size();
    color.resize(k);
    next.resize(k);
    inFirst.resize(k + 1);
    inTo.clear();
    for (size_t i = 0; i < k; ++i)
      pos[members[i]] = uint32_t(i);
    for (size_t i = 0; i < k; ++i) {
      const NodeId m = members[i];
      inFirst[i] = uint32_t(inTo.size());
      uint64_t h = mix(own[m].lo, own[m].hi);
      for (NodeId w : edgesOf(m)) {
        if (comp[w] == c) {
          h = mix(h, 1);
          inTo.push_back(pos[w]);
        } else {
          h = mix(mix(h, sig[w].lo), sig[w].hi);
        }
      }
      color[i] = h;
    }
    inFirst[k] = uint32_t(inTo.size());
    size_t classes = distinct(color);
    for (int round = 0; classes < k; ++round) {
      for (size_t i = 0; i < k; ++i) {
        uint64_t h = color[i];
        for (uint32_t j = inFirst[i]; j < inFirst[i + 1]; ++j)
          h = mix(h, color[inTo[j]]);
        next[i] = h;
      }
      color.swap(next);
      const size_t now = distinct(color);
      if (now == classes || round == kMaxRounds) {
        for (NodeId m : members)
          unsigned_[m] = 1;
        return;
      }
      classes = now;
    }
    // The cycle written out in that order (each member's content, then its
    // edges as signatures outside or ranks inside) is the same bytes for
    // two cycles exactly when they are the same graph.
    order.resize(k);
    rank.resize(k);
    for (size_t i = 0; i < k; ++i)
      order[i] = uint32_t(i);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return color[a] < color[b]; });
    for (size_t j = 0; j < k; ++j)
      rank[order[j]] = uint32_t(j);
    buf.clear();
    for (size_t j = 0; j < k; ++j) {
      const NodeId m = members[order[j]];
      put(buf, own[m]);
      put(buf, uint32_t(edgesOf(m).size()));
      for (NodeId w : edgesOf(m)) {
        if (comp[w] == c) {
          put(buf, uint8_t(1));
          put(buf, rank[pos[w]]);
        } else {
          put(buf, uint8_t(0));
          put(buf, sig[w]);
        }
      }
    }
    // A member is the whole cycle and its rank in it: the rank's odd
    // multiple moves the low half (a bijection, so members never collide
    // with each other), without hashing the pair again per member.
    const TypeSignature whole = hashOf(buf, seed);
    for (size_t i = 0; i < k; ++i)
      sig[members[i]] = {whole.lo + (uint64_t(rank[i]) + 1) * 0x9e3779b97f4a7c15ull, whole.hi};
  };
  forEachScc(n, edgesOf, finish);

  out_.external.assign(n, 0);
  constexpr NodeId kAhead = 8;
  for (NodeId v = 1; v < n; ++v) {
    if (v + kAhead < n && !unsigned_[v + kAhead])
      in_.repeats->prefetch(sig[v + kAhead]);
    if (unsigned_[v])
      continue;
    ++out_.signedNodes;
    if (const uint32_t merged = in_.repeats->find(sig[v]))
      out_.external[v] = merged;
  }

  // A cycle is skipped whole or not at all. Part of it may be unknown (a
  // member something was reported for is never offered, the index may be
  // full, or a unit still being merged has offered only some): a copy of
  // the rest, built around the known part, would be a graph the dedup does
  // not merge back into the first copy.
  std::vector<uint8_t> compMissing(comps + 1, 0);
  for (NodeId v = 1; v < n; ++v)
    if (!unsigned_[v] && !out_.external[v])
      compMissing[comp[v]] = 1;
  for (NodeId v = 1; v < n; ++v)
    if (out_.external[v] && compMissing[comp[v]])
      out_.external[v] = 0;
  for (NodeId v = 1; v < n; ++v)
    if (!unsigned_[v] && !out_.external[v])
      out_.publishable.push_back({v, cyclicComp[comp[v]] ? comp[v] : 0, sig[v]});
  std::stable_sort(
      out_.publishable.begin(), out_.publishable.end(),
      [](const UnitGraph::Signed &a, const UnitGraph::Signed &b) { return a.cycle < b.cycle; });

  // An external node is filled only where lowering another node reads it:
  // what a node of this unit refers to, and on from there along the chains
  // lowering follows (sizes of array elements, cycles of typedefs and
  // qualifiers); base types always (the unit's `int` indexes its arrays).
  // A node that could not be read to the end may refer to anything.
  bool anyOpaque = false;
  for (NodeId v = 1; v < n && !anyOpaque; ++v)
    anyOpaque = opaque[v] != 0;
  unfilled_.assign(n, 0);
  if (anyOpaque)
    return;
  std::vector<NodeId> work;
  for (NodeId v = 1; v < n; ++v)
    if (out_.external[v])
      unfilled_[v] = tags[v] != DW_TAG_base_type;
  auto need = [&](NodeId w) {
    if (unfilled_[w]) {
      unfilled_[w] = 0;
      work.push_back(w);
    }
  };
  for (NodeId v = 1; v < n; ++v)
    if (!out_.external[v])
      for (NodeId w : edgesOf(v))
        need(w);
  while (!work.empty()) {
    const NodeId w = work.back();
    work.pop_back();
    switch (nodeKindOf(tags[w])) {
    case model::NodeKind::Pointer:
    case model::NodeKind::Qualifier:
    case model::NodeKind::Typedef:
    case model::NodeKind::Array:
      for (NodeId x : edgesOf(w))
        need(x);
      break;
    case model::NodeKind::Void:
    case model::NodeKind::Base:
    case model::NodeKind::Composite:
    case model::NodeKind::Enum:
    case model::NodeKind::Subroutine:
      break;
    }
  }
}

} // namespace d2b::dwarf
