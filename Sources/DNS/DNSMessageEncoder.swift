extension DNSMessage {
    /// Encodes the message in wire form, compressing names.
    ///
    /// Every owner name and every name inside NS, CNAME, PTR and SOA data that repeats
    /// (a suffix of) a name written earlier is replaced, from that suffix on, by a pointer
    /// to it. Matching is exact, letter case included, so decoding gives back the same text.
    ///
    /// - Returns: The message's bytes.
    /// - Throws: `DNSEncodingError` for an invalid name, an address of the wrong size, a TXT
    ///   string over 255 bytes, record data over 65535 bytes or a section with more than
    ///   65535 entries.
    public func encode() throws(DNSEncodingError) -> [UInt8] {
        var writer = DNSWireWriter()
        writer.writeUInt16(id)
        var flags: UInt16 = UInt16(opcode.rawValue & 0x0F) << 11 | UInt16(rcode.rawValue & 0x0F)
        if qr { flags |= 0x8000 }
        if aa { flags |= 0x0400 }
        if tc { flags |= 0x0200 }
        if rd { flags |= 0x0100 }
        if ra { flags |= 0x0080 }
        writer.writeUInt16(flags)
        for count in [questions.count, answers.count, authority.count, additional.count] {
            guard count <= Int(UInt16.max) else { throw .tooManyEntries(count) }
            writer.writeUInt16(UInt16(count))
        }
        for question in questions {
            try writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.class.rawValue)
        }
        for record in answers { try writer.writeRecord(record) }
        for record in authority { try writer.writeRecord(record) }
        for record in additional { try writer.writeRecord(record) }
        return writer.bytes
    }
}

/// Builds a message in wire form, remembering where names were written so that later
/// names can point to them.
struct DNSWireWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// Where each name suffix written so far starts, keyed by its wire form (labels and
    /// the final zero). Only offsets a 14-bit pointer can reach are kept.
    private var suffixes: [ArraySlice<UInt8>: Int] = [:]

    /// Creates an empty writer with room for a classic 512-byte message.
    init() {
        bytes.reserveCapacity(512)
    }

    /// Appends one byte.
    ///
    /// - Parameter value: The byte.
    mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends a big-endian 16-bit integer.
    ///
    /// - Parameter value: The integer.
    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    /// Appends a big-endian 32-bit integer.
    ///
    /// - Parameter value: The integer.
    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(value >> 16))
        writeUInt16(UInt16(value & 0xFFFF))
    }

    /// Appends a domain name, replacing its longest suffix already written by a pointer.
    ///
    /// - Parameters:
    ///   - name: The name in text form.
    ///   - compress: Whether the name may point to earlier names and be pointed to.
    /// - Throws: `DNSEncodingError.invalidName` if `name` is not a valid name.
    mutating func writeName(_ name: String, compress: Bool = true) throws(DNSEncodingError) {
        let labels = try DNSName.labels(name)
        var wire: [UInt8] = []
        var starts: [Int] = []
        starts.reserveCapacity(labels.count)
        for label in labels {
            starts.append(wire.count)
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard compress else {
            bytes.append(contentsOf: wire)
            return
        }
        let base = bytes.count
        for (index, start) in starts.enumerated() {
            if let target = suffixes[wire[start...]] {
                bytes.append(contentsOf: wire[..<start])
                writeUInt16(0xC000 | UInt16(target))
                remember(wire, starts: starts[..<index], base: base)
                return
            }
        }
        bytes.append(contentsOf: wire)
        remember(wire, starts: starts[...], base: base)
    }

    /// Records where the suffixes of a name just written start.
    ///
    /// - Parameters:
    ///   - wire: The name's uncompressed wire form.
    ///   - starts: The offsets in `wire` of the labels actually written out.
    ///   - base: The message offset where `wire` was written.
    private mutating func remember(_ wire: [UInt8], starts: ArraySlice<Int>, base: Int) {
        for start in starts where base + start < 0x4000 {
            let key = wire[start...]
            if suffixes[key] == nil { suffixes[key] = base + start }
        }
    }

    /// Appends a resource record.
    ///
    /// - Parameter record: The record; its data is laid out as its case says.
    /// - Throws: `DNSEncodingError` for an invalid name, a wrong-size address, a TXT
    ///   string over 255 bytes or data over 65535 bytes.
    mutating func writeRecord(_ record: DNSRecord) throws(DNSEncodingError) {
        try writeName(record.name)
        writeUInt16(record.type.rawValue)
        writeUInt16(record.class.rawValue)
        writeUInt32(record.ttl)
        let lengthAt = bytes.count
        writeUInt16(0)
        switch record.data {
        case .a(let address), .aaaa(let address):
            let expected: Int
            if case .a = record.data { expected = 4 } else { expected = 16 }
            guard address.count == expected else {
                throw .invalidAddress(type: record.data.impliedType ?? record.type, byteCount: address.count)
            }
            bytes.append(contentsOf: address)
        case .ns(let name), .cname(let name), .ptr(let name):
            try writeName(name)
        case .soa(let soa):
            try writeName(soa.mname)
            try writeName(soa.rname)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writeUInt32(value) }
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else { throw .characterStringTooLong(string.count) }
                writeUInt8(UInt8(string.count))
                bytes.append(contentsOf: string)
            }
        case .raw(let data):
            bytes.append(contentsOf: data)
        }
        let length = bytes.count - lengthAt - 2
        guard length <= Int(UInt16.max) else { throw .recordDataTooLong(length) }
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
