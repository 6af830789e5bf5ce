/* Fixture: one CU that exercises every BTF kind a C program needs.
 * Every type is reachable from a global or a function so that no compiler
 * drops it from the debug info. Built by scripts/build-fixtures.sh. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- integers and floating point ---------------------------------------- */
struct ints {
  char c;
  signed char sc;
  unsigned char uc;
  short s;
  unsigned short us;
  int i;
  unsigned int ui;
  long l;
  unsigned long ul;
  long long ll;
  unsigned long long ull;
  bool b;
  _Bool b2;
  __int128 i128;
  unsigned __int128 u128;
};

struct floats {
  float f;
  double d;
  long double ld;
};

/* ---- pointers and arrays ----------------------------------------------- */
struct arrays {
  int one[4];
  int two[2][3];
  char three[2][3][4];
  int *ptrs[5];
  int (*ptr_to_arr)[7];
  void *vp;
  void **vpp;
};

struct flex {
  unsigned int len;
  unsigned char data[]; /* flexible array member: nelems 0 */
};

struct zero_len {
  int hdr;
  long tail[0]; /* GNU zero-length array */
};

/* ---- bitfields, packing, anonymous members ------------------------------ */
struct bits {
  unsigned int a : 3;
  unsigned int b : 5;
  int c : 7;
  unsigned int next_unit : 20; /* does not fit after c: the x86-64 ABI starts a new unit at bit 32 */
  unsigned long long wide_lo : 20;  /* bits 64..83 (would cross bit 64 after next_unit) */
  unsigned long long straddle : 30; /* bits 84..113: crosses the 32-bit word boundary at 96 */
  unsigned char flag : 1;
  unsigned int : 0; /* zero-width: forces the next field to a new unit */
  unsigned short after_zero : 4;
  _Bool bit_bool : 1;
  enum { BF_A, BF_B } bit_enum : 2;
};

struct __attribute__((packed)) packed {
  char c;
  int i;            /* at offset 1 */
  unsigned int bf : 9;
  long long ll;
};

struct __attribute__((packed)) packed_bits {
  unsigned char lo : 4;
  unsigned short mid : 12; /* straddles byte boundaries inside a packed struct */
  unsigned int hi : 17;
};

struct aligned_member {
  char c;
  int big __attribute__((aligned(16)));
};

struct nested_anon {
  int kind;
  union {
    int as_int;
    float as_float;
    struct {
      unsigned short lo;
      unsigned short hi;
    };
  };
  struct {
    int x, y;
  } point;
  struct {
    unsigned int flags : 4;
    unsigned int mode : 4;
  };
};

union value {
  long l;
  double d;
  char bytes[8];
  struct bits bits;
};

/* ---- enums --------------------------------------------------------------- */
enum signed_enum { NEG_BIG = -2147483647 - 1, NEG_ONE = -1, ZERO = 0, POS = 42 };
enum unsigned_big { UB_ZERO = 0, UB_BIG = 0x80000000u, UB_MAX = 0xffffffffu };
enum enum64 { E64_SMALL = 1, E64_BIG = 0x100000000ull, E64_TOP = 0xffffffffffffffffull };
enum signed_enum64 { SE64_NEG = -0x100000000ll, SE64_POS = 0x7fffffffffffffffll };
enum __attribute__((packed)) packed_enum { PE_A = 1, PE_B = 200 };
enum empty_like { ONLY_ONE };

/* ---- forward declarations / incomplete types ---------------------------- */
struct opaque;
union opaque_u;
struct uses_fwd {
  struct opaque *o;
  union opaque_u *u;
  struct uses_fwd *self;
};

/* ---- typedef chains and qualifiers -------------------------------------- */
typedef int base_t;
typedef base_t level1_t;
typedef const level1_t level2_t;
typedef volatile level2_t level3_t;
typedef struct bits bits_t;
typedef struct {
  level3_t v;
  bits_t *bp;
} anon_typedef_t;
typedef unsigned long (*fn_ptr_t)(int, const char *, ...);

struct quals {
  const int ci;
  volatile int vi;
  const volatile int cvi;
  int *restrict rp;
  const char *const ccp;
  volatile unsigned long *volatile vvp;
  _Atomic int ai;
};

/* ---- function pointers and callbacks ------------------------------------ */
struct ops {
  int (*open)(struct ops *self, const char *name, int flags);
  void (*close)(struct ops *self);
  long (*vlog)(const char *fmt, ...);
  fn_ptr_t typed;
  void (*(*higher)(int))(void); /* returns a pointer to a function */
};

/* ---- globals in every data section ------------------------------------- */
struct ints g_ints = {.i = 1};                  /* .data */
struct floats g_floats;                         /* .bss */
const struct arrays g_arrays = {.one = {1}};    /* .rodata */
struct bits g_bits;
struct packed g_packed;
struct packed_bits g_packed_bits;
struct aligned_member g_aligned;
struct nested_anon g_nested;
union value g_value;
struct flex *g_flex;
struct zero_len *g_zero_len;
enum signed_enum g_signed_enum = NEG_ONE;
enum unsigned_big g_unsigned_big;
enum enum64 g_enum64;
enum signed_enum64 g_signed_enum64;
enum packed_enum g_packed_enum;
enum empty_like g_empty_like;
struct uses_fwd g_uses_fwd;
anon_typedef_t g_anon_typedef;
struct quals g_quals = {.ci = 1, .ccp = "x"};
struct ops g_ops;
static int s_counter = 5;            /* static variable in .data */
static const char s_name[] = "kinds"; /* static in .rodata */

/* Per-CPU-like variables: the kernel puts these in .data..percpu, which is
 * the one section pahole (and dwarf2btf by default) emits VARs for. */
__attribute__((section(".data..percpu"))) int pcpu_counter;
__attribute__((section(".data..percpu"))) struct ints pcpu_ints;
__attribute__((section(".data..percpu"))) static unsigned long pcpu_static;

/* ---- functions ----------------------------------------------------------- */
long kinds_vsum(int n, ...) {
  va_list ap;
  long sum = 0;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    sum += va_arg(ap, int);
  va_end(ap);
  return sum;
}

static __attribute__((noinline)) int kinds_static_helper(struct bits *b, int k) {
  return b->a + b->straddle + k + s_counter + s_name[0];
}

int kinds_use_all(struct ints *i, struct floats *f, const struct arrays *a, union value *v,
                  enum signed_enum e, struct uses_fwd *u, level3_t lv, struct ops *ops) {
  pcpu_static++;
  return i->i + (int)f->d + a->one[0] + (int)v->l + e + (u->o != 0) + lv +
         kinds_static_helper(&g_bits, (int)pcpu_static) + (ops->close != 0);
}

void kinds_no_args(void) {}

int kinds_takes_struct(struct packed p, struct flex *fl, void (*cb)(int)) {
  cb(p.i);
  return fl->len;
}

const volatile char *kinds_returns_ptr(char *restrict buf, size_t n) { return buf + n; }
