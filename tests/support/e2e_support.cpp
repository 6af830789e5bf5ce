#include "e2e_support.h"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <gelf.h>
#include <libelf.h>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace d2b::test::e2e {

std::string toolPath() {
  const char *env = std::getenv("D2B_TOOL");
  return env && *env ? std::string(env) : tool();
}

std::string quote(const std::string &s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string baseName(const std::string &path) { return fs::path(path).filename().string(); }

std::string paramName(const std::string &path) {
  std::string n = baseName(path);
  for (char &c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return n;
}

namespace {
std::vector<std::string> filesIn(const std::string &dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto &e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().filename() != "MANIFEST" &&
        e.path().filename() != "EXPECTED")
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}
} // namespace

std::vector<std::string> allFixtures() { return filesIn(testdata("bin")); }
std::vector<std::string> badInputs() { return filesIn(testdata("bad")); }

std::vector<std::string> encodableFixtures() {
  std::vector<std::string> out = allFixtures();
  for (const char *dir : {"bin/rust/", "bin/lto/"})
    for (const std::string &f : listDir(testdata(dir)))
      if (f.ends_with(".o") || f.ends_with(".so"))
        out.push_back(testdata(dir + f));
  out.push_back(testdata("sample/sample.o"));
  return out;
}

RunResult runTool(const std::string &args) {
  // A hang must fail the test, not stall the suite: `timeout` exits 124.
  // Sanitizer reports exit 134 (as SIGABRT would) so that crashed() sees
  // them, unless the caller configured the sanitizers.
  std::string env;
  if (!std::getenv("ASAN_OPTIONS"))
    env += "ASAN_OPTIONS=exitcode=134 ";
  if (!std::getenv("UBSAN_OPTIONS"))
    env += "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=134 ";
  return run(env + "timeout -k 5 " + std::to_string(kToolTimeoutSeconds) + " " + quote(toolPath()) +
             " " + args);
}

std::string describe(const RunResult &r) {
  std::ostringstream os;
  if (r.status == 124)
    os << "timed out after " << kToolTimeoutSeconds << " s";
  else if (r.status >= 128)
    os << "killed by signal " << (r.status - 128)
       << (r.status == 134 ? " (or a sanitizer report)" : "");
  else
    os << "exit " << r.status;
  os << "; stderr: " << (r.err.empty() ? "(empty)" : r.err);
  return os.str();
}

Encoded encodeRaw(const std::string &fixture, const TempDir &dir, const std::string &extraArgs,
                  const std::string &outName) {
  Encoded e;
  e.input = dir.path(baseName(fixture));
  if (!fs::exists(e.input))
    fs::copy_file(fixture, e.input);
  e.btfPath = dir.path(outName);
  e.run = runTool("encode " + extraArgs + " --raw " + quote(e.btfPath) + " " + quote(e.input));
  if (fs::exists(e.btfPath))
    e.btf = readFile(e.btfPath);
  return e;
}

std::vector<DumpType> parseDump(const std::string &dump) {
  // "[12] STRUCT 'name' size=16 vlen=2" and member lines
  // "\t'a' type_id=3 bits_offset=0 bitfield_size=3".
  static const std::regex typeRe(R"(^\[(\d+)\] (\S+) '([^']*)'(.*)$)");
  static const std::regex sizeRe(R"((?:^| )size=(\d+))");
  static const std::regex memberRe(
      R"(^\t'([^']*)' type_id=\d+ bits_offset=(\d+)(?: bitfield_size=(\d+))?$)");
  std::vector<DumpType> out;
  std::istringstream in(dump);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, typeRe)) {
      DumpType t;
      t.id = static_cast<uint32_t>(std::stoul(m[1]));
      t.kind = m[2];
      t.name = m[3];
      t.line = line;
      std::string rest = m[4];
      std::smatch s;
      if (std::regex_search(rest, s, sizeRe))
        t.size = std::stoull(s[1]);
      out.push_back(std::move(t));
    } else if (!out.empty() && (out.back().kind == "STRUCT" || out.back().kind == "UNION") &&
               std::regex_match(line, m, memberRe)) {
      DumpMember mem;
      mem.name = m[1];
      mem.bitsOffset = std::stoull(m[2]);
      mem.bitfieldSize = m[3].matched ? static_cast<uint32_t>(std::stoul(m[3])) : 0;
      out.back().members.push_back(std::move(mem));
    }
  }
  return out;
}

std::map<std::string, size_t> kindCounts(const std::vector<DumpType> &types) {
  std::map<std::string, size_t> out;
  for (auto &t : types)
    ++out[t.kind];
  return out;
}

std::set<std::pair<std::string, std::string>> namedTypes(const std::vector<DumpType> &types) {
  std::set<std::pair<std::string, std::string>> out;
  for (auto &t : types)
    if (t.name != "(anon)" && !t.name.empty())
      out.emplace(t.kind, t.name);
  return out;
}

RunResult bpftoolDump(const std::string &btfPath, bool formatC) {
  return run("bpftool btf dump file " + quote(btfPath) + (formatC ? " format c" : ""));
}

std::optional<std::string> elfSection(const std::string &path, const std::string &name) {
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0)
    return std::nullopt;
  std::optional<std::string> out;
  Elf *elf = elf_begin(fd, ELF_C_READ, nullptr);
  size_t shstrndx = 0;
  if (elf && elf_kind(elf) == ELF_K_ELF && elf_getshdrstrndx(elf, &shstrndx) == 0) {
    for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr))
        continue;
      const char *n = elf_strptr(elf, shstrndx, shdr.sh_name);
      if (!n || name != n)
        continue;
      // Raw bytes, as stored: .BTF is never compressed by our writer.
      Elf_Data *data = elf_rawdata(scn, nullptr);
      out = data && data->d_buf ? std::string(static_cast<const char *>(data->d_buf), data->d_size)
                                : std::string();
      break;
    }
  }
  if (elf)
    elf_end(elf);
  close(fd);
  return out;
}

std::string clangForChecks() {
  for (const char *c : {"clang-22", "clang"})
    if (haveProgram(c))
      return c;
  return "";
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto &e : fs::directory_iterator(dir, ec))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace d2b::test::e2e
