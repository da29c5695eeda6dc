#!/usr/bin/env python3
"""`make test-container`: runs swiftnet in its runtime image as CI would, with podman, and
checks that the machine is left exactly as it was.

Inside `podman run --rm --network none --cap-add NET_ADMIN --cap-add SYS_ADMIN IMAGE`, IMAGE
the runtime image (swiftnet:latest) unless said otherwise:
  size      the runtime image is 150 MB or less (the full one is reported)
  pingall   swiftnet --topo tree,2,2 --test pingall
  examples  swiftnet test Examples/*.yaml --junit /out/report.xml (Examples/ bind-mounted
            read-only, /out a temporary folder of the machine); the report is read back
            here. Those that need python3, FRR or dig (EXAMPLES_NEED_FULL) are left out
  full      all of Examples/*.yaml in the full image (swiftnet:full), the same way
  python    a Mininet Python script under `swiftnet python`, in the full image
  shell     the swiftnet> shell driven by a script on standard input
  nocap     without --cap-add NET_ADMIN: exit status 2 and a message naming CAP_NET_ADMIN
Then pingall again under systemd-nspawn, from the runtime image's files exported to a
temporary folder.

Before the first and after the last, this compares the machine's root network namespace
(`ip -o link`), `ip netns`, its mounts (/proc/self/mountinfo), and the files under /etc and
/run; any difference fails the run. Left out of the comparison, because the engines own
them, they hold no swiftnet state and the first podman command makes them for good:
podman's and runc's run-time folders /run/containers, /run/libpod and /run/runc (see
EXCLUDED_RUN). /var/lib/containers (images and layers) is not looked at.
/run/systemd/nspawn, which systemd-nspawn makes on its first run and leaves, is compared,
and removed after the nspawn step when that step made it.

Usage: container_test.py [--image NAME] [--full-image NAME] [--only STEP,...] [--no-nspawn]
       container_test.py --snapshot FILE     (writes the machine's state)
       container_test.py --compare FILE      (exit 1 and the differences if it changed)
Needs root, podman (CONTAINERS_CONF set, as the Makefile does), systemd-nspawn.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The one set of capabilities the tests grant (and the message test takes one away).
CAPS = ["NET_ADMIN", "SYS_ADMIN"]
# Podman (as Docker) mounts /proc/sys read-only; swiftnet writes the sysctls of the
# namespaces it makes there (net.ipv6.conf.*.disable_ipv6 in the fabric namespace,
# forwarding in routers), so /proc/sys must be writable. Docker: systempaths=unconfined.
SECURITY_OPTS = ["unmask=/proc/sys"]
# Podman's own state under /run: storage and lock files (containers), the engine's
# alive/pause locks (libpod), the OCI runtime's per-container state (runc).
EXCLUDED_RUN = ("/run/containers", "/run/libpod", "/run/runc", "/run/crun")
# The YAML experiments that need what only the full image has.
EXAMPLES_NEED_FULL = {"bgp-line.yaml": "FRR", "ospf-failover.yaml": "FRR", "dns-lab.yaml": "python3, dig",
                      "dnsmasq-lab.yaml": "python3", "web-lab.yaml": "python3",
                      "k8s-dns.yaml": "dig"}
# The runtime image's target size (issue 16).
RUNTIME_MAX_BYTES = 150 * 1000 * 1000
# What systemd-nspawn creates under /run the first time it runs (parents first).
NSPAWN_RUN_DIRS = ["/run/systemd/nspawn", "/run/systemd/nspawn/locks", "/run/systemd/nspawn/propagate"]


def run(cmd, **kw):
    """cmd's CompletedProcess with text output; never raises on a non-zero status."""
    kw.setdefault("capture_output", True)
    return subprocess.run(cmd, text=True, **kw)


def snapshot():
    """What a run must not change on the machine, as comparable values."""
    state = {}
    state["links"] = sorted(run(["ip", "-o", "link"]).stdout.splitlines())
    state["netns"] = sorted(run(["ip", "netns", "list"]).stdout.splitlines())
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            # mount point, root within the source, fs type and source: the ids and the
            # peer-group tags are not what a leak would change.
            sep = fields.index("-")
            mounts.append(" ".join([fields[4], fields[3], fields[sep + 1], fields[sep + 2]]))
    state["mounts"] = sorted(mounts)
    state["etc"] = tree("/etc", detail=True)
    state["run"] = [p for p in tree("/run", detail=False) if not p.split(" ")[0].startswith(EXCLUDED_RUN)]
    return state


