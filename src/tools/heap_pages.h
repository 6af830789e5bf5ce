#pragma once
/// The process's malloc heap on transparent huge pages, for inputs large
/// enough to gain from it. glibc (2.35 and later) can back its heap with
/// huge pages (tunable glibc.malloc.hugetlb=1), but reads its tunables only
/// when a process starts: a run on a large input starts itself again with
/// the tunable set (and the heap keeping what it frees, so that the huge
/// pages are not cleared again). On Debian's vmlinux: 40k -> 13k page
/// faults, ~13% less wall time, ~15 MB more peak memory (bench/README.md,
/// tenth round).
///
/// DWARF2BTF_HUGE_PAGES=0 turns it off, =1 applies it to any input; a
/// GLIBC_TUNABLES that already names glibc.malloc.hugetlb is left as it is.
#include <string>
#include <vector>

namespace d2b::cli {

/// Inputs of at least this many bytes in all start the process again.
inline constexpr unsigned long long kHugePageHeapInputBytes = 128ull << 20;

/// Starts the process again with the huge-page heap when `inputs` call for
/// it and it can be had; returns when it does not (small inputs, not glibc
/// 2.35+, huge pages off in the kernel, the tunable already chosen, or the
/// exec failed, which only costs the speed-up).
void preferHugePageHeap(const std::vector<std::string> &inputs);

/// Whether glibc.malloc.hugetlb is set for this process (for --report -v).
bool hugePageHeap();

} // namespace d2b::cli
