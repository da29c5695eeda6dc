/// The RDATA of a resource record, typed for the record types this module knows.
///
/// Names inside record data are in text form (see `DNSQuestion.name`). Addresses are
/// kept as bytes in network order; `address(_:)` and `address` convert from and to text.
public enum DNSRecordData: Hashable, Sendable {
    /// An IPv4 address (type A): exactly 4 bytes.
    case a([UInt8])
    /// An IPv6 address (type AAAA): exactly 16 bytes.
    case aaaa([UInt8])
    /// The name of an authoritative name server (type NS).
    case ns(String)
    /// The canonical name an alias stands for (type CNAME).
    case cname(String)
    /// The name an address or other name points to (type PTR).
    case ptr(String)
    /// The start of a zone of authority (type SOA).
    case soa(DNSSOAData)
    /// One or more character strings of at most 255 bytes each (type TXT).
    case txt([[UInt8]])
    /// The undecoded RDATA of any other type (OPT included).
    case raw([UInt8])

    /// A or AAAA data for an address in text form.
    ///
    /// - Parameter text: An IPv4 ("10.0.0.1") or IPv6 ("fc00::1") address.
    /// - Returns: `.a` or `.aaaa` as the address decides, or nil if `text` is no address.
    public static func address(_ text: String) -> DNSRecordData? {
        guard let bytes = DNSAddress.bytes(text) else { return nil }
        return bytes.count == 4 ? .a(bytes) : .aaaa(bytes)
    }

    /// TXT data made of UTF-8 strings.
    ///
    /// - Parameter strings: The character strings; each must encode to at most 255 bytes.
    /// - Returns: `.txt` with the strings' UTF-8 bytes.
    public static func text(_ strings: [String]) -> DNSRecordData {
        .txt(strings.map { Array($0.utf8) })
    }

    /// The address of A or AAAA data in text form; nil for other data or a wrong byte count.
    public var address: String? {
        switch self {
        case .a(let bytes), .aaaa(let bytes): return DNSAddress.text(bytes)
        default: return nil
        }
    }

    /// The name carried by NS, CNAME or PTR data; nil for other data.
    public var targetName: String? {
        switch self {
        case .ns(let name), .cname(let name), .ptr(let name): return name
        default: return nil
        }
    }

    /// The character strings of TXT data decoded as UTF-8; nil for other data.
    public var texts: [String]? {
        guard case .txt(let strings) = self else { return nil }
        return strings.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The record type this data belongs to; nil for `.raw`, whose type only the record knows.
    public var impliedType: DNSRecordType? {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .ns: return .ns
        case .cname: return .cname
        case .ptr: return .ptr
        case .soa: return .soa
        case .txt: return .txt
        case .raw: return nil
        }
    }
}

/// The fields of an SOA record (RFC 1035 §3.3.13).
public struct DNSSOAData: Hashable, Sendable {
    /// The name of the zone's primary name server.
    public var mname: String
    /// The mailbox of the person responsible for the zone, in name form.
    public var rname: String
    /// The zone's version number.
    public var serial: UInt32
    /// Seconds before secondaries should refresh the zone.
    public var refresh: UInt32
    /// Seconds before a failed refresh is retried.
    public var retry: UInt32
    /// Seconds after which an unrefreshed zone is no longer authoritative.
    public var expire: UInt32
    /// The TTL of negative answers (RFC 2308).
    public var minimum: UInt32

    /// Creates SOA data.
    ///
    /// - Parameters:
    ///   - mname: The primary name server's name.
    ///   - rname: The responsible mailbox in name form ("hostmaster.example").
    ///   - serial: The zone's version number.
    ///   - refresh: The refresh interval in seconds.
    ///   - retry: The retry interval in seconds.
    ///   - expire: The expiry time in seconds.
    ///   - minimum: The negative-caching TTL in seconds.
    public init(mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32,
                expire: UInt32, minimum: UInt32) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
