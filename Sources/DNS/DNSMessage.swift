/// A DNS message: the header fields and the four sections (RFC 1035 §4.1).
///
/// Decode one with `init(bytes:)` and encode one with `encode()`. Only the header bits
/// named here are kept; the Z, AD and CD bits are read as zero and written as zero.
public struct DNSMessage: Hashable, Sendable {
    /// The identifier that matches a response to its query.
    public var id: UInt16
    /// Whether this message is a response (QR).
    public var qr: Bool
    /// The kind of query.
    public var opcode: DNSOpcode
    /// Whether the responding server is an authority for the name asked about (AA).
    public var aa: Bool
    /// Whether the message was truncated to fit the transport (TC).
    public var tc: Bool
    /// Whether the client asks for recursion (RD).
    public var rd: Bool
    /// Whether the server offers recursion (RA).
    public var ra: Bool
    /// The response code (the low 4 bits; EDNS extended codes are not combined in).
    public var rcode: DNSResponseCode
    /// The question section.
    public var questions: [DNSQuestion]
    /// The answer section.
    public var answers: [DNSRecord]
    /// The authority section.
    public var authority: [DNSRecord]
    /// The additional section (where an OPT pseudo-record goes).
    public var additional: [DNSRecord]

    /// Creates a message; every field has the value of an empty standard query by default.
    ///
    /// - Parameters:
    ///   - id: The message identifier.
    ///   - qr: Whether this is a response.
    ///   - opcode: The kind of query.
    ///   - aa: The authoritative-answer bit.
    ///   - tc: The truncation bit.
    ///   - rd: The recursion-desired bit.
    ///   - ra: The recursion-available bit.
    ///   - rcode: The response code.
    ///   - questions: The question section.
    ///   - answers: The answer section.
    ///   - authority: The authority section.
    ///   - additional: The additional section.
    public init(id: UInt16 = 0, qr: Bool = false, opcode: DNSOpcode = .query, aa: Bool = false,
                tc: Bool = false, rd: Bool = false, ra: Bool = false, rcode: DNSResponseCode = .noError,
                questions: [DNSQuestion] = [], answers: [DNSRecord] = [], authority: [DNSRecord] = [],
                additional: [DNSRecord] = []) {
        self.id = id
        self.qr = qr
        self.opcode = opcode
        self.aa = aa
        self.tc = tc
        self.rd = rd
        self.ra = ra
        self.rcode = rcode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
    }

    /// A standard query with one question of class IN.
    ///
    /// - Parameters:
    ///   - id: The message identifier.
    ///   - name: The name to look up.
    ///   - type: The record type wanted.
    ///   - recursionDesired: The RD bit; true by default, as stub resolvers send it.
    /// - Returns: The query message.
    public static func query(id: UInt16, name: String, type: DNSRecordType, recursionDesired: Bool = true) -> DNSMessage {
        DNSMessage(id: id, rd: recursionDesired, questions: [DNSQuestion(name: name, type: type)])
    }

    /// The first OPT pseudo-record of the additional section (RFC 6891), if any.
    public var optRecord: DNSRecord? {
        additional.first { $0.type == .opt }
    }

    /// The UDP payload size the sender advertises in its OPT record, raised to 512 as
    /// RFC 6891 §6.2.5 asks; nil when the message has no OPT record.
    public var ednsUDPPayloadSize: Int? {
        optRecord.map { max(512, Int($0.class.rawValue)) }
    }
}
