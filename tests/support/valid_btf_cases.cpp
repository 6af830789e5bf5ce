// BTF the 6.18 verifier accepts, including blobs that look wrong but pass
// because of how the kernel walks types.
#include "btf_case_builders.h"

namespace d2b::test::cases {

void addValidCases(std::vector<BtfCase> &c) {
  c.push_back(good("EveryKind", [] {
    Btf b;
    uint32_t i32 = b.addInt("int", 4, btf::kIntSigned); // 1
    uint32_t ch = b.addInt("char", 1, btf::kIntChar);   // 2
    uint32_t p = b.addPtr(ch);                          // 3
    uint32_t arr = b.addArray(ch, i32, 16);             // 4
    uint32_t list = b.addComposite(false, "list", 16,   // 5
                                   std::vector<Member>{{"next", 6, 0}, {"val", i32, 64}});
    b.addPtr(list);                                                        // 6
    uint32_t u = structOf(b, "u", 16, {{"a", arr, 0}, {"b", p, 0}}, true); // 7
    btf::EnumValue ev[] = {{"A", 0}, {"B", uint64_t(-1)}};
    uint32_t e = b.addEnum("e", 4, true, ev); // 8
    btf::EnumValue ev64[] = {{"BIG", 1ull << 40}};
    b.addEnum("e64", 8, false, ev64);                                   // 9
    uint32_t td = b.addTypedef("u_t", u);                               // 10
    uint32_t cv = b.addConst(b.addVolatile(td));                        // 12 (11)
    b.addRestrict(p);                                                   // 13
    uint32_t fl = b.addFloat("double", 8);                              // 14
    uint32_t fwd = b.addFwd("opaque", false);                           // 15
    uint32_t pf = b.addPtr(fwd);                                        // 16
    uint32_t proto = protoOf(b, i32, {{"x", i32}, {"o", pf}, {"", 0}}); // 17
    uint32_t fn = b.addFunc("f", proto, btf::FuncLinkage::Global);      // 18
    uint32_t bits = structOf(b, "bits", 16,                             // 19
                             {{"a", i32, 0, 3}, {"b", i32, 3, 5}, {"c", e, 8, 0}, {"d", fl, 64}});
    (void)bits;
    uint32_t tag = b.addTypeTag("user", i32);                                 // 20
    uint32_t pt = b.addPtr(tag);                                              // 21
    uint32_t v1 = b.addVar("counter", i32, btf::VarLinkage::GlobalAllocated); // 22
    uint32_t v2 = b.addVar("cv", cv, btf::VarLinkage::Static);                // 23
    btf::SecVar sv[] = {{v1, 0, 4}, {v2, 16, 16}};
    b.addDatasec(".data", 32, sv);             // 24
    b.addDeclTag("tagged", list, 1);           // 25
    b.addDeclTag("arg", fn, 0);                // 26
    b.addDeclTag("whole", fn, -1);             // 27
    structOf(b, "holder", 8, {{"pt", pt, 0}}); // 28
    return b;
  }));
  c.push_back(good("ForwardReferences", [] {
    Btf b;
    structOf(b, "outer", 16, {{"in", 2, 0}, {"p", 3, 64}}); // 1
    structOf(b, "inner", 8, {{"x", 4, 0}});                 // 2
    b.addPtr(1);                                            // 3
    b.addInt("long", 8, btf::kIntSigned);                   // 4
    return b;
  }));
  c.push_back(good("ResolveDepth32", [] {
    Btf b;
    for (uint32_t i = 0; i < 32; ++i)
      structOf(b, ("N" + std::to_string(i)).c_str(), 4, {{"x", i + 2, 0}});
    u32(b);
    return b;
  }));
  c.push_back(good("BackwardChain64", [] {
    // Dependencies first: depth stays small however long the chain.
    Btf b;
    u32(b);
    for (uint32_t i = 0; i < 64; ++i)
      structOf(b, ("W" + std::to_string(i)).c_str(), 4, {{"x", i + 1, 0}});
    return b;
  }));
  c.push_back(good("ZeroSizedThings", [] {
    Btf b;
    b.addInt("()", 0, 0, 0);     // INT size 0, name unchecked
    b.addFloat("f<32>", 4);      // FLOAT name unchecked
    structOf(b, "Empty", 0, {}); // size-0 struct
    structOf(b, "WithZst", 4, {{"z", 3, 0}, {"v", 5, 0}, {"t", 6, 32}});
    u32(b);              // 5
    b.addArray(5, 5, 0); // 6: flexible array
    return b;
  }));
  c.push_back(good("VoidModifiers", [] {
    Btf b;
    uint32_t cvoid = b.addConst(0);
    b.addPtr(cvoid);
    b.addTypedef("new_void", 0);
    uint32_t proto = protoOf(b, 0, {});
    b.addTypedef("fn_t", proto);
    return b;
  }));
  c.push_back(good("ConstOfFunc", [] {
    // A modifier of a FUNC resolves through it to its FUNC_PROTO.
    Btf b;
    u32(b);
    protoOf(b, 1, {});
    b.addFunc("f", 2, btf::FuncLinkage::Static);
    b.addConst(3);
    return b;
  }));
  c.push_back(good("DatasecBeforeVarSkipsSizeCheck", [] {
    // The VAR is resolved on demand from the DATASEC, and the kernel then
    // resumes after that entry without comparing its size to the type's.
    Btf b;
    u64(b);
    btf::SecVar v[] = {{3, 0, 4}};
    b.addDatasec(".data", 4, v);
    b.addVar("x", 1, btf::VarLinkage::GlobalAllocated);
    return b;
  }));
  c.push_back(good("Names", [] {
    Btf b;
    uint32_t i = u32(b);
    structOf(b, std::string(512, 'n').c_str(), 4, {{"x", i, 0}});
    structOf(b, "a.b", 4, {{".c", i, 0}});
    structOf(b, "\xC0\xE9t\xE9", 4, {{"x", i, 0}}); // Latin-1 letters
    b.addVar("v", i, btf::VarLinkage::GlobalAllocated);
    btf::SecVar s1[] = {{5, 0, 4}};
    b.addDatasec("maps/foo", 4, s1);
    b.addDatasec("my sec<1>", 4, s1);
    return b;
  }));
  c.push_back(good("TagsWithKindFlag", [] {
    Btf b;
    uint32_t i = u32(b);
    uint32_t tag = raw(b, Kind::TypeTag, b.addString("attr"), 0, true, i);
    b.addPtr(tag);
    uint32_t s = structOf(b, "S", 4, {{"a", i, 0}});
    raw(b, Kind::DeclTag, b.addString("attr"), 0, true, s, {0});
    return b;
  }));
  c.push_back(good("SpecialFieldsWellFormed", [] {
    Btf b;
    uint32_t head = listTypes(b);
    uint32_t i = b.addInt("int", 4, btf::kIntSigned);
    uint32_t sl = lockOf(b, i);
    uint32_t s = structOf(b, "S", 24, {{"lock", sl, 0}, {"head", head, 64}});
    b.addDeclTag("contains:elem:node", s, 1);
    uint32_t t = structOf(b, "T", 4, {{"v", i, 0}});
    uint32_t kp = b.addPtr(b.addTypeTag("kptr", t));
    uint32_t arr = b.addArray(kp, i, 10);
    structOf(b, "K", 88, {{"q", kp, 0}, {"p", arr, 64}});
    structOf(b, "Plain", 8, {{"a", i, 0}, {"b", i, 32}}); // no special members
    return b;
  }));
  c.push_back(good("EqualOffsetsAndUnion", [] {
    Btf b;
    uint32_t i = u32(b);
    uint32_t z = b.addArray(i, i, 0);
    structOf(b, "S", 4, {{"a", i, 0}, {"b", z, 32}, {"c", z, 32}});
    structOf(b, "U", 4, {{"a", i, 0}, {"b", z, 0}}, true);
    return b;
  }));
}

} // namespace d2b::test::cases
