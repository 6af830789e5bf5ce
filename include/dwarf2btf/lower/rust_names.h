#pragma once
/// Rust name handling for the Rust lowering: bpf-linker's type-name
/// sanitization (so CO-RE names match what aya/bpf-linker programs carry),
/// the SipHash it uses to shorten long names, and the kernel's identifier
/// rule.
///
///   sanitizeName("Option<&u32>") == "Option_3C__26_u32_3E_"
///   isValidIdentifier("__0") == true; isValidIdentifier("0") == false
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace d2b::lower::rust {

/// The name length bpf-linker caps sanitized names at (the pre-6.1 kernel
/// limit, kept so names agree with bpf-linker on every kernel).
inline constexpr size_t kBpfLinkerMaxName = 128;

/// SipHash-c-d (Aumasson/Bernstein) of `bytes` under the 128-bit key (k0, k1).
uint64_t sipHash(unsigned cRounds, unsigned dRounds, uint64_t k0, uint64_t k1,
                 std::span<const uint8_t> bytes);

/// SipHash-1-3 with keys (0, 0): Rust's `DefaultHasher::new()` fed the bytes
/// with a single `write()`, which is what bpf-linker hashes long names with.
uint64_t rustDefaultHash(std::string_view bytes);

/// bpf-linker's sanitize_type_name: every byte outside [0-9A-Za-z_] becomes
/// `_XX_` (uppercase hex, not padded); a result longer than `maxLen` is cut
/// to `maxLen - 17` bytes followed by `_` and the lowercase, unpadded hex of
/// rustDefaultHash over the whole escaped name. Valid names come back as they
/// are.
std::string sanitizeName(std::string_view name, size_t maxLen = kBpfLinkerMaxName);

/// Whether the kernel accepts `name` as a type/member/function name:
/// `[A-Za-z_][A-Za-z0-9_]*` (the kernel also allows `.`, Rust never needs it).
bool isValidIdentifier(std::string_view name);

/// Whether a sanitized name holds `___` followed by more text, which libbpf's
/// CO-RE matching reads as a flavor suffix (`X___Y` matches `X`).
bool hasFlavorSeparator(std::string_view name);

} // namespace d2b::lower::rust
