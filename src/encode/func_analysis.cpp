// Per-instance function checks. The location rules mirror pahole HEAD's
// dwarf_loader.c in its default mode (no true_signature):
//
//  * gcc objects, and clang functions marked DW_CC_nocall, walk the
//    parameters in order keeping an index into the argument registers. A
//    parameter with a location but no entry register, while registers are
//    still available, counts as optimized out; one in a register other than
//    the expected one is an unexpected register. A parameter with only a
//    constant value is optimized out (gcc only).
//  * other clang functions only check that a parameter found in a register
//    uses one of the registers its ABI slots cover; parameters passed in
//    memory take no register.
//
// Parameters wider than a word take two slots where aggregates travel in two
// registers. Finally a function with any struct passed by value is exempt
// from the unexpected-register verdict: its register assignment cannot be
// predicted from the parameter index alone.
#include "dwarf2btf/encode/func_analysis.h"

#include <fmt/format.h>
#include <vector>

namespace d2b::encode {

namespace {

using btf::Kind;

// Chains of typedefs and qualifiers are short; this only stops runaway
// loops on malformed input.
constexpr int kMaxChain = 64;

bool validId(const btf::Btf &btf, uint32_t id) { return id != 0 && id < btf.endId(); }

/// Byte size of a parameter type as pahole's get_type_byte_size computes it:
/// pointers are a word, otherwise the first size found through the chain of
/// typedefs and qualifiers, 0 when unknown.
uint64_t paramByteSize(const btf::Btf &btf, uint32_t id, uint8_t addressSize) {
  for (int depth = 0; depth < kMaxChain && validId(btf, id); ++depth) {
    btf::TypeView t = btf.type(id);
    switch (t.kind()) {
    case Kind::Int:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Float:
      return t.size();
    case Kind::Ptr:
      return addressSize;
    case Kind::Typedef:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::TypeTag:
      id = t.type();
      continue;
    case Kind::Array: // pahole recurses into the element type for these
      id = t.tail()[0];
      continue;
    case Kind::Unkn:
    case Kind::Fwd:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
      return 0;
    }
  }
  return 0;
}

/// pahole's param__is_struct: a struct, possibly behind const and typedefs.
bool isStructParam(const btf::Btf &btf, uint32_t id) {
  for (int depth = 0; depth < kMaxChain && validId(btf, id); ++depth) {
    btf::TypeView t = btf.type(id);
    switch (t.kind()) {
    case Kind::Struct:
      return true;
    case Kind::Const:
    case Kind::Typedef:
      id = t.type();
      continue;
    case Kind::Unkn:
    case Kind::Int:
    case Kind::Ptr:
    case Kind::Array:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Fwd:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::Float:
    case Kind::DeclTag:
    case Kind::TypeTag:
    case Kind::Enum64:
      return false;
    }
  }
  return false;
}

struct ParamFacts {
  bool hasLoc = false;
  bool hasConst = false;
  int reg = -1; // entry register, -1 if none
  int slots = 1;
  bool inMemory = false;
  bool optimized = false;
  bool unexpected = false;
};

std::vector<ParamFacts> paramFacts(const model::FunctionRecord &rec, const btf::Btf &btf,
                                   const CallAbi &abi) {
  std::vector<ParamFacts> out;
  out.reserve(rec.params.size());
  const uint64_t word = abi.addressSize;
  for (const model::ParamRecord &p : rec.params) {
    ParamFacts f;
    f.hasLoc =
        p.location == model::ParamLocation::Register || p.location == model::ParamLocation::Other;
    f.hasConst = p.location == model::ParamLocation::ConstValue;
    if (p.location == model::ParamLocation::Register && p.dwarfReg >= 0 && p.dwarfReg <= 31)
      f.reg = p.dwarfReg;
    const uint64_t size = paramByteSize(btf, p.type, abi.addressSize);
    f.inMemory = size > (abi.aggregatesUseTwoRegs ? 2 * word : word);
    if (abi.aggregatesUseTwoRegs && size > word)
      f.slots = int((size + word - 1) / word);
    out.push_back(f);
  }
  return out;
}

/// True if `reg` is one of the argument registers of slots [first,
/// first+slots), or if none of them is known (pahole would flag every
/// register there; we do not judge what we cannot check).
bool regInWindow(const CallAbi &abi, int reg, int first, int slots) {
  bool anyKnown = false;
  for (int i = first; i < first + slots && i < abi.registerParams; ++i) {
    anyKnown |= abi.paramRegs[i] >= 0;
    if (abi.paramRegs[i] == reg)
      return true;
  }
  return !anyKnown;
}

void checkClangLocations(std::vector<ParamFacts> &params, const CallAbi &abi) {
  int regIdx = 0;
  for (ParamFacts &p : params) {
    if (p.inMemory)
      continue;
    if (regIdx >= abi.registerParams)
      break;
    if (p.reg >= 0 && !regInWindow(abi, p.reg, regIdx, p.slots))
      p.unexpected = true;
    regIdx += p.slots;
  }
}

void checkGccLocations(std::vector<ParamFacts> &params, const CallAbi &abi, bool clang) {
  int regIdx = 0;
  for (ParamFacts &p : params) {
    const bool regsAvailable = regIdx < abi.registerParams;
    const int expected = regsAvailable ? abi.paramRegs[regIdx] : -1;
    bool consumes = true;
    if (p.hasLoc) {
      if (!regsAvailable)
        consumes = false;
      else if (p.reg < 0)
        p.optimized = true;
      else if (expected >= 0 && expected != p.reg)
        p.unexpected = true;
    } else if (p.hasConst && !clang) {
      p.optimized = true;
    }
    if (consumes)
      regIdx += p.inMemory ? 1 : p.slots;
  }
}

/// pahole's ftype__has_uncertain_arg_loc: a named packed struct passed by
/// value in a position beyond the argument registers.
bool hasUncertainLocation(const model::FunctionRecord &rec, const btf::Btf &btf,
                          const CallAbi &abi) {
  if (rec.params.size() < abi.registerParams)
    return false;
  for (size_t i = abi.registerParams; i < rec.params.size(); ++i) {
    const model::ParamRecord &p = rec.params[i];
    if (!validId(btf, p.type) || !p.isPackedStruct)
      continue;
    // The type itself, not through typedefs, must be a named struct.
    btf::TypeView t = btf.type(p.type);
    if (t.kind() == Kind::Struct && !btf.name(p.type).empty())
      return true;
  }
  return false;
}

std::string_view kindFor(const btf::Btf &btf, uint32_t id, Kind &kind) {
  btf::TypeView t = btf.type(id);
  kind = t.kind();
  // A FWD stands for the struct or union it declares.
  if (kind == Kind::Fwd)
    kind = t.kflag() ? Kind::Union : Kind::Struct;
  return btf.name(id);
}

bool typesMatchAt(const btf::Btf &btf, uint32_t a, uint32_t b, int depth) {
  for (; depth < kMaxChain; ++depth) {
    if (a == b)
      return true;
    if (!a || !b)
      return false;
    if (a >= btf.endId() || b >= btf.endId())
      return false;
    Kind ka, kb;
    std::string_view na = kindFor(btf, a, ka), nb = kindFor(btf, b, kb);
    btf::TypeView ta = btf.type(a), tb = btf.type(b);
    if (ka != kb) {
      // const and non-const versions of a parameter are the same prototype.
      if (ka == Kind::Const) {
        a = ta.type();
        continue;
      }
      if (kb == Kind::Const) {
        b = tb.type();
        continue;
      }
      return false;
    }
    switch (ka) {
    case Kind::Int:
      return ta.size() == tb.size() && ta.tail()[0] == tb.tail()[0] && na == nb;
    case Kind::Float:
      return ta.size() == tb.size() && na == nb;
    case Kind::Typedef:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
      return na == nb;
    case Kind::Ptr:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::TypeTag:
      a = ta.type();
      b = tb.type();
      continue;
    case Kind::Array:
      if (ta.tail()[2] != tb.tail()[2])
        return false;
      a = ta.tail()[0];
      b = tb.tail()[0];
      continue;
    case Kind::FuncProto: {
      const uint32_t n = ta.vlen();
      if (n != tb.vlen() || !typesMatchAt(btf, ta.type(), tb.type(), depth + 1))
        return false;
      for (uint32_t i = 0; i < n; ++i)
        if (!typesMatchAt(btf, ta.tail()[2 * i + 1], tb.tail()[2 * i + 1], depth + 1))
          return false;
      return true;
    }
    case Kind::Unkn:
    case Kind::Fwd:
    case Kind::Func:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
      return false;
    }
  }
  return false;
}

} // namespace

InstanceFacts analyzeInstance(const model::FunctionRecord &rec, const btf::Btf &btf,
                              const CallAbi &abi) {
  InstanceFacts out;
  out.reorderedParams = rec.reorderedParams;
  // pahole reads DW_CC_nocall only in clang CUs, and never on the abstract
  // instance of an inline function.
  out.signatureChanged = rec.producerClang && rec.nocall && !rec.inlineOnly;

  std::vector<ParamFacts> params = paramFacts(rec, btf, abi);
  if (rec.producerClang && !out.signatureChanged)
    checkClangLocations(params, abi);
  else
    checkGccLocations(params, abi, rec.producerClang);

  bool anyUnexpected = false;
  for (const ParamFacts &p : params) {
    out.optimizedParams |= p.optimized || !p.hasLoc;
    anyUnexpected |= p.unexpected;
  }
  if (anyUnexpected) {
    out.unexpectedReg = true;
    for (const model::ParamRecord &p : rec.params)
      if (isStructParam(btf, p.type))
        out.unexpectedReg = false;
  }
  out.uncertainParamLoc = hasUncertainLocation(rec, btf, abi);
  return out;
}

bool typesMatch(const btf::Btf &btf, uint32_t a, uint32_t b) { return typesMatchAt(btf, a, b, 0); }

std::optional<std::string> prototypeMismatch(const btf::Btf &btf, const model::FunctionRecord &a,
                                             const model::FunctionRecord &b) {
  // Varargs count as a trailing parameter of type 0, as in the FUNC_PROTO.
  const size_t na = a.params.size() + a.varargs, nb = b.params.size() + b.varargs;
  if (na != nb)
    return fmt::format("param count mismatch; {} params != {} params", na, nb);
  if (!typesMatch(btf, a.returnType, b.returnType))
    return std::string("return type mismatch");
  for (size_t i = 0; i < na; ++i) {
    const bool va = i >= a.params.size(), vb = i >= b.params.size();
    const uint32_t ta = va ? 0 : a.params[i].type, tb = vb ? 0 : b.params[i].type;
    if (!typesMatch(btf, ta, tb))
      return fmt::format("param type mismatch for param#{} {} != {}", i + 1,
                         va ? "" : a.params[i].name, vb ? "" : b.params[i].name);
  }
  return std::nullopt;
}

} // namespace d2b::encode
