#!/bin/sh
# Rebuilds the README demo's sample object. The committed sample.o keeps the
# demo independent of the installed compiler version.
set -e
cd "$(dirname "$0")"
gcc -g -gdwarf-5 -O2 -c sample.c -o sample.o
