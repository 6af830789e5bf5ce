// SymbolTable built by hand: grouping of function symbols, ambiguity,
// object lookup and section placement.
#include <gtest/gtest.h>

#include <elf.h>
#include <string>

#include "dwarf2btf/elf/symbols.h"

using namespace d2b::elf;

TEST(SymbolNames, KeysAndSuffixes) {
  EXPECT_EQ(functionKey("foo"), "foo");
  EXPECT_EQ(functionKey("foo.isra.0"), "foo");
  EXPECT_EQ(functionKey(".hidden"), "");
  EXPECT_TRUE(isFunctionFragment("foo.cold"));
  EXPECT_TRUE(isFunctionFragment("foo.part.0"));
  EXPECT_TRUE(isFunctionFragment("foo.isra.0.cold"));
  EXPECT_FALSE(isFunctionFragment("foo_cold"));
  EXPECT_FALSE(isFunctionFragment("foo.isra.0"));
  EXPECT_TRUE(isOptimizedClone("foo.isra.0"));
  EXPECT_TRUE(isOptimizedClone("foo.constprop.3"));
  EXPECT_TRUE(isOptimizedClone("foo.part.0.isra.0"));
  EXPECT_FALSE(isOptimizedClone("foo"));
  EXPECT_FALSE(isOptimizedClone("isra_foo"));
}

TEST(SymbolTable, GroupsByBaseNameAndFlagsAmbiguity) {
  SymbolTable t;
  t.addFunction("b", 0x20);
  t.addFunction("a.constprop.0", 0x10);
  t.addFunction("a.cold", 0x90); // fragment: ignored
  t.addFunction("c", 0x30);
  t.addFunction("c", 0x40); // static c in another CU
  t.addFunction("a", 0x10);
  t.addFunction(".L1", 0x50); // empty key: ignored
  t.finalize();
  ASSERT_EQ(t.functions().size(), 3u);
  const FunctionGroup *a = t.findFunction("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->symbols.size(), 2u);
  EXPECT_EQ(a->symbols[0].name, "a.constprop.0"); // symbol-table order kept
  EXPECT_EQ(a->symbols[1].name, "a");
  EXPECT_FALSE(a->ambiguousAddr);
  EXPECT_TRUE(a->hasAddress(0x10));
  EXPECT_FALSE(a->hasAddress(0x90));
  EXPECT_TRUE(t.findFunction("c")->ambiguousAddr);
  EXPECT_FALSE(t.findFunction("b")->ambiguousAddr);
  EXPECT_EQ(t.findFunction("a.constprop"), nullptr);
  EXPECT_EQ(t.findFunction("d"), nullptr);
}

TEST(SymbolTable, ObjectsBySection) {
  SymbolTable t;
  t.addObject({"x", 0x10, 4, 3});
  t.addObject({"y", 0x20, 4, 2});
  t.addObject({"x", 0x30, 4, 7});
  t.finalize();
  EXPECT_TRUE(t.hasObject("x", 3));
  EXPECT_TRUE(t.hasObject("x", 7));
  EXPECT_FALSE(t.hasObject("x", 2));
  EXPECT_TRUE(t.hasObject("y", 2));
  EXPECT_FALSE(t.hasObject("z", 2));
  SymbolTable copy = t; // lookups must survive copies
  EXPECT_TRUE(copy.hasObject("y", 2));
}

TEST(SymbolTable, SectionContainingUsesAllocatedDataSections) {
  SymbolTable t;
  t.addSection({0, "", SHT_NULL, 0, 0, 0});
  t.addSection({0, ".note", SHT_NOTE, SHF_ALLOC, 0x100, 0x100});
  t.addSection({0, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x100, 0x100});
  t.addSection({0, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x200, 0x100});
  t.addSection({0, ".debug_info", SHT_PROGBITS, 0, 0, 0x1000});
  t.finalize();
  ASSERT_EQ(t.sections().size(), 5u);
  EXPECT_EQ(t.sections()[3].index, 3u);
  EXPECT_EQ(t.sectionContaining(0x100)->name, ".data"); // not the note
  EXPECT_EQ(t.sectionContaining(0x1ff)->name, ".data");
  EXPECT_EQ(t.sectionContaining(0x200)->name, ".bss");
  EXPECT_EQ(t.sectionContaining(0x300), nullptr);
  EXPECT_EQ(t.sectionContaining(0x10), nullptr); // .debug_info is not allocated
}

TEST(SymbolTable, FindsEveryGroupAmongManyAndAcrossFinalizes) {
  SymbolTable empty;
  EXPECT_EQ(empty.findFunction("f"), nullptr); // never finalized
  empty.finalize();
  EXPECT_EQ(empty.findFunction(""), nullptr);

  // Enough names that the index's slots collide and probe on.
  SymbolTable t;
  for (int i = 0; i < 5000; i += 2)
    t.addFunction("fn_" + std::to_string(i), uint64_t(i));
  t.finalize();
  for (int i = 1; i < 5000; i += 2) // a second batch merged into the groups
    t.addFunction("fn_" + std::to_string(i) + ".isra.0", uint64_t(i));
  t.addFunction("fn_0", 0x999); // a second symbol for an existing group
  t.finalize();
  ASSERT_EQ(t.functions().size(), 5000u);
  const SymbolTable copy = t; // lookups must survive copies
  for (const SymbolTable *table : std::initializer_list<const SymbolTable *>{&t, &copy}) {
    for (int i = 0; i < 5000; ++i) {
      const std::string key = "fn_" + std::to_string(i);
      const FunctionGroup *g = table->findFunction(key);
      ASSERT_NE(g, nullptr) << key;
      EXPECT_EQ(g->key, key);
      EXPECT_TRUE(g->hasAddress(uint64_t(i))) << key;
      EXPECT_EQ(table->findFunction(key + "x"), nullptr);
      EXPECT_EQ(table->findFunction("gn_" + std::to_string(i)), nullptr);
    }
    EXPECT_EQ(table->findFunction("fn_0")->symbols.size(), 2u);
    EXPECT_TRUE(table->findFunction("fn_0")->ambiguousAddr);
    EXPECT_EQ(table->findFunction("fn_1")->symbols.front().name, "fn_1.isra.0");
    EXPECT_EQ(table->findFunction("fn_"), nullptr);
  }
}
