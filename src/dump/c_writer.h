#pragma once
// Internal to the C dumper: turns types into C text (declarators, struct,
// union and enum bodies) using the names and layouts of the Model. It writes
// what it is asked; the order of definitions is dump_c.cpp's business.
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "c_model.h"

namespace d2b::dump::c {

class Writer {
public:
  Writer(Model &m, fmt::memory_buffer &out) : m_(m), out_(out) {}

  /// Writes a declaration of `name` with type `type`, e.g. "int (*name)[4]";
  /// an empty name gives an abstract declarator ("int (*)[4]"). Anonymous
  /// structs, unions and enums are written inline, indented at `indent`.
  void declaration(uint32_t type, std::string_view name, int indent);
  /// Writes "struct X {...}" / "union {...}" with attributes, without the
  /// final ';'.
  void aggregate(uint32_t id, int indent);
  /// Writes "enum X {...}" with a mode attribute if needed, without ';'.
  void enumeration(uint32_t id, int indent);

  /// How a type tag is spelled; kflag tags are plain attributes.
  static constexpr std::string_view kTypeTagMacro = "__btf_type_tag";

private:
  void declarationTo(fmt::memory_buffer &out, uint32_t type, std::string inner, int indent);
  void aggregateTo(fmt::memory_buffer &out, uint32_t id, int indent);
  void enumerationTo(fmt::memory_buffer &out, uint32_t id, int indent);
  void itemsTo(fmt::memory_buffer &out, const std::vector<Item> &items, uint32_t owner,
               const std::vector<std::string_view> &names, int indent);
  std::string typeTag(uint32_t id) const;
  bool elementHas(uint32_t arrayOrQualified, Kind qual) const;
  void tabs(fmt::memory_buffer &out, int n) {
    for (int i = 0; i < n; ++i)
      out.push_back('\t');
  }
  void put(fmt::memory_buffer &out, std::string_view s) { out.append(s); }

  Model &m_;
  fmt::memory_buffer &out_;
};

} // namespace d2b::dump::c
