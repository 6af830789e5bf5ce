#!/usr/bin/env bash
# Builds the libFuzzer targets into build-fuzz/ (clang-22, ASan+UBSan) and runs
# each for a bounded time:   scripts/fuzz.sh [seconds-per-target] [target...]
# Corpora grow in build-fuzz/corpus/<target>/ (seeded from testdata/ on every
# run). Crash inputs land in build-fuzz/crashes/<target>/; the script exits 1
# if any target crashed, 2 if the targets do not build. Honours JOBS (ninja parallelism, default 2) and
# FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_encode fuzz_btf fuzz_dedup fuzz_policy)
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${JOBS:-2}

CXX=$(command -v clang++-22 || true)
CC=$(command -v clang-22 || true)
if [[ -z $CXX || -z $CC ]]; then
  echo "fuzz: SKIPPED: clang-22 is not installed" >&2
  exit 0
fi

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DD2B_FUZZ=ON -DD2B_TESTS=OFF \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" >/dev/null
# A target that does not build is not a crash: exit 2, which CI fails on.
if ! ninja -C "$BUILD" -j "$JOBS" dwarf2btf "${targets[@]}"; then
  echo "fuzz: the fuzz targets do not build (clang-22's runtimes: libclang-rt-22-dev)" >&2
  exit 2
fi

# Seeds: every ELF under testdata (good fixtures and the malformed suite) for
# the encoder; for the BTF targets, the raw BTF the tool encodes from those
# fixtures, deduplicated and not (testdata has no raw BTF files of its own).
seed() {
  local target=$1 dir=$2
  mkdir -p "$dir"
  case "$target" in
  fuzz_encode)
    find testdata -type f \( -name '*.o' -o -name '*.exe' -o -name '*.so' -o -name '*.ko' \
      -o -path 'testdata/bad/*' \) -size -4M -exec cp -n -t "$dir" {} + 2>/dev/null || true
    ;;
  fuzz_btf | fuzz_dedup)
    local f name
    for f in $(find testdata/bin testdata/sample -type f \( -name '*.o' -o -name '*.exe' -o -name '*.so' \) -size -4M); do
      name=$(echo "$f" | tr / _)
      [[ -e $dir/$name.btf ]] || "$BUILD/dwarf2btf" encode --vars all --raw "$dir/$name.btf" "$f" >/dev/null 2>&1 || true
      [[ -e $dir/$name.nodedup.btf ]] ||
        "$BUILD/dwarf2btf" encode --no-dedup --no-validate --raw "$dir/$name.nodedup.btf" "$f" >/dev/null 2>&1 || true
    done
    ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  corpus="$BUILD/corpus/$t"
  crashes="$BUILD/crashes/$t"
  seed "$t" "$corpus"
  mkdir -p "$crashes"
  echo "fuzz: $t for ${secs}s ($(ls "$corpus" | wc -l) corpus files)"
  maxLen=1048576
  [[ $t == fuzz_policy ]] && maxLen=4096 # text: short inputs mutate faster
  if ! "$BUILD/tests/fuzz/$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -max_len="$maxLen" \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" >"$BUILD/$t.log" 2>&1; then
    echo "fuzz: $t FAILED; log $BUILD/$t.log, inputs in $crashes/" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$BUILD/$t.log" | head -5 >&2 || true
    status=1
  fi
  grep -E '^stat::number_of_executed_units|^Done' "$BUILD/$t.log" || true
done
exit $status
