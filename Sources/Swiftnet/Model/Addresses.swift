#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text ("10.0.0.1"); nil when it is not one.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(p), n <= 255 else { return nil }
            v = v << 8 | n
        }
        value = v
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// An IPv4 address with a prefix length ("10.0.0.1/8"): an interface address or a network.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var prefixLength: Int

    public init(address: IPv4Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses "10.0.0.1/8"; a bare address gets `defaultPrefix` (nil: the slash is required).
    public init?(_ text: some StringProtocol, defaultPrefix: Int? = nil) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = IPv4Address(parts[0]) else { return nil }
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), (0...32).contains(n) else { return nil }
            prefixLength = n
        } else {
            guard let d = defaultPrefix else { return nil }
            prefixLength = d
        }
        address = a
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : ~UInt32(0) << (32 - UInt32(prefixLength)) }
    /// The network address (host bits cleared).
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    /// Number of addresses in the prefix.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    public func contains(_ a: IPv4Address) -> Bool { a.value & mask == address.value & mask }

    /// The prefix itself: the network address with this prefix length ("10.0.0.0/8").
    public var prefix: IPv4CIDR { IPv4CIDR(address: network, prefixLength: prefixLength) }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// An Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public var bytes: [UInt8]

    /// Parses "00:00:00:00:00:01" (colons or dashes).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var b: [UInt8] = []
        for p in parts {
            guard p.count == 2, p.allSatisfy(\.isHexDigit), let v = UInt8(p, radix: 16) else { return nil }
            b.append(v)
        }
        bytes = b
    }

    /// Mininet's `--mac` address for host number n: 00:00:00:00:00:01 for h1.
    public init(hostNumber n: UInt64) {
        bytes = (0..<6).map { UInt8(truncatingIfNeeded: n >> (8 * (5 - UInt64($0)))) }
    }

    /// True for multicast (group) addresses, which an interface cannot have.
    public var isMulticast: Bool { bytes[0] & 1 == 1 }

    public var description: String { bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":") }
}


/// An IPv6 address: 16 bytes in network order. Text is read with inet_pton and written
/// with inet_ntop, so what is printed is the canonical form ("fd00::1", not "FD00:0::01").
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Always 16 bytes.
    public private(set) var bytes: [UInt8]

    /// The address of 16 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses IPv6 text ("fd00::1", "::", "::ffff:10.0.0.1"); nil when it is not one
    /// (a prefix length or a zone such as "%eth0" is not part of an address).
    public init?(_ text: some StringProtocol) {
        var b = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, String(text), &b) == 1 else { return nil }
        bytes = b
    }

    /// fe80::/10.
    public var isLinkLocal: Bool { bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 }

    public var description: String {
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBufferPointer { inet_ntop(AF_INET6, $0.baseAddress, &out, socklen_t(out.count)) } != nil
        precondition(ok, "inet_ntop cannot print 16 bytes")
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (a: Self, b: Self) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// An IPv6 address with a prefix length ("fd00::1/64"): an interface address or a network.
public struct IPv6CIDR: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv6Address
    public var prefixLength: Int

    public init(address: IPv6Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses "fd00::1/64"; the prefix length (0 to 128) is required.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = Int(parts[1]), (0...128).contains(n), let a = IPv6Address(parts[0]) else { return nil }
        address = a
        prefixLength = n
    }

    /// The network address (host bits cleared).
    public var network: IPv6Address {
        var b = address.bytes
        for i in 0..<16 { b[i] &= Self.maskByte(i, prefixLength) }
        return IPv6Address(bytes: b)!
    }

    /// The prefix itself: the network address with this prefix length ("fd00::/64").
    public var prefix: IPv6CIDR { IPv6CIDR(address: network, prefixLength: prefixLength) }

    public func contains(_ a: IPv6Address) -> Bool {
        (0..<16).allSatisfy { i in
            let m = Self.maskByte(i, prefixLength)
            return a.bytes[i] & m == address.bytes[i] & m
        }
    }

    /// The mask's byte `i` for a prefix of `length` bits.
    static func maskByte(_ i: Int, _ length: Int) -> UInt8 {
        let bits = max(0, min(8, length - i * 8))
        return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// An IPv4 or an IPv6 address, where either is allowed (a route's next hop, a DNS record).
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses dotted-quad or IPv6 text; nil when it is neither.
    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) { self = .v4(a) } else if let a = IPv6Address(text) { self = .v6(a) } else { return nil }
    }

    public var isIPv6: Bool { if case .v6 = self { true } else { false } }
    public var v4: IPv4Address? { if case .v4(let a) = self { a } else { nil } }
    public var v6: IPv6Address? { if case .v6(let a) = self { a } else { nil } }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}

