#!/usr/bin/env python3
"""OpenFlow 1.3 conformance: os-ken's switch test tool (Ryu's `tester.py`, with the test
corpus that ships in the os-ken package) against swiftnet's user switch and, in the same
run, against Open vSwitch's userspace datapath.

    python3 Tools/conformance.py --swiftnet .build/release/swiftnet [--ovs] \
        [--folders match,action,group,meter] [--quick] [--out FILE.md] [--json FILE]

The arrangement is the one the suite's own `run_mininet.py` makes: a target switch with
datapath id 1 and a tester switch with datapath id 2, both connected to the tester app,
target port i cabled to tester port i (three cables).
  * swiftnet: a YAML topology of two user switches (`kind: user`, OpenFlow13) and three
    `[s1, s2]` links, run by `swiftnet run`, with `controller: remote,...` at the tester.
  * Open vSwitch: a private ovsdb-server and ovs-vswitchd (netdev datapath) in a network
    namespace of their own holding two bridges and the three veth pairs between them;
    the tester runs in that namespace too, so that OVS reaches it on that loopback.

Each folder (match, action, group, meter) is one run of the tester. --quick runs a fixed
subset of about 100 tests instead (`make test` runs it): a temporary folder of symbolic
links to the corpus's own files; nothing of the corpus is copied.

The report gives OK / ERROR per folder and per switch, and every failure of swiftnet's
with the tester's reason. Exit status: 0 when swiftnet's run completed (whatever its
score) and, with --min-pass, its pass rate reached that fraction; 1 otherwise.
Standard library only; must run as root.
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Benchmarks"))
import ovs_userspace as ovs  # noqa: E402

VENV = "/opt/swiftnet-venv"
OSKEN = VENV + "/bin/osken-manager"
FOLDERS = ["match", "action", "group", "meter"]

# --quick: files of the corpus, by folder (127 tests together, about 4 minutes).
QUICK = {
    "match": ["00_IN_PORT.json", "03_ETH_DST.json", "05_ETH_TYPE.json", "06_VLAN_VID.json",
              "11_IPV4_SRC.json", "14_TCP_DST_IPv4.json", "21_ARP_OP.json", "27_IPV6_DST.json",
              "02_METADATA.json", "34_MPLS_LABEL.json"],
    "action": ["00_OUTPUT.json", "17_PUSH_VLAN.json", "18_POP_VLAN.json", "19_PUSH_MPLS.json",
               "24_DEC_NW_TTL_IPv4.json", "26_PUSH_PBB.json"],
    # Each group and meter test measures 30 s of traffic: one file of each.
    "group": ["00_ALL.json"],
    "meter": ["01_DROP_00_KBPS_00_1M.json"],
}


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def corpus_dir():
    found = glob.glob(VENV + "/lib/python3*/site-packages/os_ken/tests/switch")
    if not found:
        raise SystemExit("conformance: os-ken's switch tests are missing from %s (make controllers installs os-ken)" % VENV)
    return found[0]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# A tester line: four spaces, the test's description, padded, then OK or ERROR; an error's
# reason follows on a line of its own, indented eight spaces.
RESULT = re.compile(r"^    (\S.*?)\s+(OK|ERROR)$")


def parse_report(text):
    """[(test description, 'OK'|'ERROR', reason)] from a tester's output."""
    out = []
    lines = text.splitlines()
    current_file = ""
    for i, line in enumerate(lines):
        m = RESULT.match(line)
        if m:
            reason = ""
            if m.group(2) == "ERROR" and i + 1 < len(lines) and lines[i + 1].startswith("        "):
                reason = lines[i + 1].strip()
            out.append((current_file, m.group(1).strip(), m.group(2), reason))
        elif line and not line.startswith(" ") and not line.startswith("---") and "=" not in line and line.strip(".") \
                and not line.startswith("waiting") and not line.startswith("Join") and not line.startswith("loading") \
                and not line.startswith("instantiating") and not line.startswith("Test files") and not line.startswith("target") \
                and not line.startswith("tester"):
            current_file = line.strip()
    return out


def tester_argv(test_dir, port):
    return [OSKEN, "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", str(port),
            "--test-switch-dir", test_dir, os.path.join(corpus_dir(), "tester.py")]


def run_tester(argv, start_switches, stop_switches, timeout):
    """Starts the tester, then the switches; waits for the tester to finish (it ends
    itself with SIGTERM after its report); stops the switches. Returns its output."""
    out = tempfile.TemporaryFile(mode="w+")
    tester = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        port = int(argv[argv.index("--ofp-tcp-listen-port") + 1])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and tester.poll() is None:
            if listening(argv, port):
                break
            time.sleep(0.1)
        start_switches()
        try:
            tester.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log("conformance: the tester ran past %d s; stopped" % timeout)
            ovs.stop_process(tester)
    finally:
        ovs.stop_process(tester)
        stop_switches()
    out.seek(0)
    text = out.read()
    out.close()
    return text


