import Controller
import Foundation
import NIOCore
import OpenFlow
import XCTest

/// The controller's HA role (ROLE_REQUEST, /wm/core/role/json), its path metrics
/// (/wm/routing/metric/json, Dijkstra over measured latency) and link expiry that waits
/// for the receiving switch to catch up.
final class RoleAndMetricTests: XCTestCase {
    func isRole(_ m: OFMessage, _ role: UInt32) -> OFRole? {
        if case .roleRequest(let r) = m, r.role == role { return r }
        return nil
    }

    func json(_ a: RestAnswer?) -> [String: Any] {
        (a.flatMap { try? JSONSerialization.jsonObject(with: Data($0.json)) } as? [String: Any]) ?? [:]
    }

    func testActiveClaimsMasterStandbyHoldsBackAndTakesOverAgain() throws {
        let c = try BuiltinController(modules: [LearningSwitch()])
        defer { c.stop() }
        let sw = try FakeSwitch(port: c.port)
        try sw.handshake(dpid: 5, ports: [1, 2])
        let first = try XCTUnwrap(sw.expect { isRole($0, OFRole.master) != nil }.flatMap { isRole($0, OFRole.master) })
        XCTAssertGreaterThan(first.generationID, 0)
        try sw.send(.roleReply(OFRole(role: OFRole.master, generationID: first.generationID)))
        XCTAssertEqual(json(c.rest(method: "GET", parts: ["core", "role", "json"]))["role"] as? String, "ACTIVE")

        // Standby: the switch is told SLAVE with a newer generation id, and a packet-in
        // gets no packet-out (the ECHO after it is answered first).
        let answer = c.rest(method: "POST", parts: ["core", "role", "json"],
                            body: Array(#"{"role": "STANDBY", "role-change-description": "maintenance"}"#.utf8))
        XCTAssertEqual(answer?.status, 200)
        XCTAssertEqual(json(answer)["role"] as? String, "STANDBY")
        XCTAssertEqual(json(answer)["role-change-description"] as? String, "maintenance")
        let slave = try XCTUnwrap(sw.expect { isRole($0, OFRole.slave) != nil }.flatMap { isRole($0, OFRole.slave) })
        XCTAssertGreaterThan(slave.generationID, first.generationID)
        try sw.send(.packetIn(OFPacketIn(totalLen: 60, match: OFMatch(inPort: 1), data: [UInt8](repeating: 0xFF, count: 12) + [8, 6] + [UInt8](repeating: 0, count: 46))))
        try sw.send(.echoRequest([4]), xid: 41)
        while let m = sw.next() {
            if case .echoReply([4]) = m { break }
            if case .packetOut = m { XCTFail("a controller on standby sent a packet-out") }
            if case .flowMod = m { XCTFail("a controller on standby sent a flow-mod") }
        }
        XCTAssertGreaterThanOrEqual(c.counters.value("openflow-core", "messages held on standby"), 1)

        // Active again: MASTER, and the switch is taken over (table-miss flow).
        _ = c.rest(method: "POST", parts: ["core", "role", "json"], body: Array(#"{"role": "MASTER"}"#.utf8))
        let again = try XCTUnwrap(sw.expect { isRole($0, OFRole.master) != nil }.flatMap { isRole($0, OFRole.master) })
        XCTAssertGreaterThan(again.generationID, slave.generationID)
        XCTAssertNotNil(sw.expect { if case .flowMod(let f) = $0 { f.priority == 0 } else { false } }, "the table-miss flow again")

        // Bad requests: a clear 400, and the role stays.
        let bad = c.rest(method: "POST", parts: ["core", "role", "json"], body: Array(#"{"role": "BOSS"}"#.utf8))
        XCTAssertEqual(bad?.status, 400)
        XCTAssertTrue((json(bad)["status"] as? String ?? "").contains("ACTIVE or STANDBY"))
        XCTAssertEqual(c.rest(method: "POST", parts: ["core", "role", "json"], body: Array("nonsense".utf8))?.status, 400)
        XCTAssertEqual(json(c.rest(method: "GET", parts: ["core", "role", "json"]))["role"] as? String, "ACTIVE")
    }

    func testMetricOverREST() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let path = ["routing", "metric", "json"]
        XCTAssertEqual(json(c.rest(method: "GET", parts: path))["metric"] as? String, "hopcount")
        XCTAssertEqual(json(c.rest(method: "POST", parts: path, body: Array(#"{"metric": " Latency "}"#.utf8)))["metric"] as? String, "latency")
        XCTAssertEqual(json(c.rest(method: "GET", parts: path))["metric"] as? String, "latency")
        let bad = c.rest(method: "POST", parts: path, body: Array(#"{"metric": "utilization"}"#.utf8))
        XCTAssertEqual(bad?.status, 400)
        XCTAssertTrue((json(bad)["error"] as? String ?? "").contains("hopcount or latency"))
        XCTAssertEqual(c.counters.value("topology", "metric changes"), 1)

        let learning = try BuiltinController(modules: BuiltinController.learningModules())
        defer { learning.stop() }
        XCTAssertEqual(learning.rest(method: "GET", parts: path)?.status, 404)
    }

    /// A square 1-2-4 / 1-3-4 and a direct 1-4: by hop count the direct link; by latency
    /// the cheapest way round; ties go to the lower datapath id.
    func testShortestPathsByHopsAndByLatency() {
        var adj: TopologyService.Adjacency = [:]
        func link(_ a: UInt64, _ ap: UInt32, _ b: UInt64, _ bp: UInt32) {
            adj[a, default: []].append((ap, b, bp))
            adj[b, default: []].append((bp, a, ap))
        }
        link(1, 1, 2, 1); link(2, 2, 4, 1); link(1, 2, 3, 1); link(3, 2, 4, 2); link(1, 3, 4, 3)
        adj = TopologyService.ordered(adj)
        let hops = TopologyService.fewestHops(adj, from: 1, to: 4)
        XCTAssertEqual(hops?.map(\.dpid), [1])
        XCTAssertEqual(hops?.map(\.out), [3])
        let slow: [[UInt64]: Int64] = [[1, 4]: 9_000, [1, 2]: 5_000]
        func cost(_ s: UInt64, _ e: (port: UInt32, peer: UInt64, peerPort: UInt32)) -> Int64 {
            TopologyService.latencyCost(slow[[s, e.peer]].map { .microseconds($0) } ?? .microseconds(20))
        }
        let byLatency = TopologyService.cheapest(adj, from: 1, to: 4, cost: cost)
        XCTAssertEqual(byLatency?.map(\.dpid), [1, 3], "round by s3: 240 µs against 5,240 by s2 and 9,100 direct")
        XCTAssertEqual(byLatency?.map(\.out), [2, 2])
        XCTAssertEqual(byLatency?.last?.nextInPort, 2)
        // Equal costs: the lower datapath id (s2) wins, as with hop counts.
        XCTAssertEqual(TopologyService.cheapest(adj, from: 2, to: 3) { _, _ in 1 }?.map(\.dpid), [2, 1])
        XCTAssertEqual(TopologyService.cheapest(adj, from: 4, to: 4) { _, _ in 1 }?.count, 0)
        XCTAssertNil(TopologyService.cheapest(adj, from: 1, to: 9) { _, _ in 1 })
        XCTAssertNil(TopologyService.fewestHops(adj, from: 1, to: 9))
        XCTAssertEqual(TopologyService.latencyCost(nil), 1_100, "an unmeasured link counts as 1 ms")
    }

    func testLLDPCarriesItsSendTime() {
        let f = LinkDiscovery.lldp(dpid: 9, port: 2, source: 0x0200_0000_0009, controller: 7, sent: 123_456_789)
        XCTAssertEqual(LinkDiscovery.parse(f)?.sent, 123_456_789)
        XCTAssertNil(LinkDiscovery.parse(LinkDiscovery.lldp(dpid: 9, port: 2, source: 1, controller: 7))?.sent)
    }

    /// A link whose LLDPs stop is not dropped until its receiving switch answers an ECHO
    /// sent after the timeout (its packet-ins may be queued behind a flood); then it goes.
    /// The LLDP's send time gives the link a latency.
    func testAStaleLinkWaitsForTheReceiversEcho() throws {
        let discovery = LinkDiscovery(interval: .milliseconds(100), timeout: .milliseconds(300))
        let c = try BuiltinController(modules: [discovery])
        defer { c.stop() }
        let s1 = try FakeSwitch(port: c.port), s2 = try FakeSwitch(port: c.port)
        try s1.handshake(dpid: 1, ports: [1])
        try s2.handshake(dpid: 2, ports: [1])
        guard case .packetOut(let out)? = s1.expect({ if case .packetOut(let p) = $0 { p.actions == [.output(port: 1)] } else { false } }) else {
            return XCTFail("no LLDP out of s1")
        }
        try s2.send(.packetIn(OFPacketIn(totalLen: UInt16(out.data.count), match: OFMatch(inPort: 1), data: out.data)))
        let link = SwitchLink(src: 1, srcPort: 1, dst: 2, dstPort: 1)
        func links() -> Set<SwitchLink> { c.core.onLoop { discovery.links } ?? [] }
        var deadline = Date().addingTimeInterval(3)
        while links().isEmpty && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(links(), [link])
        XCTAssertNotNil(c.core.onLoop { discovery.latency[link] } ?? nil, "a latency from the LLDP's send time")

        // s2 reads but answers no ECHO for 1.2 s (four timeouts): the link stays.
        var echoes: [UInt32] = []
        deadline = Date().addingTimeInterval(1.2)
        while Date() < deadline, let m = s2.next() { if case .echoRequest = m { echoes.append(s2.lastXID) } }
        XCTAssertFalse(echoes.isEmpty, "the controller asks the receiving switch")
        XCTAssertEqual(links(), [link], "not dropped while its receiver has not caught up")
        // It answers: the link goes.
        for x in echoes { try s2.send(.echoReply([]), xid: x) }
        deadline = Date().addingTimeInterval(3)
        while !links().isEmpty && Date() < deadline {
            try s2.send(.echoReply([]), xid: 0)
            usleep(20_000)
        }
        XCTAssertTrue(links().isEmpty)
        XCTAssertEqual(c.counters.value("link-discovery", "links timed out"), 1)
    }
}

/// The device manager keeps hosts' IPv6 addresses (not DAD's ::), and /wm/device/ lists
/// and filters them in RFC 5952's form.
final class DeviceIPv6Tests: XCTestCase {
    func ipv6Frame(src mac: UInt64, from address: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0x33, 0x33, 0, 0, 0, 1]
        for i in 0..<6 { b.append(UInt8(truncatingIfNeeded: mac >> (40 - 8 * i))) }
        b += [0x86, 0xDD, 0x60, 0, 0, 0, 0, 8, 58, 255] + address + [0xFF, 0x02] + [UInt8](repeating: 0, count: 13) + [1]
        b += [128, 0, 0, 0, 0, 1, 0, 1]  // ICMPv6 echo request
        return b
    }

    func testIPv6AddressesOfHosts() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let sw = try FakeSwitch(port: c.port)
        try sw.handshake(dpid: 3, ports: [1, 2])
        let linkLocal: [UInt8] = [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [5]
        let global: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [5]
        for address in [[UInt8](repeating: 0, count: 16), linkLocal, global] {
            let f = ipv6Frame(src: 0x0200_0000_0005, from: address)
            try sw.send(.packetIn(OFPacketIn(totalLen: UInt16(f.count), match: OFMatch(inPort: 2), data: f)))
        }
        try sw.send(.echoRequest([1]), xid: 9)
        XCTAssertNotNil(sw.expect { if case .echoReply([1]) = $0 { true } else { false } })
        func devices(_ query: [String: String]) -> [[String: Any]] {
            let data = c.rest(["device", ""], query: query) ?? []
            return ((try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any])?["devices"] as? [[String: Any]] ?? []
        }
        let all = devices([:])
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all.first?["ipv6"] as? [String], ["fe80::5", "2001:db8::5"])
        XCTAssertEqual(devices(["ipv6": "2001:DB8:0:0::5"]).count, 1, "the filter reads any spelling")
        XCTAssertEqual(devices(["ipv6": "2001:db8::6"]).count, 0)
        XCTAssertEqual(devices(["ipv6": "not an address"]).count, 0)
    }

    func testRFC5952() {
        XCTAssertEqual(OFIPv6Address("2001:db8:0:0:1:0:0:1")?.compressed, "2001:db8::1:0:0:1", "the first of equal runs")
        XCTAssertEqual(OFIPv6Address("::")?.compressed, "::")
        XCTAssertEqual(OFIPv6Address("::1")?.compressed, "::1")
        XCTAssertEqual(OFIPv6Address("fe80::")?.compressed, "fe80::")
        XCTAssertEqual(OFIPv6Address("2001:db8:0:1:1:1:1:1")?.compressed, "2001:db8:0:1:1:1:1:1", "one zero group stays")
        XCTAssertEqual(OFIPv6Address("0:0:1:0:0:0:2:0")?.compressed, "0:0:1::2:0", "the longest run")
    }
}
