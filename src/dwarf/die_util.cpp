#include "die_util.h"

#include <array>

#include <fmt/format.h>

namespace d2b::dwarf {

Dwarf_Die followSignature(Dwarf_Die die) {
  Dwarf_Attribute a;
  Dwarf_Die full;
  if (dwarf_attr(&die, DW_AT_signature, &a) && dwarf_formref_die(&a, &full))
    return full;
  return die;
}

bool typeRef(Dwarf_Die &die, Dwarf_Die &out, bool integrate) {
  Dwarf_Attribute a;
  if (!(integrate ? dwarf_attr_integrate(&die, DW_AT_type, &a)
                  : dwarf_attr(&die, DW_AT_type, &a)) ||
      !dwarf_formref_die(&a, &out))
    return false;
  out = followSignature(out);
  return true;
}

DieAttrs::DieAttrs(Dwarf_Die &die, DieScanner *scanner) : die_(die) {
  const unsigned char *values;
  const DieScanner::Info *info = scanner ? scanner->infoAt(die, values) : nullptr;
  if (info) {
    auto keep = [&](int slot, unsigned name, unsigned form, const unsigned char *valp) {
      present_ |= 1u << slot;
      if (form == DW_FORM_implicit_const)
        viaLibdw_ |= 1u << slot;
      else
        attrs_[slot] = Dwarf_Attribute{name, form, const_cast<unsigned char *>(valp), die.cu};
    };
    const unsigned char *end;
    if (info->hasTracked) {
      // Fixed-size values: the kept ones are at known offsets.
      end = scanner->fixedValuesEnd(*info, values);
      if (end)
        for (const DieScanner::Tracked &t : scanner->trackedOf(*info))
          keep(t.slot, t.name, t.form, values + t.offset);
    } else {
      end = scanner->forEachValue(*info, values,
                                  [&](unsigned name, unsigned form, const unsigned char *valp) {
                                    const int slot = slotOf(name);
                                    if (slot >= 0 && !(present_ & (1u << slot)))
                                      keep(slot, name, form, valp);
                                  });
    }
    if (end) {
      complete_ = true;
      scanner_ = scanner;
      scanner->noteValuesEnd(static_cast<const unsigned char *>(die.addr), *info, end);
      return;
    }
    present_ = viaLibdw_ = 0;
  }
  complete_ = dwarf_getattrs(&die, &DieAttrs::collect, this, 0) == 1;
}

int DieAttrs::collect(Dwarf_Attribute *a, void *self) {
  auto *d = static_cast<DieAttrs *>(self);
  const int slot = slotOf(dwarf_whatattr(a));
  if (slot >= 0 && !(d->present_ & (1u << slot))) {
    d->present_ |= 1u << slot;
    d->attrs_[slot] = *a;
  }
  return DWARF_CB_OK;
}

std::optional<uint64_t> DieAttrs::udata(unsigned at) {
  Dwarf_Attribute a;
  if (!get(at, &a))
    return std::nullopt;
  if (scanner_) {
    // libdw reads data4/data8 as section offsets for attributes that may be
    // location or range lists in DWARF 2/3; the others are plain constants.
    const bool plain = at != DW_AT_data_member_location && at != DW_AT_location &&
                       at != DW_AT_ranges && at != DW_AT_low_pc && at != DW_AT_entry_pc;
    if (std::optional<uint64_t> v = scanner_->constant(a.form, a.valp, plain))
      return v;
  }
  Dwarf_Word v;
  if (dwarf_formudata(&a, &v) != 0)
    return std::nullopt;
  return v;
}

bool DieAttrs::flag(unsigned at) {
  Dwarf_Attribute a;
  if (!get(at, &a))
    return false;
  if (scanner_ && a.form == DW_FORM_flag_present)
    return true;
  if (scanner_ && a.form == DW_FORM_flag)
    return *a.valp != 0;
  return formFlag(a);
}

std::string_view DieAttrs::string(Dwarf_Attribute &a) const {
  if (scanner_ && a.cu == die_.cu) // not an origin's attribute from elsewhere
    if (std::optional<std::string_view> s = scanner_->strp(a.form, a.valp))
      return *s;
  return formString(a);
}

std::string_view DieAttrs::name() {
  Dwarf_Attribute a;
  if (get(DW_AT_name, &a))
    return string(a);
  // Absent here: dwarf_diename would look through the origin chain.
  if (!complete_ || hasOrigin())
    return dieName(&die_);
  return {};
}

const char *DieAttrs::namePrefetched(size_t &room) {
  Dwarf_Attribute a;
  if (!scanner_ || !get(DW_AT_name, &a) || a.cu != die_.cu)
    return nullptr;
  const char *p = scanner_->strpStart(a.form, a.valp, room);
  if (p)
    __builtin_prefetch(p);
  return p;
}

bool DieAttrs::getIntegrate(unsigned at, Dwarf_Attribute *out) {
  if (get(at, out))
    return true;
  // dwarf_attr_integrate looks further only through these two.
  if (complete_ && !hasOrigin())
    return false;
  return dwarf_attr_integrate(&die_, at, out) != nullptr;
}

std::string_view DieAttrs::stringIntegrate(unsigned at) {
  Dwarf_Attribute a;
  return getIntegrate(at, &a) ? string(a) : std::string_view();
}

bool DieAttrs::flagIntegrate(unsigned at) {
  Dwarf_Attribute a;
  return getIntegrate(at, &a) && formFlag(a);
}

std::optional<uint64_t> typeByteSize(Dwarf_Die die) {
  uint64_t factor = 1;                       // product of the array dimensions crossed so far
  for (int depth = 0; depth < 32; ++depth) { // bounded: a corrupt chain may loop
    die = followSignature(die);
    if (auto sz = attrUdata(&die, DW_AT_byte_size))
      return *sz * factor;
    switch (dwarf_tag(&die)) {
    case DW_TAG_array_type: {
      uint64_t n = 1;
      Dwarf_Die c;
      if (dwarf_haschildren(&die) && dwarf_child(&die, &c) == 0) {
        do {
          if (dwarf_tag(&c) != DW_TAG_subrange_type)
            continue;
          if (auto cnt = attrUdata(&c, DW_AT_count)) {
            n *= *cnt;
          } else if (auto up = attrUdata(&c, DW_AT_upper_bound)) {
            uint64_t lo = attrUdata(&c, DW_AT_lower_bound).value_or(0);
            n *= *up >= lo ? *up - lo + 1 : 0;
          } else {
            n = 0; // flexible or variable length
          }
        } while (dwarf_siblingof(&c, &c) == 0);
      }
      factor *= n;
      break;
    }
    case DW_TAG_typedef:
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
    case DW_TAG_immutable_type:
    case DW_TAG_packed_type:
    case DW_TAG_shared_type:
    case DW_TAG_enumeration_type:
      break;
    default: {
      Dwarf_Word sz;
      if (dwarf_aggregate_size(&die, &sz) == 0)
        return sz * factor;
      return std::nullopt;
    }
    }
    Dwarf_Die next;
    if (!typeRef(die, next))
      return std::nullopt;
    die = next;
  }
  return std::nullopt;
}

std::string tagName(int tag) {
  switch (tag) {
#define T(x)                                                                                       \
  case x:                                                                                          \
    return #x;
    T(DW_TAG_base_type)
    T(DW_TAG_pointer_type)
    T(DW_TAG_reference_type)
    T(DW_TAG_rvalue_reference_type)
    T(DW_TAG_ptr_to_member_type)
    T(DW_TAG_const_type)
    T(DW_TAG_volatile_type)
    T(DW_TAG_restrict_type)
    T(DW_TAG_atomic_type)
    T(DW_TAG_typedef)
    T(DW_TAG_structure_type)
    T(DW_TAG_union_type)
    T(DW_TAG_class_type)
    T(DW_TAG_enumeration_type)
    T(DW_TAG_enumerator)
    T(DW_TAG_array_type)
    T(DW_TAG_subrange_type)
    T(DW_TAG_subroutine_type)
    T(DW_TAG_unspecified_type)
    T(DW_TAG_member)
    T(DW_TAG_inheritance)
    T(DW_TAG_subprogram)
    T(DW_TAG_variable)
    T(DW_TAG_formal_parameter)
    T(DW_TAG_compile_unit)
    T(DW_TAG_type_unit)
    T(DW_TAG_partial_unit)
    T(DW_TAG_string_type)
    T(DW_TAG_set_type)
    T(DW_TAG_variant_part)
#undef T
  case kTagLlvmAnnotation:
    return "DW_TAG_LLVM_annotation";
  case kTagGnuAnnotation:
    return "DW_TAG_GNU_annotation";
  default:
    return fmt::format("DW_TAG_{:#x}", tag);
  }
}

bool isComposite(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type ||
         tag == DW_TAG_interface_type;
}

} // namespace d2b::dwarf
