#!/usr/bin/env python3
"""Capture real OpenFlow messages between ovs-testcontroller and Open vSwitch.

    python3 Benchmarks/of_capture.py --protocol OpenFlow10 [--json FILE]

Builds ovs_userspace.TwoHostNet (h1, h2 on a netdev bridge, fail_mode=secure, the
bridge limited to --protocol), then, inside the switch's private namespace:
  * tcpdump -i lo writes TCP port 16653 to a temporary pcap;
  * `ovs-testcontroller ptcp:16653` (plus -O for the protocol) listens there;
  * the bridge is pointed at tcp:127.0.0.1:16653 and h1 pings h2 three times.
The pcap is then read here: IPv4/TCP segments on port 16653 are put back in sequence
order per direction and cut into OpenFlow messages by the length in their 8-byte
header. Each message is printed as direction, version, type, xid and hex. Everything
(namespaces, daemons, temp files) is removed at exit.

These bytes are the vectors of Tests/OpenFlowTests/CaptureTests.swift.
Standard library only; must run as root; needs tcpdump and openvswitch-testcontroller.
"""

import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ovs_userspace as ovsu  # noqa: E402

PORT = 16653

TYPES_10 = {0: "HELLO", 1: "ERROR", 2: "ECHO_REQUEST", 3: "ECHO_REPLY", 4: "VENDOR", 5: "FEATURES_REQUEST",
            6: "FEATURES_REPLY", 7: "GET_CONFIG_REQUEST", 8: "GET_CONFIG_REPLY", 9: "SET_CONFIG",
            10: "PACKET_IN", 11: "FLOW_REMOVED", 12: "PORT_STATUS", 13: "PACKET_OUT", 14: "FLOW_MOD",
            15: "PORT_MOD", 16: "STATS_REQUEST", 17: "STATS_REPLY", 18: "BARRIER_REQUEST",
            19: "BARRIER_REPLY"}
TYPES_13 = {0: "HELLO", 1: "ERROR", 2: "ECHO_REQUEST", 3: "ECHO_REPLY", 4: "EXPERIMENTER",
            5: "FEATURES_REQUEST", 6: "FEATURES_REPLY", 7: "GET_CONFIG_REQUEST", 8: "GET_CONFIG_REPLY",
            9: "SET_CONFIG", 10: "PACKET_IN", 11: "FLOW_REMOVED", 12: "PORT_STATUS", 13: "PACKET_OUT",
            14: "FLOW_MOD", 15: "GROUP_MOD", 16: "PORT_MOD", 17: "TABLE_MOD", 18: "MULTIPART_REQUEST",
            19: "MULTIPART_REPLY", 20: "BARRIER_REQUEST", 21: "BARRIER_REPLY", 24: "ROLE_REQUEST",
            25: "ROLE_REPLY", 26: "GET_ASYNC_REQUEST", 27: "GET_ASYNC_REPLY", 28: "SET_ASYNC",
            29: "METER_MOD"}


def type_name(version, t):
    names = TYPES_10 if version == 1 else TYPES_13
    return names.get(t, "type %d" % t)


# ---------------------------------------------------------------------------
# pcap reading and TCP stream reassembly.
# ---------------------------------------------------------------------------