def listening(argv, port):
    if argv[0] == "ip":  # inside a namespace: ask ss there
        netns = argv[3]
        r = ovs.run(["ip", "netns", "exec", netns, "ss", "-ltnH", "sport = :%d" % port], check=False)
        return bool(r.stdout.strip())
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class SwiftnetTarget:
    """Two user switches and three cables, built by `swiftnet run`."""

    name = "swiftnet"

    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.proc = None

    def version(self):
        return ovs.run([self.binary, "--version"]).stdout.strip()

    def run_folder(self, test_dir, timeout):
        port = free_port()
        topo = os.path.join(self.work, "ofconf.yaml")
        with open(topo, "w") as f:
            f.write("name: ofconf%d\n" % os.getpid()
                    + "controller: remote,ip=127.0.0.1,port=%d\n" % port
                    + "switches:\n"
                    + "  s1: {kind: user, dpid: 1, protocols: OpenFlow13}\n"
                    + "  s2: {kind: user, dpid: 2, protocols: OpenFlow13}\n"
                    + "links:\n  - [s1, s2]\n  - [s1, s2]\n  - [s1, s2]\n")

        def start():
            self.proc = subprocess.Popen([self.binary, "run", topo], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def stop():
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGINT)
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            if self.proc and self.proc.returncode not in (0, 130, -2):
                log("conformance: swiftnet run exited %s: %s" % (self.proc.returncode, self.proc.stderr.read()[-2000:]))

        return run_tester(tester_argv(test_dir, port), start, stop, timeout)


class OVSTarget:
    """Two netdev bridges of a private Open vSwitch and three veth pairs between them, all
    in a namespace of their own, where the tester runs too."""

    name = "Open vSwitch"

    def __init__(self):
        self.prefix = "ofc%d" % os.getpid()
        self.netns = self.prefix + "-sw"
        self.ovs = None
        self.made_run_netns = False

    def version(self):
        return ovs.run(["ovs-vswitchd", "--version"]).stdout.splitlines()[0].strip()

    def run_folder(self, test_dir, timeout):
        port = free_port()

        def start():
            for i in (1, 2):
                self.ovs.vsctl("set-controller", "s%d" % i, "tcp:127.0.0.1:%d" % port)

        def stop():
            for i in (1, 2):
                self.ovs.vsctl("del-controller", "s%d" % i)

        return run_tester(["ip", "netns", "exec", self.netns] + tester_argv(test_dir, port), start, stop, timeout)

    def __enter__(self):
        if not os.path.exists("/run/netns"):
            self.made_run_netns = True
        ovs.run(["ip", "netns", "add", self.netns])
        try:
            ovs.run(["ip", "-n", self.netns, "link", "set", "lo", "up"])
            ovs.run(["ip", "netns", "exec", self.netns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                     "net.ipv6.conf.default.disable_ipv6=1"])
            self.ovs = ovs.PrivateOVS(netns=self.netns)
            self.ovs.start()
            for i in (1, 2):
                self.ovs.vsctl("add-br", "s%d" % i, "--", "set", "bridge", "s%d" % i, "datapath_type=netdev",
                               "fail_mode=secure", "protocols=OpenFlow13", "other-config:datapath-id=%016x" % i)
            for k in (1, 2, 3):
                a, b = "s1-eth%d" % k, "s2-eth%d" % k
                ovs.run(["ip", "-n", self.netns, "link", "add", a, "type", "veth", "peer", "name", b])
                for end, bridge in ((a, "s1"), (b, "s2")):
                    ovs.run(["ip", "-n", self.netns, "link", "set", end, "up"])
                    self.ovs.vsctl("add-port", bridge, end, "--", "set", "interface", end, "ofport_request=%d" % k)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self.ovs is not None:
                self.ovs.stop()
        finally:
            ovs.run(["ip", "netns", "delete", self.netns], check=False)
            if self.made_run_netns and os.path.isdir("/run/netns") and not os.listdir("/run/netns"):
                ovs.run(["umount", "/run/netns"], check=False)
                try:
                    os.rmdir("/run/netns")
                except OSError:
                    pass
        return False


def root_state():
    """What a run must leave as it found it: the root namespace's interfaces, the named
    namespaces, the mounts, and the processes."""
    links = sorted(l.split(":")[1].strip().split("@")[0] for l in ovs.run(["ip", "-o", "link"]).stdout.splitlines())
    netns = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else None
    with open("/proc/self/mountinfo") as f:
        mounts = sorted(" ".join(l.split()[3:5]) for l in f)
    procs = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().split(b"\0")[0].decode(errors="replace")
            except OSError:
                continue
            if os.path.basename(cmd) in ("osken-manager", "ovs-vswitchd", "ovsdb-server") or "swiftnet" in os.path.basename(cmd):
                procs.add(pid)
    return {"links": links, "netns": netns, "mounts": mounts, "processes": sorted(procs)}


def folder_dirs(quick, folders, work):
    """(folder, directory the tester reads) for each folder."""
    base = os.path.join(corpus_dir(), "of13")
    out = []
    for folder in folders:
        if not quick:
            out.append((folder, os.path.join(base, folder)))
            continue
        d = os.path.join(work, "quick-" + folder)
        os.makedirs(d, exist_ok=True)
        for name in QUICK[folder]:
            src = os.path.join(base, folder, name)
            if os.path.exists(src):
                os.symlink(src, os.path.join(d, name))
        out.append((folder, d))
    return out


