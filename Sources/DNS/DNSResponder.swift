/// Turns the bytes of a query into the bytes of its response: the part of the server
/// that needs no I/O.
enum DNSResponder {
    /// The UDP payload size the server advertises in the OPT record of its responses.
    static let advertisedUDPPayloadSize: UInt16 = 1232
    /// The largest response size a UDP query can ask for.
    static let maxUDPPayloadSize = 65507

    /// How a query arrived, which decides the size limit of the response.
    enum Transport {
        /// A datagram: 512 bytes, or the EDNS(0) size the query advertised.
        case udp
        /// A TCP stream: 65535 bytes, the most its length prefix can express.
        case tcp
    }

    /// The response to one query.
    ///
    /// A message under 12 bytes, or one with QR=1 (a response, which must not be answered
    /// lest two servers answer each other forever), gets none. A message that does not
    /// decode gets a bare FORMERR header. Otherwise the zone answers; when the query has an
    /// OPT record the response gets one too (RFC 6891). A response over the transport's
    /// limit is cut down to header, question and OPT record, with TC=1.
    ///
    /// - Parameters:
    ///   - bytes: The query as received.
    ///   - zone: The zone to answer from.
    ///   - transport: How the query arrived.
    /// - Returns: The response's bytes, or nil if nothing should be sent.
    static func response(to bytes: [UInt8], zone: DNSZone, transport: Transport) -> [UInt8]? {
        guard bytes.count >= 12, bytes[2] & 0x80 == 0 else { return nil }
        let query: DNSMessage
        do {
            query = try DNSMessage(bytes: bytes)
        } catch {
            return formatError(header: bytes)
        }
        var response = zone.answer(query)
        var opt: [DNSRecord] = []
        if query.optRecord != nil {
            opt = [DNSRecord(name: ".", type: .opt, class: DNSClass(rawValue: advertisedUDPPayloadSize),
                             ttl: 0, data: .raw([]))]
            response.additional += opt
        }
        let limit: Int
        switch transport {
        case .udp: limit = min(query.ednsUDPPayloadSize ?? 512, maxUDPPayloadSize)
        case .tcp: limit = Int(UInt16.max)
        }
        let full = try? response.encode()
        if let full, full.count <= limit { return full }
        // Too large (or, should the zone ever hold an unencodable name, not encodable).
        let tooLarge = full != nil
        var short = DNSMessage(id: query.id, qr: true, opcode: query.opcode, aa: response.aa && tooLarge,
                               tc: tooLarge, rd: query.rd, rcode: tooLarge ? response.rcode : .servFail,
                               questions: query.questions, additional: opt)
        if let encoded = try? short.encode(), encoded.count <= limit { return encoded }
        short.questions = []
        short.additional = []
        return try? short.encode()
    }

    /// A FORMERR response made of a header only, for a query too malformed to decode.
    ///
    /// - Parameter header: The query's bytes, at least 12; the id, opcode and RD bit are copied.
    /// - Returns: The 12-byte response.
    static func formatError(header: [UInt8]) -> [UInt8] {
        let flags0 = 0x80 | (header[2] & 0x78) | (header[2] & 0x01)
        return [header[0], header[1], flags0, DNSResponseCode.formErr.rawValue, 0, 0, 0, 0, 0, 0, 0, 0]
    }
}
