/// An IPv4 address.
public struct IPv4Address: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
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
public struct IPv4CIDR: Hashable, Sendable, Codable, CustomStringConvertible {
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

/// Checks IPv6 interface text such as "fd00::1/64" (address and prefix length).
func isValidIPv6CIDR(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), (0...128).contains(n) else { return false }
    var buf = [UInt8](repeating: 0, count: 16)
    return inet_pton(AF_INET6, String(parts[0]), &buf) == 1
}

#if canImport(Glibc)
import Glibc
#endif
