#!/usr/bin/env python3
"""(kind, name) sets of split BTF files, and their comparison per module.

usage: btf_sets.py BASE.btf DIR_A DIR_B [--report FILE]
Each DIR holds <module>.btf files (raw split BTF against BASE). Prints, per
module, whether the sets of named (kind, name) pairs are equal, and a summary
of the differences by kind. A small reader of the BTF format: header, type
section (info word decides the tail size) and string section.
"""
import collections
import os
import struct
import sys

KINDS = {1: "INT", 2: "PTR", 3: "ARRAY", 4: "STRUCT", 5: "UNION", 6: "ENUM", 7: "FWD",
         8: "TYPEDEF", 9: "VOLATILE", 10: "CONST", 11: "RESTRICT", 12: "FUNC",
         13: "FUNC_PROTO", 14: "VAR", 15: "DATASEC", 16: "FLOAT", 17: "DECL_TAG",
         18: "TYPE_TAG", 19: "ENUM64"}


def tail(kind, vlen):
    return {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4,
            15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)


def read(path):
    data = open(path, "rb").read()
    magic, _ver, _flags, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
        "<HBBIIIII", data, 0)
    if magic != 0xEB9F:
        raise ValueError(f"{path}: not little-endian BTF")
    types = data[hdr_len + type_off:hdr_len + type_off + type_len]
    strs = data[hdr_len + str_off:hdr_len + str_off + str_len]
    out, pos = [], 0
    while pos < len(types):
        name_off, info, _size = struct.unpack_from("<III", types, pos)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        out.append((kind, name_off))
        pos += 12 + tail(kind, vlen)
    return out, strs


def string_at(strs, off):
    end = strs.index(b"\0", off)
    return strs[off:end].decode()


def named_set(path, base_strs):
    types, strs = read(path)
    base_len = len(base_strs)
    names = set()
    for kind, off in types:
        if off == 0:
            continue
        name = string_at(base_strs, off) if off < base_len else string_at(strs, off - base_len)
        names.add((KINDS.get(kind, str(kind)), name))
    return names


def main():
    args = sys.argv[1:]
    report = None
    if "--report" in args:
        i = args.index("--report")
        report = args[i + 1]
        del args[i:i + 2]
    base, dir_a, dir_b = args
    _, base_strs = read(base)
    mods = sorted(set(os.listdir(dir_a)) | set(os.listdir(dir_b)))
    equal, only_a_kinds, only_b_kinds, missing = 0, collections.Counter(), collections.Counter(), []
    lines = []
    for m in mods:
        pa, pb = os.path.join(dir_a, m), os.path.join(dir_b, m)
        if not (os.path.exists(pa) and os.path.exists(pb)):
            missing.append(m + (" (only in A)" if os.path.exists(pa) else " (only in B)"))
            continue
        a, b = named_set(pa, base_strs), named_set(pb, base_strs)
        if a == b:
            equal += 1
            continue
        for k, _ in a - b:
            only_a_kinds[k] += 1
        for k, _ in b - a:
            only_b_kinds[k] += 1
        kinds_diff = sorted({k for k, _ in a ^ b})
        lines.append(f"{m}\tonly A: {len(a - b)}\tonly B: {len(b - a)}\tkinds: {','.join(kinds_diff)}"
                     f"\texamples: {sorted(a - b)[:3]} / {sorted(b - a)[:3]}")
    compared = len(mods) - len(missing)
    summary = [f"modules compared: {compared}", f"equal (kind,name) sets: {equal} "
               f"({100.0 * equal / max(compared, 1):.1f}%)",
               f"missing output: {len(missing)} {missing[:10]}",
               f"pairs only in A by kind: {dict(only_a_kinds)}",
               f"pairs only in B by kind: {dict(only_b_kinds)}"]
    text = "\n".join(summary + ["", "differing modules:"] + lines) + "\n"
    if report:
        open(report, "w").write(text)
    print("\n".join(summary))


if __name__ == "__main__":
    main()
