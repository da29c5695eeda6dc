#!/usr/bin/env python3
"""Time swiftnet against Mininet on this machine, in one run.

    python3 Benchmarks/bench.py --swiftnet .build/release/swiftnet \
        --out Benchmarks/results/latest.md

Compared (swiftnet and Mininet with Linux bridges, no controller):
    linear,100   single,100   tree,depth=3,fanout=4
swiftnet alone:
    single,1000  linear,500
Also compared, in the same run (with --quick too; --skip-pingall / --skip-shell drop them):
    pingall on single,100 (9,900 pings): `swiftnet --test pingall` vs Mininet's
        net.pingAll() (mininet_time.py --pingall), timeout --pingall-timeout (900 s)
    interactive shell on tree,depth=3,fanout=4, each tool on a pseudo-terminal: time from
        start to the first `swiftnet> ` / `mininet> ` prompt, then from typing `exit` to
        the end of the process

swiftnet is run as `SWIFTNET --topo T --test none --timings`; its `timings:` line
gives setup (build) and teardown (stop). Mininet is timed through its Python API by
Benchmarks/mininet_time.py. Peak RSS comes from wait4() on each child.

Tearing down network namespaces is finished by the kernel in the background, and the
next namespace creation waits for it. So before every "quiet" measurement this script
waits until `unshare -n true` has been fast (< 50 ms) several times in a row, and it
also reports swiftnet "back-to-back": the mean wall time of N runs started one right
after the other, each paying for the previous run's kernel teardown.

Standard library only. Must run as root (both tools need it). Exit status is non-zero
only when a swiftnet measurement failed.
"""

import argparse
import datetime
import json
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
MININET_TIME = os.path.join(HERE, "mininet_time.py")

COMPARED = ["linear,100", "single,100", "tree,depth=3,fanout=4"]
SWIFTNET_ONLY = ["single,1000", "linear,500"]
QUICK = ["linear,100", "single,100"]
SANITY_TOPO = "linear,100"

# Quiet-kernel check: `unshare -n true` must take less than QUIET_PROBE_MAX seconds
# QUIET_STREAK times in a row, QUIET_INTERVAL apart (a single fast probe right after a
# run proves nothing: the kernel starts its teardown some tens of ms after the exit).
QUIET_PROBE_MAX = 0.050
QUIET_STREAK = 5
QUIET_INTERVAL = 0.1
QUIET_MAX_WAIT = 30.0

KILL_GRACE = 120.0  # seconds between SIGINT (clean stop) and SIGKILL on a timeout

# Extra measurements, compared in the same run (also with --quick).
PINGALL_TOPO = "single,100"     # 100 × 99 = 9,900 pings
PINGALL_TIMEOUT = 900.0         # Mininet pings one pair at a time
SHELL_TOPO = "tree,depth=3,fanout=4"
SHELL_EXIT_TIMEOUT = 60.0       # from typing `exit` to the end of the process


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------
# Running a child: wall time, exit status, peak RSS (wait4), captured output.
# ---------------------------------------------------------------------------

class ChildResult:
    def __init__(self):
        self.argv = []
        self.wall = None        # seconds, from just before fork to reaping
        self.status = None      # exit code (negative: killed by that signal)
        self.maxrss_kb = None   # ru_maxrss of the child (largest process in its tree)
        self.stdout = ""
        self.stderr = ""
        self.timed_out = False
        self.timeout = None
        self.error = None       # could not start at all
        self.stamps = []        # (seconds since start, stdout bytes received so far)
        self.stdout_bytes = b""

    def stamp_of(self, needle):
        """Seconds from start until the first line containing `needle` (bytes) had
        arrived in full on stdout, or None (needs run_child(..., stamps=True))."""
        i = self.stdout_bytes.find(needle)
        if i < 0:
            return None
        end = self.stdout_bytes.find(b"\n", i)
        end = len(self.stdout_bytes) if end < 0 else end + 1
        for t, size in self.stamps:
            if size >= end:
                return t
        return None

    @property
    def ok(self):
        return self.error is None and not self.timed_out and self.status == 0

    def describe_failure(self):
        if self.error:
            return self.error
        if self.timed_out:
            return "timed out after %.0f s" % self.timeout
        if self.status is not None and self.status < 0:
            try:
                name = signal.Signals(-self.status).name
            except ValueError:
                name = str(-self.status)
            return "killed by %s" % name
        return "exit status %s" % self.status


# ru_maxrss of a child forked from this (Python) process can never be below this
# process's own RSS: fork copies the address space and exec records the old one's peak.
# So children are started as grandchildren through `setsid --fork` (a small C program),
# and this process makes itself a child subreaper: when setsid's first half exits, the
# grandchild is re-parented to us and we reap it with wait4(), which then reports its
# own peak RSS. Without setsid or prctl, children are forked directly (RSS floored).
_SUBREAPER = None


def _enable_subreaper():
    global _SUBREAPER
    if _SUBREAPER is None:
        _SUBREAPER = False
        if shutil.which("setsid"):
            try:
                import ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                PR_SET_CHILD_SUBREAPER = 36
                _SUBREAPER = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _SUBREAPER = False
    return _SUBREAPER


def _children():
    """PIDs whose parent is this process (zombies included), from /proc."""
    me, found = os.getpid(), set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[1] == str(me):
            found.add(int(name))
    return found


