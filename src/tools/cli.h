#pragma once
/// Shared bits of the command-line front end. Boost.Program_options lives only
/// in src/tools; the library never sees argv.
#include <string>
#include <vector>

namespace d2b::cli {

/// Exit statuses documented in the man page.
enum Exit : int { kOk = 0, kFailure = 1, kUsage = 2 };

int cmdEncode(const std::vector<std::string> &args);
int cmdDump(const std::vector<std::string> &args);
int cmdCheck(const std::vector<std::string> &args);
/// pahole drop-in (`dwarf2btf pahole ...` or argv[0] == "pahole").
int cmdPahole(const std::vector<std::string> &args);

/// Prints "dwarf2btf: <msg>" to stderr.
void printError(const std::string &msg);

} // namespace d2b::cli
