/* Fixture: btf_type_tag and btf_decl_tag annotations. clang emits them as
 * DW_TAG_LLVM_annotation; compilers without the attributes get the same
 * program without annotations (the guards below), so every compiler can
 * build this file. Built by scripts/build-fixtures.sh. */
#if defined(__has_attribute)
#if __has_attribute(btf_type_tag)
#define __tag(x) __attribute__((btf_type_tag(x)))
#endif
#if __has_attribute(btf_decl_tag)
#define __decl(x) __attribute__((btf_decl_tag(x)))
#endif
#endif
#ifndef __tag
#define __tag(x)
#endif
#ifndef __decl
#define __decl(x)
#endif

#define __user __tag("user")
#define __rcu __tag("rcu")
#define __percpu __tag("percpu")

struct tagged_node {
  int value __decl("member_tag");
  struct tagged_node __rcu *next;
  int __user *uptr;
  int __user __rcu *two_tags; /* PTR -> TYPE_TAG rcu -> TYPE_TAG user -> int */
  const char __user *const cptr;
} __decl("struct_tag") __decl("second_struct_tag");

union tagged_union {
  long l __decl("union_member_tag");
  void __percpu *p;
} __decl("union_tag");

typedef struct tagged_node tagged_node_t __decl("typedef_tag");

struct tagged_node g_tagged_node;
union tagged_union g_tagged_union;
tagged_node_t *g_tagged_typedef;
int g_tagged_var __decl("var_tag") = 3;
__attribute__((section(".data..percpu"))) int pcpu_tagged __decl("percpu_var_tag");

int __decl("func_tag") tagged_func(int __user *arg __decl("param_tag"), struct tagged_node *n) {
  return *arg + n->value + pcpu_tagged;
}

void tagged_second(struct tagged_node __rcu **pp, union tagged_union *u) {
  *pp = 0;
  u->l = 0;
}