def tree(top, detail):
    """Every path under top on its file system, with its type (and size and mtime when
    detail: a file of /etc that changed is as bad as one that appeared)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        dev = os.lstat(top).st_dev
        dirnames[:] = [d for d in dirnames if os.lstat(os.path.join(dirpath, d)).st_dev == dev]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue
            kind = "d" if os.path.isdir(path) and not os.path.islink(path) else ("l" if os.path.islink(path) else "f")
            if detail and kind == "f":
                out.append(f"{path} {kind} {st.st_size} {int(st.st_mtime)}")
            else:
                out.append(f"{path} {kind}")
    return sorted(out)


def differences(before, after):
    """Lines saying what changed between two snapshots (empty when nothing did)."""
    lines = []
    for key in before:
        b, a = set(before[key]), set(after[key])
        for item in sorted(a - b):
            lines.append(f"{key}: appeared: {item}")
        for item in sorted(b - a):
            lines.append(f"{key}: went away: {item}")
    return lines


def podman_run(image, args, caps=CAPS, volumes=(), stdin=None, workdir=None, entrypoint=None):
    """`podman run --rm --network none` with the given capabilities, and nothing more."""
    cmd = ["podman", "run", "--rm", "--network", "none"]
    for opt in SECURITY_OPTS:
        cmd += ["--security-opt", opt]
    for cap in caps:
        cmd += ["--cap-add", cap]
    for host, guest, mode in volumes:
        cmd += ["-v", f"{host}:{guest}:{mode}"]
    if workdir:
        cmd += ["-w", workdir]
    if entrypoint:
        cmd += ["--entrypoint", entrypoint]
    if stdin is not None:
        cmd += ["-i"]
    cmd += [image] + args
    return run(cmd, input=stdin)


class Failed(Exception):
    pass


def expect(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = f"\n--- exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
        raise Failed(what + detail)


def pingall_ok(text):
    """Mininet's pingall summary with no loss."""
    return re.search(r"Results: 0% dropped \((\d+)/\1 received\)", text) is not None


def step_pingall(images):
    image = images["runtime"]
    p = podman_run(image, ["--topo", "tree,2,2", "--test", "pingall"])
    expect(p.returncode == 0 and pingall_ok(p.stdout + p.stderr), "tree,2,2 pingall in the container", p)
    return "tree,2,2: 0% dropped (12/12 received)"


def run_examples(image, chosen):
    out = tempfile.mkdtemp(prefix="swiftnet-ct-out.")
    try:
        p = podman_run(image, ["test"] + [f"Examples/{f}" for f in chosen] + ["--junit", "/out/report.xml"],
                       volumes=[(os.path.join(REPO, "Examples"), "/work/Examples", "ro"), (out, "/out", "rw")],
                       workdir="/work")
        report = os.path.join(out, "report.xml")
        expect(os.path.exists(report), "the JUnit report was written to the bind-mounted /out", p)
        root = ET.parse(report).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        tests = sum(int(s.get("tests", 0)) for s in suites)
        failures = sum(int(s.get("failures", 0)) for s in suites)
        errors = sum(int(s.get("errors", 0)) for s in suites)
        expect(len(suites) == len(chosen), f"one testsuite per file ({len(suites)} for {len(chosen)} files)", p)
        cases = sum(len(s.findall("testcase")) for s in suites)
        expect(tests > 0 and tests == cases, f"tests={tests} matches its {cases} testcases", p)
        expect(failures == 0 and errors == 0, f"report: {failures} failures, {errors} errors", p)
        expect(p.returncode == 0, "swiftnet test exit status 0", p)
    finally:
        shutil.rmtree(out)
    return f"{len(chosen)} files, {tests} steps, 0 failures, 0 errors"


def example_files():
    return sorted(f for f in os.listdir(os.path.join(REPO, "Examples")) if f.endswith(".yaml"))


