#!/usr/bin/env bash
# Kernel boot harness: builds Linux with PAHOLE= pointing at dwarf2btf's pahole
# mode, boots it under QEMU with a test /init (btfcheck-init.c) and reads the
# verdict line from the serial log.
#
#   tests/kernel/run.sh [--work DIR] [--tool PATH] [--jobs N] [--no-install] [--prepare] [CASE...]
#
# --prepare only unpacks and configures the cases' trees (no build, no boot).
#
# Cases (default: all, in this order):
#   1  c61        6.1, C only: boots, the kernel parses its BTF; named types as pahole's
#   2  rust-excl  6.12 + Rust, Rust CUs excluded (--lang_exclude=rust, as kbuild asks)
#   3  rust-incl  6.12 + Rust with DWARF2BTF_INCLUDE_LANGS=rust: Rust types in vmlinux BTF
#   4  rust-mods  6.12 + Rust, samples as modules (split BTF), Rust types included
#   5  negative   6.1 with a PAHOLE wrapper that corrupts the BTF: the check must FAIL
#   6  mods-excl  as 4 with Rust excluded (plain PAHOLE=dwarf2btf): modules load, BTF in sysfs
#
# Trees live in WORK/trees/{c61,rust,rustmod} (unpacked once, configured once,
# built once); every case removes vmlinux and runs make, so a rerun after a
# change to dwarf2btf costs a relink and a boot. Logs, serial logs and BTF
# files go to WORK/results/<case>/, the summary to WORK/results/summary.txt.
# Progress goes to stderr; stdout carries the summary table and one
# "RESULT key=value ..." line per case. Exit status 0 when every case passes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WORK=/var/tmp/dwarf2btf-kernel
TOOL=
JOBS=2
INSTALL=1
PREPARE=0
BOOT_TIMEOUT=${D2B_BOOT_TIMEOUT:-300}
cases=()

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit "${1:-0}"
}

while (($#)); do
  case "$1" in
  --work) WORK=$2; shift 2 ;;
  --tool) TOOL=$2; shift 2 ;;
  --jobs) JOBS=$2; shift 2 ;;
  --no-install) INSTALL=0; shift ;;
  --prepare) PREPARE=1; shift ;;
  -h | --help) usage 0 ;;
  1 | c61) cases+=(1); shift ;;
  2 | rust-excl) cases+=(2); shift ;;
  3 | rust-incl) cases+=(3); shift ;;
  4 | rust-mods) cases+=(4); shift ;;
  5 | negative) cases+=(5); shift ;;
  6 | mods-excl) cases+=(6); shift ;;
  *) echo "run.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done
((${#cases[@]})) || cases=(1 2 3 4 5 6)

log() { echo "kernel: $*" >&2; }
die() { echo "kernel: error: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---- packages -------------------------------------------------------------
packages=(qemu-system-x86 cpio linux-source-6.1 linux-source-6.12 rustc-web rust-web-src
  bindgen libclang1-14 dwarves gcc make flex bison bc libelf-dev libssl-dev python3
  binutils xz-utils gzip)
install_missing() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  ((INSTALL)) || die "missing packages: ${missing[*]} (run without --no-install)"
  log "installing ${missing[*]}"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}
install_missing

# ---- the tool, the wrapper, the init ----------------------------------------
if [[ -z $TOOL ]]; then
  BUILD_DIR=${BUILD_DIR:-$repo/build}
  if [[ -f $BUILD_DIR/build.ninja ]]; then
    ninja -C "$BUILD_DIR" -j "$JOBS" dwarf2btf >&2
  else
    BUILD_DIR=$BUILD_DIR JOBS=$JOBS "$repo/scripts/setup.sh" tool >&2
  fi
  TOOL=$BUILD_DIR/dwarf2btf
fi
TOOL=$(realpath "$TOOL")
[[ -x $TOOL ]] || die "no dwarf2btf at $TOOL"

BIN=$WORK/bin
mkdir -p "$BIN" "$WORK/trees" "$WORK/results"
ln -sfn "$TOOL" "$BIN/dwarf2btf"
# Copied, not linked: kbuild records PAHOLE/BINDGEN paths, and a stable path
# under WORK keeps a tree valid whichever checkout runs the harness.
install -m 755 "$here/pahole-wrapper.sh" "$BIN/pahole"
install -m 755 "$here/corrupt-btf.py" "$BIN/corrupt-btf.py"
install -m 755 "$here/bindgen-compat" "$BIN/bindgen-compat"
if [[ ! -x $BIN/btfcheck-init || $here/btfcheck-init.c -nt $BIN/btfcheck-init ]]; then
  gcc -static -O2 -o "$BIN/btfcheck-init" "$here/btfcheck-init.c"
fi
log "tool $TOOL ($("$BIN/pahole" --version)), work dir $WORK"

# ---- trees ------------------------------------------------------------------
tree_version() { case $1 in c61) echo 6.1 ;; *) echo 6.12 ;; esac; }
tree_configs() {
  case $1 in
  c61) echo "$here/config/btf-boot.config" ;;
  rust) echo "$here/config/btf-boot.config $here/config/rust.config" ;;
  rustmod) echo "$here/config/btf-boot.config $here/config/modules.config" ;;
  esac
}
# make variables for every make call in a tree (kbuild ignores them from the
# environment for RUSTC/BINDGEN, and re-runs Kconfig when PAHOLE changes).
tree_makevars() {
  local v=("PAHOLE=$BIN/pahole")
  [[ $1 == c61 ]] || v+=("RUSTC=/usr/bin/rustc" "BINDGEN=$BIN/bindgen-compat")
  echo "${v[@]}"
}

