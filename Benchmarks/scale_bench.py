#!/usr/bin/env python3
"""Signals and pingall at scale: how fast swiftnet stops, how much memory pingall takes.

    python3 Benchmarks/scale_bench.py --swiftnet .build/release/swiftnet \
        --out Benchmarks/results/scale.md

1. `swiftnet --topo tree,depth=2,fanout=50 --test pingall` (2,500 hosts, 6,247,500 pings):
   --interrupt-after seconds (5) after the `*** Ping: testing ping reachability` line the
   process gets SIGINT (then, in a second run, SIGTERM). Reported: the time from the
   signal to the `*** Interrupted` line, to `*** Done` (teardown printed) and to the exit
   of the process, its exit status, the largest VmRSS sampled during the pingall and the
   process's VmHWM (peak RSS of the whole run, build included), both read from
   /proc/PID/status every 50 ms, and how long the kernel then stays busy destroying the
   namespaces (as bench.py measures it).
2. The whole pingall of `tree,depth=2,fanout=20` (400 hosts, 159,600 pings), once:
   pingall alone (from the `*** Ping:` line to the `*** Results:` line), the process's
   wall time, peak RSS and result line, with what the kernel counted meanwhile: packets
   dropped because a CPU's input backlog was full (/proc/net/stat/softnet_stat) and
   neighbour-table overflows (/proc/net/stat/arp_cache). Then, when Mininet is installed,
   the same with the real `mn --switch lxbr --controller none --topo tree,depth=2,fanout=20
   --test pingall` (through bench.py's wrapper, which disables Mininet's global cleanup),
   and the ratio Mininet / swiftnet.

3. Building and stopping with the user switch: `swiftnet --topo single,3000 --switch user
   --test none --timings` (one switch with 3,000 ports) and `tree,depth=2,fanout=100
   --switch user` (10,000 hosts under 101 user switches; a Linux bridge takes at most 1,023
   ports) with a shell script on stdin that pings a sample of pairs across the tree, beside
   the same build and stop with Linux bridges, `tree,depth=2,fanout=50` (2,500 hosts).
   Reported: build and stop as swiftnet's --timings line gives them, the process's wall
   time, and the sampled pings that answered.

Every run starts on a quiet kernel (bench.py's wait_quiet_kernel). Standard library only;
run as root. Exit status is non-zero when a swiftnet measurement failed.
"""

import argparse
import datetime
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the quiet-kernel wait and the Mininet helpers)
import machine_state  # noqa: E402  (settle: idle CPUs and a fast unshare)

BIG = "tree,depth=2,fanout=50"
SMALL = "tree,depth=2,fanout=20"
PING_START = "*** Ping: testing ping reachability"


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def pairs(topo):
    m = re.match(r"tree,depth=(\d+),fanout=(\d+)$", topo)
    n = int(m.group(2)) ** int(m.group(1)) if m else 0
    return n, n * (n - 1)


def proc_status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def kernel_counters():
    """(softnet backlog drops, neighbour table overflows), summed over the CPUs."""
    drops = fulls = 0
    try:
        with open("/proc/net/softnet_stat") as f:
            drops = sum(int(l.split()[1], 16) for l in f if l.strip())
    except OSError:
        pass
    try:
        with open("/proc/net/stat/arp_cache") as f:
            lines = f.read().split("\n")
        col = lines[0].split().index("table_fulls")
        fulls = sum(int(l.split()[col], 16) for l in lines[1:] if l.strip())
    except (OSError, ValueError, IndexError):
        pass
    return drops, fulls


