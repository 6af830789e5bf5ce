// pahole command lines (as kernels 6.1..7.x pass them) mapped onto options.
#include <gtest/gtest.h>

#include <dwarf.h>

#include <cstring>

#include "dwarf2btf/encode/kfuncs.h"
#include "dwarf2btf/pipeline/pahole_args.h"

using namespace d2b;
using VarScope = lower::Policy::VarScope;

namespace {

PaholeRequest parseOk(const std::vector<std::string> &args, const PaholeEnv &env = {}) {
  auto r = parsePaholeArgs(args, env);
  EXPECT_TRUE(bool(r)) << (r ? "" : r.error().message());
  return r ? std::move(*r) : PaholeRequest{};
}

std::string parseErr(const std::vector<std::string> &args, const PaholeEnv &env = {}) {
  auto r = parsePaholeArgs(args, env);
  EXPECT_FALSE(bool(r));
  return r ? "" : r.error().message();
}

const std::string kDefault6_12 = "--btf_features=encode_force,var,float,enum64,decl_tag,type_tag,"
                                 "optimized_func,consistent_func,decl_tag_kfuncs";

} // namespace

TEST(PaholeArgs, Kernel61Vmlinux) {
  // 6.1's pahole-flags.sh for a v1.25+ pahole, then link-vmlinux.sh's call.
  auto r = parseOk({"-J", "--btf_gen_floats", "-j", "--lang_exclude=rust",
                    "--skip_encoding_btf_inconsistent_proto", "--btf_gen_optimized",
                    ".tmp_vmlinux.btf"});
  EXPECT_EQ(r.action, PaholeAction::Encode);
  EXPECT_EQ(r.inputs, std::vector<std::string>{".tmp_vmlinux.btf"});
  EXPECT_TRUE(r.detached.empty());
  EXPECT_TRUE(r.allCores);
  EXPECT_EQ(r.opts.encode.jobs, 0u);
  const lower::Policy &p = r.opts.encode.policy;
  EXPECT_TRUE(p.floats);
  EXPECT_TRUE(p.consistentFunc);
  EXPECT_TRUE(p.declTags);
  EXPECT_TRUE(p.typeTags);
  EXPECT_TRUE(p.enum64);
  EXPECT_TRUE(p.flattenArrays);
  EXPECT_EQ(p.vars, VarScope::PerCpu);
  EXPECT_TRUE(p.excludes(DW_LANG_Rust));
  EXPECT_FALSE(p.excludes(DW_LANG_C11));
  EXPECT_FALSE(r.opts.kfuncTags); // legacy flags never ask for kfunc tags
}

TEST(PaholeArgs, LegacyDefaultsWithoutFeatures) {
  auto r = parseOk({"-J", "x.o"});
  const lower::Policy &p = r.opts.encode.policy;
  EXPECT_FALSE(p.floats); // pahole encodes floats as INT unless asked
  EXPECT_FALSE(p.consistentFunc);
  EXPECT_EQ(p.vars, VarScope::PerCpu);
  EXPECT_EQ(r.opts.encode.jobs, 1u); // no -j: one thread, as pahole
  EXPECT_FALSE(r.allCores);
}

TEST(PaholeArgs, Kernel612ModuleWithFeatures) {
  auto r = parseOk({"-J", "-j8", kDefault6_12, "--lang_exclude=rust", "--btf_base", "vmlinux",
                    "drivers/foo.ko"});
  EXPECT_EQ(r.opts.basePath, "vmlinux");
  EXPECT_EQ(r.opts.encode.jobs, 8u);
  EXPECT_TRUE(r.opts.kfuncTags);
  EXPECT_TRUE(r.opts.encode.policy.consistentFunc);
  EXPECT_TRUE(r.opts.encode.policy.floats);
  EXPECT_EQ(r.inputs, std::vector<std::string>{"drivers/foo.ko"});
}

