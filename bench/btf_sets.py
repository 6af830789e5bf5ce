#!/usr/bin/env python3
"""(kind, name) sets of split BTF files, and their comparison per module.

usage: btf_sets.py BASE.btf DIR_A DIR_B [--report FILE] [--classify LIST TOOL]
                  [--tool-flags "FLAGS"]
Each DIR holds <module>.btf files (raw split BTF against BASE). Prints, per
module, whether the sets of named (kind, name) pairs are equal, and a summary
of the differences by kind. A small reader of the BTF format: header, type
section (info word decides the tail size) and string section.

With --classify (LIST: the .ko paths, one a line; TOOL: dwarf2btf), every
differing pair is put in a class (A = dwarf2btf, B = pahole; --tool-flags are
the dwarf2btf encode flags of the run, default those matching pahole 1.24):
  A-only FUNC whose ELF symbol exists only as a clone (foo.isra.0): matched by
    base name, as pahole >= 1.25 does; pahole 1.24 needs the exact name;
  B-only FUNC: the reason dwarf2btf skipped it (its --report -v line, e.g.
    "ambiguous address", "optimized parameters", "unexpected register");
  B-only non-FUNC pair that the base already has: a base type pahole emitted
    again (its libbpf 1.1 dedup cannot merge some types into the base).
"""
import re
import subprocess
import tempfile
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


def btf_of_elf(path):
    """The .BTF section of a little-endian ELF64 file (a kernel build's
    vmlinux, the base it gives every module), read without loading the file."""
    with open(path, "rb") as f:
        ehdr = f.read(64)
        if ehdr[4] != 2 or ehdr[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 file")
        shoff, = struct.unpack_from("<Q", ehdr, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", ehdr, 0x3A)
        f.seek(shoff)
        shdrs = [struct.unpack_from("<IIQQQQIIQQ", f.read(shentsize)) for _ in range(shnum)]
        f.seek(shdrs[shstrndx][4])
        names = f.read(shdrs[shstrndx][5])
        for sh in shdrs:
            if names[sh[0]:names.index(b"\0", sh[0])] == b".BTF":
                f.seek(sh[4])
                return f.read(sh[5])
    raise ValueError(f"{path}: no .BTF section")


def read(path):
    with open(path, "rb") as f:
        elf = f.read(4) == b"\x7fELF"
    data = btf_of_elf(path) if elf else open(path, "rb").read()
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


def elf_funcs(ko):
    """STT_FUNC symbol name -> set of addresses."""
    out = collections.defaultdict(set)
    text = subprocess.run(["readelf", "-sW", ko], capture_output=True, text=True).stdout
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC":
            out[f[7]].add((f[6], f[1]))
    return out


TOOL_FLAGS = ["--flatten-arrays", "--no-consistent-func", "--lang-exclude", "rust"]


def skip_reasons(tool, base, ko):
    """Function name -> why dwarf2btf skipped it (pahole -V wording)."""
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([tool, "encode"] + TOOL_FLAGS + ["--base", base, "--raw", d + "/x.btf",
                            "--report", "-v", ko], capture_output=True, text=True)
    out = {}
    for m in re.finditer(r"(\S+) : skipping BTF encoding of function due to ([^\n]*)", r.stderr):
        out.setdefault(m.group(1), m.group(2))
    return out


def classify(m, a_only, b_only, base_pairs, paths, tool, base):
    ko = paths.get(m[:-len(".btf")])
    funcs = elf_funcs(ko) if ko else {}
    reasons = skip_reasons(tool, base, ko) if ko and any(k == "FUNC" for k, _ in b_only) else {}
    classes = collections.Counter()
    for kind, name in a_only:
        if kind == "FUNC" and name not in funcs and any(s.startswith(name + ".") for s in funcs):
            classes["A-only FUNC: ELF symbol is a clone (name.isra/.constprop...)"] += 1
        else:
            classes[f"A-only {kind}: unexplained"] += 1
    keys = sorted({s.split(".")[0] for s in funcs if ".cold" not in s and ".part" not in s})
    for kind, name in b_only:
        if kind == "FUNC":
            why = reasons.get(name)
            if why and why.startswith("param count mismatch") or why and "!=" in why:
                why = "inconsistent prototypes"
            syms = {s: v for s, v in funcs.items() if s.split(".")[0] == name}
            addrs = {int(a, 16) for v in syms.values() for _, a in v}
            if why and why.startswith("optimized parameters") and any(
                    ".isra" in s or ".constprop" in s for s in syms):
                why += ("; pahole misses the .isra/.constprop symbol in ET_REL: it compares "
                        "libdwfl-relocated DWARF addresses with section-relative st_value")
            elif why and why.startswith("ambiguous address") and 0 in addrs:
                why += "; pahole takes st_value 0 (start of .text) for 'no address yet'"
            elif why and why.startswith("ambiguous address") and keys and name == keys[-1]:
                why += "; pahole never checks the alphabetically last function name"
            classes[f"B-only FUNC: dwarf2btf skipped it: {why}" if why
                    else "B-only FUNC: unexplained"] += 1
        elif (kind, name) in base_pairs:
            classes[f"B-only {kind}: base type emitted again by pahole (libbpf 1.1 dedup)"] += 1
        else:
            classes[f"B-only {kind}: unexplained"] += 1
    return classes


def main():
    args = sys.argv[1:]
    report = None
    paths, tool = None, None
    if "--report" in args:
        i = args.index("--report")
        report = args[i + 1]
        del args[i:i + 2]
    if "--classify" in args:
        i = args.index("--classify")
        paths = {os.path.basename(l.strip()): l.strip() for l in open(args[i + 1]) if l.strip()}
        tool = args[i + 2]
        del args[i:i + 3]
    if "--tool-flags" in args:
        i = args.index("--tool-flags")
        TOOL_FLAGS[:] = args[i + 1].split()
        del args[i:i + 2]
    base, dir_a, dir_b = args
    base_types, base_strs = read(base)
    base_pairs = {(KINDS.get(k, str(k)), string_at(base_strs, off)) for k, off in base_types if off}
    classes = collections.Counter()
    equal_but_funcs = 0
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
            equal_but_funcs += 1
            continue
        if {x for x in a if x[0] != "FUNC"} == {x for x in b if x[0] != "FUNC"}:
            equal_but_funcs += 1
        if paths is not None:
            classes.update(classify(m, a - b, b - a, base_pairs, paths, tool, base))
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
               f"equal sets apart from FUNC: {equal_but_funcs} "
               f"({100.0 * equal_but_funcs / max(compared, 1):.1f}%)",
               f"missing output: {len(missing)} {missing[:10]}",
               f"pairs only in A by kind: {dict(only_a_kinds)}",
               f"pairs only in B by kind: {dict(only_b_kinds)}"]
    if paths is not None:
        summary.append("difference classes (pairs):")
        summary += [f"  {n:6d}  {c}" for c, n in classes.most_common()]
    text = "\n".join(summary + ["", "differing modules:"] + lines) + "\n"
    if report:
        open(report, "w").write(text)
    print("\n".join(summary))


if __name__ == "__main__":
    main()