def count(results):
    ok = sum(1 for r in results if r[2] == "OK")
    return ok, len(results) - ok


def report(args, targets, results, versions):
    lines = ["# OpenFlow 1.3 conformance: os-ken's switch tester", "",
             "Made by `python3 Tools/conformance.py %s` on %s." % (" ".join(sys.argv[1:]), time.strftime("%Y-%m-%d %H:%M")), "",
             "The corpus is os-ken's (`os_ken/tests/switch/of13`); each folder is one run of its tester. "
             "Targets: " + "; ".join("%s (%s)" % (t, versions[t]) for t in targets) + ".", ""]
    header = "| folder | " + " | ".join("%s OK / ERROR (pass)" % t for t in targets) + " |"
    lines += [header, "|---|" + "---|" * len(targets)]
    totals = {t: [0, 0] for t in targets}
    for folder in args.folders:
        cells = []
        for t in targets:
            ok, err = count(results[t].get(folder, []))
            totals[t][0] += ok
            totals[t][1] += err
            cells.append("%d / %d (%s)" % (ok, err, "%.1f %%" % (100.0 * ok / (ok + err)) if ok + err else "—"))
        lines.append("| %s | %s |" % (folder, " | ".join(cells)))
    lines.append("| all | %s |" % " | ".join("%d / %d (%s)" % (ok, err, "%.1f %%" % (100.0 * ok / (ok + err)) if ok + err else "—")
                                             for ok, err in (totals[t] for t in targets)))
    lines += ["", "## What swiftnet fails, with the tester's reason", ""]
    for folder in args.folders:
        for file_desc, desc, verdict, reason in results.get("swiftnet", {}).get(folder, []):
            if verdict != "OK":
                lines.append("- %s: %s %s: %s" % (folder, file_desc, desc, reason))
    return "\n".join(lines) + "\n", totals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swiftnet", required=True)
    ap.add_argument("--ovs", action="store_true", help="run the same tests against Open vSwitch userspace too")
    ap.add_argument("--targets", default=None, help="swiftnet,ovs (default: swiftnet, and ovs with --ovs)")
    ap.add_argument("--folders", default=",".join(FOLDERS))
    ap.add_argument("--quick", action="store_true", help="about 100 tests across the folders")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per folder")
    ap.add_argument("--out")
    ap.add_argument("--json")
    ap.add_argument("--min-pass", type=float, default=0.0, help="fail unless swiftnet passes this fraction")
    args = ap.parse_args()
    args.folders = [f for f in args.folders.split(",") if f]
    wanted = set((args.targets or ("swiftnet,ovs" if args.ovs else "swiftnet")).split(","))
    if os.geteuid() != 0:
        raise SystemExit("conformance: run as root (both switches build namespaces)")
    if not os.path.exists(OSKEN):
        raise SystemExit("conformance: %s is missing (make controllers installs it)" % OSKEN)
    before = root_state()
    work = tempfile.mkdtemp(prefix="swiftnet-ofconf-")
    results, versions, targets = {}, {}, []
    try:
        dirs = folder_dirs(args.quick, args.folders, work)
        if "swiftnet" in wanted:
            targets.append("swiftnet")
            sw = SwiftnetTarget(args.swiftnet, work)
            versions["swiftnet"] = sw.version()
            results["swiftnet"] = {}
            for folder, d in dirs:
                t = time.monotonic()
                results["swiftnet"][folder] = parse_report(sw.run_folder(d, args.timeout))
                log("swiftnet %s: OK %d / ERROR %d (%.0f s)" % ((folder,) + count(results["swiftnet"][folder]) + (time.monotonic() - t,)))
        if "ovs" in wanted:
            targets.append("Open vSwitch")
            results["Open vSwitch"] = {}
            with OVSTarget() as o:
                versions["Open vSwitch"] = o.version()
                for folder, d in dirs:
                    t = time.monotonic()
                    results["Open vSwitch"][folder] = parse_report(o.run_folder(d, args.timeout))
                    log("Open vSwitch %s: OK %d / ERROR %d (%.0f s)" % ((folder,) + count(results["Open vSwitch"][folder]) + (time.monotonic() - t,)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text, totals = report(args, targets, results, versions)
    print(text)
    after = root_state()
    for _ in range(50):  # processes and devices take a moment to go
        if after == before:
            break
        time.sleep(0.1)
        after = root_state()
    if after != before:
        for k in before:
            if before[k] != after[k]:
                log("conformance: the run left the machine changed: %s was %s, is %s" % (k, before[k], after[k]))
        return 1
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({t: {folder: [list(r) for r in rs] for folder, rs in results[t].items()} for t in targets}, f, indent=1)
    if "swiftnet" not in totals:
        return 0
    ok, err = totals["swiftnet"]
    if ok + err == 0:
        log("conformance: swiftnet ran no test")
        return 1
    if ok / (ok + err) < args.min_pass:
        log("conformance: swiftnet passed %.1f %%, below %.1f %%" % (100.0 * ok / (ok + err), 100 * args.min_pass))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
