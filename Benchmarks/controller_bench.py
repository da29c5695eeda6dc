#!/usr/bin/env python3
"""A cbench-style benchmark of OpenFlow controllers, and swiftnet's network-level
measures of its built-in controller.

Part 1 (always): emulated OpenFlow switches, written here, connect to each controller in
turn on 127.0.0.1 and measure how fast it answers packet-ins with flow-mods:

  * swiftnet's built-in controller, run alone: `swiftnet controller --app forwarding`
    (its default modules: link discovery, device manager, topology, shortest-path
    forwarding, static flow pusher) and `--app learning` (learning switch);
  * os-ken 3.1.1's L2 learning switch: `osken-manager os_ken.app.simple_switch_13` when
    the installed os-ken has it, otherwise the project's equivalent os-ken app
    (Tests/IntegrationTests/Controllers/l2_learning.py, OpenFlow 1.3 only);
  * `ovs-testcontroller` (Open vSwitch's learning switch, OpenFlow 1.0 to 1.5).

Each emulated switch does what a real one does on a new connection: HELLO with a version
bitmap, FEATURES_REPLY (its own datapath id, 256 buffers), silent SET_CONFIG,
GET_CONFIG, BARRIER, ECHO, 1.3 multipart PORT_DESC (one port per host) and DESC,
port/flow/table statistics (zeros), and an ERROR for anything it does not know.
FLOW_MODs and PACKET_OUTs are counted and otherwise ignored.

Each switch has --hosts hosts, one per port. Warm-up: host 1 sends a unicast to host 2,
then every host k sends one unicast to host k-1, so each controller learns every MAC
(the first answer is a flood, the others flow-mods); then the controllers must go quiet.

  * throughput (cbench -t): every switch keeps up to --window packet-ins outstanding
    (default 0: no limit, the socket simply kept full, as cbench does) of unicast
    IPv4/UDP frames between two learnt hosts of that switch, in_port the source's port;
    flow-mods received per second over --loops loops of --loop-seconds; median, min and
    max. The switches make at most one read/write pass every --batch-ms (1 ms), so that
    the client spends little CPU per message while the windows keep the controller busy;
  * latency (cbench's default mode): one packet-in outstanding per switch; the time from
    sending it to the arrival of a flow-mod; median and p99, and responses per second.

After each phase the controller is drained and the flow-mods per packet-in and
packet-outs per packet-in are printed: each controller must answer every packet-in with
a flow-mod, or its numbers are flagged.

Part 2 (--network, off with --no-network): on the emulator, `torus,4,4` with user
switches under the built-in controller, and the same topology on Linux bridges (kernel
STP, which swiftnet turns on for an lxbr topology with a loop): the first ping's RTT
between hosts that never talked against the second ping's, and the longest gap in a
fast ping (`ping -i 0.01`) when a link on its path is taken down in the shell.

Usage:
  python3 Benchmarks/controller_bench.py --swiftnet .build/release/swiftnet \\
      [--switches 16] [--hosts 100] [--loops 10] [--repeats 2] [--only NAME[,NAME]] \\
      [--out FILE.md] [--json FILE] [--network | --no-network]

On a machine with two or more CPUs the emulated switches run on the first CPU and the
controller on the others (--no-pin to let the scheduler choose: it tends to put both on one
core, and then each gets half of it). The CPU each side used is reported, so a client
that is the bottleneck shows.

Standard library only. Every process it starts is stopped by PID (SIGTERM, then
SIGKILL), on Ctrl-C and on errors too; network runs are wrapped in
`flock /tmp/swiftnet-net.lock`.
"""

import argparse
import atexit
import json
import os
import re
import resource
import selectors
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OSKEN_MANAGER = "/opt/swiftnet-venv/bin/osken-manager"
OSKEN_PYTHON = "/opt/swiftnet-venv/bin/python3"
OSKEN_FALLBACK_APP = os.path.join(REPO, "Tests", "IntegrationTests", "Controllers", "l2_learning.py")
NET_LOCK = "/tmp/swiftnet-net.lock"

# ---------------------------------------------------------------------------
# OpenFlow constants
# ---------------------------------------------------------------------------

OF10, OF13 = 1, 4
VERSION_NAME = {OF10: "1.0", OF13: "1.3"}

HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY, EXPERIMENTER = 0, 1, 2, 3, 4
FEATURES_REQUEST, FEATURES_REPLY, GET_CONFIG_REQUEST, GET_CONFIG_REPLY = 5, 6, 7, 8
SET_CONFIG, PACKET_IN, FLOW_REMOVED, PORT_STATUS, PACKET_OUT, FLOW_MOD = 9, 10, 11, 12, 13, 14
# OpenFlow 1.3
MULTIPART_REQUEST, MULTIPART_REPLY, BARRIER_REQUEST_13, BARRIER_REPLY_13 = 18, 19, 20, 21
ROLE_REQUEST, ROLE_REPLY, GET_ASYNC_REQUEST, GET_ASYNC_REPLY = 24, 25, 26, 27
# OpenFlow 1.0
STATS_REQUEST_10, STATS_REPLY_10, BARRIER_REQUEST_10, BARRIER_REPLY_10 = 16, 17, 18, 19

NO_BUFFER = 0xFFFFFFFF
OFPR_NO_MATCH = 0
# Messages a switch takes without answering (per version).
SILENT = {
    OF13: {HELLO, ECHO_REPLY, SET_CONFIG, PACKET_OUT, FLOW_MOD, 15, 16, 17, 28, 29},  # group/port/table/async/meter mods
    OF10: {HELLO, ECHO_REPLY, SET_CONFIG, PACKET_OUT, FLOW_MOD, 15},                  # port mod
}

MAX_BODY = 65535 - 16


def ofp(version, mtype, xid, body=b""):
    return struct.pack("!BBHI", version, mtype, 8 + len(body), xid) + body


def checksum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def host_mac(dpid, host):
    """Locally administered, unique per switch and host: 02:00:SS:SS:HH:HH."""
    return (0x02 << 40) | ((dpid & 0xFFFF) << 16) | (host & 0xFFFF)


def host_ip(dpid, host):
    return (10 << 24) | ((dpid & 0xFF) << 16) | (host & 0xFFFF)


def udp_frame(dpid, src, dst, sport=5000, dport=6000, payload=18):
    """Ethernet + IPv4 + UDP from host `src` to host `dst` of switch `dpid` (60 bytes)."""
    ip_len = 20 + 8 + payload
    iph = struct.pack("!BBHHHBBHII", 0x45, 0, ip_len, 0, 0x4000, 64, 17, 0, host_ip(dpid, src), host_ip(dpid, dst))
    iph = iph[:10] + struct.pack("!H", checksum16(iph)) + iph[12:]
    udp = struct.pack("!HHHH", sport, dport, 8 + payload, 0)
    eth = host_mac(dpid, dst).to_bytes(6, "big") + host_mac(dpid, src).to_bytes(6, "big") + b"\x08\x00"
    return eth + iph + udp + bytes(payload)


def packet_in(version, xid, in_port, frame, buffer_id=NO_BUFFER):
    if version == OF13:
        # buffer_id, total_len, reason, table_id, cookie; match (OXM in_port, padded to 16); 2 pad
        match = struct.pack("!HHII", 1, 12, 0x80000004, in_port) + b"\0" * 4
        body = struct.pack("!IHBBQ", buffer_id, len(frame), OFPR_NO_MATCH, 0, 0) + match + b"\0\0" + frame
    else:
        body = struct.pack("!IHHBx", buffer_id, len(frame), in_port, OFPR_NO_MATCH) + frame
    return ofp(version, PACKET_IN, xid, body)


# ---------------------------------------------------------------------------
# One emulated switch
# ---------------------------------------------------------------------------

