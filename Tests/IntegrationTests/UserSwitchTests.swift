import CShims
import Foundation
import Glibc
import Namespaces
import Swiftnet
import XCTest

/// The userspace switch (`--switch user`): forwarding, TCP with default offloads, and
/// the link impairments it applies itself (this kernel has no sch_netem).
final class UserSwitchTests: XCTestCase {
    /// h1 - s1 - h2 on a user switch, with `params` on the h1 link only.
    func pair(_ params: LinkParams = LinkParams(), both: Bool = false) -> Topology {
        var t = Topology(name: "user\(getpid())", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2")],
                         switches: [SwitchSpec(name: "s1", kind: .user)],
                         links: [LinkSpec("h1", "s1", location: nil), LinkSpec("h2", "s1", location: nil)])
        t.links[0].params = params
        if both { t.links[1].params = params }
        return t
    }

    /// An 802.1Q-tagged frame crosses the switch with its tag: veth hands the switch's
    /// packet socket the tag apart from the frame, and the switch puts it back.
    func testVLANTagsCrossTheSwitch() throws {
        try withNetwork(pair()) { net in
            func packetSocket(_ host: String) throws -> (fd: Int32, index: Int32) {
                let index = try XCTUnwrap(net.interfaceList(of: host).first { $0.name == "\(host)-eth0" }?.index)
                let range: [Int32] = [index, index]
                let fd = try withNetworkNamespace(try net.namespaceFD(of: host)) { sn_packet_open(range, 1, 1 << 20) }
                XCTAssertGreaterThanOrEqual(fd, 0, "packet socket in \(host)")
                return (fd, index)
            }
            let (tx, txIndex) = try packetSocket("h1"), (rx, rxIndex) = try packetSocket("h2")
            // A socket whose filter names no interface of h2 hears nothing of it.
            let elsewhere: [Int32] = [rxIndex + 100, rxIndex + 200]
            let deaf = try withNetworkNamespace(try net.namespaceFD(of: "h2")) { sn_packet_open(elsewhere, 1, 1 << 20) }
            XCTAssertGreaterThanOrEqual(deaf, 0)
            defer { close(tx); close(rx); close(deaf) }
            // Broadcast, tagged VLAN 42 priority 5, an IPv4-ethertype payload of 46 bytes.
            var frame: [UInt8] = Array(repeating: 0, count: 10)  // virtio-net header
            frame += [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01]
            frame += [0x81, 0x00, 0xa0, 0x2a, 0x08, 0x00]
            frame += (0..<46).map { UInt8($0) }
            let count = frame.count
            var sent: Int32 = 0
            frame.withUnsafeMutableBytes { b in
                var bufs: [UnsafeMutableRawPointer?] = [b.baseAddress]
                var lengths: [Int32] = [Int32(count)]
                var ifindexes: [Int32] = [txIndex]
                var ok: [UInt8] = [0]
                sent = sn_packet_send_batch(tx, &bufs, &lengths, &ifindexes, &ok, 1)
            }
            XCTAssertEqual(sent, 1)
            var got: [UInt8]?
            let deadline = Date().addingTimeInterval(3)
            var buf = [UInt8](repeating: 0, count: 4096)
            while got == nil && Date() < deadline {
                var length: Int32 = 0, from: Int32 = 0
                let n = buf.withUnsafeMutableBytes { b -> Int32 in
                    var bufs: [UnsafeMutableRawPointer?] = [b.baseAddress]
                    return sn_packet_recv_batch(rx, &bufs, Int32(b.count), &length, &from, 1)
                }
                if n == 1, length >= 10 + 18, buf[16...21] == [0x02, 0, 0, 0, 0, 0x01] {
                    got = Array(buf[10..<Int(length)])
                    XCTAssertEqual(from, rxIndex, "the frame names the interface it arrived on")
                }
                else if n <= 0 { usleep(10_000) }
            }
            var spare = [UInt8](repeating: 0, count: 4096)
            var length: Int32 = 0, from: Int32 = 0
            let heard = spare.withUnsafeMutableBytes { b -> Int32 in
                var bufs: [UnsafeMutableRawPointer?] = [b.baseAddress]
                return sn_packet_recv_batch(deaf, &bufs, Int32(b.count), &length, &from, 1)
            }
            XCTAssertEqual(heard, -EAGAIN, "the filter passes only the interfaces it names")
            let f = try XCTUnwrap(got, "h2 received the frame")
            XCTAssertEqual(Array(f[12..<18]), [0x81, 0x00, 0xa0, 0x2a, 0x08, 0x00], "the tag is where it was sent")
            XCTAssertEqual(Array(f[18..<64]), (0..<46).map { UInt8($0) })
        }
    }

