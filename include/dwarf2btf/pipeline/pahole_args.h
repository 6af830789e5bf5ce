#pragma once
/// pahole drop-in: maps a pahole command line (as the kernel build passes it)
/// onto PipelineOptions. Pure: argv and the environment come in as values, a
/// request comes out; nothing is printed or run here (src/tools/pahole_cli.cpp
/// does that).
///
///   PaholeEnv env{.langExclude = getenv("PAHOLE_LANG_EXCLUDE")};
///   Expected<PaholeRequest> r = parsePaholeArgs({"-J", "-j", "--btf_base", "vmlinux", "x.ko"},
///   env);
///   // r->action == PaholeAction::Encode, r->inputs == {"x.ko"},
///   // r->opts.basePath == "vmlinux"
///
/// Parsing follows argp (GNU getopt_long): long options may be abbreviated to
/// any unambiguous prefix; a required argument is attached (`--opt=V`, `-FV`)
/// or the next word; an optional argument (`-j`) must be attached (`-j8`);
/// short options cluster (`-JV`); `--` ends the options.
///
/// --btf_features follows pahole: the first occurrence switches every feature
/// off, then each occurrence (values accumulate) switches on the listed ones;
/// `default` (and its old name `all`) switches on the default set, and a name
/// written `+feat` means the default set plus feat. Unknown names are ignored
/// unless --btf_features_strict. Legacy flags (--skip_encoding_btf_*,
/// --btf_gen_floats, ...) act on the same switches, in command-line order.
#include <optional>
#include <string>
#include <vector>

#include "dwarf2btf/pipeline/pipeline.h"
#include "dwarf2btf/support/expected.h"

namespace d2b {

/// The pahole release whose BTF-encoding behaviour and --btf_features set
/// dwarf2btf implements (printed by --version as "v1.27"; decl_tag_kfuncs and
/// reproducible_build are 1.27). 1.28 makes kernels pass distilled_base for
/// out-of-tree modules, which is implemented, so 1.28/1.29 could be claimed;
/// 1.30 adds `attributes`, which is not.
inline constexpr int kPaholeMajor = 1;
inline constexpr int kPaholeMinor = 27;

/// Environment variables pahole reads (values, so the parser stays pure).
struct PaholeEnv {
  std::optional<std::string> langExclude; // PAHOLE_LANG_EXCLUDE
  /// DWARF2BTF_INCLUDE_LANGS: languages taken back out of the exclusion list.
  /// Kernels >= 6.1 always pass --lang_exclude=rust (pahole 1.24 cannot encode
  /// Rust); this lets a kernel build keep Rust types without editing kbuild.
  /// Unset or empty: pahole's behaviour exactly.
  std::optional<std::string> includeLangs;
};

enum class PaholeAction {
  Encode,            // -J / --btf_encode_detached: encode every input
  Version,           // --version: print "v1.27"
  NumericVersion,    // --numeric_version: print "127"
  SupportedFeatures, // --supported_btf_features: print the feature list
  Help,              // --help / -? / --usage
};

/// What a pahole command line asks for.
struct PaholeRequest {
  PaholeAction action = PaholeAction::Encode;
  std::vector<std::string> inputs;
  /// --btf_encode_detached=FILE: write raw BTF there, the input untouched.
  std::string detached;
  /// Options for encodeFile (basePath is --btf_base).
  PipelineOptions opts;
  /// -j without a number: pahole's "all cores".
  bool allCores = false;
  /// -V: pahole's verbose skip lines.
  bool verbose = false;
  /// Features switched on, in pahole's list order (for -V and tests).
  std::vector<std::string> features;
  /// Notes worth showing with -V (ignored feature names, ignored flags).
  std::vector<std::string> notes;
};

/// The --btf_features names we accept, in pahole's order.
const std::vector<std::string> &paholeSupportedFeatures();
/// `args` excludes argv[0]. Errors are worded for "pahole: <msg>"; the tool
/// exits with argp's usage status (64) for them.
Expected<PaholeRequest> parsePaholeArgs(const std::vector<std::string> &args, const PaholeEnv &env);

} // namespace d2b
