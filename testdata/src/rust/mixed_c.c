/* The C half of the mixed C+Rust fixture (see mixed.rs). */
struct pair {
  int a;
  long b;
};
struct c_only {
  unsigned short id;
  struct pair *p;
};
long rust_sum(const struct pair *p);
struct c_only c_global = {1, 0};
long c_entry(struct pair *p) { return rust_sum(p) + c_global.id; }
