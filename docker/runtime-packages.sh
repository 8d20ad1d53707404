#!/bin/sh
# Prints the Debian packages microservices/Dockerfile's runtime stage must add to its base: those
# holding the shared libraries that the native binaries (*.node, *.so*) under DIR link, less the
# packages listed in BASE_PACKAGES (what the base image already has, recorded before the build
# stage installed anything). Found with ldd rather than named in the Dockerfile, because package
# names change with the base's Debian release (libssl3 in bookworm, libssl3t64 in trixie).
# Usage: runtime-packages.sh DIR BASE_PACKAGES
set -eu
dir=$1
base=$2

binaries=$(find "$dir" -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \))
[ -n "$binaries" ] || exit 0

# ldd prints `libssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x…)`. Libraries inside DIR (the
# librdkafka next to the binding) come with the image: found through LD_LIBRARY_PATH here (at run
# time librdkafka++ finds librdkafka already loaded by the binding), then left out.
libdirs=$(for binary in $binaries; do dirname "$binary"; done | sort -u | paste -sd:)
# shellcheck disable=SC2086 # one argument per binary
links() { LD_LIBRARY_PATH=$libdirs ldd $binaries; }
libraries=$(links | awk '/=>/ { print $3 }' | grep -v "^$dir/" | sort -u)
if printf '%s\n' "$libraries" | grep -qx 'not'; then
  links | grep 'not found' >&2
  echo "runtime-packages: a library the binaries link is not installed in the build stage" >&2
  exit 1
fi

# dpkg records a library under /lib or /usr/lib depending on the release (merged /usr): match both.
for library in $libraries; do
  dpkg-query --search "*${library#/usr}" | cut -d: -f1
done | sort -u | grep -vxF -f "$base" || true
