// parseBtf(): bytes -> validated Btf in host byte order.
//
// The checks follow what libbpf does when it opens BTF (btf_parse_hdr,
// btf_parse_str_sec, btf_parse_type_sec), so anything bpftool can dump we can
// dump too, plus the reference checks every later stage relies on: each
// string offset lands inside the string data and each type id names a type.
// The header is checked first, then the strings are loaded keeping their
// offsets, then each type is cut out and byte-swapped, and last the string
// and id references are checked (ids may point forward, so that needs all
// types). Every message carries the offset of the offending bytes relative
// to the start of the BTF data, which for an ELF input is the .BTF section.
#include <cstring>

#include <fmt/format.h>

#include "dwarf2btf/btf/field_iter.h"
#include "dwarf2btf/btf/reader.h"

namespace d2b::btf {
namespace {

// libbpf's BTF_MAX_STR_OFFSET: string offsets are at most 31 bits.
constexpr uint64_t kMaxStrOffset = 0x7fffffff;

uint32_t load32(const uint8_t *p, std::endian order) {
  if (order == std::endian::little)
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
  return uint32_t(p[3]) | uint32_t(p[2]) << 8 | uint32_t(p[1]) << 16 | uint32_t(p[0]) << 24;
}

/// What the repeated entries after a type's header are called, for messages.
std::string_view itemNoun(Kind k) {
  switch (k) {
  case Kind::Struct:
  case Kind::Union:
    return "member";
  case Kind::Enum:
  case Kind::Enum64:
    return "enumerator";
  case Kind::FuncProto:
    return "parameter";
  case Kind::Datasec:
    return "variable";
  case Kind::Array:
    return "array";
  case Kind::Unkn:
  case Kind::Int:
  case Kind::Ptr:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::Var:
  case Kind::Float:
  case Kind::DeclTag:
  case Kind::TypeTag:
    return "";
  }
  return "";
}

/// Describes word `idx` of a type ("name", "member 2 name", "array element
/// type", ...) for reference errors.
std::string fieldName(const uint32_t *words, uint32_t idx, bool isString) {
  if (idx == 0)
    return "name";
  Kind k = kindOf(words);
  if (idx < 3)
    return hasSize(k) ? "size" : k == Kind::FuncProto ? "return type" : "type";
  if (k == Kind::Array)
    return idx == 3 ? "array element type" : "array index type";
  uint32_t stride = tailWords(k, 1);
  uint32_t item = stride ? (idx - 3) / stride : 0;
  return fmt::format("{} {} {}", itemNoun(k), item, isString ? "name" : "type");
}

class Parser {
public:
  Parser(std::span<const uint8_t> bytes, const Btf *base, const std::string &origin)
      : bytes_(bytes), base_(base), origin_(origin) {}

  /// Checks the header; then run() fills `btf`.
  Error parseHeader();
  std::endian order() const { return order_; }
  Error run(Btf &btf);

private:
  Error headerError(const std::string &what) const {
    return Error(fmt::format("{}: BTF header: {}", origin_, what));
  }
  Error at(uint64_t off, const std::string &what) const {
    return Error(fmt::format("{}: .BTF+{:#x}: {}", origin_, off, what));
  }
  Error typeError(uint64_t off, uint32_t id, const std::string &what) const {
    return at(off, fmt::format("type [{}]: {}", id, what));
  }

  Error loadStrings(Btf &btf);
  Error loadTypes(Btf &btf);
  Error checkReferences(const Btf &btf);