def read_sysctl(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return "?"


class Run:
    """A child whose output lines are time-stamped as they arrive and whose memory is
    sampled from /proc while it runs."""

    def __init__(self, argv, timeout):
        self.argv = argv
        self.timeout = timeout
        self.lines = []          # (seconds since start, text)
        self.samples = []        # (seconds since start, VmRSS kB)
        self.hwm_kb = None
        self.status = None
        self.wall = None
        self.timed_out = False
        self.error = None
        self.signal_at = None
        self.exit_at = None

    def start(self):
        self.t0 = time.monotonic()
        try:
            self.p = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)
        except OSError as e:
            self.error = "cannot start %s: %s" % (self.argv[0], e)
            return False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.reader.start()
        self.sampler.start()
        return True

    def now(self):
        return time.monotonic() - self.t0

    def _read(self):
        for raw in iter(self.p.stdout.readline, b""):
            self.lines.append((self.now(), raw.decode("utf-8", "replace").rstrip("\n")))

    def _sample(self):
        while self.p.poll() is None:
            rss = proc_status_kb(self.p.pid, "VmRSS")
            hwm = proc_status_kb(self.p.pid, "VmHWM")
            if rss is not None:
                self.samples.append((self.now(), rss))
            if hwm is not None:
                self.hwm_kb = max(self.hwm_kb or 0, hwm)
            time.sleep(0.05)

    def stamp(self, needle):
        for t, text in self.lines:
            if needle in text:
                return t
        return None

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self.stamp(needle)
            if t is not None:
                return t
            if self.p.poll() is not None:
                return self.stamp(needle)
            time.sleep(0.02)
        return None

    def send(self, sig):
        self.signal_at = self.now()
        self.p.send_signal(sig)

    def finish(self):
        try:
            self.status = self.p.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.p.send_signal(signal.SIGINT)
            try:
                self.status = self.p.wait(120)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.status = self.p.wait()
        self.exit_at = self.now()
        self.wall = self.exit_at
        self.reader.join(10)
        self.sampler.join(2)

    def max_rss_after(self, t):
        vals = [kb for (s, kb) in self.samples if t is not None and s >= t]
        return max(vals) if vals else None

    def text(self):
        return "\n".join(t for _, t in self.lines)


def mb(kb):
    return "%.1f MB" % (kb / 1024.0) if kb else "?"


def sec(x):
    return "%.3f s" % x if x is not None else "?"


def interrupt_run(binary, topo, sig, after, timeout):
    row = {"signal": signal.Signals(sig).name, "quiet": bench.wait_quiet_kernel()}
    r = Run([binary, "--topo", topo, "--test", "pingall", "--timings"], timeout)
    row["run"] = r
    if not r.start():
        row["failure"] = r.error
        return row
    began = r.wait_for(PING_START, timeout)
    row["ping_began"] = began
    if began is None:
        r.finish()
        row["failure"] = "no `%s` line (exit status %s)" % (PING_START, r.status)
        row["log"] = bench.tail(r.text())
        return row
    time.sleep(after)
    if r.p.poll() is not None:
        r.finish()
        row["failure"] = "the pingall ended within %.0f s" % after
        return row
    r.send(sig)
    r.finish()
    s = r.signal_at
    t_int, t_done = r.stamp("*** Interrupted"), r.stamp("*** Done")
    row["to_interrupted"] = t_int - s if t_int is not None else None
    row["to_done"] = t_done - s if t_done is not None else None
    row["to_exit"] = r.exit_at - s
    row["pingall_rss_kb"] = r.max_rss_after(began)
    row["hwm_kb"] = r.hwm_kb
    m = re.search(r"build=([0-9.]+)", r.text())
    row["build"] = float(m.group(1)) if m else None
    progress = re.findall(r"stopped after (\d+) of (\d+) sources", r.text())
    row["sources_done"] = progress[-1] if progress else None
    if r.status != 130:
        row["failure"] = "exit status %s, not 130" % r.status
        row["log"] = bench.tail(r.text())
    elif "Interrupted twice" in r.text():
        row["failure"] = "the first signal was not enough"
    row["drain"] = bench.wait_quiet_kernel()
    return row


RESULTS_RE = re.compile(r"\*\*\* Results: (\d+)% dropped \((\d+)/(\d+) received\)")


def full_run(argv, timeout, start_marker=PING_START):
    row = {"quiet": bench.wait_quiet_kernel()}
    before = kernel_counters()
    r = Run(argv, timeout)
    row["run"] = r
    if not r.start():
        row["failure"] = r.error
        return row
    r.finish()
    after = kernel_counters()
    row["backlog_drops"] = after[0] - before[0]
    row["table_fulls"] = after[1] - before[1]
    text = r.text()
    t0, t1 = r.stamp(start_marker), r.stamp("*** Results:")
    row["pingall"] = t1 - t0 if t0 is not None and t1 is not None else None
    row["pingall_rss_kb"] = r.max_rss_after(t0)
    row["hwm_kb"] = r.hwm_kb
    m = RESULTS_RE.findall(text)
    row["results"] = "%s%% dropped (%s/%s received)" % m[-1] if m else None
    row["dropped"] = int(m[-1][0]) if m else None
    if r.timed_out:
        row["failure"] = "timed out after %.0f s" % timeout
    elif not m:
        row["failure"] = "no `*** Results:` line (exit status %s)" % r.status
    if "failure" in row:
        row["log"] = bench.tail(text)
    row["drain"] = bench.wait_quiet_kernel()
    return row


