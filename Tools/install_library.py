#!/usr/bin/env python3
"""Installs the Swiftnet library for topology scripts (`make install` runs this).

Copies from a SwiftPM build directory to DEST (<prefix>/lib/swiftnet):
  libSwiftnet.so            the library, with everything it depends on linked in
  Modules/*.swiftmodule     the Swift modules a script's `import Swiftnet` loads
  include/<Module>/         each C module's headers and a module map that points at them
  include-paths             extra header folders (libnl's), one per line
so that `swiftc script.swift` works with no source tree or build directory left.

  python3 Tools/install_library.py --build .build/release --package . --dest /usr/local/lib/swiftnet
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def copy_module_dir(src_dir, dest_include, name, rewrite=None):
    out = os.path.join(dest_include, name)
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(src_dir, out, symlinks=False, ignore=shutil.ignore_patterns("*.c", "*.o"))
    if rewrite is not None:
        with open(os.path.join(out, "module.modulemap"), "w") as f:
            f.write(rewrite)
    return out


def generated_map(path, dest_include):
    """A SwiftPM-generated module map names headers by absolute path: copy that folder
    and write a map with relative paths."""
    text = open(path).read()
    name = re.search(r"module\s+(\w+)", text).group(1)
    m = re.search(r'umbrella header "([^"]+)"', text)
    if m:
        header = m.group(1)
        new = text.replace(m.group(0), 'umbrella header "%s"' % os.path.basename(header))
        return copy_module_dir(os.path.dirname(header), dest_include, name, new)
    m = re.search(r'umbrella "([^"]+)"', text)
    if m:
        new = text.replace(m.group(0), 'umbrella "."')
        return copy_module_dir(m.group(1), dest_include, name, new)
    raise SystemExit("install_library: cannot read module map %s" % path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--dest", required=True)
    a = ap.parse_args()
    build = os.path.realpath(a.build)
    lib = os.path.join(build, "libSwiftnet.so")
    if not os.path.exists(lib):
        raise SystemExit("install_library: %s is missing: build with `swift build -c release` first" % lib)
    dest = a.dest
    os.makedirs(dest, exist_ok=True)
    tmp = os.path.join(dest, ".libSwiftnet.so.new")
    shutil.copy2(lib, tmp)
    os.replace(tmp, os.path.join(dest, "libSwiftnet.so"))

    modules = os.path.join(dest, "Modules")
    if os.path.exists(modules):
        shutil.rmtree(modules)
    os.makedirs(modules)
    for f in sorted(os.listdir(os.path.join(build, "Modules"))):
        stem, ext = os.path.splitext(f)
        if ext in (".swiftmodule", ".swiftdoc") and not stem.endswith("Tests"):
            src = os.path.join(build, "Modules", f)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(modules, f))
            else:
                shutil.copy2(src, os.path.join(modules, f))

    include = os.path.join(dest, "include")
    if os.path.exists(include):
        shutil.rmtree(include)
    os.makedirs(include)
    count = 0
    for d in sorted(os.listdir(build)):
        m = os.path.join(build, d, "module.modulemap")
        if d.endswith(".build") and os.path.exists(m):
            generated_map(m, include)
            count += 1
    checkouts = None
    for up in (os.path.dirname(build), os.path.dirname(os.path.dirname(build))):
        if os.path.isdir(os.path.join(up, "checkouts")):
            checkouts = os.path.join(up, "checkouts")
            break
    if checkouts:
        for pkg in sorted(os.listdir(checkouts)):
            sources = os.path.join(checkouts, pkg, "Sources")
            if not os.path.isdir(sources):
                continue
            for target in sorted(os.listdir(sources)):
                inc = os.path.join(sources, target, "include")
                m = os.path.join(inc, "module.modulemap")
                if os.path.exists(m):
                    name = re.search(r"module\s+(\w+)", open(m).read()).group(1)
                    copy_module_dir(inc, include, name)
                    count += 1
    for target in ("CNetlink", "CLibcap"):
        src = os.path.join(a.package, "Sources", target)
        copy_module_dir(src, include, target)
        count += 1

    cflags = subprocess.run(["pkg-config", "--cflags-only-I", "libnl-route-3.0"], capture_output=True, text=True).stdout
    paths = [w[2:] for w in cflags.split() if w.startswith("-I")]
    with open(os.path.join(dest, "include-paths"), "w") as f:
        f.write("".join(p + "\n" for p in paths))
    print("*** Installed the Swiftnet library for scripts in %s (%d C modules)" % (dest, count))


if __name__ == "__main__":
    sys.exit(main())
