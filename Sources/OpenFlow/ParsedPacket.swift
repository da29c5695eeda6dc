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
        case 0x0800 where off + 20 <= f.count && f[off] >> 4 == 4:
            let ihl = Int(f[off] & 0x0F) * 4
            guard ihl >= 20, off + ihl <= f.count else { return }
            ipDSCP = f[off + 1] >> 2
            ipProto = f[off + 9]
            ipv4Src = OFIPv4Address(rawValue: u32(off + 12))
            ipv4Dst = OFIPv4Address(rawValue: u32(off + 16))
            if u16(off + 6) & 0x1FFF == 0 { parseL4(f, at: off + ihl, icmpv4: true) }
        case 0x86DD where off + 40 <= f.count && f[off] >> 4 == 6:
            ipDSCP = (f[off] & 0x0F) << 2 | f[off + 1] >> 6
            ipv6Src = OFIPv6Address(high: u64(off + 8), low: u64(off + 16))
            ipv6Dst = OFIPv6Address(high: u64(off + 24), low: u64(off + 32))
            var next = f[off + 6]
            var at = off + 40
            var first = true
            extLoop: while true {
                switch next {
                case 0, 43, 60, 51:  // hop-by-hop, routing, destination options, AH
                    guard at + 2 <= f.count else { break extLoop }
                    let len = next == 51 ? (Int(f[at + 1]) + 2) * 4 : (Int(f[at + 1]) + 1) * 8
                    next = f[at]
                    at += len
                case 44:  // fragment
                    guard at + 8 <= f.count else { break extLoop }
                    first = u16(at + 2) & 0xFFF8 == 0
                    next = f[at]
                    at += 8
                default:
                    break extLoop
                }
            }
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
        default:
            break
        }
    }
}
