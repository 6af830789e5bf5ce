#include "random_btf.h"

#include <array>

namespace d2b::test {

namespace {

using btf::Kind;

class Gen {
public:
  explicit Gen(std::mt19937 &rng) : rng_(rng) {}

  uint32_t below(uint32_t n) { return n ? rng_() % n : 0; }
  /// True with probability pct/100; "clean" blobs mostly keep the meta rules
  /// so that more of them reach the resolve pass.
  bool chance(int pct) {
    if (clean_ && pct >= 50)
      return true;
    if (clean_ && pct <= 10)
      return false;
    return below(100) < uint32_t(pct);
  }
  template <class T, size_t N> T pick(const std::array<T, N> &a) { return a[below(N)]; }

  btf::Btf graph() {
    clean_ = below(4) != 0;
    btf::Btf b;
    n_ = 2 + below(14);
    for (uint32_t id = 1; id <= n_; ++id)
      addRandomType(b, randomKind());
    return b;
  }

  btf::Btf chain() {
    btf::Btf b;
    const uint32_t n = 20 + below(30);
    const uint32_t intId = n + 1;
    static constexpr std::array<Kind, 13> kKinds = {
        Kind::Ptr,   Kind::Const,    Kind::Typedef, Kind::Struct, Kind::Array,
        Kind::Union, Kind::Volatile, Kind::TypeTag, Kind::Var,    Kind::Restrict,
        Kind::Func,  Kind::Datasec,  Kind::DeclTag};
    for (uint32_t id = 1; id <= n; ++id) {
      uint32_t next = id + 1;
      if (below(12) == 0)
        next = 1 + below(n + 1); // a back or forward edge
      if (next > n)
        next = intId;
      const Kind k = kKinds[below(below(20) == 0 ? 13 : (below(3) ? 8 : 10))];
      std::vector<uint32_t> tail;
      uint32_t name = 0, sizeOrType = next, vlen = 0;
      switch (k) {
      case Kind::Typedef:
      case Kind::TypeTag:
      case Kind::Func:
      case Kind::DeclTag:
        name = b.addString(k == Kind::Typedef ? "t" : k == Kind::Func ? "f" : "tag");
        if (k == Kind::DeclTag)
          tail.push_back(uint32_t(-1));
        break;
      case Kind::Struct:
      case Kind::Union:
        name = b.addString("s");
        sizeOrType = 64;
        vlen = 1 + below(2);
        for (uint32_t i = 0; i < vlen; ++i)
          tail.insert(tail.end(),
                      {b.addString("m"), i == 0 ? next : (below(2) ? intId : 1 + below(n + 1)), 0});
        break;
      case Kind::Array:
        sizeOrType = 0;
        tail = {next, intId, 1};
        break;
      case Kind::Var:
        name = b.addString("v");
        tail.push_back(0);
        break;
      case Kind::Datasec:
        name = b.addString(".d");
        sizeOrType = 64;
        vlen = 1;
        tail = {next, 0, 8};
        break;
      case Kind::Ptr:
      case Kind::Const:
      case Kind::Volatile:
      case Kind::Restrict:
        break;
      case Kind::Unkn:
      case Kind::Int:
      case Kind::Enum:
      case Kind::Fwd:
      case Kind::FuncProto:
      case Kind::Float:
      case Kind::Enum64:
        break; // not generated in chains
      }
      b.addType(k, name, vlen, false, sizeOrType, tail);
    }
    b.addInt("int", 4, btf::kIntSigned);
    return b;
  }

private:
  Kind randomKind() {
    static constexpr std::array<Kind, 10> kCommon = {
        Kind::Int,   Kind::Ptr, Kind::Struct,  Kind::Const,     Kind::Typedef,
        Kind::Array, Kind::Var, Kind::Datasec, Kind::FuncProto, Kind::Func};
    return chance(40) ? pick(kCommon) : Kind(1 + below(btf::kMaxKind));
  }
  uint32_t name(btf::Btf &b) {
    static constexpr std::array<const char *, 14> kNames = {
        "a", "b", "x1", "_y", ".d", "Foo<u32>", "0", "", "", "", "a.b", "{c}", "\xC0x", "ok_"};
    return b.addString(pick(kNames));
  }
  uint32_t ref() {
    if (chance(8))
      return 0;
    if (chance(3))
      return n_ + 1 + below(3); // dangling
    return 1 + below(n_);
  }
  uint32_t size() {
    static constexpr std::array<uint32_t, 10> kSizes = {0, 1, 2, 3, 4, 8, 12, 16, 24, 32};
    return chance(90) ? pick(kSizes) : below(100);
  }

