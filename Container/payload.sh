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

# Foundation links ICU's whole data package: 34 MB of locales, charset converters and
# dictionaries that swiftnet never uses, half the binary. The image's binary gets a
# trimmed copy instead (trim_icu.py says what stays); the linker takes the copy for ICU's
# symbol (--defsym), so the archive member with the full package is never pulled in.
static_lib="$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift_static/linux"
icu_member="$(ar t "$static_lib/lib_FoundationICU.a" | awk '/packaged_data/ && !n++')"
icu_symbol="$(nm "$static_lib/lib_FoundationICU.a" 2>/dev/null | awk '$2 == "R" && $3 ~ /^icudt[0-9]+_dat$/ && !n++ {print $3}')"
if [ -z "$icu_member" ] || [ -z "$icu_symbol" ]; then
    echo "payload.sh: no ICU data package in $static_lib/lib_FoundationICU.a" >&2
    exit 1
fi
icu="$(cd "$(dirname "$scratch")" && pwd)/$(basename "$scratch")/icu-data"
rm -rf "$icu" && mkdir -p "$icu"
(cd "$icu" && ar x "$static_lib/lib_FoundationICU.a" "$icu_member")
objcopy -O binary --only-section=.rodata "$icu/$icu_member" "$icu/full.dat"
python3 Container/trim_icu.py "$icu/full.dat" "$icu/trimmed.dat"
printf '%s\n' '	.section .rodata.swiftnet_icu_data,"a"' '	.globl swiftnet_icu_data' \
    '	.type swiftnet_icu_data, @object' '	.balign 16' 'swiftnet_icu_data:' \
    "	.incbin \"$icu/trimmed.dat\"" '	.size swiftnet_icu_data, .-swiftnet_icu_data' \
    '	.section .note.GNU-stack,"",@progbits' >"$icu/data.S"
cc -c "$icu/data.S" -o "$icu/data.o"

swift build -c release --static-swift-stdlib --product swiftnet --scratch-path "$scratch" \
    -Xlinker "$icu/data.o" -Xlinker "--defsym=$icu_symbol=swiftnet_icu_data"
# The linked package must be the trimmed one (a few MB), not the toolchain's (tens of MB).
linked="$(nm -S "$scratch/release/swiftnet" | awk '$4 == "swiftnet_icu_data" && !n++ {print $2}')"
if [ -z "$linked" ] || [ $((16#$linked)) -gt 16000000 ]; then
    echo "payload.sh: the binary does not hold the trimmed ICU data" >&2
    exit 1
fi

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
