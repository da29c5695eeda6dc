/// The CLASS (and QCLASS) field of a DNS resource record or question (RFC 1035 §3.2.4, §3.2.5).
///
/// In an OPT pseudo-record (RFC 6891) this field carries the sender's UDP payload size
/// instead, which is why any 16-bit value is representable.
public struct DNSClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The class's 16-bit value as it appears on the wire.
    public var rawValue: UInt16

    /// Wraps a 16-bit class value.
    ///
    /// - Parameter rawValue: The value of the CLASS field.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The Internet (class 1).
    public static let `in` = DNSClass(rawValue: 1)
    /// Chaos (class 3), used for server identification queries.
    public static let chaos = DNSClass(rawValue: 3)
    /// Any class (QCLASS 255, "*").
    public static let any = DNSClass(rawValue: 255)

    /// The mnemonic of a known class ("IN", "CH", "ANY") or "CLASSn" (RFC 3597) for others.
    public var description: String {
        switch self {
        case .in: return "IN"
        case .chaos: return "CH"
        case .any: return "ANY"
        default: return "CLASS\(rawValue)"
        }
    }
}
