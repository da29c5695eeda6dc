// Wire forms of OFMatch: `ofp_match` with OXM TLVs (1.3) and the fixed 1.0 `ofp_match`.

extension OFMatch {
    /// OFPMT_OXM.
    static let oxmType: UInt16 = 1

    /// Writes a 1.3 `ofp_match`: type, length (4 + TLVs, padding excluded), TLVs, zero padding
    /// to 8. Masked values are written ANDed with their masks.
    func encodeOXM(_ w: inout ByteWriter) throws(OFError) {
        let start = w.count
        w.u16(Self.oxmType)
        w.u16(0)
        for (value, mask) in normalized.entries { value.writeOXM(&w, mask: mask) }
        try w.patchLength(at: start + 2, from: start, context: "ofp_match")
        w.padTo8(from: start)
    }

    /// Reads a 1.3 `ofp_match` and its padding; the result is ``normalized``.
    static func decodeOXM(_ r: inout ByteReader) throws(OFError) -> OFMatch {
        let type = try r.u16()
        let length = Int(try r.u16())
        guard type == oxmType else { throw .badMatchType(type) }
        guard length >= 4 else { throw .badLength("ofp_match: length \(length) < 4") }
        guard roundUp8(length) - 4 <= r.remaining else {
            throw .badLength("ofp_match: length \(length) runs past the message")
        }
        var fields = try r.sub(length - 4, context: "ofp_match OXM")
        try r.skip(roundUp8(length) - length)
        var match = OFMatch()
        var seen: UInt64 = 0
        while !fields.isAtEnd {
            let (value, mask) = try OFField.readOXM(&fields)
            let bit: UInt64 = 1 << UInt64(value.oxmField)
            guard seen & bit == 0 else { throw .duplicateOXMField(value.oxmField) }
            seen |= bit
            match.set(value, mask: mask)
        }
        return match.normalized
    }
}

// MARK: - OpenFlow 1.0

/// OFPFW_* wildcard bits of the 1.0 `ofp_match`.
enum Wildcards10 {
    static let inPort: UInt32 = 1 << 0
    static let dlVLAN: UInt32 = 1 << 1
    static let dlSrc: UInt32 = 1 << 2
    static let dlDst: UInt32 = 1 << 3
    static let dlType: UInt32 = 1 << 4
    static let nwProto: UInt32 = 1 << 5
    static let tpSrc: UInt32 = 1 << 6
    static let tpDst: UInt32 = 1 << 7
    static let nwSrcShift: UInt32 = 8
    static let nwDstShift: UInt32 = 14
    static let dlVLANPCP: UInt32 = 1 << 20
    static let nwTOS: UInt32 = 1 << 21
    static let all: UInt32 = (1 << 22) - 1
}

extension OFMatch {
    /// Size of the 1.0 `ofp_match`.
    static let size10 = 40

    /// Writes the 40-byte 1.0 `ofp_match`.
    ///
    /// - Throws: ``OFError/unsupported(_:)`` for what 1.0 cannot express: IPv6 fields, Ethernet
    ///   masks other than all-ones, IPv4 masks that are not prefixes, a masked VLAN id, two
    ///   transport-port fields at once, IPv4 and ARP fields together, an ARP opcode above 255.
    func encode10(_ w: inout ByteWriter) throws(OFError) {
        guard ipv6Src == nil, ipv6Dst == nil else { throw .unsupported("IPv6 match fields in OpenFlow 1.0") }
        var wild = Wildcards10.all
        func exact(_ bit: UInt32, _ present: Bool) { if present { wild &= ~bit } }

        var port: UInt16 = 0
        if let p = inPort { port = try p.encode10("ofp_match.in_port") }
        exact(Wildcards10.inPort, inPort != nil)

        for (mac, mask) in [(ethSrc, ethSrcMask), (ethDst, ethDstMask)] where mac != nil {
            guard mask == nil || mask == .broadcast else { throw .unsupported("Ethernet address masks in 1.0") }
        }
        exact(Wildcards10.dlSrc, ethSrc != nil)
        exact(Wildcards10.dlDst, ethDst != nil)
        exact(Wildcards10.dlType, ethType != nil)

        var dlVLAN: UInt16 = 0
        if let vid = vlanVID {
            guard vlanVIDMask == nil || vlanVIDMask == 0x1FFF else { throw .unsupported("VLAN id masks in 1.0") }
            dlVLAN = vid & Self.vlanPresent == 0 ? 0xFFFF : vid & 0x0FFF
        }
        exact(Wildcards10.dlVLAN, vlanVID != nil)
        exact(Wildcards10.dlVLANPCP, vlanPCP != nil)
        exact(Wildcards10.nwTOS, ipDSCP != nil)

        // 1.0 has one set of network fields: IPv4 or ARP, never both.
        guard ipProto == nil || arpOp == nil, ipv4Src == nil || arpSpa == nil, ipv4Dst == nil || arpTpa == nil else {
            throw .unsupported("IPv4 and ARP fields in one 1.0 match")
        }
        var nwProto = ipProto
        if let op = arpOp {
            guard op <= 0xFF else { throw .unsupported("ARP opcode \(op) in 1.0 (8 bits)") }
            nwProto = UInt8(op)
        }
        exact(Wildcards10.nwProto, nwProto != nil)

        func nw(_ addr: OFIPv4Address?, _ mask: OFIPv4Address?, _ shift: UInt32) throws(OFError) -> UInt32 {
            guard let addr else { return 0 }
            let m = mask ?? .prefixMask(32)
            guard let len = m.prefixLength else { throw .unsupported("non-prefix IPv4 mask \(m) in 1.0") }
            wild = (wild & ~(0x3F << shift)) | UInt32(32 - len) << shift
            return addr.rawValue & m.rawValue
        }
        let nwSrc = try arpSpa != nil ? nw(arpSpa, arpSpaMask, Wildcards10.nwSrcShift)
                                      : nw(ipv4Src, ipv4SrcMask, Wildcards10.nwSrcShift)
        let nwDst = try arpTpa != nil ? nw(arpTpa, arpTpaMask, Wildcards10.nwDstShift)
                                      : nw(ipv4Dst, ipv4DstMask, Wildcards10.nwDstShift)

        let srcs = [tcpSrc, udpSrc, icmpv4Type.map(UInt16.init)].compactMap { $0 }
        let dsts = [tcpDst, udpDst, icmpv4Code.map(UInt16.init)].compactMap { $0 }
        guard srcs.count <= 1, dsts.count <= 1 else { throw .unsupported("two transport fields in one 1.0 match") }
        exact(Wildcards10.tpSrc, !srcs.isEmpty)
        exact(Wildcards10.tpDst, !dsts.isEmpty)

        w.u32(wild)
        w.u16(port)
        w.mac(ethSrc ?? .zero)
        w.mac(ethDst ?? .zero)
        w.u16(dlVLAN)
        w.u8(vlanPCP ?? 0)
        w.zeros(1)
        w.u16(ethType ?? 0)
        w.u8((ipDSCP ?? 0) << 2)
        w.u8(nwProto ?? 0)
        w.zeros(2)
        w.u32(nwSrc)
        w.u32(nwDst)
        w.u16(srcs.first ?? 0)
        w.u16(dsts.first ?? 0)
    }

