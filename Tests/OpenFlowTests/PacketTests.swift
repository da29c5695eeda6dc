import XCTest
@testable import OpenFlow

/// Hand-made frames for ParsedPacket and OFMatch.matches.
enum Frames {
    static let arpRequest = hex(
        "ff ff ff ff ff ff 00 00 00 00 00 01 08 06",  // Ethernet: broadcast from :01, ARP
        "00 01 08 00 06 04 00 01",                     // Ethernet/IPv4, request
        "00 00 00 00 00 01 0a 00 00 01",               // sha, spa 10.0.0.1
        "00 00 00 00 00 00 0a 00 00 02")               // tha, tpa 10.0.0.2

    static let ipv4TCP = hex(
        "00 00 00 00 00 02 00 00 00 00 00 01 08 00",
        "45 b8 00 28 00 01 40 00 40 06 00 00",         // IPv4, DSCP 46, DF, TTL 64, TCP
        "0a 00 00 01 0a 00 00 02",
        "04 d2 00 50 00 00 00 00 00 00 00 00 50 02 ff ff 00 00 00 00")  // 1234 -> 80, SYN

    static let ipv6UDP = hex(
        "33 33 00 00 00 02 00 00 00 00 00 01 86 dd",
        "6b 80 00 00 00 08 11 40",                     // IPv6, traffic class 0xb8, UDP, hop limit 64
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02",
        "02 22 02 23 00 08 00 00")                     // 546 -> 547

    static let vlanUDP = hex(
        "00 00 00 00 00 02 00 00 00 00 00 01 81 00 a0 64 08 00",  // 802.1Q PCP 5, VID 100
        "45 00 00 1c 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02",
        "00 35 c0 00 00 08 00 00")                     // 53 -> 49152

    static let ipv4Ping = hex(
        "00 00 00 00 00 02 00 00 00 00 00 01 08 00",
        "45 00 00 1c 00 00 00 00 40 01 00 00 0a 00 00 01 0a 00 00 02",
        "08 00 f7 ff 00 00 00 00")
}

final class ParsedPacketTests: XCTestCase {
    func testARP() throws {
        let p = try XCTUnwrap(ParsedPacket(frame: Frames.arpRequest, inPort: 1))
        XCTAssertEqual(p.inPort, 1)
        XCTAssertEqual(p.ethDst, .broadcast)
        XCTAssertEqual(p.ethSrc, mac1)
        XCTAssertEqual(p.ethType, 0x0806)
        XCTAssertEqual(p.arpOp, 1)
        XCTAssertEqual(p.arpSha, mac1)
        XCTAssertEqual(p.arpSpa, OFIPv4Address("10.0.0.1"))
        XCTAssertEqual(p.arpTha, .zero)
        XCTAssertEqual(p.arpTpa, OFIPv4Address("10.0.0.2"))
        XCTAssertNil(p.ipProto)
        XCTAssertNil(p.vlanVID)
        XCTAssertEqual(p.l3Offset, 14)
    }

    func testIPv4TCP() throws {
        let p = try XCTUnwrap(ParsedPacket(frame: Frames.ipv4TCP, inPort: 2))
        XCTAssertEqual(p.ethType, 0x0800)
        XCTAssertEqual(p.ipDSCP, 46)
        XCTAssertEqual(p.ipProto, 6)
        XCTAssertEqual(p.ipv4Src, OFIPv4Address("10.0.0.1"))
        XCTAssertEqual(p.ipv4Dst, OFIPv4Address("10.0.0.2"))
        XCTAssertEqual(p.tcpSrc, 1234)
        XCTAssertEqual(p.tcpDst, 80)
        XCTAssertNil(p.udpSrc)
        XCTAssertEqual(p.l4Offset, 34)
    }

    func testIPv6UDP() throws {
        let p = try XCTUnwrap(ParsedPacket(frame: Frames.ipv6UDP, inPort: 3))
        XCTAssertEqual(p.ethDst, OFMACAddress("33:33:00:00:00:02"))
        XCTAssertEqual(p.ethType, 0x86DD)
        XCTAssertEqual(p.ipDSCP, 46)
        XCTAssertEqual(p.ipProto, 17)
        XCTAssertEqual(p.ipv6Src, OFIPv6Address("2001:db8::1"))
        XCTAssertEqual(p.ipv6Dst, OFIPv6Address("2001:db8::2"))
        XCTAssertEqual(p.udpSrc, 546)
        XCTAssertEqual(p.udpDst, 547)
        XCTAssertNil(p.ipv4Src)
    }

