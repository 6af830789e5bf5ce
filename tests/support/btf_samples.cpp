#include "btf_samples.h"

#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdexcept>
#include <unistd.h>

#include "test_support.h"

namespace d2b::test {

using namespace btf;

void addEveryKind(Btf &b) {
  // Ids are noted as /* [N] */; several types refer forward to later ids.
  const uint32_t tInt = b.addInt("int", 4, kIntSigned);                           /* [1] */
  const uint32_t tUInt = b.addInt("unsigned int", 4, 0);                          /* [2] */
  const uint32_t tChar = b.addInt("char", 1, kIntChar);                           /* [3] */
  b.addInt("_Bool", 1, kIntBool);                                                 /* [4] */
  const uint32_t tULong = b.addInt("long unsigned int", 8, 0);                    /* [5] */
  const uint32_t tLL = b.addInt("long long int", 8, kIntSigned);                  /* [6] */
  const uint32_t tShort = b.addInt("short int", 2, kIntSigned);                   /* [7] */
  b.addInt("__int128 unsigned", 16, 0);                                           /* [8] */
  const uint32_t tNarrow = b.addInt("unsigned int", 4, 0, /*bits=*/5, /*off=*/2); /* [9] */
  b.addFloat("double", 8);                                                        /* [10] */
  b.addFloat("float", 4);                                                         /* [11] */
  const uint32_t tIntP = b.addPtr(tInt);                                          /* [12] */
  const uint32_t tCChar = b.addConst(tChar);                                      /* [13] */
  const uint32_t tCCharP = b.addPtr(tCChar);                                      /* [14] */
  const uint32_t tVInt = b.addVolatile(tInt);                                     /* [15] */
  const uint32_t tRIntP = b.addRestrict(tIntP);                                   /* [16] */
  const uint32_t tChar16 = b.addArray(tChar, tUInt, 16);                          /* [17] */
  b.addArray(tChar16, tUInt, 4);                                                  /* [18] */
  Member point[] = {{"x", tInt, 0}, {"y", tInt, 32}};
  const uint32_t tPoint = b.addComposite(false, "point", 8, point); /* [19] */
  Member num[] = {{"i", tInt, 0}, {"l", tULong, 0}};
  b.addComposite(true, "num", 8, num); /* [20] */
  EnumValue color[] = {{"RED", 0}, {"GREEN", 1}, {"BLUE", 4294967295u}};
  const uint32_t tColor = b.addEnum("color", 4, false, color); /* [21] */
  EnumValue sign[] = {{"NEG", uint64_t(-1)}, {"POS", 1}};
  b.addEnum("sign", 4, true, sign); /* [22] */
  EnumValue big[] = {{"HUGE", 1ull << 40}, {"ONE", 1}};
  const uint32_t tBig = b.addEnum("big", 8, false, big); /* [23] */
  EnumValue sbig[] = {{"SMALLEST", uint64_t(INT64_MIN)}, {"MINUS_TWO", uint64_t(-2)}};
  b.addEnum("sbig", 8, true, sbig); /* [24] */
  EnumValue tiny[] = {{"T0", 0}, {"T1", 1}};
  const uint32_t tTiny = b.addEnum("tiny", 1, false, tiny); /* [25] */
  const uint32_t tFwd = b.addFwd("opaque", false);          /* [26] */
  const uint32_t tUFwd = b.addFwd("ufwd", true);            /* [27] */
  b.addTypedef("point_t", tPoint);                          /* [28] */
  Param params[] = {{"a", tInt}, {"s", tCCharP}, {"", 0}};
  const uint32_t tProto = b.addFuncProto(tInt, params);                             /* [29] */
  const uint32_t fAdd = b.addFunc("add", tProto, FuncLinkage::Global);              /* [30] */
  b.addFunc("helper", tProto, FuncLinkage::Static);                                 /* [31] */
  b.addFunc("ext_fn", tProto, FuncLinkage::Extern);                                 /* [32] */
  const uint32_t vCounter = b.addVar("counter", tInt, VarLinkage::GlobalAllocated); /* [33] */
  const uint32_t vLocal = b.addVar("local", tInt, VarLinkage::Static);              /* [34] */
  const uint32_t vExt = b.addVar("ext_var", tInt, VarLinkage::GlobalExtern);        /* [35] */
  SecVar data[] = {{vCounter, 0, 4}, {vLocal, 4, 4}};
  b.addDatasec(".data", 8, data); /* [36] */
  SecVar ksyms[] = {{vExt, 0, 4}};
  b.addDatasec(".ksyms", 0, ksyms);                  /* [37] */
  b.addDeclTag("kfunc", fAdd, -1);                   /* [38] */
  b.addDeclTag("arg_tag", fAdd, 1);                  /* [39] */
  const uint32_t tUser = b.addTypeTag("user", tInt); /* [40] */
  const uint32_t tUserP = b.addPtr(tUser);           /* [41] */
  Member flags[] = {{"a", tUInt, 0, 3},
                    {"b", tUInt, 3, 5},
                    {"c", tInt, 8, 1},
                    {"d", tChar, 16, 0},
                    {"e", tUInt, 32, 20}};
  b.addComposite(false, "flags", 8, flags); /* [42] */
  Member legacy[] = {{"m", tNarrow, 0}, {"n", tChar, 8}};
  b.addComposite(false, "legacy", 4, legacy); /* [43] */
  const uint32_t tNodeP = b.addPtr(45);       /* [44] */
  Member node[] = {{"next", tNodeP, 0}, {"val", tInt, 64}};
  b.addComposite(false, "node", 16, node); /* [45] */
  Member packed[] = {{"c", tChar, 0}, {"i", tInt, 8}};
  b.addComposite(false, "packed_s", 5, packed); /* [46] */
  Member padded[] = {{"c", tChar, 0}, {"i", tInt, 64}};
  b.addComposite(false, "padded", 12, padded); /* [47] */
  Member a64[] = {{"x", tInt, 0}};
  const uint32_t tA64 = b.addComposite(false, "aligned64", 64, a64); /* [48] */
  Member outer[] = {{"a", tA64, 0}, {"b", tChar, 512}};
  b.addComposite(false, "outer", 128, outer); /* [49] */
  Member ual[] = {{"x", tInt, 0}};
  b.addComposite(true, "ualigned", 16, ual); /* [50] */
  Member holder[] = {{"", 52, 0}, {"inner", 53, 64}, {"grid", 55, 128}};
  b.addComposite(false, "anon_holder", 24, holder); /* [51] */
  Member u[] = {{"u1", tInt, 0}, {"u2", tULong, 0}};
  b.addComposite(true, "", 8, u); /* [52] */
  Member inner[] = {{"p", tIntP, 0}};
  b.addComposite(false, "", 8, inner);                   /* [53] */
  const uint32_t tShort2 = b.addArray(tShort, tUInt, 2); /* [54] */
  b.addArray(tShort2, tUInt, 2);                         /* [55] */
  const uint32_t tCb = b.addTypedef("cb_t", 57);         /* [56] */
  const uint32_t tProtoP = b.addPtr(tProto);             /* [57] */
  Member ops[] = {{"cb", tCb, 0}, {"raw", tProtoP, 64}};
  b.addComposite(false, "ops", 16, ops); /* [58] */
  Member point2[] = {{"z", tInt, 0}};
  const uint32_t tPoint2 = b.addComposite(false, "point", 4, point2); /* [59] */
  b.addTypedef("point_t", tPoint2);                                   /* [60] */
  EnumValue anon[] = {{"ANON_A", 5}};
  b.addEnum("", 4, false, anon); /* [61] */
  Member qual[] = {{"cp", tCCharP, 0}, {"ip", tRIntP, 64}, {"vi", tVInt, 128}, {"up", tUserP, 192}};
  b.addComposite(false, "qual", 32, qual); /* [62] */
  b.addDeclTag("member_tag", tPoint, 0);   /* [63] */
  Member we[] = {{"c", tColor, 0}, {"t", tTiny, 32}, {"b", tBig, 64}};
  b.addComposite(false, "with_enums", 16, we);    /* [64] */
  const uint32_t tVoidFn = b.addFuncProto(0, {}); /* [65] */
  const uint32_t tVoidFnP = b.addPtr(tVoidFn);    /* [66] */
  Member vfn[] = {{"f", tVoidFnP, 0}};
  b.addComposite(false, "vfn", 8, vfn); /* [67] */
  Member uf[] = {{"o", 69, 0}, {"u", 70, 64}};
  b.addComposite(false, "uses_fwd", 16, uf); /* [68] */
  b.addPtr(tFwd);                            /* [69] */
  b.addPtr(tUFwd);                           /* [70] */
  (void)tLL;
}

void addTrickyLayouts(Btf &b) {
  const uint32_t c = b.addInt("char", 1, kIntSigned);
  const uint32_t i = b.addInt("int", 4, kIntSigned);
  const uint32_t u = b.addInt("unsigned int", 4, 0);
  const uint32_t l = b.addInt("long", 8, kIntSigned);
  const uint32_t u8 = b.addInt("u8", 1, 0);
  const uint32_t u16 = b.addInt("u16", 2, 0);
  const uint32_t u64 = b.addInt("u64", 8, 0);
  const uint32_t narrow = b.addInt("unsigned int", 4, 0, 5, 2);
  Member gap[] = {{"c", c, 0}, {"i", i, 64}};
  b.addComposite(false, "gap", 12, gap);
  Member pk[] = {{"c", c, 0}, {"l", l, 8}};
  const uint32_t tPk = b.addComposite(false, "pk", 9, pk);
  Member bf[] = {{"a", u, 0, 3}, {"b", u, 8, 4}, {"c", u, 30, 4}, {"d", c, 40}};
  b.addComposite(false, "bf", 8, bf);
  Member bf2[] = {{"x", u64, 0, 7}, {"y", u64, 7, 33}, {"z", c, 40}, {"w", u16, 52, 9}};
  b.addComposite(false, "bf2", 8, bf2);
  Member tail[] = {{"x", i, 0}};
  const uint32_t tTail = b.addComposite(false, "tail", 16, tail);
  Member nest[] = {{"c", c, 0}, {"t", tTail, 128}, {"p", tPk, 256}, {"e", c, 328}};
  b.addComposite(false, "nest", 48, nest);
  Member big[] = {{"first", c, 0}, {"page", c, 4096 * 8}};
  b.addComposite(false, "big", 4097, big);
  Member legacy[] = {{"m", narrow, 0}, {"n", c, 8}};
  b.addComposite(false, "legacy", 4, legacy);
  Member niche[] = {{"value", u64, 0}, {"tag", u, 64}, {"tiny", u8, 72}};
  b.addComposite(true, "niche", 16, niche);
  Member variants[] = {{"a", u, 0}, {"b", u64, 0}, {"after", u8, 64}};
  b.addComposite(false, "variants", 16, variants);
  Member odd[] = {{"x", u, 0}};
  b.addComposite(true, "odd", 12, odd);
  Member ual[] = {{"x", u, 0}};
  b.addComposite(true, "ual", 32, ual);
  EnumValue small[] = {{"S0", 0}, {"S1", 1}};
  const uint32_t e1 = b.addEnum("e1", 1, false, small);
  const uint32_t e2 = b.addEnum("e2", 2, false, small);
  const uint32_t e8 = b.addEnum("e8", 8, false, small);
  uint32_t vals[] = {b.addString("W0"), 0};
  const uint32_t e8w = b.addType(Kind::Enum, b.addString("e8w"), 1, false, 8, vals);
  Member enums[] = {{"a", e1, 0}, {"b", e2, 16}, {"c", e8, 64}, {"d", e8w, 128}, {"f", e2, 192, 3}};
  b.addComposite(false, "enums", 32, enums);
  Member rust[] = {{"int", i, 0}, {"x", i, 32}, {"x", i, 64}, {"", i, 96}};
  b.addComposite(false, "core::option::Option<u32>", 16, rust);
}

void writeRawBtf(const Btf &b, std::endian order, const std::string &path) {
  std::vector<uint8_t> bytes = b.serialize(order);
  writeFile(path, std::string(bytes.begin(), bytes.end()));
}

void writeElfWithBtf(const std::string &path, const std::vector<uint8_t> &btf, bool elf64,
                     bool bigEndian, const char *sectionName) {
  if (elf_version(EV_CURRENT) == EV_NONE)
    throw std::runtime_error("libelf init");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    throw std::runtime_error("open " + path);
  Elf *e = elf_begin(fd, ELF_C_WRITE, nullptr);
  GElf_Ehdr eh;
  if (!e || !gelf_newehdr(e, elf64 ? ELFCLASS64 : ELFCLASS32) || !gelf_getehdr(e, &eh))
    throw std::runtime_error(elf_errmsg(-1));
  eh.e_ident[EI_DATA] = bigEndian ? ELFDATA2MSB : ELFDATA2LSB;
  eh.e_type = ET_REL;
  eh.e_machine = bigEndian ? (elf64 ? EM_S390 : EM_PPC) : (elf64 ? EM_X86_64 : EM_386);
  eh.e_version = EV_CURRENT;
  // Section names: "", ".shstrtab", the BTF section.
  static std::string names;
  names = std::string("\0.shstrtab\0", 11) + sectionName + '\0';
  auto addSection = [&](uint32_t nameOff, uint32_t type, const void *data, size_t size) {
    Elf_Scn *scn = elf_newscn(e);
    Elf_Data *d = elf_newdata(scn);
    d->d_buf = const_cast<void *>(data);
    d->d_size = size;
    d->d_type = ELF_T_BYTE;
    d->d_align = 1;
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    sh.sh_name = nameOff;
    sh.sh_type = type;
    sh.sh_addralign = 1;
    gelf_update_shdr(scn, &sh);
    return elf_ndxscn(scn);
  };
  eh.e_shstrndx = uint16_t(addSection(1, SHT_STRTAB, names.data(), names.size()));
  addSection(11, SHT_PROGBITS, btf.data(), btf.size());
  gelf_update_ehdr(e, &eh);
  if (elf_update(e, ELF_C_WRITE) < 0)
    throw std::runtime_error(elf_errmsg(-1));
  elf_end(e);
  ::close(fd);
}

} // namespace d2b::test
