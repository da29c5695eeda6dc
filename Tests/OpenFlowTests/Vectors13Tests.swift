import XCTest
@testable import OpenFlow

/// OpenFlow 1.3 messages written byte by byte from the specification's struct layouts.
final class Vectors13Tests: XCTestCase {
    func testFeaturesReply() throws {
        let bytes = hex(
            "04 06 00 20 00 00 00 01",  // header, length 32
            "00 00 0a 00 27 00 00 01",  // datapath_id
            "00 00 00 00",              // n_buffers 0
            "fe 01 00 00",              // n_tables 254, auxiliary_id 1, pad[2]
            "00 00 00 4f",              // capabilities FLOW|TABLE|PORT|GROUP_STATS|QUEUE_STATS
            "00 00 00 00")              // reserved
        XCTAssertEqual(try decodeVector(bytes, version: .v1_3, type: 6, xid: 1),
                       .featuresReply(OFFeatures(datapathID: 0x0A00_2700_0001, nBuffers: 0, nTables: 254,
                                                 auxiliaryID: 1, capabilities: 0x4F)))
    }

    /// ofp_flow_mod with an OXM match on in_port and eth_dst and an apply-actions output.
    static let flowMod = hex(
        "04 0e 00 60 00 00 00 05",  // header, length 96
        "00 00 00 00 00 00 00 07",  // cookie 7
        "00 00 00 00 00 00 00 00",  // cookie_mask
        "00 00",                    // table_id 0, command ADD
        "00 00 00 1e",              // idle 0, hard 30
        "00 01",                    // priority 1
        "ff ff ff ff",              // buffer_id none
        "ff ff ff ff",              // out_port ANY
        "ff ff ff ff",              // out_group ANY
        "00 01 00 00",              // flags SEND_FLOW_REM, pad[2]
        "00 01 00 16",              // match: OXM, length 4 + 8 + 10 = 22
        "80 00 00 04 00 00 00 01",  //   OXM in_port (field 0, length 4) = 1
        "80 00 06 06 00 00 00 00 00 02",  // OXM eth_dst (field 3) = 00:..:02
        "00 00",                    //   padding to 24
        "00 04 00 18 00 00 00 00",  // APPLY_ACTIONS, length 24
        "00 00 00 10 00 00 00 02 ff ff 00 00 00 00 00 00")  // output port 2, max_len NO_BUFFER

    func testFlowModWithOXMMatchAndApplyActions() throws {
        let m = try decodeVector(Self.flowMod, version: .v1_3, type: 14, xid: 5)
        var match = OFMatch(inPort: 1)
        match.ethDst = mac2
        let expected = OFFlowMod(cookie: 7, hardTimeout: 30, priority: 1, flags: .sendFlowRemoved, match: match,
                                 instructions: [.applyActions([.output(port: 2)])])
        XCTAssertEqual(m, .flowMod(expected))
        XCTAssertEqual(expected.actions, [.output(port: 2)])
    }

    func testFlowModInstructionsAndSetField() throws {
        let bytes = hex(
            "04 0e 00 88 00 00 00 06",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "01 03 00 00 00 00 00 00",  // table 1, DELETE
            "ff ff ff ff 00 00 00 03 ff ff ff ff 00 00 00 00",  // buffer none, out_port 3, out_group ANY
            "00 01 00 04 00 00 00 00",  // empty match, padded to 8
            "00 01 00 08 02 00 00 00",  // GOTO_TABLE 2
            "00 05 00 08 00 00 00 00",  // CLEAR_ACTIONS
            "00 03 00 38 00 00 00 00",  // WRITE_ACTIONS, length 56
            "00 11 00 08 81 00 00 00",  //   PUSH_VLAN 0x8100
            "00 19 00 10 80 00 0c 02 10 0a 00 00 00 00 00 00",  // SET_FIELD vlan_vid 0x100a (field 6)
            "00 19 00 10 80 00 16 04 0a 00 00 01 00 00 00 00",  // SET_FIELD ipv4_src 10.0.0.1 (field 11)
            "00 12 00 08 00 00 00 00",  //   POP_VLAN
            "00 06 00 08 00 00 00 09")  // METER 9
        let m = try decodeVector(bytes, version: .v1_3, type: 14, xid: 6)
        XCTAssertEqual(m, .flowMod(OFFlowMod(tableID: 1, command: .delete, priority: 0, outPort: 3, instructions: [
            .gotoTable(2), .clearActions,
            .writeActions([.pushVLAN(), .setField(.vlanVID(0x100A)),
                           .setField(.ipv4Src(OFIPv4Address("10.0.0.1")!)), .popVLAN]),
            .meter(9),
        ])))
    }