    func testIPv6ExtensionHeaders() throws {
        var f = Frames.ipv6UDP
        f[20] = 0  // next header: hop-by-hop
        f.insert(contentsOf: hex("11 00 01 04 00 00 00 00"), at: 54)  // → UDP, 8 bytes
        let p = try XCTUnwrap(ParsedPacket(frame: f, inPort: 3))
        XCTAssertEqual(p.ipProto, 17)
        XCTAssertEqual(p.udpDst, 547)
        XCTAssertEqual(p.l4Offset, 62)
        // A non-first fragment carries no transport header.
        var frag = Frames.ipv6UDP
        frag[20] = 44
        frag.insert(contentsOf: hex("11 00 00 08 00 00 00 01"), at: 54)
        let q = try XCTUnwrap(ParsedPacket(frame: frag, inPort: 3))
        XCTAssertEqual(q.ipProto, 17)
        XCTAssertNil(q.udpDst)
    }

    func testVLAN() throws {
        let p = try XCTUnwrap(ParsedPacket(frame: Frames.vlanUDP, inPort: 1))
        XCTAssertEqual(p.vlanVID, 100)
        XCTAssertEqual(p.vlanPCP, 5)
        XCTAssertEqual(p.ethType, 0x0800)
        XCTAssertEqual(p.l3Offset, 18)
        XCTAssertEqual(p.udpSrc, 53)
        XCTAssertEqual(p.udpDst, 49152)
        // QinQ: the outer tag is reported, the inner one skipped.
        let qinq = hex("00 00 00 00 00 02 00 00 00 00 00 01 88 a8 00 0a 81 00 00 14") + Array(Frames.arpRequest[12...])
        let q = try XCTUnwrap(ParsedPacket(frame: qinq, inPort: 1))
        XCTAssertEqual(q.vlanVID, 10)
        XCTAssertEqual(q.ethType, 0x0806)
        XCTAssertEqual(q.arpTpa, OFIPv4Address("10.0.0.2"))
    }

    func testICMPFragmentsAndShortFrames() throws {
        let p = try XCTUnwrap(ParsedPacket(frame: Frames.ipv4Ping, inPort: 1))
        XCTAssertEqual(p.icmpv4Type, 8)
        XCTAssertEqual(p.icmpv4Code, 0)
        var frag = Frames.ipv4TCP
        frag[20] = 0x00
        frag[21] = 0x10  // fragment offset 16
        XCTAssertNil(ParsedPacket(frame: frag, inPort: 1)?.tcpSrc)
        XCTAssertNil(ParsedPacket(frame: Array(Frames.ipv4TCP[0..<13]), inPort: 1))
        // Cut inside the IPv4 header or the TCP ports: fields are absent, nothing traps.
        for n in 14..<Frames.ipv4TCP.count {
            let q = ParsedPacket(frame: Array(Frames.ipv4TCP[0..<n]), inPort: 1)
            XCTAssertNotNil(q)
            XCTAssertEqual(q?.ipv4Src != nil, n >= 34)
            XCTAssertEqual(q?.tcpDst != nil, n >= 38)
        }
        for frame in [Frames.arpRequest, Frames.ipv6UDP, Frames.vlanUDP] {
            for n in 0..<frame.count { _ = ParsedPacket(frame: Array(frame[0..<n]), inPort: 1) }
        }
        // 802.3 length field.
        let llc = hex("01 80 c2 00 00 00 00 00 00 00 00 01 00 26 42 42 03")
        XCTAssertEqual(ParsedPacket(frame: llc, inPort: 1)?.ethType, 0x05FF)
    }
}

final class MatchTests: XCTestCase {
    let arp = ParsedPacket(frame: Frames.arpRequest, inPort: 1)!
    let tcp = ParsedPacket(frame: Frames.ipv4TCP, inPort: 2)!
    let v6 = ParsedPacket(frame: Frames.ipv6UDP, inPort: 3)!
    let vlan = ParsedPacket(frame: Frames.vlanUDP, inPort: 4)!