  std::span<const uint8_t> bytes_;
  const Btf *base_;
  const std::string &origin_;
  std::endian order_ = std::endian::little;
  uint32_t hdr_len_ = 0, type_off_ = 0, type_len_ = 0, str_off_ = 0, str_len_ = 0;
};

Error Parser::parseHeader() {
  if (bytes_.size() < kHeaderSize)
    return headerError(
        fmt::format("truncated: {} bytes, the header alone needs {}", bytes_.size(), kHeaderSize));
  const uint8_t *p = bytes_.data();
  if (p[0] == 0x9f && p[1] == 0xeb)
    order_ = std::endian::little;
  else if (p[0] == 0xeb && p[1] == 0x9f)
    order_ = std::endian::big;
  else
    return headerError(
        fmt::format("bad magic {:02x} {:02x} (expected eb 9f in either order)", p[0], p[1]));
  if (p[2] != kVersion)
    return headerError(fmt::format("unsupported version {}", p[2]));
  // libbpf ignores the flags byte, and so do we: it has no defined bits.
  hdr_len_ = load32(p + 4, order_);
  type_off_ = load32(p + 8, order_);
  type_len_ = load32(p + 12, order_);
  str_off_ = load32(p + 16, order_);
  str_len_ = load32(p + 20, order_);
  if (hdr_len_ < kHeaderSize)
    return headerError(fmt::format("hdr_len {} is smaller than the {} bytes of the header",
                                   hdr_len_, kHeaderSize));
  if (hdr_len_ > bytes_.size())
    return headerError(fmt::format("hdr_len {} exceeds the data size {}", hdr_len_, bytes_.size()));
  const uint64_t body = bytes_.size() - hdr_len_;
  if (uint64_t(str_off_) + str_len_ > body)
    return headerError(fmt::format("string section [{:#x}, {:#x}) extends past the end of the "
                                   "data ({:#x} bytes after the header)",
                                   str_off_, uint64_t(str_off_) + str_len_, body));
  if (uint64_t(type_off_) + type_len_ > str_off_)
    return headerError(fmt::format("type section [{:#x}, {:#x}) runs into the string section "
                                   "at {:#x}",
                                   type_off_, uint64_t(type_off_) + type_len_, str_off_));
  if (type_off_ % 4)
    return headerError(fmt::format("type section offset {:#x} is not 4-byte aligned", type_off_));
  return Error::success();
}

Error Parser::loadStrings(Btf &btf) {
  const uint64_t start = uint64_t(hdr_len_) + str_off_;
  const char *s = reinterpret_cast<const char *>(bytes_.data() + start);
  // Split BTF may add no strings at all; base BTF needs at least "".
  if (base_ && str_len_ == 0)
    return Error::success();
  if (str_len_ == 0)
    return at(start, "string section is empty (it must hold at least the empty string)");
  if (str_len_ - 1 > kMaxStrOffset)
    return at(start, fmt::format("string section of {} bytes is too large", str_len_));
  if (s[str_len_ - 1] != '\0')
    return at(start + str_len_ - 1, "string section is not NUL-terminated");
  if (!base_ && s[0] != '\0')
    return at(start, "string section does not start with the empty string");
  btf.strings().appendRaw(std::string_view(s, str_len_));
  return Error::success();
}

Error Parser::loadTypes(Btf &btf) {
  const uint64_t start = uint64_t(hdr_len_) + type_off_;
  const uint8_t *p = bytes_.data() + start;
  // The words are copied in one go and the records cut out of them in
  // place: per-type appends cost a module's run a sixth of its time when
  // the base is vmlinux.
  std::vector<uint32_t> words(type_len_ / 4);
  if (order_ != std::endian::native)
    for (size_t i = 0; i < words.size(); ++i)
      words[i] = load32(p + 4 * i, order_);
  else if (!words.empty()) // memcpy must not see an empty vector's null data()
    std::memcpy(words.data(), p, words.size() * 4);
  std::vector<uint32_t> offsets;
  offsets.reserve(type_len_ / 12); // every type has a 12-byte header
  uint32_t pos = 0;
  while (pos < type_len_) {
    const uint32_t id = btf.startId() + uint32_t(offsets.size());
    const uint64_t off = start + pos;
    const uint32_t left = type_len_ - pos;
    if (left < 12)
      return typeError(off, id,
                       fmt::format("truncated: 12 bytes of type header needed, {} left in the "
                                   "type section",
                                   left));
    const uint32_t info = words[pos / 4 + 1];
    const uint32_t kind = infoKindRaw(info);
    if (kind == 0 || kind > kMaxKind)
      return typeError(off + 4, id, fmt::format("unknown kind {}", kind));
    const uint64_t need = 12 + 4ull * tailWords(Kind(kind), infoVlen(info));
    if (need > left)
      return typeError(off, id,
                       fmt::format("truncated: {} with vlen {} needs {} bytes, {} left in the "
                                   "type section",
                                   kindName(Kind(kind)), infoVlen(info), need, left));
    offsets.push_back(pos / 4);
    pos += uint32_t(need);
  }
  btf.replaceTypes(std::move(words), std::move(offsets));
  return Error::success();
}

Error Parser::checkReferences(const Btf &btf) {
  const uint64_t start = uint64_t(hdr_len_) + type_off_;
  const uint32_t end = btf.endId();
  const uint64_t strEnd = uint64_t(btf.strings().firstOffset()) + btf.strings().size();
  for (uint32_t id = btf.startId(); id < end; ++id) {
    const uint32_t *w = btf.typeWords(id);
    // The bases below hold the offsets [0, firstOffset()) without a gap, so
    // a bound is the whole check; the messages are made only on failure.
    bool bad = false;
    forEachStrField(w, [&](const uint32_t &s) { bad |= s >= strEnd; });
    forEachTypeIdField(w, [&](const uint32_t &t) { bad |= t >= end; });
    if (!bad)
      continue;
    const uint64_t off = start + 4ull * btf.offsets()[id - btf.startId()];
    Error err;
    forEachStrField(w, [&](const uint32_t &s) {
      if (!err && !btf.validStrOffset(s))
        err = typeError(off + 4 * (&s - w), id,
                        fmt::format("{} offset {:#x} is outside the strings [0, {:#x})",
                                    fieldName(w, uint32_t(&s - w), true), s, strEnd));
    });
    if (err)
      return err;
    forEachTypeIdField(w, [&](const uint32_t &t) {
      if (!err && t >= end)
        err = typeError(off + 4 * (&t - w), id,
                        fmt::format("{} id {} does not exist (last type id is {})",
                                    fieldName(w, uint32_t(&t - w), false), t, end - 1));
    });
    if (err)
      return err;
  }
  return Error::success();
}

Error Parser::run(Btf &btf) {
  if (Error e = loadStrings(btf))
    return e;
  if (Error e = loadTypes(btf))
    return e;
  if (Error e = checkReferences(btf))
    return e;
  btf.markTypesChecked();
  return Error::success();
}

} // namespace

Expected<ParsedBtf> parseBtf(std::span<const uint8_t> bytes, const Btf *base,
                             const std::string &origin) {
  Parser parser(bytes, base, origin);
  // One named result returned on every path, so it is constructed in place:
  // moving a Btf rebuilds its string index.
  Expected<ParsedBtf> result = ParsedBtf{base ? Btf(base) : Btf(), std::endian::native};
  if (Error e = parser.parseHeader())
    result = Expected<ParsedBtf>(std::move(e));
  else if (Error e2 = parser.run(result->btf))
    result = Expected<ParsedBtf>(std::move(e2));
  else
    result->order = parser.order();
  return result;
}

} // namespace d2b::btf
