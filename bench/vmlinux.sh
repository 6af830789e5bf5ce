#!/usr/bin/env bash
# Benchmarks `dwarf2btf encode --raw` against `pahole -J` on a real kernel
# (Debian's linux-image-cloud-amd64-dbg vmlinux) and compares their output.
# See bench/README.md for what is measured and how to read the report.
#
# Usage: bench/vmlinux.sh [options]
#   --quick           run on a small fixture instead of vmlinux (for CI: prints
#                     ratios, never fails on them); each timed run is --loops
#                     runs in a row, 50 unless given
#   --loops N         runs of a command per timed run (default 1; the time and
#                     the CPU are their sum, the peak RSS their maximum)
#   --vmlinux PATH    input (default: newest /usr/lib/debug/boot/vmlinux-*)
#   --tool PATH       dwarf2btf binary (default: build/dwarf2btf)
#   --reps N          repetitions of each encoder, alternating (default 3)
#   --jobs N          -j for both encoders (default: all cores for both)
#   --out DIR         report directory (default: bench/out/<input name>)
#   --only WHICH      run only "dwarf2btf" or "pahole"
#   --floor PATH      the libdw walk floor (default: build/walk_floor; skipped
#                     with a note when it is not built)
#   --no-install      do not apt-get install the -dbg package when missing
# Exit status: 0 when every requested run succeeded (quick mode: always 0
# unless the script itself is broken), 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
quick=0 vmlinux="" tool="$root/build/dwarf2btf" reps=3 jobs="" out="" only="" install=1
floor="$root/build/walk_floor" loops=""

while [[ $# -gt 0 ]]; do
  case $1 in
  --quick) quick=1; shift ;;
  --vmlinux) vmlinux=$2; shift 2 ;;
  --tool) tool=$2; shift 2 ;;
  --reps) reps=$2; shift 2 ;;
  --jobs) jobs=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --only) only=$2; shift 2 ;;
  --floor) floor=$2; shift 2 ;;
  --loops) loops=$2; shift 2 ;;
  --no-install) install=0; shift ;;
  -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
  *) echo "vmlinux.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "vmlinux.sh: --reps needs a positive number" >&2; exit 2; }
# A run on the small fixture takes about 10 ms, the resolution of the timer.
[[ -n $loops ]] || { [[ $quick == 1 ]] && loops=50 || loops=1; }
[[ $loops =~ ^[1-9][0-9]*$ ]] || { echo "vmlinux.sh: --loops needs a positive number" >&2; exit 2; }
case $only in "" | dwarf2btf | pahole) ;; *) echo "vmlinux.sh: --only dwarf2btf|pahole" >&2; exit 2 ;; esac

log() { echo "vmlinux.sh: $*" >&2; }
want() { [[ -z $only || $only == "$1" ]]; }

# ---- tools ---------------------------------------------------------------
ensure_pkg() { # command package
  command -v "$1" >/dev/null && return 0
  if [[ $install == 1 ]] && command -v apt-get >/dev/null; then
    log "installing $2 for $1"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  fi
  command -v "$1" >/dev/null || { log "missing $1 (package $2)"; exit 1; }
}
TIME=/usr/bin/time
[[ -x $TIME ]] || { ensure_pkg time time; TIME=$(command -v time); }
ensure_pkg bpftool bpftool
ensure_pkg python3 python3
want pahole && ensure_pkg pahole dwarves
run_floor=1
if [[ ! -x $floor ]]; then
  log "no walk_floor at $floor (ninja -C build walk_floor): the floor is not measured"
  run_floor=0
fi
if want dwarf2btf && [[ ! -x $tool ]]; then
  log "no dwarf2btf at $tool (build it, or pass --tool / --only pahole)"
  exit 1
fi

# ---- input -----------------------------------------------------------------
if [[ $quick == 1 ]]; then
  [[ -n $vmlinux ]] || vmlinux=$root/testdata/bin/multi.gcc.dwarf5.O2.exe
else
  if [[ -z $vmlinux ]]; then
    vmlinux=$(ls -1 /usr/lib/debug/boot/vmlinux-* 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z $vmlinux && $install == 1 ]]; then
      log "installing linux-image-cloud-amd64-dbg (large download)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-image-cloud-amd64-dbg >/dev/null
      vmlinux=$(ls -1 /usr/lib/debug/boot/vmlinux-* 2>/dev/null | sort -V | tail -1 || true)
    fi
  fi
fi
[[ -n $vmlinux && -f $vmlinux ]] || { log "no input vmlinux (pass --vmlinux PATH)"; exit 1; }

