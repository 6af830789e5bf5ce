/* Name clashes across CUs, half B: see clash_a.c. */
struct clash_s {
	long b;
	char c;
};
typedef long clash_t;

static long clash_var = 3;
static int clash_same_var = 4;

__attribute__((noinline)) static long clash_fn(const char *s, long n)
{
	return s[n] + clash_var;
}

__attribute__((noinline)) static int clash_same(int x)
{
	return x - clash_same_var;
}

long clash_use_b(struct clash_s *s, clash_t t)
{
	return clash_fn(&s->c, t) + clash_same((int)s->b);
}

void clash_set_b(long v)
{
	clash_var = v;
	clash_same_var = (int)v;
}
