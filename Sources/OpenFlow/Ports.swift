/// An OpenFlow port number, version-neutral: held as the 32-bit 1.3 value.
///
/// The reserved ports map between 1.0's 16-bit values (0xfff8 ... 0xffff) and 1.3's 32-bit ones
/// (0xfffffff8 ... 0xffffffff); physical ports 1 ... 0xff00 are the same number in both.
public struct OFPortNo: RawRepresentable, Hashable, Sendable, Comparable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    /// The 1.3 (32-bit) port number.
    public var rawValue: UInt32

    /// A port from its 1.3 number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// A port from an integer literal (a physical port, usually).
    public init(integerLiteral value: UInt32) { rawValue = value }

    /// Highest physical port number in 1.3 (OFPP_MAX); 1.0's is 0xff00.
    public static let max = OFPortNo(rawValue: 0xFFFF_FF00)
    /// OFPP_IN_PORT: send back out of the input port.
    public static let inPort = OFPortNo(rawValue: 0xFFFF_FFF8)
    /// OFPP_TABLE: submit to the flow table (PACKET_OUT only).
    public static let table = OFPortNo(rawValue: 0xFFFF_FFF9)
    /// OFPP_NORMAL: the switch's normal L2/L3 processing.
    public static let normal = OFPortNo(rawValue: 0xFFFF_FFFA)
    /// OFPP_FLOOD: all ports except the input port (and, in 1.0, STP-disabled ones).
    public static let flood = OFPortNo(rawValue: 0xFFFF_FFFB)
    /// OFPP_ALL: all ports except the input port.
    public static let all = OFPortNo(rawValue: 0xFFFF_FFFC)
    /// OFPP_CONTROLLER: send to the controller.
    public static let controller = OFPortNo(rawValue: 0xFFFF_FFFD)
    /// OFPP_LOCAL: the switch's local port.
    public static let local = OFPortNo(rawValue: 0xFFFF_FFFE)
    /// OFPP_ANY (1.3) / OFPP_NONE (1.0): no port / wildcard.
    public static let any = OFPortNo(rawValue: 0xFFFF_FFFF)

    /// The port from a 1.0 (16-bit) number: 0xff01 ... 0xffff map to the reserved 32-bit range.
    public init(v10 value: UInt16) {
        rawValue = value > 0xFF00 ? 0xFFFF_0000 | UInt32(value) : UInt32(value)
    }

    /// The 1.0 (16-bit) number, or nil for a physical port above 1.0's 0xff00.
    public var v10: UInt16? {
        if rawValue <= 0xFF00 { return UInt16(rawValue) }
        if rawValue > 0xFFFF_FF00 { return UInt16(truncatingIfNeeded: rawValue) }
        return nil
    }

    /// True for the reserved (non-physical) ports.
    public var isReserved: Bool { rawValue > 0xFFFF_FF00 }

    /// The 1.0 number or an error saying why there is none.
    func encode10(_ what: String) throws(OFError) -> UInt16 {
        guard let v = v10 else { throw .valueOutOfRange("\(what): port \(rawValue) does not fit 1.0") }
        return v
    }

    /// Orders ports by 32-bit number.
    public static func < (a: OFPortNo, b: OFPortNo) -> Bool { a.rawValue < b.rawValue }

    /// The reserved port's name (e.g. `FLOOD`) or the number.
    public var description: String {
        switch self {
        case .inPort: "IN_PORT"
        case .table: "TABLE"
        case .normal: "NORMAL"
        case .flood: "FLOOD"
        case .all: "ALL"
        case .controller: "CONTROLLER"
        case .local: "LOCAL"
        case .any: "ANY"
        default: String(rawValue)
        }
    }
}

/// Buffer ids in PACKET_IN, PACKET_OUT and FLOW_MOD.
public enum OFBufferID {
    /// OFP_NO_BUFFER: not buffered; the packet travels in the message itself.
    public static let noBuffer: UInt32 = 0xFFFF_FFFF
}

