#pragma once
/// Errors as values. Library code returns Expected<T> (or Error for void) and
/// never throws across a module boundary; main() turns an Error into a
/// one-line diagnostic and exit status 1.
///
///   Expected<ElfFile> f = ElfFile::open(path);
///   if (!f) return f.error();
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace d2b {

/// A failure with a complete, located, human-readable message
/// ("file: .debug_info+0x1a2b: DW_TAG_member: bad DW_AT_data_member_location").
class Error {
public:
  Error() = default;
  explicit Error(std::string message) : message_(std::move(message)), failed_(true) {}
  static Error success() { return Error(); }
  explicit operator bool() const { return failed_; }
  const std::string &message() const { return message_; }
  /// Prefixes context (usually the file name) to the message.
  Error withContext(const std::string &ctx) const {
    return failed_ ? Error(ctx + ": " + message_) : Error();
  }

private:
  std::string message_;
  bool failed_ = false;
};

template <class T> class [[nodiscard]] Expected {
public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error err) : v_(std::move(err)) { assert(std::get<Error>(v_)); }
  explicit operator bool() const { return v_.index() == 0; }
  T &operator*() & { return std::get<0>(v_); }
  T &&operator*() && { return std::get<0>(std::move(v_)); }
  const T &operator*() const & { return std::get<0>(v_); }
  T *operator->() { return &std::get<0>(v_); }
  const T *operator->() const { return &std::get<0>(v_); }
  const Error &error() const { return std::get<1>(v_); }
  Error takeError() { return v_.index() == 0 ? Error() : std::get<1>(v_); }

private:
  std::variant<T, Error> v_;
};

} // namespace d2b
