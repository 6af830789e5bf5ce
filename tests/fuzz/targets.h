#pragma once
/// The bodies of the libFuzzer targets, shared with the regression test
/// (tests/unit/fuzz_regression_test.cpp) that replays every committed crash
/// input through exactly the code the fuzzer ran. A broken invariant traps.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>

#include "dwarf2btf/btf/field_iter.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/dump/dump_c.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "dwarf2btf/pipeline/pipeline.h"
#include "dwarf2btf/pipeline/policy_file.h"
#include "dwarf2btf/validate/validate.h"

namespace d2b::fuzz {

/// Arbitrary bytes as an ELF file through the whole encode pipeline (ELF and
/// DWARF reading, lowering, FUNC/VAR, dedup, validate, serialize). The bytes
/// go into a memfd so no disk is touched; the pipeline opens it by its
/// /proc/self/fd path like any other input.
inline int encodeOne(const uint8_t *data, size_t size) {
  int fd = memfd_create("d2b-fuzz", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0)
      break;
    done += size_t(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  PipelineOptions opts;
  // One worker: fuzzing wants deterministic, thread-free executions.
  opts.encode.jobs = 1;
  opts.encode.policy.vars = lower::Policy::VarScope::All;
  DiagEngine diag;
  auto enc = encodeFile(path, opts, diag);
  if (enc) {
    auto bytes = enc->btf.serialize(enc->order);
    (void)bytes;
  }
  close(fd);
  return 0;
}

/// Arbitrary bytes as raw BTF through the reader, the raw and C dumps and the
/// kernel-rule validator (what `dump` and `check` do), and a serialize /
/// re-parse round trip of whatever the reader accepted.
inline int btfOne(const uint8_t *data, size_t size) {
  auto parsed = btf::parseBtf(std::span<const uint8_t>(data, size), nullptr, "fuzz.btf");
  if (!parsed)
    return 0;
  const btf::Btf &b = parsed->btf;
  auto violations = validate::validate(b);
  for (const auto &v : violations)
    (void)v.logLine();
  std::ostringstream raw;
  dump::dumpRaw(b, raw);
  std::ostringstream c;
  (void)dump::dumpC(b, c);
  auto bytes = b.serialize(parsed->order);
  auto again = btf::parseBtf(bytes, nullptr, "fuzz.btf");
  if (!again)
    __builtin_trap(); // what we serialize must read back
  return 0;
}

/// Dedup of parsed BTF. The encoder only dedups BTF it built itself, which is
/// structurally sound; so dedup gets what the reader and the kernel-rule
/// validator accept, and its output must still pass the validator.
inline int dedupOne(const uint8_t *data, size_t size) {
  auto parsed = btf::parseBtf(std::span<const uint8_t>(data, size), nullptr, "fuzz.btf");
  if (!parsed)
    return 0;
  btf::Btf &b = parsed->btf;
  if (!validate::validate(b).empty())
    return 0;
  // The same types fed to IncrementalDedup piece by piece, cut wherever no
  // type refers past the cut (as encode appends units), must give the same
  // bytes (or fail too).
  btf::Btf inc;
  inc.replaceStrings(b.strings());
  dedup::IncrementalDedup d;
  bool incOk = true;
  uint32_t maxRef = 0;
  for (uint32_t id = 1; id < b.endId() && incOk; ++id) {
    const btf::TypeView t = b.type(id);
    inc.addRawType(std::span(t.w, t.wordCount()));
    btf::forEachTypeIdField(t.w, [&](const uint32_t &r) { maxRef = std::max(maxRef, r); });
    if (maxRef <= id)
      incOk = !d.advance(inc);
  }
  auto incSt = incOk ? d.finish(inc) : Expected<dedup::DedupStats>(Error("advance failed"));
  auto st = dedup::dedup(b);
  if (bool(st) != bool(incSt))
    __builtin_trap();
  if (!st)
    return 0;
  if (b.serialize(std::endian::little) != inc.serialize(std::endian::little))
    __builtin_trap();
  if (!validate::validate(b).empty())
    __builtin_trap();
  return 0;
}

/// Arbitrary text as an `encode --policy` file. Parsing must give a policy
/// or an error naming the file — never throw past the parser or crash — and
/// a lang-exclude value goes on through the language-list parser, as the
/// CLI does.
inline int policyOne(const uint8_t *data, size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  auto parsed = parsePolicyText(text, "fuzz.policy");
  if (!parsed) {
    if (parsed.error().message().rfind("fuzz.policy: ", 0) != 0)
      __builtin_trap(); // every error names the file
    return 0;
  }
  if (parsed->langExclude) {
    auto langs = parseLanguageList(*parsed->langExclude);
    (void)langs;
  }
  return 0;
}

} // namespace d2b::fuzz
