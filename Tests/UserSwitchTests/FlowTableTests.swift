import OpenFlow
@testable import UserSwitch
import XCTest

/// The user switch's flow tables, pipeline and frame rewriting, without a network.
final class FlowTableTests: XCTestCase {
    let h1 = OFMACAddress("00:00:00:00:00:01")!
    let h2 = OFMACAddress("00:00:00:00:00:02")!

    /// An Ethernet + IPv4 + UDP frame from h1 to h2 with a correct UDP checksum.
    func udpFrame(src: String = "10.0.0.1", dst: String = "10.0.0.2", sport: UInt16 = 1234, dport: UInt16 = 53) -> [UInt8] {
        var f: [UInt8] = [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00]
        let s = OFIPv4Address(src)!.rawValue, d = OFIPv4Address(dst)!.rawValue
        let payload: [UInt8] = Array("hello, switch".utf8)
        let udpLen = 8 + payload.count
        var ip: [UInt8] = [0x45, 0, UInt8((20 + udpLen) >> 8), UInt8((20 + udpLen) & 0xFF), 0, 1, 0x40, 0, 64, 17, 0, 0]
        for v in [s, d] { ip += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let ipSum = ~Self.sum(ip)
        ip[10] = UInt8(ipSum >> 8); ip[11] = UInt8(ipSum & 0xFF)
        var udp: [UInt8] = [UInt8(sport >> 8), UInt8(sport & 0xFF), UInt8(dport >> 8), UInt8(dport & 0xFF),
                            UInt8(udpLen >> 8), UInt8(udpLen & 0xFF), 0, 0] + payload
        let c = ~Self.sum(Array(ip[12..<20]) + [0, 17, UInt8(udpLen >> 8), UInt8(udpLen & 0xFF)] + udp)
        udp[6] = UInt8(c >> 8); udp[7] = UInt8(c & 0xFF)
        f += ip + udp
        return f
    }

    static func sum(_ b: [UInt8]) -> UInt16 {
        var s: UInt32 = 0
        var i = 0
        while i + 1 < b.count { s += UInt32(b[i]) << 8 | UInt32(b[i + 1]); i += 2 }
        if i < b.count { s += UInt32(b[i]) << 8 }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return UInt16(s)
    }

    /// True when the IPv4 header and UDP checksums of `f` verify.
    func checksumsHold(_ f: [UInt8]) -> Bool {
        let ip = Array(f[14..<34])
        let udp = Array(f[34...])
        let pseudo = Array(ip[12..<20]) + [0, 17, UInt8(udp.count >> 8), UInt8(udp.count & 0xFF)]
        return Self.sum(ip) == 0xFFFF && Self.sum(pseudo + udp) == 0xFFFF
    }

    func mod(_ command: OFFlowModCommand = .add, priority: UInt16 = 100, match: OFMatch = OFMatch(), table: UInt8 = 0,
             instructions: [OFInstruction] = [], cookie: UInt64 = 0, idle: UInt16 = 0, hard: UInt16 = 0,
             flags: OFFlowModFlags = [], outPort: OFPortNo = .any) -> OFFlowMod {
        var m = OFFlowMod()
        m.command = command
        m.priority = priority
        m.match = match
        m.tableID = table
        m.instructions = instructions
        m.cookie = cookie
        m.cookieMask = cookie == 0 ? 0 : .max
        m.idleTimeout = idle
        m.hardTimeout = hard
        m.flags = flags
        m.outPort = outPort
        return m
    }

    func out(_ p: UInt32) -> [OFInstruction] { [.applyActions([.output(port: OFPortNo(rawValue: p))])] }

    func packet(inPort: UInt32 = 1) -> ParsedPacket { ParsedPacket(frame: udpFrame(), inPort: OFPortNo(rawValue: inPort))! }

    func testHighestPriorityWinsAndSameMatchReplaces() throws {
        var t = FlowTables(count: 2)
        var byDst = OFMatch(); byDst.ethDst = h2
        _ = try t.apply(mod(priority: 10, instructions: out(1)), now: 0, addWhenNoneMatch: false)
        _ = try t.apply(mod(priority: 20, match: byDst, instructions: out(2)), now: 0, addWhenNoneMatch: false)
        var d = t.evaluate(packet(), version: .v1_3, missSendLen: 128)
        XCTAssertEqual(d.ops, [.output(2)])
        // Same match and priority: replaced, not added.
        _ = try t.apply(mod(priority: 20, match: byDst, instructions: out(3)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.flowCount, 2)
        d = t.evaluate(packet(), version: .v1_3, missSendLen: 128)
        XCTAssertEqual(d.ops, [.output(3)])
        XCTAssertEqual(d.visits.map(\.table), [0])
    }

    func testMissDropsIn13AndAsksTheControllerIn10() {
        var t = FlowTables(count: 1)
        XCTAssertEqual(t.evaluate(packet(), version: .v1_3, missSendLen: 128).ops, [])
        XCTAssertEqual(t.evaluate(packet(), version: .v1_0, missSendLen: 128).ops,
                       [.controller(maxLen: 128, reason: OFPacketIn.reasonNoMatch, table: 0, cookie: 0)])
    }

    func testTableMissEntrySaysNoMatch() throws {
        var t = FlowTables(count: 1)
        _ = try t.apply(mod(priority: 0, instructions: [.applyActions([.output(port: .controller, maxLen: 0xFFFF)])], cookie: 7),
                        now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.evaluate(packet(), version: .v1_3, missSendLen: 128).ops,
                       [.controller(maxLen: 0xFFFF, reason: OFPacketIn.reasonNoMatch, table: 0, cookie: 7)])
    }

    func testGotoTableWriteActionsAndActionSetOrder() throws {
        var t = FlowTables(count: 3)
        let write: [OFInstruction] = [.writeActions([.output(port: 9), .setField(.ethDst(h1))]), .gotoTable(2)]
        _ = try t.apply(mod(priority: 1, instructions: [.applyActions([.pushVLAN(ethertype: 0x8100)])] + write),
                        now: 0, addWhenNoneMatch: false)
        var udp = OFMatch(); udp.ethType = 0x0800; udp.ipProto = 17; udp.udpDst = 53
        _ = try t.apply(mod(priority: 1, match: udp, table: 2, instructions: [.writeActions([.output(port: 4)])]),
                        now: 0, addWhenNoneMatch: false)
        let d = t.evaluate(packet(), version: .v1_3, missSendLen: 128)
        XCTAssertEqual(d.visits.map(\.table), [0, 2])
        // Apply-actions at once; then the action set: set-field before output, the later output wins.
        XCTAssertEqual(d.ops, [.pushVLAN(0x8100), .setField(.ethDst(h1)), .output(4)])
    }

    func testSetFieldChangesWhatLaterTablesSee() throws {
        var t = FlowTables(count: 2)
        _ = try t.apply(mod(priority: 1, instructions: [.applyActions([.setField(.ethDst(h1))]), .gotoTable(1)]),
                        now: 0, addWhenNoneMatch: false)
        var toH1 = OFMatch(); toH1.ethDst = h1
        _ = try t.apply(mod(priority: 1, match: toH1, table: 1, instructions: out(5)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.evaluate(packet(), version: .v1_3, missSendLen: 128).ops, [.setField(.ethDst(h1)), .output(5)])
    }

    func testModifyAndDeleteSelectNonStrictlyAndStrictly() throws {
        var t = FlowTables(count: 1)
        var a = OFMatch(inPort: 1); a.ethDst = h2
        var b = OFMatch(inPort: 2); b.ethDst = h1
        _ = try t.apply(mod(priority: 5, match: a, instructions: out(2), cookie: 0xA, flags: .sendFlowRemoved), now: 0, addWhenNoneMatch: false)
        _ = try t.apply(mod(priority: 5, match: b, instructions: out(1), cookie: 0xB), now: 0, addWhenNoneMatch: false)
        // A modify matching nothing does nothing in 1.3 and adds in 1.0.
        _ = try t.apply(mod(.modify, match: OFMatch(inPort: 3), instructions: out(1)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.flowCount, 2)
        _ = try t.apply(mod(.modify, match: OFMatch(inPort: 3), instructions: out(1)), now: 0, addWhenNoneMatch: true)
        XCTAssertEqual(t.flowCount, 3)
        // Strict delete needs the exact match and priority.
        XCTAssertEqual(try t.apply(mod(.deleteStrict, priority: 6, match: a), now: 0, addWhenNoneMatch: false).count, 0)
        // Non-strict modify of in_port=2 touches only b.
        _ = try t.apply(mod(.modify, match: OFMatch(inPort: 2), instructions: out(7)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.evaluate(ParsedPacket(frame: udpFrame(), inPort: 2)!, version: .v1_3, missSendLen: 0).ops, [])
        // Delete by out_port and by cookie.
        let byPort = try t.apply(mod(.delete, outPort: 2), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(byPort.map(\.entry.cookie), [0xA])
        XCTAssertEqual(byPort.first?.reason, OFFlowRemoved.reasonDelete)
        XCTAssertEqual(try t.apply(mod(.delete, cookie: 0xB), now: 0, addWhenNoneMatch: false).count, 1)
        XCTAssertEqual(t.flowCount, 1)
        // Delete everything in every table.
        XCTAssertEqual(try t.apply(mod(.delete, table: 0xFF), now: 0, addWhenNoneMatch: false).count, 1)
        XCTAssertEqual(t.flowCount, 0)
    }

    func testCoversAndOverlapsWithMasks() {
        var net10 = OFMatch(); net10.ethType = 0x0800; net10.ipv4Dst = OFIPv4Address("10.0.0.0"); net10.ipv4DstMask = .prefixMask(8)
        var host = OFMatch(); host.ethType = 0x0800; host.ipv4Dst = OFIPv4Address("10.1.2.3")
        var other = OFMatch(); other.ethType = 0x0800; other.ipv4Dst = OFIPv4Address("11.1.2.3")
        XCTAssertTrue(FlowTables.covers(net10, host))
        XCTAssertFalse(FlowTables.covers(host, net10))
        XCTAssertFalse(FlowTables.covers(net10, other))
        XCTAssertTrue(FlowTables.covers(OFMatch(), host))
        XCTAssertTrue(FlowTables.overlaps(net10, host))
        XCTAssertFalse(FlowTables.overlaps(net10, other))
        XCTAssertTrue(FlowTables.overlaps(OFMatch(inPort: 1), host))
    }

    func testCheckOverlapRefusesAndBadTableIsRefused() throws {
        var t = FlowTables(count: 1)
        _ = try t.apply(mod(priority: 5, match: OFMatch(inPort: 1), instructions: out(2)), now: 0, addWhenNoneMatch: false)
        var e = OFMatch(); e.ethDst = h2
        XCTAssertThrowsError(try t.apply(mod(priority: 5, match: e, flags: .checkOverlap), now: 0, addWhenNoneMatch: false)) {
            XCTAssertEqual($0 as? FlowModFailure, .overlap)
        }
        XCTAssertThrowsError(try t.apply(mod(table: 3), now: 0, addWhenNoneMatch: false)) {
            XCTAssertEqual($0 as? FlowModFailure, .badTableID)
        }
    }

    func testIdleAndHardTimeoutsExpire() throws {
        var t = FlowTables(count: 1)
        _ = try t.apply(mod(priority: 1, match: OFMatch(inPort: 1), instructions: out(2), idle: 2), now: 0, addWhenNoneMatch: false)
        _ = try t.apply(mod(priority: 1, match: OFMatch(inPort: 2), instructions: out(1), hard: 3), now: 0, addWhenNoneMatch: false)
        XCTAssertTrue(t.hasTimeouts)
        let s = UInt64(1_000_000_000)
        // Used at 1.5 s: idle runs from then.
        t.hit(table: 0, index: 0, bytes: 100, now: s + s / 2)
        XCTAssertEqual(t.expire(now: 3 * s - 1).count, 0)
        let gone = t.expire(now: 3 * s + s / 2)
        XCTAssertEqual(gone.map(\.reason).sorted(), [OFFlowRemoved.reasonIdleTimeout, OFFlowRemoved.reasonHardTimeout].sorted())
        XCTAssertEqual(t.flowCount, 0)
        XCTAssertFalse(t.hasTimeouts)
        _ = try t.apply(mod(priority: 1, instructions: out(2), idle: 5), now: 0, addWhenNoneMatch: false)
        _ = try t.apply(mod(priority: 1, instructions: out(3)), now: 0, addWhenNoneMatch: false)
        XCTAssertFalse(t.hasTimeouts, "the replacement has no timeout")
    }

    func testGenerationChangesOnEveryChange() throws {
        var t = FlowTables(count: 1)
        let g0 = t.generation
        _ = try t.apply(mod(instructions: out(1)), now: 0, addWhenNoneMatch: false)
        XCTAssertNotEqual(t.generation, g0)
        let g1 = t.generation
        _ = t.evaluate(packet(), version: .v1_3, missSendLen: 0)
        t.hit(table: 0, index: 0, bytes: 10, now: 1)
        XCTAssertEqual(t.generation, g1, "lookups and counters do not invalidate the cache")
        _ = try t.apply(mod(.delete), now: 0, addWhenNoneMatch: false)
        XCTAssertNotEqual(t.generation, g1)
    }

    // MARK: - Frame rewriting

    func edit(_ frame: [UInt8], vnet: [UInt8] = Array(repeating: 0, count: 10), _ ops: [DatapathOp]) -> (vnet: [UInt8], frame: [UInt8]) {
        let cap = 2048
        let base = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        defer { base.deallocate() }
        let bytes = vnet + frame
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        var b = FrameBuffer(base: base, length: bytes.count, capacity: cap)
        for op in ops { FrameEdit.apply(op, to: &b) }
        let out = [UInt8](UnsafeRawBufferPointer(start: base, count: b.length))
        return (Array(out[0..<10]), Array(out[10...]))
    }

    func testRewritingAddressesAndPortsKeepsChecksums() {
        let f = udpFrame()
        XCTAssertTrue(checksumsHold(f))
        let r = edit(f, [.setField(.ipv4Src(OFIPv4Address("192.168.7.9")!)), .setField(.ipv4Dst(OFIPv4Address("172.16.0.200")!)),
                         .setField(.udpSrc(40000)), .setField(.udpDst(5353)), .setField(.ethSrc(h2)), .setField(.ipDSCP(46))])
        XCTAssertTrue(checksumsHold(r.frame))
        XCTAssertEqual(r.frame, udpFrame(src: "192.168.7.9", dst: "172.16.0.200", sport: 40000, dport: 5353).enumerated().map { i, v in
            if (6..<12).contains(i) { return [0, 0, 0, 0, 0, 2][i - 6] }
            if i == 15 { return 46 << 2 }
            return v
        }.withIPChecksum())
        let p = ParsedPacket(frame: r.frame, inPort: 1)!
        XCTAssertEqual(p.ipv4Src, OFIPv4Address("192.168.7.9"))
        XCTAssertEqual(p.udpDst, 5353)
    }

    /// OpenFlow 1.0's SET_TP_SRC/DST rewrite the UDP ports of a UDP packet.
    func testTransportPortActionsOnUDP() {
        let r = edit(udpFrame(), [.setTransportSrc(4444), .setTransportDst(5555)])
        XCTAssertTrue(checksumsHold(r.frame))
        let p = ParsedPacket(frame: r.frame, inPort: 1)
        XCTAssertEqual(p?.udpSrc, 4444)
        XCTAssertEqual(p?.udpDst, 5555)
    }

    /// With checksum offload the field holds only the pseudo-header sum: an address change
    /// updates it, a port change leaves it, and completing it gives a correct checksum.
    func testPartialChecksumFollowsThePseudoHeader() {
        var f = udpFrame()
        // What an offloading sender leaves: the folded pseudo-header sum, not complemented.
        let udpLen = f.count - 34
        let pseudo = Self.sum(Array(f[26..<34]) + [0, 17, UInt8(udpLen >> 8), UInt8(udpLen & 0xFF)])
        f[40] = UInt8(pseudo >> 8); f[41] = UInt8(pseudo & 0xFF)
        let vnet: [UInt8] = [1, 0, 0, 0, 0, 0, 34, 0, 6, 0]  // NEEDS_CSUM, csum_start 34, csum_offset 6
        let r = edit(f, vnet: vnet, [.setField(.ipv4Dst(OFIPv4Address("10.9.9.9")!)), .setField(.udpDst(99))])
        let cap = 2048
        let base = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        defer { base.deallocate() }
        let bytes = r.vnet + r.frame
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        let b = FrameBuffer(base: base, length: bytes.count, capacity: cap)
        b.completeChecksum()
        let done = [UInt8](UnsafeRawBufferPointer(start: base + 10, count: b.frameLength))
        XCTAssertEqual(b.vnetFlags, 0)
        XCTAssertTrue(checksumsHold(done))
        XCTAssertEqual(ParsedPacket(frame: done, inPort: 1)?.udpDst, 99)
    }

    func testPushAndPopVLAN() {
        let f = udpFrame()
        let vnet: [UInt8] = [1, 0, 0, 0, 0, 0, 34, 0, 6, 0]
        let pushed = edit(f, vnet: vnet, [.pushVLAN(0x8100), .setField(.vlanVID(0x1000 | 42)), .setField(.vlanPCP(5))])
        XCTAssertEqual(pushed.frame.count, f.count + 4)
        XCTAssertEqual(Array(pushed.frame[12..<16]), [0x81, 0x00, 0xA0, 42])
        XCTAssertEqual(pushed.vnet[6], 38, "csum_start moves with the tag")
        let p = ParsedPacket(frame: pushed.frame, inPort: 1)!
        XCTAssertEqual(p.vlanVID, 42)
        XCTAssertEqual(p.vlanPCP, 5)
        XCTAssertEqual(p.udpDst, 53)
        let popped = edit(pushed.frame, vnet: pushed.vnet, [.popVLAN])
        XCTAssertEqual(popped.frame, f)
        XCTAssertEqual(popped.vnet, vnet)
    }
}

// MARK: - OpenFlow 1.3's MPLS, PBB and TTL actions, metadata and the other OXM fields

extension FlowTableTests {
    func testPushMPLSCopiesTheIPTTLAndPopRestoresTheFrame() {
        let f = udpFrame()
        let pushed = edit(f, [.pushMPLS(0x8847)])
        XCTAssertEqual(pushed.frame.count, f.count + 4)
        XCTAssertEqual(Array(pushed.frame[12..<18]), [0x88, 0x47, 0, 0, 0x01, 64], "label 0, TC 0, bottom of stack, TTL from IP")
        var p = ParsedPacket(frame: pushed.frame, inPort: 1)!
        XCTAssertEqual(p.ethType, 0x8847)
        XCTAssertEqual(p.mplsLabel, 0)
        XCTAssertEqual(p.mplsBOS, 1)
        // A second push copies the label and TC and is not the bottom of the stack.
        let twice = edit(pushed.frame, [.setField(.mplsLabel(100)), .setField(.mplsTC(5)), .pushMPLS(0x8847)])
        XCTAssertEqual(Array(twice.frame[14..<22]), [0x00, 0x06, 0x4A, 64, 0x00, 0x06, 0x4B, 64])
        p = ParsedPacket(frame: twice.frame, inPort: 1)!
        XCTAssertEqual(p.mplsLabel, 100)
        XCTAssertEqual(p.mplsTC, 5)
        XCTAssertEqual(p.mplsBOS, 0)
        let popped = edit(pushed.frame, [.popMPLS(0x0800)])
        XCTAssertEqual(popped.frame, f)
    }

    func testTTLActions() {
        let mpls = edit(udpFrame(), [.pushMPLS(0x8847), .setMPLSTTL(10)]).frame
        XCTAssertEqual(mpls[17], 10)
        XCTAssertEqual(edit(mpls, [.decMPLSTTL]).frame[17], 9)
        // copy_ttl_out: IP (64) to MPLS; copy_ttl_in: MPLS (10) to IP, the IP checksum kept.
        XCTAssertEqual(edit(mpls, [.copyTTLOut]).frame[17], 64)
        let inward = edit(mpls, [.copyTTLIn]).frame
        XCTAssertEqual(inward[18 + 8], 10)
        XCTAssertTrue(checksumsHold(Array(inward[0..<12]) + [0x08, 0x00] + Array(inward[18...])))
        // IPv4 TTL: set and decrement, with the header checksum.
        let dec = edit(udpFrame(), [.decNwTTL]).frame
        XCTAssertEqual(dec[22], 63)
        XCTAssertTrue(checksumsHold(dec))
        let set = edit(udpFrame(), [.setNwTTL(7)]).frame
        XCTAssertEqual(set[22], 7)
        XCTAssertTrue(checksumsHold(set))
    }

    func testPushAndPopPBB() {
        let f = udpFrame()
        let pushed = edit(f, [.pushPBB(0x88E7)])
        XCTAssertEqual(pushed.frame.count, f.count + 18)
        XCTAssertEqual(Array(pushed.frame[0..<12]), Array(f[0..<12]), "backbone addresses from the customer's")
        XCTAssertEqual(Array(pushed.frame[12..<18]), [0x88, 0xE7, 0, 0, 0, 0])
        XCTAssertEqual(Array(pushed.frame[18...]), f)
        let p = ParsedPacket(frame: pushed.frame, inPort: 1)!
        XCTAssertEqual(p.ethType, 0x88E7)
        XCTAssertEqual(p.pbbISID, 0)
        let isid = edit(pushed.frame, [.setField(.pbbISID(0xABCDEF))]).frame
        XCTAssertEqual(Array(isid[15..<18]), [0xAB, 0xCD, 0xEF])
        // 73 bytes lose 18: below Ethernet's 60-byte minimum, so padded back to it, as a port pads.
        XCTAssertEqual(edit(isid, [.popPBB]).frame, f + Array(repeating: 0, count: 60 - f.count))
    }

    func testWriteMetadataIsMatchedInTheNextTable() throws {
        var t = FlowTables(count: 4)
        _ = try t.apply(mod(instructions: [.writeMetadata(value: 0xAB00, mask: 0xFF00), .gotoTable(1)]), now: 0, addWhenNoneMatch: false)
        _ = try t.apply(mod(match: OFMatch([.metadata(0xAB00)]), table: 1, instructions: out(2)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.evaluate(packet(), version: .v1_3, missSendLen: 0).ops, [.output(2)])
        // Another value under the mask misses.
        var u = FlowTables(count: 4)
        _ = try u.apply(mod(instructions: [.writeMetadata(value: 0x1200, mask: 0xFF00), .gotoTable(1)]), now: 0, addWhenNoneMatch: false)
        _ = try u.apply(mod(match: OFMatch([.metadata(0xAB00)]), table: 1, instructions: out(2)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(u.evaluate(packet(), version: .v1_3, missSendLen: 0).ops, [])
        // A masked metadata match.
        var m = OFMatch()
        m.set(.metadata(0xAB00), mask: .metadata(0xF000))
        var w = FlowTables(count: 4)
        _ = try w.apply(mod(instructions: [.writeMetadata(value: 0xA000, mask: 0xF000), .gotoTable(1)]), now: 0, addWhenNoneMatch: false)
        _ = try w.apply(mod(match: m, table: 1, instructions: out(3)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(w.evaluate(packet(), version: .v1_3, missSendLen: 0).ops, [.output(3)])
    }

    func testTunnelIDSetInOneTableMatchesInTheNext() throws {
        var t = FlowTables(count: 4)
        _ = try t.apply(mod(instructions: [.applyActions([.setField(.tunnelID(12345))]), .gotoTable(1)]), now: 0, addWhenNoneMatch: false)
        _ = try t.apply(mod(match: OFMatch([.tunnelID(12345)]), table: 1, instructions: out(2)), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.evaluate(packet(), version: .v1_3, missSendLen: 0).ops, [.setField(.tunnelID(12345)), .output(2)])
    }

    func testMoreFieldsParseAndMatch() {
        let p = packet()
        XCTAssertEqual(p.field(9), .ipECN(0))
        XCTAssertEqual(p.field(24), nil, "no ARP hardware address in a UDP packet")
        XCTAssertTrue(OFMatch([.ethType(0x0800), .ipECN(0)]).matches(packet: p))
        XCTAssertFalse(OFMatch([.ethType(0x0800), .ipECN(1)]).matches(packet: p))
        XCTAssertFalse(OFMatch([.sctpSrc(1)]).matches(packet: p), "a field the packet lacks never matches")
        // An IPv6 neighbour solicitation: type 135, the target, a source link-layer option.
        var ns: [UInt8] = [0x33, 0x33, 0xff, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x86, 0xDD]
        ns += [0x60, 0x01, 0x23, 0x45, 0, 32, 58, 255] + Array(repeating: 0xfe, count: 16) + Array(repeating: 0xff, count: 16)
        ns += [135, 0, 0, 0, 0, 0, 0, 0] + Array(repeating: 0x20, count: 16) + [1, 1, 0, 0, 0, 0, 0, 1]
        let q = ParsedPacket(frame: ns, inPort: 1)!
        XCTAssertEqual(q.icmpv6Type, 135)
        XCTAssertEqual(q.ipv6FLabel, 0x12345)
        XCTAssertEqual(q.ndTarget, OFIPv6Address(high: 0x2020_2020_2020_2020, low: 0x2020_2020_2020_2020))
        XCTAssertEqual(q.ndSLL, h1)
        XCTAssertEqual(q.ipv6Exthdr, 0, "no extension header")
        var flabel = OFMatch([.ethType(0x86DD)])
        flabel.set(.ipv6FLabel(0x12300), mask: .ipv6FLabel(0xFFF00))
        XCTAssertTrue(flabel.matches(packet: q))
        XCTAssertTrue(OFMatch([.ethType(0x86DD), .ipProto(58), .icmpv6Type(135), .ipv6NDSLL(h1)]).matches(packet: q))
        // A set-field of the flow label and of the ND target, which keeps the ICMPv6 sum's change right.
        let edited = edit(ns, [.setField(.ipv6FLabel(0xABCDE)), .setField(.ipv6NDTarget(OFIPv6Address(high: 1, low: 2)))]).frame
        let e = ParsedPacket(frame: edited, inPort: 1)!
        XCTAssertEqual(e.ipv6FLabel, 0xABCDE)
        XCTAssertEqual(e.ndTarget, OFIPv6Address(high: 1, low: 2))
    }

    func testSCTPChecksumIsCRC32c() {
        // RFC 3720's check value for CRC-32c.
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { SCTP.crc32c($0) }, 0xE306_9283)
    }

    func testOXMFieldsRoundTripTheWire() throws {
        let fields: [OFField] = [.inPhyPort(3), .metadata(0x1122_3344_5566_7788), .ipECN(2), .sctpSrc(9), .sctpDst(10),
                                 .arpSha(h1), .arpTha(h2), .ipv6FLabel(0x12345), .icmpv6Type(135), .icmpv6Code(0),
                                 .ipv6NDTarget(OFIPv6Address(high: 7, low: 8)), .ipv6NDSLL(h1), .ipv6NDTLL(h2),
                                 .mplsLabel(0xFFFFF), .mplsTC(7), .mplsBOS(1), .pbbISID(0xABCDEF), .tunnelID(12345), .ipv6Exthdr(0x1FF)]
        for f in fields {
            var m = OFFlowMod()
            m.match = OFMatch([f])
            m.instructions = [.writeMetadata(value: 5, mask: 7), .applyActions([.pushMPLS(ethertype: 0x8847), .decMPLSTTL,
                              .copyTTLOut, .copyTTLIn, .setMPLSTTL(9), .popMPLS(ethertype: 0x0800), .pushPBB(ethertype: 0x88E7),
                              .popPBB, .setNwTTL(3), .decNwTTL, .setQueue(1), .group(2), .setField(f)])]
            let bytes = try OFMessage.flowMod(m).encode(version: .v1_3, xid: 1)
            let back = try OFMessage.decode(bytes)
            guard case .flowMod(let d) = back.message else { return XCTFail("\(back)") }
            XCTAssertEqual(d.match, m.match, "\(f)")
            XCTAssertEqual(d.instructions, m.instructions, "\(f)")
        }
    }
}

// MARK: - Groups

extension FlowTableTests {
    func group(_ type: UInt8, _ id: UInt32 = 1, _ buckets: [OFBucket]) -> OFGroupMod {
        OFGroupMod(command: OFGroupMod.add, type: type, groupID: id, buckets: buckets)
    }

    func testGroupTypesExpandIntoTheirBuckets() throws {
        var t = FlowTables(count: 2)
        _ = try t.apply(group(OFGroupMod.all, 1, [OFBucket(actions: [.output(port: 2)]),
                                                 OFBucket(actions: [.setField(.ipDSCP(10)), .output(port: 3)])]), now: 0)
        _ = try t.apply(mod(instructions: [.applyActions([.group(1)])]), now: 0, addWhenNoneMatch: false)
        let d = t.evaluate(packet(), version: .v1_3, missSendLen: 0)
        XCTAssertEqual(d.ops, [.clone([.output(2)]), .clone([.setField(.ipDSCP(10)), .output(3)])])
        XCTAssertEqual(d.groupHits, [GroupHit(group: 1, bucket: 0), GroupHit(group: 1, bucket: 1)])
        // Indirect: its one bucket; fast failover: the first bucket whose port is up.
        _ = try t.apply(group(OFGroupMod.indirect, 2, [OFBucket(actions: [.output(port: 4)])]), now: 0)
        _ = try t.apply(group(OFGroupMod.fastFailover, 3, [OFBucket(watchPort: 2, actions: [.output(port: 2)]),
                                                          OFBucket(watchPort: 3, actions: [.output(port: 3)])]), now: 0)
        XCTAssertEqual(t.expandGroup(2, packet: packet(), isLive: { _ in true }, depth: 0, hits: &hitsScratch), [.clone([.output(4)])])
        XCTAssertEqual(t.expandGroup(3, packet: packet(), isLive: { _ in true }, depth: 0, hits: &hitsScratch), [.clone([.output(2)])])
        XCTAssertEqual(t.expandGroup(3, packet: packet(), isLive: { $0 != 2 }, depth: 0, hits: &hitsScratch), [.clone([.output(3)])])
        XCTAssertEqual(t.expandGroup(3, packet: packet(), isLive: { _ in false }, depth: 0, hits: &hitsScratch), [])
    }

    func testSelectGroupFollowsTheWeightsAndKeepsAFlowOnOneBucket() throws {
        var t = FlowTables(count: 1)
        _ = try t.apply(group(OFGroupMod.select, 1, [OFBucket(weight: 1, actions: [.output(port: 2)]),
                                                    OFBucket(weight: 2, actions: [.output(port: 3)])]), now: 0)
        var counts = [0, 0]
        for i in 0..<3000 {
            var p = packet()
            p.ipv4Src = OFIPv4Address(rawValue: UInt32(truncatingIfNeeded: i &* 2_654_435_761))
            p.udpSrc = UInt16(truncatingIfNeeded: i &* 40503)
            let ops = t.expandGroup(1, packet: p, isLive: { _ in true }, depth: 0, hits: &hitsScratch)
            counts[ops == [.clone([.output(2)])] ? 0 : 1] += 1
            XCTAssertEqual(ops, t.expandGroup(1, packet: p, isLive: { _ in true }, depth: 0, hits: &hitsScratch), "the same flow, the same bucket")
        }
        XCTAssertTrue((800...1200).contains(counts[0]), "\(counts): weight 1 of 3")
    }

    func testGroupModRefusalsAndDeleteTakesItsFlows() throws {
        var t = FlowTables(count: 1)
        let g = group(OFGroupMod.all, 7, [OFBucket(actions: [.output(port: 2)])])
        _ = try t.apply(g, now: 0)
        XCTAssertThrowsError(try t.apply(g, now: 0)) { XCTAssertEqual($0 as? GroupModFailure, .groupExists) }
        XCTAssertThrowsError(try t.apply(OFGroupMod(command: OFGroupMod.modify, type: 0, groupID: 99), now: 0)) {
            XCTAssertEqual($0 as? GroupModFailure, .unknownGroup)
        }
        XCTAssertThrowsError(try t.apply(group(OFGroupMod.fastFailover, 8, [OFBucket(actions: [.output(port: 2)])]), now: 0)) {
            XCTAssertEqual($0 as? GroupModFailure, .badWatch)
        }
        XCTAssertThrowsError(try t.apply(group(OFGroupMod.indirect, 9, []), now: 0)) { XCTAssertEqual($0 as? GroupModFailure, .badBucket) }
        XCTAssertThrowsError(try t.apply(group(9, 10, []), now: 0)) { XCTAssertEqual($0 as? GroupModFailure, .badType) }
        // A chain is fine; a loop is not.
        _ = try t.apply(group(OFGroupMod.indirect, 11, [OFBucket(actions: [.group(7)])]), now: 0)
        XCTAssertThrowsError(try t.apply(OFGroupMod(command: OFGroupMod.modify, type: OFGroupMod.all, groupID: 7,
                                                    buckets: [OFBucket(actions: [.group(11)])]), now: 0)) {
            XCTAssertEqual($0 as? GroupModFailure, .loop)
        }
        _ = try t.apply(mod(instructions: [.applyActions([.group(7)])]), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.references(to: 7), 1)
        let removed = try t.apply(OFGroupMod(command: OFGroupMod.delete, type: 0, groupID: OFGroupMod.allGroups), now: 0)
        XCTAssertEqual(removed.count, 1, "deleting a group deletes the flows that send to it")
        XCTAssertEqual(t.flowCount, 0)
        XCTAssertTrue(t.groups.isEmpty)
    }

    func testGroupMessagesRoundTripTheWire() throws {
        let g = OFGroupMod(command: OFGroupMod.add, type: OFGroupMod.select, groupID: 5,
                           buckets: [OFBucket(weight: 3, watchPort: 2, actions: [.output(port: 2)]),
                                     OFBucket(weight: 1, actions: [.setField(.vlanVID(0x1000 | 5)), .output(port: 3)])])
        let back = try OFMessage.decode(try OFMessage.groupMod(g).encode(version: .v1_3, xid: 9))
        XCTAssertEqual(back.message, .groupMod(g))
        for reply in [OFStatsReply.groupDesc([OFGroupDesc(type: g.type, groupID: 5, buckets: g.buckets)]),
                      .group([OFGroupStats(groupID: 5, refCount: 1, packetCount: 10, byteCount: 1000, durationSec: 3, durationNsec: 4,
                                           buckets: [.init(packets: 7, bytes: 700), .init(packets: 3, bytes: 300)])]),
                      .groupFeatures(OFGroupFeatures(types: 15, capabilities: 7, maxGroups: [1, 2, 3, 4], actions: [5, 6, 7, 8]))] {
            let m = try OFMessage.decode(try OFMessage.statsReply(reply).encode(version: .v1_3, xid: 1))
            XCTAssertEqual(m.message, .statsReply(reply))
        }
        for request in [OFStatsRequest.group(OFGroupMod.allGroups), .groupDesc, .groupFeatures] {
            XCTAssertEqual(try OFMessage.decode(try OFMessage.statsRequest(request).encode(version: .v1_3, xid: 1)).message, .statsRequest(request))
        }
    }
}

// MARK: - Meters

extension FlowTableTests {
    func testMeterDropsAboveItsRate() throws {
        var t = FlowTables(count: 1)
        // 1,000 packets/s, a burst of 10 packets.
        _ = try t.apply(OFMeterMod(command: OFMeterMod.add, flags: OFMeterMod.pktps | OFMeterMod.burst, meterID: 1,
                                   bands: [OFMeterBand(type: OFMeterBand.drop, rate: 1000, burstSize: 10)]), now: 0)
        var passed = 0
        // 10,000 packets in one second, evenly: about 1,000 (plus the burst) pass.
        for i in 0..<10_000 where t.measure(meter: 1, bytes: 100, now: UInt64(i) * 100_000) == nil { passed += 1 }
        XCTAssertTrue((1000...1020).contains(passed), "\(passed) passed")
        XCTAssertEqual(t.meters[1]?.packets, 10_000)
        XCTAssertEqual(t.meters[1]?.bandPackets, [UInt64(10_000 - passed)])
        // A kbit/s meter: 1,000 kbit/s is 125,000 bytes a second; 1,250-byte packets, 1,000 a second: 100 pass.
        _ = try t.apply(OFMeterMod(command: OFMeterMod.add, flags: OFMeterMod.kbps | OFMeterMod.burst, meterID: 2,
                                   bands: [OFMeterBand(type: OFMeterBand.drop, rate: 1000, burstSize: 10)]), now: 0)
        passed = 0
        for i in 0..<1000 where t.measure(meter: 2, bytes: 1250, now: UInt64(i) * 1_000_000) == nil { passed += 1 }
        XCTAssertTrue((99...102).contains(passed), "\(passed) passed")
    }

    func testMeterModRefusalsAndFlowsThatUseIt() throws {
        var t = FlowTables(count: 1)
        let drop = OFMeterBand(type: OFMeterBand.drop, rate: 10)
        _ = try t.apply(OFMeterMod(command: OFMeterMod.add, flags: OFMeterMod.kbps, meterID: 3, bands: [drop]), now: 0)
        XCTAssertThrowsError(try t.apply(OFMeterMod(command: OFMeterMod.add, flags: OFMeterMod.kbps, meterID: 3, bands: [drop]), now: 0)) {
            XCTAssertEqual($0 as? MeterModFailure, .meterExists)
        }
        XCTAssertThrowsError(try t.apply(OFMeterMod(command: OFMeterMod.add, flags: 3, meterID: 4, bands: [drop]), now: 0)) {
            XCTAssertEqual($0 as? MeterModFailure, .badFlags)
        }
        XCTAssertThrowsError(try t.apply(OFMeterMod(command: OFMeterMod.add, flags: 1, meterID: 4,
                                                    bands: [OFMeterBand(type: OFMeterBand.drop, rate: 0)]), now: 0)) {
            XCTAssertEqual($0 as? MeterModFailure, .badRate)
        }
        XCTAssertThrowsError(try t.apply(OFMeterMod(command: OFMeterMod.add, flags: 1, meterID: 4,
                                                    bands: [OFMeterBand(type: 9, rate: 5)]), now: 0)) {
            XCTAssertEqual($0 as? MeterModFailure, .badBand)
        }
        XCTAssertThrowsError(try t.apply(OFMeterMod(command: OFMeterMod.modify, flags: 1, meterID: 5, bands: [drop]), now: 0)) {
            XCTAssertEqual($0 as? MeterModFailure, .unknownMeter)
        }
        // The meter comes first in a flow's instructions.
        _ = try t.apply(mod(instructions: [.applyActions([.output(port: 2)]), .meter(3)]), now: 0, addWhenNoneMatch: false)
        XCTAssertEqual(t.evaluate(packet(), version: .v1_3, missSendLen: 0).ops, [.meter(3), .output(2)])
        XCTAssertEqual(t.meterReferences(3), 1)
        let removed = try t.apply(OFMeterMod(command: OFMeterMod.delete, flags: 0, meterID: OFMeterMod.allMeters), now: 0)
        XCTAssertEqual(removed.count, 1)
        XCTAssertEqual(t.flowCount, 0)
    }

    func testDSCPRemarkRaisesTheDropPrecedence() {
        XCTAssertEqual(FrameEdit.remarkDSCP(10, by: 1), 12)   // AF11 -> AF12
        XCTAssertEqual(FrameEdit.remarkDSCP(10, by: 5), 14)   // at most AF13
        XCTAssertEqual(FrameEdit.remarkDSCP(46, by: 1), 46)   // EF is left alone
    }

    func testMeterMessagesRoundTripTheWire() throws {
        let m = OFMeterMod(command: OFMeterMod.add, flags: OFMeterMod.kbps | OFMeterMod.burst | OFMeterMod.stats, meterID: 9,
                           bands: [OFMeterBand(type: OFMeterBand.drop, rate: 1000, burstSize: 100),
                                   OFMeterBand(type: OFMeterBand.dscpRemark, rate: 500, burstSize: 50, precLevel: 1)])
        XCTAssertEqual(try OFMessage.decode(try OFMessage.meterMod(m).encode(version: .v1_3, xid: 2)).message, .meterMod(m))
        for reply in [OFStatsReply.meterConfig([OFMeterConfig(flags: m.flags, meterID: 9, bands: m.bands)]),
                      .meter([OFMeterStats(meterID: 9, flowCount: 1, packetInCount: 5, byteInCount: 500, durationSec: 1, durationNsec: 2,
                                           bands: [.init(packets: 1, bytes: 100), .init(packets: 0, bytes: 0)])]),
                      .meterFeatures(OFMeterFeatures(maxMeter: 10, bandTypes: 6, capabilities: 15, maxBands: 16, maxColor: 0))] {
            XCTAssertEqual(try OFMessage.decode(try OFMessage.statsReply(reply).encode(version: .v1_3, xid: 1)).message, .statsReply(reply))
        }
        for request in [OFStatsRequest.meter(OFMeterMod.allMeters), .meterConfig(9), .meterFeatures] {
            XCTAssertEqual(try OFMessage.decode(try OFMessage.statsRequest(request).encode(version: .v1_3, xid: 1)).message, .statsRequest(request))
        }
    }
}

nonisolated(unsafe) private var hitsScratch: [GroupHit] = []

private extension Array where Element == UInt8 {
    /// The frame with its IPv4 header checksum recomputed.
    func withIPChecksum() -> [UInt8] {
        var f = self
        f[24] = 0; f[25] = 0
        let c = ~FlowTableTests.sum(Array(f[14..<34]))
        f[24] = UInt8(c >> 8); f[25] = UInt8(c & 0xFF)
        return f
    }
}
