#pragma once
/// kfunc discovery for pahole's decl_tag_kfuncs feature: the kernel lists the
/// functions BPF programs may call in `.BTF_ids` "set8" tables
/// (include/linux/btf_ids.h). A `__BTF_ID__set8__<set>` symbol spans the
/// table {u32 cnt; u32 flags; {u32 id; u32 flags;} pairs[]}; when the table's
/// flags have BTF_SET8_KFUNCS (bit 0), every `__BTF_ID__func__<name>__<n>`
/// symbol inside its range marks <name> as a kfunc with the pair's flags.
///
///   auto k = collectKfuncs(elf, "vmlinux");   // {"bpf_obj_new_impl", 0x5}, ...
///   FuncOptions fo; fo.kfuncs = std::move(*k); // FUNC stage adds the tags
///
/// Tables written before BTF_SET8_KFUNCS existed (kernels before 6.9, e.g.
/// Debian's 6.1) have flags 0 and yield no kfuncs, exactly as with pahole.
#include <bit>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "dwarf2btf/support/expected.h"

typedef struct Elf Elf;

namespace d2b::encode {

inline constexpr uint32_t kBtfSet8Kfuncs = 1u << 0; // set8 flags: a kfunc set
inline constexpr uint32_t kKfFastcall = 1u << 12;   // kfunc flags: KF_FASTCALL
inline constexpr const char *kKfuncTag = "bpf_kfunc";
inline constexpr const char *kFastcallTag = "bpf_fastcall";

/// kfunc name -> its KF_* flags (flags of the last pair naming it).
using KfuncMap = std::map<std::string, uint32_t>;

/// A symbol inside .BTF_ids: its name, offset in the section and size.
struct BtfIdsSymbol {
  std::string name;
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// The pure core: kfuncs from the section bytes and the symbols inside it.
KfuncMap kfuncsFromBtfIds(std::span<const uint8_t> data, std::endian order,
                          std::span<const BtfIdsSymbol> symbols);

/// Reads `.BTF_ids` and the symbol table of `elf`. No `.BTF_ids` (or no
/// symbol table) is an empty map; a symbol pointing outside the section is
/// an error naming the file, the symbol and its offset.
Expected<KfuncMap> collectKfuncs(Elf *elf, const std::string &file);

} // namespace d2b::encode