TEST(PaholeArgs, FirstFeatureListIsOptIn) {
  auto r = parseOk({"-J", "--btf_features=float", "x.o"});
  const lower::Policy &p = r.opts.encode.policy;
  EXPECT_TRUE(p.floats);
  EXPECT_EQ(p.vars, VarScope::None);
  EXPECT_FALSE(p.declTags);
  EXPECT_FALSE(p.typeTags);
  EXPECT_FALSE(p.enum64);
  EXPECT_EQ(r.features, std::vector<std::string>{"float"});
}

TEST(PaholeArgs, FeatureListsAccumulate) {
  auto r = parseOk({"-J", "--btf_features=float", "--btf_features=var,enum64", "x.o"});
  EXPECT_EQ(r.features, (std::vector<std::string>{"var", "float", "enum64"}));
}

TEST(PaholeArgs, DefaultAndPlus) {
  auto d = parseOk({"-J", "--btf_features=default", "x.o"});
  EXPECT_EQ(d.features.size(), 9u);
  EXPECT_TRUE(d.opts.kfuncTags);
  auto plus = parseOk({"-J", "--btf_features=+reproducible_build", "x.o"});
  EXPECT_EQ(plus.features.size(), 10u);
  EXPECT_EQ(plus.features.back(), "reproducible_build");
  EXPECT_EQ(parseOk({"-J", "--btf_gen_all", "x.o"}).features, d.features);
  auto global = parseOk({"-J", "--btf_features=default,global_var", "x.o"});
  EXPECT_EQ(global.opts.encode.policy.vars, VarScope::All);
}

TEST(PaholeArgs, UnknownFeaturesIgnoredUnlessStrict) {
  auto r = parseOk({"-J", "--btf_features=layout,float,attributes", "x.o"});
  EXPECT_EQ(r.features, std::vector<std::string>{"float"});
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_EQ(r.notes[0], "Ignoring unsupported feature 'layout'");
  EXPECT_EQ(parseErr({"-J", "--btf_features_strict=float,layout", "x.o"}),
            "Feature 'layout' in 'float,layout' is not supported. Supported BTF features are: "
            "encode_force,var,float,decl_tag,type_tag,enum64,optimized_func,consistent_func,"
            "decl_tag_kfuncs,reproducible_build,distilled_base,global_var");
}

TEST(PaholeArgs, DistilledBaseOnlyWithBaseAndElfOutput) {
  auto on =
      parseOk({"-J", "--btf_features=default,distilled_base", "--btf_base", "vmlinux", "m.ko"});
  EXPECT_TRUE(on.opts.distilledBase);
  EXPECT_EQ(on.features.back(), "distilled_base");
  EXPECT_FALSE(parseOk({"-J", "--btf_base", "vmlinux", "m.ko"}).opts.distilledBase);
  auto noBase = parseOk({"-J", "--btf_features=distilled_base", "m.ko"});
  EXPECT_FALSE(noBase.opts.distilledBase);
  ASSERT_EQ(noBase.notes.size(), 1u);
  EXPECT_EQ(noBase.notes[0], "distilled_base ignored: no --btf_base");
  auto detached = parseOk({"-J", "--btf_features=+distilled_base", "--btf_base", "vmlinux",
                           "--btf_encode_detached=m.btf", "m.ko"});
  EXPECT_FALSE(detached.opts.distilledBase);
  ASSERT_EQ(detached.notes.size(), 1u);
  EXPECT_EQ(detached.notes[0], "distilled_base ignored: --btf_encode_detached writes raw BTF");
}

