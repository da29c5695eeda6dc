import Glibc
import OpenFlow

/// A frame in the datapath's buffer: the 10-byte virtio-net header the kernel gives with
/// `PACKET_VNET_HDR`, then the Ethernet frame. `capacity` leaves room to push VLAN tags.
struct FrameBuffer {
    static let vnet = 10
    static let needsChecksum: UInt8 = 1
    let base: UnsafeMutableRawPointer
    /// Bytes in use, virtio-net header included.
    var length: Int
    let capacity: Int

    var frame: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base + Self.vnet, count: length - Self.vnet) }
    var frameLength: Int { length - Self.vnet }

    func u8(_ o: Int) -> UInt8 { base.load(fromByteOffset: Self.vnet + o, as: UInt8.self) }
    func u16(_ o: Int) -> UInt16 { UInt16(u8(o)) << 8 | UInt16(u8(o + 1)) }
    func put8(_ o: Int, _ v: UInt8) { base.storeBytes(of: v, toByteOffset: Self.vnet + o, as: UInt8.self) }
    func put16(_ o: Int, _ v: UInt16) { put8(o, UInt8(v >> 8)); put8(o + 1, UInt8(v & 0xFF)) }

    // The virtio-net header's fields (little-endian on the hosts this runs on).
    var vnetFlags: UInt8 {
        get { base.load(as: UInt8.self) }
        nonmutating set { base.storeBytes(of: newValue, as: UInt8.self) }
    }
    var gsoType: UInt8 { base.load(fromByteOffset: 1, as: UInt8.self) }
    private func le16(_ o: Int) -> UInt16 { UInt16(base.load(fromByteOffset: o, as: UInt8.self)) | UInt16(base.load(fromByteOffset: o + 1, as: UInt8.self)) << 8 }
    private func putLE16(_ o: Int, _ v: UInt16) {
        base.storeBytes(of: UInt8(v & 0xFF), toByteOffset: o, as: UInt8.self)
        base.storeBytes(of: UInt8(v >> 8), toByteOffset: o + 1, as: UInt8.self)
    }
    var csumStart: Int { Int(le16(6)) }
    var csumOffset: Int { Int(le16(8)) }

    /// Moves every offset the virtio-net header holds by `delta` (after a VLAN tag went in or out).
    func shiftHeaderOffsets(by delta: Int) {
        if vnetFlags & Self.needsChecksum != 0 { putLE16(6, UInt16(Int(le16(6)) + delta)) }
        if gsoType != 0 { putLE16(2, UInt16(max(0, Int(le16(2)) + delta))) }
    }

    /// Finishes a checksum the sender left to the hardware (CHECKSUM_PARTIAL), so that the
    /// bytes are correct on their own, as the controller must see them in a PACKET_IN.
    func completeChecksum() {
        guard vnetFlags & Self.needsChecksum != 0 else { return }
        let start = csumStart, at = start + csumOffset
        guard at + 2 <= frameLength else { return }
        var sum: UInt32 = 0
        var i = start
        while i + 1 < frameLength { sum &+= UInt32(u16(i)); i += 2 }
        if i < frameLength { sum &+= UInt32(u8(i)) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(sum)
        put16(at, c == 0 ? 0xFFFF : c)
        vnetFlags &= ~Self.needsChecksum
    }
}

