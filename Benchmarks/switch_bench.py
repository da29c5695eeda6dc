#!/usr/bin/env python3
"""Switch benchmark: h1 -> h2 across one switch, for every switch Swiftnet can use and for
Open vSwitch's userspace datapath, measured the same way in one run on this machine.

  * iperf3 TCP Gbit/s with the hosts' default offloads (and, for Open vSwitch, with tx
    offloads turned off, since it stalls otherwise);
  * UDP packets per second with 64-byte payloads (iperf3 -u -l 64 -b 0, what the server
    received per second);
  * ping RTT (median of 20);
  * with an OpenFlow controller (os-ken with the tests' L2 learning app): flow setup
    latency, the RTT of the first ping between two hosts (ARP and ICMP both go through the
    controller) against the steady RTT.

Swiftnet is run as `swiftnet --topo single,2 ... --netns-names`, its shell kept open on a
pipe; the measurements run in its published namespaces with the same code as Open
vSwitch's (Benchmarks/ovs_userspace.py). Usage:

  python3 Benchmarks/switch_bench.py --swiftnet .build/release/swiftnet [--seconds 5] [--out FILE]
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ovs_userspace as ovs  # noqa: E402

OSKEN = "/opt/swiftnet-venv/bin/osken-manager"
L2_APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "IntegrationTests",
                      "Controllers", "l2_learning.py")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Controller:
    """os-ken with the L2 app on a port of its own; killed by pid."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([OSKEN, "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port",
                                      str(self.port), L2_APP], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("os-ken did not start listening")

    def stop(self):
        ovs.stop_process(self.proc, grace=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class SwiftnetNet:
    """single,2 built by swiftnet, its hosts reached through /run/netns/<name>-hN."""

    def __init__(self, binary, switch, controller=None, env=None):
        self.name = "swb%d" % os.getpid()
        args = [binary, "--topo", "single,2", "--switch", switch, "--netns-names", "--name", self.name]
        if controller:
            args += ["--controller", "remote,ip=127.0.0.1,port=%d" % controller]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.monotonic() + 30
        self.banner = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("swiftnet ended while building:\n" + self.banner)
            self.banner += line
            if line.startswith("*** Starting") or "connected" in line:
                if os.path.exists("/run/netns/%s-h2" % self.name) and ("connected" in line or not controller):
                    break
        self.hosts = ["%s-h1" % self.name, "%s-h2" % self.name]

    def host_argv(self, i, cmd):
        # The helpers name the host's interface eth0; swiftnet's is hN-eth0.
        cmd = ["h%d-eth0" % i if a == "eth0" else a for a in cmd]
        return ["ip", "netns", "exec", self.hosts[i - 1]] + cmd

    def host_cmd(self, i, cmd, **kw):
        return ovs.run(self.host_argv(i, cmd), **kw)

    def set_tx_offload(self, on):
        for i in (1, 2):
            self.host_cmd(i, ["ethtool", "-K", "eth0", "tx", "on" if on else "off"])

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGINT)
                self.proc.wait(timeout=15)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def first_and_steady(net):
    """Flow setup: the first ping (ARP and ICMP through the controller) vs the steady RTT."""
    first = net.host_cmd(1, ["ping", "-n", "-c", "1", "-W", "3", "10.0.0.2"], check=False)
    m = re.search(r"time=([\d.]+) ms", first.stdout)
    steady = ovs.measure_ping(net, 20)
    return {"first_ms": float(m.group(1)) if m else None, "steady_ms": steady["median_ms"]}


def measure(net, seconds, controller=False):
    r = {}
    if controller:
        r["setup"] = first_and_steady(net)
    else:
        net.host_cmd(1, ["ping", "-c", "2", "-i", "0.2", "-W", "2", "10.0.0.2"], check=False)
    r["tcp"] = ovs.measure_tcp(net, seconds)
    r["udp"] = ovs.measure_udp_pps(net, seconds)
    r["ping"] = ovs.measure_ping(net, 20)
    return r


