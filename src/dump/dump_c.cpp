// dumpC(): the order of C definitions.
//
// Each top-level declaration (named struct/union/enum, typedef, forward
// declaration, and anonymous enums nobody refers to) is defined once, in id
// order, and before it is written everything it depends on is written first:
//
//  * a type used by value (a member, an array element, a typedef used by
//    value) must be complete, so its definition comes first;
//  * a type behind a pointer, or in a function prototype, only needs to be
//    declared. Naming "struct foo" in a member or typedef declares it at file
//    scope by itself; only inside a prototype's parameter list would that
//    declaration be local to the prototype, so there a struct/union not yet
//    defined gets a forward declaration ("struct foo;") first;
//  * enums have no forward declarations in C, so they are always defined
//    before use; they depend on nothing;
//  * anonymous structs and unions are written inline, so their members'
//    needs become the needs of whoever contains them.
//
// A struct met again by value while its own definition is being prepared
// contains itself and cannot be written; met behind a pointer it is fine, as
// naming it declares it. The whole text is built in memory and written only
// on success.
#include "dwarf2btf/dump/dump_c.h"

#include <unordered_set>

#include <fmt/format.h>

#include "c_model.h"
#include "c_writer.h"

namespace d2b::dump {
namespace {

using namespace c;

constexpr uint32_t kMaxDepth = 2000;

class Emitter {
public:
  Emitter(Model &m, fmt::memory_buffer &out) : m_(m), w_(m, out), out_(out) {
    state_.assign(m.btf().endId(), State::None);
  }

  Error run();

private:
  enum class State : uint8_t { None, Emitting, Done };

  void need(uint32_t id, bool complete, bool inPrototype = false);
  void define(uint32_t id);
  void declare(uint32_t id);
  void fail(std::string msg) {
    if (!err_)
      err_ = Error(std::move(msg));
  }
  std::string describe(uint32_t id) const {
    return fmt::format("[{}] {} '{}'", id, btf::kindName(m_.kindOf(id)), m_.btf().name(id));
  }

