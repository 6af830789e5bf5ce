#pragma once
/// Internal to the case files (bad_btf_cases*.cpp, valid_btf_cases.cpp):
/// small builders so each case reads as the BTF it describes.
#include <cerrno>

#include "bad_btf_cases.h"

namespace d2b::test::cases {

using btf::Btf;
using btf::Kind;
using btf::Member;

inline uint32_t u8(Btf &b) { return b.addInt("u8", 1, 0); }
inline uint32_t u32(Btf &b) { return b.addInt("u32", 4, 0); }
inline uint32_t u64(Btf &b) { return b.addInt("u64", 8, 0); }
inline uint32_t raw(Btf &b, Kind k, uint32_t nameOff, uint32_t vlen, bool kflag,
                    uint32_t sizeOrType, std::vector<uint32_t> tail = {}) {
  std::vector<uint32_t> w{nameOff, btf::makeInfo(k, vlen, kflag), sizeOrType};
  w.insert(w.end(), tail.begin(), tail.end());
  return b.addRawType(w);
}
inline uint32_t rawWords(Btf &b, std::vector<uint32_t> w) { return b.addRawType(w); }
inline uint32_t structOf(Btf &b, const char *name, uint32_t size, std::vector<Member> members,
                         bool isUnion = false) {
  return b.addComposite(isUnion, name, size, members);
}
inline uint32_t protoOf(Btf &b, uint32_t ret, std::vector<btf::Param> params) {
  return b.addFuncProto(ret, params);
}

inline BtfCase bad(std::string name, std::function<Btf()> build, uint32_t id, std::string line,
                   std::string msg, int err = EINVAL) {
  return BtfCase{std::move(name), std::move(build), id, std::move(line), std::move(msg), err};
}
/// A rejection of the special-field phase, which the kernel does not log.
inline BtfCase unlogged(std::string name, std::function<Btf()> build, uint32_t id, std::string msg,
                        int err) {
  return BtfCase{std::move(name), std::move(build), id, "", std::move(msg), err, false};
}
inline uint32_t lockOf(Btf &b, uint32_t member, const char *name = "bpf_spin_lock",
                       uint32_t size = 4) {
  return structOf(b, name, size, {{"val", member, 0}});
}
/// bpf_list_node (24 bytes), bpf_list_head (16) and an element type "elem"
/// with a "node" member; returns the list head's id.
inline uint32_t listTypes(Btf &b) {
  uint32_t l = b.addInt("long", 8, btf::kIntSigned);
  uint32_t node = structOf(b, "bpf_list_node", 24, {{"a", l, 0}, {"b", l, 64}, {"c", l, 128}});
  uint32_t head = structOf(b, "bpf_list_head", 16, {{"a", l, 0}, {"b", l, 64}});
  structOf(b, "elem", 32, {{"v", l, 0}, {"node", node, 64}});
  return head;
}

inline BtfCase good(std::string name, std::function<Btf()> build) {
  BtfCase c;
  c.name = std::move(name);
  c.build = std::move(build);
  return c;
}

/// Cases breaking the meta-pass rules (structure, names, per-kind fields).
void addMetaCases(std::vector<BtfCase> &c);
/// Cases breaking resolve-pass, type-tag and special-field rules.
void addResolveCases(std::vector<BtfCase> &c);
/// Blobs the kernel accepts.
void addValidCases(std::vector<BtfCase> &c);

} // namespace d2b::test::cases
