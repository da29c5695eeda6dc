import XCTest
@testable import OpenFlow

/// OpenFlow 1.0 messages written byte by byte from the specification's struct layouts.
final class Vectors10Tests: XCTestCase {
    /// ofp_switch_features (32 bytes) + one ofp_phy_port (48 bytes).
    static let featuresReply = hex(
        "01 06 00 50 00 00 00 2a",  // header: v1.0, FEATURES_REPLY, length 80, xid 42
        "00 00 00 00 00 00 00 01",  // datapath_id 1
        "00 00 01 00",              // n_buffers 256
        "fe 00 00 00",              // n_tables 254, pad[3]
        "00 00 00 87",              // capabilities FLOW|TABLE|PORT_STATS|ARP_MATCH_IP
        "00 00 0f ff",              // actions: types 0...11
        "00 01",                    // port_no 1
        "00 00 00 00 00 01",        // hw_addr
        "73 31 2d 65 74 68 31 00 00 00 00 00 00 00 00 00",  // name "s1-eth1"
        "00 00 00 00",              // config
        "00 00 00 01",              // state LINK_DOWN
        "00 00 00 c0",              // curr 10GB_FD | COPPER (1.0 bits 6, 7)
        "00 00 00 00 00 00 00 00 00 00 00 00")  // advertised, supported, peer

    func testFeaturesReplyWithOnePort() throws {
        let m = try decodeVector(Self.featuresReply, version: .v1_0, type: 6, xid: 42)
        guard case .featuresReply(let f) = m else { return XCTFail("\(m)") }
        XCTAssertEqual(f.datapathID, 1)
        XCTAssertEqual(f.nBuffers, 256)
        XCTAssertEqual(f.nTables, 254)
        XCTAssertEqual(f.capabilities, 0x87)
        XCTAssertEqual(f.actions, 0xFFF)
        XCTAssertEqual(f.ports, [OFPortDesc(portNo: 1, hwAddr: mac1, name: "s1-eth1", state: OFPortDesc.stateLinkDown,
                                            curr: OFPortDesc.feature10GbFD | OFPortDesc.featureCopper)])
    }

    func testFeaturesRequestEchoBarrierConfig() throws {
        XCTAssertEqual(try decodeVector(hex("01 05 00 08 00 00 00 01"), version: .v1_0, type: 5, xid: 1),
                       .featuresRequest)
        XCTAssertEqual(try decodeVector(hex("01 02 00 0b 00 00 00 02 61 62 63"), version: .v1_0, type: 2, xid: 2),
                       .echoRequest([0x61, 0x62, 0x63]))
        XCTAssertEqual(try decodeVector(hex("01 03 00 08 00 00 00 02"), version: .v1_0, type: 3, xid: 2),
                       .echoReply([]))
        XCTAssertEqual(try decodeVector(hex("01 12 00 08 00 00 00 03"), version: .v1_0, type: 18, xid: 3),
                       .barrierRequest)
        XCTAssertEqual(try decodeVector(hex("01 13 00 08 00 00 00 03"), version: .v1_0, type: 19, xid: 3),
                       .barrierReply)
        XCTAssertEqual(try decodeVector(hex("01 07 00 08 00 00 00 04"), version: .v1_0, type: 7, xid: 4),
                       .getConfigRequest)
        XCTAssertEqual(try decodeVector(hex("01 09 00 0c 00 00 00 05 00 00 ff ff"), version: .v1_0, type: 9, xid: 5),
                       .setConfig(OFSwitchConfig(flags: 0, missSendLen: 0xFFFF)))
        XCTAssertEqual(try decodeVector(hex("01 08 00 0c 00 00 00 06 00 01 00 80"), version: .v1_0, type: 8, xid: 6),
                       .getConfigReply(OFSwitchConfig(flags: 1, missSendLen: 128)))
    }

    func testError() throws {
        let bytes = hex("01 01 00 14 00 00 00 07", "00 01 00 01", "01 0f 00 08 00 00 00 07")
        XCTAssertEqual(try decodeVector(bytes, version: .v1_0, type: 1, xid: 7),
                       .error(OFErrorMessage(type: 1, code: 1, data: hex("01 0f 00 08 00 00 00 07"))))
    }

