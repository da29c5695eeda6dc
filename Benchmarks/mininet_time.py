#!/usr/bin/env python3
"""Time one Mininet network through Mininet's Python API.

Usage (as root, with an interpreter that can `import mininet`):

    python3 Benchmarks/mininet_time.py linear,100
    python3 Benchmarks/mininet_time.py tree,depth=3,fanout=4
    python3 Benchmarks/mininet_time.py single,100 --pingall

Builds the topology with Linux bridges as switches and no controller (what
`mn --switch lxbr --controller none` does), then prints ONE JSON line on stdout:

    {"topo": "linear,100", "setup": 12.3, "teardown": 4.5, ...}

setup    = Mininet(...) + net.build() + net.start()   (seconds)
teardown = net.stop()                                  (seconds)

With --pingall, `net.pingAll()` runs between setup and teardown (Mininet pings every
ordered pair of hosts, one `ping -c1` at a time) and the record also has:

pingall          = net.pingAll() alone                 (seconds)
ping_dropped     = the drop percentage pingAll() returned
ping_sent / ping_received = pings counted from it (every ordered pair of hosts)

Mininet's own log goes to stderr. On failure the JSON line carries "error" and the
exit status is 1. This script never runs Mininet's global cleanup (`mn -c`), which
kills processes by name: it only stops the network it made.
"""

import json
import os
import sys
import time
import traceback


def parse_topo(spec):
    """'tree,depth=3,fanout=4' -> ('tree', [], {'depth': 3, 'fanout': 4})."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise ValueError("empty topology")
    name, args, kwargs = parts[0].lower(), [], {}

    def value(text):
        for conv in (int, float):
            try:
                return conv(text)
            except ValueError:
                pass
        return text

    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            kwargs[k.strip()] = value(v.strip())
        else:
            args.append(value(p))
    return name, args, kwargs


def make_topo(spec):
    from mininet.topo import LinearTopo, SingleSwitchTopo, MinimalTopo
    from mininet.topolib import TreeTopo

    name, args, kwargs = parse_topo(spec)
    if name == "linear":
        # linear,K  or linear,K,N (N hosts per switch), like mn
        if args:
            kwargs.setdefault("k", args[0])
        if len(args) > 1:
            kwargs.setdefault("n", args[1])
        return LinearTopo(**kwargs)
    if name == "single":
        if args:
            kwargs.setdefault("k", args[0])
        return SingleSwitchTopo(**kwargs)
    if name == "tree":
        if args:
            kwargs.setdefault("depth", args[0])
        if len(args) > 1:
            kwargs.setdefault("fanout", args[1])
        return TreeTopo(**kwargs)
    if name == "minimal":
        return MinimalTopo()
    raise ValueError("unknown topology %r (linear, single, tree, minimal)" % name)


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def main():
    argv = sys.argv[1:]
    pingall = "--pingall" in argv
    argv = [a for a in argv if a != "--pingall"]
    if len(argv) != 1 or argv[0] in ("-h", "--help") or argv[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    spec = argv[0]
    record = {"topo": spec}
    if pingall:
        record["mode"] = "pingall"
    if os.geteuid() != 0:
        record["error"] = "must run as root"
        emit(record)
        return 1

    try:
        from mininet.net import Mininet, VERSION
        from mininet.nodelib import LinuxBridge
        from mininet.log import setLogLevel
    except ImportError as e:
        record["error"] = "cannot import mininet: %s" % e
        emit(record)
        return 1

    record["mininet_version"] = VERSION
    # Same verbosity as `mn` by default; the output goes to stderr.
    setLogLevel(os.environ.get("MININET_LOGLEVEL", "info"))

    net = None
    phase = "topology"
    try:
        topo = make_topo(spec)
        record["hosts"] = len(topo.hosts())
        record["switches"] = len(topo.switches())
        record["links"] = len(topo.links())

        phase = "setup"
        t0 = time.monotonic()
        net = Mininet(topo=topo, switch=LinuxBridge, controller=None, build=False)
        t1 = time.monotonic()
        net.build()
        t2 = time.monotonic()
        net.start()
        t3 = time.monotonic()
        record["init"] = t1 - t0
        record["build"] = t2 - t1
        record["start"] = t3 - t2
        record["setup"] = t3 - t0

        if pingall:
            phase = "pingall"
            t6 = time.monotonic()
            ploss = net.pingAll()
            t7 = time.monotonic()
            record["pingall"] = t7 - t6
            pinging = [h for h in net.hosts if h.intfs]
            sent = len(pinging) * (len(pinging) - 1)
            record["ping_dropped"] = ploss
            record["ping_sent"] = sent
            record["ping_received"] = sent - int(round(ploss * sent / 100.0))

        phase = "teardown"
        t4 = time.monotonic()
        net.stop()
        t5 = time.monotonic()
        net = None
        record["teardown"] = t5 - t4
    except BaseException as e:  # noqa: BLE001 - report everything, then clean our own net
        traceback.print_exc(file=sys.stderr)
        record["error"] = "%s failed: %s: %s" % (phase, type(e).__name__, e)
        if net is not None:
            try:
                net.stop()  # only this network's nodes and links
            except BaseException as e2:  # noqa: BLE001
                record["error"] += "; stop after failure also failed: %s" % e2
        emit(record)
        return 1

    emit(record)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machine_state
    with machine_state.kept_sysctls():
        status = main()
    sys.exit(status)
