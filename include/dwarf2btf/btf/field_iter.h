#pragma once
/// The single source of truth for where each BTF kind keeps type ids and
/// string offsets. Dedup, id remapping, validation, reading and dumping all go
/// through these two functions instead of repeating per-kind switches.
///
///   forEachTypeIdField(words, [&](uint32_t &id) { id = remap[id]; });
///   forEachStrField(words, [&](uint32_t &off) { off = newOffset(off); });
///
/// `words` points at a type's 12-byte common header (name_off, info,
/// size/type) followed by its trailing words, all in host byte order.
#include <cstddef>
#include <cstring>

#include "dwarf2btf/btf/format.h"

namespace d2b::btf {

inline Kind kindOf(const uint32_t *words) { return Kind(infoKindRaw(words[1])); }
inline uint32_t vlenOf(const uint32_t *words) { return infoVlen(words[1]); }

/// Calls f(uint32_t&) for every word of the type that holds a type id.
template <class W, class F> void forEachTypeIdField(W *words, F &&f) {
  const uint32_t vlen = infoVlen(words[1]);
  W *tail = words + 3;
  switch (Kind(infoKindRaw(words[1]))) {
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::Var:
  case Kind::DeclTag:
  case Kind::TypeTag:
    f(words[2]);
    return;
  case Kind::Array:
    f(tail[0]);
    f(tail[1]);
    return;
  case Kind::Struct:
  case Kind::Union:
    for (uint32_t i = 0; i < vlen; ++i)
      f(tail[3 * i + 1]);
    return;
  case Kind::FuncProto:
    f(words[2]);
    for (uint32_t i = 0; i < vlen; ++i)
      f(tail[2 * i + 1]);
    return;
  case Kind::Datasec:
    for (uint32_t i = 0; i < vlen; ++i)
      f(tail[3 * i]);
    return;
  case Kind::Unkn:
  case Kind::Int:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Fwd:
  case Kind::Float:
    return;
  }
}

/// Calls f(uint32_t&) for every word of the type that holds a string offset.
template <class W, class F> void forEachStrField(W *words, F &&f) {
  const uint32_t vlen = infoVlen(words[1]);
  W *tail = words + 3;
  f(words[0]);
  switch (Kind(infoKindRaw(words[1]))) {
  case Kind::Struct:
  case Kind::Union:
  case Kind::Enum64:
    for (uint32_t i = 0; i < vlen; ++i)
      f(tail[3 * i]);
    return;
  case Kind::Enum:
  case Kind::FuncProto:
    for (uint32_t i = 0; i < vlen; ++i)
      f(tail[2 * i]);
    return;
  case Kind::Unkn:
  case Kind::Int:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::Float:
  case Kind::DeclTag:
  case Kind::TypeTag:
    return;
  }
}

/// Words in the type record at `words` (header and trailing words).
inline uint32_t wordCountOf(const uint32_t *words) {
  return 3 + tailWords(kindOf(words), vlenOf(words));
}

/// Every word of two type records equal except the type-id fields: the
/// "shallow" comparison of dedup's equivalence pass, and of the merger's
/// check for repeats.
inline bool equalApartFromTypeIds(const uint32_t *a, const uint32_t *b) {
  if (a[1] != b[1])
    return false;
  // Most comparisons are of structs and unions (dedup's candidates): their
  // members' names and offsets, unrolled. The test of this function checks
  // it against the general walk below for every kind.
  if (const Kind k = kindOf(a); k == Kind::Struct || k == Kind::Union) {
    if (a[0] != b[0] || a[2] != b[2])
      return false;
    const uint32_t *ma = a + 3, *mb = b + 3;
    for (uint32_t i = 0, n = vlenOf(a); i < n; ++i, ma += 3, mb += 3)
      if (((ma[0] ^ mb[0]) | (ma[2] ^ mb[2])) != 0)
        return false;
    return true;
  }
  // Type-id fields come in increasing word order; compare the runs between.
  // Word by word: the runs between ids are a few words, shorter than a
  // memcmp call is worth.
  bool eq = true;
  size_t pos = 0;
  forEachTypeIdField(a, [&](const uint32_t &field) {
    const size_t at = size_t(&field - a);
    for (; eq && pos < at; ++pos)
      eq = a[pos] == b[pos];
    pos = at + 1;
  });
  const size_t n = wordCountOf(a);
  for (; eq && pos < n; ++pos)
    eq = a[pos] == b[pos];
  return eq;
}

} // namespace d2b::btf
