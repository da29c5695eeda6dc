/// One entry of a message's question section (RFC 1035 §4.1.2).
public struct DNSQuestion: Hashable, Sendable {
    /// The name asked about, in text form: labels separated by dots, with or without a
    /// trailing dot. Decoded names have none (the root is ".").
    public var name: String
    /// The record type asked for (QTYPE).
    public var type: DNSRecordType
    /// The class asked for (QCLASS).
    public var `class`: DNSClass

    /// Creates a question.
    ///
    /// - Parameters:
    ///   - name: The name asked about.
    ///   - type: The record type asked for.
    ///   - class: The class asked for; Internet by default.
    public init(name: String, type: DNSRecordType, class: DNSClass = .in) {
        self.name = name
        self.type = type
        self.class = `class`
    }
}
