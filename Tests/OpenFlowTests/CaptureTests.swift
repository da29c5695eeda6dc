import XCTest
@testable import OpenFlow

/// Real OpenFlow bytes, captured from ovs-testcontroller talking to Open vSwitch 3.1, 2026-11-27.
///
/// Captured with Benchmarks/of_capture.py: netdev bridge (datapath id 1, fail_mode=secure) in a
/// private namespace, h1 (00:00:00:00:00:01, 10.0.0.1) on port 1, h2 (00:00:00:00:00:02, 10.0.0.2)
/// on port 2; tcpdump on that namespace's lo while h1 pinged h2. The controller is a MAC-learning
/// switch: an unknown destination gets a PACKET_OUT flood; a known one a FLOW_MOD (exact match,
/// idle timeout 60 s, priority 1; no buffer, as OVS buffers nothing) followed by a PACKET_OUT.
final class CaptureTests: XCTestCase {
    // MARK: OpenFlow 1.0. Controller: `ovs-testcontroller ptcp:16653`; bridge protocols=OpenFlow10.

    /// controller -> switch, HELLO, xid 1.
    static let c10Hello = hex("06 00 00 08 00 00 00 01")

    /// controller -> switch, FEATURES_REQUEST, xid 2.
    static let c10FeaturesRequest = hex("01 05 00 08 00 00 00 02")

    /// controller -> switch, SET_CONFIG, xid 3.
    static let c10SetConfig = hex("01 09 00 0c 00 00 00 03 00 00 00 80")

    /// controller -> switch, ECHO_REPLY, xid 0.
    static let c10EchoReply = hex("01 03 00 08 00 00 00 00")

    /// controller -> switch, PACKET_OUT, xid 4: h1's ARP request, flooded.
    static let c10PacketOutFlood = hex("""
        01 0d 00 42 00 00 00 04 ff ff ff ff 00 01 00 08
        00 00 00 08 ff fb 00 00 ff ff ff ff ff ff 00 00
        00 00 00 01 08 06 00 01 08 00 06 04 00 01 00 00
        00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00
        00 02
        """)

    /// controller -> switch, FLOW_MOD, xid 5: for h2's ARP reply to h1.
    static let c10FlowModARP = hex("""
        01 0e 00 50 00 00 00 05 00 20 00 c0 00 02 00 00
        00 00 00 02 00 00 00 00 00 01 ff ff 00 00 08 06
        00 02 00 00 0a 00 00 02 0a 00 00 01 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 3c 00 00 00 01
        ff ff ff ff ff ff 00 00 00 00 00 08 00 01 00 00
        """)

    /// controller -> switch, FLOW_MOD, xid 7: for h1's echo request to h2.
    static let c10FlowModICMP = hex("""
        01 0e 00 50 00 00 00 07 00 00 00 00 00 01 00 00
        00 00 00 01 00 00 00 00 00 02 ff ff 00 00 08 00
        00 01 00 00 0a 00 00 01 0a 00 00 02 00 08 00 00
        00 00 00 00 00 00 00 00 00 00 00 3c 00 00 00 01
        ff ff ff ff ff ff 00 00 00 00 00 08 00 02 00 00
        """)

    /// controller -> switch, PACKET_OUT, xid 8: h1's echo request, out of port 2.
    static let c10PacketOutICMP = hex("""
        01 0d 00 7a 00 00 00 08 ff ff ff ff 00 01 00 08
        00 00 00 08 00 02 00 00 00 00 00 00 00 02 00 00
        00 00 00 01 08 00 45 00 00 54 2e 59 40 00 40 01
        f8 4d 0a 00 00 01 0a 00 00 02 08 00 01 a9 6b e9
        00 01 6e f3 08 6b 00 00 00 00 52 3b 02 00 00 00
        00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
        1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
        2e 2f 30 31 32 33 34 35 36 37
        """)

    /// switch -> controller, HELLO, xid 1.
    static let s10Hello = hex("01 00 00 08 00 00 00 01")

