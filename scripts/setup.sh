#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/setup.sh demo   install what is missing, build, encode the bundled sample and dump it
#   scripts/setup.sh test   install what is missing (tool + test oracles), build, run the test suite
#   scripts/setup.sh build  install build dependencies and build only
# Honours BUILD_DIR (default: build) and JOBS (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

build_deps=(build-essential cmake ninja-build pkg-config libdw-dev libelf-dev
  libboost-program-options-dev libgtest-dev libgmock-dev libfmt-dev libxxhash-dev
  libtbb-dev libzstd-dev zlib1g-dev)
# Test oracles: libbpf/bpftool parse and re-dedup our output, pahole is the
# peer, clang compiles the C headers we dump, binutils reads our ELF output.
# linux-source-6.1: the kernel-script test runs its BTF steps with our pahole.
test_deps=(bpftool libbpf-dev dwarves clang binutils gcc python3 linux-source-6.1 xz-utils)

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD_DIR" -j "$JOBS"
}

case "$mode" in
demo)
  install_missing "${build_deps[@]}"
  build
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  echo "== dwarf2btf encode --raw sample.btf testdata/sample/sample.o"
  "$BUILD_DIR/dwarf2btf" encode --raw "$out/sample.btf" testdata/sample/sample.o
  echo "== dwarf2btf dump sample.btf"
  "$BUILD_DIR/dwarf2btf" dump "$out/sample.btf"
  echo "== dwarf2btf dump --format c sample.btf"
  "$BUILD_DIR/dwarf2btf" dump --format c "$out/sample.btf"
  echo "== dwarf2btf check --kernel sample.btf"
  "$BUILD_DIR/dwarf2btf" check --kernel "$out/sample.btf"
  ;;
test)
  install_missing "${build_deps[@]}" "${test_deps[@]}"
  build
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
  ;;
build)
  install_missing "${build_deps[@]}"
  build
  ;;
*)
  echo "usage: $0 demo|test|build" >&2
  exit 2
  ;;
esac
