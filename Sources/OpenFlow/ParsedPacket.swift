/// The header fields of an Ethernet frame that ``OFMatch`` can match on.
///
/// Parsing reads the frame in place and stores only integers, so it allocates nothing. Headers
/// cut short leave their fields nil rather than failing; only a frame shorter than an Ethernet
/// header has no parse at all.
public struct ParsedPacket: Hashable, Sendable {
    /// Port the frame arrived on.
    public var inPort: OFPortNo
    /// Ethernet destination.
    public var ethDst: OFMACAddress
    /// Ethernet source.
    public var ethSrc: OFMACAddress
    /// Ethernet type after any VLAN tags; 0x05ff for 802.3 frames with a length field.
    public var ethType: UInt16
    /// 12-bit id of the outermost VLAN tag (TPID 0x8100 or 0x88a8), nil when untagged.
    public var vlanVID: UInt16?
    /// Priority of the outermost VLAN tag.
    public var vlanPCP: UInt8?
    /// IPv4 / IPv6 DSCP (6 bits).
    public var ipDSCP: UInt8?
    /// IPv4 protocol, or the IPv6 upper-layer next header (after extension headers).
    public var ipProto: UInt8?
    /// IPv4 source.
    public var ipv4Src: OFIPv4Address?
    /// IPv4 destination.
    public var ipv4Dst: OFIPv4Address?
    /// IPv6 source.
    public var ipv6Src: OFIPv6Address?
    /// IPv6 destination.
    public var ipv6Dst: OFIPv6Address?
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
    /// ARP opcode (Ethernet/IPv4 ARP only).
    public var arpOp: UInt16?
    /// ARP sender hardware address.
    public var arpSha: OFMACAddress?
    /// ARP sender protocol address.
    public var arpSpa: OFIPv4Address?
    /// ARP target hardware address.
    public var arpTha: OFMACAddress?
    /// ARP target protocol address.
    public var arpTpa: OFIPv4Address?
    /// Pipeline metadata (OXM metadata): 0 when the packet enters table 0.
    public var metadata: UInt64 = 0
    /// Tunnel id (OXM tunnel_id): 0 for a packet from a physical port, until set-field.
    public var tunnelID: UInt64 = 0
    /// IP ECN (2 bits).
    public var ipECN: UInt8?
    /// SCTP source port.
    public var sctpSrc: UInt16?
    /// SCTP destination port.
    public var sctpDst: UInt16?
    /// IPv6 flow label (20 bits).
    public var ipv6FLabel: UInt32?
    /// IPv6 extension headers seen (OFPIEH_* bits), for IPv6 packets.
    public var ipv6Exthdr: UInt16?
    /// ICMPv6 type.
    public var icmpv6Type: UInt8?
    /// ICMPv6 code.
    public var icmpv6Code: UInt8?
    /// Target of a neighbour solicitation or advertisement.
    public var ndTarget: OFIPv6Address?
    /// A neighbour solicitation's source link-layer address option.
    public var ndSLL: OFMACAddress?
    /// A neighbour advertisement's target link-layer address option.
    public var ndTLL: OFMACAddress?
    /// Outermost MPLS label (20 bits), traffic class and bottom-of-stack bit.
    public var mplsLabel: UInt32?
    public var mplsTC: UInt8?
    public var mplsBOS: UInt8?
    /// I-SID of the outermost PBB I-TAG.
    public var pbbISID: UInt32?
    /// Offset of the network header (after Ethernet and VLAN tags).
    public var l3Offset: Int
    /// Offset of the transport header, when one was found (not for non-first fragments).
    public var l4Offset: Int?

    /// Parses `frame` (starting at the Ethernet destination), received on `inPort`.
    /// Returns nil when the frame is shorter than 14 bytes.
    public init?(frame: [UInt8], inPort: OFPortNo) {
        guard let p = frame.withUnsafeBytes({ ParsedPacket(bytes: $0, inPort: inPort) }) else { return nil }
        self = p
    }

