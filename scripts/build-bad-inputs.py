#!/usr/bin/env python3
"""Generates the malformed inputs in testdata/bad/ from two good fixtures.

Every file it writes must make `dwarf2btf encode` fail cleanly: exit 1, a
one-line diagnostic naming the file, no output written, no crash
(tests/integration/bad_input_test.cpp). testdata/bad/MANIFEST says what each
file is. The outputs are committed; rerun this after rebuilding the
fixtures (scripts/build-fixtures.sh) and commit both.

Usage: scripts/build-bad-inputs.py
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "testdata", "bin")
OUT = os.path.join(ROOT, "testdata", "bad")

# The sources of the corruptions: a single-CU relocatable object (debug
# sections carry relocations) and a multi-CU executable (they do not, so
# header fields patched there are what libdw reads).
OBJ = os.path.join(BIN, "kinds.gcc.dwarf5.O0.o")
EXE = os.path.join(BIN, "multi.gcc.dwarf5.O2.exe")


class Elf64:
    """Just enough of an ELF64 little-endian reader to find and patch sections."""

    def __init__(self, data: bytes):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            sys.exit("build-bad-inputs.py: expected an ELF64 little-endian file")
        self.data = bytearray(data)
        self.shoff = struct.unpack_from("<Q", data, 0x28)[0]
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        strtab = self.header(self.shstrndx)
        self.names = {}
        for i in range(self.shnum):
            name_off = struct.unpack_from("<I", data, self.shdr_at(i))[0]
            start = strtab["offset"] + name_off
            end = self.data.index(b"\0", start)
            self.names[self.data[start:end].decode()] = i

    def shdr_at(self, index: int) -> int:
        return self.shoff + index * self.shentsize

    def header(self, index: int) -> dict:
        f = struct.unpack_from("<IIQQQQIIQQ", self.data, self.shdr_at(index))
        return {"type": f[1], "flags": f[2], "offset": f[4], "size": f[5]}

    def section(self, name: str) -> dict:
        if name not in self.names:
            sys.exit(f"build-bad-inputs.py: no section {name}")
        return self.header(self.names[name])

    def set_size(self, name: str, size: int) -> None:
        struct.pack_into("<Q", self.data, self.shdr_at(self.names[name]) + 0x20, size)

    def set_offset(self, name: str, offset: int) -> None:
        struct.pack_into("<Q", self.data, self.shdr_at(self.names[name]) + 0x18, offset)

    def fill(self, name: str, start: int, byte: int) -> None:
        """Overwrites section `name` from `start` (relative) to its end."""
        s = self.section(name)
        for i in range(s["offset"] + start, s["offset"] + s["size"]):
            self.data[i] = byte


manifest = []


def write(name: str, data: bytes, what: str) -> None:
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    manifest.append(f"{name} | {len(data)} bytes | {what}")


def main() -> None:
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    obj = open(OBJ, "rb").read()
    exe = open(EXE, "rb").read()
    obj_name = os.path.basename(OBJ)
    exe_name = os.path.basename(EXE)

    # Not ELF at all.
    write("empty.o", b"", "zero-length file")
    write("not-elf.txt", b"this is a text file, not an ELF object\n", "text file")
    write("elf-magic-only.o", b"\x7fELF", "the 4 magic bytes and nothing else")
    write("bad-elf-class.o", obj[:4] + b"\x07" + obj[5:], f"{obj_name} with EI_CLASS=7")

    # Truncations. Section headers sit at the end of these files, so every
    # truncation below also loses the section header table, except the
    # explicit out-of-bounds cases further down.
    e = Elf64(obj)
    info = e.section(".debug_info")
    write("truncated-in-ehdr.o", obj[:40], f"first 40 bytes of {obj_name} (inside the ELF header)")
    write("truncated-after-ehdr.o", obj[:64], f"first 64 bytes of {obj_name} (ELF header only)")
    mid = info["offset"] + info["size"] // 2
    write("truncated-mid-debug-info.o", obj[:mid], f"{obj_name} cut inside .debug_info at {mid:#x}")
    write("truncated-before-shdrs.o", obj[: e.shoff], f"{obj_name} cut at e_shoff {e.shoff:#x}")
    write("truncated-in-shdrs.o", obj[: e.shoff + 5 * 64 + 17],
          f"{obj_name} cut inside the 6th section header")
    write("truncated-last-byte.exe", exe[:-1], f"{exe_name} minus its last byte")
    x = Elf64(exe)
    xinfo = x.section(".debug_info")
    xmid = xinfo["offset"] + xinfo["size"] // 2
    write("truncated-mid-debug-info.exe", exe[:xmid], f"{exe_name} cut inside .debug_info at {xmid:#x}")

    # Section headers that point outside the file.
    e = Elf64(obj)
    e.set_size(".debug_info", 0x7FFFFFFF)
    write("debug-info-past-eof.o", e.data, f"{obj_name} with .debug_info sh_size 0x7fffffff")
    e = Elf64(obj)
    e.set_offset(".debug_abbrev", len(obj) + 0x1000)
    write("debug-abbrev-offset-past-eof.o", e.data, f"{obj_name} with .debug_abbrev sh_offset beyond EOF")

    # Corrupted DWARF contents.
    e = Elf64(obj)
    e.fill(".debug_info", 12, 0xFF)  # keep the DWARF 5 CU header, garble every DIE
    write("debug-info-garbage.o", e.data, f"{obj_name} with .debug_info after the CU header set to 0xff")
    x = Elf64(exe)
    x.fill(".debug_info", 0, 0xFF)
    write("debug-info-garbage.exe", x.data, f"{exe_name} with all of .debug_info set to 0xff")
    e = Elf64(obj)
    e.fill(".debug_abbrev", 0, 0xFF)
    write("debug-abbrev-garbage.o", e.data, f"{obj_name} with .debug_abbrev set to 0xff")
    x = Elf64(exe)
    x.fill(".debug_abbrev", 0, 0x00)
    write("debug-abbrev-zeroed.exe", x.data, f"{exe_name} with .debug_abbrev zeroed (every abbrev list empty)")
    e = Elf64(obj)
    s = e.section(".debug_str")
    for i in range(s["offset"], s["offset"] + s["size"]):
        if e.data[i] == 0:
            e.data[i] = ord("A")
    write("debug-str-unterminated.o", e.data, f"{obj_name} with every NUL in .debug_str replaced by 'A'")
    x = Elf64(exe)
    x.set_size(".debug_str", 1)
    write("debug-str-truncated.exe", x.data, f"{exe_name} with .debug_str sh_size 1 (strp offsets out of range)")

    # Bad unit headers (in the executable, whose debug sections have no
    # relocations, so the patched bytes are what a reader sees).
    x = Elf64(exe)
    struct.pack_into("<I", x.data, xinfo["offset"], 0xFFFFFFF0)
    write("unit-length-reserved.exe", x.data, f"{exe_name}: first unit_length 0xfffffff0 (reserved)")
    x = Elf64(exe)
    struct.pack_into("<I", x.data, xinfo["offset"], xinfo["size"] + 100)
    write("unit-length-past-section.exe", x.data, f"{exe_name}: first unit_length beyond .debug_info")
    x = Elf64(exe)
    struct.pack_into("<H", x.data, xinfo["offset"] + 4, 99)
    write("unit-version-99.exe", x.data, f"{exe_name}: first unit version 99")
    x = Elf64(exe)
    # DWARF 5 compile unit header: length(4) version(2) unit_type(1) addr_size(1) abbrev_offset(4)
    struct.pack_into("<I", x.data, xinfo["offset"] + 8, 0x7FFFFFF0)
    write("abbrev-offset-past-section.exe", x.data, f"{exe_name}: first unit's debug_abbrev_offset out of range")

    # ELF files without DWARF.
    with tempfile.TemporaryDirectory() as tmp:
        stripped = os.path.join(tmp, "s")
        subprocess.run(["strip", "--strip-debug", "-o", stripped, OBJ], check=True)
        write("stripped-debug.o", open(stripped, "rb").read(), f"strip --strip-debug {obj_name}")
        subprocess.run(["strip", "--strip-all", "-o", stripped, EXE], check=True)
        write("stripped-all.exe", open(stripped, "rb").read(), f"strip --strip-all {exe_name}")
        nodwarf = os.path.join(tmp, "n.o")
        src = os.path.join(ROOT, "testdata", "src", "kinds.c")
        subprocess.run(["gcc", "-O2", "-c", src, "-o", nodwarf], check=True)
        write("no-dwarf.o", open(nodwarf, "rb").read(), "gcc -O2 -c kinds.c (no -g)")

    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("# Generated by scripts/build-bad-inputs.py; do not edit.\n")
        f.write("# name | size | what is wrong\n")
        f.write("\n".join(manifest) + "\n")
    print(f"build-bad-inputs.py: {len(manifest)} files in {OUT}")


if __name__ == "__main__":
    main()
