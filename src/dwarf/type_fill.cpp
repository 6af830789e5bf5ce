// Filling graph nodes from type DIEs: one function per kind of type.
#include <fmt/format.h>

#include "builder.h"

namespace d2b::dwarf {

using model::NodeId;
using model::NodeKind;
using model::TypeNode;

namespace {

model::BaseEncoding baseEncoding(uint64_t ate) {
  switch (ate) {
  case DW_ATE_signed:
    return model::BaseEncoding::Signed;
  case DW_ATE_signed_char:
    return model::BaseEncoding::SignedChar;
  case DW_ATE_unsigned:
    return model::BaseEncoding::Unsigned;
  case DW_ATE_unsigned_char:
    return model::BaseEncoding::UnsignedChar;
  case DW_ATE_boolean:
    return model::BaseEncoding::Bool;
  case DW_ATE_float:
    return model::BaseEncoding::Float;
  case DW_ATE_complex_float:
  case DW_ATE_imaginary_float:
  case DW_ATE_decimal_float:
    return model::BaseEncoding::ComplexFloat;
  default:
    return model::BaseEncoding::Other;
  }
}

} // namespace

// ---- filling nodes ------------------------------------------------------------

Error UnitBuilder::fillPending() {
  // Filling may add nodes (types first reached through a reference); they
  // are appended and filled when the loop reaches them.
  for (NodeId id = 1; id < dies_.size(); ++id)
    fill(id, dies_[id]);
  return Error::success();
}

void UnitBuilder::fill(NodeId id, Dwarf_Die die) {
  // Work on a copy: filling adds nodes, which may move the node vector.
  TypeNode n = g_.node(id);
  const int tag = dwarf_tag(&die);
  if (id < unfilled_.size() && unfilled_[id]) {
    n.kind = nodeKindOf(tag);
    g_.node(id) = n;
    return;
  }
  DieAttrs attrs = attrsOf(die);
  filling_ = id;
  shallow_ = id < out_.external.size() && out_.external[id] != 0;
  // An external node's name is only read where lowering its neighbours
  // looks at it (the C int that indexes arrays).
  if (!shallow_ || tag == DW_TAG_base_type)
    n.name = attrs.name();
  switch (nodeKindOf(tag)) {
  case NodeKind::Base:
    fillBase(n, attrs);
    break;
  case NodeKind::Void:
    if (tag != DW_TAG_unspecified_type)
      warn(die, "dwarf.unsupported-type", "type has no BTF form; lowered to void");
    n.kind = NodeKind::Void;
    break;
  case NodeKind::Pointer:
    fillPointer(n, attrs);
    break;
  case NodeKind::Qualifier:
    n.kind = NodeKind::Qualifier;
    n.sub = uint8_t(tag == DW_TAG_const_type      ? model::Qualifier::Const
                    : tag == DW_TAG_volatile_type ? model::Qualifier::Volatile
                    : tag == DW_TAG_restrict_type ? model::Qualifier::Restrict
                                                  : model::Qualifier::Atomic);
    n.type = typeOf(attrs);
    break;
  case NodeKind::Typedef:
    n.kind = NodeKind::Typedef;
    n.type = typeOf(attrs);
    if (!shallow_) {
      std::vector<model::Annotation> tags;
      annotationsOf(attrs, [&](model::TagKind k, std::string_view v) {
        if (k == model::TagKind::DeclTag)
          tags.push_back({k, v});
      });
      n.tagFirst = g_.annotationCount();
      n.tagCount = uint32_t(tags.size());
      for (const auto &t : tags)
        g_.addAnnotation(t);
    }
    break;
  case NodeKind::Composite:
    fillComposite(n, attrs);
    break;
  case NodeKind::Enum:
    fillEnum(n, attrs);
    break;
  case NodeKind::Array:
    fillArray(n, attrs);
    break;
  case NodeKind::Subroutine:
    fillSubroutine(n, attrs);
    break;
  }
  g_.node(id) = n;
  filling_ = 0;
  shallow_ = false;
}

void UnitBuilder::fillBase(TypeNode &n, DieAttrs &attrs) {
  Dwarf_Die &die = attrs.die();
  n.kind = NodeKind::Base;
  n.sub = uint8_t(baseEncoding(attrs.udata(DW_AT_encoding).value_or(DW_ATE_unsigned)));
  std::optional<uint64_t> bytes = attrs.udata(DW_AT_byte_size);
  std::optional<uint64_t> bits = attrs.udata(DW_AT_bit_size);
  if (bits)
    n.bitSize = uint32_t(*bits);
  if (bytes) {
    n.byteSize = *bytes;
  } else if (bits) {
    n.byteSize = (*bits + 7) / 8;
  } else {
    warn(die, "dwarf.missing-byte-size", "base type without DW_AT_byte_size");
  }
}

void UnitBuilder::fillPointer(TypeNode &n, DieAttrs &attrs) {
  Dwarf_Die &die = attrs.die();
  const int tag = dwarf_tag(&die);
  n.kind = NodeKind::Pointer;
  n.sub = uint8_t(tag == DW_TAG_reference_type          ? model::PointerKind::Reference
                  : tag == DW_TAG_rvalue_reference_type ? model::PointerKind::RvalueReference
                  : tag == DW_TAG_ptr_to_member_type    ? model::PointerKind::PtrToMember
                                                        : model::PointerKind::Pointer);
  n.name = {}; // pointers are anonymous in BTF even if a producer names them
  n.type = typeOf(attrs);
  n.tagFirst = g_.annotationCount();
  if (!shallow_)
    annotationsOf(attrs, [&](model::TagKind k, std::string_view v) {
      if (k == model::TagKind::TypeTag) {
        g_.addAnnotation({k, v});
        ++n.tagCount;
      }
    });
}

bool UnitBuilder::memberOffset(DieAttrs &attrs, model::MemberNode &m) {
  Dwarf_Die &member = attrs.die();
  if (auto dbo = attrs.udata(DW_AT_data_bit_offset)) {
    m.bitOffset = *dbo;
    return true;
  }
  uint64_t byteOff = 0;
  Dwarf_Attribute a;
  if (attrs.get(DW_AT_data_member_location, &a)) {
    Dwarf_Word v;
    const unsigned form = dwarf_whatform(&a);
    if (form == DW_FORM_exprloc || form == DW_FORM_block1 || form == DW_FORM_block2 ||
        form == DW_FORM_block4 || form == DW_FORM_block) {
      // DWARF 2 style: a location expression, in practice DW_OP_plus_uconst.
      Dwarf_Op *ops = nullptr;
      size_t nops = 0;
      if (dwarf_getlocation(&a, &ops, &nops) != 0 || nops != 1 ||
          (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu)) {
        warn(member, "dwarf.bad-member-location",
             "DW_AT_data_member_location is not a constant offset; member placed at 0");
        return false;
      }
      byteOff = ops[0].number;
    } else if (dwarf_formudata(&a, &v) == 0) {
      byteOff = v;
    } else {
      warn(member, "dwarf.bad-member-location",
           "unreadable DW_AT_data_member_location; member placed at 0");
      return false;
    }
  }
  m.bitOffset = byteOff * 8;
  Dwarf_Attribute bo;
  if (m.bitSize && attrs.get(DW_AT_bit_offset, &bo)) {
    // DWARF 2/3 bitfields: DW_AT_bit_offset counts from the most significant
    // bit of a storage unit of DW_AT_byte_size bytes at the member location.
    std::optional<int64_t> bitOff = attrConstSigned(&bo, true);
    uint64_t storage = attrs.udata(DW_AT_byte_size).value_or(0);
    if (!storage) {
      Dwarf_Die t;
      if (typeRef(member, t))
        storage = typeByteSize(t).value_or(0);
    }
    if (!bitOff || !storage) {
      warn(member, "dwarf.bad-bit-offset", "cannot place DWARF 2/3 bitfield; placed at its byte");
      return false;
    }
    int64_t off;
    if (in_.order == std::endian::little)
      off = int64_t(byteOff * 8 + storage * 8) - *bitOff - int64_t(m.bitSize);
    else
      off = int64_t(byteOff * 8) + *bitOff;
    if (off < 0) {
      warn(member, "dwarf.bad-bit-offset", "bitfield starts before its struct; placed at 0");
      off = 0;
    }
    m.bitOffset = uint64_t(off);
  }
  return true;
}

void UnitBuilder::fillComposite(TypeNode &n, DieAttrs &attrs) {
  Dwarf_Die &die = attrs.die();
  const int tag = dwarf_tag(&die);
  n.kind = NodeKind::Composite;
  n.sub = uint8_t(tag == DW_TAG_union_type   ? model::CompositeKind::Union
                  : tag == DW_TAG_class_type ? model::CompositeKind::Class
                                             : model::CompositeKind::Struct);
  n.declaration = attrs.flag(DW_AT_declaration);
  std::optional<uint64_t> size = attrs.udata(DW_AT_byte_size);
  if (n.declaration)
    return;
  if (!size) {
    if (dwarf_haschildren(&die))
      warn(die, "dwarf.missing-byte-size",
           "struct/union without DW_AT_byte_size; encoded as a forward declaration");
    else
      warn(die, "dwarf.missing-byte-size",
           "struct/union without DW_AT_byte_size or members; encoded as a forward declaration");
    n.declaration = true;
    return;
  }
  n.byteSize = *size;
  if (shallow_)
    return;

  // Members and annotations go to the graph's side arrays contiguously per
  // owner, so collect them here first (in buffers kept across composites:
  // filling never nests).
  std::vector<model::MemberNode> &members = scratchMembers_;
  std::vector<std::pair<uint32_t, model::Annotation>> &memberTags = scratchMemberTags_;
  members.clear();
  memberTags.clear();
  pendingNames_.clear();
  std::vector<model::MemberNode> variants;
  std::vector<model::Annotation> own;
  Dwarf_Die c;
  if (firstChild(die, c)) {
    do {
      prime(c);
      const int ct = dwarf_tag(&c);
      if (ct == kTagLlvmAnnotation || ct == kTagGnuAnnotation) {
        readAnnotation(c, [&](model::TagKind k, std::string_view v) {
          if (k == model::TagKind::DeclTag)
            own.push_back({k, v});
        });
        continue;
      }
      if (ct == DW_TAG_variant_part) {
        // Rust data-carrying enums; C lowering ignores these members.
        n.variantPart = true;
        readVariantPart(c, variants, n.hasDiscr);
        continue;
      }
      if (ct != DW_TAG_member && ct != DW_TAG_inheritance)
        continue;
      DieAttrs ma = attrsOf(c);
      // Static data members are declarations, not storage.
      if (ct == DW_TAG_member && (ma.flag(DW_AT_external) || ma.flag(DW_AT_declaration)))
        continue;
      model::MemberNode m;
      // A member's name is usually the first touch of its bytes in
      // .debug_str, a cache miss: start them all loading, measure them once
      // the members are read.
      size_t room = 0;
      if (ct == DW_TAG_inheritance)
        m.name = std::string_view();
      else if (const char *p = ma.namePrefetched(room))
        pendingNames_.push_back({uint32_t(members.size()), p, room});
      else
        m.name = ma.name();
      m.type = typeOf(ma);
      m.bitSize = uint32_t(ma.udata(DW_AT_bit_size).value_or(0));
      memberOffset(ma, m);
      // Annotations are children or a DW_AT_GNU_annotation chain.
      if (dwarf_haschildren(&c) || ma.has(kAtGnuAnnotation))
        annotationsOf(ma, [&](model::TagKind k, std::string_view v) {
          if (k == model::TagKind::DeclTag)
            memberTags.push_back({uint32_t(members.size()), {k, v}});
        });
      members.push_back(m);
    } while (nextSibling(c));
  }
  for (const PendingName &pn : pendingNames_)
    members[pn.member].name = std::string_view(pn.start, strnlen(pn.start, pn.room));
  pendingNames_.clear();
  // The annotation children were read with the members; then GCC's chain.
  if (attrs.has(kAtGnuAnnotation))
    forEachChainedAnnotation(die, [&](model::TagKind k, std::string_view v) {
      if (k == model::TagKind::DeclTag)
        own.push_back({k, v});
    });
  size_t t = 0; // memberTags is in member order
  for (uint32_t i = 0; i < members.size(); ++i) {
    members[i].tagFirst = g_.annotationCount();
    for (; t < memberTags.size() && memberTags[t].first == i; ++t) {
      g_.addAnnotation(memberTags[t].second);
      ++members[i].tagCount;
    }
  }
  n.first = g_.memberCount();
  n.count = uint32_t(members.size());
  for (const model::MemberNode &m : members)
    g_.addMember(m);
  n.variantCount = uint32_t(variants.size());
  for (const model::MemberNode &m : variants)
    g_.addMember(m);
  n.tagFirst = g_.annotationCount();
  n.tagCount = uint32_t(own.size());
  for (const auto &t : own)
    g_.addAnnotation(t);
}

void UnitBuilder::readVariantPart(Dwarf_Die &part, std::vector<model::MemberNode> &out,
                                  bool &hasDiscr) {
  // rustc: the DW_AT_discr member is a child of the part; each DW_TAG_variant
  // holds one member typed by the variant's struct. Only the first variant
  // part of a composite is read.
  if (hasDiscr || !out.empty()) {
    diag_.count("dwarf.extra-variant-part");
    return;
  }
  Dwarf_Attribute a;
  Dwarf_Die discr;
  const bool discrRef = dwarf_attr(&part, DW_AT_discr, &a) && dwarf_formref_die(&a, &discr);
  const uint64_t discrOff = discrRef ? dwarf_dieoffset(&discr) : UINT64_MAX;
  std::vector<model::MemberNode> variants;
  Dwarf_Die c;
  if (!firstChild(part, c))
    return;
  do {
    prime(c);
    const int ct = dwarf_tag(&c);
    if (ct == DW_TAG_member && dwarf_dieoffset(&c) == discrOff) {
      model::MemberNode m;
      m.type = typeOf(c);
      DieAttrs attrs = attrsOf(c);
      memberOffset(attrs, m);
      out.insert(out.begin(), m);
      hasDiscr = true;
    } else if (ct == DW_TAG_variant) {
      Dwarf_Die v;
      if (!firstChild(c, v))
        continue;
      do {
        prime(v);
        if (dwarf_tag(&v) != DW_TAG_member)
          continue;
        model::MemberNode m;
        m.name = dieName(&v);
        m.type = typeOf(v);
        DieAttrs attrs = attrsOf(v);
        memberOffset(attrs, m);
        variants.push_back(m);
      } while (nextSibling(v));
    }
  } while (nextSibling(c));
  out.insert(out.end(), variants.begin(), variants.end());
}

bool UnitBuilder::enumIsSigned(Dwarf_Die &die) {
  // The underlying type decides when the producer gives one (DWARF 5, and
  // clang always); otherwise an enum is signed iff a value is negative.
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (typeRef(die, t)) {
    for (int depth = 0; depth < 8; ++depth) {
      int tag = dwarf_tag(&t);
      if (tag == DW_TAG_base_type) {
        uint64_t ate = attrUdata(&t, DW_AT_encoding).value_or(DW_ATE_unsigned);
        return ate == DW_ATE_signed || ate == DW_ATE_signed_char;
      }
      if (!typeRef(t, t))
        break;
    }
  }
  Dwarf_Die c;
  if (firstChild(die, c)) {
    do {
      prime(c);
      if (dwarf_tag(&c) != DW_TAG_enumerator || !dwarf_attr(&c, DW_AT_const_value, &a))
        continue;
      const unsigned form = dwarf_whatform(&a);
      if (form != DW_FORM_sdata && form != DW_FORM_implicit_const)
        continue;
      Dwarf_Sword s;
      if (dwarf_formsdata(&a, &s) == 0 && s < 0)
        return true;
    } while (nextSibling(c));
  }
  return false;
}

std::optional<int64_t> UnitBuilder::wideConst(Dwarf_Attribute &a, uint64_t &high) {
  // rustc writes u128/i128 enumerators as 16-byte blocks in the target's
  // byte order.
  Dwarf_Block b;
  if (dwarf_formblock(&a, &b) != 0 || b.length == 0 || b.length > 16)
    return std::nullopt;
  uint8_t bytes[16] = {};
  for (size_t i = 0; i < b.length; ++i)
    bytes[in_.order == std::endian::little ? i : b.length - 1 - i] = b.data[i];
  uint64_t low = 0;
  high = 0;
  for (int i = 7; i >= 0; --i) {
    low = low << 8 | bytes[i];
    high = high << 8 | bytes[i + 8];
  }
  return int64_t(low);
}

void UnitBuilder::fillEnum(TypeNode &n, DieAttrs &attrs) {
  Dwarf_Die &die = attrs.die();
  n.kind = NodeKind::Enum;
  n.declaration = attrs.flag(DW_AT_declaration);
  n.byteSize = attrs.udata(DW_AT_byte_size).value_or(0);
  if (!n.byteSize && !n.declaration) {
    Dwarf_Die t;
    if (typeRef(die, t))
      n.byteSize = typeByteSize(t).value_or(0);
  }
  if (shallow_)
    return;
  n.isSigned = enumIsSigned(die);
  n.first = g_.enumeratorCount();
  Dwarf_Die c;
  if (firstChild(die, c)) {
    do {
      prime(c);
      if (dwarf_tag(&c) != DW_TAG_enumerator)
        continue;
      DieAttrs ea = attrsOf(c);
      Dwarf_Attribute a;
      std::optional<int64_t> v;
      uint64_t high = 0;
      if (ea.get(DW_AT_const_value, &a)) {
        // Fixed-size forms hold unsigned values (gcc writes 225 as data1 0xe1
        // even in a signed enum); negative values come as sdata.
        v = attrConstSigned(&a, false);
        if (!v)
          v = wideConst(a, high);
      }
      if (!v)
        warn(c, "dwarf.bad-enumerator", "enumerator without a constant value; using 0");
      g_.addEnumerator({ea.name(), uint64_t(v.value_or(0)), high});
      ++n.count;
    } while (nextSibling(c));
  }
}

void UnitBuilder::fillArray(TypeNode &n, DieAttrs &attrs) {
  Dwarf_Die &die = attrs.die();
  n.kind = NodeKind::Array;
  n.name = {};
  n.type = typeOf(attrs);
  n.first = g_.dimCount();
  Dwarf_Die c;
  if (firstChild(die, c)) {
    do {
      prime(c);
      const int ct = dwarf_tag(&c);
      if (ct != DW_TAG_subrange_type && ct != DW_TAG_enumeration_type)
        continue;
      model::ArrayDim d;
      Dwarf_Attribute a;
      if (ct == DW_TAG_subrange_type) {
        DieAttrs ca = attrsOf(c);
        if (ca.get(DW_AT_count, &a)) {
          const unsigned form = dwarf_whatform(&a);
          if (constFormWidth(form) || form == DW_FORM_sdata || form == DW_FORM_udata ||
              form == DW_FORM_implicit_const)
            if (auto v = attrConstSigned(&a, false); v && *v > 0)
              d.count = uint64_t(*v);
        } else if (ca.get(DW_AT_upper_bound, &a)) {
          const unsigned form = dwarf_whatform(&a);
          int w = constFormWidth(form);
          // Non-constant bounds (VLAs: exprloc or a reference) stay 0. Fixed
          // size forms are unsigned (gcc writes `char a[256]` as data1 0xff),
          // except a data8 of all ones: older gcc's -1 for a zero-length array.
          if (w || form == DW_FORM_sdata || form == DW_FORM_udata ||
              form == DW_FORM_implicit_const) {
            std::optional<int64_t> upper = attrConstSigned(&a, w == 8);
            int64_t lower = 0;
            Dwarf_Attribute la;
            if (ca.get(DW_AT_lower_bound, &la))
              lower = attrConstSigned(&la, false).value_or(0);
            if (upper && *upper >= lower)
              d.count = uint64_t(*upper - lower) + 1;
          }
        }
      }
      g_.addDim(d);
      ++n.count;
    } while (nextSibling(c));
  }
}

void UnitBuilder::fillSubroutine(TypeNode &n, DieAttrs &attrs) {
  Dwarf_Die &die = attrs.die();
  n.kind = NodeKind::Subroutine;
  n.name = {};
  n.type = typeOf(attrs);
  std::vector<model::ParamNode> params;
  Dwarf_Die c;
  if (!shallow_ && firstChild(die, c)) {
    do {
      prime(c);
      const int ct = dwarf_tag(&c);
      if (ct == DW_TAG_formal_parameter) {
        // Prototype parameters are mostly unnamed: dieName would scan the
        // attributes twice (name, then an origin to take it from).
        DieAttrs pa = attrsOf(c);
        params.push_back({pa.name(), typeOf(pa)});
      } else if (ct == DW_TAG_unspecified_parameters)
        n.varargs = true;
    } while (nextSibling(c));
  }
  n.first = g_.paramCount();
  n.count = uint32_t(params.size());
  for (const auto &p : params)
    g_.addParam(p);
}

} // namespace d2b::dwarf