    /// switch -> controller, FEATURES_REPLY, xid 2.
    static let s10FeaturesReply = hex("""
        01 06 00 b0 00 00 00 02 00 00 00 00 00 00 00 01
        00 00 00 00 fe 00 00 00 00 00 00 c7 00 00 0f ff
        ff fe 16 8b 60 6b d1 48 6f 76 62 32 37 34 36 37
        00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01
        00 00 00 c0 00 00 00 00 00 00 00 00 00 00 00 00
        00 01 aa e6 d6 3e cc 1d 6f 76 62 32 37 34 36 37
        2d 73 31 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 c0 00 00 00 00 00 00 00 00 00 00 00 00
        00 02 96 9e 39 e8 f6 dd 6f 76 62 32 37 34 36 37
        2d 73 32 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 c0 00 00 00 00 00 00 00 00 00 00 00 00
        """)

    /// switch -> controller, ECHO_REQUEST, xid 0.
    static let s10EchoRequest = hex("01 02 00 08 00 00 00 00")

    /// switch -> controller, PACKET_IN: h1's ARP request (broadcast).
    static let s10PacketInARPRequest = hex("""
        01 0a 00 3c 00 00 00 00 ff ff ff ff 00 2a 00 01
        00 00 ff ff ff ff ff ff 00 00 00 00 00 01 08 06
        00 01 08 00 06 04 00 01 00 00 00 00 00 01 0a 00
        00 01 00 00 00 00 00 00 0a 00 00 02
        """)

    /// switch -> controller, PACKET_IN: h2's ARP reply.
    static let s10PacketInARPReply = hex("""
        01 0a 00 3c 00 00 00 00 ff ff ff ff 00 2a 00 02
        00 00 00 00 00 00 00 01 00 00 00 00 00 02 08 06
        00 01 08 00 06 04 00 02 00 00 00 00 00 02 0a 00
        00 02 00 00 00 00 00 01 0a 00 00 01
        """)

    /// switch -> controller, PACKET_IN: h1's echo request.
    static let s10PacketInICMPRequest = hex("""
        01 0a 00 74 00 00 00 00 ff ff ff ff 00 62 00 01
        00 00 00 00 00 00 00 02 00 00 00 00 00 01 08 00
        45 00 00 54 2e 59 40 00 40 01 f8 4d 0a 00 00 01
        0a 00 00 02 08 00 01 a9 6b e9 00 01 6e f3 08 6b
        00 00 00 00 52 3b 02 00 00 00 00 00 10 11 12 13
        14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23
        24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33
        34 35 36 37
        """)

    /// switch -> controller, PACKET_IN: h2's echo reply.
    static let s10PacketInICMPReply = hex("""
        01 0a 00 74 00 00 00 00 ff ff ff ff 00 62 00 02
        00 00 00 00 00 00 00 01 00 00 00 00 00 02 08 00
        45 00 00 54 60 fe 00 00 40 01 05 a9 0a 00 00 02
        0a 00 00 01 00 00 09 a9 6b e9 00 01 6e f3 08 6b
        00 00 00 00 52 3b 02 00 00 00 00 00 10 11 12 13
        14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23
        24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33
        34 35 36 37
        """)

    // MARK: OpenFlow 1.3. Controller: `ovs-testcontroller ptcp:16653 -O OpenFlow13`; bridge protocols=OpenFlow13.

    /// controller -> switch, HELLO, xid 1.
    static let c13Hello = hex("04 00 00 10 00 00 00 01 00 01 00 08 00 00 00 10")

    /// controller -> switch, FEATURES_REQUEST, xid 2.
    static let c13FeaturesRequest = hex("04 05 00 08 00 00 00 02")

    /// controller -> switch, SET_CONFIG, xid 3.
    static let c13SetConfig = hex("04 09 00 0c 00 00 00 03 00 00 00 80")

    /// controller -> switch, FLOW_MOD, xid 4: the table-miss flow (to the controller).
    static let c13FlowModTableMiss = hex("""
        04 0e 00 50 00 00 00 04 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 00
        00 01 00 04 00 00 00 00 00 04 00 18 00 00 00 00
        00 00 00 10 ff ff ff fd 00 80 00 00 00 00 00 00
        """)

    /// controller -> switch, PACKET_OUT, xid 5: h1's ARP request, flooded.
    static let c13PacketOutFlood = hex("""
        04 0d 00 52 00 00 00 05 ff ff ff ff 00 00 00 01
        00 10 00 00 00 00 00 00 00 00 00 10 ff ff ff fb
        00 00 00 00 00 00 00 00 ff ff ff ff ff ff 00 00
        00 00 00 01 08 06 00 01 08 00 06 04 00 01 00 00
        00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00
        00 02
        """)

