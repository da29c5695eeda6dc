#!/usr/bin/env python3
"""`make test`: runs every test with `swift test`, its output shown as it comes, then
accounts for every skipped test so that none can hide in the log.

Only a kernel feature this machine lacks (sch_netem, the openvswitch module) may skip a
test; such a skip's reason starts with "kernel lacks" (Tests/IntegrationTests/Support.swift,
`kernelLacks`). Any other skip is unexpected. When CI is set (CI=true), one summary line
lists every skip with its reason, and an unexpected skip fails the run; without CI the
line is printed when anything was skipped.

Usage: run_tests.py [--swift PATH] [-- ARGS for swift test]
"""
import argparse
import os
import re
import subprocess
import sys

# "/path/File.swift:12: Suite.testName : Test skipped - reason" (swift-corelibs-xctest),
# or with a colon after "skipped".
SKIP_REASON = re.compile(r"^(?:.*?:\d+: )?(?:error: )?(?P<test>[\w.]+) : Test skipped(?: - |: ?)?(?P<reason>.*)$")
SKIPPED_CASE = re.compile(r"^Test Case '(?P<test>[^']+)' skipped")
EXPECTED = "kernel lacks"


def parse_skips(lines):
    """Skipped tests, in order, each with its reason ('' when none was printed)."""
    reasons = {}
    order = []
    for line in lines:
        m = SKIP_REASON.match(line)
        if m:
            reasons.setdefault(m.group("test"), m.group("reason").strip())
            continue
        m = SKIPPED_CASE.match(line)
        if m:
            test = m.group("test").replace("-[", "").replace("]", "").replace(" ", ".")
            if test not in order:
                order.append(test)
    for t in reasons:
        if t not in order:
            order.append(t)
    return [(t, reasons.get(t, "")) for t in order]


def summary(skips):
    """The one line that accounts for every skip, and the unexpected ones."""
    unexpected = [(t, r) for t, r in skips if not r.startswith(EXPECTED)]
    if not skips:
        return "*** Skipped: 0 tests", unexpected
    parts = [f"{t} ({r or 'no reason given'})" for t, r in skips]
    return (f"*** Skipped: {len(skips)} tests, {len(unexpected)} unexpected: " + "; ".join(parts)), unexpected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swift", default=os.environ.get("SWIFT", "swift"))
    ap.add_argument("rest", nargs="*")
    args = ap.parse_args()
    cmd = [args.swift, "test", "--disable-swift-testing"] + args.rest
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    for raw in iter(proc.stdout.readline, b""):
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
    status = proc.wait()
    ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    skips = parse_skips(lines)
    line, unexpected = summary(skips)
    if ci or skips:
        print(line, flush=True)
    if status != 0:
        return status
    if ci and unexpected:
        print("*** Unexpected skips fail CI: only a kernel feature this machine lacks may skip a test "
              "(a missing program, root or a hung swiftnet is a failure)", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
