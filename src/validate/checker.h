#pragma once
/// Internal to src/validate: the state of checking one level of BTF the way
/// the kernel's BTF verifier does (kernel/bpf/btf.c, Linux 6.18).
///
/// The kernel verifies in two passes. The meta pass walks the type section
/// front to back, checking each type on its own (names, kind_flag, vlen,
/// member offsets...). The resolve pass then visits every type in id order
/// and, for types that refer to others, runs an explicit-stack depth-first
/// walk (at most 32 deep) until each referenced type has a known size;
/// members, array elements, variables and function arguments are checked
/// once their types are resolved. A modifier/type-tag chain check follows.
///
/// We reproduce that walk step by step because its order decides which
/// error the kernel reports first, and its quirks (what counts as a "sink"
/// in each resolve mode, which checks are skipped when a type had to be
/// pushed first) decide whether some BTF is accepted at all.
///
/// Unlike the kernel we continue after an error. A type that failed is
/// "tainted": the resolve pass does not start from it, and a walk that meets
/// it stops quietly (kTainted) so the same root cause is reported once.
///
/// Files: checker.h (this), meta_pass.cpp (pass 1), resolve_pass.cpp
/// (pass 2 walk), member_checks.cpp (per-kind member rules), kernel_log.cpp
/// (log line text), names.cpp (identifier rules), validate.cpp (driver,
/// header checks, type-tag chains).
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/validate/validate.h"

namespace d2b::validate::detail {

inline constexpr int kEnotsupp = 524; // the kernel-internal ENOTSUPP
inline constexpr uint32_t kMaxResolveDepth = 32;
inline constexpr uint32_t kMaxBtfSize = 16u << 20;
inline constexpr uint32_t kMaxTypeId = 0xfffff;
inline constexpr uint32_t kPtrSize = 8; // sizeof(void *) of a 64-bit kernel
/// Internal result: the walk met a tainted type and stopped without a report.
inline constexpr int kTainted = -100000;

/// Kernel-locale character classes (lib/ctype.c: ASCII plus Latin-1).
bool kernelIsAlpha(unsigned char c);
bool kernelIsAlnum(unsigned char c);
bool kernelIsPrint(unsigned char c);
/// btf_name_valid_identifier: [A-Za-z_.][A-Za-z0-9_.]*, 1..maxLen bytes
/// (no '.' when !relaxed).
bool validIdentifier(std::string_view s, const ValidateOptions &opts);
/// btf_name_valid_section: 1..maxLen printable bytes (an identifier that
/// may contain '.' when !relaxed).
bool validSectionName(std::string_view s, const ValidateOptions &opts);

/// A struct/union member as the member checks see it; the type may be
/// replaced by its resolved id when a modifier is looked through.
struct MemberRef {
  uint32_t nameOff = 0;
  uint32_t type = 0;
  uint32_t offset = 0; // raw offset word
};

// Accessors on a type's words (header + tail, host order).
inline btf::Kind kindOf(const uint32_t *t) { return btf::Kind(btf::infoKindRaw(t[1])); }
inline uint32_t vlenOf(const uint32_t *t) { return btf::infoVlen(t[1]); }
inline bool kflagOf(const uint32_t *t) { return btf::infoKflag(t[1]); }
inline const uint32_t *tailOf(const uint32_t *t) { return t + 3; }

/// The kernel's "modifiers": kinds whose size is that of the type they name.
constexpr bool isModifierKind(btf::Kind k) {
  switch (k) {
  case btf::Kind::Typedef:
  case btf::Kind::Volatile:
  case btf::Kind::Const:
  case btf::Kind::Restrict:
  case btf::Kind::TypeTag:
    return true;
  case btf::Kind::Unkn:
  case btf::Kind::Int:
  case btf::Kind::Ptr:
  case btf::Kind::Array:
  case btf::Kind::Struct:
  case btf::Kind::Union:
  case btf::Kind::Enum:
  case btf::Kind::Fwd:
  case btf::Kind::Func:
  case btf::Kind::FuncProto:
  case btf::Kind::Var:
  case btf::Kind::Datasec:
  case btf::Kind::Float:
  case btf::Kind::DeclTag:
  case btf::Kind::Enum64:
    return false;
  }
  return false;
}
inline bool isModifier(const uint32_t *t) { return isModifierKind(kindOf(t)); }

/// One level of BTF (standalone, or the split part on top of `base`).
class Checker {
public:
  /// Whether the level's own violations are wanted (Reported), or it is
  /// only the base of a split being validated: then only what the split's
  /// checks look up is computed (the type index, resolved ids and sizes),
  /// and the checks that cannot change it (names, function prototypes,
  /// type-tag chains, special fields) are skipped. The kernel does the same
  /// for module BTF on vmlinux, which it verified at boot. A Base level
  /// resolves every type in its run(), so it can be shared between threads
  /// (PreparedBase); a LazyBase level resolves a type when a split first
  /// asks for it (a small module needs a few hundred of vmlinux's ~100 k).
  /// For a base that passes every check the lookups are the same either way.
  enum class Role : uint8_t { Reported, Base, LazyBase };
  /// `base` must have run() already when given.
  Checker(const btf::Btf &btf, const ValidateOptions &opts, const Checker *base,
          Role role = Role::Reported);