/// Rewrites a frame for the actions that change headers, keeping the IPv4 header checksum
/// and the TCP/UDP/ICMP checksums right, whether the sender computed them or left them to
/// offload (then only the pseudo-header part, which the field holds, changes).
enum FrameEdit {
    /// Applies one editing op; returns false when the frame has no room for it.
    @discardableResult
    static func apply(_ op: DatapathOp, to b: inout FrameBuffer) -> Bool {
        switch op {
        case .pushVLAN(let tpid):
            return pushVLAN(tpid, &b)
        case .popVLAN:
            let t = b.u16(12)
            guard t == 0x8100 || t == 0x88A8, b.frameLength >= 18 else { return true }
            let at = b.base + FrameBuffer.vnet + 12
            let before = b.frameLength
            memmove(at, at + 4, b.frameLength - 16)
            b.length -= 4
            b.shiftHeaderOffsets(by: -4)
            padToMinimum(&b, was: before)
            return true
        case .setField(let f):
            return setField(f, &b)
        case .setTransportSrc(let v):
            // 1.0's SET_TP_SRC/DST: whichever of TCP and UDP the packet has; the port
            // set-fields below already write the port at the transport header either way.
            return setField(.tcpSrc(v), &b)
        case .setTransportDst(let v):
            return setField(.tcpDst(v), &b)
        case .output, .controller, .clone, .meter:
            return true
        case .pushMPLS(let t): return pushMPLS(t, &b)
        case .popMPLS(let t): return popMPLS(t, &b)
        case .setMPLSTTL(let ttl):
            guard let l3 = mplsOffset(b) else { return true }
            b.put8(l3 + 3, ttl)
            return true
        case .decMPLSTTL:
            guard let l3 = mplsOffset(b) else { return true }
            let ttl = b.u8(l3 + 3)
            b.put8(l3 + 3, ttl == 0 ? 0 : ttl - 1)
            return true
        case .copyTTLOut, .copyTTLIn: return copyTTL(outwards: op == .copyTTLOut, &b)
        case .setNwTTL(let ttl): return setIPTTL(&b) { _ in ttl }
        case .decNwTTL: return setIPTTL(&b) { $0 == 0 ? 0 : $0 - 1 }
        case .pushPBB(let t): return pushPBB(t, &b)
        case .popPBB:
            guard b.frameLength >= 30, b.u16(12) == 0x88E7 else { return true }
            // The backbone addresses and the I-TAG go; the customer frame is what is left.
            let at = b.base + FrameBuffer.vnet
            let before = b.frameLength
            memmove(at, at + 18, b.frameLength - 18)
            b.length -= 18
            b.shiftHeaderOffsets(by: -18)
            padToMinimum(&b, was: before)
            return true
        }
    }

    /// A frame that was at least Ethernet's minimum (60 bytes before the FCS) and lost a
    /// header below it is padded back with zeros, as a port's MAC pads what it sends.
    private static func padToMinimum(_ b: inout FrameBuffer, was before: Int) {
        let minimum = 60
        guard before >= minimum, b.frameLength < minimum, b.length + (minimum - b.frameLength) <= b.capacity else { return }
        let missing = minimum - b.frameLength
        memset(b.base + b.length, 0, missing)
        b.length += missing
    }

    /// Where the ethertype after the Ethernet addresses and any VLAN tags is.
    private static func etherTypeOffset(_ b: FrameBuffer) -> Int {
        var o = 12
        while o + 6 <= b.frameLength, b.u16(o) == 0x8100 || b.u16(o) == 0x88A8 { o += 4 }
        return o
    }

    /// The outermost MPLS header, when the frame carries MPLS.
    private static func mplsOffset(_ b: FrameBuffer) -> Int? {
        let o = etherTypeOffset(b)
        let t = b.u16(o)
        guard t == 0x8847 || t == 0x8848, o + 6 <= b.frameLength else { return nil }
        return o + 2
    }

    /// A new outermost MPLS header: label and TC from the MPLS header it covers (else 0),
    /// TTL from that header or the IP header (else 0), bottom of stack when it is the only one.
    private static func pushMPLS(_ ethertype: UInt16, _ b: inout FrameBuffer) -> Bool {
        guard b.length + 4 <= b.capacity, b.frameLength >= 14 else { return false }
        let o = etherTypeOffset(b)
        let inner = b.u16(o), l3 = o + 2
        var shim: UInt32 = 1 << 8  // bottom of stack
        if inner == 0x8847 || inner == 0x8848, l3 + 4 <= b.frameLength {
            shim = (UInt32(b.u16(l3)) << 16 | UInt32(b.u16(l3 + 2))) & ~UInt32(1 << 8)
        } else if inner == 0x0800, l3 + 20 <= b.frameLength {
            shim |= UInt32(b.u8(l3 + 8))
        } else if inner == 0x86DD, l3 + 40 <= b.frameLength {
            shim |= UInt32(b.u8(l3 + 7))
        }
        let at = b.base + FrameBuffer.vnet + l3
        memmove(at + 4, at, b.frameLength - l3)
        b.length += 4
        b.put16(o, ethertype)
        b.put16(l3, UInt16(shim >> 16))
        b.put16(l3 + 2, UInt16(shim & 0xFFFF))
        b.shiftHeaderOffsets(by: 4)
        return true
    }

