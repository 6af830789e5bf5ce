#pragma once
/// Per-architecture facts about how integer arguments are passed, used to
/// tell whether a function's DWARF parameter locations still follow the ABI
/// (so that BPF fentry/kprobe programs read the right registers).
///
///   CallAbi abi = callAbiFor(EM_X86_64, 8);
///   abi.paramRegs[0] == 5; // %rdi
#include <array>
#include <cstdint>

namespace d2b::encode {

/// How the first integer arguments are passed on one architecture.
struct CallAbi {
  /// Number of argument registers; 0 means "unknown architecture": no
  /// location checks are made.
  uint8_t registerParams = 0;
  /// DWARF register number of argument register i, -1 if unknown.
  std::array<int8_t, 8> paramRegs{-1, -1, -1, -1, -1, -1, -1, -1};
  /// Aggregates up to two words travel in two registers (all but s390).
  bool aggregatesUseTwoRegs = true;
  /// Pointer size in bytes.
  uint8_t addressSize = 8;
};

/// The ABI for `machine` (an EM_* value) with `addressSize`-byte pointers.
CallAbi callAbiFor(uint16_t machine, uint8_t addressSize);

} // namespace d2b::encode
