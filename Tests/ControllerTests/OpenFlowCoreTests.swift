import Controller
import Foundation
import Glibc
import OpenFlow
import XCTest

/// A switch played by the test over a plain TCP socket: it sends what the test says and
/// reads what the controller sends.
final class FakeSwitch {
    let fd: Int32
    private var framer = OFFramer()
    var version = OFVersion.v1_3
    /// The transaction id of the message `next()` returned last.
    var lastXID: UInt32 = 0

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
    }

    deinit { close(fd) }

    func send(_ m: OFMessage, xid: UInt32 = 7) throws {
        try sendRaw(try m.encode(version: version, xid: xid))
    }

    func sendRaw(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard n == bytes.count else { throw NSError(domain: "send", code: Int(errno)) }
    }

    /// The next message, or nil when the connection closed or 5 s passed.
    func next() -> OFMessage? {
        while true {
            if let f = try? framer.pop() {
                lastXID = f.header.xid
                return try? f.decode()
            }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { return nil }
            framer.append(buf[0..<n])
        }
    }

    /// Reads until a message `match` accepts; nil if none came.
    func expect(_ match: (OFMessage) -> Bool) -> OFMessage? {
        while let m = next() { if match(m) { return m } }
        return nil
    }

    /// HELLO, FEATURES_REPLY and PORT_DESC with `ports`, as a 1.3 switch answers.
    func handshake(dpid: UInt64, ports: [UInt32]) throws {
        XCTAssertNotNil(expect { if case .hello = $0 { true } else { false } })
        try send(.hello(OFHello(supporting: [version])))
        XCTAssertNotNil(expect { if case .featuresRequest = $0 { true } else { false } })
        let descs = ports.map { OFPortDesc(portNo: OFPortNo(rawValue: $0), hwAddr: OFMACAddress(rawValue: UInt64($0)), name: "s-eth\($0)",
                                           config: 0, state: 0, curr: 0, supported: 0, currSpeed: 0, maxSpeed: 0) }
        try send(.featuresReply(OFFeatures(datapathID: dpid, nBuffers: 0, nTables: 4, auxiliaryID: 0, capabilities: 0,
                                           actions: 0, ports: version == .v1_0 ? descs : [])))
        if version == .v1_3 {
            XCTAssertNotNil(expect { if case .statsRequest(.portDesc, _) = $0 { true } else { false } })
            try send(.statsReply(.portDesc(descs)))
        }
    }
}

final class OpenFlowCoreTests: XCTestCase {
    func frame(dst: UInt64, src: UInt64) -> [UInt8] {
        var b: [UInt8] = []
        for v in [dst, src] { for i in 0..<6 { b.append(UInt8(truncatingIfNeeded: v >> (40 - 8 * i))) } }
        b += [0x08, 0x06] + [UInt8](repeating: 0, count: 46)
        return b
    }

    func packetIn(_ data: [UInt8], port: UInt32) -> OFMessage {
        .packetIn(OFPacketIn(bufferID: OFBufferID.noBuffer, totalLen: UInt16(data.count), reason: 0, tableID: 0, cookie: 0,
                             match: OFMatch(inPort: OFPortNo(rawValue: port)), data: data))
    }