    /// controller -> switch, FLOW_MOD, xid 6: for h2's ARP reply to h1.
    static let c13FlowModARP = hex("""
        04 0e 00 90 00 00 00 06 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 3c 00 00 00 01
        ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00
        00 01 00 42 80 00 00 04 00 00 00 02 80 00 08 06
        00 00 00 00 00 02 80 00 06 06 00 00 00 00 00 01
        80 00 0a 02 08 06 80 00 0c 02 00 00 80 00 2a 02
        00 02 80 00 2c 04 0a 00 00 02 80 00 2e 04 0a 00
        00 01 00 00 00 00 00 00 00 04 00 18 00 00 00 00
        00 00 00 10 00 00 00 01 00 00 00 00 00 00 00 00
        """)

    /// controller -> switch, FLOW_MOD, xid 8: for h1's echo request to h2.
    static let c13FlowModICMP = hex("""
        04 0e 00 98 00 00 00 08 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00 00 3c 00 00 00 01
        ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00
        00 01 00 50 80 00 00 04 00 00 00 01 80 00 08 06
        00 00 00 00 00 01 80 00 06 06 00 00 00 00 00 02
        80 00 0a 02 08 00 80 00 0c 02 00 00 80 00 16 04
        0a 00 00 01 80 00 18 04 0a 00 00 02 80 00 10 01
        00 80 00 14 01 01 80 00 26 01 08 80 00 28 01 00
        00 04 00 18 00 00 00 00 00 00 00 10 00 00 00 02
        00 00 00 00 00 00 00 00
        """)

    /// controller -> switch, PACKET_OUT, xid 9: h1's echo request, out of port 2.
    static let c13PacketOutICMP = hex("""
        04 0d 00 8a 00 00 00 09 ff ff ff ff 00 00 00 01
        00 10 00 00 00 00 00 00 00 00 00 10 00 00 00 02
        00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00
        00 00 00 01 08 00 45 00 00 54 5b 63 40 00 40 01
        cb 43 0a 00 00 01 0a 00 00 02 08 00 64 e9 6d d4
        00 01 87 f3 08 6b 00 00 00 00 d5 0f 01 00 00 00
        00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
        1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
        2e 2f 30 31 32 33 34 35 36 37
        """)

    /// switch -> controller, HELLO, xid 1.
    static let s13Hello = hex("04 00 00 10 00 00 00 01 00 01 00 08 00 00 00 10")

    /// switch -> controller, FEATURES_REPLY, xid 2.
    static let s13FeaturesReply = hex("""
        04 06 00 20 00 00 00 02 00 00 00 00 00 00 00 01
        00 00 00 00 fe 00 00 00 00 00 00 4f 00 00 00 00
        """)

    /// switch -> controller, PACKET_IN: h1's ARP request (broadcast).
    static let s13PacketInARPRequest = hex("""
        04 0a 00 54 00 00 00 00 ff ff ff ff 00 2a 00 00
        00 00 00 00 00 00 00 00 00 01 00 0c 80 00 00 04
        00 00 00 01 00 00 00 00 00 00 ff ff ff ff ff ff
        00 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01
        00 00 00 00 00 01 0a 00 00 01 00 00 00 00 00 00
        0a 00 00 02
        """)

    /// switch -> controller, PACKET_IN: h2's ARP reply.
    static let s13PacketInARPReply = hex("""
        04 0a 00 54 00 00 00 00 ff ff ff ff 00 2a 00 00
        00 00 00 00 00 00 00 00 00 01 00 0c 80 00 00 04
        00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 01
        00 00 00 00 00 02 08 06 00 01 08 00 06 04 00 02
        00 00 00 00 00 02 0a 00 00 02 00 00 00 00 00 01
        0a 00 00 01
        """)

