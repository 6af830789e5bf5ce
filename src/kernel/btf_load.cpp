#include "dwarf2btf/kernel/btf_load.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dwarf2btf/btf/btf.h"

namespace d2b::kernel {

namespace {

// The BPF_BTF_LOAD part of union bpf_attr as of Linux 6.9. Declared here
// rather than taken from <linux/bpf.h> because the installed UAPI headers
// (6.1) predate btf_log_true_size, which tells us how big the log must be.
// Older kernels accept the larger struct as long as the unknown tail is zero.
struct BtfLoadAttr {
  uint64_t btf = 0;
  uint64_t logBuf = 0;
  uint32_t btfSize = 0;
  uint32_t logSize = 0;
  uint32_t logLevel = 0;
  uint32_t logTrueSize = 0; // output, 6.4+
  uint32_t flags = 0;
  int32_t tokenFd = 0;
};
static_assert(sizeof(BtfLoadAttr) == 40);

// The kernel refuses log buffers larger than UINT_MAX >> 2.
constexpr uint32_t kMaxLogSize = UINT32_MAX >> 2;
constexpr uint32_t kInitialLogSize = 1u << 16;

int sysBtfLoad(BtfLoadAttr &attr) {
  return int(syscall(__NR_bpf, BPF_BTF_LOAD, &attr, sizeof(attr)));
}

} // namespace

KernelLoadResult loadIntoKernel(std::span<const uint8_t> rawBtf, uint32_t logLevel) {
  KernelLoadResult r;
  std::vector<char> log(logLevel ? kInitialLogSize : 0);
  for (;;) {
    BtfLoadAttr attr;
    attr.btf = reinterpret_cast<uintptr_t>(rawBtf.data());
    attr.btfSize = uint32_t(rawBtf.size());
    if (logLevel) {
      std::fill(log.begin(), log.end(), '\0');
      attr.logBuf = reinterpret_cast<uintptr_t>(log.data());
      attr.logSize = uint32_t(log.size());
      attr.logLevel = logLevel;
    }
    int fd = sysBtfLoad(attr);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0) {
      close(fd);
      r.attempted = true;
      r.accepted = true;
    } else if (err == EPERM || err == ENOSYS) {
      r.skipReason = std::string("bpf(BPF_BTF_LOAD) unavailable: ") + strerror(err);
      return r;
    } else if (err == ENOSPC && logLevel && log.size() < kMaxLogSize) {
      // The log did not fit, which fails even a valid blob: grow and retry.
      uint64_t want = std::max<uint64_t>(attr.logTrueSize, uint64_t(log.size()) * 2);
      log.resize(size_t(std::min<uint64_t>(want, kMaxLogSize)));
      continue;
    } else {
      r.attempted = true;
      r.errnoValue = err;
    }
    if (logLevel)
      r.log.assign(log.data(), strnlen(log.data(), log.size()));
    return r;
  }
}

namespace {

void put32(std::vector<uint8_t> &out, uint32_t v, std::endian order) {
  for (int i = 0; i < 4; ++i) {
    int shift = order == std::endian::little ? 8 * i : 8 * (3 - i);
    out.push_back(uint8_t(v >> shift));
  }
}

} // namespace

std::vector<uint8_t> combineSplit(const btf::Btf &split, std::endian order) {
  if (!split.base())
    return split.serialize(order);
  // Outermost base first: ids and string offsets of each level continue
  // where the previous level's end.
  std::vector<const btf::Btf *> chain;
  for (const btf::Btf *b = &split; b; b = b->base())
    chain.insert(chain.begin(), b);
  uint32_t typeLen = 0, strLen = 0;
  for (const btf::Btf *b : chain) {
    typeLen += uint32_t(b->words().size() * 4);
    strLen += b->strings().size();
  }
  std::vector<uint8_t> out;
  out.reserve(btf::kHeaderSize + typeLen + strLen);
  out.push_back(order == std::endian::little ? uint8_t(btf::kMagic & 0xff)
                                             : uint8_t(btf::kMagic >> 8));
  out.push_back(order == std::endian::little ? uint8_t(btf::kMagic >> 8)
                                             : uint8_t(btf::kMagic & 0xff));
  out.push_back(btf::kVersion);
  out.push_back(0); // flags
  put32(out, btf::kHeaderSize, order);
  put32(out, 0, order);       // type_off
  put32(out, typeLen, order); // type_len
  put32(out, typeLen, order); // str_off
  put32(out, strLen, order);  // str_len
  for (const btf::Btf *b : chain)
    for (uint32_t w : b->words())
      put32(out, w, order);
  for (const btf::Btf *b : chain) {
    const auto &s = b->strings().bytes();
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

std::string logTail(const std::string &log, size_t lines) {
  std::vector<std::string_view> kept;
  std::string_view rest(log);
  while (!rest.empty() && kept.size() < lines) {
    size_t end = rest.find_last_not_of('\n');
    if (end == std::string_view::npos)
      break;
    rest = rest.substr(0, end + 1);
    size_t start = rest.rfind('\n');
    start = start == std::string_view::npos ? 0 : start + 1;
    kept.push_back(rest.substr(start));
    rest = rest.substr(0, start);
  }
  std::string out;
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
    if (!out.empty())
      out += '\n';
    out += *it;
  }
  return out;
}

std::string describeErrno(int err) {
  constexpr int kEnotsupp = 524; // include/linux/errno.h, not in the UAPI
  if (err == kEnotsupp)
    return "ENOTSUPP (operation not supported)";
  return strerror(err);
}

} // namespace d2b::kernel
