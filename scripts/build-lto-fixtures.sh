#!/usr/bin/env bash
# Builds the cross-language LTO fixtures from testdata/src/lto into
# testdata/bin/lto: C (clang-22) and Rust (rustc -C linker-plugin-lto, whose
# LLVM must have clang-22's major version) compiled to bitcode and joined by
# ld.lld-22, which runs LTO. The outputs are committed so tests never depend on
# the installed toolchains; testdata/bin/lto/MANIFEST lists versions and flags.
#
#   lto.full.ldr.o  full LTO (clang -flto, rustc -C lto=fat), `ld.lld -r`:
#                   one LTO module, one C and one Rust CU, cross-CU
#                   DW_FORM_ref_addr abstract origins in both directions
#   lto.thin.ldr.o  ThinLTO (clang -flto=thin, rustc's default summary),
#                   `ld.lld -r`: each backend module keeps a copy of the CU
#                   whose functions it imported, so the C and the Rust CU
#                   appear twice
#   lto.thin.so     ThinLTO shared object (the link an LTO kernel module or
#                   library gets)
#
# Usage: scripts/build-lto-fixtures.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/testdata/src/lto
out=$root/testdata/bin/lto
CLANG=${CLANG:-clang-22}
LLD=${LLD:-ld.lld-22}
RUSTC=${RUSTC:-rustc}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clang_major=$("$CLANG" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)
rust_llvm=$("$RUSTC" --version --verbose | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
if [[ $clang_major != "$rust_llvm" ]]; then
  echo "build-lto-fixtures.sh: rustc uses LLVM $rust_llvm, $CLANG is $clang_major" >&2
  exit 1
fi

cflags=(-std=c23 -g -O2 -gdwarf-5 -fno-omit-frame-pointer -fdebug-prefix-map="$src=/d2b/testdata/src/lto")
rflags=(--edition 2021 --crate-type=lib --emit=obj -C debuginfo=2 -C panic=abort -C opt-level=2
  -C codegen-units=1 -C dwarf-version=5 -C linker-plugin-lto --remap-path-prefix "$src=/d2b/testdata/src/lto")

cd "$src"
"$CLANG" "${cflags[@]}" -flto -c lto_c.c -o "$tmp/c_full.o"
"$CLANG" "${cflags[@]}" -flto=thin -c lto_c.c -o "$tmp/c_thin.o"
"$CLANG" "${cflags[@]}" -fPIC -flto=thin -c lto_c.c -o "$tmp/c_thin_pic.o"
"$RUSTC" "${rflags[@]}" -C lto=fat "$src/lto_rs.rs" -o "$tmp/rs_fat.o"
"$RUSTC" "${rflags[@]}" "$src/lto_rs.rs" -o "$tmp/rs_thin.o"
"$RUSTC" "${rflags[@]}" -C relocation-model=pic "$src/lto_rs.rs" -o "$tmp/rs_thin_pic.o"

# The triples differ (x86_64-pc-linux-gnu vs x86_64-unknown-linux-gnu); lld
# warns and links them, as the kernel's Rust build does.
"$LLD" -r "$tmp/c_full.o" "$tmp/rs_fat.o" -o "$out/lto.full.ldr.o" 2>/dev/null
"$LLD" -r "$tmp/c_thin.o" "$tmp/rs_thin.o" -o "$out/lto.thin.ldr.o" 2>/dev/null
"$LLD" -shared "$tmp/c_thin_pic.o" "$tmp/rs_thin_pic.o" -o "$out/lto.thin.so" 2>/dev/null

{
  echo "# LTO fixtures built by scripts/build-lto-fixtures.sh; do not edit."
  echo "# clang: $("$CLANG" --version | head -n1)"
  echo "# rustc: $("$RUSTC" --version) (LLVM $rust_llvm)"
  echo "# lld:   $("$LLD" --version | head -n1)"
  echo "# C flags:    ${cflags[*]}" | sed "s#$src#<src>#g"
  echo "# Rust flags: ${rflags[*]}" | sed "s#$src#<src>#g"
  echo "lto.full.ldr.o | lto_c.c lto_rs.rs | clang -flto; rustc -C lto=fat; ld.lld -r"
  echo "lto.thin.ldr.o | lto_c.c lto_rs.rs | clang -flto=thin; rustc (ThinLTO summary); ld.lld -r"
  echo "lto.thin.so | lto_c.c lto_rs.rs | clang -fPIC -flto=thin; rustc -C relocation-model=pic; ld.lld -shared"
} >"$out/MANIFEST"
ls -l "$out"