    /// ofp_packet_in: match then 2 bytes of padding before the frame.
    func testPacketIn() throws {
        let frame = hex("00 00 00 00 00 02 00 00 00 00 00 01 08 00 45 00")
        let bytes = hex(
            "04 0a 00 3a 00 00 00 00",  // header, length 58
            "00 00 01 00",              // buffer_id 256
            "00 10",                    // total_len 16
            "01 03",                    // reason ACTION, table_id 3
            "ff ff ff ff ff ff ff ff",  // cookie
            "00 01 00 0c 80 00 00 04 00 00 00 03 00 00 00 00",  // match in_port 3, padding
            "00 00")                    // pad[2]
            + frame
        let m = try decodeVector(bytes, version: .v1_3, type: 10, xid: 0)
        XCTAssertEqual(m, .packetIn(OFPacketIn(bufferID: 256, reason: OFPacketIn.reasonAction, tableID: 3,
                                               cookie: .max, match: OFMatch(inPort: 3), data: frame)))
    }

    func testPacketOut() throws {
        let bytes = hex(
            "04 0d 00 2c 00 00 00 08",  // header, length 44
            "ff ff ff ff",              // buffer_id none
            "ff ff ff fd",              // in_port CONTROLLER
            "00 10 00 00 00 00 00 00",  // actions_len 16, pad[6]
            "00 00 00 10 ff ff ff fb 00 00 00 00 00 00 00 00",  // output FLOOD, max_len 0
            "ca fe ba be")
        XCTAssertEqual(try decodeVector(bytes, version: .v1_3, type: 13, xid: 8),
                       .packetOut(OFPacketOut(actions: [.output(port: .flood, maxLen: 0)], data: hex("ca fe ba be"))))
    }

    func testRoleRequestAndBarrier() throws {
        let bytes = hex("04 18 00 18 00 00 00 09", "00 00 00 02 00 00 00 00", "00 00 00 00 00 00 00 05")
        XCTAssertEqual(try decodeVector(bytes, version: .v1_3, type: 24, xid: 9),
                       .roleRequest(OFRole(role: OFRole.master, generationID: 5)))
        let reply = hex("04 19 00 18 00 00 00 09", "00 00 00 03 00 00 00 00", "00 00 00 00 00 00 00 05")
        XCTAssertEqual(try decodeVector(reply, version: .v1_3, type: 25, xid: 9),
                       .roleReply(OFRole(role: OFRole.slave, generationID: 5)))
        XCTAssertEqual(try decodeVector(hex("04 14 00 08 00 00 00 0a"), version: .v1_3, type: 20, xid: 10),
                       .barrierRequest)
        XCTAssertEqual(try decodeVector(hex("04 15 00 08 00 00 00 0a"), version: .v1_3, type: 21, xid: 10),
                       .barrierReply)
    }

    static let port64 = hex(
        "00 00 00 01 00 00 00 00",  // port_no 1, pad[4]
        "00 00 00 00 00 01 00 00",  // hw_addr, pad[2]
        "73 31 2d 65 74 68 31 00 00 00 00 00 00 00 00 00",  // name
        "00 00 00 01 00 00 00 04",  // config PORT_DOWN, state LIVE
        "00 00 08 40 00 00 00 00 00 00 00 00 00 00 00 00",  // curr 10GB_FD|COPPER, advertised, supported, peer
        "00 98 96 80 00 98 96 80")  // curr_speed, max_speed 10 Gb/s in kb/s

    func testPortDescMultipart() throws {
        XCTAssertEqual(try decodeVector(hex("04 12 00 10 00 00 00 0b 00 0d 00 00 00 00 00 00"),
                                        version: .v1_3, type: 18, xid: 11), .statsRequest(.portDesc))
        let reply = hex("04 13 00 50 00 00 00 0b 00 0d 00 00 00 00 00 00") + Self.port64
        let port = OFPortDesc(portNo: 1, hwAddr: mac1, name: "s1-eth1", config: 1, state: 4,
                              curr: OFPortDesc.feature10GbFD | OFPortDesc.featureCopper,
                              currSpeed: 10_000_000, maxSpeed: 10_000_000)
        XCTAssertEqual(try decodeVector(reply, version: .v1_3, type: 19, xid: 11), .statsReply(.portDesc([port])))
        let status = hex("04 0c 00 50 00 00 00 00 02 00 00 00 00 00 00 00") + Self.port64
        XCTAssertEqual(try decodeVector(status, version: .v1_3, type: 12, xid: 0),
                       .portStatus(OFPortStatus(reason: OFPortStatus.reasonModify, desc: port)))
    }

