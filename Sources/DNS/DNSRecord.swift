/// One resource record of an answer, authority or additional section (RFC 1035 §4.1.3).
public struct DNSRecord: Hashable, Sendable {
    /// The owner name in text form (see `DNSQuestion.name`).
    public var name: String
    /// The record type; it decides how `data` is laid out on the wire.
    public var type: DNSRecordType
    /// The record class (for OPT: the sender's UDP payload size).
    public var `class`: DNSClass
    /// Seconds the record may be cached (for OPT: extended RCODE, version and flags).
    public var ttl: UInt32
    /// The record data; its case should match `type` (`.raw` fits any type).
    public var data: DNSRecordData

    /// Creates a record with an explicit type.
    ///
    /// - Parameters:
    ///   - name: The owner name.
    ///   - type: The record type.
    ///   - class: The record class; Internet by default.
    ///   - ttl: The time to live in seconds.
    ///   - data: The record data.
    public init(name: String, type: DNSRecordType, class: DNSClass = .in, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.class = `class`
        self.ttl = ttl
        self.data = data
    }

    /// Creates a record whose type follows from its typed data.
    ///
    /// - Parameters:
    ///   - name: The owner name.
    ///   - class: The record class; Internet by default.
    ///   - ttl: The time to live in seconds.
    ///   - data: Typed record data; `.raw` data has no type of its own and gives type 0,
    ///     so use `init(name:type:class:ttl:data:)` for it.
    public init(name: String, class: DNSClass = .in, ttl: UInt32, data: DNSRecordData) {
        self.init(name: name, type: data.impliedType ?? DNSRecordType(rawValue: 0), class: `class`, ttl: ttl, data: data)
    }
}