prepare_tree() {
  local t=$1 dir=$WORK/trees/$1 ver src stamp
  ver=$(tree_version "$t")
  src=/usr/src/linux-source-$ver.tar.xz
  if [[ ! -f $dir/.d2b-unpacked ]]; then
    log "$t: unpacking $src"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -C "$dir" --strip-components=1 -xf "$src"
    touch "$dir/.d2b-unpacked"
  fi
  # shellcheck disable=SC2046
  stamp=$(cat $(tree_configs "$t") <(tree_makevars "$t") | sha256sum | cut -c1-16)
  if [[ $(cat "$dir/.d2b-configured" 2>/dev/null) != "$stamp" ]]; then
    log "$t: configuring"
    local mv
    read -ra mv <<<"$(tree_makevars "$t")"
    # shellcheck disable=SC2046
    (cd "$dir" && make "${mv[@]}" tinyconfig &&
      scripts/kconfig/merge_config.sh -m .config $(tree_configs "$t") &&
      make "${mv[@]}" olddefconfig) >"$WORK/trees/$t-config.log" 2>&1 ||
      die "$t: configuration failed, see $WORK/trees/$t-config.log"
    local opt
    # shellcheck disable=SC2046,SC2013
    for opt in $(grep -hE '^CONFIG_[A-Z0-9_]+=' $(tree_configs "$t")); do
      grep -qx "$opt" "$dir/.config" || die "$t: $opt did not stick (see $WORK/trees/$t-config.log)"
    done
    rm -f "$dir/.d2b-built"
    echo "$stamp" >"$dir/.d2b-configured"
  fi
}

# build_tree TREE OUTDIR [VAR=VALUE...]: relinks (or, the first time, builds).
# Sets build_kind and build_s.
build_tree() {
  local t=$1 out=$2 dir=$WORK/trees/$1 mv t0
  shift 2
  read -ra mv <<<"$(tree_makevars "$t")"
  build_kind=relink
  [[ -f $dir/.d2b-built ]] || build_kind=full
  rm -f "$dir/vmlinux"
  log "$t: make -j$JOBS ($build_kind) ${*:-}"
  t0=$(now)
  if ! (cd "$dir" && env -u DWARF2BTF_INCLUDE_LANGS -u D2B_KERNEL_CORRUPT \
    D2B_PAHOLE_LOG="$out/pahole-calls.log" "$@" make -j"$JOBS" "${mv[@]}") >"$out/build.log" 2>&1; then
    build_s=$(secs "$t0" "$(now)")
    tail -20 "$out/build.log" >&2
    return 1
  fi
  build_s=$(secs "$t0" "$(now)")
  touch "$dir/.d2b-built"
}

