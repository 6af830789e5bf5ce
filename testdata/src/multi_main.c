/* Fixture: main() for the multi-CU executable and the exported entry for
 * the shared object. Built by scripts/build-fixtures.sh. */
#include "multi.h"

static void on_event(struct shared *s) { s->id++; }

int multi_run(int argc) {
  shared_t s = {.id = argc, .callback = on_event};
  s.callback(&s);
  return multi_a_entry(&s) + multi_b_entry(&s, MS_BUSY) + (int)opt_entry(argc);
}

#ifndef MULTI_NO_MAIN
int main(int argc, char **argv) {
  (void)argv;
  return multi_run(argc) == 12345;
}
#endif