  void addRandomType(btf::Btf &b, Kind k) {
    const bool kflag = chance(5);
    uint32_t vlen = 0, nm = 0, sizeOrType = 0;
    std::vector<uint32_t> tail;
    switch (k) {
    case Kind::Int: {
      nm = name(b);
      sizeOrType = size();
      const uint32_t bits = chance(80) ? sizeOrType * 8 : below(140);
      const uint32_t enc = chance(85) ? pick(std::array<uint32_t, 4>{0, 1, 2, 4}) : below(16);
      tail.push_back(btf::makeIntEncoding(enc, chance(90) ? 0 : below(20), bits));
      vlen = chance(3) ? 1 : 0;
      break;
    }
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
      nm = chance(95) ? 0 : name(b);
      sizeOrType = ref();
      break;
    case Kind::Typedef:
    case Kind::TypeTag:
      nm = chance(90) ? b.addString("t") : name(b);
      sizeOrType = ref();
      break;
    case Kind::Fwd:
      nm = chance(90) ? b.addString("f") : name(b);
      sizeOrType = chance(95) ? 0 : 1;
      break;
    case Kind::Array:
      nm = chance(95) ? 0 : name(b);
      tail = {ref(), ref(), chance(80) ? below(5) : uint32_t(rng_())};
      break;
    case Kind::Struct:
    case Kind::Union: {
      nm = chance(80) ? b.addString("s") : name(b);
      sizeOrType = size();
      vlen = below(4);
      uint32_t off = 0;
      for (uint32_t i = 0; i < vlen; ++i) {
        const uint32_t bitfield = kflag ? (chance(50) ? 0 : below(40)) : 0;
        off += chance(70) ? pick(std::array<uint32_t, 5>{0, 8, 16, 32, 64}) : below(70);
        if (k == Kind::Union && chance(80))
          off = 0;
        if (chance(5))
          off = below(200);
        tail.insert(tail.end(), {chance(85) ? b.addString("m") : name(b), ref(),
                                 kflag ? (bitfield << 24) | off : off});
      }
      break;
    }
    case Kind::Enum:
    case Kind::Enum64:
      nm = chance(70) ? 0 : name(b);
      sizeOrType = chance(80) ? pick(std::array<uint32_t, 4>{1, 2, 4, 8}) : size();
      vlen = below(3);
      for (uint32_t i = 0; i < vlen; ++i) {
        tail.insert(tail.end(), {chance(90) ? b.addString("E") : name(b), uint32_t(rng_())});
        if (k == Kind::Enum64)
          tail.push_back(rng_());
      }
      break;
    case Kind::FuncProto:
      nm = chance(95) ? 0 : name(b);
      sizeOrType = chance(30) ? 0 : ref();
      vlen = below(4);
      for (uint32_t i = 0; i < vlen; ++i)
        tail.insert(tail.end(), {chance(70) ? b.addString("p") : name(b), ref()});
      break;
    case Kind::Func:
      nm = chance(90) ? b.addString("fn") : name(b);
      sizeOrType = ref();
      vlen = chance(90) ? below(2) : below(4);
      break;
    case Kind::Var:
      nm = chance(90) ? b.addString("v") : name(b);
      sizeOrType = ref();
      tail.push_back(chance(90) ? below(2) : below(4));
      vlen = chance(3) ? 1 : 0;
      break;
    case Kind::Datasec: {
      nm = chance(90) ? b.addString(".data") : name(b);
      vlen = below(4);
      uint32_t off = 0;
      for (uint32_t i = 0; i < vlen; ++i) {
        const uint32_t s = chance(85) ? pick(std::array<uint32_t, 5>{1, 2, 4, 8, 16}) : below(20);
        tail.insert(tail.end(), {ref(), off, s});
        off += chance(85) ? s : below(10);
      }
      sizeOrType = chance(80) ? off + below(8) : size();
      break;
    }
    case Kind::Float:
      nm = name(b);
      sizeOrType = chance(80) ? pick(std::array<uint32_t, 5>{2, 4, 8, 12, 16}) : size();
      break;
    case Kind::DeclTag:
      nm = chance(90) ? b.addString("tag") : 0;
      sizeOrType = ref();
      tail.push_back(chance(50) ? uint32_t(-1) : below(4) - (chance(10) ? 3 : 0));
      break;
    case Kind::Unkn:
      break;
    }
    b.addType(k, nm, vlen, kflag, sizeOrType, tail);
  }

  std::mt19937 &rng_;
  bool clean_ = false;
  uint32_t n_ = 0;
};

} // namespace

btf::Btf randomBtf(std::mt19937 &rng, RandomBtfShape shape) {
  Gen g(rng);
  return shape == RandomBtfShape::Chain ? g.chain() : g.graph();
}

} // namespace d2b::test
