#include "btf_text.h"

#include <fmt/format.h>

namespace d2b::test {

using btf::Kind;

namespace {

std::string quoted(const btf::Btf &b, uint32_t off) {
  std::string_view s = b.validStrOffset(off) ? b.str(off) : "<bad-str>";
  return fmt::format("'{}'", s.empty() ? "(anon)" : s);
}

const char *intEncodingName(uint32_t enc) {
  if (enc & btf::kIntSigned)
    return "SIGNED";
  if (enc & btf::kIntChar)
    return "CHAR";
  if (enc & btf::kIntBool)
    return "BOOL";
  return "(none)";
}

const char *linkageName(uint32_t l) {
  switch (l) {
  case 0:
    return "static";
  case 1:
    return "global";
  case 2:
    return "extern";
  }
  return "unknown";
}

} // namespace

std::string typeLine(const btf::Btf &b, uint32_t id) {
  if (id == 0)
    return "[0] VOID";
  const btf::TypeView t = b.type(id);
  const uint32_t *tail = t.tail();
  std::string out = fmt::format("[{}] {} {}", id, btf::kindName(t.kind()), quoted(b, t.nameOff()));
  auto members = [&](auto &&one, uint32_t stride) {
    out += " {";
    for (uint32_t i = 0; i < t.vlen(); ++i) {
      if (i)
        out += "; ";
      one(tail + stride * i);
    }
    out += "}";
  };
  switch (t.kind()) {
  case Kind::Int:
    out += fmt::format(" size={} bits_offset={} nr_bits={} encoding={}", t.size(),
                       btf::intOffset(tail[0]), btf::intBits(tail[0]),
                       intEncodingName(btf::intEncoding(tail[0])));
    break;
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    out += fmt::format(" type_id={}", t.type());
    break;
  case Kind::Array:
    out += fmt::format(" type_id={} index_type_id={} nr_elems={}", tail[0], tail[1], tail[2]);
    break;
  case Kind::Struct:
  case Kind::Union:
    out += fmt::format(" size={} vlen={}", t.size(), t.vlen());
    members(
        [&](const uint32_t *m) {
          out += fmt::format("{} type_id={} bits_offset={}", quoted(b, m[0]), m[1],
                             t.kflag() ? btf::memberBitOffset(m[2]) : m[2]);
          if (t.kflag() && btf::memberBitfieldSize(m[2]))
            out += fmt::format(" bitfield_size={}", btf::memberBitfieldSize(m[2]));
        },
        3);
    break;
  case Kind::Enum:
    out += fmt::format(" encoding={} size={} vlen={}", t.kflag() ? "SIGNED" : "UNSIGNED", t.size(),
                       t.vlen());
    members(
        [&](const uint32_t *m) {
          if (t.kflag())
            out += fmt::format("{} val={}", quoted(b, m[0]), int32_t(m[1]));
          else
            out += fmt::format("{} val={}", quoted(b, m[0]), m[1]);
        },
        2);
    break;
  case Kind::Enum64:
    out += fmt::format(" encoding={} size={} vlen={}", t.kflag() ? "SIGNED" : "UNSIGNED", t.size(),
                       t.vlen());
    members(
        [&](const uint32_t *m) {
          const uint64_t v = (uint64_t(m[2]) << 32) | m[1];
          if (t.kflag())
            out += fmt::format("{} val={}", quoted(b, m[0]), int64_t(v));
          else
            out += fmt::format("{} val={}", quoted(b, m[0]), v);
        },
        3);
    break;
  case Kind::Fwd:
    out += t.kflag() ? " fwd_kind=union" : " fwd_kind=struct";
    break;
  case Kind::Func:
    out += fmt::format(" type_id={} linkage={}", t.type(), linkageName(t.vlen()));
    break;
  case Kind::FuncProto:
    out += fmt::format(" ret_type_id={} vlen={}", t.type(), t.vlen());
    members([&](const uint32_t *p) { out += fmt::format("{} type_id={}", quoted(b, p[0]), p[1]); },
            2);
    break;
  case Kind::Var:
    out += fmt::format(" type_id={}, linkage={}", t.type(),
                       tail[0] == 0 ? "static" : (tail[0] == 1 ? "global" : "extern"));
    break;
  case Kind::Datasec:
    out += fmt::format(" size={} vlen={}", t.size(), t.vlen());
    members(
        [&](const uint32_t *v) {
          out += fmt::format("type_id={} offset={} size={}", v[0], v[1], v[2]);
        },
        3);
    break;
  case Kind::Float:
    out += fmt::format(" size={}", t.size());
    break;
  case Kind::DeclTag:
    out += fmt::format(" type_id={} component_idx={}", t.type(), int32_t(tail[0]));
    break;
  case Kind::Unkn:
    break;
  }
  return out;
}

std::vector<std::string> typeLines(const btf::Btf &b) {
  std::vector<std::string> out;
  out.reserve(b.ownCount());
  for (uint32_t id = b.startId(); id < b.endId(); ++id)
    out.push_back(typeLine(b, id));
  return out;
}

} // namespace d2b::test
