import XCTest
@testable import OpenFlow

/// Real OpenFlow 1.3 bytes between os-ken 3.1.1 (the tests' L2 learning app,
/// Tests/IntegrationTests/Controllers/l2_learning.py) and swiftnet's user switch, captured
/// with tcpdump on lo, 2026-11-27: `swiftnet --topo single,2 --mac --switch
/// user,protocols=OpenFlow13 --controller remote,port=P`, then `h1 ping -c 2 10.0.0.2`
/// (h1 00:00:00:00:00:01 on port 1, h2 00:00:00:00:00:02 on port 2).
final class SwitchCaptureTests: XCTestCase {
    /// os-ken -> switch: the table-miss flow (priority 0, everything to the controller).
    static let tableMiss = hex("""
        04 0e 00 50 a6 79 b2 bf 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 04 00 00 00 00 00 04 00 18 00 00 00 00
        00 00 00 10 ff ff ff fd ff ff 00 00 00 00 00 00
        """)
    /// os-ken -> switch: a learned flow, in_port 2, h2 -> h1, out port 1.
    static let learned = hex("""
        04 0e 00 68 a6 79 b2 c1 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01
        ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 20 80 00 00 04 00 00 00 02 80 00 06 06
        00 00 00 00 00 01 80 00 08 06 00 00 00 00 00 02 00 04 00 18 00 00 00 00 00 00 00 10 00 00 00 01
        ff e5 00 00 00 00 00 00
        """)
    /// os-ken -> switch: h1's ARP request flooded (PACKET_OUT with the frame, no buffer).
    static let packetOutFlood = hex("""
        04 0d 00 52 a6 79 b2 c0 ff ff ff ff 00 00 00 01 00 10 00 00 00 00 00 00 00 00 00 10 ff ff ff fb
        ff e5 00 00 00 00 00 00 ff ff ff ff ff ff 00 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01 00 00
        00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02
        """)
    /// os-ken -> switch: MULTIPART_REQUEST port description.
    static let portDescRequest = hex("04 12 00 10 a6 79 b2 be 00 0d 00 00 00 00 00 00")
    /// switch -> os-ken: FEATURES_REPLY, datapath id 1, 4 tables, flow/table/port statistics.
    static let featuresReply = hex("04 06 00 20 a6 79 b2 bd 00 00 00 00 00 00 00 01 00 00 00 00 04 00 00 00 00 00 00 07 00 00 00 00")
    /// switch -> os-ken: h1's ARP request as PACKET_IN (table miss, whole frame, in_port 1).
    static let packetIn = hex("""
        04 0a 00 54 00 00 00 00 ff ff ff ff 00 2a 00 00 00 00 00 00 00 00 00 00 00 01 00 0c 80 00 00 04
        00 00 00 01 00 00 00 00 00 00 ff ff ff ff ff ff 00 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01
        00 00 00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02
        """)

    func testTableMissFlowFromOSKen() throws {
        let (h, m) = try OFMessage.decode(Self.tableMiss)
        XCTAssertEqual(h.xid, 0xA679_B2BF)
        guard case .flowMod(let f) = m else { return XCTFail("\(m)") }
        XCTAssertEqual(f.command, .add)
        XCTAssertEqual(f.priority, 0)
        XCTAssertTrue(f.match.isEmpty)
        XCTAssertEqual(f.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(f.instructions, [.applyActions([.output(port: .controller, maxLen: 0xFFFF)])])
        XCTAssertEqual(try m.encode(version: .v1_3, xid: h.xid), Self.tableMiss)
    }

    func testLearnedFlowFromOSKen() throws {
        let (h, m) = try OFMessage.decode(Self.learned)
        guard case .flowMod(let f) = m else { return XCTFail("\(m)") }
        XCTAssertEqual(f.priority, 1)
        XCTAssertEqual(f.idleTimeout, 0)
        XCTAssertEqual(f.match.inPort, 2)
        XCTAssertEqual(f.match.ethDst, OFMACAddress("00:00:00:00:00:01"))
        XCTAssertEqual(f.match.ethSrc, OFMACAddress("00:00:00:00:00:02"))
        XCTAssertEqual(f.actions, [.output(port: 1, maxLen: 0xFFE5)])
        XCTAssertEqual(try m.encode(version: .v1_3, xid: h.xid), Self.learned)
        // The flow matches the packet it was made for.
        let reply = ParsedPacket(frame: [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x06] + [UInt8](repeating: 0, count: 28), inPort: 2)!
        XCTAssertTrue(f.match.matches(packet: reply))
    }

    func testFloodPacketOutFromOSKen() throws {
        let (h, m) = try OFMessage.decode(Self.packetOutFlood)
        guard case .packetOut(let p) = m else { return XCTFail("\(m)") }
        XCTAssertEqual(p.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(p.inPort, 1)
        XCTAssertEqual(p.actions, [.output(port: .flood, maxLen: 0xFFE5)])
        XCTAssertEqual(p.data.count, 42)
        XCTAssertEqual(ParsedPacket(frame: p.data, inPort: 1)?.arpTpa, OFIPv4Address("10.0.0.2"))
        XCTAssertEqual(try m.encode(version: .v1_3, xid: h.xid), Self.packetOutFlood)
    }

    func testPortDescRequestFromOSKen() throws {
        let (_, m) = try OFMessage.decode(Self.portDescRequest)
        XCTAssertEqual(m, .statsRequest(.portDesc))
    }

    func testSwitchMessagesAsOSKenSawThem() throws {
        guard case .featuresReply(let f) = try OFMessage.decode(Self.featuresReply).message else { return XCTFail() }
        XCTAssertEqual(f.datapathID, 1)
        XCTAssertEqual(f.nTables, 4)
        XCTAssertEqual(f.capabilities, OFFeatures.flowStats | OFFeatures.tableStats | OFFeatures.portStats)
        guard case .packetIn(let p) = try OFMessage.decode(Self.packetIn).message else { return XCTFail() }
        XCTAssertEqual(p.inPort, 1)
        XCTAssertEqual(p.reason, OFPacketIn.reasonNoMatch)
        XCTAssertEqual(p.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(Int(p.totalLen), p.data.count)
        XCTAssertEqual(ParsedPacket(frame: p.data, inPort: 1)?.arpOp, 1)
    }
}
