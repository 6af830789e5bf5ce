#pragma once
// A libdw handle on a file for tests that read DWARF directly.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <elfutils/libdw.h>

namespace d2b::test {

/// dwarf_begin on `path` (dw is null when the file or its DWARF cannot be
/// opened); closed on destruction.
struct OpenedDwarf {
  int fd = -1;
  Dwarf *dw = nullptr;
  explicit OpenedDwarf(const std::string &path) {
    fd = open(path.c_str(), O_RDONLY);
    if (fd >= 0)
      dw = dwarf_begin(fd, DWARF_C_READ);
  }
  ~OpenedDwarf() {
    if (dw)
      dwarf_end(dw);
    if (fd >= 0)
      close(fd);
  }
  OpenedDwarf(const OpenedDwarf &) = delete;
  OpenedDwarf &operator=(const OpenedDwarf &) = delete;
};

} // namespace d2b::test