def read_pcap(path):
    """Yields (timestamp, linktype, frame bytes) from a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError("not a pcap file (magic %s)" % magic.hex())
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield sec + frac / (1e9 if nano else 1e6), linktype, data[off:off + incl]
        off += incl


def tcp_segments(path, port):
    """Yields (direction, seq, flags, payload); direction "c2s" when the source port is
    `port` (the controller speaking), "s2c" when the destination is."""
    for _ts, linktype, frame in read_pcap(path):
        if linktype == 1:  # Ethernet (also what tcpdump gives for lo)
            ethertype = struct.unpack("!H", frame[12:14])[0]
            ip = frame[14:]
            if ethertype != 0x0800:
                continue
        elif linktype == 113:  # Linux cooked capture
            if struct.unpack("!H", frame[14:16])[0] != 0x0800:
                continue
            ip = frame[16:]
        else:
            raise ValueError("link type %d not handled" % linktype)
        if ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if sport == port:
            yield "c2s", seq, flags, payload
        elif dport == port:
            yield "s2c", seq, flags, payload


def reassemble(segments):
    """Per direction, the byte stream rebuilt in sequence order (retransmitted or
    overlapping bytes taken once). Expects one connection per direction."""
    isn = {}
    parts = {"c2s": [], "s2c": []}
    for direction, seq, flags, payload in segments:
        if flags & 0x02:  # SYN: the stream starts at seq + 1
            isn[direction] = seq + 1
        if payload:
            parts[direction].append((seq, payload))
    streams = {}
    for direction, segs in parts.items():
        if not segs:
            streams[direction] = b""
            continue
        base = isn.get(direction, min(s for s, _ in segs))
        out = bytearray()
        for seq, payload in sorted(segs, key=lambda sp: (sp[0] - base) % 2**32):
            rel = (seq - base) % 2**32
            if rel > len(out):
                raise ValueError("%s: %d bytes missing at offset %d" % (direction, rel - len(out), len(out)))
            out += payload[len(out) - rel:]
        streams[direction] = bytes(out)
    return streams


def split_messages(stream):
    """Cuts an OpenFlow byte stream into whole messages (a tail too short is dropped)."""
    msgs = []
    off = 0
    while off + 8 <= len(stream):
        length = struct.unpack("!H", stream[off + 2:off + 4])[0]
        if length < 8 or off + length > len(stream):
            break
        msgs.append(stream[off:off + length])
        off += length
    return msgs


def describe(direction, msg):
    version, t, length, xid = struct.unpack("!BBHI", msg[:8])
    who = "controller -> switch" if direction == "c2s" else "switch -> controller"
    return {"direction": who, "version": version, "type": type_name(version, t), "type_number": t,
            "length": length, "xid": xid, "hex": msg.hex()}


# ---------------------------------------------------------------------------
# The capture itself.
# ---------------------------------------------------------------------------

def wait_until(what, cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def capture(protocol="OpenFlow10", pings=3, controller_args=()):
    """Returns (testcontroller argv, list of message dicts in wire order per direction)."""
    work = tempfile.mkdtemp(prefix="swiftnet-ofcap-%d-" % os.getpid())
    tcpdump = controller = None
    try:
        with ovsu.TwoHostNet(fail_mode="secure", protocols=protocol) as net:
            pcap = os.path.join(work, "of.pcap")
            dump_err = os.path.join(work, "tcpdump.err")
            with open(dump_err, "wb") as err:
                tcpdump = subprocess.Popen(net.switch_argv(
                    ["tcpdump", "-i", "lo", "-U", "-s", "0", "-n", "-w", pcap, "tcp", "port", str(PORT)]),
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
            wait_until("tcpdump", lambda: b"listening on" in open(dump_err, "rb").read(), 10)
            tc_argv = ["ovs-testcontroller", "ptcp:%d" % PORT]
            if protocol != "OpenFlow10":
                tc_argv += ["-O", protocol]
            tc_argv += list(controller_args)
            # Private files: its control socket and log in our directory, not /var/run.
            private = ["--unixctl=" + os.path.join(work, "tc.ctl"), "--log-file=" + os.path.join(work, "tc.log"),
                       "-vsyslog:off", "-vconsole:off", "-vfile:dbg"]
            with open(os.path.join(work, "tc.out"), "wb") as out:
                controller = subprocess.Popen(net.switch_argv(tc_argv + private), stdin=subprocess.DEVNULL,
                                              stdout=out, stderr=subprocess.STDOUT, env=net.ovs.env,
                                              start_new_session=True)
            wait_until("the controller's listening socket", lambda: os.path.exists(os.path.join(work, "tc.ctl")), 10)
            net.set_controller("tcp:127.0.0.1:%d" % PORT)
            wait_until("the controller connection", net.controller_connected, 15)
            time.sleep(0.5)
            ping = net.host_cmd(1, ["ping", "-n", "-c", str(pings), "-i", "0.5", "-W", "2", "10.0.0.2"],
                                check=False)
            time.sleep(0.5)
            flows = net.ovs.ofctl("-O", protocol, "dump-flows", net.bridge)
            tcpdump.send_signal(signal.SIGINT)
            tcpdump.wait(timeout=10)
            with open(os.path.join(work, "tc.log"), errors="replace") as f:
                tc_log = f.read()
            ovsu.stop_process(controller)
            streams = reassemble(tcp_segments(pcap, PORT))
        msgs = {d: [describe(d, m) for m in split_messages(s)] for d, s in streams.items()}
        return {"protocol": protocol, "controller_argv": tc_argv, "ping": ping.stdout,
                "flows_after": flows, "controller_log": tc_log, "messages": msgs}
    finally:
        ovsu.stop_process(tcpdump)
        ovsu.stop_process(controller)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--protocol", default="OpenFlow10", help="OpenFlow10 or OpenFlow13")
    ap.add_argument("--json", help="write everything captured here")
    ap.add_argument("--log", action="store_true", help="also print the controller's debug log")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    before = ovsu.snapshot()
    result = capture(a.protocol)
    print("controller: " + " ".join(result["controller_argv"]))
    print(result["ping"].strip().splitlines()[-2])
    print("flows after the pings:\n" + result["flows_after"].rstrip())
    for d in ("c2s", "s2c"):
        for m in result["messages"][d]:
            print("%s v%d %-18s xid=0x%08x len=%d\n    %s" % (m["direction"], m["version"], m["type"], m["xid"],
                                                           m["length"], m["hex"]))
    if a.log:
        print(result["controller_log"])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)
    left = ovsu.leftovers(before, ovsu.snapshot())
    print("leftovers: %s" % (left or "none"))
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
