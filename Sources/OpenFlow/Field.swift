/// One header field with a value: a match field, or the target of a set-field action.
///
/// The cases are the OXM (1.3) basic fields this library supports; each knows its OXM field
/// number and wire size.
public enum OFField: Hashable, Sendable {
    /// Ingress port (OXM 0).
    case inPort(OFPortNo)
    /// Ethernet destination (OXM 3).
    case ethDst(OFMACAddress)
    /// Ethernet source (OXM 4).
    case ethSrc(OFMACAddress)
    /// Ethernet type after any VLAN tags (OXM 5).
    case ethType(UInt16)
    /// VLAN id in OXM form: the 12-bit id ORed with ``OFMatch/vlanPresent`` (0x1000), or
    /// ``OFMatch/vlanNone`` (0) for "no tag" (OXM 6).
    case vlanVID(UInt16)
    /// VLAN priority, 3 bits (OXM 7).
    case vlanPCP(UInt8)
    /// IP DSCP, the top 6 bits of the ToS / traffic-class byte (OXM 8).
    case ipDSCP(UInt8)
    /// IP protocol / IPv6 next header (OXM 10).
    case ipProto(UInt8)
    /// IPv4 source (OXM 11).
    case ipv4Src(OFIPv4Address)
    /// IPv4 destination (OXM 12).
    case ipv4Dst(OFIPv4Address)
    /// TCP source port (OXM 13).
    case tcpSrc(UInt16)
    /// TCP destination port (OXM 14).
    case tcpDst(UInt16)
    /// UDP source port (OXM 15).
    case udpSrc(UInt16)
    /// UDP destination port (OXM 16).
    case udpDst(UInt16)
    /// ICMPv4 type (OXM 19).
    case icmpv4Type(UInt8)
    /// ICMPv4 code (OXM 20).
    case icmpv4Code(UInt8)
    /// ARP opcode (OXM 21).
    case arpOp(UInt16)
    /// ARP sender protocol address (OXM 22).
    case arpSpa(OFIPv4Address)
    /// ARP target protocol address (OXM 23).
    case arpTpa(OFIPv4Address)
    /// IPv6 source (OXM 26).
    case ipv6Src(OFIPv6Address)
    /// IPv6 destination (OXM 27).
    case ipv6Dst(OFIPv6Address)
    /// Physical ingress port; the same as in_port here, where every port is physical (OXM 1).
    case inPhyPort(OFPortNo)
    /// Metadata passed between tables (OXM 2): set by write-metadata, matched in later tables.
    case metadata(UInt64)
    /// IP ECN, the low 2 bits of the ToS / traffic-class byte (OXM 9).
    case ipECN(UInt8)
    /// SCTP source port (OXM 17).
    case sctpSrc(UInt16)
    /// SCTP destination port (OXM 18).
    case sctpDst(UInt16)
    /// ARP sender hardware address (OXM 24).
    case arpSha(OFMACAddress)
    /// ARP target hardware address (OXM 25).
    case arpTha(OFMACAddress)
    /// IPv6 flow label, 20 bits (OXM 28).
    case ipv6FLabel(UInt32)
    /// ICMPv6 type (OXM 29).
    case icmpv6Type(UInt8)
    /// ICMPv6 code (OXM 30).
    case icmpv6Code(UInt8)
    /// Target address of an IPv6 neighbour solicitation or advertisement (OXM 31).
    case ipv6NDTarget(OFIPv6Address)
    /// Source link-layer address option of a neighbour solicitation (OXM 32).
    case ipv6NDSLL(OFMACAddress)
    /// Target link-layer address option of a neighbour advertisement (OXM 33).
    case ipv6NDTLL(OFMACAddress)
    /// Label of the outermost MPLS shim header, 20 bits (OXM 34).
    case mplsLabel(UInt32)
    /// Traffic class of the outermost MPLS header, 3 bits (OXM 35).
    case mplsTC(UInt8)
    /// Bottom-of-stack bit of the outermost MPLS header (OXM 36).
    case mplsBOS(UInt8)
    /// I-SID of the outermost PBB (802.1ah) I-TAG, 24 bits (OXM 37).
    case pbbISID(UInt32)
    /// Tunnel id, pipeline metadata of the packet (0 unless set) (OXM 38).
    case tunnelID(UInt64)
    /// IPv6 extension headers seen, as OFPIEH_* bits (OXM 39).
    case ipv6Exthdr(UInt16)