  Model &m_;
  Writer w_;
  fmt::memory_buffer &out_;
  std::vector<State> state_;
  std::unordered_set<std::string_view> declared_; // tags with a declaration or definition out
  uint32_t depth_ = 0;
  Error err_;
};

void Emitter::need(uint32_t id, bool complete, bool inPrototype) {
  if (++depth_ > kMaxDepth) {
    fail(fmt::format("type {} is nested more than {} levels deep", describe(id), kMaxDepth));
    --depth_;
    return;
  }
  for (uint32_t guard = 0; id && !err_ && guard <= m_.btf().endId(); ++guard) {
    const btf::TypeView t = m_.btf().type(id);
    const Kind k = t.kind();
    switch (k) {
    case Kind::Ptr:
      complete = false;
      id = t.type();
      continue;
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::TypeTag:
      id = t.type();
      continue;
    case Kind::Array: // C wants complete element types even behind a pointer
      complete = true;
      id = t.tail()[0];
      continue;
    case Kind::FuncProto:
      need(t.type(), false, inPrototype);
      for (uint32_t i = 0; i < t.vlen(); ++i)
        need(t.tail()[2 * i + 1], false, true);
      break;
    case Kind::Typedef:
      if (m_.isBuiltinTypedef(id))
        break;
      define(id);
      if (complete) { // the typedef is declared; what it names must be complete too
        id = t.type();
        continue;
      }
      break;
    case Kind::Struct:
    case Kind::Union:
      if (m_.isAnonAggregate(id)) {
        for (uint32_t i = 0; i < t.vlen(); ++i)
          need(t.tail()[3 * i + 1], true, inPrototype);
      } else if (complete) {
        define(id);
      } else if (inPrototype) {
        declare(id);
      }
      break;
    case Kind::Enum:
    case Kind::Enum64:
      if (!m_.tagName(id).empty())
        define(id);
      break;
    case Kind::Fwd:
      if (complete)
        fail(fmt::format("type {} is used by value but only declared, C needs its definition",
                         describe(id)));
      else if (inPrototype)
        declare(id);
      break;
    case Kind::Unkn:
    case Kind::Int:
    case Kind::Float:
    case Kind::Func:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
      break;
    }
    break;
  }
  --depth_;
}

void Emitter::define(uint32_t id) {
  if (err_ || state_[id] == State::Done)
    return;
  const btf::TypeView t = m_.btf().type(id);
  const Kind k = t.kind();
  if (state_[id] == State::Emitting) {
    fail(k == Kind::Typedef ? fmt::format("type {} refers to itself", describe(id))
                            : fmt::format("type {} contains itself by value", describe(id)));
    return;
  }
  state_[id] = State::Emitting;
  if (k == Kind::Struct || k == Kind::Union) {
    for (uint32_t i = 0; i < t.vlen(); ++i)
      need(t.tail()[3 * i + 1], true);
  } else if (k == Kind::Typedef) {
    need(t.type(), false);
  }
  if (err_)
    return;
  switch (k) {
  case Kind::Struct:
  case Kind::Union:
    w_.aggregate(id, 0);
    declared_.insert(m_.tagName(id));
    break;
  case Kind::Enum:
  case Kind::Enum64:
    w_.enumeration(id, 0);
    break;
  case Kind::Typedef:
    out_.append(std::string_view("typedef "));
    w_.declaration(t.type(), m_.typedefName(id), 0);
    break;
  case Kind::Unkn:
  case Kind::Int:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Fwd:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::FuncProto:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::Float:
  case Kind::DeclTag:
  case Kind::TypeTag:
    break;
  }
  out_.append(std::string_view(";\n\n"));
  state_[id] = State::Done;
}

void Emitter::declare(uint32_t id) {
  const std::string_view tag = m_.tagName(id);
  if (state_[id] == State::Done || declared_.count(tag))
    return;
  const btf::TypeView t = m_.btf().type(id);
  const bool isUnion = t.kind() == Kind::Union || (t.kind() == Kind::Fwd && t.kflag());
  fmt::format_to(fmt::appender(out_), "{} {};\n\n", isUnion ? "union" : "struct", tag);
  declared_.insert(tag);
}

Error Emitter::run() {
  for (uint32_t id = 1; id < m_.btf().endId() && !err_; ++id) {
    switch (m_.kindOf(id)) {
    case Kind::Struct:
    case Kind::Union:
      if (!m_.isAnonAggregate(id))
        define(id);
      break;
    case Kind::Enum:
    case Kind::Enum64:
      // An anonymous enum no declaration reaches is a top-level
      // "enum { ... };" that only defines constants.
      if (!m_.tagName(id).empty() || !m_.reachable(id))
        define(id);
      break;
    case Kind::Typedef:
      if (!m_.isBuiltinTypedef(id))
        define(id);
      break;
    case Kind::Fwd:
      declare(id);
      break;
    case Kind::Unkn:
    case Kind::Int:
    case Kind::Ptr:
    case Kind::Array:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::Float:
    case Kind::DeclTag:
    case Kind::TypeTag:
      break;
    }
  }
  if (!err_ && m_.tooDeep())
    fail("structs are nested by value too deeply to lay out");
  return err_;
}

void preamble(fmt::memory_buffer &out, bool typeTags) {
  out.append(
      std::string_view("#ifndef __VMLINUX_H__\n"
                       "#define __VMLINUX_H__\n"
                       "\n"
                       "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                       "#pragma clang attribute push (__attribute__((preserve_access_index)), "
                       "apply_to = record)\n"
                       "#endif\n"
                       "\n"));
  if (!typeTags)
    return;
  // Type tags need a compiler that knows btf_type_tag (clang >= 14); others
  // get the types without them.
  fmt::format_to(fmt::appender(out),
                 "#ifndef {0}\n"
                 "#if defined(__has_attribute) && !defined(BPF_NO_TYPE_TAGS)\n"
                 "#if __has_attribute(btf_type_tag)\n"
                 "#define {0}(x) __attribute__((btf_type_tag(x)))\n"
                 "#endif\n"
                 "#endif\n"
                 "#ifndef {0}\n"
                 "#define {0}(x)\n"
                 "#endif\n"
                 "#endif\n"
                 "\n",
                 Writer::kTypeTagMacro);
}

void trailer(fmt::memory_buffer &out) {
  out.append(std::string_view("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                              "#pragma clang attribute pop\n"
                              "#endif\n"
                              "\n"
                              "#endif /* __VMLINUX_H__ */\n"));
}

} // namespace

Error dumpC(const btf::Btf &btf, std::ostream &out) {
  Model model(btf);
  if (Error e = model.analyze())
    return e;
  fmt::memory_buffer buf;
  preamble(buf, model.hasTypeTags());
  Emitter emitter(model, buf);
  if (Error e = emitter.run())
    return e;
  trailer(buf);
  out.write(buf.data(), std::streamsize(buf.size()));
  return Error::success();
}

} // namespace d2b::dump
