#!/usr/bin/env bash
# Builds the Rust test fixtures from testdata/src/rust into testdata/bin/rust.
#
# The objects are committed so the tests never depend on the installed rustc;
# rerun this script only to change the fixture set, and commit the result with
# it. testdata/bin/rust/MANIFEST lists each file with its sources, compiler
# versions and flags.
#
# Names read <crate>.rustc.dwarf<4|5>.O<0|2>.o; every crate is a no_std
# library (`boxed` uses `alloc`) built with --emit=obj -C debuginfo=2
# -C panic=abort. DWARF 5 uses the stable `-C dwarf-version=5`. The mixed
# object `mixed.rustc+gcc.dwarf4.O2.ldr.o` is the Rust crate `mixed` and the C
# file `mixed_c.c` (gcc -g -O2) joined with `ld -r`.
#
# To keep testdata small, each crate is built at (O0, DWARF 4) and
# (O2, DWARF 5); `layouts` and `enums` also at (O2, DWARF 4).
#
# `variant_members.llvm-ir.dwarf4.o` comes from hand-written LLVM IR
# (testdata/src/rust/variant_members.ll, compiled with clang-22): a Rust unit
# whose struct has ordinary members beside a DW_TAG_variant_part, which
# rustc itself does not emit.
#
# Usage: scripts/build-rust-fixtures.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/testdata/src/rust
out=$root/testdata/bin/rust
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

RUSTC=${RUSTC:-rustc}
CC=${CC:-gcc}
rustc_version=$("$RUSTC" --version)
cc_version=$("$CC" --version | head -n1)
common=(--edition 2021 --crate-type=lib --emit=obj -C debuginfo=2 -C panic=abort
  -C codegen-units=1 --remap-path-prefix "$root=.")

manifest=$out/MANIFEST.tmp
{
  echo "# Rust fixtures built by scripts/build-rust-fixtures.sh"
  echo "# rustc: $rustc_version"
  echo "# cc: $cc_version"
  echo "# file | sources | flags"
} >"$manifest"

build() { # crate opt dwarf
  local crate=$1 opt=$2 dw=$3
  local name=$crate.rustc.dwarf$dw.O$opt.o
  "$RUSTC" "${common[@]}" -C opt-level="$opt" -C dwarf-version="$dw" \
    "$src/$crate.rs" -o "$out/$name"
  echo "$name | testdata/src/rust/$crate.rs | rustc ${common[*]} -C opt-level=$opt -C dwarf-version=$dw" \
    | sed "s#$root=\.#<repo>=.#g" >>"$manifest"
}

for crate in layouts enums funcs boxed mixed wide unsized; do
  build "$crate" 0 4
  build "$crate" 2 5
done
build layouts 2 4
build enums 2 4

CLANG_IR=${CLANG_IR:-clang-22}
"$CLANG_IR" -c -g -gdwarf-4 -x ir "$src/variant_members.ll" -o "$out/variant_members.llvm-ir.dwarf4.o"
echo "variant_members.llvm-ir.dwarf4.o | testdata/src/rust/variant_members.ll |" \
  "$("$CLANG_IR" --version | head -n1): -c -g -gdwarf-4 -x ir" >>"$manifest"

# Mixed C + Rust: one relocatable object holding a C CU and a Rust CU.
"$RUSTC" "${common[@]}" -C opt-level=2 -C dwarf-version=4 "$src/mixed.rs" -o "$tmp/mixed_rs.o"
(cd "$root" && "$CC" -g -O2 -gdwarf-4 -c testdata/src/rust/mixed_c.c -o "$tmp/mixed_c.o")
ld -r "$tmp/mixed_c.o" "$tmp/mixed_rs.o" -o "$out/mixed.rustc+gcc.dwarf4.O2.ldr.o"
echo "mixed.rustc+gcc.dwarf4.O2.ldr.o | testdata/src/rust/mixed_c.c testdata/src/rust/mixed.rs |" \
  "gcc -g -O2 -gdwarf-4 -c; rustc ${common[*]} -C opt-level=2 -C dwarf-version=4; ld -r" \
  | sed "s#$root=\.#<repo>=.#g" >>"$manifest"

mv "$manifest" "$out/MANIFEST"
du -ch "$out"/*.o | tail -n1
