#!/usr/bin/env python3
"""(kind, name) sets of the kernel harness's raw BTF files.

usage:
  btf_names.py compare A B       named (kind, name) pairs of A against B, by kind
  btf_names.py only A B [N]      up to N named STRUCT/UNION/ENUM/ENUM64/TYPEDEF
                                 pairs of A that B lacks (e.g. the Rust types:
                                 A encoded with Rust, B without), one a line

The BTF reader is bench/btf_sets.py's.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import btf_sets  # noqa: E402


def pairs(path):
    types, strs = btf_sets.read(path)
    return {(btf_sets.KINDS.get(k, str(k)), btf_sets.string_at(strs, off)) for k, off in types
            if off}, len(types)


def compare(a, b):
    pa, na = pairs(a)
    pb, nb = pairs(b)
    only_a, only_b = sorted(pa - pb), sorted(pb - pa)
    print(f"names: a_types={na} b_types={nb} a_named={len(pa)} b_named={len(pb)} "
          f"common={len(pa & pb)} only_a={len(only_a)} only_b={len(only_b)}")
    for tag, diff in (("only_a", only_a), ("only_b", only_b)):
        by_kind = collections.defaultdict(list)
        for kind, name in diff:
            by_kind[kind].append(name)
        for kind in sorted(by_kind):
            names = by_kind[kind]
            more = f" ... (+{len(names) - 8})" if len(names) > 8 else ""
            print(f"{tag} {kind} {len(names)}: {' '.join(names[:8])}{more}")


def only(a, b, n):
    pa, _ = pairs(a)
    pb, _ = pairs(b)
    wanted = ("STRUCT", "UNION", "ENUM", "ENUM64", "TYPEDEF")
    diff = sorted(p for p in pa - pb if p[0] in wanted)
    counts = collections.Counter(k for k, _ in pa - pb)
    print("# only in A: " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr)
    # Prefer the kernel crate's types, then spread over the rest.
    diff.sort(key=lambda p: (not p[1].startswith("kernel"), p[1]))
    step = max(1, len(diff) // n) if diff else 1
    picked = diff[:n // 2] + diff[n // 2::step][:n - n // 2]
    for kind, name in picked[:n]:
        print(kind, name)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "only":
        only(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 6)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
