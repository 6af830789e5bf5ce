// `dwarf2btf dump` and `dwarf2btf check`: offline inspection of BTF.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <iostream>

#include "cli.h"
#include "dwarf2btf/pipeline/pipeline.h"
#include "dwarf2btf/support/po_error.h"

namespace po = boost::program_options;

namespace d2b::cli {

void printError(const std::string &msg) { std::cerr << "dwarf2btf: " << msg << "\n"; }

namespace {

struct InspectArgs {
  std::string file;
  std::string base;
  po::variables_map vm;
};

/// Parses "<cmd> FILE [options]"; returns kOk to continue, else an exit code.
int parseInspect(const std::string &cmd, const std::vector<std::string> &args,
                 po::options_description &desc, InspectArgs &out) {
  desc.add_options()("help,h", "show this help")(
      "base", po::value(&out.base),
      "base BTF for split BTF (default for /sys/kernel/btf/<module>: /sys/kernel/btf/vmlinux)");
  po::options_description hidden;
  std::vector<std::string> files;
  hidden.add_options()("file", po::value(&files));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("file", -1);
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), out.vm);
    po::notify(out.vm);
  } catch (const po::error &e) {
    printError(cmd + ": " + poErrorMessage(e));
    return kUsage;
  }
  if (out.vm.count("help")) {
    std::cout << "usage: dwarf2btf " << cmd << " FILE [options]\n\n" << desc;
    return -1;
  }
  if (files.size() != 1) {
    printError(cmd + ": expected exactly one FILE (try 'dwarf2btf " + cmd + " --help')");
    return kUsage;
  }
  out.file = files[0];
  return kOk;
}

} // namespace

int cmdDump(const std::vector<std::string> &args) {
  po::options_description desc("dump options");
  std::string format = "raw";
  desc.add_options()("format,f", po::value(&format), "raw (as bpftool btf dump) or c (a C header)");
  InspectArgs a;
  if (int rc = parseInspect("dump", args, desc, a); rc != kOk)
    return rc < 0 ? kOk : rc;
  if (format != "raw" && format != "c") {
    printError("dump: --format: expected raw or c, got '" + format + "'");
    return kUsage;
  }
  auto loaded = loadBtf(a.file, a.base);
  if (!loaded) {
    printError(loaded.error().message());
    return kFailure;
  }
  Error err = format == "raw" ? dumpRawTo(std::cout, *loaded) : dumpCTo(std::cout, *loaded);
  std::cout.flush();
  if (err) {
    printError(err.message());
    return kFailure;
  }
  return kOk;
}

int cmdCheck(const std::vector<std::string> &args) {
  po::options_description desc("check options");
  desc.add_options()("kernel", "also load the BTF into the running kernel (BPF_BTF_LOAD)");
  InspectArgs a;
  if (int rc = parseInspect("check", args, desc, a); rc != kOk)
    return rc < 0 ? kOk : rc;
  auto loaded = loadBtf(a.file, a.base);
  if (!loaded) {
    printError(loaded.error().message());
    return kFailure;
  }
  CheckReport report = checkBtf(*loaded, a.vm.count("kernel") > 0);
  for (const std::string &line : report.violations)
    std::cout << a.file << ": " << line << "\n";
  std::cout << a.file << ": " << report.summary << "\n";
  if (!report.kernelVerdict.empty())
    std::cout << a.file << ": " << report.kernelVerdict << "\n";
  if (!report.kernelLogTail.empty())
    std::cout << report.kernelLogTail;
  return report.ok ? kOk : kFailure;
}

} // namespace d2b::cli
