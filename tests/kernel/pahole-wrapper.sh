#!/bin/sh
# PAHOLE= of the harness's kernel builds (run.sh installs it as WORK/bin/pahole
# beside a dwarf2btf symlink). It logs each call (D2B_PAHOLE_LOG), runs
# dwarf2btf in pahole mode and, for the negative control
# (D2B_KERNEL_CORRUPT=1), damages the vmlinux BTF the encoder just wrote.
here=$(dirname "$0")
if [ -n "${D2B_PAHOLE_LOG:-}" ]; then
	printf 'cwd=%s DWARF2BTF_INCLUDE_LANGS=%s args=%s\n' "$PWD" \
		"${DWARF2BTF_INCLUDE_LANGS-}" "$*" >>"$D2B_PAHOLE_LOG"
fi
"$here/dwarf2btf" pahole "$@" || exit $?
if [ "${D2B_KERNEL_CORRUPT:-}" = 1 ]; then
	last=
	encode=
	for a in "$@"; do
		last=$a
		case "$a" in -J | --btf_encode) encode=1 ;; esac
	done
	case "$last" in
	*.ko) ;;
	*) if [ -n "$encode" ] && [ -f "$last" ]; then
		python3 "$here/corrupt-btf.py" "$last" || exit $?
	fi ;;
	esac
fi