TEST(PaholeArgs, LegacyFlagsActInOrder) {
  // The first --btf_features resets what came before it...
  auto a = parseOk({"-J", "--skip_encoding_btf_vars", "--btf_features=var", "x.o"});
  EXPECT_EQ(a.opts.encode.policy.vars, VarScope::PerCpu);
  // ...but not what comes after.
  auto b = parseOk({"-J", "--btf_features=var", "--skip_encoding_btf_vars", "x.o"});
  EXPECT_EQ(b.opts.encode.policy.vars, VarScope::None);
  auto c = parseOk({"-J", "--skip_encoding_btf_decl_tag", "--skip_encoding_btf_type_tag",
                    "--skip_encoding_btf_enum64", "x.o"});
  EXPECT_FALSE(c.opts.encode.policy.declTags);
  EXPECT_FALSE(c.opts.encode.policy.typeTags);
  EXPECT_FALSE(c.opts.encode.policy.enum64);
  // kfunc tags need decl tags.
  auto d = parseOk({"-J", "--btf_features=decl_tag_kfuncs", "x.o"});
  EXPECT_FALSE(d.opts.kfuncTags);
}

TEST(PaholeArgs, JobsNeedAnAttachedArgument) {
  // "-j 4": 4 is an input file, as with argp.
  auto r = parseOk({"-J", "-j", "4", "x.o"});
  EXPECT_TRUE(r.allCores);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"4", "x.o"}));
  auto l = parseOk({"-J", "--jobs=3", "x.o"});
  EXPECT_EQ(l.opts.encode.jobs, 3u);
  EXPECT_EQ(parseErr({"-J", "-jx", "x.o"}), "-j: invalid number of jobs 'x'");
}

TEST(PaholeArgs, ShortClustersAndAbbreviations) {
  auto r = parseOk({"-JV", "--btf_encode_d=out.btf", "--btf_b", "vmlinux", "x.ko"});
  EXPECT_TRUE(r.verbose);
  EXPECT_TRUE(r.opts.verbose);
  EXPECT_EQ(r.detached, "out.btf");
  EXPECT_EQ(r.opts.basePath, "vmlinux");
  EXPECT_EQ(parseErr({"--btf_f=x", "x.o"}),
            "option '--btf_f' is ambiguous; possibilities: --btf_features --btf_features_strict");
  auto f = parseOk({"-Fdwarf", "-J", "--", "-weird.o"});
  EXPECT_EQ(f.inputs, std::vector<std::string>{"-weird.o"});
}

TEST(PaholeArgs, InformationalActions) {
  EXPECT_EQ(parseOk({"--version"}).action, PaholeAction::Version);
  EXPECT_EQ(parseOk({"--numeric_version"}).action, PaholeAction::NumericVersion);
  EXPECT_EQ(parseOk({"--supported_btf_features"}).action, PaholeAction::SupportedFeatures);
  EXPECT_EQ(parseOk({"--help"}).action, PaholeAction::Help);
  EXPECT_EQ(kPaholeMajor * 100 + kPaholeMinor, 127);
}

TEST(PaholeArgs, Errors) {
  EXPECT_EQ(parseErr({"x.o"}),
            "only BTF encoding is supported: pass -J or --btf_encode_detached=FILE");
  EXPECT_EQ(parseErr({"-J"}), "no input file (usage: pahole -J [OPTIONS] FILE...)");
  EXPECT_EQ(parseErr({"-J", "--class_name=foo", "x.o"}),
            "unrecognized option '--class_name=foo' (only BTF encoding is supported)");
  EXPECT_EQ(parseErr({"-J", "--lang_exclude=cobol", "x.o"}),
            "--lang_exclude: unknown language 'cobol'");
  EXPECT_EQ(parseErr({"-J", "--btf_base"}), "option '--btf_base' requires an argument");
  EXPECT_EQ(parseErr({"-J", "--version=2"}), "option '--version' doesn't allow an argument");
  EXPECT_EQ(parseErr({"-J", "-Fbtf", "x.o"}), "-F btf: only the DWARF input format is supported");
}

TEST(PaholeArgs, LangExcludeFromEnvironment) {
  PaholeEnv env;
  env.langExclude = "rust";
  auto r = parseOk({"-J", "x.o"}, env);
  EXPECT_TRUE(r.opts.encode.policy.excludes(DW_LANG_Rust));
  // The option wins over the environment.
  auto o = parseOk({"-J", "--lang_exclude=c++", "x.o"}, env);
  EXPECT_FALSE(o.opts.encode.policy.excludes(DW_LANG_Rust));
  EXPECT_TRUE(o.opts.encode.policy.excludes(DW_LANG_C_plus_plus));
}

