/// A version-neutral flow match: every field is optional (nil = wildcard), some take a mask.
///
/// Encoded as OXM TLVs in 1.3 and as the fixed 40-byte `ofp_match` with wildcards in 1.0 (see
/// `MatchWire.swift` for what 1.0 cannot express). A mask is ignored when its field is nil; a
/// mask bit of 1 means "this bit must match".
public struct OFMatch: Hashable, Sendable {
    /// OXM vlan_vid value for "no VLAN tag" (OFPVID_NONE).
    public static let vlanNone: UInt16 = 0x0000
    /// OXM vlan_vid bit for "a VLAN tag is present" (OFPVID_PRESENT); with it as both value and
    /// mask, a match takes any tagged packet.
    public static let vlanPresent: UInt16 = 0x1000

    /// Ingress port.
    public var inPort: OFPortNo?
    /// Ethernet source.
    public var ethSrc: OFMACAddress?
    /// Mask for ``ethSrc``.
    public var ethSrcMask: OFMACAddress?
    /// Ethernet destination.
    public var ethDst: OFMACAddress?
    /// Mask for ``ethDst``.
    public var ethDstMask: OFMACAddress?
    /// Ethernet type (after VLAN tags).
    public var ethType: UInt16?
    /// VLAN id in OXM form: ``vlanNone``, or the id ORed with ``vlanPresent``.
    public var vlanVID: UInt16?
    /// Mask for ``vlanVID``.
    public var vlanVIDMask: UInt16?
    /// VLAN priority.
    public var vlanPCP: UInt8?
    /// IP DSCP (6 bits).
    public var ipDSCP: UInt8?
    /// IP protocol.
    public var ipProto: UInt8?
    /// IPv4 source.
    public var ipv4Src: OFIPv4Address?
    /// Mask for ``ipv4Src``.
    public var ipv4SrcMask: OFIPv4Address?
    /// IPv4 destination.
    public var ipv4Dst: OFIPv4Address?
    /// Mask for ``ipv4Dst``.
    public var ipv4DstMask: OFIPv4Address?
    /// IPv6 source.
    public var ipv6Src: OFIPv6Address?
    /// Mask for ``ipv6Src``.
    public var ipv6SrcMask: OFIPv6Address?
    /// IPv6 destination.
    public var ipv6Dst: OFIPv6Address?
    /// Mask for ``ipv6Dst``.
    public var ipv6DstMask: OFIPv6Address?
    /// TCP source port.
    public var tcpSrc: UInt16?
    /// TCP destination port.
    public var tcpDst: UInt16?
    /// UDP source port.
    public var udpSrc: UInt16?
    /// UDP destination port.
    public var udpDst: UInt16?
    /// ICMPv4 type.
    public var icmpv4Type: UInt8?
    /// ICMPv4 code.
    public var icmpv4Code: UInt8?
    /// ARP opcode.
    public var arpOp: UInt16?
    /// ARP sender protocol address.
    public var arpSpa: OFIPv4Address?
    /// Mask for ``arpSpa``.
    public var arpSpaMask: OFIPv4Address?
    /// ARP target protocol address.
    public var arpTpa: OFIPv4Address?
    /// Mask for ``arpTpa``.
    public var arpTpaMask: OFIPv4Address?
    /// The other OXM fields (metadata, ECN, SCTP, ARP hardware addresses, ICMPv6 and
    /// neighbour discovery, flow label, MPLS, PBB, tunnel id, IPv6 extension headers), by
    /// OXM field number: the value and its mask.
    public var more: [UInt8: OFMaskedField] = [:]

    /// A match with every field wildcarded, or only the ingress port set.
    public init(inPort: OFPortNo? = nil) {
        self.inPort = inPort
    }

    /// A match built from field values (each with an optional mask).
    public init(_ fields: [OFField]) {
        for f in fields { set(f) }
    }

    /// True when every field is wildcarded.
    public var isEmpty: Bool { entries.isEmpty }

