/// A 48-bit Ethernet address, held in the low 48 bits of an integer (no allocation).
public struct OFMACAddress: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The address in the low 48 bits, first octet most significant.
    public var rawValue: UInt64

    /// An address from its 48-bit value; higher bits are dropped.
    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    /// Parses `aa:bb:cc:dd:ee:ff` (or with `-`); nil if malformed.
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count <= 2, let octet = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(octet)
        }
        rawValue = v
    }

    /// An address from six octets.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        rawValue = [a, b, c, d, e, f].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// ff:ff:ff:ff:ff:ff.
    public static let broadcast = OFMACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    /// 00:00:00:00:00:00.
    public static let zero = OFMACAddress(rawValue: 0)

    /// True for group (multicast and broadcast) addresses.
    public var isMulticast: Bool { (rawValue >> 40) & 1 == 1 }

    /// The six octets, first on the wire first.
    public var octets: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(40 - 8 * $0)) }
    }

    /// Colon-separated lowercase hexadecimal, e.g. `00:00:00:00:00:01`.
    public var description: String {
        octets.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: ":")
    }
}

/// An IPv4 address held as a 32-bit integer in network order of significance.
public struct OFIPv4Address: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The address, first octet most significant.
    public var rawValue: UInt32

    /// An address from its 32-bit value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Parses dotted-quad text; nil if malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard let octet = UInt8(p) else { return nil }
            v = v << 8 | UInt32(octet)
        }
        rawValue = v
    }

    /// A netmask of `length` leading one bits (0...32).
    public static func prefixMask(_ length: Int) -> OFIPv4Address {
        let n = min(max(length, 0), 32)
        return OFIPv4Address(rawValue: n == 0 ? 0 : UInt32.max << UInt32(32 - n))
    }

    /// The prefix length if this is a contiguous netmask, else nil.
    public var prefixLength: Int? {
        let ones = rawValue.leadingZeroBitCount == 0 ? (~rawValue).leadingZeroBitCount : 0
        return OFIPv4Address.prefixMask(ones) == self ? ones : nil
    }

    /// Dotted-quad text.
    public var description: String {
        (0..<4).map { String(UInt8(truncatingIfNeeded: rawValue >> UInt32(24 - 8 * $0))) }.joined(separator: ".")
    }
}

/// An IPv6 address held as two 64-bit halves (no allocation).
public struct OFIPv6Address: Hashable, Sendable, CustomStringConvertible {
    /// The first (most significant) 64 bits.
    public var high: UInt64
    /// The last 64 bits.
    public var low: UInt64

    /// An address from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An address from 16 bytes (`bytes.count` must be 16; anything else gives ::).
    public init(bytes: [UInt8]) {
        var h: UInt64 = 0, l: UInt64 = 0
        if bytes.count == 16 {
            for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
        }
        high = h
        low = l
    }

    /// Parses RFC 4291 text (with at most one `::`; no embedded IPv4); nil if malformed.
    public init?(_ text: String) {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 2 && parts[0].isEmpty && parts[1].isEmpty { parts.removeFirst() }
        if parts.count >= 2 && parts[parts.count - 1].isEmpty && parts[parts.count - 2].isEmpty { parts.removeLast() }
        var groups: [UInt16] = []
        var gapAt: Int?
        for p in parts {
            if p.isEmpty {
                guard gapAt == nil else { return nil }
                gapAt = groups.count
                continue
            }
            guard p.count <= 4, let v = UInt16(p, radix: 16) else { return nil }
            groups.append(v)
        }
        if let gap = gapAt {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        high = groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
        low = groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
    }

    /// A netmask of `length` leading one bits (0...128).
    public static func prefixMask(_ length: Int) -> OFIPv6Address {
        let n = min(max(length, 0), 128)
        let h: UInt64 = n == 0 ? 0 : (n >= 64 ? .max : UInt64.max << UInt64(64 - n))
        let l: UInt64 = n <= 64 ? 0 : (n == 128 ? .max : UInt64.max << UInt64(128 - n))
        return OFIPv6Address(high: h, low: l)
    }

    /// The 16 bytes, first on the wire first.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for half in [high, low] {
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: half >> UInt64(56 - 8 * i))) }
        }
        return out
    }

    /// Bitwise AND, for masking.
    public static func & (a: OFIPv6Address, b: OFIPv6Address) -> OFIPv6Address {
        OFIPv6Address(high: a.high & b.high, low: a.low & b.low)
    }

    /// Uncompressed text form (eight hexadecimal groups).
    public var description: String {
        var groups: [String] = []
        for half in [high, low] {
            for i in 0..<4 {
                let g = UInt16(truncatingIfNeeded: half >> UInt64(48 - 16 * i))
                groups.append(String(g, radix: 16))
            }
        }
        return groups.joined(separator: ":")
    }
}
