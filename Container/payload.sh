#!/usr/bin/env bash
# Builds swiftnet with the Swift standard library linked in statically and lays out what the
# runtime image copies to its root: usr/local/bin/swiftnet (stripped), the mininet Python
# package (usr/local/lib/swiftnet/python, where swiftnet looks beside its binary) and the
# YAML examples and topologies (usr/local/share/swiftnet). Used by `make container` on the
# machine and by the Dockerfile's build stage, so both images hold the same files.
#   Container/payload.sh SCRATCH_DIR PAYLOAD_DIR
# Needs the Swift toolchain on PATH and the -dev packages of libnl-route-3, libcap, libedit.
set -euo pipefail
scratch="$1"
payload="$2"
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

swift build -c release --static-swift-stdlib --product swiftnet --scratch-path "$scratch"

rm -rf "$payload"
install -d "$payload/usr/local/bin" "$payload/usr/local/lib/swiftnet/python/mininet/examples" \
    "$payload/usr/local/share/swiftnet/Examples" "$payload/usr/local/share/swiftnet/Topologies"
# Symbols and debug sections are most of the 100 MB; a stripped binary still names its
# Swift functions in crash backtraces (the symbol table of the Swift runtime stays).
strip --strip-unneeded -o "$payload/usr/local/bin/swiftnet" "$scratch/release/swiftnet"
chmod 0755 "$payload/usr/local/bin/swiftnet"
# `mn` answers as Mininet's mn (as `make install-mn` does where no real mn is installed).
ln -s swiftnet "$payload/usr/local/bin/mn"
install -m 0644 Python/mininet/*.py "$payload/usr/local/lib/swiftnet/python/mininet/"
install -m 0644 Python/mininet/examples/*.py "$payload/usr/local/lib/swiftnet/python/mininet/examples/"
install -m 0644 Examples/*.yaml "$payload/usr/local/share/swiftnet/Examples/"
install -m 0644 Topologies/*.yaml "$payload/usr/local/share/swiftnet/Topologies/"
du -sh "$payload/usr/local/bin/swiftnet"
