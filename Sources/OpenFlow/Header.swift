/// An OpenFlow protocol version this library speaks.
public enum OFVersion: UInt8, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// OpenFlow 1.0 (wire version 0x01).
    case v1_0 = 0x01
    /// OpenFlow 1.3 (wire version 0x04).
    case v1_3 = 0x04

    /// Orders versions by wire number.
    public static func < (a: OFVersion, b: OFVersion) -> Bool { a.rawValue < b.rawValue }

    /// "OpenFlow 1.0" or "OpenFlow 1.3".
    public var description: String { self == .v1_0 ? "OpenFlow 1.0" : "OpenFlow 1.3" }

    /// The version to use after exchanging HELLOs, or nil when there is none in common (then
    /// send ERROR HELLO_FAILED/INCOMPATIBLE and close).
    ///
    /// With a version bitmap in the peer's HELLO, the highest version in both `ours` and the
    /// bitmap wins. Without one, the peer is taken to support every version up to its header
    /// version (as Open vSwitch does), so the highest of `ours` not above it wins.
    /// - Parameters:
    ///   - ours: the versions this side supports.
    ///   - hello: the peer's message; anything but `.hello` gives nil.
    public static func negotiate(ours: [OFVersion], hello: OFMessage) -> OFVersion? {
        guard case .hello(let peer) = hello else { return nil }
        if let bitmap = peer.versionBitmap {
            return ours.filter { bitmap.contains($0.rawValue) }.max()
        }
        return ours.filter { $0.rawValue <= peer.version }.max()
    }
}

/// The 8-byte header every OpenFlow message starts with (`struct ofp_header`).
public struct OFHeader: Hashable, Sendable {
    /// Size of the header on the wire.
    public static let size = 8

    /// Wire version (0x01 = 1.0, 0x04 = 1.3; others are possible in a HELLO).
    public var version: UInt8
    /// Message type (`OFPT_*`), numbered per version.
    public var type: UInt8
    /// Length of the whole message, header included.
    public var length: UInt16
    /// Transaction id; replies carry the request's.
    public var xid: UInt32

    /// A header from its fields.
    public init(version: UInt8, type: UInt8, length: UInt16, xid: UInt32) {
        self.version = version
        self.type = type
        self.length = length
        self.xid = xid
    }

    /// Parses the first 8 bytes of `bytes`.
    /// - Throws: ``OFError/truncated(_:)`` when fewer than 8 bytes are given, and
    ///   ``OFError/badLength(_:)`` when the length field is below 8.
    public init(bytes: [UInt8]) throws(OFError) {
        var r = ByteReader(bytes, context: "ofp_header")
        version = try r.u8()
        type = try r.u8()
        length = try r.u16()
        xid = try r.u32()
        guard length >= 8 else { throw .badLength("ofp_header: length \(length) < 8") }
    }

    /// The 8 wire bytes.
    public var bytes: [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.u8(version)
        w.u8(type)
        w.u16(length)
        w.u32(xid)
        return w.bytes
    }

    /// The header's version as an ``OFVersion``, or nil if this library does not speak it.
    public var ofVersion: OFVersion? { OFVersion(rawValue: version) }
}

/// One whole message cut from a byte stream by ``OFFramer``.
public struct OFFrame: Hashable, Sendable {
    /// The message's header.
    public var header: OFHeader
    /// The whole message, header included (`header.length` bytes).
    public var bytes: [UInt8]

    /// Decodes the message. See ``OFMessage/decode(_:)``.
    public func decode() throws(OFError) -> OFMessage {
        try OFMessage.decode(bytes).message
    }
}

/// Cuts a TCP byte stream into whole OpenFlow messages.
///
/// Append bytes as they arrive with ``append(_:)`` and take complete messages with ``pop()``
/// until it returns nil. Partial messages stay buffered.
public struct OFFramer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    /// An empty framer.
    public init() {}

    /// Bytes received but not yet returned as messages.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds received bytes to the end of the stream.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, or nil when more bytes are needed.
    /// - Throws: ``OFError/badLength(_:)`` when a header's length is below 8; the stream cannot
    ///   be resynchronised after that, so the connection should be closed.
    public mutating func pop() throws(OFError) -> OFFrame? {
        guard bufferedCount >= OFHeader.size else { return nil }
        let length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length >= OFHeader.size else {
            throw .badLength("ofp_header: length \(length) < 8")
        }
        guard bufferedCount >= length else { return nil }
        let bytes = Array(buffer[start..<(start + length)])
        start += length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return OFFrame(header: try OFHeader(bytes: bytes), bytes: bytes)
    }

    /// Every whole message buffered now.
    public mutating func drain() throws(OFError) -> [OFFrame] {
        var frames: [OFFrame] = []
        while let f = try pop() { frames.append(f) }
        return frames
    }
}

/// Message type numbers (`OFPT_*`) for each version.
enum OFType {
    static let hello: UInt8 = 0
    static let error: UInt8 = 1
    static let echoRequest: UInt8 = 2
    static let echoReply: UInt8 = 3
    static let featuresRequest: UInt8 = 5
    static let featuresReply: UInt8 = 6
    static let getConfigRequest: UInt8 = 7
    static let getConfigReply: UInt8 = 8
    static let setConfig: UInt8 = 9
    static let packetIn: UInt8 = 10
    static let flowRemoved: UInt8 = 11
    static let portStatus: UInt8 = 12
    static let packetOut: UInt8 = 13
    static let flowMod: UInt8 = 14
    static let groupMod: UInt8 = 15  // 1.3
    static let meterMod: UInt8 = 29  // 1.3
    static let roleRequest: UInt8 = 24
    static let roleReply: UInt8 = 25

    static func statsRequest(_ v: OFVersion) -> UInt8 { v == .v1_0 ? 16 : 18 }
    static func statsReply(_ v: OFVersion) -> UInt8 { v == .v1_0 ? 17 : 19 }
    static func barrierRequest(_ v: OFVersion) -> UInt8 { v == .v1_0 ? 18 : 20 }
    static func barrierReply(_ v: OFVersion) -> UInt8 { v == .v1_0 ? 19 : 21 }
}
