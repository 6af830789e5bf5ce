#!/usr/bin/env bash
# A stand-in for the dwarf2btf CLI built from pahole, objcopy, bpftool and
# python3, implementing the same contract:
#   encode [-j N] [-o FILE | --raw FILE] INPUT   (in place by default)
#   dump FILE [--format raw|c]
#   check FILE [--kernel]                        (--kernel only: BPF_BTF_LOAD)
# exit 0/1/2 = success / failure / usage.
#
# It exists to validate the end-to-end test harness, not the tool: run the
# integration tests against it with
#   D2B_TOOL=$PWD/scripts/oracle-cli.sh ctest --test-dir build -L integration
# Tests that fail here for reasons other than pahole 1.24's known gaps
# (zstd, type units, _Atomic, no error on some corrupt DWARF) are harness
# bugs.
set -uo pipefail

usage() { echo "oracle-cli: $*" >&2; exit 2; }
fail() { echo "$1: $2" >&2; exit 1; }

[[ $# -ge 1 ]] || usage "missing command"
cmd=$1
shift

case $cmd in
encode)
  jobs="" out="" raw="" input=""
  while [[ $# -gt 0 ]]; do
    case $1 in
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -o) out=$2; shift 2 ;;
    --raw) raw=$2; shift 2 ;;
    -*) usage "unknown option $1" ;;
    *) [[ -z $input ]] || usage "more than one INPUT"; input=$1; shift ;;
    esac
  done
  [[ -n $input ]] || usage "missing INPUT"
  [[ -f $input ]] || fail "$input" "cannot open: No such file"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp "$input" "$tmp/in"
  if ! pahole -J --btf_gen_floats ${jobs:+-j$jobs} --btf_encode_detached="$tmp/btf" "$tmp/in" \
    >"$tmp/log" 2>&1 || [[ ! -s $tmp/btf ]]; then
    fail "$input" "encoding failed: $(grep -v '^$' "$tmp/log" | tail -1)"
  fi
  if [[ -n $raw ]]; then
    cp "$tmp/btf" "$raw"
    exit 0
  fi
  dst=${out:-$input}
  objcopy --remove-section=.BTF "$tmp/in" "$tmp/stripped" 2>/dev/null || cp "$tmp/in" "$tmp/stripped"
  objcopy --add-section .BTF="$tmp/btf" "$tmp/stripped" "$tmp/final" 2>"$tmp/err" ||
    fail "$input" "objcopy: $(head -1 "$tmp/err")"
  cp "$tmp/final" "$dst"
  ;;
dump)
  file="" format=raw
  while [[ $# -gt 0 ]]; do
    case $1 in
    --format) format=$2; shift 2 ;;
    -*) usage "unknown option $1" ;;
    *) file=$1; shift ;;
    esac
  done
  [[ -n $file ]] || usage "missing FILE"
  case $format in
  raw) bpftool btf dump file "$file" 2>/dev/null || fail "$file" "cannot read BTF" ;;
  c) bpftool btf dump file "$file" format c 2>/dev/null || fail "$file" "cannot read BTF" ;;
  *) usage "bad format $format" ;;
  esac
  ;;
check)
  file="" kernel=0
  while [[ $# -gt 0 ]]; do
    case $1 in
    --kernel) kernel=1; shift ;;
    -*) usage "unknown option $1" ;;
    *) file=$1; shift ;;
    esac
  done
  [[ -n $file ]] || usage "missing FILE"
  bpftool btf dump file "$file" >/dev/null 2>&1 || fail "$file" "cannot read BTF"
  [[ $kernel == 1 ]] || exit 0
  python3 - "$file" <<'EOF'
import ctypes, os, sys
path = sys.argv[1]
data = open(path, "rb").read()
if data[:2] not in (b"\x9f\xeb", b"\xeb\x9f"):
    print(f"{path}: not raw BTF", file=sys.stderr); sys.exit(1)
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(data, len(data))
class Attr(ctypes.Structure):
    _fields_ = [("btf", ctypes.c_uint64), ("log_buf", ctypes.c_uint64), ("btf_size", ctypes.c_uint32),
                ("log_size", ctypes.c_uint32), ("log_level", ctypes.c_uint32), ("pad", ctypes.c_uint8 * 108)]
def load(log):
    attr = Attr(ctypes.addressof(buf), ctypes.addressof(log) if log else 0, len(data),
                len(log) if log else 0, 1 if log else 0)
    fd = libc.syscall(321, 18, ctypes.byref(attr), ctypes.sizeof(attr))  # bpf(BPF_BTF_LOAD)
    return fd, ctypes.get_errno()
# Without a log first: a log that does not fit makes the load fail (ENOSPC).
fd, err = load(None)
if fd < 0:
    log = ctypes.create_string_buffer(16 << 20)
    load(log)
    tail = log.value.decode(errors="replace").strip().splitlines()[-1:] or [""]
    print(f"{path}: kernel rejected BTF: {os.strerror(err)}: {tail[0]}", file=sys.stderr); sys.exit(1)
os.close(fd)
print(f"{path}: kernel accepted BTF")
EOF
  ;;
*) usage "unknown command $cmd" ;;
esac
