#!/usr/bin/env bash
# Module (split) BTF for every debug .ko against one vmlinux BTF: dwarf2btf's
# batch mode (one process, base read once, modules in parallel) against
# pahole's one-process-per-module loop (what Makefile.modfinal runs), then a
# (kind, name) set comparison per module (bench/btf_sets.py). dwarf2btf also
# runs the same loop (a kernel build with PAHOLE=dwarf2btf), whose output
# must equal the batch's byte for byte.
#
# Usage: bench/modules.sh [options]
#   --tool PATH      dwarf2btf binary (default: build/dwarf2btf)
#   --modules DIR    where the .ko files are (default: /usr/lib/debug/lib/modules/<newest>)
#   --vmlinux PATH   debug vmlinux for the base (default: newest /usr/lib/debug/boot/vmlinux-*)
#   --base FILE      use this base BTF instead of encoding vmlinux with dwarf2btf: raw
#                    BTF, or an ELF with .BTF (a kernel build passes vmlinux itself;
#                    Debian's debug vmlinux carries pahole's .BTF)
#   --limit N        only the first N modules (sorted by path)
#   --jobs N         dwarf2btf batch -j (default: all cores); pahole runs one at a time
#   --out DIR        output directory (default: bench/out/modules)
#   --pahole PATH    pahole binary (default: pahole from PATH)
#   --no-loop        skip dwarf2btf's one-process-per-module loop
# The flags follow the pahole version, as the kernel build chooses them:
#   < 1.26 (Debian's 1.24): pahole --btf_gen_floats --lang_exclude=rust;
#     dwarf2btf --no-consistent-func (pahole 1.24 has no consistent_func);
#   >= 1.26 (e.g. a pahole HEAD build): pahole --btf_features=default
#     --lang_exclude=rust (the kernel 6.11+ set); dwarf2btf --kfunc-tags.
# dwarf2btf always gets --flatten-arrays --lang-exclude rust (pahole's layout).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool=$root/build/dwarf2btf pahole=pahole modules="" vmlinux="" base="" limit=0 jobs=$(nproc) out=$root/bench/out/modules
loop=1
while [[ $# -gt 0 ]]; do
  case $1 in
  --tool) tool=$2; shift 2 ;;
  --modules) modules=$2; shift 2 ;;
  --vmlinux) vmlinux=$2; shift 2 ;;
  --base) base=$2; shift 2 ;;
  --limit) limit=$2; shift 2 ;;
  --jobs) jobs=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --pahole) pahole=$2; shift 2 ;;
  --no-loop) loop=0; shift ;;
  -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
  *) echo "modules.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
log() { echo "modules.sh: $*" >&2; }
command -v "$pahole" >/dev/null || { log "pahole missing (apt-get install dwarves or --pahole PATH)"; exit 1; }
pversion=$("$pahole" --version)
pnum=$(echo "$pversion" | sed -E 's/v([0-9]+)\.([0-9]+).*/\1\2/')
if [[ $pnum -ge 126 ]]; then
  pflags=(--btf_features=default --lang_exclude=rust)
  dflags=(--flatten-arrays --lang-exclude rust --kfunc-tags)
else
  pflags=(--btf_gen_floats --lang_exclude=rust)
  dflags=(--flatten-arrays --no-consistent-func --lang-exclude rust)
