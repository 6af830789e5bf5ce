// Name rules of the kernel's BTF verifier. The kernel classifies bytes with
// its own ctype table (lib/ctype.c), which is ASCII plus Latin-1: 0xC0-0xFF
// except 0xD7 and 0xF7 are letters, 0xA0-0xFF are printable, 0x80-0x9F are
// neither. UTF-8 always has a continuation byte in 0x80-0xBF, so non-ASCII
// UTF-8 names fail, but a few raw Latin-1 bytes pass.
#include "checker.h"

namespace d2b::validate::detail {

bool kernelIsAlpha(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
    return true;
  return c >= 0xC0 && c != 0xD7 && c != 0xF7;
}

bool kernelIsAlnum(unsigned char c) { return kernelIsAlpha(c) || (c >= '0' && c <= '9'); }

bool kernelIsPrint(unsigned char c) { return (c >= 0x20 && c <= 0x7E) || c >= 0xA0; }

namespace {

bool identChar(unsigned char c, bool first, bool dotOk) {
  if (c == '_' || (c == '.' && dotOk))
    return true;
  return first ? kernelIsAlpha(c) : kernelIsAlnum(c);
}

bool identifierWithDots(std::string_view s, uint32_t maxLen, bool dotOk) {
  if (s.empty() || s.size() > maxLen)
    return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (!identChar(static_cast<unsigned char>(s[i]), i == 0, dotOk))
      return false;
  return true;
}

} // namespace

bool validIdentifier(std::string_view s, const ValidateOptions &opts) {
  return identifierWithDots(s, opts.maxNameLen, opts.relaxedNames);
}

bool validSectionName(std::string_view s, const ValidateOptions &opts) {
  if (!opts.relaxedNames)
    return identifierWithDots(s, opts.maxNameLen, true);
  if (s.empty() || s.size() > opts.maxNameLen)
    return false;
  for (char c : s)
    if (!kernelIsPrint(static_cast<unsigned char>(c)))
      return false;
  return true;
}

} // namespace d2b::validate::detail
