#pragma once
// Internal to the C dumper: everything dumpC() decides about the types before
// it writes text. The C names (namespaces, ___N suffixes, identifier
// repair), the spelling of INT/FLOAT base types, which types are reachable
// from a named declaration, and the layout of each struct/union body:
// where explicit padding, packing or an alignment attribute is needed so the
// compiler's layout equals the BTF's. The writer (c_writer.cpp) and the
// layout-assert generator (c_asserts.cpp) both read this model.
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::dump::c {

using btf::Btf;
using btf::Kind;

/// One member of a struct/union as the layout sees it.
struct Field {
  uint32_t member = 0; // index in the BTF member list
  uint32_t type = 0;
  uint64_t bitOff = 0;
  uint32_t bitfield = 0; // width; 0 = not a bitfield
};

/// One line of an emitted struct/union body, or an anonymous aggregate
/// wrapping several (a union of members that share an offset, a struct that
/// moves a union member away from offset 0).
struct Item {
  enum class What : uint8_t { Member, Pad, NamedPad, Gap, Group, Skipped };
  What what = What::Member;
  uint32_t member = 0; // Member, Skipped; Gap: byte offset (names the array)
  uint32_t bits = 0;   // Member: bitfield width (0: plain); Pad: width; NamedPad, Gap: bytes
  const char *padType = nullptr; // Pad: "long", "int", "short", "char"
  bool groupIsUnion = false;     // Group
  bool groupPacked = false;      // Group
  std::vector<Item> children;    // Group
};

/// How a struct/union body is written and the alignment the C type ends up
/// with.
struct Layout {
  bool packed = false;
  uint32_t align = 1;     // alignment of the emitted C type
  uint32_t alignAttr = 0; // nonzero: __attribute__((aligned(alignAttr)))
  std::vector<Item> items;
  std::vector<std::string> notes; // where the BTF layout could not be reproduced
};

/// The C view of a Btf. Not copyable: names point into its own storage.
class Model {
public:
  explicit Model(const Btf &btf) : btf_(btf) {}
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  /// Checks references and cycles, assigns names. Must succeed before any
  /// other call.
  Error analyze();

  const Btf &btf() const { return btf_; }
  uint32_t ptrSize() const { return ptr_size_; }
  bool hasTypeTags() const { return has_type_tags_; }

  /// Tag of a STRUCT/UNION/ENUM/ENUM64/FWD ("" when anonymous).
  std::string_view tagName(uint32_t id) const { return names_[id]; }
  /// Name of a TYPEDEF.
  std::string_view typedefName(uint32_t id) const { return names_[id]; }
  /// Name of enumerator `i` of ENUM/ENUM64 `id`.
  std::string_view enumeratorName(uint32_t id, uint32_t i) const;
  /// C spelling of an INT/FLOAT ("unsigned int", "double").
  std::string_view baseSpelling(uint32_t id) const { return names_[id]; }
  /// Typedefs the compiler already knows (__builtin_va_list): never defined.
  bool isBuiltinTypedef(uint32_t id) const;
  /// Member names of STRUCT/UNION `id`, repaired and made unique; "" for an
  /// anonymous member (an unnamed bitfield or an anonymous struct/union).
  std::vector<std::string_view> memberNames(uint32_t id);
  /// True for types some named declaration reaches; an anonymous enum no
  /// one reaches is emitted on its own.
  bool reachable(uint32_t id) const { return reachable_[id]; }
  /// True for a struct/union without a name, written inline where used.
  bool isAnonAggregate(uint32_t id) const;

  /// Type id after skipping typedefs, qualifiers and type tags.
  uint32_t resolve(uint32_t id) const;
  /// Type id after skipping qualifiers and type tags only.
  uint32_t skipMods(uint32_t id) const;
  Kind kindOf(uint32_t id) const { return id ? btf_.type(id).kind() : Kind::Unkn; }

  /// sizeof in the emitted C, in bytes (0 for void, functions, FWD).
  uint64_t sizeOf(uint32_t id);
  /// _Alignof in the emitted C.
  uint32_t alignOf(uint32_t id);
  /// Body layout of STRUCT/UNION `id`.
  const Layout &layout(uint32_t id);
  /// The members of STRUCT/UNION `id` with their bit positions decoded.
  std::vector<Field> fields(uint32_t id) const;
  /// `__attribute__((mode(..)))` an enum needs to get its BTF size, or "".
  std::string_view enumModeAttr(uint32_t id) const;
  /// True once layout() met structs nested by value deeper than it follows.
  bool tooDeep() const { return too_deep_; }

private:
  Error checkGraph();
  void assignNames();
  void markReachable();
  std::string_view ident(std::string_view raw);
  std::string_view intSpelling(uint32_t id, Error &err);
  std::string_view floatSpelling(uint32_t id, Error &err);
  Layout computeLayout(uint32_t id);

  const Btf &btf_;
  uint32_t ptr_size_ = 8;
  bool has_type_tags_ = false;
  std::vector<std::string_view> names_;
  std::unordered_map<uint64_t, std::string_view> enumerator_names_; // (id << 16 | i) -> renamed
  std::deque<std::string> storage_;                                 // repaired/suffixed names
  std::vector<bool> reachable_;
  std::vector<uint8_t> busy_; // layout in progress (guards broken by-value cycles)
  uint32_t nesting_ = 0;
  bool too_deep_ = false;
  std::vector<uint32_t> layout_index_; // 1 + index in layouts_, 0 = not computed
  std::deque<Layout> layouts_;
};

/// True if `s` is a C identifier and not a keyword.
bool isCIdentifier(std::string_view s);

} // namespace d2b::dump::c
