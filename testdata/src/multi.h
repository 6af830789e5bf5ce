/* Types shared by the multi-CU fixture (multi_a.c, multi_b.c, multi_main.c,
 * optimized.c): each CU gets its own copy in DWARF, and the encoder's dedup
 * must merge them into one BTF type. */
#ifndef MULTI_H
#define MULTI_H

struct defined_in_b; /* complete only in multi_b.c: a FWD in the other CUs */

struct shared {
  int id;
  struct shared *next;
  struct defined_in_b *elsewhere;
  void (*callback)(struct shared *);
};

typedef struct shared shared_t;

enum multi_state { MS_IDLE, MS_BUSY = 7, MS_DONE = -3 };

int multi_a_entry(shared_t *s);
int multi_b_entry(struct shared *s, enum multi_state st);
long opt_entry(long x);
extern int multi_shared_counter;

#endif
