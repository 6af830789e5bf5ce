#pragma once
/// The policy file of `encode --policy FILE`: Boost.Program_options config
/// syntax, `key = value` lines, Rust knobs under a `[rust]` section. Every
/// key is optional; what the file leaves out keeps the command line's value
/// (or the default), and a command-line flag always wins over the file.
///
///   # dwarf2btf policy
///   vars = all
///   flatten-arrays = false
///   [rust]
///   preset = bpf-linker
///   char-name = rust_char
#include <optional>
#include <string>

#include "dwarf2btf/support/expected.h"

namespace d2b {

struct PolicyFile {
  std::optional<std::string> vars; // none | percpu | all
  std::optional<std::string> langExclude;
  std::optional<std::string> clashFuncs; // skip | first | keep-all
  std::optional<std::string> clashVars;  // keep-all | first | skip
  std::optional<bool> funcs, consistentFunc, floats, enum64, declTags, typeTags, flattenArrays;
  std::optional<std::string> rustPreset;         // [rust] preset
  std::optional<std::string> rustDataEnums;      // [rust] data-enums
  std::optional<std::string> rustPrimitiveNames; // [rust] primitive-names
  std::optional<std::string> rustCharName;       // [rust] char-name
  std::optional<std::string> rustFuncNames;      // [rust] func-names
  std::optional<bool> rustQualifyClashes;        // [rust] qualify-clashes
};

/// Parses `path`. Unknown keys, unreadable files and malformed values are
/// errors naming the file (and the key).
Expected<PolicyFile> readPolicyFile(const std::string &path);
/// Same, from text (for tests and fuzzing); `origin` names it in errors.
Expected<PolicyFile> parsePolicyText(const std::string &text, const std::string &origin);

} // namespace d2b