    /// The OXM field number (class OFPXMC_OPENFLOW_BASIC).
    public var oxmField: UInt8 {
        switch self {
        case .inPort: 0
        case .ethDst: 3
        case .ethSrc: 4
        case .ethType: 5
        case .vlanVID: 6
        case .vlanPCP: 7
        case .ipDSCP: 8
        case .ipProto: 10
        case .ipv4Src: 11
        case .ipv4Dst: 12
        case .tcpSrc: 13
        case .tcpDst: 14
        case .udpSrc: 15
        case .udpDst: 16
        case .icmpv4Type: 19
        case .icmpv4Code: 20
        case .arpOp: 21
        case .arpSpa: 22
        case .arpTpa: 23
        case .ipv6Src: 26
        case .ipv6Dst: 27
        case .inPhyPort: 1
        case .metadata: 2
        case .ipECN: 9
        case .sctpSrc: 17
        case .sctpDst: 18
        case .arpSha: 24
        case .arpTha: 25
        case .ipv6FLabel: 28
        case .icmpv6Type: 29
        case .icmpv6Code: 30
        case .ipv6NDTarget: 31
        case .ipv6NDSLL: 32
        case .ipv6NDTLL: 33
        case .mplsLabel: 34
        case .mplsTC: 35
        case .mplsBOS: 36
        case .pbbISID: 37
        case .tunnelID: 38
        case .ipv6Exthdr: 39
        }
    }

    /// Value size in bytes for a supported OXM field number, nil for others.
    static func size(ofField field: UInt8) -> Int? {
        switch field {
        case 0, 1: 4
        case 2, 38: 8
        case 3, 4, 24, 25, 32, 33: 6
        case 5, 6, 13, 14, 15, 16, 17, 18, 21, 39: 2
        case 7, 8, 9, 10, 19, 20, 29, 30, 35, 36: 1
        case 11, 12, 22, 23, 28, 34: 4
        case 26, 27, 31: 16
        case 37: 3
        default: nil
        }
    }

    /// True for fields the 1.3 specification allows a mask on.
    static func isMaskable(_ field: UInt8) -> Bool {
        [2, 3, 4, 6, 11, 12, 22, 23, 24, 25, 26, 27, 28, 37, 38, 39].contains(field)
    }

    /// The value as one 128-bit number (high and low 64 bits), for comparing under masks.
    public var wideValue: (UInt64, UInt64) {
        var w = ByteWriter(capacity: 16)
        writeValue(&w)
        var high: UInt64 = 0, low: UInt64 = 0
        for b in w.bytes {
            high = high << 8 | low >> 56
            low = low << 8 | UInt64(b)
        }
        return (high, low)
    }

    /// The OXM class for OpenFlow basic fields.
    static let basicClass: UInt16 = 0x8000

    /// Writes the value (without a TLV header).
    func writeValue(_ w: inout ByteWriter) {
        switch self {
        case .inPort(let p): w.u32(p.rawValue)
        case .ethDst(let m), .ethSrc(let m): w.mac(m)
        case .ethType(let v), .vlanVID(let v), .tcpSrc(let v), .tcpDst(let v), .udpSrc(let v), .udpDst(let v),
             .arpOp(let v):
            w.u16(v)
        case .vlanPCP(let v), .ipDSCP(let v), .ipProto(let v), .icmpv4Type(let v), .icmpv4Code(let v): w.u8(v)
        case .ipv4Src(let a), .ipv4Dst(let a), .arpSpa(let a), .arpTpa(let a): w.u32(a.rawValue)
        case .ipv6Src(let a), .ipv6Dst(let a), .ipv6NDTarget(let a):
            w.u64(a.high)
            w.u64(a.low)
        case .inPhyPort(let p): w.u32(p.rawValue)
        case .metadata(let v), .tunnelID(let v): w.u64(v)
        case .ipECN(let v), .icmpv6Type(let v), .icmpv6Code(let v), .mplsTC(let v), .mplsBOS(let v): w.u8(v)
        case .sctpSrc(let v), .sctpDst(let v), .ipv6Exthdr(let v): w.u16(v)
        case .arpSha(let m), .arpTha(let m), .ipv6NDSLL(let m), .ipv6NDTLL(let m): w.mac(m)
        case .ipv6FLabel(let v), .mplsLabel(let v): w.u32(v)
        case .pbbISID(let v):
            w.u8(UInt8(truncatingIfNeeded: v >> 16))
            w.u16(UInt16(truncatingIfNeeded: v))
        }
    }