/// An IPv4 or IPv6 address with a prefix length: an interface's address, or a route's
/// destination.
public enum IPCIDR: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4CIDR)
    case v6(IPv6CIDR)

    /// Parses "10.0.0.1/8" or "fd00::1/64"; the prefix length is required.
    public init?(_ text: some StringProtocol) {
        if let c = IPv4CIDR(text) { self = .v4(c) } else if let c = IPv6CIDR(text) { self = .v6(c) } else { return nil }
    }

    /// The default route's destination of a family: 0.0.0.0/0 or ::/0.
    public static func any(ipv6: Bool) -> IPCIDR {
        ipv6 ? .v6(IPv6CIDR(address: IPv6Address(bytes: [UInt8](repeating: 0, count: 16))!, prefixLength: 0))
             : .v4(IPv4CIDR(address: IPv4Address(0), prefixLength: 0))
    }

    public var isIPv6: Bool { if case .v6 = self { true } else { false } }
    public var v4: IPv4CIDR? { if case .v4(let c) = self { c } else { nil } }
    public var v6: IPv6CIDR? { if case .v6(let c) = self { c } else { nil } }

    public var address: IPAddress {
        switch self {
        case .v4(let c): .v4(c.address)
        case .v6(let c): .v6(c.address)
        }
    }

    public var prefixLength: Int {
        switch self {
        case .v4(let c): c.prefixLength
        case .v6(let c): c.prefixLength
        }
    }

    /// The prefix itself (host bits cleared).
    public var prefix: IPCIDR {
        switch self {
        case .v4(let c): .v4(c.prefix)
        case .v6(let c): .v6(c.prefix)
        }
    }

    /// Whether `a` is in this prefix; an address of the other family never is.
    public func contains(_ a: IPAddress) -> Bool {
        switch (self, a) {
        case (.v4(let c), .v4(let x)): c.contains(x)
        case (.v6(let c), .v6(let x)): c.contains(x)
        default: false
        }
    }

    public var description: String {
        switch self {
        case .v4(let c): c.description
        case .v6(let c): c.description
        }
    }
}

// Addresses are coded as their text ("10.0.0.1", "fd00::1/64"), as topology files write them.

/// Decodes text with `parse`, naming `example` when it is not such an address.
private func decodeAddress<T>(_ decoder: any Decoder, _ parse: (String) -> T?, example: String) throws -> T {
    let c = try decoder.singleValueContainer()
    let text = try c.decode(String.self)
    guard let v = parse(text) else {
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not an address such as \(example)")
    }
    return v
}

private func encodeAddress(_ encoder: any Encoder, _ text: String) throws {
    var c = encoder.singleValueContainer()
    try c.encode(text)
}

extension IPv4Address: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeAddress(decoder, { Self($0) }, example: "10.0.0.1") }
    public func encode(to encoder: any Encoder) throws { try encodeAddress(encoder, description) }
}

extension IPv4CIDR: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeAddress(decoder, { Self($0) }, example: "10.0.0.1/8") }
    public func encode(to encoder: any Encoder) throws { try encodeAddress(encoder, description) }
}

extension IPv6Address: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeAddress(decoder, { Self($0) }, example: "fd00::1") }
    public func encode(to encoder: any Encoder) throws { try encodeAddress(encoder, description) }
}

extension IPv6CIDR: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeAddress(decoder, { Self($0) }, example: "fd00::1/64") }
    public func encode(to encoder: any Encoder) throws { try encodeAddress(encoder, description) }
}

extension IPAddress: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeAddress(decoder, { Self($0) }, example: "10.0.0.1 or fd00::1") }
    public func encode(to encoder: any Encoder) throws { try encodeAddress(encoder, description) }
}

extension IPCIDR: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeAddress(decoder, { Self($0) }, example: "10.0.0.1/8 or fd00::1/64") }
    public func encode(to encoder: any Encoder) throws { try encodeAddress(encoder, description) }
}