name=$(basename "$vmlinux")
out=${out:-$root/bench/out/$name}
mkdir -p "$out"
out=$(cd "$out" && pwd)
scratch=$out/scratch
rm -rf "$scratch"
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT

# Encoders get a private copy: pahole and an in-place dwarf2btf write into
# their input, and the page cache is warmed the same way for both.
log "copying $vmlinux to $scratch"
cp "$vmlinux" "$scratch/input"
input=$scratch/input

ours_args=(encode)
pahole_args=(-J "-j$jobs" --btf_gen_floats --lang_exclude=rust)
[[ -n $jobs ]] && ours_args+=(-j "$jobs")

# ---- timing ---------------------------------------------------------------
# With --loops, one shell runs the command that many times (stopping at the
# first failure); time's figures then cover all of them (wait4 counts the
# shell's children, and the peak RSS is the largest of theirs).
loop_prefix=()
if ((loops > 1)); then
  loop_prefix=(bash -c 'for ((i = 0; i < $0; i++)); do "$@" || exit; done' "$loops")
fi

# One run: prints "<wall seconds> <peak RSS KiB> <CPU seconds> <exit status>".
timed() { # name outfile command...
  local which=$1 dst=$2
  shift 2
  local status=0
  "$TIME" -f '%e %M %U %S' -o "$scratch/time" "${loop_prefix[@]}" "$@" >"$scratch/$which.stdout" 2>"$scratch/$which.stderr" || status=$?
  [[ -s $dst ]] || [[ $status != 0 ]] || status=99 # exit 0 but no output
  echo "$(tail -1 "$scratch/time" | awk '{print $1, $2, $3 + $4}') $status"
}

times=$out/times.tsv
echo -e "encoder\trep\tseconds\tpeak_rss_kib\tcpu_seconds\tstatus" >"$times"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ours_ok=1 pahole_ok=1
for rep in $(seq 1 "$reps"); do
  # Alternate which encoder goes first, so neither always gets the warmer cache.
  order="dwarf2btf pahole"
  ((rep % 2 == 0)) && order="pahole dwarf2btf"
  for which in $order; do
    want "$which" || continue
    dst=$out/$which.btf
    rm -f "$dst"
    if [[ $which == dwarf2btf ]]; then
      read -r secs rss cpu status < <(timed dwarf2btf "$dst" "$tool" "${ours_args[@]}" --raw "$dst" "$input")
    else
      read -r secs rss cpu status < <(timed pahole "$dst" pahole "${pahole_args[@]}" --btf_encode_detached="$dst" "$input")
    fi
    echo -e "$which\t$rep\t$secs\t$rss\t$cpu\t$status" >>"$times"
    log "$which rep $rep: ${secs}s wall, ${cpu}s CPU, peak RSS ${rss} KiB, exit $status"
    if [[ $status != 0 ]]; then
      [[ $which == dwarf2btf ]] && ours_ok=0 || pahole_ok=0
      log "$which failed: $(head -3 "$scratch/$which.stderr" | tr '\n' ' ')"
      cp "$scratch/$which.stderr" "$out/$which.stderr"
    fi
  done
  # The floor of issue #5: a bare single-threaded libdw walk over every DIE
  # (bench/walk_floor.cpp), timed in the same rounds as the encoders.
  if [[ $run_floor == 1 ]]; then
    read -r secs rss cpu status < <(timed floor "$scratch/floor.stdout" "$floor" "$input")
    echo -e "floor\t$rep\t$secs\t$rss\t$cpu\t$status" >>"$times"
    log "floor rep $rep: ${secs}s wall, ${cpu}s CPU, peak RSS ${rss} KiB, exit $status ($(tail -1 "$scratch/floor.stdout"))"
  fi
done

# ---- analysis ---------------------------------------------------------------
for which in dwarf2btf pahole; do
  if [[ -s $out/$which.btf ]]; then
    bpftool btf dump file "$out/$which.btf" >"$out/$which.dump.txt" 2>"$out/$which.dump.err" ||
      log "bpftool cannot parse $which.btf: $(head -1 "$out/$which.dump.err")"
  else
    rm -f "$out/$which.dump.txt"
  fi
done
# The BTF the distribution shipped inside the image, when there is one: a
# third reference (built by the distribution's pahole).
if bpftool btf dump file "$input" >"$out/shipped.dump.txt" 2>/dev/null; then :; else rm -f "$out/shipped.dump.txt"; fi

