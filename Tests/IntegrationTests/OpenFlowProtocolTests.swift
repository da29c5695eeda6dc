import Foundation
import Glibc
import OpenFlow
import Swiftnet
import XCTest

/// A controller played by the test itself over a plain socket, to see exactly what the
/// user switch answers: unsupported and malformed requests get an ERROR with their xid and
/// the connection stays up; barriers, roles, statistics, PACKET_IN and PORT_STATUS.
final class OpenFlowProtocolTests: XCTestCase {
    final class Peer {
        let listener: Int32
        let port: Int
        var fd: Int32 = -1
        var framer = OFFramer()

        init() throws {
            (listener, port) = ControllerProcess.boundSocket()
            guard listen(listener, 4) == 0 else { throw MissingPrerequisite("cannot listen on a loopback socket: \(String(cString: strerror(errno)))") }
        }

        deinit {
            if fd >= 0 { close(fd) }
            close(listener)
        }

        func accept(timeout: Int32 = 5000) -> Bool {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, timeout) == 1 else { return false }
            fd = Glibc.accept(listener, nil, nil)
            return fd >= 0
        }

        func send(_ m: OFMessage, xid: UInt32) throws {
            try sendRaw(m.encode(version: .v1_3, xid: xid))
        }

        func sendRaw(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        }