    /// switch -> controller, PACKET_IN: h1's echo request.
    static let s13PacketInICMPRequest = hex("""
        04 0a 00 8c 00 00 00 00 ff ff ff ff 00 62 00 00
        00 00 00 00 00 00 00 00 00 01 00 0c 80 00 00 04
        00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 02
        00 00 00 00 00 01 08 00 45 00 00 54 5b 63 40 00
        40 01 cb 43 0a 00 00 01 0a 00 00 02 08 00 64 e9
        6d d4 00 01 87 f3 08 6b 00 00 00 00 d5 0f 01 00
        00 00 00 00 10 11 12 13 14 15 16 17 18 19 1a 1b
        1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b
        2c 2d 2e 2f 30 31 32 33 34 35 36 37
        """)

    // MARK: Helpers

    private struct Unexpected: Error { var message: OFMessage }

    private func packetIn(_ bytes: [UInt8], _ version: OFVersion,
                          file: StaticString = #filePath, line: UInt = #line) throws -> OFPacketIn {
        let m = try decodeVector(bytes, version: version, type: 10, xid: 0, file: file, line: line)
        guard case .packetIn(let p) = m else { throw Unexpected(message: m) }
        return p
    }

    private func packetOut(_ bytes: [UInt8], _ version: OFVersion, xid: UInt32,
                           file: StaticString = #filePath, line: UInt = #line) throws -> OFPacketOut {
        let m = try decodeVector(bytes, version: version, type: 13, xid: xid, file: file, line: line)
        guard case .packetOut(let p) = m else { throw Unexpected(message: m) }
        return p
    }

    private func flowMod(_ bytes: [UInt8], _ version: OFVersion, xid: UInt32,
                         file: StaticString = #filePath, line: UInt = #line) throws -> OFFlowMod {
        let m = try decodeVector(bytes, version: version, type: 14, xid: xid, file: file, line: line)
        guard case .flowMod(let f) = m else { throw Unexpected(message: m) }
        return f
    }

    /// A 1.0 FLOW_MOD from Open vSwitch matching untagged packets: dl_vlan OFP_VLAN_NONE with
    /// dl_vlan_pcp 0 not wildcarded. The priority means nothing without a tag, so the decoded
    /// match has no ``OFMatch/vlanPCP`` and re-encoding wildcards it (OFPFW_DL_VLAN_PCP, bit 20):
    /// the only byte that differs.
    private func untaggedFlowMod10(_ bytes: [UInt8], xid: UInt32,
                                   file: StaticString = #filePath, line: UInt = #line) throws -> OFFlowMod {
        let (header, message) = try OFMessage.decode(bytes)
        XCTAssertEqual(header, OFHeader(version: 1, type: 14, length: UInt16(bytes.count), xid: xid), file: file, line: line)
        XCTAssertEqual(Array(bytes[26..<29]), hex("ff ff 00"), "dl_vlan NONE, dl_vlan_pcp 0", file: file, line: line)
        XCTAssertEqual(bytes[9] & 0x10, 0, "dl_vlan_pcp not wildcarded", file: file, line: line)
        var expected = bytes
        expected[9] |= 0x10
        XCTAssertEqual(try message.encode(version: .v1_0, xid: xid), expected, file: file, line: line)
        guard case .flowMod(let f) = message else { throw Unexpected(message: message) }
        XCTAssertEqual(f.match.vlanVID, OFMatch.vlanNone, file: file, line: line)
        XCTAssertNil(f.match.vlanPCP, file: file, line: line)
        return f
    }

    /// The OXM TLVs of a 1.3 FLOW_MOD's match, in wire order.
    private func oxmTLVs(_ flowMod: [UInt8]) -> [[UInt8]] {
        let start = 48  // ofp_header + the fixed part of ofp_flow_mod
        let matchLength = Int(flowMod[start + 2]) << 8 | Int(flowMod[start + 3])
        var tlvs: [[UInt8]] = []
        var i = start + 4
        while i < start + matchLength {
            let length = 4 + Int(flowMod[i + 3])
            tlvs.append(Array(flowMod[i..<(i + length)]))
            i += length
        }
        return tlvs
    }