# Dump speed: dwarf2btf dump against bpftool on dwarf2btf's output, raw and
# C formats, alternating, each run to /dev/null (median of --reps runs).
dumps=$out/dump.tsv
echo -e "dumper\tformat\trep\tseconds\tpeak_rss_kib\tcpu_seconds\tstatus" >"$dumps"
if [[ -s $out/dwarf2btf.btf && -x $tool ]]; then
  dumped=$scratch/dump.btf
  cp "$out/dwarf2btf.btf" "$dumped"
  for rep in $(seq 1 "$reps"); do
    for fmt in raw c; do
      bt=(bpftool btf dump file "$dumped")
      ours=("$tool" dump "$dumped")
      [[ $fmt == c ]] && bt+=(format c) && ours+=(--format c)
      order="dwarf2btf bpftool"
      ((rep % 2 == 0)) && order="bpftool dwarf2btf"
      for which in $order; do
        if [[ $which == dwarf2btf ]]; then cmd=("${ours[@]}"); else cmd=("${bt[@]}"); fi
        status=0
        "$TIME" -f '%e %M %U %S' -o "$scratch/time" "${loop_prefix[@]}" "${cmd[@]}" >/dev/null 2>"$scratch/dump.stderr" || status=$?
        read -r secs rss cpu < <(tail -1 "$scratch/time" | awk '{print $1, $2, $3 + $4}')
        echo -e "$which\t$fmt\t$rep\t$secs\t$rss\t$cpu\t$status" >>"$dumps"
      done
    done
  done
fi

kernel_verdict() { # btf
  [[ -s $1 && -x $tool ]] || { echo "not run"; return; }
  local v
  if v=$("$tool" check --kernel "$1" 2>&1); then
    echo "accepted"
  else
    echo "REJECTED: $(echo "$v" | tail -2 | tr '\n' ' ')"
  fi
}
ours_kernel=$(kernel_verdict "$out/dwarf2btf.btf")
pahole_kernel=$(kernel_verdict "$out/pahole.btf")

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$out" "$name" "$quick" "$ours_kernel" "$pahole_kernel" "$load_before" "$load_after" "$(nproc)" "$loops" <<'EOF'
import collections, csv, os, re, statistics, sys

out, name, quick, ours_kernel, pahole_kernel, load_before, load_after, ncpu, loops = sys.argv[1:10]
TYPE = re.compile(r"^\[(\d+)\] (\S+) '([^']*)'")

def load(which):
    path = os.path.join(out, f"{which}.dump.txt")
    if not os.path.exists(path):
        return None
    types = []
    with open(path) as f:
        for line in f:
            m = TYPE.match(line)
            if m:
                types.append((m.group(2), m.group(3)))
    return types

rows = list(csv.DictReader(open(os.path.join(out, "times.tsv")), delimiter="\t"))
def med(which, field):
    vals = [float(r[field]) for r in rows if r["encoder"] == which and r["status"] == "0"]
    return statistics.median(vals) if vals else None

lines = []
p = lines.append
p(f"# dwarf2btf vs pahole on {name}")
p("")
p("## Time and memory (medians of successful runs)")
p("")
if loops != "1":
    p(f"Each run is {loops} runs of the command in a row: times are their sum, the peak RSS "
      "the largest.")
    p("")
p("| encoder | runs ok | wall s | CPU s (user+sys) | peak RSS MiB |")
p("|---|---|---|---|---|")
for which in ("dwarf2btf", "pahole", "floor"):
    n = sum(1 for r in rows if r["encoder"] == which)
    ok = sum(1 for r in rows if r["encoder"] == which and r["status"] == "0")
    if n == 0:
        continue
    t, c, m = med(which, "seconds"), med(which, "cpu_seconds"), med(which, "peak_rss_kib")
    p(f"| {which} | {ok}/{n} | {round(t, 3) if t is not None else '-'} | {round(c, 2) if c is not None else '-'} | "
      f"{round(m / 1024, 1) if m else '-'} |")
t_o, t_p = med("dwarf2btf", "seconds"), med("pahole", "seconds")
m_o, m_p = med("dwarf2btf", "peak_rss_kib"), med("pahole", "peak_rss_kib")
p("")
def ratio(a, b):
    if a is None or b is None:
        return "n/a (needs successful runs of both)"
    if a == 0 or b == 0:
        return "n/a (below the 10 ms timer resolution)"
    return f"{a / b:.2f}"
