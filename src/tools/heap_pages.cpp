#include "heap_pages.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gnu/libc-version.h>
#include <iterator>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace d2b::cli {

namespace {

constexpr std::string_view kTunable = "glibc.malloc.hugetlb";

bool glibcHasTunable() {
  unsigned major = 0, minor = 0;
  return std::sscanf(gnu_get_libc_version(), "%u.%u", &major, &minor) == 2 &&
         (major > 2 || (major == 2 && minor >= 35));
}

// "always [madvise] never": glibc asks with madvise, so anything but never.
bool kernelHasHugePages() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  return std::getline(f, line) && line.find("[never]") == std::string::npos;
}

unsigned long long inputBytes(const std::vector<std::string> &inputs) {
  unsigned long long total = 0;
  for (const std::string &in : inputs) {
    struct stat st;
    if (::stat(in.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total += static_cast<unsigned long long>(st.st_size);
  }
  return total;
}

// This process's argv as the kernel keeps it.
std::vector<std::string> ownArgs() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t i = 0; i < all.size();) {
    const size_t end = all.find('\0', i);
    args.push_back(all.substr(i, end == std::string::npos ? std::string::npos : end - i));
    if (end == std::string::npos)
      break;
    i = end + 1;
  }
  return args;
}

} // namespace

bool hugePageHeap() {
  const char *t = std::getenv("GLIBC_TUNABLES");
  return t && std::strstr(t, "glibc.malloc.hugetlb=1") && glibcHasTunable();
}

void preferHugePageHeap(const std::vector<std::string> &inputs) {
  const char *mode = std::getenv("DWARF2BTF_HUGE_PAGES");
  if (mode && std::string_view(mode) == "0")
    return;
  const char *tunables = std::getenv("GLIBC_TUNABLES");
  // Set already: by the user, or by this function before the exec.
  if (tunables && std::string_view(tunables).find(kTunable) != std::string_view::npos)
    return;
  const bool forced = mode && std::string_view(mode) == "1";
  if (!forced && inputBytes(inputs) < kHugePageHeapInputBytes)
    return;
  if (!glibcHasTunable() || !kernelHasHugePages())
    return;
  std::vector<std::string> args = ownArgs();
  if (args.empty())
    return;
  // With huge pages, memory given back to the kernel costs a 2 MB page
  // cleared when it is touched again: the heap keeps what it frees (up to
  // 256 MB) and serves blocks of up to 16 MB itself. On vmlinux: 21.9k ->
  // 13.3k page faults, -5% wall, +10 MB peak RSS. A worker thread's arena
  // gets huge pages only as far as its first size (the request plus the top
  // pad; growing past it maps 4 KB pages): a 64 MB pad, the most such an
  // arena holds, covers a worker's peak. -j2 on vmlinux: 14.4-15.2k ->
  // 7.8-8.1k page faults, ~4% less wall, same peak RSS. A setting the user
  // made stays.
  std::string value = tunables ? std::string(tunables) : std::string();
  for (std::string_view t :
       {"glibc.malloc.trim_threshold=268435456", "glibc.malloc.mmap_threshold=16777216",
        "glibc.malloc.top_pad=67108864", "glibc.malloc.hugetlb=1"}) {
    if (value.find(t.substr(0, t.find('=') + 1)) != std::string::npos)
      continue;
    if (!value.empty())
      value += ':';
    value += t;
  }
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0)
    return;
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv("/proc/self/exe", argv.data());
  // Still here: go on with the ordinary heap. The variable stays set, which
  // also keeps this from being tried again.
}

} // namespace d2b::cli
