#include "dwarf2btf/lower/rust_names.h"

#include <bit>
#include <fmt/format.h>

namespace d2b::lower::rust {

namespace {

struct SipState {
  uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void compress(uint64_t m, unsigned rounds) {
    v3 ^= m;
    for (unsigned i = 0; i < rounds; ++i)
      round();
    v0 ^= m;
  }
};

// Little-endian word from up to 8 bytes, independent of the host's order.
uint64_t loadLe(const uint8_t *p, size_t n) {
  uint64_t w = 0;
  for (size_t i = 0; i < n; ++i)
    w |= uint64_t(p[i]) << (8 * i);
  return w;
}

bool isWordByte(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

} // namespace

uint64_t sipHash(unsigned cRounds, unsigned dRounds, uint64_t k0, uint64_t k1,
                 std::span<const uint8_t> bytes) {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  const size_t n = bytes.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    s.compress(loadLe(bytes.data() + i, 8), cRounds);
  // The final word carries the remaining bytes and the length's low byte.
  s.compress(loadLe(bytes.data() + i, n - i) | (uint64_t(n & 0xff) << 56), cRounds);
  s.v2 ^= 0xff;
  for (unsigned r = 0; r < dRounds; ++r)
    s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t rustDefaultHash(std::string_view bytes) {
  return sipHash(1, 3, 0, 0,
                 std::span(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
}

std::string sanitizeName(std::string_view name, size_t maxLen) {
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    const auto c = uint8_t(ch);
    if (isWordByte(c))
      out.push_back(ch);
    else
      out += fmt::format("_{:X}_", c);
  }
  // The hash suffix is "_" + up to 16 hex digits: 17 bytes at most.
  if (out.size() > maxLen && maxLen > 17) {
    const uint64_t h = rustDefaultHash(out);
    out.resize(maxLen - 17);
    out += fmt::format("_{:x}", h);
  }
  return out;
}

bool isValidIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
    return false;
  for (char c : name)
    if (!isWordByte(uint8_t(c)))
      return false;
  return true;
}

bool hasFlavorSeparator(std::string_view name) {
  const size_t pos = name.find("___");
  return pos != std::string_view::npos && pos > 0 && pos + 3 < name.size();
}

} // namespace d2b::lower::rust