  /// Runs every pass, appending violations to `out` in kernel order.
  void run(std::vector<Violation> &out);

  // Lookups with kernel semantics, usable by a split level on its base.
  /// btf_type_by_id: the void sentinel for 0, nullptr past the last type.
  const uint32_t *type(uint32_t id) const;
  uint32_t resolvedId(uint32_t id) const;
  uint32_t resolvedSize(uint32_t id) const;
  bool nameOffsetValid(uint32_t off) const;
  /// The string at a valid offset.
  std::string_view str(uint32_t off) const;
  /// __btf_name_by_offset: "(anon)" for 0, "(invalid-name-offset)" if bad.
  std::string_view displayName(uint32_t off) const;

private:
  enum class Visit : uint8_t { NotVisited, Visited, Resolved };
  enum class Mode : uint8_t { Tbd, Ptr, StructOrArray };
  struct Vertex {
    const uint32_t *t;
    uint32_t id;
    uint32_t nextMember;
  };
  /// Outcome of checking one type in the meta pass.
  struct MetaResult {
    int err = 0;
    uint32_t bytes = 0;      // size of the type, when known
    bool canContinue = true; // false: the section cannot be walked further
  };

  // validate.cpp
  void checkHeader();
  void checkTypeTags();
  // special_fields.cpp
  void checkSpecialFields();

  // meta_pass.cpp
  bool metaPass();
  /// LazyBase: only cuts the section into types (tainted_ kMetaUnchecked);
  /// false, with nothing recorded, when that needs the full pass.
  bool indexOnly();
  /// tainted_[i], running type i's meta checks first if indexOnly() left
  /// them for later. The checks look at the type alone, so running them late
  /// gives what the full pass would have.
  bool taintedAt(uint32_t i) const;
  MetaResult checkMeta(const uint32_t *t, uint32_t metaLeft);
  int intMeta(const uint32_t *t, uint32_t metaLeft);
  int refMeta(const uint32_t *t);
  int fwdMeta(const uint32_t *t);
  int arrayMeta(const uint32_t *t, uint32_t metaLeft);
  int compositeMeta(const uint32_t *t, uint32_t metaLeft);
  int enumMeta(const uint32_t *t, uint32_t metaLeft, uint32_t entryWords);
  int funcProtoMeta(const uint32_t *t, uint32_t metaLeft);
  int funcMeta(const uint32_t *t);
  int varMeta(const uint32_t *t, uint32_t metaLeft);
  int datasecMeta(const uint32_t *t, uint32_t metaLeft);
  int floatMeta(const uint32_t *t);
  int declTagMeta(const uint32_t *t, uint32_t metaLeft);
  bool metaLeftShort(const uint32_t *t, uint32_t metaLeft, uint32_t needed);

