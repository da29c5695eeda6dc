/// The TYPE (and QTYPE) field of a DNS resource record or question (RFC 1035 §3.2.2, §3.2.3).
///
/// Any 16-bit value is representable, so records of types this module does not know
/// survive a decode/encode round trip; the named constants cover the types it gives
/// meaning to.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type's 16-bit value as it appears on the wire.
    public var rawValue: UInt16

    /// Wraps a 16-bit type value.
    ///
    /// - Parameter rawValue: The value of the TYPE field.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// An IPv4 host address (type 1).
    public static let a = DNSRecordType(rawValue: 1)
    /// An authoritative name server (type 2).
    public static let ns = DNSRecordType(rawValue: 2)
    /// The canonical name for an alias (type 5).
    public static let cname = DNSRecordType(rawValue: 5)
    /// The start of a zone of authority (type 6).
    public static let soa = DNSRecordType(rawValue: 6)
    /// A domain name pointer, used for reverse lookups (type 12).
    public static let ptr = DNSRecordType(rawValue: 12)
    /// Text strings (type 16).
    public static let txt = DNSRecordType(rawValue: 16)
    /// An IPv6 host address (type 28, RFC 3596).
    public static let aaaa = DNSRecordType(rawValue: 28)
    /// The EDNS(0) pseudo-record carried in the additional section (type 41, RFC 6891).
    public static let opt = DNSRecordType(rawValue: 41)
    /// A query for all records of a name (QTYPE 255, "*").
    public static let any = DNSRecordType(rawValue: 255)

    /// The mnemonic of a known type ("A", "AAAA", …) or "TYPEn" (RFC 3597) for others.
    public var description: String {
        switch self {
        case .a: return "A"
        case .ns: return "NS"
        case .cname: return "CNAME"
        case .soa: return "SOA"
        case .ptr: return "PTR"
        case .txt: return "TXT"
        case .aaaa: return "AAAA"
        case .opt: return "OPT"
        case .any: return "ANY"
        default: return "TYPE\(rawValue)"
        }
    }
}
