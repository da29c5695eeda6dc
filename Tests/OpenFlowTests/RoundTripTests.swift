import XCTest
@testable import OpenFlow

/// encode → decode gives the message back, in every version that can express it.
final class RoundTripTests: XCTestCase {
    static let ipA = OFIPv4Address("10.0.0.1")!
    static let ipB = OFIPv4Address("10.0.0.2")!

    static var richMatch: OFMatch {
        var m = OFMatch(inPort: 4)
        m.ethSrc = mac1
        m.ethDst = mac2
        m.ethType = 0x0800
        m.vlanVID = OFMatch.vlanPresent | 100
        m.vlanPCP = 3
        m.ipDSCP = 10
        m.ipProto = 6
        m.ipv4Src = OFIPv4Address("10.0.0.0")
        m.ipv4SrcMask = .prefixMask(24)
        m.ipv4Dst = ipB
        m.tcpSrc = 1234
        m.tcpDst = 80
        return m
    }

    /// Messages both versions can carry.
    static var samples: [OFMessage] {
        let port = OFPortDesc(portNo: 2, hwAddr: mac2, name: "s1-eth2", config: OFPortDesc.configPortDown,
                              curr: OFPortDesc.feature10GbFD | OFPortDesc.featureCopper)
        var arp = OFMatch()
        arp.ethType = 0x0806
        arp.arpOp = 1
        arp.arpSpa = ipA
        arp.arpTpa = OFIPv4Address("10.0.0.0")
        arp.arpTpaMask = .prefixMask(16)
        var udp = OFMatch()
        udp.ethType = 0x0800
        udp.ipProto = 17
        udp.udpDst = 53
        var icmp = OFMatch()
        icmp.ethType = 0x0800
        icmp.ipProto = 1
        icmp.icmpv4Type = 8
        icmp.icmpv4Code = 0
        var untagged = OFMatch()
        untagged.vlanVID = OFMatch.vlanNone
        return [
            .hello(OFHello(version: 1)),
            .error(OFErrorMessage(type: 1, code: 6, data: [1, 2, 3])),
            .echoRequest([]), .echoReply(Array(0..<200)),
            .featuresRequest, .getConfigRequest, .barrierRequest, .barrierReply,
            .getConfigReply(OFSwitchConfig(flags: 2, missSendLen: 0xFFE5)),
            .setConfig(OFSwitchConfig()),
            .packetIn(OFPacketIn(bufferID: 7, totalLen: 1500, reason: 1, match: OFMatch(inPort: .local),
                                 data: Array(repeating: 0xAB, count: 60))),
            .packetOut(OFPacketOut(bufferID: 9, inPort: 1, actions: [.output(port: .inPort), .output(port: .all)])),
            .packetOut(OFPacketOut(actions: [.setField(.ethDst(mac1)), .output(port: .table)], data: [1, 2])),
            .flowMod(OFFlowMod(cookie: 1, command: .modifyStrict, idleTimeout: 5, hardTimeout: 6, priority: 7,
                               bufferID: 8, outPort: .controller, flags: [.sendFlowRemoved, .checkOverlap],
                               match: richMatch, instructions: [.applyActions([
                                   .setField(.ipv4Dst(ipA)), .setField(.ipDSCP(8)), .setField(.vlanPCP(1)),
                                   .popVLAN, .output(port: .normal, maxLen: 128)])])),
            .flowMod(OFFlowMod(command: .deleteStrict, match: arp)),
            .flowMod(OFFlowMod(command: .modify, match: udp, instructions: [.applyActions([.output(port: .flood)])])),
            .flowMod(OFFlowMod(match: icmp, instructions: [.applyActions([.output(port: .controller)])])),
            .flowMod(OFFlowMod(match: untagged)),
            .flowRemoved(OFFlowRemoved(cookie: 3, priority: 4, reason: 1, durationSec: 5, durationNsec: 6,
                                       idleTimeout: 7, packetCount: 8, byteCount: 9, match: richMatch)),
            .portStatus(OFPortStatus(reason: OFPortStatus.reasonDelete, desc: port)),
            .statsRequest(.desc), .statsRequest(.table), .statsRequest(.port(3)),
            .statsRequest(.aggregate(OFFlowStatsRequest(tableID: 0, outPort: 2, match: udp))),
            .statsReply(.desc(OFDescStats(mfrDesc: "m", hwDesc: "h", swDesc: "s", serialNum: "1", dpDesc: "d"))),
            .statsReply(.aggregate(OFAggregateStats(packetCount: 1, byteCount: 2, flowCount: 3)), flags: 1),
            .statsReply(.flow([OFFlowStats(durationSec: 1, priority: 2, cookie: 3, match: icmp,
                                           instructions: [.applyActions([.output(port: 1)])]),
                               OFFlowStats(match: arp)])),
            .statsReply(.port([OFPortStats(portNo: 1, rxPackets: 1, txBytes: .max), OFPortStats(portNo: .local)])),
            .unknown(type: 4, body: [0, 0, 0x23, 0x20, 1, 2, 3, 4]),
        ]
    }

