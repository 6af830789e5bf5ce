// encodeBatchInProcesses: batch mode with worker processes (see batch.h).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "dwarf2btf/pipeline/batch.h"

namespace d2b {

namespace {

// A worker's result for one input, as it travels through the pipe:
// index, flags, type count, then the error and report texts.
struct Record {
  uint32_t index = 0;
  uint8_t flags = 0; // 1: error, 2: no DWARF
  uint32_t types = 0;
  std::string error;
  std::string report;
};

void put32(std::string &out, uint32_t v) { out.append(reinterpret_cast<const char *>(&v), 4); }

std::string encodeRecord(const Record &r) {
  std::string out;
  put32(out, r.index);
  out.push_back(char(r.flags));
  put32(out, r.types);
  put32(out, uint32_t(r.error.size()));
  out += r.error;
  put32(out, uint32_t(r.report.size()));
  out += r.report;
  return out;
}

/// Parses the records in `buf` (a worker's whole output).
bool decodeRecords(const std::string &buf, std::vector<Record> &out) {
  size_t pos = 0;
  auto get32 = [&](uint32_t &v) {
    if (buf.size() - pos < 4)
      return false;
    std::memcpy(&v, buf.data() + pos, 4);
    pos += 4;
    return true;
  };
  auto getStr = [&](std::string &s) {
    uint32_t n = 0;
    if (!get32(n) || buf.size() - pos < n)
      return false;
    s.assign(buf.data() + pos, n);
    pos += n;
    return true;
  };
  while (pos < buf.size()) {
    Record r;
    if (!get32(r.index) || pos >= buf.size())
      return false;
    r.flags = uint8_t(buf[pos++]);
    if (!get32(r.types) || !getStr(r.error) || !getStr(r.report))
      return false;
    out.push_back(std::move(r));
  }
  return true;
}

bool writeAll(int fd, const std::string &data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += size_t(n);
  }
  return true;
}

[[noreturn]] void workerMain(const std::vector<BatchItem> &items,
                             const std::vector<uint32_t> &order, const PipelineOptions &opts,
                             const SharedBase &base, std::atomic<uint64_t> &next, int fd,
                             const ReportFormatter &format) {
  for (;;) {
    const uint64_t k = next.fetch_add(1);
    if (k >= items.size())
      break;
    const uint32_t i = order[k];
    BatchOutcome o = encodeBatchItem(items[i], opts, base);
    Record r;
    r.index = uint32_t(i);
    r.flags = uint8_t((o.error ? 1 : 0) | (o.noDwarf ? 2 : 0));
    r.types = o.types;
    if (o.error)
      r.error = o.error.message();
    r.report = format(*o.diag);
    if (!writeAll(fd, encodeRecord(r)))
      _exit(3);
  }
  ::close(fd);
  // Skip destructors and atexit handlers: they belong to the parent's state.
  _exit(0);
}

} // namespace

std::vector<ProcessOutcome> encodeBatchInProcesses(const std::vector<BatchItem> &items,
                                                   const PipelineOptions &opts,
                                                   const SharedBase &base, unsigned jobs,
                                                   const ReportFormatter &format) {
  std::vector<ProcessOutcome> outcomes(items.size());
  jobs = std::max(1u, std::min<unsigned>(jobs, unsigned(items.size())));
  // The work counter lives in memory every worker shares.
  void *shared = mmap(nullptr, sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    for (ProcessOutcome &o : outcomes)
      o.error = fmt::format("cannot map shared memory for the workers: {}", std::strerror(errno));
    return outcomes;
  }
  auto *next = new (shared) std::atomic<uint64_t>(0);
  // Largest inputs first: handed out in input order, one big module near the
  // end kept one worker busy while the others had nothing left to take.
  std::vector<uint32_t> order(items.size());
  std::vector<uint64_t> sizes(items.size(), 0);
  for (uint32_t i = 0; i < items.size(); ++i) {
    order[i] = i;
    struct stat st;
    if (::stat(items[i].input.c_str(), &st) == 0)
      sizes[i] = uint64_t(st.st_size);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return sizes[a] > sizes[b]; });
  struct Worker {
    pid_t pid = -1;
    int fd = -1;
    std::string data;
  };
  std::vector<Worker> workers;
  std::string startError;
  for (unsigned w = 0; w < jobs; ++w) {
    int fds[2];
    if (pipe(fds) != 0) {
      startError = fmt::format("pipe: {}", std::strerror(errno));
      break;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      startError = fmt::format("fork: {}", std::strerror(errno));
      ::close(fds[0]);
      ::close(fds[1]);
      break;
    }
    if (pid == 0) {
      ::close(fds[0]);
      for (const Worker &o : workers)
        ::close(o.fd);
      workerMain(items, order, opts, base, *next, fds[1], format);
    }
    ::close(fds[1]);
    workers.push_back({pid, fds[0], {}});
  }

  // Read every worker's pipe as data comes, so none blocks on a full pipe.
  size_t open = workers.size();
  std::vector<pollfd> pfds(workers.size());
  while (open > 0) {
    for (size_t k = 0; k < workers.size(); ++k)
      pfds[k] = pollfd{workers[k].fd, POLLIN, 0};
    if (poll(pfds.data(), pfds.size(), -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (size_t k = 0; k < workers.size(); ++k) {
      if (workers[k].fd < 0 || !(pfds[k].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char buf[65536];
      const ssize_t n = ::read(workers[k].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n > 0) {
        workers[k].data.append(buf, size_t(n));
        continue;
      }
      ::close(workers[k].fd);
      workers[k].fd = -1;
      --open;
    }
  }

  std::vector<bool> done(items.size(), false);
  std::string deaths;
  for (Worker &w : workers) {
    int status = 0;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status))
      deaths += fmt::format("{}a worker process was killed by signal {}",
                            deaths.empty() ? "" : "; ", WTERMSIG(status));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
      deaths += fmt::format("{}a worker process exited with status {}", deaths.empty() ? "" : "; ",
                            WEXITSTATUS(status));
    std::vector<Record> records;
    decodeRecords(w.data, records);
    for (Record &r : records) {
      if (r.index >= items.size())
        continue;
      ProcessOutcome &o = outcomes[r.index];
      o.error = std::move(r.error);
      o.failed = r.flags & 1;
      o.noDwarf = r.flags & 2;
      o.types = r.types;
      o.report = std::move(r.report);
      done[r.index] = true;
    }
  }
  munmap(shared, sizeof(std::atomic<uint64_t>));
  for (size_t i = 0; i < items.size(); ++i) {
    if (done[i])
      continue;
    outcomes[i].failed = true;
    outcomes[i].error = fmt::format("{}: not encoded: {}", items[i].input,
                                    !deaths.empty()       ? deaths
                                    : !startError.empty() ? startError
                                                          : "no worker reported it");
  }
  return outcomes;
}

} // namespace d2b
