#pragma once
/// Loading BTF into the running kernel with bpf(BPF_BTF_LOAD), used as the
/// final word on whether a blob is acceptable. No libbpf: the raw syscall with
/// a log buffer that grows until the verifier's whole log fits.
///
///   std::vector<uint8_t> raw = combineSplit(btf, std::endian::native);
///   KernelLoadResult r = loadIntoKernel(raw);
///   if (!r.attempted) skip(r.skipReason);
///   else if (!r.accepted) print(logTail(r.log, 5));
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace d2b::btf {
class Btf;
}

namespace d2b::kernel {

/// The kernel's verdict on one BPF_BTF_LOAD.
struct KernelLoadResult {
  bool attempted = false; ///< false: the syscall is unavailable (see skipReason)
  bool accepted = false;  ///< the kernel returned a BTF fd (closed again)
  int errnoValue = 0;     ///< errno of the failed load (524 is the kernel's ENOTSUPP)
  std::string log;        ///< the verifier log, without the trailing NUL
  std::string skipReason; ///< why the load was not attempted
};

/// Loads `rawBtf` (a complete .BTF section in native byte order) with
/// `logLevel` (0: no log, 1: the verifier's type-by-type log). A too-small
/// log buffer makes the kernel fail the load with ENOSPC, so the buffer is
/// grown and the load retried until the log fits. EPERM/ENOSYS (no
/// privilege, no bpf syscall) yield attempted=false.
KernelLoadResult loadIntoKernel(std::span<const uint8_t> rawBtf, uint32_t logLevel = 1);

/// Serializes split BTF as one standalone blob: the base's types and strings
/// followed by the split's own. Ids and string offsets are unchanged because
/// split ids and offsets already continue after the base's. A Btf without a
/// base is serialized as is.
std::vector<uint8_t> combineSplit(const btf::Btf &split, std::endian order);

/// The last `lines` non-empty lines of a verifier log, joined with '\n'.
std::string logTail(const std::string &log, size_t lines);

/// A load's errno as text: strerror(), except for the kernel-internal
/// ENOTSUPP (524, "Unsupported encoding") that libc has no name for.
std::string describeErrno(int err);

} // namespace d2b::kernel