    /// Messages only 1.3 can carry.
    static var samples13: [OFMessage] {
        var v6 = OFMatch()
        v6.ethType = 0x86DD
        v6.ipv6Src = OFIPv6Address("2001:db8::1")!
        v6.ipv6Dst = OFIPv6Address("fe80::")!
        v6.ipv6DstMask = .prefixMask(10)
        v6.ipProto = 17
        v6.udpSrc = 546
        var masked = OFMatch()
        masked.ethDst = OFMACAddress("01:00:00:00:00:00")!
        masked.ethDstMask = OFMACAddress("01:00:00:00:00:00")!
        masked.vlanVID = OFMatch.vlanPresent
        masked.vlanVIDMask = OFMatch.vlanPresent
        masked.ethType = 0x0800
        masked.ipv4Src = OFIPv4Address("10.0.0.0")!
        masked.ipv4SrcMask = OFIPv4Address("255.0.255.0")!
        return [
            .hello(OFHello(supporting: [.v1_0, .v1_3])),
            .featuresReply(OFFeatures(datapathID: 42, nBuffers: 256, nTables: 2, auxiliaryID: 0, capabilities: 0x4F)),
            .roleRequest(OFRole(role: OFRole.equal, generationID: 1)),
            .roleReply(OFRole(role: OFRole.noChange)),
            .packetIn(OFPacketIn(reason: 0, tableID: 1, cookie: 99, match: v6, data: [1])),
            .flowMod(OFFlowMod(cookie: 1, cookieMask: 0xFF, tableID: 3, outGroup: 5, match: v6, instructions: [
                .writeActions([.pushVLAN(ethertype: 0x88A8), .setField(.vlanVID(0x1005)),
                               .setField(.ipv6Src(OFIPv6Address("::1")!)), .setField(.udpSrc(1)),
                               .setField(.ipv6Dst(OFIPv6Address("2001:db8::9")!)), .setField(.ethSrc(mac1))]),
                .gotoTable(4)])),
            .flowMod(OFFlowMod(match: masked)),
            .statsRequest(.portDesc), .statsRequest(.flow(OFFlowStatsRequest(cookie: 1, cookieMask: 1)), flags: 1),
            .statsReply(.portDesc([OFPortDesc(portNo: 70000, hwAddr: mac1, name: "big", maxSpeed: 1)])),
            .statsReply(.table([OFTableStats(tableID: 0, activeCount: 1), OFTableStats(tableID: 1)])),
            .statsReply(.unknown(type: 12, body: [])),
        ]
    }