    /// Sets one field (and its mask, for maskable fields: both must be the same case).
    public mutating func set(_ value: OFField, mask: OFField? = nil) {
        switch (value, mask) {
        case (.inPort(let v), _): inPort = v
        case (.ethDst(let v), let m): ethDst = v; if case .ethDst(let mv)? = m { ethDstMask = mv }
        case (.ethSrc(let v), let m): ethSrc = v; if case .ethSrc(let mv)? = m { ethSrcMask = mv }
        case (.ethType(let v), _): ethType = v
        case (.vlanVID(let v), let m): vlanVID = v; if case .vlanVID(let mv)? = m { vlanVIDMask = mv }
        case (.vlanPCP(let v), _): vlanPCP = v
        case (.ipDSCP(let v), _): ipDSCP = v
        case (.ipProto(let v), _): ipProto = v
        case (.ipv4Src(let v), let m): ipv4Src = v; if case .ipv4Src(let mv)? = m { ipv4SrcMask = mv }
        case (.ipv4Dst(let v), let m): ipv4Dst = v; if case .ipv4Dst(let mv)? = m { ipv4DstMask = mv }
        case (.tcpSrc(let v), _): tcpSrc = v
        case (.tcpDst(let v), _): tcpDst = v
        case (.udpSrc(let v), _): udpSrc = v
        case (.udpDst(let v), _): udpDst = v
        case (.icmpv4Type(let v), _): icmpv4Type = v
        case (.icmpv4Code(let v), _): icmpv4Code = v
        case (.arpOp(let v), _): arpOp = v
        case (.arpSpa(let v), let m): arpSpa = v; if case .arpSpa(let mv)? = m { arpSpaMask = mv }
        case (.arpTpa(let v), let m): arpTpa = v; if case .arpTpa(let mv)? = m { arpTpaMask = mv }
        case (.ipv6Src(let v), let m): ipv6Src = v; if case .ipv6Src(let mv)? = m { ipv6SrcMask = mv }
        case (.ipv6Dst(let v), let m): ipv6Dst = v; if case .ipv6Dst(let mv)? = m { ipv6DstMask = mv }
        case (let v, let m):
            more[v.oxmField] = OFMaskedField(value: v, mask: m.flatMap { $0.oxmField == v.oxmField ? $0 : nil })
        }
    }

    /// This match with every masked value ANDed with its mask. The 1.3 wire form requires it
    /// (a value bit outside its mask is BAD_WILDCARDS), and strict flow comparison needs it;
    /// encoding and decoding both normalize.
    public var normalized: OFMatch {
        var m = self
        func and(_ v: OFMACAddress?, _ k: OFMACAddress?) -> OFMACAddress? {
            guard let v, let k else { return v }
            return OFMACAddress(rawValue: v.rawValue & k.rawValue)
        }
        func and(_ v: OFIPv4Address?, _ k: OFIPv4Address?) -> OFIPv4Address? {
            guard let v, let k else { return v }
            return OFIPv4Address(rawValue: v.rawValue & k.rawValue)
        }
        func and(_ v: OFIPv6Address?, _ k: OFIPv6Address?) -> OFIPv6Address? {
            guard let v, let k else { return v }
            return v & k
        }
        m.ethSrc = and(ethSrc, ethSrcMask)
        m.ethDst = and(ethDst, ethDstMask)
        if let v = vlanVID, let k = vlanVIDMask { m.vlanVID = v & k }
        m.ipv4Src = and(ipv4Src, ipv4SrcMask)
        m.ipv4Dst = and(ipv4Dst, ipv4DstMask)
        m.arpSpa = and(arpSpa, arpSpaMask)
        m.arpTpa = and(arpTpa, arpTpaMask)
        m.ipv6Src = and(ipv6Src, ipv6SrcMask)
        m.ipv6Dst = and(ipv6Dst, ipv6DstMask)
        for (k, f) in more {
            if let mask = f.mask { m.more[k] = OFMaskedField(value: f.value.masked(by: mask), mask: mask) }
        }
        return m
    }

    /// The set fields with their masks, in OXM field-number order (which puts every
    /// prerequisite, such as eth_type, before the fields that need it).
    public var entries: [(value: OFField, mask: OFField?)] {
        var out: [(value: OFField, mask: OFField?)] = []
        if let v = inPort { out.append((.inPort(v), nil)) }
        if let v = ethDst { out.append((.ethDst(v), ethDstMask.map(OFField.ethDst))) }
        if let v = ethSrc { out.append((.ethSrc(v), ethSrcMask.map(OFField.ethSrc))) }
        if let v = ethType { out.append((.ethType(v), nil)) }
        if let v = vlanVID { out.append((.vlanVID(v), vlanVIDMask.map(OFField.vlanVID))) }
        if let v = vlanPCP { out.append((.vlanPCP(v), nil)) }
        if let v = ipDSCP { out.append((.ipDSCP(v), nil)) }
        if let v = ipProto { out.append((.ipProto(v), nil)) }
        if let v = ipv4Src { out.append((.ipv4Src(v), ipv4SrcMask.map(OFField.ipv4Src))) }
        if let v = ipv4Dst { out.append((.ipv4Dst(v), ipv4DstMask.map(OFField.ipv4Dst))) }
        if let v = tcpSrc { out.append((.tcpSrc(v), nil)) }
        if let v = tcpDst { out.append((.tcpDst(v), nil)) }
        if let v = udpSrc { out.append((.udpSrc(v), nil)) }
        if let v = udpDst { out.append((.udpDst(v), nil)) }
        if let v = icmpv4Type { out.append((.icmpv4Type(v), nil)) }
        if let v = icmpv4Code { out.append((.icmpv4Code(v), nil)) }
        if let v = arpOp { out.append((.arpOp(v), nil)) }
        if let v = arpSpa { out.append((.arpSpa(v), arpSpaMask.map(OFField.arpSpa))) }
        if let v = arpTpa { out.append((.arpTpa(v), arpTpaMask.map(OFField.arpTpa))) }
        if let v = ipv6Src { out.append((.ipv6Src(v), ipv6SrcMask.map(OFField.ipv6Src))) }
        if let v = ipv6Dst { out.append((.ipv6Dst(v), ipv6DstMask.map(OFField.ipv6Dst))) }
        if !more.isEmpty {
            out += more.values.map { ($0.value, $0.mask) }
            out.sort { $0.value.oxmField < $1.value.oxmField }
        }
        return out
    }

