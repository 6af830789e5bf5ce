#include "dwarf_layout.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <map>
#include <unistd.h>

namespace d2b::test {

namespace {

int noDebuginfo(Dwfl_Module *, void **, const char *, Dwarf_Addr, const char *, const char *,
                GElf_Word, char **) {
  return -1;
}

const Dwfl_Callbacks kCallbacks = {
    .find_elf = nullptr,
    .find_debuginfo = noDebuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

std::string nameOf(Dwarf_Die *d) {
  const char *n = dwarf_diename(d);
  return n ? n : "";
}

std::optional<uint64_t> udata(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  Dwarf_Word w;
  if (!dwarf_attr(d, at, &a) || dwarf_formudata(&a, &w) != 0)
    return std::nullopt;
  return w;
}

// The byte size of the type of `d` (a member): rustc gives every type a
// DW_AT_byte_size except through typedefs/qualifiers, which libdw follows.
uint64_t memberTypeSize(Dwarf_Die *d) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr(d, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
    return 0;
  Dwarf_Word s = 0;
  if (dwarf_aggregate_size(&t, &s) == 0)
    return s;
  return udata(&t, DW_AT_byte_size).value_or(0);
}

uint64_t memberOffset(Dwarf_Die *d) { return udata(d, DW_AT_data_member_location).value_or(0); }

class Walker {
public:
  std::vector<DwarfType> out;

  void walk(Dwarf_Die die, const std::string &scope) {
    Dwarf_Die c;
    if (!dwarf_haschildren(&die) || dwarf_child(&die, &c) != 0)
      return;
    do {
      const int tag = dwarf_tag(&c);
      switch (tag) {
      case DW_TAG_structure_type:
      case DW_TAG_union_type:
      case DW_TAG_enumeration_type:
        type(c, tag, scope);
        walk(c, join(scope, nameOf(&c)));
        break;
      case DW_TAG_namespace:
      case DW_TAG_subprogram:
      case DW_TAG_lexical_block:
        walk(c, tag == DW_TAG_lexical_block ? scope : join(scope, nameOf(&c)));
        break;
      default:
        break;
      }
    } while (dwarf_siblingof(&c, &c) == 0);
  }

  void linkOwners() {
    std::map<uint64_t, size_t> byDie;
    for (size_t i = 0; i < out.size(); ++i)
      byDie[out[i].die] = i;
    for (const DwarfType &t : out)
      for (const DwarfVariant &v : t.variants)
        if (auto it = byDie.find(v.typeDie); it != byDie.end() && !out[it->second].ownerDie) {
          out[it->second].ownerDie = t.die;
          out[it->second].ownerName = t.name;
        }
  }

private:
  static std::string join(const std::string &a, const std::string &b) {
    return a.empty() ? b : a + "::" + b;
  }

  void type(Dwarf_Die &d, int tag, const std::string &scope) {
    Dwarf_Attribute a;
    if (dwarf_attr(&d, DW_AT_declaration, &a))
      return;
    DwarfType t;
    t.kind = tag == DW_TAG_union_type         ? DwarfType::Kind::Union
             : tag == DW_TAG_enumeration_type ? DwarfType::Kind::Enum
                                              : DwarfType::Kind::Struct;
    t.die = dwarf_dieoffset(&d);
    t.name = nameOf(&d);
    t.scope = scope;
    t.size = udata(&d, DW_AT_byte_size).value_or(0);
    Dwarf_Die c;
    if (t.kind != DwarfType::Kind::Enum && dwarf_haschildren(&d) && dwarf_child(&d, &c) == 0) {
      do {
        const int ct = dwarf_tag(&c);
        if (ct == DW_TAG_member)
          t.members.push_back({nameOf(&c), memberOffset(&c), memberTypeSize(&c)});
        else if (ct == DW_TAG_variant_part)
          variantPart(c, t);
      } while (dwarf_siblingof(&c, &c) == 0);
    }
    out.push_back(std::move(t));
  }

  static void variantPart(Dwarf_Die &part, DwarfType &t) {
    t.variantPart = true;
    Dwarf_Attribute a;
    Dwarf_Die discr;
    const uint64_t discrDie = dwarf_attr(&part, DW_AT_discr, &a) && dwarf_formref_die(&a, &discr)
                                  ? dwarf_dieoffset(&discr)
                                  : 0;
    Dwarf_Die c;
    if (!dwarf_haschildren(&part) || dwarf_child(&part, &c) != 0)
      return;
    do {
      const int ct = dwarf_tag(&c);
      if (ct == DW_TAG_member && dwarf_dieoffset(&c) == discrDie) {
        t.discrOffset = memberOffset(&c);
        t.discrSize = memberTypeSize(&c);
      } else if (ct == DW_TAG_variant) {
        Dwarf_Die v;
        if (!dwarf_haschildren(&c) || dwarf_child(&c, &v) != 0)
          continue;
        do {
          if (dwarf_tag(&v) != DW_TAG_member)
            continue;
          DwarfVariant dv;
          dv.name = nameOf(&v);
          dv.offset = memberOffset(&v);
          Dwarf_Attribute ta;
          Dwarf_Die vt;
          if (dwarf_attr(&v, DW_AT_type, &ta) && dwarf_formref_die(&ta, &vt)) {
            dv.typeDie = dwarf_dieoffset(&vt);
            dv.typeName = nameOf(&vt);
          }
          t.variants.push_back(std::move(dv));
        } while (dwarf_siblingof(&v, &v) == 0);
      }
    } while (dwarf_siblingof(&c, &c) == 0);
  }
};

} // namespace

std::vector<DwarfType> readRustLayouts(const std::string &path, std::string *err) {
  elf_version(EV_CURRENT);
  Dwfl *dwfl = dwfl_begin(&kCallbacks);
  if (!dwfl) {
    *err = "dwfl_begin failed";
    return {};
  }
  dwfl_report_begin(dwfl);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  Dwfl_Module *mod = fd < 0 ? nullptr : dwfl_report_offline(dwfl, path.c_str(), path.c_str(), fd);
  dwfl_report_end(dwfl, nullptr, nullptr);
  Dwarf_Addr bias = 0;
  Dwarf *dw = mod ? dwfl_module_getdwarf(mod, &bias) : nullptr;
  if (!dw) {
    *err = path + ": no DWARF";
    dwfl_end(dwfl);
    return {};
  }
  Walker w;
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  while (dwarf_nextcu(dw, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu;
    if (dwarf_offdie(dw, off + hsize, &cu) &&
        udata(&cu, DW_AT_language).value_or(0) == DW_LANG_Rust)
      w.walk(cu, "");
    off = next;
  }
  w.linkOwners();
  dwfl_end(dwfl);
  return std::move(w.out);
}

} // namespace d2b::test
