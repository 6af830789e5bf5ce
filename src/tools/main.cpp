// dwarf2btf: DWARF to BTF converter and BTF inspector. Dispatches subcommands.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"

namespace {

const char *kUsageText = R"(usage: dwarf2btf <command> [options] ...

commands:
  encode [options] INPUT...   convert DWARF to BTF (in place, -o FILE, --raw FILE, --raw-dir DIR)
  pahole ARGS...              pahole drop-in (also when invoked as `pahole`)
  dump FILE [--format raw|c]  print BTF as bpftool does (raw) or as a C header
  check FILE [--kernel]       validate BTF against the kernel's rules (and load it)

  dwarf2btf <command> --help  options of a command
  dwarf2btf --version         print the version
)";

} // namespace

int main(int argc, char **argv) {
  using namespace d2b::cli;
  // Installed as a `pahole` symlink: the whole command line is pahole's.
  if (argc >= 1 && std::filesystem::path(argv[0]).filename() == "pahole")
    return cmdPahole(std::vector<std::string>(argv + 1, argv + argc));
  if (argc < 2) {
    std::fputs(kUsageText, stderr);
    return kUsage;
  }
  std::string cmd = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  if (cmd == "--version" || cmd == "-V" || cmd == "version") {
    std::printf("dwarf2btf %s\n", D2B_VERSION);
    return kOk;
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsageText, stdout);
    return kOk;
  }
  if (cmd == "encode")
    return cmdEncode(rest);
  if (cmd == "dump")
    return cmdDump(rest);
  if (cmd == "check")
    return cmdCheck(rest);
  if (cmd == "pahole")
    return cmdPahole(rest);
  printError("unknown command '" + cmd + "' (try 'dwarf2btf --help')");
  return kUsage;
}
