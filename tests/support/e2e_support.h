#pragma once
/// Helpers for the end-to-end tests (tests/integration/*_e2e_test.cpp and
/// friends): the fixture lists, running the tool on a private copy of a
/// fixture, and reading bpftool-format dumps and ELF sections.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace d2b::test::e2e {

/// The binary under test: $D2B_TOOL when set (to run the suite against
/// another implementation, e.g. scripts/oracle-cli.sh), else tool().
std::string toolPath();
/// `s` quoted for /bin/sh.
std::string quote(const std::string &s);
/// Basename of a path.
std::string baseName(const std::string &path);
/// A gtest parameter name for a fixture path: its basename with every
/// character outside [A-Za-z0-9] replaced by '_'.
std::string paramName(const std::string &path);

/// Every fixture in testdata/bin (all files but MANIFEST), sorted.
std::vector<std::string> allFixtures();
/// Every object the encoder accepts among the committed fixtures: allFixtures(),
/// the Rust and LTO objects (testdata/bin/rust, testdata/bin/lto) and the sample.
std::vector<std::string> encodableFixtures();
/// Every malformed input in testdata/bad (all files but MANIFEST), sorted.
std::vector<std::string> badInputs();

/// Seconds after which runTool() kills the tool (status 124).
inline constexpr int kToolTimeoutSeconds = 300;
/// Runs the tool under test with `args` (already quoted), under `timeout`.
RunResult runTool(const std::string &args);
/// "exit N" / "signal N" plus stderr, for failure messages.
std::string describe(const RunResult &r);
/// True when the tool crashed: a signal, a sanitizer report (exit 134), or a hang.
inline bool crashed(const RunResult &r) { return r.status >= 128 || r.status == 124; }

/// Result of `encode --raw` on a private copy of a fixture.
struct Encoded {
  RunResult run;
  std::string input;   // the copy that was encoded (must be left untouched)
  std::string btfPath; // the raw output
  std::string btf;     // its bytes ("" if not written)
};
/// Copies `fixture` into `dir` and runs `encode [extraArgs] --raw OUT COPY`.
Encoded encodeRaw(const std::string &fixture, const TempDir &dir, const std::string &extraArgs = "",
                  const std::string &outName = "out.btf");

/// One type of a bpftool-format raw dump.
struct DumpMember {
  std::string name;
  uint64_t bitsOffset = 0;
  uint32_t bitfieldSize = 0; // 0: not a bitfield
};
struct DumpType {
  uint32_t id = 0;
  std::string kind;                // "STRUCT", "FUNC_PROTO", ...
  std::string name;                // "(anon)" for anonymous types
  uint64_t size = 0;               // size= if the line has one, else 0
  std::string line;                // the whole type line
  std::vector<DumpMember> members; // STRUCT/UNION member lines
};
/// Parses `bpftool btf dump file F` output (format raw).
std::vector<DumpType> parseDump(const std::string &dump);
/// Number of types of each kind.
std::map<std::string, size_t> kindCounts(const std::vector<DumpType> &types);
/// The set of (kind, name) of all named types.
std::set<std::pair<std::string, std::string>> namedTypes(const std::vector<DumpType> &types);

/// bpftool's raw dump of a BTF file (status != 0 when bpftool rejects it).
RunResult bpftoolDump(const std::string &btfPath, bool formatC = false);
/// Contents of section `name` of an ELF file; nullopt if absent or not ELF.
std::optional<std::string> elfSection(const std::string &path, const std::string &name);
/// The clang used to compile C dumps: clang-22 if installed, else clang, else "".
std::string clangForChecks();
/// Names of the files in a directory, sorted.
std::vector<std::string> listDir(const std::string &dir);

} // namespace d2b::test::e2e