# boot TREE OUTDIR [MODULE.ko...]: the initramfs holds the init, OUTDIR/btfcheck.conf
# (if any) and the modules (debug info stripped; .BTF kept). Sets verdict, boot_s.
boot() {
  local t=$1 out=$2 dir=$WORK/trees/$1 list t0 ko
  shift 2
  list=$out/initramfs.list
  {
    echo "dir /dev 0755 0 0"
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "dir /proc 0755 0 0"
    echo "dir /sys 0755 0 0"
    echo "file /init $BIN/btfcheck-init 0755 0 0"
    [[ -f $out/btfcheck.conf ]] && echo "file /btfcheck.conf $out/btfcheck.conf 0644 0 0"
    if (($#)); then
      echo "dir /modules 0755 0 0"
      mkdir -p "$out/modules"
      for ko in "$@"; do
        objcopy --strip-debug "$ko" "$out/modules/$(basename "$ko")"
        echo "file /modules/$(basename "$ko") $out/modules/$(basename "$ko") 0644 0 0"
      done
    fi
  } >"$list"
  "$dir/usr/gen_init_cpio" "$list" | gzip -9 >"$out/initramfs.cpio.gz"
  log "$t: booting under QEMU (TCG)"
  t0=$(now)
  timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -kernel "$dir/arch/x86/boot/bzImage" \
    -initrd "$out/initramfs.cpio.gz" -nographic -append "console=ttyS0 panic=-1" \
    -no-reboot -m 512 </dev/null >"$out/serial.log" 2>&1 || true
  boot_s=$(secs "$t0" "$(now)")
  verdict=$(tr -d '\r' <"$out/serial.log" | grep -a -m1 '^BTFCHECK: ' | sed 's/^BTFCHECK: //' || true)
  [[ -n $verdict ]] || verdict="NONE (no verdict line; see $out/serial.log)"
  tr -d '\r' <"$out/serial.log" | grep -a -E '^(btfcheck: |BTFCHECK: )' >"$out/verdict.txt" || true
}

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# The .BTF section of an ELF as a raw file.
dump_btf() {
  objcopy --dump-section ".BTF=$2" "$1" "$2.elf" && rm -f "$2.elf"
}

# pahole 1.24 with the kernel's flags for it, minus -j (reproducible).
pahole_ref() {
  pahole -J --btf_gen_floats --lang_exclude=rust --btf_encode_detached="$2" "$1" \
    >"$2.log" 2>&1 || echo "pahole failed (exit $?), see $2.log" >&2
}

# ---- cases --------------------------------------------------------------------
case_name() {
  case $1 in
  1) echo c61 ;; 2) echo rust-excl ;; 3) echo rust-incl ;; 4) echo rust-mods ;; 5) echo negative ;;
  6) echo mods-excl ;;
  esac
}

