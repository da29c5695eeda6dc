/// Why a byte sequence is not a well-formed DNS message.
///
/// Every offset is counted from the first byte of the message.
public enum DNSDecodingError: Error, Hashable, Sendable {
    /// The message ended at `offset` while `needed` more bytes were expected.
    case truncated(offset: Int, needed: Int)
    /// The compression pointer at `offset` points to `target`, which is not strictly
    /// before every part of the name read so far (a loop or a forward reference).
    case badPointer(offset: Int, target: Int)
    /// The label length byte at `offset` uses the reserved label types 01 or 10.
    case badLabelType(offset: Int)
    /// The name starting at `offset` is longer than the 255 bytes RFC 1035 allows.
    case nameTooLong(offset: Int)
    /// The RDATA of a record of `type` at `offset` does not have the layout that type requires.
    case badRecordData(type: DNSRecordType, offset: Int)
}

/// Why a DNS message or one of its parts cannot be put on the wire.
public enum DNSEncodingError: Error, Hashable, Sendable {
    /// `name` is not a valid domain name in text form: an empty label, a bad
    /// backslash escape, a label over 63 bytes or a name over 255 bytes on the wire.
    case invalidName(String)
    /// An A record does not carry exactly 4 address bytes, or an AAAA record 16.
    case invalidAddress(type: DNSRecordType, byteCount: Int)
    /// A TXT character string is longer than 255 bytes.
    case characterStringTooLong(Int)
    /// A record's RDATA would exceed 65535 bytes.
    case recordDataTooLong(Int)
    /// A section holds more than 65535 entries.
    case tooManyEntries(Int)
}
