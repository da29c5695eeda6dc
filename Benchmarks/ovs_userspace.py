#!/usr/bin/env python3
"""Open vSwitch in userspace (datapath_type=netdev), private to this process, and a
small benchmark across it.

    python3 Benchmarks/ovs_userspace.py bench --seconds 5 --out FILE.md

This kernel has no openvswitch module, so Open vSwitch runs only with its userspace
datapath. The benchmark measures, from namespace h1 to namespace h2 across one netdev
bridge in standalone fail mode (no controller, so the bridge acts as a NORMAL
MAC-learning switch):

  * iperf3 TCP h1 -> h2 with the veths' default offloads. With tx checksum/TSO offload
    on, the packets OVS reads from its AF_PACKET sockets are unfinished (partial
    checksums, 64 KB GSO frames) and TCP stalls or never connects; the run has a
    timeout and the table then says "stalled" or "no connection".
  * iperf3 TCP again after `ethtool -K eth0 tx off` on both hosts' veths (what Mininet
    users with OVS netdev need).
  * UDP packets per second: iperf3 -u -l 64 -b 0 (64-byte payloads, no rate limit);
    the figure is the datagrams iperf3's server received divided by the test time.
    The packets h1's veth sent (offered load) are reported beside it.
  * ping RTT: the median of 20 pings (after a warm-up ping that fills the MAC table).

Everything is private and removed at exit:
  * PrivateOVS: ovsdb-server and ovs-vswitchd started in a temporary directory
    (OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR/OVS_SYSCONFDIR point there and every socket,
    pidfile and log is given explicitly), stopped by PID, the directory removed.
    /var/run/openvswitch and /etc/openvswitch are never touched.
  * TwoHostNet: namespaces ovb<pid>-h1, ovb<pid>-h2 and a third ovb<pid>-sw in which
    ovs-vswitchd runs, so the switch ends of the veths and the bridge's own tap device
    live there and nothing is added to the root namespace.

Importable: run_ovs_bench(seconds) returns a dict; PrivateOVS and TwoHostNet are
context managers. Standard library only; must run as root.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
IPERF_PORT = 5201

# Commands whose processes this module starts; a new one left running after a run is a
# leftover.
OWN_COMMANDS = {"ovsdb-server", "ovs-vswitchd", "ovs-testcontroller", "iperf3", "ping", "tcpdump"}


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run(cmd, check=True, timeout=30, env=None, input=None):
    """Runs `cmd` (a list), returns its CompletedProcess with text stdout/stderr."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, env=env, input=input)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p


def in_netns(netns, cmd):
    """`cmd` run inside the named namespace (or as is when netns is None)."""
    return (["ip", "netns", "exec", netns] if netns else []) + list(cmd)