  // resolve_pass.cpp
  void resolvePass();
  int resolveRoot(const uint32_t *t, uint32_t id);
  int resolveStep(const Vertex &v);
  int modifierResolve(const Vertex &v);
  int ptrResolve(const Vertex &v);
  int varResolve(const Vertex &v);
  int arrayResolve(const Vertex &v);
  int compositeResolve(const Vertex &v);
  int datasecResolve(const Vertex &v);
  int funcResolve(const Vertex &v);
  int declTagResolve(const Vertex &v);
  int funcCheck(const uint32_t *t);
  int funcProtoCheck(const uint32_t *t);
  bool resolveValid(const uint32_t *t, uint32_t id);
  int push(const uint32_t *t, uint32_t id);
  void popResolved(uint32_t resolvedId, uint32_t resolvedSize);
  void setNextMember(uint32_t next) { stack_.back().nextMember = next; }
  void abandonWalk(int err, uint32_t failingId);
  /// LazyBase: resolves own type `index` now, unless it is resolved, failed,
  /// needs no resolving, or one of this level's walks is under way (which
  /// pushes what it needs itself). Called through the const lookups a
  /// split uses; a LazyBase level belongs to one validate() call.
  void resolveOnDemand(uint32_t index) const;
  bool isSink(const uint32_t *t) const;
  bool isResolved(uint32_t id) const;
  bool isTainted(uint32_t id) const;
  /// btf_type_id_size: the sized type `id` stands for (looking through
  /// resolved modifiers and variables), updating `id`; nullptr if none.
  const uint32_t *typeIdSize(uint32_t &id, uint32_t *size) const;
  /// btf_type_id_resolve: follows the resolved id of `id`.
  const uint32_t *typeIdResolve(uint32_t &id) const;
  bool isVoid(const uint32_t *t) const;

  // member_checks.cpp
  int checkMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt, bool kflagRules);
  int intMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt);
  int intKflagMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt);
  int enumKflagMember(const uint32_t *st, const MemberRef &m);
  int sizedMember(const uint32_t *st, const MemberRef &m, uint32_t memberSize);
  int floatMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt);
  int modifierMember(const uint32_t *st, const MemberRef &m, bool kflagRules);

  // kernel_log.cpp
  /// The "[id] KIND name" prefix, with the kind's details when `details`.
  std::string typeLine(const uint32_t *t, bool details) const;
  std::string kindDetails(const uint32_t *t) const;
  std::string memberLine(const uint32_t *st, const MemberRef &m) const;
  std::string vsiLine(const uint32_t *vsi) const;
  /// Records a violation blamed on the type being logged (logTypeId_);
  /// `context` is that type's line when kernelLine is a member/entry line.
  int fail(std::string kernelLine, std::string message, int err = EINVAL, std::string context = "");
  int failType(const uint32_t *t, std::string message, int err = EINVAL) {
    return fail(typeLine(t, true), std::move(message), err);
  }
  int failBasic(const uint32_t *t, std::string message, int err = EINVAL) {
    return fail(typeLine(t, false), std::move(message), err);
  }
  int failMember(const uint32_t *st, const MemberRef &m, std::string message) {
    return fail(memberLine(st, m), std::move(message), EINVAL, typeLine(st, true));
  }
  int failVsi(const uint32_t *datasec, const uint32_t *vsi, std::string message) {
    return fail(vsiLine(vsi), std::move(message), EINVAL, typeLine(datasec, true));
  }
  /// Records a rejection the kernel does not log; the message is ours.
  int failUnlogged(std::string message, int err);

  bool ownIndex(uint32_t id, uint32_t &index) const;
  /// The name checks of the meta pass (always true for a base level).
  bool identifierOk(uint32_t off) const {
    return role_ != Role::Reported || validIdentifier(str(off), opts_);
  }
  bool sectionNameOk(uint32_t off) const {
    return role_ != Role::Reported || validSectionName(str(off), opts_);
  }

  const btf::Btf &btf_;
  const ValidateOptions &opts_;
  const Checker *base_;
  Role role_;
  uint32_t firstId_;
  std::vector<uint32_t> offsets_; // word offset of each own type, as parsed
  std::vector<Visit> visit_;
  std::vector<uint32_t> resolvedIds_;
  std::vector<uint32_t> resolvedSizes_;
  std::vector<uint8_t> tainted_; // 0, 1, or kMetaUnchecked (see indexOnly)
  static constexpr uint8_t kMetaUnchecked = 2;
  std::vector<Vertex> stack_;
  Mode mode_ = Mode::Tbd;
  bool resolvable_ = false; // LazyBase: run() parsed every type
  bool metaPhase_ = true;
  uint32_t logTypeId_ = 0;
  std::vector<Violation> *out_ = nullptr;
};

} // namespace d2b::validate::detail
