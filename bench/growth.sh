#!/usr/bin/env bash
# Growth of dwarf2btf's time and memory with DWARF size: encodes a few debug
# modules of increasing size and the debug vmlinux (standalone BTF, no base),
# one run each at -j1 and at -j N, and prints a Markdown table of
# .debug_info bytes, wall and CPU seconds and peak RSS, with CPU seconds and
# RSS per MiB of .debug_info (flat columns mean linear growth).
#
# Usage: bench/growth.sh [--tool PATH] [--jobs N] [FILE...]
#   default FILEs: tun.ko, libceph.ko, cifs.ko, mlx5_core.ko and the vmlinux of
#   the newest /usr/lib/debug/lib/modules/<version> tree
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tool=$root/build/dwarf2btf jobs=2 files=()
while [[ $# -gt 0 ]]; do
  case $1 in
  --tool) tool=$2; shift 2 ;;
  --jobs) jobs=$2; shift 2 ;;
  -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
  -*) echo "growth.sh: unknown option '$1'" >&2; exit 2 ;;
  *) files+=("$1"); shift ;;
  esac
done
if [[ ${#files[@]} == 0 ]]; then
  mods=$(ls -1d /usr/lib/debug/lib/modules/* 2>/dev/null | sort -V | tail -1 || true)
  [[ -n $mods ]] || { echo "growth.sh: no debug modules; pass FILEs" >&2; exit 1; }
  for m in drivers/net/tun.ko net/ceph/libceph.ko fs/smb/client/cifs.ko \
    drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko; do
    [[ -f $mods/kernel/$m ]] && files+=("$mods/kernel/$m")
  done
  v=/usr/lib/debug/boot/vmlinux-$(basename "$mods")
  [[ -f $v ]] && files+=("$v")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

info_bytes() { # .debug_info size (hex in readelf -S -W)
  local hex
  hex=$(readelf -S -W "$1" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".debug_info" {print $5; exit}')
  echo $((16#${hex:-0}))
}
run() { # jobs file -> "wall rss_kib cpu"
  /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$tool" encode -j "$1" --raw "$tmp/out.btf" "$2" \
    >/dev/null 2>"$tmp/err" || { echo "growth.sh: $2: $(head -1 "$tmp/err")" >&2; exit 1; }
  tail -1 "$tmp/time" | awk '{print $1, $2, $3 + $4}'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| input | .debug_info MiB | -j1 wall s | -j1 CPU s | -j1 RSS MiB | -j$jobs wall s | -j$jobs RSS MiB | CPU s/MiB | RSS MiB/MiB |"
echo "|---|---|---|---|---|---|---|---|---|"
for f in "${files[@]}"; do
  bytes=$(info_bytes "$f")
  read -r w1 r1 c1 < <(run 1 "$f")
  read -r wn rn cn < <(run "$jobs" "$f")
  awk -v n="$(basename "$f")" -v b="$bytes" -v w1="$w1" -v c1="$c1" -v r1="$r1" -v wn="$wn" -v rn="$rn" \
    'BEGIN { mib = b / 1048576; printf "| %s | %.1f | %.2f | %.2f | %.0f | %.2f | %.0f | %.3f | %.2f |\n",
             n, mib, w1, c1, r1 / 1024, wn, rn / 1024, c1 / mib, r1 / 1024 / mib }'
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