    func testEmptyAndExact() {
        XCTAssertTrue(OFMatch().matches(packet: arp))
        XCTAssertTrue(OFMatch(inPort: 2).matches(packet: tcp))
        XCTAssertFalse(OFMatch(inPort: 1).matches(packet: tcp))
        XCTAssertTrue(OFMatch([.ethType(0x0806), .arpOp(1), .arpTpa(OFIPv4Address("10.0.0.2")!)]).matches(packet: arp))
        XCTAssertFalse(OFMatch([.ethType(0x0806), .arpSpa(OFIPv4Address("10.0.0.9")!)]).matches(packet: arp))
        XCTAssertTrue(OFMatch([.ethType(0x0800), .ipProto(6), .tcpSrc(1234), .tcpDst(80), .ipDSCP(46)])
            .matches(packet: tcp))
        XCTAssertFalse(OFMatch([.tcpDst(80)]).matches(packet: vlan), "UDP packet has no TCP port")
        XCTAssertTrue(OFMatch([.udpSrc(53)]).matches(packet: vlan))
        XCTAssertFalse(OFMatch([.ipv4Src(OFIPv4Address("10.0.0.1")!)]).matches(packet: arp), "ARP is not IPv4")
    }

    func testMasks() {
        var multicast = OFMatch()
        multicast.ethDst = OFMACAddress("01:00:00:00:00:00")
        multicast.ethDstMask = OFMACAddress("01:00:00:00:00:00")
        XCTAssertTrue(multicast.matches(packet: arp))
        XCTAssertTrue(multicast.matches(packet: v6))
        XCTAssertFalse(multicast.matches(packet: tcp))

        var subnet = OFMatch()
        subnet.ipv4Dst = OFIPv4Address("10.0.0.0")
        subnet.ipv4DstMask = .prefixMask(24)
        XCTAssertTrue(subnet.matches(packet: tcp))
        subnet.ipv4Dst = OFIPv4Address("10.0.1.0")
        XCTAssertFalse(subnet.matches(packet: tcp))

        var spa = OFMatch()
        spa.arpSpa = OFIPv4Address("10.0.0.0")
        spa.arpSpaMask = .prefixMask(8)
        XCTAssertTrue(spa.matches(packet: arp))

        var v6net = OFMatch()
        v6net.ipv6Dst = OFIPv6Address("2001:db8::")
        v6net.ipv6DstMask = .prefixMask(32)
        XCTAssertTrue(v6net.matches(packet: v6))
        v6net.ipv6DstMask = nil
        XCTAssertFalse(v6net.matches(packet: v6))
        v6net.ipv6Dst = OFIPv6Address("2001:db8::2")
        XCTAssertTrue(v6net.matches(packet: v6))
        XCTAssertFalse(v6net.matches(packet: tcp))
    }

    func testVLANMatching() {
        var none = OFMatch()
        none.vlanVID = OFMatch.vlanNone
        XCTAssertTrue(none.matches(packet: tcp))
        XCTAssertFalse(none.matches(packet: vlan))
        var anyTag = OFMatch()
        anyTag.vlanVID = OFMatch.vlanPresent
        anyTag.vlanVIDMask = OFMatch.vlanPresent
        XCTAssertFalse(anyTag.matches(packet: tcp))
        XCTAssertTrue(anyTag.matches(packet: vlan))
        let vid100 = OFMatch([.vlanVID(OFMatch.vlanPresent | 100), .vlanPCP(5)])
        XCTAssertTrue(vid100.matches(packet: vlan))
        XCTAssertFalse(OFMatch([.vlanVID(OFMatch.vlanPresent | 101)]).matches(packet: vlan))
    }

    func testOXMBytesWithMask() throws {
        var m = OFMatch([.ethType(0x0800)])
        m.set(.ipv4Src(OFIPv4Address("10.0.0.0")!), mask: .ipv4Src(.prefixMask(24)))
        var w = ByteWriter()
        try m.encodeOXM(&w)
        XCTAssertEqual(w.bytes, hex("00 01 00 16", "80 00 0a 02 08 00", "80 00 17 08 0a 00 00 00 ff ff ff 00", "00 00"))
        var r = ByteReader(w.bytes, context: "test")
        XCTAssertEqual(try OFMatch.decodeOXM(&r), m)
        XCTAssertTrue(r.isAtEnd)
    }