TIMINGS_RE = re.compile(r"timings: build=([0-9.]+) stop=([0-9.]+)")
SAMPLE_PAIRS = 24


def sample_pairs(depth, fanout, count=SAMPLE_PAIRS):
    """Host pairs spread over a tree's leaves: each from the first half of the hosts to
    the second, so every ping crosses the root switch."""
    n = fanout ** depth
    step = max(1, (n // 2) // count)
    return [(1 + i * step, n - i * step) for i in range(count) if 1 + i * step < n - i * step]


def build_stop_run(binary, topo, switch, timeout, pings=()):
    """swiftnet --topo TOPO --switch SWITCH --timings: with `pings`, its shell on stdin
    pings each pair once and exits; without, --test none."""
    row = {"topo": topo, "switch": switch, "quiet": bench.wait_quiet_kernel(), "pairs": len(pings)}
    # The kernel frees 10,000 namespaces for many seconds after their run: wait for idle CPUs too.
    machine_state.settle(longest=60.0)
    argv = [binary, "--topo", topo, "--switch", switch, "--timings"]
    script = None
    if pings:
        script = "".join("h%d ping -c1 -W2 h%d\n" % (a, b) for a, b in pings) + "exit\n"
    else:
        argv += ["--test", "none"]
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, input=script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout, stdin=None if script else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        row["failure"] = "timed out after %.0f s" % timeout
        row["drain"] = bench.wait_quiet_kernel()
        return row
    row["wall"] = time.monotonic() - t0
    row["status"] = p.returncode
    m = TIMINGS_RE.search(p.stdout)
    row["build"], row["stop"] = (float(m.group(1)), float(m.group(2))) if m else (None, None)
    row["answered"] = len(re.findall(r"1 packets transmitted, 1 received", p.stdout))
    if p.returncode != 0 or m is None:
        row["failure"] = "exit status %s%s" % (p.returncode, "" if m else ", no timings line")
        row["log"] = bench.tail(p.stdout)
    elif pings and row["answered"] != len(pings):
        row["failure"] = "%d of %d sampled pings answered" % (row["answered"], len(pings))
        row["log"] = bench.tail(p.stdout)
    row["drain"] = bench.wait_quiet_kernel()
    return row


def build_stop_report(rows):
    L = ["## Building and stopping with the user switch", "",
         "Build and stop as `--timings` reports them; wall: the whole process. The tree's shell",
         "pings %d pairs of hosts, each pair from the first half of the hosts to the second." % SAMPLE_PAIRS, "",
         "| topology | switch | hosts | build | stop | build + stop | wall | sampled pings answered |",
         "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        m = re.match(r"(single),(\d+)$|tree,depth=(\d+),fanout=(\d+)$", r["topo"])
        hosts = int(m.group(2)) if m and m.group(1) else (int(m.group(4)) ** int(m.group(3)) if m else 0)
        if r.get("build") is None:
            L.append("| `%s` | %s | {:,} | failed: %s | | | | |".format(hosts) % (r["topo"], r["switch"], r.get("failure")))
            continue
        L.append("| `%s` | %s | {:,} | %s | %s | %s | %s | %s |".format(hosts) % (
            r["topo"], r["switch"], sec(r["build"]), sec(r["stop"]), sec(r["build"] + r["stop"]), sec(r.get("wall")),
            "%d of %d" % (r["answered"], r["pairs"]) if r["pairs"] else "-"))
    for r in rows:
        if "failure" in r:
            L += ["", "**%s %s failed: %s**" % (r["topo"], r["switch"], r["failure"]), "", "```", r.get("log", ""), "```"]
    return "\n".join(L) + "\n"


def report(ctx, big, small_sn, small_mn, mn_note):
    L = ["# Scale: signals and pingall", "",
         "- date: %s" % ctx["date"],
         "- command: `%s`" % ctx["command"],
         "- machine: kernel %s, %s CPUs (%s)" % (ctx["kernel"], ctx["cpus"], ctx["cpu_model"]),
         "- swiftnet: `%s`" % ctx["swiftnet"],
         "- kernel limits: neighbour table gc_thresh3 = %s (one table for every namespace), "
         "netdev_max_backlog = %s packets per CPU" % (ctx["gc_thresh3"], ctx["backlog"]),
         ""]
    n, p = pairs(ctx["big"])
    L += ["## Interrupting the pingall of %s (%d hosts, %d pings)" % (ctx["big"], n, p), "",
          "The signal is sent %.0f s after the `%s` line." % (ctx["after"], PING_START), "",
          "| signal | signal → `*** Interrupted` | signal → `*** Done` | signal → exit | exit status | sources done | "
          "peak VmRSS during pingall | VmHWM (whole run) | build | kernel busy afterwards |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in big:
        r = row.get("run")
        if "failure" in row and row.get("to_exit") is None:
            L.append("| %s | failed: %s | | | | | | | | |" % (row["signal"], row["failure"]))
            continue
        done = row.get("sources_done")
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["signal"], sec(row.get("to_interrupted")), sec(row.get("to_done")), sec(row.get("to_exit")),
            r.status if r else "?", "%s of %s" % done if done else "?",
            mb(row.get("pingall_rss_kb")), mb(row.get("hwm_kb")), sec(row.get("build")),
            row["drain"].text() if row.get("drain") else ""))
        if "failure" in row:
            L.append("")
            L.append("**%s failed: %s**" % (row["signal"], row["failure"]))
    L.append("")
    n, p = pairs(ctx["small"])
    L += ["## The whole pingall of %s (%d hosts, %d pings)" % (ctx["small"], n, p), ""]
    if mn_note:
        L += [mn_note, ""]
    L += ["| measure | swiftnet | Mininet | Mininet / swiftnet |", "|---|---:|---:|---:|"]

    def cell(row, f):
        if row is None:
            return ""
        if "failure" in row and f is not None and row.get("results") is None:
            return "failed: %s" % row["failure"]
        return f(row)

    def ratio(f):
        if small_mn is None or small_sn is None:
            return ""
        try:
            a, b = f(small_mn), f(small_sn)
            return "%.1f×" % (a / b) if a and b else ""
        except (TypeError, KeyError, AttributeError):
            return ""

    pa = lambda row: row.get("pingall")
    wall = lambda row: row["run"].wall
    L.append("| pingall alone (`*** Ping:` to `*** Results:`) | %s | %s | %s |" % (
        cell(small_sn, lambda r: sec(pa(r))), cell(small_mn, lambda r: sec(pa(r))), ratio(pa)))
    L.append("| whole process (build, pingall, stop) | %s | %s | %s |" % (
        cell(small_sn, lambda r: sec(wall(r))), cell(small_mn, lambda r: sec(wall(r))), ratio(wall)))
    L.append("| peak RSS (VmHWM of the process) | %s | %s | |" % (
        cell(small_sn, lambda r: mb(r.get("hwm_kb"))), cell(small_mn, lambda r: mb(r.get("hwm_kb")) + " (mn's Python only)")))
    L.append("| result | %s | %s | |" % (
        cell(small_sn, lambda r: r.get("results") or "?"), cell(small_mn, lambda r: r.get("results") or "?")))
    L.append("| packets the kernel dropped on a full CPU backlog, during the run | %s | %s | |" % (
        cell(small_sn, lambda r: "{:,}".format(r["backlog_drops"])), cell(small_mn, lambda r: "{:,}".format(r["backlog_drops"]))))
    L.append("| neighbour table overflows during the run | %s | %s | |" % (
        cell(small_sn, lambda r: "{:,}".format(r["table_fulls"])), cell(small_mn, lambda r: "{:,}".format(r["table_fulls"]))))
    L.append("")
    for name, row in (("swiftnet", small_sn), ("Mininet", small_mn)):
        if row and "failure" in row:
            L += ["**%s failed: %s**" % (name, row["failure"]), "", "```", row.get("log", ""), "```", ""]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Signals and pingall at scale (swiftnet; Mininet for the smaller pingall).")
    ap.add_argument("--swiftnet", default=".build/release/swiftnet")
    ap.add_argument("--out", help="also write the markdown report here")
    ap.add_argument("--big", default=BIG, help="topology interrupted during its pingall (default %(default)s)")
    ap.add_argument("--small", default=SMALL, help="topology whose whole pingall is timed (default %(default)s)")
    ap.add_argument("--interrupt-after", type=float, default=5.0, metavar="S",
                    help="seconds into the pingall when the signal is sent (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=1800, metavar="S", help="bound on each swiftnet run (default %(default)s)")
    ap.add_argument("--mn-timeout", type=float, default=3600, metavar="S", help="bound on the Mininet run (default %(default)s)")
    ap.add_argument("--skip-mininet", action="store_true")
    ap.add_argument("--skip-build-stop", action="store_true", help="leave out the user switch's build and stop at scale")
    ap.add_argument("--only-build-stop", action="store_true", help="run only the user switch's build and stop at scale")
    a = ap.parse_args()

    binary = os.path.abspath(a.swiftnet) if os.sep in a.swiftnet else a.swiftnet
    ctx = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(shlex.quote(x) for x in [os.path.basename(sys.executable)] + sys.argv),
        "kernel": platform.release(), "cpus": os.cpu_count(), "cpu_model": bench.cpu_model(),
        "swiftnet": binary, "big": a.big, "small": a.small, "after": a.interrupt_after,
        "gc_thresh3": read_sysctl("/proc/sys/net/ipv4/neigh/default/gc_thresh3"),
        "backlog": read_sysctl("/proc/sys/net/core/netdev_max_backlog"),
    }
    if os.geteuid() != 0:
        log("warning: not root; swiftnet needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN)")

    big, small_sn, small_mn, mn_note = [], None, None, None
    if not a.only_build_stop:
        big = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            log("== swiftnet %s --test pingall, %s %.0f s into the pingall" % (a.big, signal.Signals(sig).name, a.interrupt_after))
            row = interrupt_run(binary, a.big, sig, a.interrupt_after, a.timeout)
            big.append(row)
            log("   " + ("failed: %s" % row["failure"] if "failure" in row else
                         "Interrupted line %s, Done %s, exit %s after the signal; pingall VmRSS %s, VmHWM %s"
                         % (sec(row.get("to_interrupted")), sec(row.get("to_done")), sec(row.get("to_exit")),
                            mb(row.get("pingall_rss_kb")), mb(row.get("hwm_kb")))))

        log("== swiftnet %s --test pingall (whole)" % a.small)
        small_sn = full_run([binary, "--topo", a.small, "--test", "pingall", "--timings"], a.timeout)
        if "failure" not in small_sn and (small_sn["dropped"] or small_sn["run"].status != 0):
            small_sn["failure"] = "%s, exit status %s" % (small_sn["results"], small_sn["run"].status)
        log("   " + ("failed: %s" % small_sn["failure"] if "failure" in small_sn else
                     "pingall %s, wall %s, VmHWM %s, %s" % (sec(small_sn["pingall"]), sec(small_sn["run"].wall),
                                                           mb(small_sn["hwm_kb"]), small_sn["results"])))

        if a.skip_mininet:
            mn_note = "Mininet: skipped (--skip-mininet)."
        else:
            py = bench.find_mininet_python() if shutil.which("mn") else None
            if py is None:
                mn_note = "SKIPPED Mininet: not installed (apt-get install mininet bridge-utils)."
            else:
                mn_note = ("Mininet %s: `mn --switch lxbr --controller none --topo %s --test pingall` "
                           "(one `ping -c1` after the other)." % (bench.mininet_version(py), a.small))
                log("== Mininet %s --test pingall (one ping at a time; may take many minutes)" % a.small)
                args = ["--switch", "lxbr", "--controller", "none", "--topo", a.small, "--test", "pingall"]
                small_mn = full_run(bench.mn_argv(py, args), a.mn_timeout)
                log("   " + ("failed: %s" % small_mn["failure"] if "failure" in small_mn else
                             "pingall %s, wall %s, %s" % (sec(small_mn["pingall"]), sec(small_mn["run"].wall), small_mn["results"])))

    scale = []
    if not a.skip_build_stop:
        for topo, switch, pings in (("tree,depth=2,fanout=50", "lxbr", ()),
                                    ("single,3000", "user", ()),
                                    ("tree,depth=2,fanout=100", "user", sample_pairs(2, 100))):
            log("== swiftnet --topo %s --switch %s (build and stop)" % (topo, switch))
            row = build_stop_run(binary, topo, switch, a.timeout, pings)
            scale.append(row)
            log("   " + ("failed: %s" % row["failure"] if "failure" in row else
                         "build %s, stop %s, wall %s" % (sec(row["build"]), sec(row["stop"]), sec(row["wall"]))))

    text = report(ctx, big, small_sn, small_mn, mn_note) if not a.only_build_stop else "# Scale\n"
    if scale:
        text += "\n" + build_stop_report(scale)
    log("")
    sys.stdout.write(text)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            f.write(text)
        log("\nreport written to %s" % a.out)
    failed = any("failure" in r for r in big + scale) or (small_sn is not None and "failure" in small_sn)
    return 1 if failed else 0


if __name__ == "__main__":
    with machine_state.kept_sysctls():
        status = main()
    sys.exit(status)
