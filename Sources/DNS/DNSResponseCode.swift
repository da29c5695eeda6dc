/// The 4-bit RCODE of a DNS message header (RFC 1035 §4.1.1).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The response code's value; only the low 4 bits are encoded.
    public var rawValue: UInt8

    /// Wraps a response code value.
    ///
    /// - Parameter rawValue: The response code; only the low 4 bits are kept.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0x0F
    }

    /// No error (0).
    public static let noError = DNSResponseCode(rawValue: 0)
    /// The server could not interpret the query (1).
    public static let formErr = DNSResponseCode(rawValue: 1)
    /// The server failed to process the query (2).
    public static let servFail = DNSResponseCode(rawValue: 2)
    /// The queried name does not exist (3).
    public static let nxDomain = DNSResponseCode(rawValue: 3)
    /// The server does not support the kind of query (4).
    public static let notImp = DNSResponseCode(rawValue: 4)
    /// The server refuses the query for policy reasons (5).
    public static let refused = DNSResponseCode(rawValue: 5)

    /// The code's mnemonic as dig prints it, or "RCODEn" for others.
    public var description: String {
        switch self {
        case .noError: return "NOERROR"
        case .formErr: return "FORMERR"
        case .servFail: return "SERVFAIL"
        case .nxDomain: return "NXDOMAIN"
        case .notImp: return "NOTIMP"
        case .refused: return "REFUSED"
        default: return "RCODE\(rawValue)"
        }
    }
}
