"""Puts back the kernel settings Mininet changes for the whole machine.

Every Mininet network calls `mininet.util.fixLimits()`, which raises machine-wide sysctls
(the neighbour table's gc_thresh1-3, netdev_max_backlog, socket buffer limits,
kernel.pty.max) and never lowers them again. A benchmark that runs Mininet would leave
the machine changed, and every later measurement (ours included) would run with Mininet's
limits. `kept_sysctls()` reads them first and writes back what it read when the block
ends, on error and on SIGTERM too; `restore()` does it at once (after each Mininet run).
"""
import contextlib
import os
import signal
import sys

# What fixLimits() may write (mininet/util.py, Mininet 2.3).
KEYS = [
    "fs/file-max",
    "net/core/wmem_max",
    "net/core/rmem_max",
    "net/ipv4/tcp_rmem",
    "net/ipv4/tcp_wmem",
    "net/core/netdev_max_backlog",
    "net/ipv4/neigh/default/gc_thresh1",
    "net/ipv4/neigh/default/gc_thresh2",
    "net/ipv4/neigh/default/gc_thresh3",
    "net/ipv4/route/max_size",
    "kernel/pty/max",
]

_saved = {}


def _read(key):
    try:
        with open("/proc/sys/" + key) as f:
            return f.read().strip()
    except OSError:
        return None


def save():
    """Remembers the current values (once: the first reading is the machine's own)."""
    for k in KEYS:
        if k not in _saved:
            _saved[k] = _read(k)


def restore():
    """Writes back every remembered value that differs now."""
    for k, v in _saved.items():
        if v is None or _read(k) == v:
            continue
        try:
            with open("/proc/sys/" + k, "w") as f:
                f.write(v)
        except OSError as e:
            print("machine_state: cannot restore %s to %s: %s" % (k, v, e), file=sys.stderr)


@contextlib.contextmanager
def kept_sysctls():
    """Runs the block, then puts the sysctls back as they were before it."""
    save()
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        restore()
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        restore()
        signal.signal(signal.SIGTERM, previous)


def _cpu_times():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]  # total, idle + iowait


def settle(idle=0.9, longest=15.0):
    """Waits (at most `longest` seconds) until the machine is idle for 200 ms and a new
    network namespace can be made at once.

    The kernel frees a run's namespaces after the run's processes are gone, holding the
    lock every link change needs (rtnl) for a second or more on a large network while it
    waits for RCU grace periods, idle. The next run would otherwise pay for that work:
    a namespace of one's own (`unshare -n true`) waits for that lock too."""
    import subprocess
    import time
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        total0, idle0 = _cpu_times()
        time.sleep(0.2)
        total1, idle1 = _cpu_times()
        if total1 > total0 and (idle1 - idle0) / (total1 - total0) < idle:
            continue
        t = time.monotonic()
        subprocess.run(["unshare", "-n", "true"], check=False)
        if time.monotonic() - t < 0.05:
            return