// The kernel always passes --lang_exclude=rust; DWARF2BTF_INCLUDE_LANGS takes
// languages back out of that list (opt-in, for Rust-typed kernel BTF).
TEST(PaholeArgs, IncludeLangsRemovesFromExclusion) {
  PaholeEnv env;
  env.includeLangs = "rust";
  auto r = parseOk({"-J", "--btf_gen_floats", "-j", "--lang_exclude=rust,c++", "x.o"}, env);
  EXPECT_FALSE(r.opts.encode.policy.excludes(DW_LANG_Rust));
  EXPECT_TRUE(r.opts.encode.policy.excludes(DW_LANG_C_plus_plus));
  // It also overrides PAHOLE_LANG_EXCLUDE, and case does not matter.
  PaholeEnv both;
  both.langExclude = "rust";
  both.includeLangs = "Rust";
  EXPECT_FALSE(parseOk({"-J", "x.o"}, both).opts.encode.policy.excludes(DW_LANG_Rust));
}

TEST(PaholeArgs, IncludeLangsOffByDefault) {
  // Unset and empty both leave pahole's behaviour: rust stays excluded.
  auto r = parseOk({"-J", "--lang_exclude=rust", "x.o"});
  EXPECT_TRUE(r.opts.encode.policy.excludes(DW_LANG_Rust));
  PaholeEnv empty;
  empty.includeLangs = "";
  EXPECT_TRUE(parseOk({"-J", "--lang_exclude=rust", "x.o"}, empty)
                  .opts.encode.policy.excludes(DW_LANG_Rust));
  // Naming a language that is not excluded changes nothing.
  PaholeEnv c;
  c.includeLangs = "c";
  auto o = parseOk({"-J", "--lang_exclude=rust", "x.o"}, c);
  EXPECT_TRUE(o.opts.encode.policy.excludes(DW_LANG_Rust));
  EXPECT_FALSE(o.opts.encode.policy.excludes(DW_LANG_C11));
}

TEST(PaholeArgs, IncludeLangsUnknownNameIsAnError) {
  PaholeEnv env;
  env.includeLangs = "rust,cobol";
  EXPECT_EQ(parseErr({"-J", "--lang_exclude=rust", "x.o"}, env),
            "DWARF2BTF_INCLUDE_LANGS: unknown language 'cobol'");
}

// .BTF_ids tables as resolve_btfids-free objects lay them out.
TEST(Kfuncs, Set8RangesSelectKfuncs) {
  // set A (kfunc set): cnt=2 flags=1, pairs {0, 0x1000 | 1}, {0, 0}
  // set B (plain set): cnt=1 flags=0, pair {0, 0}
  std::vector<uint32_t> words = {2, 1, 0, 0x1001, 0, 0, 1, 0, 0, 0};
  std::vector<uint8_t> bytes(words.size() * 4);
  std::memcpy(bytes.data(), words.data(), bytes.size());
  std::vector<encode::BtfIdsSymbol> syms = {
      {"__BTF_ID__set8__a", 0, 24},
      {"__BTF_ID__func__fast_kfunc__12", 8, 4},
      {"__BTF_ID__func__plain_kfunc__13", 16, 4},
      {"__BTF_ID__set8__b", 24, 16},
      {"__BTF_ID__func__not_kfunc__14", 32, 4},
  };
  auto k = encode::kfuncsFromBtfIds(bytes, std::endian::native, syms);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k.at("fast_kfunc"), 0x1001u);
  EXPECT_EQ(k.at("plain_kfunc"), 0u);
  EXPECT_TRUE(k.at("fast_kfunc") & encode::kKfFastcall);
}