    func testHandshakeTableMissLearningAndFlows() throws {
        let c = try BuiltinController(modules: [LinkDiscovery(), LearningSwitch()])
        defer { c.stop() }
        XCTAssertEqual(c.moduleNames, ["openflow-core", "link-discovery", "learning-switch"])
        let sw = try FakeSwitch(port: c.port)
        try sw.handshake(dpid: 0x2a, ports: [1, 2, 3])
        // Ready: the table-miss flow to the controller.
        let miss = sw.expect { if case .flowMod(let f) = $0 { f.priority == 0 } else { false } }
        guard case .flowMod(let f)? = miss else { return XCTFail("no table-miss flow") }
        XCTAssertEqual(f.actions, [.output(port: .controller, maxLen: 0xFFFF)])
        XCTAssertEqual(c.core.onLoop { [core = c.core] in core.switches.keys.sorted() }, [0x2a])

        // h1 (port 1) to an unknown h2: flooded.
        try sw.send(packetIn(frame(dst: 0x02, src: 0x01), port: 1))
        // (LLDP packet-outs come from the controller itself: in_port CONTROLLER.)
        func answer() -> OFPacketOut? {
            guard case .packetOut(let p)? = sw.expect({ if case .packetOut(let p) = $0 { p.inPort != .controller } else { false } }) else { return nil }
            return p
        }
        guard let flood = answer() else { return XCTFail("no packet-out") }
        XCTAssertEqual(flood.actions, [.output(port: .flood)])
        XCTAssertEqual(flood.inPort, OFPortNo(rawValue: 1))
        // h2 answers from port 2: h1 is known, so a flow and a packet-out to port 1.
        try sw.send(packetIn(frame(dst: 0x01, src: 0x02), port: 2))
        guard case .flowMod(let learnt)? = sw.expect({ if case .flowMod = $0 { true } else { false } }) else { return XCTFail("no flow") }
        XCTAssertEqual(learnt.match, OFMatch([.inPort(OFPortNo(rawValue: 2)), .ethDst(OFMACAddress(rawValue: 1)), .ethSrc(OFMACAddress(rawValue: 2))]))
        XCTAssertEqual(learnt.actions, [.output(port: OFPortNo(rawValue: 1))])
        XCTAssertEqual(learnt.idleTimeout, LearningSwitch.idleTimeout)
        guard let out = answer() else { return XCTFail("no packet-out") }
        XCTAssertEqual(out.actions, [.output(port: OFPortNo(rawValue: 1))])
        XCTAssertEqual(c.counters.value("openflow-core", "packet-ins"), 2)
        XCTAssertEqual(c.counters.value("learning-switch", "floods"), 1)
        XCTAssertEqual(c.counters.value("learning-switch", "flow-mods"), 1)

        // ECHO is answered with the same data and xid.
        try sw.send(.echoRequest([1, 2, 3]), xid: 99)
        XCTAssertNotNil(sw.expect { if case .echoReply([1, 2, 3]) = $0 { true } else { false } })
    }

    func testOpenFlow10Handshake() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let sw = try FakeSwitch(port: c.port)
        sw.version = .v1_0
        try sw.handshake(dpid: 7, ports: [1, 2])
        XCTAssertNotNil(sw.expect { if case .setConfig = $0 { true } else { false } })
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, c.core.onLoop({ [core = c.core] in core.switches[7] != nil }) != true { usleep(10_000) }
        XCTAssertEqual(c.core.onLoop { [core = c.core] in core.switches[7]?.ports.keys.sorted() }, [1, 2])
    }

    /// Hostile bytes: garbage after the handshake gets an ERROR and the connection lives
    /// on; a switch that does not start with HELLO gets HELLO_FAILED; a length below 8 closes only that connection.
    func testHostileSwitchesGetErrorsNotACrash() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let sw = try FakeSwitch(port: c.port)
        try sw.handshake(dpid: 1, ports: [1])
        // A FLOW_MOD-typed message whose body is nonsense.
        try sw.sendRaw([4, 14, 0, 12, 0, 0, 0, 5, 0xde, 0xad, 0xbe, 0xef])
        guard case .error(let e)? = sw.expect({ if case .error = $0 { true } else { false } }) else { return XCTFail("no error") }
        XCTAssertEqual(Array(e.data.prefix(4)), [4, 14, 0, 12], "the error carries the offending message")
        try sw.send(.echoRequest([9]), xid: 3)
        XCTAssertNotNil(sw.expect { if case .echoReply([9]) = $0 { true } else { false } }, "still served")

        let liar = try FakeSwitch(port: c.port)
        XCTAssertNotNil(liar.expect { if case .hello = $0 { true } else { false } })
        try liar.sendRaw([0x04, 5, 0, 8, 0, 0, 0, 1])  // FEATURES_REQUEST where HELLO must come first
        guard case .error(let h)? = liar.expect({ if case .error = $0 { true } else { false } }) else { return XCTFail("no hello-failed") }
        XCTAssertEqual(h.type, OFErrorType.helloFailed)
        XCTAssertNil(liar.next(), "closed")

        let broken = try FakeSwitch(port: c.port)
        try broken.sendRaw([4, 0, 0, 3, 0, 0, 0, 0])  // length 3
        while broken.next() != nil {}
        try sw.send(.echoRequest([8]), xid: 4)
        XCTAssertNotNil(sw.expect { if case .echoReply([8]) = $0 { true } else { false } }, "the first switch is still served")
        XCTAssertGreaterThanOrEqual(c.counters.value("openflow-core", "undecodable messages"), 1)
        XCTAssertGreaterThanOrEqual(c.counters.value("openflow-core", "handshakes refused"), 1)
    }
}

