#!/usr/bin/env python3
"""Interop test: swiftnet's built-in controller drives Open vSwitch's userspace switches.

    flock /tmp/swiftnet-net.lock python3 Tests/Interop/ovs_builtin_controller.py --swiftnet PATH

Exit 0 when every check passed; 1 when a check failed; 2 when the test could not run
(not root, a program missing, the network could not be built); 130/143 on SIGINT/SIGTERM.
Every check prints one line ("ok ..." or "FAIL ..."), and the last line is
"checks: N passed, N failed".

What it builds, all of it in namespaces of its own (prefix sno<pid>-), nothing in the
root namespace:

  * sno<pid>-sw: a private Open vSwitch (Benchmarks/ovs_userspace.py's PrivateOVS:
    its own ovsdb-server and ovs-vswitchd, the latter in this namespace) and
    `swiftnet controller` (started with `ip netns exec`), which listens on this
    namespace's 127.0.0.1 for OpenFlow and for its REST API.
  * Three netdev bridges s1, s2, s3 (datapath ids 1, 2, 3, OpenFlow 1.3 only,
    fail_mode=secure, in-band control off) wired in a triangle (a loop) by veth pairs
    whose ends are all in sno<pid>-sw. OpenFlow port numbers are asked for so that a
    port's number names its peer: port 1 faces the host, port 10*i+j on si faces sj.
  * sno<pid>-h1..h3: one host per bridge, eth0 10.0.0.i/24, MAC 00:00:00:00:00:0i, tx
    checksum offload off (OVS's netdev datapath reads unfinished checksums otherwise).

Then it checks, each with a timeout and by polling: the switches, the links (against
`ovs-ofctl show`), the cluster, pingall without a broadcast storm, the device manager,
the switch statistics asked of OVS, the static flow pusher (a drop flow, its removal), and
rerouting round a link taken down (and back up). In OpenFlow 1.3 a second `swiftnet
controller --role STANDBY` joins each bridge: OVS's database must name one master and one
slave per bridge, pings go on, and after POST /wm/core/role/json makes the second ACTIVE,
the roles swap in OVS, the new master finds the links and the hosts ping. It stops everything it started (by PID),
deletes exactly the namespaces it made, and fails unless the root namespace's
`ip -o link` and `ip netns list` are as they were and none of its processes is alive.

Standard library only; must run as root.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Benchmarks"))
# No __pycache__ left in the work tree by the import.
sys.dont_write_bytecode = True

from ovs_userspace import PrivateOVS, add_quiet_netns, in_netns, pid_alive, run  # noqa: E402

OF_PORT = 6653
REST_PORT = 8080
# The second controller, on standby (OpenFlow 1.3 only: 1.0 has no roles).
STANDBY_OF_PORT = 6654
STANDBY_REST_PORT = 8081
HOSTS = (1, 2, 3)
# The triangle: each pair of bridges is joined once.
PAIRS = ((1, 2), (1, 3), (2, 3))
NICIRA = "Nicira, Inc."
# Packets (rx + tx, every port of every bridge) that pingall may cause, and the idle rate
# (LLDP/BDDP probes only) per second: a loop that storms exceeds both by orders of
# magnitude.
STORM_PACKETS = 3000
IDLE_PACKETS_PER_SECOND = 150


def dpid_text(n):
    return ":".join("%02x" % ((n >> (56 - 8 * i)) & 0xFF) for i in range(8))


def mac(i):
    return "00:00:00:00:00:%02x" % i


def ip(i):
    return "10.0.0.%d" % i


def host_port(i):
    return 1


def link_port(i, j):
    """The OpenFlow port of bridge si that faces bridge sj."""
    return 10 * i + j


class CheckFailed(Exception):
    pass


class Fatal(Exception):
    """The network could not be built or the controller not started (exit 2)."""


class Timeout(Exception):
    """The whole test outlived --timeout (raised by SIGALRM wherever it is)."""


def poll(fn, timeout, interval=0.25):
    """Calls fn() until it returns (True, detail) or `timeout` seconds pass; returns
    (ok, detail, seconds waited), detail being the last one fn gave (or its exception)."""
    t0 = time.monotonic()
    detail = None
    while True:
        try:
            ok, detail = fn()
        except (RuntimeError, ValueError, KeyError, TypeError, subprocess.TimeoutExpired) as e:
            ok, detail = False, "%s: %s" % (type(e).__name__, e)
        if ok:
            return True, detail, time.monotonic() - t0
        if time.monotonic() - t0 >= timeout:
            return False, detail, time.monotonic() - t0
        time.sleep(interval)


class Interop:
    def __init__(self, swiftnet, protocol="OpenFlow13"):
        self.swiftnet = os.path.abspath(swiftnet)
        self.protocol = protocol
        self.of_version = {"OpenFlow13": "OF_13", "OpenFlow10": "OF_10"}[protocol]
        self.prefix = "sno%d" % os.getpid()
        self.sw = self.prefix + "-sw"
        self.hosts = {i: "%s-h%d" % (self.prefix, i) for i in HOSTS}
        self.bridges = {i: "s%d" % i for i in HOSTS}
        self.dir = None
        self.ovs = None
        self.controller = None
        self.standby = None
        self.controller_pids = set()
        self.controller_stop = None
        self.started_pids = set()
        self.namespaces = []
        self.made_run_netns = False
        self.passed = []
        self.failed = []
        self.t0 = time.monotonic()
        # Port numbers as `ovs-ofctl show` gives them: {bridge index: {name: number}}.
        self.ofports = {}

    # -- reporting ---------------------------------------------------------------------

    def say(self, text):
        print(text, flush=True)

    def ok(self, name, detail):
        self.passed.append(name)
        self.say("ok   %-28s %s  [%.1fs]" % (name, detail, time.monotonic() - self.t0))

    def fail(self, name, detail):
        self.failed.append(name)
        self.say("FAIL %-28s %s  [%.1fs]" % (name, detail, time.monotonic() - self.t0))

    def check(self, name, fn, fatal=False):
        """Runs one check: fn() returns its detail text or raises CheckFailed."""
        try:
            self.ok(name, fn())
            return True
        except (CheckFailed, RuntimeError, ValueError, KeyError, TypeError, subprocess.TimeoutExpired) as e:
            self.fail(name, "%s" % e if isinstance(e, CheckFailed) else "%s: %s" % (type(e).__name__, e))
            if fatal:
                raise CheckFailed("%s failed; the checks after it need it" % name)
            return False

    # -- building ----------------------------------------------------------------------

    def add_netns(self, name):
        if add_quiet_netns(name, self.namespaces):
            self.made_run_netns = True

    def sw_ip(self, *args):
        return run(["ip", "-n", self.sw, *args])

    def build(self):
        self.dir = tempfile.mkdtemp(prefix="swiftnet-ovsinterop-%d-" % os.getpid())
        self.add_netns(self.sw)
        for i in HOSTS:
            self.add_netns(self.hosts[i])
        self.start_controller()
        self.ovs = PrivateOVS(netns=self.sw)
        self.ovs.start()
        for p in (self.ovs.ovsdb, self.ovs.vswitchd):
            self.started_pids.add(p.pid)
        self.say("*** %s; ovs-vswitchd pid %d and the controller pid %d in namespace %s"
                 % (self.ovs.version(), self.ovs.vswitchd.pid, self.controller.pid, self.sw))
        for i in HOSTS:
            br = self.bridges[i]
            self.ovs.vsctl("add-br", br, "--", "set", "bridge", br, "datapath_type=netdev",
                           "protocols=" + self.protocol, "fail_mode=secure",
                           "other-config:datapath-id=%016x" % i, "other-config:disable-in-band=true")
        # Host links: eth0 in the host, its peer born in the switch namespace.
        for i in HOSTS:
            h, port = self.hosts[i], "s%d-h%d" % (i, i)
            run(["ip", "-n", h, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", self.sw])
            run(["ip", "-n", h, "link", "set", "eth0", "address", mac(i)])
            run(["ip", "-n", h, "addr", "add", ip(i) + "/24", "dev", "eth0"])
            run(["ip", "-n", h, "link", "set", "eth0", "up"])
            # OVS netdev reads the frames with AF_PACKET: they must be finished.
            run(["ip", "netns", "exec", h, "ethtool", "-K", "eth0", "tx", "off"])
            self.sw_ip("link", "set", port, "up")
            self.ovs.vsctl("add-port", self.bridges[i], port, "--", "set", "interface", port,
                           "ofport_request=%d" % host_port(i))
        # The triangle.
        for i, j in PAIRS:
            a, b = "s%d-s%d" % (i, j), "s%d-s%d" % (j, i)
            self.sw_ip("link", "add", a, "type", "veth", "peer", "name", b)
            for end, (k, peer) in ((a, (i, j)), (b, (j, i))):
                self.sw_ip("link", "set", end, "up")
                self.ovs.vsctl("add-port", self.bridges[k], end, "--", "set", "interface", end,
                               "ofport_request=%d" % link_port(k, peer))
        # The controller last: the bridges come up with every port, then connect.
        for i in HOSTS:
            self.ovs.vsctl("set-controller", self.bridges[i], "tcp:127.0.0.1:%d" % OF_PORT)

    def start_controller(self, of_port=OF_PORT, rest_port=REST_PORT, role="ACTIVE", name="controller"):
        out = open(os.path.join(self.dir, name + ".out"), "wb")
        try:
            p = subprocess.Popen(
                in_netns(self.sw, [self.swiftnet, "controller", "--port", str(of_port), "--listen", "127.0.0.1",
                                   "--rest-port", str(rest_port), "--role", role]),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            out.close()
        if name == "controller":
            self.controller = p
        else:
            self.standby = p
        self.started_pids.add(p.pid)
        self.controller_pids.add(p.pid)

        def listening():
            if p.poll() is not None:
                raise Fatal("the %s exited with %s: %s" % (name, p.returncode, self.controller_output(name)))
            text = self.controller_output(name)
            return "listening on 127.0.0.1:%d" % of_port in text and "/ui/" in text, text

        ok, text, secs = poll(listening, 20, 0.05)
        if not ok:
            raise Fatal("the %s did not say it listens within 20 s: %r" % (name, text))
        self.say("*** " + text.strip().replace("\n", " / ") + " (after %.1f s)" % secs)
        # `ip netns exec` execs the command: the PID is swiftnet's. Its children, if any,
        # are recorded too, so that the end can check that none outlives it.
        self.controller_pids |= self.children(p.pid)

    def controller_output(self, name="controller"):
        try:
            with open(os.path.join(self.dir, name + ".out"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @staticmethod
    def children(pid):
        out = set()
        try:
            for t in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                    out |= {int(x) for x in f.read().split()}
        except OSError:
            pass
        for c in list(out):
            out |= Interop.children(c)
        return out

    # -- talking to things -------------------------------------------------------------

    def rest(self, method, path, body=None, timeout=5, port=REST_PORT):
        """(HTTP status, decoded JSON) of a REST call, from inside the switch namespace."""
        cmd = ["curl", "-sS", "-m", str(timeout), "-X", method, "-w", "\n%{http_code}",
               "http://127.0.0.1:%d%s" % (port, path)]
        if body is not None:
            cmd += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        p = run(in_netns(self.sw, cmd), check=False, timeout=timeout + 5)
        if p.returncode != 0:
            raise RuntimeError("curl %s %s: exit %d: %s" % (method, path, p.returncode, p.stderr.strip()))
        text, _, code = p.stdout.rpartition("\n")
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            raise RuntimeError("%s %s: HTTP %s, not JSON: %r" % (method, path, code, text[:300]))
        return int(code), data

    def get(self, path, timeout=5, port=REST_PORT):
        code, data = self.rest("GET", path, timeout=timeout, port=port)
        if code != 200:
            raise RuntimeError("GET %s: HTTP %d: %s" % (path, code, json.dumps(data)[:300]))
        return data

    def ofctl(self, *args):
        return self.ovs.ofctl("-O", self.protocol, *args)

    def ping(self, src, dst, count=1, wait=2, interval=0.2):
        """Echo replies h<src> got from h<dst>."""
        p = run(in_netns(self.hosts[src], ["ping", "-n", "-q", "-c", str(count), "-i", str(interval),
                                            "-W", str(wait), ip(dst)]),
                check=False, timeout=count * (interval + wait) + 10)
        m = re.search(r"(\d+) received", p.stdout)
        return int(m.group(1)) if m else 0

    def ping_until(self, src, dst, timeout=10):
        """Pings once a second until a reply comes: (replied, tries)."""
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            tries += 1
            if self.ping(src, dst, 1, 1) == 1:
                return True, tries
            if time.monotonic() >= deadline:
                return False, tries

    def counters(self):
        try:
            return self.get("/wm/core/counter/all/json")
        except RuntimeError:
            return {}

    def bridge_packets(self):
        """rx + tx packets of every port of every bridge (ovs-ofctl dump-ports)."""
        total = 0
        for i in HOSTS:
            out = self.ofctl("dump-ports", self.bridges[i])
            total += sum(int(n) for n in re.findall(r"[rt]x pkts=(\d+)", out))
        return total

    def links(self):
        data = self.get("/wm/topology/links/json")
        return data

    def expected_links(self, pairs):
        return {frozenset({(i, self.ofports[i]["s%d-s%d" % (i, j)]), (j, self.ofports[j]["s%d-s%d" % (j, i)])})
                for i, j in pairs}

    @staticmethod
    def link_set(data):
        out = set()
        for l in data:
            out.add(frozenset({(int(l["src-switch"].replace(":", ""), 16), int(l["src-port"])),
                               (int(l["dst-switch"].replace(":", ""), 16), int(l["dst-port"]))}))
        return out

    @staticmethod
    def link_text(s):
        return ", ".join(sorted("s%d:%d-s%d:%d" % tuple(x for end in sorted(l) for x in end) for l in s))

    # -- the checks --------------------------------------------------------------------

    def run_checks(self):
        self.check("ovs port numbers", self.check_ofports, fatal=True)
        self.check("switches connected", self.check_switches, fatal=True)
        self.check("links", self.check_links, fatal=True)
        self.check("directed links", self.check_directed_links)
        self.check("one cluster", self.check_clusters)
        self.check("pingall", self.check_pingall)
        self.check("no broadcast storm", self.check_storm)
        self.check("controller responsive", self.check_responsive)
        self.check("devices", self.check_devices)
        self.check("flow stats from OVS", self.check_flow_stats)
        self.check("port stats from OVS", self.check_port_stats)
        self.check("desc stats from OVS", self.check_desc_stats)
        self.check("port-desc and features", self.check_port_desc)
        # The entry's checks need it pushed; the reroute's do not.
        if self.check("static flow pushed", self.check_static_push):
            self.check("static flow blocks h1->h2", self.check_blocked)
            self.check("static flow listed", self.check_static_list)
            self.check("static flow outlives a change", self.check_static_survives)
        self.check("static flow deleted", self.check_static_delete)
        self.check("reroute: link s1-s2 down", self.check_link_down)
        self.check("reroute: h1 pings h2 via s3", self.check_reroute_ping)
        self.check("reroute: link s1-s2 back", self.check_link_up)
        self.check("no OpenFlow errors", self.check_no_errors)
        if self.protocol == "OpenFlow13":
            if self.check("roles: a standby joins", self.check_standby_joins):
                self.check("roles: pings with a standby", self.check_pings_with_standby)
                self.check("roles: the standby takes over", self.check_takeover)

    # -- roles (OpenFlow 1.3) ----------------------------------------------------------

    def ovs_roles(self):
        """{bridge index: sorted roles OVS's database gives its controllers}."""
        out = {}
        for i in HOSTS:
            uuids = self.ovs.vsctl("get", "bridge", self.bridges[i], "controller").strip("[] \n").split(", ")
            out[i] = sorted(self.ovs.vsctl("get", "controller", u, "role").strip() for u in uuids if u)
        return out

    def roles_are(self, master_port):
        """True when every bridge has one master (the controller on `master_port`) and one slave."""
        for i in HOSTS:
            for u in self.ovs.vsctl("get", "bridge", self.bridges[i], "controller").strip("[] \n").split(", "):
                target = self.ovs.vsctl("get", "controller", u, "target").strip().strip('"')
                role = self.ovs.vsctl("get", "controller", u, "role").strip()
                want = "master" if target.endswith(":%d" % master_port) else "slave"
                if role != want:
                    return False
        return True

    def check_standby_joins(self):
        self.start_controller(STANDBY_OF_PORT, STANDBY_REST_PORT, "STANDBY", "standby")
        for i in HOSTS:
            self.ovs.vsctl("set-controller", self.bridges[i], "tcp:127.0.0.1:%d" % OF_PORT,
                           "tcp:127.0.0.1:%d" % STANDBY_OF_PORT)
        ok, roles, secs = poll(lambda: (self.roles_are(OF_PORT), self.ovs_roles()), 20, 0.5)
        if not ok:
            raise CheckFailed("after %.0f s OVS gives the controllers roles %s; wanted a master (port %d) and a slave "
                              "(port %d) on every bridge" % (secs, roles, OF_PORT, STANDBY_OF_PORT))
        role = self.get("/wm/core/role/json", port=STANDBY_REST_PORT)
        if role.get("role") != "STANDBY":
            raise CheckFailed("the second controller's /wm/core/role/json says %s" % role)
        links = self.get("/wm/topology/links/json", port=STANDBY_REST_PORT)
        held = self.get("/wm/core/counter/all/json", port=STANDBY_REST_PORT).get("openflow-core", {}).get(
            "messages held on standby", 0)
        if links or not held:
            raise CheckFailed("the standby knows links %s and held %s messages: a standby gets no packet-ins and sends "
                              "nothing" % (links, held))
        return "OVS: master (port %d) and slave (port %d) on all 3 bridges after %.1f s; the standby held %d messages" % (
            OF_PORT, STANDBY_OF_PORT, secs, held)

    def check_pings_with_standby(self):
        lost = [(a, b) for a in HOSTS for b in HOSTS if a != b and self.ping(a, b, 1, 2) != 1]
        if lost:
            raise CheckFailed("lost %s" % lost)
        return "6/6 with the standby connected"

    def check_takeover(self):
        code, answer = self.rest("POST", "/wm/core/role/json", {"role": "ACTIVE", "role-change-description": "takeover test"},
                                 port=STANDBY_REST_PORT)
        if code != 200 or answer.get("role") != "ACTIVE":
            raise CheckFailed("POST /wm/core/role/json: HTTP %d %s" % (code, answer))
        ok, roles, secs = poll(lambda: (self.roles_are(STANDBY_OF_PORT), self.ovs_roles()), 20, 0.5)
        if not ok:
            raise CheckFailed("after %.0f s OVS gives roles %s; wanted the second controller master" % (secs, roles))
        want = self.expected_links(PAIRS)
        ok, data, lsecs = poll(lambda: (lambda d: (self.link_set(d) == want, d))(
            self.get("/wm/topology/links/json", port=STANDBY_REST_PORT)), 20)
        if not ok:
            raise CheckFailed("the new master's links after %.0f s: %s" % (lsecs, json.dumps(data)))
        # The first controller's flows idle out (5 s); then only the new master sets paths up.
        time.sleep(6)
        before = self.get("/wm/core/counter/all/json", port=STANDBY_REST_PORT).get("forwarding", {}).get("flow-mods", 0)
        lost = [(a, b) for a in HOSTS for b in HOSTS if a != b and self.ping(a, b, 1, 2) != 1]
        after = self.get("/wm/core/counter/all/json", port=STANDBY_REST_PORT).get("forwarding", {}).get("flow-mods", 0)
        if lost or after <= before:
            raise CheckFailed("after the takeover lost %s; the new master's flow-mods %s -> %s" % (lost, before, after))
        demoted = self.counters().get("openflow-core", {}).get("switches lost to another master", 0)
        return "OVS made the second controller master after %.1f s; it found the 3 links after %.1f s more; " \
               "6/6 pings on its paths (flow-mods %d -> %d); the first controller saw %d switches go to it" % (
                   secs, lsecs, before, after, demoted)

    def check_ofports(self):
        for i in HOSTS:
            out = self.ofctl("show", self.bridges[i])
            self.ofports[i] = {name: int(n) for n, name in re.findall(r"^\s*(\d+)\(([^)]+)\):", out, re.M)}
        want = {i: dict([("s%d-h%d" % (i, i), host_port(i))]
                        + [("s%d-s%d" % (i, j), link_port(i, j)) for j in HOSTS if j != i]) for i in HOSTS}
        if self.ofports != want:
            raise CheckFailed("ovs-ofctl show gives %s, asked for %s" % (self.ofports, want))
        return "; ".join("s%d %s" % (i, " ".join("%s=%d" % kv for kv in sorted(self.ofports[i].items(), key=lambda kv: kv[1])))
                         for i in HOSTS)

    def check_switches(self):
        want = {dpid_text(i) for i in HOSTS}

        def f():
            data = self.get("/wm/core/controller/switches/json")
            seen = {s["switchDPID"]: s for s in data}
            return set(seen) == want and all(s["openFlowVersion"] == self.of_version for s in seen.values()), seen

        ok, seen, secs = poll(f, 30)
        if not ok:
            raise CheckFailed("after %.0f s the controller lists %s, wanted %s" % (secs, seen, sorted(want)))
        # ovs-vswitchd writes the controllers' status to the database every few seconds.
        ok, connected, db_secs = poll(lambda: (lambda c: (c == ["true"] * 3, c))(
            self.ovs.vsctl("--columns=is_connected", "--bare", "list", "controller").split()), 15, 0.5)
        if not ok:
            raise CheckFailed("the controller lists all 3, but ovs-vsctl says is_connected %s" % connected)
        return "%s (%s) after %.1f s; OVS's database says is_connected for all 3 %.1f s later" % (
            ", ".join(sorted(seen)), self.of_version, secs, db_secs)

    def check_links(self):
        want = self.expected_links(PAIRS)

        def f():
            data = self.links()
            return (len(data) == 3 and self.link_set(data) == want
                    and all(l["direction"] == "bidirectional" for l in data)), data

        ok, data, secs = poll(f, 30)
        if not ok:
            raise CheckFailed("after %.0f s /wm/topology/links/json is %s; wanted %s (from ovs-ofctl show)"
                              % (secs, json.dumps(data), self.link_text(want)))
        return "3 bidirectional links %s, as ovs-ofctl show numbers them, after %.1f s" % (
            self.link_text(self.link_set(data)), secs)

    def check_directed_links(self):
        data = self.get("/wm/topology/directed-links/json")
        if len(data) != 6 or self.link_set(data) != self.expected_links(PAIRS):
            raise CheckFailed("%d directed links, wanted 6: %s" % (len(data), json.dumps(data)))
        external = self.get("/wm/topology/external-links/json")
        if external:
            raise CheckFailed("external links (across a segment that is not OpenFlow) where every link is direct: %s"
                              % json.dumps(external))
        return "6 (both directions of each link); no external links"

    def check_clusters(self):
        data = self.get("/wm/topology/switchclusters/json")
        want = sorted(dpid_text(i) for i in HOSTS)
        if len(data) != 1 or sorted(list(data.values())[0]) != want:
            raise CheckFailed("/wm/topology/switchclusters/json is %s, wanted one cluster of %s" % (json.dumps(data), want))
        return json.dumps(data)

    def check_pingall(self):
        self.packets_before_ping = self.bridge_packets()
        pairs = [(a, b) for a in HOSTS for b in HOSTS if a != b]
        lost = []
        t0 = time.monotonic()
        for a, b in pairs:
            if self.ping(a, b, 1, 2) != 1:
                lost.append("h%d->h%d" % (a, b))
        secs = time.monotonic() - t0
        self.packets_after_ping = self.bridge_packets()
        if lost:
            raise CheckFailed("%d/%d lost (%s)" % (len(lost), len(pairs), ", ".join(lost)))
        return "0%% dropped (%d/%d received) in %.1f s" % (len(pairs), len(pairs), secs)

    def check_storm(self):
        during = self.packets_after_ping - self.packets_before_ping
        time.sleep(0.5)
        a = self.bridge_packets()
        t = time.monotonic()
        time.sleep(3)
        b = self.bridge_packets()
        rate = (b - a) / (time.monotonic() - t)
        if during > STORM_PACKETS or rate > IDLE_PACKETS_PER_SECOND:
            raise CheckFailed("bridges' ports counted %d packets during pingall (limit %d) and %.0f/s idle "
                              "afterwards (limit %d): the loop storms" % (during, STORM_PACKETS, rate, IDLE_PACKETS_PER_SECOND))
        return "%d packets on all ports during pingall (limit %d), %.0f/s idle afterwards (limit %d)" % (
            during, STORM_PACKETS, rate, IDLE_PACKETS_PER_SECOND)

    def check_responsive(self):
        if self.controller.poll() is not None:
            raise CheckFailed("the controller exited with %s" % self.controller.returncode)
        t0 = time.monotonic()
        data = self.get("/wm/core/controller/switches/json", timeout=2)
        ms = (time.monotonic() - t0) * 1000
        if len(data) != 3:
            raise CheckFailed("%d switches listed after pingall" % len(data))
        c = self.counters().get("openflow-core", {})
        return "switches answer in %.0f ms (curl in the namespace included); %s packet-ins so far" % (
            ms, c.get("packet-ins", "?"))

    def check_devices(self):
        want = {mac(i): (dpid_text(i), str(self.ofports[i]["s%d-h%d" % (i, i)]), ip(i)) for i in HOSTS}

        def f():
            data = self.get("/wm/device/")
            got = {}
            for d in data["devices"]:
                for m in d["mac"]:
                    got[m] = ([(a["switch"], a["port"]) for a in d["attachmentPoint"]], d["ipv4"])
            ok = all(m in got and got[m][0] == [(w[0], w[1])] and w[2] in got[m][1] for m, w in want.items())
            return ok, got

        ok, got, secs = poll(f, 10)
        if not ok:
            raise CheckFailed("/wm/device/ has %s; wanted %s" % (got, want))
        extra = sorted(set(got) - set(want))
        return "; ".join("%s at %s port %s, %s" % (m, w[0][-2:], w[1], w[2]) for m, w in sorted(want.items())) + (
            " (also %s)" % extra if extra else "")

    def ovs_flows(self, i):
        """(priority, cookie) of each flow `ovs-ofctl dump-flows` shows on bridge si."""
        out = []
        for l in self.ofctl("dump-flows", self.bridges[i]).splitlines():
            m = re.search(r"cookie=(0x[0-9a-f]+).*?priority=(\d+)", l)
            if m:
                out.append((int(m.group(2)), int(m.group(1), 16)))
        return sorted(out)

    def check_flow_stats(self):
        """Every switch's flows, as OVS has them: the same (priority, cookie) list as
        ovs-ofctl dump-flows (asked again when a forwarding flow idled out between)."""
        def f():
            data = self.get("/wm/core/switch/all/flow/json")
            if sorted(data) != sorted(dpid_text(i) for i in HOSTS):
                raise CheckFailed("answered for %s" % sorted(data))
            diffs = []
            for i in HOSTS:
                rest = sorted((int(x["priority"]), int(x["cookie"])) for x in data[dpid_text(i)]["flows"])
                ovs = self.ovs_flows(i)
                if rest != ovs:
                    diffs.append("s%d: REST %s, ovs-ofctl %s" % (i, rest, ovs))
            return not diffs, (data, diffs)

        ok, detail, secs = poll(f, 3, 0.3)
        if not ok:
            raise CheckFailed(detail if isinstance(detail, str) else "; ".join(detail[1]))
        data = detail[0]
        counts = []
        for i in HOSTS:
            flows = data[dpid_text(i)]["flows"]
            if self.of_version == "OF_13":
                miss = [x for x in flows if x["priority"] == "0" and not x["match"]]
                acts = [x.get("instructions", {}).get("instruction_apply_actions", {}).get("actions", "") for x in miss]
                if not miss or "output=controller" not in acts[0]:
                    raise CheckFailed("s%d: no table-miss flow to the controller among %s" % (i, json.dumps(flows)[:400]))
            counts.append("s%d %d" % (i, len(flows)))
        return "flows %s, the same priorities and cookies as ovs-ofctl dump-flows%s" % (
            ", ".join(counts), "; each has the table-miss flow (priority 0, output=controller)"
            if self.of_version == "OF_13" else "")

    def check_port_stats(self):
        data = self.get("/wm/core/switch/all/port/json")
        out = []
        for i in HOSTS:
            replies = data[dpid_text(i)]["port_reply"]
            ports = {p["port_number"]: p for r in replies for p in r["port"]}
            want = {str(n) for n in self.ofports[i].values()}
            if not want <= set(ports):
                raise CheckFailed("s%d: port stats for %s, wanted %s" % (i, sorted(ports), sorted(want)))
            hp = ports[str(self.ofports[i]["s%d-h%d" % (i, i)])]
            rx = int(hp["receive_packets"])
            ovs = self.ofctl("dump-ports", self.bridges[i], str(self.ofports[i]["s%d-h%d" % (i, i)]))
            m = re.search(r"rx pkts=(\d+)", ovs)
            ovs_rx = int(m.group(1)) if m else -1
            if not 0 < rx <= ovs_rx:
                raise CheckFailed("s%d host port: REST receive_packets %d, ovs-ofctl dump-ports (after) %d" % (i, rx, ovs_rx))
            out.append("s%d ports %s, host port rx %d (ovs-ofctl: %d)" % (i, ",".join(sorted(ports, key=lambda p: (len(p), p))), rx, ovs_rx))
        return "; ".join(out)

    def check_desc_stats(self):
        data = self.get("/wm/core/switch/all/desc/json")
        one = self.get("/wm/core/switch/%s/desc/json" % dpid_text(2))
        ovs = self.ofctl("dump-desc", self.bridges[1])
        m = re.search(r"Manufacturer: (.*)", ovs)
        sw = re.search(r"Software: (.*)", ovs)
        for i in HOSTS:
            d = data[dpid_text(i)]["desc"]
            if d["manufacturer_description"] != NICIRA or (m and d["manufacturer_description"] != m.group(1).strip()):
                raise CheckFailed("s%d: manufacturer %r (ovs-ofctl dump-desc: %r)" % (i, d["manufacturer_description"], m and m.group(1)))
            if sw and d["software_description"] != sw.group(1).strip():
                raise CheckFailed("s%d: software %r, ovs-ofctl: %r" % (i, d["software_description"], sw.group(1)))
        if one.get("desc", {}).get("manufacturer_description") != NICIRA:
            raise CheckFailed("/wm/core/switch/%s/desc/json: %s" % (dpid_text(2), json.dumps(one)))
        d = data[dpid_text(1)]["desc"]
        return "manufacturer %r, hardware %r, software %r (as ovs-ofctl dump-desc), for all 3 and for one" % (
            d["manufacturer_description"], d["hardware_description"], d["software_description"])

    def check_port_desc(self):
        out = []
        for i in HOSTS:
            pd = self.get("/wm/core/switch/%s/port-desc/json" % dpid_text(i))
            got = {p["name"]: p["port_number"] for p in pd["port_desc"] if p["port_number"] != "local"}
            want = {k: str(v) for k, v in self.ofports[i].items()}
            if got != want:
                raise CheckFailed("s%d: port-desc %s, ovs-ofctl show %s" % (i, got, want))
            feats = self.get("/wm/core/switch/%s/features/json" % dpid_text(i))
            if feats.get("datapath_id") != dpid_text(i):
                raise CheckFailed("s%d: features %s" % (i, json.dumps(feats)))
            out.append("s%d %d ports" % (i, len(pd["port_desc"])))
        for stat in ("aggregate", "table"):
            data = self.get("/wm/core/switch/all/%s/json" % stat)
            if len(data) != 3:
                raise CheckFailed("%s stats answered for %s" % (stat, sorted(data)))
        return ", ".join(out) + " with the names and numbers ovs-ofctl shows; features, aggregate, table answer"

    BLOCK = {"switch": "00:00:00:00:00:00:00:01", "name": "block", "priority": "40000",
             "eth_type": "0x0800", "ipv4_dst": "10.0.0.2", "actions": ""}

    def block_flows(self):
        return [l.strip() for l in self.ofctl("dump-flows", "s1").splitlines() if "priority=40000" in l]

    def check_static_push(self):
        code, data = self.rest("POST", "/wm/staticflowpusher/json", self.BLOCK)
        if code != 200:
            raise CheckFailed("POST: HTTP %d %s" % (code, json.dumps(data)))
        ok, flows, secs = poll(lambda: (bool(self.block_flows()), self.block_flows()), 5)
        if not ok:
            raise CheckFailed("POST answered %s but ovs-ofctl dump-flows s1 shows no priority=40000 flow" % json.dumps(data))
        f = flows[0]
        if "nw_dst=10.0.0.2" not in f or "actions=drop" not in f or not re.search(r"\bip\b", f):
            raise CheckFailed("dump-flows s1 shows %r" % f)
        return "%s; ovs-ofctl dump-flows s1: %s" % (json.dumps(data), re.sub(r"duration=[^,]*, ", "", f))

    def check_blocked(self):
        blocked = self.ping(1, 2, 3, 1)
        other = self.ping(1, 3, 1, 2)
        hits = re.search(r"n_packets=(\d+)", (self.block_flows() or [""])[0])
        if blocked != 0 or other != 1:
            raise CheckFailed("h1->h2 %d/3 replies (want 0), h1->h3 %d/1 (want 1)" % (blocked, other))
        return "h1->h2 0/3 replies, h1->h3 1/1; the drop flow counted %s packets" % (hits.group(1) if hits else "?")

    def check_static_list(self):
        data = self.get("/wm/staticflowpusher/list/all/json")
        entries = data.get(dpid_text(1), [])
        block = [e["block"] for e in entries if "block" in e]
        if not block:
            raise CheckFailed("list/all/json: %s" % json.dumps(data))
        b = block[0]
        if b.get("priority") != "40000":
            raise CheckFailed("listed as %s" % json.dumps(b))
        flows = self.get("/wm/core/switch/%s/flow/json" % dpid_text(1))["flows"]
        if not [f for f in flows if f["priority"] == "40000"]:
            raise CheckFailed("not among s1's flow stats: %s" % json.dumps(flows)[:300])
        return "list/all/json: %s; also in s1's /flow/json" % json.dumps(data)

    def check_static_survives(self):
        """A change of the topology (link s2-s3 down, then up) makes forwarding take back
        its own flows (by cookie); the static entry on s1 must stay in force."""
        for end in ("s2-s3", "s3-s2"):
            self.sw_ip("link", "set", end, "down")
        try:
            (ok, data, secs), want = self.wait_links([(1, 2), (1, 3)], 20)
            if not ok:
                raise CheckFailed("link s2-s3 down: after %.0f s the links are %s; wanted %s"
                                  % (secs, json.dumps(data), self.link_text(want)))
            c = self.counters().get("forwarding", {}).get("flow withdrawals", "?")
            flows, blocked = self.block_flows(), self.ping(1, 2, 2, 1)
        finally:
            for end in ("s2-s3", "s3-s2"):
                self.sw_ip("link", "set", end, "up")
        (ok, data, secs), want = self.wait_links(PAIRS, 20)
        if not flows or blocked:
            listed = self.get("/wm/staticflowpusher/list/all/json")
            raise CheckFailed("with link s2-s3 down (forwarding's flow withdrawals: %s) ovs-ofctl dump-flows s1 shows "
                              "%s and h1->h2 got %d/2 replies, while list/all/json still has %s"
                              % (c, flows or "no priority=40000 flow", blocked, json.dumps(listed)))
        if not ok:
            raise CheckFailed("link s2-s3 up again: after %.0f s the links are %s" % (secs, json.dumps(data)))
        return "link s2-s3 down and up (forwarding's flow withdrawals: %s): the drop flow stayed on s1, h1->h2 0/2" % c

    def check_static_delete(self):
        code, data = self.rest("DELETE", "/wm/staticflowpusher/json", {"name": "block"})
        if code != 200:
            raise CheckFailed("DELETE: HTTP %d %s" % (code, json.dumps(data)))
        ok, flows, secs = poll(lambda: (not self.block_flows(), self.block_flows()), 5)
        if not ok:
            raise CheckFailed("dump-flows s1 still shows %s" % flows)
        replied, tries = self.ping_until(1, 2, 10)
        if not replied:
            raise CheckFailed("the flow is gone from s1 but h1 cannot ping h2 (%d tries)" % tries)
        left = self.get("/wm/staticflowpusher/list/all/json")
        if any(e for v in left.values() for e in v):
            raise CheckFailed("still listed: %s" % json.dumps(left))
        return "%s; gone from dump-flows s1 and the list; h1->h2 replies (ping %d)" % (json.dumps(data), tries)

    def set_link(self, state):
        for end in ("s1-s2", "s2-s1"):
            self.sw_ip("link", "set", end, state)

    def wait_links(self, pairs, timeout):
        want = self.expected_links(pairs)

        def f():
            data = self.links()
            return len(data) == len(pairs) and self.link_set(data) == want, data

        return poll(f, timeout), want

    def check_link_down(self):
        self.set_link("down")
        (ok, data, secs), want = self.wait_links([(1, 3), (2, 3)], 20)
        if not ok:
            raise CheckFailed("after %.0f s the links are %s; wanted %s" % (secs, json.dumps(data), self.link_text(want)))
        status = self.ofctl("show", "s1")
        m = re.search(r"%d\(s1-s2\).*?state:\s*(\S+)" % link_port(1, 2), status, re.S)
        return "veths s1-s2/s2-s1 down; OVS says port %d %s; links %s after %.1f s" % (
            link_port(1, 2), m.group(1) if m else "?", self.link_text(self.link_set(data)), secs)

    def check_reroute_ping(self):
        replied, tries = self.ping_until(1, 2, 10)
        if not replied:
            raise CheckFailed("h1 cannot ping h2 with s1-s2 down (%d tries)" % tries)
        s3 = [l for l in self.ofctl("dump-flows", "s3").splitlines() if "dl_dst=%s" % mac(2) in l]
        path = self.get("/wm/routing/path/%s/%d/%s/%d/json" % (dpid_text(1), host_port(1), dpid_text(2), host_port(2)))
        hops = [h["switch"] for h in path]
        if not s3:
            raise CheckFailed("h1 pings h2 but s3 has no flow to %s: %s" % (mac(2), self.ofctl("dump-flows", "s3")))
        if dpid_text(3) not in hops:
            raise CheckFailed("the controller's path h1->h2 is %s" % json.dumps(path))
        return "replies (ping %d); s3 has a flow to %s; /wm/routing/path goes %s" % (
            tries, mac(2), " -> ".join("s%d:%d" % (int(h["switch"][-2:], 16), h["port"]) for h in path))

    def check_link_up(self):
        self.set_link("up")
        (ok, data, secs), want = self.wait_links(PAIRS, 20)
        if not ok:
            raise CheckFailed("after %.0f s the links are %s; wanted %s" % (secs, json.dumps(data), self.link_text(want)))
        replied, tries = self.ping_until(1, 2, 10)
        if not replied:
            raise CheckFailed("3 links again but h1 cannot ping h2")
        return "3 links again after %.1f s; h1->h2 replies (ping %d)" % (secs, tries)

    def check_no_errors(self):
        c = self.counters()
        core = c.get("openflow-core", {})
        bad = {k: v for k, v in core.items() if k in ("errors from switches", "undecodable messages",
                                                      "unframeable streams", "connections timed out", "switches gone") and v}
        log = ""
        try:
            with open(self.ovs.path("ovs-vswitchd.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            pass
        ofp_errs = [l for l in log.splitlines() if re.search(r"\|(WARN|ERR)\|", l) and re.search(r"ofp|rconn|connmgr|vconn", l)]
        if bad or ofp_errs:
            raise CheckFailed("controller counters %s; ovs-vswitchd.log: %s" % (bad, ofp_errs[:5]))
        return "controller counts no errors from switches, undecodable messages or lost connections; " \
               "ovs-vswitchd.log has no OpenFlow warnings (packet-ins %s, LLDPs sent %s)" % (
                   core.get("packet-ins", 0), c.get("link-discovery", {}).get("LLDPs sent", 0))

    # -- diagnostics and the end -------------------------------------------------------

    def diagnostics(self):
        self.say("--- diagnostics")
        try:
            self.say("controller counters: " + json.dumps(self.counters(), sort_keys=True))
        except Exception as e:  # noqa: BLE001 - diagnostics only
            self.say("controller counters: %s" % e)
        self.say("controller output (tail): " + self.controller_output()[-1500:])
        if self.standby is not None:
            self.say("standby output (tail): " + self.controller_output("standby")[-1500:])
        if self.ovs is not None and self.ovs.dir is not None:
            for i in HOSTS:
                try:
                    self.say("ovs-ofctl dump-flows s%d:\n%s" % (i, self.ofctl("dump-flows", self.bridges[i])))
                except Exception as e:  # noqa: BLE001
                    self.say("dump-flows s%d: %s" % (i, e))
            try:
                with open(self.ovs.path("ovs-vswitchd.log"), errors="replace") as f:
                    self.say("ovs-vswitchd.log (tail):\n" + "".join(f.readlines()[-30:]))
            except OSError:
                pass
        self.say("--- end of diagnostics")

    def stop_controller(self):
        if self.standby is not None and self.standby.poll() is None:
            self.standby.send_signal(signal.SIGTERM)
            try:
                self.standby.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.standby.kill()
                self.standby.wait(timeout=5)
        p = self.controller
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            t0 = time.monotonic()
            try:
                p.wait(timeout=5)
                self.controller_stop = "exited with %d %.2f s after SIGTERM" % (p.returncode, time.monotonic() - t0)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
                self.controller_stop = "ignored SIGTERM for 5 s: SIGKILL"
        else:
            self.controller_stop = "had exited by itself with %s" % p.returncode
        for pid in self.controller_pids - {p.pid}:
            if pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def cleanup(self):
        """Stops everything; returns the problems met (empty: all clean)."""
        problems = []
        try:
            self.stop_controller()
        except Exception as e:  # noqa: BLE001 - the rest must still run
            problems.append("stopping the controller: %s" % e)
        if self.ovs is not None:
            try:
                if self.ovs.dir is not None and self.ovs.vswitchd is not None and self.ovs.vswitchd.poll() is None:
                    for br in self.bridges.values():
                        self.ovs.vsctl("--if-exists", "del-br", br, timeout=10)
            except Exception as e:  # noqa: BLE001
                problems.append("del-br: %s" % e)
            try:
                self.ovs.stop()
            except Exception as e:  # noqa: BLE001
                problems.append("PrivateOVS.stop(): %s" % e)
        for ns in reversed(self.namespaces):
            p = run(["ip", "netns", "delete", ns], check=False)
            if p.returncode != 0:
                problems.append("ip netns delete %s: %s" % (ns, p.stderr.strip()))
        self.namespaces = []
        if self.made_run_netns and os.path.isdir("/run/netns") and not os.listdir("/run/netns"):
            run(["umount", "/run/netns"], check=False)
            try:
                os.rmdir("/run/netns")
            except OSError as e:
                problems.append("/run/netns: %s" % e)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        return problems


def root_state():
    """What must be the same after the run: the root namespace's links and named
    namespaces (and whether /run/netns, which `ip netns add` may make, exists)."""
    return {"ip -o link": run(["ip", "-o", "link"]).stdout.splitlines(),
            "ip netns list": run(["ip", "netns", "list"]).stdout.splitlines(),
            "/run/netns": [str(os.path.isdir("/run/netns"))]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swiftnet", required=True, help="the swiftnet binary")
    ap.add_argument("--timeout", type=float, default=300, help="for the whole test, seconds (default 300)")
    ap.add_argument("--protocol", choices=["OpenFlow13", "OpenFlow10"], default="OpenFlow13",
                    help="the bridges' one OpenFlow version (default OpenFlow13)")
    a = ap.parse_args(argv)
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except AttributeError:
        pass
    if os.geteuid() != 0:
        print("FAIL: must run as root (it makes network namespaces and runs Open vSwitch)")
        return 2
    missing = [p for p in ("ovs-vswitchd", "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl", "ovs-appctl",
                           "curl", "ethtool", "ping", "ip") if shutil.which(p) is None]
    if missing:
        print("FAIL: missing programs %s (Open vSwitch: apt-get install openvswitch-switch; `make bench-deps`)"
              % ", ".join(missing))
        return 2
    if not os.access(a.swiftnet, os.X_OK):
        print("FAIL: %s is not an executable swiftnet" % a.swiftnet)
        return 2

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    def on_alarm(_signum, _frame):
        raise Timeout("the whole test took over %.0f s" % a.timeout)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    before = root_state()
    t = Interop(a.swiftnet, a.protocol)
    status = 0
    t.say("*** swiftnet's built-in controller and Open vSwitch userspace: 3 netdev bridges (%s) in a triangle, "
          "namespaces %s-*" % (a.protocol, t.prefix))
    signal.alarm(int(a.timeout))
    try:
        try:
            t.build()
            t.say("*** built in %.1f s" % (time.monotonic() - t.t0))
        except (Fatal, RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            t.fail("setup", str(e))
            status = 2
        if status == 0:
            try:
                t.run_checks()
            except CheckFailed as e:
                t.say("*** stopping early: %s" % e)
        if t.failed:
            t.diagnostics()
    except Timeout as e:
        signal.alarm(0)
        t.fail("timeout", str(e))
        t.diagnostics()
    except SystemExit as e:
        t.say("*** interrupted (signal %d): cleaning up" % ((e.code or 0) - 128))
        status = e.code
    finally:
        signal.alarm(0)
        # Nothing interrupts the cleanup.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        problems = t.cleanup()
        time.sleep(0.2)
        after = root_state()
        alive = sorted(p for p in t.started_pids | t.controller_pids if pid_alive(p))
        for p in problems:
            t.fail("cleanup", p)
        if t.controller_stop is not None:
            (t.fail if "SIGKILL" in t.controller_stop or "by itself" in t.controller_stop else t.ok)(
                "controller stops on SIGTERM", "swiftnet controller " + t.controller_stop)
        if after != before:
            diff = {k: {"gone": sorted(set(before[k]) - set(after[k])), "new": sorted(set(after[k]) - set(before[k]))}
                    for k in before if before[k] != after[k]}
            t.fail("root namespace as before", json.dumps(diff))
        else:
            t.ok("root namespace as before", "ip -o link: %d interfaces, ip netns list: %d, the same as before"
                 % (len(after["ip -o link"]), len(after["ip netns list"])))
        if alive:
            t.fail("no process left", "still alive: %s" % alive)
        else:
            t.ok("no process left", "the controller, ovsdb-server and ovs-vswitchd (pids %s) are gone"
                 % ", ".join(str(p) for p in sorted(t.started_pids)))
    t.say("checks: %d passed, %d failed (%.1f s%s)" % (len(t.passed), len(t.failed), time.monotonic() - t.t0,
                                                       ", interrupted" if status and status >= 128 else ""))
    if status:
        return status
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
