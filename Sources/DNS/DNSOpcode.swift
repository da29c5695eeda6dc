/// The 4-bit OPCODE of a DNS message header (RFC 1035 §4.1.1).
public struct DNSOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The opcode's value; only the low 4 bits are encoded.
    public var rawValue: UInt8

    /// Wraps an opcode value.
    ///
    /// - Parameter rawValue: The opcode; only the low 4 bits are kept.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0x0F
    }

    /// A standard query (0).
    public static let query = DNSOpcode(rawValue: 0)
    /// An inverse query (1, obsolete).
    public static let iquery = DNSOpcode(rawValue: 1)
    /// A server status request (2).
    public static let status = DNSOpcode(rawValue: 2)
    /// A zone change notification (4, RFC 1996).
    public static let notify = DNSOpcode(rawValue: 4)
    /// A dynamic update (5, RFC 2136).
    public static let update = DNSOpcode(rawValue: 5)

    /// The opcode's mnemonic, or "OPCODEn" for unassigned values.
    public var description: String {
        switch self {
        case .query: return "QUERY"
        case .iquery: return "IQUERY"
        case .status: return "STATUS"
        case .notify: return "NOTIFY"
        case .update: return "UPDATE"
        default: return "OPCODE\(rawValue)"
        }
    }
}