    func testBothVersions() throws {
        for message in Self.samples {
            for version in OFVersion.allCases {
                let bytes = try message.encode(version: version, xid: 77)
                let (header, decoded) = try OFMessage.decode(bytes)
                XCTAssertEqual(header.xid, 77)
                XCTAssertEqual(header.version, version.rawValue)
                XCTAssertEqual(Int(header.length), bytes.count)
                var expected = message
                if case .hello = message { expected = .hello(OFHello(version: version.rawValue)) }
                XCTAssertEqual(decoded, expected, "\(version)")
            }
        }
    }

    func testOneThreeOnly() throws {
        for message in Self.samples13 {
            let decoded = try OFMessage.decode(try message.encode(version: .v1_3)).message
            XCTAssertEqual(decoded, message)
        }
    }

    /// 1.0's SET_TP_SRC/DST rewrite whichever transport protocol the packet has, so TCP and UDP
    /// set-fields come back as the protocol-agnostic transport actions.
    func testTransportPortActionsIn10() throws {
        let out = OFMessage.packetOut(OFPacketOut(actions: [.setField(.tcpSrc(1)), .setField(.udpDst(2))]))
        let decoded = try OFMessage.decode(try out.encode(version: .v1_0)).message
        XCTAssertEqual(decoded, .packetOut(OFPacketOut(actions: [.setTransportSrc(1), .setTransportDst(2)])))
    }

    /// Masked values go out ANDed with their masks (1.3 forbids value bits outside the mask).
    func testMaskedValuesAreNormalized() throws {
        var m = OFMatch([.ethType(0x0800)])
        m.set(.ipv4Src(Self.ipA), mask: .ipv4Src(.prefixMask(24)))
        m.set(.ethDst(mac2), mask: .ethDst(.zero))
        let expected = OFMessage.flowMod(OFFlowMod(match: m.normalized))
        XCTAssertEqual(m.normalized.ipv4Src, OFIPv4Address("10.0.0.0"))
        XCTAssertEqual(m.normalized.ethDst, .zero)
        let decoded = try OFMessage.decode(try OFMessage.flowMod(OFFlowMod(match: m)).encode(version: .v1_3)).message
        XCTAssertEqual(decoded, expected)
        var ipOnly = OFMatch([.ethType(0x0800)])
        ipOnly.set(.ipv4Src(Self.ipA), mask: .ipv4Src(.prefixMask(24)))
        let bytes10 = try OFMessage.flowMod(OFFlowMod(match: ipOnly)).encode(version: .v1_0)
        XCTAssertEqual(Array(bytes10[36..<40]), hex("0a 00 00 00"), "nw_src")
        XCTAssertEqual(try OFMessage.decode(bytes10).message, .flowMod(OFFlowMod(match: ipOnly.normalized)))
    }

    func testSetFieldInPortIsRefused() {
        let out = OFMessage.packetOut(OFPacketOut(actions: [.setField(.inPort(1))]))
        assertOFError(try out.encode(version: .v1_3)) { if case .unsupported = $0 { true } else { false } }
        let bytes = hex("04 0d 00 28 00 00 00 00 ff ff ff ff ff ff ff fd 00 10 00 00 00 00 00 00",
                        "00 19 00 10 80 00 00 04 00 00 00 01 00 00 00 00")
        assertOFError(try OFMessage.decode(bytes)) { $0 == .badSetField(0) }
        XCTAssertTrue(OFError.badSetField(0).wireError(version: .v1_3) == (2, 13))
    }

    func testVersionNeutralFeaturesReply() throws {
        let f = OFFeatures(datapathID: 1, nBuffers: 2, nTables: 3, capabilities: 7, actions: 0xFFF,
                           ports: [OFPortDesc(portNo: 1, hwAddr: mac1, name: "p1")])
        let d10 = try OFMessage.decode(try OFMessage.featuresReply(f).encode(version: .v1_0)).message
        XCTAssertEqual(d10, .featuresReply(f))
        // 1.3 carries no port list.
        var f13 = f
        f13.ports = []
        let d13 = try OFMessage.decode(try OFMessage.featuresReply(f).encode(version: .v1_3)).message
        XCTAssertEqual(d13, .featuresReply(f13))
    }
}
