// The text of the kernel's BTF verifier log lines. Every piece the kernel
// prints goes through one vscnprintf into a 1024-byte buffer, so each piece
// is cut at 1023 bytes; long (Rust) names make that visible.
#include <fmt/format.h>

#include "checker.h"

namespace d2b::validate::detail {

namespace {

constexpr size_t kLogPieceMax = 1023;

std::string clip(std::string s) {
  if (s.size() > kLogPieceMax)
    s.resize(kLogPieceMax);
  return s;
}

std::string_view intEncodingName(uint32_t encoding) {
  switch (encoding) {
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

} // namespace

std::string Checker::typeLine(const uint32_t *t, bool details) const {
  std::string line = clip(fmt::format("[{}] {} {}{}", logTypeId_, btf::kindName(kindOf(t)),
                                      displayName(t[0]), details ? " " : ""));
  if (details)
    line += kindDetails(t);
  return line;
}

std::string Checker::kindDetails(const uint32_t *t) const {
  const uint32_t *tail = tailOf(t);
  switch (kindOf(t)) {
  case btf::Kind::Int:
    return clip(fmt::format("size={} bits_offset={} nr_bits={} encoding={}", t[2],
                            btf::intOffset(tail[0]), btf::intBits(tail[0]),
                            intEncodingName(btf::intEncoding(tail[0]))));
  case btf::Kind::Ptr:
  case btf::Kind::Typedef:
  case btf::Kind::Volatile:
  case btf::Kind::Const:
  case btf::Kind::Restrict:
  case btf::Kind::TypeTag:
  case btf::Kind::Func:
    return fmt::format("type_id={}", t[2]);
  case btf::Kind::Fwd:
    return kflagOf(t) ? "union" : "struct";
  case btf::Kind::Array:
    return fmt::format("type_id={} index_type_id={} nr_elems={}", tail[0], tail[1], tail[2]);
  case btf::Kind::Struct:
  case btf::Kind::Union:
  case btf::Kind::Enum:
  case btf::Kind::Enum64:
  case btf::Kind::Datasec:
    return fmt::format("size={} vlen={}", t[2], vlenOf(t));
  case btf::Kind::FuncProto: {
    // Printed piecewise: "return=R args=(" then each argument, then ")".
    const uint32_t n = vlenOf(t);
    std::string s = fmt::format("return={} args=(", t[2]);
    auto arg = [&](uint32_t i) { return tail + 2 * i; };
    if (n == 0) {
      s += "void";
    } else if (n == 1 && arg(0)[1] == 0) {
      s += "vararg";
    } else {
      s += clip(fmt::format("{} {}", arg(0)[1], displayName(arg(0)[0])));
      for (uint32_t i = 1; i + 1 < n; ++i)
        s += clip(fmt::format(", {} {}", arg(i)[1], displayName(arg(i)[0])));
      if (n > 1) {
        const uint32_t *last = arg(n - 1);
        s += last[1] ? clip(fmt::format(", {} {}", last[1], displayName(last[0]))) : ", vararg";
      }
    }
    return s + ")";
  }
  case btf::Kind::Var:
    return fmt::format("type_id={} linkage={}", t[2], tail[0]);
  case btf::Kind::Float:
    return fmt::format("size={}", t[2]);
  case btf::Kind::DeclTag:
    return fmt::format("type={} component_idx={}", t[2], int32_t(tail[0]));
  case btf::Kind::Unkn:
    return "";
  }
  return "";
}

std::string Checker::memberLine(const uint32_t *st, const MemberRef &m) const {
  if (kflagOf(st))
    return clip(fmt::format("\t{} type_id={} bitfield_size={} bits_offset={}",
                            displayName(m.nameOff), m.type, btf::memberBitfieldSize(m.offset),
                            btf::memberBitOffset(m.offset)));
  return clip(
      fmt::format("\t{} type_id={} bits_offset={}", displayName(m.nameOff), m.type, m.offset));
}

std::string Checker::vsiLine(const uint32_t *vsi) const {
  return fmt::format("\t type_id={} offset={} size={}", vsi[0], vsi[1], vsi[2]);
}

int Checker::fail(std::string kernelLine, std::string message, int err, std::string context) {
  if (out_)
    out_->push_back(
        Violation{logTypeId_, std::move(kernelLine), std::move(message), std::move(context), err});
  return err ? -err : -EINVAL;
}

int Checker::failUnlogged(std::string message, int err) {
  if (out_)
    out_->push_back(Violation{logTypeId_, "", std::move(message), "", err, false});
  return -err;
}

} // namespace d2b::validate::detail
