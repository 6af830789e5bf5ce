/// libFuzzer target: arbitrary bytes as raw BTF through the reader, the raw
/// and C dumps and the kernel-rule validator (what `dump` and `check` do),
/// and a serialize/re-parse round trip of whatever the reader accepted.
#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>

#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_c.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "dwarf2btf/validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto parsed = d2b::btf::parseBtf(std::span<const uint8_t>(data, size), nullptr, "fuzz.btf");
  if (!parsed)
    return 0;
  const d2b::btf::Btf &b = parsed->btf;
  auto violations = d2b::validate::validate(b);
  for (const auto &v : violations)
    (void)v.logLine();
  std::ostringstream raw;
  d2b::dump::dumpRaw(b, raw);
  std::ostringstream c;
  (void)d2b::dump::dumpC(b, c);
  auto bytes = b.serialize(parsed->order);
  auto again = d2b::btf::parseBtf(bytes, nullptr, "fuzz.btf");
  if (!again)
    __builtin_trap(); // what we serialize must read back
  return 0;
}