    private static func popMPLS(_ ethertype: UInt16, _ b: inout FrameBuffer) -> Bool {
        guard let l3 = mplsOffset(b) else { return true }
        let at = b.base + FrameBuffer.vnet + l3
        let before = b.frameLength
        memmove(at, at + 4, b.frameLength - l3 - 4)
        b.length -= 4
        b.put16(l3 - 2, ethertype)
        b.shiftHeaderOffsets(by: -4)
        padToMinimum(&b, was: before)
        return true
    }

    /// copy_ttl_out: from the next header out to the outermost MPLS header; copy_ttl_in:
    /// from the outermost MPLS header in (to the next MPLS header, or to IP after the last).
    private static func copyTTL(outwards: Bool, _ b: inout FrameBuffer) -> Bool {
        guard let l3 = mplsOffset(b), l3 + 4 <= b.frameLength else { return true }
        let bottom = b.u8(l3 + 2) & 1 == 1
        let next = l3 + 4
        if !bottom {
            guard next + 4 <= b.frameLength else { return true }
            if outwards { b.put8(l3 + 3, b.u8(next + 3)) } else { b.put8(next + 3, b.u8(l3 + 3)) }
            return true
        }
        guard next < b.frameLength else { return true }
        switch b.u8(next) >> 4 {
        case 4 where next + 20 <= b.frameLength:
            if outwards {
                b.put8(l3 + 3, b.u8(next + 8))
            } else {
                let old = b.u16(next + 8), new = UInt16(b.u8(l3 + 3)) << 8 | old & 0xFF
                b.put16(next + 8, new)
                b.put16(next + 10, adjust(b.u16(next + 10), old: old, new: new, complemented: true))
            }
        case 6 where next + 40 <= b.frameLength:
            if outwards { b.put8(l3 + 3, b.u8(next + 7)) } else { b.put8(next + 7, b.u8(l3 + 3)) }
        default:
            break
        }
        return true
    }

    /// Sets the IPv4 TTL (fixing the header checksum) or the IPv6 hop limit.
    private static func setIPTTL(_ b: inout FrameBuffer, _ value: (UInt8) -> UInt8) -> Bool {
        let o = etherTypeOffset(b), l3 = o + 2
        switch b.u16(o) {
        case 0x0800 where l3 + 20 <= b.frameLength:
            let old = b.u16(l3 + 8), new = UInt16(value(b.u8(l3 + 8))) << 8 | old & 0xFF
            b.put16(l3 + 8, new)
            b.put16(l3 + 10, adjust(b.u16(l3 + 10), old: old, new: new, complemented: true))
        case 0x86DD where l3 + 40 <= b.frameLength:
            b.put8(l3 + 7, value(b.u8(l3 + 7)))
        default:
            break
        }
        return true
    }

    /// A new PBB encapsulation: backbone addresses copied from the customer's, an I-TAG
    /// whose I-SID is the covered I-TAG's (else 0), the customer frame after it.
    private static func pushPBB(_ ethertype: UInt16, _ b: inout FrameBuffer) -> Bool {
        guard b.length + 18 <= b.capacity, b.frameLength >= 14 else { return false }
        let o = etherTypeOffset(b)
        let isid: UInt32 = b.u16(o) == 0x88E7 && o + 6 <= b.frameLength ? (UInt32(b.u8(o + 3)) << 16 | UInt32(b.u16(o + 4))) : 0
        let at = b.base + FrameBuffer.vnet
        memmove(at + 18, at, b.frameLength)
        b.length += 18
        // Backbone DA/SA (0..11) = the customer's, now also at 18..29.
        memmove(at, at + 18, 12)
        b.put16(12, ethertype)
        b.put8(14, 0)
        b.put8(15, UInt8((isid >> 16) & 0xFF))
        b.put16(16, UInt16(isid & 0xFFFF))
        b.shiftHeaderOffsets(by: 18)
        return true
    }