final class LinkDiscoveryTests: XCTestCase {
    func testLLDPFrameRoundTripsAndJunkIsRefused() {
        let f = LinkDiscovery.lldp(dpid: 0x0102_0304_0506_0708, port: 3, source: 0x0200_0000_0001, controller: 42)
        XCTAssertEqual(Array(f[0..<6]), [0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E])
        XCTAssertEqual(Array(f[12..<14]), [0x88, 0xCC])
        let p = LinkDiscovery.parse(f)
        XCTAssertEqual(p?.dpid, 0x0102_0304_0506_0708)
        XCTAssertEqual(p?.port, 3)
        XCTAssertEqual(p?.controller, 42)
        for cut in [15, 20, 40, f.count - 2] { XCTAssertNil(LinkDiscovery.parse(Array(f.prefix(cut))), "cut at \(cut)") }
        var bad = f
        bad[14] = 0xFF; bad[15] = 0xFF  // a TLV longer than the frame
        XCTAssertNil(LinkDiscovery.parse(bad))
    }

    /// The controller's LLDP out of s1 port 1, handed back as a packet-in on s2 port 2,
    /// is the link s1:1 -> s2:2; s1's port going down takes it away.
    func testAnLLDPThatComesBackIsALink() throws {
        let c = try BuiltinController()
        defer { c.stop() }
        let s1 = try FakeSwitch(port: c.port), s2 = try FakeSwitch(port: c.port)
        try s1.handshake(dpid: 1, ports: [1, 2])
        try s2.handshake(dpid: 2, ports: [1, 2])
        guard case .packetOut(let out)? = s1.expect({ if case .packetOut(let p) = $0 { p.actions == [.output(port: 1)] } else { false } }) else {
            return XCTFail("no LLDP out of s1 port 1")
        }
        XCTAssertNotNil(LinkDiscovery.parse(out.data))
        try s2.send(.packetIn(OFPacketIn(bufferID: OFBufferID.noBuffer, totalLen: UInt16(out.data.count), reason: 0, tableID: 0,
                                         cookie: 0, match: OFMatch(inPort: 2), data: out.data)))
        let discovery = try XCTUnwrap(c.context.service("links", as: LinkDiscovery.self))
        func links() -> Set<SwitchLink> { c.core.onLoop { discovery.links } ?? [] }
        let deadline = Date().addingTimeInterval(5)
        while links().isEmpty && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(links(), [SwitchLink(src: 1, srcPort: 1, dst: 2, dstPort: 2)])
        XCTAssertEqual(c.counters.value("learning-switch", "floods"), 0, "LLDP is not flooded")
        try s1.send(.portStatus(OFPortStatus(reason: OFPortStatus.reasonModify,
                                             desc: OFPortDesc(portNo: 1, hwAddr: OFMACAddress(rawValue: 1), name: "s1-eth1",
                                                              config: OFPortDesc.configPortDown, state: OFPortDesc.stateLinkDown))))
        while !links().isEmpty && Date() < deadline.addingTimeInterval(5) { usleep(10_000) }
        XCTAssertTrue(links().isEmpty)
        XCTAssertEqual(c.counters.value("link-discovery", "links down"), 1)
    }
}
