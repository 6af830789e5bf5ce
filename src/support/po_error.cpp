#include "dwarf2btf/support/po_error.h"

#include <map>

namespace d2b {

namespace po = boost::program_options;

namespace {

// The substitutions are protected; a derived class may name the member, and
// the pointer-to-member it yields works on any error_with_option_name.
struct SubstitutionAccess : po::error_with_option_name {
  static std::map<std::string, std::string> &of(po::error_with_option_name &e) {
    return e.*(&SubstitutionAccess::m_substitutions);
  }
};

} // namespace

std::string poErrorMessage(const po::error &e) {
  if (const auto *named = dynamic_cast<const po::error_with_option_name *>(&e)) {
    // The caught exception is not a const object; only the handler's view is.
    auto &subs = SubstitutionAccess::of(const_cast<po::error_with_option_name &>(*named));
    for (auto &[key, value] : subs) {
      std::string safe;
      for (char c : value)
        safe += c == '%' ? std::string("\xef\xbc\x85") : std::string(1, c);
      value = std::move(safe);
    }
  }
  return e.what();
}

} // namespace d2b
