/* Name clashes across CUs, half A (with clash_b.c): same-named static
 * functions with different and with equal prototypes, same-named static
 * variables, and same-named but different struct and typedef. */
struct clash_s {
	int a;
};
typedef int clash_t;

static int clash_var = 1;
static clash_t clash_same_var = 2;

__attribute__((noinline)) static int clash_fn(int x)
{
	return x * clash_var + 1;
}

__attribute__((noinline)) static int clash_same(int x)
{
	return x + clash_same_var;
}

int clash_use_a(struct clash_s *s)
{
	return clash_fn(s->a) + clash_same(s->a);
}

void clash_set_a(int v)
{
	clash_var = v;
	clash_same_var = v;
}