    private static func pushVLAN(_ tpid: UInt16, _ b: inout FrameBuffer) -> Bool {
        guard b.length + 4 <= b.capacity, b.frameLength >= 14 else { return false }
        let t = b.u16(12)
        // A new outer tag copies the VID and PCP of the tag it covers, or is 0.
        let tci: UInt16 = (t == 0x8100 || t == 0x88A8) ? b.u16(14) : 0
        let at = b.base + FrameBuffer.vnet + 12
        memmove(at + 4, at, b.frameLength - 12)
        b.length += 4
        b.put16(12, tpid)
        b.put16(14, tci)
        b.shiftHeaderOffsets(by: 4)
        return true
    }

    private static func setField(_ f: OFField, _ b: inout FrameBuffer) -> Bool {
        func mac(_ o: Int, _ m: OFMACAddress) { for i in 0..<6 { b.put8(o + i, UInt8((m.rawValue >> (40 - 8 * UInt64(i))) & 0xFF)) } }
        switch f {
        case .ethDst(let m): mac(0, m); return true
        case .ethSrc(let m): mac(6, m); return true
        case .vlanVID(let v):
            if !isTagged(b) { guard pushVLAN(0x8100, &b) else { return false } }
            b.put16(14, b.u16(14) & 0xF000 | v & 0x0FFF)
            return true
        case .vlanPCP(let v):
            if !isTagged(b) { guard pushVLAN(0x8100, &b) else { return false } }
            b.put16(14, b.u16(14) & 0x1FFF | UInt16(v & 7) << 13)
            return true
        default:
            break
        }
        guard let p = ParsedPacket(bytes: UnsafeRawBufferPointer(b.frame), inPort: 0) else { return true }
        let l3 = p.l3Offset
        let partial = b.vnetFlags & FrameBuffer.needsChecksum != 0 && p.l4Offset.map { b.csumStart == $0 } == true
        /// Where the TCP or UDP checksum is, when the packet has one worth updating.
        var l4Checksum: Int? {
            guard let l4 = p.l4Offset else { return nil }
            if p.tcpSrc != nil { return l4 + 16 <= b.frameLength - 2 ? l4 + 16 : nil }
            if p.udpSrc != nil { return l4 + 8 <= b.frameLength && (b.u16(l4 + 6) != 0 || partial) ? l4 + 6 : nil }
            return nil
        }
        /// Replaces a 16-bit word, fixing the IPv4 header checksum and the L4 checksum.
        func word(_ o: Int, _ new: UInt16, ipHeader: Bool, pseudoHeader: Bool, transport: Bool) {
            let old = b.u16(o)
            guard old != new else { return }
            b.put16(o, new)
            if ipHeader { b.put16(l3 + 10, adjust(b.u16(l3 + 10), old: old, new: new, complemented: true)) }
            if let c = l4Checksum, pseudoHeader || (transport && !partial) {
                b.put16(c, adjust(b.u16(c), old: old, new: new, complemented: !partial))
            }
        }
        switch f {
        case .ipv4Src(let a), .ipv4Dst(let a):
            guard p.ipv4Src != nil else { return true }
            let o = l3 + (f.oxmField == 11 ? 12 : 16)
            word(o, UInt16(a.rawValue >> 16), ipHeader: true, pseudoHeader: true, transport: false)
            word(o + 2, UInt16(a.rawValue & 0xFFFF), ipHeader: true, pseudoHeader: true, transport: false)
        case .ipv6Src(let a), .ipv6Dst(let a):
            guard p.ipv6Src != nil else { return true }
            let o = l3 + (f.oxmField == 26 ? 8 : 24)
            let bytes = a.bytes
            for i in stride(from: 0, to: 16, by: 2) {
                word(o + i, UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), ipHeader: false, pseudoHeader: true, transport: false)
            }
        case .ipDSCP(let d):
            if p.ipv4Src != nil {
                let w = b.u16(l3)
                word(l3, w & 0xFF03 | UInt16(d & 0x3F) << 2, ipHeader: true, pseudoHeader: false, transport: false)
            } else if p.ipv6Src != nil {
                let w = b.u16(l3)
                b.put16(l3, w & 0xF03F | UInt16(d & 0x3F) << 6)
            }
        case .tcpSrc(let v), .udpSrc(let v):
            guard let l4 = p.l4Offset, p.tcpSrc != nil || p.udpSrc != nil else { return true }
            word(l4, v, ipHeader: false, pseudoHeader: false, transport: true)
        case .tcpDst(let v), .udpDst(let v):
            guard let l4 = p.l4Offset, p.tcpDst != nil || p.udpDst != nil else { return true }
            word(l4 + 2, v, ipHeader: false, pseudoHeader: false, transport: true)
        case .icmpv4Type, .icmpv4Code:
            guard let l4 = p.l4Offset, p.icmpv4Type != nil, l4 + 4 <= b.frameLength else { return true }
            let old = b.u16(l4)
            let new: UInt16
            if case .icmpv4Type(let t) = f { new = UInt16(t) << 8 | old & 0xFF } else if case .icmpv4Code(let c) = f { new = old & 0xFF00 | UInt16(c) } else { new = old }
            b.put16(l4, new)
            b.put16(l4 + 2, adjust(b.u16(l4 + 2), old: old, new: new, complemented: true))
        case .arpOp(let v):
            if p.arpOp != nil { b.put16(l3 + 6, v) }
        case .arpSpa(let a), .arpTpa(let a):
            guard p.arpOp != nil else { return true }
            let o = l3 + (f.oxmField == 22 ? 14 : 24)
            b.put16(o, UInt16(a.rawValue >> 16))
            b.put16(o + 2, UInt16(a.rawValue & 0xFFFF))
        case .ethType(let t):
            b.put16(l3 - 2, t)
        case .ipProto(let v):
            // The protocol is in the transport checksum's pseudo-header too.
            if p.ipv4Src != nil {
                let w = b.u16(l3 + 8)
                word(l3 + 8, w & 0xFF00 | UInt16(v), ipHeader: true, pseudoHeader: true, transport: false)
            } else if p.ipv6Src != nil, p.ipv6Exthdr == 0 {
                let old = UInt16(b.u8(l3 + 6))
                b.put8(l3 + 6, v)
                if let c = l4Checksum { b.put16(c, adjust(b.u16(c), old: old, new: UInt16(v), complemented: !partial)) }
            }
        case .ipECN(let e):
            if p.ipv4Src != nil {
                let w = b.u16(l3)
                word(l3, w & 0xFFFC | UInt16(e & 3), ipHeader: true, pseudoHeader: false, transport: false)
            } else if p.ipv6Src != nil {
                b.put8(l3 + 1, b.u8(l3 + 1) & 0xCF | (e & 3) << 4)
            }
        case .ipv6FLabel(let v):
            guard p.ipv6Src != nil else { return true }
            b.put8(l3 + 1, b.u8(l3 + 1) & 0xF0 | UInt8((v >> 16) & 0x0F))
            b.put16(l3 + 2, UInt16(v & 0xFFFF))
        case .sctpSrc(let v), .sctpDst(let v):
            guard let l4 = p.l4Offset, p.sctpSrc != nil, l4 + 12 <= b.frameLength else { return true }
            b.put16(l4 + (f.oxmField == 17 ? 0 : 2), v)
            // The packet ends where the IP header says, before any Ethernet padding.
            let end = p.ipv4Src != nil ? l3 + Int(b.u16(l3 + 2)) : l3 + 40 + Int(b.u16(l3 + 4))
            SCTP.refreshChecksum(&b, at: l4, end: min(end, b.frameLength))
        case .arpSha(let m), .arpTha(let m):
            if p.arpOp != nil { mac(l3 + (f.oxmField == 24 ? 8 : 18), m) }
        case .icmpv6Type, .icmpv6Code:
            guard let l4 = p.l4Offset, p.icmpv6Type != nil, l4 + 4 <= b.frameLength else { return true }
            let old = b.u16(l4)
            var new = old
            if case .icmpv6Type(let t) = f { new = UInt16(t) << 8 | old & 0xFF }
            if case .icmpv6Code(let c) = f { new = old & 0xFF00 | UInt16(c) }
            b.put16(l4, new)
            b.put16(l4 + 2, adjust(b.u16(l4 + 2), old: old, new: new, complemented: !partial))
        case .ipv6NDTarget(let a):
            guard let l4 = p.l4Offset, p.ndTarget != nil, l4 + 24 <= b.frameLength else { return true }
            let bytes = a.bytes
            for i in stride(from: 0, to: 16, by: 2) {
                let old = b.u16(l4 + 8 + i), new = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
                b.put16(l4 + 8 + i, new)
                b.put16(l4 + 2, adjust(b.u16(l4 + 2), old: old, new: new, complemented: !partial))
            }
        case .ipv6NDSLL(let m), .ipv6NDTLL(let m):
            guard let l4 = p.l4Offset, p.ndTarget != nil else { return true }
            let want: UInt8 = f.oxmField == 32 ? 1 : 2
            var opt = l4 + 24
            while opt + 8 <= b.frameLength, b.u8(opt + 1) != 0 {
                if b.u8(opt) == want && b.u8(opt + 1) == 1 {
                    for i in stride(from: 0, to: 6, by: 2) {
                        let old = b.u16(opt + 2 + i)
                        let new = UInt16((m.rawValue >> (40 - 8 * UInt64(i))) & 0xFF) << 8 | UInt16((m.rawValue >> (32 - 8 * UInt64(i))) & 0xFF)
                        b.put16(opt + 2 + i, new)
                        b.put16(l4 + 2, adjust(b.u16(l4 + 2), old: old, new: new, complemented: !partial))
                    }
                    break
                }
                opt += Int(b.u8(opt + 1)) * 8
            }
        case .mplsLabel(let v):
            guard p.mplsLabel != nil else { return true }
            let shim = UInt32(b.u16(l3)) << 16 | UInt32(b.u16(l3 + 2))
            let new = shim & 0x0000_0FFF | (v & 0xF_FFFF) << 12
            b.put16(l3, UInt16(new >> 16)); b.put16(l3 + 2, UInt16(new & 0xFFFF))
        case .mplsTC(let v):
            guard p.mplsLabel != nil else { return true }
            b.put8(l3 + 2, b.u8(l3 + 2) & 0xF1 | (v & 7) << 1)
        case .mplsBOS(let v):
            guard p.mplsLabel != nil else { return true }
            b.put8(l3 + 2, b.u8(l3 + 2) & 0xFE | v & 1)
        case .pbbISID(let v):
            guard p.pbbISID != nil else { return true }
            b.put8(l3 + 1, UInt8((v >> 16) & 0xFF))
            b.put16(l3 + 2, UInt16(v & 0xFFFF))
        case .inPort, .ethDst, .ethSrc, .vlanVID, .vlanPCP, .inPhyPort, .metadata, .tunnelID, .ipv6Exthdr:
            break
        }
        return true
    }

    private static func isTagged(_ b: FrameBuffer) -> Bool {
        let t = b.u16(12)
        return t == 0x8100 || t == 0x88A8
    }

    /// RFC 1624's incremental update of a ones'-complement sum when one 16-bit word changes
    /// from `old` to `new`; `complemented` for a finished checksum, false for the partial
    /// pseudo-header sum an offloading sender leaves in the field.
    static func adjust(_ field: UInt16, old: UInt16, new: UInt16, complemented: Bool) -> UInt16 {
        var s = UInt32(complemented ? ~field : field) + UInt32(~old) + UInt32(new)
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        return complemented ? ~UInt16(s) : UInt16(s)
    }
}

/// SCTP's CRC-32c checksum (RFC 4960 appendix B), recomputed over the whole packet after a
/// port changed; there is no incremental form.
enum SCTP {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32c(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }

    /// Writes the checksum of the SCTP packet at `l4..<end` (common header and chunks),
    /// stored little-endian as the RFC's appendix does.
    static func refreshChecksum(_ b: inout FrameBuffer, at l4: Int, end: Int) {
        guard end >= l4 + 12 else { return }
        for i in 0..<4 { b.put8(l4 + 8 + i, 0) }
        let c = crc32c(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b.frame)[l4..<end]))
        for i in 0..<4 { b.put8(l4 + 8 + i, UInt8((c >> (8 * UInt32(i))) & 0xFF)) }
    }
}
