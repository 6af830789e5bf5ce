/* The bundled sample for the README's demo command: a little of every kind
 * a C program needs, compiled by testdata/sample/build.sh. */
#include <stdarg.h>

enum state { IDLE, RUNNING = 4, DEAD = -1 };

struct node;
typedef int (*visit_fn)(struct node *n, void *ctx);

struct node {
  struct node *next;
  const char *name;
  unsigned int flags : 3;
  unsigned int refs : 13;
  enum state state;
  double weight;
  long long hist[2][4];
  union {
    int i;
    float f;
  } u;
  visit_fn visit;
  char tail[];
};

__attribute__((section(".data..percpu"))) struct node percpu_node;
int counter = 3;

int visit_all(struct node *head, visit_fn fn, void *ctx) {
  int n = 0;
  for (struct node *p = head; p; p = p->next)
    n += fn(p, ctx);
  return n + counter;
}

int sum(int count, ...) {
  va_list ap;
  int s = 0;
  va_start(ap, count);
  while (count--)
    s += va_arg(ap, int);
  va_end(ap);
  return s;
}
