#pragma once
/// The stages chained: ELF/DWARF → types (encode/encoder.h) → FUNC/VAR
/// selection → dedup → validate → write; and the inspection paths (load,
/// dump, check). The CLI is a thin layer over these functions.
///
///   DiagEngine diag;
///   Expected<EncodedBtf> r = encodeFile("vmlinux", opts, diag);
///   if (r) writeElf("vmlinux", "vmlinux", *r);
#include <bit>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/encode/encoder.h"
#include "dwarf2btf/encode/functions.h"
#include "dwarf2btf/encode/type_clashes.h"
#include "dwarf2btf/encode/variables.h"
#include "dwarf2btf/support/diag.h"
#include "dwarf2btf/support/expected.h"
#include "dwarf2btf/support/phase_times.h"
#include "dwarf2btf/validate/validate.h"

namespace d2b {

struct PipelineOptions {
  encode::EncodeOptions encode; // jobs and the lowering policy
  std::string basePath;         // split BTF against this base when not empty
  bool dedup = true;
  /// Deduplicate while the units are merged (dedup::IncrementalDedup) when
  /// there is no base; the output is the same either way.
  bool incrementalDedup = true;
  /// Leave out function records without an ELF function as units are
  /// lowered (EncodeOptions::matchFunctionSymbols); the output is the same.
  bool matchFunctionSymbols = true;
  bool validate = true; // refuse to write BTF the kernel's rules reject
  bool verbose = false; // per-case notes (e.g. pahole-style skip lines)
  /// DECL_TAG "bpf_kfunc" (and "bpf_fastcall") on the kfuncs listed in the
  /// input's .BTF_ids set8 ranges (pahole's decl_tag_kfuncs).
  bool kfuncTags = false;
  /// With a base: also distil it (btf/distill.h); writeElf then writes the
  /// split BTF as .BTF and the distilled base as .BTF.base (pahole's
  /// distilled_base). Ignored without a base.
  bool distilledBase = false;
};

/// Final BTF of an input, with the base it is split against (if any).
struct EncodedBtf {
  std::shared_ptr<const btf::Btf> base; // keeps the base alive; btf points into it
  btf::Btf btf;
  /// `base` is a distilled base, written as .BTF.base beside .BTF.
  bool distilled = false;
  std::endian order = std::endian::little;
  encode::EncodeStats types;
  encode::FunctionStats funcs;
  encode::VariableStats vars;
  dedup::DedupStats dedup;
  /// Where the time went (encode --report -v prints it).
  PhaseTimes phases;
  encode::TypeClashStats typeClashes; // after dedup only
};

/// BTF read from a file (ELF .BTF, raw, /sys/kernel/btf/*), with its base.
struct LoadedBtf {
  std::unique_ptr<btf::Btf> base;
  std::unique_ptr<btf::Btf> btf;
  std::endian order = std::endian::little;
};

Expected<EncodedBtf> encodeFile(const std::string &input, const PipelineOptions &opts,
                                DiagEngine &diag);
/// A base read once and shared read-only by many encodeFileWithBase calls
/// (batch mode), with its dedup index built once.
struct SharedBase {
  std::shared_ptr<const btf::Btf> btf;                    // null: no base
  std::shared_ptr<const dedup::PreparedBase> dedup;       // null: indexed per input
  std::shared_ptr<const validate::PreparedBase> validate; // null: checked per input
};
/// Reads base BTF (ELF .BTF, raw, /sys/kernel/btf/vmlinux) and indexes it.
Expected<SharedBase> prepareBase(const std::string &path);
/// encodeFile against an already-read base (opts.basePath is ignored).
/// Safe to call concurrently with one SharedBase.
Expected<EncodedBtf> encodeFileWithBase(const std::string &input, const PipelineOptions &opts,
                                        const SharedBase &base, DiagEngine &diag);
/// Writes `output` as `input` with its .BTF section (and, for distilled BTF,
/// its .BTF.base section) replaced or added.
Error writeElf(const std::string &input, const std::string &output, const EncodedBtf &enc);
/// Writes the raw .BTF bytes to `path` (temporary file + rename); a distilled
/// base is not written (as pahole's detached mode).
/// `durable`: see FileAttributes::durable (batch --raw-dir syncs once at the end).
Error writeRaw(const std::string &path, const EncodedBtf &enc, bool durable = true);
/// Counts per rule (and, verbose, every diagnostic), for `encode --report`.
/// Prints one "timing:" line per phase (wall and CPU seconds), for --report -v.
void printPhases(std::ostream &out, const PhaseTimes &t);
void printReport(std::ostream &out, const DiagEngine &diag, bool verbose);
/// "c,rust" → DW_LANG codes (each name covers the language's variants).
Expected<std::vector<int>> parseLanguageList(const std::string &list);

/// Loads BTF from `path`; `basePath` (or, for /sys/kernel/btf/<module>,
/// /sys/kernel/btf/vmlinux) is read as the base of split BTF.
Expected<LoadedBtf> loadBtf(const std::string &path, const std::string &basePath);
Error dumpRawTo(std::ostream &out, const LoadedBtf &b);
Error dumpCTo(std::ostream &out, const LoadedBtf &b);

struct CheckReport {
  bool ok = true;
  std::vector<std::string> violations; // kernel-style log lines
  std::string summary;
  std::string kernelVerdict; // empty without --kernel
  std::string kernelLogTail;
};
CheckReport checkBtf(const LoadedBtf &b, bool kernel);

} // namespace d2b
