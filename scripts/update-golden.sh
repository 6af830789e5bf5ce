#!/usr/bin/env bash
# Regenerates testdata/expected/<fixture>.txt: the `dwarf2btf dump` of each
# fixture in testdata/bin after `dwarf2btf encode --raw`. Review the diff
# (git diff testdata/expected) before committing: every change in it is a
# change in the encoder's output.
#
# Usage: scripts/update-golden.sh [PATH-TO-dwarf2btf]   (default: build/dwarf2btf)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tool=${1:-${D2B_TOOL:-$root/build/dwarf2btf}}
[[ -x $tool ]] || { echo "update-golden.sh: no executable $tool (build first)" >&2; exit 2; }

out=$root/testdata/expected
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0 failed=0
for f in "$root"/testdata/bin/*; do
  name=$(basename "$f")
  [[ $name == MANIFEST || ! -f $f ]] && continue # bin/rust, bin/lto: own tests
  cp "$f" "$work/$name"
  if "$tool" encode --raw "$work/$name.btf" "$work/$name" 2>"$work/err" &&
    "$tool" dump "$work/$name.btf" >"$work/$name.txt" 2>>"$work/err"; then
    mv "$work/$name.txt" "$out/$name.txt"
    n=$((n + 1))
  else
    echo "update-golden.sh: $name: $(head -1 "$work/err")" >&2
    failed=$((failed + 1))
  fi
done
# Drop goldens whose fixture no longer exists.
for g in "$out"/*.txt; do
  [[ -e $g ]] || continue
  [[ -e $root/testdata/bin/$(basename "$g" .txt) ]] || { echo "removing stale $(basename "$g")"; rm "$g"; }
done
echo "update-golden.sh: $n golden dumps written to $out, $failed failed"
[[ $failed == 0 ]]