class EmuSwitch:
    """One OpenFlow switch on its own TCP connection; all on one selector, one thread."""

    def __init__(self, bench, dpid):
        self.bench = bench
        self.dpid = dpid
        self.hosts = bench.hosts
        self.offer = bench.offer
        self.version = None
        self.sock = None
        self.rbuf = b""
        self.closed = False
        self.close_reason = ""
        self.features_sent = False
        self.table_miss = 0
        self.miss_send_len = 128
        self.errors = []            # (type, code) of ERRORs received
        self.requests = {}          # what the controller asked: name -> count
        self.last_activity = time.monotonic()
        self.xid = 1
        self.wbuf = b""             # slow-path replies not written yet
        self.reset_phase()
        self.mode = None            # None, "tp", "lat"

    # -- phases ---------------------------------------------------------------

    def reset_phase(self):
        self.fm_add = 0        # FLOW_MOD ADD with priority > 0 (or any ADD during a phase)
        self.fm_other = 0      # other flow-mod commands (deletes, modifies)
        self.po_reply = 0      # PACKET_OUT not from OFPP_CONTROLLER: answers to packet-ins
        self.po_ctl = 0        # PACKET_OUT with in_port CONTROLLER (LLDP/BDDP probes)
        self.other_msgs = 0
        self.fm_buffer = 0     # flow-mods that name a buffer id (with --buffer-ids)
        self.po_buffer = 0     # packet-outs that name a buffer id
        self.scheduled = 0     # packet-ins handed to the socket (or queued for it)
        self.written_off = 0   # outstanding packet-ins given up on (never answered)
        self.pending = None
        self.last_answer = time.monotonic()
        self.outstanding = False
        self.sent_at = 0
        self.lat_samples = []
        self.lat_timeouts = 0

    def answered(self):
        return max(self.fm_add, self.po_reply) + self.written_off

    # -- connection -----------------------------------------------------------

    def connect(self, port):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        self.sock = s
        if self.offer == (OF10,):
            hello = ofp(OF10, HELLO, self.next_xid())
        else:
            bitmap = 0
            for v in self.offer:
                bitmap |= 1 << v
            hello = ofp(max(self.offer), HELLO, self.next_xid(), struct.pack("!HHI", 1, 8, bitmap))
        self.write(hello)

    def next_xid(self):
        self.xid += 1
        return self.xid

    def write(self, data):
        """Slow-path write (handshake, replies): queued behind anything not yet written."""
        if self.closed:
            return
        if self.pending is not None or self.wbuf:
            self.wbuf += data
            self.flush()
            return
        try:
            n = self.sock.send(data)
        except BlockingIOError:
            n = 0
        except OSError as e:
            self.close("send: %s" % e)
            return
        if n < len(data):
            self.wbuf = data[n:]

    def flush(self):
        while self.wbuf and not self.closed:
            if self.pending is not None:
                # finish the packet-in batch being written first (never split a message)
                if not self._send_pending():
                    return
                continue
            try:
                n = self.sock.send(self.wbuf)
            except BlockingIOError:
                return
            except OSError as e:
                self.close("send: %s" % e)
                return
            self.wbuf = self.wbuf[n:]

    def close(self, why):
        if not self.closed:
            self.closed = True
            self.close_reason = why
            try:
                self.bench.sel.unregister(self.sock)
            except (KeyError, ValueError):
                pass
            self.sock.close()

    # -- receiving --------------------------------------------------------------

    def on_data(self, data, now_ns):
        buf = self.rbuf + data if self.rbuf else data
        n = len(buf)
        off = 0
        fm = po = 0
        v = self.version
        if v is None:
            v = 0
        cmd_off = 25 if v == OF13 else 57
        ctl_off = 15 if v == OF13 else 13
        fm_buf_off = 32 if v == OF13 else 64     # the flow-mod's buffer_id (first byte)
        buffered = self.bench.buffered
        while n - off >= 8:
            length = (buf[off + 2] << 8) | buf[off + 3]
            if length < 8:
                self.close("bad message length %d" % length)
                return
            if n - off < length:
                break
            t = buf[off + 1]
            if t == FLOW_MOD and self.version is not None:
                if buf[off + cmd_off] == 0:
                    fm += 1
                    if buffered and buf[off + fm_buf_off] != 0xFF:
                        self.fm_buffer += 1
                else:
                    self.fm_other += 1
            elif t == PACKET_OUT and self.version is not None:
                if buf[off + ctl_off] == 0xFD and buf[off + 12] == 0xFF:
                    self.po_ctl += 1
                else:
                    po += 1
                    if buffered and buf[off + 8] != 0xFF:
                        self.po_buffer += 1
            else:
                self.other_msgs += 1
                self.slow_path(buf[off:off + length])
                if self.closed:
                    return
                v = self.version or 0
                cmd_off = 25 if v == OF13 else 57
                ctl_off = 15 if v == OF13 else 13
                fm_buf_off = 32 if v == OF13 else 64
            off += length
        self.rbuf = buf[off:] if off < n else b""
        if fm or po:
            self.fm_add += fm
            self.po_reply += po
            self.last_activity = self.last_answer = time.monotonic()
            if fm and self.mode == "lat" and self.outstanding:
                self.outstanding = False
                self.lat_samples.append(now_ns - self.sent_at)
                self.send_latency_probe()

    def slow_path(self, msg):
        version, t, length, xid = struct.unpack_from("!BBHI", msg)
        if t != ECHO_REQUEST:
            self.last_activity = time.monotonic()
        if t == HELLO and self.version is None:
            self.negotiate(version, msg)
            return
        if self.version is None:
            self.close("message type %d before HELLO" % t)
            return
        v = self.version
        name = None
        if t == ECHO_REQUEST:
            name = "echo"
            self.write(ofp(v, ECHO_REPLY, xid, msg[8:]))
        elif t == FEATURES_REQUEST:
            name = "features"
            self.write(ofp(v, FEATURES_REPLY, xid, self.features_body()))
            self.features_sent = True
        elif t == GET_CONFIG_REQUEST:
            name = "get-config"
            self.write(ofp(v, GET_CONFIG_REPLY, xid, struct.pack("!HH", 0, self.miss_send_len)))
        elif t == SET_CONFIG:
            name = "set-config"
            if length >= 12:
                self.miss_send_len = struct.unpack_from("!H", msg, 10)[0]
        elif t == ERROR:
            name = "error"
            et, ec = struct.unpack_from("!HH", msg, 8) if length >= 12 else (0, 0)
            self.errors.append((et, ec))
        elif v == OF13 and t == MULTIPART_REQUEST:
            mp = struct.unpack_from("!H", msg, 8)[0] if length >= 16 else -1
            name = "multipart %d" % mp
            for part in self.multipart_13(mp, msg[16:]):
                self.write(ofp(v, MULTIPART_REPLY, xid, part))
        elif v == OF10 and t == STATS_REQUEST_10:
            st = struct.unpack_from("!H", msg, 8)[0] if length >= 12 else -1
            name = "stats %d" % st
            for part in self.stats_10(st, msg[12:]):
                self.write(ofp(v, STATS_REPLY_10, xid, part))
        elif (v == OF13 and t == BARRIER_REQUEST_13) or (v == OF10 and t == BARRIER_REQUEST_10):
            name = "barrier"
            self.write(ofp(v, BARRIER_REPLY_13 if v == OF13 else BARRIER_REPLY_10, xid))
        elif v == OF13 and t == ROLE_REQUEST:
            name = "role"
            self.write(ofp(v, ROLE_REPLY, xid, msg[8:]))
        elif v == OF13 and t == GET_ASYNC_REQUEST:
            name = "get-async"
            self.write(ofp(v, GET_ASYNC_REPLY, xid, struct.pack("!IIIIII", 0x3, 0x3, 0x7, 0x7, 0xF, 0xF)))
        elif t in SILENT[v]:
            name = "type %d" % t
        else:
            name = "unknown type %d" % t
            code = 3 if t == EXPERIMENTER else 1      # BAD_EXPERIMENTER / BAD_TYPE
            self.write(ofp(v, ERROR, xid, struct.pack("!HH", 1, code) + msg[:64]))
        if name:
            self.requests[name] = self.requests.get(name, 0) + 1

    def negotiate(self, peer_version, msg):
        ours = set(self.offer)
        theirs = None
        off = 8
        while off + 4 <= len(msg):
            et, el = struct.unpack_from("!HH", msg, off)
            if el < 4:
                break
            if et == 1 and el >= 8:
                theirs = set()
                for i in range((el - 4) // 4):
                    word = struct.unpack_from("!I", msg, off + 4 + 4 * i)[0]
                    for b in range(32):
                        if word >> b & 1:
                            theirs.add(32 * i + b)
            off += (el + 7) // 8 * 8
        if theirs is not None:
            common = ours & theirs
        else:
            common = {v for v in ours if v <= peer_version}
        if not common:
            self.requests["hello-failed"] = 1
            self.write(ofp(max(ours), ERROR, 0, struct.pack("!HH", 0, 0) + b"incompatible"))
            self.close("no common OpenFlow version (controller offered %s)" %
                       (sorted(theirs) if theirs is not None else peer_version))
            return
        self.version = max(common)

    # -- what the switch says about itself ---------------------------------------

    def port_mac(self, port):
        return (0x06 << 40) | ((self.dpid & 0xFFFF) << 16) | port

    def ports_13(self):
        out = []
        for p in range(1, self.hosts + 1):
            out.append(struct.pack("!I4x6s2x16sIIIIIIII", p, self.port_mac(p).to_bytes(6, "big"),
                                   ("s%d-eth%d" % (self.dpid, p)).encode()[:15],
                                   0, 4, 0x840, 0x840, 0x840, 0, 10000000, 10000000))  # state LIVE, 10G copper
        return out

    def ports_10(self):
        out = []
        for p in range(1, self.hosts + 1):
            out.append(struct.pack("!H6s16sIIIIII", p, self.port_mac(p).to_bytes(6, "big"),
                                   ("s%d-eth%d" % (self.dpid, p)).encode()[:15], 0, 0, 0x300, 0x300, 0x300, 0))
        return out

    def features_body(self):
        if self.version == OF13:
            return struct.pack("!QIBBxxII", self.dpid, 256, 254, 0, 0x4F, 0)
        return struct.pack("!QIBxxxII", self.dpid, 256, 1, 0x87, 0xFFF) + b"".join(self.ports_10())

    DESC = (b"swiftnet benchmark", b"emulated switch", b"controller_bench.py", b"0", b"cbench-style emulated switch")

    def desc_body(self):
        m, h, s, n, d = self.DESC
        return struct.pack("!256s256s256s32s256s", m, h, s, n, d)

    def port_stats(self, wanted, fmt):
        ports = range(1, self.hosts + 1) if wanted is None else [wanted]
        return [struct.pack(fmt, p) for p in ports if 1 <= p <= self.hosts]

    @staticmethod
    def split(items, head):
        """Multipart bodies of at most MAX_BODY bytes each, `head(more)` before each."""
        parts, cur = [], b""
        for it in items:
            if len(cur) + len(it) > MAX_BODY:
                parts.append(cur)
                cur = b""
            cur += it
        parts.append(cur)
        return [head(i < len(parts) - 1) + p for i, p in enumerate(parts)]

    def multipart_13(self, mp, req):
        head = lambda more: struct.pack("!HH4x", mp, 1 if more else 0)  # noqa: E731
        if mp == 0:                                   # DESC
            return [head(False) + self.desc_body()]
        if mp == 13:                                  # PORT_DESC
            return self.split(self.ports_13(), head)
        if mp == 4:                                   # PORT stats
            port = struct.unpack_from("!I", req)[0] if len(req) >= 4 else 0xFFFFFFFF
            return self.split(self.port_stats(None if port == 0xFFFFFFFF else port, "!I4x96x8x"), head)
        if mp == 2:                                   # AGGREGATE
            return [head(False) + struct.pack("!QQI4x", 0, 0, 0)]
        if mp == 3:                                   # TABLE
            return [head(False) + struct.pack("!B3xIQQ", 0, 0, 0, 0)]
        return [head(False)]                          # FLOW, GROUP, METER, TABLE_FEATURES...: none

    def stats_10(self, st, req):
        head = lambda more: struct.pack("!HH", st, 1 if more else 0)  # noqa: E731
        if st == 0:
            return [head(False) + self.desc_body()]
        if st == 4:
            port = struct.unpack_from("!H", req)[0] if len(req) >= 2 else 0xFFFF
            return self.split(self.port_stats(None if port == 0xFFFF else port, "!H6x96x"), head)
        if st == 2:
            return [head(False) + struct.pack("!QQI4x", 0, 0, 0)]
        if st == 3:
            return [head(False) + struct.pack("!B3x32sIIIQQ", 0, b"classifier", 0x3FFFFF, 1000000, 0, 0, 0)]
        return [head(False)]

    # -- sending packet-ins ---------------------------------------------------------

    def prepare(self, pairs_count):
        """Pre-encodes the warm-up and the measurement packet-ins (all the same size)."""
        v, m = self.version, self.hosts
        self.warm = []
        if m >= 2:
            self.warm.append(packet_in(v, 0, 1, udp_frame(self.dpid, 1, 2)))
            for h in range(2, m + 1):
                self.warm.append(packet_in(v, 0, h, udp_frame(self.dpid, h, h - 1)))
        pkts = []
        for i in range(pairs_count):
            src = i % m + 1
            dst = (i * 7 + 3 + i // m) % m + 1
            if dst == src:
                dst = src % m + 1
            buffer_id = (i % 256) if self.bench.buffered else NO_BUFFER
            pkts.append(packet_in(v, 0x10000 + i, src, udp_frame(self.dpid, src, dst), buffer_id))
        self.pkt_size = len(pkts[0])
        assert all(len(p) == self.pkt_size for p in pkts)
        self.npkts = len(pkts)
        self.pkts = pkts
        self.blob = memoryview(b"".join(pkts) * 2)
        self.blob_pos = 0
        self.lat_pos = 0

    def send_warmup(self):
        self.last_activity = time.monotonic()
        self.write(b"".join(self.warm))

    def _send_pending(self):
        try:
            n = self.sock.send(self.pending)
        except BlockingIOError:
            return False
        except OSError as e:
            self.close("send: %s" % e)
            return False
        if n == len(self.pending):
            self.pending = None
            return True
        self.pending = self.pending[n:]
        return False

    def pump(self, window):
        """Throughput mode: tops the connection up with packet-ins."""
        if self.closed:
            return
        if self.wbuf:
            self.flush()
            if self.wbuf:
                return
        while True:
            if self.pending is None:
                if window:
                    k = window - (self.scheduled - self.answered())
                    if k <= 0:
                        return
                    k = min(k, self.npkts)
                else:
                    k = self.npkts
                a = self.blob_pos
                self.pending = self.blob[a * self.pkt_size:(a + k) * self.pkt_size]
                self.blob_pos = (a + k) % self.npkts
                self.scheduled += k
            if not self._send_pending():
                return

    def send_latency_probe(self):
        p = self.pkts[self.lat_pos]
        self.lat_pos = (self.lat_pos + 1) % self.npkts
        self.scheduled += 1
        self.outstanding = True
        self.sent_at = time.perf_counter_ns()
        self.write(p)


# ---------------------------------------------------------------------------
# One benchmark run against one controller
# ---------------------------------------------------------------------------

def cpu_of(pid):
    """User + system seconds of a process (all its threads)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_peak_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    i = min(len(s) - 1, max(0, int(round(q / 100.0 * (len(s) - 1)))))
    return s[i]


class Bench:
    def __init__(self, args, port, pid, offer):
        self.args = args
        self.port = port
        self.pid = pid
        self.hosts = args.hosts
        self.offer = offer
        self.buffered = args.buffer_ids
        self.sel = selectors.DefaultSelector()
        self.switches = [EmuSwitch(self, dpid) for dpid in range(1, args.switches + 1)]
        self.log = []

    def say(self, text):
        print("    " + text, flush=True)
        self.log.append(text)

    def live(self):
        return [s for s in self.switches if not s.closed]

    def spin(self, seconds, mode=None, on_tick=None, until=None):
        """Runs the event loop for `seconds` (or until `until()` is true)."""
        end = time.monotonic() + seconds
        window = self.args.window
        sel = self.sel
        tick_timeout = 0.002 if mode == "tp" and window == 0 else 0.05
        # Throughput mode: at most one pass every `batch` seconds, so that each pass reads
        # and writes many messages per system call (the windows keep the controller busy
        # meanwhile); latency mode answers at once.
        batch = self.args.batch_ms / 1000.0 if mode == "tp" else 0.0
        last_pass = 0.0
        full_pass = 0.0
        while True:
            now = time.monotonic()
            if now >= end or (until is not None and until()):
                return
            if batch and now - last_pass < batch:
                time.sleep(batch - (now - last_pass))
            last_pass = time.monotonic()
            events = sel.select(min(tick_timeout, max(0.0, end - now)))
            now_ns = time.perf_counter_ns()
            heard = []
            for key, _ in events:
                sw = key.data
                if sw.closed:
                    continue
                try:
                    data = sw.sock.recv(1 << 18)
                except BlockingIOError:
                    continue
                except OSError as e:
                    sw.close("recv: %s" % e)
                    continue
                if not data:
                    sw.close("closed by the controller")
                    continue
                sw.on_data(data, now_ns)
                heard.append(sw)
            if mode == "tp":
                t = time.monotonic()
                if window == 0 or t - full_pass > 0.01:
                    full_pass = t
                    for sw in self.switches:
                        sw.pump(window)
                else:
                    for sw in heard:
                        sw.pump(window)
            else:
                for sw in self.switches:
                    if sw.closed:
                        continue
                    if sw.pending is not None:
                        # the rest of a batch cut short when a phase ended: the stream
                        # must stay whole
                        sw._send_pending()
                    if sw.wbuf:
                        sw.flush()
            if mode == "tp" and window:
                # A controller that drops packet-ins (or their answers) would stall the
                # window: a full window with no answer on that connection for 10 s, while
                # the controller answers nothing at all for 3 s, is written off.
                t = time.monotonic()
                if t - max(s.last_answer for s in self.switches) > 3.0:
                    for sw in self.switches:
                        if not sw.closed and sw.scheduled - sw.answered() >= window and t - sw.last_answer > 10.0:
                            sw.written_off += sw.scheduled - sw.answered()
                            sw.last_answer = t
            if mode == "lat":
                t_ns = time.perf_counter_ns()
                limit = int(self.args.latency_timeout * 1e9)
                for sw in self.switches:
                    if sw.outstanding and not sw.closed and t_ns - sw.sent_at > limit:
                        sw.lat_timeouts += 1
                        sw.outstanding = False
                        sw.send_latency_probe()
            if on_tick:
                on_tick()

    def quiet_for(self, seconds):
        t = time.monotonic()
        return all(t - s.last_activity >= seconds for s in self.live())

    def wait_quiet(self, quiet, limit):
        start = time.monotonic()
        self.spin(limit, until=lambda: self.quiet_for(quiet))
        return time.monotonic() - start

    def totals(self):
        keys = ("fm_add", "fm_other", "po_reply", "po_ctl", "scheduled", "written_off", "lat_timeouts", "fm_buffer",
                "po_buffer")
        return {k: sum(getattr(s, k) for s in self.switches) for k in keys}

    # -- the phases ----------------------------------------------------------------------

    def handshake(self):
        for sw in self.switches:
            sw.connect(self.port)
            self.sel.register(sw.sock, selectors.EVENT_READ, sw)
        deadline = 30
        self.spin(deadline, until=lambda: all(s.features_sent or s.closed for s in self.switches))
        if self.offer != (OF10,):
            # 1.3: every controller here installs a table-miss flow when it takes a switch on.
            self.spin(5, until=lambda: all(s.fm_add or s.closed for s in self.live()))
        self.wait_quiet(1.0, 20)
        bad = [s for s in self.switches if s.closed or not s.features_sent]
        for s in self.switches:
            s.table_miss = s.fm_add
        versions = sorted({s.version for s in self.switches if s.version})
        return bad, versions

    def warmup(self):
        for sw in self.live():
            sw.reset_phase()
            sw.send_warmup()
        took = self.wait_quiet(self.args.quiet, 120)
        t = self.totals()
        expected = len(self.live()) * max(0, self.hosts - 1)
        self.say("warm-up: %d packet-ins, %d flow-mods (%d expected), %d packet-outs, quiet after %.1f s"
                 % (len(self.live()) * self.hosts, t["fm_add"], expected, t["po_reply"], took))
        return {"packet_ins": len(self.live()) * self.hosts, "flow_mods": t["fm_add"], "expected_flow_mods": expected,
                "packet_outs": t["po_reply"], "seconds": took}

    def throughput(self):
        a = self.args
        for sw in self.live():
            sw.reset_phase()
            sw.mode = "tp"
        loops = []
        state = {}

        def snap():
            t = self.totals()
            t["time"] = time.monotonic()
            t["client_cpu"] = self_cpu()
            t["ctl_cpu"] = cpu_of(self.pid)
            return t

        prev = snap()
        for _ in range(a.loops):
            self.spin(a.loop_seconds, mode="tp")
            cur = snap()
            dt = cur["time"] - prev["time"]
            loops.append({
                "flow_mods_per_s": (cur["fm_add"] - prev["fm_add"]) / dt,
                "packet_outs_per_s": (cur["po_reply"] - prev["po_reply"]) / dt,
                "probe_packet_outs_per_s": (cur["po_ctl"] - prev["po_ctl"]) / dt,
                "packet_ins_per_s": (cur["scheduled"] - prev["scheduled"]) / dt,
                "client_cpu": (cur["client_cpu"] - prev["client_cpu"]) / dt,
                "controller_cpu": (cur["ctl_cpu"] - prev["ctl_cpu"]) / dt,
            })
            prev = cur
        state["outstanding_at_end"] = sum(s.scheduled - s.answered() for s in self.live())
        for sw in self.live():
            sw.mode = None
        drain = self.drain()
        t = self.totals()
        state["unanswered_after_drain"] = sum(max(0, s.scheduled - max(s.fm_add, s.po_reply)) for s in self.live())
        return self.summary(loops, t, drain, state)

    def drain(self):
        """Stops sending; waits for the answers still owed (or for quiet)."""
        start = time.monotonic()

        limit = self.args.drain_limit
        probe = {"t": start, "left": None}

        def owed():
            return sum(max(0, s.scheduled - max(s.fm_add, s.po_reply)) for s in self.live())

        def done():
            if all(s.pending is None and not s.wbuf and max(s.fm_add, s.po_reply) >= s.scheduled for s in self.live()) \
                    or self.quiet_for(2.0):
                return True
            # Give up early on a backlog that cannot be worked off within the limit.
            t = time.monotonic()
            if t - probe["t"] >= 3.0:
                left = owed()
                if probe["left"] is not None and probe["left"] > left:
                    rate = (probe["left"] - left) / (t - probe["t"])
                    if t + left / rate > start + limit:
                        return True
                probe.update(t=t, left=left)
            return False
        self.spin(limit, until=done)
        self.spin(0.3)
        return time.monotonic() - start

    def summary(self, loops, t, drain, state):
        fps = [l["flow_mods_per_s"] for l in loops]
        sent = t["scheduled"]
        return {
            "loops": loops,
            "flow_mods_per_s_median": statistics.median(fps) if fps else 0,
            "flow_mods_per_s_min": min(fps) if fps else 0,
            "flow_mods_per_s_max": max(fps) if fps else 0,
            "packet_outs_per_s_median": statistics.median(l["packet_outs_per_s"] for l in loops) if loops else 0,
            # probes come in bursts (one round every 2 s): a mean, not a median
            "probe_packet_outs_per_s_mean": statistics.mean(l["probe_packet_outs_per_s"] for l in loops) if loops else 0,
            "client_cpu_median": statistics.median(l["client_cpu"] for l in loops) if loops else 0,
            "controller_cpu_median": statistics.median(l["controller_cpu"] for l in loops) if loops else 0,
            "packet_ins_sent": sent,
            "flow_mods": t["fm_add"],
            "other_flow_mods": t["fm_other"],
            "packet_outs": t["po_reply"],
            "probe_packet_outs": t["po_ctl"],
            "flow_mods_per_packet_in": t["fm_add"] / sent if sent else 0,
            "packet_outs_per_packet_in": t["po_reply"] / sent if sent else 0,
            "written_off": t["written_off"],
            "flow_mods_naming_a_buffer": t["fm_buffer"],
            "packet_outs_naming_a_buffer": t["po_buffer"],
            "outstanding_at_end": state.get("outstanding_at_end"),
            "unanswered_after_drain": state.get("unanswered_after_drain"),
            "drain_seconds": drain,
        }

    def latency(self, only_one=False):
        """cbench's latency mode: one packet-in outstanding per switch (or, with
        `only_one`, on the first switch alone, the others idle)."""
        a = self.args
        nloops = a.single_latency_loops if only_one else a.loops
        for sw in self.live():
            sw.reset_phase()
        active = self.live()[:1] if only_one else self.live()
        for sw in active:
            sw.mode = "lat"
        loops = []
        prev_n = 0
        samples_all = []
        c0, k0 = self_cpu(), cpu_of(self.pid)
        for sw in active:
            sw.send_latency_probe()
        for _ in range(nloops):
            t0 = time.monotonic()
            self.spin(a.loop_seconds, mode="lat")
            dt = time.monotonic() - t0
            n = sum(len(s.lat_samples) for s in self.switches)
            loops.append((n - prev_n) / dt)
            prev_n = n
        c1, k1 = self_cpu(), cpu_of(self.pid)
        for sw in self.switches:
            sw.mode = None
            samples_all.extend(sw.lat_samples)
        elapsed = nloops * a.loop_seconds
        drain = self.drain()
        t = self.totals()
        us = [x / 1000.0 for x in samples_all]
        return {
            "responses_per_s_loops": loops,
            "responses_per_s_median": statistics.median(loops) if loops else 0,
            "latency_us_median": statistics.median(us) if us else None,
            "latency_us_p99": pct(us, 99),
            "latency_us_min": min(us) if us else None,
            "samples": len(us),
            "timeouts": t["lat_timeouts"],
            "packet_ins_sent": t["scheduled"],
            "flow_mods": t["fm_add"],
            "packet_outs": t["po_reply"],
            "flow_mods_per_packet_in": t["fm_add"] / t["scheduled"] if t["scheduled"] else 0,
            "client_cpu": (c1 - c0) / elapsed,
            "controller_cpu": (k1 - k0) / elapsed,
            "drain_seconds": drain,
        }

    def close(self):
        for sw in self.switches:
            if not sw.closed:
                sw.close("benchmark over")
        self.sel.close()


# ---------------------------------------------------------------------------
# Processes we start: stopped by PID, always
# ---------------------------------------------------------------------------

STARTED = []   # Popen objects still to stop


def session_members(sid):
    """PIDs whose session id is `sid` (what a child started with a new session left)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid and int(d) != os.getpid():
                out.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return out


def stop_process(proc, grace=3.0, sig=signal.SIGTERM):
    """SIGTERM (or `sig`) to the PID, SIGKILL after `grace` s; then the same for whatever
    is left in its session (it was started with a new one)."""
    if proc is None:
        return []
    if proc.poll() is None:
        try:
            os.kill(proc.pid, sig)
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)
        except ProcessLookupError:
            pass
    left = session_members(proc.pid)
    for pid in left:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        for _ in range(30):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.1)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if proc in STARTED:
        STARTED.remove(proc)
    return left