    /// A 1.0 ofp_match: dl_type IPv4, nw_proto UDP, nw_src 10.0.0.0/24, tp_dst 53.
    func testOneZeroMatchBytes() throws {
        var m = OFMatch([.ethType(0x0800), .ipProto(17), .udpDst(53)])
        m.set(.ipv4Src(OFIPv4Address("10.0.0.0")!), mask: .ipv4Src(.prefixMask(24)))
        let bytes = hex(
            "00 3f c8 4f",  // wildcards: all but DL_TYPE, NW_PROTO, TP_DST; 8 nw_src bits wild
            "00 00", "00 00 00 00 00 00", "00 00 00 00 00 00", "00 00 00 00", "08 00",
            "00 11 00 00", "0a 00 00 00", "00 00 00 00", "00 00 00 35")
        var w = ByteWriter()
        try m.encode10(&w)
        XCTAssertEqual(w.bytes, bytes)
        var r = ByteReader(bytes, context: "test")
        XCTAssertEqual(try OFMatch.decode10(&r), m)
    }

    func testOneZeroARPAndVLANNone() throws {
        var m = OFMatch([.ethType(0x0806), .arpOp(2), .arpTpa(OFIPv4Address("10.0.0.2")!), .vlanVID(OFMatch.vlanNone)])
        m.arpSpa = OFIPv4Address("10.0.0.1")
        var w = ByteWriter()
        try m.encode10(&w)
        XCTAssertEqual(Array(w.bytes[18..<20]), hex("ff ff"), "dl_vlan OFP_VLAN_NONE")
        XCTAssertEqual(w.bytes[25], 2, "nw_proto carries the ARP opcode")
        XCTAssertEqual(Array(w.bytes[28..<36]), hex("0a 00 00 01 0a 00 00 02"))
        var r = ByteReader(w.bytes, context: "test")
        XCTAssertEqual(try OFMatch.decode10(&r), m)
    }

    /// dl_vlan OFP_VLAN_NONE with dl_vlan_pcp not wildcarded (pcp 0), as ovs-testcontroller sends
    /// it: the match is for untagged packets, so the priority is ignored and an untagged frame
    /// matches. Decoding used to keep vlanPCP 0, which no untagged packet has.
    func testOneZeroVLANNoneIgnoresPCP() throws {
        let bytes = hex(
            "00 2f ff ec",  // wildcards: all but IN_PORT, DL_VLAN, DL_TYPE, DL_VLAN_PCP
            "00 01", "00 00 00 00 00 00", "00 00 00 00 00 00",
            "ff ff", "00 00",  // dl_vlan OFP_VLAN_NONE, dl_vlan_pcp 0, pad
            "08 06", "00 00 00 00", "00 00 00 00", "00 00 00 00", "00 00 00 00")
        var r = ByteReader(bytes, context: "test")
        let m = try OFMatch.decode10(&r)
        XCTAssertEqual(m, OFMatch([.inPort(1), .vlanVID(OFMatch.vlanNone), .ethType(0x0806)]))
        XCTAssertNil(m.vlanPCP)
        XCTAssertTrue(m.matches(packet: try XCTUnwrap(ParsedPacket(frame: Frames.arpRequest, inPort: 1))))

        // With a real VLAN id the priority stays.
        var tagged = bytes
        tagged[18] = 0x00; tagged[19] = 0x64; tagged[20] = 3  // dl_vlan 100, dl_vlan_pcp 3
        r = ByteReader(tagged, context: "test")
        let t = try OFMatch.decode10(&r)
        XCTAssertEqual(t.vlanVID, OFMatch.vlanPresent | 100)
        XCTAssertEqual(t.vlanPCP, 3)
    }