run_case() {
  local c=$1 name out t expect=PASS envs=() note="" kos=() ko
  name=$(case_name "$c")
  out=$WORK/results/$c-$name
  rm -rf "$out" && mkdir -p "$out"
  case $c in 1 | 5) t=c61 ;; 2 | 3) t=rust ;; 4 | 6) t=rustmod ;; esac
  case $c in 3 | 4) envs=(DWARF2BTF_INCLUDE_LANGS=rust) ;; 5) envs=(D2B_KERNEL_CORRUPT=1) expect=FAIL ;; esac
  prepare_tree "$t"
  local dir=$WORK/trees/$t
  build_kind=- build_s=0 boot_s=0 verdict="NOT RUN"
  local ours=0 theirs=0 ok=1
  if build_tree "$t" "$out" "${envs[@]}"; then
    dump_btf "$dir/vmlinux" "$out/vmlinux.ours.btf"
    pahole_ref "$dir/vmlinux" "$out/vmlinux.pahole.btf"
    ours=$(size_of "$out/vmlinux.ours.btf")
    theirs=$(size_of "$out/vmlinux.pahole.btf")
    case $c in
    1)
      # Same flags as pahole, offline, then the (kind, name) sets.
      "$BIN/dwarf2btf" pahole -J --btf_gen_floats --lang_exclude=rust \
        --btf_encode_detached="$out/vmlinux.ours-124flags.btf" "$dir/vmlinux"
      python3 "$here/btf_names.py" compare "$out/vmlinux.ours-124flags.btf" \
        "$out/vmlinux.pahole.btf" >"$out/names-same-flags.txt"
      python3 "$here/btf_names.py" compare "$out/vmlinux.ours.btf" \
        "$out/vmlinux.pahole.btf" >"$out/names-in-kernel.txt"
      sed 's/^/  same flags: /' "$out/names-same-flags.txt" >&2
      # Every named non-FUNC type must match; FUNC differences are listed.
      if grep -E '^only_[ab] ' "$out/names-same-flags.txt" | grep -qv '^only_[ab] FUNC '; then
        ok=0
        note="named types differ from pahole's (see names-same-flags.txt)"
      else
        note="non-FUNC named types equal to pahole's; $(head -1 "$out/names-same-flags.txt")"
      fi
      ;;
    3 | 4)
      # The Rust-only types: ours against our own encoding without Rust.
      "$BIN/dwarf2btf" pahole -J --btf_features=default --lang_exclude=rust \
        --btf_encode_detached="$out/vmlinux.ours-norust.btf" "$dir/vmlinux"
      python3 "$here/btf_names.py" only "$out/vmlinux.ours.btf" "$out/vmlinux.ours-norust.btf" 6 \
        2>"$out/rust-only-counts.txt" | sed 's/^/type /' >"$out/btfcheck.conf"
      note="Rust-only $(cut -c3- "$out/rust-only-counts.txt"); pahole 1.24 cannot encode Rust (its size is without)"
      [[ -s $out/btfcheck.conf ]] || { ok=0; note="no Rust-only types in vmlinux BTF"; }
      "$BIN/dwarf2btf" check --kernel "$out/vmlinux.ours.btf" >"$out/host-check.txt" 2>&1 || true
      ;;
    esac
    if [[ $c == 4 || $c == 6 ]]; then
      while IFS= read -r ko; do kos+=("$ko"); done < <(find "$dir/samples" -name '*.ko' | sort)
      ((${#kos[@]})) || { ok=0; note="no modules built"; }
      local mo=0 mp=0 m
      for ko in "${kos[@]}"; do
        m=$(basename "$ko" .ko)
        dump_btf "$ko" "$out/$m.ours.btf"
        pahole -J --btf_gen_floats --lang_exclude=rust --btf_base "$dir/vmlinux" \
          --btf_encode_detached="$out/$m.pahole.btf" "$ko" >"$out/$m.pahole.log" 2>&1 || true
        echo "module $m ours $(size_of "$out/$m.ours.btf") pahole $(size_of "$out/$m.pahole.btf")" \
          >>"$out/modules.txt"
        mo=$((mo + $(size_of "$out/$m.ours.btf")))
        mp=$((mp + $(size_of "$out/$m.pahole.btf")))
        [[ $c == 4 && $ko == */samples/rust/* ]] && echo "nonempty ${m//-/_}" >>"$out/btfcheck.conf"
      done
      note="${note:+$note; }modules (ours/pahole bytes): $(awk '{printf "%s %s/%s  ", $2, $4, $6}' "$out/modules.txt")"
    fi
    boot "$t" "$out" "${kos[@]}"
  else
    ok=0
    note="build failed (see $out/build.log)"
  fi
  local got=${verdict%% *} result=PASS
  [[ $got == "$expect" && $ok == 1 ]] || result=FAIL
  if [[ $c == 5 && $got == FAIL ]]; then
    grep -q 'kernel-parse' <<<"$verdict" || result=FAIL
    note="expected FAIL: $(grep -a -m1 -o 'BPF: *Invalid type_id\|Invalid type_id' "$out/serial.log" || echo 'no Invalid type_id line')"
  fi
  printf '%-2s %-10s %-6s %-32s %-6s %-6s %7s %6s %9s %9s\n' "$c" "$name" "$expect" \
    "${verdict:0:32}" "$result" "$build_kind" "$build_s" "$boot_s" "$ours" "$theirs" |
    tee -a "$WORK/results/summary.txt"
  echo "RESULT case=$c name=$name expect=$expect verdict=\"$verdict\" result=$result" \
    "build=$build_kind build_s=$build_s boot_s=$boot_s btf_ours=$ours btf_pahole=$theirs" \
    "note=\"$note\"" >>"$WORK/results/results.txt"
  [[ -s $out/verdict.txt ]] && sed 's/^/    /' "$out/verdict.txt" >&2
  [[ -n $note ]] && echo "    note: $note" >&2
  [[ $result == PASS ]]
}

if ((PREPARE)); then
  for c in "${cases[@]}"; do
    case $c in 1 | 5) prepare_tree c61 ;; 2 | 3) prepare_tree rust ;; 4 | 6) prepare_tree rustmod ;; esac
  done
  exit 0
fi

: >"$WORK/results/results.txt"
{
  echo "# $(date -u +%FT%TZ) tool $TOOL"
  printf '%-2s %-10s %-6s %-32s %-6s %-6s %7s %6s %9s %9s\n' case name expect verdict result build \
    build_s boot_s btf_ours btf_pahole
} | tee "$WORK/results/summary.txt"
failed=0
for c in "${cases[@]}"; do
  run_case "$c" || failed=1
done
cat "$WORK/results/results.txt"
exit "$failed"
