#pragma once
/// Offline BTF validation with the kernel verifier's rules (kernel/bpf/btf.c
/// as of Linux 6.18): header limits, the per-type "check_meta" pass, the
/// resolve pass, the modifier/type-tag chain check and (for standalone BTF)
/// the special-field check of BPF_BTF_LOAD, in the kernel's order, reporting
/// each violation with the type id and the exact text the kernel would log.
/// Cross-checked against the running kernel by
/// tests/integration/validate_kernel_test.cpp.
///
///   std::vector<Violation> v = validate(btf);
///   for (const Violation &x : v)
///     fmt::print("{}\n", x.logLine()); // "[2] STRUCT Foo<u32> size=4 vlen=1 Invalid name"
///
/// The kernel stops at its first error; validate() keeps going (unless
/// ValidateOptions::reportAll is false) but the first Violation it returns is
/// the one the kernel reports. Later ones are best effort: types that already
/// failed are not re-reported through the types that use them.
///
/// Not modelled: a "kptr"-tagged pointer to a struct that also exists in the
/// running kernel's BTF needs a destructor kfunc registered for that type,
/// which cannot be known offline.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace d2b::btf {
class Btf;
}

namespace d2b::validate {

/// Which kernel's rules to apply. Defaults are Linux 6.18's.
struct ValidateOptions {
  /// Longest accepted name (KSYM_NAME_LEN): 512 from 6.1, 128 before.
  uint32_t maxNameLen = 512;
  /// Highest known kind: 19 (ENUM64) from 6.0, 18 from 5.17, 17 from 5.16,
  /// 16 from 5.13, 15 from 5.2.
  uint8_t maxKind = 19;
  /// 6.9+: DATASEC names may hold any printable character and '.' is valid
  /// in every identifier; before, DATASEC names were identifiers that may
  /// contain '.' and other identifiers could not.
  bool relaxedNames = true;
  /// 6.15+: TYPE_TAG and DECL_TAG may have kind_flag set.
  bool tagKindFlag = true;
  /// 6.0+: ENUM may have kind_flag (signedness) set.
  bool enumKindFlag = true;
  /// Report every violation found (true) or only the first, as the kernel.
  bool reportAll = true;

  /// The rules of Linux `major`.`minor`.
  static ValidateOptions forKernel(unsigned major, unsigned minor);
};

/// One rule the kernel would reject the BTF for.
struct Violation {
  /// The type the kernel blames (the struct for member errors, the DATASEC
  /// for variable-entry errors); 0 for header-level problems.
  uint32_t typeId = 0;
  /// What the kernel prints on the same log line before the message: the
  /// type line ("[2] STRUCT Foo<u32> size=4 vlen=1"), a member line
  /// ("\tb type_id=2 bits_offset=0"), a DATASEC entry line
  /// ("\t type_id=3 offset=0 size=0"), "[2]" for structural errors, or ""
  /// for header-level messages.
  std::string kernelLine;
  /// The kernel's message, verbatim ("Invalid name").
  std::string message;
  /// For member and DATASEC entry violations, the blamed type's own line
  /// ("[3] STRUCT P size=9 vlen=2"), which the kernel prints before them;
  /// empty otherwise (kernelLine is then already the type line).
  std::string typeLine;
  /// The errno the kernel's BPF_BTF_LOAD fails with (524 is ENOTSUPP); 0
  /// for the one logged problem that does not fail the load ("Exceeded max
  /// num of types": 6.18 drops the types past id 0xffffe and accepts; it
  /// logs no line break after it, so a later message shares its line).
  int errnoValue = 0;
  /// false for the few rejections the kernel does not log (a blob over
  /// 16 MiB, misused special fields such as two bpf_spin_locks in a
  /// struct): then kernelLine is empty and the message is ours.
  bool logged = true;

  /// The complete log line: kernelLine, a space, message.
  std::string logLine() const;
};

/// Checks `btf` against the kernel's rules. For split BTF only the split's
/// own types are checked; the base is assumed valid (its resolved sizes are
/// still computed, because the split's checks depend on them).
std::vector<Violation> validate(const btf::Btf &btf, const ValidateOptions &opts = {});

/// The base side of validate() for split BTF — checking the base and
/// computing its resolved sizes — done once and shared read-only by every
/// split on that base (batch mode: hundreds of modules on one vmlinux).
class PreparedBase {
public:
  struct Impl;
  static std::shared_ptr<const PreparedBase> create(const btf::Btf &base,
                                                    const ValidateOptions &opts = {});
  ~PreparedBase();
  const btf::Btf &base() const { return *base_; }
  const Impl &impl() const { return *impl_; }

private:
  PreparedBase(const btf::Btf &base, std::unique_ptr<Impl> impl);
  const btf::Btf *base_;
  std::unique_ptr<Impl> impl_;
};

/// validate() of split BTF whose base is `prepared.base()` (and which was
/// prepared with the same `opts`): the same violations, without re-checking
/// the base.
std::vector<Violation> validate(const btf::Btf &btf, const ValidateOptions &opts,
                                const PreparedBase &prepared);

} // namespace d2b::validate