    /// ofp_packet_in: data starts at offset 18.
    func testPacketIn() throws {
        let frame = hex("ff ff ff ff ff ff 00 00 00 00 00 01 08 06 00 01")
        let bytes = hex(
            "01 0a 00 22 00 00 00 00",  // header, length 34
            "ff ff ff ff",              // buffer_id: none
            "00 40",                    // total_len 64 (data cut to 16 bytes)
            "00 03",                    // in_port 3
            "00 00")                    // reason NO_MATCH, pad
            + frame
        let m = try decodeVector(bytes, version: .v1_0, type: 10, xid: 0)
        XCTAssertEqual(m, .packetIn(OFPacketIn(totalLen: 64, match: OFMatch(inPort: 3), data: frame)))
        guard case .packetIn(let p) = m else { return }
        XCTAssertEqual(p.inPort, 3)
    }

    /// ofp_flow_mod (72 bytes) with in_port and dl_dst exact, plus one output action.
    static let flowMod = hex(
        "01 0e 00 50 00 00 00 09",  // header, length 80
        "00 3f ff f6",              // wildcards: all but IN_PORT (bit 0) and DL_DST (bit 3)
        "00 01",                    // in_port 1
        "00 00 00 00 00 00",        // dl_src
        "00 00 00 00 00 02",        // dl_dst
        "00 00 00 00 00 00",        // dl_vlan, dl_vlan_pcp, pad, dl_type
        "00 00 00 00",              // nw_tos, nw_proto, pad[2]
        "00 00 00 00 00 00 00 00",  // nw_src, nw_dst
        "00 00 00 00",              // tp_src, tp_dst
        "00 00 00 00 00 00 00 2a",  // cookie 42
        "00 00",                    // command ADD
        "00 0a 00 00",              // idle 10, hard 0
        "80 00",                    // priority
        "ff ff ff ff",              // buffer_id none
        "ff ff",                    // out_port NONE
        "00 01",                    // flags SEND_FLOW_REM
        "00 00 00 08 00 02 00 00")  // output: port 2, max_len 0

    func testFlowMod() throws {
        let m = try decodeVector(Self.flowMod, version: .v1_0, type: 14, xid: 9)
        var match = OFMatch(inPort: 1)
        match.ethDst = mac2
        XCTAssertEqual(m, .flowMod(OFFlowMod(cookie: 42, idleTimeout: 10, flags: .sendFlowRemoved, match: match,
                                             instructions: [.applyActions([.output(port: 2, maxLen: 0)])])))
    }

    func testPacketOutFlood() throws {
        let bytes = hex(
            "01 0d 00 1c 00 00 00 0b",  // header, length 28
            "ff ff ff ff",              // buffer_id none
            "ff fd",                    // in_port CONTROLLER (1.0)
            "00 08",                    // actions_len
            "00 00 00 08 ff fb ff ff",  // output FLOOD, max_len 0xffff
            "de ad be ef")              // data
        let m = try decodeVector(bytes, version: .v1_0, type: 13, xid: 11)
        XCTAssertEqual(m, .packetOut(OFPacketOut(inPort: .controller, actions: [.output(port: .flood)],
                                                 data: [0xDE, 0xAD, 0xBE, 0xEF])))
    }