/// A port description (1.0 `ofp_phy_port`, 48 bytes; 1.3 `ofp_port`, 64 bytes).
///
/// Feature bitmaps (`curr`, `advertised`, `supported`, `peer`) use the 1.3 bit layout (copper
/// = 1 << 11 ... pause-asym = 1 << 15); they are moved to 1.0's bits 7 ... 11 on the wire.
/// `config` and `state` are kept as wire bits (the common ones, PORT_DOWN and LINK_DOWN, are bit
/// 0 in both versions).
public struct OFPortDesc: Hashable, Sendable {
    /// Port number.
    public var portNo: OFPortNo
    /// Ethernet address.
    public var hwAddr: OFMACAddress
    /// Name (at most 15 bytes on the wire).
    public var name: String
    /// OFPPC_* bits.
    public var config: UInt32
    /// OFPPS_* bits.
    public var state: UInt32
    /// Current features (1.3 bit layout).
    public var curr: UInt32
    /// Advertised features.
    public var advertised: UInt32
    /// Supported features.
    public var supported: UInt32
    /// Features advertised by the peer.
    public var peer: UInt32
    /// Current bit rate in kb/s (1.3 only).
    public var currSpeed: UInt32
    /// Maximum bit rate in kb/s (1.3 only).
    public var maxSpeed: UInt32

    /// A port description; unspecified bitmaps are zero.
    public init(portNo: OFPortNo, hwAddr: OFMACAddress, name: String, config: UInt32 = 0, state: UInt32 = 0,
                curr: UInt32 = 0, advertised: UInt32 = 0, supported: UInt32 = 0, peer: UInt32 = 0,
                currSpeed: UInt32 = 0, maxSpeed: UInt32 = 0) {
        self.portNo = portNo
        self.hwAddr = hwAddr
        self.name = name
        self.config = config
        self.state = state
        self.curr = curr
        self.advertised = advertised
        self.supported = supported
        self.peer = peer
        self.currSpeed = currSpeed
        self.maxSpeed = maxSpeed
    }

    /// OFPPC_PORT_DOWN.
    public static let configPortDown: UInt32 = 1 << 0
    /// OFPPS_LINK_DOWN.
    public static let stateLinkDown: UInt32 = 1 << 0
    /// OFPPF_10GB_FD.
    public static let feature10GbFD: UInt32 = 1 << 6
    /// OFPPF_COPPER (1.3 bit).
    public static let featureCopper: UInt32 = 1 << 11

    /// Wire size of a port description in `version`.
    static func size(_ version: OFVersion) -> Int { version == .v1_0 ? 48 : 64 }

    /// 1.3 feature bits to 1.0: rates 0-6 stay, medium/autoneg/pause 11-15 move to 7-11.
    static func features10(_ f: UInt32) -> UInt32 { (f & 0x7F) | ((f >> 11) & 0x1F) << 7 }

    /// 1.0 feature bits to 1.3.
    static func features13(_ f: UInt32) -> UInt32 { (f & 0x7F) | ((f >> 7) & 0x1F) << 11 }

    func encode(_ w: inout ByteWriter, _ version: OFVersion) throws(OFError) {
        if version == .v1_0 {
            w.u16(try portNo.encode10("ofp_phy_port"))
            w.mac(hwAddr)
            w.string(name, 16)
            w.u32(config)
            w.u32(state)
            for f in [curr, advertised, supported, peer] { w.u32(Self.features10(f)) }
        } else {
            w.u32(portNo.rawValue)
            w.zeros(4)
            w.mac(hwAddr)
            w.zeros(2)
            w.string(name, 16)
            for v in [config, state, curr, advertised, supported, peer, currSpeed, maxSpeed] { w.u32(v) }
        }
    }

    static func decode(_ r: inout ByteReader, _ version: OFVersion) throws(OFError) -> OFPortDesc {
        if version == .v1_0 {
            let no = OFPortNo(v10: try r.u16())
            let mac = try r.mac()
            let name = try r.string(16)
            let config = try r.u32(), state = try r.u32()
            let curr = try r.u32(), adv = try r.u32(), sup = try r.u32(), peer = try r.u32()
            return OFPortDesc(portNo: no, hwAddr: mac, name: name, config: config, state: state,
                              curr: features13(curr), advertised: features13(adv),
                              supported: features13(sup), peer: features13(peer))
        }
        let no = OFPortNo(rawValue: try r.u32())
        try r.skip(4)
        let mac = try r.mac()
        try r.skip(2)
        let name = try r.string(16)
        let config = try r.u32(), state = try r.u32()
        let curr = try r.u32(), adv = try r.u32(), sup = try r.u32(), peer = try r.u32()
        let currSpeed = try r.u32(), maxSpeed = try r.u32()
        return OFPortDesc(portNo: no, hwAddr: mac, name: name, config: config, state: state, curr: curr,
                          advertised: adv, supported: sup, peer: peer, currSpeed: currSpeed, maxSpeed: maxSpeed)
    }
}
