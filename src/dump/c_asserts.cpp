// dumpCLayoutAsserts(): static checks that the header dumpC() writes has the
// BTF's layout. For each named struct/union: its sizeof, and the offsetof of
// every non-bitfield member reachable by a C name, including members of
// anonymous members (reached directly) and of members whose type is an
// anonymous struct/union (reached as "outer.inner"). Members dumpC() left out
// are not checked.
#include <fmt/format.h>

#include "c_model.h"
#include "dwarf2btf/dump/dump_c.h"

namespace d2b::dump {
namespace {

using namespace c;

class AssertWriter {
public:
  AssertWriter(Model &m, fmt::memory_buffer &out) : m_(m), out_(out) {}

  void aggregate(uint32_t id) {
    const Kind k = m_.kindOf(id);
    cname_ = fmt::format("{} {}", k == Kind::Union ? "union" : "struct", m_.tagName(id));
    fmt::format_to(fmt::appender(out_), "_Static_assert(sizeof({0}) == {1}, \"sizeof({0})\");\n",
                   cname_, m_.btf().type(id).size());
    members(id, "", 0, 0);
  }

private:
  void members(uint32_t owner, const std::string &prefix, uint64_t baseBits, int depth) {
    if (depth > 64)
      return;
    const std::vector<Field> fs = m_.fields(owner);
    const std::vector<std::string_view> names = m_.memberNames(owner);
    walk(m_.layout(owner).items, owner, fs, names, prefix, baseBits, depth);
  }

  void walk(const std::vector<Item> &items, uint32_t owner, const std::vector<Field> &fs,
            const std::vector<std::string_view> &names, const std::string &prefix,
            uint64_t baseBits, int depth) {
    for (const Item &it : items) {
      if (it.what == Item::What::Group) {
        walk(it.children, owner, fs, names, prefix, baseBits, depth);
        continue;
      }
      if (it.what != Item::What::Member || it.bits)
        continue;
      const Field &f = fs[it.member];
      const uint64_t bits = baseBits + f.bitOff;
      const std::string_view name = names[it.member];
      if (name.empty()) { // anonymous struct/union member: its members are ours
        members(f.type, prefix, bits, depth + 1);
        continue;
      }
      const std::string path = prefix + std::string(name);
      fmt::format_to(fmt::appender(out_),
                     "_Static_assert(__builtin_offsetof({0}, {1}) == {2}, \"{0}.{1}\");\n", cname_,
                     path, bits / 8);
      if (m_.isAnonAggregate(f.type))
        members(f.type, path + ".", bits, depth + 1);
    }
  }

  Model &m_;
  fmt::memory_buffer &out_;
  std::string cname_;
};

} // namespace

Error dumpCLayoutAsserts(const btf::Btf &btf, std::ostream &out) {
  Model model(btf);
  if (Error e = model.analyze())
    return e;
  fmt::memory_buffer buf;
  AssertWriter w(model, buf);
  for (uint32_t id = 1; id < btf.endId(); ++id) {
    const Kind k = model.kindOf(id);
    if ((k == Kind::Struct || k == Kind::Union) && !model.isAnonAggregate(id))
      w.aggregate(id);
  }
  out.write(buf.data(), std::streamsize(buf.size()));
  return Error::success();
}

} // namespace d2b::dump