def step_examples(images):
    chosen = [f for f in example_files() if f not in EXAMPLES_NEED_FULL]
    expect(chosen, "at least one example runs in the runtime image")
    left = ", ".join(f"{k} ({v})" for k, v in sorted(EXAMPLES_NEED_FULL.items()))
    return f"{', '.join(chosen)}: {run_examples(images['runtime'], chosen)}; in the full image only: {left}"


def step_full(images):
    return run_examples(images["full"], example_files())


PYTHON_SCRIPT = """from mininet.net import Mininet
from mininet.topo import LinearTopo
net = Mininet(topo=LinearTopo(k=3))
net.start()
loss = net.pingAll()
h1, h3 = net.get('h1', 'h3')
print('h3 says', h3.cmd('hostname').strip())
net.stop()
print('mininet-script-done loss=%d' % loss)
"""


def step_python(images):
    work = tempfile.mkdtemp(prefix="swiftnet-ct-py.")
    try:
        with open(os.path.join(work, "linear.py"), "w") as f:
            f.write(PYTHON_SCRIPT)
        p = podman_run(images["full"], ["python", "/script/linear.py"], volumes=[(work, "/script", "ro")])
    finally:
        shutil.rmtree(work)
    text = p.stdout + p.stderr
    expect(p.returncode == 0, "swiftnet python exit status 0", p)
    expect(pingall_ok(text), "the script's pingAll: 0% dropped", p)
    expect("h3 says h3" in text, "h3.cmd('hostname') ran in h3", p)
    expect("mininet-script-done loss=0" in text, "the script ran to its end with no loss", p)
    return "LinearTopo(k=3): pingAll 0% dropped (6/6), h3.cmd, net.stop"


def image_bytes(image):
    out = run(["podman", "image", "inspect", "--format", "{{.Size}}", image]).stdout.strip()
    return int(out) if out.isdigit() else -1


def step_size(images):
    runtime, full = image_bytes(images["runtime"]), image_bytes(images["full"])
    expect(runtime > 0, f"podman knows the size of {images['runtime']}")
    expect(runtime <= RUNTIME_MAX_BYTES,
           f"{images['runtime']} is {runtime / 1e6:.1f} MB, over {RUNTIME_MAX_BYTES / 1e6:.0f} MB")
    return f"{images['runtime']} {runtime / 1e6:.1f} MB (target <= 150), {images['full']} {full / 1e6:.1f} MB"


SHELL_SCRIPT = "nodes\npingall\nh1 ping -c1 h2\nh2 hostname\nlink s1 h2 down\nh1 ping -c1 -W1 h2\nexit\n"


def step_shell(images):
    image = images["runtime"]
    p = podman_run(image, ["--topo", "single,2"], stdin=SHELL_SCRIPT)
    text = p.stdout + p.stderr
    expect(pingall_ok(text), "the shell's pingall: 0% dropped", p)
    expect("1 packets transmitted, 1 received" in text, "h1 ping -c1 h2 got its reply", p)
    expect(re.search(r"^h2\r?$", p.stdout, re.M) is not None, "h2 hostname printed h2", p)
    expect("1 packets transmitted, 0 received" in text, "with s1-h2 down, h1's ping got no reply", p)
    expect(p.returncode == 0, "the shell exited 0 after exit", p)
    return "nodes, pingall, h1 ping h2, h2 hostname, link down, exit"


def step_nocap(images):
    image = images["runtime"]
    p = podman_run(image, ["--topo", "single,2", "--test", "pingall"], caps=["SYS_ADMIN"])
    err = p.stderr.strip()
    expect(p.returncode == 2, "exit status 2 without CAP_NET_ADMIN", p)
    expect("CAP_NET_ADMIN" in err and "--cap-add NET_ADMIN" in err, "the message names CAP_NET_ADMIN and --cap-add NET_ADMIN", p)
    return f"exit 2: {err.splitlines()[-1] if err else '(no message)'}"


