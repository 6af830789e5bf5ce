#include "dwarf2btf/encode/call_abi.h"

#include <elf.h>
#include <initializer_list>

namespace d2b::encode {

namespace {

CallAbi make(std::initializer_list<int8_t> regs, uint8_t addressSize, bool twoRegs = true) {
  CallAbi abi;
  abi.registerParams = uint8_t(regs.size());
  uint8_t i = 0;
  for (int8_t r : regs)
    abi.paramRegs[i++] = r;
  abi.aggregatesUseTwoRegs = twoRegs;
  abi.addressSize = addressSize;
  return abi;
}

} // namespace

// x86_64, arm64 and s390 follow pahole's arch__set_register_params. pahole
// also claims 8 register parameters for ARM, MIPS, PowerPC and RISC-V (and
// 6 for SPARC) without knowing which registers they are; with clang objects
// that marks every register location as unexpected. We give those
// architectures their psABI registers instead (DWARF numbers equal the
// general-purpose register numbers on all of them), 32-bit ARM and MIPS o32
// only four (further arguments go on the stack), and add LoongArch. The
// tables are checked against clang's output in call_abi_test.
CallAbi callAbiFor(uint16_t machine, uint8_t addressSize) {
  switch (machine) {
  case EM_X86_64:
    return make({5, 4, 1, 2, 8, 9}, addressSize); // rdi rsi rdx rcx r8 r9
  case EM_AARCH64:
    return make({0, 1, 2, 3, 4, 5, 6, 7}, addressSize); // x0-x7
  case EM_ARM:
    return make({0, 1, 2, 3}, addressSize); // r0-r3
  case EM_S390:
    return make({2, 3, 4, 5, 6}, addressSize, false); // r2-r6
  case EM_RISCV:
    return make({10, 11, 12, 13, 14, 15, 16, 17}, addressSize); // a0-a7 = x10-x17
  case EM_PPC:
  case EM_PPC64:
    return make({3, 4, 5, 6, 7, 8, 9, 10}, addressSize); // r3-r10
  case EM_LOONGARCH:
    return make({4, 5, 6, 7, 8, 9, 10, 11}, addressSize); // a0-a7 = r4-r11
  case EM_SPARC:
  case EM_SPARCV9:
    // Six argument registers, but which DWARF register holds an argument
    // depends on whether the function has executed `save` (%o0 becomes
    // %i0): count them, as pahole does, without checking them.
    return make({-1, -1, -1, -1, -1, -1}, addressSize);
  case EM_MIPS:
    // o32 passes four arguments in $a0-$a3, n32/n64 eight in $a0-$a7 ($4-$11).
    if (addressSize == 4)
      return make({4, 5, 6, 7}, addressSize);
    return make({4, 5, 6, 7, 8, 9, 10, 11}, addressSize);
  default:
    break;
  }
  CallAbi unknown;
  unknown.addressSize = addressSize;
  return unknown;
}

} // namespace d2b::encode
