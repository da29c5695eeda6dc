#!/usr/bin/env python3
"""Writes a smaller copy of an ICU common data package (the "CmnD" format ICU's
udata.cpp reads; documented in ICU's "ICU Data" user guide and in udatamem/ucmndata.h).

Foundation on Linux links ICU's whole data package (34 MB of swiftnet's 69 MB static
binary). The container image keeps what a program that works in English and UTC-or-any-
timezone needs: ICU's core tables (normalisation, properties, time zones, plural and
numbering rules, break rules), the root and English locales of every category, and drops
other locales, charset converters, break dictionaries and transliterators. ICU falls back
to root for a locale that is not there, as it does for any locale it does not know.
ICU's own icupkg can do this in principle; Debian's (ICU 72) refuses this package's
name table as too long.

    trim_icu.py IN.dat OUT.dat
"""
import re
import struct
import sys

KEEP_LOCALES = {"root", "en", "en_US", "en_US_POSIX", "en_001", "en_150", "en_GB"}
# A locale's name: language, script, region, variant (ICU's item names).
LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_([A-Z]{2}|[0-9]{3}))?(_[A-Za-z0-9]+)*$")
DROP_DIRS = {"translit"}  # transliterators: only applyingTransform uses them


def keep(name):
    parts = name.split("/")[1:]  # drop "icudt76l"
    base = parts[-1]
    stem, _, ext = base.rpartition(".")
    subdir = parts[0] if len(parts) > 1 else ""
    if ext == "cnv":
        return False  # charset converters: swiftnet reads and writes UTF-8 only
    if ext == "dict":
        return False  # CJK and South-East Asian word-break dictionaries
    if ext == "res" and LOCALE.match(stem):
        return stem in KEEP_LOCALES
    if subdir in DROP_DIRS:
        return False
    return True


def main(src, dst):
    d = open(src, "rb").read()
    header_size = struct.unpack_from("<H", d, 0)[0]
    if d[2:4] != b"\xda\x27" or d[12:16] != b"CmnD":
        sys.exit(f"{src}: not an ICU common data package (little-endian CmnD)")
    toc = header_size
    count = struct.unpack_from("<I", d, toc)[0]
    entries = [struct.unpack_from("<II", d, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        name = d[toc + name_off:d.index(b"\0", toc + name_off)].decode()
        end = entries[i + 1][1] if i + 1 < count else len(d) - toc
        items.append((name, d[toc + data_off:toc + end]))
    kept = [(n, b) for n, b in items if keep(n)]

    names = b"".join(n.encode() + b"\0" for n, _ in kept)
    names_start = 4 + 8 * len(kept)
    data_start = (names_start + len(names) + 15) & ~15
    out_toc = bytearray(struct.pack("<I", len(kept)))
    blobs = bytearray()
    name_off = names_start
    for n, b in kept:
        out_toc += struct.pack("<II", name_off, data_start + len(blobs))
        name_off += len(n) + 1
        blobs += b
        blobs += b"\0" * (-len(blobs) % 16)
    body = bytes(out_toc) + names + b"\0" * (data_start - names_start - len(names)) + bytes(blobs)
    with open(dst, "wb") as f:
        f.write(d[:header_size])
        f.write(body)
    print(f"*** ICU data: {len(kept)} of {len(items)} items, {len(d) // 1024} KiB -> "
          f"{(header_size + len(body)) // 1024} KiB")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