    /// Reads a value of OXM field `field` (whose size the caller has checked).
    static func readValue(field: UInt8, _ r: inout ByteReader) throws(OFError) -> OFField {
        switch field {
        case 0: return .inPort(OFPortNo(rawValue: try r.u32()))
        case 3: return .ethDst(try r.mac())
        case 4: return .ethSrc(try r.mac())
        case 5: return .ethType(try r.u16())
        case 6: return .vlanVID(try r.u16())
        case 7: return .vlanPCP(try r.u8())
        case 8: return .ipDSCP(try r.u8())
        case 10: return .ipProto(try r.u8())
        case 11: return .ipv4Src(OFIPv4Address(rawValue: try r.u32()))
        case 12: return .ipv4Dst(OFIPv4Address(rawValue: try r.u32()))
        case 13: return .tcpSrc(try r.u16())
        case 14: return .tcpDst(try r.u16())
        case 15: return .udpSrc(try r.u16())
        case 16: return .udpDst(try r.u16())
        case 19: return .icmpv4Type(try r.u8())
        case 20: return .icmpv4Code(try r.u8())
        case 21: return .arpOp(try r.u16())
        case 22: return .arpSpa(OFIPv4Address(rawValue: try r.u32()))
        case 23: return .arpTpa(OFIPv4Address(rawValue: try r.u32()))
        case 26: return .ipv6Src(OFIPv6Address(high: try r.u64(), low: try r.u64()))
        case 27: return .ipv6Dst(OFIPv6Address(high: try r.u64(), low: try r.u64()))
        case 1: return .inPhyPort(OFPortNo(rawValue: try r.u32()))
        case 2: return .metadata(try r.u64())
        case 9: return .ipECN(try r.u8())
        case 17: return .sctpSrc(try r.u16())
        case 18: return .sctpDst(try r.u16())
        case 24: return .arpSha(try r.mac())
        case 25: return .arpTha(try r.mac())
        case 28: return .ipv6FLabel(try r.u32())
        case 29: return .icmpv6Type(try r.u8())
        case 30: return .icmpv6Code(try r.u8())
        case 31: return .ipv6NDTarget(OFIPv6Address(high: try r.u64(), low: try r.u64()))
        case 32: return .ipv6NDSLL(try r.mac())
        case 33: return .ipv6NDTLL(try r.mac())
        case 34: return .mplsLabel(try r.u32())
        case 35: return .mplsTC(try r.u8())
        case 36: return .mplsBOS(try r.u8())
        case 37:
            let high = UInt32(try r.u8())
            return .pbbISID(high << 16 | UInt32(try r.u16()))
        case 38: return .tunnelID(try r.u64())
        case 39: return .ipv6Exthdr(try r.u16())
        default: throw .badOXMField(oxmClass: basicClass, field: field)
        }
    }

    /// Writes one OXM TLV: header, value and (for a masked field) the mask.
    func writeOXM(_ w: inout ByteWriter, mask: OFField? = nil) {
        let size = Self.size(ofField: oxmField) ?? 0
        let hasMask = mask != nil
        w.u16(Self.basicClass)
        w.u8(oxmField << 1 | (hasMask ? 1 : 0))
        w.u8(UInt8(hasMask ? size * 2 : size))
        writeValue(&w)
        mask?.writeValue(&w)
    }

    /// Reads one OXM TLV.
    /// - Throws: ``OFError/badOXMField(oxmClass:field:)`` for classes or fields this library does
    ///   not know, ``OFError/badOXMLength(field:length:)`` when the length does not suit the
    ///   field, a mask is given on an unmaskable field, or the TLV runs past the match.
    static func readOXM(_ r: inout ByteReader) throws(OFError) -> (value: OFField, mask: OFField?) {
        guard r.remaining >= 4 else { throw .badOXMLength(field: 0, length: UInt8(clamping: r.remaining)) }
        let oxmClass = try r.u16()
        let fieldAndMask = try r.u8()
        let length = try r.u8()
        let field = fieldAndMask >> 1, hasMask = fieldAndMask & 1 == 1
        guard Int(length) <= r.remaining else { throw .badOXMLength(field: field, length: length) }
        guard oxmClass == basicClass, let size = size(ofField: field) else {
            throw .badOXMField(oxmClass: oxmClass, field: field)
        }
        guard Int(length) == (hasMask ? 2 * size : size), !hasMask || isMaskable(field) else {
            throw .badOXMLength(field: field, length: length)
        }
        let value = try readValue(field: field, &r)
        let mask = hasMask ? try readValue(field: field, &r) : nil
        return (value, mask)
    }
}
