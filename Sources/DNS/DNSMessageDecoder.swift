extension DNSMessage {
    /// Decodes a message from its wire form.
    ///
    /// Compression pointers are followed only backwards, each to an offset below every
    /// part of the name read so far, so a pointer loop cannot hang the decoder. Bytes
    /// after the last record announced by the header are ignored.
    ///
    /// - Parameter bytes: The message, starting with its 12-byte header.
    /// - Throws: `DNSDecodingError` when the bytes end early, a pointer is bad, a label
    ///   type is reserved, a name is too long or record data does not fit its type.
    public init(bytes: [UInt8]) throws(DNSDecodingError) {
        var reader = DNSWireReader(bytes: bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let counts = (try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16())
        var questions: [DNSQuestion] = []
        for _ in 0..<counts.0 {
            questions.append(DNSQuestion(name: try reader.readName(),
                                         type: DNSRecordType(rawValue: try reader.readUInt16()),
                                         class: DNSClass(rawValue: try reader.readUInt16())))
        }
        func records(_ count: UInt16) throws(DNSDecodingError) -> [DNSRecord] {
            var list: [DNSRecord] = []
            for _ in 0..<count { list.append(try reader.readRecord()) }
            return list
        }
        let answers = try records(counts.1)
        let authority = try records(counts.2)
        let additional = try records(counts.3)
        self.init(id: id,
                  qr: flags & 0x8000 != 0,
                  opcode: DNSOpcode(rawValue: UInt8((flags >> 11) & 0x0F)),
                  aa: flags & 0x0400 != 0,
                  tc: flags & 0x0200 != 0,
                  rd: flags & 0x0100 != 0,
                  ra: flags & 0x0080 != 0,
                  rcode: DNSResponseCode(rawValue: UInt8(flags & 0x0F)),
                  questions: questions, answers: answers, authority: authority, additional: additional)
    }
}

/// A cursor over a message's bytes that reads the wire format with bounds checks.
struct DNSWireReader {
    /// The whole message: compression pointers count from its start.
    let bytes: [UInt8]
    /// The offset of the next byte to read.
    var offset = 0

    /// Starts reading at the beginning of a message.
    ///
    /// - Parameter bytes: The whole message.
    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Makes sure `count` more bytes can be read.
    ///
    /// - Parameter count: The number of bytes about to be read.
    /// - Throws: `DNSDecodingError.truncated` if the message is shorter.
    func require(_ count: Int) throws(DNSDecodingError) {
        guard count <= bytes.count - offset else {
            throw .truncated(offset: offset, needed: count - (bytes.count - offset))
        }
    }

    /// Reads one byte.
    ///
    /// - Throws: `DNSDecodingError.truncated` at the end of the message.
    mutating func readUInt8() throws(DNSDecodingError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a big-endian 16-bit integer.
    ///
    /// - Throws: `DNSDecodingError.truncated` at the end of the message.
    mutating func readUInt16() throws(DNSDecodingError) -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// Reads a big-endian 32-bit integer.
    ///
    /// - Throws: `DNSDecodingError.truncated` at the end of the message.
    mutating func readUInt32() throws(DNSDecodingError) -> UInt32 {
        try require(4)
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads `count` bytes.
    ///
    /// - Parameter count: How many bytes to read.
    /// - Throws: `DNSDecodingError.truncated` if fewer are left.
    mutating func readBytes(_ count: Int) throws(DNSDecodingError) -> [UInt8] {
        try require(count)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed domain name and renders it in text form.
    ///
    /// The cursor ends after the name's own bytes (after its first pointer, if any).
    ///
    /// - Returns: The name without a trailing dot; "." for the root.
    /// - Throws: `DNSDecodingError` for a truncated name, a pointer that does not point
    ///   strictly below every part of the name read so far, a reserved label type, or a
    ///   name over 255 bytes.
    mutating func readName() throws(DNSDecodingError) -> String {
        let start = offset
        var position = offset
        var floor = offset  // every pointer must go strictly below this
        var jumped = false
        var wireLength = 1
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw .truncated(offset: position, needed: 1) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if !jumped { offset = position + 1 }
                    return text.isEmpty ? "." : String(decoding: text, as: UTF8.self)
                }
                let count = Int(length)
                guard position + 1 + count <= bytes.count else {
                    throw .truncated(offset: position + 1, needed: position + 1 + count - bytes.count)
                }
                wireLength += 1 + count
                guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong(offset: start) }
                if !text.isEmpty { text.append(UInt8(ascii: ".")) }
                DNSName.appendEscaped(bytes[position + 1..<position + 1 + count], to: &text)
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated(offset: position + 1, needed: 1) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < floor else { throw .badPointer(offset: position, target: target) }
                if !jumped {
                    offset = position + 2
                    jumped = true
                }
                floor = target
                position = target
            default:
                throw .badLabelType(offset: position)
            }
        }
    }

    /// Reads a resource record, decoding the data of the types this module knows.
    ///
    /// - Returns: The record.
    /// - Throws: `DNSDecodingError` for truncation, bad names, or data that does not
    ///   fill its RDLENGTH exactly as its type requires.
    mutating func readRecord() throws(DNSDecodingError) -> DNSRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let rclass = DNSClass(rawValue: try readUInt16())
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        try require(length)
        let start = offset
        let end = offset + length
        let bad = DNSDecodingError.badRecordData(type: type, offset: start)
        let data: DNSRecordData
        switch type {
        case .a, .aaaa:
            guard length == (type == .a ? 4 : 16) else { throw bad }
            let bytes = try readBytes(length)
            data = type == .a ? .a(bytes) : .aaaa(bytes)
        case .ns, .cname, .ptr:
            let target = try readName()
            data = type == .ns ? .ns(target) : type == .cname ? .cname(target) : .ptr(target)
        case .soa:
            let mname = try readName()
            let rname = try readName()
            guard end - offset == 20 else { throw bad }
            data = .soa(DNSSOAData(mname: mname, rname: rname, serial: try readUInt32(),
                                   refresh: try readUInt32(), retry: try readUInt32(),
                                   expire: try readUInt32(), minimum: try readUInt32()))
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let count = Int(try readUInt8())
                guard count <= end - offset else { throw bad }
                strings.append(try readBytes(count))
            }
            data = .txt(strings)
        default:
            data = .raw(try readBytes(length))
        }
        guard offset == end else { throw bad }
        return DNSRecord(name: name, type: type, class: rclass, ttl: ttl, data: data)
    }
}