    func testFlowStatsRequestAndReply() throws {
        let request = hex(
            "04 12 00 38 00 00 00 0c", "00 01 00 00 00 00 00 00",  // multipart FLOW
            "ff 00 00 00 ff ff ff ff ff ff ff ff 00 00 00 00",      // table all, out_port ANY, out_group ANY
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",      // cookie, cookie_mask
            "00 01 00 04 00 00 00 00")                              // empty match
        XCTAssertEqual(try decodeVector(request, version: .v1_3, type: 18, xid: 12),
                       .statsRequest(.flow(OFFlowStatsRequest())))
        let reply = hex(
            "04 13 00 68 00 00 00 0c", "00 01 00 00 00 00 00 00",
            "00 58 00 00",              // length 88, table 0, pad
            "00 00 00 0a 00 00 00 00",  // duration 10 s
            "00 05 00 00 00 00 00 01",  // priority 5, idle 0, hard 0, flags SEND_FLOW_REM
            "00 00 00 00",              // pad[4]
            "00 00 00 00 00 00 00 03",  // cookie
            "00 00 00 00 00 00 00 04",  // packet_count
            "00 00 00 00 00 00 01 00",  // byte_count
            "00 01 00 0a 80 00 0a 02 08 06 00 00 00 00 00 00",  // match eth_type ARP (field 5), padded
            "00 04 00 18 00 00 00 00 00 00 00 10 ff ff ff fb ff ff 00 00 00 00 00 00")
        var match = OFMatch()
        match.ethType = 0x0806
        let flow = OFFlowStats(durationSec: 10, priority: 5, flags: .sendFlowRemoved, cookie: 3, packetCount: 4,
                               byteCount: 256, match: match, instructions: [.applyActions([.output(port: .flood)])])
        XCTAssertEqual(try decodeVector(reply, version: .v1_3, type: 19, xid: 12), .statsReply(.flow([flow])))
    }

    func testAggregateTableAndPortStats() throws {
        let aggregate = hex("04 13 00 28 00 00 00 0d 00 02 00 00 00 00 00 00",
                            "00 00 00 00 00 00 00 0a 00 00 00 00 00 00 03 e8 00 00 00 02 00 00 00 00")
        XCTAssertEqual(try decodeVector(aggregate, version: .v1_3, type: 19, xid: 13),
                       .statsReply(.aggregate(OFAggregateStats(packetCount: 10, byteCount: 1000, flowCount: 2))))
        let table = hex("04 13 00 28 00 00 00 0d 00 03 00 00 00 00 00 00",
                        "00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 64 00 00 00 00 00 00 00 60")
        XCTAssertEqual(try decodeVector(table, version: .v1_3, type: 19, xid: 13),
                       .statsReply(.table([OFTableStats(tableID: 0, activeCount: 3, lookupCount: 100,
                                                        matchedCount: 96)])))
        XCTAssertEqual(try decodeVector(hex("04 12 00 18 00 00 00 0d 00 04 00 00 00 00 00 00 ff ff ff ff 00 00 00 00"),
                                        version: .v1_3, type: 18, xid: 13), .statsRequest(.port(.any)))
        let ports = OFMessage.statsReply(.port([OFPortStats(portNo: 1, rxPackets: 9, collisions: 1, durationSec: 60)]))
        let bytes = try ports.encode(version: .v1_3)
        XCTAssertEqual(bytes.count, 16 + 112)
        XCTAssertEqual(try OFMessage.decode(bytes).message, ports)
    }

    func testErrorEchoConfigDesc() throws {
        XCTAssertEqual(try decodeVector(hex("04 01 00 0c 00 00 00 01 00 01 00 01"), version: .v1_3, type: 1, xid: 1),
                       .error(OFErrorMessage(type: 1, code: 1)))
        XCTAssertEqual(try decodeVector(hex("04 02 00 09 00 00 00 01 7f"), version: .v1_3, type: 2, xid: 1),
                       .echoRequest([0x7F]))
        XCTAssertEqual(try decodeVector(hex("04 08 00 0c 00 00 00 01 00 00 00 80"), version: .v1_3, type: 8, xid: 1),
                       .getConfigReply(OFSwitchConfig()))
        let desc = try OFMessage.statsReply(.desc(OFDescStats(dpDesc: "s1"))).encode(version: .v1_3)
        XCTAssertEqual(desc.count, 16 + 1056)
    }

    func testFlowRemoved() throws {
        let bytes = hex(
            "04 0b 00 40 00 00 00 00",
            "00 00 00 00 00 00 00 01",  // cookie
            "00 0a 02 00",              // priority 10, reason DELETE, table 0
            "00 00 00 01 00 00 00 02",  // duration 1 s 2 ns
            "00 05 00 06",              // idle 5, hard 6
            "00 00 00 00 00 00 00 07 00 00 00 00 00 00 00 08",  // packets, bytes
            "00 01 00 0c 80 00 00 04 00 00 00 01 00 00 00 00")  // match in_port 1
        XCTAssertEqual(try decodeVector(bytes, version: .v1_3, type: 11, xid: 0),
                       .flowRemoved(OFFlowRemoved(cookie: 1, priority: 10, reason: OFFlowRemoved.reasonDelete,
                                                  durationSec: 1, durationNsec: 2, idleTimeout: 5, hardTimeout: 6,
                                                  packetCount: 7, byteCount: 8, match: OFMatch(inPort: 1))))
    }
}