fi
[[ -x $tool ]] || { log "no dwarf2btf at $tool"; exit 1; }
[[ -n $modules ]] || modules=$(ls -1d /usr/lib/debug/lib/modules/* 2>/dev/null | sort -V | tail -1)
[[ -d $modules ]] || { log "no module directory (install linux-image-*-dbg or pass --modules)"; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -z $base ]]; then
  [[ -n $vmlinux ]] || vmlinux=$(ls -1 /usr/lib/debug/boot/vmlinux-* | sort -V | tail -1)
  base=$out/vmlinux.btf
  if [[ ! -s $base ]]; then
    log "encoding the base from $vmlinux"
    "$tool" encode --flatten-arrays --lang-exclude rust --raw "$base" "$vmlinux"
  fi
fi
find "$modules" -name '*.ko' | sort > "$out/list"
[[ $limit -gt 0 ]] && { head -n "$limit" "$out/list" > "$out/list.tmp"; mv "$out/list.tmp" "$out/list"; }
n=$(wc -l < "$out/list")
rm -rf "$out/d2b" "$out/pahole" "$out/d2b-loop"; mkdir -p "$out/d2b" "$out/pahole" "$out/d2b-loop"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

log "dwarf2btf batch: $n modules, -j$jobs"
/usr/bin/time -f '%e %U %S %M' -o "$out/time.d2b" \
  "$tool" encode -j "$jobs" "${dflags[@]}" \
  --base "$base" --raw-dir "$out/d2b" $(cat "$out/list") 2> "$out/d2b.log" || log "dwarf2btf reported errors (see d2b.log)"

# The loop a kernel build runs, with dwarf2btf (its own flags, same output
# names as the batch's --raw-dir).
loop_line="" loop_same=""
if [[ $loop == 1 ]]; then
  log "dwarf2btf loop: $n processes"
  /usr/bin/time -f '%e %U %S %M' -o "$out/time.d2b-loop" bash -c '
    t=$1 base=$2 dir=$3 list=$4; shift 4
    while read -r ko; do
      "$t" encode "$@" --base "$base" --raw "$dir/$(basename "$ko").btf" "$ko" \
        2>>"$dir.log" || echo "FAILED $ko" >> "$dir.log"
    done < "$list"' _ "$tool" "$base" "$out/d2b-loop" "$out/list" "${dflags[@]}"
  read -r lw lu ls lm < "$out/time.d2b-loop"
  loop_line="| dwarf2btf loop | $lw | $(echo "$lu + $ls" | bc) | $((lm / 1024)) (largest process) |"
  differ=0
  for f in "$out/d2b"/*.btf; do
    cmp -s "$f" "$out/d2b-loop/$(basename "$f")" || differ=$((differ + 1))
  done
  loop_same="dwarf2btf loop output: $((n - differ)) of $n modules byte-identical to the batch's"
fi

log "pahole $pversion loop: $n processes (${pflags[*]})"
/usr/bin/time -f '%e %U %S %M' -o "$out/time.pahole" bash -c '
  p=$1 base=$2 dir=$3 list=$4; shift 4
  while read -r ko; do
    "$p" -J "$@" --btf_base "$base" \
      --btf_encode_detached="$dir/$(basename "$ko").btf" "$ko" >/dev/null 2>>"$dir.log" || echo "FAILED $ko" >> "$dir.log"
  done < "$list"' _ "$pahole" "$base" "$out/pahole" "$out/list" "${pflags[@]}"
load1=$(cut -d' ' -f1-3 /proc/loadavg)

python3 "$root/bench/btf_sets.py" "$base" "$out/d2b" "$out/pahole" --report "$out/sets.txt" \
  --classify "$out/list" "$tool" --tool-flags "${dflags[*]}" > "$out/sets.summary"
read -r dw du ds dm < "$out/time.d2b"
read -r pw pu ps pm < "$out/time.pahole"
{
  echo "# Module BTF: dwarf2btf batch vs pahole loop ($n modules)"
  echo
  echo "base: $base"
  echo "pahole: $pahole $pversion, flags: ${pflags[*]}; dwarf2btf flags: ${dflags[*]}"
  echo "load average before: $load0, after: $load1"
  echo
  echo "| | wall s | CPU s | peak RSS MB |"
  echo "|---|---|---|---|"
  echo "| dwarf2btf batch -j$jobs | $dw | $(echo "$du + $ds" | bc) | $((dm / 1024)) |"
  [[ -n $loop_line ]] && echo "$loop_line"
  echo "| pahole $pversion loop | $pw | $(echo "$pu + $ps" | bc) | $((pm / 1024)) (largest process) |"
  echo
  echo "wall ratio dwarf2btf/pahole: $(echo "scale=3; $dw / $pw" | bc)," \
    "CPU ratio: $(echo "scale=3; ($du + $ds) / ($pu + $ps)" | bc)"
  if [[ -n $loop_line ]]; then
    echo "loop against loop, wall: $(echo "scale=3; $lw / $pw" | bc)," \
      "CPU: $(echo "scale=3; ($lu + $ls) / ($pu + $ps)" | bc)"
    echo "$loop_same"
  fi
  echo
  echo "## (kind, name) sets (A = dwarf2btf, B = pahole)"
  echo
  cat "$out/sets.summary"
  echo
  echo "Per-module differences: $out/sets.txt"
} > "$out/report.md"
cat "$out/report.md"
