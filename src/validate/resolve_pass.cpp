// Pass 2 of the kernel's BTF verifier (btf_check_all_types): every type that
// refers to others is resolved by a depth-first walk on an explicit stack of
// at most 32 vertices. A vertex whose referenced type still needs resolving
// pushes it and is re-entered after it is done, so each resolve step below
// restarts from its beginning (or from the next member) on re-entry.
//
// Whether a referenced type must be pushed depends on the walk's mode, fixed
// by the first pointer or struct/array pushed: under a pointer, structs and
// arrays are sinks (pointers may form cycles through them); under a struct or
// array, pointers are sinks (their targets are resolved later as roots).
#include <fmt/format.h>

#include "checker.h"

namespace d2b::validate::detail {

namespace {

using btf::Kind;

bool isKind(const uint32_t *t, Kind k) { return kindOf(t) == k; }
bool isComposite(const uint32_t *t) { return isKind(t, Kind::Struct) || isKind(t, Kind::Union); }
/// Types that may only refer, never be referred to.
bool isSourceOnly(const uint32_t *t) {
  return isKind(t, Kind::Var) || isKind(t, Kind::DeclTag) || isKind(t, Kind::Datasec);
}
bool needsResolve(const uint32_t *t) {
  return isModifier(t) || isKind(t, Kind::Ptr) || isComposite(t) || isKind(t, Kind::Array) ||
         isKind(t, Kind::Var) || isKind(t, Kind::Func) || isKind(t, Kind::DeclTag) ||
         isKind(t, Kind::Datasec);
}
/// t->size is the type's size (btf_type_has_size).
bool hasSize(const uint32_t *t) { return btf::hasSize(kindOf(t)); }
/// A regular int: whole bytes, no bit offset, 1/2/4/8/16 bytes.
bool intIsRegular(const uint32_t *t) {
  const uint32_t data = tailOf(t)[0];
  const uint32_t bits = btf::intBits(data);
  const uint32_t bytes = (bits >> 3) + ((bits & 7) != 0);
  return (bits & 7) == 0 && btf::intOffset(data) == 0 && bytes <= 16 && bytes &&
         !(bytes & (bytes - 1));
}

} // namespace

bool Checker::isVoid(const uint32_t *t) const { return t == type(0); }

bool Checker::isSink(const uint32_t *t) const {
  switch (mode_) {
  case Mode::Tbd:
    return !needsResolve(t);
  case Mode::Ptr:
    return !isModifier(t) && !isKind(t, Kind::Ptr);
  case Mode::StructOrArray:
    return !isModifier(t) && !isKind(t, Kind::Array) && !isComposite(t);
  }
  return false;
}

bool Checker::isResolved(uint32_t id) const {
  if (id < firstId_)
    return base_ != nullptr; // base types were resolved when the base was
  uint32_t i;
  return ownIndex(id, i) && visit_[i] == Visit::Resolved;
}

bool Checker::isTainted(uint32_t id) const {
  uint32_t i;
  return id >= firstId_ && ownIndex(id, i) && taintedAt(i);
}

const uint32_t *Checker::typeIdResolve(uint32_t &id) const {
  id = resolvedId(id);
  return type(id);
}

const uint32_t *Checker::typeIdSize(uint32_t &id, uint32_t *size) const {
  auto noSize = [this](const uint32_t *t) {
    return !t || isVoid(t) || isKind(t, Kind::Fwd) || isKind(t, Kind::Func) ||
           isKind(t, Kind::FuncProto) || isKind(t, Kind::DeclTag);
  };
  uint32_t sizeId = id;
  const uint32_t *t = type(sizeId);
  if (noSize(t))
    return nullptr;
  uint32_t s = 0;
  if (hasSize(t)) {
    s = t[2];
  } else if (isKind(t, Kind::Array)) {
    s = resolvedSize(sizeId);
  } else if (isKind(t, Kind::Ptr)) {
    s = kPtrSize;
  } else {
    if (!isModifier(t) && !isKind(t, Kind::Var))
      return nullptr;
    sizeId = resolvedId(sizeId);
    t = type(sizeId);
    if (noSize(t))
      return nullptr;
    if (hasSize(t))
      s = t[2];
    else if (isKind(t, Kind::Array))
      s = resolvedSize(sizeId);
    else if (isKind(t, Kind::Ptr))
      s = kPtrSize;
    else
      return nullptr;
  }
  id = sizeId;
  if (size)
    *size = s;
  return t;
}

int Checker::push(const uint32_t *t, uint32_t id) {
  if (stack_.size() == kMaxResolveDepth)
    return -E2BIG;
  uint32_t i;
  if (id < firstId_ || !ownIndex(id, i) || visit_[i] != Visit::NotVisited)
    return -EEXIST;
  visit_[i] = Visit::Visited;
  stack_.push_back(Vertex{t, id, 0});
  if (mode_ == Mode::Tbd) {
    if (isKind(t, Kind::Ptr))
      mode_ = Mode::Ptr;
    else if (isComposite(t) || isKind(t, Kind::Array))
      mode_ = Mode::StructOrArray;
  }
  return 0;
}

void Checker::popResolved(uint32_t resolvedId, uint32_t resolvedSize) {
  const uint32_t i = stack_.back().id - firstId_;
  stack_.pop_back();
  resolvedIds_[i] = resolvedId;
  resolvedSizes_[i] = resolvedSize;
  visit_[i] = Visit::Resolved;
}

void Checker::resolvePass() {
  metaPhase_ = false;
  for (uint32_t i = 0; i < offsets_.size(); ++i) {
    const uint32_t id = firstId_ + i;
    if (taintedAt(i))
      continue;
    const uint32_t *t = type(id);
    logTypeId_ = id;
    if (needsResolve(t) && !isResolved(id) && resolveRoot(t, id) != 0)
      continue;
    if (isKind(t, Kind::FuncProto) && role_ == Role::Reported)
      funcProtoCheck(t);
  }
}

void Checker::resolveOnDemand(uint32_t index) const {
  if (role_ != Role::LazyBase || !resolvable_ || visit_[index] != Visit::NotVisited ||
      taintedAt(index) || !stack_.empty())
    return;
  const uint32_t id = firstId_ + index;
  const uint32_t *t = type(id);
  if (needsResolve(t))
    const_cast<Checker *>(this)->resolveRoot(t, id);
}

int Checker::resolveRoot(const uint32_t *t, uint32_t id) {
  const uint32_t savedLogId = logTypeId_;
  mode_ = Mode::Tbd;
  push(t, id);
  int err = 0;
  uint32_t failingId = id;
  while (!err && !stack_.empty()) {
    const Vertex v = stack_.back();
    logTypeId_ = v.id;
    failingId = v.id;
    err = resolveStep(v);
  }
  logTypeId_ = id;
  if (err == -E2BIG)
    failType(t, fmt::format("Exceeded max resolving depth:{}", kMaxResolveDepth), E2BIG);
  else if (err == -EEXIST)
    failType(t, "Loop detected", EEXIST);
  if (!err && !resolveValid(t, id)) {
    err = failType(t, "Invalid resolve state");
    failingId = id;
  }
  if (err)
    abandonWalk(err, failingId);
  logTypeId_ = savedLogId;
  return err;
}

// The kernel gives up at its first error; we clean up so the pass can go
// on. The type that failed is tainted so nothing reports it again; for depth
// and loop errors every type on the stack is part of the problem.
void Checker::abandonWalk(int err, uint32_t failingId) {
  const bool wholeStack = err == -E2BIG || err == -EEXIST;
  uint32_t i;
  if (err != kTainted && ownIndex(failingId, i))
    tainted_[i] = 1;
  for (const Vertex &v : stack_) {
    if (!ownIndex(v.id, i))
      continue;
    if (wholeStack)
      tainted_[i] = 1;
    if (visit_[i] == Visit::Visited)
      visit_[i] = Visit::NotVisited;
  }
  stack_.clear();
}

int Checker::resolveStep(const Vertex &v) {
  switch (kindOf(v.t)) {
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::TypeTag:
    return modifierResolve(v);
  case Kind::Ptr:
    return ptrResolve(v);
  case Kind::Var:
    return varResolve(v);
  case Kind::Array:
    return arrayResolve(v);
  case Kind::Struct:
  case Kind::Union:
    return compositeResolve(v);
  case Kind::Datasec:
    return datasecResolve(v);
  case Kind::Func:
    return funcResolve(v);
  case Kind::DeclTag:
    return declTagResolve(v);
  case Kind::Unkn:
  case Kind::Int:
  case Kind::Fwd:
  case Kind::FuncProto:
  case Kind::Float:
  case Kind::Enum:
  case Kind::Enum64:
    return failBasic(v.t, "Unsupported resolve"); // never pushed
  }
  return -EINVAL;
}

int Checker::modifierResolve(const Vertex &v) {
  uint32_t nextId = v.t[2];
  const uint32_t *next = type(nextId);
  if (!next || isSourceOnly(next))
    return failType(v.t, "Invalid type_id");
  if (isTainted(nextId))
    return kTainted;
  if (!isSink(next) && !isResolved(nextId))
    return push(next, nextId);
  if (!typeIdSize(nextId, nullptr)) {
    if (isResolved(nextId))
      next = typeIdResolve(nextId);
    // "typedef void v", "const void", a modifier of a FWD or a FUNC_PROTO.
    if (!isVoid(next) && !isKind(next, Kind::Fwd) && !isKind(next, Kind::FuncProto))
      return failType(v.t, "Invalid type_id");
  }
  popResolved(nextId, 0);
  return 0;
}

int Checker::ptrResolve(const Vertex &v) {
  uint32_t nextId = v.t[2];
  const uint32_t *next = type(nextId);
  if (!next || isSourceOnly(next))
    return failType(v.t, "Invalid type_id");
  if (isTainted(nextId))
    return kTainted;
  if (!isSink(next) && !isResolved(nextId))
    return push(next, nextId);
  // A modifier resolved during a struct walk stopped at a pointer; continue
  // from that pointer so that it cannot loop back to this one unnoticed.
  if (isModifier(next)) {
    uint32_t rid = nextId;
    const uint32_t *rt = typeIdResolve(rid);
    if (isKind(rt, Kind::Ptr) && !isSink(rt) && !isResolved(rid))
      return push(rt, rid);
  }
  if (!typeIdSize(nextId, nullptr)) {
    if (isResolved(nextId))
      next = typeIdResolve(nextId);
    if (!isVoid(next) && !isKind(next, Kind::Fwd) && !isKind(next, Kind::FuncProto))
      return failType(v.t, "Invalid type_id");
  }
  popResolved(nextId, 0);
  return 0;
}

int Checker::varResolve(const Vertex &v) {
  uint32_t nextId = v.t[2];
  const uint32_t *next = type(nextId);
  if (!next || isSourceOnly(next))
    return failType(v.t, "Invalid type_id");
  if (isTainted(nextId))
    return kTainted;
  if (!isSink(next) && !isResolved(nextId))
    return push(next, nextId);
  if (isModifier(next)) {
    uint32_t rid = nextId;
    const uint32_t *rt = typeIdResolve(rid);
    if (isKind(rt, Kind::Ptr) && !isSink(rt) && !isResolved(rid))
      return push(rt, rid);
  }
  // A variable needs a concrete size: no void, FWD or function.
  if (!typeIdSize(nextId, nullptr))
    return failType(v.t, "Invalid type_id");
  popResolved(nextId, 0);
  return 0;
}

int Checker::arrayResolve(const Vertex &v) {
  const uint32_t *a = tailOf(v.t); // elem type, index type, nelems
  uint32_t indexId = a[1];
  const uint32_t *index = type(indexId);
  if (!index || isVoid(index) || isKind(index, Kind::Fwd) || isKind(index, Kind::Func) ||
      isKind(index, Kind::FuncProto) || isSourceOnly(index))
    return failType(v.t, "Invalid index");
  if (isTainted(indexId))
    return kTainted;
  if (!isSink(index) && !isResolved(indexId))
    return push(index, indexId);
  index = typeIdSize(indexId, nullptr);
  if (!index || !isKind(index, Kind::Int) || !intIsRegular(index))
    return failType(v.t, "Invalid index");

  uint32_t elemId = a[0];
  const uint32_t *elem = type(elemId);
  if (!elem || isVoid(elem) || isKind(elem, Kind::Fwd) || isKind(elem, Kind::Func) ||
      isKind(elem, Kind::FuncProto) || isSourceOnly(elem))
    return failType(v.t, "Invalid elem");
  if (isTainted(elemId))
    return kTainted;
  if (!isSink(elem) && !isResolved(elemId))
    return push(elem, elemId);
  uint32_t elemSize = 0;
  elem = typeIdSize(elemId, &elemSize);
  if (!elem)
    return failType(v.t, "Invalid elem");
  if (isKind(elem, Kind::Int) && !intIsRegular(elem))
    return failType(v.t, "Invalid array of int");
  if (a[2] && elemSize > UINT32_MAX / a[2])
    return failType(v.t, "Array size overflows U32_MAX");
  popResolved(elemId, elemSize * a[2]);
  return 0;
}

int Checker::compositeResolve(const Vertex &v) {
  const uint32_t *tail = tailOf(v.t);
  const bool kflag = kflagOf(v.t);
  auto member = [&](uint32_t i) {
    return MemberRef{tail[3 * i], tail[3 * i + 1], tail[3 * i + 2]};
  };
  // Re-entered after pushing the previous member's type: check it now.
  if (v.nextMember) {
    const MemberRef last = member(v.nextMember - 1);
    if (!isResolved(last.type))
      return -EINVAL; // the kernel WARNs here; unreachable
    if (int err = checkMember(v.t, last, type(last.type), kflag))
      return err;
  }
  for (uint32_t i = v.nextMember; i < vlenOf(v.t); ++i) {
    const MemberRef m = member(i);
    const uint32_t *mt = type(m.type);
    if (!mt || isVoid(mt) || isKind(mt, Kind::Fwd) || isKind(mt, Kind::Func) ||
        isKind(mt, Kind::FuncProto) || isSourceOnly(mt))
      return failMember(v.t, m, "Invalid member");
    if (isTainted(m.type))
      return kTainted;
    if (!isSink(mt) && !isResolved(m.type)) {
      setNextMember(i + 1);
      return push(mt, m.type);
    }
    if (int err = checkMember(v.t, m, mt, kflag))
      return err;
  }
  popResolved(0, 0);
  return 0;
}

int Checker::datasecResolve(const Vertex &v) {
  const uint32_t *tail = tailOf(v.t);
  mode_ = Mode::Tbd;
  for (uint32_t i = v.nextMember; i < vlenOf(v.t); ++i) {
    const uint32_t *vsi = tail + 3 * i;
    const uint32_t varId = vsi[0];
    const uint32_t *var = type(varId);
    if (!var || !isKind(var, Kind::Var))
      return failVsi(v.t, vsi, "Not a VAR kind member");
    if (isTainted(varId))
      return kTainted;
    if (!isSink(var) && !isResolved(varId)) {
      // Kernel quirk: on re-entry the walk resumes after this entry, so its
      // type and size checks below are skipped when the VAR was pushed.
      setNextMember(i + 1);
      return push(var, varId);
    }
    uint32_t typeId = var[2], size = 0;
    if (!typeIdSize(typeId, &size))
      return failVsi(v.t, vsi, "Invalid type");
    if (vsi[2] < size)
      return failVsi(v.t, vsi, "Invalid size");
  }
  popResolved(0, 0);
  return 0;
}

int Checker::funcCheck(const uint32_t *t) {
  const uint32_t *proto = type(t[2]);
  if (!proto || !isKind(proto, Kind::FuncProto))
    return failType(t, "Invalid type_id");
  if (isTainted(t[2]))
    return kTainted;
  const uint32_t *args = tailOf(proto);
  // A FUNC needs every argument named (a trailing vararg has neither).
  for (uint32_t i = 0; i < vlenOf(proto); ++i)
    if (!args[2 * i] && args[2 * i + 1])
      return failType(t, fmt::format("Invalid arg#{}", i + 1));
  return 0;
}

int Checker::funcResolve(const Vertex &v) {
  if (int err = funcCheck(v.t))
    return err;
  popResolved(v.t[2], 0);
  return 0;
}

int Checker::declTagResolve(const Vertex &v) {
  const uint32_t nextId = v.t[2];
  const uint32_t *next = type(nextId);
  if (!next || !(isKind(next, Kind::Func) || isComposite(next) || isKind(next, Kind::Var) ||
                 isKind(next, Kind::Typedef)))
    return failType(v.t, "Invalid type_id");
  if (isTainted(nextId))
    return kTainted;
  if (!isSink(next) && !isResolved(nextId))
    return push(next, nextId);
  const int32_t componentIdx = int32_t(tailOf(v.t)[0]);
  if (componentIdx != -1) {
    if (isKind(next, Kind::Var) || isKind(next, Kind::Typedef))
      return failType(v.t, "Invalid component_idx");
    // A member of a struct/union, or an argument of a function.
    const uint32_t vlen = isComposite(next) ? vlenOf(next) : vlenOf(type(next[2]));
    if (uint32_t(componentIdx) >= vlen)
      return failType(v.t, "Invalid component_idx");
  }
  popResolved(nextId, 0);
  return 0;
}

bool Checker::resolveValid(const uint32_t *t, uint32_t id) {
  if (!isResolved(id))
    return false;
  if (isComposite(t) || isKind(t, Kind::Datasec))
    return !resolvedId(id) && !resolvedSize(id);
  if (isKind(t, Kind::DeclTag) || isKind(t, Kind::Func))
    return resolvedId(id) && !resolvedSize(id);
  if (isModifier(t) || isKind(t, Kind::Ptr) || isKind(t, Kind::Var)) {
    uint32_t rid = id;
    const uint32_t *rt = typeIdResolve(rid);
    return rt && !isModifier(rt) && !isKind(rt, Kind::Var) && !isKind(rt, Kind::Datasec);
  }
  if (isKind(t, Kind::Array)) {
    const uint32_t *a = tailOf(t);
    uint32_t elemId = a[0], elemSize = 0;
    const uint32_t *elem = typeIdSize(elemId, &elemSize);
    return elem && !isModifier(elem) && a[2] * elemSize == resolvedSize(id);
  }
  return false;
}

int Checker::funcProtoCheck(const uint32_t *t) {
  if (t[2]) {
    uint32_t retId = t[2];
    const uint32_t *ret = type(retId);
    if (!ret || isSourceOnly(ret))
      return failType(t, "Invalid return type");
    if (isTainted(retId))
      return kTainted;
    if (needsResolve(ret) && !isResolved(retId))
      if (int err = resolveRoot(ret, retId))
        return err;
    if (!typeIdSize(retId, nullptr))
      return failType(t, "Invalid return type");
  }
  uint32_t n = vlenOf(t);
  if (!n)
    return 0;
  const uint32_t *args = tailOf(t);
  // A trailing unnamed void argument is "...".
  if (!args[2 * (n - 1) + 1]) {
    if (args[2 * (n - 1)])
      return failType(t, fmt::format("Invalid arg#{}", n));
    --n;
  }
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t nameOff = args[2 * i];
    uint32_t argId = args[2 * i + 1];
    const uint32_t *arg = type(argId);
    auto bad = [i] { return fmt::format("Invalid arg#{}", i + 1); };
    if (!arg || isSourceOnly(arg))
      return failType(t, bad());
    if (nameOff && (!nameOffsetValid(nameOff) || !validIdentifier(str(nameOff), opts_)))
      return failType(t, bad());
    if (isTainted(argId))
      return kTainted;
    if (needsResolve(arg) && !isResolved(argId))
      if (int err = resolveRoot(arg, argId))
        return err;
    if (!typeIdSize(argId, nullptr))
      return failType(t, bad());
  }
  return 0;
}

} // namespace d2b::validate::detail