    /// Reads the 40-byte 1.0 `ofp_match`.
    ///
    /// dl_vlan_pcp is dropped when dl_vlan is OFP_VLAN_NONE (only untagged packets match, and they
    /// have no priority).
    /// With dl_type 0x0806 the network fields become ``arpOp``/``arpSpa``/``arpTpa``; otherwise
    /// ``ipProto``/``ipv4Src``/``ipv4Dst``. tp_src/tp_dst become UDP ports when nw_proto is 17,
    /// ICMP type/code when it is 1, and TCP ports otherwise.
    static func decode10(_ r: inout ByteReader) throws(OFError) -> OFMatch {
        let wild = try r.u32()
        func has(_ bit: UInt32) -> Bool { wild & bit == 0 }
        var m = OFMatch()
        let port = try r.u16()
        if has(Wildcards10.inPort) { m.inPort = OFPortNo(v10: port) }
        let src = try r.mac(), dst = try r.mac()
        if has(Wildcards10.dlSrc) { m.ethSrc = src }
        if has(Wildcards10.dlDst) { m.ethDst = dst }
        let vlan = try r.u16()
        if has(Wildcards10.dlVLAN) { m.vlanVID = vlan == 0xFFFF ? vlanNone : vlanPresent | (vlan & 0x0FFF) }
        let pcp = try r.u8()
        // An untagged packet has no priority: with dl_vlan OFP_VLAN_NONE an exact dl_vlan_pcp
        // is ignored, as Open vSwitch does (its own controllers send exactly that).
        if has(Wildcards10.dlVLANPCP) && m.vlanVID != vlanNone { m.vlanPCP = pcp }
        try r.skip(1)
        let type = try r.u16()
        if has(Wildcards10.dlType) { m.ethType = type }
        let tos = try r.u8(), proto = try r.u8()
        try r.skip(2)
        let nwSrc = OFIPv4Address(rawValue: try r.u32()), nwDst = OFIPv4Address(rawValue: try r.u32())
        let tpSrc = try r.u16(), tpDst = try r.u16()

        let isARP = m.ethType == 0x0806
        if has(Wildcards10.nwTOS) { m.ipDSCP = tos >> 2 }
        if has(Wildcards10.nwProto) {
            if isARP { m.arpOp = UInt16(proto) } else { m.ipProto = proto }
        }
        func prefix(_ shift: UInt32) -> OFIPv4Address?? {
            let bits = Int((wild >> shift) & 0x3F)
            if bits >= 32 { return .none }
            return .some(bits == 0 ? nil : OFIPv4Address.prefixMask(32 - bits))
        }
        if case .some(let mask) = prefix(Wildcards10.nwSrcShift) {
            if isARP { m.arpSpa = nwSrc; m.arpSpaMask = mask } else { m.ipv4Src = nwSrc; m.ipv4SrcMask = mask }
        }
        if case .some(let mask) = prefix(Wildcards10.nwDstShift) {
            if isARP { m.arpTpa = nwDst; m.arpTpaMask = mask } else { m.ipv4Dst = nwDst; m.ipv4DstMask = mask }
        }
        let l4 = m.ipProto
        if has(Wildcards10.tpSrc) {
            switch l4 {
            case 17: m.udpSrc = tpSrc
            case 1: m.icmpv4Type = UInt8(truncatingIfNeeded: tpSrc)
            default: m.tcpSrc = tpSrc
            }
        }
        if has(Wildcards10.tpDst) {
            switch l4 {
            case 17: m.udpDst = tpDst
            case 1: m.icmpv4Code = UInt8(truncatingIfNeeded: tpDst)
            default: m.tcpDst = tpDst
            }
        }
        return m.normalized
    }
}
