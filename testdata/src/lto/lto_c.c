/* C half of the cross-language LTO fixture (scripts/build-lto-fixtures.sh):
 * calls small Rust functions, which LTO inlines here, and defines
 * c_weight(), which LTO inlines into the Rust half. `struct RsShape` shares
 * its name with a Rust enum: a C/Rust name clash. C23's `bool` is the same
 * LLVM DIBasicType as Rust's, so full LTO emits it once, in the Rust unit,
 * and c_is_heavy's DW_AT_type refers to it with DW_FORM_ref_addr. */
struct lto_pair {
	int a;
	long b;
};

struct c_node {
	struct c_node *next;
	struct lto_pair pair;
	unsigned flags;
};

struct RsShape {
	int kind;
	int sides;
};

extern long rs_sum(const struct lto_pair *p);
extern unsigned rs_shape_area(unsigned kind, unsigned short a, unsigned short b);
extern long rs_weigh(const struct lto_pair *p);

long c_weight(const struct lto_pair *p)
{
	return p->a * 3 + p->b;
}

struct c_node c_head;
struct RsShape c_shape;

long c_total(struct c_node *n)
{
	long t = 0;
	for (; n; n = n->next)
		t += rs_sum(&n->pair) + rs_shape_area(n->flags, 2, 3);
	return t + rs_weigh(&c_head.pair) + c_shape.sides;
}

bool c_is_heavy(const struct lto_pair *p)
{
	return rs_sum(p) > 100;
}
