#include "dwarf2btf/pipeline/policy_file.h"
#include "dwarf2btf/support/po_error.h"

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace d2b {

namespace {

template <class T> void take(const po::variables_map &vm, const char *key, std::optional<T> &dst) {
  if (vm.count(key))
    dst = vm[key].as<T>();
}

} // namespace

Expected<PolicyFile> parsePolicyText(const std::string &text, const std::string &origin) {
  po::options_description desc;
  // Booleans accept true/false, yes/no, on/off, 1/0 (Boost's rules).
  desc.add_options()("vars", po::value<std::string>())("lang-exclude", po::value<std::string>())(
      "clash-funcs", po::value<std::string>())("clash-vars", po::value<std::string>())(
      "funcs", po::value<bool>())("consistent-func", po::value<bool>())("float", po::value<bool>())(
      "enum64", po::value<bool>())("decl-tags", po::value<bool>())("type-tags", po::value<bool>())(
      "flatten-arrays", po::value<bool>())("rust.preset", po::value<std::string>())(
      "rust.data-enums", po::value<std::string>())(
      "rust.primitive-names", po::value<std::string>())("rust.char-name", po::value<std::string>())(
      "rust.func-names", po::value<std::string>())("rust.qualify-clashes", po::value<bool>());
  po::variables_map vm;
  try {
    std::istringstream in(text);
    po::store(po::parse_config_file(in, desc, /*allow_unregistered=*/false), vm);
  } catch (const po::error &e) {
    return Error(origin + ": " + poErrorMessage(e));
  }
  PolicyFile f;
  take(vm, "vars", f.vars);
  take(vm, "lang-exclude", f.langExclude);
  take(vm, "clash-funcs", f.clashFuncs);
  take(vm, "clash-vars", f.clashVars);
  take(vm, "funcs", f.funcs);
  take(vm, "consistent-func", f.consistentFunc);
  take(vm, "float", f.floats);
  take(vm, "enum64", f.enum64);
  take(vm, "decl-tags", f.declTags);
  take(vm, "type-tags", f.typeTags);
  take(vm, "flatten-arrays", f.flattenArrays);
  take(vm, "rust.preset", f.rustPreset);
  take(vm, "rust.data-enums", f.rustDataEnums);
  take(vm, "rust.primitive-names", f.rustPrimitiveNames);
  take(vm, "rust.char-name", f.rustCharName);
  take(vm, "rust.func-names", f.rustFuncNames);
  take(vm, "rust.qualify-clashes", f.rustQualifyClashes);
  return f;
}

Expected<PolicyFile> readPolicyFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return parsePolicyText(ss.str(), path);
}

} // namespace d2b
