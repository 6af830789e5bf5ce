#!/usr/bin/env python3
"""Negative control of the kernel harness: points member 0 of the first STRUCT
in ELF's .BTF at type id 0x7ffffff (no such type). The kernel build accepts
the result; the booted kernel must reject it ("Invalid type_id").

usage: corrupt-btf.py ELF   (edits ELF in place with objcopy)
"""
import os
import struct
import subprocess
import sys
import tempfile

BAD_ID = 0x7FFFFFF
# Bytes after the 12-byte type header, by kind (INT, ARRAY, STRUCT, ...).
FIXED = {1: 4, 3: 12, 14: 4, 17: 4}
PER_MEMBER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}


def corrupt(blob):
    magic, _v, _f, hdr_len, type_off, type_len, _so, _sl = struct.unpack_from("<HBBIIIII", blob)
    if magic != 0xEB9F:
        sys.exit("corrupt-btf: .BTF is not little-endian BTF")
    pos, end, tid = hdr_len + type_off, hdr_len + type_off + type_len, 1
    while pos < end:
        _name, info, _size = struct.unpack_from("<III", blob, pos)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        if kind == 4 and vlen > 0:
            struct.pack_into("<I", blob, pos + 12 + 4, BAD_ID)  # member 0: name_off, type
            return tid
        pos += 12 + FIXED.get(kind, 0) + PER_MEMBER.get(kind, 0) * vlen
        tid += 1
    sys.exit("corrupt-btf: no STRUCT with members")


def main():
    elf = sys.argv[1]
    objcopy = os.environ.get("OBJCOPY", "objcopy")
    with tempfile.TemporaryDirectory() as d:
        raw = os.path.join(d, "btf")
        subprocess.run([objcopy, "--dump-section", ".BTF=" + raw, elf], check=True)
        blob = bytearray(open(raw, "rb").read())
        tid = corrupt(blob)
        open(raw, "wb").write(blob)
        subprocess.run([objcopy, "--update-section", ".BTF=" + raw, elf], check=True)
    print(f"corrupt-btf: {elf}: [{tid}] STRUCT member 0 type_id -> {BAD_ID}", file=sys.stderr)


if __name__ == "__main__":
    main()