    func testOneZeroRefusals() {
        func refuses(_ m: OFMatch) -> Bool {
            var w = ByteWriter()
            do { try m.encode10(&w) } catch { if case .unsupported = error { return true } }
            return false
        }
        XCTAssertTrue(refuses(OFMatch([.ipv6Src(OFIPv6Address("::1")!)])))
        var m = OFMatch([.ethDst(mac1)])
        m.ethDstMask = OFMACAddress("ff:ff:ff:00:00:00")
        XCTAssertTrue(refuses(m))
        m = OFMatch([.ipv4Src(OFIPv4Address("10.0.0.0")!)])
        m.ipv4SrcMask = OFIPv4Address("255.0.255.0")
        XCTAssertTrue(refuses(m))
        m = OFMatch([.vlanVID(OFMatch.vlanPresent)])
        m.vlanVIDMask = OFMatch.vlanPresent
        XCTAssertTrue(refuses(m))
        XCTAssertTrue(refuses(OFMatch([.ethType(0x0806), .arpOp(0x100)])))
        XCTAssertTrue(refuses(OFMatch([.tcpSrc(1), .udpSrc(2)])))
        XCTAssertTrue(refuses(OFMatch([.ipv4Src(OFIPv4Address("10.0.0.1")!), .arpSpa(OFIPv4Address("10.0.0.1")!)])))
    }
}

final class AddressTests: XCTestCase {
    func testParsingAndPrinting() {
        XCTAssertEqual(OFMACAddress("0a:1B:2c:3d:4e:5f")?.description, "0a:1b:2c:3d:4e:5f")
        XCTAssertNil(OFMACAddress("0a:1b:2c:3d:4e"))
        XCTAssertNil(OFMACAddress("0a:1b:2c:3d:4e:5g"))
        XCTAssertEqual(OFIPv4Address("192.168.1.254")?.rawValue, 0xC0A8_01FE)
        XCTAssertNil(OFIPv4Address("1.2.3.256"))
        XCTAssertNil(OFIPv4Address("1.2.3"))
        XCTAssertEqual(OFIPv4Address.prefixMask(24).description, "255.255.255.0")
        XCTAssertEqual(OFIPv4Address.prefixMask(24).prefixLength, 24)
        XCTAssertEqual(OFIPv4Address.prefixMask(0).prefixLength, 0)
        XCTAssertNil(OFIPv4Address("255.0.255.0")!.prefixLength)
        XCTAssertEqual(OFIPv6Address("::"), OFIPv6Address(high: 0, low: 0))
        XCTAssertEqual(OFIPv6Address("::1"), OFIPv6Address(high: 0, low: 1))
        XCTAssertEqual(OFIPv6Address("fe80::"), OFIPv6Address(high: 0xFE80_0000_0000_0000, low: 0))
        XCTAssertEqual(OFIPv6Address("2001:db8:0:0:1:0:0:1")?.description, "2001:db8:0:0:1:0:0:1")
        XCTAssertEqual(OFIPv6Address("2001:db8::1")?.bytes, hex("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"))
        XCTAssertNil(OFIPv6Address("1::2::3"))
        XCTAssertNil(OFIPv6Address("1:2:3:4:5:6:7:8:9"))
        XCTAssertEqual(OFIPv6Address.prefixMask(72), OFIPv6Address(high: .max, low: 0xFF00_0000_0000_0000))
    }

    func testPortNumbers() {
        XCTAssertEqual(OFPortNo(v10: 0xFFF8), .inPort)
        XCTAssertEqual(OFPortNo(v10: 0xFFFF), .any)
        XCTAssertEqual(OFPortNo(v10: 0xFFFD), .controller)
        XCTAssertEqual(OFPortNo(v10: 0xFF00), 0xFF00)
        for p: OFPortNo in [.inPort, .table, .normal, .flood, .all, .controller, .local, .any] {
            XCTAssertEqual(OFPortNo(v10: p.v10!), p)
            XCTAssertEqual(p.v10.map { 0xFFFF_0000 | UInt32($0) }, p.rawValue)
        }
        XCTAssertNil(OFPortNo(rawValue: 0x1_0000).v10)
        XCTAssertEqual(OFPortNo.flood.description, "FLOOD")
        XCTAssertTrue(OFPortNo.local.isReserved)
        XCTAssertFalse(OFPortNo(5).isReserved)
    }
}
