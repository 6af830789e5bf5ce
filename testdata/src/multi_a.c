/* Fixture: first CU of the multi-CU objects. Defines a static function
 * named `helper`, as does multi_b.c: pahole marks such same-named statics
 * with different addresses ambiguous. Built by scripts/build-fixtures.sh. */
#include "multi.h"

int multi_shared_counter;

struct only_in_a {
  shared_t *owner;
  unsigned int refs;
};

struct only_in_a g_only_in_a;
__attribute__((section(".data..percpu"))) struct shared pcpu_shared_a;

static __attribute__((noinline)) int helper(shared_t *s) {
  return s->id + (int)g_only_in_a.refs;
}

int multi_a_entry(shared_t *s) {
  multi_shared_counter++;
  pcpu_shared_a.id++;
  return helper(s);
}