def step_nspawn(images):
    """pingall under systemd-nspawn, in the runtime image's files. --register=no and
    --keep-unit: no machined or systemd manager to ask for a scope; --resolv-conf/--timezone
    off: leave the tree's /etc as the image has it."""
    image = images["runtime"]
    if shutil.which("systemd-nspawn") is None:
        raise Failed("systemd-nspawn is missing (Debian package systemd-container)")
    cid = run(["podman", "create", "--network", "none", image]).stdout.strip()
    expect(cid != "", "podman create")
    root = tempfile.mkdtemp(prefix="swiftnet-ct-nspawn.", dir="/var/tmp")
    try:
        exp = subprocess.Popen(["podman", "export", cid], stdout=subprocess.PIPE)
        untar = run(["tar", "-x", "-C", root, "--numeric-owner"], stdin=exp.stdout)
        exp.stdout.close()
        expect(exp.wait() == 0 and untar.returncode == 0, f"podman export | tar -x: {untar.stderr}")
    finally:
        run(["podman", "rm", cid])
    # systemd-nspawn makes /run/systemd/nspawn (locks/, propagate/) on its first run and
    # leaves it; what this run made, and only if empty, goes again.
    made = [d for d in NSPAWN_RUN_DIRS if not os.path.exists(d)]
    try:
        p = run(["systemd-nspawn", "--quiet", "-D", root, "--private-network", "--register=no", "--keep-unit",
                 "--resolv-conf=off", "--timezone=off", "--link-journal=no",
                 "--capability=CAP_NET_ADMIN,CAP_SYS_ADMIN",
                 "/usr/local/bin/swiftnet", "--topo", "tree,2,2", "--test", "pingall"])
        expect(p.returncode == 0 and pingall_ok(p.stdout + p.stderr), "tree,2,2 pingall under systemd-nspawn", p)
    finally:
        shutil.rmtree(root)
        for d in sorted(made, key=len, reverse=True):
            try:
                os.rmdir(d)
            except OSError:
                pass
    return "tree,2,2: 0% dropped (12/12 received)"


STEPS = [("size", step_size), ("pingall", step_pingall), ("examples", step_examples), ("full", step_full),
         ("python", step_python), ("shell", step_shell), ("nocap", step_nocap), ("nspawn", step_nspawn)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="swiftnet:latest")
    ap.add_argument("--full-image", default="swiftnet:full")
    ap.add_argument("--only", default="", help="comma-separated steps: " + ",".join(n for n, _ in STEPS))
    ap.add_argument("--no-nspawn", action="store_true")
    ap.add_argument("--snapshot", metavar="FILE", help="write the machine's state to FILE and exit")
    ap.add_argument("--compare", metavar="FILE", help="compare the machine with the state in FILE and exit")
    args = ap.parse_args()
    if args.snapshot:
        with open(args.snapshot, "w") as f:
            json.dump(snapshot(), f)
        return
    if args.compare:
        with open(args.compare) as f:
            leaks = differences(json.load(f), snapshot())
        for line in leaks:
            print(f"  LEAK  {line}")
        print("*** machine changed" if leaks else "*** machine unchanged: links, netns, mounts, /etc, /run "
              "(podman's own /run folders excluded)")
        sys.exit(1 if leaks else 0)
    if os.geteuid() != 0:
        sys.exit("container_test: run as root (podman rootful, systemd-nspawn)")
    images = {"runtime": args.image, "full": args.full_image}
    for image in images.values():
        if run(["podman", "image", "exists", image]).returncode != 0:
            sys.exit(f"container_test: no image {image}: make container first")
    only = set(filter(None, args.only.split(",")))
    steps = [(n, f) for n, f in STEPS if (not only or n in only) and not (args.no_nspawn and n == "nspawn")]

    before = snapshot()
    failed = []
    start = time.monotonic()
    for name, fn in steps:
        t = time.monotonic()
        try:
            note = fn(images)
            print(f"  ok    {name:9} {note}  ({time.monotonic() - t:.1f} s)", flush=True)
        except Failed as e:
            failed.append(name)
            print(f"  FAIL  {name:9} {e}  ({time.monotonic() - t:.1f} s)", flush=True)
    after = snapshot()
    leaks = differences(before, after)
    for line in leaks:
        print(f"  LEAK  {line}")
    if leaks:
        failed.append("machine unchanged")
    else:
        print("  ok    machine unchanged: links, netns, mounts, /etc, /run (podman's own /run folders excluded)")
    total = time.monotonic() - start
    print(f"*** test-container: {len(steps) - len(set(failed) - {'machine unchanged'})} of {len(steps)} steps passed"
          f"{', machine changed' if leaks else ''} in {total:.1f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