c_o, c_p = med("dwarf2btf", "cpu_seconds"), med("pahole", "cpu_seconds")
p(f"wall time ratio dwarf2btf/pahole: {ratio(t_o, t_p)}  (below 1: dwarf2btf faster)")
p(f"CPU time ratio dwarf2btf/pahole: {ratio(c_o, c_p)}")
p(f"peak RSS ratio dwarf2btf/pahole: {ratio(m_o, m_p)}")
t_f = med("floor", "seconds")
if any(r["encoder"] == "floor" for r in rows):
    p(f"wall time ratio dwarf2btf/floor: {ratio(t_o, t_f)}  (floor: a bare libdw walk over every "
      "DIE on one thread, bench/walk_floor.cpp; issue #5 asks for at most 1)")
p("")
p(f"{ncpu} CPUs; load average (1/5/15 min) before: {load_before}, after: {load_after} "
  "(wall times are only comparable on an otherwise idle machine)")
p("")

drows = list(csv.DictReader(open(os.path.join(out, "dump.tsv")), delimiter="\t"))
if drows:
    def dmed(which, fmt, field):
        vals = [float(r[field]) for r in drows
                if r["dumper"] == which and r["format"] == fmt and r["status"] == "0"]
        return statistics.median(vals) if vals else None
    p("## Dump speed (dwarf2btf's output; medians, output to /dev/null)")
    p("")
    p("| format | dwarf2btf wall s | bpftool wall s | dwarf2btf CPU s | bpftool CPU s | wall ratio | CPU ratio |")
    p("|---|---|---|---|---|---|---|")
    for fmt in ("raw", "c"):
        ow, bw = dmed("dwarf2btf", fmt, "seconds"), dmed("bpftool", fmt, "seconds")
        oc, bc = dmed("dwarf2btf", fmt, "cpu_seconds"), dmed("bpftool", fmt, "cpu_seconds")
        p(f"| {fmt} | {ow} | {bw} | {oc} | {bc} | {ratio(ow, bw)} | {ratio(oc, bc)} |")
    p("")

dumps = {w: load(w) for w in ("dwarf2btf", "pahole", "shipped")}
present = [w for w in ("dwarf2btf", "pahole", "shipped") if dumps[w] is not None]
p("## Types per kind")
p("")
if present:
    counts = {w: collections.Counter(k for k, _ in dumps[w]) for w in present}
    kinds = sorted(set().union(*counts.values()))
    p("| kind | " + " | ".join(present) + " |")
    p("|---|" + "---|" * len(present))
    for k in kinds:
        p(f"| {k} | " + " | ".join(str(counts[w][k]) for w in present) + " |")
    p("| total | " + " | ".join(str(len(dumps[w])) for w in present) + " |")
else:
    p("(no output to count)")
p("")

def diff_section(title, a_name, b_name, a, b, limit=25):
    only_a, only_b = sorted(a - b), sorted(b - a)
    p(f"### {title}")
    p("")
    p(f"{a_name}: {len(a)}, {b_name}: {len(b)}, common: {len(a & b)}, "
      f"only {a_name}: {len(only_a)}, only {b_name}: {len(only_b)}")
    for label, items in ((f"only {a_name}", only_a), (f"only {b_name}", only_b)):
        if items:
            p("")
            p(f"first {min(limit, len(items))} {label}:")
            for it in items[:limit]:
                p(f"    {it if isinstance(it, str) else ' '.join(it)}")
    p("")

named = lambda ts: {(k, n) for k, n in ts if n != "(anon)"}
names_of = lambda ts, kind: {n for k, n in ts if k == kind}
pairs = [(a, b) for a, b in (("dwarf2btf", "pahole"), ("dwarf2btf", "shipped"), ("pahole", "shipped"))
         if dumps[a] is not None and dumps[b] is not None]
if not pairs:
    p("## Semantic differences")
    p("")
    p("not computed: needs two outputs")
    p("")
for a, b in pairs:
    p(f"## Semantic differences: {a} vs {b}")
    p("")
    diff_section("Named types (kind, name)", a, b, named(dumps[a]), named(dumps[b]))
    diff_section("FUNC names", a, b, names_of(dumps[a], "FUNC"), names_of(dumps[b], "FUNC"))
    diff_section("VAR names", a, b, names_of(dumps[a], "VAR"), names_of(dumps[b], "VAR"))

p("## Kernel acceptance (BPF_BTF_LOAD via `dwarf2btf check --kernel`)")
p("")
p(f"- dwarf2btf output: {ours_kernel}")
p(f"- pahole output: {pahole_kernel}")
report = "\n".join(lines) + "\n"
open(os.path.join(out, "report.md"), "w").write(report)
print(report)
EOF

log "report: $out/report.md (raw timings: $out/times.tsv)"
if [[ $quick == 1 ]]; then
  exit 0
fi
[[ $ours_ok == 1 && $pahole_ok == 1 ]]