    /// True when `packet` has every field this match sets, with equal values under the masks.
    ///
    /// A field the packet lacks (e.g. ``tcpSrc`` for a UDP packet) never matches. ``vlanVID``
    /// follows OXM: ``vlanNone`` matches untagged packets, ``vlanPresent`` with mask
    /// ``vlanPresent`` any tagged one.
    public func matches(packet p: ParsedPacket) -> Bool {
        func eq<T: Equatable>(_ want: T?, _ have: T?) -> Bool {
            guard let want else { return true }
            return have == want
        }
        func masked<T: FixedWidthInteger>(_ want: T?, _ mask: T?, _ have: T?) -> Bool {
            guard let want else { return true }
            guard let have else { return false }
            let m = mask ?? ~0
            return have & m == want & m
        }
        guard eq(inPort, p.inPort),
              masked(ethDst?.rawValue, ethDstMask?.rawValue, p.ethDst.rawValue),
              masked(ethSrc?.rawValue, ethSrcMask?.rawValue, p.ethSrc.rawValue),
              eq(ethType, p.ethType),
              masked(vlanVID, vlanVIDMask, p.vlanVID.map { $0 | Self.vlanPresent } ?? Self.vlanNone),
              eq(vlanPCP, p.vlanPCP), eq(ipDSCP, p.ipDSCP), eq(ipProto, p.ipProto),
              masked(ipv4Src?.rawValue, ipv4SrcMask?.rawValue, p.ipv4Src?.rawValue),
              masked(ipv4Dst?.rawValue, ipv4DstMask?.rawValue, p.ipv4Dst?.rawValue),
              eq(tcpSrc, p.tcpSrc), eq(tcpDst, p.tcpDst), eq(udpSrc, p.udpSrc), eq(udpDst, p.udpDst),
              eq(icmpv4Type, p.icmpv4Type), eq(icmpv4Code, p.icmpv4Code), eq(arpOp, p.arpOp),
              masked(arpSpa?.rawValue, arpSpaMask?.rawValue, p.arpSpa?.rawValue),
              masked(arpTpa?.rawValue, arpTpaMask?.rawValue, p.arpTpa?.rawValue)
        else { return false }
        guard Self.matchV6(ipv6Src, ipv6SrcMask, p.ipv6Src) && Self.matchV6(ipv6Dst, ipv6DstMask, p.ipv6Dst) else { return false }
        for f in more.values {
            guard let have = p.field(f.value.oxmField) else { return false }
            if let mask = f.mask {
                guard have.masked(by: mask) == f.value.masked(by: mask) else { return false }
            } else if have != f.value {
                return false
            }
        }
        return true
    }

    private static func matchV6(_ want: OFIPv6Address?, _ mask: OFIPv6Address?, _ have: OFIPv6Address?) -> Bool {
        guard let want else { return true }
        guard let have else { return false }
        let m = mask ?? OFIPv6Address(high: .max, low: .max)
        return have & m == want & m
    }
}

/// A match field's value and its optional mask (the same case).
public struct OFMaskedField: Hashable, Sendable {
    public var value: OFField
    public var mask: OFField?
    public init(value: OFField, mask: OFField? = nil) {
        self.value = value
        self.mask = mask
    }
}

extension OFField {
    /// The value with every bit outside `mask` cleared (`mask` being the same field).
    public func masked(by mask: OFField) -> OFField {
        var v = ByteWriter(capacity: 16), k = ByteWriter(capacity: 16)
        writeValue(&v)
        mask.writeValue(&k)
        guard v.bytes.count == k.bytes.count else { return self }
        var r = ByteReader(zip(v.bytes, k.bytes).map { $0 & $1 }, context: "mask")
        return (try? OFField.readValue(field: oxmField, &r)) ?? self
    }
}
