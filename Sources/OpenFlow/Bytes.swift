/// Reads big-endian fields from a window of a byte array.
///
/// Every read is bounds-checked and throws ``OFError/truncated(_:)`` instead of trapping, so a
/// malformed message can never crash a decoder.
struct ByteReader {
    /// The whole buffer; only `offset..<end` belongs to this reader.
    let bytes: [UInt8]
    /// The next byte to read.
    private(set) var offset: Int
    /// One past the last byte this reader may read.
    let end: Int
    /// What is being read, for error messages.
    let context: String

    /// A reader over all of `bytes`.
    init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
        self.context = context
    }

    private init(bytes: [UInt8], offset: Int, end: Int, context: String) {
        self.bytes = bytes
        self.offset = offset
        self.end = end
        self.context = context
    }

    /// Bytes left to read.
    var remaining: Int { end - offset }

    /// True when nothing is left.
    var isAtEnd: Bool { offset >= end }

    private mutating func take(_ n: Int) throws(OFError) -> Int {
        guard n >= 0, n <= remaining else {
            throw .truncated("\(context): needs \(n) bytes at offset \(offset), has \(max(remaining, 0))")
        }
        let start = offset
        offset += n
        return start
    }

    /// Reads one byte.
    mutating func u8() throws(OFError) -> UInt8 {
        bytes[try take(1)]
    }

    /// Reads a big-endian 16-bit integer.
    mutating func u16() throws(OFError) -> UInt16 {
        let i = try take(2)
        return UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
    }

    /// Reads a big-endian 32-bit integer.
    mutating func u32() throws(OFError) -> UInt32 {
        let i = try take(4)
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 8 | UInt32(bytes[i + k]) }
        return v
    }

    /// Reads a big-endian 64-bit integer.
    mutating func u64() throws(OFError) -> UInt64 {
        let i = try take(8)
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(bytes[i + k]) }
        return v
    }

    /// Reads a 48-bit Ethernet address.
    mutating func mac() throws(OFError) -> OFMACAddress {
        let i = try take(6)
        var v: UInt64 = 0
        for k in 0..<6 { v = v << 8 | UInt64(bytes[i + k]) }
        return OFMACAddress(rawValue: v)
    }

    /// Reads `n` bytes.
    mutating func bytes(_ n: Int) throws(OFError) -> [UInt8] {
        let i = try take(n)
        return Array(bytes[i..<(i + n)])
    }

    /// Skips `n` bytes (padding).
    mutating func skip(_ n: Int) throws(OFError) {
        _ = try take(n)
    }

    /// Reads a fixed-size, NUL-padded ASCII string field.
    mutating func string(_ n: Int) throws(OFError) -> String {
        let i = try take(n)
        var stop = i
        while stop < i + n && bytes[stop] != 0 { stop += 1 }
        return String(decoding: bytes[i..<stop], as: UTF8.self)
    }

    /// Throws ``OFError/badLength(_:)`` unless everything has been read.
    func expectEnd() throws(OFError) {
        guard isAtEnd else { throw .badLength("\(context): \(remaining) unexpected trailing bytes") }
    }

    /// Everything left, consuming it.
    mutating func rest() -> [UInt8] {
        guard offset < end else { return [] }
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// A reader over the next `n` bytes, which this reader skips.
    mutating func sub(_ n: Int, context: String? = nil) throws(OFError) -> ByteReader {
        let i = try take(n)
        return ByteReader(bytes: bytes, offset: i, end: i + n, context: context ?? self.context)
    }

    /// Reads the next 16-bit value without consuming it.
    func peekU16() throws(OFError) -> UInt16 {
        var copy = self
        return try copy.u16()
    }
}

/// Appends big-endian fields to a growing byte array.
struct ByteWriter {
    /// What has been written so far.
    var bytes: [UInt8] = []

    init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    /// Bytes written so far.
    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    mutating func u64(_ v: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func mac(_ m: OFMACAddress) {
        for shift in stride(from: 40, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: m.rawValue >> UInt64(shift))) }
    }

    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func zeros(_ n: Int) {
        if n > 0 { bytes.append(contentsOf: repeatElement(0, count: n)) }
    }

    /// Writes `s` as a fixed-size field of `n` bytes, NUL-padded; the last byte is always NUL.
    mutating func string(_ s: String, _ n: Int) {
        let utf8 = Array(s.utf8.prefix(n - 1))
        bytes.append(contentsOf: utf8)
        zeros(n - utf8.count)
    }

    /// Pads with zeros until the length since `start` is a multiple of 8.
    mutating func padTo8(from start: Int = 0) {
        zeros((8 - (count - start) % 8) % 8)
    }

    /// Overwrites a big-endian 16-bit value at `offset` (used for length fields).
    mutating func patchU16(at offset: Int, _ v: UInt16) {
        bytes[offset] = UInt8(v >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
    }

    /// Patches the 16-bit length field at `offset` with the bytes written since `start`.
    mutating func patchLength(at offset: Int, from start: Int, context: String) throws(OFError) {
        let length = count - start
        guard length <= Int(UInt16.max) else {
            throw .valueOutOfRange("\(context): length \(length) does not fit in 16 bits")
        }
        patchU16(at: offset, UInt16(length))
    }
}

/// Rounds `n` up to a multiple of 8.
@inline(__always)
func roundUp8(_ n: Int) -> Int { (n + 7) & ~7 }