    func testOneZeroActions() throws {
        let actions: [OFAction] = [
            .setField(.vlanVID(0x1000 | 10)), .setField(.vlanPCP(5)), .popVLAN,
            .setField(.ethSrc(mac1)), .setField(.ethDst(mac2)),
            .setField(.ipv4Src(OFIPv4Address("10.0.0.1")!)), .setField(.ipv4Dst(OFIPv4Address("10.0.0.2")!)),
            .setField(.ipDSCP(46)), .setTransportSrc(80), .setTransportDst(8080),
        ]
        let bytes = hex(
            "01 0d 00 70 00 00 00 00", "ff ff ff ff ff fd 00 60",
            "00 01 00 08 00 0a 00 00",  // SET_VLAN_VID 10
            "00 02 00 08 05 00 00 00",  // SET_VLAN_PCP 5
            "00 03 00 08 00 00 00 00",  // STRIP_VLAN
            "00 04 00 10 00 00 00 00 00 01 00 00 00 00 00 00",  // SET_DL_SRC
            "00 05 00 10 00 00 00 00 00 02 00 00 00 00 00 00",  // SET_DL_DST
            "00 06 00 08 0a 00 00 01",  // SET_NW_SRC
            "00 07 00 08 0a 00 00 02",  // SET_NW_DST
            "00 08 00 08 b8 00 00 00",  // SET_NW_TOS 0xb8 (DSCP 46)
            "00 09 00 08 00 50 00 00",  // SET_TP_SRC 80
            "00 0a 00 08 1f 90 00 00")  // SET_TP_DST 8080
        XCTAssertEqual(try decodeVector(bytes, version: .v1_0, type: 13, xid: 0),
                       .packetOut(OFPacketOut(inPort: .controller, actions: actions)))
    }

    func testFlowStatsRequestAllFlows() throws {
        let bytes = hex(
            "01 10 00 38 00 00 00 0c",  // STATS_REQUEST, length 56
            "00 01 00 00",              // type FLOW, flags
            "00 3f ff ff", "00 00", "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",  // match: everything wildcarded
            "ff 00 ff ff")              // table_id all, pad, out_port NONE
        XCTAssertEqual(try decodeVector(bytes, version: .v1_0, type: 16, xid: 12),
                       .statsRequest(.flow(OFFlowStatsRequest())))
    }

    func testPortStatsRequestAndReply() throws {
        let request = hex("01 10 00 14 00 00 00 0d", "00 04 00 00", "ff ff 00 00 00 00 00 00")
        XCTAssertEqual(try decodeVector(request, version: .v1_0, type: 16, xid: 13), .statsRequest(.port(.any)))
        var reply = hex("01 11 00 74 00 00 00 0d", "00 04 00 01", "00 02 00 00 00 00 00 00")
        for i in 1...12 { reply += [0, 0, 0, 0, 0, 0, 0, UInt8(i)] }
        let stats = OFPortStats(portNo: 2, rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4, rxDropped: 5,
                                txDropped: 6, rxErrors: 7, txErrors: 8, rxFrameErr: 9, rxOverErr: 10, rxCrcErr: 11,
                                collisions: 12)
        XCTAssertEqual(try decodeVector(reply, version: .v1_0, type: 17, xid: 13),
                       .statsReply(.port([stats]), flags: 1))
    }

    func testDescReplyIs1068Bytes() throws {
        let desc = OFDescStats(mfrDesc: "Swiftnet", hwDesc: "user switch", swDesc: "0.1", serialNum: "None",
                               dpDesc: "s1")
        let bytes = try OFMessage.statsReply(.desc(desc)).encode(version: .v1_0, xid: 1)
        XCTAssertEqual(bytes.count, 1068)
        XCTAssertEqual(Array(bytes[8..<16]), hex("00 00 00 00 53 77 69 66"))
        XCTAssertEqual(try OFMessage.decode(bytes).message, .statsReply(.desc(desc)))
    }

    func testPortStatusAndFlowRemovedSizes() throws {
        let status = OFMessage.portStatus(OFPortStatus(reason: OFPortStatus.reasonAdd,
                                                       desc: OFPortDesc(portNo: 7, hwAddr: mac2, name: "s1-eth7")))
        let bytes = try status.encode(version: .v1_0)
        XCTAssertEqual(bytes.count, 64)
        XCTAssertEqual(Array(bytes[8..<18]), hex("00 00 00 00 00 00 00 00 00 07"))
        XCTAssertEqual(try OFMessage.decode(bytes).message, status)

        let removed = OFMessage.flowRemoved(OFFlowRemoved(cookie: 5, priority: 100, reason: 0, durationSec: 3,
                                                          idleTimeout: 10, packetCount: 7, byteCount: 700,
                                                          match: OFMatch(inPort: 1)))
        let rb = try removed.encode(version: .v1_0)
        XCTAssertEqual(rb.count, 88)
        XCTAssertEqual(try OFMessage.decode(rb).message, removed)
    }
}
