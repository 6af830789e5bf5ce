// dumpRaw(): bpftool's raw format. The text is formatted with fmt into one
// memory buffer that is flushed to the stream in large blocks; per-character
// iostream output would make dumping vmlinux several times slower than
// bpftool.
#include "dwarf2btf/dump/dump_raw.h"

#include <fmt/format.h>

namespace d2b::dump {
namespace {

using btf::Btf;
using btf::Kind;

constexpr size_t kFlushAt = 1 << 16;

class RawDumper {
public:
  RawDumper(const Btf &btf, std::ostream &out) : btf_(btf), out_(out) {}

  void run() {
    for (uint32_t id = btf_.startId(); id < btf_.endId(); ++id) {
      type(id);
      if (buf_.size() >= kFlushAt)
        flush();
    }
    flush();
  }

private:
  template <class... Args> void put(fmt::format_string<Args...> f, Args &&...args) {
    fmt::format_to(fmt::appender(buf_), f, std::forward<Args>(args)...);
  }
  void flush() {
    out_.write(buf_.data(), std::streamsize(buf_.size()));
    buf_.clear();
  }

  /// bpftool's spelling of a string: "(anon)" for offset 0, "(invalid)" for an
  /// offset outside the strings.
  std::string_view str(uint32_t off) const {
    if (off == 0)
      return "(anon)";
    return btf_.validStrOffset(off) ? btf_.str(off) : std::string_view("(invalid)");
  }

  static std::string_view intEncodingName(uint32_t enc) {
    switch (enc) {
    case 0:
      return "(none)";
    case btf::kIntSigned:
      return "SIGNED";
    case btf::kIntChar:
      return "CHAR";
    case btf::kIntBool:
      return "BOOL";
    default:
      return "UNKN";
    }
  }
  static std::string_view linkageName(uint32_t l) {
    switch (l) {
    case 0:
      return "static";
    case 1:
      return "global";
    case 2:
      return "extern";
    default:
      return "(unknown)";
    }
  }

  void type(uint32_t id);

  const Btf &btf_;
  std::ostream &out_;
  fmt::memory_buffer buf_;
};

void RawDumper::type(uint32_t id) {
  const uint32_t *w = btf_.typeWords(id);
  const uint32_t info = w[1];
  const Kind kind = Kind(btf::infoKindRaw(info));
  const uint32_t vlen = btf::infoVlen(info);
  const bool kflag = btf::infoKflag(info);
  const uint32_t *tail = w + 3;
  put("[{}] {} '{}'", id, btf::kindName(kind), str(w[0]));
  switch (kind) {
  case Kind::Int:
    put(" size={} bits_offset={} nr_bits={} encoding={}", w[2], btf::intOffset(tail[0]),
        btf::intBits(tail[0]), intEncodingName(btf::intEncoding(tail[0])));
    break;
  case Kind::Ptr:
  case Kind::Const:
  case Kind::Volatile:
  case Kind::Restrict:
  case Kind::Typedef:
  case Kind::TypeTag:
    put(" type_id={}", w[2]);
    break;
  case Kind::Array:
    put(" type_id={} index_type_id={} nr_elems={}", tail[0], tail[1], tail[2]);
    break;
  case Kind::Struct:
  case Kind::Union:
    put(" size={} vlen={}", w[2], vlen);
    for (uint32_t i = 0; i < vlen; ++i) {
      const uint32_t *m = tail + 3 * i;
      const uint32_t bitOff = kflag ? btf::memberBitOffset(m[2]) : m[2];
      const uint32_t bitSize = kflag ? btf::memberBitfieldSize(m[2]) : 0;
      put("\n\t'{}' type_id={} bits_offset={}", str(m[0]), m[1], bitOff);
      if (bitSize)
        put(" bitfield_size={}", bitSize);
    }
    break;
  case Kind::Enum:
    put(" encoding={} size={} vlen={}", kflag ? "SIGNED" : "UNSIGNED", w[2], vlen);
    for (uint32_t i = 0; i < vlen; ++i) {
      const uint32_t *e = tail + 2 * i;
      if (kflag)
        put("\n\t'{}' val={}", str(e[0]), int32_t(e[1]));
      else
        put("\n\t'{}' val={}", str(e[0]), e[1]);
    }
    break;
  case Kind::Enum64:
    put(" encoding={} size={} vlen={}", kflag ? "SIGNED" : "UNSIGNED", w[2], vlen);
    for (uint32_t i = 0; i < vlen; ++i) {
      const uint32_t *e = tail + 3 * i;
      const uint64_t v = uint64_t(e[2]) << 32 | e[1];
      if (kflag)
        put("\n\t'{}' val={}LL", str(e[0]), int64_t(v));
      else
        put("\n\t'{}' val={}ULL", str(e[0]), v);
    }
    break;
  case Kind::Fwd:
    put(" fwd_kind={}", kflag ? "union" : "struct");
    break;
  case Kind::Func:
    put(" type_id={} linkage={}", w[2], linkageName(vlen));
    break;
  case Kind::FuncProto:
    put(" ret_type_id={} vlen={}", w[2], vlen);
    for (uint32_t i = 0; i < vlen; ++i)
      put("\n\t'{}' type_id={}", str(tail[2 * i]), tail[2 * i + 1]);
    break;
  case Kind::Var:
    put(" type_id={}, linkage={}", w[2], linkageName(tail[0]));
    break;
  case Kind::Datasec:
    put(" size={} vlen={}", w[2], vlen);
    for (uint32_t i = 0; i < vlen; ++i) {
      const uint32_t *v = tail + 3 * i;
      put("\n\ttype_id={} offset={} size={}", v[0], v[1], v[2]);
      // bpftool names the variable when the id exists; id 0 is void.
      if (v[0] == 0)
        put(" (UNKNOWN '(anon)')");
      else if (v[0] < btf_.endId())
        put(" ({} '{}')", btf::kindName(btf_.type(v[0]).kind()), str(btf_.type(v[0]).nameOff()));
    }
    break;
  case Kind::Float:
    put(" size={}", w[2]);
    break;
  case Kind::DeclTag:
    put(" type_id={} component_idx={}", w[2], int32_t(tail[0]));
    break;
  case Kind::Unkn:
    break;
  }
  buf_.push_back('\n');
}

} // namespace

void dumpRaw(const Btf &btf, std::ostream &out) { RawDumper(btf, out).run(); }

} // namespace d2b::dump