    /// A 1.3 FLOW_MOD from Open vSwitch, which writes eth_src before eth_dst and the IPv4
    /// addresses before ip_dscp/ip_proto; the codec writes OXM fields in field-number order.
    /// Both orders are valid, so re-encoding must give the same TLVs and length, reordered.
    private func reorderedFlowMod13(_ bytes: [UInt8], xid: UInt32,
                                    file: StaticString = #filePath, line: UInt = #line) throws -> OFFlowMod {
        let (header, message) = try OFMessage.decode(bytes)
        XCTAssertEqual(header, OFHeader(version: 4, type: 14, length: UInt16(bytes.count), xid: xid), file: file, line: line)
        let again = try message.encode(version: .v1_3, xid: xid)
        XCTAssertEqual(again.count, bytes.count, file: file, line: line)
        XCTAssertEqual(Array(again[..<48]), Array(bytes[..<48]), file: file, line: line)
        XCTAssertNotEqual(oxmTLVs(again), oxmTLVs(bytes), "expected OVS's field order to differ", file: file, line: line)
        XCTAssertEqual(oxmTLVs(again).sorted { $0.lexicographicallyPrecedes($1) },
                       oxmTLVs(bytes).sorted { $0.lexicographicallyPrecedes($1) }, file: file, line: line)
        XCTAssertEqual(try OFMessage.decode(again).message, message, file: file, line: line)
        guard case .flowMod(let f) = message else { throw Unexpected(message: message) }
        return f
    }