    /// A user switch and a Linux bridge in one fabric: the user switch's socket hears
    /// the fabric's every interface but takes only its own ports' frames, so what crosses
    /// the bridge alone is neither counted nor forwarded (a copy would come back as DUP!).
    func testUserSwitchBesideABridgeTakesOnlyItsPorts() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let t = Topology(name: "mix\(getpid())", hosts: [HostSpec(name: "h1"), HostSpec(name: "h2"), HostSpec(name: "h3")],
                         switches: [SwitchSpec(name: "s1", kind: .user), SwitchSpec(name: "s2", kind: .lxbr)],
                         links: [LinkSpec("h1", "s1", location: nil), LinkSpec("s1", "s2", location: nil),
                                 LinkSpec("h2", "s2", location: nil), LinkSpec("h3", "s2", location: nil)])
        try withNetwork(t) { net in
            for (a, b) in [("h1", "h2"), ("h2", "h3"), ("h1", "h3")] {
                XCTAssertEqual(try net.run(on: a, ["ping", "-c", "1", "-W", "2", try net.address(of: b)]).exitStatus, 0, "\(a) -> \(b)")
            }
            func received() throws -> Int {
                try net.dumpPorts("s1").split(separator: "\n").compactMap { line -> Int? in
                    guard let r = line.range(of: "rx pkts=") else { return nil }
                    return Int(line[r.upperBound...].prefix { $0.isNumber })
                }.reduce(0, +)
            }
            let start = try received()
            let p = try net.run(on: "h2", ["ping", "-c", "20", "-i", "0.01", "-W", "2", try net.address(of: "h3")])
            XCTAssertEqual(p.exitStatus, 0, p.stdout)
            XCTAssertTrue(p.stdout.contains("20 received"), p.stdout)
            XCTAssertFalse(p.stdout.contains("DUP!"), p.stdout)
            XCTAssertLessThan(try received() - start, 5, "h2 <-> h3 crosses only the bridge")
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// The kernel fast path: once the switch has learnt both hosts, the kernel forwards
    /// their frames, each exactly once, and what it forwarded is on the switch's port
    /// counters (as many as h1 sent). A link that goes down takes its flows with it.
    func testKernelFastPathForwardsAndCountsWhatItForwards() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        try withNetwork(pair()) { net in
            func sent() throws -> Int {
                let r = try net.run(on: "h1", ["cat", "/sys/class/net/h1-eth0/statistics/tx_packets"])
                return try XCTUnwrap(Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), r.stdout)
            }
            func received() throws -> Int {
                let ports = try net.dumpPorts("s1")
                let line = try XCTUnwrap(ports.split(separator: "\n").first { $0.contains("port  1: rx pkts=") }, ports)
                return try XCTUnwrap(Int(line.components(separatedBy: "rx pkts=")[1].prefix { $0.isNumber }), ports)
            }
            XCTAssertEqual(try net.run(on: "h1", ["ping", "-c", "1", "-W", "2", "10.0.0.2"]).exitStatus, 0)
            let (sent0, received0) = (try sent(), try received())
            let p = try net.run(on: "h1", ["ping", "-c", "50", "-i", "0.01", "-W", "2", "10.0.0.2"])
            XCTAssertTrue(p.stdout.contains("50 received"), p.stdout)
            XCTAssertFalse(p.stdout.contains("DUP!"), p.stdout)
            let flows = try net.dumpKernelFlows("s1")
            XCTAssertTrue(flows.contains("kernel fast path: 2 flows"), flows)
            let forward = try XCTUnwrap(flows.split(separator: "\n").first { $0.contains("in_port=1,") }, flows)
            XCTAssertTrue(forward.contains("actions:output:2"), flows)
            let packets = Int(forward.components(separatedBy: "packets:")[1].prefix { $0.isNumber }) ?? 0
            // The port's program goes on while the first frames pass through swiftnet.
            XCTAssertGreaterThanOrEqual(packets, 40, flows)
            XCTAssertEqual(try received() - received0, try sent() - sent0, "s1's port 1 counts every frame h1 sent")

            try net.setLink("h2", "s1", up: false)
            let down = try net.run(on: "h1", ["ping", "-c", "3", "-i", "0.2", "-W", "1", "10.0.0.2"])
            XCTAssertTrue(down.stdout.contains(" 0 received"), down.stdout)
            let gone = try net.dumpKernelFlows("s1")
            XCTAssertFalse(gone.contains("in_port=1,"), gone)
            try net.setLink("h2", "s1", up: true)
            let up = try net.run(on: "h1", ["ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2"])
            XCTAssertTrue(up.stdout.contains("3 received"), up.stdout)
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    func testPingallOnUserSwitches() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        for (topo, n) in [("tree,2,2", 12), ("linear,4", 12)] {
            let r = try CLI.run(["--topo", topo, "--switch", "user", "--test", "pingall"])
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
            XCTAssertTrue(r.stdout.contains("*** Results: 0% dropped (\(n)/\(n) received)"), r.stdout)
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// TCP across the switch with the hosts' default offloads (the frames keep their
    /// virtio-net header through the switch).
    func testTCPWithDefaultOffloads() throws {
        try requireRoot()
        try requireProgram("/usr/bin/iperf3", "iperf3 (apt-get install iperf3)")
        try withNetwork(pair()) { net in
            let offloads = try net.run(on: "h1", ["ethtool", "-k", "h1-eth0"]).stdout
            XCTAssertTrue(offloads.contains("tx-checksumming: on"), offloads)
            XCTAssertTrue(offloads.contains("tcp-segmentation-offload: on"), offloads)
            let r = try net.iperf(client: "h1", server: "h2", seconds: 2)
            XCTAssertGreaterThan(r.serverBitsPerSecond, 1e9, "TCP through the user switch should carry more than 1 Gbit/s")
        }
    }

    /// `delay=20ms` on both links of single,2: 20 ms on each end's egress, as Mininet's
    /// TCLink does, so a ping's round trip is 80 ms.
    func testDelayGivesMininetsRoundTrip() throws {
        try requireRoot()
        try withNetwork(pair(LinkParams(delay: "20ms"), both: true)) { net in
            let r = try net.run(on: "h1", ["ping", "-n", "-c", "11", "-i", "0.2", "10.0.0.2"], timeout: .seconds(20))
            let times = r.stdout.split(separator: "\n").compactMap { line -> Double? in
                guard let t = line.range(of: "time=") else { return nil }
                return Double(line[t.upperBound...].prefix { $0.isNumber || $0 == "." })
            }
            XCTAssertEqual(times.count, 11, r.stdout)
            // The first one also waits for ARP; the others are one round trip.
            let steady = times.dropFirst().sorted()
            let median = steady[steady.count / 2]
            XCTAssertTrue((72...88).contains(median), "median RTT \(median) ms, expected 80±8: \(times)")
        }
    }

    /// `loss=10` on one link: 10 % in each direction, so 19 % of pings are lost; 1,000
    /// pings put 14-24 % four standard deviations (1.24 %) either side. The hosts resolve
    /// each other first: a lost ARP request or reply would otherwise hold the first pings
    /// for a second's retry, and the kernel drops what does not fit in its queue meanwhile.
    func testLossOnOneLink() throws {
        try requireRoot()
        try withNetwork(pair(LinkParams(loss: "10"))) { net in
            for (from, to) in [("h1", "10.0.0.2"), ("h2", "10.0.0.1")] {
                var answered = false
                for _ in 0..<30 where !answered {
                    answered = try net.run(on: from, ["ping", "-n", "-q", "-c", "1", "-W", "1", to], timeout: .seconds(5)).exitStatus == 0
                }
                XCTAssertTrue(answered, "\(from) never reached \(to)")
            }
            let r = try net.run(on: "h1", ["ping", "-n", "-q", "-c", "1000", "-i", "0.002", "-W", "1", "10.0.0.2"], timeout: .seconds(30))
            guard let range = r.stdout.range(of: #"(\d+) received"#, options: .regularExpression),
                  let received = Int(r.stdout[range].split(separator: " ")[0]) else {
                return XCTFail(r.stdout + r.stderr)
            }
            let lost = Double(1000 - received) / 10
            XCTAssertTrue((14...24).contains(lost), "lost \(lost) %, expected 14-24 %: \(r.stdout)")
        }
    }

    func testBandwidthLimit() throws {
        try requireRoot()
        try requireProgram("/usr/bin/iperf3", "iperf3 (apt-get install iperf3)")
        try withNetwork(pair(LinkParams(bw: "10"), both: true)) { net in
            let r = try net.iperf(client: "h1", server: "h2", seconds: 3)
            let mbps = r.serverBitsPerSecond / 1e6
            XCTAssertTrue((8.5...10.5).contains(mbps), "bw 10 gave \(mbps) Mbit/s")
        }
    }

    /// `link h1 s1 delay=...` on a running user switch: the switch's ports take the new
    /// shaping at once (both directions: 2 x 15 ms on a round trip through one shaped link).
    func testLiveReshapeOnUserSwitch() throws {
        try requireRoot()
        try withNetwork(pair()) { net in
            func medianRTT() throws -> Double {
                let r = try net.run(on: "h1", ["ping", "-n", "-c", "5", "-i", "0.2", "10.0.0.2"], timeout: .seconds(10))
                let times = r.stdout.split(separator: "\n").compactMap { line -> Double? in
                    guard let t = line.range(of: "time=") else { return nil }
                    return Double(line[t.upperBound...].prefix { $0.isNumber || $0 == "." })
                }.sorted()
                return times.isEmpty ? -1 : times[times.count / 2]
            }
            XCTAssertLessThan(try medianRTT(), 5)
            let params = try LinkParams.parse(option: "delay=15ms")
            try net.setShaping("h1", "s1", try XCTUnwrap(try params.shaping(for: "link h1-s1")))
            let slow = try medianRTT()
            XCTAssertTrue((27...36).contains(slow), "RTT \(slow) ms after delay=15ms on h1-s1, expected 30")
        }
    }

    /// Delay works on this kernel with the user switch, where the Linux bridge refuses it.
    func testImpairmentsNeedNoNetemOnUserSwitches() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        let user = try CLI.run(["--topo", "single,2", "--switch", "user", "--link", "tc,delay=5ms,loss=0", "--test", "pingall"])
        XCTAssertEqual(user.status, 0, user.stdout + user.stderr)
        XCTAssertEqual(before, try RootSnapshot.take())
    }

    /// Without a controller a loop of learning switches would storm: refused, nothing built.
    func testLoopsAreRefusedOnUserSwitchesWithoutAController() throws {
        let r = try CLI.run(["--topo", "torus,3,3", "--switch", "user", "--test", "pingall"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("without a controller"), r.stderr)
        XCTAssertTrue(r.stderr.contains("use kind lxbr"), r.stderr)
    }
}