def stop_all():
    for p in list(STARTED):
        try:
            stop_process(p)
        except Exception as e:  # noqa: BLE001 - keep stopping the others
            print("*** could not stop pid %d: %s" % (p.pid, e), file=sys.stderr)


def start(cmd, cpus=None, **kw):
    """Starts `cmd` in a session of its own (so its helpers can be found and stopped),
    pinned to `cpus` when given (before exec, so every thread it makes inherits it)."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    if cpus:
        kw["preexec_fn"] = lambda: os.sched_setaffinity(0, cpus)
    p = subprocess.Popen(cmd, start_new_session=True, **kw)
    STARTED.append(p)
    return p


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    """True when 127.0.0.1:port (or 0.0.0.0:port) is in LISTEN state (no probe connection:
    ovs-testcontroller would count one as a switch)."""
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                parts = line.split()
                local, state = parts[1], parts[3]
                addr, p = local.split(":")
                if int(p, 16) == port and state == "0A" and addr in ("0100007F", "00000000"):
                    return True
    except OSError:
        pass
    return False


# ---------------------------------------------------------------------------
# The controllers
# ---------------------------------------------------------------------------

def osken_app(args):
    if args.osken_app:
        return args.osken_app, "given with --osken-app"
    r = subprocess.run([OSKEN_PYTHON, "-c", "import os_ken.app.simple_switch_13"], capture_output=True, text=True)
    if r.returncode == 0:
        return "os_ken.app.simple_switch_13", "os_ken.app.simple_switch_13"
    return OSKEN_FALLBACK_APP, ("os_ken.app.simple_switch_13 is not in the installed os-ken 3.1.1 (its wheel ships "
                                "only os_ken/app/ofctl), so the project's equivalent app "
                                "Tests/IntegrationTests/Controllers/l2_learning.py is used")


def controller_specs(args):
    app, app_note = osken_app(args)
    osken_cmd = [OSKEN_MANAGER, "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", "{port}"]
    if args.osken_log_level is not None:
        osken_cmd += ["--default-log-level", str(args.osken_log_level)]
    osken_cmd.append(app)
    specs = [
        {"name": "swiftnet-forwarding", "label": "swiftnet built-in (forwarding, default modules)",
         "cmd": [args.swiftnet, "controller", "--port", "{port}", "--rest-port", "0", "--app", "forwarding"],
         "offer": (OF10, OF13), "speaks": "1.0, 1.3"},
        {"name": "swiftnet-learning", "label": "swiftnet built-in (learning)",
         "cmd": [args.swiftnet, "controller", "--port", "{port}", "--rest-port", "0", "--app", "learning"],
         "offer": (OF10, OF13), "speaks": "1.0, 1.3"},
        {"name": "os-ken", "label": "os-ken 3.1.1 L2 learning (%s)" % os.path.basename(app).replace(".py", ""),
         "cmd": osken_cmd, "offer": (OF13,), "speaks": "1.3 (the app's OFP_VERSIONS)", "note": app_note},
        {"name": "ovs-testcontroller", "label": "ovs-testcontroller (OVS %s)" % ovs_version(),
         "cmd": ["ovs-testcontroller", "ptcp:{port}:127.0.0.1", "--unixctl={tmp}/ovs-testcontroller.ctl",
                 "--no-chdir", "-vconsole:info", "-vsyslog:off"],
         "offer": (OF10, OF13), "speaks": "1.0 to 1.5 (default -O; 1.3 negotiated here)"},
    ]
    if args.openflow == "1.0":
        for s in specs:
            s["offer"] = (OF10,)
    return specs


def ovs_version():
    try:
        out = subprocess.run(["ovs-testcontroller", "--version"], capture_output=True, text=True).stdout
        m = re.search(r"(\d+\.\d+\.\d+)", out)
        return m.group(1) if m else "?"
    except OSError:
        return "missing"


def selected(specs, only):
    if not only:
        return specs
    names = [n.strip() for n in only.split(",") if n.strip()]
    out = [s for s in specs if any(s["name"] == n or s["name"].startswith(n) for n in names)]
    if not out:
        raise SystemExit("--only %s matches none of: %s" % (only, ", ".join(s["name"] for s in specs)))
    return out


def run_controller(args, spec, tmpdir, run_no):
    print("*** %s, run %d" % (spec["label"], run_no), flush=True)
    port = free_port()
    logpath = os.path.join(tmpdir, "%s-%d.log" % (spec["name"], run_no))
    cmd = [c.format(port=port, tmp=tmpdir) for c in spec["cmd"]]
    result = {"controller": spec["name"], "label": spec["label"], "run": run_no, "command": " ".join(cmd),
              "log": logpath}
    if spec["name"] == "os-ken" and OF13 not in spec["offer"]:
        result["skipped"] = "the os-ken app speaks OpenFlow 1.3 only"
        print("    skipped: " + result["skipped"])
        return result
    result["restarted_for_latency"] = False
    def launch(port, logpath):
        with open(logpath, "ab") as log:
            proc = start([c.format(port=port, tmp=tmpdir) for c in spec["cmd"]], cpus=args.controller_cpus,
                         stdout=log, stderr=subprocess.STDOUT, cwd=tmpdir)
        deadline = time.monotonic() + 30
        while not listening(port):
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %s before listening; log: %s" % (spec["name"], proc.returncode, tail(logpath)))
            if time.monotonic() > deadline:
                stop_process(proc)
                raise RuntimeError("%s did not listen on 127.0.0.1:%d within 30 s" % (spec["name"], port))
            time.sleep(0.05)
        return proc, 30 - (deadline - time.monotonic())

    bench = None
    proc = None
    try:
        proc, result["startup_seconds"] = launch(port, logpath)
        bench = Bench(args, port, proc.pid, spec["offer"])
        bad, versions = bench.handshake()
        result["openflow"] = ", ".join(VERSION_NAME.get(v, str(v)) for v in versions)
        result["switches_connected"] = len(bench.switches) - len(bad)
        if bad:
            reasons = sorted({s.close_reason or "no FEATURES_REQUEST" for s in bad})
            bench.say("%d of %d switches not taken on: %s" % (len(bad), len(bench.switches), "; ".join(reasons)))
            result["switches_refused"] = {"count": len(bad), "why": reasons}
        if not bench.live():
            raise RuntimeError("no switch completed the handshake")
        reqs = {}
        for s in bench.switches:
            for k, v in s.requests.items():
                reqs[k] = reqs.get(k, 0) + v
        result["handshake_requests"] = reqs
        result["table_miss_flows"] = sum(s.table_miss for s in bench.switches)
        bench.say("OpenFlow %s; %d switches; the controller asked: %s" % (
            result["openflow"], result["switches_connected"], ", ".join("%s x%d" % kv for kv in sorted(reqs.items()))))
        for s in bench.live():
            s.prepare(args.pairs)
        result["warmup"] = bench.warmup()
        tp = bench.throughput()
        result["throughput"] = tp
        if args.buffer_ids:
            bench.say("throughput: %d flow-mods and %d packet-outs named a buffer id (the rest NO_BUFFER)"
                      % (tp["flow_mods_naming_a_buffer"], tp["packet_outs_naming_a_buffer"]))
        bench.say("throughput: %.0f flow-mods/s median (min %.0f, max %.0f); %.3f flow-mods and %.3f packet-outs "
                  "per packet-in; client CPU %.0f%%, controller CPU %.0f%%; %.0f probe packet-outs/s (mean)"
                  % (tp["flow_mods_per_s_median"], tp["flow_mods_per_s_min"], tp["flow_mods_per_s_max"],
                     tp["flow_mods_per_packet_in"], tp["packet_outs_per_packet_in"], 100 * tp["client_cpu_median"],
                     100 * tp["controller_cpu_median"], tp["probe_packet_outs_per_s_mean"]))
        if tp["written_off"]:
            bench.say("throughput: %d packet-ins never answered (written off to keep the window open)" % tp["written_off"])
        if tp["unanswered_after_drain"]:
            # A backlog the controller could not work off within --drain-limit (the socket-full
            # mode, a slow controller): its late answers would be taken for latency answers.
            bench.say("throughput: %d packet-ins still unanswered after %.0f s of draining: the ratio above is a "
                      "lower bound; the controller is restarted for the latency phase" % (
                          tp["unanswered_after_drain"], tp["drain_seconds"]))
            bench.close()
            bench = None
            result["controller_rss_peak_mb_throughput"] = rss_peak_mb(proc.pid)
            stop_process(proc)
            port = free_port()
            proc, _ = launch(port, logpath)
            result["restarted_for_latency"] = True
            bench = Bench(args, port, proc.pid, spec["offer"])
            bench.handshake()
            if not bench.live():
                raise RuntimeError("no switch completed the second handshake")
            for s in bench.live():
                s.prepare(args.pairs)
            result["warmup_again"] = bench.warmup()
        bench.wait_quiet(args.quiet, 30)
        lat = bench.latency()
        result["latency"] = lat
        bench.say("latency: median %s us, p99 %s us, %.0f responses/s; %.3f flow-mods per packet-in; %d timeouts; "
                  "client CPU %.0f%%, controller CPU %.0f%%"
                  % (fmt(lat["latency_us_median"], 1), fmt(lat["latency_us_p99"], 1), lat["responses_per_s_median"],
                     lat["flow_mods_per_packet_in"], lat["timeouts"], 100 * lat["client_cpu"], 100 * lat["controller_cpu"]))
        if args.single_latency_loops:
            bench.wait_quiet(args.quiet, 30)
            lat1 = bench.latency(only_one=True)
            result["latency_one_switch"] = lat1
            bench.say("latency, one switch: median %s us, p99 %s us, %.0f responses/s; %.3f flow-mods per packet-in; "
                      "client CPU %.0f%%, controller CPU %.0f%%"
                      % (fmt(lat1["latency_us_median"], 1), fmt(lat1["latency_us_p99"], 1), lat1["responses_per_s_median"],
                         lat1["flow_mods_per_packet_in"], 100 * lat1["client_cpu"], 100 * lat1["controller_cpu"]))
        errs = {}
        for s in bench.switches:
            for e in s.errors:
                errs["%d/%d" % e] = errs.get("%d/%d" % e, 0) + 1
        if errs:
            result["errors_from_controller"] = errs
            bench.say("ERROR messages from the controller (type/code: count): %s" % errs)
        closed = [s for s in bench.switches if s.closed and s not in bad]
        if closed:
            result["closed_during_run"] = sorted({s.close_reason for s in closed})
            bench.say("%d connections closed during the run: %s" % (len(closed), result["closed_during_run"]))
        result["controller_rss_peak_mb"] = rss_peak_mb(proc.pid)
        result["notes"] = bench.log
        if proc.poll() is not None:
            result["exited"] = proc.returncode
    except Exception as e:  # noqa: BLE001 - one controller's failure is reported, the others still run
        result["error"] = str(e)
        print("    FAILED: %s" % e, flush=True)
    finally:
        if bench:
            bench.close()
        left = stop_process(proc) if proc else []
        if left:
            result["leftover_pids_killed"] = left
    result["log_tail"] = tail(logpath, 6)
    overflow = count_in(logpath, "tx queue overflow")
    if overflow:
        result["ovs_tx_queue_overflow_lines"] = overflow
    return result


def tail(path, n=10):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return ""


def count_in(path, text):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").count(text)
    except OSError:
        return 0


def fmt(v, digits=0):
    if v is None:
        return "–"
    return "{:,.{d}f}".format(v, d=digits)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def controller_table(results):
    by = {}
    for r in results:
        by.setdefault(r["controller"], []).append(r)

    def med(name, key, sub):
        vals = [r[sub][key] for r in by.get(name, []) if sub in r and r[sub].get(key)]
        return statistics.median(vals) if vals else None

    osken_tp = med("os-ken", "flow_mods_per_s_median", "throughput")
    osken_lat = med("os-ken", "responses_per_s_median", "latency")
    lines = [
        "| controller | run | OpenFlow | throughput flow-mods/s: median (min–max) | flow-mods / packet-in (tp) "
        "| latency median µs | latency p99 µs | latency responses/s | flow-mods / packet-in (lat) "
        "| client CPU (tp) | controller CPU (tp) | probe packet-outs/s (tp) | × os-ken throughput | × os-ken latency resp/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "skipped" in r:
            lines.append("| %s | %d | – | skipped: %s |  |  |  |  |  |  |  |  |  |  |" % (r["label"], r["run"], r["skipped"]))
            continue
        if "error" in r and "throughput" not in r:
            lines.append("| %s | %d | %s | **failed: %s** |  |  |  |  |  |  |  |  |  |  |" % (
                r["label"], r["run"], r.get("openflow", "–"), r["error"].replace("|", "/").replace("\n", " ")[:200]))
            continue
        tp, lat = r.get("throughput", {}), r.get("latency", {})
        fpi_tp = tp.get("flow_mods_per_packet_in", 0)
        fpi_lat = lat.get("flow_mods_per_packet_in", 0)

        def flag(x, undrained=0):
            if undrained:
                return "**≥%.3f** (%s not drained)" % (x, fmt(undrained))
            return ("**%.3f**" % x) if x and abs(x - 1) > 0.01 else "%.3f" % x
        lines.append("| %s | %d | %s | %s (%s–%s) | %s | %s | %s | %s | %s | %.0f%% | %.0f%% | %s | %s | %s |" % (
            r["label"], r["run"], r.get("openflow", "–"),
            fmt(tp.get("flow_mods_per_s_median")), fmt(tp.get("flow_mods_per_s_min")), fmt(tp.get("flow_mods_per_s_max")),
            flag(fpi_tp, tp.get("unanswered_after_drain")), fmt(lat.get("latency_us_median"), 1), fmt(lat.get("latency_us_p99"), 1),
            fmt(lat.get("responses_per_s_median")), flag(fpi_lat),
            100 * tp.get("client_cpu_median", 0), 100 * tp.get("controller_cpu_median", 0),
            fmt(tp.get("probe_packet_outs_per_s_mean")),
            ("%.2f" % (tp["flow_mods_per_s_median"] / osken_tp)) if osken_tp and tp.get("flow_mods_per_s_median") else "–",
            ("%.2f" % (lat["responses_per_s_median"] / osken_lat)) if osken_lat and lat.get("responses_per_s_median") else "–"))
    return "\n".join(lines)


def summary_table(results):
    by = {}
    for r in results:
        if "throughput" in r:
            by.setdefault(r["controller"], []).append(r)

    def med(rs, sub, key):
        vals = [r[sub][key] for r in rs if r.get(sub, {}).get(key) is not None]
        return statistics.median(vals) if vals else None
    base_tp = med(by.get("os-ken", []), "throughput", "flow_mods_per_s_median")
    base_lat = med(by.get("os-ken", []), "latency", "responses_per_s_median")
    lines = ["| controller | OpenFlow | runs | throughput flow-mods/s (median of runs; each run's median) "
             "| latency median µs | latency p99 µs | latency responses/s | 1 switch: latency median µs | 1 switch: p99 µs "
             "| throughput ÷ os-ken | latency resp/s ÷ os-ken |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, rs in by.items():
        tp = med(rs, "throughput", "flow_mods_per_s_median")
        lat = med(rs, "latency", "responses_per_s_median")
        lines.append("| %s | %s | %d | %s (%s) | %s | %s | %s | %s | %s | %s | %s |" % (
            rs[0]["label"], rs[0].get("openflow", "–"), len(rs), fmt(tp),
            ", ".join(fmt(r["throughput"]["flow_mods_per_s_median"]) for r in rs),
            fmt(med(rs, "latency", "latency_us_median"), 1), fmt(med(rs, "latency", "latency_us_p99"), 1), fmt(lat),
            fmt(med(rs, "latency_one_switch", "latency_us_median"), 1),
            fmt(med(rs, "latency_one_switch", "latency_us_p99"), 1),
            "%.2f" % (tp / base_tp) if tp and base_tp else "–", "%.2f" % (lat / base_lat) if lat and base_lat else "–"))
    return "\n".join(lines)


def network_tables(net):
    lines = []
    if not net:
        return ""
    lines.append("| network | first ping ms (median) | second ping ms (median) | pairs | first pings lost "
                 "| reroute: longest reply gap ms (at the cut) | normal reply spacing ms | replies lost / sent "
                 "| link taken down |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for n in net:
        if "error" in n and "first_ping" not in n:
            lines.append("| %s | **failed: %s** |  |  |  |  |  |  |  |" % (n["label"], n["error"].replace("|", "/")[:200]))
            continue
        fp = n.get("first_ping", {})
        rr = n.get("reroute", {})
        lines.append("| %s | %s | %s | %s | %s | %s (%s) | %s | %s / %s | %s |" % (
            n["label"], fmt(fp.get("first_ms_median"), 2), fmt(fp.get("second_ms_median"), 3), fp.get("pairs", 0),
            fp.get("lost", 0), fmt(rr.get("longest_gap_ms"), 1), fmt(rr.get("longest_gap_near_cut_ms"), 1),
            fmt(rr.get("normal_spacing_ms"), 1), rr.get("lost", "–"), rr.get("sent", "–"), rr.get("link", "–")))
    return "\n".join(lines)


def report(args, results, net, meta):
    out = ["# OpenFlow controllers, cbench-style", "",
           "%s; %d CPUs; %s; %d switches x %d hosts; %s; %d loops of %g s; window %s packet-ins per switch%s; "
           "OpenFlow offered: %s." % (meta["when"], meta["cpus"], meta.get("pinning", "none"), args.switches, args.hosts,
              "packet-ins with buffer ids" if args.buffer_ids else "packet-ins with buffer_id = NO_BUFFER (whole frame)",
              args.loops, args.loop_seconds, args.window or "unlimited (socket kept full)",
              "", args.openflow), "",
           summary_table(results), "", "Every run:", "", controller_table(results), ""]
    notes = [
        "Throughput: flow-mods (ADD) received per second while every switch keeps %s; latency: one packet-in outstanding per switch, time to its flow-mod. CPU columns: share of "
        "one core used by the emulated switches (this script) and by the controller; a controller at ~100%% "
        "with the client well below it is the bottleneck." % (
            "its socket full of packet-ins" if not args.window else "%d packet-ins outstanding" % args.window),
        "Packet-ins: unicast IPv4/UDP between two hosts the controller learnt in the warm-up, in_port the "
        "source's port, %s. Each controller answers each one with a FLOW_MOD and a PACKET_OUT (the ratio "
        "columns; anything but 1.000 is in bold)." % (
            "buffer ids 0-255 (os-ken's app then sends PACKET_OUT by buffer id, ovs-testcontroller puts the buffer "
            "id in its FLOW_MOD and sends no PACKET_OUT; swiftnet ignores buffer ids and always sends the frame)"
            if args.buffer_ids else "buffer_id = NO_BUFFER, so that all of them answer the same way (FLOW_MOD, then "
            "PACKET_OUT with the frame)"),
        "ovs-testcontroller speaks OpenFlow 1.0 to 1.5 by default (no -O needed); the switches offer 1.0 and 1.3, "
        "so 1.3 is negotiated with every controller (os-ken's app is 1.3 only). It takes at most 16 switches.",
        "swiftnet's forwarding app also sends LLDP and BDDP probes (PACKET_OUT from OFPP_CONTROLLER) out of every "
        "port every 2 s: the 'probe packet-outs/s' column; they are counted apart and are not answers.",
    ]
    tp_bound = sorted({r["label"] for r in results if r.get("throughput", {}).get("client_cpu_median", 0) > 0.9})
    lat_bound = sorted({r["label"] for r in results if r.get("latency", {}).get("client_cpu", 0) > 0.9})
    if tp_bound:
        notes.append("**The emulated switches (this client) used over 90% of their CPU in the throughput phase of: "
                     "%s**: there the client may be the bottleneck." % ", ".join(tp_bound))
    else:
        notes.append("In every throughput phase the emulated switches used less than 90% of their CPU while the "
                     "controller used its whole core: the controllers are the bottleneck there.")
    if lat_bound:
        notes.append("Latency with all %d switches: the client used over 90%% of its CPU for %s, so that figure "
                     "includes the client's own turn-around (one Python loop over the switches); the one-switch "
                     "latency is the cleaner per-request time." % (args.switches, ", ".join(lat_bound)))
    restarted = sorted({r["label"] for r in results if r.get("restarted_for_latency")})
    if restarted:
        notes.append("%s could not work off the packet-ins queued in the socket-full throughput phase within "
                     "--drain-limit: its flow-mods / packet-in there is a lower bound (≥), and it was restarted for "
                     "the latency phases (whose ratio is exact)." % ", ".join(restarted))
    for r in results:
        if r.get("run") == 1 and r.get("controller") == "os-ken" and r.get("note"):
            notes.append("os-ken: " + r["note"] + ".")
    if notes:
        out += ["Notes:", ""] + ["- " + n for n in notes] + [""]
    out.append("Commands: " + "; ".join(sorted({"`%s`" % re.sub(r"\b\d{4,5}\b", "PORT", r["command"]) for r in results
                                                  if "command" in r})))
    if net:
        out += ["", "# swiftnet networks (torus,4,4)", "", network_tables(net), "",
                "First ping: `hA ping -c1` between two hosts that never talked (8 disjoint pairs, 4 hops apart), "
                "ARP and, under the controller, its path set-up included; second ping right after. Reroute: "
                "`ping -D -i %g` from %s, the link on its path (the controller's `path`, or the spanning tree's "
                "forwarding ports) taken down with the shell's `link A B down` after %g s; the longest gap between "
                "two replies. Linux bridges run the kernel's 802.1D STP (swiftnet turns it on for an lxbr "
                "topology with a loop, forward delay 2 s, max age 20 s); the tree differs between runs (random "
                "bridge MACs), so the link cut may differ." % (
                    args.reroute_interval, args.reroute_pair.replace(",", " to "), args.reroute_cut_after)]
        for n in net:
            if n.get("notes"):
                out += ["", "%s:" % n["label"]] + ["- " + x for x in n["notes"]]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Part 2: the real emulator
# ---------------------------------------------------------------------------

class NetShell:
    """`flock LOCK swiftnet --topo ...` with its shell on a pipe; commands are followed by
    an echoed marker so we know when each has finished."""

    def __init__(self, argv, log):
        self.argv = argv
        self.log = log
        self.proc = start(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = []
        self.cv = threading.Condition()
        self.eof = False
        self.n = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            with self.cv:
                self.lines.append((time.time(), line))
                self.cv.notify_all()
            self.log.write(line + "\n")
            self.log.flush()
        with self.cv:
            self.eof = True
            self.cv.notify_all()

    def wait_for(self, pattern, timeout, start=0):
        """Index of the first line from `start` matching `pattern`."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = start
        with self.cv:
            while True:
                while i < len(self.lines):
                    if rx.search(self.lines[i][1]):
                        return i
                    i += 1
                if self.eof:
                    raise RuntimeError("swiftnet ended; last lines:\n" + "\n".join(l for _, l in self.lines[-15:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("timed out waiting for /%s/; last lines:\n%s" % (
                        pattern, "\n".join(l for _, l in self.lines[-15:])))
                self.cv.wait(left)

    def cmd(self, text, timeout=60):
        """Runs one shell command; returns (its output lines, seconds it took)."""
        self.n += 1
        mark = "@@swnb-%d-%d@@" % (os.getpid(), self.n)
        with self.cv:
            start = len(self.lines)
        t0 = time.monotonic()
        self.proc.stdin.write((text + "\n" + "sh echo " + mark + "\n").encode())
        self.proc.stdin.flush()
        i = self.wait_for(re.escape(mark), timeout, start)
        took = time.monotonic() - t0
        with self.cv:
            out = [l for _, l in self.lines[start:i]]
        return [l.replace("swiftnet> ", "") for l in out if l.strip() and l.strip() != "swiftnet>"], took

    def close(self, timeout=120):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"exit\n")
                self.proc.stdin.flush()
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # SIGINT first (swiftnet tears its network down on it), then SIGKILL.
        self.leftovers = stop_process(self.proc, grace=60, sig=signal.SIGINT)
        self.reader.join(timeout=5)


def root_state():
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    names = sorted(re.findall(r"^\d+: ([^:@]+)", links, re.M))
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    return names, netns


def ping_ms(lines):
    for l in lines:
        m = re.search(r"time[=<]([\d.]+) ms", l)
        if m:
            return float(m.group(1))
    return None


def parse_fast_ping(lines):
    """[epoch] ... icmp_seq=N ... from `ping -D`: reply times and sequence numbers."""
    got = []
    for l in lines:
        m = re.search(r"\[(\d+\.\d+)\].*icmp_seq=(\d+)", l)
        if m and "bytes from" in l:
            got.append((float(m.group(1)), int(m.group(2))))
    return got


TORUS_PAIRS = [("h1x1", "h3x3"), ("h1x2", "h3x4"), ("h2x1", "h4x3"), ("h2x2", "h4x4"),
               ("h1x3", "h3x1"), ("h1x4", "h3x2"), ("h2x3", "h4x1"), ("h2x4", "h4x2")]


def network_run(args, label, switch_args, tmpdir, is_controller):
    res = {"label": label, "notes": []}
    logpath = os.path.join(tmpdir, "net-%s.log" % re.sub(r"\W+", "-", label))
    argv = ["flock", "-w", str(args.lock_wait), NET_LOCK, args.swiftnet, "--topo", "torus,4,4"] + switch_args
    res["command"] = " ".join(argv)
    print("*** %s: %s" % (label, res["command"]), flush=True)
    with open(logpath, "w") as log:
        t0 = time.monotonic()
        sh = NetShell(argv, log)
        try:
            # The shell reads stdin; the marker comes back once the network is up.
            _, took = sh.cmd("sh true", timeout=args.lock_wait + 300)
            res["ready_seconds"] = time.monotonic() - t0
            print("    network up (incl. waiting for the lock) after %.1f s" % res["ready_seconds"], flush=True)
            pairs = TORUS_PAIRS[:args.pairs_net]
            firsts, seconds, lost = [], [], 0
            per = []
            for a, b in pairs:
                out1, _ = sh.cmd("%s ping -c1 -W 5 %s" % (a, b), timeout=30)
                out2, _ = sh.cmd("%s ping -c1 -W 5 %s" % (a, b), timeout=30)
                f, s = ping_ms(out1), ping_ms(out2)
                per.append({"pair": "%s-%s" % (a, b), "first_ms": f, "second_ms": s})
                if f is None:
                    lost += 1
                else:
                    firsts.append(f)
                if s is not None:
                    seconds.append(s)
            res["first_ping"] = {"pairs": len(pairs), "per_pair": per, "lost": lost,
                                 "first_ms_median": statistics.median(firsts) if firsts else None,
                                 "second_ms_median": statistics.median(seconds) if seconds else None}
            print("    first ping: median %s ms (second %s ms) over %d pairs, %d first pings lost: %s" % (
                fmt(res["first_ping"]["first_ms_median"], 2), fmt(res["first_ping"]["second_ms_median"], 3), len(pairs),
                lost, ", ".join("%s %s/%s" % (p["pair"], fmt(p["first_ms"], 2), fmt(p["second_ms"], 3)) for p in per)),
                flush=True)
            res["reroute"] = reroute(args, sh, res, is_controller)
            if is_controller:
                out, _ = sh.cmd("controller", timeout=30)
                res["controller_counters"] = out
        except Exception as e:  # noqa: BLE001
            res["error"] = str(e)
            print("    FAILED: %s" % e, flush=True)
        finally:
            t1 = time.monotonic()
            sh.close()
            res["teardown_seconds"] = time.monotonic() - t1
            res["exit_status"] = sh.proc.returncode
            res["leftover_pids_killed"] = sh.leftovers
            print("    stopped in %.1f s, exit status %s, %s" % (
                res["teardown_seconds"], sh.proc.returncode,
                "leftover processes killed: %s" % sh.leftovers if sh.leftovers else "no process left in its session"),
                flush=True)
    res["log"] = logpath
    return res


def stp_path(sh, sa, sb):
    """The path from bridge `sa` to bridge `sb` along the spanning tree: the bridges all
    sit in one namespace, whose `bridge link` gives every port's STP state; a link is on
    the tree when both its ends are forwarding."""
    out, _ = sh.cmd("%s bridge link" % sa, timeout=30)
    state = {}
    peer = {}
    for l in out:
        m = re.search(r"\d+: (s\d+x\d+)-eth\d+@(s\d+x\d+)-eth\d+:.* state (\w+)", l)
        if m:
            a, b, st = m.groups()
            state[(a, b)] = st
            peer.setdefault(a, set()).add(b)
    adj = {}
    for (a, b), st in state.items():
        if st == "forwarding" and state.get((b, a)) == "forwarding":
            adj.setdefault(a, set()).add(b)
    prev, queue = {sa: None}, [sa]
    while queue:
        x = queue.pop(0)
        for y in sorted(adj.get(x, ())):
            if y not in prev:
                prev[y] = x
                queue.append(y)
    if sb not in prev:
        return None, state
    path, x = [], sb
    while x is not None:
        path.insert(0, x)
        x = prev[x]
    return path, state


def reroute(args, sh, res, is_controller):
    a, b = args.reroute_pair.split(",")
    # Which inter-switch link does a -> b cross? The controller's path (the shell's `path`
    # verb), or the spanning tree's (the bridges' port states).
    sa, sb = "s" + a[1:], "s" + b[1:]
    link = None
    sh.cmd("%s ping -c3 -i 0.2 %s" % (a, b), timeout=30)
    if is_controller:
        path_out, _ = sh.cmd("path %s %s" % (a, b), timeout=30)
        res["notes"].append("path %s %s: %s" % (a, b, " / ".join(path_out)))
        for l in path_out:
            nodes = re.findall(r"\b(s\d+x\d+)\b", l)
            if len(nodes) >= 2:
                link = (nodes[0], nodes[1])
                break
    else:
        path, state = stp_path(sh, sa, sb)
        blocked = sorted("%s-%s" % k for k, v in state.items() if v != "forwarding")
        res["notes"].append("spanning tree path %s -> %s: %s; ports not forwarding: %s" % (
            sa, sb, " -> ".join(path) if path else "none found", ", ".join(blocked) or "none"))
        if path and len(path) >= 2:
            link = (path[0], path[1])
    if link is None:
        link = (sa, sb)
        res["notes"].append("no path found; taking down %s-%s" % link)
    seconds = args.reroute_seconds_ctl if is_controller else args.reroute_seconds_stp
    outfile = "/tmp/swnb-%d-%s.ping" % (os.getpid(), "ctl" if is_controller else "stp")
    count = int(seconds / args.reroute_interval)
    sh.cmd("%s ping -D -i %g -W 1 -c %d -w %d %s > %s 2>&1 &" % (a, args.reroute_interval, count, int(seconds) + 2, b, outfile),
           timeout=30)
    time.sleep(args.reroute_cut_after)
    t_cut = time.time()
    _, took = sh.cmd("link %s %s down" % link, timeout=60)
    sh.cmd("wait", timeout=seconds + 60)
    try:
        with open(outfile) as f:
            text = f.read().splitlines()
        os.unlink(outfile)
    except OSError:
        text, _ = sh.cmd("%s cat %s; rm -f %s" % (a, outfile, outfile), timeout=30)
    got = parse_fast_ping(text)
    r = {"pair": "%s-%s" % (a, b), "link": "%s-%s" % link, "link_command_seconds": took,
         "replies": len(got)}
    if len(got) >= 2:
        times = [t for t, _ in got]
        gaps = [(times[i + 1] - times[i], times[i]) for i in range(len(times) - 1)]
        g, at = max(gaps)
        r["longest_gap_ms"] = g * 1000
        r["gap_starts_after_cut_ms"] = (at - t_cut) * 1000
        # iputils' ping paces -i 0.01 at about 16 ms here (HZ=250): the normal spacing is
        # the resolution of the measure.
        r["normal_spacing_ms"] = statistics.median(x for x, _ in gaps) * 1000
        near = [x for x, t in gaps if t_cut - 0.5 <= t <= t_cut + 2.0]
        r["longest_gap_near_cut_ms"] = max(near) * 1000 if near else None
        seqs = [s for _, s in got]
        r["sent"] = max(seqs)
        r["lost"] = max(seqs) - len(set(seqs))
        m = re.search(r"(\d+) packets transmitted, (\d+) received", "\n".join(text))
        if m:
            r["sent"], r["received"] = int(m.group(1)), int(m.group(2))
            r["lost"] = r["sent"] - r["received"]
    print("    reroute %s, link %s down after %.1f s: longest gap %s ms (starting %s ms after the command; longest "
          "within 2 s of it %s ms; normal spacing %s ms), %s replies lost of %s" % (
              r["pair"], r["link"], args.reroute_cut_after, fmt(r.get("longest_gap_ms"), 1),
              fmt(r.get("gap_starts_after_cut_ms"), 0), fmt(r.get("longest_gap_near_cut_ms"), 1),
              fmt(r.get("normal_spacing_ms"), 1), r.get("lost", "?"), r.get("sent", "?")), flush=True)
    return r


def network_part(args, tmpdir):
    before_links, before_ns = root_state()
    results = []
    runs = [("torus,4,4 user switches + built-in controller",
             ["--switch", "user", "--controller", "builtin", "--rest-port", "0"], True),
            ("torus,4,4 Linux bridges + kernel STP (lxbr)", ["--switch", "lxbr"], False)]
    for rep in range(args.net_repeats):
        for label, sw_args, is_ctl in runs:
            r = network_run(args, label + (" #%d" % (rep + 1) if args.net_repeats > 1 else ""), sw_args, tmpdir, is_ctl)
            results.append(r)
    after_links, after_ns = root_state()
    left = {"links_before": before_links, "links_after": after_links,
            "links_new": sorted(set(after_links) - set(before_links)),
            "links_gone": sorted(set(before_links) - set(after_links)),
            "netns_before": before_ns, "netns_after": after_ns}
    msg = "*** after the networks: root links %s; new: %s; gone: %s; ip netns list: %s" % (
        " ".join(after_links), left["links_new"] or "none", left["links_gone"] or "none", after_ns or "empty")
    print(msg, flush=True)
    if results:
        results[-1].setdefault("notes", []).append(msg[4:])
    return results, left


# ---------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--swiftnet", default=".build/release/swiftnet", help="the swiftnet binary")
    p.add_argument("--switches", type=int, default=16, help="emulated switches (default 16)")
    p.add_argument("--hosts", type=int, default=100, help="hosts (ports) per switch (default 100)")
    p.add_argument("--loops", type=int, default=10, help="measurement loops per mode (default 10)")
    p.add_argument("--loop-seconds", type=float, default=1.0, help="seconds per loop (default 1)")
    p.add_argument("--repeats", type=int, default=2, help="runs of each controller (default 2), interleaved")
    p.add_argument("--window", type=int, default=0,
                   help="throughput mode: at most this many packet-ins outstanding per switch (default 0: no limit, "
                        "the socket kept full, as cbench does)")
    p.add_argument("--batch-ms", type=float, default=1.0,
                   help="throughput mode: at most one read/write pass over the switches every this many ms (default 1; 0: "
                        "as fast as possible)")
    p.add_argument("--pairs", type=int, default=500, help="distinct (source, destination) packet-ins per switch (default 500)")
    p.add_argument("--buffer-ids", action="store_true",
                   help="packet-ins carry buffer ids (0-255) instead of NO_BUFFER")
    p.add_argument("--openflow", choices=["1.3", "1.0"], default="1.3",
                   help="1.3: offer 1.0 and 1.3 in the HELLO bitmap (1.3 is negotiated); 1.0: offer 1.0 only")
    p.add_argument("--quiet", type=float, default=1.0, help="seconds without answers that count as quiet (default 1)")
    p.add_argument("--drain-limit", type=float, default=60, help="longest wait for owed answers after a phase (s)")
    p.add_argument("--single-latency-loops", type=int, default=5,
                   help="loops of a second latency phase with one switch alone (default 5; 0: none)")
    p.add_argument("--latency-timeout", type=float, default=1.0, help="latency mode: give up on a packet-in after (s)")
    p.add_argument("--only", help="controllers to run, comma-separated names or prefixes: swiftnet-forwarding, "
                                  "swiftnet-learning, os-ken, ovs-testcontroller")
    p.add_argument("--osken-app", help="os-ken app to load (default: os_ken.app.simple_switch_13 if installed)")
    p.add_argument("--osken-log-level", type=int, help="os-ken's --default-log-level (default: os-ken's own)")
    p.add_argument("--no-pin", dest="pin", action="store_false", default=True,
                   help="do not pin the emulated switches to the first CPU and the controller to the others")
    p.add_argument("--out", help="write the markdown report here")
    p.add_argument("--json", help="write every number here")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--network", dest="network", action="store_true", default=True,
                   help="also measure first-ping latency and reroute time on torus,4,4 (default)")
    g.add_argument("--no-network", dest="network", action="store_false", help="skip the emulator part")
    p.add_argument("--no-controllers", action="store_true", help="skip the cbench-style part")
    p.add_argument("--net-repeats", type=int, default=2, help="runs of each network (default 2)")
    p.add_argument("--pairs-net", type=int, default=8, help="host pairs for the first ping (at most 8)")
    p.add_argument("--reroute-pair", default="h1x1,h1x2", help="hosts of the reroute ping (default h1x1,h1x2)")
    p.add_argument("--reroute-interval", type=float, default=0.01, help="ping -i of the reroute ping (default 0.01)")
    p.add_argument("--reroute-cut-after", type=float, default=2.0, help="seconds of fast ping before the link goes down")
    p.add_argument("--reroute-seconds-ctl", type=float, default=6.0, help="fast ping length with the controller (s)")
    p.add_argument("--reroute-seconds-stp", type=float, default=45.0, help="fast ping length with STP (s)")
    p.add_argument("--lock-wait", type=int, default=1800, help="seconds to wait for %s" % NET_LOCK)
    p.add_argument("--report-only", metavar="JSON", help="only print (and --out) the report of an earlier --json file")
    args = p.parse_args()
    if args.report_only:
        with open(args.report_only) as f:
            d = json.load(f)
        saved = argparse.Namespace(**d["args"])
        saved.out = args.out
        write_report(saved, d["controllers"], d["network"], d["meta"])
        return

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    atexit.register(stop_all)
    if not (os.path.isfile(args.swiftnet) and os.access(args.swiftnet, os.X_OK)):
        raise SystemExit("no swiftnet binary at %s (give --swiftnet PATH)" % args.swiftnet)
    args.swiftnet = os.path.abspath(args.swiftnet)
    meta = {"when": time.strftime("%Y-%m-%d %H:%M"), "host": os.uname().nodename, "cpus": os.cpu_count(),
            "swiftnet_version": subprocess.run([args.swiftnet, "--version"], capture_output=True, text=True).stdout.strip(),
            "argv": sys.argv}
    results, net, left = [], [], None
    tmpdir = tempfile.mkdtemp(prefix="swnb-ctl-")
    all_cpus = os.sched_getaffinity(0)
    args.controller_cpus = None
    if args.pin and len(all_cpus) >= 2:
        # Left alone, the scheduler often puts the client and the controller (which wake
        # each other all the time over loopback) on one core, and both then get half of it.
        cpus = sorted(all_cpus)
        args.client_cpus, args.controller_cpus = {cpus[0]}, set(cpus[1:])
        meta["pinning"] = "emulated switches on CPU %s, controller on CPU %s" % (
            cpus[0], ",".join(map(str, cpus[1:])))
    else:
        meta["pinning"] = "none"
    try:
        if not args.no_controllers:
            if args.controller_cpus:
                os.sched_setaffinity(0, args.client_cpus)
            specs = selected(controller_specs(args), args.only)
            for s in specs:
                if s.get("note"):
                    print("*** " + s["note"])
            if args.switches > 16 and any(s["name"] == "ovs-testcontroller" for s in specs):
                print("*** note: ovs-testcontroller takes at most 16 switches (MAX_SWITCHES in test-controller.c)")
            for run in range(1, args.repeats + 1):
                for s in specs:
                    r = run_controller(args, s, tmpdir, run)
                    if s.get("note"):
                        r["note"] = s["note"]
                    results.append(r)
        os.sched_setaffinity(0, all_cpus)
        if args.network:
            net, left = network_part(args, tmpdir)
    except KeyboardInterrupt:
        print("\n*** interrupted", file=sys.stderr)
    finally:
        stop_all()
    # The numbers first: a report that fails must not lose them.
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "args": vars(args), "controllers": results, "network": net,
                       "leftovers": left}, f, indent=2, default=lambda o: sorted(o) if isinstance(o, set) else str(o))
    write_report(args, results, net, meta)
    print("(controller logs in %s)" % tmpdir)


def write_report(args, results, net, meta):
    text = report(args, results, net, meta)
    print()
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