        /// The next message, or nil after `timeout` ms.
        func receive(timeout: Int32 = 3000) -> (header: OFHeader, message: OFMessage)? {
            let deadline = Date().addingTimeInterval(Double(timeout) / 1000)
            while true {
                if let f = try? framer.pop(), let m = try? f.decode() { return (f.header, m) }
                let left = Int32(deadline.timeIntervalSinceNow * 1000)
                guard left > 0 else { return nil }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, left) == 1 else { return nil }
                var buf = [UInt8](repeating: 0, count: 65536)
                let n = recv(fd, &buf, buf.count, 0)
                guard n > 0 else { return nil }
                framer.append(buf[0..<n])
            }
        }

        /// The next message with this xid (others, such as PACKET_INs, are skipped).
        func reply(to xid: UInt32) -> OFMessage? {
            while let r = receive() { if r.header.xid == xid { return r.message } }
            return nil
        }

        /// The next message that `pick` accepts.
        func next<T>(_ pick: (OFMessage) -> T?) -> T? {
            while let r = receive() { if let t = pick(r.message) { return t } }
            return nil
        }
    }

    func testTheSwitchAnswersEveryRequest() throws {
        try requireRoot()
        let peer = try Peer()
        var t = try Topology.builtin("single,2")
        t.name = "ofp\(getpid())"
        t.switches[0].kind = .user
        t.controller = ControllerSpec(host: "127.0.0.1", port: peer.port)
        var o = NetworkOptions()
        o.controllerWait = .zero
        try withNetwork(t, options: o) { net in
            XCTAssertTrue(peer.accept(), "the switch connects")
            // HELLO with a version bitmap of 1.0 and 1.3.
            guard case .hello(let hello)? = peer.receive()?.message else { return XCTFail("no HELLO") }
            XCTAssertEqual(hello.version, OFVersion.v1_3.rawValue)
            XCTAssertEqual(hello.versionBitmap.map(Set.init), Set([OFVersion.v1_0.rawValue, OFVersion.v1_3.rawValue]))
            try peer.send(.hello(OFHello(version: OFVersion.v1_3.rawValue)), xid: 1)
            try peer.send(.featuresRequest, xid: 2)
            guard case .featuresReply(let f)? = peer.reply(to: 2) else { return XCTFail("no FEATURES_REPLY") }
            XCTAssertEqual(f.datapathID, 1)

            // A message type 1.3 does not have: BAD_REQUEST/BAD_TYPE.
            try peer.send(.unknown(type: 30, body: [UInt8](repeating: 0, count: 8)), xid: 3)
            guard case .error(let e1)? = peer.reply(to: 3) else { return XCTFail("no ERROR for message type 30") }
            XCTAssertEqual([e1.type, e1.code], [OFErrorType.badRequest, OFBadRequestCode.badType])
            // A statistics type it does not serve (table features): BAD_REQUEST/BAD_MULTIPART.
            try peer.send(.statsRequest(.unknown(type: 12, body: [])), xid: 4)
            guard case .error(let e2)? = peer.reply(to: 4) else { return XCTFail("no ERROR for table features") }
            XCTAssertEqual([e2.type, e2.code], [OFErrorType.badRequest, OFBadRequestCode.badMultipart])
            // A group, then the same group again: GROUP_MOD_FAILED/GROUP_EXISTS; the group
            // description lists it.
            let g = OFGroupMod(command: OFGroupMod.add, type: OFGroupMod.all, groupID: 7, buckets: [OFBucket(actions: [.output(port: 1)])])
            try peer.send(.groupMod(g), xid: 40)
            try peer.send(.groupMod(g), xid: 41)
            guard case .error(let eg)? = peer.reply(to: 41) else { return XCTFail("no ERROR for a second group 7") }
            XCTAssertEqual([eg.type, eg.code], [6, 0])
            try peer.send(.statsRequest(.groupDesc), xid: 42)
            guard case .statsReply(.groupDesc(let groups), _)? = peer.reply(to: 42) else { return XCTFail("no group desc") }
            XCTAssertEqual(groups, [OFGroupDesc(type: OFGroupMod.all, groupID: 7, buckets: g.buckets)])
            // A flow through a meter the switch does not have: METER_MOD_FAILED/UNKNOWN_METER.
            var metered = OFFlowMod()
            metered.instructions = [.meter(5), .applyActions([.output(port: 1)])]
            try peer.send(.flowMod(metered), xid: 43)
            guard case .error(let em)? = peer.reply(to: 43) else { return XCTFail("no ERROR for meter 5") }
            XCTAssertEqual([em.type, em.code], [12, 3])
            // A FLOW_MOD cut short: BAD_REQUEST/BAD_LEN, carrying the request's bytes.
            let short: [UInt8] = [4, 14, 0, 16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0]
            peer.sendRaw(short)
            guard case .error(let e3)? = peer.reply(to: 5) else { return XCTFail("no ERROR for a short FLOW_MOD") }
            XCTAssertEqual([e3.type, e3.code], [OFErrorType.badRequest, OFBadRequestCode.badLength])
            XCTAssertEqual(e3.data, short)
            // An output to a port the switch does not have: BAD_ACTION/BAD_OUT_PORT.
            var bad = OFFlowMod()
            bad.instructions = [.applyActions([.output(port: 99)])]
            try peer.send(.flowMod(bad), xid: 6)
            guard case .error(let e4)? = peer.reply(to: 6) else { return XCTFail("no ERROR for output:99") }
            XCTAssertEqual([e4.type, e4.code], [OFErrorType.badAction, 4])
            // Still connected: echo, role, barrier.
            try peer.send(.echoRequest([1, 2, 3]), xid: 7)
            guard case .echoReply(let data)? = peer.reply(to: 7) else { return XCTFail("no ECHO_REPLY") }
            XCTAssertEqual(data, [1, 2, 3])
            try peer.send(.roleRequest(OFRole(role: OFRole.master, generationID: 42)), xid: 8)
            guard case .roleReply(let role)? = peer.reply(to: 8) else { return XCTFail("no ROLE_REPLY") }
            XCTAssertEqual(role, OFRole(role: OFRole.master, generationID: 42))

            // A table-miss flow to the controller, then a barrier.
            var miss = OFFlowMod()
            miss.priority = 0
            miss.cookie = 0xC0FFEE
            miss.instructions = [.applyActions([.output(port: .controller, maxLen: 0xFFFF)])]
            try peer.send(.flowMod(miss), xid: 9)
            try peer.send(.barrierRequest, xid: 10)
            guard case .barrierReply? = peer.reply(to: 10) else { return XCTFail("no BARRIER_REPLY") }
            try peer.send(.statsRequest(.flow(OFFlowStatsRequest())), xid: 11)
            guard case .statsReply(.flow(let flows), _)? = peer.reply(to: 11) else { return XCTFail("no flow stats") }
            XCTAssertEqual(flows.map(\.cookie), [0xC0FFEE])

            // h1's ARP request reaches the controller, whole, from port 1.
            let ping = Thread { _ = try? net.run(on: "h1", ["ping", "-c", "1", "-W", "1", "10.0.0.2"], timeout: .seconds(5)) }
            ping.start()
            let packetIn: OFPacketIn? = peer.next { if case .packetIn(let p) = $0 { p } else { nil } }
            XCTAssertEqual(packetIn?.inPort, 1)
            XCTAssertEqual(packetIn?.reason, OFPacketIn.reasonNoMatch)
            XCTAssertEqual(packetIn?.cookie, 0xC0FFEE)
            XCTAssertEqual(packetIn.flatMap { ParsedPacket(frame: $0.data, inPort: 1) }?.arpOp, 1)
            XCTAssertEqual(Int(packetIn?.totalLen ?? 0), packetIn?.data.count)

            // A link going down is a PORT_STATUS.
            try net.setLink("h2", "s1", up: false)
            let status: OFPortStatus? = peer.next { if case .portStatus(let s) = $0 { s } else { nil } }
            XCTAssertEqual(status?.desc.portNo, 2)
            XCTAssertEqual(status.map { $0.desc.state & OFPortDesc.stateLinkDown }, OFPortDesc.stateLinkDown)
        }
    }
}