    /// Parses the frame in `bytes` (starting at the Ethernet destination) without copying it,
    /// as a datapath does for every frame it forwards. Returns nil below 14 bytes.
    public init?(bytes: UnsafeRawBufferPointer, inPort: OFPortNo) {
        guard bytes.count >= 14 else { return nil }
        let f = bytes
        func u16(_ i: Int) -> UInt16 { UInt16(f[i]) << 8 | UInt16(f[i + 1]) }
        func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) << 16 | UInt32(u16(i + 2)) }
        func mac(_ i: Int) -> OFMACAddress {
            OFMACAddress(rawValue: UInt64(u16(i)) << 32 | UInt64(u32(i + 2)))
        }
        func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) << 32 | UInt64(u32(i + 4)) }

        self.inPort = inPort
        ethDst = mac(0)
        ethSrc = mac(6)
        var off = 12
        var type = u16(off)
        while (type == 0x8100 || type == 0x88A8) && off + 6 <= f.count {
            if vlanVID == nil {
                let tci = u16(off + 2)
                vlanVID = tci & 0x0FFF
                vlanPCP = UInt8(tci >> 13)
            }
            off += 4
            type = u16(off)
        }
        off += 2
        ethType = type < 0x0600 ? 0x05FF : type
        l3Offset = off

        switch ethType {
        case 0x0806 where off + 28 <= f.count && u16(off) == 1 && u16(off + 2) == 0x0800
            && f[off + 4] == 6 && f[off + 5] == 4:
            arpOp = u16(off + 6)
            arpSha = mac(off + 8)
            arpSpa = OFIPv4Address(rawValue: u32(off + 14))
            arpTha = mac(off + 18)
            arpTpa = OFIPv4Address(rawValue: u32(off + 24))
        case 0x8847 where off + 4 <= f.count, 0x8848 where off + 4 <= f.count:
            let shim = u32(off)
            mplsLabel = shim >> 12
            mplsTC = UInt8((shim >> 9) & 7)
            mplsBOS = UInt8((shim >> 8) & 1)
        case 0x88E7 where off + 4 <= f.count:
            pbbISID = u32(off) & 0x00FF_FFFF
        case 0x0800 where off + 20 <= f.count && f[off] >> 4 == 4:
            let ihl = Int(f[off] & 0x0F) * 4
            guard ihl >= 20, off + ihl <= f.count else { return }
            ipDSCP = f[off + 1] >> 2
            ipECN = f[off + 1] & 3
            ipProto = f[off + 9]
            ipv4Src = OFIPv4Address(rawValue: u32(off + 12))
            ipv4Dst = OFIPv4Address(rawValue: u32(off + 16))
            if u16(off + 6) & 0x1FFF == 0 { parseL4(f, at: off + ihl, icmpv4: true) }
        case 0x86DD where off + 40 <= f.count && f[off] >> 4 == 6:
            ipDSCP = (f[off] & 0x0F) << 2 | f[off + 1] >> 6
            ipECN = (f[off + 1] >> 4) & 3
            ipv6FLabel = UInt32(f[off + 1] & 0x0F) << 16 | UInt32(u16(off + 2))
            ipv6Src = OFIPv6Address(high: u64(off + 8), low: u64(off + 16))
            ipv6Dst = OFIPv6Address(high: u64(off + 24), low: u64(off + 32))
            var next = f[off + 6]
            var at = off + 40
            var first = true
            var seen: UInt16 = 0
            func note(_ bit: UInt16) {
                if seen & bit != 0 && bit != Self.iehDest { seen |= Self.iehUnrep }
                seen |= bit
            }
            extLoop: while true {
                switch next {
                case 0, 43, 60, 51:  // hop-by-hop, routing, destination options, AH
                    if next == 0 && seen != 0 { seen |= Self.iehUnseq }  // hop-by-hop comes first
                    note(next == 0 ? Self.iehHop : next == 43 ? Self.iehRouter : next == 60 ? Self.iehDest : Self.iehAuth)
                    guard at + 2 <= f.count else { break extLoop }
                    let len = next == 51 ? (Int(f[at + 1]) + 2) * 4 : (Int(f[at + 1]) + 1) * 8
                    next = f[at]
                    at += len
                case 44:  // fragment
                    note(Self.iehFrag)
                    guard at + 8 <= f.count else { break extLoop }
                    first = u16(at + 2) & 0xFFF8 == 0
                    next = f[at]
                    at += 8
                case 50:  // ESP: what follows is encrypted
                    note(Self.iehESP)
                    break extLoop
                case 59:
                    note(Self.iehNoNext)
                    break extLoop
                default:
                    break extLoop
                }
            }
            ipv6Exthdr = seen
            ipProto = next
            if first { parseL4(f, at: at, icmpv4: false) }
        default:
            break
        }
    }

    private mutating func parseL4(_ f: UnsafeRawBufferPointer, at off: Int, icmpv4: Bool) {
        guard let proto = ipProto, off <= f.count else { return }
        func u16(_ i: Int) -> UInt16 { UInt16(f[i]) << 8 | UInt16(f[i + 1]) }
        switch proto {
        case 6 where off + 4 <= f.count:
            l4Offset = off
            tcpSrc = u16(off)
            tcpDst = u16(off + 2)
        case 17 where off + 4 <= f.count:
            l4Offset = off
            udpSrc = u16(off)
            udpDst = u16(off + 2)
        case 1 where icmpv4 && off + 2 <= f.count:
            l4Offset = off
            icmpv4Type = f[off]
            icmpv4Code = f[off + 1]
        case 132 where off + 4 <= f.count:
            l4Offset = off
            sctpSrc = u16(off)
            sctpDst = u16(off + 2)
        case 58 where !icmpv4 && off + 2 <= f.count:
            l4Offset = off
            icmpv6Type = f[off]
            icmpv6Code = f[off + 1]
            // Neighbour solicitation (135) and advertisement (136): the target, then options.
            guard f[off] == 135 || f[off] == 136, off + 24 <= f.count else { return }
            func u64(_ i: Int) -> UInt64 { (0..<8).reduce(0) { $0 << 8 | UInt64(f[i + $1]) } }
            ndTarget = OFIPv6Address(high: u64(off + 8), low: u64(off + 16))
            var opt = off + 24
            while opt + 8 <= f.count, f[opt + 1] != 0 {
                let type = f[opt], len = Int(f[opt + 1]) * 8
                if len == 8 {
                    let mac = OFMACAddress(rawValue: (0..<6).reduce(0) { $0 << 8 | UInt64(f[opt + 2 + $1]) })
                    if type == 1 && f[off] == 135 { ndSLL = mac }
                    if type == 2 && f[off] == 136 { ndTLL = mac }
                }
                opt += len
            }
            if f[off] == 135 && ndSLL == nil { ndSLL = OFMACAddress(rawValue: 0) }
            if f[off] == 136 && ndTLL == nil { ndTLL = OFMACAddress(rawValue: 0) }
        default:
            break
        }
    }

    // OFPIEH_* bits of OXM ipv6_exthdr.
    public static let iehNoNext: UInt16 = 1 << 0
    public static let iehESP: UInt16 = 1 << 1
    public static let iehAuth: UInt16 = 1 << 2
    public static let iehDest: UInt16 = 1 << 3
    public static let iehFrag: UInt16 = 1 << 4
    public static let iehRouter: UInt16 = 1 << 5
    public static let iehHop: UInt16 = 1 << 6
    public static let iehUnrep: UInt16 = 1 << 7
    public static let iehUnseq: UInt16 = 1 << 8

    /// The packet's value of an OXM field, nil when it has none (the field's
    /// prerequisites are not met).
    public func field(_ oxm: UInt8) -> OFField? {
        switch oxm {
        case 0: return .inPort(inPort)
        case 1: return .inPhyPort(inPort)
        case 2: return .metadata(metadata)
        case 3: return .ethDst(ethDst)
        case 4: return .ethSrc(ethSrc)
        case 5: return .ethType(ethType)
        case 6: return .vlanVID(vlanVID.map { $0 | 0x1000 } ?? 0)
        case 7: return vlanPCP.map(OFField.vlanPCP)
        case 8: return ipDSCP.map(OFField.ipDSCP)
        case 9: return ipECN.map(OFField.ipECN)
        case 10: return ipProto.map(OFField.ipProto)
        case 11: return ipv4Src.map(OFField.ipv4Src)
        case 12: return ipv4Dst.map(OFField.ipv4Dst)
        case 13: return tcpSrc.map(OFField.tcpSrc)
        case 14: return tcpDst.map(OFField.tcpDst)
        case 15: return udpSrc.map(OFField.udpSrc)
        case 16: return udpDst.map(OFField.udpDst)
        case 17: return sctpSrc.map(OFField.sctpSrc)
        case 18: return sctpDst.map(OFField.sctpDst)
        case 19: return icmpv4Type.map(OFField.icmpv4Type)
        case 20: return icmpv4Code.map(OFField.icmpv4Code)
        case 21: return arpOp.map(OFField.arpOp)
        case 22: return arpSpa.map(OFField.arpSpa)
        case 23: return arpTpa.map(OFField.arpTpa)
        case 24: return arpSha.map(OFField.arpSha)
        case 25: return arpTha.map(OFField.arpTha)
        case 26: return ipv6Src.map(OFField.ipv6Src)
        case 27: return ipv6Dst.map(OFField.ipv6Dst)
        case 28: return ipv6FLabel.map(OFField.ipv6FLabel)
        case 29: return icmpv6Type.map(OFField.icmpv6Type)
        case 30: return icmpv6Code.map(OFField.icmpv6Code)
        case 31: return ndTarget.map(OFField.ipv6NDTarget)
        case 32: return ndSLL.map(OFField.ipv6NDSLL)
        case 33: return ndTLL.map(OFField.ipv6NDTLL)
        case 34: return mplsLabel.map(OFField.mplsLabel)
        case 35: return mplsTC.map(OFField.mplsTC)
        case 36: return mplsBOS.map(OFField.mplsBOS)
        case 37: return pbbISID.map(OFField.pbbISID)
        case 38: return .tunnelID(tunnelID)
        case 39: return ipv6Exthdr.map(OFField.ipv6Exthdr)
        default: return nil
        }
    }
}