def cell_tcp(m):
    return "%.2f" % m["gbps"] if m["status"] == "ok" else "%s" % m["status"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swiftnet", required=True)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--out")
    a = ap.parse_args()
    if os.geteuid() != 0:
        ap.error("must run as root")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    before = ovs.snapshot()
    rows = []
    results = {}
    # The user switch with and without its kernel fast path (SWIFTNET_FASTPATH=off: every
    # frame through swiftnet's thread, as before the fast path).
    for label, switch, env in [("Linux bridge (lxbr)", "lxbr", None), ("swiftnet user switch, standalone", "user", None),
                               ("swiftnet user switch, standalone, fast path off", "user", {"SWIFTNET_FASTPATH": "off"})]:
        with SwiftnetNet(a.swiftnet, switch, env=env) as net:
            results[label] = measure(net, a.seconds)
    if os.path.exists(OSKEN):
        label = "swiftnet user switch + os-ken (OpenFlow 1.3)"
        with Controller() as c, SwiftnetNet(a.swiftnet, "user", controller=c.port) as net:
            results[label] = measure(net, a.seconds, controller=True)
    ovs_result = ovs.run_ovs_bench(a.seconds)
    time.sleep(0.3)
    left = ovs.leftovers(before, ovs.snapshot())

    ovs_label = "Open vSwitch %s userspace (netdev), NORMAL" % ovs_result["ovs_version"]
    lines = ["# Switch benchmark: h1 -> h2 across one switch", "",
             "Command: `python3 Benchmarks/switch_bench.py --swiftnet %s --seconds %d` (%s)" %
             (a.swiftnet, a.seconds, time.strftime("%Y-%m-%d %H:%M")), "",
             "| switch | TCP Gbit/s, default offloads | TCP Gbit/s, tx offload off | UDP 64 B pps received | ping RTT ms (median) | first ping ms (flow setup) |",
             "|---|---|---|---|---|---|"]
    for label, r in results.items():
        setup = r.get("setup")
        lines.append("| %s | %s | - | %.0f | %.3f | %s |" % (
            label, cell_tcp(r["tcp"]), r["udp"]["pps"], r["ping"]["median_ms"] or 0,
            "%.2f (steady %.3f)" % (setup["first_ms"], setup["steady_ms"]) if setup and setup["first_ms"] else "-"))
    lines.append("| %s | %s | %s | %.0f | %.3f | - |" % (
        ovs_label, cell_tcp(ovs_result["tcp_default"]), cell_tcp(ovs_result["tcp_tx_off"]),
        ovs_result["udp_64"]["pps"], ovs_result["ping"]["median_ms"] or 0))
    user = results.get("swiftnet user switch, standalone")
    if user and ovs_result["tcp_tx_off"]["gbps"] > 0:
        lines += ["", "Built-in switch TCP (default offloads) / Open vSwitch userspace TCP (tx off): %.1fx" %
                  (user["tcp"]["gbps"] / ovs_result["tcp_tx_off"]["gbps"])]
    if user and ovs_result["udp_64"]["pps"] > 0:
        lines.append("Built-in switch / Open vSwitch userspace, 64-byte UDP pps: %.2fx" %
                     (user["udp"]["pps"] / ovs_result["udp_64"]["pps"]))
    bridge = results.get("Linux bridge (lxbr)")
    if user and bridge and bridge["udp"]["pps"] > 0 and bridge["tcp"]["status"] == "ok" and bridge["ping"]["median_ms"]:
        lines.append("Built-in switch / Linux bridge: 64-byte UDP pps %.2fx, ping RTT %.2fx, TCP %.0f %%" % (
            user["udp"]["pps"] / bridge["udp"]["pps"], (user["ping"]["median_ms"] or 0) / bridge["ping"]["median_ms"],
            100 * user["tcp"]["gbps"] / bridge["tcp"]["gbps"]))
    lines += ["", "Open vSwitch with default offloads: %s (TCP checksum errors at h2: %d)." %
              (ovs_result["tcp_default"]["status"], ovs_result["tcp_default"]["h2_tcp_csum_errors"]),
              "Leftovers (links, namespaces, processes; before vs after): %s" % ("none" if not left else left)]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.out:
        os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
        with open(a.out, "w") as f:
            f.write(text)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
