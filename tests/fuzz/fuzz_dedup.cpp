/// libFuzzer target: dedup of parsed BTF. The encoder only dedups BTF it
/// built itself, which is structurally sound; the fuzzer therefore feeds
/// dedup what the reader and the kernel-rule validator accept, and checks
/// that dedup's output still passes the validator (dedup must not break
/// valid BTF).
#include <cstddef>
#include <cstdint>
#include <span>

#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto parsed = d2b::btf::parseBtf(std::span<const uint8_t>(data, size), nullptr, "fuzz.btf");
  if (!parsed)
    return 0;
  d2b::btf::Btf &b = parsed->btf;
  if (!d2b::validate::validate(b).empty())
    return 0;
  auto st = d2b::dedup::dedup(b);
  if (!st)
    return 0;
  if (!d2b::validate::validate(b).empty())
    __builtin_trap();
  return 0;
}
