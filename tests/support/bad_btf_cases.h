#pragma once
/// Hand-built BTF blobs for the validator: each invalid case breaks one
/// kernel rule and carries the first violation the kernel reports for it
/// (the line Linux 6.18 logs, split into kernelLine + message, and errno).
/// The unit test checks validate() against these expectations; the
/// integration test loads the same blobs into the running kernel.
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"

namespace d2b::test {

struct BtfCase {
  std::string name; ///< gtest-friendly: [A-Za-z0-9_]
  std::function<btf::Btf()> build;
  // Expected first violation (invalid cases only).
  uint32_t typeId = 0;
  std::string kernelLine;
  std::string message;
  int errnoValue = 0;
  /// false: the kernel rejects without logging why (message is ours).
  bool logged = true;

  /// kernelLine + " " + message, as validate::Violation::logLine().
  std::string logLine() const;
};

/// Blobs the 6.18 verifier rejects, one rule each.
const std::vector<BtfCase> &invalidBtfCases();
/// Blobs the 6.18 verifier accepts, including ones that look wrong but are
/// accepted because of how the kernel walks types.
const std::vector<BtfCase> &validBtfCases();

/// Reads a native-endian raw .BTF blob into a standalone Btf, keeping every
/// type word and string offset (test-only; the library's reader is elsewhere).
/// Types are split the way the kernel walks them; anything the walk cannot
/// size ends up in one trailing raw chunk, which validate() reports on.
btf::Btf rawToBtf(std::span<const uint8_t> raw);

} // namespace d2b::test
