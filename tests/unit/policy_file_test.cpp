#include <gtest/gtest.h>

#include "dwarf2btf/lower/policy.h"
#include "dwarf2btf/pipeline/policy_file.h"

using d2b::parsePolicyText;

TEST(PolicyFile, ReadsTopLevelAndRustSection) {
  auto f = parsePolicyText("# comment\nvars = all\nflatten-arrays = yes\nfloat = false\n"
                           "lang-exclude = c++\n[rust]\npreset = bpf-linker\n"
                           "data-enums = opaque\nprimitive-names = rust\nchar-name = rchar\n",
                           "p.ini");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(*f->vars, "all");
  EXPECT_TRUE(*f->flattenArrays);
  EXPECT_FALSE(*f->floats);
  EXPECT_EQ(*f->langExclude, "c++");
  EXPECT_EQ(*f->rustPreset, "bpf-linker");
  EXPECT_EQ(*f->rustDataEnums, "opaque");
  EXPECT_EQ(*f->rustPrimitiveNames, "rust");
  EXPECT_EQ(*f->rustCharName, "rchar");
  EXPECT_FALSE(f->funcs.has_value());
  EXPECT_FALSE(f->enum64.has_value());
}

TEST(PolicyFile, EmptyFileSetsNothing) {
  auto f = parsePolicyText("", "p.ini");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->vars || f->rustPreset || f->floats);
}

TEST(PolicyFile, UnknownKeyIsAnErrorNamingTheFile) {
  auto f = parsePolicyText("[rust]\npresett = kernel\n", "p.ini");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(), "p.ini: unrecognised option 'rust.presett'");
}

TEST(PolicyFile, BadBooleanIsAnError) {
  auto f = parsePolicyText("float = maybe\n", "p.ini");
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message().find("p.ini: "), std::string::npos);
  EXPECT_NE(f.error().message().find("float"), std::string::npos) << f.error().message();
}

TEST(PolicyFile, MissingFileIsAnError) {
  auto f = d2b::readPolicyFile("/nonexistent/policy.ini");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(), "/nonexistent/policy.ini: cannot open");
}

TEST(PolicyFile, RustFuncNamesAndQualifyClashes) {
  auto f = parsePolicyText("[rust]\nfunc-names = leaf\nqualify-clashes = off\n", "p.ini");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(*f->rustFuncNames, "leaf");
  ASSERT_TRUE(f->rustQualifyClashes.has_value());
  EXPECT_FALSE(*f->rustQualifyClashes);
  auto bad = parsePolicyText("[rust]\nqualify-clashes = sometimes\n", "p.ini");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "p.ini: the argument ('sometimes') for option 'rust.qualify-clashes' is invalid. "
            "Valid choices are 'on|off', 'yes|no', '1|0' and 'true|false'");
}

TEST(PolicyFile, PresetsSetRustFuncNamesAndQualification) {
  using d2b::lower::RustPolicy;
  const RustPolicy k = RustPolicy::forPreset(RustPolicy::Preset::Kernel);
  EXPECT_EQ(k.funcNames, RustPolicy::FuncNames::Linkage);
  EXPECT_TRUE(k.qualifyClashes);
  const RustPolicy b = RustPolicy::forPreset(RustPolicy::Preset::BpfLinker);
  EXPECT_EQ(b.funcNames, RustPolicy::FuncNames::Leaf);
  EXPECT_FALSE(b.qualifyClashes);
}