def add_quiet_netns(name, owned):
    """Makes namespace `name` with lo up and IPv6 off (no router solicitations or MLD
    reports among the packets measured and captured), appending it to `owned` as soon as
    it exists. True when `ip netns add` also made /run/netns (and its shared mount),
    which the caller undoes when its last namespace goes."""
    made = not os.path.exists("/run/netns")
    run(["ip", "netns", "add", name])
    owned.append(name)
    run(["ip", "-n", name, "link", "set", "lo", "up"])
    run(["ip", "netns", "exec", name, "sysctl", "-qw",
         "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
    return made


def stop_process(proc, grace=5.0):
    """Ends a Popen we started: SIGTERM, then SIGKILL after `grace` seconds; reaps it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


# ---------------------------------------------------------------------------
# A private Open vSwitch: its own ovsdb-server and ovs-vswitchd in a temp dir.
# ---------------------------------------------------------------------------

class PrivateOVS:
    """ovsdb-server + ovs-vswitchd of our own, everything under one temporary directory.

        with PrivateOVS() as ovs:
            ovs.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")

    `netns`: a network namespace (by name) to run ovs-vswitchd in; its netdev ports are
    then that namespace's interfaces. ovsdb-server is reached over a Unix socket, which
    works from any namespace.
    """

    def __init__(self, netns=None):
        self.netns = netns
        self.dir = None
        self.ovsdb = None
        self.vswitchd = None

    # Paths inside the private directory.
    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def db_sock(self):
        return self.path("db.sock")

    @property
    def vswitchd_ctl(self):
        return self.path("ovs-vswitchd.ctl")

    @property
    def ovsdb_ctl(self):
        return self.path("ovsdb-server.ctl")

    @property
    def env(self):
        e = dict(os.environ)
        for var in ("OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"):
            e[var] = self.dir
        e["OVS_DB"] = "unix:" + self.db_sock
        return e

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _spawn(self, name, cmd):
        out = open(self.path(name + ".out"), "wb")
        try:
            # A session of its own: a Ctrl-C in the terminal reaches only us, and stop()
            # still shuts the daemons down in order.
            return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    env=self.env, start_new_session=True)
        finally:
            out.close()

    def _wait_for(self, what, ready, proc, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %d: %s" % (what, proc.returncode, self._tail(what)))
            if ready():
                return
            time.sleep(0.02)
        raise RuntimeError("%s not ready after %.0f s: %s" % (what, timeout, self._tail(what)))

    def _tail(self, name):
        text = ""
        for suffix in (".out", ".log"):
            try:
                with open(self.path(name + suffix), errors="replace") as f:
                    text += f.read()[-800:]
            except OSError:
                pass
        return text.strip()

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="swiftnet-ovs-%d-" % os.getpid())
        db = self.path("conf.db")
        run(["ovsdb-tool", "create", db, SCHEMA])
        self.ovsdb = self._spawn("ovsdb-server", [
            "ovsdb-server", db,
            "--remote=punix:" + self.db_sock,
            "--pidfile=" + self.path("ovsdb-server.pid"),
            "--unixctl=" + self.ovsdb_ctl,
            "--log-file=" + self.path("ovsdb-server.log"),
            "-vconsole:off", "-vsyslog:off", "--no-chdir",
        ])
        self._wait_for("ovsdb-server", lambda: os.path.exists(self.db_sock), self.ovsdb)
        self.vsctl("--no-wait", "init")
        self.vswitchd = self._spawn("ovs-vswitchd", in_netns(self.netns, [
            "ovs-vswitchd", "unix:" + self.db_sock,
            "--pidfile=" + self.path("ovs-vswitchd.pid"),
            "--unixctl=" + self.vswitchd_ctl,
            "--log-file=" + self.path("ovs-vswitchd.log"),
            "-vconsole:off", "-vsyslog:off", "--no-chdir",
        ]))
        self._wait_for("ovs-vswitchd", lambda: os.path.exists(self.vswitchd_ctl), self.vswitchd)
        # Returns once ovs-vswitchd has read the database.
        self.vsctl("--timeout=10", "show")

    def vsctl(self, *args, timeout=20):
        return run(["ovs-vsctl", "--db=unix:" + self.db_sock, *args], env=self.env, timeout=timeout).stdout

    def appctl(self, target, *args, check=True, timeout=10):
        return run(["ovs-appctl", "-t", target, *args], env=self.env, check=check, timeout=timeout).stdout

    def ofctl(self, *args, timeout=10):
        """ovs-ofctl; a bridge name finds its <bridge>.mgmt socket in the private rundir."""
        return run(["ovs-ofctl", *args], env=self.env, timeout=timeout).stdout

    def version(self):
        return run(["ovs-vswitchd", "--version"]).stdout.splitlines()[0].strip()

    def _stop_daemon(self, proc, ctl, exit_args, pidfile):
        if proc is not None and proc.poll() is None:
            try:
                self.appctl(ctl, "exit", *exit_args, check=False, timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop_process(proc)
        # The pidfile names the daemon itself; it is our child, so the PIDs agree. Should
        # they not, the daemon named there (if it still runs from our directory) is ended.
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return
        if (proc is None or pid != proc.pid) and pid_alive(pid):
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    mine = self.dir.encode() in f.read()
            except OSError:
                mine = False
            if mine:
                os.kill(pid, signal.SIGKILL)

    def stop(self):
        """Stops ovs-vswitchd (deleting its datapaths), then ovsdb-server; removes the dir."""
        if self.dir is None:
            return
        try:
            self._stop_daemon(self.vswitchd, self.vswitchd_ctl, ["--cleanup"], self.path("ovs-vswitchd.pid"))
        finally:
            try:
                self._stop_daemon(self.ovsdb, self.ovsdb_ctl, [], self.path("ovsdb-server.pid"))
            finally:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
                self.vswitchd = self.ovsdb = None


# ---------------------------------------------------------------------------
# Two hosts on one netdev bridge.
# ---------------------------------------------------------------------------

class TwoHostNet:
    """h1 (10.0.0.1/24, 00:00:00:00:00:01) and h2 (10.0.0.2/24, 00:00:00:00:00:02), each
    in its own namespace, linked by veth pairs to a netdev bridge of a PrivateOVS.

        with TwoHostNet() as net:
            net.host_cmd(1, ["ping", "-c1", "10.0.0.2"])

    switch_netns=True (default): ovs-vswitchd runs in a third namespace holding the
    switch ends of the veths. False: the switch ends are in the root namespace (named
    ovb<pid>-s1/-s2) and are deleted at exit.
    fail_mode: "standalone" (NORMAL switching without a controller) or "secure".
    protocols: e.g. "OpenFlow10"; controller: e.g. "tcp:127.0.0.1:16653".
    The bridge's datapath id is `dpid`; the veths are OpenFlow ports 1 and 2.
    """

    def __init__(self, switch_netns=True, fail_mode="standalone", protocols=None, dpid=1):
        self.prefix = "ovb%d" % os.getpid()
        self.switch_netns = switch_netns
        self.fail_mode = fail_mode
        self.protocols = protocols
        self.dpid = dpid
        self.hosts = [self.prefix + "-h1", self.prefix + "-h2"]
        self.sw = self.prefix + "-sw" if switch_netns else None
        self.bridge = self.prefix
        self.ports = [self.prefix + "-s1", self.prefix + "-s2"]
        self.ovs = None
        self._namespaces = []
        self._root_links = []

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _add_netns(self, name):
        if add_quiet_netns(name, self._namespaces):
            self._made_run_netns = True

    def start(self):
        if self.sw:
            self._add_netns(self.sw)
        for h in self.hosts:
            self._add_netns(h)
        self.ovs = PrivateOVS(netns=self.sw)
        self.ovs.start()
        settings = ["datapath_type=netdev", "fail_mode=" + self.fail_mode,
                    "other-config:datapath-id=%016x" % self.dpid]
        if self.protocols:
            settings.append("protocols=" + self.protocols)
        self.ovs.vsctl("add-br", self.bridge, "--", "set", "bridge", self.bridge, *settings)
        for i, (host, port) in enumerate(zip(self.hosts, self.ports), start=1):
            if self.sw:
                # Made inside the host's namespace, the peer born in the switch's: no name
                # ever exists in the root namespace.
                run(["ip", "-n", host, "link", "add", "eth0", "type", "veth",
                     "peer", "name", port, "netns", self.sw])
            else:
                run(["ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host])
                self._root_links.append(port)
            run(["ip", "-n", host, "link", "set", "eth0", "address", "00:00:00:00:00:%02x" % i])
            run(["ip", "-n", host, "addr", "add", "10.0.0.%d/24" % i, "dev", "eth0"])
            run(["ip", "-n", host, "link", "set", "eth0", "up"])
            run((["ip", "-n", self.sw] if self.sw else ["ip"]) + ["link", "set", port, "up"])
            self.ovs.vsctl("add-port", self.bridge, port, "--", "set", "interface", port,
                           "ofport_request=%d" % i)

    def set_controller(self, target):
        self.ovs.vsctl("set-controller", self.bridge, target)

    def controller_connected(self):
        out = self.ovs.vsctl("--columns=is_connected", "--bare", "list", "controller")
        return out.strip() == "true"

    def host_cmd(self, i, cmd, **kw):
        """Runs `cmd` in host i (1 or 2); see run()."""
        return run(in_netns(self.hosts[i - 1], cmd), **kw)

    def host_argv(self, i, cmd):
        return in_netns(self.hosts[i - 1], cmd)

    def switch_argv(self, cmd):
        return in_netns(self.sw, cmd)

    def set_tx_offload(self, on):
        for h in self.hosts:
            run(["ip", "netns", "exec", h, "ethtool", "-K", "eth0", "tx", "on" if on else "off"])

    def stop(self):
        try:
            if self.ovs is not None:
                try:
                    if self.ovs.dir is not None and self.ovs.vswitchd is not None \
                            and self.ovs.vswitchd.poll() is None:
                        self.ovs.vsctl("--if-exists", "del-br", self.bridge, timeout=10)
                except Exception as e:
                    log("warning: del-br %s: %s" % (self.bridge, e))
                finally:
                    self.ovs.stop()
                    self.ovs = None
        finally:
            # Deleting a namespace destroys its veth ends, and with them their peers.
            for ns in reversed(self._namespaces):
                run(["ip", "netns", "delete", ns], check=False)
            self._namespaces = []
            if getattr(self, "_made_run_netns", False) and not os.listdir("/run/netns"):
                run(["umount", "/run/netns"], check=False)
                try:
                    os.rmdir("/run/netns")
                except OSError as e:
                    log("warning: /run/netns: %s" % e)
                self._made_run_netns = False
            for link in self._root_links:
                if os.path.exists("/sys/class/net/" + link):
                    run(["ip", "link", "delete", link], check=False)
            self._root_links = []


# ---------------------------------------------------------------------------
# Measurements.
# ---------------------------------------------------------------------------

def _link_stats(net, i):
    out = net.host_cmd(i, ["ip", "-s", "-j", "link", "show", "eth0"]).stdout
    stats = json.loads(out)[0]["stats64"]
    return stats["tx"]["packets"], stats["rx"]["packets"]


def _iperf(net, client_args, seconds):
    """Runs an iperf3 server in h2 (one test) and a client in h1. Returns
    (status, client JSON or None, wall seconds). status: "ok", "no connection",
    "stalled" (the client outlived its time), or "error: ..."."""
    server = subprocess.Popen(net.host_argv(2, ["iperf3", "-s", "-1", "-p", str(IPERF_PORT)]),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = None
    try:
        # Until the server listens.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            ss = net.host_cmd(2, ["ss", "-Htln", "sport = :%d" % IPERF_PORT]).stdout
            if ss.strip():
                break
            time.sleep(0.05)
        argv = net.host_argv(1, ["iperf3", "-c", "10.0.0.2", "-p", str(IPERF_PORT), "-J",
                                 "-t", str(seconds), "--connect-timeout", "3000", *client_args])
        client = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        t0 = time.monotonic()
        try:
            out, _ = client.communicate(timeout=seconds + 8)
        except subprocess.TimeoutExpired:
            stop_process(client, grace=2)
            client.communicate()
            return "stalled", None, time.monotonic() - t0
        wall = time.monotonic() - t0
        try:
            result = json.loads(out)
        except ValueError:
            return "error: iperf3 printed no JSON", None, wall
        err = result.get("error")
        if err:
            if "connect" in err or "unable to" in err.lower():
                return "no connection", result, wall
            return "error: " + err, result, wall
        return "ok", result, wall
    finally:
        stop_process(client, grace=2)
        stop_process(server, grace=2)


def _csum_errors(net, i):
    """TCP InCsumErrors of host i (/proc/net/snmp is per namespace)."""
    lines = [l.split() for l in net.host_cmd(i, ["cat", "/proc/net/snmp"]).stdout.splitlines()
             if l.startswith("Tcp:")]
    return int(lines[1][lines[0].index("InCsumErrors")])


def measure_tcp(net, seconds):
    csum0 = _csum_errors(net, 2)
    status, res, wall = _iperf(net, [], seconds)
    out = {"status": status, "gbps": 0.0, "retransmits": None,
           "h2_tcp_csum_errors": _csum_errors(net, 2) - csum0,
           "error": (res or {}).get("error")}
    if res and status == "ok":
        end = res["end"]
        out["gbps"] = end["sum_received"]["bits_per_second"] / 1e9
        out["retransmits"] = end["sum_sent"].get("retransmits")
        # A transfer that connected but moved (almost) nothing stalled too.
        if end["sum_received"]["bytes"] < 1_000_000:
            out["status"] = "stalled"
    return out


def measure_udp_pps(net, seconds):
    tx0, _ = _link_stats(net, 1)
    _, rx0 = _link_stats(net, 2)
    status, res, wall = _iperf(net, ["-u", "-l", "64", "-b", "0"], seconds)
    tx1, _ = _link_stats(net, 1)
    _, rx1 = _link_stats(net, 2)
    out = {"status": status, "pps": 0.0, "offered_pps": 0.0, "lost_percent": None, "h2_rx_pps": 0.0}
    if res and status == "ok":
        s = res["end"]["sum"]
        secs = s["seconds"] or seconds
        out["pps"] = (s["packets"] - s["lost_packets"]) / secs
        out["lost_percent"] = s["lost_percent"]
        out["offered_pps"] = (tx1 - tx0) / secs
        out["h2_rx_pps"] = (rx1 - rx0) / secs
    return out


def measure_ping(net, count=20):
    net.host_cmd(1, ["ping", "-c", "1", "-W", "2", "10.0.0.2"], check=False)  # warm-up
    p = net.host_cmd(1, ["ping", "-n", "-c", str(count), "-i", "0.2", "-W", "2", "10.0.0.2"],
                     check=False, timeout=count * 0.2 + 10)
    rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", p.stdout)]
    return {"median_ms": statistics.median(rtts) if rtts else None, "received": len(rtts),
            "sent": count, "rtts_ms": rtts}


def run_ovs_bench(seconds=5, switch_netns=True):
    """Builds the two-host netdev network, measures, tears it down. Returns a dict."""
    with TwoHostNet(switch_netns=switch_netns) as net:
        result = {"ovs_version": net.ovs.version(), "seconds": seconds,
                  "datapath": "netdev (userspace)", "fail_mode": net.fail_mode,
                  "switch_netns": switch_netns,
                  "kernel": os.uname().release,
                  "date": datetime.datetime.now().isoformat(timespec="seconds")}
        first = net.host_cmd(1, ["ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2"], check=False)
        if first.returncode != 0:
            raise RuntimeError("h1 cannot ping h2 across the bridge:\n" + first.stdout)
        result["tcp_default"] = measure_tcp(net, seconds)
        net.set_tx_offload(False)
        result["tcp_tx_off"] = measure_tcp(net, seconds)
        result["udp_64"] = measure_udp_pps(net, seconds)
        result["ping"] = measure_ping(net, 20)
        result["datapath_flows"] = len(net.ovs.appctl(net.ovs.vswitchd_ctl, "dpctl/dump-flows").splitlines())
    return result


def _tcp_cell(m):
    if m["status"] == "ok":
        return "%.2f" % m["gbps"]
    return "%s (%.2f)" % (m["status"], m["gbps"])


def _tcp_notes(m):
    notes = ["iperf3"]
    if m["retransmits"] is not None:
        notes.append("retransmits %d" % m["retransmits"])
    if m["error"]:
        notes.append("iperf3: %s" % m["error"])
    notes.append("TCP checksum errors at h2: %d" % m["h2_tcp_csum_errors"])
    return "; ".join(notes)


def markdown(result, command=None):
    udp = result["udp_64"]
    ping = result["ping"]
    lines = [
        "# Open vSwitch userspace datapath: h1 -> h2",
        "",
        "%s, datapath_type=netdev, fail_mode=%s (NORMAL, no controller), kernel %s, %s."
        % (result["ovs_version"], result["fail_mode"], result["kernel"], result["date"]),
        "ovs-vswitchd in its own namespace: %s. Each iperf3 run lasts %s s."
        % ("yes" if result["switch_netns"] else "no (root)", result["seconds"]),
    ]
    if command:
        lines += ["", "Command: `%s`" % command]
    lines += [
        "",
        "| measure | value | notes |",
        "|---|---|---|",
        "| TCP Gbit/s, default offloads | %s | %s |" % (_tcp_cell(result["tcp_default"]),
                                                         _tcp_notes(result["tcp_default"])),
        "| TCP Gbit/s, `ethtool -K eth0 tx off` on h1, h2 | %s | %s |" % (_tcp_cell(result["tcp_tx_off"]),
                                                                           _tcp_notes(result["tcp_tx_off"])),
        "| UDP 64-byte payload, packets/s received | %s | iperf3 -u -l 64 -b 0 (tx off); offered %.0f pps "
        "(h1 eth0 tx), h2 eth0 rx %.0f pps, lost %s%% |"
        % ("%.0f" % udp["pps"] if udp["status"] == "ok" else udp["status"], udp["offered_pps"],
           udp["h2_rx_pps"], "%.1f" % udp["lost_percent"] if udp["lost_percent"] is not None else "?"),
        "| ping RTT ms, median of %d | %s | %d/%d replies; min %s, max %s |"
        % (ping["sent"], "%.3f" % ping["median_ms"] if ping["median_ms"] is not None else "none",
           ping["received"], ping["sent"],
           "%.3f" % min(ping["rtts_ms"]) if ping["rtts_ms"] else "-",
           "%.3f" % max(ping["rtts_ms"]) if ping["rtts_ms"] else "-"),
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Leftover check: links, namespaces, our kinds of processes, before vs after.
# ---------------------------------------------------------------------------

def snapshot():
    links = set(l.split()[0] for l in run(["ip", "-br", "link"]).stdout.splitlines() if l.strip())
    netns = set(l.split()[0] for l in run(["ip", "netns", "list"]).stdout.splitlines() if l.strip())
    procs = set()
    for l in run(["ps", "-e", "-o", "pid=,comm="]).stdout.splitlines():
        pid, _, comm = l.strip().partition(" ")
        if comm.strip() in OWN_COMMANDS:
            procs.add((int(pid), comm.strip()))
    # Our temporary directories: swiftnet-<what>-<pid>-*.
    tmp = set(n for n in os.listdir(tempfile.gettempdir())
              if n.startswith("swiftnet-") and "-%d-" % os.getpid() in n)
    # /run/netns itself (and its mount), which `ip netns add` makes on a machine without it.
    dirs = set(d for d in ["/run/netns"] if os.path.exists(d))
    return {"links": links, "netns": netns, "procs": procs, "tmpdirs": tmp, "dirs": dirs}


def leftovers(before, after):
    """What `after` has that `before` had not, per kind (empty dict: nothing left)."""
    out = {}
    for k in before:
        new = sorted(after[k] - before[k])
        if new:
            out[k] = new
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench", help="measure TCP, UDP pps and ping across OVS userspace")
    b.add_argument("--seconds", type=float, default=5)
    b.add_argument("--out", help="also write the markdown table here")
    b.add_argument("--json", help="also write the raw result dict here")
    b.add_argument("--root-switch", action="store_true",
                   help="switch ends of the veths in the root namespace instead of a private one")
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        ap.error("must run as root")
    seconds = int(a.seconds) if a.seconds == int(a.seconds) else a.seconds
    # SIGTERM unwinds like Ctrl-C, through every cleanup.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    before = snapshot()
    result = run_ovs_bench(seconds, switch_netns=not a.root_switch)
    time.sleep(0.2)
    left = leftovers(before, snapshot())
    result["leftovers"] = left
    md = markdown(result, command="python3 Benchmarks/ovs_userspace.py " + " ".join(argv or sys.argv[1:]))
    md += "\nLeftovers (ip -br link, ip netns list, ps -e, temp dir; before vs after): %s\n" % (
        "none" if not left else json.dumps(left))
    sys.stdout.write(md)
    if a.out:
        with open(a.out, "w") as f:
            f.write(md)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