    private func parsed(_ p: OFPacketIn, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedPacket {
        try XCTUnwrap(ParsedPacket(frame: p.data, inPort: p.inPort), file: file, line: line)
    }

    private let ip1 = OFIPv4Address("10.0.0.1")!
    private let ip2 = OFIPv4Address("10.0.0.2")!

    // MARK: OpenFlow 1.0

    func testHandshake10() throws {
        // The controller offers 1.0 to 1.5: header version 6 and no bitmap (OVS leaves the
        // bitmap out when its versions run from 1.0 up without a gap).
        let (header, hello) = try OFMessage.decode(Self.c10Hello)
        XCTAssertEqual(header, OFHeader(version: 6, type: 0, length: 8, xid: 1))
        XCTAssertEqual(hello, .hello(OFHello(version: 6, versionBitmap: nil)))
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: hello), .v1_3)
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0], hello: hello), .v1_0)

        let switchHello = try decodeVector(Self.s10Hello, version: .v1_0, type: 0, xid: 1)
        XCTAssertEqual(switchHello, .hello(OFHello(version: 1)))
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: switchHello), .v1_0)

        XCTAssertEqual(try decodeVector(Self.c10FeaturesRequest, version: .v1_0, type: 5, xid: 2), .featuresRequest)
        XCTAssertEqual(try decodeVector(Self.c10SetConfig, version: .v1_0, type: 9, xid: 3),
                       .setConfig(OFSwitchConfig(flags: 0, missSendLen: 128)))
        XCTAssertEqual(try decodeVector(Self.s10EchoRequest, version: .v1_0, type: 2, xid: 0), .echoRequest([]))
        XCTAssertEqual(try decodeVector(Self.c10EchoReply, version: .v1_0, type: 3, xid: 0), .echoReply([]))
    }

    func testFeaturesReply10() throws {
        let m = try decodeVector(Self.s10FeaturesReply, version: .v1_0, type: 6, xid: 2)
        guard case .featuresReply(let f) = m else { return XCTFail("\(m)") }
        XCTAssertEqual(f.datapathID, 1)
        XCTAssertEqual(f.nBuffers, 0)
        XCTAssertEqual(f.nTables, 254)
        XCTAssertEqual(f.capabilities, 0xC7)  // FLOW, TABLE, PORT, QUEUE stats; ARP_MATCH_IP
        XCTAssertEqual(f.actions, 0xFFF)      // action types 0 (OUTPUT) ... 11 (ENQUEUE)
        XCTAssertEqual(f.ports.count, 3)
        XCTAssertEqual(f.ports.map(\.portNo), [.local, 1, 2])
        XCTAssertEqual(f.ports.map(\.name), ["ovb27467", "ovb27467-s1", "ovb27467-s2"])
        XCTAssertEqual(f.ports[1].hwAddr, OFMACAddress("aa:e6:d6:3e:cc:1d"))
        XCTAssertEqual(f.ports[2].hwAddr, OFMACAddress("96:9e:39:e8:f6:dd"))
        // The bridge's own port is down; the veths are up.
        XCTAssertEqual(f.ports.map(\.config), [OFPortDesc.configPortDown, 0, 0])
        XCTAssertEqual(f.ports.map(\.state), [OFPortDesc.stateLinkDown, 0, 0])
        for p in f.ports {
            // 0xc0 on the wire (1.0 bits); 1.3 numbering in the decoded value.
            XCTAssertEqual(p.curr, OFPortDesc.feature10GbFD | OFPortDesc.featureCopper)
            XCTAssertEqual([p.advertised, p.supported, p.peer], [0, 0, 0])
        }
    }

    func testPacketIn10() throws {
        let arp = try packetIn(Self.s10PacketInARPRequest, .v1_0)
        XCTAssertEqual(arp.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(arp.inPort, 1)
        XCTAssertEqual(arp.reason, OFPacketIn.reasonNoMatch)
        XCTAssertEqual(arp.totalLen, 42)
        XCTAssertEqual(arp.data.count, 42)
        let a = try parsed(arp)
        XCTAssertEqual(a.ethSrc, mac1)
        XCTAssertEqual(a.ethDst, .broadcast)
        XCTAssertEqual(a.ethType, 0x0806)
        XCTAssertEqual(a.arpOp, 1)
        XCTAssertEqual(a.arpSpa, ip1)
        XCTAssertEqual(a.arpTpa, ip2)

        let icmp = try packetIn(Self.s10PacketInICMPRequest, .v1_0)
        XCTAssertEqual(icmp.inPort, 1)
        XCTAssertEqual(icmp.reason, OFPacketIn.reasonNoMatch)
        XCTAssertEqual(icmp.totalLen, 98)
        XCTAssertEqual(icmp.data.count, 98)  // under miss_send_len 128: the whole frame
        let i = try parsed(icmp)
        XCTAssertEqual(i.ethDst, mac2)
        XCTAssertEqual(i.ipProto, 1)
        XCTAssertEqual(i.ipv4Src, ip1)
        XCTAssertEqual(i.ipv4Dst, ip2)
        XCTAssertEqual(i.icmpv4Type, 8)
        XCTAssertEqual(i.icmpv4Code, 0)

        let reply = try packetIn(Self.s10PacketInICMPReply, .v1_0)
        XCTAssertEqual(reply.inPort, 2)
        XCTAssertEqual(try parsed(reply).icmpv4Type, 0)
    }

    func testFlowMod10() throws {
        // For h2's ARP reply to h1: h1 was learnt on port 1 from its ARP request.
        let arp = try untaggedFlowMod10(Self.c10FlowModARP, xid: 5)
        XCTAssertEqual(arp.command, .add)
        XCTAssertEqual(arp.cookie, 0)
        XCTAssertEqual(arp.idleTimeout, 60)
        XCTAssertEqual(arp.hardTimeout, 0)
        XCTAssertEqual(arp.priority, 1)
        XCTAssertEqual(arp.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(arp.outPort, .any)
        XCTAssertEqual(arp.flags, [])
        XCTAssertEqual(arp.actions, [.output(port: 1, maxLen: 0)])
        var want = OFMatch(inPort: 2)
        want.ethSrc = mac2
        want.ethDst = mac1
        want.ethType = 0x0806
        want.vlanVID = OFMatch.vlanNone  // dl_vlan 0xffff
        want.arpOp = 2                   // nw_proto
        want.arpSpa = ip2                // nw_src
        want.arpTpa = ip1                // nw_dst
        XCTAssertEqual(arp.match, want)
        // Wildcarded on the wire: only TP_SRC, TP_DST and NW_TOS, which ARP lacks.
        XCTAssertEqual(Array(Self.c10FlowModARP[8..<12]), hex("00 20 00 c0"))
        // Both flows match only untagged frames: dl_vlan OFP_VLAN_NONE, dl_vlan_pcp ignored.
        let reply = try packetIn(Self.s10PacketInARPReply, .v1_0)
        XCTAssertTrue(arp.match.matches(packet: try parsed(reply)))
        XCTAssertFalse(arp.match.matches(packet: try parsed(try packetIn(Self.s10PacketInARPRequest, .v1_0))))

        // For h1's echo request: a full 12-tuple exact match (wildcards 0). Open vSwitch
        // stores such a 1.0 flow at priority 65535 whatever the message says.
        let icmp = try untaggedFlowMod10(Self.c10FlowModICMP, xid: 7)
        XCTAssertEqual(Array(Self.c10FlowModICMP[8..<12]), hex("00 00 00 00"))
        XCTAssertEqual(icmp.idleTimeout, 60)
        XCTAssertEqual(icmp.hardTimeout, 0)
        XCTAssertEqual(icmp.priority, 1)
        XCTAssertEqual(icmp.actions, [.output(port: 2, maxLen: 0)])
        want = OFMatch(inPort: 1)
        want.ethSrc = mac1
        want.ethDst = mac2
        want.ethType = 0x0800
        want.vlanVID = OFMatch.vlanNone
        want.ipDSCP = 0
        want.ipProto = 1
        want.ipv4Src = ip1
        want.ipv4Dst = ip2
        want.icmpv4Type = 8              // tp_src
        want.icmpv4Code = 0              // tp_dst
        XCTAssertEqual(icmp.match, want)
        XCTAssertTrue(icmp.match.matches(packet: try parsed(try packetIn(Self.s10PacketInICMPRequest, .v1_0))))
        XCTAssertFalse(icmp.match.matches(packet: try parsed(try packetIn(Self.s10PacketInICMPReply, .v1_0))))
    }

    func testPacketOut10() throws {
        // h1's ARP request, destination unknown: flooded, the frame sent back whole (no buffer).
        let flood = try packetOut(Self.c10PacketOutFlood, .v1_0, xid: 4)
        XCTAssertEqual(flood.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(flood.inPort, 1)
        XCTAssertEqual(flood.actions, [.output(port: .flood, maxLen: 0)])
        XCTAssertEqual(flood.data, try packetIn(Self.s10PacketInARPRequest, .v1_0).data)

        // h1's echo request, after its FLOW_MOD: out of port 2.
        let icmp = try packetOut(Self.c10PacketOutICMP, .v1_0, xid: 8)
        XCTAssertEqual(icmp.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(icmp.inPort, 1)
        XCTAssertEqual(icmp.actions, [.output(port: 2, maxLen: 0)])
        XCTAssertEqual(icmp.data, try packetIn(Self.s10PacketInICMPRequest, .v1_0).data)
    }

    /// The switch's whole side of the connection, in wire order, cut by the framer however it
    /// arrives.
    func testSwitchStream10ThroughFramer() throws {
        let messages = [Self.s10Hello, Self.s10FeaturesReply, Self.s10EchoRequest, Self.s10PacketInARPRequest,
                        Self.s10PacketInARPReply, Self.s10PacketInICMPRequest, Self.s10PacketInICMPReply]
        let stream = messages.flatMap { $0 }
        for chunk in [1, 7, 64, stream.count] {
            var framer = OFFramer()
            var frames: [OFFrame] = []
            for start in stride(from: 0, to: stream.count, by: chunk) {
                framer.append(stream[start..<min(start + chunk, stream.count)])
                frames += try framer.drain()
            }
            XCTAssertEqual(frames.map(\.bytes), messages, "chunks of \(chunk)")
            XCTAssertEqual(framer.bufferedCount, 0)
            for f in frames { XCTAssertNoThrow(try f.decode()) }
        }
    }

    // MARK: OpenFlow 1.3

    func testHandshake13() throws {
        let hello = try decodeVector(Self.c13Hello, version: .v1_3, type: 0, xid: 1)
        XCTAssertEqual(hello, .hello(OFHello(version: 4, versionBitmap: [4])))
        XCTAssertEqual(try decodeVector(Self.s13Hello, version: .v1_3, type: 0, xid: 1), hello)
        XCTAssertEqual(OFVersion.negotiate(ours: [.v1_0, .v1_3], hello: hello), .v1_3)
        XCTAssertNil(OFVersion.negotiate(ours: [.v1_0], hello: hello))

        XCTAssertEqual(try decodeVector(Self.c13FeaturesRequest, version: .v1_3, type: 5, xid: 2), .featuresRequest)
        XCTAssertEqual(try decodeVector(Self.c13SetConfig, version: .v1_3, type: 9, xid: 3),
                       .setConfig(OFSwitchConfig(flags: 0, missSendLen: 128)))
        XCTAssertEqual(try decodeVector(Self.s13FeaturesReply, version: .v1_3, type: 6, xid: 2),
                       .featuresReply(OFFeatures(datapathID: 1, nBuffers: 0, nTables: 254, auxiliaryID: 0,
                                                 capabilities: 0x4F,  // FLOW, TABLE, PORT, GROUP, QUEUE stats
                                                 actions: 0, ports: [])))
    }

    /// Sent right after SET_CONFIG: 1.3 has no implicit send-to-controller on a miss.
    func testTableMissFlowMod13() throws {
        let m = try flowMod(Self.c13FlowModTableMiss, .v1_3, xid: 4)
        XCTAssertEqual(m, OFFlowMod(priority: 0, match: OFMatch(),
                                    instructions: [.applyActions([.output(port: .controller, maxLen: 128)])]))
        XCTAssertEqual(m.outGroup, 0xFFFF_FFFF)
    }

    func testFlowMod13() throws {
        let arp = try reorderedFlowMod13(Self.c13FlowModARP, xid: 6)
        XCTAssertEqual(arp.command, .add)
        XCTAssertEqual(arp.tableID, 0)
        XCTAssertEqual(arp.idleTimeout, 60)
        XCTAssertEqual(arp.hardTimeout, 0)
        XCTAssertEqual(arp.priority, 1)
        XCTAssertEqual(arp.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(arp.outPort, .any)
        XCTAssertEqual(arp.outGroup, 0)  // OVS leaves out_group 0 in an ADD
        XCTAssertEqual(arp.instructions, [.applyActions([.output(port: 1, maxLen: 0)])])
        var want = OFMatch(inPort: 2)
        want.ethSrc = mac2
        want.ethDst = mac1
        want.ethType = 0x0806
        want.vlanVID = OFMatch.vlanNone
        want.arpOp = 2
        want.arpSpa = ip2
        want.arpTpa = ip1
        XCTAssertEqual(arp.match, want)
        XCTAssertTrue(arp.match.matches(packet: try parsed(try packetIn(Self.s13PacketInARPReply, .v1_3))))

        let icmp = try reorderedFlowMod13(Self.c13FlowModICMP, xid: 8)
        XCTAssertEqual(icmp.idleTimeout, 60)
        XCTAssertEqual(icmp.priority, 1)
        XCTAssertEqual(icmp.instructions, [.applyActions([.output(port: 2, maxLen: 0)])])
        want = OFMatch(inPort: 1)
        want.ethSrc = mac1
        want.ethDst = mac2
        want.ethType = 0x0800
        want.vlanVID = OFMatch.vlanNone
        want.ipDSCP = 0
        want.ipProto = 1
        want.ipv4Src = ip1
        want.ipv4Dst = ip2
        want.icmpv4Type = 8
        want.icmpv4Code = 0
        XCTAssertEqual(icmp.match, want)
        XCTAssertTrue(icmp.match.matches(packet: try parsed(try packetIn(Self.s13PacketInICMPRequest, .v1_3))))
    }

    func testPacketInAndOut13() throws {
        let arp = try packetIn(Self.s13PacketInARPRequest, .v1_3)
        XCTAssertEqual(arp.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(arp.totalLen, 42)
        XCTAssertEqual(arp.reason, OFPacketIn.reasonNoMatch)  // the table-miss flow sent it
        XCTAssertEqual(arp.tableID, 0)
        XCTAssertEqual(arp.cookie, 0)
        XCTAssertEqual(arp.match, OFMatch(inPort: 1))
        XCTAssertEqual(try parsed(arp).ethDst, .broadcast)

        let flood = try packetOut(Self.c13PacketOutFlood, .v1_3, xid: 5)
        XCTAssertEqual(flood.bufferID, OFBufferID.noBuffer)
        XCTAssertEqual(flood.inPort, 1)
        XCTAssertEqual(flood.actions, [.output(port: .flood, maxLen: 0)])
        XCTAssertEqual(flood.data, arp.data)

        let icmp = try packetIn(Self.s13PacketInICMPRequest, .v1_3)
        XCTAssertEqual(icmp.totalLen, 98)
        XCTAssertEqual(icmp.data.count, 98)
        XCTAssertEqual(icmp.match, OFMatch(inPort: 1))
        let out = try packetOut(Self.c13PacketOutICMP, .v1_3, xid: 9)
        XCTAssertEqual(out.inPort, 1)
        XCTAssertEqual(out.actions, [.output(port: 2, maxLen: 0)])
        XCTAssertEqual(out.data, icmp.data)
    }
}
