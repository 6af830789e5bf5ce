#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/setup.sh demo   install what is missing, build, encode the bundled sample and dump it
#   scripts/setup.sh test   install what is missing (tool + test oracles), build, run the test suite
#   scripts/setup.sh build  install build dependencies and build only
#   scripts/setup.sh tool   install build dependencies and build only the dwarf2btf binary
#   scripts/setup.sh kernel [ARGS]  build the tool, then the kernel boot harness
#                           (tests/kernel/run.sh ARGS: builds and boots 6.1 and 6.12 kernels)
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
# time: bench/vmlinux.sh's timer (its --quick run below).
test_deps=(bpftool libbpf-dev dwarves clang binutils gcc python3 linux-source-6.1 xz-utils time)

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

# True when an apt source offers package $1. The policy is read whole
# before matching: `apt-cache ... | grep -q` under pipefail fails whenever
# grep exits first and apt-cache dies of SIGPIPE, which skipped clang-22.
apt_offers() {
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
  [[ $policy =~ Candidate:\ [0-9] ]]
}

build() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD_DIR" -j "$JOBS"
}

# Integration tests run again under ASan+UBSan: the ones that feed the tool
# malformed, killed or failing inputs, the main end-to-end paths, and our
# own DIE reader against libdw.
asan_integration=(bad_input bad_input_messages bad_dwarf dwarf_limits crash_safety extended_sections cli_contract encode_e2e dump determinism die_scanner location_reader)

# The unit tests and asan_integration built with -DD2B_SANITIZE=ON (gcc) in
# build-asan/; any sanitizer report fails the run.
sanitized_tests() {
  local dir=${ASAN_BUILD_DIR:-build-asan} targets=(dwarf2btf) t
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DD2B_SANITIZE=ON >/dev/null
  for t in tests/unit/*_test.cpp; do targets+=("unit_$(basename "$t" .cpp)"); done
  for t in "${asan_integration[@]}"; do targets+=("integration_${t}_test"); done
  ninja -C "$dir" -j "$JOBS" "${targets[@]}"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=134
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=134
  # ctest would rediscover every test program; run only what was built.
  local failed=0
  for t in "${targets[@]:1}"; do
    echo "== asan: $t"
    "$dir/tests/$t" --gtest_brief=1 || failed=1
  done
  unset ASAN_OPTIONS UBSAN_OPTIONS
  ((failed == 0)) || { echo "setup: sanitizer suite failed" >&2; exit 1; }
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
  # clang-22 builds the libFuzzer targets; it is not in Debian 12 itself, so
  # it is installed only where an apt source offers it (apt.llvm.org).
  # Its sanitizer and libFuzzer runtimes are a separate package.
  if ! command -v clang++-22 >/dev/null && apt_offers clang-22; then
    install_missing clang-22
  fi
  if command -v clang++-22 >/dev/null && apt_offers libclang-rt-22-dev; then
    install_missing libclang-rt-22-dev
  fi
  build
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
  sanitized_tests
  # A short random fuzz run can find a new input at any time; it reports
  # (inputs kept in build-fuzz/crashes/) without turning CI red. Committed
  # crash inputs are replayed by the test suite above, which does gate.
  # Exit 1 is that report; anything else (the targets do not build) fails.
  fuzz_rc=0
  scripts/fuzz.sh "${FUZZ_SECONDS:-60}" || fuzz_rc=$?
  case $fuzz_rc in
  0) ;;
  1) echo "fuzz: new crash inputs found (build-fuzz/crashes/): commit them to testdata/fuzz/ with a fix" ;;
  *) echo "setup: the fuzz step failed (exit $fuzz_rc)" >&2; exit 1 ;;
  esac
  # The benchmark's CI mode: dwarf2btf, pahole and the libdw walk floor on a
  # small fixture, ratios printed and never gating (machines differ); only a
  # broken script fails here.
  bench_out=$(mktemp -d)
  bench/vmlinux.sh --quick --no-install --reps 1 --tool "$BUILD_DIR/dwarf2btf" \
    --floor "$BUILD_DIR/walk_floor" --out "$bench_out" | sed -n '/^## Time/,/^## Types/p'
  rm -rf "$bench_out"
  ;;
build)
  install_missing "${build_deps[@]}"
  build
  ;;
tool)
  install_missing "${build_deps[@]}"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD_DIR" -j "$JOBS" dwarf2btf
  ;;
kernel)
  shift
  install_missing "${build_deps[@]}"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD_DIR" -j "$JOBS" dwarf2btf
  exec tests/kernel/run.sh --tool "$BUILD_DIR/dwarf2btf" "$@"
  ;;
*)
  echo "usage: $0 demo|test|build|tool|kernel [ARGS]" >&2
  exit 2
  ;;
esac