def reap_strays():
    """Reaps orphans re-parented to us (say, processes a child left behind)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def run_child(argv, timeout, env=None, stamps=False):
    """Runs argv, reaps it with os.wait4, stops it (SIGINT, then SIGKILL) on timeout.
    With stamps, notes when each piece of stdout arrived (r.stamps, r.stamp_of)."""
    r = ChildResult()
    r.argv = list(argv)
    r.timeout = timeout
    out_chunks, err_chunks = [], []
    start = None

    def drain(stream, sink, stamped):
        size = 0
        try:
            # read1: returns what one read() of the pipe gave, so the time is right.
            for chunk in iter(lambda: stream.read1(65536), b""):
                sink.append(chunk)
                if stamped:
                    size += len(chunk)
                    r.stamps.append((time.monotonic() - start, size))
        finally:
            stream.close()

    via_setsid = _enable_subreaper()
    reap_strays()
    before = _children() if via_setsid else set()
    start = time.monotonic()
    try:
        p = subprocess.Popen((["setsid", "--fork"] if via_setsid else []) + list(argv),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    except OSError as e:
        r.error = "cannot start %s: %s" % (argv[0], e.strerror or e)
        return r
    readers = [threading.Thread(target=drain, args=(p.stdout, out_chunks, stamps), daemon=True),
               threading.Thread(target=drain, args=(p.stderr, err_chunks, False), daemon=True)]
    for t in readers:
        t.start()

    pid = p.pid
    if via_setsid:
        if p.wait() != 0:  # setsid itself failed (the program could not be started)
            for t in readers:
                t.join(10)
            err = b"".join(err_chunks).decode("utf-8", "replace").strip()
            r.error = "cannot start %s: %s" % (argv[0], err or "setsid exit %s" % p.returncode)
            return r
        new = _children() - before
        if len(new) != 1:
            for t in readers:
                t.join(10)
            r.error = "lost track of the started process (%d new children)" % len(new)
            return r
        pid = new.pop()

    reaped = {}

    def reap():
        while True:
            try:
                _, status, ru = os.wait4(pid, 0)
            except InterruptedError:
                continue
            reaped["end"] = time.monotonic()
            reaped["status"] = status
            reaped["ru"] = ru
            return

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        r.timed_out = True
        try:
            os.kill(pid, signal.SIGINT)  # both tools stop their network on SIGINT
        except ProcessLookupError:
            pass
        waiter.join(KILL_GRACE)
        if waiter.is_alive():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            waiter.join()
    for t in readers:
        t.join(10)

    status = reaped["status"]
    r.status = os.waitstatus_to_exitcode(status)
    if not via_setsid:
        p.returncode = r.status  # so Popen does not wait again
    r.wall = reaped["end"] - start
    r.maxrss_kb = reaped["ru"].ru_maxrss
    r.stdout_bytes = b"".join(out_chunks)
    r.stdout = r.stdout_bytes.decode("utf-8", "replace")
    r.stderr = b"".join(err_chunks).decode("utf-8", "replace")
    reap_strays()
    return r


def tail(text, lines=15):
    kept = [l for l in text.rstrip().splitlines() if l.strip()]
    return "\n".join(kept[-lines:])


# ---------------------------------------------------------------------------
# Waiting for the kernel to finish destroying previous namespaces.
# ---------------------------------------------------------------------------

def probe_unshare():
    t0 = time.monotonic()
    try:
        subprocess.run(["unshare", "-n", "true"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=QUIET_MAX_WAIT + 5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return time.monotonic() - t0


class QuietWait:
    def __init__(self, waited, quiet, slowest, busy=None, note=None):
        self.waited = waited      # seconds spent waiting, final quiet streak included
        self.quiet = quiet        # reached a quiet kernel?
        self.slowest = slowest    # slowest probe seen (how long a namespace creation blocked)
        self.busy = busy          # seconds until the final quiet streak began
        self.note = note

    def text(self):
        if self.note:
            return self.note
        if not self.quiet:
            return "NOT quiet after %.1f s (slowest probe %.3f s)" % (self.waited, self.slowest)
        return "busy %.2f s, slowest probe %.3f s" % (self.busy, self.slowest)


def wait_quiet_kernel():
    """Polls `unshare -n true` until it has been fast QUIET_STREAK times in a row."""
    if shutil.which("unshare") is None:
        time.sleep(5)
        return QuietWait(5.0, False, 0.0, note="no `unshare` command: slept 5 s instead")
    start = time.monotonic()
    streak, slowest, streak_start = 0, 0.0, 0.0
    while True:
        t = time.monotonic()
        d = probe_unshare()
        if d is None:
            time.sleep(5)
            return QuietWait(time.monotonic() - start, False, slowest,
                             note="`unshare -n true` failed (not root?): slept 5 s instead")
        slowest = max(slowest, d)
        if d < QUIET_PROBE_MAX:
            if streak == 0:
                streak_start = t - start
            streak += 1
        else:
            streak = 0
        waited = time.monotonic() - start
        if streak >= QUIET_STREAK:
            return QuietWait(waited, True, slowest, busy=streak_start)
        if waited >= QUIET_MAX_WAIT:
            return QuietWait(waited, False, slowest)
        time.sleep(QUIET_INTERVAL)


# ---------------------------------------------------------------------------
# swiftnet
# ---------------------------------------------------------------------------

TIMINGS_RE = re.compile(r"^timings:\s*(.*)$", re.M)


def parse_timings(stdout):
    """Last `timings: build=… stop=… stp=…` line -> dict of floats, or None."""
    found = TIMINGS_RE.findall(stdout)
    if not found:
        return None
    values = {}
    for item in found[-1].split():
        if "=" in item:
            k, v = item.split("=", 1)
            try:
                values[k] = float(v)
            except ValueError:
                pass
    if "build" not in values or "stop" not in values:
        return None
    return values


class SwiftnetRun:
    def __init__(self, child, timings, failure):
        self.child = child
        self.timings = timings
        self.failure = failure


def swiftnet_once(binary, topo, timeout):
    child = run_child([binary, "--topo", topo, "--test", "none", "--timings"], timeout)
    if not child.ok:
        msg = child.describe_failure()
        last = tail(child.stderr, 1) or tail(child.stdout, 1)
        return SwiftnetRun(child, None, msg + (": " + last if last else ""))
    t = parse_timings(child.stdout)
    if t is None:
        return SwiftnetRun(child, None, "no `timings: build=… stop=…` line in the output")
    return SwiftnetRun(child, t, None)


def measure_swiftnet(binary, topo, repeat, timeout):
    row = {"topo": topo}
    row["quiet_wait"] = wait_quiet_kernel()
    quiet = swiftnet_once(binary, topo, timeout)
    row["quiet_run"] = quiet
    if quiet.failure:
        row["failure"] = quiet.failure
        row["log"] = tail(quiet.child.stderr) or tail(quiet.child.stdout)
        return row
    # Back-to-back: start at once after the quiet run, so every run pays for the
    # kernel teardown of the one before it.
    runs = []
    for _ in range(repeat):
        r = swiftnet_once(binary, topo, timeout)
        if r.failure:
            row["b2b_failure"] = r.failure
            row["log"] = tail(r.child.stderr) or tail(r.child.stdout)
            break
        runs.append(r)
    row["b2b_runs"] = runs
    # How long the kernel keeps working after the last run has exited.
    row["drain"] = wait_quiet_kernel()
    rss = [quiet.child.maxrss_kb] + [r.child.maxrss_kb for r in runs]
    row["maxrss_kb"] = max(rss)
    return row


# ---------------------------------------------------------------------------
# Mininet
# ---------------------------------------------------------------------------

def find_mininet_python():
    """An interpreter that can import mininet: ours, Debian's, or the one `mn` uses."""
    candidates = [sys.executable, "/usr/bin/python3"]
    mn = shutil.which("mn")
    if mn:
        try:
            with open(mn, "rb") as f:
                first = f.readline().decode("utf-8", "replace").strip()
            if first.startswith("#!"):
                parts = first[2:].split()
                if parts and os.path.basename(parts[0]) == "env" and len(parts) > 1:
                    found = shutil.which(parts[1])
                    if found:
                        candidates.append(found)
                elif parts:
                    candidates.append(parts[0])
        except OSError:
            pass
    seen = set()
    for py in candidates:
        if not py or py in seen or not os.path.exists(py):
            continue
        seen.add(py)
        try:
            subprocess.run([py, "-c", "import mininet.net, mininet.nodelib"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60, check=True)
            return py
        except (OSError, subprocess.SubprocessError):
            continue
    return None


def mininet_version(py):
    try:
        out = subprocess.run([py, "-c", "from mininet.net import VERSION; print(VERSION)"],
                             capture_output=True, text=True, timeout=60, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def measure_mininet(py, topo, timeout):
    row = {"topo": topo}
    row["quiet_wait"] = wait_quiet_kernel()
    child = run_child([py, MININET_TIME, topo], timeout)
    row["child"] = child
    row["maxrss_kb"] = child.maxrss_kb
    record = None
    for line in reversed(child.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                pass
            break
    row["record"] = record
    if record is not None and record.get("error"):
        row["failure"] = record["error"]
    elif not child.ok:
        row["failure"] = child.describe_failure()
    elif record is None or "setup" not in record or "teardown" not in record:
        row["failure"] = "no JSON result line from mininet_time.py"
    if "failure" in row:
        row["log"] = tail(child.stderr, 25)
    row["drain"] = wait_quiet_kernel()
    return row


# Runs /usr/bin/mn as shipped, except that Mininet's own failure path, which would run
# its global cleanup (`mn -c`: killall by name, deletes every *-ethN link on the
# machine), gets a no-op in place of that cleanup function.
# It also puts back, when mn exits, the machine-wide sysctls Mininet raises (machine_state).
MN_WRAPPER = ("import sys, runpy, atexit, mininet.clean as c\n"
              "sys.path.insert(0, %r)\n"
              "import machine_state\n"
              "machine_state.save(); atexit.register(machine_state.restore)\n"
              "c.cleanup = lambda *a, **k: None\n"
              "c.Cleanup.cleanup = classmethod(lambda cls: None)\n"
              "sys.argv = [sys.argv[1]] + sys.argv[2:]\n"
              "runpy.run_path(sys.argv[0], run_name='__main__')\n") % os.path.dirname(os.path.abspath(__file__))


def mn_argv(py, args):
    """argv running the real `mn` with args through MN_WRAPPER."""
    return [py, "-c", MN_WRAPPER, shutil.which("mn")] + list(args)


def mn_sanity(py, topo, timeout):
    """One run of the real `mn` command (through MN_WRAPPER)."""
    args = ["--switch", "lxbr", "--controller", "none", "--topo", topo, "--test", "none"]
    res = {"command": "mn " + " ".join(args), "quiet_wait": wait_quiet_kernel()}
    child = run_child(mn_argv(py, args), timeout)
    res["child"] = child
    m = re.findall(r"completed in ([0-9.]+) seconds", child.stderr + child.stdout)
    res["completed_in"] = float(m[-1]) if m else None
    if not child.ok or "Caught exception" in child.stderr:
        res["failure"] = child.describe_failure() if not child.ok else "mn caught an exception"
        res["log"] = tail(child.stderr, 25)
    res["drain"] = wait_quiet_kernel()
    return res


# ---------------------------------------------------------------------------
# pingall on PINGALL_TOPO: swiftnet --test pingall vs Mininet's net.pingAll()
# ---------------------------------------------------------------------------

RESULTS_RE = re.compile(r"\*\*\* Results: ([0-9.]+)% dropped \((\d+)/(\d+) received\)")
PING_START = b"*** Ping: testing ping reachability"
PING_RESULTS = b"*** Results:"


def pingall_swiftnet(binary, topo, timeout):
    """`swiftnet --topo T --test pingall --timings`, stdout time-stamped as it arrives.
    pingall = arrival of the `*** Results:` line minus arrival of the `*** Ping:` line."""
    row = {"topo": topo, "quiet_wait": wait_quiet_kernel()}
    child = run_child([binary, "--topo", topo, "--test", "pingall", "--timings"], timeout, stamps=True)
    row["child"] = child
    row["timings"] = parse_timings(child.stdout)
    m = RESULTS_RE.findall(child.stdout)
    if m:
        pct, received, sent = m[-1]
        row["dropped"], row["received"], row["sent"] = float(pct), int(received), int(sent)
    t0, t1 = child.stamp_of(PING_START), child.stamp_of(PING_RESULTS)
    row["pingall"] = t1 - t0 if t0 is not None and t1 is not None else None
    if row["timings"] and child.wall is not None:
        row["wall_minus"] = child.wall - row["timings"]["build"] - row["timings"]["stop"]
    if not m:
        msg = "no `*** Results:` line"
        if not child.ok:
            msg = child.describe_failure() + ", " + msg
        row["failure"] = msg
    elif row["dropped"] > 0 or row["received"] != row["sent"]:
        row["failure"] = "%g%% dropped (%d/%d received)" % (row["dropped"], row["received"], row["sent"])
    elif not child.ok:
        row["failure"] = child.describe_failure()
    elif row["pingall"] is None:
        row["failure"] = "could not time the `*** Ping:` and `*** Results:` lines"
    if "failure" in row:
        row["log"] = tail(child.stderr) or tail(child.stdout)
    row["drain"] = wait_quiet_kernel()
    return row


def pingall_mininet(py, topo, timeout):
    """`mininet_time.py T --pingall`: setup, net.pingAll(), teardown, timed in the process."""
    row = {"topo": topo, "quiet_wait": wait_quiet_kernel()}
    child = run_child([py, MININET_TIME, topo, "--pingall"], timeout)
    row["child"] = child
    record = None
    for line in reversed(child.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                pass
            break
    row["record"] = record or {}
    if record is not None and record.get("error"):
        row["failure"] = record["error"]
    elif record is None or "pingall" not in record:
        row["failure"] = (child.describe_failure() + ", " if not child.ok else "") + \
            "no pingall result from mininet_time.py"
    elif record.get("ping_dropped") or record.get("ping_received") != record.get("ping_sent"):
        row["failure"] = "%g%% dropped (%s/%s received)" % (record.get("ping_dropped"),
                                                          record.get("ping_received"), record.get("ping_sent"))
    elif not child.ok:
        row["failure"] = child.describe_failure()
    if "failure" in row:
        row["log"] = tail(child.stderr, 25)
    row["drain"] = wait_quiet_kernel()
    return row


# ---------------------------------------------------------------------------
# Interactive shell under a pseudo-terminal: start to first prompt, `exit` to end
# ---------------------------------------------------------------------------

class PtyResult:
    def __init__(self):
        self.argv = []
        self.prompt = None      # seconds from fork until the prompt had arrived
        self.exit = None        # seconds from writing "exit\n" until the process was reaped
        self.wall = None        # seconds from fork until reaped
        self.status = None
        self.output = b""
        self.failure = None


def run_pty(argv, prompt, prompt_timeout, exit_timeout, env=None, give_up=None):
    """Starts argv on a new pseudo-terminal (its controlling terminal, 120x40), waits for
    `prompt` in its output, types `exit` and waits for the process to end. Output is
    read all along, so the program never blocks on a full terminal. give_up: (bytes,
    reason): when those bytes show up before the prompt, stop the program at once."""
    import fcntl
    import select
    import struct
    import termios

    r = PtyResult()
    r.argv = list(argv)
    reap_strays()
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ if env is None else env)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child: new session, the pty as controlling terminal and stdio
        try:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.execvpe(argv[0], argv, env)
        except BaseException as e:  # noqa: BLE001
            try:
                os.write(2, ("cannot start %s: %s\n" % (argv[0], e)).encode())
            finally:
                os._exit(127)
    os.close(slave)

    reaped = {}

    def reap():
        while True:
            try:
                _, status, _ = os.wait4(pid, 0)
            except InterruptedError:
                continue
            reaped["end"] = time.monotonic()
            reaped["status"] = status
            return

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    buf = bytearray()
    eof = [False]

    def pump(until, deadline):
        """Reads the terminal until until() or the deadline; returns until()."""
        while not until():
            now = time.monotonic()
            if now >= deadline:
                return False
            if eof[0]:
                if not waiter.is_alive():
                    return until()
                time.sleep(0.01)
                continue
            ready, _, _ = select.select([master], [], [], min(deadline - now, 0.05))
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every process holding the terminal has closed it
                    data = b""
                if data:
                    buf.extend(data)
                else:
                    eof[0] = True
        return True

    got = {}

    def prompted():
        if "t" not in got and buf.find(prompt) >= 0:
            got["t"] = time.monotonic()
        if give_up and "t" not in got and buf.find(give_up[0]) >= 0:
            got["give_up"] = True
        return "t" in got or "give_up" in got or not waiter.is_alive() and eof[0]

    def stop(why):
        r.failure = why
        for sig, grace in ((signal.SIGINT, KILL_GRACE), (signal.SIGKILL, 30.0)):
            if not waiter.is_alive():
                break
            try:
                os.kill(pid, sig)  # both tools stop their network on SIGINT
            except ProcessLookupError:
                break
            pump(lambda: not waiter.is_alive(), time.monotonic() + grace)

    pump(prompted, start + prompt_timeout)
    if "t" in got:
        r.prompt = got["t"] - start
        typed = time.monotonic()
        try:
            os.write(master, b"exit\n")
        except OSError as e:
            stop("cannot type exit: %s" % e)
        if r.failure is None and not pump(lambda: not waiter.is_alive(), typed + exit_timeout):
            stop("still running %.0f s after `exit`" % exit_timeout)
        if r.failure is None:
            r.exit = reaped["end"] - typed
    elif "give_up" in got:
        stop(give_up[1])
    elif waiter.is_alive():
        stop("no prompt after %.0f s" % prompt_timeout)
    else:
        r.failure = "ended before its prompt"
    waiter.join()
    pump(lambda: eof[0], time.monotonic() + 1.0)  # what is left in the terminal
    os.close(master)
    r.status = os.waitstatus_to_exitcode(reaped["status"])
    r.wall = reaped["end"] - start
    r.output = bytes(buf)
    if r.failure is None and r.status != 0:
        r.failure = "exit status %s" % r.status
    reap_strays()
    return r


def terminal_tail(data, lines=15):
    """Terminal output as plain text: escape sequences and carriage returns removed."""
    text = data.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07", "", text)
    text = "\n".join(l.rstrip("\r").rsplit("\r", 1)[-1] for l in text.split("\n"))
    return tail(text, lines)


SHELL_ENV_TERM = "xterm"


def shell_measure(argv, prompt, prompt_timeout, command, give_up=None):
    row = {"command": command, "quiet_wait": wait_quiet_kernel()}
    env = dict(os.environ, TERM=SHELL_ENV_TERM)
    r = run_pty(argv, prompt, prompt_timeout, SHELL_EXIT_TIMEOUT, env, give_up)
    row["run"] = r
    text = r.output.decode("utf-8", "replace")
    row["timings"] = parse_timings(text.replace("\r", ""))
    if r.failure is None and "Caught exception" in text:
        r.failure = "caught an exception"
    if r.failure:
        row["failure"] = r.failure
        row["log"] = terminal_tail(r.output, 25)
    row["drain"] = wait_quiet_kernel()
    return row


def shell_swiftnet(binary, topo, timeout):
    argv = [binary, "--topo", topo, "--timings"]
    # A swiftnet built before the shell existed holds the network until Ctrl-C instead.
    old = (b"press Ctrl-C to stop it", "no shell: this swiftnet holds the network until Ctrl-C "
           "(built before the swiftnet> shell? rebuild it)")
    return shell_measure(argv, b"swiftnet> ", timeout, "swiftnet --topo %s --timings" % topo, old)


def shell_mininet(py, topo, timeout):
    args = ["--switch", "lxbr", "--controller", "none", "--topo", topo]
    return shell_measure(mn_argv(py, args), b"mininet> ", timeout, "mn " + " ".join(args))


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def f3(x):
    return "—" if x is None else "%.3f" % x


def mb(kb):
    return "—" if kb is None else "%.1f" % (kb / 1024.0)


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def sn_numbers(row):
    """(setup, teardown, total, quiet wall, b2b mean wall) or None if failed."""
    if "failure" in row:
        return None
    q = row["quiet_run"]
    setup, teardown = q.timings["build"], q.timings["stop"]
    b2b = [r.child.wall for r in row.get("b2b_runs", [])]
    return setup, teardown, setup + teardown, q.child.wall, mean(b2b)


def mn_numbers(row):
    if row is None or "failure" in row:
        return None
    rec = row["record"]
    return rec["setup"], rec["teardown"], rec["setup"] + rec["teardown"]


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    return "%.1f×" % (a / b)


def short(text, n=60):
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def ping_result_text(dropped, received, sent):
    if dropped is None or received is None or sent is None:
        return "—"
    text = "%g%% dropped (%d/%d received)" % (dropped, received, sent)
    return text if dropped == 0 and received == sent else "**%s**" % text


def side_by_side(L, rows):
    """rows: (label, swiftnet value, Mininet value, cell text or None for formatted
    numbers). Writes a table measure | swiftnet | Mininet | ratio Mininet / swiftnet."""
    L.append("| measure | swiftnet | Mininet | ratio Mininet / swiftnet |")
    L.append("|---|---:|---:|---:|")
    for label, a, b, texts in rows:
        if texts is not None:
            L.append("| %s | %s | %s | |" % (label, texts[0], texts[1]))
        else:
            L.append("| %s | %s | %s | %s |" % (label, f3(a), f3(b), ratio(b, a)))
    L.append("")


def para(L, text):
    L.extend([text, ""])


def drain_line(L, sn, mn):
    """How long the kernel stayed busy after each tool's run (see the section below)."""
    a = sn["drain"].text() if sn is not None and "drain" in sn else "—"
    b = mn["drain"].text() if mn is not None and "drain" in mn else "—"
    para(L, "Kernel work left after exit (as in *Kernel work left after exit* below): after swiftnet "
             "%s; after Mininet %s. swiftnet's teardown leaves the destruction of namespaces and "
             "devices to the kernel, Mininet's deletes links one by one." % (a, b))


def pingall_section(L, ctx, extra):
    sn, mn = extra.get("pingall_sn"), extra.get("pingall_mn")
    if sn is None and mn is None:
        return
    n = PINGALL_TOPO
    sent = (sn or {}).get("sent") or (mn or {}).get("record", {}).get("ping_sent")
    L.append("## pingall on `%s`%s" % (n, (" (%s pings)" % format(sent, ",")) if sent else ""))
    L.append("")
    L.append("- swiftnet: `swiftnet --topo %s --test pingall --timings`" % n)
    if mn is not None:
        L.append("- Mininet: `mininet_time.py %s --pingall` (`net.pingAll()`, Linux bridges, no controller)" % n)
    else:
        L.append("- Mininet: %s" % extra.get("mn_skip", "skipped"))
    L.append("")
    rec = mn["record"] if mn is not None else {}
    mchild = mn["child"] if mn is not None else None
    sc = sn["child"] if sn is not None else None
    st = (sn or {}).get("timings") or {}
    rows = [
        ("pingall alone (s)", (sn or {}).get("pingall"), rec.get("pingall"), None),
        ("setup (s)", st.get("build"), rec.get("setup"), None),
        ("teardown (s)", st.get("stop"), rec.get("teardown"), None),
        ("whole process, wall (s)", sc.wall if sc else None, mchild.wall if mchild else None, None),
        ("peak RSS (MB)", None, None,
         (mb(sc.maxrss_kb) if sc else "—", mb(mchild.maxrss_kb) if mchild else "—")),
        ("result", None, None,
         (ping_result_text(sn.get("dropped"), sn.get("received"), sn.get("sent")) if sn else "—",
          ping_result_text(rec.get("ping_dropped"), rec.get("ping_received"), rec.get("ping_sent")))),
    ]
    side_by_side(L, rows)
    if sn is not None and "failure" in sn:
        para(L, "swiftnet pingall **failed**: %s." % sn["failure"])
    if mn is not None and "failure" in mn:
        para(L, "Mininet pingall **failed**: %s." % mn["failure"])
    drain_line(L, sn, mn)
    para(L, "*pingall alone*: for swiftnet, from the moment its `*** Ping: testing ping reachability` "
             "line reached this script to the moment its `*** Results:` line did (stdout is a pipe read "
             "as it arrives)%s; for Mininet, `net.pingAll()` timed inside the process. *setup* / "
             "*teardown*: swiftnet's `timings:` line, Mininet's constructor + `build()` + `start()` and "
             "`stop()`. *whole process*: fork to exit, Python start-up and imports included for Mininet. "
             "Both measured after a quiet kernel."
             % ((" (cross-check: wall − build − stop = %s s)" % f3(sn.get("wall_minus")))
                if sn is not None and sn.get("wall_minus") is not None else ""))


def shell_section(L, ctx, extra):
    sn, mn = extra.get("shell_sn"), extra.get("shell_mn")
    if sn is None and mn is None:
        return
    L.append("## Interactive shell on `%s`" % SHELL_TOPO)
    L.append("")
    if sn is not None:
        L.append("- swiftnet: `%s`, prompt `swiftnet> `" % sn["command"])
    if mn is not None:
        L.append("- Mininet: `%s` (the real `mn`, its global cleanup disabled), prompt `mininet> `"
                 % mn["command"])
    else:
        L.append("- Mininet: %s" % extra.get("mn_skip", "skipped"))
    L.append("")
    a = sn["run"] if sn is not None else None
    b = mn["run"] if mn is not None else None
    def get(r, what):
        if r is None or r.exit is None and what != "prompt":
            return None
        return getattr(r, what)

    side_by_side(L, [
        ("start to first prompt (s)", get(a, "prompt"), get(b, "prompt"), None),
        ("`exit` to end of process (s)", get(a, "exit"), get(b, "exit"), None),
        ("start to end (s)", get(a, "wall"), get(b, "wall"), None),
    ])
    for who, row in (("swiftnet", sn), ("Mininet", mn)):
        if row is not None and "failure" in row:
            para(L, "%s shell **failed**: %s." % (who, row["failure"]))
    drain_line(L, sn, mn)
    if sn is not None and sn.get("timings"):
        para(L, "swiftnet's own `timings:` line in that session: build %.3f s, stop %.3f s."
                 % (sn["timings"]["build"], sn["timings"]["stop"]))
    para(L, "Each tool runs on a new pseudo-terminal (its controlling terminal, 120×40, `TERM=%s`); "
             "*start* is the fork, the prompt counts once its text has been read from the terminal; "
             "then `exit` and a newline are typed and the process is waited for (at most %.0f s). "
             "Both measured after a quiet kernel." % (SHELL_ENV_TERM, SHELL_EXIT_TIMEOUT))


def build_report(ctx, sn_rows, mn_rows, mn_skip, sanity, extra=None):
    extra = extra or {}
    L = []
    L.append("# Swiftnet vs Mininet: setup and teardown times")
    L.append("")
    L.append("- Date: %s" % ctx["date"])
    L.append("- Command: `%s`" % ctx["command"])
    L.append("- Kernel: `%s`, CPUs: %s%s" % (ctx["kernel"], ctx["cpus"],
                                             (", " + ctx["cpu_model"]) if ctx["cpu_model"] else ""))
    L.append("- swiftnet: `%s`" % ctx["swiftnet"])
    if mn_skip:
        L.append("- Mininet: %s" % mn_skip)
    else:
        L.append("- Mininet: %s (Python API via `Benchmarks/mininet_time.py`, interpreter `%s`), "
                 "`switch=LinuxBridge, controller=None`" % (ctx["mn_version"], ctx["mn_python"]))
    L.append("- Back-to-back runs per topology: %d" % ctx["repeat"])
    if ctx.get("launch") is not None:
        L.append("- Children started %s; launch overhead (median wall of `sleep 0.1` started the same way, minus 0.1 s): "
                 "%.1f ms, included in the wall columns" % (ctx["launch_how"], ctx["launch"] * 1000))
    L.append("")
    hdr = ["topology", "swiftnet setup (s)", "swiftnet teardown (s)", "swiftnet total, quiet (s)",
           "swiftnet wall, quiet (s)", "swiftnet wall, back-to-back mean (s)", "swiftnet peak RSS (MB)",
           "Mininet setup (s)", "Mininet teardown (s)", "Mininet total (s)", "Mininet peak RSS (MB)",
           "ratio Mininet / swiftnet (quiet total)", "ratio Mininet / swiftnet (back-to-back wall)"]
    L.append("| " + " | ".join(hdr) + " |")
    L.append("|" + "|".join(["---"] + ["---:"] * (len(hdr) - 1)) + "|")
    for row in sn_rows:
        topo = row["topo"]
        cells = ["`%s`" % topo]
        sn = sn_numbers(row)
        if sn is None:
            cells += ["failed: %s" % short(row["failure"])] + [""] * 5
        else:
            setup, teardown, total, qwall, b2b = sn
            b2b_cell = f3(b2b)
            if "b2b_failure" in row:
                b2b_cell = "failed: %s" % short(row["b2b_failure"])
            cells += [f3(setup), f3(teardown), f3(total), f3(qwall), b2b_cell, mb(row["maxrss_kb"])]
        if topo in mn_rows:
            mrow = mn_rows[topo]
            mn = mn_numbers(mrow)
            if mn is None:
                cells += ["failed: %s" % short(mrow["failure"]), "", "", mb(mrow.get("maxrss_kb")), "—", "—"]
            else:
                cells += [f3(mn[0]), f3(mn[1]), f3(mn[2]), mb(mrow["maxrss_kb"]),
                          ratio(mn[2], sn[2] if sn else None),
                          ratio(mn[2], sn[4] if sn else None)]
        else:
            why = "skipped" if mn_skip else "not measured"
            cells += [why, "—", "—", "—", "—", "—"]
        L.append("| " + " | ".join(cells) + " |")
    L.append("")

    if sanity is not None:
        c = sanity["child"]
        if "failure" in sanity:
            L.append("Sanity check, real `%s`: **failed** (%s)." % (sanity["command"], sanity["failure"]))
        else:
            api = mn_numbers(mn_rows.get(SANITY_TOPO))
            api_txt = ("; the API run above measured %.3f s setup + teardown" % api[2]) if api else ""
            done = (", Mininet's own \"completed in\" %.3f s" % sanity["completed_in"]
                    if sanity["completed_in"] is not None else "")
            L.append("Sanity check, real `%s`: process wall time %.3f s%s, peak RSS %s MB%s."
                     % (sanity["command"], c.wall, done, mb(c.maxrss_kb), api_txt))
        L.append("")

    pingall_section(L, ctx, extra)
    shell_section(L, ctx, extra)

    L.append("## What the columns mean")
    L.append("")
    L.append("- **setup / teardown**: swiftnet's own `timings: build=… stop=…` line; for Mininet, "
             "`Mininet(...) + net.build() + net.start()` and `net.stop()`, timed inside the process.")
    L.append("- **quiet**: measured after waiting until the kernel has finished destroying earlier "
             "namespaces (`unshare -n true` under %d ms, %d times in a row, %.1f s apart; at most %.0f s). "
             "Mininet is always measured quiet too." % (QUIET_PROBE_MAX * 1000, QUIET_STREAK,
                                                         QUIET_INTERVAL, QUIET_MAX_WAIT))
    L.append("- **wall**: the whole swiftnet process, fork to exit (includes process start-up and exit).")
    L.append("- **back-to-back**: mean wall time of %d runs started right after the quiet run with no "
             "pause: each pays for the kernel's asynchronous teardown of the run before it, which is "
             "what a script running swiftnet in a loop sees." % ctx["repeat"])
    L.append("- **peak RSS**: `ru_maxrss` from `wait4()` on the measured process: the largest single "
             "process among it and the descendants it reaped (not a sum). For swiftnet, the maximum over "
             "all its runs. The process is started by `setsid --fork` (this script being a child "
             "subreaper), so the figure is not floored at the Python script's own RSS, as it would be "
             "for a child forked from Python.")
    L.append("")

    L.append("## Kernel work left after exit")
    L.append("")
    L.append("Probed with `unshare -n true` right after the last run exited: *busy* is the time until "
             "namespace creation became fast for good (≈ how long the kernel kept destroying that "
             "run's namespaces and devices; 0.1 s resolution); the slowest probe is the longest a new "
             "namespace creation was blocked.")
    L.append("")
    L.append("| topology | after swiftnet | after Mininet |")
    L.append("|---|---|---|")
    for row in sn_rows:
        a = row["drain"].text() if "drain" in row else "—"
        m = mn_rows.get(row["topo"])
        b = m["drain"].text() if m and "drain" in m else "—"
        L.append("| `%s` | %s | %s |" % (row["topo"], a, b))
    L.append("")

    L.append("## Individual swiftnet runs")
    L.append("")
    for row in sn_rows:
        if "quiet_run" not in row:
            continue
        parts = []
        q = row["quiet_run"]
        if q.timings:
            parts.append("quiet: build %.3f, stop %.3f, wall %.3f" % (q.timings["build"], q.timings["stop"],
                                                                    q.child.wall))
        for i, r in enumerate(row.get("b2b_runs", []), 1):
            parts.append("b2b %d: build %.3f, stop %.3f, wall %.3f" % (i, r.timings["build"], r.timings["stop"],
                                                                     r.child.wall))
        L.append("- `%s` (before it: %s): %s" % (row["topo"], row["quiet_wait"].text(),
                                                                        "; ".join(parts) or "—"))
    L.append("")

    failures = [("swiftnet " + r["topo"], r["failure"] if "failure" in r else r.get("b2b_failure"), r.get("log"))
                for r in sn_rows if "failure" in r or "b2b_failure" in r]
    failures += [("Mininet " + t, r["failure"], r.get("log")) for t, r in mn_rows.items() if "failure" in r]
    if sanity is not None and "failure" in sanity:
        failures.append(("mn sanity run", sanity["failure"], sanity.get("log")))
    for key, what in (("pingall_sn", "swiftnet pingall " + PINGALL_TOPO),
                      ("pingall_mn", "Mininet pingall " + PINGALL_TOPO),
                      ("shell_sn", "swiftnet shell " + SHELL_TOPO),
                      ("shell_mn", "Mininet shell " + SHELL_TOPO)):
        row = extra.get(key)
        if row is not None and "failure" in row:
            failures.append((what, row["failure"], row.get("log")))
    if failures:
        L.append("## Failures")
        L.append("")
        for what, why, log_tail in failures:
            L.append("### %s: %s" % (what, why))
            if log_tail:
                L.append("")
                L.append("```")
                L.append(log_tail)
                L.append("```")
            L.append("")
    return "\n".join(L).rstrip() + "\n"


# ---------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def main():
    ap = argparse.ArgumentParser(description="Time swiftnet against Mininet (setup, teardown, peak RSS).")
    ap.add_argument("--swiftnet", default=".build/release/swiftnet", help="swiftnet binary (default %(default)s)")
    ap.add_argument("--out", help="also write the markdown report to this file")
    ap.add_argument("--only", choices=["swiftnet"], help="measure only swiftnet (skip Mininet)")
    ap.add_argument("--quick", action="store_true", help="only linear,100 and single,100 (smoke test)")
    ap.add_argument("--repeat", type=int, default=3, metavar="N", help="back-to-back runs (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=300, metavar="SECONDS",
                    help="timeout of each measured process (default %(default)s)")
    ap.add_argument("--pingall-timeout", type=float, default=PINGALL_TIMEOUT, metavar="SECONDS",
                    help="timeout of each pingall run on %s (default %%(default)s)" % PINGALL_TOPO)
    ap.add_argument("--skip-pingall", action="store_true",
                    help="skip the pingall comparison on %s" % PINGALL_TOPO)
    ap.add_argument("--skip-shell", action="store_true",
                    help="skip the shell start-to-prompt comparison on %s" % SHELL_TOPO)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    ctx = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(shlex.quote(a) for a in [os.path.basename(sys.executable)] + sys.argv),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "swiftnet": args.swiftnet,
        "repeat": args.repeat,
    }
    if os.geteuid() != 0:
        log("warning: not root; swiftnet and Mininet both need root (or CAP_SYS_ADMIN + CAP_NET_ADMIN)")

    compared = QUICK if args.quick else COMPARED
    sn_topos = compared + ([] if args.quick else SWIFTNET_ONLY)

    mn_py, mn_skip = None, None
    if args.only == "swiftnet":
        mn_skip = "skipped (--only swiftnet)"
    else:
        mn_py = find_mininet_python() if shutil.which("mn") else None
        if mn_py is None:
            mn_skip = "SKIPPED Mininet: not installed (apt-get install mininet bridge-utils)"
            log(mn_skip)
        else:
            ctx["mn_python"] = mn_py
            ctx["mn_version"] = mininet_version(mn_py)

    binary = args.swiftnet
    if os.sep in binary:
        binary = os.path.abspath(binary)
    elif shutil.which(binary):
        binary = shutil.which(binary)

    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        log("swiftnet binary not found or not executable: %s (build it with `make release`)" % binary)

    walls = sorted(c.wall - 0.1 for c in (run_child(["sleep", "0.1"], 30) for _ in range(5)) if c.ok)
    ctx["launch"] = walls[len(walls) // 2] if walls else None
    ctx["launch_how"] = ("through `setsid --fork`, reaped as a re-parented grandchild"
                         if _enable_subreaper() else "forked directly (peak RSS floored at this script's own)")

    sn_rows, mn_rows, sanity = [], {}, None
    for topo in sn_topos:
        log("== swiftnet %s (quiet + %d back-to-back)" % (topo, args.repeat))
        row = measure_swiftnet(binary, topo, args.repeat, args.timeout)
        sn_rows.append(row)
        sn = sn_numbers(row)
        if sn is None:
            log("   failed: %s" % row["failure"])
        else:
            log("   setup %.3f s, teardown %.3f s, wall %.3f s, back-to-back mean %s s, peak RSS %s MB"
                % (sn[0], sn[1], sn[3], f3(sn[4]), mb(row["maxrss_kb"])))
            if "b2b_failure" in row:
                log("   back-to-back failed: %s" % row["b2b_failure"])
        if mn_py is not None and topo in compared:
            log("== Mininet %s" % topo)
            mrow = measure_mininet(mn_py, topo, args.timeout)
            mn_rows[topo] = mrow
            mn = mn_numbers(mrow)
            if mn is None:
                log("   failed: %s" % mrow["failure"])
                if mrow.get("log"):
                    log("   " + mrow["log"].replace("\n", "\n   "))
            else:
                log("   setup %.3f s, teardown %.3f s, peak RSS %s MB" % (mn[0], mn[1], mb(mrow["maxrss_kb"])))

    if mn_py is not None and SANITY_TOPO in compared:
        log("== real mn, %s (sanity check)" % SANITY_TOPO)
        sanity = mn_sanity(mn_py, SANITY_TOPO, args.timeout)
        if "failure" in sanity:
            log("   failed: %s" % sanity["failure"])
        else:
            log("   wall %.3f s" % sanity["child"].wall)

    extra = {"mn_skip": mn_skip}
    if not args.skip_pingall:
        log("== swiftnet pingall %s" % PINGALL_TOPO)
        row = extra["pingall_sn"] = pingall_swiftnet(binary, PINGALL_TOPO, args.pingall_timeout)
        log("   pingall %s s (wall − build − stop %s s), process wall %s s, %s%s"
            % (f3(row.get("pingall")), f3(row.get("wall_minus")), f3(row["child"].wall),
               ping_result_text(row.get("dropped"), row.get("received"), row.get("sent")),
               ("; FAILED: " + row["failure"]) if "failure" in row else ""))
        if mn_py is not None:
            log("== Mininet pingall %s (one ping at a time; may take minutes)" % PINGALL_TOPO)
            row = extra["pingall_mn"] = pingall_mininet(mn_py, PINGALL_TOPO, args.pingall_timeout)
            rec = row["record"]
            log("   pingall %s s, setup %s s, teardown %s s, process wall %s s, %s%s"
                % (f3(rec.get("pingall")), f3(rec.get("setup")), f3(rec.get("teardown")),
                   f3(row["child"].wall),
                   ping_result_text(rec.get("ping_dropped"), rec.get("ping_received"), rec.get("ping_sent")),
                   ("; FAILED: " + row["failure"]) if "failure" in row else ""))
    if not args.skip_shell:
        for key, who, fn, arg in (("shell_sn", "swiftnet", shell_swiftnet, binary),
                                  ("shell_mn", "Mininet (mn)", shell_mininet, mn_py)):
            if arg is None:
                continue
            log("== %s shell %s, under a pseudo-terminal" % (who, SHELL_TOPO))
            row = extra[key] = fn(arg, SHELL_TOPO, args.timeout)
            r = row["run"]
            log("   first prompt %s s, exit %s s, start to end %s s%s"
                % (f3(r.prompt), f3(r.exit), f3(r.wall),
                   ("; FAILED: " + row["failure"]) if "failure" in row else ""))
            if "failure" in row and row.get("log"):
                log("   " + row["log"].replace("\n", "\n   "))

    report = build_report(ctx, sn_rows, mn_rows, mn_skip, sanity, extra)
    log("")
    sys.stdout.write(report)
    sys.stdout.flush()
    if args.out:
        d = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(d, exist_ok=True)
        with open(args.out, "w") as f:
            f.write(report)
        log("\nreport written to %s" % args.out)

    swiftnet_failed = any("failure" in r or "b2b_failure" in r for r in sn_rows)
    swiftnet_failed = swiftnet_failed or any("failure" in extra[k] for k in ("pingall_sn", "shell_sn")
                                             if k in extra)
    return 1 if swiftnet_failed else 0


if __name__ == "__main__":
    import machine_state
    with machine_state.kept_sysctls():
        status = main()
    sys.exit(status)
