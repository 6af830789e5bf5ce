// FragmentMerger's folding of repeated unit types, on hand-built fragments:
// shape hashes agree for equal graphs whatever their ids, the merger maps a
// repeat onto the earlier copy (records included), and anything that differs
// anywhere in the reachable graph is appended instead.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../../src/encode/fragment_merge.h"
#include "dwarf2btf/btf/field_iter.h"

using namespace d2b;
using namespace d2b::encode;

namespace {

// struct list_head { struct list_head *next, *prev; } plus `const int` used
// twice through two separate CONST types, in an order set by `swap`.
Fragment listFragment(bool swap, std::string_view member = "prev") {
  Fragment f;
  btf::Btf &b = f.btf;
  if (!swap) {
    const uint32_t i = b.addInt("int", 4, btf::kIntSigned); // 1
    const uint32_t c1 = b.addConst(i);                      // 2
    const uint32_t c2 = b.addConst(i);                      // 3
    const uint32_t ptr = b.addPtr(5);                       // 4
    btf::Member m[] = {{"next", ptr, 0, 0}, {member, ptr, 64, 0}};
    b.addComposite(false, "list_head", 16, m); // 5
    btf::Param p[] = {{"a", c1}, {"b", c2}};
    b.addFuncProto(i, p); // 6
  } else {
    const uint32_t ptr = b.addPtr(2); // 1
    btf::Member m[] = {{"next", ptr, 0, 0}, {member, ptr, 64, 0}};
    b.addComposite(false, "list_head", 16, m);              // 2
    const uint32_t i = b.addInt("int", 4, btf::kIntSigned); // 3
    const uint32_t c = b.addConst(i);                       // 4
    btf::Param p[] = {{"a", c}, {"b", c}};
    b.addFuncProto(i, p); // 5
  }
  f.shapes = shapeHashes(f.btf);
  return f;
}

uint32_t idNamed(const btf::Btf &b, std::string_view name, btf::Kind kind) {
  for (uint32_t id = b.startId(); id < b.endId(); ++id)
    if (b.type(id).kind() == kind && b.name(id) == name)
      return id;
  return 0;
}

TEST(ShapeHashes, EqualGraphsHashEquallyWhateverTheirIds) {
  const Fragment a = listFragment(false), b = listFragment(true);
  EXPECT_EQ(a.shapes.hash[5], b.shapes.hash[2]); // list_head
  EXPECT_EQ(a.shapes.hash[4], b.shapes.hash[1]); // its pointer
  EXPECT_EQ(a.shapes.hash[1], b.shapes.hash[3]); // int
  EXPECT_EQ(a.shapes.hash[2], b.shapes.hash[4]); // const int
  EXPECT_EQ(a.shapes.hash[6], b.shapes.hash[5]); // the prototype
  EXPECT_NE(a.shapes.hash[5], a.shapes.hash[4]);
}

TEST(ShapeHashes, RepeatsInsideAFragmentShareTheFirstId) {
  const Fragment a = listFragment(false);
  EXPECT_EQ(a.shapes.rep[2], 2u);
  EXPECT_EQ(a.shapes.rep[3], 2u) << "second `const int` repeats the first";
  for (uint32_t id : {1u, 4u, 5u, 6u})
    EXPECT_EQ(a.shapes.rep[id], id);
}

TEST(ShapeHashes, ADifferenceAnywhereInACycleChangesEveryMembersHash) {
  const Fragment a = listFragment(false), c = listFragment(false, "last");
  EXPECT_NE(a.shapes.hash[5], c.shapes.hash[5]);
  EXPECT_NE(a.shapes.hash[4], c.shapes.hash[4]) << "the pointer reaches the renamed member";
  EXPECT_EQ(a.shapes.hash[1], c.shapes.hash[1]);
}

// A merged result and the records appended with it.
struct Merged {
  explicit Merged(bool fold) : merger(target, fold) {}
  void add(Fragment f) { merger.append(f, funcs, vars); }
  btf::Btf target;
  FragmentMerger merger;
  std::vector<model::FunctionRecord> funcs;
  std::vector<model::VariableRecord> vars;
};

TEST(FragmentMerger, FoldsARepeatedUnitOntoTheFirst) {
  Merged m(true);
  btf::Btf &target = m.target;
  FragmentMerger &merger = m.merger;
  std::vector<model::VariableRecord> &vars = m.vars;
  Fragment a = listFragment(false);
  m.add(std::move(a));
  EXPECT_EQ(target.ownCount(), 5u) << "the repeated `const int` is not appended";
  EXPECT_EQ(merger.totals().folded, 1u);

  Fragment b = listFragment(true);
  model::VariableRecord v;
  v.name = "head";
  v.type = 2; // b's list_head
  b.variables.push_back(v);
  m.add(std::move(b));
  EXPECT_EQ(target.ownCount(), 5u) << "every type of the second unit repeats the first's";
  EXPECT_EQ(merger.totals().folded, 6u);
  ASSERT_EQ(vars.size(), 1u);
  EXPECT_EQ(vars[0].type, idNamed(target, "list_head", btf::Kind::Struct));
  // The prototype's parameters point at the one CONST kept.
  const uint32_t proto = target.endId() - 1;
  ASSERT_EQ(target.type(proto).kind(), btf::Kind::FuncProto);
  EXPECT_EQ(target.typeWords(proto)[4], target.typeWords(proto)[6]);
}

TEST(FragmentMerger, AppendsWhatDiffersDeepInTheGraph) {
  Merged m(true);
  const btf::Btf &target = m.target;
  m.add(listFragment(false));
  m.add(listFragment(false, "last"));
  // int, const int and the prototype fold; the struct and its pointer do not.
  EXPECT_EQ(target.ownCount(), 7u);
  const uint32_t second = idNamed(target, "list_head", btf::Kind::Struct) + 1;
  uint32_t found = 0;
  for (uint32_t id = second; id < target.endId(); ++id)
    if (target.type(id).kind() == btf::Kind::Struct)
      found = id;
  ASSERT_NE(found, 0u);
  // Its members point at its own new pointer, which points back at it.
  const uint32_t ptr = target.typeWords(found)[4];
  EXPECT_EQ(target.type(ptr).kind(), btf::Kind::Ptr);
  EXPECT_EQ(target.type(ptr).type(), found);
  EXPECT_EQ(target.str(target.typeWords(found)[6]), "last");
}

TEST(FragmentMerger, WithoutFoldingAppendsEverything) {
  Merged m(false);
  m.add(listFragment(false));
  m.add(listFragment(true));
  EXPECT_EQ(m.target.ownCount(), 11u);
  EXPECT_EQ(m.merger.totals().folded, 0u);
}

// ---- signatures (EncodeOptions::skipRepeats) ------------------------------------

dwarf::TypeSignature sigOf(uint64_t k) { return {k * 0x9E3779B97F4A7C15ull, ~k}; }

TEST(RepeatRegistry, FindsWhatWasOfferedAndKeepsTheFirstOffer) {
  RepeatRegistry r(100);
  EXPECT_EQ(r.find(sigOf(1)), 0u);
  r.insert(sigOf(1), 7);
  r.insert(sigOf(1), 9); // offered again by a later unit: the first stays
  r.insert(sigOf(2), 0); // void is never offered
  EXPECT_EQ(r.find(sigOf(1)), 7u);
  EXPECT_EQ(r.find(sigOf(2)), 0u);
  // Same low half, different high half: another signature.
  dwarf::TypeSignature other = sigOf(1);
  other.hi ^= 1;
  EXPECT_EQ(r.find(other), 0u);
  r.insert(other, 8);
  EXPECT_EQ(r.find(other), 8u);
  EXPECT_EQ(r.find(sigOf(1)), 7u);
  EXPECT_EQ(r.size(), 2u);
}

TEST(RepeatRegistry, StopsTakingOffersWhenFull) {
  RepeatRegistry r(10); // 1024 slots, three quarters usable
  for (uint64_t k = 1; k <= 2000; ++k)
    r.insert(sigOf(k), uint32_t(k));
  EXPECT_EQ(r.size(), 768u);
  size_t found = 0;
  for (uint64_t k = 1; k <= 2000; ++k) {
    const uint32_t v = r.find(sigOf(k));
    EXPECT_TRUE(v == 0 || v == k);
    found += v != 0;
  }
  EXPECT_EQ(found, 768u);
}

TEST(RepeatRegistry, ReadersSeeOnlyWholeEntriesWhileTheWriterAdds) {
  RepeatRegistry r(1 << 16);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> wrong{0}, seen{0};
  std::thread reader([&] {
    while (!done.load()) {
      for (uint64_t k = 1; k <= 50000; k += 97) {
        const uint32_t v = r.find(sigOf(k));
        wrong += v != 0 && v != k;
        seen += v != 0;
      }
    }
  });
  for (uint64_t k = 1; k <= 50000; ++k)
    r.insert(sigOf(k), uint32_t(k));
  done = true;
  reader.join();
  EXPECT_EQ(wrong.load(), 0u);
  for (uint64_t k = 1; k <= 50000; ++k)
    ASSERT_EQ(r.find(sigOf(k)), k);
}

// A fragment with struct list_head (its pointer, the struct) and a
// prototype taking the pointer; `placeholder`: the struct stands as a
// nameless FWD mapped to merged type `merged`.
Fragment signedFragment(bool placeholder, uint32_t merged) {
  Fragment f;
  btf::Btf &b = f.btf;
  const uint32_t ptr = b.addPtr(2); // 1
  if (placeholder) {
    b.addFwd("", false); // 2
    f.externals.push_back({2, merged});
  } else {
    btf::Member m[] = {{"next", ptr, 0, 0}, {"prev", ptr, 64, 0}};
    b.addComposite(false, "list_head", 16, m); // 2
  }
  btf::Param p[] = {{"h", ptr}};
  b.addFuncProto(0, p); // 3
  // The pointer and the struct form one cycle (1); the prototype is alone.
  f.publish.push_back({sigOf(11), 1, 1, true});
  if (!placeholder)
    f.publish.push_back({sigOf(12), 2, 1, true});
  f.publish.push_back({sigOf(13), 3, 0, true});
  return f;
}

struct SignedMerge {
  SignedMerge() : registry(1000), merger(target, false, &registry) {}
  void add(Fragment f) { merger.append(f, funcs, vars); }
  btf::Btf target;
  RepeatRegistry registry;
  FragmentMerger merger;
  std::vector<model::FunctionRecord> funcs;
  std::vector<model::VariableRecord> vars;
};

TEST(FragmentMerger, MapsPlaceholdersAndOffersTheRest) {
  SignedMerge m;
  m.add(signedFragment(false, 0));
  EXPECT_EQ(m.target.ownCount(), 3u);
  EXPECT_EQ(m.registry.size(), 3u);
  const uint32_t head = idNamed(m.target, "list_head", btf::Kind::Struct);
  EXPECT_EQ(m.registry.find(sigOf(12)), head);

  // A unit that skipped the struct: only what the merge does not know yet
  // is appended, pointing at the merged struct.
  Fragment f = signedFragment(true, head);
  f.publish = {{sigOf(21), 1, 0, true}, {sigOf(23), 3, 0, true}}; // another pointer's signature
  m.add(std::move(f));
  EXPECT_EQ(m.merger.totals().external, 1u);
  ASSERT_EQ(m.target.ownCount(), 5u);
  EXPECT_EQ(m.target.type(4).kind(), btf::Kind::Ptr);
  EXPECT_EQ(m.target.typeWords(4)[2], head);
  EXPECT_EQ(m.target.type(5).kind(), btf::Kind::FuncProto);
}

TEST(FragmentMerger, MapsWhatEarlierUnitsOfferedSinceTheWorkerLookedUp) {
  SignedMerge m;
  m.add(signedFragment(false, 0));
  // The worker found nothing (its lookups ran before the first unit was
  // merged); the merge finds all of it now.
  m.add(signedFragment(false, 0));
  EXPECT_EQ(m.target.ownCount(), 3u);
  EXPECT_EQ(m.merger.totals().external, 3u);
}

TEST(FragmentMerger, MapsACycleWholeOrNotAtAll) {
  SignedMerge m;
  m.add(signedFragment(false, 0));
  Fragment f = signedFragment(false, 0);
  f.publish[1].sig = sigOf(99); // the struct is unknown: its pointer is built too
  m.add(std::move(f));
  EXPECT_EQ(m.merger.totals().external, 1u) << "only the prototype";
  EXPECT_EQ(m.target.ownCount(), 5u);
}

} // namespace
