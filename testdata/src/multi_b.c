/* Fixture: second CU of the multi-CU objects. Completes struct defined_in_b
 * (a FWD in the other CUs) and has its own static `helper` with a different
 * signature. Built by scripts/build-fixtures.sh. */
#include "multi.h"

struct defined_in_b {
  struct shared *back;
  char tag[16];
  enum multi_state state;
};

struct defined_in_b g_defined_in_b;
__attribute__((section(".data..percpu"))) long pcpu_b_value;

static __attribute__((noinline)) long helper(struct defined_in_b *d, enum multi_state st) {
  d->state = st;
  return (long)d->tag[0] + pcpu_b_value;
}

int multi_b_entry(struct shared *s, enum multi_state st) {
  s->elsewhere = &g_defined_in_b;
  return (int)helper(&g_defined_in_b, st) + multi_shared_counter;
}
