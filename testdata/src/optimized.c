/* Fixture: functions whose signatures the optimiser changes at -O2.
 * - opt_dropped_param: a static function whose third parameter is never
 *   used; gcc -O2 removes it (symbol opt_dropped_param.isra.0 or
 *   .constprop.0) and the parameter DIE has no location: pahole's
 *   "optimized parameters" skip (its tests/gcc_optimized_default.sh case).
 * - opt_unused_param: a global function with an unused parameter; the ABI
 *   is kept, so the parameter still has a register location: kept.
 * - opt_isra: a static function gcc rewrites with IPA-SRA (symbol
 *   opt_isra.isra.0, pahole: "optimized_symbol").
 * - opt_constprop: a static function always called with the same constant
 *   (symbol opt_constprop.constprop.0 with gcc).
 * - opt_kept: a normal function that every encoder must keep.
 * Built by scripts/build-fixtures.sh. */
#include "multi.h"

struct opt_big {
  long a, b, c, d;
  struct shared *s;
};

__attribute__((noinline)) int opt_unused_param(int used, int unused) { return used * 3; }

static __attribute__((noinline)) int opt_dropped_param(int a, int b, int c) {
  return a * b - a - b;
}

static __attribute__((noinline)) long opt_isra(struct opt_big *big) { return big->b; }

static __attribute__((noinline)) long opt_constprop(long x, int scale) {
  return x * scale + (x >> 3);
}

__attribute__((noinline)) long opt_kept(struct opt_big *big, long x) { return big->a + x; }

long opt_entry(long x) {
  struct opt_big big = {x, x + 1, x + 2, x + 3, 0};
  return opt_unused_param((int)x, 9) + opt_dropped_param((int)x, (int)big.b, (int)big.c) + opt_isra(&big) + opt_constprop(x, 5) +
         opt_constprop(x + 1, 5) + opt_kept(&big, x);
}
